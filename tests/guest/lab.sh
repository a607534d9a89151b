# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Lab helpers for the guest tests (after lib.sh and report.sh).

# kd_lab LINE... -- one write() of the lines; prints "ok" or the errno name
# (EINVAL, E2BIG, ...) and returns 0 only for ok.
kd_lab() {
	kd-lab write "$@"
}

# t_lab DESC EXPECTED LINE... -- write the lines, expect "ok" or an errno.
t_lab() {
	_d=$1 _want=$2
	shift 2
	t_eq "$_d" "$_want" "$(kd-lab write "$@" 2>&1)"
}

# kd_lab_last -- the ID of the newest live experiment ("" when none).
kd_lab_last() {
	sed -n 's/^\[lab \([0-9]*\)\]$/\1/p' "$KD_PROC" | tail -n 1
}

# kd_lab_ids -- the IDs of the live experiments, space-separated.
kd_lab_ids() {
	sed -n 's/^\[lab \([0-9]*\)\]$/\1/p' "$KD_PROC" | tr '\n' ' ' | sed 's/ $//'
}

# kd_page_acct FILE -- "allocated freed" pages from a saved report's header.
kd_page_acct() {
	kd_field "$1" "" page_acct | awk '{ print $1, $4 }'
}

# kd_lab_live FILE -- live experiments, from a saved report's header.
kd_lab_live() {
	kd_num "$1" "" lab
}

# kd_slab_objects -- objects in use in the module's own cache.  KASAN holds
# freed objects in its quarantine for a while; shrinking the cache flushes
# the cache's objects from it, so the count is exact on every kernel.
kd_slab_objects() {
	[ -w "$KD_SLAB/shrink" ] && echo 1 >"$KD_SLAB/shrink"
	awk '{ print $1 }' "$KD_SLAB/objects"
}

# kd_kmalloc_class SIZE -- the bytes kmalloc reserves for SIZE on this
# kernel, from the kmalloc caches it created (/sys/kernel/slab/kmalloc-N,
# "kmalloc-8k" for 8192); above the largest, whole pages of the next order.
kd_kmalloc_class() {
	# shellcheck disable=SC2012 # plain cache names
	ls /sys/kernel/slab | sed -n 's/^kmalloc-\([0-9]*\)\(k\{0,1\}\)$/\1 \2/p' |
		awk -v n="$1" -v ps="$(kd_page_size)" '
			{ s = $1 * ($2 == "k" ? 1024 : 1); if (s > max) max = s
			  if (s >= n && (best == 0 || s < best)) best = s }
			END { if (best) { print best; exit }
			      p = ps; while (p < n) p *= 2; print p }'
}

# kd_zone_managed ZONE -- pages the kernel manages in ZONE (0: empty/absent).
kd_zone_managed() {
	awk -v z="$1" '$1 == "Node" { on = ($4 == z) }
		on && $1 == "managed" { n += $2 } END { print n + 0 }' /proc/zoneinfo
}

# kd_refusal_ref -- what every refusal after it must leave as it is: the
# whole report (/tmp/ref.txt), the module's vmalloc areas ($vmi) and its
# slab objects ($objs).
kd_refusal_ref() {
	cat "$KD_PROC" >/tmp/ref.txt
	vmi=$(kd_vmallocinfo)
	objs=$(kd_slab_objects)
}

# refused ERRNO DESC LINE... -- the write is refused with ERRNO, logs one
# "refused" line, and changes nothing since kd_refusal_ref; nref counts
# the refusals.
refused() {
	_want=$1 _d=$2
	shift 2
	kd_dmesg_mark
	t_lab "$_d: $_want" "$_want" "$@"
	if cmp -s /tmp/ref.txt "$KD_PROC" && [ "$(kd_vmallocinfo)" = "$vmi" ] &&
		[ "$(kd_slab_objects)" = "$objs" ]; then
		t_ok "$_d: nothing changed"
	else
		t_fail "$_d: nothing changed" "report diff:" \
			"$(diff /tmp/ref.txt - <"$KD_PROC" | head -n 20)" \
			"vmallocinfo: $(kd_vmallocinfo)" "slab objects: $(kd_slab_objects) (was $objs)"
	fi
	# Refusal lines are rate-limited: at most one, counted at the end.
	_log=$(kd_dmesg_since | grep 'kmem_demo: lab: .*refused')
	t_run "$_d: at most one log line" test "$(printf '%s' "$_log" | grep -c .)" -le 1
	[ -z "$_log" ] || echo "# $(echo "$_log" | sed 's/^\[[^]]*\] //')"
	nref=$((nref + 1))
}
# table -- refuse each "LINE -> ERRNO: why" row of stdin.
table() {
	while IFS= read -r row; do
		_e=${row#* -> }
		refused "${_e%%:*}" "${_e#*: }" "${row%% -> *}"
	done
}
