#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad lab input whose refusal depends on the kernel: the rows of the error
# tables in docs/lab.md that are flag combinations the kernel rejects or
# warns about, and limits (KMALLOC_MAX_SIZE, the largest order), as root
# (the parser's syntax rows are 23-lab-syntax's); writes by nobody, by uid
# 0 without CAP_SYS_ADMIN and by root of a new user namespace.  After each
# refusal the right errno, the whole report byte for byte what it was
# (nothing allocated, nothing freed, the page accounting unchanged) and
# nothing left in /proc/vmallocinfo or the module's slab cache; each
# refusal logs at most one line naming the command and the rule.  Then
# lab_max_items and lab_max_bytes (ENOSPC) and their bounds.
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
kd_refusal_ref

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

# ENOSPC: the limits, from the module parameters.
t_lab "free all" ok "free all"
t_run "unload" kd_unload
t_run "load with lab_max_items=2 lab_max_bytes=1048576" kd_load_settled lab_max_items=2 lab_max_bytes=1048576
t_lab "two experiments fit" ok "kmalloc 100" "kmalloc 200"
kd_refusal_ref
refused ENOSPC "a third one: lab_max_items" "kmalloc 100"
t_lab "free one" ok "free 1"
cat "$KD_PROC" >/tmp/ref.txt
refused ENOSPC "more bytes than lab_max_bytes" "vmalloc 2M"
refused ENOSPC "lab_max_bytes counts what is already live" "kmalloc 1048576"
t_lab "what still fits, fits" ok "kmalloc 512K"
t_run "unload" kd_unload
t_run "load with lab_max_items=0 (lab off)" kd_load_settled lab_max_items=0
kd_refusal_ref
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
