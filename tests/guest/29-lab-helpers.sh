#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The helpers drivers write instead of a bare kmalloc: kzalloc (zeroed),
# kmalloc_array and kcalloc (N x SIZE checked for overflow: an N x SIZE
# that wraps gets the helper's own NULL, and kmalloc is never called),
# kzalloc_flex (a flexible-array structure sized by struct_size(), which
# saturates), krealloc (in place while SIZE fits the slot, ksize(); moved,
# bytes copied, beyond it), each against the kmalloc caches in
# /sys/kernel/slab and the lab's own check of the bytes; percpu (a copy
# per possible CPU, each at its own address, on its CPU's node, in 4-byte
# units, refused for mmap, fill and krealloc); kfree_rcu and kvfree_rcu
# (the section says it waits for a grace period, free of it is EBUSY, free
# all waits for it, the log has both ends, and the vmalloc area leaves
# /proc/vmallocinfo once kfree_rcu's batch runs); mempool (its reserve of
# kmalloc'd elements, a line each; mempool_alloc served by kmalloc in
# hard-interrupt context, the reserve untouched; mempool_free to kfree, the
# reserve being full; free of the pool with elements out).  Refused, with
# nothing changed: sizes of 0, products past KMALLOC_MAX_SIZE, a
# saturated struct_size(), krealloc of what kmalloc did not give, of an ID
# that is not live, past lab_max_bytes; kfree_rcu of what neither kmalloc
# nor vmalloc gave, or of fewer bytes than an rcu_head; a pool of 0 or too
# many elements, mempool_alloc of no pool, with __GFP_ZERO or a zone flag,
# mempool_free with nothing handed out.
# kd-boot: slub
# kd-class: kernel numa
# kd-timeout: 120
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

r=/tmp/helpers.txt
kver=$(uname -r | awk -F. '{ print $1 * 100 + $2 }')
t_run "load with lab_max_bytes=1 MiB" kd_load_settled lab_max_bytes=1048576

# exp LINE -- run one command, save the report, set $id and $s ("lab ID").
exp() {
	id=none s=none
	t_lab "$1" ok "$1" || return 1
	id=$(kd_lab_last) s="lab $id"
	cat "$KD_PROC" >"$r"
}

# field KEY -- the field of the newest experiment's section.
field() {
	kd_field "$r" "$s" "$1"
}

# --- kzalloc, kcalloc, kmalloc_array: kmalloc with a promise ---------------
exp "kzalloc 100"
t_eq "kzalloc: call" "kzalloc(100, GFP_KERNEL)" "$(field call)"
t_match "kzalloc: kmalloc got __GFP_ZERO" '__GFP_ZERO' "$(field gfp)"
t_eq "kzalloc: reserved is the kmalloc class" "$(kd_kmalloc_class 100)" "$(kd_num "$r" "$s" reserved)"
t_match "kzalloc: zeroed" '^yes: every byte read 0' "$(field zeroed)"
t_lab "kzalloc: the lab's check reads 100 zero bytes" ok "check $id 0"

exp "kcalloc 10 100"
t_eq "kcalloc: call" "kcalloc(10, 100, GFP_KERNEL)" "$(field call)"
t_eq "kcalloc: requested N x SIZE" 1000 "$(kd_num "$r" "$s" requested)"
t_eq "kcalloc: reserved is the kmalloc class" "$(kd_kmalloc_class 1000)" "$(kd_num "$r" "$s" reserved)"
t_match "kcalloc: zeroed" '^yes' "$(field zeroed)"
t_lab "kcalloc: the lab's check reads 1000 zero bytes" ok "check $id 0"

exp "kmalloc_array 10 100 GFP_KERNEL"
t_eq "kmalloc_array: call" "kmalloc_array(10, 100, GFP_KERNEL)" "$(field call)"
t_eq "kmalloc_array: requested" 1000 "$(kd_num "$r" "$s" requested)"
t_eq "kmalloc_array: no __GFP_ZERO, no zeroed: line" "" "$(field zeroed)"

exp "kcalloc 4 3000 GFP_ATOMIC node=0 ctx=atomic"
t_eq "kcalloc node= ctx=: call" "kcalloc_node(4, 3000, GFP_ATOMIC, 0)" "$(field call)"
t_match "kcalloc ctx=atomic: context" '^atomic ' "$(field context)"
t_eq "kcalloc 4 x 3000: reserved" "$(kd_kmalloc_class 12000)" "$(kd_num "$r" "$s" reserved)"

