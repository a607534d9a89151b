#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The lab's dma commands against the DMA demo device.  dma coherent SIZE is
# an experiment of coherent memory the device copies at once; dma map maps
# a kmalloc buffer (dma_map_single; a kcalloc one too), pages
# (dma_map_page) and a vmalloc area (dma_map_sgtable, one entry per run of
# pages) in each direction, and dma xfer has the device copy through the
# mapping, every byte verified, with the owner the sync calls say.
# Refused, each with its errno and changing nothing: an unknown ID, a
# second map or unmap, xfer or unmap of what is not mapped, map of a cache
# experiment, a mempool or per-CPU memory, dma_map_single of vmalloc memory,
# memory above the mask with nothing to bounce it, a mask wider than the
# device or narrower than the kernel allows.  free
# unmaps first; an unbind unmaps every mapping and frees the coherent
# experiments; devm_kzalloc memory is the driver's: devm_kfree by free
# while bound, and at an unbind the driver core frees it (the lab only
# forgets it); after it the dma commands say there is no device; rmmod
# with live mappings leaves nothing.  A mapping the device writes of a
# kmalloc object that shares its cache lines is refused.  Where the
# kernel has DMA-API debug (the debug lane), it lists the lab's mappings
# while they live, none after rmmod, and reports nothing.
# kd-boot: slub
# kd-class: kernel dma
# kd-timeout: 180
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

bits=${KD_DMA_BITS:-28}
api=/sys/kernel/debug/dma-api
apierr=$(cat "$api/error_count" 2>/dev/null)
mask=$(((1 << bits) - 1))
r=/tmp/dmalab.txt
t_run "load" kd_load_settled
kd_edu_bound || exit 0

# sect ID KEY -- KEY of [lab ID] in a fresh copy of the report.
sect() {
	cat "$KD_PROC" >"$r"
	kd_field "$r" "lab $1" "$2"
}
verified='every byte verified \([0-9]+ transfers, (MSI|INTx), [0-9]+ ms\)$'

# Coherent memory: the device's from the start.
t_lab "dma coherent 16K" ok "dma coherent 16K"
c=$(kd_lab_last)
t_eq "[lab $c]: dma_alloc_coherent's" dma_alloc_coherent "$(sect "$c" allocator)"
t_match "[lab $c]: the device and its mask" "^$bits bits: " "$(sect "$c" dma_mask)"
t_eq "[lab $c]: not copied yet" "none yet: dma xfer ID has the device copy it" "$(sect "$c" transfer)"
a=$(sect "$c" dma_addr)
t_run "[lab $c]: within the mask ($a)" test $((a + 16383)) -le "$mask"
t_lab "dma xfer $c" ok "dma xfer $c"
t_match "[lab $c]: its start and its end, there and back" \
	"^4096 bytes in 2 pieces to the device and back, $verified" "$(sect "$c" transfer)"
t_lab "dma map $c: coherent memory is no mapping" EINVAL "dma map $c"
t_lab "dma unmap $c: nor is it unmapped" EINVAL "dma unmap $c"

# A kmalloc buffer the device only reads.  Below the mask with GFP_DMA on
# a machine whose RAM the mask does not cover.
flags=GFP_KERNEL
[ "$bits" -lt 32 ] && flags=GFP_KERNEL\|GFP_DMA
t_lab "kmalloc 3000 $flags" ok "kmalloc 3000 $flags"
k=$(kd_lab_last)
t_lab "dma xfer $k before it is mapped" EINVAL "dma xfer $k"
t_lab "dma unmap $k before it is mapped" EINVAL "dma unmap $k"
t_lab "dma map $k to_device" ok "dma map $k to_device"
t_eq "[lab $k]: dma_map_single" "dma_map_single($dev, mem, 3000, DMA_TO_DEVICE)" "$(sect "$k" dma)"
t_match "[lab $k]: the device owns it once mapped" "^the device, since dma_map_single\\(\\)" "$(sect "$k" owner)"
a=$(sect "$k" dma_addr)
p=$(sect "$k" phys)
if kd_behind_iommu "$dev"; then
	t_match "[lab $k]: an I/O virtual address" "^iommu: " "$(sect "$k" via)"
	t_run "[lab $k]: dma_addr ($a) is not phys ($p)" test $((${p%-*})) -ne $((a))
