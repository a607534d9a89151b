#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 100 load/unload cycles: no growth in Slab, VmallocUsed or used memory,
# and the module's page accounting balances.
# Sizes are chosen so that one leaked allocation per cycle would stand out
# far above the noise of free-memory accounting (per-CPU lists, direct-map
# splits): 100 x 16 KiB kmalloc = 1.6 MiB of Slab, 100 x 1 MiB vmalloc =
# 100 MiB, 100 x 256 KiB pages = 25 MiB.  A cycle's cost is mostly
# loading and unloading the module, so fewer cycles of larger allocations
# see the same leak sooner.  Not on the debug kernel (class leak), whose
# kmemleak finds leaks object by object (80-kmemleak) where this test can
# only infer them from the totals.
# kd-boot: slub
# kd-class: leak
# kd-timeout: 600
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

N=${KD_CYCLES:-100}
load() {
	kd_load kmalloc_size=16384 vmalloc_size=1048576 page_order=6 cache_objects=64
}

# Pages in the per-CPU free lists are free, though MemAvailable leaves
# them out (see kd_pcp_kb).
used() { echo $(($(kd_meminfo MemTotal) - $(kd_meminfo MemAvailable) - $(kd_pcp_kb))); }
snap() { echo "$(kd_meminfo Slab) $(kd_meminfo VmallocUsed) $(used)"; }

# Warm up: the first loads allocate the loader's one-time structures.
i=0
while [ $i -lt 5 ]; do load && kd_unload; i=$((i + 1)); done
# The pages the module takes: 2^6, and the DMA demo device's buffer.
load
pages=$(kd_load_pages "$KD_PROC")
kd_unload
sync; echo 3 >/proc/sys/vm/drop_caches
read -r slab0 vm0 used0 <<EOF
$(snap)
EOF

fails=0 i=0
while [ $i -lt "$N" ]; do
	if ! load; then
		fails=$((fails + 1)); echo "# cycle $i: load failed: $KD_LOAD_ERR"
	elif ! kd_unload; then
		fails=$((fails + 1)); echo "# cycle $i: unload failed"
	fi
	i=$((i + 1))
done
t_eq "$N cycles without a failed load or unload" 0 "$fails"
t_match "page accounting balanced on the last unload" \
	"unloaded: all memory freed \(pages: $pages allocated, $pages freed\)" "$(dmesg | tail -n 20)"

sync; echo 3 >/proc/sys/vm/drop_caches
read -r slab1 vm1 used1 <<EOF
$(snap)
EOF
t_run "Slab grew less than 1 MiB ($slab0 -> $slab1 kB)" test $((slab1 - slab0)) -lt 1024
t_run "VmallocUsed grew less than 1 MiB ($vm0 -> $vm1 kB)" test $((vm1 - vm0)) -lt 1024
t_run "used memory grew less than 12 MiB ($used0 -> $used1 kB)" test $((used1 - used0)) -lt 12288
t_clean "nothing left"
