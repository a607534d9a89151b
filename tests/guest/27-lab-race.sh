#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Commands and reads at the same time: 4 writers issue random valid commands
# and frees while 4 readers read and check whole reports, for 30 s where
# lockdep watches the locking (the debug lane), 10 s on the other lanes.
# Every read must be whole and parseable; then unload with experiments
# still live, and nothing may be left.
# kd-boot: slub
# kd-class: logic
# kd-timeout: 150
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

t_run "load" kd_load
rm -f /tmp/w* /tmp/rd*
secs=10
[ -e /proc/lockdep ] && secs=30
pids=
for i in 1 2 3 4; do
	kd-lab writer "$i" "$secs" >"/tmp/w$i" 2>&1 &
	pids="$pids $!"
	kd-lab reader "$secs" >"/tmp/rd$i" 2>&1 &
	pids="$pids $!"
done
bad=0
for p in $pids; do
	wait "$p" || bad=$((bad + 1))
done
cat /tmp/w* /tmp/rd* | sed 's/^/# /'
t_eq "4 writers and 4 readers for $secs s: none saw a broken contract" 0 "$bad"
t_eq "writers: only documented results" "" "$(cat /tmp/w* | grep -v '^writer seed=')"
t_eq "readers: every report whole" "" "$(cat /tmp/rd* | grep -v '^reader: [0-9]* whole reports')"
t_run "readers read reports" grep -q '^reader: [1-9]' /tmp/rd1
live=$(kd_lab_live "$KD_PROC")
echo "# $live experiments live at unload"
t_run "unload with experiments live" kd_unload
t_clean "nothing left"