elif kd_swiotlb_forced; then
	t_match "[lab $k]: bounced through swiotlb" "^swiotlb: " "$(sect "$k" via)"
	t_run "[lab $k]: dma_addr ($a) is the bounce buffer's, not phys ($p)" test $((${p%-*})) -ne $((a))
else
	t_eq "[lab $k]: dma_addr ($a) is where phys ($p) starts" $((${p%-*})) $((a))
fi
t_lab "dma map $k twice" EBUSY "dma map $k"
t_lab "dma xfer $k" ok "dma xfer $k"
t_match "[lab $k]: read by the device, its start and its end" \
	"^4096 bytes in 2 pieces read by the device, its copy checked through coherent memory, $verified" \
	"$(sect "$k" transfer)"
t_lab "dma unmap $k" ok "dma unmap $k"
t_eq "[lab $k]: no DMA lines once unmapped" "" "$(sect "$k" dma)"
t_lab "dma unmap $k twice" EINVAL "dma unmap $k"
t_lab "dma map $k bidirectional" ok "dma map $k bidirectional"
t_lab "dma xfer $k both ways" ok "dma xfer $k"
t_match "[lab $k]: there and back" "^4096 bytes in 2 pieces to the device and back, $verified" \
	"$(sect "$k" transfer)"
t_match "[lab $k]: the CPU owns it after the device's last write" \
	"^the CPU, since dma_sync_single_for_cpu\\(\\)" "$(sect "$k" owner)"
if [ -r "$api/dump" ]; then
	t_match "DMA-API debug lists the mapping of [lab $k]" "^$dev kmem_demo single .* L=bb8 DMA_BIDIRECTIONAL" \
		"$(cat "$api/dump")"
else
	t_skip "DMA-API debug lists the mapping" "no CONFIG_DMA_API_DEBUG in $(uname -r)"
fi

# A kmalloc object the device writes must own its cache lines.
t_lab "kmalloc 96 $flags" ok "kmalloc 96 $flags"
s=$(kd_lab_last)
res=$(kd_num "$KD_PROC" "lab $s" reserved)
if [ $((res % 64)) -ne 0 ]; then
	t_lab "dma map $s from_device: $res-byte objects share cache lines" EINVAL "dma map $s from_device"
else
	t_lab "dma map $s from_device: $res-byte objects own their lines" ok "dma map $s from_device"
	t_lab "dma unmap $s" ok "dma unmap $s"
fi
t_lab "dma map $s to_device: the device only reads it" ok "dma map $s to_device"
t_lab "free $s" ok "free $s"

# A helper's buffer is kmalloc's: mapped and copied as one.
t_lab "kcalloc 4 1000 $flags" ok "kcalloc 4 1000 $flags"
h=$(kd_lab_last)
t_lab "dma map $h: a kcalloc buffer" ok "dma map $h"
t_lab "dma xfer $h" ok "dma xfer $h"
t_lab "free $h" ok "free $h"

# Pages the device only writes.
t_lab "pages 1 $flags" ok "pages 1 $flags"
g=$(kd_lab_last)
t_lab "dma map $g from_device" ok "dma map $g from_device"
t_match "[lab $g]: dma_map_page" "^dma_map_page\\($dev, page, 0, [0-9]+, DMA_FROM_DEVICE\\)$" "$(sect "$g" dma)"
t_lab "dma xfer $g" ok "dma xfer $g"
t_match "[lab $g]: written by the device" \
	"^4096 bytes in 2 pieces written by the device, from coherent memory through it, $verified" \
	"$(sect "$g" transfer)"

# A vmalloc area: its pages through a scatterlist; dma_map_single refused.
vflags=
if [ "$bits" -lt 32 ]; then
	# Its pages must lie under the mask too: GFP_DMA, which vmalloc
	# takes before 6.19 only.
	if [ "$(uname -r | awk -F. '{ print $1 * 100 + $2 }')" -lt 619 ]; then
		vflags=" GFP_KERNEL|GFP_DMA"
	else
		vflags=none
	fi
