#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vm/test.sh [LANE...] -- run the test lanes and print KTAP on stdout.
# The lanes are the rows of vm/lanes.tsv (vm/test.sh --list); without a
# LANE, every one whose "all" column says yes, in the registry's order.  Its "runs" column says
# how a lane runs:
#   checks:FILE  the static checks (lane static), FILE's own KTAP
#   script:FILE  a script of its own (lanes install, debian13), FILE's own
#                KTAP
#   kernel:FILE  a kernel: build kmem_demo for it at W=1 with the kernel's
#                own compiler (a KTAP stream LANE/build: no warnings,
#                sparse), then boot it once per "# kd-boot:" group of
#                tests/guest/[0-9]*.sh, one KTAP stream per boot with tests
#                named LANE/BOOT/SCRIPT
# Up to KD_JOBS lanes (default 2) run at once; each lane's KTAP is printed
# whole, in the order given, as soon as it and the lanes before it are done,
# with a "# kd-summary:" line (scripts/support-table.sh reads those; a copy of
# stdout stays in KD_LAST_KTAP, vm/lib.sh).
# The last line is "N passed, N failed[, N skipped]"; the exit status is
# non-zero on any failure or missing result.  Progress goes to stderr,
# each line prefixed with its lane.
# A kernel lane runs the scripts of the classes its row's "tests" column
# names (kd_lane_runs; KD_TEST_CLASSES=LIST for every lane instead);
# KD_TEST_FILTER=ERE runs only those of them whose name matches;
# KD_TESTS_DIR=DIR takes the guest tests from DIR (harness self-tests);
# KD_TEST_TIMEOUT: per-script default (60 s); KD_BOOT_TIMEOUT: per boot
# (default: 120 s + the boot's script timeouts, all x LANE_SLOW).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$KD_ROOT/vm/build.sh"
. "$KD_ROOT/vm/initramfs.sh"
. "$KD_ROOT/vm/boot.sh"

if [ "${1:-}" = --list ]; then
	echo 'Lanes (make test LANES="...", make run KERNEL=...):'
	host=$(kd_host_release)
	while read -r name _ arch suite flavour cpu _ nodes all tests vcpus dma desc; do
		if [ "$desc" = - ]; then
			[ "$suite" != host ] || suite="$host (the host's)"
			desc="Debian $suite, $arch, flavour $flavour, qemu -cpu $cpu"
		fi
		[ "$nodes" = - ] || [ "$nodes" -le 1 ] || [[ $desc == *NUMA* ]] ||
			desc="$desc, $nodes NUMA nodes"
		[ "$vcpus" = - ] || desc="$desc, $vcpus vCPU$([ "$vcpus" = 1 ] || echo s)"
		[ "$dma" = - ] || [ "$dma" = edu ] || [[ $desc == *"$dma"* ]] || desc="$desc, DMA: $dma"
		[ "$tests" = - ] || desc="$desc; tests: $tests"
		[ "$all" = yes ] || desc="$desc; only when named"
		printf '  %-11s %s\n' "$name" "$desc"
	done < <(kd_lane_rows)
	exit 0
