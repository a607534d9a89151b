/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: kernel API differences between versions, in one place.
 */
#ifndef KMEM_DEMO_COMPAT_H
#define KMEM_DEMO_COMPAT_H

#include <linux/log2.h>
#include <linux/mmzone.h>

/*
 * The largest order the buddy allocator hands out.  MAX_ORDER was one past
 * it until 6.4, then the largest order itself, and 6.8 renamed it
 * MAX_PAGE_ORDER.  MAX_ORDER_NR_PAGES, the pages in the largest block, kept
 * its meaning through all of that, so derive the order from it.
 */
#define KD_MAX_PAGE_ORDER	ilog2(MAX_ORDER_NR_PAGES)

#endif /* KMEM_DEMO_COMPAT_H */
