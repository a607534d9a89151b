// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: the allocator lab.
 *
 * Root writes commands to /proc/kmem_demo (lab_cmd.c parses them); each
 * accepted allocation becomes an experiment: it stays allocated, is
 * described once like the load-time allocations, and has its own section in
 * the report until "free ID", "free all" or unload.
 *
 * Each experiment is a region of the registry (region.c), labelled
 * "lab ID", so the report and the frame map show it like the load-time
 * allocations.  The registry's lock guards the experiments' list and the
 * budget (lab_max_items, lab_max_bytes), and is never held while an
 * allocator runs: a command reserves its estimate in the budget under the
 * lock, allocates and describes without it (GFP_KERNEL may reclaim for a
 * long time, vmalloc maps page by page), then publishes under it.  Readers
 * never see an experiment half made, nor wait for one to be made; two
 * commands may allocate at once, and an ID is given when an experiment is
 * published.  Freeing detaches under the lock and frees without it.
 *
 * With node=N a command calls the allocator's _node form, which asks for
 * memory on node N first and falls back to the others as the plain call
 * would, unless __GFP_THISNODE forbids it; without node=, the plain call.
 *
 * The "dma" commands hand experiments to the DMA demo device (dma.c):
 * "dma coherent SIZE" is an experiment of coherent memory, "dma map ID"
 * maps an experiment's memory for the device, "dma xfer ID" has the
 * device copy it.  They run one at a time under kd_lab_dma_lock, and so
 * does every free: the device may go away (an unbind, rmmod) only once
 * that lock lets kd_lab_dma_release() unmap everything, and no experiment
 * is freed while a DMA command uses it.  Lock order: kd_lab_dma_lock, then
 * the registry's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "alloc.h"
#include "bench.h"
#include "compat.h"
#include "ctx.h"
#include "dma_map.h"
#include "kmem_demo.h"
#include "lab.h"
#include "lab_cmd.h"
#include "mmap.h"
#include "params.h"
#include "pool.h"
#include "region.h"
#include "slack.h"

/* One experiment: a command that was run, and what it got. */
struct kd_exp {
	struct list_head node;		/* on kd_lab_list, oldest first */
	unsigned long id;		/* 1, 2, ...: never reused while loaded */
	struct kd_cmd cmd;
	char command[KD_LAB_LINE_MAX + 1];	/* the line as written */
	char nodearg[16];		/* ", N": node=N's argument in the call */
	const char *used;		/* what kvmalloc really used, or NULL */
	struct kd_ctx_seen seen;	/* ctx=: where the call ran */
	int zeroed;			/* __GFP_ZERO: 1 all read 0, -1 not, 0 unasked */
	char resized[256];		/* krealloc: what the last one did */
	unsigned long got;		/* cache: objects the call got */
	struct device *dev;		/* devm_kzalloc: the device it belongs to */
	struct page **pinned;		/* pin: the writer's pages */
	unsigned long nr_pinned;
	unsigned long rcu_at;		/* kfree_rcu: jiffies when it was called, or 0 */
	struct rcu_work rwork;		/* kfree_rcu: forgets it after a grace period */
	struct kd_region r;		/* its section in the report */
	union {
		void *mem;		/* kmalloc, vmalloc, kvmalloc */
		struct page *page;	/* pages */
		void **objs;		/* cache: COUNT object pointers */
		void __percpu *pcpu;	/* percpu: the per-CPU pointer */
		struct kd_pool *pool;	/* mempool */
	};
};

/* All under the registry's lock. */
static LIST_HEAD(kd_lab_list);		/* live experiments, oldest first */
static unsigned long kd_lab_items, kd_lab_bytes;
/* Reserved in the budget by commands allocating now, not yet live. */
static unsigned long kd_lab_pending_items, kd_lab_pending_bytes;
static unsigned long kd_lab_next_id = 1;
static DEFINE_MUTEX(kd_lab_dma_lock);
/* kfree_rcu: where the records wait; made by the first (kd_lab_dma_lock). */
static struct workqueue_struct *kd_lab_rcu_wq;

void kd_lab_totals(unsigned long *items, unsigned long *bytes)
{
	kd_regions_assert_held();
	*items = kd_lab_items;
	*bytes = kd_lab_bytes;
}

/* The experiment's own lines at the top of its section. */
static void kd_lab_head(struct seq_file *m, const struct kd_region *r)
{
	const struct kd_exp *e = container_of(r, struct kd_exp, r);

	seq_printf(m, "id:          %lu\n", e->id);
	seq_printf(m, "command:     %s\n", e->command);
	seq_printf(m, "allocator:   %s\n", e->used ? e->used : r->d.allocator);
	/* Until a krealloc gives it another size. */
	if (e->cmd.word == KD_LAB_KZALLOC_FLEX && !e->resized[0])
		seq_printf(m, "struct:      struct kd_flex { u32 count; u64 item[] __counted_by(count); }: struct_size() = %zu + %lu x %zu = %zu bytes\n",
			   offsetof(struct kd_flex, item), e->cmd.arg,
			   sizeof(((struct kd_flex *)NULL)->item[0]), e->cmd.bytes);
	/* Only when asked for: every other command runs in process context. */
	if (e->cmd.ctx_given)
		kd_ctx_show(m, &e->seen);
	if (e->zeroed)
		seq_printf(m, "zeroed:      %s%s\n", e->zeroed > 0 ?
			   "yes: every byte read 0 right after the call (__GFP_ZERO)" :
			   "NO: a byte was not 0 right after the call",
			   e->cmd.word == KD_LAB_KZALLOC_FLEX ? ", count aside" : "");
	if (e->resized[0])
		seq_printf(m, "resized:     %s\n", e->resized);
	if (e->cmd.word == KD_LAB_MEMPOOL)
		kd_pool_head(m, e->pool);
	if (e->rcu_at)
		seq_puts(m, "lifetime:    freed by kfree_rcu(): waiting for a grace period to end, as a reader inside rcu_read_lock() may still hold it\n");
	else if (e->cmd.word == KD_LAB_DEVM_KZALLOC)
		seq_printf(m, "lifetime:    the driver's: the driver core frees it when the driver unbinds from %s (free ID: devm_kfree)\n",
			   dev_name(e->dev));
}

/* Its memory as the DMA demo device has it, right after call:. */
static void kd_lab_body(struct seq_file *m, const struct kd_region *r)
{
	const struct kd_exp *e = container_of(r, struct kd_exp, r);

	if (e->r.dma)
		kd_dma_map_show(m, e->r.dma);
}

/* percpu: a line per possible CPU's copy, after the section. */
static unsigned long kd_lab_nr_items(const struct kd_region *r)
{
	const struct kd_exp *e = container_of(r, struct kd_exp, r);

	if (e->cmd.word == KD_LAB_MEMPOOL)
		return kd_pool_nr_items(e->pool);
	return e->cmd.word == KD_LAB_PERCPU ? num_possible_cpus() : 0;
}

static void kd_lab_item(struct seq_file *m, const struct kd_region *r,
			unsigned long i)
{
	const struct kd_exp *e = container_of(r, struct kd_exp, r);
	const struct kd_cursor *c = m->private;
	unsigned int cpu = cpumask_first(cpu_possible_mask);
	struct page *page;
	void *copy;

	if (e->cmd.word == KD_LAB_MEMPOOL) {
		kd_pool_item(m, e->pool, i);
		return;
	}
	while (i--)
		cpu = cpumask_next(cpu, cpu_possible_mask);
	copy = per_cpu_ptr(e->pcpu, cpu);
	page = kd_percpu_page(copy);
	seq_printf(m, "copy cpu%u: node %d, %s, address=", cpu, page_to_nid(page),
		   is_vmalloc_addr(copy) ? "vmalloc space" : "direct map");
	kd_seq_addr(m, copy);
	if (c->phys)
		seq_printf(m, " pfn=%#lx", page_to_pfn(page));
	seq_putc(m, '\n');
}

static const struct kd_region_ops kd_lab_region_ops = {
	.head		= kd_lab_head,
	.body		= kd_lab_body,
	.nr_items	= kd_lab_nr_items,
	.item		= kd_lab_item,
};

/* ---- one allocator each: allocate, describe, free ---- */

/* Was node=N given: then the allocator's _node form is called. */
static bool kd_lab_on_node(const struct kd_exp *e)
{
	return e->cmd.node != NUMA_NO_NODE;
}

/*
 * The allocator's call alone, in the command's context (ctx=, ctx.c):
 * describing what it got may sleep, and happens after, in the writer's.
 */
static void kd_lab_call(struct kd_exp *e, void (*call)(void *e))
{
	kd_ctx_run(e->cmd.ctx, call, e, &e->seen);
}

/*
 * The kmalloc family, one call each; every helper is kmalloc with a promise:
 *   kzalloc        __GFP_ZERO: the memory reads 0
 *   kmalloc_array  N x SIZE checked (check_mul_overflow()): NULL when it
 *                  wraps, where kmalloc(N * SIZE) would hand out a buffer
 *                  too small for N elements
 *   kcalloc        kmalloc_array, zeroed
 *   kzalloc_flex   a structure and its flexible array, sized by
 *                  struct_size(), which saturates rather than wraps
 * noinline: the kmem:kmalloc tracepoint names this function (call_site).
 */
