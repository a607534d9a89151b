# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The Debian lanes: the rows of vm/lanes.tsv that name this file (distro,
# arm64, sid, ...).  Debian's own kernel image and headers of the row's
# suite, fetched through the private apt configuration (kd_apt, vm/lib.sh)
# and unpacked with dpkg-deb -x, never installed.  The module is built
# with the compiler and linux-kbuild of the kernel's own release: on the
# host for the host's release and its backports, otherwise inside a cached
# mmdebstrap root of that release.  Sourced by kd_lane, never executed.

# lane_deps SUITE PKG -- the packages PKG's candidate depends on: the first
# of each set of alternatives, without version or architecture.
lane_deps() {
	kd_apt "$1" apt-cache show --no-all-versions "$2" 2>/dev/null |
		sed -n 's/^Depends: //p' | head -n1 | tr ',' '\n' |
		sed 's/|.*//; s/(.*//; s/:any//; s/[[:space:]]//g' | grep . || true
}

# lane_version SUITE PKG -- the candidate version of PKG.
lane_version() {
	kd_apt "$1" apt-cache show --no-all-versions "$2" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n1
}

# lane_resolve NAME ARCH SUITE FLAVOUR STAMP -- find the suite's newest
# kernel of FLAVOUR through the meta packages and write what the lane needs
# to STAMP as shell assignments (read back on every later run, so a warm
# run asks apt nothing).
lane_resolve() {
	local name=$1 arch=$2 suite=$3 flavour=$4 stamp=$5 hdr kver ver img common kbuild gcc deps
	hdr=$(lane_deps "$suite" "linux-headers-$flavour:$arch" | grep -E "^linux-headers-.*-$flavour\$" | head -n1)
	[ -n "$hdr" ] || kd_die "$name: $suite has no linux-headers-$flavour for $arch"
	kver=${hdr#linux-headers-}
	ver=$(lane_version "$suite" "$hdr:$arch")
	deps=$(lane_deps "$suite" "$hdr:$arch")
	common=$(grep -E '^linux-headers-.*-common$' <<<"$deps" | head -n1)
	kbuild=$(grep -E '^linux-kbuild-' <<<"$deps" | head -n1)
	# The compiler: gcc-16-for-host (7.x), gcc-14, linux-compiler-gcc-10-x86.
	gcc=$(grep -oE '(^|-)gcc-[0-9]+' <<<"$deps" | head -n1 | tr -dc 0-9)
	if [ -z "$common" ] || [ -z "$kbuild" ] || [ -z "$gcc" ]; then
		kd_die "$name: unexpected dependencies of $hdr: $(echo "$deps" | tr '\n' ' ')"
	fi
	# 7.x splits the image: the kernel itself is in linux-binary-<kver>.
	img=linux-image-$kver
	if lane_deps "$suite" "$img:$arch" | grep -qx "linux-binary-$kver"; then
		img=linux-binary-$kver
	fi
	mkdir -p "${stamp%/*}"
	{
		printf 'D_KVER=%s\nD_VER=%s\nD_GCC=%s\n' "$kver" "$ver" "$gcc"
		printf 'D_PKGS=(%s %s %s)\n' "$(kd_shq "$hdr:$arch=$ver")" \
			"$(kd_shq "$common=$ver")" "$(kd_shq "$kbuild")"
		printf 'D_IMAGE=%s\n' "$(kd_shq "$img:$arch=$ver")"
		# linux-kbuild's own dependencies (libelf, pahole for BTF) go
		# wherever the build runs.
		printf 'D_TOOLS=(%s)\n' "$(lane_deps "$suite" "$kbuild" | tr '\n' ' ')"
	} >"$stamp.tmp"
	mv "$stamp.tmp" "$stamp"
}

# lane_fix_headers DIR KVER -- make headers unpacked into DIR (not /) work
# in place: the flavour Makefile includes /usr/src/linux-headers-*-common
# by absolute path, so aim it at the unpacked copy (any earlier path, so a
# moved cache heals too); its scripts are relative links into
# DIR/usr/lib/linux-kbuild-*, unpacked alongside.
lane_fix_headers() {
	local hdr=$1/usr/src/linux-headers-$2 common mk
	common=$(sed -n 's|^include .*/\(linux-headers-[^/]*-common\)/Makefile$|\1|p' "$hdr/Makefile")
	[ -n "$common" ] || kd_die "unexpected $hdr/Makefile: $(cat "$hdr/Makefile")"
	mk="include $1/usr/src/$common/Makefile"
	grep -qxF "$mk" "$hdr/Makefile" ||
		sed -i "s|^include .*/$common/Makefile\$|$mk|" "$hdr/Makefile"
}

# lane_root NAME SUITE ARCH GCC -- print the path of the lane's build root
# (kd_debian_root): the release's compiler (a cross compiler for arm64),
# make, libc (static, for the guest helpers), sparse and linux-kbuild's
# dependencies.
lane_root() {
	local name=$1 suite=$2 arch=$3 gcc=$4 inc
	inc=(make libc6-dev sparse "${D_TOOLS[@]}")
	if [ "$arch" = amd64 ]; then
		inc+=("gcc-$gcc")
	else
		inc+=("gcc-$gcc-aarch64-linux-gnu" libc6-dev-arm64-cross)
	fi
	kd_apt "$suite" true
	kd_debian_root "$name" "$suite" "$KD_CACHE/apt/$suite/sources.list" "${inc[@]}"
}

# lane_first NAME -- the first lane of the registry that boots the same
# kernel as lane NAME (same lane file, arch, suite and flavour): lanes that
# differ only in the machine (the numa lane) share its preparation.  awk
# reads every row: quitting early would end the pipe while kd_lane_rows
# may still write, and pipefail would take the SIGPIPE for a failure.
lane_first() {
	local runs arch suite flavour
	read -r _ runs arch suite flavour _ <<<"$(kd_lane_row "$1")"
	kd_lane_rows | awk -v r="$runs" -v a="$arch" -v s="$suite" -v f="$flavour" \
		'$2 == r && $3 == a && $4 == s && $5 == f && !n++ { print $1 }'
}

# The LANE_* variables are read by the harness after kd_lane returns.
# shellcheck disable=SC2034
lane_prepare() {
	local name arch suite flavour stamp dir tree cross='' host build=root
	read -r _ _ arch suite flavour _ <<<"$(kd_lane_row "$1")"
	name=$(lane_first "$1")
	kd_debian_archive
	# A Debian host builds its own release's kernels and its backports',
	# which are built with the release's compiler; any other host builds
	# every Debian kernel in a root of its release.
	host=$(kd_host_release)
	if [ "$suite" = host ] && ! kd_debian_host; then
		kd_die "lane $1 is this Debian host's own release, and this host is $(kd_os PRETTY_NAME).
    The kernel installed here: make run KERNEL=host
    One of Debian's, by its lane: make run KERNEL=trixie (or bullseye, sid, arm64, ...: make help), with KD_DEBIAN_MIRROR=URI"
	fi
	[ "$suite" = host ] && suite=$host
	if kd_debian_host; then
		case $suite in "$host" | "$host-backports") build=host ;; esac
	fi
	local D_KVER D_VER D_GCC D_IMAGE D_PKGS D_TOOLS
	# One preparation at a time per lane (the static checks use distro's
	# headers while the distro lane may be preparing too) and for the
	# arm64 busybox that lanes share.
	kd_lock "lane-$name"
	stamp=$KD_CACHE/lanes/$name.env
	# Resolved once; again when the suite's lists were updated since.
	if [ ! -f "$stamp" ] || [ "$KD_CACHE/apt/$suite/.updated" -nt "$stamp" ]; then
		lane_resolve "$name" "$arch" "$suite" "$flavour" "$stamp"
	fi
	# shellcheck source=/dev/null
	. "$stamp"
	[ "$arch" = amd64 ] || cross=aarch64-linux-gnu-

	# The kernel image (and, for host builds, the headers) in the lane dir.
	dir=$KD_CACHE/lanes/$name/$D_KVER
	if [ ! -f "$dir/.complete" ]; then
		mkdir -p "${dir%/*}"
		find "${dir%/*}" -mindepth 1 -maxdepth 1 ! -path "$dir" -exec rm -rf {} +
		kd_fetch_debs "$suite" "$dir" "$D_IMAGE"
		touch "$dir/.complete"
	fi
	if [ "$build" = host ]; then
		tree=$dir
		LANE_ROOT=
		LANE_KDIR=$dir/usr/src/linux-headers-$D_KVER
		# bookworm's pahole is in "dwarves" (backports' kbuild asks for
		# "pahole", the package's newer name).
		need_pkgs make libc6-dev sparse "${D_TOOLS[@]/#pahole/dwarves}"
		if [ -n "$cross" ]; then
			need_pkgs "gcc-$D_GCC-aarch64-linux-gnu" libc6-dev-arm64-cross
		else
			need_pkgs "gcc-$D_GCC"
		fi
	else
		LANE_ROOT=$(lane_root "$name" "$suite" "$arch" "$D_GCC")
		tree=$LANE_ROOT
		LANE_KDIR=/usr/src/linux-headers-$D_KVER
	fi
	if [ ! -f "$tree/.headers-$D_KVER" ]; then
		kd_fetch_debs "$suite" "$tree" "${D_PKGS[@]}"
		touch "$tree/.headers-$D_KVER"
	fi
	[ "$build" = host ] && lane_fix_headers "$dir" "$D_KVER"

	# The guest's userland is the host release's busybox on every lane, so
	# only the kernel differs between lanes of an architecture.
	need_pkgs cpio
	if [ "$arch" = amd64 ]; then
		need_pkgs busybox-static
		LANE_BUSYBOX=/bin/busybox
	else
		# Debian's arm64 busybox: the host release's, or on a host that
		# is not Debian the lane's own suite's.
		kd_debian_host || host=$suite
		LANE_BUSYBOX=$KD_CACHE/lanes/busybox-$host-arm64/bin/busybox
		kd_lock busybox-arm64
		[ -x "$LANE_BUSYBOX" ] ||
			kd_fetch_debs "$host" "${LANE_BUSYBOX%/bin/busybox}" busybox-static:arm64
		kd_unlock busybox-arm64
	fi

	# 7.x moved the image from /boot into the modules directory.
	LANE_KERNEL=$dir/boot/vmlinuz-$D_KVER
	[ -r "$LANE_KERNEL" ] || LANE_KERNEL=$dir/usr/lib/modules/$D_KVER/vmlinuz
	[ -r "$LANE_KERNEL" ] || kd_die "$name: no vmlinuz in $dir (remove it and retry)"
	# Debian's .kernelvariables picks $(CROSS_COMPILE)gcc-N itself.
	LANE_CC=${cross}gcc-$D_GCC
	if [ "$arch" = amd64 ]; then
		LANE_KERNEL=$(kd_x86_vmlinux "$LANE_KERNEL")
	else
		LANE_MAKE_ARGS=(ARCH=arm64 CROSS_COMPILE="$cross")
	fi
	LANE_INFO="$D_KVER $arch $(kd_page_size "$LANE_ROOT$LANE_KDIR/.config")"
	kd_unlock "lane-$name"
}
