#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every failure point of the module's load (debug lane): with failslab and
# fail_page_alloc armed, fail the Nth allocation of a load, walking N down
# from the load's last fault point: through what follows the module's init,
# then every point of the init (each one makes the init fail and unwind),
# until 20 points in a row before the init's first, which are the module
# loader's (the kernel's, not the module's: a failure there ends the load
# before the init runs, or is tolerated).  Each attempt must end in a clean
# error (nothing left) or a clean load that reads and unloads; after the
# walk kmemleak reports no leak of the module's.
# Injected failures make the kernel print allocation-failure backtraces;
# the log scan allows those and still fails on BUG, WARNING, KASAN, lockdep.
# One kernel WARNING is allowed, the kernel's own: a failure injected while
# the DMA demo device's interrupt is set up can leave one of its
# /proc/irq/N files uncreated (register_irq_proc() in kernel/irq/proc.c
# goes on without it), and freeing the interrupt then removes it anyway:
# remove_proc_entry() warns "name '...'" (fs/proc/generic.c).  kmem_demo
# removes its own /proc files with proc_remove(), never that call.
# kd-boot: slub
# kd-class: fault
# kd-timeout: 1800
# kd-log-ok: Call Trace|new suspected memory leak|WARNING: .* at fs/proc/generic\.c:[0-9]+ remove_proc_entry\+
# kd-taint-ok: 512
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

if ! kd_fault_ok; then
	t_skip "fail-nth walk" "kernel without fault injection (the debug lane has it)"
	exit 0
fi

kd_fault_arm
[ -r "$KD_KMEMLEAK" ] && echo clear >"$KD_KMEMLEAK"

# A whole load, unfailed: how many fault points it passes.
big=1000000
out=$(kd-failnth /kd/kmem_demo.ko $big)
unused=$(echo "$out" | sed -n 's/.* left=\([0-9]*\) .*/\1/p')
t_match "an unfailed load passes every point and loads" "injected=0 left=[0-9]+ ret=0 OK init=ran" "$out"
rmmod kmem_demo 2>/dev/null
total=$((big - ${unused:-$big}))
t_run "it has fault points ($total)" test "$total" -gt 0

# attempt N -- fail the Nth point; count the outcome, check nothing is left.
attempt() {
	out=$(kd-failnth /kd/kmem_demo.ko "$1")
	case $? in
	0)	# loaded, with or without the injected failure
		loads=$((loads + 1))
		if ! cat "$KD_PROC" >/dev/null || ! rmmod kmem_demo; then
			bad=$((bad + 1)); echo "# nth=$1: loaded but not readable/unloadable ($out)"
		fi ;;
	1)	errors=$((errors + 1)) ;;
	*)	bad=$((bad + 1)); echo "# nth=$1: helper failed: $out" ;;
	esac
	left=$(kd_leftovers)
	if [ -n "$left" ]; then
		bad=$((bad + 1)); echo "# nth=$1 ($out) left: $left"
		rmmod kmem_demo 2>/dev/null
	fi
}

n=$total loads=0 errors=0 bad=0 inits=0 before=0 first=0
while [ "$n" -ge 1 ] && [ "$before" -lt 20 ]; do
	attempt "$n"
	case $out in
	*injected=1*init=failed*) inits=$((inits + 1)) before=0 first=$n ;;
	*) [ "$inits" -eq 0 ] || before=$((before + 1)) ;;
	esac
	n=$((n - 1))
done
walked=$((total - n))
echo "# walked $walked of $total fault points, down to $((n + 1)): $inits made the init fail (the first at $first), $loads loads, $errors clean errors"
t_eq "every one of the $walked failure points ends cleanly" 0 "$bad"
t_run "the walk reached the init's own points" test "$inits" -gt 0
t_run "and went 20 points past the init's first, into the loader's" test "$before" -eq 20

[ -r "$KD_KMEMLEAK" ] && t_no_leaks "kmemleak: no leak of the module's in the whole walk"
t_run "a normal load still works" kd_load
t_run "and unloads" kd_unload
