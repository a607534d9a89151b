// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: a mempool, and what the report says of it.
 *
 * mempool_create_kmalloc_pool(COUNT, SIZE) kmallocs COUNT elements at once
 * and keeps them in reserve.  mempool_alloc() asks kmalloc first, with
 * flags that neither reclaim nor warn, and takes an element from the
 * reserve only when that fails; with flags that may sleep and the reserve
 * empty, it waits until one is freed back.  A driver whose I/O must make
 * progress under memory pressure (the block layer's requests, writeback)
 * is so guaranteed COUNT elements at a time.
 *
 * The description covers every element the pool accounts for, the
 * reserve and those handed out, and is made anew after each take and each
 * give-back; the lab (lab.c) runs them one at a time and swaps the new
 * description in under the registry's lock, where kd_pool_commit() then
 * updates what the report's lines read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/mempool.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "describe.h"
#include "pool.h"
#include "region.h"
#include "slack.h"

struct kd_taken {
	void *p;
	bool from_reserve;
};

struct kd_pool {
	mempool_t *mp;
	size_t size;			/* SIZE: what an element holds */
	size_t slot;			/* what kmalloc sets aside for one */
	unsigned int count;		/* COUNT: the reserve when full */
	/* The report's view (registry lock): the reserve as last seen. */
	unsigned int nr_res;
	void **res;
	/* Handed out, newest last. */
	unsigned int nr_taken;
	struct kd_taken *taken;
	/* A take (+1) or a give-back (-1) made, not yet committed. */
	int change;
	struct kd_taken pending;
};

/*
 * @p described into @d: the reserve as mempool_alloc() and mempool_free()
 * left it, @extra if not NULL, and the elements handed out but the newest
 * @drop.
 */
static int kd_pool_describe(const struct kd_pool *p, struct kd_desc *d,
			    void *extra, unsigned int drop)
{
	unsigned int i, n = 0;
	void **objs;
	int ret;

	objs = kmalloc_array(p->mp->curr_nr + p->nr_taken + 1, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	for (i = 0; i < p->mp->curr_nr; i++)
		objs[n++] = p->mp->elements[i];
	if (extra)
		objs[n++] = extra;
	for (i = 0; i + drop < p->nr_taken; i++)
		objs[n++] = p->taken[i].p;
	/* mempool_create() fills the reserve with GFP_KERNEL. */
	d->gfp = GFP_KERNEL;
	ret = kd_got_mempool(d, objs, n, p->size, p->slot);
	kfree(objs);
	return ret;
}

/*
 * The slot a kmalloc of @size takes, asked of a buffer of the module's
 * own: the pool's elements are not to be touched while in its reserve.
 * KFENCE's are exactly @size: another try then.  0 if none could be had.
 */
static size_t kd_pool_slot(size_t size)
{
	size_t slot = 0;
	int i;
	void *p;

	for (i = 0; i < 3 && !slot; i++) {
		p = kmalloc(size, GFP_KERNEL | __GFP_NOWARN);
		if (p && !kd_is_kfence(p))
			slot = ksize(p);
		kfree(p);
	}
	return slot;
}

static void kd_pool_free(struct kd_pool *p)
{
	kfree(p->res);
	kfree(p->taken);
	kfree(p);
}

struct kd_pool *kd_pool_create(unsigned long count, size_t size,
			       struct kd_desc *d)
{
	struct kd_pool *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return NULL;
	p->size = size;
	p->count = count;
	p->slot = kd_pool_slot(size);
	p->res = kcalloc(count, sizeof(*p->res), GFP_KERNEL);
	p->taken = kcalloc(count + KD_POOL_EXTRA, sizeof(*p->taken), GFP_KERNEL);
	if (p->slot && p->res && p->taken)
		p->mp = mempool_create_kmalloc_pool(count, size);
	if (p->mp && !kd_pool_describe(p, d, NULL, 0)) {
		kd_pool_commit(p);
		return p;
	}
	mempool_destroy(p->mp);
	kd_pool_free(p);
	return NULL;
}

void kd_pool_destroy(struct kd_pool *p)
{
	while (p->nr_taken)
		mempool_free(p->taken[--p->nr_taken].p, p->mp);
	mempool_destroy(p->mp);
	kd_pool_free(p);
}

unsigned int kd_pool_handed_out(const struct kd_pool *p)
{
	return p->nr_taken;
}

size_t kd_pool_slot_size(const struct kd_pool *p)
{
	return p->slot;
}

unsigned int kd_pool_reserve(const struct kd_pool *p)
{
	return p->nr_res;
}

/* ---- an element handed out, and back ---- */

/* Refuse with @err: *@why says why, in the refused command's log line. */
static int kd_pool_no(const char **why, int err, const char *reason)
{
	*why = reason;
	return err;
}

int kd_pool_may_take(const struct kd_pool *p, gfp_t gfp, const char **why,
		     unsigned long *limit)
{
	*limit = p->count + KD_POOL_EXTRA;
	if (p->nr_taken == *limit)
		return kd_pool_no(why, -ENOSPC,
				  "the lab hands out at most COUNT + 16 elements of a pool: mempool_free ID gives one back");
	if (!p->mp->curr_nr && gfpflags_allow_blocking(gfp))
		return kd_pool_no(why, -EBUSY,
				  "the reserve is empty: with flags that may sleep mempool_alloc() never fails, it waits for an element to be freed back (mempool_free ID first, or GFP_NOWAIT to see it fail)");
	return 0;
}

struct kd_pool_call {
	mempool_t *mp;
	gfp_t gfp;
	void *elem;
};

static void kd_pool_call(void *arg)
{
	struct kd_pool_call *c = arg;

	c->elem = mempool_alloc(c->mp, c->gfp);
}

int kd_pool_take(struct kd_pool *p, enum kd_ctx ctx, gfp_t gfp,
		 struct kd_desc *nd, bool *reserve, const char **why)
{
	struct kd_pool_call c = { .mp = p->mp, .gfp = gfp };
	unsigned int before = p->mp->curr_nr;
	struct kd_ctx_seen seen;

	kd_ctx_run(ctx, kd_pool_call, &c, &seen);
	if (!c.elem)
		return kd_pool_no(why, -ENOMEM,
				  "mempool_alloc returned NULL: kmalloc failed and the reserve is empty (flags that may sleep would wait instead)");
	*reserve = p->mp->curr_nr < before;
	if (kd_pool_describe(p, nd, c.elem, 0)) {
		/* Given back, the element goes where it came from. */
		mempool_free(c.elem, p->mp);
		return kd_pool_no(why, -ENOMEM, "no memory for the new description");
	}
	p->pending.p = c.elem;
	p->pending.from_reserve = *reserve;
	p->change = 1;
	return 0;
}

/*
 * Into the reserve while it is short of COUNT, to kfree otherwise:
 * mempool_free()'s own test, made here first so that the new description
 * is ready before the call.
 */
int kd_pool_put(struct kd_pool *p, struct kd_desc *nd, bool *back,
		const char **why)
{
	void *elem;

	if (!p->nr_taken)
		return kd_pool_no(why, -EINVAL,
				  "no element of this pool is handed out (mempool_alloc ID first)");
	elem = p->taken[p->nr_taken - 1].p;
	*back = p->mp->curr_nr < p->mp->min_nr;
	if (kd_pool_describe(p, nd, *back ? elem : NULL, 1))
		return kd_pool_no(why, -ENOMEM, "no memory for the new description");
	mempool_free(elem, p->mp);
	p->change = -1;
	return 0;
}

void kd_pool_commit(struct kd_pool *p)
{
	if (p->change > 0)
		p->taken[p->nr_taken++] = p->pending;
	else if (p->change < 0)
		p->nr_taken--;
	p->change = 0;
	p->nr_res = p->mp->curr_nr;
	memcpy(p->res, p->mp->elements, p->nr_res * sizeof(*p->res));
}

/* ---- the report's lines ---- */

void kd_pool_head(struct seq_file *m, const struct kd_pool *p)
{
	seq_printf(m, "reserve:     %u of %u elements: mempool_alloc() takes one only when kmalloc fails\n",
		   p->nr_res, p->count);
	if (p->nr_taken)
		seq_printf(m, "handed_out:  %u (mempool_free ID gives the newest back)\n",
			   p->nr_taken);
}

unsigned long kd_pool_nr_items(const struct kd_pool *p)
{
	return p->nr_res + p->nr_taken;
}

/* A line per element, the reserve's first. */
void kd_pool_item(struct seq_file *m, const struct kd_pool *p, unsigned long i)
{
	const struct kd_cursor *c = m->private;
	const struct kd_taken *t = NULL;
	void *elem;

	if (i < p->nr_res) {
		elem = p->res[i];
	} else {
		t = &p->taken[i - p->nr_res];
		elem = t->p;
	}
	seq_printf(m, "element %lu: %s, address=", i + 1, !t ? "in the reserve" :
		   t->from_reserve ? "handed out, from the reserve" :
		   "handed out, from kmalloc");
	kd_seq_addr(m, elem);
	if (c->phys)
		seq_printf(m, " pfn=%#lx", page_to_pfn(virt_to_page(elem)));
	seq_putc(m, '\n');
}
