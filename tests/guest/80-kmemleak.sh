#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# kmemleak (debug lane): nothing leaked by any earlier test of this boot,
# nor by a load/unload, loads at other sizes, any failed load, or lab
# experiments of every allocator freed one by one, by "free all" and by
# the unload.  A module that leaks an experiment fails here: the leak is
# filed under the process that wrote the command (kd-lab).
# Page allocations are invisible to kmemleak; the module's own page
# accounting covers them (checked at the unloads of 10-load.sh and
# 22-lab.sh, and after 100 cycles by 50-cycles.sh on the other kernels).
# kd-boot: slub
# kd-timeout: 300
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

if [ ! -r "$KD_KMEMLEAK" ]; then
	t_skip "kmemleak" "kernel without CONFIG_DEBUG_KMEMLEAK (the debug lane has it)"
	exit 0
fi

t_no_leaks "kmemleak: no leak from the loads of the earlier tests"
echo clear >"$KD_KMEMLEAK"

kd_load && kd_unload
kd_load kmalloc_size=100 vmalloc_size=12345 page_order=0 cache_objects=300 && kd_unload
for s in 1 2 3 4 5 6; do
	kd_load fail_step=$s
done
t_run "load for the lab" kd_load
t_lab "lab: one experiment of each allocator" ok \
	"kmalloc 100" "vmalloc 20000" "kvmalloc 3000" "cache 3" "pages 1"
t_lab "lab: two freed by ID" ok "free 1" "free 2"
t_lab "lab: the rest by free all" ok "free all"
t_lab "lab: three more, left for the unload" ok "kmalloc 300" "vmalloc 5000" "cache 2"
t_run "unload with experiments live" kd_unload
t_clean "nothing left"
t_no_leaks "kmemleak: no leak from loads, unloads, failed loads and lab experiments"
