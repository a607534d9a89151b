# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Lane "arm64": Debian's own arm64 kernel under qemu-system-aarch64 (TCG),
# kmem_demo cross-built against Debian's arm64 headers.  Nothing arm64 is
# installed: the .debs are unpacked into $KD_CACHE/arm64-<abi>/.
# Sourced by kd_lane (vm/lib.sh), never executed.
#
# Measured on the 2-core Debian 12 dev machine (TCG, qemu 7.2, 6.1.0-56,
# while a kernel build was running alongside, load 2.5-4):
#   lane_prepare cold (no arm64 in dpkg, empty cache: apt-get update, 72 MB
#     of .debs, 434 MB unpacked, 292 MB of it /lib/modules): 14.5 s, 20.8 s;
#     installing gcc-aarch64-linux-gnu etc. on top: ~7 s
#   lane_prepare warm: 0.0 s (3 runs; 5-8 s before the version stamp, when
#     every apt lookup re-read the indices)
#   cross-build of a kmalloc/vmalloc/kmem_cache test module: 0.9, 1.0 s
#   boot + insmod + rmmod + poweroff -f, busybox initramfs, -m 512M, this
#     LANE_QEMU: 2.5 2.4 2.2 s; vm/run.sh --lane arm64: build 1.7 s, boot
#     2.4 s.  CPU models, same initramfs (3 runs, -nographic): cortex-a72
#     2.40 2.15 2.01 s, a57 2.24 2.14 2.27 s, a53 2.02 2.15 1.88 s, max 7.74
#     8.01 8.18 s (pointer auth is slow under TCG), max,pauth-impdef=on
#     2.84 2.96 2.84 s.
#   LANE_SLOW, against the distro lane's TCG qemu (pc, qboot, -cpu max),
#     runs interleaved: boot + md5sum of 64 MiB in the guest 7.72 7.85
#     7.69 s vs x86 11.21 10.69 9.10 s, the md5sum alone 5.51 5.70 5.43 s
#     vs 6.11 5.54 4.36 s: at worst 1.3x.  (Against x86 -cpu qemu64 the
#     md5sum was 2.3x slower.)  Hence 2.
#
# What the guest looks like (-M virt): 4 KiB pages; RAM starts at 1 GiB
# and ZONE_DMA covers it up to 4 GiB (no device limits DMA below 32 bits),
# so with -m 512M all memory is DMA; DMA32 is always empty, Normal starts
# at 4 GiB (-m 4G).  Linear map randomized (ffff4a20...), vmalloc from
# ffff800008000000; kptr_restrict=0, dmesg_restrict=1; slub_debug=FZPU,<cache>
# and page_poison=on are both honoured.

# lane_arm64_abi VERSION -- the ABI (6.1.0-NN) of Debian's arm64 headers at
# VERSION, empty when apt does not know that version.
lane_arm64_abi() {
	local info
	info=$(apt-cache show "linux-headers-arm64:arm64=$1" 2>/dev/null) || return 0
	sed -n 's/^Depends: linux-headers-\([^ ,]*\)-arm64 .*/\1/p' <<<"$info" | head -n1
}

# lane_arm64_fetch -- pick the arm64 kernel version and unpack it.  Sets
# lane_prepare's ver and abi (bash locals are dynamically scoped).
lane_arm64_fetch() {
	local kver
	# The arm64 headers' scripts/ are the host's amd64 linux-kbuild-6.1, so
	# take the headers of that very version (the ABI of the installed amd64
	# headers on a consistent host).
	kver=$(dpkg-query -W -f='${Version}' linux-kbuild-6.1)
	ver=$kver
	abi=$(lane_arm64_abi "$ver")
	if [ -z "$abi" ]; then
		kd_apt_update
		abi=$(lane_arm64_abi "$ver")
	fi
	if [ -z "$abi" ]; then
		# Gone from the archive (it keeps one point release) or not built
		# for arm64 yet: take apt's candidate.  Its headers want
		# linux-kbuild-6.1 >= their version, so move the host's up if older.
		ver=$(apt-cache policy linux-headers-arm64:arm64 |
			sed -n 's/^ *Candidate: //p')
		abi=$(lane_arm64_abi "$ver")
		[ -n "$abi" ] || kd_die "apt has no linux-headers-arm64:arm64"
		if dpkg --compare-versions "$kver" lt "$ver"; then
			kd_log "linux-kbuild-6.1 $kver -> $ver to match arm64 headers"
			kd_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
				--no-install-recommends "linux-kbuild-6.1=$ver" >&2 ||
				kd_die "cannot install linux-kbuild-6.1=$ver"
		fi
	fi
	# The signed image: its vmlinuz is a plain arm64 Image (EFI stub), which
	# qemu -kernel boots as is; no gunzip needed.
	kd_fetch_debs "$KD_CACHE/arm64-$abi" "linux-image-$abi-arm64:arm64=$ver" \
		"linux-headers-$abi-arm64:arm64=$ver" \
		"linux-headers-$abi-common=$ver" busybox-static:arm64
}

