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
 * context only (init/exit here); __GFP_ZERO hands out zeroed memory, so the
 * report can never show stale kernel data.
 *
 * Every free here is safe to call whether or not its allocation happened:
 * unload and the error path of init share them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cache.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>

#include "kmem_demo.h"

struct kd_state kd = {
	.objects = LIST_HEAD_INIT(kd.objects),
};

static void kd_log_alloc(const struct kd_region *r)
{
	char req[48], res[48];

	kd_fmt_size(req, sizeof(req), r->requested);
	kd_fmt_size(res, sizeof(res), r->reserved);
	pr_info("%s: requested %s, reserved %s, at %pK (%s)\n",
		r->allocator, req, res, r->addr,
		r->in_vmalloc ? "vmalloc space" : "direct map");
}

int kd_alloc_kmalloc(void)
{
	struct kd_region *r = &kd.region[KD_KMALLOC];
	size_t size = kd_param(kmalloc_size);
	void *p;

	r->allocator = "kmalloc";
	r->gfp = GFP_KERNEL | __GFP_ZERO;
	r->requested = size;
	snprintf(r->call, sizeof(r->call), "kmalloc(%zu, %pGg)", size, &r->gfp);

	p = kd_should_fail(KD_STEP_KMALLOC) ? NULL : kmalloc(size, r->gfp);
	if (!p)
		return -ENOMEM;
	r->addr = p;
	/*
	 * kmalloc serves a request from the smallest size class that fits
	 * (8, 16, ... 96, 192, ... 8 KiB), and bigger ones from whole pages:
	 * ksize() tells what we really got.
	 */
	r->reserved = ksize(p);
	kd_describe_linear(r);
	kd_log_alloc(r);
	return 0;
}

void kd_free_kmalloc(void)
{
	struct kd_region *r = &kd.region[KD_KMALLOC];

	if (!r->addr)
		return;
	kfree(r->addr);
	r->addr = NULL;
	pr_info("kfree: kmalloc buffer freed\n");
}

/*
 * noinline and not __init: /proc/vmallocinfo names the function that called
 * vmalloc.  Code in __init is discarded after loading, so the area would
 * then show a bare address instead of kd_alloc_vmalloc+0x.../0x... [kmem_demo].
 */
noinline int kd_alloc_vmalloc(void)
{
	struct kd_region *r = &kd.region[KD_VMALLOC];
	size_t size = kd_param(vmalloc_size);
	void *p;

	r->allocator = "vmalloc";
	r->gfp = GFP_KERNEL | __GFP_ZERO;
	r->requested = size;
	snprintf(r->call, sizeof(r->call), "__vmalloc(%zu, %pGg)", size, &r->gfp);

	p = kd_should_fail(KD_STEP_VMALLOC) ? NULL : __vmalloc(size, r->gfp);
	if (!p)
		return -ENOMEM;
	r->addr = p;
	/* vmalloc maps whole pages (and leaves one unmapped guard page after). */
	r->reserved = PAGE_ALIGN(size);
	if (kd_describe_vmalloc(r)) {
		/* The caller unwinds only the steps before this one. */
		kd_free_vmalloc();
		return -ENOMEM;
	}
	kd_log_alloc(r);
	return 0;
}

void kd_free_vmalloc(void)
{
	struct kd_region *r = &kd.region[KD_VMALLOC];

	if (!r->addr)
		return;
	vfree(r->addr);
	r->addr = NULL;
	kd_map_free(r);
	pr_info("vfree: vmalloc area freed\n");
}

int kd_alloc_pages(void)
{
	struct kd_region *r = &kd.region[KD_PAGES];
	unsigned int order = kd_param(page_order);
	unsigned long addr;

	r->allocator = "__get_free_pages";
	r->gfp = GFP_KERNEL | __GFP_ZERO;
	r->requested = PAGE_SIZE << order;
	snprintf(r->call, sizeof(r->call), "__get_free_pages(%pGg, %u)",
		 &r->gfp, order);

	addr = kd_should_fail(KD_STEP_PAGES) ? 0 :
	       __get_free_pages(r->gfp, order);
	if (!addr)
		return -ENOMEM;
	/* Remember the order used: free_pages() must get the same one back. */
	kd.page_order = order;
	kd.pages_allocated += 1UL << order;
	r->addr = (void *)addr;
	r->reserved = PAGE_SIZE << order;
	kd_describe_linear(r);
	kd_log_alloc(r);
	return 0;
}

