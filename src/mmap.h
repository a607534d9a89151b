/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: /dev/kmem_demo's mmap(), a region's memory in a process
 * (mmap.c).
 */
#ifndef KMEM_DEMO_MMAP_H
#define KMEM_DEMO_MMAP_H

struct file;
struct kd_region;
struct seq_file;
struct vm_area_struct;

/* The device file's mmap(): the region whose offset the caller gave. */
int kd_mmap(struct file *file, struct vm_area_struct *vma);
/* The report's lines: mmap_offset: and mmap:, or refused: and why. */
void kd_mmap_show(struct seq_file *m, const struct kd_region *r);

#endif /* KMEM_DEMO_MMAP_H */
