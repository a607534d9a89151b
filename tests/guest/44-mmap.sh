#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /dev/kmem_demo: mmap() of a region, through the users' own tool
# (kd-mmap).  /dev/kmem_demo is root's only (0600; uid 0 without
# CAP_SYS_ADMIN gets EPERM).  Each section says how it is mapped:
# vm_insert_pages for a page of its own, remap_pfn_range for a block of
# pages or a kmalloc buffer of whole pages, remap_vmalloc_range for
# vmalloc_user; memory sharing its page (a small kmalloc buffer, a cache's
# objects) and plain vmalloc memory are refused, with the reason.  What a
# process writes through its mapping the module's check sees, and what
# the module's fill writes the process reads; the frames the process's
# pagemap shows are the report's and the frame map's.  A mapped experiment
# is not freed (EBUSY) and rmmod fails until the last munmap, through fork
# and a partial munmap; a private mapping, PROT_EXEC, mprotect adding it,
# mremap growing it, an offset past a region or of no region are refused;
# MADV_DONTNEED drops the pages and a new fault finds them again.  fill and
# check refuse what they cannot reach, a bad BYTE and an unknown WHAT;
# check names the first byte that differs.
# kd-boot: slub
# kd-class: kernel
# kd-timeout: 240
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

r=/tmp/mmap.txt
ps=$(kd_page_size)
t_run "load" kd_load_settled
t_match "/dev/kmem_demo: a character device, root's only" '^crw-------' \
	"$(ls -l /dev/kmem_demo)"
t_eq "uid 0 without CAP_SYS_ADMIN: EPERM" EPERM "$(kd-lab read -c /dev/kmem_demo 2>&1)"
t_match "another user: EACCES" 'open: EACCES' "$(kd_as_nobody kd-mmap __get_free_pages 2>&1)"

# sect SECTION KEY -- KEY of [SECTION] in a fresh copy of the report.
sect() {
	cat "$KD_PROC" >"$r"
	kd_field "$r" "$1" "$2"
}
# frames SECTION -- the frames of [SECTION] as the frame map lists them,
# one hex pfn per line.
frames() {
	awk -v reg="region $(echo "$1" | tr ' ' ':') " '
		index($0, reg) == 1 { on = 1; next }
		/^region / { on = 0 }
		on && $1 == "run" { for (i = 0; i < $3; i++) printf "0x%x\n", $2 + i }' \
		/proc/kmem_demo_map
}

# The load's sections: whole pages map, the rest says why not.
t_eq "[__get_free_pages]: remap_pfn_range (order 2)" remap_pfn_range "$(sect __get_free_pages mmap)"
t_match "[__get_free_pages]: its offset" '^0x[0-9a-f]+0000000000 \(/dev/kmem_demo, 4 pages\)$' \
	"$(sect __get_free_pages mmap_offset)"
t_match "[vmalloc]: refused, not vmalloc_user" '^mmap: vmalloc\(\) memory is not marked for user space \(VM_USERMAP\)' \
	"$(sect vmalloc refused)"
t_match "[kmem_cache]: refused, objects share pages" "^mmap: a cache's objects share slab pages" \
	"$(sect kmem_cache refused)"
if [ "$ps" -eq 4096 ]; then
	t_eq "[kmalloc] of 4096 bytes: remap_pfn_range" remap_pfn_range "$(sect kmalloc mmap)"
else
	t_match "[kmalloc] of 4096 bytes: refused, smaller than a page" \
		'^mmap: a kmalloc buffer smaller than a page shares its page' "$(sect kmalloc refused)"
fi
t_match "kd-mmap of a refused section prints why" '^\[vmalloc\]: refused: +mmap: vmalloc' \
	"$(kd-mmap vmalloc 2>&1)"

