# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Debian's archive through a private apt configuration, and the Debian
# roots made from it.  Other releases' kernels come from the mirror the host's
# apt already uses, but with their own sources list, lists, package cache
# and (empty) dpkg status under $KD_CACHE/apt/<suite>: the host's apt
# sources are never changed and no foreign architecture is added to the
# host's dpkg.  Sourced by vm/lib.sh, never executed.

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
			kd_logged "apt-$suite" apt-get -q "${opts[@]}" update ||
				kd_die "apt-get update ($suite) failed: see above (is the mirror reachable?)"
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
			(cd "$debs" && kd_logged "apt-$suite" "${apt[@]}" download -q "$p") ||
				kd_die "apt-get download $p failed: see above (is the mirror reachable?)"
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
