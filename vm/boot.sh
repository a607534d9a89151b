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

# kd_live_view -- the console as the user sees it live: data the guest sends
# for the host between "KD-$KD_NONCE-MAP-BEGIN/END" markers (the frame map
# for the pictures) is left to the log, one line says so.
kd_live_view() {
	local line skip=
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		*"KD-$KD_NONCE-MAP-BEGIN"*) skip=1 ;;
		*"KD-$KD_NONCE-MAP-END"*)
			skip=
			printf '(/proc/kmem_demo_map, root only, read for the pictures: in the log)\n' ;;
		*) [ -n "$skip" ] || printf '%s\n' "$line" ;;
		esac
	done
}

# kd_boot INITRD LOG [APPEND...] -- boot $LANE_KERNEL with INITRD under
# timeout, the serial console saved in LOG (and shown live when KD_LIVE=1).
# Returns the status the guest printed in its exit marker, 124 when the
# boot timed out, 125 when the guest stopped without a marker (panic, qemu
# error).  Sets KD_NONCE: the guest's markers are "KD-$KD_NONCE-..." so
# nothing else on the console (a test's output, the kernel) can fake one.
# Knobs: KD_MEM (512M), KD_BOOT_TIMEOUT (seconds, default 120 x LANE_SLOW).
kd_boot() {
	local img=$1 log=$2 rc=0 to st
	shift 2
	KD_NONCE=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	to=${KD_BOOT_TIMEOUT:-$((120 * LANE_SLOW))}
	# log_buf_len: the guest finds "the log since a mark" by line count,
	# which only holds while the ring buffer never wraps.  The debug lane's
	# lab fuzz and fail-nth walk log over 4 MiB in one boot: 32M.
	# --foreground: qemu stays in our process group, so Ctrl-C stops it.
	local cmd=(timeout --foreground "$to" "${LANE_QEMU[@]}" -m "${KD_MEM:-512M}"
		-display none -monitor none -serial stdio -no-reboot
		-kernel "$LANE_KERNEL" -initrd "$img"
		-append "console=$LANE_CONSOLE panic=-1 oops=panic loglevel=4 log_buf_len=32M kd.nonce=$KD_NONCE $LANE_APPEND $*")
	mkdir -p "$(dirname "$log")"
	if [ "${KD_LIVE:-0}" = 1 ]; then
		"${cmd[@]}" </dev/null 2>&1 | tee "$log" | kd_live_view || rc=$?
	else
		"${cmd[@]}" </dev/null >"$log" 2>&1 || rc=$?
	fi
	st=$(tr -d '\r' <"$log" | sed -n "s/.*KD-$KD_NONCE-EXIT \([0-9][0-9]*\).*/\1/p" | tail -n1)
	if [ -n "$st" ]; then return "$st"; fi
	[ "$rc" -eq 124 ] && return 124
	return 125
}

# guest_ktap LOG NONCE -- the lines the guest runner printed between its
# markers, without \r and kernel messages that slipped onto the console.
guest_ktap() {
	tr -d '\r' <"$1" | awk -v b="KD-$2-KTAP-BEGIN" -v e="KD-$2-KTAP-END" '
		index($0, e) { exit }
		on && !/^\[ *[0-9]+\.[0-9]+\]/ { print }
		index($0, b) { on = 1 }'
}
