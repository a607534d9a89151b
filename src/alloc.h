/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: the four load-time allocations (alloc.c), the tutorial's core.
 */
#ifndef KMEM_DEMO_ALLOC_H
#define KMEM_DEMO_ALLOC_H

#include <linux/list.h>
#include <linux/types.h>

/* One object of the module's own cache. */
struct kd_obj {
	struct list_head node;	/* on the module's list of its objects */
	u32 id;			/* 0 .. cache_objects - 1 */
	u32 cpu;		/* CPU that allocated it */
	u64 born_ns;		/* ktime_get_ns() when allocated */
	char tag[16];		/* "obj-0000" */
};

/* Each allocates, describes and publishes its region; 0 or -ENOMEM. */
int kd_alloc_kmalloc(void);
int kd_alloc_vmalloc(void);
int kd_alloc_pages(void);
int kd_create_cache(void);
int kd_alloc_objects(void);
/* Each is safe to call whether or not its allocation happened. */
void kd_free_kmalloc(void);
void kd_free_vmalloc(void);
void kd_free_pages(void);
void kd_destroy_cache(void);
void kd_free_objects(void);

/* The cache, for the lab and the benchmark, which allocate from it too. */
struct kmem_cache *kd_cache(void);
/* Bytes one object occupies in a slab of the cache. */
unsigned int kd_cache_slot(void);

#endif /* KMEM_DEMO_ALLOC_H */
