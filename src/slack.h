/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: why an allocation reserved more than it asked for (slack.c).
 *
 * Each kd_explain_*() fills in d->served_by, d->slack and d->extra from
 * what the allocation got (d->requested, d->reserved, d->gfp, d->addr,
 * d->frames), once, right after it is described; the report prints them.
 * The kd_got_*() do both steps for a fresh allocation.
 */
#ifndef KMEM_DEMO_SLACK_H
#define KMEM_DEMO_SLACK_H

#include "describe.h"

/* kmalloc, and kvmalloc's kmalloc side: a size class, or whole pages. */
void kd_explain_kmalloc(struct kd_desc *d);
/* vmalloc, and kvmalloc's vmalloc side. */
void kd_explain_vmalloc(struct kd_desc *d);
/* A block of 2^@order pages from the buddy allocator. */
void kd_explain_pages(struct kd_desc *d, unsigned int order);
/* d->requested / @size objects of @cache, each in a @slot-byte slot. */
void kd_explain_objects(struct kd_desc *d, const char *cache,
			unsigned int size, unsigned int slot);

/*
 * What a call got, whole: the memory at @p (or @page) recorded in @d,
 * described (describe.c) and explained (above), for the load-time
 * allocations and the lab alike.  @d->requested is already set.  Only
 * the vmalloc form can fail (-ENOMEM: nothing kept, the memory still the
 * caller's to free).
 */
void kd_got_kmalloc(struct kd_desc *d, void *p);
int kd_got_vmalloc(struct kd_desc *d, void *p);
void kd_got_pages(struct kd_desc *d, struct page *page, unsigned int order);
/*
 * A process's pages pinned for the kernel and vmap()ped at @va: @nr pages,
 * the range starting @offset bytes into the first.
 */
int kd_got_pinned(struct kd_desc *d, void *va, unsigned long offset,
		  unsigned long nr);

/* @size bytes of per-CPU memory at @p: a copy for each possible CPU. */
int kd_got_percpu(struct kd_desc *d, void __percpu *p, size_t size);

/*
 * A mempool's @n elements of @size bytes at @objs, reserve and handed out,
 * in @slot-byte slots.
 */
int kd_got_mempool(struct kd_desc *d, void *const *objs, unsigned long n,
		   size_t size, size_t slot);

#endif /* KMEM_DEMO_SLACK_H */
