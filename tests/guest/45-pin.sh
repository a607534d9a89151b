#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# pin ADDR LEN pins the writer's own pages (pin_user_pages_fast, FOLL_WRITE
# and FOLL_LONGTERM): kd-mmap -P maps memory of its own and writes the
# command itself.  The experiment's frames are those the process's pagemap
# showed; what the process wrote the module's check sees, even after the
# process exited; what the module's fill writes a living process reads; the
# DMA demo device copies the pinned buffer through a scatterlist (where
# the pages lie within its reach, bounced or behind an IOMMU: else ERANGE),
# and a range that does not own its cache lines is refused for a device
# that writes.  Refused, each with its reason and changing nothing: memory the
# writer has not mapped, read-only memory, LEN 0 or over 16 MiB, a range
# that wraps, a malformed line, more pins than lab_max_items.  free and
# rmmod unpin.
# kd-boot: slub
# kd-class: kernel
# kd-timeout: 180
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

r=/tmp/pin.txt
ps=$(kd_page_size)
t_run "load" kd_load_settled

# sect ID KEY -- KEY of [lab ID] in a fresh copy of the report.
sect() {
	cat "$KD_PROC" >"$r"
	kd_field "$r" "lab $1" "$2"
}

# The process writes, then exits: the pin keeps its pages.
out=$(kd-mmap -P $((2 * ps + 100)) fill 0x3c frames 2>&1)
t_match "kd-mmap pins its own memory" '^pin: lab [0-9]+, ' "$out"
id=$(echo "$out" | sed -n 's/^pin: lab \([0-9]*\),.*/\1/p')
t_eq "[lab $id]: pin_user_pages" pin_user_pages "$(sect "$id" allocator)"
t_match "[lab $id]: the call" '^pin_user_pages_fast\(0x[0-9a-f]+, 3, FOLL_WRITE\|FOLL_LONGTERM, pages\), then vmap\(pages, 3, VM_MAP, PAGE_KERNEL\)$' \
	"$(sect "$id" call)"
t_eq "[lab $id]: 3 pages" 3 "$(sect "$id" pages)"
t_match "[lab $id]: whole pages" '^[0-9]+ \(whole pages: a pin holds every page the range touches\)$' \
	"$(sect "$id" slack_pages)"
t_match "[lab $id]: not mapped again" '^mmap: a process.s own anonymous pages' "$(sect "$id" refused)"
want=$(awk -v reg="region lab:$id " '
	index($0, reg) == 1 { on = 1; next }
	/^region / { on = 0 }
	on && $1 == "run" { for (i = 0; i < $3; i++) printf "0x%x\n", $2 + i }' /proc/kmem_demo_map)
t_eq "[lab $id]: the frames the process saw" "$want" "$(echo "$out" | sed -n 's/^frame [0-9]*: pfn //p')"
t_lab "the module sees what the process wrote, after it exited" ok "check $id 0x3c"

# The module writes while the process holds its pages.
kd-mmap -P "$ps" hold 3 check 0x77 >/tmp/holder.out 2>&1 &
holder=$!
i=0
until grep -q '^pin: lab' /tmp/holder.out || [ $i -ge 50 ]; do
	usleep 100000
	i=$((i + 1))
done
h=$(sed -n 's/^pin: lab \([0-9]*\),.*/\1/p' /tmp/holder.out)
t_lab "fill $h 0x77 while the process holds it" ok "fill $h 0x77"
wait "$holder"
t_match "the process reads the module's bytes" '^check: all [0-9]+ bytes are 0x77$' "$(cat /tmp/holder.out)"

# The device writes straight into a process's pinned buffer: whole cache
# lines of it, or a device that writes could lose the process's own writes
# to the lines it shares.
if grep -q '^\[dma_coherent\]$' "$KD_PROC"; then
	d=$(kd-mmap -P $((2 * ps)) fill 0x11 2>&1 | sed -n 's/^pin: lab \([0-9]*\),.*/\1/p')
	kd_dmesg_mark
	res=$(kd-lab write "dma map $d")
	if [ "$res" = ERANGE ]; then
		# The process's pages are wherever its faults put them: above
		# the device's mask here, and nothing bounces them.
		t_match "dma map $d: ERANGE, the pages lie beyond the device's reach" \
			"refused, ERANGE: dma: " "$(kd_dmesg_since)"
		t_skip "dma xfer $d" "the pinned pages lie beyond the device's mask on this machine"
	else
		t_eq "dma map $d: a scatterlist of the process's pages" ok "$res"
		t_match "[lab $d]: dma_map_sgtable" '^dma_map_sgtable\(' "$(sect "$d" dma)"
		t_lab "dma xfer $d: the device copies them there and back" ok "dma xfer $d"
		t_match "[lab $d]: every byte verified" 'every byte verified' "$(sect "$d" transfer)"
	fi
	o=$(kd-mmap -P 1000 -o 100 2>&1 | sed -n 's/^pin: lab \([0-9]*\),.*/\1/p')
	t_lab "dma map of a range that shares cache lines, from_device: EINVAL" EINVAL \
		"dma map $o from_device"
else
	t_skip "the DMA demo device" "no device bound on this machine"
fi

# What is refused.  (The log's refusal lines are rate-limited: the one
# checked comes first.)
kd_dmesg_mark
t_eq "read-only memory pinned for writing: EFAULT" "pin: EFAULT" "$(kd-mmap -P 4096 -r 2>&1)"
t_match "the log says why" 'refused, EFAULT: pin: ADDR..ADDR\+LEN is not all memory the writer may write' \
	"$(kd_dmesg_since)"
# What is refused.
kd_refusal_ref
table <<EOF
pin 0x1000 4096 -> EFAULT: memory the writer has not mapped
pin 0x1000 0 -> EINVAL: LEN 0
pin 0x1000 17M -> E2BIG: LEN over 16 MiB
pin 0xfffffffffffff000 8192 -> EINVAL: a range that wraps
pin x 4096 -> EINVAL: ADDR not a number
pin 0x1000 -> EINVAL: LEN missing
pin 0x1000 4096 1 -> EINVAL: an extra argument
EOF
t_lab "free $id unpins" ok "free $id"
t_match "the log names the unpin" "lab $id: unpin_user_pages_dirty_lock: " "$(dmesg | tail -n 20)"
t_run "unload unpins the rest" kd_unload

# More pins than the lab allows.
t_run "load with lab_max_items=1" kd_load lab_max_items=1
t_match "one pin" '^pin: lab 1, ' "$(kd-mmap -P 4096 2>&1)"
t_eq "a second: ENOSPC" "pin: ENOSPC" "$(kd-mmap -P 4096 2>&1)"
t_run "unload" kd_unload
t_clean "nothing left"
