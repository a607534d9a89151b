#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every output users and scripts read stays as it was: the module's modinfo
# text, its kernel log lines (load, unload, refused parameters, every
# fail_step unwinding, lab commands and refusals), /proc/kmem_demo as root
# and as nobody, /proc/kmem_demo_map and the benchmark's table and CSV, for
# one fixed sequence of loads and lab commands, are equal line for line to
# the sample recorded for this kernel (golden/KERNEL-RELEASE.txt, whichever
# lane boots it).  A value that depends on where memory landed or when (an
# address, a frame, a run count, a zone, the size of a slab, which falls
# back to a smaller order when memory is fragmented, a CPU, a time) or on
# the host (its CPU model, KVM) is masked as <...>; everything else is
# compared as it is.
# A kernel with no sample is skipped, and its output printed as "# golden: "
# lines, which tests/host/golden-record.sh turns into the sample.  The
# samples are of one-node machines: on a NUMA machine (the numa lane) the
# node lines and the map's zones differ by design, and 36-numa checks them.
# kd-boot: slub
# kd-timeout: 240
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

nodes=$(kd_nodes)
case $nodes in
*[,-]*)
	t_skip "outputs as recorded" "the samples are of one-node machines, this one has nodes $nodes"
	exit 0
	;;
esac

out=/tmp/golden.txt
: >"$out"

# mask -- stdin with every value that depends on where memory landed or
# when replaced by a placeholder (mask.sed).
mask() {
	sed -E -f "${0%/*}/mask.sed" | uniq
}

# section TITLE -- start a part of the sample.
section() {
	printf '\n=== %s\n' "$1" >>"$out"
}

# keep TITLE CMD... -- the masked output of CMD, and its exit status.
keep() {
	section "$1"
	shift
	"$@" 2>&1 | mask >>"$out"
}

# log_since -- the module's kernel log lines since kd_dmesg_mark.
log_since() {
	kd_dmesg_since | grep -E '^(\[[ 0-9.]+\] )?kmem_demo' | grep -v taint | mask
}

# lab LINE... -- one write; its result and the log lines it caused.
lab() {
	kd_dmesg_mark
	printf 'lab %s -> %s\n' "$*" "$(kd_lab "$@" 2>&1)" >>"$out"
	log_since >>"$out"
}

# refused LINE... -- lab, for a write that is refused.  Refusals are logged
# at most 10 in 5 s (DEFAULT_RATELIMIT_BURST, _INTERVAL): after every 9th,
# wait for a fresh window, so that every refusal's line is in the sample.
# The first window is fresh: the rate limit's state is the module's, and
# the module was loaded anew below.  A window opens at its first refusal,
# before that write returns: 5 s after the return (and a little more, the
# limit counts whole jiffies) it has closed.
nref=0
refused() {
	[ "$nref" -eq 0 ] || [ $((nref % 9)) -ne 0 ] || kd_wait_until $((window + 530))
	nref=$((nref + 1))
	lab "$@"
	[ $(((nref - 1) % 9)) -ne 0 ] || window=$(kd_uptime_cs)
}

# bench_mask -- the benchmark's table and CSV with the timings, the loop
# counts and what they allocated masked: which cases, in which order, with
# which sizes and batches, stays.  Whether the clock is trusted depends on
# the machine (28-bench checks that the module says so consistently).
# Whether a case's median sinks below the empty loop depends on the moment:
# the table's mark goes with its figures, the CSV's note line is dropped.
bench_mask() {
	sed -E \
		-e 's/^(#? ?mode: .*, )[0-9]+ ms in all$/\1<ms> ms in all/' \
		-e 's/^(#? ?clock: ktime_get_ns\(\) costs )[0-9]+ ns a read, [0-9]+ ns of it the clocksource.s: .*/\1<ns> ns a read, <ns> ns of it the clocksource'"'"'s: <verdict>/' \
		-e '/^#? ?warning: /d' \
		-e '/^# \^ median not above the empty loop/d' \
		-e 's/^(#? ?empty loop: )[0-9.]+ ns/\1<ns> ns/' \
		-e 's/^(#? ?pages: )[0-9]+ allocated, [0-9]+ freed$/\1<n> allocated, <n> freed/' \
		-e 's/^(#? ?(cpu|virtualized): ).*/\1<host>/' \
		-e 's/^([a-z_]+ +[a-z]+ +[0-9]+ +[0-9]+ ).*$/\1<figures>/' \
		-e 's/^([a-z_]+,[a-z]+,[0-9]+,[0-9]+,[0-9]+,)[^,]*,([0-9]+,)[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,(-?[0-9]+)$/\1<loops>,\2<figures>,\3/'
}

