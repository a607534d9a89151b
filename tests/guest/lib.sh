# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Guest test library (busybox ash), sourced by tests/guest/NN-name.sh.
# Every t_* call prints one KTAP result line, numbered automatically:
#   ok N DESC | not ok N DESC | ok N DESC # SKIP REASON
# followed, on failure, by "# " diagnostic lines.  t_* return 0 when the
# check passed (skips too) and 1 when it failed, so a test can stop early
# with "t_run ... || exit 1"; do not use "set -e" in tests.

KD_KO=/kd/kmem_demo.ko
KD_T_N=0

# _kd_diag [LINE...] -- each argument (may hold newlines) as "# " lines.
_kd_diag() {
	[ $# -eq 0 ] || printf '%s\n' "$@" | sed 's/^/# /'
}

t_ok() {
	KD_T_N=$((KD_T_N + 1))
	printf 'ok %d %s\n' "$KD_T_N" "$1"
}

# t_fail DESC [DIAGNOSTIC...]
t_fail() {
	KD_T_N=$((KD_T_N + 1))
	printf 'not ok %d %s\n' "$KD_T_N" "$1"
	shift
	_kd_diag "$@"
	return 1
}

# t_skip DESC REASON
t_skip() {
	KD_T_N=$((KD_T_N + 1))
	printf 'ok %d %s # SKIP %s\n' "$KD_T_N" "$1" "$2"
}

# t_eq DESC EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "expected $2" "saw $3"; fi
}

# t_match DESC ERE TEXT -- some line of TEXT matches ERE (grep -E).
t_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		t_ok "$1"
	else
		t_fail "$1" "expected a line matching /$2/" "saw:" "$3"
	fi
}

# t_run DESC CMD [ARG...] -- ok if CMD exits 0; else show its output+status.
t_run() {
	_d=$1
	shift
	_out=$("$@" 2>&1)
	_st=$?
	if [ "$_st" -eq 0 ]; then
		t_ok "$_d"
	else
		t_fail "$_d" "command: $*" "exit status $_st" "$_out"
	fi
}

# kd_uptime_cs -- the time since boot in hundredths of a second.
kd_uptime_cs() {
	read -r _up _ </proc/uptime
	echo $((${_up%.*} * 100 + 1${_up#*.} - 100))
}

# kd_wait_until CS -- sleep until kd_uptime_cs reaches CS, if it has not.
kd_wait_until() {
	_left=$(($1 - $(kd_uptime_cs)))
	[ "$_left" -le 0 ] || usleep $((_left * 10000))
}

# kd_kmsg_mark SLOT -- mark the end of the kernel log: kd_kmsg_since SLOT
# prints what was logged after it.  SLOT (0, 1 or 2) lets marks overlap.
# A mark is an open /dev/kmsg (fd 7 + SLOT) moved to the log's end, so that
# reading what came since costs what came since (kd-kmsg), not a read of
# the whole log as dmesg's would; the lines read so far are kept in
# /tmp/kd-kmsg.PID.SLOT, so a second kd_kmsg_since prints them again.
kd_kmsg_mark() {
	eval "exec $((7 + $1))</dev/kmsg"
	eval "kd-kmsg end <&$((7 + $1))"
	: >"/tmp/kd-kmsg.$$.$1"
}

# kd_kmsg_since SLOT -- kernel log lines written since kd_kmsg_mark SLOT.
kd_kmsg_since() {
	eval "kd-kmsg read <&$((7 + $1))" >>"/tmp/kd-kmsg.$$.$1"
	cat "/tmp/kd-kmsg.$$.$1"
}

# kd_dmesg_mark, kd_dmesg_since -- kd_kmsg_mark 0, kd_kmsg_since 0.
kd_dmesg_mark() { kd_kmsg_mark 0; }
kd_dmesg_since() { kd_kmsg_since 0; }

# kd_compact -- defragment free memory (CONFIG_COMPACTION), so a load that
# needs a block of the largest order finds one; a no-op without it.
kd_compact() {
	[ -w /proc/sys/vm/compact_memory ] && echo 1 >/proc/sys/vm/compact_memory
	:
}

# kd_load [PARAM=VALUE...] -- insmod kmem_demo, with the lane's dma_bits=
# for its DMA demo device first (KD_DMA_BITS, where not the default);
# returns insmod's status, its stderr is left in KD_LOAD_ERR.
# shellcheck disable=SC2120 # parameters are optional
kd_load() {
	# shellcheck disable=SC2034 # read by the tests
	KD_LOAD_ERR=$(insmod "$KD_KO" ${KD_DMA_BITS:+"dma_bits=$KD_DMA_BITS"} "$@" 2>&1 >/dev/null)
}

kd_unload() {
	rmmod kmem_demo
}

kd_loaded() {
	lsmod | grep -q '^kmem_demo '
}

# kd_pcp_kb -- kB of free pages parked in the per-CPU free lists, which
# MemFree leaves out.  Since 6.7 those lists grow after large frees, so
# much of a large vfree can stay there instead of reaching MemFree.
kd_pcp_kb() {
	_kd_ps=$(awk '/^KernelPageSize:/ { print $2; exit }' /proc/self/smaps)
	awk -v ps="$_kd_ps" '/^ *count:/ { n += $2 } END { print n * ps }' /proc/zoneinfo
}

# kd_meminfo FIELD -- the value of FIELD in /proc/meminfo, in kB.
kd_meminfo() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# Fault injection (the debug lane: failslab, fail_page_alloc, fail-nth).
KD_FAULT=/sys/kernel/debug

# kd_fault_ok -- the kernel can fail allocations on request.
kd_fault_ok() {
	[ -w /proc/self/fail-nth ] && [ -d $KD_FAULT/failslab ] &&
		[ -d $KD_FAULT/fail_page_alloc ]
}

# kd_fault_arm [PERCENT] -- make failslab and fail_page_alloc reach what a
# module allocates: their defaults skip sleeping (GFP_KERNEL) allocations,
# order-0 pages and highmem-flagged pages (vmalloc's); and keep them quiet.
# Without PERCENT nothing fails until fail-nth says so; with it, tasks with
# make-it-fail set fail PERCENT % of their allocations, without end.
# shellcheck disable=SC2120 # PERCENT is optional
kd_fault_arm() {
	for _f in failslab fail_page_alloc; do
		echo N >$KD_FAULT/$_f/ignore-gfp-wait
		echo 0 >$KD_FAULT/$_f/verbose
		if [ $# -gt 0 ]; then
			echo Y >$KD_FAULT/$_f/task-filter
			echo "$1" >$KD_FAULT/$_f/probability
			echo 1 >$KD_FAULT/$_f/interval
			echo -1 >$KD_FAULT/$_f/times
		fi
	done
	echo 0 >$KD_FAULT/fail_page_alloc/min-order
	echo N >$KD_FAULT/fail_page_alloc/ignore-gfp-highmem
}

# kd_fault_off -- no more failures by probability.
kd_fault_off() {
	for _f in failslab fail_page_alloc; do
		echo 0 >$KD_FAULT/$_f/probability
	done
}