static noinline void kd_lab_kmalloc(void *arg)
{
	struct kd_exp *e = arg;
	const struct kd_cmd *c = &e->cmd;
	bool on = kd_lab_on_node(e);
	struct kd_flex *f;
	gfp_t gfp = c->gfp;

	switch (c->word) {
	case KD_LAB_KZALLOC:
		e->mem = on ? kzalloc_node(c->arg, gfp, c->node) : kzalloc(c->arg, gfp);
		break;
	case KD_LAB_KCALLOC:
		e->mem = on ? kcalloc_node(c->arg, c->size, gfp, c->node) :
		     kcalloc(c->arg, c->size, gfp);
		break;
	case KD_LAB_KMALLOC_ARRAY:
		e->mem = on ? kmalloc_array_node(c->arg, c->size, gfp, c->node) :
		     kmalloc_array(c->arg, c->size, gfp);
		break;
	case KD_LAB_KZALLOC_FLEX:
#if KD_HAVE_KZALLOC_FLEX
		f = kzalloc_flex(*f, item, c->arg, gfp);
#else
		f = kzalloc(struct_size(f, item, c->arg), gfp);
#endif
		/* Set before any item[] is touched: __counted_by() bounds it. */
		if (f)
			f->count = c->arg;
		e->mem = f;
		break;
	default:
		e->mem = on ? kmalloc_node(c->arg, gfp, c->node) : kmalloc(c->arg, gfp);
	}
}

/* The call as made, in d->call, and the flags kmalloc gets, in d->gfp. */
static void kd_lab_kmalloc_call(struct kd_exp *e)
{
	const struct kd_cmd *c = &e->cmd;
	struct kd_desc *d = &e->r.d;
	const char *_node = kd_lab_on_node(e) ? "_node" : "";
	const char *name = kd_lab_word_name(c->word);

	switch (c->word) {
	case KD_LAB_KCALLOC:
	case KD_LAB_KMALLOC_ARRAY:
		snprintf(d->call, sizeof(d->call), "%s%s(%lu, %lu, %pGg%s)",
			 name, _node, c->arg, c->size, &c->gfp, e->nodearg);
		break;
	case KD_LAB_KZALLOC_FLEX:
		snprintf(d->call, sizeof(d->call), KD_HAVE_KZALLOC_FLEX ?
			 "kzalloc_flex(*f, item, %lu, %pGg)" :
			 "kzalloc(struct_size(f, item, %lu), %pGg)", c->arg, &c->gfp);
		break;
	default:
		snprintf(d->call, sizeof(d->call), "%s%s(%lu, %pGg%s)",
			 name, _node, c->arg, &c->gfp, e->nodearg);
	}
	/* kzalloc, kcalloc and kzalloc_flex add __GFP_ZERO to the caller's. */
	if (c->word == KD_LAB_KZALLOC || c->word == KD_LAB_KCALLOC ||
	    c->word == KD_LAB_KZALLOC_FLEX)
		d->gfp |= __GFP_ZERO;
}

static int kd_lab_kmalloc_exp(struct kd_exp *e)
{
	struct kd_desc *d = &e->r.d;
	size_t zoff;

	kd_lab_kmalloc_call(e);
	/* What kmalloc will reserve, asked before the call (6.1+). */
	d->has_roundup = KD_HAVE_KMALLOC_ROUNDUP;
	d->roundup = kd_kmalloc_roundup(d->requested);
	kd_lab_call(e, kd_lab_kmalloc);
	if (!e->mem && e->cmd.overflow) {
		snprintf(e->cmd.text, sizeof(e->cmd.text),
			 "%s returned NULL: %lu x %lu overflows (check_mul_overflow()), so it never called kmalloc",
			 kd_lab_word_name(e->cmd.word), e->cmd.arg, e->cmd.size);
		return kd_cmd_refuse(&e->cmd, -ENOMEM, e->cmd.text);
	}
	if (!e->mem)
		return -ENOMEM;
	kd_got_kmalloc(d, e->mem);
	/* kzalloc_flex's count is set: its items are what was zeroed. */
	zoff = e->cmd.word == KD_LAB_KZALLOC_FLEX ? offsetof(struct kd_flex, item) : 0;
	if (d->gfp & __GFP_ZERO)
		e->zeroed = memchr_inv(e->mem + zoff, 0, d->requested - zoff) ? -1 : 1;
	return 0;
}

static void kd_lab_kfree(struct kd_exp *e)
{
	kfree(e->mem);
}

/* What a vmalloc call left in e->mem: described, or freed again. */
static int kd_lab_got_vmalloc(struct kd_exp *e)
{
	if (!e->mem)
		return -ENOMEM;
	if (kd_got_vmalloc(&e->r.d, e->mem)) {
		vfree(e->mem);
		return -ENOMEM;
	}
	return 0;
}

/*
 * noinline: /proc/vmallocinfo names this function as the area's caller.
 * With node=, vmalloc_node() (GFP_KERNEL) or vzalloc_node() (with
 * __GFP_ZERO): __vmalloc_node(), which takes other flags, is not exported;
 * vmalloc_huge_node() (6.16+) is, but it may map huge blocks.
 */
static noinline void kd_lab_vmalloc(void *arg)
{
	struct kd_exp *e = arg;
	gfp_t gfp = e->r.d.gfp;

	if (!kd_lab_on_node(e))
		e->mem = __vmalloc(e->cmd.arg, gfp);
	else
		e->mem = gfp & __GFP_ZERO ? vzalloc_node(e->cmd.arg, e->cmd.node) :
			 vmalloc_node(e->cmd.arg, e->cmd.node);
}

static int kd_lab_vmalloc_exp(struct kd_exp *e)
{
	struct kd_desc *d = &e->r.d;
	bool zero = d->gfp & __GFP_ZERO;

	if (!kd_lab_on_node(e))
		snprintf(d->call, sizeof(d->call), "__vmalloc(%lu, %pGg)",
			 e->cmd.arg, &d->gfp);
	else
		snprintf(d->call, sizeof(d->call), "%s(%lu%s)",
			 zero ? "vzalloc_node" : "vmalloc_node", e->cmd.arg, e->nodearg);
	kd_lab_call(e, kd_lab_vmalloc);
	return kd_lab_got_vmalloc(e);
}

static void kd_lab_vfree(struct kd_exp *e)
{
	vfree(e->mem);
}

/*
 * vmalloc_user SIZE: an area for user space, zeroed and marked VM_USERMAP,
 * the only vmalloc memory remap_vmalloc_range() maps (mmap.c).  noinline:
 * /proc/vmallocinfo names this function as the caller, flag "user".
 */
static noinline int kd_lab_vmalloc_user(struct kd_exp *e)
{
	struct kd_desc *d = &e->r.d;

	d->gfp = GFP_KERNEL | __GFP_ZERO;	/* what vmalloc_user() passes */
	snprintf(d->call, sizeof(d->call), "vmalloc_user(%lu)", e->cmd.arg);
	e->mem = vmalloc_user(e->cmd.arg);
	return kd_lab_got_vmalloc(e);
}

/*
 * kvmalloc tries kmalloc first (contiguous, cheap to map) and falls back to
 * vmalloc when that fails; above a page it asks kmalloc not to retry hard,
 * so on a fragmented machine the switch comes early.  Which one it used
 * only the address tells.
 */
static noinline void kd_lab_kvmalloc(void *arg)
{
	struct kd_exp *e = arg;

	e->mem = kd_lab_on_node(e) ? kvmalloc_node(e->cmd.arg, e->r.d.gfp, e->cmd.node) :
		 kvmalloc(e->cmd.arg, e->r.d.gfp);
}

static int kd_lab_kvmalloc_exp(struct kd_exp *e)
{
	struct kd_desc *d = &e->r.d;
	bool on = kd_lab_on_node(e);

	snprintf(d->call, sizeof(d->call), "kvmalloc%s(%lu, %pGg%s)",
		 on ? "_node" : "", e->cmd.arg, &d->gfp, e->nodearg);
	kd_lab_call(e, kd_lab_kvmalloc);
	if (!e->mem)
		return -ENOMEM;
	if (is_vmalloc_addr(e->mem)) {
		e->used = "vmalloc (kmalloc could not serve it)";
		e->r.mem = KD_MEM_VMALLOC;
		d->huge_ok = true;
		if (kd_got_vmalloc(d, e->mem)) {
			kvfree(e->mem);
			return -ENOMEM;
		}
	} else {
		e->used = "kmalloc (physically contiguous)";
		kd_got_kmalloc(d, e->mem);
	}
	return 0;
}

static void kd_lab_kvfree(struct kd_exp *e)
{
	kvfree(e->mem);
}

