#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Static checks, reported as KTAP on stdout (vm/test.sh counts them as the
# "static" lane): W=1 with warnings as failures, sparse, checkpatch --strict
# from Debian's linux-source-6.1, shellcheck on every script, one version in
# dkms.conf and debian/changelog, the pictures drawn from recorded frame maps
# (tests/host/pictures.sh), the benchmark plots drawn from a recorded CSV
# (tests/host/bench-plot.sh), make compare's table and ratio plot from
# recorded lanes (tests/host/compare.sh), the kernel's modules that ours depend on
# taken into the VM (tests/host/module-deps.sh), the boot watchdog
# (tests/host/watchdog.sh), the docs' test table and links.
set -euo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
. "$KD_ROOT/vm/build.sh"

# Everything the checks use, installed before any check runs: apt's output
# on a fresh machine must not land in a check's captured output.
need_pkgs sparse shellcheck perl dpkg-dev libxml2-utils gnuplot-nox python3 librsvg2-bin \
	kmod binutils zstd xz-utils cpio busybox-static
kd_lane distro >/dev/null
cd "$KD_ROOT"

CHECKS=(check_w1 check_sparse check_checkpatch check_shellcheck check_version check_plot
	check_compare check_pictures check_module_deps check_watchdog check_docs check_64bit)
n=0 failed=0

# report DESC OUTPUT -- ok when OUTPUT is empty, else not ok with OUTPUT.
report() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		printf '%s\n' "$2" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

# build DIR MAKEVAR... -- build kmem_demo, and compile the KUnit suite (the
# stock kernel has no KUnit to link it against); print the diagnostics
# (lines naming a source file) or the failure.  kd_build_module rebuilds
# every object when anything changed and nothing when nothing did: its
# log then still holds the verdict on these very sources.
build() {
	local dir=$KD_CACHE/build/check-$1
	shift
	# The .out file sits next to it: the parent must exist (a fresh cache).
	mkdir -p "$dir"
	if ! (kd_build_module "$dir" "$@" &&
		make -C "$LANE_KDIR" M="$dir" "$@" KMEM_DEMO_KUNIT=y src/kunit.o \
			>"$dir/kunit.log" 2>&1) >"$dir.out" 2>&1; then
		tail -n 40 "$dir.out" "$dir/build.log" "$dir/kunit.log" 2>&1
		echo "build failed ($dir)"
		return
	fi
	kd_build_diags "$dir/build.log"
	kd_build_diags "$dir/kunit.log"
	case " $* " in
	*' KBUILD_CHECKSRC='*)
		grep -q '^ *CHECK ' "$dir/build.log" || echo "sparse checked no file ($dir/build.log)" ;;
	esac
}

check_w1() { report "W=1 build: no warnings" "$(build w1 W=1)"; }

# Sparse on every file whether or not it is rebuilt (C=2), without kbuild's
# probe of the checker (see kd_build_checks in vm/build.sh).
check_sparse() { report "sparse (C=2): no warnings" "$(build sparse KBUILD_CHECKSRC=2)"; }

check_checkpatch() {
	local checkpatch out
	checkpatch=$(kd_checkpatch)
	# LINUX_VERSION_CODE is for in-tree code, which only ever meets one
	# kernel; an out-of-tree module for 5.10..7.x must read it, and does so
	# in one macro, KD_SINCE() in src/compat.h.
	out=$("$checkpatch" --strict --no-tree --terse \
		--show-types --ignore LINUX_VERSION_CODE -f src/*.c src/*.h 2>&1 |
		grep -v 'has no obvious style problems' || true)
	report "checkpatch --strict: clean" "$out"
}

check_shellcheck() {
	local files=()
	mapfile -t files < <({
		ls vm/*.sh vm/lib/*.sh vm/lanes/*.sh vm/guest/*.sh scripts/*.sh tests/guest/*.sh \
			tests/host/*.sh tests/lanes/*.sh .ci/run 2>/dev/null
		grep -rlE '^#!.*(ba)?sh' vm scripts tests 2>/dev/null; } | sort -u)
	report "shellcheck: ${#files[@]} scripts clean" \
		"$(shellcheck -x "${files[@]}" 2>&1)"
}

# dkms.conf holds the version (Kbuild reads it); the Debian package's must match.
check_version() {
	local v d
	v=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
	d=$(dpkg-parsechangelog -l debian/changelog -S Version 2>&1)
	report "version: dkms.conf ($v) and debian/changelog agree" \
		"$([ -n "$v" ] && [ "$v" = "$d" ] || echo "expected: ${v:-a PACKAGE_VERSION in dkms.conf}, seen in debian/changelog: $d")"
}

check_plot() {
	report "bench plots: a recorded CSV draws as valid SVG and 1200x800 PNG, every series" \
		"$(bash tests/host/bench-plot.sh 2>&1)"
}

check_compare() {
	report "compare: recorded lanes make a table that matches their reports, a failed column, what moved, the ratio plot" \
		"$(bash tests/host/compare.sh 2>&1)"
}

check_pictures() {
	report "pictures: recorded frame maps draw as valid SVG and PNG, runs as listed" \
		"$(bash tests/host/pictures.sh 2>&1)"
}

check_module_deps() {
	report "module deps: the kernel's modules ours need reach the VM unpacked, in load order" \
		"$(bash tests/host/module-deps.sh 2>&1)"
}

check_watchdog() {
	report "watchdog: a guest that never starts its tests is ended at its start bound" \
		"$(bash tests/host/watchdog.sh 2>&1)"
}

# The docs: the test table says what each test's header says, every link
# between the docs reaches a file and a heading that exist, the exercises'
# answers quote the figures 38-exercises checks, and every output sample
# has the lines of what the code prints (its golden, which 95-golden keeps
# current).
check_docs() {
	report "docs: the test table is current, links resolve, exercises and samples match the code" \
		"$({ scripts/test-table.sh --check || true
		    python3 scripts/doc-links.py README.md docs/*.md || true
		    python3 scripts/exercises-check.py || true
		    python3 scripts/samples.py --check || true; } 2>&1)"
}

# A 32-bit kernel is refused before anything compiles, with a sentence:
# kbuild told CONFIG_64BIT is unset stops in Kbuild; DKMS skips it.
check_64bit() {
	local d out
	d=$(mktemp -d)
	cp Kbuild "$d/"
	if out=$(make -C "$LANE_KDIR" M="$d" "${LANE_MAKE_ARGS[@]}" CONFIG_64BIT= modules 2>&1); then
		out="expected: the build refused; seen: it succeeded"
	elif ! grep -q 'kmem_demo needs a 64-bit kernel (CONFIG_64BIT)' <<<"$out"; then
		out="expected: \"kmem_demo needs a 64-bit kernel\"; seen: $(tail -n 5 <<<"$out")"
	else
		out=
	fi
	rm -rf "$d"
	grep -qx 'BUILD_EXCLUSIVE_CONFIG="CONFIG_64BIT"' dkms.conf ||
		out+="expected: dkms.conf to exclude kernels without CONFIG_64BIT"
	report "32-bit kernels: Kbuild refuses them with a sentence, DKMS skips them" "$out"
}

echo "KTAP version 1"
echo "1..${#CHECKS[@]}"
for c in "${CHECKS[@]}"; do
	"$c"
done
[ "$failed" -eq 0 ]
