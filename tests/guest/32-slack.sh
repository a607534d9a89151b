#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Why the slack: in every section of the report, load-time and lab, the
# slack_* causes sum to the slack (reserved - requested), none is
# "slack_other" (unexplained), and served_by names who served it.  The
# names are the kernel's: a kmalloc's cache exists in /sys/kernel/slab with
# that object size, the kmem:kmalloc tracepoint's bytes_alloc is its slot
# (slab_size: the size class plus any debug metadata), and the module's own cache is the one whose alloc_traces (this
# boot has slub_debug=U for it) lists the lab's calls.  vmalloc's array of
# page pointers is the second area /proc/vmallocinfo shows for the same
# caller when it is vmalloc'd ("vpages"), and the guard page is the area's
# size beyond the reserved bytes.
# kd-boot: slub
# kd-timeout: 120
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

r=/tmp/slack.txt
ps=$(kd_page_size)
t_run "load with lab_max_bytes=256 MiB" kd_load lab_max_bytes=268435456 || exit 1

# The kmem tracepoints, for this shell and what it starts: kernel-check.sh
# records them.
trace_on() {
	sh /kd/kernel-check.sh begin /tmp/ktrace step
}
trace_off() {
	sh /kd/kernel-check.sh end /tmp/ktrace step
	grep ' kmalloc: ' /tmp/ktrace/trace.step >/tmp/trace.txt
}

# parts FILE SECTION PREFIX -- the sum of the PREFIX_* fields' numbers.
parts() {
	awk -v sec="$2" -v pre="$3_" '
		/^\[.*\]$/ { on = ($0 == "[" sec "]"); next }
		on && index($1, pre) == 1 { n += $2 }
		END { print n + 0 }' "$1"
}

# check_sum FILE SECTION -- the causes add up, and none is unexplained.
check_sum() {
	_slack=$(kd_num "$1" "$2" slack)
	t_eq "[$2]: slack_* sum to slack ($_slack)" "$_slack" "$(parts "$1" "$2" slack)"
	t_eq "[$2]: nothing unexplained (slack_other)" "" "$(kd_field "$1" "$2" slack_other)"
	t_match "[$2]: served_by names who served it" . "$(kd_field "$1" "$2" served_by)"
}

cat "$KD_PROC" >"$r"
for s in kmalloc vmalloc __get_free_pages kmem_cache; do
	check_sum "$r" "$s"
done

# --- kmalloc: the cache named, against sysfs and the tracepoint ------------
# kmalloc SIZE [FLAGS] -- run it traced; check the cache it names.
kmalloc() {
	_c="kmalloc $*"
	trace_on
	_res=$(kd_lab "$_c")
	trace_off
	[ "$_res" = ok ] || { t_fail "\"$_c\" accepted" "saw $_res"; return 1; }
	cat "$KD_PROC" >"$r"
	_s="lab $(kd_lab_last)"
	check_sum "$r" "$_s"
	_req=$(kd_num "$r" "$_s" requested)
	_got=$(kd_num "$r" "$_s" reserved)
	# The event of this request: called from kd_lab_kmalloc (or, for whole
	# pages on 5.10, from __kmalloc), asking for what was asked.
	_ev=$(grep -E "call_site=(kd_lab_kmalloc|__kmalloc)\+.* bytes_req=$_req " /tmp/trace.txt)
	_by=$(kd_field "$r" "$_s" served_by)
	case $_by in
	kmalloc-*|dma-kmalloc-*)
		# The tracepoint's bytes_alloc is the cache's whole slot, debug
		# metadata (KASAN, slub_debug) included: its slab_size.
		_name=${_by%%,*}
		t_eq "$_c: $_name is a cache of $_got-byte objects (sysfs object_size)" "$_got" \
			"$(cat "/sys/kernel/slab/$_name/object_size" 2>&1)"
		_want=$(cat "/sys/kernel/slab/$_name/slab_size" 2>&1)
		;;
	"the page allocator"*)
		t_eq "$_c: whole pages ($_got), above the largest class" 0 $((_got % ps))
		_want=$_got
		;;
	*) t_fail "$_c: served by a kmalloc cache or the page allocator" "saw $_by"
	   _want=none ;;
	esac
	if ! t_eq "$_c: kmem:kmalloc bytes_alloc is that cache's slab_size, or the pages" \
		"bytes_alloc=$_want" "$(echo "$_ev" | grep -o 'bytes_alloc=[0-9]*')"; then
		echo "# the events traced:"
		sed 's/^/#   /' /tmp/trace.txt | tail -n 20
	fi
}