/* alloc_pages, not __get_free_pages: __GFP_HIGHMEM pages need a struct page. */
static void kd_lab_pages(void *arg)
{
	struct kd_exp *e = arg;

	e->page = kd_lab_on_node(e) ?
		  alloc_pages_node(e->cmd.node, e->r.d.gfp, e->cmd.arg) :
		  alloc_pages(e->r.d.gfp, e->cmd.arg);
}

static int kd_lab_pages_exp(struct kd_exp *e)
{
	struct kd_desc *d = &e->r.d;
	unsigned int order = e->cmd.arg;

	if (!kd_lab_on_node(e))
		snprintf(d->call, sizeof(d->call), "alloc_pages(%pGg, %u)",
			 &d->gfp, order);
	else
		snprintf(d->call, sizeof(d->call), "alloc_pages_node(%d, %pGg, %u)",
			 e->cmd.node, &d->gfp, order);
	kd_lab_call(e, kd_lab_pages);
	if (!e->page)
		return -ENOMEM;
	kd_pages_taken(order);
	kd_got_pages(d, e->page, order);
	return 0;
}

static void kd_lab_free_pages(struct kd_exp *e)
{
	unsigned int order = e->cmd.arg;

	/* The order it was allocated with: the buddy allocator needs it back. */
	__free_pages(e->page, order);
	kd_pages_given(order);
}

static void kd_lab_cache_put(void **objs, unsigned long n)
{
	while (n--)
		kmem_cache_free(kd_cache(), objs[n]);
	kvfree(objs);
}

/*
 * The objects, one call each, in the command's context: e->got of them
 * until one fails.  noinline: the kmem:kmem_cache_alloc tracepoint and
 * SLUB's alloc_traces name this function.
 */
static noinline void kd_lab_cache(void *arg)
{
	struct kd_exp *e = arg;
	bool on = kd_lab_on_node(e);
	void *obj;

	for (e->got = 0; e->got < e->cmd.arg; e->got++) {
		obj = on ? kmem_cache_alloc_node(kd_cache(), e->r.d.gfp, e->cmd.node) :
		      kmem_cache_alloc(kd_cache(), e->r.d.gfp);
		if (!obj)
			break;
		e->objs[e->got] = obj;
	}
}

static int kd_lab_cache_exp(struct kd_exp *e)
{
	struct kd_desc *d = &e->r.d;
	unsigned long n = e->cmd.arg;
	bool on = kd_lab_on_node(e);

	snprintf(d->call, sizeof(d->call), "kmem_cache_alloc%s(cache, %pGg%s) x %lu",
		 on ? "_node" : "", &d->gfp, e->nodearg, n);
	/* Bookkeeping, not the experiment: kvmalloc fits any COUNT. */
	e->objs = kvmalloc_array(n, sizeof(*e->objs), GFP_KERNEL);
	if (!e->objs)
		return -ENOMEM;
	kd_lab_call(e, kd_lab_cache);
	if (e->got < n) {
		kd_lab_cache_put(e->objs, e->got);
		return -ENOMEM;
	}
	d->requested = n * sizeof(struct kd_obj);
	d->reserved = n * kd_cache_slot();
	if (kd_describe_objects(d, e->objs, n)) {
		kd_lab_cache_put(e->objs, n);
		return -ENOMEM;
	}
	kd_explain_objects(d, KD_NAME, sizeof(struct kd_obj), kd_cache_slot());
	return 0;
}

static void kd_lab_cache_free(struct kd_exp *e)
{
	kd_lab_cache_put(e->objs, e->cmd.arg);
}

/*
 * pin ADDR LEN: the writer's own pages.  The write runs in the writer's
 * context, so pin_user_pages_fast() pins pages of its memory (current->mm),
 * faulting them in first.  FOLL_WRITE: the module and the device may
 * write them; FOLL_LONGTERM: the pin lasts until free, so the kernel
 * first moves the pages out of ZONE_MOVABLE and CMA, whose pages must
 * stay movable.  pin_user_pages*(), not get_user_pages*(): a pin is
 * counted apart from ordinary references (FOLL_PIN), so the kernel knows
 * the page may be written behind its back (DMA) and keeps it from being
 * migrated or written back from under the pin.  vmap() gives the pages,
 * scattered, one kernel address.
 */
static int kd_lab_pin(struct kd_exp *e)
{
	unsigned long off = offset_in_page(e->cmd.addr), start = e->cmd.addr - off;
	unsigned long n = PAGE_ALIGN(off + e->cmd.arg) >> PAGE_SHIFT;
	struct kd_desc *d = &e->r.d;
	void *va = NULL;
	long got;

	snprintf(d->call, sizeof(d->call),
		 "pin_user_pages_fast(%#lx, %lu, FOLL_WRITE|FOLL_LONGTERM, pages), then vmap(pages, %lu, VM_MAP, PAGE_KERNEL)",
		 start, n, n);
	/* The flags anonymous memory is allocated with when a process touches it. */
	d->gfp = GFP_HIGHUSER_MOVABLE;
	e->pinned = kvmalloc_array(n, sizeof(*e->pinned), GFP_KERNEL);
	if (!e->pinned)
		return -ENOMEM;
	got = pin_user_pages_fast(start, n, FOLL_WRITE | FOLL_LONGTERM, e->pinned);
	if (got == n)
		va = vmap(e->pinned, n, VM_MAP, PAGE_KERNEL);
	if (va && !kd_got_pinned(d, va, off, n)) {
		e->mem = va;
		e->nr_pinned = n;
		return 0;
	}
	if (va)
		vunmap(va);
	if (got > 0)
		unpin_user_pages(e->pinned, got);
	kvfree(e->pinned);
	if (got == n || got == -ENOMEM)
		return -ENOMEM;
	return kd_cmd_refuse(&e->cmd, -EFAULT,
			     "ADDR..ADDR+LEN is not all memory the writer may write (mapped, writable, ordinary pages)");
}

/* Dirty: the module or the device may have written them. */
static void kd_lab_unpin(struct kd_exp *e)
{
	vunmap(e->mem);
	unpin_user_pages_dirty_lock(e->pinned, e->nr_pinned, true);
	kvfree(e->pinned);
}

/*
 * percpu SIZE: __alloc_percpu(), which alloc_percpu(type) calls with the
 * type's size and alignment: a copy of SIZE bytes for every possible CPU.
 * A driver reaches its own CPU's with this_cpu_ptr() (preemption off) or
 * the this_cpu_*() operations, another's with per_cpu_ptr(p, cpu):
 * counters and statistics with no lock and no cache line bouncing.
 * noinline: the percpu:percpu_alloc_percpu tracepoint names its caller.
 */
static noinline int kd_lab_percpu(struct kd_exp *e)
{
	struct kd_desc *d = &e->r.d;
	size_t align = __alignof__(u64);

	snprintf(d->call, sizeof(d->call), "__alloc_percpu(%lu, %zu)", e->cmd.arg, align);
	e->pcpu = __alloc_percpu(e->cmd.arg, align);
	if (!e->pcpu)
		return -ENOMEM;
	if (kd_got_percpu(d, e->pcpu, e->cmd.arg)) {
		free_percpu(e->pcpu);
		return -ENOMEM;
	}
	return 0;
}

static void kd_lab_free_percpu(struct kd_exp *e)
{
	free_percpu(e->pcpu);
}

/*
 * devm_kzalloc SIZE [FLAGS]: memory of the DMA demo device's driver,
 * managed by the driver core (devres): freed when the driver unbinds, after
 * its remove(), with no kfree in the driver.  That is what makes a probe()
 * without an unwinding path correct, and why such memory must not outlive
 * the binding.  One kmalloc holds a devres header and the bytes, so the
 * pointer is inside a slab object: it is described as the bytes alone.
 * kd_lab_dma_release() forgets the experiment in remove(); the action
 * registered right after the memory then frees the record (devres
 * releases newest first, so before the memory).
 */
static void kd_lab_devm_gone(void *data)
{
	struct kd_exp *e = data;

	pr_info("lab %lu: devm_kzalloc: %zu bytes released by the driver core (devres), no kfree of the module's\n",
		e->id, e->r.d.requested);
	kd_describe_free(&e->r.d);
	kfree(e);
}

/*
 * kd_lab_dma_lock is held (kd_lab_dma()): the device stays bound.
 * noinline: the kmem:kmalloc tracepoint names this function.
 */
static noinline int kd_lab_devm_alloc(struct kd_exp *e)
{
	struct device *dev = kd_dma_device();
	struct kd_desc *d = &e->r.d;

	snprintf(d->call, sizeof(d->call), "devm_kzalloc(%s, %lu, %pGg)", dev_name(dev),
		 e->cmd.arg, &e->cmd.gfp);
	d->gfp |= __GFP_ZERO;
	e->mem = devm_kzalloc(dev, e->cmd.arg, e->cmd.gfp);
	if (!e->mem)
		return -ENOMEM;
	if (devm_add_action(dev, kd_lab_devm_gone, e)) {
		devm_kfree(dev, e->mem);
		return -ENOMEM;
	}
	e->dev = dev;
	d->addr = e->mem;
	d->reserved = d->requested;
	kd_describe_linear(d);
	snprintf(d->served_by, sizeof(d->served_by),
		 "devres: one kmalloc of its header and the %lu bytes, freed by the driver core",
		 e->cmd.arg);
	e->zeroed = memchr_inv(e->mem, 0, d->requested) ? -1 : 1;
	return 0;
}

