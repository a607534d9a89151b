#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The report against the kernel's own view: scripts/kernel-check.sh (in the
# guest as /kd/kernel-check.sh) loads the module with the kmem tracepoints
# on, runs lab experiments covering each allocator, several size classes,
# GFP_DMA and GFP_DMA32 where the kernel has those zones, kvmalloc on
# each side of its switch, the kmalloc helpers, a krealloc in place and
# one that moves, per-CPU memory, devm_kzalloc and a mempool, and says "agrees" for every section, load-time
# and lab: its figures, the flags of each kmalloc, page block and cache object among
# those of the tracepoint, and the frames of each vmalloc area (the frame
# map's runs) inside the page allocator's blocks of its step; the DMA demo
# device's coherent buffer in a page allocator or CMA event, its pool in
# the device's pools file and its pages in page allocator events, its
# streaming buffer in a kmalloc event with the flags it names; from 6.12
# on, the DMA API's own events of both handles.  Fed the
# same evidence with one figure of the report, or one run of the frame
# map, changed, it says "differs" and names that figure: the check can
# fail.
# kd-boot: slub
# kd-class: kernel numa
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
# The helpers end in kmalloc; krealloc makes no experiment of its own:
# lab 1 (kmalloc 1) moves, the kmalloc 5000 shrinks in place.
n=$#
set -- "$@" 'kcalloc 10 100' 'kzalloc_flex 10' 'kmalloc 5000' "krealloc $((n + 3)) 100" 'krealloc 1 5000' \
	'percpu 30' 'devm_kzalloc 100' 'mempool 3 3000'
