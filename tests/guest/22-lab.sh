#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The lab at good values: every command, checked against the kernel's own
# views.  kmalloc from 1 byte to KMALLOC_MAX_SIZE against the kmalloc caches
# in /sys/kernel/slab and kmalloc_size_roundup(); vmalloc 1 as one page plus
# a guard page, kd_lab_vmalloc the caller in /proc/vmallocinfo; kvmalloc
# below and above its switch; pages at order 0 and at the largest order;
# GFP_DMA and GFP_DMA32 zones (/proc/zoneinfo) and physical limits; cache in
# the slab's object count; multi-line writes; IDs never reused; free and
# free all giving VmallocUsed, slab objects and the page accounting back;
# unload with experiments live.
# kd-boot: slub
# kd-class: kernel numa
# kd-timeout: 120
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

r=/tmp/lab.txt
ps=$(kd_page_size)
maxo=$(kd_max_order)
kmax=$((ps << maxo))	# KMALLOC_MAX_SIZE: the largest buddy block
# Room for a kvmalloc above KMALLOC_MAX_SIZE, even in 2 MiB (or, with
# 16 KiB pages, 32 MiB) huge-page steps.
t_run "load with lab_max_bytes=256 MiB" kd_load_settled lab_max_bytes=268435456
cat "$KD_PROC" >/tmp/before.txt
t_eq "header: no experiments yet" 0 "$(kd_lab_live /tmp/before.txt)"
t_eq "file mode: readable by all, writable by its owner (root)" \
	"-rw-r--r-- root" "$(stat -c '%A %U' "$KD_PROC")"

# exp DESC LINE -- run one command, save the report, set $id to its ID.
exp() {
	if [ "$(kd_lab "$2")" = ok ]; then
		id=$(kd_lab_last)
		cat "$KD_PROC" >"$r"
		return 0
	fi
	t_fail "$1: \"$2\" accepted" "$(kd_dmesg_since | tail -n 3)"
	id=none
	: >"$r"
	return 1
}