# One experiment of each way to map, and one refused.
t_lab "pages 0" ok "pages 0"
p0=$(kd_lab_last)
t_lab "pages 2" ok "pages 2"
p2=$(kd_lab_last)
t_lab "vmalloc_user 5 pages and a bit" ok "vmalloc_user $((5 * ps + 100))"
vu=$(kd_lab_last)
t_lab "kmalloc of two pages" ok "kmalloc $((2 * ps))"
km=$(kd_lab_last)
t_lab "kmalloc 100" ok "kmalloc 100"
small=$(kd_lab_last)
t_eq "[lab $p0]: vm_insert_pages" vm_insert_pages "$(sect "lab $p0" mmap)"
t_eq "[lab $p2]: remap_pfn_range" remap_pfn_range "$(sect "lab $p2" mmap)"
t_eq "[lab $vu]: remap_vmalloc_range" remap_vmalloc_range "$(sect "lab $vu" mmap)"
t_match "[lab $vu]: 6 pages" '\(/dev/kmem_demo, 6 pages\)$' "$(sect "lab $vu" mmap_offset)"
t_eq "[lab $km]: remap_pfn_range" remap_pfn_range "$(sect "lab $km" mmap)"
t_match "[lab $small]: refused, shares its page" '^mmap: a kmalloc buffer smaller than a page' \
	"$(sect "lab $small" refused)"
t_match "kd-mmap $small: refused" 'refused' "$(kd-mmap "$small" 2>&1)"

# Both ways round, through each way to map.
for id in $p0 $p2 $vu $km; do
	how=$(sect "lab $id" mmap)
	out=$(kd-mmap "$id" fill 0x5a maps frames 2>&1)
	t_match "lab $id ($how): the process fills it" '^fill: [0-9]+ bytes of 0x5a$' "$out"
	t_lab "lab $id: the module sees the process's bytes" ok "check $id 0x5a"
	t_lab "fill $id 0xa5" ok "fill $id 0xa5"
	t_match "lab $id: the process sees the module's bytes" '^check: all [0-9]+ bytes are 0xa5$' \
		"$(kd-mmap "$id" check 0xa5 2>&1)"
	t_match "lab $id: /proc/self/maps shows it shared, rw, not x" \
		'^maps: [0-9a-f]+-[0-9a-f]+ rw-s [0-9a-f]+ [0-9a-f:]+ [0-9]+ +/dev/kmem_demo$' "$out"
	want=$(frames "lab $id")
	if [ "$how" = remap_pfn_range ]; then
		# VM_PFNMAP: no struct page behind the entries, and pagemap's
		# walk skips such a mapping as a hole.
		t_eq "lab $id: pagemap skips VM_PFNMAP: no page present" \
			"$(echo "$want" | grep -c .)" "$(echo "$out" | grep -c '^frame [0-9]*: not present$')"
		continue
	fi
	saw=$(echo "$out" | sed -n 's/^frame [0-9]*: pfn //p')
	t_eq "lab $id: pagemap's frames are the frame map's" "$want" "$saw"
done
t_eq "[lab $p0]: the report's pfn: is pagemap's" \
	"$(kd-mmap "$p0" frames | sed -n 's/^frame 0: pfn //p')" "$(sect "lab $p0" pfn | cut -d- -f1)"
kd-lab write "fill $km 7" >/dev/null
kd_dmesg_mark
t_lab "check of a byte that differs: EBADMSG" EBADMSG "check $km 8"
t_match "lab $km: the log names the first byte that differs" \
	"refused, EBADMSG: check: byte 0 of $((2 * ps)) is 0x07, not 0x08" "$(kd_dmesg_since)"

# A mapping keeps its experiment, and the module, until the last munmap.
kd-mmap "$p2" hold 60 >/tmp/hold.out 2>&1 &
holder=$!
i=0
while [ "$(sect "lab $p2" mapped | cut -d' ' -f1)" != 1 ] && [ $i -lt 50 ]; do
	usleep 100000
	i=$((i + 1))
done
t_match "[lab $p2]: mapped: 1" '^1 \(live mappings' "$(sect "lab $p2" mapped)"
kd_dmesg_mark
t_lab "free $p2 while mapped: EBUSY" EBUSY "free $p2"
t_match "the log says why" "refused, EBUSY: free: lab $p2 is mapped by a process \(1 mapping\)" \
	"$(kd_dmesg_since)"
t_lab "free all while one is mapped: EBUSY" EBUSY "free all"
t_eq "free all freed nothing" "$p0 $p2 $vu $km $small" "$(kd_lab_ids)"
t_run "rmmod while mapped fails" sh -c '! rmmod kmem_demo 2>/dev/null'
t_run "still loaded" kd_loaded
# Killed, the process's mappings go with it.
kill "$holder"
wait "$holder"
t_eq "[lab $p2]: no mapping after munmap" "" "$(sect "lab $p2" mapped)"

