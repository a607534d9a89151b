#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm/compare.sh [--out DIR] [--bench quick|full] [LANE...] -- "make compare":
# the same experiments on every lane, side by side.  Each lane boots its
# kernel with the module (PARAMS), runs the same lab commands (LAB, ';'
# between them; vm/guest/compare.sh), and, with --bench, the benchmark first.
# What each lane's guest printed is kept in DIR/lanes/LANE/ (default DIR:
# results/compare): status ("ok" or "failed"), why (when failed), kernel,
# machine, lab.tsv, report.txt, bench.csv, console.log, harness.log; then
# scripts/compare.py prints the table and writes compare.md and compare.csv
# (and the benchmark's ratios and their plot) into DIR, and what moved
# since the previous run (kept in DIR/previous/).
# Without a LANE: every lane that boots one of Debian's kernels (each kernel
# once), plus the host lane where this machine has its kernel's headers.
# Lanes run KD_JOBS (default 2) at a time.  A lane that cannot build, boot
# or finish is a column marked failed; the others still report, and the exit
# status is then 1.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_ROOT/vm/build.sh"
. "$KD_ROOT/vm/initramfs.sh"
. "$KD_ROOT/vm/boot.sh"

out=$KD_ROOT/results/compare bench=''
usage="usage: vm/compare.sh [--out DIR] [--bench quick|full] [LANE...] (lanes: $(kd_lanes kernel | paste -sd ' '))"
while [ $# -gt 0 ]; do
	case $1 in
	--out) out=${2:?--out needs a directory}; shift 2 ;;
	--bench) bench=${2?--bench needs quick or full}; shift 2 ;;
	-*) kd_die "$usage" ;;
	*) break ;;
	esac
done
case $bench in
'' | quick | full) ;;
*) kd_die "BENCH=$bench: quick or full (or nothing: no benchmark)" ;;
esac

# default_lanes -- every lane of vm/lanes/debian.sh, each Debian kernel
# once (on Debian 13 the distro lane's kernel is trixie's), and host when
# this machine has its kernel's build tree.
default_lanes() {
	local name runs arch suite flavour seen=' ' key host
	host=$(kd_host_release)
	while read -r name runs arch suite flavour _; do
		[ "$runs" = kernel:vm/lanes/debian.sh ] || continue
		[ "$suite" != host ] || suite=$host
		key="$arch/$suite/$flavour"
		if [[ $seen == *" $key "* ]]; then
			kd_log "compare: $name left out: its kernel ($key) is already a column"
			continue
		fi
		seen+="$key "
		echo "$name"
	done < <(kd_lane_rows)
	if [ -d "/lib/modules/${KVER:-$(uname -r)}/build" ]; then
		echo host
	else
		kd_log "compare: no host lane: /lib/modules/${KVER:-$(uname -r)}/build does not exist (the kernel headers of this machine)"
	fi
}

