/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: why an allocation reserved more than it asked for (slack.c).
 *
 * Each fills in d->served_by, d->slack and d->extra from what the
 * allocation got (d->requested, d->reserved, d->gfp, d->addr, d->frames),
 * once, right after it is described; the report prints them.
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

#endif /* KMEM_DEMO_SLACK_H */
