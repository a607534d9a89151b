#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/boot-cost.sh [LANE [N]] -- what make run costs beyond booting:
# N times (default 5) each, on LANE (default distro), with everything
# cached, the wall time of
#   bare     the lane's own qemu command and kernel, with an initramfs of
#            busybox whose /init only reboots: the floor any run pays
#   view0    make run VIEW=0 PICTURES=0: the tutorial's steps alone
#   run      make run PICTURES=0: with what the kernel lets you see and its
#            own view of each allocation
# and prints each one's median.  Run it on an idle machine: the figures
# are wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
. vm/lib.sh

lane=${1:-distro} n=${2:-5}
kd_lane "$lane" >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The bare guest: busybox and an /init that reboots at once.
mkdir -p "$tmp/root/bin"
cp "$LANE_BUSYBOX" "$tmp/root/bin/busybox"
ln -s busybox "$tmp/root/bin/sh"
printf '#!/bin/sh\n/bin/busybox reboot -f\n' >"$tmp/root/init"
chmod +x "$tmp/root/init"
(cd "$tmp/root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$tmp/bare.cpio.gz"

# median FILE -- the median of the numbers in FILE, one decimal.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.1f\n", v[int((NR + 1) / 2)] }'
}

# timed NAME CMD... -- run CMD n times, its wall times in $tmp/NAME.
timed() {
	local name=$1 i t
	shift
	for i in $(seq "$n"); do
		t=$EPOCHREALTIME
		"$@" >"$tmp/$name.out" 2>&1 ||
			kd_die "$name failed (run $i): $(tail -n 5 "$tmp/$name.out")"
		kd_elapsed "$t" >>"$tmp/$name"
	done
}

bare() {
	timeout 120 "${LANE_QEMU[@]}" -m "${KD_MEM:-512M}" -display none -monitor none \
		-serial stdio -no-reboot -kernel "$LANE_KERNEL" -initrd "$tmp/bare.cpio.gz" \
		-append "console=$LANE_CONSOLE panic=-1 loglevel=4 $LANE_APPEND" </dev/null
}

# One of each first, so that every build and initramfs is cached.
make --no-print-directory run KERNEL="$lane" PICTURES=0 >/dev/null 2>&1 ||
	kd_die "make run KERNEL=$lane failed: run it alone to see why"
make --no-print-directory run KERNEL="$lane" PICTURES=0 VIEW=0 >/dev/null 2>&1 ||
	kd_die "make run KERNEL=$lane VIEW=0 failed: run it alone to see why"
timed bare bare
timed view0 make --no-print-directory run KERNEL="$lane" PICTURES=0 VIEW=0
timed run make --no-print-directory run KERNEL="$lane" PICTURES=0
printf 'lane %s, %s runs each, median wall time (s):\n' "$lane" "$n"
printf '  bare boot                     %s\n' "$(median "$tmp/bare")"
printf '  make run VIEW=0 PICTURES=0    %s\n' "$(median "$tmp/view0")"
printf '  make run PICTURES=0           %s\n' "$(median "$tmp/run")"
