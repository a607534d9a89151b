/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: shared declarations.
 *
 * Every allocation the module makes is described by one struct kd_region,
 * filled in once at load time.  The /proc report only prints these records,
 * so reading it is cheap and always shows the same bytes.
 */
#ifndef KMEM_DEMO_H
#define KMEM_DEMO_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/types.h>

/* KD_VERSION: -D from Kbuild, which reads it from dkms.conf. */
#ifndef KD_VERSION
#error "KD_VERSION is defined by Kbuild (from dkms.conf)"
#endif
#define KD_NAME		"kmem_demo"	/* /proc entry and kmem_cache name */

/* ---- logic.c: pure helpers, no allocation, unit-tested by KUnit ---- */

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

/* ---- cmd.c: the lab's command language (pure, unit-tested) ---- */

#define KD_LAB_LINE_MAX	256	/* bytes in one command line */

enum kd_op {
	KD_OP_KMALLOC,
	KD_OP_VMALLOC,
	KD_OP_KVMALLOC,
	KD_OP_PAGES,
	KD_OP_CACHE,
	KD_OP_FREE,
	KD_OP_BENCH,
	KD_NR_OPS,
};

struct kd_cmd {
	enum kd_op op;
	unsigned long arg;	/* SIZE, ORDER, COUNT or ID */
	bool all;		/* "free all", "bench quick" */
	gfp_t gfp;		/* FLAGS, GFP_KERNEL when none are given */
	const char *why;	/* why it was refused */
	unsigned long limit;	/* the limit it went over, if any */
};

const char *kd_op_name(enum kd_op op);
int kd_parse_number(const char *s, bool units, unsigned long *out,
		    const char **why);
int kd_cmd_parse(char *line, struct kd_cmd *cmd);
int kd_cmd_check_gfp(struct kd_cmd *cmd);

/* ---- params.c: module parameters, validated while the module loads ---- */

#include "params.h"

/* ---- layout.c: what physical memory backs an allocation ---- */

#define KD_ZONES_LEN	48

struct kd_region {
	const char *allocator;	/* kmalloc, vmalloc, __get_free_pages, ... */
	char call[192];		/* the call as the module made it */
	gfp_t gfp;		/* the flags really passed to the allocator */
	size_t requested;	/* bytes the caller asked for */
	size_t reserved;	/* bytes the allocator set aside for it */
	const void *addr;
	bool in_vmalloc;	/* vmalloc space, not the direct map */
	bool contiguous;	/* physically contiguous by construction */
	unsigned long pfn_first, pfn_last;	/* meaningful if contiguous */
	phys_addr_t phys;	/* first byte's physical address, if contiguous */
	struct kd_runs runs;	/* backing pages and their physical runs */
	char zones[KD_ZONES_LEN];	/* zone names, e.g. "DMA32,Normal" */
	nodemask_t nodes;	/* NUMA nodes the pages come from */
	struct kd_frames frames;	/* map.c: the runs, for root only */
};

/* Fill the physical view of @r from r->addr and r->reserved. */
void kd_describe_init(struct kd_region *r);
void kd_note_zone(struct kd_region *r, struct page *page);
void kd_describe_linear(struct kd_region *r);
int kd_describe_vmalloc(struct kd_region *r);
size_t kd_vmalloc_reserved(const void *addr, size_t size);

/* ---- map.c: each allocation's runs and the zones, /proc/kmem_demo_map ---- */

#define KD_MAP_RUNS_MAX	1024	/* runs listed per allocation */

void kd_map_linear(struct kd_region *r);
int kd_map_vmalloc(struct kd_region *r);
/* Slab pages behind objects: @pfn holds each object's slab head PFN. */
int kd_map_slab(struct kd_region *r, unsigned long *pfn, unsigned long n);
unsigned long kd_map_slab_pfn(const void *obj);
void kd_map_free(struct kd_region *r);
int kd_map_create(void);
void kd_map_remove(void);

/* ---- alloc.c: the four allocators ---- */

/* One object of the module's own cache. */
struct kd_obj {
	struct list_head node;	/* on kd_state.objects, for the report */
	u32 id;			/* 0 .. cache_objects - 1 */
	u32 cpu;		/* CPU that allocated it */
	u64 born_ns;		/* ktime_get_ns() when allocated */
	char tag[16];		/* "obj-0000" */
};

enum kd_kind { KD_KMALLOC, KD_VMALLOC, KD_PAGES, KD_CACHE, KD_NR_KINDS };

struct kd_state {
	struct kd_region region[KD_NR_KINDS];
	unsigned int page_order;	/* the order used, not the parameter */
	struct kmem_cache *cache;
	unsigned int obj_align;		/* alignment the cache gives objects */
	unsigned int obj_slot;		/* bytes per object in a slab */
	unsigned long nr_objects;
	struct list_head objects;
	/* Page accounting of our own: kmemleak does not track page allocations. */
	unsigned long pages_allocated, pages_freed;
};

extern struct kd_state kd;

int kd_alloc_kmalloc(void);
int kd_alloc_vmalloc(void);
int kd_alloc_pages(void);
int kd_create_cache(void);
int kd_alloc_objects(void);
void kd_free_kmalloc(void);
void kd_free_vmalloc(void);
void kd_free_pages(void);
void kd_destroy_cache(void);
void kd_free_objects(void);

/* ---- lab.c: experiments made at run time by commands ---- */

/* One experiment: a command that was run, and what it got. */
struct kd_exp {
	struct list_head node;		/* on the lab's list, oldest first */
	unsigned long id;		/* 1, 2, ...: never reused while loaded */
	struct kd_cmd cmd;
	char command[KD_LAB_LINE_MAX + 1];	/* the line as written */
	const char *used;		/* what kvmalloc really used, or NULL */
	struct kd_region r;
	union {
		void *mem;		/* kmalloc, vmalloc, kvmalloc */
		struct page *page;	/* pages */
		void **objs;		/* cache: COUNT object pointers */
	};
};

struct file;
struct inode;
ssize_t kd_lab_write(struct file *file, const char __user *buf, size_t count,
		     loff_t *ppos);
void kd_lab_free_all(void);

/*
 * Readers walk the experiments under kd_lab_lock() (seq_file start/stop),
 * so a section is never shown half-built or half-freed.
 */
void kd_lab_lock(void);
void kd_lab_unlock(void);
struct kd_exp *kd_lab_exp(loff_t n);	/* the n-th live one, or NULL */
void kd_lab_totals(unsigned long *items, unsigned long *bytes);

/* ---- bench.c: what each allocator costs ---- */

int kd_bench_run(bool quick);
int kd_bench_proc_create(void);
void kd_bench_proc_remove(void);

/* ---- report.c: /proc/kmem_demo ---- */

int kd_proc_create(void);
void kd_proc_remove(void);
/* open()/release() of our seq_files: they pin the module while open. */
int kd_seq_open(struct file *file, const struct seq_operations *ops);
int kd_seq_release(struct inode *inode, struct file *file);

#endif /* KMEM_DEMO_H */
