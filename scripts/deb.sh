#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/deb.sh [--out DIR] -- "make deb": build kmem-demo-dkms_<version>_all.deb
# (the module's source plus dkms.conf, built by DKMS on the machine that
# installs it) with debhelper and dh-dkms, then run lintian on it.  The build
# happens in a copy under $KD_CACHE/deb, so the clone gets no debian/
# build products; the .deb is copied to DIR (default out/, ignored by git).
# Prints the .deb's path on stdout.  Fails when dkms.conf and
# debian/changelog disagree on the version, or when lintian reports an error
# or a warning; its other tags (info, pedantic) are printed.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

out=$KD_ROOT/out
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	*) kd_die "usage: scripts/deb.sh [--out DIR]" ;;
	esac
done

need_pkgs debhelper dh-dkms dpkg-dev lintian
cd "$KD_ROOT"

# The project's version is dkms.conf's PACKAGE_VERSION (Kbuild's pattern);
# tests/lanes/static.sh checks the same agreement.
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
deb_ver=$(dpkg-parsechangelog -S Version)
[ -n "$ver" ] || kd_die "no PACKAGE_VERSION in dkms.conf"
[ "$ver" = "$deb_ver" ] ||
	kd_die "version mismatch: dkms.conf says $ver, debian/changelog says $deb_ver (add a changelog entry: dch -v $ver)"

stage=$KD_CACHE/deb
rm -rf "$stage"
mkdir -p "$stage/kmem-demo-$ver"
# What the package needs; the rest of the clone (VM harness, tests) is not
# part of it.
cp -a Kbuild Makefile dkms.conf src debian "$stage/kmem-demo-$ver/"
kd_log "dpkg-buildpackage in $stage"
(cd "$stage/kmem-demo-$ver" && dpkg-buildpackage -b --no-sign) >"$stage/build.log" 2>&1 || {
	cat "$stage/build.log" >&2
	kd_die "dpkg-buildpackage failed (log $stage/build.log)"
}
deb=kmem-demo-dkms_${ver}_all.deb
[ -f "$stage/$deb" ] || kd_die "no $deb in $stage"

# lintian as Debian's own uploads see it, plus the informational tags.
lintian --info --display-info "$stage"/*.changes >"$stage/lintian.log" 2>&1 || true
sed 's/^/lintian: /' "$stage/lintian.log" >&2
if grep -qE '^[EW]: ' "$stage/lintian.log"; then
	kd_die "lintian reports errors or warnings (log $stage/lintian.log)"
fi
mkdir -p "$out"
cp "$stage/$deb" "$out/"
printf '%s\n' "$out/$deb"