/* free ID, the device still bound: the action first, then the memory. */
static void kd_lab_devm_free(struct kd_exp *e)
{
	devm_remove_action(e->dev, kd_lab_devm_gone, e);
	devm_kfree(e->dev, e->mem);
}

/*
 * dma coherent SIZE: coherent memory for the DMA demo device, which
 * kd_lab_dma() holds on to while this runs.
 */
static int kd_lab_coherent(struct kd_exp *e)
{
	const char *why;

	e->r.dma = kd_dma_coherent_new(&e->r.d, e->cmd.arg, &why);
	if (!e->r.dma)
		return -ENOMEM;
	e->mem = e->r.dma->cpu;
	return 0;
}

static void kd_lab_coherent_free(struct kd_exp *e)
{
	kd_dma_map_free(e->r.dma);
	e->r.dma = NULL;
}

/*
 * mempool COUNT SIZE: a pool of COUNT elements of SIZE kept in reserve
 * (pool.c); its elements are handed out and back by mempool_alloc ID and
 * mempool_free ID, below.
 */
static int kd_lab_mempool_new(struct kd_exp *e)
{
	snprintf(e->r.d.call, sizeof(e->r.d.call), "mempool_create_kmalloc_pool(%lu, %lu)",
		 e->cmd.arg, e->cmd.size);
	e->pool = kd_pool_create(e->cmd.arg, e->cmd.size, &e->r.d);
	return e->pool ? 0 : -ENOMEM;
}

/* Every element handed out goes back first: mempool_destroy() needs them. */
static void kd_lab_mempool_destroy(struct kd_exp *e)
{
	unsigned int n = kd_pool_handed_out(e->pool);

	if (n)
		pr_info("lab %lu: %u element(s) handed out go back first: mempool_destroy() needs them all\n",
			e->id, n);
	kd_pool_destroy(e->pool);
}

static const struct kd_lab_op {
	const char *allocator;	/* the region's name in the log */
	int (*alloc)(struct kd_exp *e);
	void (*free)(struct kd_exp *e);
	const char *free_call;
	enum kd_mem mem;	/* what the memory is (alloc may say otherwise) */
} kd_lab_ops[KD_NR_LAB_WORDS] = {
	[KD_LAB_KMALLOC]	 = { "kmalloc", kd_lab_kmalloc_exp, kd_lab_kfree, "kfree",
			     KD_MEM_SLAB },
	[KD_LAB_VMALLOC]	 = { "vmalloc", kd_lab_vmalloc_exp, kd_lab_vfree, "vfree",
			     KD_MEM_VMALLOC },
	[KD_LAB_KVMALLOC] = { "kvmalloc", kd_lab_kvmalloc_exp, kd_lab_kvfree, "kvfree",
			     KD_MEM_SLAB },
	[KD_LAB_PAGES]	 = { "alloc_pages", kd_lab_pages_exp, kd_lab_free_pages,
			     "__free_pages", KD_MEM_PAGES },
	[KD_LAB_CACHE]	 = { "kmem_cache", kd_lab_cache_exp, kd_lab_cache_free,
			     "kmem_cache_free", KD_MEM_OBJECTS },
	[KD_LAB_DMA]	 = { "dma_alloc_coherent", kd_lab_coherent, kd_lab_coherent_free,
			     "dma_free_coherent", KD_MEM_COHERENT },
	[KD_LAB_VMALLOC_USER] = { "vmalloc_user", kd_lab_vmalloc_user, kd_lab_vfree, "vfree",
				  KD_MEM_VMALLOC_USER },
	[KD_LAB_PIN]	 = { "pin_user_pages", kd_lab_pin, kd_lab_unpin,
			     "unpin_user_pages_dirty_lock", KD_MEM_PINNED },
	[KD_LAB_KZALLOC]	 = { "kzalloc", kd_lab_kmalloc_exp, kd_lab_kfree, "kfree",
			     KD_MEM_SLAB },
	[KD_LAB_KCALLOC]	 = { "kcalloc", kd_lab_kmalloc_exp, kd_lab_kfree, "kfree",
			     KD_MEM_SLAB },
	[KD_LAB_KMALLOC_ARRAY] = { "kmalloc_array", kd_lab_kmalloc_exp, kd_lab_kfree,
				   "kfree", KD_MEM_SLAB },
	[KD_LAB_KZALLOC_FLEX] = { "kzalloc_flex", kd_lab_kmalloc_exp, kd_lab_kfree,
				  "kfree", KD_MEM_SLAB },
	[KD_LAB_PERCPU]	 = { "alloc_percpu", kd_lab_percpu, kd_lab_free_percpu,
			     "free_percpu", KD_MEM_PERCPU },
	[KD_LAB_DEVM_KZALLOC] = { "devm_kzalloc", kd_lab_devm_alloc, kd_lab_devm_free,
				  "devm_kfree", KD_MEM_SLAB },
	[KD_LAB_MEMPOOL]	 = { "mempool", kd_lab_mempool_new, kd_lab_mempool_destroy,
			     "mempool_destroy", KD_MEM_OBJECTS },
};

/* Undo a successful op->alloc(): the memory and its list of runs. */
static void kd_lab_release(struct kd_exp *e)
{
	kd_lab_ops[e->cmd.word].free(e);
	kd_describe_free(&e->r.d);
}

/* ---- limits ---- */

static int kd_no_space(struct kd_cmd *cmd, unsigned long limit, const char *why)
{
	cmd->why = why;
	cmd->limit = limit;
	return -ENOSPC;
}

/*
 * The live experiments and those being allocated, against the limits, if
 * @items more experiments reserve @bytes more.
 */
static int kd_lab_check_budget(struct kd_cmd *cmd, unsigned long items,
			       unsigned long bytes)
{
	unsigned long used = kd_lab_bytes + kd_lab_pending_bytes;

	kd_regions_assert_held();
	items += kd_lab_items + kd_lab_pending_items;
	if (items > kd_param(lab_max_items))
		return kd_no_space(cmd, kd_param(lab_max_items),
				   "as many live experiments as lab_max_items allows: free some");
	if (bytes > kd_param(lab_max_bytes) - min(used, kd_param(lab_max_bytes)))
		return kd_no_space(cmd, kd_param(lab_max_bytes),
				   "the live experiments would reserve more than lab_max_bytes");
	return 0;
}

/*
 * node=N must name a node the page allocator can use: one that exists, is
 * online and has memory.  The _node calls trust their caller: a node past
 * nr_node_ids indexes past the kernel's per-node tables, and
 * alloc_pages_node() warns about an offline one.
 */
static int kd_lab_check_node(struct kd_cmd *cmd)
{
	int nid = cmd->node;

	if (nid == NUMA_NO_NODE)
		return 0;
	cmd->why = (unsigned int)nid >= nr_node_ids || !node_possible(nid) ?
		   "node=N: this machine has no such node (see /sys/devices/system/node/)" :
		   !node_online(nid) ? "node=N: that node is offline" :
		   !node_state(nid, N_MEMORY) ? "node=N: that node has no memory, only CPUs" :
		   NULL;
	return cmd->why ? -EINVAL : 0;
}

/* ---- commands ---- */

static int kd_lab_interrupted(struct kd_cmd *cmd)
{
	cmd->why = "interrupted while waiting for another command";
	return -EINTR;
}

static void kd_lab_log(const struct kd_exp *e)
{
	const struct kd_desc *d = &e->r.d;
	char res[48];

	kd_fmt_size(res, sizeof(res), d->reserved);
	pr_info("lab %lu: %s: reserved %s at %p (%s)\n", e->id, d->call, res,
		d->addr, d->in_vmalloc ? "vmalloc space" : "direct map");
}

/*
 * Three steps, so that neither readers nor other commands wait while an
 * allocator reclaims or vmalloc maps thousands of pages: under the lock,
 * check the budget and reserve the estimate in it; without the lock,
 * allocate and describe; under the lock again, settle the reservation and
 * publish the experiment (or give everything back).
 */
