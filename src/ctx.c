// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: an allocator's call, in the context a driver makes it from.
 *
 * A driver allocates in process context (probe, open, an ioctl: it may
 * sleep), under a spinlock (preemption off: it must not sleep, or another
 * CPU spins on the lock meanwhile), in a softirq (a timer, a tasklet, a
 * network poll: no process to put to sleep) or in a hard interrupt
 * handler (interrupts off on this CPU).  Only process context may wait
 * for reclaim, so the flags differ: GFP_KERNEL there, GFP_ATOMIC or
 * GFP_NOWAIT elsewhere (lab_cmd.c refuses the rest).
 *
 * kd_ctx_run() makes the call in one of them and records what the
 * kernel's own predicates said there, so the report shows the context
 * the kernel saw, not the one asked for.  One call at a time: the timer
 * and the irq_work are the module's, and the caller waits for each.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/irq_work.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/timer.h>

#include "compat.h"
#include "ctx.h"

static struct {
	void (*fn)(void *arg);
	void *arg;
	struct kd_ctx_seen *seen;
	struct completion done;
	struct timer_list timer;
	struct irq_work work;
} kd_ctx;

static DEFINE_MUTEX(kd_ctx_mutex);	/* one call at a time */
static DEFINE_SPINLOCK(kd_ctx_lock);	/* "atomic": held around the call */

static void kd_ctx_call(void)
{
	struct kd_ctx_seen *s = kd_ctx.seen;

	s->task = in_task();
	s->softirq = in_serving_softirq();
	s->hardirq = in_hardirq();
	s->irqs_off = irqs_disabled();
	s->preempt_off = IS_ENABLED(CONFIG_PREEMPT_COUNT) && !preemptible();
	s->cpu = raw_smp_processor_id();
	kd_ctx.fn(kd_ctx.arg);
}

/* A timer's callback runs in the TIMER_SOFTIRQ softirq. */
static void kd_ctx_timer(struct timer_list *t)
{
	kd_ctx_call();
	complete(&kd_ctx.done);
}

/* An irq_work runs in hard interrupt context (a self-IPI, or the tick). */
static void kd_ctx_irq_work(struct irq_work *w)
{
	kd_ctx_call();
	complete(&kd_ctx.done);
}

void kd_ctx_run(enum kd_ctx ctx, void (*fn)(void *arg), void *arg,
		struct kd_ctx_seen *seen)
{
	mutex_lock(&kd_ctx_mutex);
	kd_ctx.fn = fn;
	kd_ctx.arg = arg;
	kd_ctx.seen = seen;
	seen->ctx = ctx;
	switch (ctx) {
	case KD_CTX_ATOMIC:
		spin_lock(&kd_ctx_lock);
		kd_ctx_call();
		spin_unlock(&kd_ctx_lock);
		break;
	case KD_CTX_SOFTIRQ:
		init_completion(&kd_ctx.done);
		timer_setup(&kd_ctx.timer, kd_ctx_timer, 0);
		mod_timer(&kd_ctx.timer, jiffies);
		wait_for_completion(&kd_ctx.done);
		/* The callback has returned too, before the timer is reused. */
		kd_timer_delete_sync(&kd_ctx.timer);
		break;
	case KD_CTX_HARDIRQ:
		init_completion(&kd_ctx.done);
		init_irq_work(&kd_ctx.work, kd_ctx_irq_work);
		irq_work_queue(&kd_ctx.work);
		wait_for_completion(&kd_ctx.done);
		irq_work_sync(&kd_ctx.work);
		break;
	default:
		kd_ctx_call();
	}
	mutex_unlock(&kd_ctx_mutex);
}

void kd_ctx_show(struct seq_file *m, const struct kd_ctx_seen *s)
{
	static const char *const how[KD_NR_CTX] = {
		[KD_CTX_PROCESS] = "the write()'s own: it may sleep",
		[KD_CTX_ATOMIC]	 = "under a spinlock, preemption off: it must not sleep",
		[KD_CTX_SOFTIRQ] = "a timer's callback: it must not sleep",
		[KD_CTX_HARDIRQ] = "an irq_work, a hard interrupt: it must not sleep",
	};

	/*
	 * Without CONFIG_PREEMPT_COUNT a spinlock does not count in
	 * preempt_count(): nothing can tell it is held, so neither can the
	 * kernel's might_sleep() checks.
	 */
	seq_printf(m, "context:     %s (%s; seen: %s%s%s%s%s, CPU %d%s)\n",
		   kd_ctx_name(s->ctx), how[s->ctx],
		   s->task ? "in_task" : "", s->softirq ? "in_serving_softirq" : "",
		   s->hardirq ? "in_hardirq" : "",
		   s->irqs_off ? ", irqs_disabled" : "",
		   s->preempt_off ? ", !preemptible" : "", s->cpu,
		   IS_ENABLED(CONFIG_PREEMPT_COUNT) ? "" :
		   "; preemption not counted: no CONFIG_PREEMPT_COUNT");
}
