// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: the registry of regions, the DMA demo device's line, and the
 * module's page accounting.
 *
 * One list, oldest first, under one mutex.  Load-time regions are
 * published in the order the module allocates them and withdrawn before
 * they are freed; lab experiments come and go while the module is loaded,
 * under the same lock, so a reader never sees a region half-built or
 * half-freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "region.h"

static DEFINE_MUTEX(kd_regions_mutex);
static LIST_HEAD(kd_regions);
static unsigned long kd_regions_added;	/* numbers the mmap() offsets */

void kd_regions_lock(void)
{
	mutex_lock(&kd_regions_mutex);
}

int kd_regions_lock_killable(void)
{
	return mutex_lock_killable(&kd_regions_mutex);
}

void kd_regions_unlock(void)
{
	mutex_unlock(&kd_regions_mutex);
}

void kd_regions_assert_held(void)
{
	lockdep_assert_held(&kd_regions_mutex);
}

void kd_region_add(struct kd_region *r)
{
	lockdep_assert_held(&kd_regions_mutex);
	r->mmap_pgoff = ++kd_regions_added << (KD_MMAP_SHIFT - PAGE_SHIFT);
	r->mapped = 0;
	list_add_tail(&r->node, &kd_regions);
}

void kd_region_del(struct kd_region *r)
{
	lockdep_assert_held(&kd_regions_mutex);
	list_del_init(&r->node);
}

void kd_region_publish(struct kd_region *r)
{
	kd_regions_lock();
	kd_region_add(r);
	kd_regions_unlock();
}

/* Safe on a region that was never published. */
void kd_region_withdraw(struct kd_region *r)
{
	kd_regions_lock();
	if (r->node.next)
		list_del_init(&r->node);
	kd_regions_unlock();
}

struct kd_region *kd_region_find(const char *label)
{
	struct kd_region *r;

	lockdep_assert_held(&kd_regions_mutex);
	list_for_each_entry(r, &kd_regions, node)
		if (!strcmp(r->label, label))
			return r;
	return NULL;
}

struct kd_region *kd_region_at(unsigned long pgoff)
{
	struct kd_region *r;

	lockdep_assert_held(&kd_regions_mutex);
	list_for_each_entry(r, &kd_regions, node)
		if (pgoff >> (KD_MMAP_SHIFT - PAGE_SHIFT) ==
		    r->mmap_pgoff >> (KD_MMAP_SHIFT - PAGE_SHIFT))
			return r;
	return NULL;
}

/*
 * The bytes asked for, never the slack past them: KASAN reports a write
 * there as out of bounds, and for kmalloc it may belong to nobody else
 * but is still not the buffer's.
 */
void *kd_region_bytes(const struct kd_region *r, size_t *len, const char **why)
{
	if (r->mem == KD_MEM_OBJECTS || r->mem == KD_MEM_POOL) {
		*why = "many objects or blocks, each in a slot of its own: no one run of bytes";
		return NULL;
	}
	if (r->mem == KD_MEM_PERCPU) {
		*why = "one copy per CPU, each in that CPU's own area: no one run of bytes";
		return NULL;
	}
	*len = r->d.requested;
	return (void *)r->d.addr;
}

/* ---- walking it from a seq_file ---- */

/*
 * What %pK shows the opener, sorted into the three views: open() runs as
 * the opener, so formatting a pointer here asks kptr_restrict about the
 * opener's credentials.  A read then prints what was decided here, never
 * more: a file opened by an unprivileged user shows no real address to a
 * privileged program it is handed to.  (kernel/kallsyms.c decides at open
 * the same way.)
 */
static enum kd_addr_view kd_addr_view_now(void)
{
	char k[2 * sizeof(void *) + 1], h[sizeof(k)];
	const void *probe = &kd_regions;

