# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The host lane (vm/lanes.tsv: host): the kernel installed on this machine,
# KVER (default: the running one, uname -r), booted in the VM, kmem_demo
# built against that kernel's own headers (/lib/modules/KVER/build) by the
# compiler that built the kernel.  Nothing is downloaded: the image, the
# headers and the modules are the ones installed here, found where the
# distributions put them.  What is missing is said once, with the command
# that installs it on this distribution.  Sourced by kd_lane, never executed.

# host_image_paths KVER -- where distributions put the image of KVER, most
# common first: Debian (up to 6.12), Ubuntu, Mint, Fedora in /boot; Debian's
# 7.x, Fedora and Arch in the modules directory; Arch's /boot copy is named
# after its package (modules/KVER/pkgbase); Gentoo's /boot/kernel-KVER.
host_image_paths() {
	local k=$1 base=''
	[ -r "/usr/lib/modules/$k/pkgbase" ] && base=$(cat "/usr/lib/modules/$k/pkgbase")
	printf '%s\n' "/boot/vmlinuz-$k" "/lib/modules/$k/vmlinuz" "/usr/lib/modules/$k/vmlinuz" \
		"/boot/vmlinux-$k" "/boot/Image-$k" "/boot/kernel-$k" ${base:+"/boot/vmlinuz-$base"}
}

# host_distros -- this host's distribution and the ones it is like, one word
# each (ID, then ID_LIKE).
host_distros() {
	# shellcheck disable=SC2046 # ID_LIKE is a list of words
	printf '%s\n' $(kd_os ID) $(kd_os ID_LIKE)
}

# host_headers_pkg KVER -- the package with KVER's headers on this host.
host_headers_pkg() {
	local k=$1 w
	# Raspberry Pi OS: its own kernels' headers (12+: +rpt-rpi-*; 11: -v8+).
	case $k in
	*+rpt-rpi-*) echo "linux-headers-$k" && return ;;
	*-v7+ | *-v7l+ | *-v8+ | *-v8-16k+) echo raspberrypi-kernel-headers && return ;;
	esac
	for w in $(host_distros); do
		case $w in
		debian | ubuntu) echo "linux-headers-$k" && return ;;
		fedora | rhel | centos | rocky | almalinux) echo "kernel-devel-$k" && return ;;
		arch | archlinux | manjaro | endeavouros)
			# Named after the kernel's package: linux, linux-lts, linux-zen.
			echo "$(cat "/usr/lib/modules/$k/pkgbase" 2>/dev/null || echo linux)-headers" && return ;;
		opensuse* | suse | sles) echo kernel-default-devel && return ;;
		esac
	done
	echo "the headers of $k (the package that provides /lib/modules/$k/build)"
}

# host_refuse WHY -- stop: this kernel cannot be the host lane.  Names the
# lanes that work on this machine instead.
host_refuse() {
	local arch instead
	arch=$(uname -m)
	case $arch in
	aarch64) instead='KERNEL=arm64 (Debian 12), arm64-16k, arm64-sid' ;;
	*) instead='KERNEL=trixie (Debian 13), bullseye, sid' ;;
	esac
	kd_debian_host || instead="$instead, with KD_DEBIAN_MIRROR=URI"
	kd_die "host lane: $1
    Boot one of Debian's kernels instead: make run $instead (make help lists them)"
}

# host_config_missing FILE SYMBOL... -- the SYMBOLs that FILE (a kernel's
# .config) does not have built in (=y).
host_config_missing() {
	local f=$1 c
	shift
	for c in "$@"; do
		grep -qx "CONFIG_$c=y" "$f" || printf 'CONFIG_%s ' "$c"
	done
}