static int kd_lab_alloc(struct kd_cmd *cmd, const char *line)
{
	const struct kd_lab_op *op = &kd_lab_ops[cmd->word];
	unsigned long estimate = 0;
	struct kd_exp *e;
	int ret;

	ret = kd_lab_check_node(cmd);
	if (!ret)
		ret = kd_cmd_check_size(cmd, totalram_pages() << PAGE_SHIFT,
					kd_cache_slot(), &estimate);
	if (ret)
		return ret;
	if (kd_regions_lock_killable())
		return kd_lab_interrupted(cmd);
	ret = kd_lab_check_budget(cmd, 1, estimate);
	if (!ret) {
		kd_lab_pending_items++;
		kd_lab_pending_bytes += estimate;
	}
	kd_regions_unlock();
	if (ret)
		return ret;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (e) {
		e->cmd = *cmd;
		strscpy(e->command, line, sizeof(e->command));
		if (kd_lab_on_node(e))
			snprintf(e->nodearg, sizeof(e->nodearg), ", %d", cmd->node);
		e->r.d.allocator = op->allocator;
		e->r.mem = op->mem;
		e->r.d.gfp = cmd->gfp;
		e->r.d.requested = cmd->bytes;
		ret = op->alloc(e);
		if (ret) {
			/* A reason composed in e->cmd.text goes with e. */
			if (e->cmd.why == e->cmd.text) {
				strscpy(cmd->text, e->cmd.text, sizeof(cmd->text));
				e->cmd.why = cmd->text;
			}
			cmd->why = e->cmd.why ? e->cmd.why : "the allocator returned NULL";
			kfree(e);
			e = NULL;
		}
	} else {
		ret = -ENOMEM;
		cmd->why = "no memory for the experiment's record";
	}

	/* The reservation is settled whatever happens: no signal stops it. */
	kd_regions_lock();
	kd_lab_pending_items--;
	kd_lab_pending_bytes -= estimate;
	/* Rounding (a huge-page kvmalloc) can reserve more than estimated. */
	if (e)
		ret = kd_lab_check_budget(cmd, 1, e->r.d.reserved);
	if (e && !ret) {
		e->id = kd_lab_next_id++;
		kd_lab_items++;
		kd_lab_bytes += e->r.d.reserved;
		snprintf(e->r.label, sizeof(e->r.label), "lab %lu", e->id);
		e->r.ops = &kd_lab_region_ops;
		list_add_tail(&e->node, &kd_lab_list);
		kd_region_add(&e->r);
		kd_lab_log(e);
	}
	kd_regions_unlock();
	if (e && ret) {
		kd_lab_release(e);
		kfree(e);
	}
	return ret;
}

/* Take @e off the report and the budget; the lock is held. */
static void kd_lab_detach(struct kd_exp *e)
{
	kd_region_del(&e->r);
	list_del(&e->node);
	kd_lab_items--;
	kd_lab_bytes -= e->r.d.reserved;
}

/*
 * Free a detached experiment, kd_lab_dma_lock held: a mapping of it is
 * unmapped first, as the device may not reach memory that is freed.
 */
static void kd_lab_free_one(struct kd_exp *e)
{
	const struct kd_lab_op *op = &kd_lab_ops[e->cmd.word];
	char res[48];

	if (e->r.dma && e->r.dma->kind != KD_DMA_COHERENT) {
		pr_info("lab %lu: mapped for the DMA demo device: unmapped before it is freed\n",
			e->id);
		kd_dma_map_free(e->r.dma);
		e->r.dma = NULL;
	}
	kd_lab_release(e);
	kd_fmt_size(res, sizeof(res), e->r.d.reserved);
	pr_info("lab %lu: %s: %s freed\n", e->id, op->free_call, res);
	kfree(e);
}

/*
 * Detach under the lock, free without it: "free all" of many large
 * experiments holds no reader up while vfree() unmaps them.  Newest first,
 * like every unwinding in this module.
 */
static int kd_lab_free(struct kd_cmd *cmd, bool killable)
{
	struct workqueue_struct *wq;
	unsigned long waiting = 0;
	struct kd_exp *e, *tmp;
	LIST_HEAD(doomed);
	bool found;

	if (!killable) {
		mutex_lock(&kd_lab_dma_lock);
		kd_regions_lock();
	} else if (mutex_lock_killable(&kd_lab_dma_lock)) {
		return kd_lab_interrupted(cmd);
	} else if (kd_regions_lock_killable()) {
		mutex_unlock(&kd_lab_dma_lock);
		return kd_lab_interrupted(cmd);
	}
	/*
	 * A mapped experiment stays until its last munmap (mmap.c): freeing
	 * it would leave the process's page tables pointing at freed pages.
	 * "free all" then frees nothing, so that a refusal changes nothing.
	 */
	list_for_each_entry(e, &kd_lab_list, node) {
		if ((cmd->free_all || e->id == cmd->arg) && e->r.mapped) {
			kd_regions_unlock();
			mutex_unlock(&kd_lab_dma_lock);
			snprintf(cmd->text, sizeof(cmd->text),
				 "lab %lu is mapped by a process (%u mapping%s): free it after munmap",
				 e->id, e->r.mapped, e->r.mapped == 1 ? "" : "s");
			return kd_cmd_refuse(cmd, -EBUSY, cmd->text);
		}
	}
	list_for_each_entry_safe_reverse(e, tmp, &kd_lab_list, node) {
		/* kfree_rcu() has it: kd_lab_rcu_done() forgets it. */
		if (e->rcu_at && (cmd->free_all || e->id != cmd->arg)) {
			waiting += cmd->free_all;
			continue;
		}
		if (e->rcu_at) {
			/* A string of the module's: e may go once unlocked. */
			cmd->why = e->r.busy;
			kd_regions_unlock();
			mutex_unlock(&kd_lab_dma_lock);
			return -EBUSY;
		}
		if (cmd->free_all || e->id == cmd->arg) {
			kd_lab_detach(e);
			list_add_tail(&e->node, &doomed);
			if (!cmd->free_all)
				break;
		}
	}
	kd_regions_unlock();
	found = !list_empty(&doomed);
	list_for_each_entry_safe(e, tmp, &doomed, node)
		kd_lab_free_one(e);
	wq = kd_lab_rcu_wq;
	mutex_unlock(&kd_lab_dma_lock);
	/* "free all" leaves nothing: it waits for kfree_rcu's records too. */
	if (waiting) {
		rcu_barrier();
		flush_workqueue(wq);
	}
	if (!found && !cmd->free_all) {
		cmd->why = "no live experiment has this ID";
		return -ENOENT;
	}
	return 0;
}

void kd_lab_free_all(void)
{
	struct kd_cmd all = { .word = KD_LAB_FREE, .free_all = true };

	/*
	 * kfree_rcu's records first: rcu_barrier() waits for the callbacks
	 * that queue their work, destroying the queue for the work itself.
	 */
	if (kd_lab_rcu_wq) {
		rcu_barrier();
		destroy_workqueue(kd_lab_rcu_wq);
		kd_lab_rcu_wq = NULL;
	}
	if (kd_lab_items)
		pr_info("lab: freeing %lu live experiment(s), newest first\n",
			kd_lab_items);
	kd_lab_free(&all, false);
}

/* ---- the DMA demo device ---- */

static struct kd_exp *kd_lab_find(unsigned long id)
{
	struct kd_exp *e;

	kd_regions_assert_held();
	list_for_each_entry(e, &kd_lab_list, node)
		if (e->id == id)
			return e;
	return NULL;
}

/*
 * dma map ID: what of the experiment the device gets, and how.  Memory of
 * the direct map (kmalloc, pages, a kvmalloc that kmalloc served) is one
 * contiguous buffer; vmalloc'd memory is pages (a scatterlist).
 */
static int kd_lab_dma_map(struct kd_cmd *cmd, struct kd_exp *e)
{
	struct kd_dma_map *m;
	struct page *page = NULL;
	size_t len = e->r.d.requested, slot = e->r.d.reserved;

	switch (e->cmd.word) {
	case KD_LAB_PAGES:
		page = e->page;
		len = PAGE_SIZE << e->cmd.arg;
		break;
	case KD_LAB_VMALLOC:
	case KD_LAB_VMALLOC_USER:
	case KD_LAB_KVMALLOC:
		break;
	case KD_LAB_PIN:
		/*
		 * The process's pages, through their vmap(): a scatterlist.
		 * The rest of those pages is the process's other data: the
		 * range alone is the buffer's.
		 */
		slot = len;
		break;
	case KD_LAB_PERCPU:
		return kd_cmd_refuse(cmd, -EINVAL,
				     "per-CPU memory is a copy for each CPU, the CPUs' own: a device gets a buffer of its own (kmalloc, pages, vmalloc)");
	case KD_LAB_CACHE:
	case KD_LAB_MEMPOOL:
		return kd_cmd_refuse(cmd, -EINVAL,
				     "a cache or a pool is many objects: a driver maps each object for its own transfer; map a kmalloc, pages, vmalloc or kvmalloc experiment");
	default:
		/* The kmalloc helpers: one kmalloc'd buffer. */
		break;
	}
	/* d.addr: where the experiment's bytes start (a pin's, inside a page). */
	m = kd_dma_map_mem(page ? page_address(page) : (void *)e->r.d.addr, len,
			   slot, page, cmd->dir, cmd->single, &cmd->why);
	if (IS_ERR(m))
		return PTR_ERR(m);
	kd_regions_lock();
	e->r.dma = m;
	kd_regions_unlock();
	return 0;
}

