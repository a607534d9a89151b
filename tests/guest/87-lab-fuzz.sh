#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fuzz the lab: valid (now and then in atomic or interrupt context), mutated
# and random-byte commands from a fixed seed, with two readers checking
# every report.  On a kernel with fault injection
# (the debug lane: KASAN, kmemleak, lockdep), 100,000 commands, a third of
# them with failslab and fail_page_alloc failing 1 in 10 allocations of the
# writer; elsewhere 20,000 without.  Then free all and unload: no checker
# may report anything, nothing may be left.
# kd-boot: slub
# kd-class: logic
# kd-timeout: 900
# kd-log-ok: Call Trace
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

seed=20261126
t_run "load" kd_load
[ -r "$KD_KMEMLEAK" ] && echo clear >"$KD_KMEMLEAK"
if kd_fault_ok; then
	count=100000 failpct=33
	kd_fault_arm 10
else
	count=20000 failpct=0
fi
touch /tmp/fuzzing
reader() {
	while [ -e /tmp/fuzzing ]; do
		# A pause between reads leaves the fuzzer most of the CPU.
		kd-lab reader 5 20 || echo "reader failed"
	done >"/tmp/fr$1" 2>&1
}
reader 1 &
reader 2 &
out=$(kd-lab fuzz $seed $count $failpct 2>&1)
st=$?
rm -f /tmp/fuzzing
wait
echo "# $out"
t_eq "fuzz: $count commands (seed $seed), only documented errors" 0 "$st"
t_eq "readers: every report whole" "" "$(grep -hv '^reader: [0-9]* whole reports' /tmp/fr1 /tmp/fr2)"
[ "$failpct" -eq 0 ] || kd_fault_off
t_lab "free all" ok "free all"
cat "$KD_PROC" >/tmp/after.txt
read -r alloc freed <<EOF2
$(kd_page_acct /tmp/after.txt)
EOF2
t_eq "page accounting balances ($alloc allocated, $freed freed)" \
	"$(kd_load_pages /tmp/after.txt)" $((alloc - freed))
t_run "unload" kd_unload
t_clean "nothing left"
if [ -r "$KD_KMEMLEAK" ]; then
	t_no_leaks "kmemleak: nothing of the module's leaked"
fi