fi
if [ $# -eq 0 ]; then
	mapfile -t all < <(kd_lanes test)
	[ ${#all[@]} -gt 0 ] || kd_die "no lanes in $KD_LANES"
	set -- "${all[@]}"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# count FILE -- "passed failed skipped" of FILE's top-level KTAP results;
# results a plan announced but that never came count as failed.
count() {
	awk '/^1\.\.[0-9]+/ { plan += substr($1, 4) }
		/^ok [0-9]+/ { if (/# [Ss][Kk][Ii][Pp]/) s++; else p++ }
		/^not ok [0-9]+/ { f++ }
		END { m = plan - p - f - s; if (m > 0) f += m; print p + 0, f + 0, s + 0 }' "$1"
}

# failures KTAP -- one line per failed result of a run: its name and the
# last reason given before it (a "# seen:" line or a failed subtest), and
# per lane the results its plans promised and never printed.
failures() {
	awk '
	function cut(s) { return length(s) > 160 ? substr(s, 1, 157) "..." : s }
	/^1\.\.[0-9]+/ { plan += substr($1, 4); next }
	/^ok [0-9]+/ { got++; why = ""; next }
	/^not ok [0-9]+/ {
		got++; s = $0; sub(/^not ok [0-9]+ /, "", s)
		if (n++ < 20) print "# failed: " cut(s) (why != "" ? " -- " cut(why) : "")
		why = ""; next
	}
	/^ *# seen: / || /^ +not ok [0-9]+/ { if (why == "") { why = $0; sub(/^ *(# )?/, "", why) }; next }
	/^# kd-summary: / {
		if (plan > got) print "# failed: lane " $3 ": " plan - got " of its results never printed (a crash or a timeout: see its log above)"
		plan = got = 0; why = ""
	}' "$1"
}

# diag [LINE...] -- the lines (stdin when none) as KTAP diagnostics.
diag() {
	if [ $# -gt 0 ]; then printf '%s\n' "$@"; else cat; fi | sed 's/^/# /'
}

# run_static FILE -- the static checks: FILE's KTAP as one stream.
run_static() {
	echo 'KTAP version 1'
	if [ ! -f "$KD_ROOT/$1" ]; then
		echo '1..1'
		echo "ok 1 static # SKIP $1 not found"
		return
	fi
	local rc=0 n
	bash "$KD_ROOT/$1" >"$work/check" || rc=$?
	# The checks print their own header; ours above only starts the stream.
	# A failure no check reported is one more result, inside the plan.
	if [ "$rc" -ne 0 ] && [ "$(count "$work/check" | cut -d' ' -f2)" -eq 0 ]; then
		n=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$work/check" | head -n 1)
		n=$((${n:-0} + 1))
		grep -v -e '^KTAP version' -e '^1\.\.' "$work/check" || true
		echo "1..$n"
		echo "not ok $n static/${1##*/} # exited $rc without a failing check"
		return
	fi
	grep -v '^KTAP version' "$work/check" || true
}

# emit_boot LANE BOOT LOG STATUS NONCE SCRIPT... -- one KTAP stream for a
# boot: the guest's block for every script, "not ok" for each missing one.
emit_boot() {
	local lane=$1 boot=$2 log=$3 st=$4 nonce=$5 t n=0 why=
	shift 5
	guest_ktap "$log" "$nonce" >"$work/guest"
	# Split the guest stream: block lines go to the file of the script
	# whose top-level result follows; status per script in results.
	rm -rf "$work/blk" && mkdir "$work/blk"
	# Console lines that are no KTAP (qemu's own messages) become "# ".
	awk -v d="$work/blk" '
		/^(KTAP version|1\.\.)/ { next }
		!/^(#|  |(not )?ok [0-9])/ { $0 = "# " $0 }
		/^(not )?ok [0-9]+ / { name = ($1 == "not") ? $4 : $3
			r = ($1 == "not") ? "not ok" : "ok"
			rest = $0; sub(/^[^#]*/, "", rest)
			printf "%s", buf > (d "/" name ".blk")
			print r (rest == "" ? "" : " " rest) > (d "/" name ".res")
			buf = ""; next }
		{ buf = buf $0 "\n" }
		END { printf "%s", buf > (d "/partial") }' "$work/guest"
	case $st in
	124) why="boot timed out after ${KD_BOOT_TIMEOUT:-$((120 * LANE_SLOW))}s" ;;
	125) why='guest stopped without its exit marker (panic or qemu error)' ;;
	126) why="the guest's tests did not start within $(kd_start_timeout)s (watchdog)" ;;
	127) why="the guest printed nothing for ${KD_IDLE_TIMEOUT:-?}s: hung in the test that was running (watchdog)" ;;
	esac
	# Every result came but the VM did not end cleanly (e.g. hung in its
	# reboot): one more result, "shutdown", inside the plan.
	local plan=$# shutdown=''
	if [ "$st" -ge 124 ]; then
		shutdown=1
		for t in "$@"; do
			[ -f "$work/blk/${t%.sh}.res" ] || shutdown=''
		done
		[ -z "$shutdown" ] || plan=$((plan + 1))
	fi
	echo 'KTAP version 1'
	echo "# $lane/$boot: $# scripts, console log $log"
	echo "1..$plan"
	local console_shown='' timeout=''
	case $st in 124 | 126 | 127) timeout=" # TIMEOUT $why" ;; esac
	for t in "$@"; do
		n=$((n + 1))
		t=${t%.sh}
		if [ -f "$work/blk/$t.res" ]; then
			cat "$work/blk/$t.blk"
			# .res holds "ok|not ok[ # DIRECTIVE]".
			read -r res <"$work/blk/$t.res"
			case $res in
			'not ok'*) echo "not ok $n $lane/$boot/$t${res#not ok}" ;;
			*) echo "ok $n $lane/$boot/$t${res#ok}" ;;
			esac
			continue
		fi
		# Missing: what the guest printed for it so far, then why.
		if [ -s "$work/blk/partial" ] && grep -q "^# running $t\$" "$work/blk/partial"; then
			sed -n "/^# running $t\$/,\$p" "$work/blk/partial"
		fi
		diag "no result from the guest${why:+: $why}"
		if [ -z "$console_shown" ]; then
			diag "console tail ($log):"
			tail -n 80 "$log" | tr -d '\r' | diag
			console_shown=1
		else
			diag 'console tail: see the first missing test above'
		fi
		echo "not ok $n $lane/$boot/$t$timeout"
	done
	if [ -n "$shutdown" ]; then
		diag "$why" "console tail ($log):"
		tail -n 20 "$log" | tr -d '\r' | diag
		echo "not ok $plan $lane/$boot/shutdown$timeout"
	fi
}

run_lane() {
	local name=$1 bdir img t g groups=() scripts st boot_to
	local tdir=${KD_TESTS_DIR:-$KD_ROOT/tests/guest}
	# Default per-script timeout in seconds (x LANE_SLOW in the guest).
	local test_to=${KD_TEST_TIMEOUT:-60}
	local -a vars
	# Scratch files per lane, so lanes could run in parallel (this runs
	# in a subshell: the change stays here).
	work=$work/$name
	mkdir -p "$work"
	kd_lane "$name"
	bdir=$(kd_build_dir "")
	# KD_MAKE_VARS: extra make variables; the KUnit module is built when
	# the lane's kernel can load it.
	read -r -a vars <<<"W=1 ${KD_MAKE_VARS:-}"
	if grep -qE '^CONFIG_KUNIT=[ym]' "$LANE_ROOT$LANE_KDIR/.config" 2>/dev/null; then
		vars+=(KMEM_DEMO_KUNIT=y)
	fi
	kd_build_module "$bdir" "${vars[@]}"
	kd_build_checks "$bdir" "${vars[@]}"
	# Lanes running side by side share the CPUs: their guests get the
	# timeouts of a slower machine.
	LANE_SLOW=$((LANE_SLOW * KD_SHARE))
	# The lane's tests: those of the classes its row names
	# (kd_lane_runs), then KD_TEST_FILTER.
	for t in "$tdir"/[0-9]*.sh; do
		[ -e "$t" ] || continue
		kd_lane_runs "$LANE_TESTS" "$t" || continue
		t=${t##*/}
		[[ $t =~ ${KD_TEST_FILTER:-.} ]] || continue
		g=$(kd_header "$tdir/$t" kd-boot)
		g=${g%% *}
		g=${g:-slub}
		kd_boot_args "$g" >/dev/null || kd_die "$t: unknown kd-boot '$g'"
		printf '%s %s\n' "$g" "$t"
	done >"$work/plan"
	if [ ! -s "$work/plan" ]; then
		echo 'KTAP version 1'
		echo '1..1'
		echo "ok 1 $LANE_NAME/tests # SKIP none of its tests (classes ${KD_TEST_CLASSES:-$LANE_TESTS}) matches KD_TEST_FILTER='${KD_TEST_FILTER:-}'"
		return 0
	fi
	mapfile -t groups < <(cut -d' ' -f1 "$work/plan" | sort -u)
	for g in "${groups[@]}"; do
		mapfile -t scripts < <(awk -v g="$g" '$1 == g { print $2 }' "$work/plan")
		img=$KD_CACHE/initramfs/$(kd_lane_key)-$g.cpio.gz
		mkdir -p "${img%/*}"
		kd_initramfs "$bdir" "$img" KD_MODE=test KD_TESTS="${scripts[*]}" \
			KD_TEST_TIMEOUT="$test_to"
		# The boot may last as long as all its tests' timeouts together;
		# past that the guest itself is stuck.
		local sum=0 most=0
		for t in "${scripts[@]}"; do
			t=$(kd_header "$tdir/$t" kd-timeout)
			sum=$((sum + ${t:-$test_to}))
			[ "${t:-$test_to}" -le "$most" ] || most=${t:-$test_to}
		done
		boot_to=${KD_BOOT_TIMEOUT:-$(((120 + sum) * LANE_SLOW))}
		# Silent longer than its longest test may last: the guest hung.
		local idle_to=${KD_IDLE_TIMEOUT:-$(((60 + most) * LANE_SLOW))}
		local log
		log=$KD_CACHE/logs/$(kd_lane_key)-$g.log
		st=0
		# shellcheck disable=SC2046 # kd_boot_args is a word list
		KD_BOOT_TIMEOUT=$boot_to KD_IDLE_TIMEOUT=$idle_to kd_boot_tests "$LANE_NAME/$g (${scripts[*]})" "$img" "$log" \
			$(kd_boot_args "$g") || st=$?
		KD_BOOT_TIMEOUT=$boot_to KD_IDLE_TIMEOUT=$idle_to emit_boot "$LANE_NAME" "$g" "$log" "$st" "$KD_NONCE" \
			"${scripts[@]}"
	done
}

# run_one LANE -- run LANE into $work/LANE.ktap, its wall time into
# $work/LANE.time (written last: the lane is done when it exists).  How,
# its row in vm/lanes.tsv says; a name with no row goes to run_lane, whose
# kd_lane says it is unknown.
run_one() {
	local lane=$1 out=$work/$1.ktap lt=$EPOCHREALTIME rc=0 runs
	exec 2> >(sed -u "s/^/$lane: /" >&2)
	read -r _ runs _ <<<"$(kd_lane_row "$lane")"
	case $runs in
	checks:*) run_static "${runs#checks:}" >"$out" || rc=$? ;;
	script:*)
		# Their own KTAP; their failures are counted from it, and a
		# crash before any result is reported below.
		"$KD_ROOT/${runs#script:}" >"$out" || rc=$?
		[ "$rc" -eq 0 ] || [ "$(count "$out" | cut -d' ' -f2)" -eq 0 ] || rc=0
		;;
	*)
		# A subshell: each lane sets its own LANE_* and may kd_die.
		(run_lane "$lane") >"$out" || rc=$?
		;;
	esac
	if [ "$rc" -ne 0 ]; then
		{
			echo 'KTAP version 1'
			echo '1..1'
			diag "lane $lane failed before its tests ran (status $rc), see above"
			echo "not ok 1 $lane"
		} >>"$out"
	fi
	kd_elapsed "$lt" >"$work/$lane.time.tmp"
	mv "$work/$lane.time.tmp" "$work/$lane.time"
}

