/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: the DMA demo device (edu.c), QEMU's "edu" PCI device, which
 * kmem_demo drives as a real PCI driver.
 */
#ifndef KMEM_DEMO_EDU_H
#define KMEM_DEMO_EDU_H

/*
 * Register the PCI driver: a device present is probed before it returns.
 * The report's "dma_device:" line says what came of it (region.c).
 */
int kd_edu_register(void);
void kd_edu_unregister(void);

#endif /* KMEM_DEMO_EDU_H */