if [ $# -eq 0 ]; then
	mapfile -t lanes < <(default_lanes)
else
	lanes=()
	for l in "$@"; do
		[[ " ${lanes[*]} " == *" $l "* ]] || lanes+=("$l")
	done
fi
[ ${#lanes[@]} -gt 0 ] || kd_die "no lanes to compare"
need_pkgs python3

# The previous run's table stays, for what moved since.
if [ -f "$out/compare.csv" ]; then
	rm -rf "$out/previous"
	mkdir -p "$out/previous"
	cp "$out/compare.csv" "$out/previous/"
	[ ! -f "$out/lanes/run" ] || cp "$out/lanes/run" "$out/previous/"
fi
rm -rf "$out/lanes"
mkdir -p "$out/lanes"
printf '%s\n' "${lanes[@]}" >"$out/lanes/order"
{
	echo "lab ${LAB:-}"
	echo "params ${PARAMS:-}"
	echo "bench ${bench:--}"
	echo "date $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "host $(kd_os PRETTY_NAME), $(nproc) CPUs"
} >"$out/lanes/run"

# one LANE -- build, boot and collect LANE into $out/lanes/LANE; its
# "status" file is written last (the lane is done when it exists).
one() {
	local lane=$1 d=$out/lanes/$1 rc=0 why b
	mkdir -p "$d"
	set +e
	(
		set -e
		kd_lane "$lane"
		echo "$LANE_INFO" >"$d/lane"
		echo "${LANE_QEMU[*]}" >"$d/qemu"
		# A build directory of its own: make run or make test may build
		# the same lane at the same time.
		bdir=$(kd_build_dir -compare)
		kd_build_module "$bdir"
		img=$KD_CACHE/initramfs/$(kd_lane_key)-compare.cpio.gz
		mkdir -p "${img%/*}"
		kd_initramfs "$bdir" "$img" KD_MODE=compare KD_PARAMS="${PARAMS:-}" \
			KD_LAB="${LAB:-}" KD_BENCH="$bench"
		local to=$((120 * LANE_SLOW * KD_SHARE))
		[ -z "$bench" ] || to=$((to + 600 * LANE_SLOW * KD_SHARE))
		kd_log "booting $LANE_NAME"
		st=0
		KD_BOOT_TIMEOUT=${KD_BOOT_TIMEOUT:-$to} kd_boot "$img" "$d/console.log" || st=$?
		for b in INFO LAB REPORT CSV TROUBLE; do
			kd_console_block "$d/console.log" "$KD_NONCE" "$b" >"$d/$b" 2>/dev/null || rm -f "$d/$b"
		done
		case $st in
		0) ;;
		124) kd_die "the guest timed out after ${KD_BOOT_TIMEOUT:-$to}s (console: $d/console.log)" ;;
		125) kd_die "the guest stopped without its exit marker: panic or qemu error (console: $d/console.log)" ;;
		*) kd_die "the guest's flow stopped with status $st: $(grep -m1 -A3 '^(exit status' "$d/console.log" | tr -d '\r' | tail -n +2 | paste -sd ' ') (console: $d/console.log)" ;;
		esac
		if [ ! -f "$d/INFO" ] || [ ! -f "$d/REPORT" ] || [ ! -f "$d/LAB" ]; then
			kd_die "the guest's output is not complete (console: $d/console.log)"
		fi
		sed -n 's/^kernel //p' "$d/INFO" >"$d/kernel"
		sed -n 's/^machine //p' "$d/INFO" >"$d/machine"
		mv "$d/LAB" "$d/lab.tsv"
		mv "$d/REPORT" "$d/report.txt"
		rm -f "$d/INFO"
		if [ -n "$bench" ]; then
			[ -f "$d/CSV" ] || kd_die "no benchmark CSV in the console log $d/console.log"
			{
				echo "# lane: $LANE_NAME, qemu: ${LANE_QEMU[0]}, $(nproc) host CPUs"
				cat "$d/CSV"
			} >"$d/bench.csv"
		fi
		rm -f "$d/CSV"
		if [ -f "$d/TROUBLE" ]; then
			mv "$d/TROUBLE" "$d/trouble"
			kd_die "the kernel log shows trouble: $(head -n1 "$d/trouble") (all of it: $d/trouble, console: $d/console.log)"
		fi
	) 2>&1 | tee "$d/harness.log" | sed -u "s/^/$lane: /" >&2
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -eq 0 ]; then
		echo ok >"$d/status.tmp"
	else
		why=$(sed -n 's/^\[kmem_demo\] error: //p' "$d/harness.log" 2>/dev/null | tail -n1)
		echo "${why:-the lane stopped with status $rc (see $d/harness.log)}" >"$d/why"
		echo failed >"$d/status.tmp"
	fi
	mv "$d/status.tmp" "$d/status"
}

kd_jobs ${#lanes[@]}
kd_log "compare: ${lanes[*]}${LAB:+, LAB=\"$LAB\"}${PARAMS:+, PARAMS=\"$PARAMS\"}${bench:+, BENCH=$bench}"
t0=$EPOCHREALTIME
running=0
for lane in "${lanes[@]}"; do
	if [ "$running" -ge "$KD_JOBS_N" ]; then
		wait -n || true
		running=$((running - 1))
	fi
	one "$lane" &
	running=$((running + 1))
done
wait
kd_log "compare: ${#lanes[@]} lanes in $(kd_elapsed "$t0")s"

rc=0
python3 "$KD_ROOT/scripts/compare.py" "$out" || rc=$?
if [ -n "$bench" ] && [ -f "$out/bench-ratios.csv" ]; then
	"$KD_ROOT/scripts/plot.sh" --ratios "$out/bench-ratios.csv" "$out" | sed 's/^/plot: /' ||
		{ kd_log "drawing the ratio plot failed (the table above stands)"; rc=1; }
fi
failed=()
for lane in "${lanes[@]}"; do
	[ "$(cat "$out/lanes/$lane/status" 2>/dev/null)" = ok ] || failed+=("$lane")
done
if [ ${#failed[@]} -gt 0 ]; then
	for lane in "${failed[@]}"; do
		kd_log "compare: lane $lane failed: $(cat "$out/lanes/$lane/why" 2>/dev/null)"
	done
	kd_die "${#failed[@]} of ${#lanes[@]} lanes failed (${failed[*]}): their columns say so; the log of each is $out/lanes/LANE/harness.log"
fi
[ "$rc" -eq 0 ] || kd_die "the table or the plot could not be made (above)"