# --- kzalloc_flex: struct_size() ------------------------------------------
exp "kzalloc_flex 10"
# 7.0 has the macro, and stable kernels that took it back (Debian 13's
# 6.12); the rest are called as the macro expands.
call=$(field call)
if [ "$kver" -ge 700 ]; then
	t_eq "kzalloc_flex: call, the 7.0 macro" "kzalloc_flex(*f, item, 10, GFP_KERNEL)" "$call"
else
	t_match "kzalloc_flex: call, the macro or what it expands to" \
		'^(kzalloc_flex\(\*f, item, 10, GFP_KERNEL\)|kzalloc\(struct_size\(f, item, 10\), GFP_KERNEL\))$' "$call"
fi
t_eq "kzalloc_flex: requested 8 + 10 x 8" 88 "$(kd_num "$r" "$s" requested)"
t_match "kzalloc_flex: struct: line" 'struct_size\(\) = 8 \+ 10 x 8 = 88 bytes$' "$(field struct)"
t_match "kzalloc_flex: zeroed, count aside" '^yes.*, count aside$' "$(field zeroed)"
exp "kzalloc_flex 0"
t_eq "kzalloc_flex 0: the header alone" 8 "$(kd_num "$r" "$s" requested)"

# --- krealloc: in place, or moved -----------------------------------------
exp "kmalloc 5000"
big=$id
exp "kmalloc 100"
small=$id
t_lab "fill the 5000 bytes" ok "fill $big 0x5a"
was=$(kd_field "$r" "lab $big" address)
slot=$(kd_num "$r" "lab $big" reserved)
t_lab "krealloc to 100 bytes" ok "krealloc $big 100"
cat "$KD_PROC" >"$r"
now=$(kd_field "$r" "lab $big" address)
res=$(kd_field "$r" "lab $big" resized)
t_eq "krealloc: call" "krealloc(p, 100, GFP_KERNEL)" "$(kd_field "$r" "lab $big" call)"
t_eq "krealloc: requested" 100 "$(kd_num "$r" "lab $big" requested)"
# Shrinking may stay or move: the line must say what the address did.
if [ "$was" = "$now" ]; then
	t_match "krealloc 100: same address, in place" "^krealloc $big 100: in place: 100 bytes fit the $slot-byte slot" "$res"
	t_eq "krealloc 100: the slot kept is slack_kept, the rest the class's" \
		"$((slot - 100)) $(($(kd_kmalloc_class 100) - 100))" \
		"$(($(kd_num "$r" "lab $big" slack_kept) + $(kd_num "$r" "lab $big" slack_class))) $(kd_num "$r" "lab $big" slack_class)"
else
	t_match "krealloc 100: new address, moved" "^krealloc $big 100: moved, though 100 bytes fit the $slot-byte slot" "$res"
fi
t_lab "krealloc 100: the first 100 bytes kept" ok "check $big 0x5a"
ids=$(kd_lab_ids)
# shellcheck disable=SC2086 # the IDs, one word each
t_eq "the section stays in its place, before the later ones" \
	"$(printf '%s\n' $ids | sort -n | tr '\n' ' ' | sed 's/ $//')" "$ids"

t_lab "fill the 100 bytes" ok "fill $small 0x33"
cat "$KD_PROC" >"$r"
was=$(kd_field "$r" "lab $small" address)
slot=$(kd_num "$r" "lab $small" reserved)
t_lab "krealloc to 6000 bytes" ok "krealloc $small 6000 GFP_KERNEL"
cat "$KD_PROC" >"$r"
t_match "krealloc 6000: moved, and why" \
	"^krealloc $small 6000: moved: 6000 bytes do not fit the $slot-byte slot it had: a $(kd_kmalloc_class 6000)-byte one" \
	"$(kd_field "$r" "lab $small" resized)"
