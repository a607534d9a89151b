/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: what each allocator costs, measured in the kernel (bench.c).
 */
#ifndef KMEM_DEMO_BENCH_H
#define KMEM_DEMO_BENCH_H

#include <linux/seq_file.h>
#include <linux/types.h>

/* Run every case; blocks.  0, -EBUSY, -ENOMEM or -EINTR. */
int kd_bench_run(bool quick);
/* The last run's results: /proc/kmem_demo_bench and its .csv. */
int kd_bench_show_table(struct seq_file *m, void *v);
int kd_bench_show_csv(struct seq_file *m, void *v);
/* Unloading: stop a run going on, refuse new ones. */
void kd_bench_close(void);
void kd_bench_forget(void);

#endif /* KMEM_DEMO_BENCH_H */
