#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm/run.sh [--lane NAME] -- "make run": build kmem_demo for a lane, boot it
# in qemu and show the tutorial flow (insmod, lsmod, dmesg, cat
# /proc/kmem_demo, rmmod) live.  Module parameters come from $PARAMS.
# Exits with the guest's status (124: timeout, 125: no exit marker).
# KD_BOOT=slub boots with slub_debug like the tests' default boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_ROOT/vm/build.sh"
. "$KD_ROOT/vm/initramfs.sh"
. "$KD_ROOT/vm/boot.sh"

lane=distro
while [ $# -gt 0 ]; do
	case $1 in
	--lane) lane=${2:?--lane needs a name}; shift 2 ;;
	--lane=*) lane=${1#*=}; shift ;;
	*) kd_die "usage: vm/run.sh [--lane NAME] (lanes: $(kd_lanes | tr '\n' ' '))" ;;
	esac
done

t0=$EPOCHREALTIME
kd_lane "$lane"
t_prep=$(kd_elapsed "$t0")

t=$EPOCHREALTIME
bdir=$(kd_build_dir "")
kd_build_module "$bdir"
img=$KD_CACHE/initramfs/$LANE_NAME-run.cpio.gz
mkdir -p "${img%/*}"
kd_initramfs "$bdir" "$img" KD_MODE=run KD_PARAMS="${PARAMS:-}"
t_build=$(kd_elapsed "$t")

extra=$(kd_boot_args "${KD_BOOT:-plain}") || kd_die "KD_BOOT: slub or plain"
t=$EPOCHREALTIME
rc=0
# shellcheck disable=SC2086 # kd_boot_args is a word list
KD_LIVE=1 kd_boot "$img" "$KD_CACHE/logs/$LANE_NAME-run.log" $extra || rc=$?
t_boot=$(kd_elapsed "$t")

case $rc in
124) kd_log "guest timed out (console: $KD_CACHE/logs/$LANE_NAME-run.log)" ;;
125) kd_log "guest stopped without its exit marker: panic or qemu error" ;;
esac
kd_log "lane $LANE_NAME: prepare ${t_prep}s, build ${t_build}s, boot ${t_boot}s, total $(kd_elapsed "$t0")s, exit $rc"
exit "$rc"