# The LANE_* variables are read by the harness after kd_lane returns.
# shellcheck disable=SC2034
lane_prepare() {
	local ver='' abi='' dir hdr mk stamp
	# The foreign architecture comes first so that any apt-get update below
	# also fetches the arm64 indices apt-get download needs.
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		kd_log "adding arm64 to dpkg's architectures (apt-get download only)"
		kd_root dpkg --add-architecture arm64
		KD_APT_UPDATED=
		kd_apt_update
	fi
	need_pkgs linux-kbuild-6.1 gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
		qemu-system-arm
	# apt lookups cost ~1 s each where apt keeps no pkgcache.bin (Debian's
	# container images): remember the choice per host kbuild version.
	stamp=$KD_CACHE/arm64-lane-$(dpkg-query -W -f='${Version}' linux-kbuild-6.1)
	[ -f "$stamp" ] && read -r ver abi <"$stamp"
	dir=$KD_CACHE/arm64-$abi
	if [ -z "$abi" ] || [ ! -f "$dir/.complete" ]; then
		lane_arm64_fetch
		dir=$KD_CACHE/arm64-$abi
		touch "$dir/.complete"
		printf '%s %s\n' "$ver" "$abi" >"$stamp"
	fi

	# Make the unpacked headers usable in place, without touching /usr/src:
	# 1. scripts and tools are relative links to ../../lib/linux-kbuild-6.1,
	#    i.e. $dir/usr/lib/linux-kbuild-6.1: point that at the host's copy.
	mkdir -p "$dir/usr/lib"
	ln -sfn /usr/lib/linux-kbuild-6.1 "$dir/usr/lib/linux-kbuild-6.1"
	# 2. The flavour Makefile includes /usr/src/linux-headers-<abi>-common
	#    by absolute path: aim it at the unpacked copy (any earlier path, so
	#    a moved cache heals too).  The common Makefile then takes srctree
	#    from its own location.
	hdr=$dir/usr/src/linux-headers-$abi-arm64
	mk="include $dir/usr/src/linux-headers-$abi-common/Makefile"
	if ! grep -qxF "$mk" "$hdr/Makefile"; then
		sed -i "s|^include .*/linux-headers-$abi-common/Makefile\$|$mk|" "$hdr/Makefile"
		grep -qxF "$mk" "$hdr/Makefile" ||
			kd_die "unexpected $hdr/Makefile: $(cat "$hdr/Makefile")"
	fi

	LANE_NAME=arm64
	LANE_ARCH=arm64
	LANE_KERNEL=$dir/boot/vmlinuz-$abi-arm64
	LANE_KDIR=$hdr
	# Debian's .kernelvariables then picks $(CROSS_COMPILE)gcc-12.
	LANE_MAKE_ARGS=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
	LANE_CC=aarch64-linux-gnu-gcc
	LANE_BUSYBOX=$dir/bin/busybox
	# cortex-a72: as fast as a53/a57 under TCG and has no pointer auth,
	# which makes "max" ~3.5x slower.  poweroff -f ends qemu through PSCI.
	LANE_QEMU=(qemu-system-aarch64 -machine virt -cpu "${KD_QEMU_CPU_ARM64:-cortex-a72}"
		-smp "${KD_SMP:-2}" -nodefaults -accel tcg)
	LANE_CONSOLE=ttyAMA0
	LANE_APPEND=
	LANE_SLOW=2
	if [ ! -r "$LANE_KERNEL" ] || [ ! -x "$LANE_BUSYBOX" ] || [ ! -f "$hdr/.config" ]; then
		kd_die "arm64 lane: incomplete unpack in $dir (remove it and retry)"
	fi
}
