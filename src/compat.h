/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: kernel API differences between versions, in one place.
 */
#ifndef KMEM_DEMO_COMPAT_H
#define KMEM_DEMO_COMPAT_H

#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mmzone.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/swiotlb.h>
#include <linux/version.h>

/*
 * The largest order the buddy allocator hands out.  MAX_ORDER was one past
 * it until 6.4, then the largest order itself, and 6.8 renamed it
 * MAX_PAGE_ORDER.  MAX_ORDER_NR_PAGES, the pages in the largest block, kept
 * its meaning through all of that: older kernels get 6.8's name from it.
 */
#ifndef MAX_PAGE_ORDER
#define MAX_PAGE_ORDER		ilog2(MAX_ORDER_NR_PAGES)
#endif

/*
 * True on release a.b and later.  The one place the kernel version is read:
 * every difference below names the release that made it.
 */
#define KD_SINCE(a, b)		(KERNEL_VERSION(a, b, 0) <= LINUX_VERSION_CODE)

/* 5.17: vmalloc honours GFP_NOFS/GFP_NOIO (scoped around its page tables). */
#define KD_VMALLOC_SCOPED_NOFS	KD_SINCE(5, 17)

/*
 * 6.19: vmalloc accepts non-blocking flags (GFP_ATOMIC, GFP_NOWAIT) and
 * strips the zone and __GFP_COMP flags it cannot honour, with a WARN_ONCE.
 */
#define KD_VMALLOC_ANY_GFP	KD_SINCE(6, 19)

/*
 * 5.15: swiotlb says per device whether it bounces every mapping
 * (swiotlb=force, a restricted pool).  Before, nothing says: assume so.
 */
#if KD_SINCE(5, 15)
#define kd_swiotlb_forced(dev)	is_swiotlb_force_bounce(dev)
#else
static inline bool kd_swiotlb_forced(struct device *dev)
{
	return true;
}
#endif

/*
 * 5.15: sg_alloc_table_from_pages_segment() builds a table of pages with
 * runs no longer than a device's segments; 5.10 had
 * __sg_alloc_table_from_pages(), which returned the last entry.
 */
#if KD_SINCE(5, 15)
#define kd_sg_from_pages(sgt, pages, n, off, size, seg)	\
	sg_alloc_table_from_pages_segment(sgt, pages, n, off, size, seg, GFP_KERNEL)
#else
#define kd_sg_from_pages(sgt, pages, n, off, size, seg)	\
	PTR_ERR_OR_ZERO(__sg_alloc_table_from_pages(sgt, pages, n, off, size, \
						    seg, NULL, 0, GFP_KERNEL))
#endif

/* 6.1: kmalloc_size_roundup() says what a kmalloc of n bytes will reserve. */
#define KD_HAVE_KMALLOC_ROUNDUP	KD_SINCE(6, 1)
#if KD_HAVE_KMALLOC_ROUNDUP
#define kd_kmalloc_roundup(n)	kmalloc_size_roundup(n)
#else
/* 0: the kernel cannot say before the call; the report then leaves it out. */
static inline size_t kd_kmalloc_roundup(size_t n)
{
	return 0;
}
#endif

/*
 * 5.14: __GFP_ACCOUNT kmallocs have caches of their own, kmalloc-cg-N,
 * where memcg accounts kernel memory (CONFIG_MEMCG_KMEM, which 6.10 folded
 * into CONFIG_MEMCG).
 */
#if KD_SINCE(5, 14) && (defined(CONFIG_MEMCG_KMEM) || \
			(KD_SINCE(6, 10) && defined(CONFIG_MEMCG)))
#define KD_KMALLOC_CG		1
#else
#define KD_KMALLOC_CG		0
#endif

/* 6.6: kmalloc-N has random copies, one picked per call site. */
#define KD_RANDOM_KMALLOC	IS_ENABLED(CONFIG_RANDOM_KMALLOC_CACHES)

/* 5.12: KFENCE, the sampling memory-error detector. */
#if KD_SINCE(5, 12)
#include <linux/kfence.h>
#endif
static inline bool kd_is_kfence(const void *p)
{
#if KD_SINCE(5, 12)
	return is_kfence_address(p);
#else
	return false;
#endif
}

/*
 * The bulk page allocator: none before 5.13; alloc_pages_bulk_array() from
 * 5.13; 6.14 renamed it alloc_pages_bulk().  Both fill the NULL slots of
 * the array and return how many pages it now holds.
 */
#if KD_SINCE(6, 14)
#define KD_HAVE_PAGES_BULK	1
#define kd_alloc_pages_bulk(gfp, n, pages)	alloc_pages_bulk(gfp, n, pages)
#elif KD_SINCE(5, 13)
#define KD_HAVE_PAGES_BULK	1
#define kd_alloc_pages_bulk(gfp, n, pages)	alloc_pages_bulk_array(gfp, n, pages)
#else
#define KD_HAVE_PAGES_BULK	0
#endif

/*
 * 6.3: a VMA's flags change only through vm_flags_set() and
 * vm_flags_clear(), which take the per-VMA lock into account; before,
 * drivers wrote vma->vm_flags (under the mmap lock, as in ->mmap()).
 */
#if KD_SINCE(6, 3)
#define kd_vm_flags_set(vma, flags)	vm_flags_set(vma, flags)
#define kd_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#else
#define kd_vm_flags_set(vma, flags)	((vma)->vm_flags |= (flags))
#define kd_vm_flags_clear(vma, flags)	((vma)->vm_flags &= ~(flags))
#endif

/* 5.11 named in_irq() in_hardirq(); the old name went later. */
#include <linux/preempt.h>
#ifndef in_hardirq
#define in_hardirq()	in_irq()
#endif

/* 6.2 named del_timer_sync() timer_delete_sync(); the old name went later. */
#if KD_SINCE(6, 2)
#define kd_timer_delete_sync(t)	timer_delete_sync(t)
#else
#define kd_timer_delete_sync(t)	del_timer_sync(t)
#endif

/* 6.8 named a PCI device's legacy interrupt PCI_IRQ_INTX (before: _LEGACY). */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

/*
 * 7.0 (and stable kernels that took it back, such as Debian 13's 6.12):
 * kzalloc_flex(*p, array, count, gfp) sizes a structure with a flexible
 * array itself (struct_size()) and sets its counter.
 */
#ifdef kzalloc_flex
#define KD_HAVE_KZALLOC_FLEX	1
#else
#define KD_HAVE_KZALLOC_FLEX	0
#endif

#endif /* KMEM_DEMO_COMPAT_H */
