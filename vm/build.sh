# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kd_build_module: build kmem_demo for the current lane.  Sourced.

# kd_build_module OUTDIR [MAKEVAR=VALUE...] -- build the module sources
# ($KD_SRC, default the repo root: its Kbuild and src/) against $LANE_KDIR in
# OUTDIR, plus tests/helpers/*.c as static guest programs in OUTDIR/helpers.
# The sources are mirrored into OUTDIR so the repo gets no build products and
# lanes can build in parallel; object files stay for incremental rebuilds.
kd_build_module() {
	local out=$1 src=${KD_SRC:-$KD_ROOT} log c bin
	shift
	if [ ! -f "$src/Kbuild" ] || [ ! -d "$src/src" ]; then
		kd_die "no Kbuild and src/ in $src"
	fi
	need_pkgs make rsync
	mkdir -p "$out/helpers"
	log=$out/build.log
	# Excluded (build product) files are neither copied nor deleted, so
	# make sees unchanged objects; deleted sources vanish from the mirror.
	# --checksum without --times: a file whose content changed gets a new
	# mtime, even when the new content is older (another KD_SRC, a revert),
	# so make never trusts a stale object.
	rsync -rl --checksum --delete --exclude='*.o' --exclude='.*.cmd' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='*.ko' "$src/src/" "$out/src/"
	cp -p "$src/Kbuild" "$out/Kbuild"
	rm -f "$out/modules.order"
	if ! make -C "$LANE_KDIR" M="$out" "${LANE_MAKE_ARGS[@]}" "$@" \
		-j"$(nproc)" modules >"$log" 2>&1; then
		cat "$log" >&2
		kd_die "module build failed ($LANE_NAME, log $log)"
	fi
	grep -A3 -e 'warning:' "$log" >&2 || true

	# Helpers: rebuild when the source is newer; drop those whose source went.
	for bin in "$out"/helpers/*; do
		[ -e "$bin" ] || continue
		[ -f "$KD_ROOT/tests/helpers/${bin##*/}.c" ] || rm -f "$bin"
	done
	for c in "$KD_ROOT"/tests/helpers/*.c; do
		[ -e "$c" ] || continue
		bin=$out/helpers/$(basename "$c" .c)
		[ "$bin" -nt "$c" ] && continue
		$LANE_CC -static -O2 -Wall -Wextra -Werror -o "$bin" "$c" ||
			kd_die "helper build failed: $c ($LANE_CC)"
	done
}

# kd_built_modules OUTDIR -- the .ko files of the last build (modules.order
# is rewritten by every build, a *.ko glob could pick up stale modules).
kd_built_modules() {
	local m
	while read -r m; do
		m=${m#"$1"/} m=${m%.o} m=${m%.ko}
		printf '%s/%s.ko\n' "$1" "$m"
	done <"$1/modules.order"
}
