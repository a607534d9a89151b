/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: /proc/kmem_demo, the report (report.c): a seq_file over the
 * registry of regions.  procfs.c creates the file.
 */
#ifndef KMEM_DEMO_REPORT_H
#define KMEM_DEMO_REPORT_H

#include <linux/seq_file.h>

extern const struct seq_operations kd_report_seq_ops;

#endif /* KMEM_DEMO_REPORT_H */
