#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# ctx=: an allocating command's call in process context, under a
# spinlock (atomic), in a timer's callback (softirq) and in an irq_work
# (hardirq).  What each context accepts runs there, and the section's
# context: line says what the kernel's own predicates saw (in_task,
# in_serving_softirq, in_hardirq, irqs_disabled, !preemptible); on the
# debug lane CONFIG_DEBUG_ATOMIC_SLEEP and lockdep watch every call, so
# the lab's rule is the kernel's.  Refused, with nothing changed: flags
# that may sleep (GFP_KERNEL, GFP_NOIO) outside process context, vmalloc
# and kvmalloc in interrupts, vmalloc under a spinlock before 6.19, an
# unknown context, ctx= on a command that takes none, more than 256 of a
# cache's objects outside process context.
# kd-boot: slub
# kd-timeout: 180
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

r=/tmp/ctx.txt
kver=$(uname -r | awk -F. '{ print $1 * 100 + $2 }')
t_run "load" kd_load_settled

# ctx ID -- the context: line of [lab ID].
ctx() {
	cat "$KD_PROC" >"$r"
	kd_field "$r" "lab $1" context
}

t_lab "kmalloc 100 ctx=process" ok "kmalloc 100 ctx=process"
line=$(ctx "$(kd_lab_last)")
# A kernel without CONFIG_PREEMPT_COUNT does not count a spinlock in
# preempt_count(): the line says so, and no context shows !preemptible.
pre=', !preemptible' tail=''
case $line in
*"preemption not counted"*) pre='' tail='; preemption not counted: no CONFIG_PREEMPT_COUNT' ;;
esac
t_match "[lab $(kd_lab_last)]: process, in_task" \
	"^process \\(the write\\(\\)'s own: it may sleep; seen: in_task, CPU [0-9]+$tail\\)\$" "$line"
t_lab "kmalloc 100" ok "kmalloc 100"
t_eq "no ctx=: no context: line" "" "$(ctx "$(kd_lab_last)")"

for c in atomic softirq hardirq; do
	case $c in
	atomic) seen="in_task$pre" ;;
	softirq) seen="in_serving_softirq(, irqs_disabled)?$pre" ;;
	hardirq) seen="in_hardirq, irqs_disabled$pre" ;;
	esac
	for cmd in "kmalloc 100 GFP_ATOMIC" "kmalloc 5000 GFP_NOWAIT|__GFP_ZERO node=0" \
		"pages 0 GFP_ATOMIC" "pages 3 GFP_NOWAIT|__GFP_NOWARN" "cache 16 GFP_ATOMIC" \
		"kcalloc 4 100 GFP_NOWAIT"; do
		t_lab "$cmd ctx=$c" ok "$cmd ctx=$c"
		t_match "[lab $(kd_lab_last)]: $c, seen: $seen" "^$c \\(.*; seen: $seen, CPU [0-9]+$tail\\)\$" \
			"$(ctx "$(kd_lab_last)")"
	done
	if [ "$c" = atomic ] && [ "$kver" -ge 619 ]; then
		t_lab "vmalloc 8K GFP_ATOMIC ctx=atomic (6.19 and later)" ok "vmalloc 8K GFP_ATOMIC ctx=atomic"
		t_match "[lab $(kd_lab_last)]: atomic" '^atomic ' "$(ctx "$(kd_lab_last)")"
	fi
done
t_lab "free all" ok "free all"

# Before the table: refusals are logged at most 10 in 5 s.
kd_dmesg_mark
kd-lab write "kmalloc 100 ctx=hardirq" >/dev/null 2>&1
t_match "the log names the rule" \
	'refused, EINVAL: .*may sleep .*nothing may sleep outside process context: GFP_ATOMIC or GFP_NOWAIT' \
	"$(kd_dmesg_since)"
kd_refusal_ref
table <<'EOF'
kmalloc 100 ctx=atomic -> EINVAL: GFP_KERNEL (the default) under a spinlock
kmalloc 100 GFP_KERNEL ctx=softirq -> EINVAL: GFP_KERNEL in a softirq
kmalloc 100 GFP_NOIO ctx=hardirq -> EINVAL: GFP_NOIO in a hard interrupt
pages 0 GFP_USER ctx=atomic -> EINVAL: GFP_USER under a spinlock
vmalloc 8K GFP_ATOMIC ctx=softirq -> EINVAL: vmalloc in a softirq
vmalloc 8K GFP_NOWAIT ctx=hardirq -> EINVAL: vmalloc in a hard interrupt
kvmalloc 100 GFP_ATOMIC ctx=hardirq -> EINVAL: kvmalloc in a hard interrupt
kmalloc 100 GFP_ATOMIC ctx=irq -> EINVAL: an unknown context
kmalloc 100 GFP_ATOMIC ctx= -> EINVAL: an empty context
kmalloc 100 GFP_ATOMIC ctx=atomic node=0 -> EINVAL: ctx= before node=
cache 1 ctx=atomic -> EINVAL: GFP_KERNEL (the default) for a cache under a spinlock
cache 257 GFP_ATOMIC ctx=hardirq -> E2BIG: more objects than the lab takes outside process context
cache 1 GFP_DMA -> EINVAL: a zone flag for a cache's objects
vmalloc_user 8K ctx=atomic -> EINVAL: ctx= on vmalloc_user
free all ctx=atomic -> EINVAL: ctx= on free
EOF
if [ "$kver" -lt 619 ]; then
	refused EINVAL "vmalloc GFP_ATOMIC under a spinlock before 6.19" "vmalloc 8K GFP_ATOMIC ctx=atomic"
fi

t_run "unload" kd_unload
t_clean "nothing left"
