#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The docs' samples of make run are what make run prints today: each
# sample of samples.txt (written from the docs' "<!-- run: -->" markers by
# scripts/samples.py, which the static lane keeps current) of this lane
# and of this kernel (KVER=: a lane's kernel follows the host's release)
# runs make run's very session (/kd/session.sh) with the sample's lab
# commands, parameters and view, and every line of the sample must be
# there, in the sample's order.  Both sides go through
# mask.sed and mask-session.sed: values that depend on where memory
# landed may differ, every other word of each line must be the same; the
# lab's numbers may all be off by one amount (subseq.awk).  A sample may
# leave lines out ("..." marks a cut), never change or add one.  The
# samples' failed allocations print the kernel's allocation-failure
# report, with its call trace.
# kd-boot: plain
# kd-log-ok: Call Trace
# kd-class: kernel numa dma
# kd-timeout: 300
. "${0%/*}/lib.sh"

here=${0%/*}
work=/tmp/samples
rm -rf "$work" && mkdir -p "$work"
# One file pair per sample: N.hdr (its name, lane, view, parameters,
# pictures, the kernel it is of, lab, tab-separated, "-" for none) and N.txt
# (its lines).
awk -v d="$work" '
	/^=== / { n++; print substr($0, 5) >(d "/" n ".hdr"); printf "" >(d "/" n ".txt"); next }
	n { print >>(d "/" n ".txt") }' "$here/samples.txt"

# masked FILE -- FILE through the masks, without blank lines and cuts.
masked() {
	sed -E -f "$here/mask.sed" -f "$here/mask-session.sed" "$1" | grep -v -e '^ *$' -e '^\.\.\.$'
}

ran=0 i=0
while [ -f "$work/$((i + 1)).hdr" ]; do
	i=$((i + 1))
	n=$work/$i
	IFS='	' read -r where lane view params pictures kver lab <"$n.hdr"
	[ "$lane" = "$KD_LANE" ] || continue
	# A lane's kernel follows the host (distro: the host's release).
	if [ "$kver" != "$(uname -r)" ]; then
		other="$other $where"
		continue
	fi
	[ "$params" != - ] || params=
	[ "$lab" != - ] || lab=
	ran=$((ran + 1))
	# Samples of the same run (one after the other in a doc) share it.
	run="$view|$params|$pictures|$lab"
	if [ "$run" != "${last:-}" ]; then
		! kd_loaded || kd_unload
		# Free memory in large blocks, as in a fresh VM: kvmalloc's huge
		# mappings need 2 MiB ones.
		kd_compact
		KD_VIEW=$view KD_PARAMS=$params KD_PICTURES=$pictures KD_LAB=$lab \
			sh /kd/session.sh >"$work/session.out" 2>&1
		st=$?
		masked "$work/session.out" >"$work/session.saw"
		last=$run
	fi
	masked "$n.txt" >"$n.want"
	cp "$work/session.saw" "$n.saw"
	# "K N D": K of the sample's N lines found in order, the lab's
	# numbers off by D (subseq.awk).
	# shellcheck disable=SC2046 # three numbers
	set -- $(awk -f "$here/subseq.awk" "$n.want" "$n.saw" | head -n 1)
	found=$1 want=$2 off=$3
	note=
	[ "$off" -eq 0 ] || note=", the lab's numbers off by $off"
	if [ "$found" -eq "$want" ]; then
		t_ok "$where ($lane): the sample is in make run's output (session exit $st$note)"
	else
		t_fail "$where ($lane): the sample is in make run's output" \
			"expected, as its line $((found + 1)) after the ones before it: $(sed -n "$((found + 1))p" "$n.want")" \
			"saw (make run's session, exit $st; masked):" "$(cat "$n.saw")"
	fi
	! kd_loaded || kd_unload
done
[ -z "${other:-}" ] || echo "# samples of lane $KD_LANE on another kernel than $(uname -r), not run:$other"
[ "$ran" -gt 0 ] || t_skip "the docs' samples of make run" "none is of lane $KD_LANE on kernel $(uname -r)"
