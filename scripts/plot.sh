#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/plot.sh CSV [OUTDIR] -- draw a benchmark CSV (vm/bench.sh) with gnuplot:
#   <name>-ns.{png,svg}      ns per operation against size, log-log, one
#                            line per allocator and pattern
#   <name>-ns-per-kib.{png,svg}  ns per KiB against size: the per-byte cost
# Prints the paths.  Failed rows (error != 0) are left out.
# scripts/plot.sh --ratios CSV [OUTDIR] -- make compare's ratios
# (scripts/compare.py: a row per case, a column per kernel, "-" where a
# kernel has no such case) as <name>.{png,svg}: every case over that
# kernel's own smallest kmalloc pair, log scale, one line per kernel.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

# term EXT -- gnuplot's terminal for a PNG or an SVG, both 1200x800.
term() {
	if [ "$1" = png ]; then
		echo "set terminal pngcairo size 1200,800 noenhanced font 'sans,10'"
	else
		echo "set terminal svg size 1200,800 dynamic noenhanced font 'sans,10'"
	fi
}

if [ "${1:-}" = --ratios ]; then
	csv=${2:?usage: scripts/plot.sh --ratios CSV [OUTDIR]}
	out=${3:-$(dirname "$csv")}
	need_pkgs gnuplot-nox
	name=$(basename "$csv" .csv)
	cols=$(head -n1 "$csv" | awk -F, '{ print NF }')
	if [ "$cols" -lt 2 ] || [ "$(wc -l <"$csv")" -lt 2 ]; then
		kd_die "no ratios to plot in $csv"
	fi
	for ext in png svg; do
		gnuplot <<GP
$(term "$ext")
set output '$out/$name.$ext'
set title "kmem_demo bench: each case over the kernel's own smallest kmalloc pair (median)"
set datafile separator ','
set datafile missing '-'
set logscale y 2
set format y '%g'
set ylabel 'ratio to the smallest kmalloc, alloc + free'
set xtics rotate by -60 font 'sans,8'
set bmargin 12
set key outside right
set grid
plot for [i=2:$cols] '$csv' using 0:i:xtic(1) with linespoints title columnheader(i)
GP
		echo "$out/$name.$ext"
	done
	exit 0
fi

csv=${1:?usage: scripts/plot.sh CSV [OUTDIR]}
out=${2:-$(dirname "$csv")}
need_pkgs gnuplot-nox
name=$(basename "$csv" .csv)
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT

# One data file per allocator/pattern series: "size median_ns" (a batch's
# size varies with the object size, so "batch" is one series; bulk sizes
# are series of their own).
awk -F, -v d="$data" '
	/^#/ || $1 == "allocator" || $13 != 0 || $1 == "empty" { next }
	{ s = $1 "-" $2 (($2 == "bulk") ? $5 : "")
	  f = d "/" s ".dat"; print $3, $9 > f
	  if (!(s in seen)) { seen[s] = 1; print s > (d "/series") } }' "$csv"
[ -s "$data/series" ] || kd_die "no rows to plot in $csv"
title=$(sed -n 's/^# kernel: //p' "$csv" | head -n1)
accel=$(sed -n 's/^# lane: .*-accel \([a-z]*\).*/\1/p' "$csv" | head -n1)

# plot FILE-STEM YLABEL USING -- one chart in PNG and SVG.
plot() {
	local stem=$1 ylabel=$2 using=$3 s cmd=''
	while read -r s; do
		cmd+="${cmd:+, }'$data/$s.dat' using $using with linespoints title '$s'"
	done <"$data/series"
	for ext in png svg; do
		gnuplot <<GP
$(term "$ext")
set output '$out/$stem.$ext'
set title "kmem_demo bench: $title${accel:+ ($accel)}"
set logscale xy 2
set format x '%.0b %BB'
set format y '%.0s %c'
set xlabel 'size (bytes)'
set ylabel '$ylabel'
set key outside right
set grid
plot $cmd
GP
		echo "$out/$stem.$ext"
	done
}
plot "$name-ns" 'ns per operation (median, empty loop subtracted)' '1:2'
# shellcheck disable=SC2016 # $1 and $2 are gnuplot columns
plot "$name-ns-per-kib" 'ns per KiB (median)' '1:($2 * 1024 / $1)'
