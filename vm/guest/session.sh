#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# make run's session (KD_MODE=run): the tutorial's steps as a user types
# them, each with its output: insmod with KD_PARAMS, the kernel log, the
# lab commands of KD_LAB (";"-separated; one starting "kd-mmap" runs that
# tool instead), the kernel's views, the report,
# rmmod.  KD_VIEW=0 leaves out what the kernel lets you see of its
# allocators and its own view of each allocation (kernel-check.sh);
# KD_PICTURES=1 prints the frame map for the pictures.  Run by /init, and
# by the guest test of the docs' samples (tests/guest/39-samples.sh),
# which compares its output with theirs.  Exits with the status of a step
# that failed, after the kernel log that says why; 0 when all ran.

# shellcheck source=steps.sh
. /kd/steps.sh
finish() {
	exit "$1"
}

mark=$(dmesg | wc -l)
# Which kernel this is: the lane's (KERNEL=...).
step 'uname -r'
# What this kernel lets you see of its allocators (scripts/), and the
# kernel's own view of each allocation (kernel-check.sh): the load and
# each lab command are traced, judged after the report.  KD_VIEW=0
# (make run VIEW=0): the tutorial's steps alone.
view=${KD_VIEW:-1}
[ "$view" = 0 ] || try 'sh /kd/kernel-facilities.sh'
check=/tmp/kernel-check
[ "$view" = 0 ] || sh /kd/kernel-check.sh begin "$check" load
step "$(insmod_cmd)"
[ "$view" = 0 ] || sh /kd/kernel-check.sh end "$check" load
step 'lsmod | grep kmem_demo'
# "tail -n +N": exactly the kernel log lines written since insmod.
step "dmesg | tail -n +$((mark + 1))"
# The lab, and the report, once the device has copied its buffers there
# and back, as it has by the time a person types the next command: a lab
# command on the device's memory (fill, check, a process's mapping of it)
# would otherwise race the device's own check of it.
dma_settle
if [ -n "${KD_LAB:-}" ]; then
	# The lab: each command as root would type it.  A refused command
	# is part of the lesson: show its error and go on.
	mark=$(dmesg | wc -l)
	printf '%s\n' "$KD_LAB" | tr ';' '\n' | sed 's/^ *//; s/ *$//; /^$/d' >/tmp/lab
	while IFS= read -r c; do
		case $c in
		kd-mmap\ *)
			# The users' own tool (tools/kd-mmap.c): a process maps
			# a region and looks at it (docs/mmap.md).
			printf '\n$ %s\n' "$c"
			# shellcheck disable=SC2086 # its words, as typed
			$c || printf '(exit status %s)\n' "$?"
			continue
			;;
		esac
		printf "\n\$ echo '%s' >/proc/kmem_demo\n" "$c"
		if [ "$view" = 0 ]; then
			# The write's status: echo's, which the write decides.
			# shellcheck disable=SC2320
			echo "$c" >/proc/kmem_demo || printf '(exit status %s)\n' "$?"
		else
			sh /kd/kernel-check.sh lab "$check" "$c" || printf '(exit status %s)\n' "$?"
		fi
	done </tmp/lab
	step "dmesg | tail -n +$((mark + 1))"
	# The kernel's own views of the same memory.
	try 'grep kmem_demo /proc/vmallocinfo'
	try 'cat /proc/buddyinfo'
fi
step 'cat /proc/kmem_demo'
if [ "$view" != 0 ]; then
	printf "\nThe kernel's own view of each allocation (scripts/kernel-check.sh):\n"
	sh /kd/kernel-check.sh save "$check"
	sh /kd/kernel-check.sh judge "$check" || true
fi
if [ "${KD_PICTURES:-0}" = 1 ]; then
	# The frame map, for the pictures the host draws (scripts/pictures.sh):
	# between markers, which the host keeps out of the live view.
	printf '\nKD-%s-MAP-BEGIN\n' "$KD_NONCE"
	cat /proc/kmem_demo_map
	printf 'KD-%s-MAP-END\n' "$KD_NONCE"
fi
mark=$(dmesg | wc -l)
step 'rmmod kmem_demo'
step "dmesg | tail -n +$((mark + 1))"
