#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/kernel-facilities.sh [--config FILE] -- what this kernel lets you
# see of its memory allocators: each facility "on", "off (boot with ...)"
# or "not built in", one per line.  Run it as root on your own machine
# (sudo ./scripts/kernel-facilities.sh): sysfs, debugfs and tracefs are
# root's.  make run prints it in the VM before loading the module.
#
# Where it looks: the kernel's config (/proc/config.gz, /boot/config-KVER,
# or the headers' .config), its command line (/proc/cmdline), and what is
# there at run time (/sys/kernel/slab, /sys/module/kfence, debugfs,
# /proc/allocinfo, tracefs), which wins where they disagree.
# POSIX sh: it runs in the guest's busybox too.
set -u

cfg=
case ${1:-} in
--config) cfg=${2:?--config needs a file} ;;
--config=*) cfg=${1#*=} ;;
'') ;;
*) echo "usage: $0 [--config FILE]" >&2; exit 2 ;;
esac

kver=$(uname -r)
conf=/tmp/kd-facilities.config.$$
trap 'rm -f "$conf"' EXIT
: >"$conf"
if [ -n "$cfg" ]; then
	cat "$cfg" >"$conf"
elif [ -r /proc/config.gz ]; then
	gzip -dc /proc/config.gz >"$conf"
else
	for f in "/boot/config-$kver" "/lib/modules/$kver/build/.config" "/lib/modules/$kver/config"; do
		[ -r "$f" ] && { cat "$f" >"$conf"; break; }
	done
fi
cmdline=" $(cat /proc/cmdline) "

# config NAME -- y, m, a value, or "" when not set (or no config found).
config() {
	sed -n "s/^CONFIG_$1=//p" "$conf" | tr -d '"'
}
# arg NAME -- the value of NAME= on the kernel command line ("" if absent).
arg() {
	printf '%s\n' "$cmdline" | tr ' ' '\n' | sed -n "s/^$1=//p" | tail -n 1
}
has_config() {
	[ -s "$conf" ]
}
show() {
	printf '%-26s %s\n' "$1" "$2"
}
# unknown NAME CONFIG -- nothing to tell by: no config and no trace of it.
unknown() {
	show "$1" "not built in (CONFIG_$2 is not set${cfgnote})"
}
cfgnote=
has_config || cfgnote='; no kernel config found to check'

# init_on_alloc / init_on_free: the boot log says what is in force.
autoinit=$(dmesg 2>/dev/null | sed -n 's/.*mem auto-init: //p' | tail -n 1)
zeroing() {	# NAME CONFIG LOGWORD
	_v=$(arg "$1")
	case $_v in
	1|on) _on=1 ;;
	0|off) _on=0 ;;
	*) [ "$(config "$2")" = y ] && _on=1 || _on=0 ;;
	esac
	case $autoinit in
	*"$3:on"*) _on=1 ;;
	*"$3:off"*) _on=0 ;;
	esac
	if [ "$_on" = 1 ]; then
		show "$1" "on (boot with $1=0 to turn it off)"
	elif poisoning; then
		show "$1" "off (boot with $1=1 and without page_poison, which takes precedence)"
	else
		show "$1" "off (boot with $1=1)"
	fi
}
# poisoning -- page poisoning is in force (it overrides init_on_*).
poisoning() {
	[ "$(config PAGE_POISONING)" = y ] && case $(arg page_poison) in 1|on) true ;; *) false ;; esac
}
zeroing init_on_alloc INIT_ON_ALLOC_DEFAULT_ON "heap alloc"
zeroing init_on_free INIT_ON_FREE_DEFAULT_ON "heap free"

# slub_debug: the flags in force, read from each cache of its own.
if [ -e /sys/kernel/slab ] && ls /sys/kernel/slab/*/red_zone >/dev/null 2>&1; then
	# The shell's own read, not a process per file: a machine has
	# hundreds of caches.
	dbg=$(for d in /sys/kernel/slab/*/; do
		d=${d%/}
		[ -L "$d" ] && continue
		f=
		for k in sanity_checks:F red_zone:Z poison:P store_user:U; do
			v=0
			read -r v <"$d/${k%:*}" 2>/dev/null
			[ "$v" = 1 ] && f=$f${k#*:}
		done
		[ -n "$f" ] && echo "$f ${d##*/}"
	done)
	all=$(find /sys/kernel/slab -mindepth 1 -maxdepth 1 -type d | wc -l)
	n=$(printf '%s' "$dbg" | grep -c .)
	if [ "$n" -eq 0 ]; then
		show slub_debug "off (boot with slub_debug=FZPU, or slub_debug=FZPU,CACHE for one cache)"
	elif [ "$n" -ge $((all / 2)) ]; then
		show slub_debug "on ($(echo "$dbg" | awk '{ print $1 }' | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }') on $n of $all caches)"
	else
		show slub_debug "on ($(echo "$dbg" | awk -v n="$n" '
			NR <= 4 { printf "%s%s for %s", (NR > 1 ? ", " : ""), $1, $2 }
			END { if (n > 4) printf ", and %d more caches", n - 4 }'))"
	fi
