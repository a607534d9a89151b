#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host test of make compare's table (scripts/compare.py) and ratio plot
# (scripts/plot.sh --ratios), from what two lanes' guests printed and a
# third lane that failed, recorded in tests/host/samples/compare/:
# - the table agrees with each lane's own report, and the failed lane is a
#   column that says so (tests/host/compare-check.py);
# - that checker finds a table whose cell no longer matches its report;
# - rows that differ and rows folded as equal are where they belong;
# - run again after a lane's kernel moved on, it says what moved;
# - the ratio plot is a well-formed SVG and a 1200x800 PNG with every lane;
# - each kernel's ratios are over its own smallest kmalloc pair.
# Prints one line per problem; silent and status 0 when all is well.
set -uo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
. "$KD_ROOT/tests/host/lib.sh"

need_pkgs python3 libxml2-utils gnuplot-nox
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
problem() { printf '%s\n' "$*"; }
# set_cell IN OUT FIELD LANE VALUE -- IN (a compare.csv) with the cell of
# FIELD's row in LANE's column set to VALUE, as OUT.
set_cell() {
	python3 - "$@" <<'PY'
import csv, sys
src, dst, field, lane, value = sys.argv[1:]
rows = list(csv.reader(open(src, newline="")))
col = rows[0].index(lane)
for r in rows[1:]:
    if r[0] == field:
        r[col] = value
csv.writer(open(dst, "w", newline=""), lineterminator="\n").writerows(rows)
PY
}
cp -r "$KD_ROOT/tests/host/samples/compare/." "$t/"

if ! out=$(python3 "$KD_ROOT/scripts/compare.py" "$t" 2>&1); then
	problem "scripts/compare.py failed: $out"
	exit 1
fi
python3 "$KD_ROOT/tests/host/compare-check.py" "$t"

# The kernels of the sample differ in kmalloc_size_roundup() (6.1 and
# later) and in alloc_pages_bulk() (5.13 and later): both stand out.
diff_part=$(sed -n '/^Differs between kernels/,/^Same on every kernel/p' "$t/compare.txt")
for want in '[lane] kernel' '[lab: kmalloc 100] roundup' '[lane] status'; do
	grep -qF "$want" <<<"$diff_part" || problem "compare.txt: '$want' is not among the rows that differ"
done
grep -q '^\[lane\] status .*ok .*ok .*failed' <<<"$diff_part" ||
	problem "compare.txt: the failed lane's status row is not 'ok ok failed...': $(grep -F '[lane] status' <<<"$diff_part")"
grep -q '^  \[kmalloc\] reserved  *4096 (4 KiB)$' "$t/compare.txt" ||
	problem "compare.txt: [kmalloc] reserved is not folded into one line"
grep -q '^alloc_pages_bulk bulk order 0 x64,-,' "$t/bench-ratios.csv" ||
	problem "bench-ratios.csv: alloc_pages_bulk is not '-' on 5.10: $(grep alloc_pages_bulk "$t/bench-ratios.csv")"
grep -qx 'kmalloc pair 8,1.00,1.00' "$t/bench-ratios.csv" ||
	problem "bench-ratios.csv: kmalloc(8) is not 1.00 on every kernel: $(grep 'kmalloc pair 8,' "$t/bench-ratios.csv")"

# A kernel whose smallest kmalloc is 128 bytes (arm64 before 6.5) is
# read by that pair: its column has ratios, not dashes.
mkdir -p "$t/small"
cp -r "$KD_ROOT/tests/host/samples/compare/." "$t/small/"
awk -F, '!($1 == "kmalloc" && $3 < 128)' "$KD_ROOT/tests/host/samples/compare/lanes/distro/bench.csv" \
	>"$t/small/lanes/distro/bench.csv"
python3 "$KD_ROOT/scripts/compare.py" "$t/small" >/dev/null 2>&1 || problem "scripts/compare.py failed without kmalloc(8)"
grep -qx 'kmalloc pair 128,[0-9.]*,1\.00' "$t/small/bench-ratios.csv" ||
	problem "bench-ratios.csv: a kernel without kmalloc(8) is not read by its kmalloc(128): $(grep 'kmalloc pair 128,' "$t/small/bench-ratios.csv")"

# A table with one value changed no longer agrees with its report.
set_cell "$t/compare.csv" "$t/x.csv" '[kmalloc] reserved' distro '8192 (8 KiB)'
cmp -s "$t/compare.csv" "$t/x.csv" && problem "could not change a cell of compare.csv for the negative test"
cp "$t/compare.csv" "$t/good.csv"
mv "$t/x.csv" "$t/compare.csv"
# (Its output is read whole: grep -q in a pipe would cut it off.)
seen=$(python3 "$KD_ROOT/tests/host/compare-check.py" "$t")
grep -q 'distro: \[kmalloc\] reserved: the table says' <<<"$seen" ||
	problem "tests/host/compare-check.py accepted a table whose cell differs from the report"

# What moved: the previous run saw another distro kernel and another slot.
mkdir -p "$t/previous"
cp "$t/lanes/run" "$t/previous/run"
set_cell "$t/good.csv" "$t/x.csv" '[lane] kernel' distro 6.1.0-1-amd64
set_cell "$t/x.csv" "$t/previous/compare.csv" '[lab: kmalloc 100] reserved' distro 96
python3 "$KD_ROOT/scripts/compare.py" "$t" >/dev/null 2>&1 || problem "scripts/compare.py failed on the second run"
moved=$(sed -n '/^Since the previous run/,/^$/p' "$t/compare.txt")
grep -q 'distro: \[lane\] kernel: 6.1.0-1-amd64 -> 6.1.0-' <<<"$moved" ||
	problem "compare.txt does not say the distro kernel moved: $moved"
grep -q 'distro: \[lab: kmalloc 100\] reserved: 96 -> 128' <<<"$moved" ||
	problem "compare.txt does not say the kmalloc 100 slot moved: $moved"
grep -q '^## Since the previous run' "$t/compare.md" || problem "compare.md has no 'Since the previous run' part"

# The ratio plot.
if ! log=$("$KD_ROOT/scripts/plot.sh" --ratios "$t/bench-ratios.csv" "$t" 2>&1); then
	problem "scripts/plot.sh --ratios failed: $log"
	exit 1
fi
xmllint --noout "$t/bench-ratios.svg" 2>/dev/null || problem "bench-ratios.svg: not well-formed XML"
for lane in bullseye distro; do
	grep -q ">$lane<" "$t/bench-ratios.svg" || problem "bench-ratios.svg: no line for $lane"
done
[ "$(png_size "$t/bench-ratios.png")" = 1200x800 ] ||
	problem "bench-ratios.png: not a 1200x800 PNG (size '$(png_size "$t/bench-ratios.png")')"
