# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the host-side harness.  Sourced, never executed.
#
# Everything the harness builds or downloads lives in a cache outside the
# clone, so a second run on the same machine is fast and "git clean" never
# throws away a kernel build.

KD_ROOT=${KD_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KD_CACHE=${KMEM_DEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmem_demo}
mkdir -p "$KD_CACHE"

kd_log() { printf '[kmem_demo] %s\n' "$*" >&2; }
kd_die() { printf '[kmem_demo] error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, through sudo otherwise.
kd_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ---------------------------------------------------------------------------
# The host: its distribution (/etc/os-release) and its package manager.
# ---------------------------------------------------------------------------

# kd_os FIELD -- FIELD of /etc/os-release (ID, ID_LIKE, PRETTY_NAME,
# VERSION_CODENAME); empty when it has none.
kd_os() {
	# shellcheck disable=SC1091
	(. /etc/os-release 2>/dev/null && eval "printf '%s\\n' \"\${$1:-}\"")
}

# kd_debian_host -- succeed on Debian itself (ID=debian, Raspberry Pi OS
# too): its apt sources are Debian's archive, its codename a Debian suite.
# Ubuntu, Mint and the other derivatives have an archive of their own.
kd_debian_host() {
	[ "$(kd_os ID)" = debian ]
}

# kd_host_release -- the host's codename (bookworm, trixie, noble, ...).
kd_host_release() {
	kd_os VERSION_CODENAME
}

# kd_pkg_manager -- apt where apt-get and dpkg are there (Debian, Ubuntu,
# Mint, Pop!_OS, Raspberry Pi OS); else dnf, pacman or zypper, from the
# distribution's ID and ID_LIKE; else "none".
kd_pkg_manager() {
	if command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; then
		echo apt
		return
	fi
	local w
	for w in $(kd_os ID) $(kd_os ID_LIKE); do
		case $w in
		fedora | rhel | centos | rocky | almalinux) echo dnf && return ;;
		arch | archlinux | manjaro | endeavouros) echo pacman && return ;;
		opensuse* | suse | sles) echo zypper && return ;;
		esac
	done
	echo none
}

# kd_have PROOF -- succeed when PROOF (a column of vm/host-tools.tsv) is
# here: a command on PATH, or "libc.a", the static C library where glibc
# puts it (/usr/lib, /usr/lib64, Debian's /usr/lib/<triplet>).
kd_have() {
	if [ "$1" = libc.a ]; then
		compgen -G '/usr/lib/libc.a' >/dev/null || compgen -G '/usr/lib64/libc.a' >/dev/null ||
			compgen -G '/usr/lib/*-linux-gnu/libc.a' >/dev/null
	else
		command -v "$1" >/dev/null
	fi
}

# need_pkgs PKG... -- make sure the Debian packages PKG... are here.
# Where apt is the package manager, install those that are missing: quiet
# and quick when everything is present; "apt-get update" runs at most once
# per harness invocation (kd_apt_update; clear KD_APT_UPDATED after
# changing apt's sources or architectures to force another).  Works for
# foreign-arch names too (pkg:arm64).  Anywhere else install nothing: look
# for each package's proof (vm/host-tools.tsv) and, when any is missing,
# stop with one install command for this distribution.
KD_APT_UPDATED=${KD_APT_UPDATED:-}
kd_apt_update() {
	[ -n "$KD_APT_UPDATED" ] && return 0
	kd_root apt-get update -q -o DPkg::Lock::Timeout=600 >&2 || kd_die "apt-get update failed"
	KD_APT_UPDATED=1
}
need_pkgs() {
	local pm
	pm=$(kd_pkg_manager)
	if [ "$pm" != apt ]; then
		need_tools "$@"
		return
	fi
	kd_pkgs_missing "$@" || return 0
	# Parallel lanes may install at the same time, and apt-get update does
	# not wait for another's lock on the package lists: one at a time,
	# then look again, as the other may have installed ours.
	kd_lock apt
	if kd_pkgs_missing "$@"; then
		kd_log "installing: ${KD_MISSING[*]}"
		kd_apt_update
		kd_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 --no-install-recommends "${KD_MISSING[@]}" >&2 ||
			kd_die "apt-get install ${KD_MISSING[*]} failed"
	fi
	kd_unlock apt
}

# kd_pkgs_missing PKG... -- true when some PKG is not installed; they are
# then in KD_MISSING.
kd_pkgs_missing() {
	local p
	KD_MISSING=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || KD_MISSING+=("$p")
	done
	[ ${#KD_MISSING[@]} -gt 0 ]
}

# kd_pkg_name PKG -- the Debian package PKG as this host's package manager
# names it (vm/host-tools.tsv); PKG itself where apt is, or it has no row.
kd_pkg_name() {
	local col
	case $(kd_pkg_manager) in
	dnf) col=3 ;; pacman) col=4 ;; zypper) col=5 ;; *) col=1 ;;
	esac
	awk -v p="${1%%:*}" -v c="$col" '!/^#/ && $1 == p { print $c; f = 1 } END { if (!f) print p }' \
		"$KD_ROOT/vm/host-tools.tsv"
}