/* dma map/unmap/xfer ID, kd_lab_dma_lock held: no experiment goes away. */
static int kd_lab_dma_exp(struct kd_cmd *cmd)
{
	struct kd_dma_map *m;
	const char *busy;
	struct kd_exp *e;

	kd_regions_lock();
	e = kd_lab_find(cmd->arg);
	m = e ? e->r.dma : NULL;
	busy = e ? e->r.busy : NULL;
	if (e && cmd->dma == KD_DMA_UNMAP_ID && m && m->kind != KD_DMA_COHERENT)
		e->r.dma = NULL;
	kd_regions_unlock();
	if (!e)
		return kd_cmd_refuse(cmd, -ENOENT, "no live experiment has this ID");
	if (busy && cmd->dma == KD_DMA_MAP_ID)
		return kd_cmd_refuse(cmd, -EBUSY, busy);
	switch (cmd->dma) {
	case KD_DMA_MAP_ID:
		if (m && m->kind == KD_DMA_COHERENT)
			return kd_cmd_refuse(cmd, -EINVAL,
					     "coherent memory is the device's already: dma xfer ID uses it as it is");
		if (m)
			return kd_cmd_refuse(cmd, -EBUSY,
					     "mapped already: one mapping at a time (dma unmap ID first)");
		return kd_lab_dma_map(cmd, e);
	case KD_DMA_UNMAP_ID:
		if (m && m->kind == KD_DMA_COHERENT)
			return kd_cmd_refuse(cmd, -EINVAL,
					     "coherent memory is not a mapping: free ID frees it");
		if (!m)
			return kd_cmd_refuse(cmd, -EINVAL, "not mapped");
		kd_dma_map_free(m);
		return 0;
	default:
		if (!m)
			return kd_cmd_refuse(cmd, -EINVAL,
					     "not mapped: the device reaches no memory of it (dma map ID first)");
		return kd_dma_xfer(m, KD_XFER_PIECES, &cmd->why);
	}
}

/*
 * The commands that need the DMA demo device bound, one at a time: the dma
 * commands, and devm_kzalloc, whose memory belongs to its driver.
 */
static int kd_lab_dma(struct kd_cmd *cmd, const char *line)
{
	bool devm = cmd->word == KD_LAB_DEVM_KZALLOC, ready;
	int ret;

	if (mutex_lock_killable(&kd_lab_dma_lock))
		return kd_lab_interrupted(cmd);
	ready = kd_dma_ready();
	if (!ready && devm)
		ret = kd_cmd_refuse(cmd, -ENODEV,
				    "no DMA demo device is bound: devm memory belongs to a bound driver (QEMU's edu device: make run's VMs have one)");
	else if (!ready)
		ret = kd_cmd_refuse(cmd, -ENODEV,
				    "no DMA demo device is bound (QEMU's edu device: make run's VMs have one)");
	else if (devm || cmd->dma == KD_DMA_COHERENT_SIZE)
		ret = kd_lab_alloc(cmd, line);
	else if (cmd->dma == KD_DMA_MASK_BITS)
		ret = kd_dma_set_mask(cmd->arg, &cmd->why);
	else
		ret = kd_lab_dma_exp(cmd);
	mutex_unlock(&kd_lab_dma_lock);
	return ret;
}

void kd_lab_dma_release(void)
{
	struct kd_exp *e, *tmp;
	LIST_HEAD(doomed);

	mutex_lock(&kd_lab_dma_lock);
	kd_regions_lock();
	list_for_each_entry_safe_reverse(e, tmp, &kd_lab_list, node) {
		if (e->r.dma && e->r.dma->kind == KD_DMA_COHERENT) {
			kd_lab_detach(e);
			list_add_tail(&e->node, &doomed);
			continue;
		}
		if (e->r.dma) {
			pr_info("lab %lu: unmapped: the DMA demo device is being released\n",
				e->id);
			kd_dma_map_free(e->r.dma);
			e->r.dma = NULL;
		}
		/* The driver core frees it after remove(): kd_lab_devm_gone(). */
		if (e->cmd.word == KD_LAB_DEVM_KZALLOC) {
			kd_lab_detach(e);
			pr_info("lab %lu: devm memory of the device's driver: the driver core frees it after remove()\n",
				e->id);
		}
	}
	kd_regions_unlock();
	list_for_each_entry_safe(e, tmp, &doomed, node) {
		pr_info("lab %lu: the DMA demo device's coherent memory goes with it\n",
			e->id);
		kd_mmap_revoke(&e->r);
		kd_lab_free_one(e);
	}
	mutex_unlock(&kd_lab_dma_lock);
}

/* ---- a live experiment's memory changed: krealloc, mempool ---- */

/*
 * Whether something else holds @e's memory now: a command at work on it,
 * a process's mapping, the device's; the registry lock is held.
 */
static int kd_lab_in_use(struct kd_cmd *cmd, const struct kd_exp *e)
{
	if (e->r.busy)
		return kd_cmd_refuse(cmd, -EBUSY, e->r.busy);
	if (e->r.mapped)
		return kd_cmd_refuse(cmd, -EBUSY,
				     "mapped by a process: its pages may not move or go (munmap first)");
	if (e->r.dma)
		return kd_cmd_refuse(cmd, -EBUSY,
				     "mapped for the DMA demo device, which has its address (dma unmap ID first)");
	return 0;
}

/*
 * @nd becomes @e's description, made aside while readers went on with
 * the old one, which @old takes; the budget counts the new size.  The
 * registry lock is held.
 */
static void kd_lab_redescribe(struct kd_exp *e, struct kd_desc *nd,
			      struct kd_desc *old)
{
	kd_describe_move(old, &e->r.d);
	kd_describe_move(&e->r.d, nd);
	kd_lab_bytes += e->r.d.reserved;
	kd_lab_bytes -= old->reserved;
}

/* ---- krealloc: an experiment resized ---- */

/* What krealloc did, and why: the slot (ksize()) the buffer had. */
static void kd_lab_resized(struct kd_exp *e, const struct kd_cmd *c,
			   const void *was, size_t slot)
{
	size_t now = e->r.d.reserved;

	if (e->mem == was)
		snprintf(e->resized, sizeof(e->resized),
			 "krealloc %lu %lu: in place: %lu bytes fit the %zu-byte slot it had (ksize()), so the pointer stayed",
			 c->arg, c->size, c->size, slot);
	else if (c->size > slot)
		snprintf(e->resized, sizeof(e->resized),
			 "krealloc %lu %lu: moved: %lu bytes do not fit the %zu-byte slot it had: a %zu-byte one, the bytes copied, the old slot freed",
			 c->arg, c->size, c->size, slot, now);
	else
		snprintf(e->resized, sizeof(e->resized),
			 "krealloc %lu %lu: moved, though %lu bytes fit the %zu-byte slot it had: this kernel took a %zu-byte one",
			 c->arg, c->size, c->size, slot, now);
}

/*
 * krealloc ID SIZE [FLAGS]: resize a kmalloc'd experiment.  krealloc()
 * keeps the buffer where it is while SIZE fits the slot it has (its size
 * class, ksize()); otherwise it allocates anew, copies and frees the old
 * buffer, and every pointer to the old one is then dangling.  So while
 * krealloc runs the region is busy: fill, check and mmap, which reach its
 * bytes, refuse it; the report goes on showing the old description, which
 * holds numbers only, until the new one replaces it under the lock.  On
 * failure krealloc leaves the old buffer as it was: so does the lab.
 * kd_lab_dma_lock is held throughout: no free and no DMA command runs.
 * noinline: the kmem:kmalloc tracepoint of a move names this function.
 */
