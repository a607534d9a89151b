#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/pictures.sh [--title TEXT] MAP OUTDIR -- draw the two pictures of a
# saved /proc/kmem_demo_map (vm/run.sh saves one per "make run"):
# OUTDIR/memmap.{svg,png}, the guest's page frames with each allocation's
# frames coloured, and OUTDIR/vmalloc.{svg,png}, each vmalloc area's page
# index against the frame behind it.  SVG from scripts/pictures.py (Python's
# standard library only), PNG from rsvg-convert (librsvg2-bin).  Prints the
# paths of the four files.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

title=kmem_demo
if [ "${1:-}" = --title ]; then
	title=${2:?--title needs text}
	shift 2
fi
[ $# -eq 2 ] || kd_die "usage: scripts/pictures.sh [--title TEXT] MAP OUTDIR"
map=$1 out=$2
need_pkgs python3 librsvg2-bin
mkdir -p "$out"
/usr/bin/python3 "$KD_ROOT/scripts/pictures.py" --title "$title" "$map" "$out" ||
	kd_die "could not draw $map"
for p in memmap vmalloc; do
	# The SVG's width and height are pixels: the PNG gets exactly them.
	rsvg-convert -f png -o "$out/$p.png" "$out/$p.svg" ||
		kd_die "rsvg-convert failed on $out/$p.svg"
	printf '%s\n' "$out/$p.svg" "$out/$p.png"
done