# kd_install_cmd PKG... -- the command that installs PKG... (this host's
# names) here.
kd_install_cmd() {
	case $(kd_pkg_manager) in
	apt) echo "sudo apt install $*" ;;
	dnf) echo "sudo dnf install $*" ;;
	pacman) echo "sudo pacman -S --needed $*" ;;
	zypper) echo "sudo zypper install $*" ;;
	*) echo "install $* (the package manager of $(kd_os PRETTY_NAME) is not one this knows; these are Debian's names)" ;;
	esac
}

# need_tools PKG... -- need_pkgs where the package manager is not apt.
need_tools() {
	local p row proof missing=() names=()
	for p in "$@"; do
		row=$(awk -v p="${p%%:*}" '!/^#/ && $1 == p' "$KD_ROOT/vm/host-tools.tsv")
		[ -n "$row" ] || kd_die "this needs Debian's package $p, and this host ($(kd_os PRETTY_NAME)) has no apt: it runs on Debian and its derivatives only (here: make run, make test LANES=host; see docs/own-machine.md)"
		read -r _ proof _ <<<"$row"
		kd_have "$proof" && continue
		missing+=("$proof")
		names+=("$(kd_pkg_name "$p")")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	kd_die "missing here: ${missing[*]}.  On $(kd_os PRETTY_NAME), install them with:
    $(kd_install_cmd "${names[@]}")
and run this again (nothing was changed)."
}

# kd_linux_source_pkg -- the host release's kernel source package: what its
# "linux-source" meta package depends on (linux-source-6.1 on Debian 12,
# linux-source-6.12 on Debian 13).  The candidate, so backports don't count.
kd_linux_source_pkg() {
	local p try
	# A fresh machine may have no apt lists yet: update once and ask again.
	for try in 1 2; do
		p=$(apt-cache show --no-all-versions linux-source 2>/dev/null |
			sed -n 's/^Depends: //p' | grep -oE 'linux-source-[0-9.]+' | head -n1)
		[ -z "$p" ] || break
		[ "$try" = 2 ] || kd_apt_update
	done
	[ -n "$p" ] || kd_die "the host's apt has no linux-source package"
	printf '%s\n' "$p"
}

# kd_linux_source -- print the path of the host release's Debian kernel
# source tree (kd_linux_source_pkg), unpacked once into the cache as
# linux-source-<package version> (checkpatch.pl and the debug kernel use it).
kd_linux_source() {
	local pkg tarball ver dir
	pkg=$(kd_linux_source_pkg)
	need_pkgs "$pkg" xz-utils
	ver=$(dpkg-query -W -f='${Version}' "$pkg")
	tarball=$(dpkg-query -L "$pkg" | grep -E "^/usr/src/$pkg\.tar\.[a-z]+\$" | head -n1)
	[ -n "$tarball" ] || kd_die "$pkg has no /usr/src/$pkg.tar.*"
	dir=$KD_CACHE/linux-source-$ver
	if [ ! -f "$dir/.unpacked" ]; then
		kd_log "unpacking $tarball (once)"
		rm -rf "$dir" && mkdir -p "$dir"
		tar -xf "$tarball" -C "$dir" --strip-components=1
		touch "$dir/.unpacked"
	fi
	printf '%s\n' "$dir"
}

# ---------------------------------------------------------------------------
# Debian's archive through a private apt configuration.  Other releases'
# kernels come from the mirror the host's apt already uses, but with their
# own sources list, lists, package cache and (empty) dpkg status under
# $KD_CACHE/apt/<suite>: the host's apt sources are never changed and no
# foreign architecture is added to the host's dpkg.
# ---------------------------------------------------------------------------

# kd_host_sources -- "URI SUITE" for every deb source of the host's apt, from
# deb822 files (*.sources) and one-line files (sources.list, *.list).
kd_host_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = "" }
			{ t = u = s = ""; en = 1; n = split($0, l, "\n")
			  for (i = 1; i <= n; i++) {
				if (l[i] ~ /^Types:/) t = l[i]
				else if (l[i] ~ /^URIs:/) u = l[i]
				else if (l[i] ~ /^Suites:/) s = l[i]
				else if (l[i] ~ /^Enabled: *no/) en = 0 }
			  if (!en || t !~ /[ \t]deb([ \t]|$)/) next
			  split(u, U, /[ \t]+/); m = split(s, S, /[ \t]+/)
			  for (j = 2; j <= m; j++) print U[2], S[j] }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '$1 == "deb" { i = 2
			if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
			print $i, $(i + 1) }' "$f"
	done
}