elif [ "$(config SLUB_DEBUG)" = y ]; then
	show slub_debug "off (boot with slub_debug=FZPU)"
else
	unknown slub_debug SLUB_DEBUG
fi

# Random kmalloc caches (6.6+): 16 copies of each, picked per call site.
if [ -e /sys/kernel/slab/kmalloc-rnd-01-64 ] || [ "$(config RANDOM_KMALLOC_CACHES)" = y ]; then
	show random_kmalloc_caches "on (kmalloc-rnd-NN-SIZE: a copy per call site)"
else
	unknown random_kmalloc_caches RANDOM_KMALLOC_CACHES
fi

# KFENCE: built in when its parameter is there; sampling when it is not 0.
if [ -r /sys/module/kfence/parameters/sample_interval ]; then
	i=$(cat /sys/module/kfence/parameters/sample_interval)
	if [ "$i" -gt 0 ]; then
		show kfence "on (one allocation sampled every $i ms)"
	else
		show kfence "off (boot with kfence.sample_interval=100)"
	fi
else
	unknown kfence KFENCE
fi

# KASAN: a build option; the hardware tag mode can be turned off at boot.
case $(config KASAN) in
y)
	if [ "$(arg kasan)" = off ]; then
		show kasan "off (boot without kasan=off)"
	else
		show kasan "on ($(for m in GENERIC SW_TAGS HW_TAGS; do [ "$(config "KASAN_$m")" = y ] && echo "$m" | tr 'A-Z_' 'a-z-'; done) mode)"
	fi ;;
*)
	if dmesg 2>/dev/null | grep -q 'KernelAddressSanitizer initialized'; then
		show kasan on
	else
		unknown kasan KASAN
	fi ;;
esac

# kmemleak: built in, and on unless the command line or the config says off.
if [ "$(config DEBUG_KMEMLEAK)" = y ] || [ -e /sys/kernel/debug/kmemleak ]; then
	km=$(arg kmemleak)
	if [ "$km" = off ] || { [ "$(config DEBUG_KMEMLEAK_DEFAULT_OFF)" = y ] && [ "$km" != on ]; }; then
		show kmemleak "off (boot with kmemleak=on)"
	else
		show kmemleak "on (/sys/kernel/debug/kmemleak)"
	fi
else
	unknown kmemleak DEBUG_KMEMLEAK
fi

# page_owner: who allocated each page; off unless booted with page_owner=on.
if [ "$(config PAGE_OWNER)" = y ] || [ -e /sys/kernel/debug/page_owner ]; then
	if [ "$(arg page_owner)" = on ]; then
		show page_owner "on (/sys/kernel/debug/page_owner)"
	else
		show page_owner "off (boot with page_owner=on)"
	fi
else
	unknown page_owner PAGE_OWNER
fi

# Page poisoning: freed pages filled with a pattern, checked when reused.
if [ "$(config PAGE_POISONING)" = y ]; then
	if poisoning; then
		show page_poison on
	else
		show page_poison "off (boot with page_poison=1)"
	fi
else
	unknown page_poison PAGE_POISONING
fi

# Memory allocation profiling (6.10+): bytes and calls per call site.
if [ -e /proc/allocinfo ]; then
	case $(cat /proc/sys/vm/mem_profiling 2>/dev/null) in
	1*) show alloc_profiling "on (/proc/allocinfo)" ;;
	*) show alloc_profiling "off (boot with sysctl.vm.mem_profiling=1)" ;;
	esac
else
	unknown alloc_profiling MEM_ALLOC_PROFILING
fi

# The kmem tracepoints: in every tracing kernel, enabled when asked for.
tr=/sys/kernel/tracing
[ -d "$tr/events" ] || mount -t tracefs nodev "$tr" 2>/dev/null
[ -d "$tr/events" ] || tr=/sys/kernel/debug/tracing
if [ -d "$tr/events/kmem" ]; then
	show kmem_tracepoints "on ($(find "$tr/events/kmem" -mindepth 1 -maxdepth 1 -type d | wc -l) events in $tr/events/kmem)"
elif [ "$(config TRACING)" = y ]; then
	show kmem_tracepoints "off (mount tracefs: mount -t tracefs nodev /sys/kernel/tracing, as root)"
else
	unknown kmem_tracepoints TRACING
fi
