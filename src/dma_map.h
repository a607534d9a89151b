/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: memory handed to a device through the DMA API (dma_map.c).
 *
 * One device at a time: its driver names it with kd_dma_use() once its
 * DMA mask is set, and every coherent buffer and mapping below is for it.
 * dma.c (the device's own buffers at load) and the lab (lab.c) hold their
 * memory in a struct kd_dma_map; the report prints it with
 * kd_dma_map_show().
 */
#ifndef KMEM_DEMO_DMA_MAP_H
#define KMEM_DEMO_DMA_MAP_H

#include <linux/dma-direction.h>
#include <linux/gfp.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct device;
struct kd_desc;
struct page;
struct seq_file;
struct vm_area_struct;

/*
 * The device's DMA engine, as its driver provides it: copy @len bytes
 * (1..max_len) between the bus address @addr and the device's own buffer,
 * into RAM if @to_ram, sleeping until the device says it is done; one
 * transfer at a time.  Errors: -ETIMEDOUT, the device never said it was
 * done (and is used no more: -EIO from then on); -ERANGE, refused: a
 * write into RAM the device might not really reach.
 */
struct kd_dma_engine {
	size_t max_len;
	int (*transfer)(dma_addr_t addr, size_t len, bool to_ram);
	const char *(*irq_kind)(void);	/* "MSI" or "INTx" */
};

/* What the device did with some memory: set by its transfer, read by the report. */
enum kd_xfer_state {
	KD_XFER_NONE,		/* none asked for yet (the lab's) */
	KD_XFER_WAITING,	/* its turn has not come (the load's) */
	KD_XFER_RUNNING,
	KD_XFER_VERIFIED,
	KD_XFER_DIFFERS,	/* the bytes came out changed */
	KD_XFER_FAILED,		/* a transfer failed: err */
};

struct kd_xfer {
	enum kd_xfer_state state;
	size_t len;		/* bytes copied each way */
	unsigned int pieces;	/* runs of the memory, a transfer each way */
	int err;
	size_t bad;		/* the first differing byte */
	u8 want, got;
	s64 us;			/* how long, all transfers */
	const char *irq;	/* how the device said it was done */
};

enum kd_dma_kind {
	KD_DMA_COHERENT,	/* dma_alloc_coherent(), or a pool's block */
	KD_DMA_SINGLE,		/* dma_map_single() or dma_map_page() */
	KD_DMA_SG,		/* dma_map_sgtable() of a vmalloc area's pages */
};

/*
 * Memory the device may reach, and how it reaches it.  Its owner sets
 * kind, dir, cpu, len and page before mapping; cpu_owns and x change under
 * the registry's lock, which the report holds.
 */
struct kd_dma_map {
	enum kd_dma_kind kind;
	enum dma_data_direction dir;	/* streaming: which way the data goes */
	void *cpu;			/* the CPU's address */
	size_t len;
	struct page *page;		/* mapped with dma_map_page() */
	dma_addr_t handle;		/* the device's address (not SG) */
	struct sg_table sgt;		/* SG: the runs of pages, then segments */
	u64 mask;			/* the device's mask when it was made */
	bool cpu_owns;			/* streaming: the CPU may touch it now */
	const char *refused;		/* not mapped, and why */
	char call[144];			/* the DMA API call, when shown apart */
	char via[128];			/* how dma_addr relates to the CPU's */
	struct kd_xfer x;
};

/* ---- the device ---- */

/* The device the maps are for, with its DMA mask set; none yet taken. */
void kd_dma_use(struct device *dev, const struct kd_dma_engine *eng);
/* Take maps (kd_dma_ready()), or stop: no new map, no new transfer. */
void kd_dma_open(void);
void kd_dma_close(void);
bool kd_dma_ready(void);
/*
 * The device, held for maps and coherent memory of a user other than its
 * driver: its driver's removal (kd_dma_close()) waits until
 * kd_dma_unhold().  NULL, and nothing held, when there is none.
 */
struct device *kd_dma_hold(void);
void kd_dma_unhold(void);
struct device *kd_dma_device(void);
u64 kd_dma_mask(void);
bool kd_dma_iommu(void);
/* The mask for the maps made from now on: 0, or an error and *@why. */
int kd_dma_set_mask(unsigned int bits, const char **why);

/* ---- coherent memory ---- */

/* dma_alloc_coherent() of @size bytes into @m, described in @d. */
int kd_dma_coherent(struct kd_dma_map *m, struct kd_desc *d, size_t size);
/* The same, @m allocated too (the lab's); NULL with *@why. */
struct kd_dma_map *kd_dma_coherent_new(struct kd_desc *d, size_t size,
				       const char **why);
/* Pages @first.. of coherent memory @m into @vma: dma_mmap_coherent(). */
int kd_dma_mmap(const struct kd_dma_map *m, struct vm_area_struct *vma,
		unsigned long first);

/* ---- streaming mappings ---- */

/* Where memory is, and how the device's address of it relates to that. */
phys_addr_t kd_dma_phys(const void *cpu);
void kd_dma_via(struct kd_dma_map *m, phys_addr_t phys, dma_addr_t handle);
/* The same in a word: "direct", "swiotlb" or "iommu". */
const char *kd_dma_how(phys_addr_t phys, dma_addr_t handle);
/*
 * The flags for memory to map for the device: GFP_DMA where it cannot
 * reach all of RAM and nothing makes up for it; why, in @reach (NULL, with
 * @size 0, for the flags alone).
 */
gfp_t kd_dma_gfp(char *reach, size_t size);
/*
 * The module's own rule, checked before a streaming mapping: NULL when
 * @len bytes at @phys may be mapped, else why dma-direct or swiotlb would
 * WARN and fail.
 */
const char *kd_dma_unreachable(phys_addr_t phys, size_t len);
/* dma_map_page() or dma_map_single() of @m, its fields set: 0 or *@why. */
int kd_dma_map_single(struct kd_dma_map *m, const char **why);
/*
 * Map @len bytes at @mem, in a slot of @slot bytes its allocator set aside
 * (the cache lines it owns), for the device, which moves them in direction
 * @dir: the pages of a block from alloc_pages() (@page) with
 * dma_map_page(), other memory of the direct map with dma_map_single(),
 * vmalloc'd memory page by page through a scatterlist, unless @single
 * insists on dma_map_single(), which is refused.  On failure or refusal
 * an ERR_PTR (-ERANGE: the device cannot reach the memory and nothing
 * would bounce it) and *@why; nothing is mapped then.
 */
struct kd_dma_map *kd_dma_map_mem(void *mem, size_t len, size_t slot,
				  struct page *page, enum dma_data_direction dir,
				  bool single, const char **why);
/* Unmap @m, or free its coherent memory; the record stays. */
void kd_dma_unmap(struct kd_dma_map *m);
/* The same for a map of kd_dma_map_mem() or kd_dma_coherent_new(), freed. */
void kd_dma_map_free(struct kd_dma_map *m);

/* ---- transfers, and the report ---- */

/*
 * The device copies the first @pieces runs of @m as its direction says,
 * every byte compared; the report's transfer: line says how it went.  0
 * if every byte came out right; else an error and *@why.
 */
int kd_dma_xfer(struct kd_dma_map *m, unsigned int pieces, const char **why);
/* All of its runs the lab's dma xfer copies. */
#define KD_XFER_PIECES	4
/* Its lines in the report; the registry's lock is held. */
void kd_dma_map_show(struct seq_file *sf, const struct kd_dma_map *m);

#endif /* KMEM_DEMO_DMA_MAP_H */
