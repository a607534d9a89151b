#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What this kernel lets you see: scripts/kernel-facilities.sh (in the guest
# as /kd/kernel-facilities.sh) says of each allocator facility what the
# lane's kernel config (/boot/config-KVER, from the lane's headers) and
# this boot's command line say: the debug lane has KASAN and kmemleak on,
# Debian's kernels have not; this boot's slub_debug=FZPU,kmem_demo shows
# as FZPU for kmem_demo, and its page_poison=on as on (and, where the
# kernel has page poisoning, init_on_alloc and init_on_free as off: it takes
# precedence over them).
# kd-boot: slub
# kd-timeout: 60
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

conf=/boot/config-$(uname -r)
if ! t_run "the kernel's config is in the guest ($conf)" test -s "$conf"; then
	exit 1
fi
t_run "load (slub_debug applies to the module's cache)" kd_load || exit 1
out=$(sh /kd/kernel-facilities.sh 2>&1)
echo "$out" | sed 's/^/# /'

config() {
	sed -n "s/^CONFIG_$1=//p" "$conf"
}
arg() {
	tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -n 1
}
# state NAME -- the facility's state as the script printed it.
state() {
	echo "$out" | awk -v n="$1" '$1 == n { $1 = ""; sub(/^ +/, ""); print }'
}
# expect NAME CONFIG WHEN-SET -- "not built in" without CONFIG, else WHEN-SET.
expect() {
	if [ "$(config "$2")" = y ]; then
		t_match "$1: $3 (CONFIG_$2=y)" "^$3" "$(state "$1")"
	else
		t_match "$1: not built in (no CONFIG_$2)" '^not built in' "$(state "$1")"
	fi
}

t_eq "eleven facilities, one line each" 11 "$(echo "$out" | grep -c .)"
t_eq "every state is on, off (boot with ...) or not built in" "" \
	"$(echo "$out" | grep -Ev '^[a-z_]+ +(on|on \(.*\)|off \(boot with .*\)|off \(mount .*\)|not built in \(.*\))$')"

for z in init_on_alloc init_on_free; do
	case $(arg $z) in
	1|on) want=on ;;
	0|off) want=off ;;
	*) want=off
	   c=INIT_ON_ALLOC_DEFAULT_ON
	   [ $z = init_on_free ] && c=INIT_ON_FREE_DEFAULT_ON
	   [ "$(config $c)" = y ] && want=on ;;
	esac
	# Page poisoning, when on, takes precedence over both.
	case $(arg page_poison) in
	1|on) [ "$(config PAGE_POISONING)" = y ] && want=off ;;
	esac
	t_match "$z: $want (config and command line)" "^$want" "$(state $z)"
done
case $(arg slub_debug) in
FZPU,kmem_demo) t_eq "slub_debug: FZPU for kmem_demo, as booted" "on (FZPU for kmem_demo)" "$(state slub_debug)" ;;
*) t_fail "this boot has slub_debug=FZPU,kmem_demo" "saw $(cat /proc/cmdline)" ;;
esac
expect page_poison PAGE_POISONING on
expect kasan KASAN on
expect kmemleak DEBUG_KMEMLEAK on
expect random_kmalloc_caches RANDOM_KMALLOC_CACHES on
expect page_owner PAGE_OWNER 'off \(boot with page_owner=on\)'
if [ "$(config KFENCE)" = y ] && [ "$(config KFENCE_SAMPLE_INTERVAL)" = 0 ] && [ -z "$(arg kfence.sample_interval)" ]; then
	t_eq "kfence: built in, not sampling (CONFIG_KFENCE_SAMPLE_INTERVAL=0)" \
		"off (boot with kfence.sample_interval=100)" "$(state kfence)"
else
	expect kfence KFENCE on
fi
if [ "$(config MEM_ALLOC_PROFILING_ENABLED_BY_DEFAULT)" = y ]; then
	expect alloc_profiling MEM_ALLOC_PROFILING on
else
	expect alloc_profiling MEM_ALLOC_PROFILING off
fi
expect kmem_tracepoints TRACING on
t_run "unload" kd_unload
