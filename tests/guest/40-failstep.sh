#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every fail_step: the load fails with ENOMEM, the log names the failing
# step and unwinds each earlier one in reverse order, and nothing is left.
# Free memory comes back (MemFree plus the per-CPU free lists, which since
# 6.7 grow by several MiB after a large free).
# kd-boot: slub
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

# step name, and the unwind lines expected (reverse order of allocation)
steps="1 kmalloc
2 vmalloc kmalloc
3 __get_free_pages vmalloc kmalloc
4 kmem_cache_create __get_free_pages vmalloc kmalloc
5 kmem_cache_alloc kmem_cache_objects kmem_cache __get_free_pages vmalloc kmalloc
6 pci_register_driver kmem_cache_objects kmem_cache __get_free_pages vmalloc kmalloc
7 proc_create pci_register_driver kmem_cache_objects kmem_cache __get_free_pages vmalloc kmalloc"

# A warm-up load, so the baseline below already holds the module loader's
# one-time allocations.
kd_load && kd_unload
# Free memory counts the per-CPU lists too (see kd_pcp_kb).
pcp0=$(kd_pcp_kb)
free0=$(($(kd_meminfo MemFree) + pcp0))

while read -r n name unwinds; do
	kd_dmesg_mark
	if kd_load fail_step="$n"; then
		t_fail "fail_step=$n: load refused" "saw: the load succeeded"
		kd_unload
		continue
	fi
	t_match "fail_step=$n: insmod fails with ENOMEM" "Cannot allocate memory" "$KD_LOAD_ERR"
	# busybox insmod retries a failed finit_module() with init_module(),
	# so the log holds two attempts: judge the first.
	log=$(kd_dmesg_since | sed -n 's/.*kmem_demo: //p' | sed '/^load failed/q')
	t_match "fail_step=$n: log names $name" \
		"^fail_step=$n: $name behaves as if the allocator returned NULL\$" "$log"
	want=$(for u in $unwinds; do echo "unwind: $u" | sed 's/_objects$/ objects/'; done)
	t_eq "fail_step=$n: unwinds in reverse order" "$want" \
		"$(echo "$log" | grep '^unwind: ')"
	t_match "fail_step=$n: final line" "^load failed at step $n \($name\): error -12," "$log"
	t_clean "fail_step=$n: nothing left"
done <<EOF
$steps
EOF

pcp1=$(kd_pcp_kb)
free1=$(($(kd_meminfo MemFree) + pcp1))
# Seven failed loads of ~8 MiB each: a leak of any one would exceed 4 MiB.
echo "# of which in per-CPU lists: $pcp0 -> $pcp1 kB"
t_run "free memory back within 4 MiB ($free0 -> $free1 kB)" test $((free0 - free1)) -lt 4096
t_run "a normal load still works" kd_load
t_run "and unloads" kd_unload
