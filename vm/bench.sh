#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm/bench.sh [--lane NAME] [--quick] [--runs N] -- "make bench": boot the lane's VM,
# run the module's benchmark ("bench" written to /proc/kmem_demo), save its
# CSV under results/ (ignored by git), print the table and draw the plots
# (scripts/plot.sh).  The CSV's comment lines name the kernel, CPU, page size and
# timing source (from the module) and the accelerator (from here).  With
# --runs 2 the benchmark runs twice in one boot and the script reports how
# many rows' medians agree within 10 % (results/ keeps both CSVs).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_ROOT/vm/build.sh"
. "$KD_ROOT/vm/initramfs.sh"
. "$KD_ROOT/vm/boot.sh"

lane='' mode='' runs=1
while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?--runs needs a number}; shift 2 ;;
	--lane) lane=${2?--lane needs a name}; shift 2 ;;
	--lane=*) lane=${1#*=}; shift ;;
	--quick) mode=quick; shift ;;
	*) kd_die "usage: vm/bench.sh [--lane NAME] [--quick] [--runs N]" ;;
	esac
done

t0=$EPOCHREALTIME
[ -n "$lane" ] || lane=$(kd_default_lane)
kd_lane "$lane"
bdir=$(kd_build_dir "")
kd_build_module "$bdir"
img=$KD_CACHE/initramfs/$(kd_lane_key)-bench.cpio.gz
mkdir -p "${img%/*}"
kd_initramfs "$bdir" "$img" KD_MODE=bench KD_BENCH="$mode" KD_BENCH_RUNS="$runs" \
	KD_PARAMS="${PARAMS:-}"
log=$KD_CACHE/logs/$(kd_lane_key)-bench.log
rc=0
kd_log "benchmark${mode:+ ($mode)} on $LANE_NAME: ${LANE_QEMU[*]}"
KD_BOOT_TIMEOUT=${KD_BOOT_TIMEOUT:-$((600 * LANE_SLOW))} kd_boot "$img" "$log" || rc=$?
[ "$rc" -eq 0 ] || kd_die "the benchmark VM failed (status $rc), console: $log"

accel=tcg
case " ${LANE_QEMU[*]} " in *' -accel kvm '*) accel=kvm ;; esac
out=$KD_ROOT/results
mkdir -p "$out"
stem=$out/bench-$LANE_NAME${mode:+-$mode}-$(date +%Y%m%d-%H%M%S)
for i in $(seq "$runs"); do
	csv=$stem.csv
	[ "$i" -eq 1 ] || csv=$stem-run$i.csv
	{
		echo "# lane: $LANE_NAME, qemu: ${LANE_QEMU[0]} -accel $accel, $(nproc) host CPUs"
		echo "# host cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
		kd_console_block "$log" "$KD_NONCE" CSV "$i" ||
			kd_die "run $i's CSV is not complete in the console log $log"
	} >"$csv"
done
csv=$stem.csv
grep -q '^allocator,' "$csv" || kd_die "no CSV in the console log $log"
# The table the module printed, as it printed it.
tr -d '\r' <"$log" | sed -n '/^\$ cat \/proc\/kmem_demo_bench$/,/^\$ rmmod/p' | sed '1d;$d'
echo "under $accel: $( [ $accel = tcg ] && echo 'every time is inflated by emulation; read ratios, not absolutes' || echo 'near native speed')"
echo "csv: $csv"
if [ "$runs" -ge 2 ]; then
	# Rows whose medians agree within 10 % between run 1 and run 2; and
	# again after dividing out the run-wide factor (the geometric mean of
	# the rows' ratios): a host that got uniformly slower between the runs
	# moves every row alike, and the ratios between cases, which are what
	# to read under emulation, still agree.
	awk -F, 'FNR == 1 { f++ } /^#/ || $1 == "allocator" || $13 != 0 { next }
		f == 1 { m[$1 FS $2 FS $3 FS $5] = $9; next }
		(k = $1 FS $2 FS $3 FS $5) in m && m[k] > 0 && $9 > 0 {
			n++; r[n] = $9 / m[k]; lg += log(r[n]) }
		function within(x) { return (x > 1 ? x : 1 / x) <= 1.10 }
		END { if (!n) { print "repeatability: no rows to compare"; exit }
			g = exp(lg / n)
			for (i = 1; i <= n; i++) { ok += within(r[i]); okg += within(r[i] / g) }
			printf "repeatability: %d of %d rows (%.0f %%) agree within 10 %% on the median between two runs in one boot\n",
				ok, n, 100 * ok / n
			printf "repeatability: run 2 / run 1 = %.3f overall; after that factor, %d of %d rows (%.0f %%) within 10 %%\n",
				g, okg, n, 100 * okg / n }' "$csv" "$stem-run2.csv"
fi
"$KD_ROOT/scripts/plot.sh" "$csv"
kd_log "bench on $LANE_NAME: $(kd_elapsed "$t0")s in all"
