/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: a mempool and what the report says of it (pool.c), for the
 * lab's mempool experiments.
 */
#ifndef KMEM_DEMO_POOL_H
#define KMEM_DEMO_POOL_H

#include <linux/gfp.h>
#include <linux/types.h>

#include "ctx.h"

struct kd_desc;
struct kd_pool;
struct seq_file;

/* Elements the lab hands out of a pool beyond COUNT, at the most. */
#define KD_POOL_EXTRA	16

/*
 * mempool_create_kmalloc_pool(@count, @size), described into @d; NULL
 * when any of it could not be had.
 */
struct kd_pool *kd_pool_create(unsigned long count, size_t size,
			       struct kd_desc *d);
/* Every element handed out back into the pool, then mempool_destroy(). */
void kd_pool_destroy(struct kd_pool *p);
unsigned int kd_pool_handed_out(const struct kd_pool *p);
/* What kmalloc sets aside for one element: the budget a take may need. */
size_t kd_pool_slot_size(const struct kd_pool *p);

/*
 * Whether an element may be taken with @gfp: 0, or -ENOSPC (*@limit) or
 * -EBUSY with *@why.
 */
int kd_pool_may_take(const struct kd_pool *p, gfp_t gfp, const char **why,
		     unsigned long *limit);
/*
 * mempool_alloc() in context @ctx, the pool then described into @nd:
 * 0 and *@reserve (whether the element came from the reserve), or
 * -ENOMEM with *@why, the pool as it was.  kd_pool_commit() makes it
 * the pool's, once @nd is its description.
 */
int kd_pool_take(struct kd_pool *p, enum kd_ctx ctx, gfp_t gfp,
		 struct kd_desc *nd, bool *reserve, const char **why);
/*
 * The newest element handed out goes back, the pool then described into
 * @nd first: 0 and *@back (into the reserve, or to kfree), or -EINVAL or
 * -ENOMEM with *@why, nothing changed.
 */
int kd_pool_put(struct kd_pool *p, struct kd_desc *nd, bool *back,
		const char **why);
/* After a take or a put: the report's view of the pool (registry lock). */
void kd_pool_commit(struct kd_pool *p);

/* The report's lines: the head's, and one per element. */
void kd_pool_head(struct seq_file *m, const struct kd_pool *p);
unsigned long kd_pool_nr_items(const struct kd_pool *p);
void kd_pool_item(struct seq_file *m, const struct kd_pool *p, unsigned long i);
/* "N of COUNT": the reserve now, for the log. */
unsigned int kd_pool_reserve(const struct kd_pool *p);

#endif /* KMEM_DEMO_POOL_H */
