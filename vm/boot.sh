# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# kd_boot: run one guest to completion.  Sourced.

# kd_boot_args GROUP -- extra kernel command line of a "# kd-boot: GROUP"
# test boot; fails for an unknown group.  slub_debug turns on
# no_hash_pointers kernel-wide, hence "plain" for the pointer tests.
kd_boot_args() {
	case $1 in
	slub) echo 'slub_debug=FZPU,kmem_demo page_poison=on' ;;
	plain) echo '' ;;
	*) return 1 ;;
	esac
}

# kd_console_block [--except NOTE] LOG NONCE NAME [NTH] -- the NTH block
# (default: the first) that the guest printed between its console lines
# KD-NONCE-NAME-BEGIN and KD-NONCE-NAME-END (vm/guest/init: KTAP, MAP,
# CSV) in the console log LOG ("-": stdin), without \r and without the
# kernel messages ("[    1.234567] ...") that slipped onto the console in
# between.  Fails, after printing what there was, when the block did not
# end.  --except turns it around for the live console: every line outside
# the blocks as it came, each as soon as it came, and NOTE where a block
# ended.
kd_console_block() {
	local note='' except='' line on='' k=0 kmsg='^\[ *[0-9]+\.[0-9]+\]'
	if [ "$1" = --except ]; then
		note=$2 except=1
		shift 2
	fi
	local log=$1 b="KD-$2-$3-BEGIN" e="KD-$2-$3-END" nth=${4:-1}
	if [ "$log" = - ]; then log=/dev/stdin; fi
	while IFS= read -r line || [ -n "$line" ]; do
		if [ -n "$on" ] && [[ $line == *"$e"* ]]; then
			on=''
			if [ -n "$except" ]; then
				printf '%s\n' "$note"
			elif [ "$k" -eq "$nth" ]; then
				return 0
			fi
		elif [ -n "$on" ]; then
			if [ -z "$except" ] && [ "$k" -eq "$nth" ]; then
				line=${line//$'\r'/}
				[[ $line =~ $kmsg ]] || printf '%s\n' "$line"
			fi
		elif [[ $line == *"$b"* ]]; then
			on=1 k=$((k + 1))
		elif [ -n "$except" ]; then
			printf '%s\n' "$line"
		fi
	done <"$log"
	[ -n "$except" ]
}

# kd_boot INITRD LOG [APPEND...] -- boot $LANE_KERNEL with INITRD under
# timeout, the serial console saved in LOG (and shown live when KD_LIVE=1).
# Returns the status the guest printed in its exit marker, 124 when the
# boot timed out, 125 when the guest stopped without a marker (panic, qemu
# error), 126 when the watchdog ended it before its tests started, 127
# when it ended it silent later.  Sets KD_NONCE: the guest's
# markers are "KD-$KD_NONCE-..." so nothing else on the console (a test's
# output, the kernel) can fake one.
# Knobs: KD_MEM (the lane's LANE_MEM: 512M), KD_BOOT_TIMEOUT (seconds, default 120 x LANE_SLOW),
# KD_START_TIMEOUT (seconds; a test boot: the watchdog ends a guest whose
# runner has not printed its KTAP start marker by then, so that a guest
# stuck in its boot costs that bound, not the whole boot's timeout),
# KD_IDLE_TIMEOUT (seconds; with KD_START_TIMEOUT: a guest whose console
# then stays silent that long is ended too, a test having hung it).
kd_boot() {
	local img=$1 log=$2 rc=0 to st qpid waited=0 fired='' seen=''
	shift 2
	KD_NONCE=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	to=${KD_BOOT_TIMEOUT:-$((120 * LANE_SLOW))}
	# log_buf_len: the guest finds "the log since a mark" by line count,
	# which only holds while the ring buffer never wraps; 32M holds what
	# the debug lane's lab fuzz and fail-nth walk log in one boot.
	# --foreground: qemu stays in our process group, so Ctrl-C stops it.
	local cmd=(timeout --foreground "$to" "${LANE_QEMU[@]}" -m "${KD_MEM:-${LANE_MEM:-512M}}"
		-display none -monitor none -serial stdio -no-reboot
		-kernel "$LANE_KERNEL" -initrd "$img"
		-append "console=$LANE_CONSOLE panic=-1 oops=panic loglevel=4 log_buf_len=32M kd.nonce=$KD_NONCE $LANE_APPEND $*")
	mkdir -p "$(dirname "$log")"
	if [ "${KD_LIVE:-0}" = 1 ]; then
		# The frame map (MAP) is for the pictures: it stays in the log.
		"${cmd[@]}" </dev/null 2>&1 | tee "$log" | kd_console_block --except \
			'(/proc/kmem_demo_map, root only, read for the pictures: in the log)' \
			- "$KD_NONCE" MAP || rc=$?
	elif [ -n "${KD_START_TIMEOUT:-}" ]; then
		# The log exists before the watch below first reads it: the
		# background job opens it in its own time.
		: >"$log"
		"${cmd[@]}" </dev/null >"$log" 2>&1 &
		qpid=$!
		# Watch the console until the runner starts; timeout passes the
		# TERM on to qemu.
		while kill -0 "$qpid" 2>/dev/null && ! grep -aq "KD-$KD_NONCE-KTAP-BEGIN" "$log"; do
			if [ "$waited" -ge "$KD_START_TIMEOUT" ]; then
				fired=start
				kill "$qpid" 2>/dev/null || true
				break
			fi
			sleep 1
			waited=$((waited + 1))
		done
		# Then until it ends: a guest whose console stays silent longer
		# than KD_IDLE_TIMEOUT (a test's limit and more: the runner prints
		# at every test's start and end) is hung, the runner with it.
		local size last=0 now
		while [ -z "$fired" ] && [ -n "${KD_IDLE_TIMEOUT:-}" ] && kill -0 "$qpid" 2>/dev/null; do
			sleep 5
			now=$SECONDS
			size=$(stat -c %s "$log" 2>/dev/null || echo 0)
			if [ "$size" != "${seen:-}" ]; then
				seen=$size last=$now
			elif [ $((now - last)) -ge "$KD_IDLE_TIMEOUT" ]; then
				fired=idle
				kill "$qpid" 2>/dev/null || true
			fi
		done
		wait "$qpid" || rc=$?
		case $fired in
		start)
			printf '\n[kmem_demo] watchdog: no KTAP start marker after %ss, guest ended\n' \
				"$KD_START_TIMEOUT" >>"$log"
			return 126
			;;
		idle)
			printf '\n[kmem_demo] watchdog: the guest printed nothing for %ss, guest ended\n' \
				"$KD_IDLE_TIMEOUT" >>"$log"
			return 127
			;;
		esac
	else
		"${cmd[@]}" </dev/null >"$log" 2>&1 || rc=$?
	fi
	st=$(tr -d '\r' <"$log" | sed -n "s/.*KD-$KD_NONCE-EXIT \([0-9][0-9]*\).*/\1/p" | tail -n1)
	if [ -n "$st" ]; then return "$st"; fi
	[ "$rc" -eq 124 ] && return 124
	return 125
}

