#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Coherent DMA memory in a process: dma_mmap_coherent(), which maps the
# DMA API's memory with the attributes the device needs (the direct map's
# frames by remap_pfn_range, or, behind an IOMMU, the pages themselves by
# vm_map_pages).  What a process writes the module's check sees, and the
# other way round.  The device's unbind revokes every mapping of it before
# the memory is freed: a process touching it then gets SIGBUS, the log
# says how many mappings went, and the old offset maps nothing; bound
# again, the device's new buffer has a new offset.  Processes mapping it
# in a loop while the device goes and comes back end each step mapped,
# with SIGBUS or refused.
# kd-boot: slub
# kd-class: kernel dma
# kd-timeout: 180
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

r=/tmp/mmapcoh.txt
t_run "load" kd_load_settled
kd_edu_bound || exit 0

# sect SECTION KEY -- KEY of [SECTION] in a fresh copy of the report.
sect() {
	cat "$KD_PROC" >"$r"
	kd_field "$r" "$1" "$2"
}

t_eq "[dma_coherent]: dma_mmap_coherent" dma_mmap_coherent "$(sect dma_coherent mmap)"
pages=$(sect dma_coherent mmap_offset | sed -n 's/.*, \([0-9]*\) pages*)$/\1/p')
out=$(kd-mmap dma_coherent fill 0x3c frames 2>&1)
t_match "[dma_coherent]: the process fills it" '^fill: [0-9]+ bytes of 0x3c$' "$out"
t_lab "[dma_coherent]: the module sees the process's bytes" ok "check dma_coherent 0x3c"
# Behind an IOMMU the buffer is pages of its own, mapped as pages: pagemap
# sees them, and MADV_DONTNEED drops them until a fault finds them again.
# Without one it is a run of frames, mapped by frame number (VM_PFNMAP).
if sect dma_coherent zone_why | grep -q IOMMU; then
	t_eq "behind the IOMMU: pagemap sees all $pages pages" "$pages" \
		"$(echo "$out" | grep -c '^frame [0-9]*: pfn ')"
	out=$(kd-mmap dma_coherent dontneed check 0x3c 2>&1)
	t_match "MADV_DONTNEED: allowed" '^dontneed: ok$' "$out"
	t_match "... and a fault finds the pages again" '^check: all [0-9]+ bytes are 0x3c$' "$out"
else
	t_eq "by frame number: pagemap sees no page (VM_PFNMAP)" "$pages" \
		"$(echo "$out" | grep -c '^frame [0-9]*: not present$')"
	t_match "MADV_DONTNEED: EINVAL (VM_PFNMAP)" '^dontneed: EINVAL$' \
		"$(kd-mmap dma_coherent dontneed 2>&1)"
fi
t_lab "dma coherent 100" ok "dma coherent 100"
dc=$(kd_lab_last)
t_match "[lab $dc]: one page" '\(/dev/kmem_demo, 1 page\)$' "$(sect "lab $dc" mmap_offset)"
t_lab "fill $dc 0xc3" ok "fill $dc 0xc3"
t_match "[lab $dc]: the process sees the module's bytes" '^check: all 100 bytes are 0xc3$' \
	"$(kd-mmap "$dc" check 0xc3 2>&1)"
old=$(sect dma_coherent mmap_offset | cut -d' ' -f1)
kd-mmap dma_coherent hold 120 check 0x3c >/tmp/coh.out 2>&1 &
h1=$!
kd-mmap "$dc" hold 120 check 0xc3 >/tmp/labcoh.out 2>&1 &
h2=$!
i=0
while [ "$(grep -c '^hold:' /tmp/coh.out /tmp/labcoh.out | grep -c ':1$')" != 2 ] &&
	[ $i -lt 300 ]; do
	usleep 100000
	i=$((i + 1))
done
t_match "[dma_coherent]: mapped: 1" '^1 \(live mappings' "$(sect dma_coherent mapped)"
t_lab "free $dc while mapped: EBUSY" EBUSY "free $dc"
kd_dmesg_mark
echo "$dev" >"$drv/unbind"
kill -USR1 "$h1" "$h2"
wait "$h1"
t_eq "the process touching [dma_coherent] after the unbind: SIGBUS (status 3)" 3 "$?"
wait "$h2"
t_eq "the process touching [lab $dc] after it: SIGBUS (status 3)" 3 "$?"
t_match "... and says so" '^SIGBUS: no page behind the mapping any more' "$(cat /tmp/coh.out)"
t_match "unbind: [dma_coherent]'s mapping revoked" \
	'\[dma_coherent\]: 1 mapping\(s\) revoked: the memory goes with the device' \
	"$(kd_dmesg_since)"
t_match "unbind: [lab $dc]'s mapping revoked" "\\[lab $dc\\]: 1 mapping\\(s\\) revoked" \
	"$(kd_dmesg_since)"
t_eq "the old offset maps nothing: EINVAL" "mmap: EINVAL" "$(kd-mmap -o "$old" -n 1 __get_free_pages 2>&1)"
echo "$dev" >"$drv/bind"
kd_dma_settle
new=$(sect dma_coherent mmap_offset | cut -d' ' -f1)
t_run "bound again: [dma_coherent] at a new offset ($old, then $new)" test "$new" != "$old"
t_match "... which maps" '^mmap: [0-9]+ bytes at offset ' "$(kd-mmap dma_coherent 2>&1)"

# Two processes mapping the buffer in a loop while the device goes and
# comes back: one maps and reads at once (an mmap() in flight when the
# device goes), one holds each mapping across an unbind.  Each step maps
# and reads, gets SIGBUS, or finds no region (no section, or an offset
# that went meanwhile); the kernel log must stay clean.
rm -f /tmp/race.out /tmp/race.stop
race() {
	while [ ! -e /tmp/race.stop ]; do
		kd-mmap dma_coherent "$@" 2>&1
		echo "status $?"
	done
}
race show >/tmp/race.out &
quick=$!
race show hold 1 show >/tmp/race-hold.out &
held=$!
for i in 1 2 3; do
	usleep 500000
	echo "$dev" >"$drv/unbind"
	usleep 500000
	echo "$dev" >"$drv/bind"
done
touch /tmp/race.stop
wait "$quick" "$held"
kd_dma_settle
cat /tmp/race-hold.out >>/tmp/race.out
echo "# the loops: $(grep -c '^status 0$' /tmp/race.out) mapped and read," \
	"$(grep -c '^SIGBUS' /tmp/race.out) SIGBUS, $(grep -c '^status [12]$' /tmp/race.out) refused"
t_match "the loops mapped the buffer" '^bytes: ' "$(cat /tmp/race.out)"
t_match "a mapping held across an unbind: SIGBUS" '^SIGBUS: ' "$(cat /tmp/race-hold.out)"
t_eq "each step mapped, got SIGBUS or found no region" "" \
	"$(grep -Ev '^(mmap: [0-9]+ bytes at offset 0x[0-9a-f]+|mmap: EINVAL|bytes: .*|hold: 1 s|SIGBUS: .*|kd-mmap: no section .*|status [0-3])$' /tmp/race.out)"
t_eq "... and none ended otherwise" "" "$(grep '^status' /tmp/race.out | grep -v '^status [0-3]$')"

t_lab "free all" ok "free all"
t_run "unload" kd_unload
t_clean "nothing left"
if [ -r "$KD_KMEMLEAK" ]; then
	t_no_leaks "kmemleak: nothing of the module's leaked"
fi