# kd_debian_archive -- make sure Debian's archive can be reached, or stop
# at once saying how: KD_DEBIAN_MIRROR=URI names a Debian mirror; without
# it the host's own apt sources serve, which only Debian's do.  The archive
# is checked with debian-archive-keyring's keys (Ubuntu ships the package).
# Call it in the harness's own shell, before the first kd_apt.
KD_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
kd_debian_archive() {
	if [ -z "${KD_DEBIAN_MIRROR:-}" ] && ! kd_debian_host; then
		kd_die "Debian's kernels come from Debian's archive, and this host ($(kd_os PRETTY_NAME)) is not Debian: its apt sources have none.
    Name a Debian mirror: KD_DEBIAN_MIRROR=URI make ...  (the list of mirrors: docs/own-machine.md)
    or boot the kernel installed here: make run KERNEL=host"
	fi
	[ -r "$KD_KEYRING" ] || need_pkgs debian-archive-keyring
	[ -r "$KD_KEYRING" ] || kd_die "no Debian archive keyring at $KD_KEYRING"
}

# kd_apt_sources SUITE -- the private sources.list for SUITE.  With
# KD_DEBIAN_MIRROR, SUITE from that mirror.  Otherwise the host's own
# release keeps the host's entries (with its -updates and -security, so the
# same kernel the host would install); any other suite is read from the
# host's main archive URI.  No mirror name is ever written into the repo.
kd_apt_sources() {
	local suite=$1 pairs lines uri
	if [ -n "${KD_DEBIAN_MIRROR:-}" ]; then
		lines="$KD_DEBIAN_MIRROR $suite"
	else
		pairs=$(kd_host_sources)
		lines=$(awk -v s="$suite" '$2 == s || (index($2, s "-") == 1 && $2 !~ /-backports$/)' <<<"$pairs")
	fi
	if [ -z "$lines" ]; then
		# The main archive: the entry for a plain codename (no -security).
		uri=$(awk '$2 !~ /-/ { print $1; exit }' <<<"$pairs")
		[ -n "$uri" ] || kd_die "no Debian archive in the host's apt sources (set KD_DEBIAN_MIRROR=URI)"
		lines="$uri $suite"
	fi
	awk -v k="$KD_KEYRING" '{ printf "deb [arch=amd64,arm64 signed-by=%s] %s %s main\n", k, $1, $2 }' <<<"$lines"
}

# kd_apt SUITE apt-get|apt-cache ARG... -- run apt with the private
# configuration of SUITE, updating its lists first when they are missing or
# the sources changed.  The mirror is a snapshot whose Release files may be
# past their Valid-Until, hence Check-Valid-Until=false.  Lanes running in
# parallel share a suite's lists: the update holds a lock.
kd_apt() {
	local suite=$1 tool=$2 d=$KD_CACHE/apt/$1
	shift 2
	# shellcheck disable=SC2054 # APT::Architectures takes a comma list
	local opts=(-o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache"
		-o Dir::State::status="$d/status" -o APT::Architectures=amd64,arm64
		-o Acquire::Check-Valid-Until=false -o Acquire::Languages=none
		-o APT::Sandbox::User=root)
	if [ ! -f "$d/.updated" ] || [ "$(kd_apt_sources "$suite")" != "$(cat "$d/sources.list" 2>/dev/null)" ]; then
		mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
		kd_lock "apt-$suite"
		if [ ! -f "$d/.updated" ] || [ "$(kd_apt_sources "$suite")" != "$(cat "$d/sources.list")" ]; then
			kd_log "apt-get update for $suite (private configuration in $d)"
			kd_apt_sources "$suite" >"$d/sources.list"
			: >"$d/status"
			rm -f "$d/.updated"
			apt-get -q "${opts[@]}" update >&2 || kd_die "apt-get update ($suite) failed"
			touch "$d/.updated"
		fi
		kd_unlock "apt-$suite"
	fi
	"$tool" "${opts[@]}" "$@"
}

