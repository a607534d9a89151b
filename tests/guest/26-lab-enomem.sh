#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# When the allocator returns NULL: ENOMEM, nothing half-made, nothing
# leaked, the page accounting balanced.  A genuine failure first: order-MAX
# blocks with __GFP_NORETRY until none is left, which prints the kernel's
# own allocation-failure report (that is expected, and allowed here).  Then,
# where the kernel has fault injection (the debug lane), a failure injected
# at every allocation of each command in turn: each attempt ends in ENOMEM
# or a whole experiment; a mempool's reserve serves the element whose
# kmalloc failed.
# kd-boot: slub
# kd-timeout: 240
# kd-log-ok: Call Trace
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

maxo=$(kd_max_order)
t_run "load with room for the whole RAM" kd_load_settled lab_max_items=4096 lab_max_bytes=17179869184
cat "$KD_PROC" >/tmp/ref.txt

# Take the largest blocks until the buddy allocator has none left.  NORETRY:
# no OOM killer, the request simply fails.  On x86 from ZONE_DMA (16 MiB,
# which ordinary allocations leave alone), so the rest of the machine (and
# kmemleak's own metadata, on the debug lane) never runs short; elsewhere
# ZONE_DMA is most of the RAM, so take the blocks from all of it.
flags=GFP_KERNEL
[ "$(uname -m)" = x86_64 ] && flags=GFP_DMA
kd_dmesg_mark
n=0 out=ok
while [ "$out" = ok ] && [ $n -lt 1000 ]; do
	out=$(kd_lab "pages $maxo $flags|__GFP_NORETRY")
	[ "$out" = ok ] && n=$((n + 1))
done
echo "# got $n blocks of order $maxo ($flags) before: $out"
t_eq "order-$maxo $flags blocks until the allocator returns NULL: ENOMEM" ENOMEM "$out"
t_match "the kernel printed its allocation-failure report" \
	"page allocation failure: order:$maxo" "$(kd_dmesg_since)"
t_match "the refusal names the command and the reason" \
	"lab: line 1 refused, ENOMEM: pages: the allocator returned NULL" "$(kd_dmesg_since)"
t_eq "the failed command made no experiment" "$n" "$(kd_lab_live "$KD_PROC")"
t_lab "free all" ok "free all"
t_eq "the report is as before (but for the page accounting)" "" \
	"$(grep -v '^page_acct:' "$KD_PROC" | diff - /tmp/ref.txt | grep '^[<>]' | grep -v page_acct)"
read -r alloc freed <<EOF2
$(kd_page_acct "$KD_PROC")
EOF2
t_eq "page accounting balances: $alloc allocated, $freed freed" \
	"$(kd_load_pages /tmp/ref.txt)" $((alloc - freed))

if ! kd_fault_ok; then
	t_skip "a failure injected at every allocation of each command" "kernel without fault injection (the debug lane has it)"
	t_run "unload" kd_unload
	t_clean "nothing left"
	exit 0
fi
# Every allocation of a command, in turn (fail-nth = 1, 2, ... until the
# command passes fewer points): the buffer copy, the experiment's record,
# the allocator's own call and its internal allocations.  Each attempt ends
# in ENOMEM or, where the kernel absorbs the failure, a whole experiment;
# nothing half-made, nothing left after it is freed.
kd_fault_arm
vmi=$(kd_vmallocinfo)
objs=$(kd_slab_objects)
for c in "kmalloc 100" "kmalloc 100000" "vmalloc 64K" "kvmalloc 1M" "pages 0" "pages 3" "cache 5"; do
	n=0 enomem=0 done=0 bad=
	while [ $n -lt 100 ]; do
		n=$((n + 1))
		read -r res inj <<EOF2
$(kd-lab write -n $n "$c")
EOF2
		case $res in
		ENOMEM) enomem=$((enomem + 1)) ;;
		ok) done=$((done + 1)); kd_lab "free all" >/dev/null ;;
		*) bad="$bad nth=$n:$res" ;;
		esac
		left="$(kd_lab_live "$KD_PROC")|$(kd_vmallocinfo)|$(kd_slab_objects)"
		[ "$left" = "0|$vmi|$objs" ] || bad="$bad nth=$n:left($left)"
		[ "$inj" = injected ] || break
	done
	echo "# $c: $((n - 1)) allocation points: $enomem ENOMEM, $((done - 1)) absorbed"
	t_eq "$c: every allocation point failed in turn ends in ENOMEM or a whole experiment, nothing left" "" "$bad"
	t_run "$c: the walk found allocation points and ended ($n)" test "$n" -gt 1 -a "$n" -lt 100
done
# A pool's reserve is for this: mempool_alloc() takes an element from it
# when kmalloc fails.  Each allocation of the command in turn: the one in
# mempool_kmalloc() is served from the reserve; the others end in ENOMEM
# with the element given back, the reserve whole again.
t_lab "mempool 2 3000" ok "mempool 2 3000"
pool=$(kd_lab_last)
n=0 reserve=0 bad=
while [ $n -lt 100 ]; do
	n=$((n + 1))
	kd_dmesg_mark
	read -r res inj <<EOF2
$(kd-lab write -n $n "mempool_alloc $pool GFP_NOWAIT")
EOF2
	case $res in
	ok)
		kd_dmesg_since | grep -q "lab $pool: mempool_alloc(pool, GFP_NOWAIT): from the reserve, as kmalloc failed" &&
			reserve=$((reserve + 1))
		kd_lab "mempool_free $pool" >/dev/null ;;
	ENOMEM) ;;
	*) bad="$bad nth=$n:$res" ;;
	esac
	left=$(kd_field "$KD_PROC" "lab $pool" reserve)
	case $left in "2 of 2 "*) ;; *) bad="$bad nth=$n:reserve($left)" ;; esac
	[ "$inj" = injected ] || break
done
echo "# mempool_alloc: $((n - 1)) allocation points, $reserve served from the reserve"
t_eq "mempool_alloc: every allocation point failed in turn ends in ENOMEM or an element, the reserve whole after" "" "$bad"
t_run "mempool_alloc: a failed kmalloc is served from the reserve" test "$reserve" -ge 1
t_lab "free the pool" ok "free $pool"
t_lab "without injection, the same commands work" ok "kmalloc 100" "vmalloc 64K" "pages 3" "cache 5"
t_run "unload with them live" kd_unload
t_clean "nothing left"
if [ -r "$KD_KMEMLEAK" ]; then
	t_no_leaks "kmemleak: nothing of the module's leaked"
fi
