#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the boot watchdog (kd_boot, vm/boot.sh): a guest that never
# starts its tests is ended once KD_START_TIMEOUT has passed, with status
# 126 and a line in its console log, long before its boot timeout.  The
# guest is the distro lane's kernel with an initramfs whose init, busybox
# sleep, never prints the runner's KTAP start marker.  Prints one line per
# problem; silent and status 0 when all is well.
set -uo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
. "$KD_ROOT/vm/boot.sh"

need_pkgs cpio busybox-static
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
problem() { printf '%s\n' "$*"; }

kd_lane distro >/dev/null 2>"$t/lane.log" || {
	problem "the distro lane could not be prepared: $(tail -n 5 "$t/lane.log")"
	exit 0
}
mkdir -p "$t/root/bin"
cp "$LANE_BUSYBOX" "$t/root/bin/busybox"
(cd "$t/root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$t/img"

bound=15
t0=$EPOCHREALTIME
st=0
# Everything after "--" on the kernel's command line is init's arguments.
KD_START_TIMEOUT=$bound KD_BOOT_TIMEOUT=600 kd_boot "$t/img" "$t/console.log" \
	rdinit=/bin/busybox -- sleep 100000 || st=$?
took=$(kd_elapsed "$t0")
[ "$st" -eq 126 ] ||
	problem "a guest that never starts its tests: expected status 126 (watchdog), saw $st after ${took}s; console: $(tail -n 5 "$t/console.log")"
# The bound, plus the boot's own start and qemu's exit.
awk -v s="$took" -v b="$bound" 'BEGIN { exit !(s < b + 30) }' ||
	problem "the watchdog ended the guest after ${took}s, expected within ${bound}s + 30s"
if [ ! -f "$t/console.log" ]; then
	problem "the console log $t/console.log is gone; $t holds: $(find "$t" -maxdepth 1 -printf "%f " 2>&1)"
elif ! grep -q "watchdog: no KTAP start marker after ${bound}s" "$t/console.log"; then
	problem "the console log does not say the watchdog ended the guest: $(tail -n 5 "$t/console.log")"
fi
