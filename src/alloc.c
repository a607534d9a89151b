// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: the four allocators, each with its matching free.
 *
 * Which one to use:
 *  - kmalloc: small objects (bytes to a few pages), physically contiguous,
 *    in the direct map.  The default choice for driver data.
 *  - vmalloc: large buffers that only the CPU touches.  Virtually contiguous,
 *    built from scattered pages, so no DMA and a TLB cost per page.
 *  - __get_free_pages: whole, naturally aligned blocks of 2^order pages from
 *    the buddy allocator.  For page-sized needs (rings, page tables); high
 *    orders may fail once memory is fragmented.
 *  - kmem_cache: many objects of one type.  A dedicated slab cache packs
 *    them tightly, can be debugged per cache, and shows in /proc/slabinfo.
 *
 * The flags: GFP_KERNEL may sleep to reclaim memory, so it is for process
 * context only (init/exit here); __GFP_ZERO hands out zeroed memory, as a
 * driver must whenever memory can reach user space or a device before
 * every byte of it is written (the report itself prints no contents).
 *
 * Each allocation is described (describe.c) and published in the registry
 * of regions (region.c), which is all the report and the frame map read.
 * Every free here is safe to call whether or not its allocation happened:
 * unload and the error path of init share them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include "alloc.h"
#include "kmem_demo.h"
#include "params.h"
#include "pure.h"
#include "region.h"
#include "slack.h"

/* What the module allocated when it loaded: one region per allocator. */
static struct kd_core {
	struct kd_region r_kmalloc, r_vmalloc, r_pages, r_cache;
	unsigned int page_order;	/* the order used, not the parameter */
	struct kmem_cache *cache;
	unsigned int obj_align;		/* alignment the cache gives objects */
	unsigned int obj_slot;		/* bytes per object in a slab */
	unsigned long nr_objects;
	struct list_head objects;	/* struct kd_obj, oldest first */
	struct kd_obj **by_id;		/* the same, by id: the report's items */
} kd_core = {
	.r_kmalloc = { .label = "kmalloc", .mem = KD_MEM_SLAB },
	.r_vmalloc = { .label = "vmalloc", .mem = KD_MEM_VMALLOC },
	.r_pages = { .label = "__get_free_pages", .mem = KD_MEM_PAGES },
	.r_cache = { .label = "kmem_cache", .mem = KD_MEM_OBJECTS },
	.objects = LIST_HEAD_INIT(kd_core.objects),
};

struct kmem_cache *kd_cache(void)
{
	return kd_core.cache;
}

unsigned int kd_cache_slot(void)
{
	return kd_core.obj_slot;
}

/*
 * %p, not %pK: %pK checks the task printing (root, at insmod), so under
 * kptr_restrict=1 the real address would reach a log others may read.
 */
static void kd_log_alloc(const struct kd_desc *d)
{
	char req[48], res[48];

	kd_fmt_size(req, sizeof(req), d->requested);
	kd_fmt_size(res, sizeof(res), d->reserved);
	pr_info("%s: requested %s, reserved %s, at %p (%s)\n",
		d->allocator, req, res, d->addr,
		d->in_vmalloc ? "vmalloc space" : "direct map");
}

/* ---- kmalloc ---- */

int kd_alloc_kmalloc(void)
{
	struct kd_desc *d = &kd_core.r_kmalloc.d;
	size_t size = kd_param(kmalloc_size);
	void *buf;

	if (kd_should_fail(KD_STEP_KMALLOC))	/* fail_step=1 */
		return -ENOMEM;
	buf = kmalloc(size, GFP_KERNEL | __GFP_ZERO);
	if (!buf)
		return -ENOMEM;

	/* What it got, for the report: the flags as passed above. */
	d->allocator = "kmalloc";
	d->gfp = GFP_KERNEL | __GFP_ZERO;
	d->requested = size;
	snprintf(d->call, sizeof(d->call), "kmalloc(%zu, %pGg)", size, &d->gfp);
	kd_got_kmalloc(d, buf);
	kd_region_publish(&kd_core.r_kmalloc);
	kd_log_alloc(d);
	return 0;
}

void kd_free_kmalloc(void)
{
	struct kd_desc *d = &kd_core.r_kmalloc.d;

	if (!d->addr)
		return;
	kd_region_withdraw(&kd_core.r_kmalloc);
	kfree(d->addr);
	d->addr = NULL;
	kd_describe_free(d);
	pr_info("kfree: kmalloc buffer freed\n");
}

/* ---- vmalloc ---- */

/*
 * noinline and not __init: /proc/vmallocinfo names the function that called
 * vmalloc.  Code in __init is discarded after loading, so the area would
 * then show a bare address instead of kd_alloc_vmalloc+0x.../0x... [kmem_demo].
 */
