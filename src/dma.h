/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: memory the DMA demo device reaches (dma.c).
 *
 * The device's driver (edu.c) calls kd_dma_attach() from probe, with the
 * device set up (its DMA mask set, its interrupt requested), and
 * kd_dma_stop() then kd_dma_detach() from remove.  In between, the lab
 * (lab.c) hands the device memory of its experiments through the
 * kd_dma_map_*() calls; the caller keeps them from racing each other and
 * remove (lab.c's own lock), and frees every map before kd_dma_detach().
 */
#ifndef KMEM_DEMO_DMA_H
#define KMEM_DEMO_DMA_H

#include <linux/dma-direction.h>
#include <linux/types.h>

struct kd_desc;
struct page;
struct pci_dev;
struct seq_file;

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

/*
 * Allocate the device's buffers, publish their sections and start
 * verifying them through @eng.  On failure nothing is kept and
 * kd_dma_why() says what failed.
 */
int kd_dma_attach(struct pci_dev *pdev, const struct kd_dma_engine *eng);
const char *kd_dma_why(void);
/*
 * Start no transfer, wait for the one running, and take no new map:
 * interrupts still on.
 */
void kd_dma_stop(void);
/* Withdraw the sections and free the buffers: the device reaches no memory. */
void kd_dma_detach(void);

/* ---- for the lab: memory of its own, handed to the device ---- */

/* Memory the device may reach: a coherent buffer, or a streaming mapping. */
struct kd_dma_map;

/* A device is attached and takes maps. */
bool kd_dma_ready(void);
/* The mask for the maps made from now on: 0, or an error and *@why. */
int kd_dma_set_mask(unsigned int bits, const char **why);
/*
 * dma_alloc_coherent() of @size bytes, described in @d (its requested
 * bytes set) like the load's coherent buffer; its CPU address is
 * kd_dma_map_cpu().  NULL on failure, with *@why.
 */
struct kd_dma_map *kd_dma_coherent_new(struct kd_desc *d, size_t size,
				       const char **why);
/*
 * Map @len bytes at @mem for the device, which moves them in direction
 * @dir: the pages of a block from alloc_pages() (@page) with
 * dma_map_page(), other memory of the direct map with dma_map_single(),
 * vmalloc'd memory page by page through a scatterlist, unless @single
 * insists on dma_map_single(), which is refused.  On failure or refusal
 * an ERR_PTR (-ERANGE: the device cannot reach the memory and nothing
 * would bounce it) and *@why; nothing is mapped then.
 */
struct kd_dma_map *kd_dma_map_mem(void *mem, size_t len, struct page *page,
				  enum dma_data_direction dir, bool single,
				  const char **why);
/* Unmap a mapping, or free a coherent buffer; then @m itself. */
void kd_dma_map_free(struct kd_dma_map *m);
void *kd_dma_map_cpu(const struct kd_dma_map *m);
bool kd_dma_map_is_coherent(const struct kd_dma_map *m);
/*
 * The device copies @m as its direction says, and the bytes are compared
 * (the report's transfer: line says how it went).  0 if every byte came
 * out right; else an error and *@why.
 */
int kd_dma_map_xfer(struct kd_dma_map *m, const char **why);
/* Its lines in the report; the registry's lock is held. */
void kd_dma_map_show(struct seq_file *sf, const struct kd_dma_map *m);

#endif /* KMEM_DEMO_DMA_H */
