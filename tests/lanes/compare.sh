#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/lanes/compare.sh -- the compare lane: "make compare" for real, on two
# kernels (bullseye's 5.10 and the distro lane's), plus the host lane with
# a KVER that is not installed, forced to fail; KTAP on stdout.
#   exit        make compare exits non-zero and says which lane failed
#   failed      the host lane is a column marked failed, with the reason
#   columns     the two other lanes reported, each its own kernel
#   table       every value equals that lane's own report, folded rows are
#               equal on every lane, the CSV parses with its header row
#               (tests/host/compare-check.py)
#   differs     what 6.1 has and 5.10 lacks stands out: kmalloc_size_roundup()
#   dma         the lab's mapping for the DMA demo device is a row on each
#               kernel: mapped directly, and the device's copy verified
#   printed     the table on the terminal is compare.txt
set -euo pipefail
. "$(dirname "$0")/../../vm/lib.sh"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
KD_TAP_LANE=compare

echo 'KTAP version 1'
echo '1..7'
lab='kmalloc 100; kmalloc 10; kvmalloc 5M; vmalloc 1M; pages 3 GFP_DMA32; kmalloc 0; vmalloc 1M GFP_ATOMIC; free 3; kmalloc 4096 GFP_DMA; dma map 6 to_device; dma xfer 6'
rc=0
make -s -C "$KD_ROOT" compare LANES="bullseye distro host" KVER=0.0.0-kd-none \
	LAB="$lab" OUT="$out" >"$out/stdout" 2>"$out/stderr" || rc=$?
tail_of() { tail -n 40 "$out/stderr" | sed 's/^/stderr: /'; }

last=$(grep "error: " "$out/stderr" | tail -n 1)
if [ "$rc" -ne 0 ] && [[ $last == *"1 of 3 lanes failed (host)"* ]]; then
	kd_ok exit
else
	kd_not_ok exit 'a non-zero exit, the last error naming 1 of 3 lanes failed (host)' \
		"exit $rc, last error: $last"$'\n'"$(tail_of)"
fi

status() { cat "$out/lanes/$1/status" 2>/dev/null || echo '(no status)'; }
csv_cell() {
	python3 - "$out/compare.csv" "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
col = rows[0].index(sys.argv[3]) if sys.argv[3] in rows[0] else None
print(next((r[col] for r in rows[1:] if col is not None and r[0] == sys.argv[2]), "(no cell)"))
PY
}
why='host lane: kernel 0.0.0-kd-none is not installed here (no /lib/modules/0.0.0-kd-none).'
seen="$(status host) $(csv_cell '[lane] status' host 2>&1) $(csv_cell '[kmalloc] reserved' host 2>&1)"
if [ "$seen" = "failed failed: $why failed" ]; then
	kd_ok failed
else
	kd_not_ok failed "failed failed: $why failed" "$seen"$'\n'"$(tail_of)"
fi

seen=''
for l in bullseye distro; do
	seen+="$l:$(status "$l"):$(csv_cell '[lane] kernel' "$l" 2>&1) "
done
want="bullseye:ok:$(cat "$out/lanes/bullseye/kernel" 2>/dev/null) distro:ok:$(cat "$out/lanes/distro/kernel" 2>/dev/null) "
if [[ $seen =~ ^bullseye:ok:5\.10\..*\ distro:ok:[0-9].*\ $ ]] && [ "$seen" = "$want" ]; then
	kd_ok columns
else
	kd_not_ok columns "$want (bullseye a 5.10 kernel)" "$seen"$'\n'"$(tail_of)"
fi

problems=$(python3 "$KD_ROOT/tests/host/compare-check.py" "$out" 2>&1) || true
if [ -z "$problems" ]; then
	kd_ok table
else
	kd_not_ok table 'no problem found by tests/host/compare-check.py' "$problems"$'\n'"$(tail_of)"
fi

kd_check differs '(absent)|128 (kmalloc_size_roundup(100))' \
	"$(csv_cell '[lab: kmalloc 100] roundup' bullseye)|$(csv_cell '[lab: kmalloc 100] roundup' distro)"

kd_check dma 'ok|direct|ok|direct' \
	"$(csv_cell '[lab: dma xfer 6] result' bullseye)|$(csv_cell '[lab: kmalloc 4096 GFP_DMA] via' bullseye | sed 's/:.*//')|$(csv_cell '[lab: dma xfer 6] result' distro)|$(csv_cell '[lab: kmalloc 4096 GFP_DMA] via' distro | sed 's/:.*//')"

if cmp -s "$out/stdout" "$out/compare.txt" && [ -s "$out/stdout" ]; then
	kd_ok printed
else
	kd_not_ok printed "the terminal's table is compare.txt" \
		"$(diff "$out/compare.txt" "$out/stdout" 2>&1 | head -n 20)"
fi
