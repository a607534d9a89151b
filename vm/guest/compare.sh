# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# The guest's part of "make compare" (KD_MODE=compare), sourced by
# vm/guest/init, whose step and finish it uses: load the module with
# KD_PARAMS, run the benchmark when KD_BENCH says so (before the lab, so
# that no experiment is live while it measures), run the lab commands of
# KD_LAB one write each, and print for the host (vm/compare.sh), each
# between KD-<nonce>-NAME-BEGIN/END markers:
#   INFO    "kernel RELEASE" and "machine MACHINE" (uname -r, uname -m)
#   CSV     the benchmark's CSV (with KD_BENCH only)
#   LAB     one line per command: COMMAND<TAB>RESULT<TAB>LOG, RESULT "ok"
#           or the errno name (kd-lab), LOG the module's last kernel log
#           line about it (empty when the rate limit dropped it)
#   REPORT  /proc/kmem_demo after the lab
#   TROUBLE the kernel log lines since insmod that look like trouble
#           (/kd/trouble.ere, as for the tests), only when there are any
# The host reads nothing else from the console: the commands' own output
# stays visible in the console log.

printf '\nKD-%s-INFO-BEGIN\nkernel %s\nmachine %s\nKD-%s-INFO-END\n' \
	"$KD_NONCE" "$(uname -r)" "$(uname -m)" "$KD_NONCE"
start=$(dmesg | wc -l)
mark=$start
step "$(insmod_cmd)"
case ${KD_BENCH:-} in
quick | full)
	# "bench" is the full run, "bench quick" the short one.
	arg=''
	[ "$KD_BENCH" = quick ] && arg=' quick'
	step "echo 'bench$arg' >/proc/kmem_demo"
	printf '\nKD-%s-CSV-BEGIN\n' "$KD_NONCE"
	cat /proc/kmem_demo_bench.csv
	printf 'KD-%s-CSV-END\n' "$KD_NONCE"
	;;
esac
printf '%s\n' "${KD_LAB:-}" | tr ';' '\n' | sed 's/^ *//; s/ *$//; /^$/d' >/tmp/lab
: >/tmp/lab.out
while IFS= read -r c; do
	mark=$(dmesg | wc -l)
	res=$(kd-lab write "$c" 2>&1)
	# The module logs one line per experiment or refusal ("kmem_demo:
	# lab 3: ..." or "kmem_demo: lab: line 1 refused, ..."), without the
	# printk time.
	log=$(dmesg | tail -n +$((mark + 1)) | sed -n 's/^\[[ 0-9.]*\] //; /^kmem_demo: lab/p' | tail -n 1)
	printf '%s\t%s\t%s\n' "$c" "$res" "$log" >>/tmp/lab.out
	printf '\n$ echo %s >/proc/kmem_demo\n%s\n%s\n' "'$c'" "$res" "$log"
done </tmp/lab
printf '\nKD-%s-LAB-BEGIN\n' "$KD_NONCE"
cat /tmp/lab.out
printf 'KD-%s-LAB-END\n' "$KD_NONCE"
dma_settle
printf '\nKD-%s-REPORT-BEGIN\n' "$KD_NONCE"
cat /proc/kmem_demo
printf 'KD-%s-REPORT-END\n' "$KD_NONCE"
step 'rmmod kmem_demo'
printf '\n$ dmesg | tail -n +%s\n' "$((start + 1))"
dmesg | tail -n +$((start + 1)) | tee /tmp/log
if grep -E -f /kd/trouble.ere /tmp/log >/tmp/trouble; then
	printf '\nKD-%s-TROUBLE-BEGIN\n' "$KD_NONCE"
	cat /tmp/trouble
	printf 'KD-%s-TROUBLE-END\n' "$KD_NONCE"
fi
finish 0