for size in 1 8 100 129 200 3000 $((2 * ps + 1)) 100000; do
	kmalloc "$size"
done
kmalloc 100 'GFP_KERNEL|__GFP_ACCOUNT'
t_match "__GFP_ACCOUNT: kmalloc-cg-N from 5.14, kmalloc-N before" \
	'^(kmalloc-cg-128|kmalloc-128),' "$(kd_field "$r" "lab $(kd_lab_last)" served_by)"
if [ -d /sys/kernel/slab/dma-kmalloc-128 ]; then
	kmalloc 100 GFP_DMA
	t_match "GFP_DMA: a dma-kmalloc cache" '^dma-kmalloc-128,' \
		"$(kd_field "$r" "lab $(kd_lab_last)" served_by)"
else
	t_skip "GFP_DMA: a dma-kmalloc cache" "this kernel has no dma-kmalloc caches"
fi

# --- vmalloc: pages, the array of page pointers, the guard page ----------
# vm LINE CALLER -- run LINE; check its area and its array in vmallocinfo.
vm() {
	[ "$(kd_lab "$1")" = ok ] || { t_fail "\"$1\" accepted"; return 1; }
	cat "$KD_PROC" >"$r"
	_s="lab $(kd_lab_last)"
	check_sum "$r" "$_s"
	case $(kd_field "$r" "$_s" served_by) in
	vmalloc*) ;;
	*) return 0 ;;	# kvmalloc served by kmalloc: checked above
	esac
	_got=$(kd_num "$r" "$_s" reserved)
	_guard=$(kd_num "$r" "$_s" extra_guard)
	_array=$(kd_num "$r" "$_s" extra_array)
	_area=$(grep "$2+" /proc/vmallocinfo | awk -v n=$((_got / ps)) '$0 ~ " pages=" n " "')
	t_eq "$1: vmallocinfo's size is reserved + extra_guard" $((_got + _guard)) \
		"$(echo "$_area" | awk '{ print $2 }')"
	if [ "$_array" -gt "$ps" ]; then
		t_match "$1: the array is vmalloc'd (vpages)" ' vpages( |$)' "$_area"
		t_match "$1: ... an area of its own, extra_array bytes" \
			" pages=$((_array / ps)) " "$(grep "$2+" /proc/vmallocinfo)"
	else
		t_eq "$1: the array is kmalloc'd (no vpages)" "" "$(echo "$_area" | grep -E ' vpages( |$)')"
	fi
	kd_lab "free $(kd_lab_last)" >/dev/null
}
vm "vmalloc 1" kd_lab_vmalloc
vm "vmalloc 5000" kd_lab_vmalloc
vm "vmalloc 4M" kd_lab_vmalloc
vm "kvmalloc 3000" kd_lab_kvmalloc
vm "kvmalloc 5M" kd_lab_kvmalloc

# --- pages and the cache -------------------------------------------------
for c in "pages 0" "pages 3" "cache 1" "cache 100"; do
	t_lab "$c" ok "$c"
	cat "$KD_PROC" >"$r"
	check_sum "$r" "lab $(kd_lab_last)"
done
t_eq "pages: no slack, the block is what was asked" 0 "$(kd_num "$r" "lab $(($(kd_lab_last) - 2))" slack)"
# slub_debug=U for kmem_demo (this boot): its alloc traces name the callers.
at=/sys/kernel/debug/slab/kmem_demo/alloc_traces
[ -r "$at" ] || at=/sys/kernel/slab/kmem_demo/alloc_calls	# before 5.14
t_match "served_by kmem_demo: its alloc_traces list kd_lab_cache" 'kd_lab_cache\+' "$(cat "$at" 2>&1)"
t_match "... and kd_alloc_objects, the load's objects" 'kd_alloc_objects\+' "$(cat "$at" 2>&1)"

kd_lab "free all" >/dev/null
t_run "unload" kd_unload
