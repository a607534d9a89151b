// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: why an allocation reserved more than it asked for.
 *
 * Every allocator hands out memory in units of its own, and the slack is
 * the rounding up to that unit:
 *  - kmalloc up to KMALLOC_MAX_CACHE_SIZE serves each request from a slab
 *    cache of one size class, the smallest that fits (kmalloc-8 ...
 *    kmalloc-8k), picked by the flags too: dma-kmalloc-N for GFP_DMA,
 *    kmalloc-rcl-N for __GFP_RECLAIMABLE, kmalloc-cg-N for __GFP_ACCOUNT
 *    (5.14+).  No class is smaller than KMALLOC_MIN_SIZE, the alignment
 *    DMA needs on some architectures.  Above the largest class, kmalloc
 *    takes whole pages, a power of two of them, from the page allocator.
 *  - vmalloc maps whole pages, and kvmalloc may map whole huge blocks
 *    (PMD, or on arm64 contiguous-PTE); beside the area it spends an array
 *    of page pointers and an unmapped guard page of address space.
 *  - The buddy allocator's blocks are 2^order pages: asked in pages, no
 *    slack.
 *  - A kmem_cache puts each object in a slot of its cache's alignment.
 * KFENCE, where it samples an allocation, gives exactly the bytes asked
 * for, on a page of its own.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "pure.h"
#include "slack.h"

static void kd_explain_start(struct kd_desc *d)
{
	d->served_by[0] = '\0';
	memset(&d->slack, 0, sizeof(d->slack));
	memset(&d->extra, 0, sizeof(d->extra));
}

/* The kmalloc caches' names as the kernel's kmalloc_type() picks them. */
static const char *kd_kmalloc_prefix(gfp_t gfp)
{
	if (IS_ENABLED(CONFIG_ZONE_DMA) && (gfp & __GFP_DMA))
		return "dma-kmalloc-";
	if (gfp & __GFP_RECLAIMABLE)
		return "kmalloc-rcl-";
	if (KD_KMALLOC_CG && (gfp & __GFP_ACCOUNT))
		return "kmalloc-cg-";
	return "kmalloc-";
}

/* Whole pages from the page allocator: above kmalloc's largest class. */
static void kd_explain_kmalloc_large(struct kd_desc *d)
{
	size_t pages = PAGE_ALIGN(d->requested);

	snprintf(d->served_by, sizeof(d->served_by),
		 "the page allocator, %zu pages: above %lu, kmalloc's largest size class",
		 d->reserved >> PAGE_SHIFT, (unsigned long)KMALLOC_MAX_CACHE_SIZE);
	kd_parts_add(&d->slack, "slack_pages", pages - d->requested,
		     "whole pages of %lu bytes: %zu of them hold %zu", PAGE_SIZE,
		     pages >> PAGE_SHIFT, d->requested);
	if (d->reserved > pages && d->kept_slot)
		kd_parts_add(&d->slack, "slack_kept", d->reserved - pages,
			     "krealloc kept the %zu pages it had: a smaller size does not move",
			     d->reserved >> PAGE_SHIFT);
	else if (d->reserved > pages)
		kd_parts_add(&d->slack, "slack_order", d->reserved - pages,
			     "order %u: a power of two of pages, %zu for %zu",
			     get_order(d->reserved), d->reserved >> PAGE_SHIFT,
			     pages >> PAGE_SHIFT);
}