fi
if [ "$vflags" != none ]; then
	t_lab "vmalloc 64K$vflags" ok "vmalloc 64K$vflags"
	v=$(kd_lab_last)
	t_lab "dma map $v single: a vmalloc address" EINVAL "dma map $v single"
	t_lab "dma map $v" ok "dma map $v"
	t_match "[lab $v]: dma_map_sgtable of its pages" \
		"^dma_map_sgtable\\($dev, sgt, DMA_BIDIRECTIONAL, 0\\), sgt from the [0-9]+ pages of the area$" \
		"$(sect "$v" dma)"
	runs=$(sect "$v" physical | sed -n 's/^\([0-9]*\) contiguous runs.*/\1/p; s/^contiguous$/1/p')
	segs=$(sect "$v" dma_addr | sed -n 's/^\([0-9]*\) DMA segments\{0,1\} from .*/\1/p')
	if kd_behind_iommu "$dev"; then
		t_run "[lab $v]: the IOMMU joins its $runs runs of pages into fewer DMA segments ($segs)" \
			test "${segs:-0}" -ge 1 -a "${segs:-0}" -le "$runs"
	else
		t_eq "[lab $v]: one DMA segment per run of pages ($runs)" "$runs" "$segs"
	fi
	t_lab "dma xfer $v" ok "dma xfer $v"
	t_match "[lab $v]: through the segments" "^[0-9]+ bytes in [0-9]+ pieces? to the device and back, $verified" \
		"$(sect "$v" transfer)"
	t_match "[lab $v]: the CPU owns it, through dma_sync_sgtable_for_cpu()" \
		"^the CPU, since dma_sync_sgtable_for_cpu\\(\\)" "$(sect "$v" owner)"
else
	t_skip "a vmalloc area through a scatterlist" "vmalloc takes no GFP_DMA on $(uname -r), and its pages lie above $bits bits"
fi

# Refusals: each changes nothing.
t_lab "cache 3" ok "cache 3"
o=$(kd_lab_last)
t_lab "percpu 64" ok "percpu 64"
pc=$(kd_lab_last)
t_lab "mempool 2 100" ok "mempool 2 100"
mp=$(kd_lab_last)
cat "$KD_PROC" >/tmp/ref.txt
kd_dmesg_mark
t_lab "dma map of a cache experiment" EINVAL "dma map $o"
t_lab "dma map of a mempool" EINVAL "dma map $mp"
t_lab "dma map of per-CPU memory" EINVAL "dma map $pc"
t_lab "dma map of an unknown ID" ENOENT "dma map 9999"
t_lab "dma xfer of an unknown ID" ENOENT "dma xfer 9999"
t_lab "dma mask wider than the device" EINVAL "dma mask $((bits + 1))"
if kd_behind_iommu "$dev"; then
	# I/O virtual addresses fit any mask: the IOMMU allocates them.
	t_lab "dma mask 16: behind an IOMMU any mask will do" ok "dma mask 16"
	t_lab "dma mask $bits again" ok "dma mask $bits"
else
	t_lab "dma mask narrower than the kernel allows" EIO "dma mask 16"
fi
t_lab "dma coherent 0" EINVAL "dma coherent 0"
t_lab "dma coherent of more than the largest block" E2BIG "dma coherent 64G"
t_lab "dma with no verb" EINVAL "dma"
t_lab "dma map with a bad direction" EINVAL "dma map $k sideways"
t_run "the refusals changed nothing" cmp -s /tmp/ref.txt "$KD_PROC"
t_match "and each named its rule" "lab: line 1 refused, EINVAL: dma: a cache or a pool is many objects" \
	"$(kd_dmesg_since)"

# Memory above the mask, nothing to bounce it: refused before the API.
if [ "$bits" -lt 32 ] && [ "$(kd_zone_managed DMA32)" -gt 0 ] && ! kd_behind_iommu "$dev"; then
	t_lab "dma mask 24: ZONE_DMA's 16 MiB" ok "dma mask 24"
	t_lab "pages 0 GFP_DMA32: above 16 MiB" ok "pages 0 GFP_DMA32"
	d=$(kd_lab_last)
	cat "$KD_PROC" >/tmp/ref.txt
	kd_dmesg_mark
	t_lab "dma map of memory above the mask" ERANGE "dma map $d"
	t_run "nothing changed" cmp -s /tmp/ref.txt "$KD_PROC"
	t_eq "the kernel did not warn: the lab refused before the DMA API" "" \
		"$(kd_dmesg_since | grep -v 'kmem_demo: lab: ' | grep -E 'WARNING|overflow|DMA_MAPPING_ERROR')"
	t_lab "dma coherent 4K under the 24-bit mask" ok "dma coherent 4K"
	a=$(sect "$(kd_lab_last)" dma_addr)
	t_run "its dma_addr ($a) lies under 16 MiB" test $((a + 4095)) -le $(((1 << 24) - 1))
	t_lab "dma mask $bits again" ok "dma mask $bits"