static noinline int kd_lab_krealloc(struct kd_cmd *cmd)
{
	unsigned long estimate, grow = 0;
	struct kd_desc *nd, *old;
	struct kd_exp *e;
	size_t slot;
	void *p, *was;
	int ret;

	ret = kd_cmd_check_size(cmd, 0, 0, &estimate);
	if (ret)
		return ret;
	/* The new description is made aside, then swapped in. */
	nd = kzalloc(sizeof(*nd), GFP_KERNEL);
	old = kmalloc(sizeof(*old), GFP_KERNEL);
	if (!nd || !old) {
		ret = kd_cmd_refuse(cmd, -ENOMEM, "no memory for the new description");
		goto out_free;
	}
	if (mutex_lock_killable(&kd_lab_dma_lock)) {
		ret = kd_lab_interrupted(cmd);
		goto out_free;
	}
	kd_regions_lock();
	e = kd_lab_find(cmd->arg);
	if (!e)
		ret = kd_cmd_refuse(cmd, -ENOENT, "no live experiment has this ID");
	else if (!kd_cmd_kmalloc(e->cmd.word))
		ret = kd_cmd_refuse(cmd, -EINVAL,
				    "krealloc resizes what kmalloc gave (kmalloc, kzalloc, kcalloc, kmalloc_array, kzalloc_flex); kvmalloc's is kvrealloc's, vmalloc's vrealloc's");
	else
		ret = kd_lab_in_use(cmd, e);
	if (!ret) {
		/* What kmalloc will reserve (6.1+), or what was asked. */
		estimate = max_t(size_t, estimate, kd_kmalloc_roundup(cmd->size));
		grow = estimate > e->r.d.reserved ? estimate - e->r.d.reserved : 0;
		ret = kd_lab_check_budget(cmd, 0, grow);
	}
	if (!ret) {
		/* Reserved: the old buffer and what it may grow by. */
		kd_lab_pending_bytes += grow;
		e->r.busy = "being resized (krealloc): its bytes may be moving";
		kd_describe_move(nd, &e->r.d);	/* its constants */
		was = e->mem;
		slot = e->r.d.reserved;
	}
	kd_regions_unlock();
	if (ret)
		goto out_unlock;

	p = krealloc(was, cmd->size, cmd->gfp);
	if (p) {
		nd->requested = cmd->size;
		nd->gfp = cmd->gfp;
		nd->roundup = kd_kmalloc_roundup(nd->requested);
		nd->kept_slot = p == was;
		snprintf(nd->call, sizeof(nd->call), "krealloc(p, %lu, %pGg)",
			 cmd->size, &cmd->gfp);
		kd_got_kmalloc(nd, p);
	} else {
		ret = kd_cmd_refuse(cmd, -ENOMEM,
				    "krealloc returned NULL: the experiment is as it was (krealloc leaves the old buffer alone when it fails)");
	}

	kd_regions_lock();
	kd_lab_pending_bytes -= grow;
	if (p) {
		kd_lab_redescribe(e, nd, old);
		e->mem = p;
		e->zeroed = 0;
		kd_lab_resized(e, cmd, was, slot);
		kd_lab_log(e);
	}
	e->r.busy = NULL;
	kd_regions_unlock();
	if (p)
		kd_describe_free(old);
out_unlock:
	mutex_unlock(&kd_lab_dma_lock);
out_free:
	kfree(old);
	kfree(nd);
	return ret;
}

/* ---- mempool_alloc, mempool_free: a pool's elements handed out and back ---- */

/* @nd becomes pool @e's description, its elements as they are now. */
static void kd_lab_pool_swap(struct kd_exp *e, struct kd_desc *nd, struct kd_desc *old)
{
	kd_lab_redescribe(e, nd, old);
	kd_pool_commit(e->pool);
}

static const char kd_lab_from_reserve[] =
	"from the reserve, as kmalloc failed (its first try neither reclaims nor warns)";

/*
 * mempool_alloc ID [FLAGS] [ctx=C]: an element of pool @e, from kmalloc or
 * from the reserve, in the command's context; @nd becomes the pool's
 * description, @old takes the one it replaces.  kmalloc may serve it: the
 * budget holds room for one more element meanwhile.
 */
static int kd_lab_mempool_take(struct kd_cmd *cmd, struct kd_exp *e,
			       struct kd_desc *nd, struct kd_desc *old)
{
	unsigned long grow = kd_pool_slot_size(e->pool), limit = 0;
	bool reserve;
	int ret;

	ret = kd_pool_may_take(e->pool, cmd->gfp, &cmd->why, &limit);
	if (ret) {
		cmd->limit = limit;
		return ret;
	}
	kd_regions_lock();
	ret = kd_lab_check_budget(cmd, 0, grow);
	if (!ret)
		kd_lab_pending_bytes += grow;
	kd_regions_unlock();
	if (ret)
		return ret;
	ret = kd_pool_take(e->pool, cmd->ctx, cmd->gfp, nd, &reserve, &cmd->why);
	kd_regions_lock();
	kd_lab_pending_bytes -= grow;
	if (!ret)
		kd_lab_pool_swap(e, nd, old);
	kd_regions_unlock();
	if (ret)
		return ret;
	kd_describe_free(old);
	pr_info("lab %lu: mempool_alloc(pool, %pGg)%s%s: %s; %u of %lu left in the reserve\n",
		e->id, &cmd->gfp, cmd->ctx_given ? " in context " : "",
		cmd->ctx_given ? kd_ctx_name(cmd->ctx) : "",
		reserve ? kd_lab_from_reserve : "from kmalloc, the reserve untouched",
		kd_pool_reserve(e->pool), e->cmd.arg);
	return 0;
}

/* mempool_free ID: the newest element handed out goes back. */
static int kd_lab_mempool_put(struct kd_cmd *cmd, struct kd_exp *e,
			      struct kd_desc *nd, struct kd_desc *old)
{
	bool back;
	int ret;

	ret = kd_pool_put(e->pool, nd, &back, &cmd->why);
	if (ret)
		return ret;
	kd_regions_lock();
	kd_lab_pool_swap(e, nd, old);
	kd_regions_unlock();
	kd_describe_free(old);
	pr_info("lab %lu: mempool_free: %s; %u of %lu in the reserve\n", e->id,
		back ? "back into the reserve, which was short of it" :
		"kfree()d: the reserve was full", kd_pool_reserve(e->pool), e->cmd.arg);
	return 0;
}

/*
 * mempool_alloc ID, mempool_free ID: one at a time (kd_lab_dma_lock, which
 * every free takes too), pool ID found, room made for its new description,
 * which keeps what the creation said.
 */
static int kd_lab_mempool(struct kd_cmd *cmd)
{
	struct kd_desc *nd, *old;
	struct kd_exp *e;
	int ret = 0;

	nd = kzalloc(sizeof(*nd), GFP_KERNEL);
	old = kmalloc(sizeof(*old), GFP_KERNEL);
	if (!nd || !old) {
		ret = kd_cmd_refuse(cmd, -ENOMEM, "no memory for the new description");
		goto out_free;
	}
	if (mutex_lock_killable(&kd_lab_dma_lock)) {
		ret = kd_lab_interrupted(cmd);
		goto out_free;
	}
	kd_regions_lock();
	e = kd_lab_find(cmd->arg);
	if (!e)
		ret = kd_cmd_refuse(cmd, -ENOENT, "no live experiment has this ID");
	else if (e->cmd.word != KD_LAB_MEMPOOL)
		ret = kd_cmd_refuse(cmd, -EINVAL, "not a pool: mempool COUNT SIZE makes one");
	kd_regions_unlock();
	if (!ret) {
		nd->allocator = e->r.d.allocator;
		strscpy(nd->call, e->r.d.call, sizeof(nd->call));
		ret = cmd->word == KD_LAB_MEMPOOL_ALLOC ? kd_lab_mempool_take(cmd, e, nd, old) :
		      kd_lab_mempool_put(cmd, e, nd, old);
	}
	mutex_unlock(&kd_lab_dma_lock);
out_free:
	kfree(old);
	kfree(nd);
	return ret;
}

/* ---- kfree_rcu: freed once no reader can hold it ---- */

/* The rcu_head kfree_rcu() needs lives in the object it frees. */
struct kd_rcu_obj {
	struct rcu_head rcu;
};

/*
 * After a grace period: every reader that found the memory inside an
 * rcu_read_lock() section has left it.  The record goes; the memory is
 * kfree_rcu()'s, which frees it in a batch of its own.
 */
static void kd_lab_rcu_done(struct work_struct *work)
{
	struct kd_exp *e = container_of(to_rcu_work(work), struct kd_exp, rwork);
	char res[48];

	kd_regions_lock();
	kd_lab_detach(e);
	kd_regions_unlock();
	kd_fmt_size(res, sizeof(res), e->r.d.reserved);
	pr_info("lab %lu: a grace period has ended (%u ms after kfree_rcu()): no reader can hold the %s now, and kfree_rcu frees them\n",
		e->id, jiffies_to_msecs(jiffies - e->rcu_at), res);
	kd_describe_free(&e->r.d);
	kfree(e);
}

/*
 * kfree_rcu ID: free an experiment the way RCU-protected data is freed.
 * A reader inside rcu_read_lock() may have found the pointer before it
 * was unpublished, and may still use it: kfree_rcu() returns at once, and
 * the memory is freed only after a grace period, when every CPU has left
 * the read-side sections it was in.  It never sleeps, so it works in any
 * context (kfree_rcu_mightsleep(), which needs no rcu_head, may block).
 * queue_rcu_work() runs the record's end after a grace period too: one
 * that began after kfree_rcu(), so the memory's wait is over by then.
 */
