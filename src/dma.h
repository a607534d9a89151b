/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: memory the DMA demo device reaches (dma.c).
 *
 * The device's driver (edu.c, the layer above) calls these from probe and
 * remove, with the device set up: its DMA mask set, its interrupt
 * requested.
 */
#ifndef KMEM_DEMO_DMA_H
#define KMEM_DEMO_DMA_H

#include <linux/types.h>

struct pci_dev;

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
/* Start no transfer, and wait for the one running: interrupts still on. */
void kd_dma_stop(void);
/* Withdraw the sections and free the buffers: the device reaches no memory. */
void kd_dma_detach(void);

#endif /* KMEM_DEMO_DMA_H */