# kd_start_timeout -- the watchdog's bound for a test boot of the current
# lane: the guest's runner starts within it (KD_START_TIMEOUT, default 90 s
# x LANE_SLOW).
kd_start_timeout() {
	echo "${KD_START_TIMEOUT:-$((90 * LANE_SLOW))}"
}

# kd_boot_tests NAME INITRD LOG [APPEND...] -- kd_boot for a guest that
# runs tests (KD_MODE=test), NAME in the progress lines: with the watchdog
# (kd_start_timeout), and a guest that never reached its tests boots once
# more (an emulated boot can stall on a loaded host), which a KTAP
# diagnostic on stdout says; the first console stays as LOG.try1.  A
# kernel that cannot boot fails twice.  Returns kd_boot's status, with
# KD_NONCE set.
kd_boot_tests() {
	local name=$1 img=$2 log=$3 try st t0
	shift 3
	for try in 1 2; do
		kd_log "booting $name"
		t0=$EPOCHREALTIME
		st=0
		KD_START_TIMEOUT=$(kd_start_timeout) kd_boot "$img" "$log" "$@" || st=$?
		kd_log "$name: guest status $st after $(kd_elapsed "$t0")s"
		if [ "$st" -lt 124 ] || [ "$try" = 2 ] || grep -aq "KD-$KD_NONCE-KTAP-BEGIN" "$log"; then
			return "$st"
		fi
		mv "$log" "$log.try1"
		echo "# $name: the guest stopped before its tests (status $st), booting again; first console: $log.try1"
	done
}

# guest_ktap LOG NONCE -- the KTAP the guest runner printed (its KTAP
# block), as far as it got: a block cut off by a crash or a timeout still
# holds the results that came, and the callers report the missing ones.
guest_ktap() {
	kd_console_block "$1" "$2" KTAP || true
}
