/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: what an allocation really got (describe.c).
 *
 * An allocator returns a pointer; struct kd_desc records everything behind
 * it, once, when the allocation is made: the call and its flags, the bytes
 * asked for and reserved, where it is mapped, the physical pages behind it
 * (their runs, zones and nodes) and, for the frame map, the runs
 * themselves.  Readers (the report, the map) only print these records.
 */
#ifndef KMEM_DEMO_DESCRIBE_H
#define KMEM_DEMO_DESCRIBE_H

#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/types.h>

#include "pure.h"

#define KD_RUNS_MAX	1024	/* runs stored per allocation, for the map */
#define KD_NODES_COUNTED 4	/* nodes counted one by one; the rest together */

/* How many pages (or objects) of an allocation one NUMA node holds. */
struct kd_node_count {
	int nid;
	unsigned long n;
};

struct kd_desc {
	const char *allocator;	/* kmalloc, vmalloc, __get_free_pages, ... */
	char call[192];		/* the call as the module made it */
	gfp_t gfp;		/* the flags really passed to the allocator */
	bool huge_ok;		/* vmalloc'd by kvmalloc, which allows huge mappings */
	bool kept_slot;		/* krealloc'd smaller in place: the old slot */
	size_t requested;	/* bytes the caller asked for */
	size_t reserved;	/* bytes the allocator set aside for it */
	bool has_roundup;	/* kmalloc_size_roundup() said, before the call: */
	size_t roundup;		/* ... this many bytes */
	const void *addr;
	bool in_vmalloc;	/* vmalloc space, not the direct map */
	bool contiguous;	/* physically contiguous by construction */
	unsigned long pfn_first, pfn_last;	/* meaningful if contiguous */
	phys_addr_t phys;	/* first byte's physical address, if contiguous */
	struct kd_runs runs;	/* backing pages and their physical runs */
	/* The zones the pages come from, in the order first met. */
	unsigned long zone_seen;	/* bit n: zone index n met */
	unsigned int nr_zones;
	const char *zone[MAX_NR_ZONES];	/* their names, e.g. DMA32, Normal */
	nodemask_t nodes;	/* NUMA nodes the pages come from */
	const char *node_unit;	/* what is counted per node: "page", "object" */
	unsigned int node_counted;	/* entries in node_count, by node number */
	struct kd_node_count node_count[KD_NODES_COUNTED];
	unsigned long node_rest;	/* on the nodes past those counted */
	struct kd_frames frames;	/* the runs, in the allocation's order */
	/* Why reserved exceeds requested (slack.c): */
	char served_by[KD_PART_WHY];	/* which allocator or cache served it */
	struct kd_parts slack;	/* the causes, summing to reserved - requested */
	struct kd_parts extra;	/* what the kernel spent beside it */
};

/*
 * Fill in the physical side of @d from d->addr and d->reserved (and, for
 * objects, the objects themselves).  Only the vmalloc and object forms
 * allocate (the list of runs): they fail with -ENOMEM, nothing kept.
 */
void kd_describe_linear(struct kd_desc *d);
int kd_describe_vmalloc(struct kd_desc *d);
int kd_describe_objects(struct kd_desc *d, void *const *objs, unsigned long n);
/* @size bytes at @p, a copy per possible CPU; and the page behind one. */
int kd_describe_percpu(struct kd_desc *d, void __percpu *p, size_t size);
struct page *kd_percpu_page(const void *p);
/* Copy @from to @to: a list of one run lives inside the description. */
void kd_describe_move(struct kd_desc *to, const struct kd_desc *from);
/* Release what a kd_describe_*() kept; safe to call again. */
void kd_describe_free(struct kd_desc *d);

/* Bytes a vmalloc area of @size bytes at @addr really maps. */
size_t kd_vmalloc_reserved(const void *addr, size_t size);

#endif /* KMEM_DEMO_DESCRIBE_H */
