#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Static checks, reported as KTAP on stdout (vm/test.sh counts them as the
# "static" lane): W=1 with warnings as failures, sparse, checkpatch --strict
# from Debian's linux-source-6.1, and shellcheck on every script.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_ROOT/vm/build.sh"

need_pkgs sparse shellcheck perl gnuplot-nox libxml2-utils
kd_lane distro >/dev/null
cd "$KD_ROOT"

CHECKS=(check_w1 check_sparse check_checkpatch check_shellcheck check_plot)
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
# (lines naming a source file) or the failure.
build() {
	local dir=$KD_CACHE/build/check-$1
	shift
	rm -rf "$dir"
	if ! (kd_build_module "$dir" "$@" &&
		make -C "$LANE_KDIR" M="$dir" "$@" KMEM_DEMO_KUNIT=y src/kunit.o \
			>>"$dir/build.log" 2>&1) >"$dir.out" 2>&1; then
		tail -n 40 "$dir.out" "$dir/build.log"
		return
	fi
	grep -E '(:[0-9]+:[0-9]+: |^[^ ]+: )(warning|error|note):' "$dir/build.log" || true
}

check_w1() { report "W=1 build: no warnings" "$(build w1 W=1)"; }

# C=2 runs sparse on every file whether or not it is rebuilt.
check_sparse() { report "sparse (C=2): no warnings" "$(build sparse C=2)"; }

check_checkpatch() {
	local src out
	src=$(kd_linux_source)
	# LINUX_VERSION_CODE is for in-tree code, which only ever meets one
	# kernel; an out-of-tree module for 5.10..7.x must read it, and does so
	# in one macro, KD_SINCE() in src/compat.h.
	out=$("$src/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --ignore LINUX_VERSION_CODE -f src/*.c src/*.h 2>&1 |
		grep -v 'has no obvious style problems' || true)
	report "checkpatch --strict: clean" "$out"
}

check_shellcheck() {
	local files=()
	mapfile -t files < <({
		ls vm/*.sh vm/lanes/*.sh tests/guest/*.sh .ci/run 2>/dev/null
		grep -rlE '^#!.*(ba)?sh' vm tests 2>/dev/null; } | sort -u)
	report "shellcheck: ${#files[@]} scripts clean" \
		"$(shellcheck -x "${files[@]}" 2>&1)"
}

# png_size FILE -- "WIDTHxHEIGHT" from a PNG's IHDR, empty if not a PNG.
png_size() {
	[ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || return 0
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d\n",
		$1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}

# The benchmark's plots from a recorded CSV: well-formed SVG, a PNG of the
# size asked for, every series drawn.
check_plot() {
	local dir out f problems='' series
	dir=$(mktemp -d)
	if ! out=$(vm/plot.sh tests/data/bench-sample.csv "$dir" 2>&1); then
		report "bench plots render from a recorded CSV" "$out"
		rm -rf "$dir"
		return
	fi
	for f in "$dir"/*.svg; do
		xmllint --noout "$f" 2>&1 || problems+="$f: not well-formed XML"$'\n'
	done
	for f in "$dir"/*.png; do
		[ "$(png_size "$f")" = 1200x800 ] || problems+="$f: PNG size '$(png_size "$f")', expected 1200x800"$'\n'
	done
	[ "$(find "$dir" -name '*.svg' | wc -l) $(find "$dir" -name '*.png' | wc -l)" = "2 2" ] ||
		problems+="expected 2 SVG and 2 PNG files, got: $(ls "$dir")"$'\n'
	series=$(awk -F, '!/^#/ && $1 != "allocator" && $1 != "empty" && $13 == 0 {
		print $1 "-" $2 (($2 == "bulk") ? $5 : "") }' tests/data/bench-sample.csv | sort -u)
	for f in $series; do
		grep -q ">$f<" "$dir"/*-ns.svg || problems+="series $f missing from the SVG"$'\n'
	done
	rm -rf "$dir"
	report "bench plots from a recorded CSV: valid SVG, 1200x800 PNG, all $(echo "$series" | wc -l) series" "$problems"
}

echo "KTAP version 1"
echo "1..${#CHECKS[@]}"
for c in "${CHECKS[@]}"; do
	"$c"
done
[ "$failed" -eq 0 ]
