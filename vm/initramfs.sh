# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kd_initramfs: the guest's root file system.  Sourced.

# kd_module_deps MODDIR KO... -- the modules of the kernel's modules
# directory MODDIR (lib/modules/KVER) that the modules KO... depend on
# (their modinfo "depends", which kbuild fills in: kunit where the kernel
# has it as a module), with what those depend on in turn, in load order:
# their paths as MODDIR/modules.dep names them.  Fails, saying which,
# when one is not there.
kd_module_deps() {
	local dir=$1 names
	shift
	need_pkgs kmod
	names=$(for ko in "$@"; do modinfo -F depends "$ko"; done | tr ',' '\n' | grep . | sort -u) || true
	[ -n "$names" ] || return 0
	if [ -z "$dir" ] || [ ! -f "$dir/modules.dep" ]; then
		kd_log "$(basename -a "$@" | paste -sd ' ') need the kernel's $(paste -sd ' ' <<<"$names"), and lane $LANE_NAME has no modules directory${dir:+ ($dir has no modules.dep)} to take them from"
		return 1
	fi
	# modules.dep: "kernel/.../name.ko[.gz|.xz|.zst]: what it needs", the
	# closure of its dependencies, the one to load last first.  Module
	# names treat "-" and "_" alike.
	awk -v want="$names" '
		function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.(gz|xz|zst))?$/, "", p)
			gsub(/-/, "_", p); return p }
		BEGIN { n = split(want, w, "\n")
			for (i = 1; i <= n; i++) { x = w[i]; gsub(/-/, "_", x); W[x] = 1 } }
		{ m = $1; sub(/:$/, "", m); b = base(m); if (!(b in W)) next
			for (i = NF; i >= 2; i--) if (!seen[$i]++) print $i
			if (!seen[m]++) print m
			found[b] = 1 }
		END { for (x in W) if (!(x in found)) { print "no module " x " in modules.dep" > "/dev/stderr"; bad = 1 }
			exit bad }' "$dir/modules.dep"
}

