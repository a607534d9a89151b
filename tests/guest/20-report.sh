#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /proc/kmem_demo at the default parameters, its fields checked against
# the kernel's own views: the area in /proc/vmallocinfo (size with its guard
# page, caller, page count, address), /sys/kernel/slab/kmem_demo (object
# size, alignment, objects in use), VmallocUsed in /proc/meminfo before,
# during and after; the pages' frames contiguous and aligned to their order.
# kd-boot: slub
# kd-class: kernel numa
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

r=/tmp/report.txt
vm0=$(kd_meminfo VmallocUsed)
t_run "load with default parameters" kd_load
cat "$KD_PROC" >"$r"
vm1=$(kd_meminfo VmallocUsed)
ps=$(kd_page_size)

for w in kmalloc vmalloc __get_free_pages kmem_cache; do
	t_match "report has a [$w] section" "^\[$w\]\$" "$(cat "$r")"
done
t_eq "header: page size" "$ps" "$(kd_num "$r" "" page_size)"
t_eq "header: parameters" \
	"kmalloc_size=4096 vmalloc_size=8388608 page_order=2 cache_objects=8" \
	"$(kd_field "$r" "" params)"
t_eq "header: root opener sees physical frames" shown "$(kd_field "$r" "" physical)"

# gfp: decoded from the value passed (%pGg), with the raw value beside it.
for s in kmalloc vmalloc __get_free_pages kmem_cache; do
	t_match "$s: gfp decoded" '^GFP_KERNEL\|__GFP_ZERO \(0x[0-9a-f]+\)$' \
		"$(kd_field "$r" "$s" gfp)"
done

# kmalloc: 4096 is a size class of its own, so nothing is wasted.
t_eq "kmalloc: call" "kmalloc(4096, GFP_KERNEL|__GFP_ZERO)" "$(kd_field "$r" kmalloc call)"
t_eq "kmalloc: requested" 4096 "$(kd_num "$r" kmalloc requested)"
t_eq "kmalloc: reserved (ksize)" 4096 "$(kd_num "$r" kmalloc reserved)"
t_eq "kmalloc: slack" 0 "$(kd_num "$r" kmalloc slack)"
t_eq "kmalloc: direct map" "direct map" "$(kd_field "$r" kmalloc map)"
t_eq "kmalloc: physically contiguous" contiguous "$(kd_field "$r" kmalloc physical)"

# vmalloc: 2048 pages, scattered; the kernel lists the area with our caller.
pages=$((8388608 / ps))
t_eq "vmalloc: requested" 8388608 "$(kd_num "$r" vmalloc requested)"
t_eq "vmalloc: pages" "$pages" "$(kd_num "$r" vmalloc pages)"
t_eq "vmalloc: vmalloc space" "vmalloc space" "$(kd_field "$r" vmalloc map)"
t_match "vmalloc: physical runs" '^[0-9]+ contiguous runs, longest [0-9]+ pages$' \
	"$(kd_field "$r" vmalloc physical)"
runs=$(kd_field "$r" vmalloc physical | awk '{ print $1 }')
longest=$(kd_field "$r" vmalloc physical | awk '{ print $5 }')
t_run "vmalloc: 1 <= runs <= pages, longest <= pages" \
	test "$runs" -ge 1 -a "$runs" -le "$pages" -a "$longest" -le "$pages"
area=$(kd_vmallocinfo | awk -v sz=$((8388608 + ps)) '$2 == sz')
t_match "vmallocinfo: 8 MiB + guard page, caller kd_alloc_vmalloc, $pages pages" \
	"kd_alloc_vmalloc\+0x[0-9a-f]+/0x[0-9a-f]+ \[kmem_demo\] pages=$pages vmalloc" "$area"
# Both files show root what %pK shows it: the same pointer, the same text.
t_eq "vmallocinfo: area starts at the report's address" \
	"0x$(kd_field "$r" vmalloc address)" "$(echo "$area" | sed 's/-.*//')"
t_run "meminfo: VmallocUsed grew by at least 8 MiB ($vm0 -> $vm1 kB)" \
	test $((vm1 - vm0)) -ge 8192

# __get_free_pages: order 2 is 4 physically consecutive frames.
t_eq "pages: call" "__get_free_pages(GFP_KERNEL|__GFP_ZERO, 2)" \
	"$(kd_field "$r" __get_free_pages call)"
t_eq "pages: reserved" $((4 * ps)) "$(kd_num "$r" __get_free_pages reserved)"
t_eq "pages: 4 pages" 4 "$(kd_num "$r" __get_free_pages pages)"
# "pfn: 0xFIRST-0xLAST"; shell arithmetic reads the 0x numbers.
pfn=$(kd_field "$r" __get_free_pages pfn)
t_eq "pages: PFN range spans 4 frames ($pfn)" 3 $((${pfn#*-} - ${pfn%-*}))
t_eq "pages: naturally aligned to the order" 0 $((${pfn%-*} % 4))
# phys: the allocation's own bytes, whatever the page size (a 4096-byte
# kmalloc on 16 KiB pages is a quarter of its page).
for s in kmalloc __get_free_pages; do
	phys=$(kd_field "$r" "$s" phys)
	t_eq "$s: phys range ($phys) spans exactly the reserved bytes" \
		"$(kd_num "$r" "$s" reserved)" $((${phys#*-} - ${phys%-*} + 1))
done
pfn=$(kd_field "$r" kmalloc pfn)
t_run "kmalloc: PFN range is one or two consecutive frames ($pfn)" \
	test $((${pfn#*-} - ${pfn%-*})) -le 1

# kmem_cache: what slab's own sysfs says about our cache.
t_eq "cache: name" kmem_demo "$(kd_field "$r" kmem_cache name)"
t_eq "cache: objects" 8 "$(kd_num "$r" kmem_cache objects)"
t_eq "cache: 8 object lines, ids 0..7" "0 1 2 3 4 5 6 7" \
	"$(sed -n 's/^object \([0-9]*\): tag=obj-000\1 .*/\1/p' "$r" | tr '\n' ' ' | sed 's/ $//')"
t_run "slab: $KD_SLAB exists (not merged under slub_debug)" test -d "$KD_SLAB" -a ! -L "$KD_SLAB"
t_eq "slab: object_size" "$(kd_num "$r" kmem_cache object_size)" "$(cat $KD_SLAB/object_size)"
t_eq "slab: align" "$(kd_num "$r" kmem_cache align)" "$(cat $KD_SLAB/align)"
t_eq "slab: objects in use" 8 "$(awk '{ print $1 }' $KD_SLAB/objects)"
t_run "slab: slot with debug metadata >= slot_size" \
	test "$(cat $KD_SLAB/slab_size)" -ge "$(kd_num "$r" kmem_cache slot_size)"
t_eq "cache: reserved = objects x slot" \
	$((8 * $(kd_num "$r" kmem_cache slot_size))) "$(kd_num "$r" kmem_cache reserved)"

t_run "unload" kd_unload
vm2=$(kd_meminfo VmallocUsed)
t_run "meminfo: VmallocUsed back within 1 MiB ($vm0 -> $vm2 kB)" \
	test $((vm2 - vm0)) -lt 1024 -a $((vm0 - vm2)) -lt 1024
t_clean "nothing left after unload"
