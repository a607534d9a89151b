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

#endif /* KMEM_DEMO_PURE_H */