noinline int kd_alloc_vmalloc(void)
{
	struct kd_desc *d = &kd_core.r_vmalloc.d;
	size_t size = kd_param(vmalloc_size);
	void *buf;

	if (kd_should_fail(KD_STEP_VMALLOC))	/* fail_step=2 */
		return -ENOMEM;
	/* vzalloc(size) is the same call: __vmalloc() names the flags. */
	buf = __vmalloc(size, GFP_KERNEL | __GFP_ZERO);
	if (!buf)
		return -ENOMEM;

	d->allocator = "vmalloc";
	d->gfp = GFP_KERNEL | __GFP_ZERO;
	d->requested = size;
	snprintf(d->call, sizeof(d->call), "__vmalloc(%zu, %pGg)", size, &d->gfp);
	if (kd_got_vmalloc(d, buf)) {
		/* The caller unwinds only the steps before this one. */
		vfree(buf);
		d->addr = NULL;
		return -ENOMEM;
	}
	kd_region_publish(&kd_core.r_vmalloc);
	kd_log_alloc(d);
	return 0;
}

void kd_free_vmalloc(void)
{
	struct kd_desc *d = &kd_core.r_vmalloc.d;

	if (!d->addr)
		return;
	kd_region_withdraw(&kd_core.r_vmalloc);
	vfree(d->addr);
	d->addr = NULL;
	kd_describe_free(d);
	pr_info("vfree: vmalloc area freed\n");
}

/* ---- __get_free_pages ---- */

int kd_alloc_pages(void)
{
	struct kd_desc *d = &kd_core.r_pages.d;
	unsigned int order = kd_param(page_order);
	unsigned long addr;

	if (kd_should_fail(KD_STEP_PAGES))	/* fail_step=3 */
		return -ENOMEM;
	addr = __get_free_pages(GFP_KERNEL | __GFP_ZERO, order);
	if (!addr)
		return -ENOMEM;
	/* Remember the order used: free_pages() must get the same one back. */
	kd_core.page_order = order;
	kd_pages_taken(order);

	d->allocator = "__get_free_pages";
	d->gfp = GFP_KERNEL | __GFP_ZERO;
	d->requested = PAGE_SIZE << order;
	snprintf(d->call, sizeof(d->call), "__get_free_pages(%pGg, %u)",
		 &d->gfp, order);
	kd_got_pages(d, virt_to_page((void *)addr), order);
	kd_region_publish(&kd_core.r_pages);
	kd_log_alloc(d);
	return 0;
}

void kd_free_pages(void)
{
	struct kd_desc *d = &kd_core.r_pages.d;
	unsigned int order = kd_core.page_order;

	if (!d->addr)
		return;
	kd_region_withdraw(&kd_core.r_pages);
	free_pages((unsigned long)d->addr, order);
	kd_pages_given(order);
	d->addr = NULL;
	kd_describe_free(d);
	pr_info("free_pages: %lu pages (order %u) freed\n", 1UL << order, order);
}

/* ---- the kmem_cache and its objects ---- */

/* The cache's own facts: what slab made of a request for 48-byte objects. */
static void kd_cache_body(struct seq_file *m, const struct kd_region *r)
{
	unsigned int size = kmem_cache_size(kd_core.cache);

	seq_printf(m, "alloc:       kmem_cache_alloc(cache, %pGg) x %lu\n",
		   &r->d.gfp, kd_core.nr_objects);
	seq_printf(m, "name:        %s\n", KD_NAME);
	seq_printf(m, "object_size: %zu (sizeof(struct kd_obj))\n",
		   sizeof(struct kd_obj));
	/*
	 * A merge into a cache of larger objects shows here; one into a
	 * cache of 48-byte objects does not (sysfs says: kmem_demo is then a
	 * link to it), so an equal size claims nothing.
	 */
	if (size == sizeof(struct kd_obj))
		seq_printf(m, "cache_size:  %u (kmem_cache_size())\n", size);
	else
		seq_printf(m, "cache_size:  %u (kmem_cache_size(): merged into an existing cache of %u-byte objects)\n",
			   size, size);
	seq_printf(m, "align:       %u (SLAB_HWCACHE_ALIGN, cache line %u)\n",
		   kd_core.obj_align, cache_line_size());
	seq_printf(m, "slot_size:   %u (without slub_debug metadata)\n",
		   kd_core.obj_slot);
	seq_printf(m, "objects:     %lu\n", kd_core.nr_objects);
}

static unsigned long kd_cache_nr_items(const struct kd_region *r)
{
	return kd_core.nr_objects;
}

/* One line per object, after the section. */
static void kd_cache_item(struct seq_file *m, const struct kd_region *r,
			  unsigned long i)
{
	const struct kd_obj *o = kd_core.by_id[i];

	seq_printf(m, "object %u: tag=%s cpu=%u born_ns=%llu address=",
		   o->id, o->tag, o->cpu, o->born_ns);
	kd_seq_addr(m, o);
	seq_putc(m, '\n');
}