void kd_explain_kmalloc(struct kd_desc *d)
{
	const char *prefix = kd_kmalloc_prefix(d->gfp);
	struct page *slab;
	char name[32];

	kd_explain_start(d);
	if (kd_is_kfence(d->addr)) {
		strscpy(d->served_by,
			"KFENCE: a sampled allocation on a guarded page of its own, exactly the bytes asked for",
			sizeof(d->served_by));
		return;
	}
	if (d->requested > KMALLOC_MAX_CACHE_SIZE) {
		kd_explain_kmalloc_large(d);
		return;
	}
	kd_slack_kmalloc(&d->slack, d->requested, d->reserved, KMALLOC_MIN_SIZE,
			 d->kept_slot);
	kd_kmalloc_name(name, sizeof(name), prefix, d->reserved);
	/* Random copies are of the plain caches only, one per call site. */
	snprintf(d->served_by, sizeof(d->served_by), "%s, a slab cache of %zu-byte objects%s",
		 name, d->reserved,
		 KD_RANDOM_KMALLOC && !strcmp(prefix, "kmalloc-") ?
		 " (or a random copy, kmalloc-rnd-NN-...)" : "");
	/* The slab (a compound page) this object shares with its class. */
	slab = virt_to_head_page(d->addr);
	kd_parts_add(&d->extra, "extra_slab", page_size(slab) - d->reserved,
		     "the rest of its %lu-byte slab, shared with other %s objects",
		     page_size(slab), name);
}

/* The blocks a huge vmalloc mapping may use, largest first. */
static const unsigned long kd_vmalloc_blocks[] = {
	PMD_SIZE,
#ifdef CONT_PTE_SIZE
	CONT_PTE_SIZE,
#endif
};

/*
 * The blocks a huge vmalloc mapping (kvmalloc allows them) used: PMD
 * blocks for an area of at least PMD_SIZE per node, and on arm64 smaller
 * areas in contiguous-PTE blocks (CONT_PTE_SIZE: 64 KiB with 4 KiB pages).
 * Each block is physically contiguous and aligned to its size, and so is
 * its place in the area.  An area rounded up to whole blocks says so by
 * its rounding and its first run.  One of whole blocks already has no
 * rounding: there every run of its frames starts on a block and holds
 * whole ones, and so does its address, which order-0 pages do only by
 * chance.  0: neither fits (said as such).
 */
static unsigned long kd_vmalloc_block(const struct kd_desc *d)
{
	const struct kd_frames *f = &d->frames;
	size_t pages = PAGE_ALIGN(d->requested);
	unsigned long n, size;
	unsigned int i, r;

	if (!f->listed)
		return 0;
	for (i = 0; i < ARRAY_SIZE(kd_vmalloc_blocks); i++) {
		size = kd_vmalloc_blocks[i];
		n = size >> PAGE_SHIFT;
		if (d->reserved > pages) {
			if (ALIGN(pages, size) == d->reserved &&
			    IS_ALIGNED(f->run[0].pfn, n) && f->run[0].pages >= n)
				return size;
			continue;
		}
		if (!d->huge_ok || f->listed != f->sum.runs ||
		    !IS_ALIGNED(d->reserved, size) ||
		    !IS_ALIGNED((unsigned long)d->addr, size))
			continue;
		for (r = 0; r < f->listed; r++)
			if (!IS_ALIGNED(f->run[r].pfn, n) ||
			    !IS_ALIGNED(f->run[r].pages, n))
				break;
		if (r == f->listed)
			return size;
	}
	return 0;
}

/* "2 MiB", "64 KiB": a block's size. */
static void kd_fmt_block(char *buf, size_t len, unsigned long bytes)
{
	if (bytes >= SZ_1M)
		snprintf(buf, len, "%lu MiB", bytes >> 20);
	else
		snprintf(buf, len, "%lu KiB", bytes >> 10);
}