# kd_initramfs BUILDDIR OUT [VAR=VALUE...] -- write OUT, a gzip'd newc cpio
# with busybox, vm/guest/init (and beside it in /kd: steps.sh, the flows'
# commands as typed, session.sh, make run's, compare.sh, make
# compare's part, trouble.ere, the kernel log lines that look like
# trouble, kernel-facilities.sh and kernel-check.sh; kernel.config, the kernel's
# config), the modules and helpers built in BUILDDIR,
# the kernel's modules they depend on (kd_module_deps, from LANE_MODDIR,
# uncompressed, in /kd/deps with their load order in /kd/deps/order),
# tests/guest/ (or $KD_TESTS_DIR) and /kd/config holding the VAR=VALUE assignments (KD_MODE,
# KD_PARAMS, KD_TESTS, ...), plus KD_LANE and KD_SLOW from the lane.
# An image whose inputs are those of the last one written to OUT (their hash,
# kd_initramfs_key, in OUT.key with the image's size and mtime) stands as it is.
kd_initramfs() {
	local bdir=$1 out=$2 root kv ko key
	shift 2
	need_pkgs cpio
	local kos=() deps m
	mapfile -t kos < <(kd_built_modules "$bdir")
	deps=$(kd_module_deps "$LANE_MODDIR" "${kos[@]}") || kd_die "initramfs: a module kmem_demo needs is missing (above)"
	key=$(kd_initramfs_key "$bdir" "$deps" "$@")
	# With the image's size and mtime: one written by anything else (a
	# harness of another checkout sharing the cache) is not vouched for.
	if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key $(stat -c '%s %.9Y' "$out")" ]; then
		return 0
	fi
	rm -f "$out.key"
	root=$out.d
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,kd/tests}
	cp "$LANE_BUSYBOX" "$root/bin/busybox"
	# Only sh is linked here: /init runs "busybox --install -s" in the
	# guest, which works for any guest architecture (an arm64 busybox
	# cannot list its applets on an amd64 host).
	ln -s busybox "$root/bin/sh"
	install -m 0755 "$KD_ROOT/vm/guest/init" "$root/init"
	cp "$KD_ROOT/vm/guest/compare.sh" "$KD_ROOT/vm/guest/trouble.ere" \
		"$KD_ROOT/vm/guest/steps.sh" "$KD_ROOT/vm/guest/session.sh" \
		"$KD_ROOT/scripts/kernel-facilities.sh" "$KD_ROOT/scripts/kernel-check.sh" "$root/kd/"
	# The kernel's config, from the lane's headers, for
	# kernel-facilities.sh: /init links it where distributions keep it.
	if [ -r "${LANE_ROOT:-}${LANE_KDIR:-/nonexistent}/.config" ]; then
		cp "${LANE_ROOT:-}$LANE_KDIR/.config" "$root/kd/kernel.config"
	fi
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >"$root/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
	for ko in "${kos[@]}"; do
		cp "$ko" "$root/kd/" || kd_die "initramfs: no $ko"
	done
	if [ -n "$deps" ]; then
		mkdir -p "$root/kd/deps"
		for m in $deps; do
			ko=$(basename "$m")
			case $ko in
			*.ko.gz) gzip -dc "$LANE_MODDIR/$m" >"$root/kd/deps/${ko%.gz}" ;;
			*.ko.xz) xz -dc "$LANE_MODDIR/$m" >"$root/kd/deps/${ko%.xz}" ;;
			*.ko.zst) zstd -q -dc "$LANE_MODDIR/$m" >"$root/kd/deps/${ko%.zst}" ;;
			*) cp "$LANE_MODDIR/$m" "$root/kd/deps/$ko" ;;
			esac || kd_die "initramfs: could not unpack $LANE_MODDIR/$m"
			echo "${ko%.ko*}.ko" >>"$root/kd/deps/order"
		done
	fi
	if compgen -G "$bdir/helpers/*" >/dev/null; then
		cp "$bdir"/helpers/* "$root/usr/bin/"
	fi
	if [ -d "${KD_TESTS_DIR:-$KD_ROOT/tests/guest}" ]; then
		cp -r "${KD_TESTS_DIR:-$KD_ROOT/tests/guest}/." "$root/kd/tests/"
	fi
	{
		printf 'KD_LANE=%s\nKD_SLOW=%s\n' "$(kd_shq "$LANE_NAME")" "$LANE_SLOW"
		# The module's dma_bits= for this guest's DMA demo device, where
		# it is not the default (kd_qemu).
		[ "${LANE_DMA_BITS:-28}" = 28 ] || printf 'KD_DMA_BITS=%s\n' "$LANE_DMA_BITS"
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
	printf '%s %s\n' "$key" "$(stat -c '%s %.9Y' "$out")" >"$out.key"
}

# kd_initramfs_key BUILDDIR DEPS [VAR=VALUE...] -- a hash of what goes into
# kd_initramfs's image: the files (names, modes, contents) of busybox, the
# guest's scripts, the kernel's config, the built modules and helpers and
# the tests; the kernel's modules DEPS (kd_module_deps: paths, sizes and
# mtimes); the lane's name and slowness and the VAR=VALUE assignments.
# A file that cannot be read makes a key that matches no other.
kd_initramfs_key() {
	local bdir=$1 deps=$2 tests=${KD_TESTS_DIR:-$KD_ROOT/tests/guest} m files=() d
	shift 2
	files=("$LANE_BUSYBOX" "$KD_ROOT/vm/guest/init" "$KD_ROOT/vm/guest/compare.sh"
		"$KD_ROOT/vm/guest/steps.sh" "$KD_ROOT/vm/guest/session.sh"
		"$KD_ROOT/vm/guest/trouble.ere" "$KD_ROOT/scripts/kernel-facilities.sh"
		"$KD_ROOT/scripts/kernel-check.sh")
	[ ! -r "${LANE_ROOT:-}${LANE_KDIR:-/nonexistent}/.config" ] ||
		files+=("${LANE_ROOT:-}${LANE_KDIR:-/nonexistent}/.config")
	mapfile -t -O "${#files[@]}" files < <(kd_built_modules "$bdir")
	for d in "$bdir/helpers" "$tests"; do
		[ -d "$d" ] && mapfile -t -O "${#files[@]}" files < <(find "$d" | LC_ALL=C sort)
	done
	{
		printf 'lane %s slow %s moddir %s dma %s\n' "$LANE_NAME" "$LANE_SLOW" "$LANE_MODDIR" "${LANE_DMA_BITS:-28}"
		printf 'var %q\n' "$@"
		for m in $deps; do
			printf 'dep %s %s\n' "$m" "$(stat -c '%s %.9Y' "$LANE_MODDIR/$m" 2>/dev/null || echo none)"
		done
		stat -c '%n %a %F' -- "${files[@]}" 2>&1 || echo "failed $EPOCHREALTIME"
		for m in "${files[@]}"; do
			[ -d "$m" ] || printf '%s\0' "$m"
		done | xargs -0 sha256sum -- 2>&1 || echo "failed $EPOCHREALTIME"
	} | sha256sum | cut -d' ' -f1
}