# host_read_image IMAGE DIR -- print a readable path of IMAGE: itself, or
# where only root may read it (Ubuntu's are mode 0600), a copy read once
# through sudo into DIR, refreshed when IMAGE changes.
host_read_image() {
	local img=$1 dir=$2 copy stamp
	if [ -r "$img" ]; then
		printf '%s\n' "$img"
		return
	fi
	copy=$dir/${img##*/}
	[ "${img##*/}" != vmlinuz ] || copy=$dir/vmlinuz-$(basename "$(dirname "$img")")
	stamp=$(stat -c '%s %Y' "$img")
	if [ ! -s "$copy" ] || [ "$(cat "$copy.stamp" 2>/dev/null)" != "$stamp" ]; then
		mkdir -p "$dir"
		kd_log "only root may read $img: reading it once through sudo into $copy"
		# The copy belongs to the user: sudo reads, the user's shell writes.
		# shellcheck disable=SC2024
		if ! command -v sudo >/dev/null || ! sudo cat "$img" >"$copy.tmp" || [ ! -s "$copy.tmp" ]; then
			rm -f "$copy.tmp"
			kd_die "host lane: cannot read $img (mode $(stat -c %a "$img"), owner $(stat -c %U "$img")), and reading it through sudo failed.
    Copy it once where the harness looks, then run this again:
    sudo install -m 0644 -o $(id -un) $img $copy && echo '$stamp' >$copy.stamp"
		fi
		mv "$copy.tmp" "$copy"
		echo "$stamp" >"$copy.stamp"
	fi
	printf '%s\n' "$copy"
}

# host_compiler CONFIG -- set LANE_CC and LANE_MAKE_ARGS for the compiler
# that built the kernel: the one its CONFIG_CC_VERSION_TEXT names (its
# first word is the command as the kernel's build called it:
# x86_64-linux-gnu-gcc-12 on Debian and Ubuntu, gcc on Fedora and Arch),
# else gcc-MAJOR, else gcc; clang (LLVM=1) for a kernel built with clang.
# Another version than the kernel's is a warning with both versions: kbuild
# refuses only what it cannot build with, and says so itself.
# shellcheck disable=SC2034 # read by the harness
host_compiler() {
	local cfg=$1 text want major c cc='' got
	text=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$cfg")
	if grep -qx 'CONFIG_CC_IS_CLANG=y' "$cfg"; then
		want=$(sed -n 's/^CONFIG_CLANG_VERSION=//p' "$cfg")
		major=$((want / 10000))
		for c in "clang-$major" clang; do
			command -v "$c" >/dev/null && cc=$c && break
		done
		if [ -z "$cc" ]; then
			if [ "$(kd_pkg_manager)" = apt ]; then c="clang-$major lld-$major llvm-$major"; else c='clang lld llvm'; fi
			kd_die "host lane: kernel $KVER was built with $text, and no clang is here.
    Install it: $(kd_install_cmd "$c")"
		fi
		LANE_MAKE_ARGS=(LLVM=1 CC="$cc")
	else
		want=$(sed -n 's/^CONFIG_GCC_VERSION=//p' "$cfg")
		major=$((want / 10000))
		for c in "${text%% *}" "gcc-$major" gcc; do
			command -v "$c" >/dev/null && cc=$c && break
		done
		if [ -z "$cc" ]; then
			if [ "$(kd_pkg_manager)" = apt ]; then c=gcc-$major; else c=gcc; fi
			kd_die "host lane: kernel $KVER was built with $text, and no gcc is here.
    Install it: $(kd_install_cmd "$c")"
		fi
		LANE_MAKE_ARGS=(CC="$cc")
	fi
	got=$("$cc" -dumpversion 2>/dev/null | cut -d. -f1)
	if [ "$got" != "$major" ]; then
		c=gcc
		[ "$(kd_pkg_manager)" != apt ] || c=gcc-$major
		kd_log "warning: kernel $KVER was built with $text; kmem_demo is built with $cc $("$cc" -dumpfullversion 2>/dev/null || "$cc" -dumpversion), another major version.  Should the module misbehave, install the kernel's own: $(kd_install_cmd "$c")"
	fi
	LANE_CC=$cc
}

# The LANE_* variables are read by the harness after kd_lane returns.
# shellcheck disable=SC2034
lane_prepare() {
	local k img='' p cfg deb machine qarch missing dir installed
	KVER=${KVER:-$(uname -r)}
	k=$KVER
	machine=$(uname -m)
	case $machine in
	x86_64) deb=amd64 qarch=x86 ;;
	aarch64) deb=arm64 qarch=arm ;;
	*) kd_die "host lane: this machine is $machine; the VM boots x86_64 and arm64 kernels only" ;;
	esac
	# Everything make run and make test need, at once: one install command.
	need_pkgs "qemu-system-$qarch" busybox-static cpio make rsync xz-utils zstd lz4 binutils \
		kmod libc6-dev python3 librsvg2-bin

	# Raspberry Pi OS's kernels (12+: +rpt-rpi-*, 11: -v8+) are built for
	# the board, booted by its firmware with its device tree.
	case $k in
	*+rpt-rpi-* | *-v7+ | *-v7l+ | *-v8+ | *-v8-16k+)
		host_refuse "kernel $k is Raspberry Pi OS's: built for the Pi's board, its firmware and device tree, not for QEMU's virt machine.  On the Pi itself: make && sudo insmod kmem_demo.ko" ;;
	esac
	while read -r p; do
		[ -e "$p" ] && img=$p && break
	done < <(host_image_paths "$k")
	if [ -z "$img" ]; then
		case $k in
		*[Mm]icrosoft*)
			host_refuse "kernel $k is WSL2's: Microsoft's kernel lives in Windows, not in this Linux file system, so there is no image of it to boot" ;;
		esac
		if [ ! -d "/lib/modules/$k" ]; then
			installed=$(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | paste -sd ' ') || true
			kd_die "host lane: kernel $k is not installed here (no /lib/modules/$k).
    Installed: ${installed:-none}; pick one with KVER=..."
		fi
		kd_die "host lane: no image of kernel $k where distributions put it:
    $(host_image_paths "$k" | paste -sd ' ')"
	fi

	cfg=/lib/modules/$k/build/.config
	if [ ! -r "$cfg" ]; then
		kd_die "host lane: the headers of kernel $k are not installed (no /lib/modules/$k/build/.config).
    Install them: $(kd_install_cmd "$(host_headers_pkg "$k")")"
	fi
	case $(grep -xE 'CONFIG_(X86_64|ARM64)=y' "$cfg") in
	CONFIG_X86_64=y) p=amd64 ;;
	CONFIG_ARM64=y) p=arm64 ;;
	*) host_refuse "kernel $k is neither x86_64 nor arm64 (its .config: $cfg)" ;;
	esac
	[ "$p" = "$deb" ] || host_refuse "kernel $k is $p, this machine $deb: the host lane builds with this machine's own compiler"
	# What the VM needs built in: its console, an initramfs in gzip,
	# devtmpfs (vm/guest/init).
	if [ "$deb" = amd64 ]; then
		missing=$(host_config_missing "$cfg" SERIAL_8250_CONSOLE BLK_DEV_INITRD RD_GZIP DEVTMPFS)
	else
		missing=$(host_config_missing "$cfg" SERIAL_AMBA_PL011_CONSOLE BLK_DEV_INITRD RD_GZIP DEVTMPFS)
	fi
	[ -z "$missing" ] || host_refuse "kernel $k cannot boot in QEMU's $([ "$deb" = amd64 ] && echo q35 || echo virt) machine: it lacks, built in, ${missing% }"

	dir=$KD_CACHE/lanes/host/$k
	LANE_DEB_ARCH=$deb
	LANE_KDIR=/lib/modules/$k/build
	LANE_MODDIR=/lib/modules/$k
	LANE_KERNEL=$(host_read_image "$img" "$dir")
	if [ "$deb" = amd64 ]; then
		LANE_KERNEL=$(kd_x86_vmlinux "$LANE_KERNEL")
	fi
	host_compiler "$cfg"
	# The guest's userland: this machine's static busybox.
	LANE_BUSYBOX=$(command -v busybox) || kd_die "host lane: no busybox here"
	if readelf -l "$LANE_BUSYBOX" 2>/dev/null | grep 'program interpreter' >/dev/null; then
		kd_die "host lane: $LANE_BUSYBOX is linked dynamically, and the guest has no C library.
    Install the static one: $(kd_install_cmd "$(kd_pkg_name busybox-static)")"
	fi
	command -v sparse >/dev/null || LANE_SPARSE="sparse is not installed here ($(kd_install_cmd sparse)); the Debian lanes run it"
	LANE_INFO="$k $deb $(kd_page_size "$cfg")"
	kd_log "host lane: kernel $k from $img, headers $LANE_KDIR, compiler $LANE_CC"
}
