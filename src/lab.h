/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: the allocator lab (lab.c): experiments made at run time by
 * commands written to /proc/kmem_demo.
 */
#ifndef KMEM_DEMO_LAB_H
#define KMEM_DEMO_LAB_H

#include <linux/types.h>

struct file;

/* proc_write of /proc/kmem_demo: one command per line. */
ssize_t kd_lab_write(struct file *file, const char __user *buf, size_t count,
		     loff_t *ppos);
/* Free every live experiment (unload). */
void kd_lab_free_all(void);
/*
 * The DMA demo device is going away: unmap every experiment mapped for
 * it and free those of its coherent memory (its driver's remove()).
 */
void kd_lab_dma_release(void);
/* Live experiments and the bytes they reserve; the registry lock is held. */
void kd_lab_totals(unsigned long *items, unsigned long *bytes);

#endif /* KMEM_DEMO_LAB_H */
