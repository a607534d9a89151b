#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Three processes at once, each for 10 s with its own fixed seed (printed):
# random mappings of /dev/kmem_demo (some private, executable or past a
# region's end: refused), whole and partial munmaps, mremap, mprotect,
# MADV_DONTNEED, fork with every mapping touched by the child, reads and
# writes through the mappings, and lab commands beside them: mappable
# allocations, fill, check, free (EBUSY while mapped) and pins of their own
# memory.  No step may fault or get an error the docs do not list; once
# they exit, free all frees everything and the module unloads clean.  On
# the debug kernel KASAN, kmemleak and lockdep watch it all.
# kd-boot: slub
# kd-class: logic
# kd-timeout: 180
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

t_run "load" kd_load_settled
pids=
for seed in 20261207 20261208 20261209; do
	kd-lab mfuzz "$seed" 10 >"/tmp/mfuzz.$seed" 2>&1 &
	pids="$pids $!"
done
fail=0
for pid in $pids; do
	wait "$pid" || fail=$((fail + 1))
done
for seed in 20261207 20261208 20261209; do
	out=$(cat "/tmp/mfuzz.$seed")
	echo "# $out"
	t_match "mfuzz seed $seed: every step as documented" "^mfuzz seed=$seed: [0-9]+ steps$" "$out"
done
t_eq "no process died" 0 "$fail"
t_lab "free all, once no process maps anything" ok "free all"
t_eq "no experiment left" "" "$(kd_lab_ids)"
t_run "unload" kd_unload
t_clean "nothing left"