# The .modinfo section, as modinfo shows it (busybox modinfo needs a
# modules.dep the guest does not have).
keep "modinfo" sh -c "strings $KD_KO | grep -E '^(description|author|license|version|parm|parmtype)=' | sort"

# Refused parameters: nothing loads, one line each.
for p in kmalloc_size=0 vmalloc_size=abc page_order=99 cache_objects=1025 \
	fail_step=8 lab_max_items=4097 dma_bits=65 dma_order=99; do
	kd_dmesg_mark
	kd_load "$p"
	printf 'insmod %s -> %s\n' "$p" "$?" >>"$out"
	log_since | sed -n 1p >>"$out"
done
section "fail_step"
for s in 1 2 3 4 5 6 7; do
	kd_dmesg_mark
	kd_load fail_step=$s
	printf 'insmod fail_step=%s -> %s\n' "$s" "$?" >>"$out"
	log_since >>"$out"
done

section "load"
kd_dmesg_mark
t_run "load" kd_load || exit 1
# The DMA demo device's transfers, done: the report says so, not "running".
t_run "the device verifies its buffers" kd_dma_settle
log_since >>"$out"
keep "parameters" sh -c 'cd /sys/module/kmem_demo/parameters && grep . *'
keep "report" cat "$KD_PROC"
keep "report as nobody" kd_as_nobody "cat $KD_PROC"
keep "map" cat /proc/kmem_demo_map

section "lab"
lab "kmalloc 100"
lab "kmalloc 5000 GFP_KERNEL|__GFP_ZERO"
lab "kmalloc 64 GFP_ATOMIC"
lab "kmalloc 1000 GFP_DMA"
lab "vmalloc 1M"
lab "vmalloc 3000 GFP_KERNEL|__GFP_ZERO"
lab "kvmalloc 4096"
lab "pages 3 GFP_DMA32"
lab "pages 0 __GFP_HIGHMEM"
lab "pages 2 __GFP_COMP"
lab "cache 10"
lab "free 2"
refused "kmalloc 0"
refused "kmalloc 99G"
refused "pages 99"
refused "cache 0"
refused "cache 70000"
refused "bogus 1"
refused "kmalloc"
refused "kmalloc 1 2 3"
refused "kmalloc 100 NOPE"
refused "kmalloc 100 GFP_DMA32"
refused "kmalloc 100 __GFP_NOFAIL"
refused "vmalloc 1M GFP_ATOMIC"
refused "vmalloc 1M __GFP_COMP"
refused "pages 0 __GFP_COMP"
refused "free 999"
refused "bench extra"
refused "kmalloc 10" "kmalloc 20" "bogus" "kmalloc 30"
refused "$(printf 'kmalloc %0300d' 1)"
keep "report with the lab" cat "$KD_PROC"
keep "report with the lab, as nobody" kd_as_nobody "cat $KD_PROC"
keep "map with the lab" cat /proc/kmem_demo_map

section "kvmalloc past kmalloc"
lab "free all"
# Above KMALLOC_MAX_SIZE kvmalloc always ends in vmalloc; how much it maps,
# and in which blocks, depends on the huge blocks free at that moment: masked.
lab "kvmalloc $(($(kd_page_size) << $(kd_max_order) << 1))"
sed -n '/^\[lab /,$p' "$KD_PROC" | sed -E \
	-e 's/^(reserved|slack|pages|served_by):( +).*/\1:\2<mapped>/' | mask >>"$out"
lab "free all"

section "bench"
keep "bench before a run" cat /proc/kmem_demo_bench
keep "bench.csv before a run" cat /proc/kmem_demo_bench.csv
lab "bench quick"
section "bench table"
bench_mask </proc/kmem_demo_bench | mask >>"$out"
section "bench csv"
bench_mask </proc/kmem_demo_bench.csv | mask >>"$out"
# The log line of a run says how long it took: masked.
sed -i -E 's/^(kmem_demo: bench: done in )[0-9]+ ms, pages [0-9]+ allocated, [0-9]+ freed$/\1<ms> ms, pages <n> allocated, <n> freed/' "$out"

section "unload"
keep "report at the end" cat "$KD_PROC"
kd_dmesg_mark
t_run "unload" kd_unload
log_since >>"$out"

kver=$(uname -r)
sample=${0%/*}/golden/$kver.txt
if [ ! -f "$sample" ]; then
	t_skip "outputs as recorded" "no sample for kernel $kver (record it with tests/host/golden-record.sh)"
	sed 's/^/# golden: /' "$out"
elif cmp -s "$sample" "$out"; then
	t_ok "outputs as recorded ($(wc -l <"$out") lines)"
else
	t_fail "outputs as recorded" "expected: golden/$kver.txt; seen: the diff below" \
		"$(diff -U 2 "$sample" "$out" | head -n 80)"
fi
