#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every failure point of a load (debug lane): with failslab and
# fail_page_alloc armed, fail the Nth allocation of the load for N = 1, 2, ...
# until a load passes fewer than N points.  Each attempt must end in a
# clean error (nothing left) or a clean load that reads and unloads; after
# the walk kmemleak reports no leak of the module's.
# Injected failures make the kernel print allocation-failure backtraces;
# the log scan allows those and still fails on BUG, WARNING, KASAN, lockdep.
# kd-boot: slub
# kd-timeout: 1800
# kd-log-ok: Call Trace|new suspected memory leak
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

if ! kd_fault_ok; then
	t_skip "fail-nth walk" "kernel without fault injection (the debug lane has it)"
	exit 0
fi

kd_fault_arm
[ -r "$KD_KMEMLEAK" ] && echo clear >"$KD_KMEMLEAK"

n=0 loads=0 errors=0 bad=0
while :; do
	n=$((n + 1))
	out=$(kd-failnth /kd/kmem_demo.ko $n)
	rc=$?
	case $rc in
	0)	# loaded, with or without the injected failure
		loads=$((loads + 1))
		if ! cat "$KD_PROC" >/dev/null || ! rmmod kmem_demo; then
			bad=$((bad + 1)); echo "# nth=$n: loaded but not readable/unloadable ($out)"
		fi ;;
	1)	errors=$((errors + 1)) ;;
	*)	bad=$((bad + 1)); echo "# nth=$n: helper failed: $out"; break ;;
	esac
	left=$(kd_leftovers)
	if [ -n "$left" ]; then
		bad=$((bad + 1)); echo "# nth=$n ($out) left: $left"
		rmmod kmem_demo 2>/dev/null
	fi
	case $out in *injected=0*) break ;; esac
	[ $n -ge 5000 ] && { bad=$((bad + 1)); echo "# no end after $n points"; break; }
done
points=$((n - 1))
echo "# walked $points failure points: $loads loads (incl. the final unfailed one), $errors clean errors"
t_eq "every one of $points failure points ends cleanly" 0 "$bad"
t_run "the walk found failure points" test "$points" -gt 0
t_match "the last attempt passed every point and loaded" "injected=0 ret=0" "$out"

[ -r "$KD_KMEMLEAK" ] && t_no_leaks "kmemleak: no leak of the module's in the whole walk"
t_run "a normal load still works" kd_load
t_run "and unloads" kd_unload