static const struct kd_region_ops kd_cache_ops = {
	.body		= kd_cache_body,
	.nr_items	= kd_cache_nr_items,
	.item		= kd_cache_item,
};

int kd_create_cache(void)
{
	struct kd_desc *d = &kd_core.r_cache.d;
	unsigned int size = sizeof(struct kd_obj);

	d->allocator = "kmem_cache";
	d->gfp = GFP_KERNEL | __GFP_ZERO;
	snprintf(d->call, sizeof(d->call),
		 "kmem_cache_create(\"%s\", %u, 0, SLAB_HWCACHE_ALIGN, NULL)",
		 KD_NAME, size);

	if (kd_should_fail(KD_STEP_CACHE))	/* fail_step=4 */
		return -ENOMEM;
	/*
	 * SLAB_HWCACHE_ALIGN: start objects on cache-line boundaries so two
	 * CPUs working on neighbouring objects don't share a line.  The cost
	 * is padding, shown in the report as the slot size.
	 */
	kd_core.cache = kmem_cache_create(KD_NAME, size, 0, SLAB_HWCACHE_ALIGN, NULL);
	if (!kd_core.cache)
		return -ENOMEM;
	kd_core.obj_align = kd_hwcache_align(size, cache_line_size());
	kd_core.obj_slot = kd_slot_size(size, kd_core.obj_align);
	pr_info("kmem_cache: created \"%s\", %u-byte objects in %u-byte slots\n",
		KD_NAME, size, kd_core.obj_slot);
	return 0;
}

void kd_destroy_cache(void)
{
	if (!kd_core.cache)
		return;
	/* Every object must be back first, or slab reports them as leaked. */
	kmem_cache_destroy(kd_core.cache);
	kd_core.cache = NULL;
	pr_info("kmem_cache_destroy: cache \"%s\" destroyed\n", KD_NAME);
}

/*
 * Where the objects are: their zones, nodes and slab pages.  The list is
 * the driver's own structure; an array of the same objects, kept while
 * they live, lets the describer take them all at once and the report find
 * object i without walking the list.
 */
static int kd_describe_cache(struct kd_desc *d)
{
	struct kd_obj *obj;
	unsigned long i = 0;

	kd_core.by_id = kvmalloc_array(kd_core.nr_objects,
				       sizeof(*kd_core.by_id), GFP_KERNEL);
	if (!kd_core.by_id)
		return -ENOMEM;
	list_for_each_entry(obj, &kd_core.objects, node)
		kd_core.by_id[i++] = obj;
	return kd_describe_objects(d, (void *const *)kd_core.by_id, i);
}

int kd_alloc_objects(void)
{
	struct kd_region *r = &kd_core.r_cache;
	unsigned long n = kd_param(cache_objects);
	struct kd_obj *obj;
	unsigned long i;

	for (i = 0; i < n; i++) {
		/* fail_step=5 fails the last object: the others need undoing. */
		if (i == n - 1 && kd_should_fail(KD_STEP_OBJECTS))
			return -ENOMEM;
		obj = kmem_cache_alloc(kd_core.cache, GFP_KERNEL | __GFP_ZERO);
		if (!obj)
			return -ENOMEM;
		obj->id = i;
		obj->cpu = raw_smp_processor_id();
		obj->born_ns = ktime_get_ns();
		/* At most 10 digits: "obj-" + u32 always fits the 16-byte tag. */
		snprintf(obj->tag, sizeof(obj->tag), "obj-%04u", obj->id);
		list_add_tail(&obj->node, &kd_core.objects);
		kd_core.nr_objects++;
	}
	r->d.requested = n * sizeof(struct kd_obj);
	r->d.reserved = n * kd_core.obj_slot;
	if (kd_describe_cache(&r->d))
		return -ENOMEM;		/* the caller's unwinding frees them */
	kd_explain_objects(&r->d, KD_NAME, sizeof(struct kd_obj),
			   kd_core.obj_slot);
	r->ops = &kd_cache_ops;
	kd_region_publish(r);
	pr_info("kmem_cache: %lu objects allocated, %zu bytes in %zu bytes of slots\n",
		n, r->d.requested, r->d.reserved);
	return 0;
}

void kd_free_objects(void)
{
	struct kd_obj *obj, *tmp;
	unsigned long n = kd_core.nr_objects;

	if (!n)
		return;
	kd_region_withdraw(&kd_core.r_cache);
	kvfree(kd_core.by_id);
	kd_core.by_id = NULL;
	list_for_each_entry_safe(obj, tmp, &kd_core.objects, node) {
		list_del(&obj->node);
		kmem_cache_free(kd_core.cache, obj);
	}
	kd_core.nr_objects = 0;
	kd_core.r_cache.d.addr = NULL;
	kd_describe_free(&kd_core.r_cache.d);
	pr_info("kmem_cache_free: %lu objects freed\n", n);
}