else
	t_skip "memory above the mask refused" "$bits bits reach all RAM here, or an IOMMU maps it"
fi

# free unmaps first.
kd_dmesg_mark
t_lab "free $g, mapped" ok "free $g"
t_match "free unmapped it first" "lab $g: mapped for the DMA demo device: unmapped before it is freed" \
	"$(kd_dmesg_since)"

# devm: the driver's memory, which the driver core frees at unbind.
t_lab "devm_kzalloc 100" ok "devm_kzalloc 100"
m=$(kd_lab_last)
cat "$KD_PROC" >/tmp/devm.txt
t_eq "devm: call" "devm_kzalloc($dev, 100, GFP_KERNEL)" "$(kd_field /tmp/devm.txt "lab $m" call)"
t_match "devm: lifetime" "^the driver's: the driver core frees it when the driver unbinds from $dev " \
	"$(kd_field /tmp/devm.txt "lab $m" lifetime)"
t_match "devm: zeroed" '^yes' "$(kd_field /tmp/devm.txt "lab $m" zeroed)"
t_lab "devm: the lab's check reads 100 zero bytes" ok "check $m 0"
t_lab "devm: no krealloc of the driver core's memory" EINVAL "krealloc $m 200"
t_lab "devm_kzalloc 200" ok "devm_kzalloc 200"
m2=$(kd_lab_last)
kd_dmesg_mark
t_lab "devm: free ID while bound" ok "free $m2"
t_match "devm: free ID is devm_kfree" "lab $m2: devm_kfree: 200 freed" "$(kd_dmesg_since)"

# An unbind: every mapping unmapped, the coherent experiment freed, the
# devm memory forgotten in remove() and freed by the driver core after it.
kd_dmesg_mark
echo "$dev" >"$drv/unbind"
t_match "unbind: the mapping of [lab $k] undone" "lab $k: unmapped: the DMA demo device is being released" \
	"$(kd_dmesg_since)"
t_match "unbind: [lab $m], devm memory, forgotten in remove()" \
	"lab $m: devm memory of the device's driver: the driver core frees it after remove\\(\\)" "$(kd_dmesg_since)"
t_match "unbind: [lab $m] released by the driver core" \
	"lab $m: devm_kzalloc: 100 bytes released by the driver core \\(devres\\)" "$(kd_dmesg_since)"
t_eq "unbind: [lab $m] gone from the report" "" "$(grep "^\[lab $m\]$" "$KD_PROC")"
t_eq "unbind: [lab $c], coherent memory, went with the device" "" "$(grep "^\[lab $c\]$" "$KD_PROC")"
t_eq "unbind: [lab $k] stays, unmapped" "" "$(sect "$k" dma)"
t_lab "dma coherent without the device" ENODEV "dma coherent 4K"
t_lab "dma map without the device" ENODEV "dma map $k"
t_lab "devm_kzalloc without the device" ENODEV "devm_kzalloc 100"
echo "$dev" >"$drv/bind"
kd_dma_settle
t_lab "bound again: dma map $k" ok "dma map $k"
t_lab "and dma xfer $k" ok "dma xfer $k"

# rmmod with live mappings and coherent memory.
t_lab "dma coherent 8K" ok "dma coherent 8K"
t_run "unload with mappings live" kd_unload
t_clean "nothing left"
if [ -r "$api/dump" ]; then
	t_eq "DMA-API debug: no mapping of the device left" "" "$(grep "^$dev " "$api/dump")"
	t_eq "DMA-API debug: no report ($api/error_count)" "$apierr" "$(cat "$api/error_count")"
fi