void kd_explain_vmalloc(struct kd_desc *d)
{
	size_t pages = PAGE_ALIGN(d->requested);
	unsigned long nr = d->reserved >> PAGE_SHIFT;
	size_t array = nr * sizeof(struct page *);
	unsigned long block = 0;
	char name[32], size[24];

	kd_explain_start(d);
	if (d->reserved > pages || d->huge_ok)
		block = kd_vmalloc_block(d);
	kd_fmt_block(size, sizeof(size), block);
	if (!block && d->reserved <= pages)
		snprintf(d->served_by, sizeof(d->served_by),
			 "vmalloc, %lu pages mapped one by one", nr);
	else if (block == PMD_SIZE)
		snprintf(d->served_by, sizeof(d->served_by),
			 "vmalloc, %lu pages mapped in huge (PMD) blocks of %s",
			 nr, size);
	else if (block)
		snprintf(d->served_by, sizeof(d->served_by),
			 "vmalloc, %lu pages mapped in contiguous-PTE blocks of %s",
			 nr, size);
	else
		snprintf(d->served_by, sizeof(d->served_by),
			 "vmalloc, %lu pages mapped in blocks larger than a page",
			 nr);
	kd_parts_add(&d->slack, "slack_pages", pages - d->requested,
		     "whole pages: vmalloc maps pages of %lu bytes", PAGE_SIZE);
	if (block && d->reserved > pages)
		kd_parts_add(&d->slack, "slack_huge", d->reserved - pages,
			     "whole %s blocks: kvmalloc allows huge mappings",
			     size);
	else if (d->reserved > pages)
		kd_parts_add(&d->slack, "slack_huge", d->reserved - pages,
			     "whole blocks: kvmalloc allows huge mappings");
	/* vmalloc keeps its pages in an array: kmalloc'd, or vmalloc'd if large. */
	if (array > PAGE_SIZE) {
		kd_parts_add(&d->extra, "extra_array", PAGE_ALIGN(array),
			     "vmalloc's array of %lu page pointers, vmalloc'd itself",
			     nr);
	} else {
		size_t class = kd_kmalloc_class(array, KMALLOC_MIN_SIZE);

		kd_kmalloc_name(name, sizeof(name), "kmalloc-", class);
		kd_parts_add(&d->extra, "extra_array", class,
			     "vmalloc's array of %lu page pointers, in %s", nr,
			     name);
	}
	kd_parts_add(&d->extra, "extra_guard", PAGE_SIZE,
		     "address space only: the unmapped guard page after the area");
}

void kd_explain_pages(struct kd_desc *d, unsigned int order)
{
	kd_explain_start(d);
	snprintf(d->served_by, sizeof(d->served_by),
		 "the buddy allocator, a block of 2^%u = %lu pages aligned to its size",
		 order, 1UL << order);
}

void kd_explain_objects(struct kd_desc *d, const char *cache,
			unsigned int size, unsigned int slot)
{
	size_t slabs = d->frames.sum.pages << PAGE_SHIFT;

	kd_explain_start(d);
	snprintf(d->served_by, sizeof(d->served_by),
		 "%s, a slab cache of %u-byte objects in %u-byte slots", cache,
		 size, slot);
	kd_parts_add(&d->slack, "slack_align", d->reserved - d->requested,
		     "SLAB_HWCACHE_ALIGN: each %u-byte object in a %u-byte slot",
		     size, slot);
	if (slabs > d->reserved)
		kd_parts_add(&d->extra, "extra_slab", slabs - d->reserved,
			     "the rest of the %zu bytes of slab holding them: other objects, tails, debug metadata",
			     slabs);
}

/* ---- what a call got: reserved, described, explained ---- */

void kd_got_kmalloc(struct kd_desc *d, void *p)
{
	d->addr = p;
	/*
	 * kmalloc serves a request from the smallest size class that fits
	 * (8, 16, ... 96, 192, ... 8 KiB), and bigger ones from whole pages:
	 * ksize() tells what it really set aside.
	 */
	d->reserved = ksize(p);
	kd_describe_linear(d);
	kd_explain_kmalloc(d);
}

int kd_got_vmalloc(struct kd_desc *d, void *p)
{
	int ret;

	d->addr = p;
	/* Whole pages, or whole huge blocks where kvmalloc allowed them. */
	d->reserved = kd_vmalloc_reserved(p, d->requested);
	ret = kd_describe_vmalloc(d);
	if (!ret)
		kd_explain_vmalloc(d);
	return ret;
}