t_run "krealloc 6000: a new address" test "$was" != "$(kd_field "$r" "lab $small" address)"
t_eq "krealloc 6000: reserved is the new class" "$(kd_kmalloc_class 6000)" "$(kd_num "$r" "lab $small" reserved)"
# The old 100 bytes were copied; what follows them is the new slot's.
kd_dmesg_mark
out=$(kd_lab "check $small 0x33")
at=$(kd_dmesg_since | sed -n 's/.*refused, EBADMSG: check: byte \([0-9]*\) of 6000.*/\1/p' | head -n 1)
if [ "$out" = ok ] || [ "${at:-0}" -ge 100 ]; then
	t_ok "krealloc 6000: the first 100 bytes copied (first other byte: ${at:-none})"
else
	t_fail "krealloc 6000: the first 100 bytes copied" "expected check ok or a first bad byte >= 100" \
		"saw $out, byte ${at:-?}" "$(kd_dmesg_since | tail -n 3)"
fi
t_lab "free all" ok "free all"

# --- percpu: one copy per possible CPU -------------------------------------
# cpus LIST -- how many CPUs a list like 0-3,5 names.
cpus() {
	echo "$1" | tr ',' '\n' | awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }'
}
ncpu=$(cpus "$(cat /sys/devices/system/cpu/possible)")
exp "percpu 30"
t_eq "percpu: call" "__alloc_percpu(30, 8)" "$(field call)"
t_eq "percpu: requested, a copy per possible CPU" $((30 * ncpu)) "$(kd_num "$r" "$s" requested)"
t_eq "percpu: reserved, in 4-byte units" $((32 * ncpu)) "$(kd_num "$r" "$s" reserved)"
t_eq "percpu: slack_align" $((2 * ncpu)) "$(kd_num "$r" "$s" slack_align)"
t_match "percpu: refused for mmap" '^mmap: per-CPU memory is one copy per CPU' "$(field refused)"
copies=$(sed -n "/^\[$s\]\$/,/^\$/p" "$r" | grep '^copy cpu')
t_eq "percpu: a copy line per possible CPU" "$ncpu" "$(printf '%s\n' "$copies" | grep -c .)"
t_eq "percpu: each at its own address" "$ncpu" \
	"$(printf '%s\n' "$copies" | sed 's/.*address=\([^ ]*\).*/\1/' | sort -u | grep -c .)"
