#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The KUnit suite in src/kunit.c for the module's pure helpers (debug
# lane: needs CONFIG_KUNIT): parameter parsing and bounds, contiguous-run
# counting, alignment and slot arithmetic, size formatting; the lab's
# number, flag and command parser, its flag rules, its limits ("pages 99",
# "kmalloc 16G") and how a write is cut into lines; zones told apart by
# index (a DMA32 page then a DMA page are two zones); which blocks a huge
# vmalloc mapping used, from its rounding and first run.  Each KUnit case
# becomes one result here.
# kd-boot: slub
# kd-taint-ok: 262144
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

ko=/kd/kmem_demo_kunit.ko
if [ ! -d /sys/kernel/debug/kunit ] || [ ! -f $ko ]; then
	t_skip "KUnit suite kmem_demo" "kernel without CONFIG_KUNIT (the debug lane has it)"
	exit 0
fi
kd_dmesg_mark
t_run "load $ko (runs the suite)" insmod $ko
log=$(kd_dmesg_since | sed 's/^\[[^]]*\] *//')
echo "$log" | sed -n '/Subtest: kmem_demo/,/ok [0-9]* kmem_demo$/p' >/tmp/kunit.ktap
plan=$(sed -n 's/^ *1\.\.\([0-9]*\)$/\1/p' /tmp/kunit.ktap | head -n 1)
# "    ok 3 kd_test_max_order" or "    not ok 3 kd_test_max_order"
awk '$1 == "ok" && $3 ~ /^kd_test_/ { print "ok", $3 }
     $1 == "not" && $4 ~ /^kd_test_/ { print "fail", $4 }' /tmp/kunit.ktap >/tmp/kunit.results
results=$(wc -l </tmp/kunit.results)
t_run "suite ran: plan of $plan cases, $results results" \
	test -n "$plan" -a "$plan" = "$results" -a "$results" -gt 0
while read -r res name; do
	if [ "$res" = ok ]; then
		t_ok "kunit: $name"
	else
		t_fail "kunit: $name" "$(grep -A8 "$name" /tmp/kunit.ktap | grep '#')"
	fi
done </tmp/kunit.results
t_match "suite result" "^ok [0-9]+ kmem_demo$" "$(grep -E '^(not )?ok [0-9]+ kmem_demo$' /tmp/kunit.ktap)"
t_run "unload" rmmod kmem_demo_kunit
