#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/plot.sh CSV [OUTDIR] -- draw a benchmark CSV (vm/bench.sh) with gnuplot:
#   <name>-ns.{png,svg}      ns per operation against size, log-log, one
#                            line per allocator and pattern
#   <name>-ns-per-kib.{png,svg}  ns per KiB against size: the per-byte cost
# Prints the paths.  Failed rows (error != 0) are left out.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

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
	for term in png svg; do
		if [ $term = png ]; then
			set_term="set terminal pngcairo size 1200,800 noenhanced font 'sans,10'"
		else
			set_term="set terminal svg size 1200,800 dynamic noenhanced font 'sans,10'"
		fi
		gnuplot <<GP
$set_term
set output '$out/$stem.$term'
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
		echo "$out/$stem.$term"
	done
}
plot "$name-ns" 'ns per operation (median, empty loop subtracted)' '1:2'
# shellcheck disable=SC2016 # $1 and $2 are gnuplot columns
plot "$name-ns-per-kib" 'ns per KiB (median)' '1:($2 * 1024 / $1)'