# phys_span SECTION -- bytes covered by "phys: 0xA-0xB".
phys_span() {
	_p=$(kd_field "$r" "$1" phys)
	echo $((${_p#*-} - ${_p%-*} + 1))
}

# --- kmalloc: the size classes -------------------------------------------
kd_dmesg_mark
for size in 1 8 24 100 128 129 200 1000 3000 4096 5000 8192 8193 100000 "$kmax"; do
	want=$(kd_kmalloc_class "$size")
	exp "kmalloc $size" "kmalloc $size" || continue
	s="lab $id"
	t_eq "kmalloc $size: reserved is the kernel's class ($want)" "$want" \
		"$(kd_num "$r" "$s" reserved)"
	t_eq "kmalloc $size: slack" $((want - size)) "$(kd_num "$r" "$s" slack)"
	roundup=$(kd_num "$r" "$s" roundup)
	if [ -n "$roundup" ]; then
		t_eq "kmalloc $size: kmalloc_size_roundup() agrees" "$want" "$roundup"
	fi
	t_eq "kmalloc $size: call" "kmalloc($size, GFP_KERNEL)" "$(kd_field "$r" "$s" call)"
	t_eq "kmalloc $size: direct map, contiguous" "direct map contiguous" \
		"$(kd_field "$r" "$s" map) $(kd_field "$r" "$s" physical)"
	t_eq "kmalloc $size: phys spans its reserved bytes" "$want" "$(phys_span "$s")"
	t_lab "kmalloc $size: free $id" ok "free $id"
done
t_match "log: one line per experiment, with ID, call, reserved size, where" \
	"kmem_demo: lab $id: kmalloc\($kmax, GFP_KERNEL\): reserved $kmax .* at [0-9a-f]+ \(direct map\)\$" \
	"$(kd_dmesg_since)"
t_match "log: a free names the free function" \
	"kmem_demo: lab $id: kfree: $kmax .*freed\$" "$(kd_dmesg_since)"

# --- vmalloc: whole pages, a guard page, our function as the caller -------
exp "vmalloc 1" "vmalloc 1" && {
	t_eq "vmalloc 1: one page reserved" "$ps" "$(kd_num "$r" "lab $id" reserved)"
	t_eq "vmalloc 1: vmalloc space, one run" "vmalloc space|1 contiguous runs, longest 1 pages" \
		"$(kd_field "$r" "lab $id" map)|$(kd_field "$r" "lab $id" physical)"
	area=$(kd_vmallocinfo | grep 'kd_lab_vmalloc+')
	t_match "vmallocinfo: one page + guard, caller kd_lab_vmalloc, pages=1" \
		"^0x[0-9a-f]+-0x[0-9a-f]+ +$((2 * ps)) kd_lab_vmalloc\+0x[0-9a-f]+/0x[0-9a-f]+ \[kmem_demo\] pages=1 vmalloc" "$area"
	t_eq "vmallocinfo: the area starts at the report's address" \
		"0x$(kd_field "$r" "lab $id" address)" "${area%%-*}"
	t_lab "vmalloc 1: free" ok "free $id"
}
t_eq "vmallocinfo: the area is gone after free" "" "$(kd_vmallocinfo | grep 'kd_lab_vmalloc+')"
exp "vmalloc 3 pages + 1" "vmalloc $((3 * ps + 1))" && {
	t_eq "vmalloc 3 pages + 1: 4 pages" 4 "$(kd_num "$r" "lab $id" pages)"
	t_lab "free it" ok "free $id"
}

# --- kvmalloc: kmalloc below its switch, vmalloc above --------------------
for size in 100 "$ps"; do
	exp "kvmalloc $size" "kvmalloc $size" && {
		t_match "kvmalloc $size: served by kmalloc" '^kmalloc ' \
			"$(kd_field "$r" "lab $id" allocator)"
		t_eq "kvmalloc $size: direct map" "direct map" "$(kd_field "$r" "lab $id" map)"
		t_lab "free it" ok "free $id"
	}
done
size=$((kmax + 1))
exp "kvmalloc KMALLOC_MAX_SIZE + 1" "kvmalloc $size" && {
	t_match "kvmalloc $size: kmalloc cannot, vmalloc serves it" '^vmalloc ' \
		"$(kd_field "$r" "lab $id" allocator)"
	res=$(kd_num "$r" "lab $id" reserved)
	pages=$(kd_num "$r" "lab $id" pages)
	t_run "kvmalloc $size: reserved ($res) covers the request in whole pages" \
		test "$res" -ge "$size" -a $((res % ps)) -eq 0
	t_eq "kvmalloc $size: pages = reserved / page size" $((res / ps)) "$pages"
	area=$(kd_vmallocinfo | grep 'kd_lab_kvmalloc+')
	t_match "vmallocinfo: reserved + guard, caller kd_lab_kvmalloc, pages=$pages" \
		" $((res + ps)) kd_lab_kvmalloc\+0x[0-9a-f]+/0x[0-9a-f]+ \[kmem_demo\] pages=$pages vmalloc" "$area"
	echo "# kvmalloc $size: $(kd_field "$r" "lab $id" physical)"
	t_lab "free it" ok "free $id"
}

# --- pages: order 0, the largest order, zones -----------------------------
exp "pages 0" "pages 0" && {
	t_eq "pages 0: one page" "1 $ps" "$(kd_num "$r" "lab $id" pages) $(kd_num "$r" "lab $id" reserved)"
	t_eq "pages 0: call" "alloc_pages(GFP_KERNEL, 0)" "$(kd_field "$r" "lab $id" call)"
	t_eq "pages 0: phys spans one page" "$ps" "$(phys_span "lab $id")"
	t_lab "free it" ok "free $id"
}
# The largest block may be gone on a busy machine: then a clean ENOMEM.
out=$(kd_lab "pages $maxo GFP_KERNEL|__GFP_NOWARN")
if [ "$out" = ok ]; then
	id=$(kd_lab_last)
	cat "$KD_PROC" >"$r"
	pfn=$(kd_field "$r" "lab $id" pfn)
	t_eq "pages $maxo (largest order): 2^$maxo pages" $((1 << maxo)) "$(kd_num "$r" "lab $id" pages)"
	t_eq "pages $maxo: naturally aligned" 0 $((${pfn%-*} % (1 << maxo)))
	t_lab "free it" ok "free $id"
else
	t_eq "pages $maxo (largest order): done, or a clean ENOMEM" ENOMEM "$out"
fi

# zone_test FLAG ZONE LIMIT -- "pages 2 FLAG" lands in ZONE, below LIMIT.
zone_test() {
	exp "pages 2 $1" "pages 2 $1" || return
	_phys=$(kd_field "$r" "lab $id" phys)
	t_run "$1: phys ($_phys) below $3" test $((${_phys#*-})) -lt $(($3))
	if [ "$(kd_zone_managed "$2")" -gt 0 ]; then
		t_eq "$1: zone $2" "$2" "$(kd_field "$r" "lab $id" zone)"
	else
		t_skip "$1: zone $2" "this machine has no $2 zone ($(kd_field "$r" "lab $id" zone) serves it; arm64 -M virt puts the first 4 GiB in DMA)"
	fi
	t_lab "free it" ok "free $id"
}
zone_test GFP_DMA32 DMA32 0x100000000
if [ "$(uname -m)" = x86_64 ]; then
	zone_test GFP_DMA DMA 0x1000000
else
	zone_test GFP_DMA DMA 0x100000000
fi

# --- cache: more objects in the module's own cache ------------------------
o0=$(kd_slab_objects)
exp "cache 10" "cache 10" && {
	t_eq "cache 10: the slab's objects grew by 10" $((o0 + 10)) "$(kd_slab_objects)"
	t_eq "cache 10: call" "kmem_cache_alloc(cache, GFP_KERNEL) x 10" "$(kd_field "$r" "lab $id" call)"
	t_eq "cache 10: reserved = 10 slots" \
		$((10 * $(kd_num /tmp/before.txt kmem_cache slot_size))) "$(kd_num "$r" "lab $id" reserved)"
	t_lab "free it" ok "free $id"
}
t_eq "cache: objects back after free" "$o0" "$(kd_slab_objects)"

# --- several lines in one write; IDs never reused; free all ---------------
vm0=$(kd_meminfo VmallocUsed)
before=$(kd_lab_last)
last=$id
printf 'kmalloc 10\nvmalloc 1M\nbogus\nkmalloc 30\n' >/tmp/cmds
t_match "a write of 4 lines, the 3rd bad: EINVAL" "Invalid argument" \
	"$(dd if=/tmp/cmds of="$KD_PROC" bs=4096 2>&1)"
t_eq "the lines before the bad one stay done, the one after never ran" \
	"$((last + 1)) $((last + 2))" "$(kd_lab_ids)"
# A later line's failure is a short write: the count of the lines that ran
# (11 bytes, "kmalloc 20\n"), then the retry of the rest gets the error.
t_eq "a write whose 2nd line is bad returns the 1st line's bytes, then EINVAL" \
	"wrote 11 of 17
EINVAL" "$(kd-lab write -s "kmalloc 20" "bogus" 2>&1)"
t_eq "the good line ran once" "$((last + 1)) $((last + 2)) $((last + 3))" "$(kd_lab_ids)"
t_eq "a write whose 1st line is bad returns its error at once" \
	"wrote -1 of 17
EINVAL" "$(kd-lab write -s "bogus" "kmalloc 20" 2>&1)"
t_lab "a write of several good lines" ok "pages 1" "cache 3" "kvmalloc 64K" "vmalloc 64K GFP_KERNEL|__GFP_ZERO"
t_eq "IDs are new, in order, never reused" \
	"$((last + 1)) $((last + 2)) $((last + 3)) $((last + 4)) $((last + 5)) $((last + 6)) $((last + 7))" "$(kd_lab_ids)"
[ -z "$before" ] || t_fail "no experiment was live before" "saw $before"
cat "$KD_PROC" >"$r"
t_eq "header: 7 live" 7 "$(kd_lab_live "$r")"
vm1=$(kd_meminfo VmallocUsed)
t_run "VmallocUsed grew with the vmalloc experiments ($vm0 -> $vm1 kB)" test "$vm1" -gt "$vm0"
t_lab "free all" ok "free all"
t_eq "free all: none live" "" "$(kd_lab_ids)"
t_lab "free all again: nothing to do, no error" ok "free all"
t_lab "free of a freed ID: ENOENT" ENOENT "free $((last + 1))"
cat "$KD_PROC" >/tmp/after.txt
t_eq "header: no experiments left" 0 "$(kd_lab_live /tmp/after.txt)"
read -r alloc freed <<EOF
$(kd_page_acct /tmp/after.txt)
EOF
t_eq "page accounting: only the load's pages are out (allocated $alloc, freed $freed)" \
	"$(kd_load_pages /tmp/before.txt)" $((alloc - freed))
vm2=$(kd_meminfo VmallocUsed)
# VmallocUsed also moves with the kernel's own use (process stacks):
# within 1 MiB, and no area of the lab's left in vmallocinfo.
t_run "VmallocUsed back within 1 MiB ($vm0 -> $vm2 kB)" test $((vm2 - vm0)) -lt 1024
t_eq "vmallocinfo: no lab area left" "" "$(kd_vmallocinfo | grep 'kd_lab_')"
t_eq "slab objects back" "$o0" "$(kd_slab_objects)"
t_eq "the load-time sections did not change" \
	"$(sed -n '/^\[kmalloc\]/,$p' /tmp/before.txt)" "$(sed -n '/^\[kmalloc\]/,$p' /tmp/after.txt)"

# --- unload with experiments live ----------------------------------------
t_lab "make three" ok "kmalloc 1000" "vmalloc 100K" "pages 2"
kd_dmesg_mark
t_run "unload with 3 experiments live" kd_unload
t_eq "unload log: experiments first, newest first, then the load-time ones" \
	"lab: freeing 3 live experiment(s), newest first
lab $((last + 10)): __free_pages
lab $((last + 9)): vfree
lab $((last + 8)): kfree
kmem_cache_free" \
	"$(kd_dmesg_since | sed -n 's/.*kmem_demo: //p' | head -n 5 | sed 's/\(: [a-z_]*\):.*/\1/; s/: [0-9]* objects freed$//')"
t_match "unload log: the page accounting balances" \
	'unloaded: all memory freed \(pages: ([0-9]+) allocated, \1 freed\)' "$(kd_dmesg_since)"
t_clean "nothing left after unload"
