# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kd_initramfs: the guest's root file system.  Sourced.

# kd_initramfs BUILDDIR OUT [VAR=VALUE...] -- write OUT, a gzip'd newc cpio
# with busybox, vm/guest/init, the modules and helpers built in BUILDDIR,
# tests/guest/ (or $KD_TESTS_DIR) and /kd/config holding the VAR=VALUE assignments (KD_MODE,
# KD_PARAMS, KD_TESTS, ...), plus KD_LANE and KD_SLOW from the lane.
kd_initramfs() {
	local bdir=$1 out=$2 root kv ko
	shift 2
	need_pkgs cpio
	root=$out.d
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,kd/tests}
	cp "$LANE_BUSYBOX" "$root/bin/busybox"
	# Only sh is linked here: /init runs "busybox --install -s" in the
	# guest, which works for any guest architecture (an arm64 busybox
	# cannot list its applets on an amd64 host).
	ln -s busybox "$root/bin/sh"
	install -m 0755 "$KD_ROOT/vm/guest/init" "$root/init"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >"$root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
	while read -r ko; do
		cp "$ko" "$root/kd/" || kd_die "initramfs: no $ko"
	done < <(kd_built_modules "$bdir")
	if compgen -G "$bdir/helpers/*" >/dev/null; then
		cp "$bdir"/helpers/* "$root/usr/bin/"
	fi
	if [ -d "${KD_TESTS_DIR:-$KD_ROOT/tests/guest}" ]; then
		cp -r "${KD_TESTS_DIR:-$KD_ROOT/tests/guest}/." "$root/kd/tests/"
	fi
	{
		printf 'KD_LANE=%s\nKD_SLOW=%s\n' "$(kd_shq "$LANE_NAME")" "$LANE_SLOW"
		for kv in "$@"; do
			printf '%s=%s\n' "${kv%%=*}" "$(kd_shq "${kv#*=}")"
		done
	} >"$root/kd/config"
	# Sorted and owned by root so the image is reproducible and the guest's
	# files belong to root whoever builds it.
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$root"
}
