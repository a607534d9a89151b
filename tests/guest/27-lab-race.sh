#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Commands and reads at the same time: 4 writers issue random valid commands
# and frees while 4 readers read and check whole reports, for 30 s where
# lockdep watches the locking (the debug lane), 10 s on the other lanes.
# Every read must be whole and parseable; then unload with experiments
# still live, and nothing may be left.  A read ends while a writer is still
# allocating a large vmalloc: readers never wait for an allocation.
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

# A reader does not wait for a command's allocation.  Once a writer's
# large vmalloc is under way (MemFree has dropped by an eighth of it),
# nobody, whose reader was started and waits for the word, reads the
# whole report: the read must end, whole, without the
# experiment, which is not published yet.  A reader that waited for the
# allocation would find it in the report.  The sizes are shares of the
# memory available (a debug kernel has half as much), and
# __GFP_NORETRY|__GFP_NOWARN keeps the OOM killer out of it.
avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
t_run "load with room for a third of the available $avail MiB" \
	kd_load lab_max_bytes=$((avail * 1048576 / 3))
seen=''
rm -rf /tmp/big && mkdir -m 0777 /tmp/big
for mb in $((avail / 6)) $((avail / 4)) $((avail / 3)); do
	# nobody's reader waits, already started, for the word to read.
	rm -f /tmp/big/go /tmp/big/r /tmp/big/rc && mkfifo -m 0666 /tmp/big/go
	kd_as_nobody "read x </tmp/big/go; cat $KD_PROC >/tmp/big/r 2>&1; echo \$? >/tmp/big/rc" &
	r=$!
	free0=$(awk '/^MemFree:/ { print $2 }' /proc/meminfo)
	kd-lab write "vmalloc ${mb}M GFP_KERNEL|__GFP_NORETRY|__GFP_NOWARN" >/tmp/big.w 2>&1 &
	w=$!
	n=0
	while kill -0 "$w" 2>/dev/null && [ $n -lt 20000 ] &&
		[ "$(awk '/^MemFree:/ { print $2 }' /proc/meminfo)" -gt $((free0 - mb * 128)) ]; do
		n=$((n + 1))
	done
	under_way=''
	kill -0 "$w" 2>/dev/null && under_way=1
	echo go >/tmp/big/go
	wait "$r"
	[ -n "$under_way" ] && [ "$(cat /tmp/big/rc)" = 0 ] && ! grep -q '^\[lab ' /tmp/big/r &&
		seen="$mb MiB: read status 0, $(grep -c '^\[' /tmp/big/r) sections, no [lab] yet"
	wait "$w"
	echo "# vmalloc ${mb}M: $(cat /tmp/big.w)"
	kd-lab write "free all" >/dev/null
	[ -n "$seen" ] && break
done
echo "# ${seen:-no read ended while the writer was still allocating}"
t_match "a read ends while a writer is still allocating" "status 0, [0-9]+ sections, no \[lab\] yet" "$seen"
t_run "unload" kd_unload
t_clean "nothing left after the large experiments"