# kd_fetch_debs SUITE DESTDIR PKG[:ARCH][=VERSION]... -- unpack Debian
# packages of SUITE (host: the host's own apt) into DESTDIR with dpkg-deb
# -x, never installing them (other releases' and architectures' kernels,
# headers, busybox).  The .debs stay in $KD_CACHE/debs and one stamp per .deb
# in DESTDIR/.debs makes a repeated call cost only apt's local lookups.
kd_fetch_debs() {
	local suite=$1 dest=$2 debs=$KD_CACHE/debs p deb
	shift 2
	local apt=(kd_apt "$suite" apt-get)
	[ "$suite" = host ] && apt=(apt-get -o APT::Sandbox::User=root)
	mkdir -p "$dest/.debs" "$debs/.empty"
	for p in "$@"; do
		# --print-uris names the exact file (version, arch) without fetching;
		# in an empty dir, as it omits files already in the current one.
		deb=$(cd "$debs/.empty" && "${apt[@]}" download --print-uris "$p" | awk '{ print $2 }')
		[ -n "$deb" ] || kd_die "apt ($suite) knows no package $p"
		[ -f "$dest/.debs/$deb" ] && continue
		# Parallel lanes may want the same .deb.
		kd_lock debs
		if [ ! -f "$debs/$deb" ]; then
			kd_log "downloading $p ($suite)"
			(cd "$debs" && "${apt[@]}" download -q "$p" >&2) ||
				kd_die "apt-get download $p failed"
		fi
		kd_unlock debs
		dpkg-deb -x "$debs/$deb" "$dest" || kd_die "dpkg-deb -x $deb failed"
		touch "$dest/.debs/$deb"
	done
}

# kd_debian_root NAME SUITE SOURCES PKG... -- print the path of a Debian root
# of SUITE holding PKG..., made once with mmdebstrap from the sources.list
# file SOURCES (kd_apt_sources lines) and kept in the cache: lanes build in
# theirs, the install tests start from theirs.  Keyed by what it holds;
# older roots of NAME are removed.  Lanes running in parallel, and other
# harness runs sharing the cache, may want the same root: it is made under
# a lock, and looked for again once the lock is held.
kd_debian_root() {
	local name=$1 suite=$2 sources=$3 inc key root
	shift 3
	inc=$(printf '%s\n' "$@" | sort -u | tr '\n' ',')
	inc=${inc%,}
	key=$(printf '%s %s' "$suite" "$inc" | sha256sum | cut -c1-12)
	root=$KD_CACHE/roots/$name/$key
	if [ ! -f "$root/.complete" ]; then
		kd_lock "root-$name"
		if [ ! -f "$root/.complete" ]; then
			need_pkgs mmdebstrap
			kd_log "$name: making a $suite root with $inc (once)"
			kd_root rm -rf "$root"
			mkdir -p "${root%/*}"
			kd_root mmdebstrap --variant=apt --mode=root --quiet \
				--aptopt='Acquire::Check-Valid-Until "false"' \
				--include="$inc" "$suite" "$root" "$sources" >&2 ||
				kd_die "$name: mmdebstrap $suite failed"
			# Lanes build there as the calling user (kd_lane_exec).
			kd_root install -d -o "$(id -u)" -g "$(id -g)" "$root/build"
			kd_root touch "$root/.complete"
			find "${root%/*}" -mindepth 1 -maxdepth 1 ! -path "$root" -exec rm -rf {} +
		fi
		kd_unlock "root-$name"
	fi
	printf '%s\n' "$root"
}

# kd_jobs N -- for N lanes about to run side by side: KD_JOBS_N, how many
# run at once (KD_JOBS, default 2), and KD_SHARE, how many lanes share the
# CPUs, which stretches the guests' timeouts.  KD_SHARE is exported, so that
# a harness run inside a script lane (the machines and compare lanes') knows
# it shares them too; one set by the caller stays.
kd_jobs() {
	KD_JOBS_N=${KD_JOBS:-2}
	[ "$KD_JOBS_N" -ge 1 ] || KD_JOBS_N=1
	if [ -z "${KD_SHARE:-}" ]; then
		KD_SHARE=$KD_JOBS_N
		[ "$1" -gt 1 ] || KD_SHARE=1
	fi
	export KD_SHARE
}

# KTAP for the lanes that are scripts of their own (install, debian13):
# set KD_TAP_LANE, then kd_ok NAME / kd_not_ok NAME EXPECTED SEEN / kd_check NAME
# EXPECTED SEEN (ok when SEEN is EXPECTED) number the results in order.
KD_TAP_N=0
kd_ok() {
	KD_TAP_N=$((KD_TAP_N + 1))
	printf 'ok %d %s/%s\n' "$KD_TAP_N" "$KD_TAP_LANE" "$1"
}
kd_not_ok() {
	KD_TAP_N=$((KD_TAP_N + 1))
	printf '# expected: %s\n' "$2"
	printf '%s\n' "$3" | sed 's/^/# seen: /'
	printf 'not ok %d %s/%s\n' "$KD_TAP_N" "$KD_TAP_LANE" "$1"
}
kd_check() { if [ "$2" = "$3" ]; then kd_ok "$1"; else kd_not_ok "$@"; fi; }