# flush -- print the results of the lanes that are done and not preceded
# by one still running, and add them up.
shown=0
flush() {
	local lane out p f s t
	while [ "$shown" -lt ${#lanes[@]} ]; do
		lane=${lanes[$shown]}
		out=$work/$lane.ktap
		[ -f "$work/$lane.time" ] || return 0
		t=$(cat "$work/$lane.time")
		read -r p f s < <(count "$out")
		{
			cat "$out"
			echo "# kd-summary: $lane $p $f $s $t"
		} | tee -a "$last"
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
		kd_log "lane $lane: $p passed, $f failed, $s skipped in ${t}s"
		shown=$((shown + 1))
	done
}

lanes=()
for lane in "$@"; do
	# Each lane once, in the order first given.
	[[ " ${lanes[*]} " == *" $lane "* ]] || lanes+=("$lane")
done
kd_jobs ${#lanes[@]}
last=$KD_LAST_KTAP
mkdir -p "${last%/*}"
: >"$last"
t0=$EPOCHREALTIME
pass=0 fail=0 skip=0
running=0
for lane in "${lanes[@]}"; do
	if [ "$running" -ge "$KD_JOBS_N" ]; then
		wait -n || true
		running=$((running - 1))
		flush
	fi
	run_one "$lane" &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n || true
	running=$((running - 1))
	flush
done
flush
total=$(kd_elapsed "$t0")
kd_log "total ${total}s"
echo "# kd-total: $total" | tee -a "$last"
# Where the time went: each lane's, the slowest tests (make test-times
# makes docs/testing.md's tables of it).
"$KD_ROOT/scripts/test-times.sh" --summary "$last" | tee -a "$last" || true
# What failed, last, next to the count: a log cut to its tail still names it.
[ "$fail" -eq 0 ] || failures "$last" | tee -a "$last"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi | tee -a "$last"
[ "$fail" -eq 0 ]
