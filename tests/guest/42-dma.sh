#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The DMA demo device: the guest's QEMU edu (PCI 1234:11e8) is bound to
# kmem_demo while it is loaded, with the DMA mask of dma_bits= (the lane's,
# KD_DMA_BITS, else 28), and the report's header and the log say so.  Its
# coherent buffer, pool blocks and streaming mapping are sections of the
# report, within the mask, dma_addr the physical address (no IOMMU), and
# the device copies each there and back, every byte verified, with
# interrupts; the streaming buffer is the CPU's again afterwards, and came
# from the zone its reach: line says.  Under swiotlb=force (the swiotlb
# lane) the streaming buffer's dma_addr is a bounce buffer's, and
# swiotlb's own count of the slots in use (debugfs) has it while loaded
# and not after rmmod.  Behind an IOMMU (the iommu lane) every dma_addr
# is an I/O virtual address under the mask, not the physical one, in a
# translating IOMMU group, and the transfers still verify, on arm64 too
# with the device's own 28 bits (the arm64-iommu lane); the benchmark's
# mappings go the same way.  There
# kernel-check agrees with each DMA section: the IOMMU group's domain,
# or swiotlb's own event of the bounce at the buffer's physical address
# and its count of slots in use.  Unloading
# while the device copies waits for that copy and leaves nothing.  Root
# may unbind and bind it again through sysfs; the report follows.  A mask
# the machine cannot serve (28 bits on arm64 virt, whose RAM starts at
# 1 GiB) leaves the device unbound, the load itself succeeds, and the
# report says what the kernel answered; no WARNING.  After rmmod nothing
# is bound.
# kd-boot: slub
# kd-class: kernel dma
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