# kd_overlay_exec BASE RUN [--bind SRC DEST]... CMD [ARG...] -- run CMD as
# root in a throwaway copy of the Debian root BASE (kd_debian_root): an
# overlay whose upper layer is RUN/upper (RUN/work and the mount point
# RUN/mnt beside it), with /proc, /sys and /dev, and SRC bound on DEST
# inside, all in a private mount namespace, so nothing stays mounted and
# BASE never changes.  The caller removes RUN.
kd_overlay_exec() {
	local base=$1 run=$2 binds=()
	shift 2
	while [ "${1:-}" = --bind ]; do
		binds+=("$2" "$3")
		shift 3
	done
	mkdir -p "$run/upper" "$run/work" "$run/mnt"
	# shellcheck disable=SC2016 # expanded by the inner shell
	kd_root unshare --mount --fork /bin/sh -ec '
		b=$1 r=$2 nb=$3
		shift 3
		mount -t overlay overlay -o "lowerdir=$b,upperdir=$r/upper,workdir=$r/work" "$r/mnt"
		mount -t proc proc "$r/mnt/proc"
		mount --rbind /sys "$r/mnt/sys"
		mount --rbind /dev "$r/mnt/dev"
		while [ "$nb" -gt 0 ]; do
			mkdir -p "$r/mnt$2"
			mount --bind "$1" "$r/mnt$2"
			shift 2
			nb=$((nb - 1))
		done
		exec chroot "$r/mnt" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' \
		sh "$base" "$run" $((${#binds[@]} / 2)) "${binds[@]}" "$@"
}

# ---------------------------------------------------------------------------
# Lanes.  Every lane is a row of the registry, vm/lanes.tsv, which says how
# it runs (its comment explains the columns).  A kernel lane is a kernel
# the guest tests run on: its row names the lane file that serves it
# (vm/lanes/debian.sh for Debian's kernels, vm/lanes/debug.sh for the
# kernel built here).  kd_lane sources that file, which must define
# lane_prepare NAME: it makes everything the lane needs present
# (installing, downloading or building into $KD_CACHE; idempotent and
# quick once cached) and then sets the LANE_* variables below.  kd_lane
# sets LANE_NAME and LANE_SLOW from the row first, and empty defaults for
# LANE_APPEND, LANE_MAKE_ARGS, LANE_ROOT, LANE_SPARSE, LANE_INFO,
# LANE_MODDIR and LANE_DEB_ARCH; after lane_prepare, LANE_ARCH, LANE_QEMU
# and LANE_CONSOLE from the row's arch (or LANE_DEB_ARCH) and cpu
# (kd_qemu), the same for every lane of an architecture.
#
#   LANE_NAME       the lane's name (distro, sid, arm64-16k, debug, ...)
#   LANE_DEB_ARCH   set by lane_prepare when the row's arch is "-": the
#                   Debian architecture of the kernel it found (the host
#                   lane's)
#   LANE_ARCH       kernel ARCH of the guest: x86 or arm64
#   LANE_KERNEL     bootable kernel image for qemu -kernel
#   LANE_KDIR       kernel build tree to build kmem_demo.ko against, as
#                   seen from LANE_ROOT
#   LANE_ROOT       build root (a Debian of the kernel's release) that
#                   builds run in, through chroot; empty: the host builds
#   LANE_MAKE_ARGS  array: extra make args for that tree
#                   (e.g. ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
#   LANE_CC         C compiler for static guest helper programs, the
#                   kernel's own compiler (gcc-16, aarch64-linux-gnu-gcc-12)
#   LANE_SPARSE     empty when sparse checks this lane, else why not
#   LANE_BUSYBOX    static busybox binary for the guest
#   LANE_QEMU       array: qemu binary and machine/cpu/accel arguments
#                   (the harness adds -m, -kernel, -initrd, -append, console)
#   LANE_CONSOLE    guest console device (ttyS0, ttyAMA0)
#   LANE_APPEND     extra kernel command line for every boot of this lane
#   LANE_SLOW       integer multiplier for guest timeouts (1 = stock TCG),
#                   the row's "slow"
#   LANE_INFO       one line for the support table: "kernel arch page-size"
#   LANE_MODDIR     the kernel's modules directory (lib/modules/KVER), where
#                   the modules kmem_demo's modules depend on come from
#                   (kd_module_deps); empty: the lane has none to give
# ---------------------------------------------------------------------------

KD_LANES=$KD_ROOT/vm/lanes.tsv

# kd_lane_rows -- the registry's rows, without its comment lines.
kd_lane_rows() {
	[ -r "$KD_LANES" ] || kd_die "no lane registry $KD_LANES"
	awk '!/^#/ && NF' "$KD_LANES"
}

# kd_lane_row NAME -- the registry's row of lane NAME; nothing when none.
kd_lane_row() {
	kd_lane_rows | awk -v n="$1" '$1 == n'
}

