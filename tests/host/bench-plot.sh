#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the benchmark's plots (scripts/plot.sh) on a recorded CSV in
# tests/host/samples/: two SVGs that are well-formed (xmllint), two PNGs of
# the size asked for (1200x800), and every series of the CSV drawn.
# Prints one line per problem; silent and status 0 when all is well.
set -uo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
. "$KD_ROOT/tests/host/lib.sh"

need_pkgs libxml2-utils gnuplot-nox
csv=$KD_ROOT/tests/host/samples/bench-x86.csv
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
problem() { printf '%s\n' "$*"; }

if ! log=$("$KD_ROOT/scripts/plot.sh" "$csv" "$out" 2>&1); then
	problem "scripts/plot.sh failed: $log"
	exit 1
fi
[ "$(find "$out" -name '*.svg' | wc -l) $(find "$out" -name '*.png' | wc -l)" = "2 2" ] ||
	problem "expected 2 SVG and 2 PNG files, got: $(ls "$out")"
for f in "$out"/*.svg; do
	xmllint --noout "$f" 2>/dev/null || problem "$f: not well-formed XML"
done
for f in "$out"/*.png; do
	[ "$(png_size "$f")" = 1200x800 ] || problem "$f: PNG size '$(png_size "$f")', expected 1200x800"
done
# Series: allocator-pattern, bulk sizes apart (as scripts/plot.sh names them).
series=$(awk -F, '!/^#/ && $1 != "allocator" && $1 != "empty" && $13 == 0 {
	print $1 "-" $2 (($2 == "bulk") ? $5 : "") }' "$csv" | sort -u)
[ "$(echo "$series" | wc -l)" -ge 10 ] || problem "the sample has too few series: $series"
for s in $series; do
	grep -q ">$s<" "$out"/*-ns.svg || problem "series $s missing from the SVG"
done
