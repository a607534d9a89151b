#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The report against the kernel's own view: scripts/kernel-check.sh (in the
# guest as /kd/kernel-check.sh) loads the module with the kmem tracepoints
# on, runs lab experiments covering each allocator, several size classes,
# GFP_DMA and GFP_DMA32 where the kernel has those zones, and kvmalloc on
# each side of its switch, and says "agrees" for every section, load-time
# and lab.  Fed the same evidence with one figure of the report changed, it
# says "differs" and names that figure: the check can fail.
# kd-boot: slub
# kd-timeout: 120
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

dir=/tmp/kcheck
set -- 'kmalloc 1' 'kmalloc 100' 'kmalloc 3000' 'kmalloc 100000' \
	'kvmalloc 3000' 'kvmalloc 5M' 'vmalloc 5000' 'vmalloc 4M' \
	'pages 0' 'pages 3' 'cache 10'
[ -d /sys/kernel/slab/dma-kmalloc-128 ] && set -- "$@" 'kmalloc 100 GFP_DMA'
[ "$(kd_zone_managed DMA32)" -gt 0 ] && set -- "$@" 'pages 2 GFP_DMA32'
[ "$(kd_zone_managed DMA)" -gt 0 ] && set -- "$@" 'pages 1 GFP_DMA'
want=$((4 + $#))
out=$(KD_CHECK_DIR=$dir sh /kd/kernel-check.sh "$@" 2>&1)
st=$?
echo "$out" | sed -n '/^The kernel.s own view/,$p' | sed 's/^/# /'
t_eq "kernel-check: exit 0" 0 "$st" || sed 's/^/# vmallocinfo: /' "$dir/vmallocinfo.txt"
t_eq "kernel-check: every section agrees ($want)" "$want agree, 0 differ, 0 without evidence" \
	"$(echo "$out" | tail -n 2 | head -n 1)"
t_eq "one verdict per section" "$want" "$(echo "$out" | grep -c '^  verdict ')"
t_match "the tracepoint's own line beside a kmalloc" '^  kmem:kmalloc(_node)? +kmalloc(_node)?: call_site=kd_lab_kmalloc' "$out"
t_match "vmallocinfo's own line beside a vmalloc" '^  vmallocinfo +0x[0-9a-f]+-0x[0-9a-f]+ +[0-9]+ kd_lab_vmalloc\+' "$out"
t_match "the page allocator's own event beside the pages" '^  kmem:mm_page_alloc +mm_page_alloc: ' "$out"
t_match "alloc_traces beside the cache (slub_debug=U for kmem_demo)" '^  alloc_traces +kmem_demo .*kd_lab_cache\+' "$out"

# The same evidence, one figure changed: the check names it.
# mutate SECTION KEY FROM TO -- edit the saved report, judge, expect KEY.
mutate() {
	cp -r "$dir" /tmp/kmut
	awk -v s="[$1]" -v k="$2:" -v from="$3" -v to="$4" '
		/^\[.*\]$/ { on = ($0 == s) }
		on && $1 == k && !done { v = $0; sub(/^[^:]*: */, "", v); p = substr($0, 1, length($0) - length(v))
			sub(from, to, v); $0 = p v; done = 1 } { print }' \
		"$dir/report.txt" >/tmp/kmut/report.txt
	_j=$(sh /kd/kernel-check.sh judge /tmp/kmut 2>&1)
	_st=$?
	rm -rf /tmp/kmut
	t_eq "changed $2 of [$1]: the check fails" 1 "$_st"
	t_match "changed $2 of [$1]: it says \"differs\" and names $2" \
		"^  verdict +differs: $2 " "$_j"
}
# now SECTION KEY -- the figure as recorded.
now() {
	kd_num "$dir/report.txt" "$1" "$2"
}
mutate "lab 2" reserved "^$(now "lab 2" reserved)" $(($(now "lab 2" reserved) * 2))
mutate "lab 7" reserved "^$(now "lab 7" reserved)" $(($(now "lab 7" reserved) * 2))
mutate "vmalloc" pages "^$(now vmalloc pages)" $(($(now vmalloc pages) - 1))
mutate "lab 10" pfn '0x[0-9a-f]+-' '0x1-'
mutate "kmem_cache" objects "^$(now kmem_cache objects)" $(($(now kmem_cache objects) + 1))

kd_lab "free all" >/dev/null
t_run "unload" kd_unload
