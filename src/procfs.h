/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: the files under /proc (procfs.c), made and removed in one
 * place.
 */
#ifndef KMEM_DEMO_PROCFS_H
#define KMEM_DEMO_PROCFS_H

/* The last step of loading; 0 or -ENOMEM, nothing left on failure. */
int kd_procfs_create(void);
/* The first step of unloading: the files, the lab, the bench results. */
void kd_procfs_remove(void);

#endif /* KMEM_DEMO_PROCFS_H */