static int kd_lab_kfree_rcu(struct kd_cmd *cmd)
{
	struct kd_rcu_obj *obj;
	struct kd_exp *e;
	int ret = 0;
	bool kv;

	if (mutex_lock_killable(&kd_lab_dma_lock))
		return kd_lab_interrupted(cmd);
	/* WQ_UNBOUND: the record's end needs no particular CPU. */
	if (!kd_lab_rcu_wq)
		kd_lab_rcu_wq = alloc_workqueue(KD_NAME "_rcu", WQ_UNBOUND, 0);
	kd_regions_lock();
	e = kd_lab_find(cmd->arg);
	kv = e && (e->cmd.word == KD_LAB_VMALLOC || e->cmd.word == KD_LAB_KVMALLOC ||
		   e->cmd.word == KD_LAB_VMALLOC_USER);
	if (!kd_lab_rcu_wq)
		ret = kd_cmd_refuse(cmd, -ENOMEM, "no memory for the lab's RCU workqueue");
	else if (!e)
		ret = kd_cmd_refuse(cmd, -ENOENT, "no live experiment has this ID");
	else if (!kv && !kd_cmd_kmalloc(e->cmd.word))
		ret = kd_cmd_refuse(cmd, -EINVAL,
				    "kfree_rcu frees what kmalloc gave, kvfree_rcu what vmalloc or kvmalloc gave: pages, a cache's objects, per-CPU and devm memory go back by their own calls (from a call_rcu() callback)");
	else if (e->r.d.requested < sizeof(struct rcu_head))
		ret = kd_cmd_refuse(cmd, -EINVAL,
				    "the rcu_head kfree_rcu() needs lives in the object: under sizeof(struct rcu_head) bytes it has no room for one");
	else
		ret = kd_lab_in_use(cmd, e);
	if (!ret) {
		/* Nothing reaches its bytes now: fill, check, mmap, dma map. */
		e->r.busy = "freed by kfree_rcu(): waiting for a grace period, no longer the lab's";
		e->rcu_at = jiffies ?: 1;
		obj = e->mem;
		if (kv)
			kvfree_rcu(obj, rcu);
		else
			kfree_rcu(obj, rcu);
		INIT_RCU_WORK(&e->rwork, kd_lab_rcu_done);
		queue_rcu_work(kd_lab_rcu_wq, &e->rwork);
		pr_info("lab %lu: %s(p, rcu): freed once every reader that may hold it has left its rcu_read_lock() section\n",
			e->id, kv ? "kvfree_rcu" : "kfree_rcu");
	}
	kd_regions_unlock();
	mutex_unlock(&kd_lab_dma_lock);
	return ret;
}

/* ---- fill and check: the module's side of a mapping ---- */

/*
 * fill WHAT BYTE, check WHAT BYTE.  The bytes are those the owner asked for
 * (never the slack), as the CPU reaches them.  The registry's lock is held
 * throughout: no region is freed or withdrawn while it is held (an
 * experiment's free, the DMA demo device's removal), and nothing waits for
 * a process while it is held (a mapping's fault only looks its region up
 * under it).  Memory the device owns (streaming-mapped, not synced for the
 * CPU) is refused, as the DMA API's rule says.
 */
static int kd_lab_fill_check(struct kd_cmd *cmd)
{
	const char *what = cmd->what;
	char label[sizeof(cmd->what) + 4];
	struct kd_region *r;
	const u8 *bad = NULL;
	size_t len;
	int err = 0;
	u8 *mem;

	if (cmd->arg) {
		snprintf(label, sizeof(label), "lab %lu", cmd->arg);
		what = label;
	}
	if (kd_regions_lock_killable())
		return kd_lab_interrupted(cmd);
	r = kd_region_find(what);
	mem = r ? kd_region_bytes(r, &len, &cmd->why) : NULL;
	if (!r)
		err = kd_cmd_refuse(cmd, -ENOENT, cmd->arg ?
				    "no live experiment has this ID" :
				    "no section has this title (see the [titles] in /proc/kmem_demo)");
	else if (r->busy)
		err = kd_cmd_refuse(cmd, -EBUSY, r->busy);
	else if (!mem)
		err = -EINVAL;
	else if (r->dma && r->dma->kind != KD_DMA_COHERENT && !r->dma->cpu_owns)
		err = kd_cmd_refuse(cmd, -EBUSY,
				    "mapped for the device, which owns it until dma unmap ID (or a sync for the CPU)");
	else if (cmd->word == KD_LAB_FILL)
		memset(mem, cmd->byte, len);
	else
		bad = memchr_inv(mem, cmd->byte, len);
	kd_regions_unlock();
	if (err)
		return err;
	if (bad) {
		snprintf(cmd->text, sizeof(cmd->text),
			 "byte %zu of %zu is %#04x, not %#04x",
			 (size_t)(bad - mem), len, *bad, cmd->byte);
		return kd_cmd_refuse(cmd, -EBADMSG, cmd->text);
	}
	pr_info("%s: %s: %s %zu bytes %s %#04x\n", what, kd_lab_word_name(cmd->word),
		cmd->word == KD_LAB_FILL ? "wrote" : "all", len,
		cmd->word == KD_LAB_FILL ? "of" : "are", cmd->byte);
	return 0;
}

/*
 * One log line per refusal, rate-limited so that a flood of bad commands
 * cannot flood the log: at most 10 lines in 5 s, and the kernel then says
 * how many it suppressed ("kd_lab_refused: N callbacks suppressed").  The
 * line names the command word and the rule, never the rest of the line:
 * what was written is not echoed into the kernel log.
 */
static DEFINE_RATELIMIT_STATE(kd_lab_rs, DEFAULT_RATELIMIT_INTERVAL,
			      DEFAULT_RATELIMIT_BURST);

static int kd_lab_refused(unsigned int lineno, int err, const char *what,
			  const char *why, unsigned long limit)
{
	char lim[32] = "", name[16];

	if (!__ratelimit(&kd_lab_rs))
		return err;
	if (limit)
		snprintf(lim, sizeof(lim), " (limit %lu)", limit);
	/* %pe names the errno, "-EINVAL" (its number without SYMBOLIC_ERRNAME). */
	snprintf(name, sizeof(name), "%pe", ERR_PTR(err));
	pr_info("lab: line %u refused, %s: %s: %s%s\n", lineno,
		name + (name[0] == '-'), what, why ? why : "", lim);
	return err;
}

/*
 * Run one line (NUL-terminated, no newline).  @report: log a refusal; a
 * line after the first of a write is not logged when it fails, as the
 * write then ends short and the writer's next write() starts with it.
 */
static int kd_lab_run(char *line, unsigned int lineno, bool report)
{
	char copy[KD_LAB_LINE_MAX + 1];
	struct kd_cmd cmd;
	int ret;

	strscpy(copy, line, sizeof(copy));
	ret = kd_cmd_parse(line, &cmd);
	/* The flag rules, for commands that pass flags to an allocator. */
	if (!ret && cmd.gfp)
		ret = kd_cmd_check_gfp(&cmd);
	if (!ret && cmd.word == KD_LAB_BENCH) {
		/* Its own lock: the lab and its readers go on meanwhile. */
		ret = kd_bench_run(cmd.quick);
		cmd.why = ret == -EBUSY ? "a benchmark is running already" :
			  ret == -EINTR ? "stopped by a signal or by unloading" : "out of memory";
	} else if (!ret) {
		ret = cmd.word == KD_LAB_FREE ? kd_lab_free(&cmd, true) :
		      cmd.word == KD_LAB_DMA || cmd.word == KD_LAB_DEVM_KZALLOC ?
		      kd_lab_dma(&cmd, strim(copy)) :
		      cmd.word == KD_LAB_FILL || cmd.word == KD_LAB_CHECK ?
		      kd_lab_fill_check(&cmd) :
		      cmd.word == KD_LAB_KREALLOC ? kd_lab_krealloc(&cmd) :
		      cmd.word == KD_LAB_KFREE_RCU ? kd_lab_kfree_rcu(&cmd) :
		      cmd.word == KD_LAB_MEMPOOL_ALLOC || cmd.word == KD_LAB_MEMPOOL_FREE ?
		      kd_lab_mempool(&cmd) :
		      kd_lab_alloc(&cmd, strim(copy));
	}
	if (ret && report)
		kd_lab_refused(lineno, ret,
			       cmd.word < KD_NR_LAB_WORDS ? kd_lab_word_name(cmd.word) : "command",
			       cmd.why, cmd.limit);
	return ret;
}

/*
 * A write carries one command per line.  They run in order, and the first
 * line that fails stops the write.  If it was the first line, the write
 * returns its error; otherwise it returns the bytes of the lines that ran (a
 * short write), as write(2) must: a writer that retries the rest then gets
 * the failing line's error, and its refusal is logged then, once; no line
 * that ran runs twice.  At most
 * KD_LAB_WRITE_MAX bytes are taken from one write(): the count returned
 * then ends after the last whole line, and the writer's next write()
 * continues from there.
 */
ssize_t kd_lab_write(struct file *file, const char __user *ubuf, size_t count,
		     loff_t *ppos)
{
	size_t len = min_t(size_t, count, KD_LAB_WRITE_MAX), done = 0, n;
	unsigned int lineno = 0;
	const char *why;
	int ret = 0;
	char *buf;
	bool nl;

	if (!count)
		return 0;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	while (done < len) {
		lineno++;
		ret = kd_cmd_line(buf, len, count, done, &n, &nl, &why);
		if (ret <= 0) {
			if (ret && !done)
				kd_lab_refused(lineno, ret, "line", why, 0);
			break;
		}
		buf[done + n] = '\0';	/* the '\n', or the byte after the buffer */
		ret = kd_lab_run(buf + done, lineno, !done);
		if (ret)
			break;
		done += n + nl;
	}
	kfree(buf);
	return done ? done : ret;
}
