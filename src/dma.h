/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: the DMA demo device's own memory, at load (dma.c).
 *
 * The device's driver (edu.c) calls kd_dma_attach() from probe, with the
 * device set up (its DMA mask set, its interrupt requested), and
 * kd_dma_stop() then kd_dma_detach() from remove; between those two, the
 * lab gives back what it mapped (kd_lab_dma_release()).
 */
#ifndef KMEM_DEMO_DMA_H
#define KMEM_DEMO_DMA_H

#include "dma_map.h"

struct pci_dev;

/*
 * Allocate the device's buffers, publish their sections, start verifying
 * them through @eng, and take the lab's maps.  On failure nothing is kept
 * and kd_dma_why() says what failed.
 */
int kd_dma_attach(struct pci_dev *pdev, const struct kd_dma_engine *eng);
const char *kd_dma_why(void);
/*
 * Take no new map, start no transfer, and wait for the load's transfers:
 * interrupts still on.
 */
void kd_dma_stop(void);
/* Withdraw the sections and free the buffers: the device reaches no memory. */
void kd_dma_detach(void);

#endif /* KMEM_DEMO_DMA_H */
