# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Lane "distro": the stock Debian amd64 kernel, the one a reader of the
# tutorial runs.  Sourced by kd_lane (vm/lib.sh).

# The LANE_* variables are read by the harness after kd_lane returns.
# shellcheck disable=SC2034
lane_prepare() {
	need_pkgs linux-image-amd64 linux-headers-amd64 qemu-system-x86 \
		busybox-static cpio kmod gcc libc6-dev make
	local k v kdir=
	# Newest generic kernel that has a build tree; cloud and rt flavours
	# lack drivers or behave differently, so only "-amd64" proper.
	for k in $(printf '%s\n' /boot/vmlinuz-*-amd64 | grep -v -e '-cloud-' -e '-rt-' | sort -rV); do
		v=${k#/boot/vmlinuz-}
		if [ -d "/lib/modules/$v/build" ]; then
			kdir=/lib/modules/$v/build
		elif [ -d "/usr/src/linux-headers-$v" ]; then
			kdir=/usr/src/linux-headers-$v
		else
			continue
		fi
		break
	done
	[ -n "$kdir" ] || kd_die "no /boot/vmlinuz-*-amd64 with matching headers"
	LANE_NAME=distro
	LANE_ARCH=x86
	LANE_KDIR=$kdir
	LANE_KERNEL=$k
	# Debian installs vmlinuz mode 0600: copy it once, readable, into the cache.
	if [ ! -r "$k" ]; then
		LANE_KERNEL=$KD_CACHE/kernel/vmlinuz-$v
		if [ ! -s "$LANE_KERNEL" ] || [ "$k" -nt "$LANE_KERNEL" ]; then
			mkdir -p "$KD_CACHE/kernel"
			kd_root cat "$k" >"$LANE_KERNEL.tmp" && mv "$LANE_KERNEL.tmp" "$LANE_KERNEL"
		fi
	fi
	LANE_CC=gcc
	LANE_BUSYBOX=/bin/busybox
	LANE_CONSOLE=ttyS0
	LANE_SLOW=1
	LANE_KERNEL=$(kd_x86_vmlinux "$LANE_KERNEL")
	kd_x86_qemu "$LANE_KERNEL"
}
