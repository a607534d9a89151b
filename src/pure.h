/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: pure helpers (pure.c).  Nothing here allocates or touches
 * kernel state, so the KUnit suite (kunit.c) tests every line of it.
 */
#ifndef KMEM_DEMO_PURE_H
#define KMEM_DEMO_PURE_H

#include <linux/types.h>

/* Parse an unsigned number and check min <= value <= max. */
int kd_parse_bounded(const char *val, unsigned long min, unsigned long max,
		     unsigned long *out);

/* Counts runs of consecutive page frame numbers, fed one PFN at a time. */
struct kd_runs {
	unsigned long pages;	/* PFNs seen */
	unsigned long runs;	/* maximal runs of consecutive PFNs */
	unsigned long longest;	/* pages in the longest run */
	unsigned long cur;	/* pages in the current run */
	unsigned long last;	/* last PFN seen */
};

void kd_runs_add(struct kd_runs *r, unsigned long pfn);

/* A physical run: @pages consecutive page frames from @pfn on. */
struct kd_run {
	unsigned long pfn;
	unsigned long pages;
};

/*
 * An allocation's frames as runs, fed one PFN at a time in the order the
 * allocation uses them.  @sum counts them all; only the first @max runs are
 * stored in @run (none while @run is NULL: a counting pass).
 */
struct kd_frames {
	struct kd_runs sum;
	struct kd_run *run;
	unsigned int max;	/* room in @run */
	unsigned int listed;	/* runs stored */
	struct kd_run one;	/* @run's storage when one run is all there is */
};

void kd_frames_add(struct kd_frames *f, unsigned long pfn);

/* The alignment SLAB_HWCACHE_ALIGN gives an object of @size bytes. */
unsigned int kd_hwcache_align(unsigned int size, unsigned int line);

/* Slot an object occupies in a slab: its size rounded up to @align. */
unsigned int kd_slot_size(unsigned int size, unsigned int align);

/* "8388608 (8 MiB)": exact bytes, plus binary units when they are exact. */
int kd_fmt_size(char *buf, size_t len, unsigned long bytes);

/*
 * kmalloc's size classes: the smallest that holds @size bytes when no class
 * is below @min (KMALLOC_MIN_SIZE).  Powers of two from 8 bytes, plus 96
 * and 192, which exist only while @min allows them (at most 32 and 64).
 */
size_t kd_kmalloc_class(size_t size, size_t min);

/* A kmalloc cache's name: @prefix ("kmalloc-") and "96", "1k", "2M". */
int kd_kmalloc_name(char *buf, size_t len, const char *prefix, size_t class);

/*
 * Where the bytes went, as the report lists them: each part a cause (its
 * key, its bytes, why).  An allocation's slack parts sum to reserved -
 * requested; its extra parts are memory or address space the kernel spent
 * beside it.
 */
#define KD_PARTS_MAX	3
#define KD_PART_WHY	112
#define KD_PART_KEY_MAX	11	/* "slack_class": the report's columns */

struct kd_part {
	const char *key;	/* the report's key: "slack_class", ... */
	size_t bytes;
	char why[KD_PART_WHY];
};

struct kd_parts {
	unsigned int n;
	struct kd_part part[KD_PARTS_MAX];
};

/* Add a part (a full list drops it); @bytes 0 adds nothing. */
__printf(4, 5)
void kd_parts_add(struct kd_parts *p, const char *key, size_t bytes,
		  const char *fmt, ...);
size_t kd_parts_sum(const struct kd_parts *p);

/*
 * The slack of a kmalloc served by a slab cache, @reserved being ksize():
 * the size class, then the classes missing under @min, then anything the
 * classes do not explain ("slack_other", which the tests require absent),
 * or, when @kept, the larger slot a krealloc to a smaller size kept
 * ("slack_kept").  The parts always sum to @reserved - @requested.
 */
void kd_slack_kmalloc(struct kd_parts *p, size_t requested, size_t reserved,
		      size_t min, bool kept);

#endif /* KMEM_DEMO_PURE_H */