void kd_got_pages(struct kd_desc *d, struct page *page, unsigned int order)
{
	/* 64-bit: every page, highmem-flagged or not, is in the direct map. */
	d->addr = page_address(page);
	d->reserved = PAGE_SIZE << order;
	kd_describe_linear(d);
	kd_explain_pages(d, order);
}

int kd_got_pinned(struct kd_desc *d, void *va, unsigned long offset,
		  unsigned long nr)
{
	int ret;

	d->addr = va + offset;
	d->reserved = nr << PAGE_SHIFT;
	ret = kd_describe_vmalloc(d);
	if (ret)
		return ret;
	snprintf(d->served_by, sizeof(d->served_by),
		 "the writer's own pages, %lu pinned by pin_user_pages_fast() and mapped for the kernel by vmap()",
		 nr);
	kd_parts_add(&d->slack, "slack_pages", d->reserved - d->requested,
		     "whole pages: a pin holds every page the range touches");
	kd_parts_add(&d->extra, "extra_guard", PAGE_SIZE,
		     "address space only: the unmapped guard page after the vmap() area");
	return 0;
}

/*
 * The per-CPU allocator hands out 4-byte units (PCPU_MIN_ALLOC_SIZE) in
 * chunks that hold one unit of memory per CPU: an allocation is a copy
 * at the same offset in every possible CPU's unit, found by
 * per_cpu_ptr(p, cpu).  The first chunk is embedded in the direct map at
 * boot; when it is full the allocator vmallocs more.
 */
int kd_got_percpu(struct kd_desc *d, void __percpu *p, size_t size)
{
	unsigned int ncpu = num_possible_cpus();
	size_t unit = ALIGN(size, PCPU_MIN_ALLOC_SIZE);
	int ret;

	d->requested = size * ncpu;
	d->reserved = unit * ncpu;
	ret = kd_describe_percpu(d, p, size);
	if (ret)
		return ret;
	kd_explain_start(d);
	snprintf(d->served_by, sizeof(d->served_by),
		 "the per-CPU allocator: a copy per possible CPU (%u), in %s", ncpu,
		 d->in_vmalloc ? "a chunk it vmalloc'd" :
		 "its first chunk (direct map, set up at boot)");
	kd_parts_add(&d->slack, "slack_align", d->reserved - d->requested,
		     "per-CPU memory comes in %lu-byte units: %zu for %zu in each of %u copies",
		     (unsigned long)PCPU_MIN_ALLOC_SIZE, unit, size, ncpu);
	return 0;
}

/*
 * A mempool's elements, in its reserve or handed out: @n buffers of @size
 * bytes, each kmalloc'd on its own by the pool's mempool_kmalloc(), so
 * each takes a @slot-byte slot of its size class, as a kmalloc does
 * (KFENCE's exactly @size).  Never ksize() of one: while in the reserve
 * an element is free memory to KASAN and slub_debug, which poison it.
 */
int kd_got_mempool(struct kd_desc *d, void *const *objs, unsigned long n,
		   size_t size, size_t slot)
{
	unsigned long i;
	int ret;

	d->requested = n * size;
	d->reserved = 0;
	for (i = 0; i < n; i++)
		d->reserved += kd_is_kfence(objs[i]) ? size : slot;
	ret = kd_describe_objects(d, objs, n);
	if (ret)
		return ret;
	kd_explain_start(d);
	snprintf(d->served_by, sizeof(d->served_by),
		 "kmalloc, through the pool's mempool_kmalloc(): %lu elements of %zu bytes, each in a slot of its own",
		 n, size);
	kd_parts_add(&d->slack, "slack_class", d->reserved - d->requested,
		     "kmalloc rounds each %zu-byte element up to its size class, %zu",
		     size, slot);
	return 0;
}
