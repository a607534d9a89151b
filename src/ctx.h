/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: running an allocator's call in the context a driver would
 * (ctx.c).
 */
#ifndef KMEM_DEMO_CTX_H
#define KMEM_DEMO_CTX_H

#include <linux/types.h>

#include "lab_cmd.h"

struct seq_file;

/* What the kernel's own predicates said inside the call. */
struct kd_ctx_seen {
	enum kd_ctx ctx;
	bool task;		/* in_task() */
	bool softirq;		/* in_serving_softirq() */
	bool hardirq;		/* in_hardirq() */
	bool irqs_off;		/* irqs_disabled() */
	bool preempt_off;	/* !preemptible() */
	int cpu;		/* where it ran */
};

/* Call @fn(@arg) in context @ctx, wait for it, and say what it saw. */
void kd_ctx_run(enum kd_ctx ctx, void (*fn)(void *arg), void *arg,
		struct kd_ctx_seen *seen);
/* The report's line: "context:     hardirq (...)". */
void kd_ctx_show(struct seq_file *m, const struct kd_ctx_seen *seen);

#endif /* KMEM_DEMO_CTX_H */