# kd_lanes [KIND] -- every lane's name, in the registry's order; with KIND
# (checks, script, kernel) only the lanes whose "runs" column is KIND:FILE,
# with "test" only those "make test" runs by default (column "all": yes).
kd_lanes() {
	kd_lane_rows | awk -v k="${1:-}" 'k == "" || (k == "test" && $9 == "yes") ||
		index($2, k ":") == 1 { print $1 }'
}

# kd_default_lane -- the lane of "make run" and "make bench" without
# KERNEL=: on Debian the distro lane, its release's own kernel; on any
# other host the host lane, the kernel installed here.  Says which and why
# on stderr.
kd_default_lane() {
	if kd_debian_host; then
		kd_log "KERNEL=distro: this host is $(kd_os PRETTY_NAME), and distro is its release's own kernel (KERNEL=host: the kernel installed here)"
		echo distro
	else
		kd_log "KERNEL=host: this host is $(kd_os PRETTY_NAME), not Debian: the kernel installed here, ${KVER:-$(uname -r)} (Debian's kernels: KERNEL=<lane>, see make help, with KD_DEBIAN_MIRROR)"
		echo host
	fi
}

# kd_page_size CONFIG -- the page size of the kernel whose .config is CONFIG.
kd_page_size() {
	local k
	k=$(sed -n 's/^CONFIG_ARM64_\([0-9]*\)K_PAGES=y$/\1/p' "$1")
	echo "${k:-4}KiB"
}

# kd_lane NAME -- prepare the kernel lane NAME: source the lane file its
# row names and run its lane_prepare, which sets the LANE_* variables,
# then set up qemu for the row's arch and cpu (kd_qemu).
# Dies for an unknown lane and for one that boots no kernel (the static
# checks, a script lane).
kd_lane() {
	local runs arch cpu slow nodes f
	read -r _ runs arch _ _ cpu slow nodes _ <<<"$(kd_lane_row "$1")"
	case $runs in
	kernel:*) f=$KD_ROOT/${runs#kernel:} ;;
	'') kd_die "unknown lane '$1' (have: $(kd_lanes kernel | paste -sd ' '))" ;;
	*) kd_die "lane '$1' boots no kernel (vm/lanes.tsv: it runs ${runs#*:}); pick a kernel lane: $(kd_lanes kernel | paste -sd ' ')" ;;
	esac
	[ -f "$f" ] || kd_die "lane $1: its lane file ${runs#kernel:} (vm/lanes.tsv) does not exist"
	[[ $slow =~ ^[1-9][0-9]*$ ]] || kd_die "lane $1: slow '$slow' in vm/lanes.tsv is not a whole number"
	[[ $nodes =~ ^[1-9][0-9]*$ ]] || kd_die "lane $1: nodes '$nodes' in vm/lanes.tsv is not a whole number"
	# shellcheck source=/dev/null
	. "$f"
	# shellcheck disable=SC2034 # read by the harness
	LANE_NAME=$1 LANE_SLOW=$slow LANE_APPEND='' LANE_MAKE_ARGS=() LANE_ROOT='' LANE_SPARSE=''
	# shellcheck disable=SC2034
	LANE_INFO='' LANE_MODDIR='' LANE_DEB_ARCH=''
	lane_prepare "$1"
	kd_qemu "${LANE_DEB_ARCH:-$arch}" "$cpu" "$LANE_KERNEL"
	kd_qemu_numa "$nodes"
}

# kd_lock NAME / kd_unlock NAME -- hold / release the lock NAME, shared by
# every harness process using this cache (lanes run in parallel).
declare -A KD_LOCKS=()
kd_lock() {
	local fd
	mkdir -p "$KD_CACHE/locks"
	exec {fd}>"$KD_CACHE/locks/$1"
	flock "$fd"
	KD_LOCKS[$1]=$fd
}
kd_unlock() {
	local fd=${KD_LOCKS[$1]:?kd_unlock $1: not locked}
	exec {fd}>&-
	unset "KD_LOCKS[$1]"
}

# kd_lane_exec CMD [ARG...] -- run CMD where the lane builds: on the host,
# or chrooted into LANE_ROOT with its own /proc (objtool reads
# /proc/self/limits) in a private mount namespace, which disappears with
# the command: nothing stays mounted, whatever happens to it.  The command
# runs as the calling user, who owns the build directory in the root.
kd_lane_exec() {
	if [ -z "$LANE_ROOT" ]; then
		"$@"
		return
	fi
	kd_root unshare --mount --fork --mount-proc="$LANE_ROOT/proc" \
		chroot --userspec="$(id -u):$(id -g)" "$LANE_ROOT" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp LC_ALL=C.UTF-8 "$@"
}

# ---------------------------------------------------------------------------
# Shared by the harness scripts (vm/run.sh, vm/test.sh) and the lanes.
# ---------------------------------------------------------------------------

# kd_elapsed T0 -- seconds since T0 (a saved $EPOCHREALTIME), one decimal.
kd_elapsed() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
}

