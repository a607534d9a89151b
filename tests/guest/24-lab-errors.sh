#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad lab input: every row of the error tables in docs/lab.md as root, and
# writes by nobody, by uid 0 without CAP_SYS_ADMIN and by root of a new
# user namespace.  After each refusal the right errno, the whole report
# byte for byte what it was (nothing allocated, nothing freed, the page
# accounting unchanged) and nothing left in /proc/vmallocinfo or the
# module's slab cache; each refusal logs at most one line naming the
# command and the rule, and every refusal is logged or counted as
# suppressed by the rate limit.  Then lab_max_items and lab_max_bytes
# (ENOSPC) and their bounds.
# kd-boot: slub
# kd-timeout: 180
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

ps=$(kd_page_size)
maxo=$(kd_max_order)
kmax=$((ps << maxo))
t_run "load" kd_load_settled
t_lab "one live experiment, which must survive every refusal" ok "kmalloc 100"
cat "$KD_PROC" >/tmp/ref.txt
vmi=$(kd_vmallocinfo)
objs=$(kd_slab_objects)

# refused ERRNO DESC LINE... -- the write is refused with ERRNO, logs one
# "refused" line, and changes nothing.
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
nref=0
kd_kmsg_mark 1

# table -- refuse each "LINE -> ERRNO: why" row of stdin.
table() {
	while IFS= read -r row; do
		_e=${row#* -> }
		refused "${_e%%:*}" "${_e#*: }" "${row%% -> *}"
	done
}

# EINVAL: the command is not well-formed.
table <<'EOF'
kmallok 100 -> EINVAL: unknown command
KMALLOC 100 -> EINVAL: commands are lower case
kmalloc 100 GFP_KERNAL -> EINVAL: unknown flag
kmalloc 100 gfp_kernel -> EINVAL: flags are spelled as in the kernel source
kmalloc -> EINVAL: missing SIZE
pages -> EINVAL: missing ORDER
free -> EINVAL: missing ID
kmalloc 100 GFP_KERNEL extra -> EINVAL: extra argument
cache 3 GFP_KERNEL -> EINVAL: cache takes no FLAGS
free 1 2 -> EINVAL: extra argument to free
free everything -> EINVAL: free takes an ID or all
kmalloc 100x -> EINVAL: junk after a number
kmalloc 1.5K -> EINVAL: not a number
kmalloc 4KB -> EINVAL: unknown suffix
kmalloc 0x -> EINVAL: 0x without digits
pages 2K -> EINVAL: ORDER takes no suffix
kmalloc -1 -> EINVAL: negative SIZE
pages -1 -> EINVAL: negative ORDER
free -1 -> EINVAL: negative ID
kmalloc 99999999999999999999999 -> EINVAL: overflowing SIZE
kmalloc 0x10000000000000000 -> EINVAL: overflowing hex SIZE
kmalloc 17179869184G -> EINVAL: overflowing after the suffix
kmalloc 100 GFP_KERNEL|| -> EINVAL: empty flag name
kmalloc 0 -> EINVAL: SIZE 0
vmalloc 0 -> EINVAL: vmalloc SIZE 0
cache 0 -> EINVAL: COUNT 0
 -> EINVAL: empty command
    -> EINVAL: blank command
EOF
refused EINVAL "a line over 256 bytes" "kmalloc 100 $(printf '%260s' GFP_KERNEL)"
refused EINVAL "a NUL byte" -e 'kmalloc 100\0'
refused EINVAL "a NUL byte in a flag" -e 'kmalloc 100 GFP_KER\0NEL'
refused EINVAL "a carriage return" -e 'kmalloc 100\r'

# EINVAL: flag combinations the kernel rejects or warns about.
table <<'EOF'
kmalloc 100 GFP_DMA32 -> EINVAL: kmalloc with GFP_DMA32 (Unexpected gfp)
kmalloc 100 GFP_KERNEL|__GFP_HIGHMEM -> EINVAL: kmalloc with __GFP_HIGHMEM
kvmalloc 100 GFP_DMA32 -> EINVAL: kvmalloc with GFP_DMA32
pages 0 GFP_KERNEL|__GFP_COMP -> EINVAL: __GFP_COMP on order 0
pages 2 GFP_DMA|GFP_DMA32 -> EINVAL: two zone modifiers
pages 2 GFP_KERNEL|__GFP_NOFAIL -> EINVAL: __GFP_NOFAIL
vmalloc 4096 GFP_KERNEL|__GFP_COMP -> EINVAL: vmalloc with __GFP_COMP
EOF
if [ "$(uname -r | awk -F. '{ print $1 * 100 + $2 }')" -lt 619 ]; then
	refused EINVAL "vmalloc GFP_ATOMIC before 6.19" "vmalloc 4096 GFP_ATOMIC"
	refused EINVAL "kvmalloc GFP_NOWAIT before 6.19" "kvmalloc 4096 GFP_NOWAIT"
else
	refused EINVAL "vmalloc GFP_DMA32 since 6.19" "vmalloc 4096 GFP_DMA32"
fi

# E2BIG: beyond what the allocator could ever give.
table <<EOF
kmalloc $((kmax + 1)) -> E2BIG: kmalloc above KMALLOC_MAX_SIZE
pages $((maxo + 1)) -> E2BIG: pages above the largest order
vmalloc 1024G -> E2BIG: vmalloc of more than the RAM
kvmalloc 2G -> E2BIG: kvmalloc above INT_MAX
cache 65537 -> E2BIG: cache of more than 65536 objects
EOF

# ENOENT: free of an ID that is not live.
refused ENOENT "free of an ID never given" "free 12345"
refused ENOENT "free 0 (IDs start at 1)" "free 0"

# Several lines: the first bad one stops the write; the ones before stay.
refused EINVAL "a bad first line: nothing runs" "bogus" "kmalloc 1"

# Writes by anyone else, and opens by root without CAP_SYS_ADMIN.
kd_dmesg_mark
t_match "nobody: the file is not writable (EACCES)" "Permission denied" \
	"$(kd_as_nobody "echo 'kmalloc 1' >$KD_PROC" 2>&1)"
t_eq "nobody: the report is still readable, every section" \
	"$(grep -c '^\[' "$KD_PROC")" "$(kd_as_nobody "cat $KD_PROC" | grep -c '^\[')"
t_lab "uid 0 without CAP_SYS_ADMIN: EPERM at open()" EPERM -c "kmalloc 1"
out=$(kd-lab write -U "kmalloc 1")
if [ $? -eq 3 ]; then
	t_skip "root of a new user namespace: EPERM at open()" "kernel without CONFIG_USER_NS ($out)"
else
	t_eq "root of a new user namespace: EPERM at open()" EPERM "$out"
fi
t_eq "after those: the report is unchanged" "" "$(diff /tmp/ref.txt - <"$KD_PROC" | head -n 5)"

# Every refusal logged one line, or was counted as suppressed by the rate
# limit.  After the 5 s window the log has room again, and the kernel
# prints the count of the last window at the next refusal.
sleep 6
kd_dmesg_mark
kd_lab 'kmalloc 1 GFP_DMA32' >/dev/null
t_match "the log line teaches the rule" "refused, EINVAL: kmalloc: .*Unexpected gfp" "$(kd_dmesg_since)"
kd_dmesg_mark
kd_lab "pages $((maxo + 1))" >/dev/null
t_match "the log line names the limit" "refused, E2BIG: pages: .*\(limit $maxo\)\$" "$(kd_dmesg_since)"
all=$(kd_kmsg_since 1)
lines=$(echo "$all" | grep -c 'kmem_demo: lab: .*refused')
suppressed=$(echo "$all" | sed -n 's/.*kd_lab_refused: \([0-9]*\) callbacks suppressed.*/\1/p' |
	awk '{ n += $1 } END { print n + 0 }')
t_eq "each of the $((nref + 2)) refusals logged a line or was counted as suppressed ($lines + $suppressed)" \
	$((nref + 2)) $((lines + suppressed))

# ENOSPC: the limits, from the module parameters.
t_lab "free all" ok "free all"
t_run "unload" kd_unload
t_run "load with lab_max_items=2 lab_max_bytes=1048576" kd_load_settled lab_max_items=2 lab_max_bytes=1048576
t_lab "two experiments fit" ok "kmalloc 100" "kmalloc 200"
cat "$KD_PROC" >/tmp/ref.txt
vmi=$(kd_vmallocinfo)
objs=$(kd_slab_objects)
refused ENOSPC "a third one: lab_max_items" "kmalloc 100"
t_lab "free one" ok "free 1"
cat "$KD_PROC" >/tmp/ref.txt
refused ENOSPC "more bytes than lab_max_bytes" "vmalloc 2M"
refused ENOSPC "lab_max_bytes counts what is already live" "kmalloc 1048576"
t_lab "what still fits, fits" ok "kmalloc 512K"
t_run "unload" kd_unload
t_run "load with lab_max_items=0 (lab off)" kd_load_settled lab_max_items=0
cat "$KD_PROC" >/tmp/ref.txt
vmi=$(kd_vmallocinfo)
objs=$(kd_slab_objects)
refused ENOSPC "lab_max_items=0: every allocation" "kmalloc 1"
t_lab "free all still works" ok "free all"
t_run "unload" kd_unload
for p in lab_max_items=4097 lab_max_bytes=17179869185 lab_max_items=-1; do
	if kd_load "$p"; then
		t_fail "$p refused" "saw: loaded"
		kd_unload
	else
		t_ok "$p refused"
	fi
done
t_clean "nothing left"