void kd_free_pages(void)
{
	struct kd_region *r = &kd.region[KD_PAGES];

	if (!r->addr)
		return;
	free_pages((unsigned long)r->addr, kd.page_order);
	kd.pages_freed += 1UL << kd.page_order;
	r->addr = NULL;
	pr_info("free_pages: %lu pages (order %u) freed\n",
		1UL << kd.page_order, kd.page_order);
}

int kd_create_cache(void)
{
	struct kd_region *r = &kd.region[KD_CACHE];
	unsigned int size = sizeof(struct kd_obj);

	r->allocator = "kmem_cache";
	r->gfp = GFP_KERNEL | __GFP_ZERO;
	snprintf(r->call, sizeof(r->call),
		 "kmem_cache_create(\"%s\", %u, 0, SLAB_HWCACHE_ALIGN, NULL)",
		 KD_NAME, size);

	/*
	 * SLAB_HWCACHE_ALIGN: start objects on cache-line boundaries so two
	 * CPUs working on neighbouring objects don't share a line.  The cost
	 * is padding, shown in the report as the slot size.
	 */
	kd.cache = kd_should_fail(KD_STEP_CACHE) ? NULL :
		   kmem_cache_create(KD_NAME, size, 0, SLAB_HWCACHE_ALIGN, NULL);
	if (!kd.cache)
		return -ENOMEM;
	kd.obj_align = kd_hwcache_align(size, cache_line_size());
	kd.obj_slot = kd_slot_size(size, kd.obj_align);
	pr_info("kmem_cache: created \"%s\", %u-byte objects in %u-byte slots\n",
		KD_NAME, size, kd.obj_slot);
	return 0;
}

void kd_destroy_cache(void)
{
	if (!kd.cache)
		return;
	/* Every object must be back first, or slab reports them as leaked. */
	kmem_cache_destroy(kd.cache);
	kd.cache = NULL;
	pr_info("kmem_cache_destroy: cache \"%s\" destroyed\n", KD_NAME);
}

/* The slab pages that hold the objects, for the map. */
static int kd_map_objects(struct kd_region *r)
{
	unsigned long *pfn, i = 0;
	struct kd_obj *obj;
	int ret;

	pfn = kvmalloc_array(kd.nr_objects, sizeof(*pfn), GFP_KERNEL);
	if (!pfn)
		return -ENOMEM;
	list_for_each_entry(obj, &kd.objects, node)
		pfn[i++] = kd_map_slab_pfn(obj);
	ret = kd_map_slab(r, pfn, i);
	kvfree(pfn);
	return ret;
}

int kd_alloc_objects(void)
{
	struct kd_region *r = &kd.region[KD_CACHE];
	unsigned long n = kd_param(cache_objects);
	struct kd_obj *obj;
	unsigned long i;

	for (i = 0; i < n; i++) {
		/* fail_step fails the last object, so the others need undoing. */
		obj = (i == n - 1 && kd_should_fail(KD_STEP_OBJECTS)) ? NULL :
		      kmem_cache_alloc(kd.cache, r->gfp);
		if (!obj)
			return -ENOMEM;
		obj->id = i;
		obj->cpu = raw_smp_processor_id();
		obj->born_ns = ktime_get_ns();
		/* At most 10 digits: "obj-" + u32 always fits the 16-byte tag. */
		snprintf(obj->tag, sizeof(obj->tag), "obj-%04u", obj->id);
		list_add_tail(&obj->node, &kd.objects);
		kd.nr_objects++;
	}
	r->requested = n * sizeof(struct kd_obj);
	r->reserved = n * kd.obj_slot;
	r->addr = list_first_entry(&kd.objects, struct kd_obj, node);
	/* Slab objects live in the direct map; note where their pages are. */
	kd_describe_init(r);
	list_for_each_entry(obj, &kd.objects, node)
		kd_note_zone(r, virt_to_page(obj));
	if (kd_map_objects(r))
		return -ENOMEM;		/* the caller's unwinding frees them */
	pr_info("kmem_cache: %lu objects allocated, %zu bytes in %zu bytes of slots\n",
		n, r->requested, r->reserved);
	return 0;
}

void kd_free_objects(void)
{
	struct kd_obj *obj, *tmp;
	unsigned long n = kd.nr_objects;

	if (!n)
		return;
	list_for_each_entry_safe(obj, tmp, &kd.objects, node) {
		list_del(&obj->node);
		kmem_cache_free(kd.cache, obj);
	}
	kd.nr_objects = 0;
	kd.region[KD_CACHE].addr = NULL;
	kd_map_free(&kd.region[KD_CACHE]);
	pr_info("kmem_cache_free: %lu objects freed\n", n);
}