# kd_shq STRING -- STRING single-quoted for a POSIX shell (the guest's ash
# has no $'...' quoting, so printf %q is not an option).
kd_shq() {
	local q="'\\''"
	printf "'%s'" "${1//\'/$q}"
}

# kd_kvm_ok KERNEL -- succeed when KVM really runs guests on this host.
# /dev/kvm can exist and still hang the guest (nested virtualisation without
# support), so boot KERNEL without an initrd and require its "no root fs"
# panic within a few seconds.  That cannot change while the host is up, so
# the verdict is cached per host boot (boot_id) and per qemu version.
# KD_ACCEL=kvm|tcg skips the probe.
kd_kvm_ok() {
	case ${KD_ACCEL:-} in kvm) return 0 ;; tcg) return 1 ;; esac
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local id f
	id=$(cat /proc/sys/kernel/random/boot_id)-$(qemu-system-x86_64 --version | head -n1 | tr -cd '0-9.')
	f=$KD_CACHE/kvm-verdict-$id
	if [ ! -f "$f" ]; then
		kd_log "probing KVM (once per host boot)"
		rm -f "$KD_CACHE"/kvm-verdict-*
		# A file, not a pipe: grep -q quitting early would SIGPIPE qemu.
		timeout 6 qemu-system-x86_64 -accel kvm -machine pc -cpu host -m 256M \
			-nodefaults -display none -monitor none -serial stdio -no-reboot \
			-kernel "$1" -append 'console=ttyS0 panic=-1' \
			</dev/null >"$f.log" 2>&1 || true
		if grep -a -q 'Kernel panic' "$f.log"; then echo yes; else echo no; fi >"$f"
		rm -f "$f.log"
	fi
	[ "$(cat "$f")" = yes ]
}

# kd_x86_vmlinux BZIMAGE -- print a kernel for qemu -kernel that boots fast
# under TCG: the ELF vmlinux inside an xz or zstd bzImage, cached.  qemu
# enters it through its PVH note, which skips the real-mode setup and,
# above all, the decompression, the slowest part of an emulated boot.
# Prints BZIMAGE itself when there is nothing usable to extract.
kd_x86_vmlinux() {
	local bz=$1 out off name
	# 7.x keeps the image as modules/<version>/vmlinuz: name it by version.
	name=$(basename "$bz")
	[ "$name" != vmlinuz ] || name=vmlinuz-$(basename "$(dirname "$bz")")
	out=$KD_CACHE/kernel/$name.vmlinux
	if [ ! -s "$out" ] || [ "$bz" -nt "$out" ]; then
		need_pkgs xz-utils zstd lz4 binutils
		mkdir -p "$KD_CACHE/kernel"
		rm -f "$out" "$out.tmp"
		# The payload is vmlinux plus relocations: the decompressor
		# reports the trailing bytes as an error, the ELF is complete by
		# then.  Each compression a distribution uses, by its magic: xz
		# (Debian up to 6.1), zstd (Debian's 6.12 and 7.x, Fedora, Arch),
		# lz4 (Ubuntu), gzip.
		local magic unpack
		while read -r magic unpack; do
			# shellcheck disable=SC2059 # the magic is a printf format
			off=$(LC_ALL=C grep -a -b -o -m1 "$(printf "$magic")" "$bz" | head -n1 | cut -d: -f1) || true
			[ -n "$off" ] || continue
			# shellcheck disable=SC2086 # a command and its arguments
			tail -c +"$((off + 1))" "$bz" | $unpack >"$out.tmp" 2>/dev/null || true
			# PVH entry point: Xen ELF note type 18 (PHYS32_ENTRY).
			if readelf -n "$out.tmp" 2>/dev/null | grep '(0x00000012)' >/dev/null; then
				mv "$out.tmp" "$out"
				break
			fi
		done <<-'EOF'
			\xfd7zXZ xz -dc --single-stream
			\x28\xb5\x2f\xfd zstd -dc
			\x02\x21\x4c\x18 lz4 -dc
			\x1f\x8b\x08 gzip -dc
		EOF
		rm -f "$out.tmp"
		if [ ! -s "$out" ]; then
			kd_log "no PVH vmlinux in $bz: booting it as is (slower)"
			printf '%s\n' "$bz"
			return 0
		fi
	fi
	printf '%s\n' "$out"
}

