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
# plus tests/helpers/*.c and tools/*.c as static guest programs in OUTDIR/helpers, both
# with the lane's compiler and where the lane builds (kd_lane_exec).
# The sources are mirrored into OUTDIR so the repo gets no build products and
# lanes can build in parallel; object files stay for incremental rebuilds.
# When nothing the build depends on changed since the last successful build
# in OUTDIR (kd_build_key, in OUTDIR/.kd-build-key), there is no kernel make
# at all and the .ko stands.  The last kernel build's output is in
# OUTDIR/build.log.
kd_build_module() {
	local out=$1 src=${KD_SRC:-$KD_ROOT} log in key
	shift
	if [ ! -f "$src/Kbuild" ] || [ ! -d "$src/src" ]; then
		kd_die "no Kbuild and src/ in $src"
	fi
	# The build's view of OUTDIR: its path inside the root, if any.
	in=${out#"$LANE_ROOT"}
	[ -z "$LANE_ROOT" ] || [ "$in" != "$out" ] || kd_die "$out is outside $LANE_ROOT"
	need_pkgs make rsync
	mkdir -p "$out/helpers" "$out/helpers-src"
	# One build at a time in OUTDIR (make run beside make test's lane of
	# the same kernel): otherwise one's stamp could vouch for the other's
	# objects.
	kd_lock "build${out//\//_}"
	log=$out/build.log
	# Excluded (build product) files are neither copied nor deleted, so
	# make sees unchanged objects; deleted sources vanish from the mirror.
	# --checksum without --times: a file whose content changed gets a new
	# mtime, even when the new content is older (another KD_SRC, a revert),
	# so make never trusts a stale object.
	rsync -rl --checksum --delete --exclude='*.o' --exclude='.*.cmd' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='*.ko' "$src/src/" "$out/src/"
	kd_mirror_helpers "$out"
	cp -p "$src/Kbuild" "$out/Kbuild"
	# Kbuild reads the version from dkms.conf (the repo's, when KD_SRC has none).
	if [ -f "$src/dkms.conf" ]; then cp -p "$src/dkms.conf" "$out/"; else cp -p "$KD_ROOT/dkms.conf" "$out/"; fi
	# Nothing that goes into the build changed since the last successful
	# one here (kd_build_key): its .ko stands, no kernel make at all (even
	# one with nothing to do costs 1-3 s); the stamp goes before a build
	# and comes back only after a successful one.
	key=$(kd_build_key "$out" "$in" "$@")
	if [ "$(cat "$out/.kd-build-key" 2>/dev/null)" != "$(kd_build_stamp "$out" "$key")" ]; then
		rm -f "$out/.kd-build-key" "$out/modules.order"
		# Every object anew: the W=1 check reads this build's log, which
		# names only the files it compiled (an unchanged file's warning
		# would otherwise go unseen).
		find "$out" -path "$out/helpers" -prune -o \( -name '*.o' -o -name '*.ko' \) -type f \
			-exec rm -f {} +
		if ! kd_lane_exec make -C "$LANE_KDIR" M="$in" "${LANE_MAKE_ARGS[@]}" "$@" \
			-j"$(nproc)" modules >"$log" 2>&1; then
			cat "$log" >&2
			kd_die "module build failed ($LANE_NAME, log $log)"
		fi
		grep -A3 -e 'warning:' "$log" >&2 || true
	fi

	kd_build_helpers "$out"
	[ -f "$out/.kd-build-key" ] || kd_build_stamp "$out" "$key" >"$out/.kd-build-key"
	kd_unlock "build${out//\//_}"
}

# kd_mirror_helpers OUTDIR -- tests/helpers/*.c and the users' own
# tools/*.c mirrored into OUTDIR/helpers-src (unchanged files keep their
# mtime).
kd_mirror_helpers() {
	mkdir -p "$1/helpers" "$1/helpers-src"
	rsync -rl --checksum --delete --include='*.c' --exclude='*' \
		"$KD_ROOT/tests/helpers/" "$KD_ROOT/tools/" "$1/helpers-src/"
}

# kd_build_helpers OUTDIR -- the guest's static helper programs
# (tests/helpers/*.c, mirrored by kd_mirror_helpers) in OUTDIR/helpers,
# built by the lane's compiler where the lane builds: each one whose source
# is newer than it; those whose source went are dropped.
kd_build_helpers() {
	local out=$1 in=${1#"$LANE_ROOT"} c bin
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
			kd_die "helper build failed: $c.c in tests/helpers/ or tools/ ($LANE_CC)"
	done
}

# kd_build_key OUTDIR IN [MAKEVAR=VALUE...] -- a hash of everything
# kd_build_module's build in OUTDIR (IN: as the build sees it) depends on,
# once the sources are mirrored there: the mirrored sources and helper
# sources (names, contents, links), Kbuild and dkms.conf; the make
# variables, LANE_MAKE_ARGS, and what the kernel make takes from the
# environment on a host build: the variables of make's own command line
# (MAKEFLAGS: "make run W=1"; not the harness's own, nor the job server)
# and those kbuild and Kbuild read (ARCH, KCFLAGS, KBUILD_*, ...); the
# kernel tree (LANE_KDIR, LANE_ROOT, the contents of .config and
# Module.symvers, size and mtime of its Makefile and generated headers);
# the compiler and linker (LANE_CC and its ld, resolved, size and mtime;
# in a build root its dpkg status, which every package change rewrites).
kd_build_key() {
	local out=$1 in=$2 kdir=$LANE_ROOT$LANE_KDIR mf t p f words
	shift 2
	# Any command failing here would cut the hash's input short: each
	# one says "none" instead, and the sources come last, read by one
	# that must not fail.
	{
		printf 'out %s in %s root %s kdir %s cc %s\n' "$out" "$in" "$LANE_ROOT" "$LANE_KDIR" "$LANE_CC"
		printf 'arg %q\n' "${LANE_MAKE_ARGS[@]}" -- "$@"
		# make's command line variables (after " -- " in MAKEFLAGS), one
		# a line, but the harness's own (the Makefile's run, test,
		# bench, compare); its flags without -j and the job server.
		mf=${MAKEFLAGS:-}
		case " $mf" in
		*' -- '*)
			printf '%s\n' "${mf#*-- }" | sed -E 's/(^|[^\\]) +/\1\n/g' |
				{ grep -vE '^(PARAMS|LAB|PICTURES|KERNEL|KVER|LANE|LANES|BENCH|RUNS|OUT)=' || :; }
			mf=${mf%%-- *} ;;
		esac
		read -r -a words <<<"$mf"
		printf 'makeflags'
		for f in "${words[@]}"; do
			case $f in -j* | --jobserver-*) ;; *) printf ' %s' "$f" ;; esac
		done
		echo
		env | { grep -E '^(ARCH|SUBARCH|CROSS_COMPILE|LLVM|LLVM_IAS|K[A-Z]*FLAGS|KBUILD_[A-Z_]+|KMEM_DEMO_[A-Z_]+)=' || :; } |
			LC_ALL=C sort
		for f in .config Module.symvers; do
			printf '%s %s\n' "$f" "$(sha256sum <"$kdir/$f" 2>/dev/null || echo none)"
		done
		for f in Makefile .kernelvariables include/generated/autoconf.h \
			include/generated/utsrelease.h include/config/kernel.release; do
			printf '%s %s\n' "$f" "$(stat -c '%s %.9Y' "$kdir/$f" 2>/dev/null || echo none)"
		done
		if [ -n "$LANE_ROOT" ]; then
			printf 'dpkg %s\n' "$(stat -c '%s %.9Y' "$LANE_ROOT/var/lib/dpkg/status" 2>/dev/null || echo none)"
		else
			for t in "$LANE_CC" "${LANE_CC%gcc*}ld" "${LANE_CC%gcc*}as"; do
				p=$(command -v "$t" 2>/dev/null) && p=$(readlink -f "$p") || p=none
				printf 'tool %s %s %s\n' "$t" "$p" "$(stat -c '%s %.9Y' "$p" 2>/dev/null || echo none)"
			done
		fi
		cd "$out" && find src helpers-src \( -name '*.o' -o -name '.*.cmd' -o -name '*.mod' \
			-o -name '*.mod.c' -o -name '*.ko' \) -prune -o -type l -printf 'link %p %l\n' |
			LC_ALL=C sort &&
			{ find src helpers-src \( -name '*.o' -o -name '.*.cmd' -o -name '*.mod' \
				-o -name '*.mod.c' -o -name '*.ko' \) -prune -o -type f -print0 |
				LC_ALL=C sort -z; printf '%s\0' Kbuild dkms.conf; } | xargs -0 sha256sum ||
			echo "failed $EPOCHREALTIME"
	} | sha256sum | cut -d' ' -f1
}

