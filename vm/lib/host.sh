# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The host: its distribution (/etc/os-release), its package manager, the
# packages the harness needs on it, and the host release's kernel source.
# Sourced by vm/lib.sh, never executed.

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
	kd_logged apt kd_root apt-get update -q -o DPkg::Lock::Timeout=600 ||
		kd_die "apt-get update failed: see above, then try again (sudo apt-get update shows the same)"
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
		kd_log "installing: ${KD_MISSING[*]} (apt's output: $KD_CACHE/logs/apt.log)"
		kd_apt_update
		kd_logged apt kd_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=600 --no-install-recommends "${KD_MISSING[@]}" ||
			kd_die "apt-get install ${KD_MISSING[*]} failed: see above; sudo apt-get install ${KD_MISSING[*]} shows why"
		dpkg-query -W -f='[kmem_demo] installed: ${Package} ${Version}\n' "${KD_MISSING[@]}" >&2 || true
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

# kd_checkpatch -- print the path of checkpatch.pl from the host release's
# Debian kernel source (kd_linux_source_pkg): the unpacked tree's when the
# debug kernel's build has unpacked it, else the script and the data files
# it reads beside it (spelling.txt, const_structs.checkpatch), taken once
# from the tarball into the cache: checkpatch needs neither the rest of the
# tree nor the 1.3 GB of writing a whole unpack costs.
kd_checkpatch() {
	local pkg tarball ver dir top f
	pkg=$(kd_linux_source_pkg)
	need_pkgs "$pkg" xz-utils
	ver=$(dpkg-query -W -f='${Version}' "$pkg")
	if [ -f "$KD_CACHE/linux-source-$ver/.unpacked" ]; then
		printf '%s\n' "$KD_CACHE/linux-source-$ver/scripts/checkpatch.pl"
		return
	fi
	dir=$KD_CACHE/checkpatch-$ver
	if [ ! -f "$dir/.complete" ]; then
		tarball=$(dpkg-query -L "$pkg" | grep -E "^/usr/src/$pkg\.tar\.[a-z]+\$" | head -n1)
		[ -n "$tarball" ] || kd_die "$pkg has no /usr/src/$pkg.tar.*"
		kd_log "taking checkpatch.pl out of $tarball (once)"
		rm -rf "$dir" && mkdir -p "$dir"
		top=${pkg}/scripts
		for f in checkpatch.pl spelling.txt const_structs.checkpatch; do
			printf '%s/%s\n' "$top" "$f"
		done >"$dir/.want"
		tar -xf "$tarball" -C "$dir" --strip-components=2 -T "$dir/.want" ||
			kd_die "could not take checkpatch.pl out of $tarball"
		touch "$dir/.complete"
	fi
	printf '%s\n' "$dir/checkpatch.pl"
}