# kd_qemu ARCH CPU KERNEL -- set LANE_ARCH, LANE_CONSOLE and LANE_QEMU for a
# guest of the Debian architecture ARCH on qemu -cpu CPU (a kernel lane's
# row: arch, cpu) that boots KERNEL, and install that qemu.  -nodefaults
# drops the NIC and its option ROM; KD_SMP sets the CPUs (2).
#   amd64  q35 with qboot, the machine that boots quickest under TCG (qemu's
#          own BIOS where the host's qemu has no qboot.rom); KVM
#          with -cpu host when it really runs guests (kd_kvm_ok KERNEL),
#          else TCG.  KD_QEMU_MACHINE, KD_QEMU_CPU, KD_QEMU_BIOS override.
#   arm64  virt under TCG; KD_QEMU_CPU_ARM64 overrides CPU.  With 4 KiB
#          pages its RAM starts at 1 GiB and ZONE_DMA covers it up to 4
#          GiB, so with -m 512M all memory is DMA and DMA32 is empty.
# shellcheck disable=SC2034 # read by the harness
kd_qemu() {
	local arch=$1 cpu=$2 bios
	case $cpu in '' | -) kd_die "lane ${LANE_NAME:-?}: no qemu -cpu in its vm/lanes.tsv row" ;; esac
	case $arch in
	amd64)
		need_pkgs qemu-system-x86
		LANE_ARCH=x86 LANE_CONSOLE=ttyS0
		LANE_QEMU=(qemu-system-x86_64 -machine "${KD_QEMU_MACHINE:-q35}" -smp "${KD_SMP:-2}" -nodefaults)
		# qboot where this qemu has it (Debian's and Ubuntu's do), else
		# qemu's own SeaBIOS.
		bios=${KD_QEMU_BIOS-/usr/share/qemu/qboot.rom}
		if [ -n "$bios" ] && { [ -n "${KD_QEMU_BIOS:-}" ] || [ -f "$bios" ]; }; then
			LANE_QEMU+=(-bios "$bios")
		fi
		if kd_kvm_ok "$3"; then
			LANE_QEMU+=(-accel kvm -cpu host)
		else
			LANE_QEMU+=(-accel tcg -cpu "${KD_QEMU_CPU:-$cpu}")
		fi
		;;
	arm64)
		need_pkgs qemu-system-arm
		LANE_ARCH=arm64 LANE_CONSOLE=ttyAMA0
		LANE_QEMU=(qemu-system-aarch64 -machine virt -cpu "${KD_QEMU_CPU_ARM64:-$cpu}"
			-smp "${KD_SMP:-2}" -nodefaults -accel tcg)
		;;
	*) kd_die "lane ${LANE_NAME:-?}: arch '$arch' in vm/lanes.tsv is neither amd64 nor arm64" ;;
	esac
}

# kd_qemu_numa NODES -- with more than one node, split the guest's memory
# (KD_MEM, default 512M) and CPUs (KD_SMP, default 2) evenly over NODES
# NUMA nodes: one RAM backend per node, and the CPUs in order.  The guest
# learns the layout from the firmware tables (ACPI SRAT, or the device tree
# on arm64); distances between nodes are declared only: under TCG remote
# memory is no slower than local.  Sets LANE_QEMU and LANE_APPEND.
kd_qemu_numa() {
	local nodes=$1 mem=${KD_MEM:-512M} smp=${KD_SMP:-2} mib i
	[ "$nodes" -gt 1 ] || return 0
	case $mem in
	*G) mib=$((${mem%G} * 1024)) ;;
	*M) mib=${mem%M} ;;
	*) kd_die "lane $LANE_NAME: KD_MEM=$mem: give it in M or G (e.g. 512M) to split it over $nodes NUMA nodes" ;;
	esac
	if ! [[ $mib =~ ^[0-9]+$ ]] || [ $((mib % nodes)) -ne 0 ] || [ $((smp % nodes)) -ne 0 ]; then
		kd_die "lane $LANE_NAME: KD_MEM=$mem and KD_SMP=$smp do not split evenly over $nodes NUMA nodes (memory in MiB and CPUs each a multiple of $nodes)"
	fi
	# One socket per node: CPUs of one socket share a last-level cache,
	# which the kernel expects within one node (it warns otherwise).
	for i in "${!LANE_QEMU[@]}"; do
		[ "${LANE_QEMU[i]}" = -smp ] && LANE_QEMU[i + 1]="$smp,sockets=$nodes,cores=$((smp / nodes)),threads=1"
	done
	# Sockets make an x86 kernel check that their TSCs agree; under TCG
	# a busy host can fail that check, and the kernel then reads the time
	# from the HPET, whose every read is emulated, which would skew every
	# timing.  QEMU's TSC is one clock for all vCPUs: tell the kernel.
	[ "$LANE_ARCH" != x86 ] || LANE_APPEND="$LANE_APPEND tsc=reliable"
	for ((i = 0; i < nodes; i++)); do
		LANE_QEMU+=(-object "memory-backend-ram,id=kd-node$i,size=$((mib / nodes))M"
			-numa "node,nodeid=$i,cpus=$((i * smp / nodes))-$(((i + 1) * smp / nodes - 1)),memdev=kd-node$i")
	done
}
