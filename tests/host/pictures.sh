#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of the pictures (scripts/pictures.sh) on recorded frame maps in
# tests/host/samples/: every SVG is well-formed (xmllint), every PNG has the
# SVG's size, each vmalloc area is drawn with as many runs as the map
# lists, a one-run area as exactly one, a node boundary is drawn where
# each NUMA node but the lowest-numbered starts (none on a one-node map),
# and a malformed map is refused.
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

# node_starts MAP -- "NODE PFN" for every node but the lowest-numbered: its
# first frame, the lowest start of its zone lines.
node_starts() {
	awk '$1 == "zone" && (!($2 in lo) || $4 + 0 < lo[$2]) { lo[$2] = $4 + 0 }
		END { for (n in lo) print n, lo[n] }' "$1" | sort -n | tail -n +2
}

# boundaries SVG [PREDICATES [WITHIN]] -- how many node boundaries SVG
# draws (that match PREDICATES, inside the elements WITHIN selects).
boundaries() {
	xpath "$1" "count(${3:-}//*[local-name()='g'][@class='node-boundary']${2:-})"
}

# check_boundaries NAME SVG MAP -- exactly one boundary where each node but
# the lowest-numbered starts, labelled with its frame, and no other.
check_boundaries() {
	local starts want got node pfn
	starts=$(node_starts "$3")
	want=$(printf '%s' "$starts" | grep -c .)
	got=$(boundaries "$2")
	[ "$got" = "$want" ] ||
		problem "$1: $want node boundaries expected in $(basename "$2"), $got drawn"
	while read -r node pfn; do
		[ -n "$node" ] || continue
		got=$(boundaries "$2" "[@data-node='$node'][@data-frame='$pfn'][contains(., 'node $node starts')][contains(., 'frame $pfn (')]")
		[ "$got" = 1 ] ||
			problem "$1: node $node starts at frame $pfn: $got boundaries labelled so there in $(basename "$2")"
	done <<<"$starts"
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
	check_boundaries "$s" "$out/$s/memmap.svg" "$map"
	[ -n "$(node_starts "$map")" ] || [ "$(boundaries "$out/$s/vmalloc.svg")" = 0 ] ||
		problem "$s: one node, yet a node boundary in vmalloc.svg"
done

# The single contiguous block: one straight line, one run on the map.
[ "$(runs_drawn "$out/one-run/vmalloc.svg" vmalloc)" = 1 ] ||
	problem "one-run: the vmalloc area is not drawn as exactly one run"

# A vmalloc area whose frames lie on both sides of node 1's first frame has
# the boundary in its panel; an area on one node has none.
cat >"$out/straddle.map" <<'EOF'
kmem_demo_map 1
page_size 4096
runs_max 1024
zone 0 DMA32 4096 61440 61440
zone 1 DMA32 65536 65536 65536
region vmalloc kind=vmalloc alloc=vmalloc requested=1048576 reserved=1048576 pages=256 runs=2 longest=128 listed=2
run 65000 128
run 66000 128
region lab:1 kind=vmalloc alloc=vmalloc requested=524288 reserved=524288 pages=128 runs=1 longest=128 listed=1
run 100000 128
EOF
if "$KD_ROOT/scripts/pictures.sh" "$out/straddle.map" "$out/straddle" >/dev/null 2>&1; then
	check_boundaries straddle "$out/straddle/memmap.svg" "$out/straddle.map"
	panel="//*[local-name()='g'][@class='panel']"
	[ "$(boundaries "$out/straddle/vmalloc.svg" "[@data-node='1'][@data-frame='65536']" "${panel}[@data-region='vmalloc']")" = 1 ] ||
		problem "straddle: no node boundary at frame 65536 in the panel of an area on both nodes"
	[ "$(boundaries "$out/straddle/vmalloc.svg" "" "${panel}[@data-region='lab:1']")" = 0 ] ||
		problem "straddle: a node boundary in the panel of an area on node 1 only"
else
	problem "straddle: scripts/pictures.sh failed"
fi

# Memory handed to the DMA demo device is outlined, its region marked with
# its dma= and its legend line saying so; other memory is not.
cat >"$out/dma.map" <<'EOF'
kmem_demo_map 1
page_size 4096
runs_max 1024
zone 0 DMA 1 4095 3998
zone 0 DMA32 4096 126976 126976
region kmalloc kind=linear alloc=kmalloc requested=4096 reserved=4096 pages=1 runs=1 longest=1 listed=1
run 24063 1
region dma_coherent kind=linear alloc=dma_alloc_coherent dma=coherent:direct requested=8192 reserved=8192 pages=2 runs=1 longest=1 listed=1
run 4000 2
region lab:3 kind=vmalloc alloc=vmalloc dma=sg:iommu requested=65536 reserved=65536 pages=16 runs=2 longest=8 listed=2
run 30000 8
run 40000 8
EOF
if "$KD_ROOT/scripts/pictures.sh" "$out/dma.map" "$out/dma" >/dev/null 2>&1; then
	svg=$out/dma/memmap.svg
	for want in "dma_coherent coherent:direct 1" "lab:3 sg:iommu 2"; do
		# shellcheck disable=SC2086 # "REGION DMA RUNS"
		set -- $want
		[ "$(xpath "$svg" "string(//*[@data-region='$1']/@data-dma)")" = "$2" ] ||
			problem "dma: $1 is not marked data-dma=$2"
		[ "$(xpath "$svg" "count(//*[@data-region='$1']//*[@stroke-dasharray])")" = "$3" ] ||
			problem "dma: $1's $3 runs are not all outlined"
	done
	[ "$(xpath "$svg" "count(//*[@data-region='kmalloc']//*[@stroke-dasharray])")" = 0 ] ||
		problem "dma: kmalloc, not the device's, is outlined"
	grep -q 'DMA: mapped by a scatterlist, reached through iommu' "$svg" ||
		problem "dma: the legend does not say how lab:3 is the device's"
else
	problem "dma: scripts/pictures.sh failed"
fi

# A map whose run lines disagree with its region line is refused.
if "$KD_ROOT/scripts/pictures.sh" "$samples/bad-listed.map" "$out/bad" >/dev/null 2>&1; then
	problem "bad-listed: a region listing 2 runs with 1 run line was drawn anyway"
fi
exit "$bad"