# kd_build_stamp OUTDIR KEY -- the stamp of a build of KEY (kd_build_key)
# in OUTDIR: KEY, then the size and mtime of modules.order and of each
# module it names, so that a build the stamp did not see (another
# checkout's harness sharing the cache, a make by hand) or a lost .ko
# makes it stale.
kd_build_stamp() {
	local ko
	printf '%s\n' "$2"
	stat -c '%n %s %.9Y' "$1/modules.order" 2>/dev/null || echo "no modules.order"
	[ -s "$1/modules.order" ] || return 0
	while read -r ko; do
		stat -c '%n %s %.9Y' "$ko" 2>/dev/null || echo "no $ko"
	done < <(kd_built_modules "$1")
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
	# Sparse's verdict on the build kd_build_module vouched for (its stamp),
	# with these make variables and this sparse, stands: it is not run
	# again.
	local sv key
	sv=$(kd_lane_exec sparse --version 2>&1)
	key="$(cat "$out/.kd-build-key" 2>/dev/null) $* $sv"
	if [ ! -f "$out/.kd-build-key" ] || [ "$(cat "$out/.kd-sparse-key" 2>/dev/null)" != "$key" ]; then
		rm -f "$out/.kd-sparse-key"
		if ! kd_lane_exec make -C "$LANE_KDIR" M="$in" "${LANE_MAKE_ARGS[@]}" "$@" \
			KBUILD_CHECKSRC=2 modules >"$out/sparse.log" 2>&1; then
			tail -n 20 "$out/sparse.log" | sed 's/^/# /'
			echo "not ok 2 $LANE_NAME/build/sparse # make KBUILD_CHECKSRC=2 failed"
			return
		fi
		printf '%s\n' "$key" >"$out/.kd-sparse-key"
	fi
	d=$(kd_build_diags "$out/sparse.log")
	if ! grep -q '^ *CHECK ' "$out/sparse.log"; then
		d="sparse checked no file (log: $out/sparse.log)"
	fi
	echo "# sparse $sv: ${d:-no warnings}" | sed '2,$s/^/# /'
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
