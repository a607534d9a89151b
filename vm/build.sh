# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kd_build_module: build kmem_demo for the current lane.  Sourced.

# kd_lane_key -- the current lane's name in the cache's build directories,
# initramfs images and console logs: LANE, or LANE-TAG with KD_BUILD_TAG=TAG,
# which gives a checkout names of its own, so that two checkouts sharing
# the cache can run the same lane at once.
kd_lane_key() {
	printf '%s%s\n' "$LANE_NAME" "${KD_BUILD_TAG:+-$KD_BUILD_TAG}"
}

# kd_build_dir SUFFIX -- where the current lane builds: in the cache, or
# inside its build root so that the chrooted build sees the same files.
kd_build_dir() {
	printf '%s/build/%s%s\n' "${LANE_ROOT:-$KD_CACHE}" "$(kd_lane_key)" "${1:-}"
}

# kd_build_module OUTDIR [MAKEVAR=VALUE...] -- build the module sources
# ($KD_SRC, default the repo root: its Kbuild and src/) against $LANE_KDIR in
# OUTDIR (under $LANE_ROOT for a lane with a build root: see kd_build_dir),
# plus tests/helpers/*.c as static guest programs in OUTDIR/helpers, both
# with the lane's compiler and where the lane builds (kd_lane_exec).
# The sources are mirrored into OUTDIR so the repo gets no build products and
# lanes can build in parallel; object files stay for incremental rebuilds.
# The kernel build's output is in OUTDIR/build.log.
kd_build_module() {
	local out=$1 src=${KD_SRC:-$KD_ROOT} log c bin in
	shift
	if [ ! -f "$src/Kbuild" ] || [ ! -d "$src/src" ]; then
		kd_die "no Kbuild and src/ in $src"
	fi
	# The build's view of OUTDIR: its path inside the root, if any.
	in=${out#"$LANE_ROOT"}
	[ -z "$LANE_ROOT" ] || [ "$in" != "$out" ] || kd_die "$out is outside $LANE_ROOT"
	need_pkgs make rsync
	mkdir -p "$out/helpers" "$out/helpers-src"
	log=$out/build.log
	# Excluded (build product) files are neither copied nor deleted, so
	# make sees unchanged objects; deleted sources vanish from the mirror.
	# --checksum without --times: a file whose content changed gets a new
	# mtime, even when the new content is older (another KD_SRC, a revert),
	# so make never trusts a stale object.
	rsync -rl --checksum --delete --exclude='*.o' --exclude='.*.cmd' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='*.ko' "$src/src/" "$out/src/"
	rsync -rl --checksum --delete --include='*.c' --exclude='*' \
		"$KD_ROOT/tests/helpers/" "$out/helpers-src/"
	cp -p "$src/Kbuild" "$out/Kbuild"
	# Kbuild reads the version from dkms.conf (the repo's, when KD_SRC has none).
	if [ -f "$src/dkms.conf" ]; then cp -p "$src/dkms.conf" "$out/"; else cp -p "$KD_ROOT/dkms.conf" "$out/"; fi
	rm -f "$out/modules.order"
	if ! kd_lane_exec make -C "$LANE_KDIR" M="$in" "${LANE_MAKE_ARGS[@]}" "$@" \
		-j"$(nproc)" modules >"$log" 2>&1; then
		cat "$log" >&2
		kd_die "module build failed ($LANE_NAME, log $log)"
	fi
	grep -A3 -e 'warning:' "$log" >&2 || true

	# Helpers: rebuild when the source is newer; drop those whose source went.
	for bin in "$out"/helpers/*; do
		[ -e "$bin" ] || continue
		[ -f "$out/helpers-src/${bin##*/}.c" ] || rm -f "$bin"
	done
	for c in "$out"/helpers-src/*.c; do
		[ -e "$c" ] || continue
		c=$(basename "$c" .c)
		bin=$out/helpers/$c
		[ "$bin" -nt "$out/helpers-src/$c.c" ] && continue
		kd_lane_exec "$LANE_CC" -static -O2 -Wall -Wextra -Werror \
			-o "$in/helpers/$c" "$in/helpers-src/$c.c" ||
			kd_die "helper build failed: tests/helpers/$c.c ($LANE_CC)"
	done
}

# kd_build_diags LOG -- the compiler's and sparse's diagnostics in a build
# log (lines naming a source file), nothing when the build was clean.
kd_build_diags() {
	grep -E '(:[0-9]+:[0-9]+: |^[^ ]+: )(warning|error|note):' "$1" || true
}

# kd_build_checks OUTDIR MAKEVAR... -- KTAP results for the lane's build in
# OUTDIR (done by kd_build_module at W=1): no warnings from the kernel's own
# compiler, then sparse (every file, rebuilt or not) with the sparse of
# the build's release, unless LANE_SPARSE says why not.
kd_build_checks() {
	local out=$1 in=${1#"$LANE_ROOT"} cc d
	shift
	cc=$(kd_lane_exec "$LANE_CC" -dumpfullversion 2>/dev/null) || cc='?'
	echo 'KTAP version 1'
	echo "# $LANE_NAME/build: $LANE_INFO, $LANE_CC $cc"
	echo "# kd-lane: $LANE_NAME $LANE_INFO $LANE_CC $cc"
	echo '1..2'
	d=$(kd_build_diags "$out/build.log")
	echo "# W=1 with $LANE_CC $cc: ${d:-no warnings}" | sed '2,$s/^/# /'
	if [ -z "$d" ]; then
		echo "ok 1 $LANE_NAME/build/w1"
	else
		echo "not ok 1 $LANE_NAME/build/w1"
	fi
	if [ -n "$LANE_SPARSE" ]; then
		echo "ok 2 $LANE_NAME/build/sparse # SKIP $LANE_SPARSE"
		return
	fi
	# KBUILD_CHECKSRC=2 is C=2 without kbuild's own probe of the checker,
	# scripts/checker-valid.sh, which Debian's 7.x linux-kbuild lacks: the
	# probe would fail and turn the checks off with a mere warning.  A
	# sparse that does not understand the headers says so file by file.
	if ! kd_lane_exec make -C "$LANE_KDIR" M="$in" "${LANE_MAKE_ARGS[@]}" "$@" \
		KBUILD_CHECKSRC=2 modules >"$out/sparse.log" 2>&1; then
		tail -n 20 "$out/sparse.log" | sed 's/^/# /'
		echo "not ok 2 $LANE_NAME/build/sparse # make KBUILD_CHECKSRC=2 failed"
		return
	fi
	d=$(kd_build_diags "$out/sparse.log")
	if ! grep -q '^ *CHECK ' "$out/sparse.log"; then
		d="sparse checked no file (log: $out/sparse.log)"
	fi
	echo "# sparse $(kd_lane_exec sparse --version): ${d:-no warnings}" | sed '2,$s/^/# /'
	if [ -z "$d" ]; then
		echo "ok 2 $LANE_NAME/build/sparse"
	else
		echo "not ok 2 $LANE_NAME/build/sparse"
	fi
}

# kd_built_modules OUTDIR -- the .ko files of the last build (modules.order
# is rewritten by every build, a *.ko glob could pick up stale modules).
# Its lines name the module by absolute .ko path (6.1), absolute .o path
# (6.12), or relative .o path (7.x); the absolute ones as the build saw
# them, inside the lane's root.
kd_built_modules() {
	local m in=${1#"$LANE_ROOT"}
	while read -r m; do
		m=${m#"$1"/} m=${m#"$in"/} m=${m%.o} m=${m%.ko}
		printf '%s/%s.ko\n' "$1" "$m"
	done <"$1/modules.order"
}