bits=${KD_DMA_BITS:-28}
dev=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ]; then
		dev=${d##*/}
		break
	fi
done
if [ -z "$dev" ]; then
	t_fail "the guest has QEMU's edu device" "expected a PCI device 1234:11e8" \
		"saw: $(cat /sys/bus/pci/devices/*/uevent | grep PCI_ID | tr '\n' ' ')"
	exit 0
fi
t_ok "the guest has QEMU's edu device ($dev)"
drv=/sys/bus/pci/drivers/kmem_demo

tlb=/sys/kernel/debug/swiotlb/io_tlb_used
used0=$(cat "$tlb" 2>/dev/null)
kd_dmesg_mark
t_run "load" kd_load
t_run "$dev is bound to kmem_demo" test -e "$drv/$dev"
want="dma_device:  $dev, QEMU edu 1.0 (PCI 1234:11e8), DMA mask $bits bits"
t_eq "the report's header names it, with its mask" "$want" "$(grep '^dma_device:' "$KD_PROC")"
t_match "the log says so" "kmem_demo $dev: DMA demo device: QEMU edu 1\\.0, DMA mask $bits bits, (MSI|INTx)\$" \
	"$(kd_dmesg_since)"

r=/tmp/dma-report.txt
t_run "the device verifies its buffers within 10 s" kd_dma_settle
cat "$KD_PROC" >"$r"
ps=$(kd_page_size)
order=$(cat /sys/module/kmem_demo/parameters/dma_order)
mask=$(((1 << bits) - 1))
for sec in dma_coherent dma_pool dma_map; do
	t_eq "[$sec]: the device is $dev" "$dev (QEMU edu, driven by kmem_demo)" "$(kd_field "$r" $sec device)"
	t_match "[$sec]: its mask, $bits bits" "^$bits bits: " "$(kd_field "$r" $sec dma_mask)"
	t_match "[$sec]: copied there and back, every byte verified" \
		'^[0-9]+ bytes to the device and back, every byte verified \(2 transfers, (MSI|INTx), [0-9]+ ms\)$' \
		"$(kd_field "$r" $sec transfer)"
	via="direct: dma_addr is the physical address (no IOMMU)"
	[ $sec = dma_map ] && kd_swiotlb_forced &&
		via="swiotlb: dma_addr is a bounce buffer's, copied to and from this one at map, sync and unmap"
	kd_behind_iommu "$dev" && via="iommu: dma_addr is an I/O virtual address the IOMMU translates"
	t_eq "[$sec]: via ${via%%:*}" "$via" "$(kd_field "$r" $sec via)"
done
a=$(kd_field "$r" dma_coherent dma_addr)
p=$(kd_field "$r" dma_coherent phys)
size=$((ps << order))
t_eq "[dma_coherent]: 2^$order pages" "$size" "$(kd_num "$r" dma_coherent reserved)"
if kd_behind_iommu "$dev"; then
	t_match "the IOMMU translates: $dev is in an IOMMU group of type DMA" "^DMA" "$(kd_iommu_type "$dev")"
	t_eq "[dma_coherent]: remapped for the CPU, from pages anywhere" "vmalloc space" \
		"$(kd_field "$r" dma_coherent map)"
else
	t_eq "[dma_coherent]: dma_addr ($a) is where phys ($p) starts" $((${p%-*})) $((a))
fi
t_run "[dma_coherent]: all of it within the mask" test $((a + size - 1)) -le "$mask"
t_eq "[dma_pool]: four blocks listed" 4 "$(grep -c '^block [0-3]: 512 bytes, ' "$r")"
worst=0
while read -r b; do
	[ $((b + 511)) -le "$worst" ] || worst=$((b + 511))
done <<EOF
$(sed -n 's/^block [0-9]*: .* dma_addr=\(0x[0-9a-f]*\)$/\1/p' "$r")
EOF
t_run "[dma_pool]: every block within the mask" test "$worst" -gt 0 -a "$worst" -le "$mask"
# The streaming mapping: a kmalloc'd frame, mapped where it lies.
t_match "[dma_map]: a kmalloc'd frame of 1500 bytes, mapped both ways" \
	'^kmalloc\(1500, GFP_KERNEL(\|GFP_DMA)?\), then dma_map_single\([0-9a-f:.]+, buf, 1500, DMA_BIDIRECTIONAL\)$' \
	"$(kd_field "$r" dma_map call)"
a=$(kd_field "$r" dma_map dma_addr)
p=$(kd_field "$r" dma_map phys)
if kd_swiotlb_forced || kd_behind_iommu "$dev"; then
	t_run "[dma_map]: dma_addr ($a) is not phys ($p)" test $((${p%-*})) -ne $((a))
else
	t_eq "[dma_map]: dma_addr ($a) is where phys ($p) starts" $((${p%-*})) $((a))
fi
if kd_swiotlb_forced; then
	used=$(cat "$tlb" 2>/dev/null)
	t_run "[dma_map]: swiotlb counts slots in use while it is mapped ($tlb: ${used:-none})" \
		test "${used:-0}" -ge 1
fi
t_run "[dma_map]: all of it within the mask" test $((a + 1499)) -le "$mask"
t_match "[dma_map]: the CPU owns it after the device's last write" '^the CPU, since dma_sync_single_for_cpu\(\)' \
	"$(kd_field "$r" dma_map owner)"
reach=$(kd_field "$r" dma_map reach)
flags=$(kd_field "$r" dma_map call | sed 's/^kmalloc(1500, \([A-Z_|0-9]*\)).*/\1/')
case $reach in
*IOMMU*)
	t_eq "[dma_map]: reach: anywhere, behind the IOMMU" "GFP_KERNEL: anywhere, the IOMMU maps the pages it is given" "$reach"
	;;
GFP_DMA:*)
	t_eq "[dma_map]: reach: GFP_DMA, so kmalloc was called with it" GFP_KERNEL\|GFP_DMA "$flags"
	t_eq "[dma_map]: and the buffer is in ZONE_DMA" DMA "$(kd_field "$r" dma_map zone)"
	;;
*)
	t_match "[dma_map]: reach: GFP_KERNEL, the mask reaches all RAM" "^GFP_KERNEL: a $bits-bit mask reaches all " "$reach"
	t_eq "[dma_map]: so kmalloc was called with GFP_KERNEL" GFP_KERNEL "$flags"
	;;
esac
irqs=$(awk '/kmem_demo/ { n = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }' /proc/interrupts)
t_run "the device raised 6 interrupts or more (/proc/interrupts: ${irqs:-none})" test "${irqs:-0}" -ge 6

