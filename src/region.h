/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: the registry of regions (region.c).
 *
 * Every allocation the module holds, made at load time or by a lab
 * command, is one region: a description of what it got (struct kd_desc),
 * a label, and optionally hooks for the lines only it prints.  The owner
 * registers it once it is described and unregisters it before freeing it.
 * The report and the frame map read the registry only, under its lock: they
 * know nothing of how a region was allocated.  (mm/slub.c's debugfs files
 * work the same way: they read what was registered with them.)
 */
#ifndef KMEM_DEMO_REGION_H
#define KMEM_DEMO_REGION_H

#include <linux/list.h>
#include <linux/seq_file.h>
#include <linux/types.h>

#include "describe.h"

struct kd_dma_map;
struct kd_region;

/* What only some regions print; every hook may be NULL. */
struct kd_region_ops {
	/* Lines right after the section title (a lab experiment: its command). */
	void (*head)(struct seq_file *m, const struct kd_region *r);
	/* Lines right after "call:" (the cache: what slab made of it). */
	void (*body)(struct seq_file *m, const struct kd_region *r);
	/* Lines of their own after the section, one per item (objects). */
	unsigned long (*nr_items)(const struct kd_region *r);
	void (*item)(struct seq_file *m, const struct kd_region *r,
		     unsigned long i);
};

/*
 * What a region's memory is, as its owner says: it decides how
 * /dev/kmem_demo may map it (mmap.c) and whether the lab's fill and check
 * reach it as one run of bytes.
 */
enum kd_mem {
	KD_MEM_OBJECTS,		/* many slab objects: no one run of bytes */
	KD_MEM_SLAB,		/* one kmalloc'd buffer */
	KD_MEM_VMALLOC,		/* a vmalloc area, not marked for user space */
	KD_MEM_VMALLOC_USER,	/* vmalloc_user(): zeroed, VM_USERMAP */
	KD_MEM_PAGES,		/* a block of 2^order pages, not compound */
	KD_MEM_COHERENT,	/* dma_alloc_coherent() */
	KD_MEM_POOL,		/* a dma_pool block */
	KD_MEM_PINNED,		/* a process's pages, pinned and vmap()ped */
	KD_MEM_PERCPU,		/* per-CPU memory: one copy per possible CPU */
};

/*
 * A region's offset in /dev/kmem_demo: its number (given when it is first
 * added, never reused while loaded) shifted by KD_MMAP_SHIFT, so that every
 * region has 1 TiB of offsets of its own.
 */
#define KD_MMAP_SHIFT	40

struct kd_region {
	struct list_head node;		/* on the registry, oldest first */
	char label[24];			/* "kmalloc", "lab 3": the section title */
	const struct kd_region_ops *ops;
	struct kd_desc d;
	enum kd_mem mem;
	/* Its memory as the DMA demo device has it, or NULL (registry lock). */
	struct kd_dma_map *dma;
	unsigned long mmap_pgoff;	/* its mmap() offset, in pages */
	unsigned int mapped;		/* user mappings of it (registry lock) */
	const char *busy;		/* why nothing may reach its memory now, or NULL */
};

/*
 * The registry's lock, a mutex: held briefly, to add or remove a region and
 * while a reader walks a few sections (seq_file may sleep copying them
 * out).  Nobody allocates with it held but mmap(), for the mapping's page
 * tables and its note of the process, as the region must not go before it
 * is mapped.  mmap() and a mapping's callbacks take it under the
 * process's mmap_lock: nothing takes an mmap_lock with it held.
 * kd_region_add() and kd_region_del() need it held; kd_region_publish()
 * and kd_region_withdraw() take it themselves.
 */
void kd_regions_lock(void);
int kd_regions_lock_killable(void);
void kd_regions_unlock(void);
void kd_regions_assert_held(void);
void kd_region_add(struct kd_region *r);
void kd_region_del(struct kd_region *r);
void kd_region_publish(struct kd_region *r);
void kd_region_withdraw(struct kd_region *r);
/* The live region titled @label, or whose offset holds page @pgoff; lock held. */
struct kd_region *kd_region_find(const char *label);
struct kd_region *kd_region_at(unsigned long pgoff);
/*
 * The bytes of @r the CPU may read and write, for the lab's fill and check:
 * its start, and *@len; NULL with *@why where there is no one run of them.
 */
void *kd_region_bytes(const struct kd_region *r, size_t *len, const char **why);

/*
 * Walking the registry from a seq_file whose private data is a struct
 * kd_cursor (the readers' start/next/stop): position 0 is the reader's
 * header, then each region's section, followed (with @items) by one
 * position per item.  start() takes the lock (killably: -EINTR) and stop()
 * drops it, so one read() sees whole sections.  show() gets the cursor.
 */
/* Which addresses a reader sees, decided at open() (kd_cursor_open()). */
enum kd_addr_view {
	KD_ADDR_ZEROS,		/* kptr_restrict hides them from the opener */
	KD_ADDR_HASHED,		/* %p: hashed (raw with no_hash_pointers) */
	KD_ADDR_REAL,		/* %pK: real while the reader may see them */
};

struct kd_cursor {
	bool items;		/* walk the items too (the report) */
	bool phys;		/* the opener may see physical addresses */
	enum kd_addr_view addrs;
	struct kd_region *r;	/* NULL: the header */
	unsigned long item;	/* 0: the section; 1..n: item n - 1 */
};

/* Sets up a cursor for the task opening the file, as its opener. */
void kd_cursor_open(struct kd_cursor *c, bool items, bool phys);
/* Print @p as the cursor of @m (a reader of the registry) allows. */
void kd_seq_addr(struct seq_file *m, const void *p);

void *kd_regions_seq_start(struct seq_file *m, loff_t *pos);
void *kd_regions_seq_next(struct seq_file *m, void *v, loff_t *pos);
void kd_regions_seq_stop(struct seq_file *m, void *v);

/*
 * The report header's line about the DMA demo device ("dma_device:"): its
 * driver publishes it (taking the lock), a reader reads it with the lock
 * held.
 */
__printf(1, 2) void kd_device_publish(const char *fmt, ...);
const char *kd_device_line(void);

/*
 * Page accounting of our own: kmemleak does not track page allocations, so
 * every page the module takes from the buddy allocator and gives back is
 * counted here, and the report shows both counts.
 */
void kd_pages_taken(unsigned int order);
void kd_pages_given(unsigned int order);
void kd_pages_count(unsigned long *taken, unsigned long *given);

#endif /* KMEM_DEMO_REGION_H */
