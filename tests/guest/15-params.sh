#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every parameter: non-default values show up right in the report (size
# classes, page rounding, object lists); each is accepted at its bounds
# (sysfs shows the value) and refused just outside them -- with the
# documented log line, -EINVAL and nothing allocated.  (Values that are no
# number at all are the module's own parsing: 16-params-syntax.)  It runs early in its boot, before the lab and the benchmark
# fragment memory: the upper bounds need a free block of the largest order
# (32 MiB on 16 KiB pages).
# kd-boot: slub
# kd-timeout: 300
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

r=/tmp/report.txt
ps=$(kd_page_size)

# load_report DESC PARAMS... -- load, save the report, unload.
load_report() {
	_d=$1
	shift
	if kd_load "$@"; then
		cat "$KD_PROC" >"$r"
		t_run "$_d: load and unload" kd_unload
	else
		t_fail "$_d: load" "saw: $KD_LOAD_ERR"
		: >"$r"
	fi
}

# kmalloc rounds up to its size classes; ksize() shows the class.
load_report "kmalloc_size=100" kmalloc_size=100
t_eq "kmalloc 100: reserved is the 128-byte class" 128 "$(kd_num "$r" kmalloc reserved)"
t_eq "kmalloc 100: slack" 28 "$(kd_num "$r" kmalloc slack)"
phys=$(kd_field "$r" kmalloc phys)
t_eq "kmalloc 100: phys range ($phys) is the 128 bytes, not the page" 128 \
	$((${phys#*-} - ${phys%-*} + 1))
load_report "kmalloc_size=5000" kmalloc_size=5000
t_eq "kmalloc 5000: reserved is the 8 KiB class" 8192 "$(kd_num "$r" kmalloc reserved)"

# vmalloc maps whole pages.
load_report "vmalloc_size=1" vmalloc_size=1
t_eq "vmalloc 1 byte: one page reserved" "$ps" "$(kd_num "$r" vmalloc reserved)"
t_eq "vmalloc 1 byte: one run" "1 contiguous runs, longest 1 pages" "$(kd_field "$r" vmalloc physical)"
load_report "vmalloc_size=3 pages + 1" vmalloc_size=$((3 * ps + 1))
t_eq "vmalloc 3 pages + 1: 4 pages" 4 "$(kd_num "$r" vmalloc pages)"

load_report "page_order=0" page_order=0
t_eq "order 0: one page" 1 "$(kd_num "$r" __get_free_pages pages)"
t_eq "order 0: call" "__get_free_pages(GFP_KERNEL|__GFP_ZERO, 0)" "$(kd_field "$r" __get_free_pages call)"

load_report "cache_objects=100" cache_objects=100
t_eq "100 objects listed" 100 "$(grep -c '^object ' "$r")"
t_eq "last object" "object 99: tag=obj-0099" "$(grep '^object 99:' "$r" | cut -d' ' -f1-3)"

# The upper bounds of kmalloc_size and page_order need one free block of the
# largest order: 4 MiB on 4 KiB pages, 32 MiB on 16 KiB pages, which a
# 512 MiB guest has few of.  This test runs early in its boot for that, and
# asks the kernel to compact memory first (where it can) so that those loads
# test our bounds, not the guest's fragmentation.
kd_compact
while read -r name min max; do
	# At both bounds: loads, and sysfs shows the value.  fail_step=7 is a
	# deliberate failure, so its upper bound is checked as "accepted, then
	# failed with ENOMEM" instead.
	for v in "$min" "$max"; do
		if [ "$name" = fail_step ] && [ "$v" -ne 0 ]; then
			kd_load "$name=$v"
			t_match "$name=$v accepted (fails later by design)" \
				"Cannot allocate memory" "$KD_LOAD_ERR"
			continue
		fi
		if kd_load "$name=$v"; then
			t_eq "$name=$v accepted, sysfs shows it" "$v" \
				"$(cat "/sys/module/kmem_demo/parameters/$name")"
			kd_unload
		else
			t_fail "$name=$v accepted" "saw: $KD_LOAD_ERR" "$(kd_dmesg_since | tail -n 5)"
		fi
	done
	bad="$((max + 1))"
	[ "$min" -eq 0 ] || bad="$((min - 1)) $bad"
	for v in $bad; do
		kd_param_refused "$name" "$v" "out of range" "$min" "$max"
	done
done <<EOF
$(kd_param_ranges)
EOF