	snprintf(k, sizeof(k), "%pK", probe);
	snprintf(h, sizeof(h), "%p", probe);
	if (!strcmp(k, h))
		return KD_ADDR_HASHED;
	if (strspn(k, "0") == strlen(k))
		return KD_ADDR_ZEROS;
	return KD_ADDR_REAL;
}

void kd_cursor_open(struct kd_cursor *c, bool items, bool phys)
{
	c->items = items;
	c->phys = phys;
	c->addrs = kd_addr_view_now();
}

void kd_seq_addr(struct seq_file *m, const void *p)
{
	const struct kd_cursor *c = m->private;

	switch (c->addrs) {
	case KD_ADDR_REAL:
		/* Still %pK: a reader it was handed to may see less. */
		seq_printf(m, "%pK", p);
		break;
	case KD_ADDR_HASHED:
		seq_printf(m, "%p", p);
		break;
	default:
		seq_printf(m, "%0*x", (int)(2 * sizeof(p)), 0);
	}
}

static unsigned long kd_nr_items(const struct kd_cursor *c,
				 const struct kd_region *r)
{
	if (!c->items || !r->ops || !r->ops->nr_items)
		return 0;
	return r->ops->nr_items(r);
}

/*
 * A reader waits for the lock killably: writers hold it only to check,
 * publish and detach (never while allocating), so the wait is short, and a
 * reader that is killed meanwhile gets -EINTR instead of sitting in D
 * state.  seq_file calls stop() even then, with start()'s error: stop()
 * unlocks unless it gets one.
 */
void *kd_regions_seq_start(struct seq_file *m, loff_t *ppos)
{
	struct kd_cursor *c = m->private;
	loff_t pos = *ppos;
	struct kd_region *r;
	unsigned long n;

	if (kd_regions_lock_killable())
		return ERR_PTR(-EINTR);
	c->r = NULL;
	c->item = 0;
	if (pos == 0)
		return c;
	pos--;
	list_for_each_entry(r, &kd_regions, node) {
		n = 1 + kd_nr_items(c, r);
		if (pos < n) {
			c->r = r;
			c->item = pos;
			return c;
		}
		pos -= n;
	}
	return NULL;
}

void *kd_regions_seq_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct kd_cursor *c = v;
	struct list_head *next;

	++*pos;
	if (c->r && c->item < kd_nr_items(c, c->r)) {
		c->item++;
		return c;
	}
	next = c->r ? c->r->node.next : kd_regions.next;
	if (next == &kd_regions)
		return NULL;
	c->r = list_entry(next, struct kd_region, node);
	c->item = 0;
	return c;
}

void kd_regions_seq_stop(struct seq_file *m, void *v)
{
	if (!IS_ERR(v))
		kd_regions_unlock();
}

/* ---- the DMA demo device ---- */

/*
 * What the report's header says of the DMA demo device: its driver
 * (edu.c) publishes the line here, as an allocation publishes its region,
 * and a reader reads it with the regions, under the same lock.
 */
static char kd_device[256];

void kd_device_publish(const char *fmt, ...)
{
	va_list args;

	kd_regions_lock();
	va_start(args, fmt);
	vsnprintf(kd_device, sizeof(kd_device), fmt, args);
	va_end(args);
	kd_regions_unlock();
}

const char *kd_device_line(void)
{
	lockdep_assert_held(&kd_regions_mutex);
	return kd_device;
}

/* ---- page accounting ---- */

static atomic_long_t kd_pages_in = ATOMIC_LONG_INIT(0);
static atomic_long_t kd_pages_out = ATOMIC_LONG_INIT(0);

void kd_pages_taken(unsigned int order)
{
	atomic_long_add(1L << order, &kd_pages_in);
}

void kd_pages_given(unsigned int order)
{
	atomic_long_add(1L << order, &kd_pages_out);
}

void kd_pages_count(unsigned long *taken, unsigned long *given)
{
	*taken = atomic_long_read(&kd_pages_in);
	*given = atomic_long_read(&kd_pages_out);
}
