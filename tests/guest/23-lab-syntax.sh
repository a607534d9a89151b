#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad lab input the module's own parser refuses, whatever the kernel: the
# rows of docs/lab.md's error tables that are syntax (unknown words, bad
# numbers and suffixes, overflows, extra or missing arguments, empty,
# long, NUL and CR lines), an ID that is not live, and a bad first line
# of several.  After each refusal the right errno, the whole report byte
# for byte what it was and nothing left in /proc/vmallocinfo or the
# module's slab cache, and at most one log line; every refusal is logged
# or counted as suppressed by the rate limit, and once its window has
# passed the log lines teach the rule and name the limit.  The rows that
# depend on the kernel are 24-lab-errors'.
# kd-boot: slub
# kd-class: logic
# kd-timeout: 120
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

maxo=$(kd_max_order)
t_run "load" kd_load_settled
t_lab "one live experiment, which must survive every refusal" ok "kmalloc 100"
kd_refusal_ref
nref=0
kd_kmsg_mark 1

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
cache 3 GFP_KERNEL x -> EINVAL: an argument after cache's FLAGS
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

# ENOENT: free of an ID that is not live.
refused ENOENT "free of an ID never given" "free 12345"
refused ENOENT "free 0 (IDs start at 1)" "free 0"

# Several lines: the first bad one stops the write; the ones before stay.
refused EINVAL "a bad first line: nothing runs" "bogus" "kmalloc 1"

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

t_lab "free all" ok "free all"
t_run "unload" kd_unload
t_clean "nothing left"