echo "$dev" >"$drv/unbind"
t_run "root unbinds it through sysfs" test ! -e "$drv/$dev"
t_match "the report says no device is bound" '^dma_device:  none: no QEMU edu device' "$(cat "$KD_PROC")"
t_eq "the report shows no buffer of it" "" "$(grep -E '^\[dma_(coherent|pool|map)\]' "$KD_PROC")"
echo "$dev" >"$drv/bind"
t_run "and binds it again" test -e "$drv/$dev"
t_eq "the report names it again" "$want" "$(grep '^dma_device:' "$KD_PROC")"
kd_dma_settle
t_eq "and the device verifies its new buffers" 3 "$(grep -c '^transfer: .* every byte verified' "$KD_PROC")"
t_run "unload" kd_unload
t_run "after rmmod no driver is left" test ! -e "$drv"
if kd_swiotlb_forced; then
	t_eq "swiotlb: after rmmod, no slot of the module's left in use" "$used0" "$(cat "$tlb" 2>/dev/null)"
fi

# Unloading while the device copies: remove() waits for that transfer.
kd_dmesg_mark
# The transfers start 200 ms after the device is set up; each takes 100 ms.
t_run "load, and unload while the device copies" \
	sh -c "insmod $KD_KO ${KD_DMA_BITS:+dma_bits=$KD_DMA_BITS} && usleep 250000 && rmmod kmem_demo"
t_eq "no transfer went wrong" "" "$(kd_dmesg_since | grep -E 'kmem_demo.*(not right|did not end)')"

# The benchmark's DMA cases go the same way: its streaming mappings through
# swiotlb's bounce buffers, or everything through the IOMMU.
if kd_swiotlb_forced || kd_behind_iommu "$dev"; then
	how=swiotlb
	kd_behind_iommu "$dev" && how=iommu
	kd_load
	t_run "bench quick" sh -c 'echo "bench quick" >/proc/kmem_demo'
	t_eq "bench: its three dma_map_single cases went through $how" "$how $how $how" \
		"$(awk -F, '$1 == "dma_map_single" && $13 == 0 { printf "%s%s", s, $2; s = " " }' /proc/kmem_demo_bench.csv)"
	kd_unload
fi

# The kernel's own view of how the device reaches the memory.
if kd_swiotlb_forced || kd_behind_iommu "$dev"; then
	out=$(KD_CHECK_DIR=/tmp/kc42 KD_CHECK_PARAMS=${KD_DMA_BITS:+dma_bits=$KD_DMA_BITS} \
		sh /kd/kernel-check.sh 2>&1)
	st=$?
	echo "$out" | sed -n '/^\[dma_/,/^[0-9]* agree/p' | sed 's/^/# /'
	t_eq "kernel-check: exit 0" 0 "$st"
	for sec in dma_coherent dma_pool dma_map; do
		t_match "kernel-check: [$sec] agrees" "^  verdict +agrees$" \
			"$(kd_check_section "$sec" "$out")"
	done
	if kd_swiotlb_forced; then
		t_match "kernel-check: swiotlb's own event of the bounce of [dma_map]" \
			'^  swiotlb:swiotlb_bounced +dev_addr=0x[0-9a-f]+ size=1500 ' "$out"
		t_match "kernel-check: and its count of slots in use" \
			'^  swiotlb +io_tlb_used [1-9][0-9]* of io_tlb_nslabs 8192 slots$' "$out"
	else
		t_match "kernel-check: the device's IOMMU group translates" "^  iommu_group +$dev domain type DMA" "$out"
	fi
	kd_unload
fi

# A mask the machine cannot serve: on arm64 virt no RAM is within 28 bits.
if [ "$bits" != 28 ]; then
	kd_dmesg_mark
	t_run "load with dma_bits=28" kd_load dma_bits=28
	t_run "$dev stays unbound" test ! -e "$drv/$dev"
	t_match "the report says what the kernel answered" \
		"^dma_device:  $dev refused: dma_set_mask_and_coherent\\(DMA_BIT_MASK\\(28\\)\\) = -?(EIO|5): " \
		"$(cat "$KD_PROC")"
	t_match "the log too" "kmem_demo $dev: not the DMA demo device: dma_set_mask_and_coherent" \
		"$(kd_dmesg_since)"
	t_run "unload" kd_unload
elif kd_behind_iommu "$dev"; then
	t_skip "a mask this machine cannot serve" "behind the IOMMU 28 bits reach all of RAM, at I/O virtual addresses"
else
	t_skip "a mask this machine cannot serve" "28 bits reach RAM here"
fi
t_clean "nothing left"
