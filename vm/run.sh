#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm/run.sh [--lane NAME] -- "make run": build kmem_demo for a lane, boot it
# in qemu and show the tutorial flow (insmod, lsmod, dmesg, cat
# /proc/kmem_demo, rmmod) live.  Module parameters come from $PARAMS; lab
# commands, separated by ';', from $LAB (run between load and report).
# Unless VIEW=0, the guest also shows what the kernel lets you see of its
# allocators and its own view of each allocation (kernel-check.sh).
# Unless PICTURES=0, it then draws where the memory landed (scripts/pictures.sh)
# and prints the pictures' paths.
# Exits with the guest's status (124: timeout, 125: no exit marker).
# KD_BOOT=slub boots with slub_debug like the tests' default boot.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_ROOT/vm/build.sh"
. "$KD_ROOT/vm/initramfs.sh"
. "$KD_ROOT/vm/boot.sh"

lane=''
while [ $# -gt 0 ]; do
	case $1 in
	--lane) lane=${2?--lane needs a name}; shift 2 ;;
	--lane=*) lane=${1#*=}; shift ;;
	*) kd_die "usage: vm/run.sh [--lane NAME] (lanes: $(kd_lanes kernel | tr '\n' ' '))" ;;
	esac
done

t0=$EPOCHREALTIME
[ -n "$lane" ] || lane=$(kd_default_lane)
kd_lane "$lane"
t_prep=$(kd_elapsed "$t0")

t=$EPOCHREALTIME
bdir=$(kd_build_dir "")
kd_build_module "$bdir"
img=$KD_CACHE/initramfs/$(kd_lane_key)-run.cpio.gz
log=$KD_CACHE/logs/$(kd_lane_key)-run.log
mkdir -p "${img%/*}"
pictures=1 view=1
[ "${PICTURES:-1}" = 0 ] && pictures=0
[ "${VIEW:-1}" = 0 ] && view=0
kd_initramfs "$bdir" "$img" KD_MODE=run KD_PARAMS="${PARAMS:-}" KD_LAB="${LAB:-}" \
	KD_PICTURES="$pictures" KD_VIEW="$view"
t_build=$(kd_elapsed "$t")

extra=$(kd_boot_args "${KD_BOOT:-plain}") || kd_die "KD_BOOT: slub or plain"
t=$EPOCHREALTIME
rc=0
# shellcheck disable=SC2086 # kd_boot_args is a word list
KD_LIVE=1 kd_boot "$img" "$log" $extra || rc=$?
t_boot=$(kd_elapsed "$t")

case $rc in
124) kd_log "guest timed out (console: $log)" ;;
125) kd_log "guest stopped without its exit marker: panic or qemu error" ;;
esac
# draw LOG DIR -- the frame map the guest printed between its markers
# (vm/guest/init) into DIR/kmem_demo_map.txt, and the pictures of it.
draw() {
	local map=$2/kmem_demo_map.txt ps
	mkdir -p "$2"
	kd_console_block "$1" "$KD_NONCE" MAP >"$map" ||
		{ kd_log "no complete frame map in $1"; return 1; }
	printf '\nWhere the memory landed (%s guest), drawn from %s:\n' "$LANE_NAME" "$map"
	ps=$(sed -n 's/^page_size //p' "$map")
	"$KD_ROOT/scripts/pictures.sh" --title "$LANE_NAME guest, $((ps / 1024)) KiB pages" \
		"$map" "$2" | sed 's/^/  /'
}

t_pic=-
if [ "$pictures" = 1 ] && [ "$rc" -eq 0 ]; then
	t=$EPOCHREALTIME
	draw "$log" "$KD_CACHE/pictures/$LANE_NAME" ||
		kd_log "drawing the pictures failed (the run itself went fine)"
	t_pic=$(kd_elapsed "$t")
fi
kd_log "lane $LANE_NAME ($LANE_INFO): prepare ${t_prep}s, build ${t_build}s, boot ${t_boot}s, pictures ${t_pic}s, total $(kd_elapsed "$t0")s, exit $rc"
exit "$rc"