out=$(KD_CHECK_DIR=$dir KD_CHECK_PARAMS=${KD_DMA_BITS:+dma_bits=$KD_DMA_BITS} sh /kd/kernel-check.sh "$@" 2>&1)
st=$?
# The load's sections (four, and the DMA demo device's three), the lab's.
want=$(($(grep -c '^\[' "$dir/report.txt") ))
t_eq "the report has the load's 7 sections and one per command but krealloc" $((7 + $# - 2)) "$want"
echo "$out" | sed -n '/^The kernel.s own view/,$p' | sed 's/^/# /'
# Whether the load's trace kept every event (A/B, A < B: lost), and the
# pages on the per-CPU lists when it began.
grep -E '^# (entries-in-buffer|per-cpu)' "$dir/trace.load" | sed 's/^# */# trace.load: /'
t_eq "kernel-check: exit 0" 0 "$st" || sed 's/^/# vmallocinfo: /' "$dir/vmallocinfo.txt"
t_eq "kernel-check: every section agrees ($want)" "$want agree, 0 differ, 0 without evidence" \
	"$(echo "$out" | tail -n 2 | head -n 1)"
t_eq "one verdict per section" "$want" "$(echo "$out" | grep -c '^  verdict ')"
t_match "the tracepoint's own line beside a kmalloc" '^  kmem:kmalloc(_node)? +kmalloc(_node)?: call_site=kd_lab_kmalloc' "$out"
t_match "vmallocinfo's own line beside a vmalloc" '^  vmallocinfo +0x[0-9a-f]+-0x[0-9a-f]+ +[0-9]+ kd_lab_vmalloc\+' "$out"
t_match "the page allocator's own event beside the pages" '^  kmem:mm_page_alloc +mm_page_alloc: ' "$out"
t_match "alloc_traces beside the cache (slub_debug=U for kmem_demo)" '^  alloc_traces +kmem_demo .*kd_lab_cache\+' "$out"
# sect HEADER [TEXT] -- the judge's lines for the section [HEADER], in TEXT
# (default: the judge's output above).
sect() {
	kd_check_section "$1" "${2-$out}"
}
t_match "kcalloc: its kmalloc of N x SIZE" \
	'^  kmem:kmalloc(_node)? +kmalloc(_node)?: call_site=kd_lab_kmalloc bytes_req=1000 ' "$(sect "lab $((n + 1))")"
if kd_field "$dir/report.txt" "lab $((n + 3))" resized | grep -q ': in place: '; then
	t_match "krealloc in place: no kmalloc of its size" \
		'^  kmem:kmalloc +none of 100 bytes from kmem_demo in the step: krealloc kept the buffer' \
		"$(sect "lab $((n + 3))")"
else
	t_match "krealloc moved though it shrank: its kmalloc of the new size" \
		'^  kmem:kmalloc(_node)? +kmalloc(_node)?: call_site=kd_lab_krealloc bytes_req=100 ' \
		"$(sect "lab $((n + 3))")"
fi
t_match "krealloc moved: its kmalloc of the new size" \
	'^  kmem:kmalloc(_node)? +kmalloc(_node)?: call_site=kd_lab_krealloc bytes_req=5000 ' "$(sect "lab 1")"
t_match "percpu: the per-CPU allocator's event, in 4-byte units" \
	'^  percpu:percpu_alloc_percpu +percpu_alloc_percpu:.* size=32 align=8' "$(sect "lab $((n + 4))")"
t_match "devm_kzalloc: one kmalloc of the bytes and devres's header" \
	'^  devres +its header takes [0-9]+ bytes of the same kmalloc' "$(sect "lab $((n + 5))")"
t_match "mempool: the reserve's kmallocs, from the mempool code" \
	'^  kmem:kmalloc +3 from the mempool code, the last: kmalloc(_node)?: call_site=mempool_[a-z_]+ bytes_req=3000 ' \
	"$(sect "lab $((n + 6))")"
t_match "gfp checked beside a kmalloc" \
	'^  gfp +report GFP_KERNEL: each flag in kmem:kmalloc(_node)? gfp_flags ' "$(sect "lab 2")"
t_match "gfp checked beside the page block" \
	'^  gfp +report GFP_KERNEL\|__GFP_ZERO: each flag in kmem:mm_page_alloc gfp_flags ' "$(sect __get_free_pages)"
t_match "gfp checked beside the cache's objects" \
	'^  gfp +report GFP_KERNEL\|__GFP_ZERO: each flag in all 8 kmem:kmem_cache_alloc(_node)? gfp_flags ' "$(sect kmem_cache)"
# Each vmalloc area's frames, from the frame map, in its step's blocks.
cover='^  kmem:mm_page_alloc +[0-9]+ events?( of orders? [0-9,]+)? covers? ([0-9]+ of )?the [0-9]+ listed pages'
t_match "mm_page_alloc covers the load-time vmalloc's frames" "$cover" "$(sect vmalloc)" ||
	grep -m 3 entries "$dir/trace.load" | sed 's/^/# /'
t_match "mm_page_alloc covers a lab vmalloc's frames" "$cover" "$(sect "lab 8")"
t_match "the coherent DMA buffer's own event: the page allocator's, or CMA's" \
	'^  (kmem:mm_page_alloc +mm_page_alloc: |cma:cma_alloc(_finish)? +name=)' "$(sect dma_coherent)"
t_match "the DMA pool in the device's pools file" '^  pools +[0-9a-f:.]+ kmem_demo +4 ' "$(sect dma_pool)"
t_match "and its pages in the page allocator's events" "$cover" "$(sect dma_pool)"
t_match "the streaming buffer's kmalloc event, with its flags" \
	'^  gfp +report GFP_KERNEL(\|GFP_DMA)?: each flag in kmem:kmalloc(_node)? gfp_flags ' "$(sect dma_map)"
if grep -qE '^# events:.* dma_map_(page|phys)' "$dir/trace.load"; then
	t_match "the DMA API's own event of the streaming buffer's handle" \
		'^  dma:dma_map_(page|phys) +dma_addr=0x[0-9a-f]+ phys_addr=0x[0-9a-f]+ size=1500 ' "$(sect dma_map)"
	t_match "and of the coherent buffer's" '^  dma:dma_alloc +dma_addr=0x[0-9a-f]+ size=[0-9]+ ' \
		"$(sect dma_coherent)"
else
	t_skip "the DMA API's own events of the handles" "no dma:* tracepoints on $(uname -r) (6.12 and later have them)"
fi
if sed -n '/^\[lab 6\]$/,/^$/p' "$dir/report.txt" | grep -q '^served_by: *vmalloc'; then
	t_match "mm_page_alloc covers a kvmalloc's frames (vmalloc'd)" "$cover" "$(sect "lab 6")"
else
	t_skip "mm_page_alloc covers a kvmalloc's frames" "kvmalloc 5M did not fall back to vmalloc here"
fi

# The same evidence with one figure changed in each of several sections,
# judged once: the check fails, and each of those sections' verdict says
# "differs" and names its figure.
# mutate SECTION KEY FROM TO -- edit that figure of /tmp/kmut's report.
rm -rf /tmp/kmut
cp -r "$dir" /tmp/kmut
: >/tmp/kmut.changed
mutate() {
	awk -v s="[$1]" -v k="$2:" -v from="$3" -v to="$4" '
		/^\[.*\]$/ { on = ($0 == s) }
		on && $1 == k && !done { v = $0; sub(/^[^:]*: */, "", v); p = substr($0, 1, length($0) - length(v))
			sub(from, to, v); $0 = p v; done = 1 } { print }' \
		/tmp/kmut/report.txt >/tmp/kmut/report.new
	mv /tmp/kmut/report.new /tmp/kmut/report.txt
	printf '%s %s\n' "$2" "$1" >>/tmp/kmut.changed
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
mutate "lab 3" gfp '^GFP_KERNEL' 'GFP_ATOMIC'
mutate "dma_coherent" pfn '0x[0-9a-f]+-' '0x1-'
mutate "dma_map" dma_addr '^0x[0-9a-f]+' '0x1000'
_j=$(sh /kd/kernel-check.sh judge /tmp/kmut 2>&1)
_st=$?
rm -rf /tmp/kmut
t_eq "$(wc -l </tmp/kmut.changed) figures changed: the check fails" 1 "$_st"
while read -r _k _s; do
	t_match "changed $_k of [$_s]: it says \"differs\" and names $_k" "^  verdict +differs: $_k " \
		"$(sect "$_s" "$_j")"
done </tmp/kmut.changed

# The runs of a vmalloc area moved, in the saved frame map, to frames
# from 0 on, which the load does not allocate (below RAM on arm64, the
# DMA zone on x86).  Where alloc_pages_bulk (5.13+) hands out pages of the
# per-CPU lists with no event, the check can tell only when the area has
# more pages than those lists held at begin.
cp -r "$dir" /tmp/kmut
awk '$1 == "region" { on = ($2 == "vmalloc"); f = 0 }
	on && $1 == "run" { $2 = f; f += $3 } { print }' "$dir/map.txt" >/tmp/kmut/map.txt
_j=$(sh /kd/kernel-check.sh judge /tmp/kmut 2>&1)
_st=$?
rm -rf /tmp/kmut
_pcp=$(sed -n 's/^# per-cpu free pages at begin: //p' "$dir/trace.load")
if grep -q '^alloc_pages_bulk yes' "$dir/instruments.txt" && [ "$(now vmalloc pages)" -le "${_pcp:-0}" ]; then
	t_match "moved the runs of [vmalloc] in map.txt: pages with no event, at most the per-CPU lists' $_pcp" \
		'^ +[0-9]+ with no event: on the per-CPU lists before the step' "$_j"
	t_skip "moved the runs of [vmalloc] in map.txt: \"differs: pfn\"" \
		"$(now vmalloc pages) pages, $_pcp on the per-CPU lists at begin: alloc_pages_bulk may have handed them out with no event"
else
	t_eq "moved the runs of [vmalloc] in map.txt: the check fails" 1 "$_st"
	t_match "moved the runs of [vmalloc] in map.txt: it says \"differs\" and names pfn" \
		'^  verdict +differs: pfn \(run 0\+[0-9]+ not allocated in trace\.load\)' "$_j"
fi

kd_lab "free all" >/dev/null
t_run "unload" kd_unload