# fork shares the mapping; a partial munmap splits it: each counts.
t_match "fork: the child reads through the mapping" '^fork: the child reads 0xa5$' \
	"$(kd-mmap "$vu" fork 2>&1)"
t_match "munmap of the first page only" '^unmap-first: ok$' \
	"$(kd-mmap "$vu" unmap-first check 0xa5 2>&1)"
t_eq "[lab $vu]: no mapping left" "" "$(sect "lab $vu" mapped)"
out=$(kd-mmap "$p0" fill 3 dontneed check 3 2>&1)
t_match "MADV_DONTNEED on vm_insert_pages: allowed" '^dontneed: ok$' "$out"
t_match "... and a new fault finds the same page" '^check: all [0-9]+ bytes are 0x03$' "$out"
t_match "MADV_DONTNEED on vmalloc_user: the page comes back" '^check: all [0-9]+ bytes are 0x03$' \
	"$(kd-mmap "$vu" fill 3 dontneed check 3 2>&1)"
t_match "MADV_DONTNEED on remap_pfn_range: EINVAL (VM_PFNMAP)" '^dontneed: EINVAL$' \
	"$(kd-mmap "$p2" dontneed 2>&1)"

# What is refused.
off=$(sect "lab $p2" mmap_offset | cut -d' ' -f1)
t_eq "a private mapping: EINVAL" "mmap: EINVAL" "$(kd-mmap -p "$p2" 2>&1)"
t_eq "PROT_EXEC: EPERM" "mmap: EPERM" "$(kd-mmap -x "$p2" 2>&1)"
t_match "mprotect adding PROT_EXEC: EACCES" '^exec: EACCES$' "$(kd-mmap "$p2" exec 2>&1)"
t_match "mremap growing it: EFAULT" '^grow: EFAULT$' "$(kd-mmap "$p2" grow 2>&1)"
t_eq "one page past the end: EINVAL" "mmap: EINVAL" "$(kd-mmap -n 5 "$p2" 2>&1)"
t_eq "an offset inside, to the end: ok" "mmap: $((3 * ps)) bytes at offset $(printf '%#x' $((off + ps)))" \
	"$(kd-mmap -o $((off + ps)) -n 3 "$p2" 2>&1 | head -n 1)"
t_eq "an offset inside, past the end: EINVAL" "mmap: EINVAL" "$(kd-mmap -o $((off + ps)) -n 4 "$p2" 2>&1)"
t_eq "offset 0, no region's: EINVAL" "mmap: EINVAL" "$(kd-mmap -o 0 -n 1 "$p2" 2>&1)"
t_eq "another region's offset, this one's length: EINVAL" "mmap: EINVAL" \
	"$(kd-mmap -o "$(sect "lab $p0" mmap_offset | cut -d' ' -f1)" -n 4 "$p2" 2>&1)"
km_off=$(sect "lab $km" mmap_offset | cut -d' ' -f1)
t_eq "a refused region's offset ([lab $small]): EINVAL" "mmap: EINVAL" \
	"$(kd-mmap -o "$((km_off + (1 << 40)))" -n 1 "$km" 2>&1)"

# fill and check: what they refuse.
kd_refusal_ref
table <<EOF
fill kmem_cache 1 -> EINVAL: fill of a cache's objects
fill nothing 1 -> ENOENT: fill of no such section
check 999 1 -> ENOENT: check of no such experiment
fill $p0 256 -> EINVAL: BYTE over 255
fill $p0 -1 -> EINVAL: BYTE negative
fill $p0 -> EINVAL: BYTE missing
fill $p0 1 2 -> EINVAL: an extra argument
fill 0 1 -> EINVAL: ID 0
EOF
if sect dma_map owner | grep -q '^the device'; then
	refused EBUSY "fill of memory the device owns" "fill dma_map 1"
fi
t_lab "fill of a load-time section by its title" ok "fill kmalloc 0x11"
t_lab "check of it" ok "check kmalloc 0x11"

t_lab "free all" ok "free all"
t_run "unload" kd_unload
t_run "/dev/kmem_demo is gone" test ! -e /dev/kmem_demo
t_clean "nothing left"
