#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the pictures (scripts/pictures.sh) on recorded frame maps in
# tests/host/samples/: every SVG is well-formed (xmllint), every PNG has the
# SVG's size, each vmalloc area is drawn with as many runs as the map
# lists, a one-run area as exactly one, and a malformed map is refused.
# Prints one line per problem; silent and status 0 when all is well.
set -uo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
. "$KD_ROOT/tests/host/lib.sh"

need_pkgs libxml2-utils python3 librsvg2-bin
samples=$KD_ROOT/tests/host/samples
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bad=0
problem() { printf '%s\n' "$*"; bad=1; }

# xpath SVG EXPR -- the value of an XPath expression (SVG's namespace
# ignored by matching local names).
xpath() {
	xmllint --xpath "$2" "$1" 2>/dev/null
}

# runs_drawn SVG REGION -- run lines in REGION's panel of vmalloc.svg.
runs_drawn() {
	xpath "$1" "count(//*[local-name()='g'][@class='panel'][@data-region='$2']//*[local-name()='line'][@class='run'])"
}

for map in "$samples"/*.map; do
	s=$(basename "$map" .map)
	[ "$s" = bad-listed ] && continue
	if ! "$KD_ROOT/scripts/pictures.sh" "$map" "$out/$s" >"$out/$s.paths" 2>"$out/$s.err"; then
		problem "$s: scripts/pictures.sh failed: $(cat "$out/$s.err")"
		continue
	fi
	[ "$(wc -l <"$out/$s.paths")" -eq 4 ] || problem "$s: expected 4 paths, got: $(cat "$out/$s.paths")"
	for p in memmap vmalloc; do
		svg=$out/$s/$p.svg png=$out/$s/$p.png
		xmllint --noout "$svg" 2>&1 | sed "s|^|$s/$p.svg: |" | grep . && bad=1
		want="$(xpath "$svg" 'string(/*/@width)')x$(xpath "$svg" 'string(/*/@height)')"
		[ "$(png_size "$png")" = "$want" ] ||
			problem "$s/$p.png: size $(png_size "$png"), the SVG says $want"
	done
	# Every listed run of every vmalloc area is one line in its panel
	# (the first five areas are drawn), and one run group in the map.
	awk '$1 == "region" && $3 == "kind=vmalloc" { n++; if (n <= 5) print $2, substr($NF, 8) }' "$map" |
		while read -r name listed; do
			got=$(runs_drawn "$out/$s/vmalloc.svg" "$name")
			[ "$got" = "$listed" ] || echo "$s: $name: $listed runs listed, $got drawn in vmalloc.svg"
			got=$(xpath "$out/$s/memmap.svg" "count(//*[@data-region='$name']/*[@class='run'])")
			[ "$got" = "$listed" ] || echo "$s: $name: $listed runs listed, $got drawn in memmap.svg"
		done | grep . && bad=1
done

# The single contiguous block: one straight line, one run on the map.
[ "$(runs_drawn "$out/one-run/vmalloc.svg" vmalloc)" = 1 ] ||
	problem "one-run: the vmalloc area is not drawn as exactly one run"

# A map whose run lines disagree with its region line is refused.
if "$KD_ROOT/scripts/pictures.sh" "$samples/bad-listed.map" "$out/bad" >/dev/null 2>&1; then
	problem "bad-listed: a region listing 2 runs with 1 run line was drawn anyway"
fi
exit "$bad"
