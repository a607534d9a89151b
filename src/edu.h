/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: the DMA demo device (edu.c), QEMU's "edu" PCI device, which
 * kmem_demo drives as a real PCI driver.
 */
#ifndef KMEM_DEMO_EDU_H
#define KMEM_DEMO_EDU_H

#include <linux/seq_file.h>

/* Register the PCI driver: a device present is probed before it returns. */
int kd_edu_register(void);
void kd_edu_unregister(void);

/* The report's "dma_device:" line: the device, or why there is none. */
void kd_edu_show(struct seq_file *m);

#endif /* KMEM_DEMO_EDU_H */