# Each CPU's copy on that CPU's node (the numa lane: one CPU per node).
bad=
for cpu in $(printf '%s\n' "$copies" | sed 's/^copy cpu\([0-9]*\):.*/\1/'); do
	want=0
	for n in /sys/devices/system/cpu/cpu"$cpu"/node*; do
		[ -e "$n" ] && want=${n##*node}
	done
	got=$(printf '%s\n' "$copies" | sed -n "s/^copy cpu$cpu: node \([0-9]*\),.*/\1/p")
	[ "$want" = "$got" ] || bad="$bad cpu$cpu: node $got, not $want;"
done
t_eq "percpu: each copy on its CPU's node" "" "$bad"
exp "percpu 32K"
t_eq "percpu 32K, PCPU_MIN_UNIT_SIZE: a copy line per CPU" "$ncpu" \
	"$(sed -n "/^\[$s\]\$/,/^\$/p" "$r" | grep -c '^copy cpu')"
t_lab "free all" ok "free all"

# --- kfree_rcu: freed once a grace period has ended ------------------------
exp "vmalloc 64K"
rv=$id
exp "kzalloc 3000"
rk=$id
t_match "kvfree_rcu: the vmalloc area is there" 'kd_lab_vmalloc' "$(kd_vmallocinfo)"
kd_dmesg_mark
# The next line of the same write runs within microseconds, long before
# a grace period can end: free is refused then (the write stops short),
# and once the record is gone it is ENOENT.
a="kfree_rcu $rk" b="free $rk"
t_match "kfree_rcu, then free in the same write: EBUSY while it waits" \
	"^wrote $((${#a} + 1)) of $((${#a} + ${#b} + 2))\$" "$(kd-lab write -s "$a" "$b" 2>&1)"
t_lab "kfree_rcu of a vmalloc experiment (kvfree_rcu)" ok "kfree_rcu $rv"
# Waiting for a grace period, or gone already: never freed twice.
cat "$KD_PROC" >"$r"
if grep -q "^\[lab $rv\]\$" "$r"; then
	t_match "kfree_rcu: pending, the section says so" '^freed by kfree_rcu\(\): waiting for a grace period' \
		"$(kd_field "$r" "lab $rv" lifetime)"
else
	t_skip "kfree_rcu: pending, the section says so" "a grace period ended before the report was read"
fi
t_lab "free all waits for the grace periods" ok "free all"
t_eq "kfree_rcu: no section left after free all" "" "$(kd_lab_ids)"
log=$(kd_dmesg_since)
for x in "$rk:kfree_rcu" "$rv:kvfree_rcu"; do
	n=${x%%:*} w=${x#*:}
	t_match "lab $n: $w(p, rcu) logged" "lab $n: $w\\(p, rcu\\): freed once every reader" "$log"
	t_match "lab $n: the grace period's end logged" \
		"lab $n: a grace period has ended \\([0-9]+ ms after kfree_rcu\\(\\)\\): no reader can hold" "$log"
done
# The kernel's own view: kfree_rcu batches its frees, so the area goes
# after the grace period, within seconds (KFREE_DRAIN_JIFFIES).
at=$(kd_uptime_cs)
while kd_vmallocinfo | grep -q kd_lab_vmalloc && [ $(($(kd_uptime_cs) - at)) -lt 3000 ]; do
	usleep 200000
done
t_eq "kvfree_rcu: the area leaves /proc/vmallocinfo (after $((($(kd_uptime_cs) - at) / 100)) s)" "" \
	"$(kd_vmallocinfo | grep kd_lab_vmalloc)"

# --- mempool: elements kept in reserve -------------------------------------
# sect -- the newest section's lines, from its title to the blank line.
sect() {
	sed -n "/^\[$s\]\$/,/^\$/p" "$r"
}
exp "mempool 4 3000"
pool=$id
cls=$(kd_kmalloc_class 3000)
t_eq "mempool: call" "mempool_create_kmalloc_pool(4, 3000)" "$(field call)"
t_match "mempool: reserve: 4 of 4" '^4 of 4 elements: mempool_alloc\(\) takes one only when kmalloc fails$' \
	"$(field reserve)"
t_eq "mempool: requested 4 x 3000" 12000 "$(kd_num "$r" "$s" requested)"
t_eq "mempool: reserved 4 x the kmalloc class" $((4 * cls)) "$(kd_num "$r" "$s" reserved)"
t_eq "mempool: slack_class is the classes' rounding" $((4 * (cls - 3000))) \
	"$(kd_num "$r" "$s" slack_class)"
t_eq "mempool: a line per element, each in the reserve" 4 "$(sect | grep -c '^element [1-4]: in the reserve, address=')"
t_eq "mempool: each element at its own address" 4 \
	"$(sect | sed -n 's/^element .*address=\([^ ]*\).*/\1/p' | sort -u | grep -c .)"
kd_dmesg_mark
t_lab "mempool_alloc in hard-interrupt context" ok "mempool_alloc $pool GFP_ATOMIC ctx=hardirq"
cat "$KD_PROC" >"$r"
t_match "mempool_alloc: kmalloc served it, the reserve untouched" \
	"lab $pool: mempool_alloc\\(pool, GFP_ATOMIC\\) in context hardirq: from kmalloc, the reserve untouched; 4 of 4 left" \
	"$(kd_dmesg_since)"
t_match "mempool_alloc: the reserve still 4 of 4" '^4 of 4 ' "$(field reserve)"
t_match "mempool_alloc: one handed out" '^1 ' "$(field handed_out)"
t_eq "mempool_alloc: the section counts it" 15000 "$(kd_num "$r" "$s" requested)"
t_eq "mempool_alloc: its line" 1 "$(sect | grep -c '^element 5: handed out, from kmalloc, address=')"
t_eq "mempool_alloc: the section still names the pool's call" \
	"mempool mempool_create_kmalloc_pool(4, 3000)" "$(field allocator) $(field call)"
t_lab "mempool_free: back to kmalloc" ok "mempool_free $pool"
t_match "mempool_free: kfree()d, as the reserve was full" \
	"lab $pool: mempool_free: kfree\\(\\)d: the reserve was full; 4 of 4 in the reserve" "$(kd_dmesg_since)"
cat "$KD_PROC" >"$r"
t_eq "mempool_free: the section as it was" 12000 "$(kd_num "$r" "$s" requested)"
t_lab "mempool_alloc, twice, then free the pool with them out" ok "mempool_alloc $pool GFP_NOWAIT" \
	"mempool_alloc $pool" "free $pool"
t_match "free: the elements handed out go back first" \
	"lab $pool: 2 element\\(s\\) handed out go back first: mempool_destroy\\(\\) needs them all" \
	"$(kd_dmesg_since)"

# --- refused, nothing changed ----------------------------------------------
exp "kmalloc 100"
k=$id
exp "vmalloc 8K"
v=$id
exp "percpu 8"
pc=$id
exp "kmalloc 8"
s8=$id
exp "mempool 2 100"
mp=$id
kd_dmesg_mark
kd-lab write "kcalloc 0x100000000 4G" >/dev/null 2>&1
t_match "kcalloc overflow: the log says the helper's NULL" \
	'refused, ENOMEM: kcalloc: kcalloc returned NULL: 4294967296 x 4294967296 overflows \(check_mul_overflow\(\)\), so it never called kmalloc' \
	"$(kd_dmesg_since)"
kd_refusal_ref
table <<EOF
kmalloc_array 0x100000000 0x100000000 -> ENOMEM: kmalloc_array's NULL for a product that wraps
kcalloc 0 100 -> EINVAL: N of 0
kcalloc 10 0 -> EINVAL: SIZE of 0
kcalloc 10 -> EINVAL: no SIZE
kcalloc 1024 1M -> E2BIG: N x SIZE past KMALLOC_MAX_SIZE
kcalloc 10 100 GFP_DMA32 -> EINVAL: no DMA32 kmalloc caches
kcalloc 10 100 ctx=atomic -> EINVAL: GFP_KERNEL under a spinlock
kzalloc 0 -> EINVAL: SIZE 0
kzalloc_flex 0x4000000000000000 -> E2BIG: struct_size() saturated
kzalloc_flex 10 node=0 -> EINVAL: kzalloc_flex takes no node=
krealloc $v 100 -> EINVAL: krealloc of vmalloc'd memory
krealloc 999 100 -> ENOENT: no such experiment
krealloc $k 0 -> EINVAL: krealloc to 0 bytes
krealloc $k 16G -> E2BIG: past KMALLOC_MAX_SIZE
krealloc $k 2M -> ENOSPC: past lab_max_bytes
krealloc $k 100 GFP_DMA32 -> EINVAL: no DMA32 kmalloc caches
krealloc $k 100 ctx=atomic -> EINVAL: krealloc takes no ctx=
krealloc $pc 100 -> EINVAL: krealloc of per-CPU memory
percpu 0 -> EINVAL: percpu of nothing
percpu 33K -> E2BIG: past PCPU_MIN_UNIT_SIZE
percpu 8 GFP_ATOMIC -> EINVAL: percpu takes no FLAGS
fill $pc 1 -> EINVAL: per-CPU memory is no one run of bytes
kfree_rcu $pc -> EINVAL: kfree_rcu of per-CPU memory
kfree_rcu $s8 -> EINVAL: no room for an rcu_head in 8 bytes
kfree_rcu 999 -> ENOENT: no such experiment
kfree_rcu $k 1 -> EINVAL: extra argument
kfree_rcu -> EINVAL: no ID
mempool 0 100 -> EINVAL: a pool of nothing
mempool 257 100 -> E2BIG: past the lab's 256 elements
mempool 2 0 -> EINVAL: SIZE 0
mempool 2 16G -> E2BIG: past KMALLOC_MAX_SIZE
mempool 2 -> EINVAL: no SIZE
mempool 2 100 GFP_ATOMIC -> EINVAL: mempool takes no FLAGS
mempool_alloc $k -> EINVAL: not a pool
mempool_alloc 999 -> ENOENT: no such experiment
mempool_alloc $mp GFP_KERNEL|__GFP_ZERO -> EINVAL: mempool_alloc warns about __GFP_ZERO
mempool_alloc $mp GFP_DMA -> EINVAL: no zone flag
mempool_alloc $mp ctx=atomic -> EINVAL: GFP_KERNEL under a spinlock
mempool_free $mp -> EINVAL: nothing handed out
mempool_free $k -> EINVAL: not a pool
fill $mp 1 -> EINVAL: a pool's elements are no one run of bytes
krealloc $mp 100 -> EINVAL: krealloc of a pool
kfree_rcu $mp -> EINVAL: kfree_rcu of a pool
EOF

t_run "unload" kd_unload
t_clean "nothing left"
