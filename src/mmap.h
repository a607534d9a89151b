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

/* The device file's open(): every file shares the module's address_space. */
int kd_mmap_open(struct file *file);
/* Unload, once the device file is gone. */
void kd_mmap_exit(void);
/* The device file's mmap(): the region whose offset the caller gave. */
int kd_mmap(struct file *file, struct vm_area_struct *vma);
/* The report's lines: mmap_offset: and mmap:, or refused: and why. */
void kd_mmap_show(struct seq_file *m, const struct kd_region *r);
/*
 * Before memory a process may map is freed without the process's say (the
 * device's, at unbind), once @r is withdrawn: every mapping of it loses
 * its pages, and a touch gets SIGBUS.  It waits for mmap() calls: call it
 * with no lock held but the lab's.
 */
void kd_mmap_revoke(const struct kd_region *r);

#endif /* KMEM_DEMO_MMAP_H */
