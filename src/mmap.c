// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: /dev/kmem_demo's mmap(): a region's memory in a process.
 *
 * Each region has an offset of its own (KD_MMAP_SHIFT); mmap() of the
 * device at that offset maps the region's pages into the caller, the way a
 * driver shares a ring or a frame buffer with user space.  The right call
 * depends on what the memory is:
 *
 *  - one page of its own (an order-0 block): vm_insert_pages().  The page
 *    keeps a struct page reference per mapping, and a later fault (after
 *    MADV_DONTNEED) finds it again through .fault.
 *  - a vmalloc_user() area: remap_vmalloc_range(), page by page, as the
 *    area is virtually contiguous only.  It maps only areas marked
 *    VM_USERMAP, which vmalloc_user() zeroes: plain vmalloc() memory may
 *    hold what the kernel wrote there before.
 *  - a physically contiguous run of whole pages that are not each a page
 *    of their own (a block of order > 0 without __GFP_COMP holds a
 *    reference count on its first page only; a kmalloc'd buffer of whole
 *    pages lives in slab pages, which vm_insert_page() refuses):
 *    remap_pfn_range(), by frame number, touching no struct page
 *    (VM_PFNMAP).
 *
 * A mapping exposes whole pages, so memory that shares a page with
 * anything else (a kmalloc buffer smaller than a page, a cache's objects,
 * a pool's blocks) is refused: the process would see, and could write,
 * its neighbours.
 *
 * Lifetime: a mapping counts in its region (r->mapped, under the registry
 * lock): the lab refuses to free a mapped experiment with EBUSY until the
 * last munmap, and the file (the VMA holds it) holds the module, so rmmod
 * waits for the last munmap too.  VM_DONTEXPAND keeps mremap() from
 * growing a mapping past the region; a private mapping (copy-on-write)
 * and PROT_EXEC are refused.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "mmap.h"
#include "region.h"

/* A page of its own, with a reference count: vm_insert_pages() maps it. */
static bool kd_mmap_one_page(const struct kd_region *r)
{
	return r->mem == KD_MEM_PAGES && r->d.reserved == PAGE_SIZE;
}

static const char *kd_mmap_no(const char **why, const char *reason)
{
	*why = reason;
	return NULL;
}

/* How a region is mapped: the call, or NULL and why not. */
static const char *kd_mmap_call(const struct kd_region *r, const char **why)
{
	const struct kd_desc *d = &r->d;

	switch (r->mem) {
	case KD_MEM_PAGES:
		return kd_mmap_one_page(r) ? "vm_insert_pages" : "remap_pfn_range";
	case KD_MEM_VMALLOC_USER:
		return "remap_vmalloc_range";
	case KD_MEM_SLAB:
		if (PAGE_ALIGNED(d->addr) && PAGE_ALIGNED(d->requested))
			return "remap_pfn_range";
		if (d->requested < PAGE_SIZE)
			return kd_mmap_no(why,
					  "a kmalloc buffer smaller than a page shares its page with other objects: a mapping exposes whole pages");
		return kd_mmap_no(why,
				  "a kmalloc buffer that is not whole pages shares its last page with slack or other objects: a mapping exposes whole pages");
	case KD_MEM_VMALLOC:
		return kd_mmap_no(why,
				  "vmalloc() memory is not marked for user space (VM_USERMAP): remap_vmalloc_range() maps only vmalloc_user() areas, zeroed so that no stale kernel data leaks (lab: vmalloc_user SIZE)");
	case KD_MEM_COHERENT:
		return kd_mmap_no(why,
				  "coherent memory goes with the device, which can be unbound while a process maps it: dma_mmap_coherent() needs the mappings revoked first, which kmem_demo does not do yet");
	case KD_MEM_PINNED:
		return kd_mmap_no(why,
				  "a process's own anonymous pages: the process maps them already, and vm_insert_page() refuses anonymous pages (PageAnon)");
	case KD_MEM_POOL:
		return kd_mmap_no(why,
				  "a dma_pool block shares its page with the pool's other blocks: a mapping exposes whole pages");
	default:
		return kd_mmap_no(why,
				  "a cache's objects share slab pages with each other: a mapping exposes whole pages");
	}
}

/* Pages of @r a mapping may cover. */
static unsigned long kd_mmap_pages(const struct kd_region *r)
{
	return r->mem == KD_MEM_PAGES ? r->d.reserved >> PAGE_SHIFT :
	       DIV_ROUND_UP(r->d.requested, PAGE_SIZE);
}

void kd_mmap_show(struct seq_file *m, const struct kd_region *r)
{
	const char *why, *call = kd_mmap_call(r, &why);

	if (!call) {
		seq_printf(m, "refused:     mmap: %s\n", why);
		return;
	}
	seq_printf(m, "mmap_offset: %#llx (/dev/%s, %lu page%s)\n",
		   (unsigned long long)r->mmap_pgoff << PAGE_SHIFT, KBUILD_MODNAME,
		   kd_mmap_pages(r), kd_mmap_pages(r) == 1 ? "" : "s");
	seq_printf(m, "mmap:        %s\n", call);
	if (r->mapped)
		seq_printf(m, "mapped:      %u (live mappings: the region stays until the last munmap)\n",
			   r->mapped);
}

/* ---- the mapping's life ---- */

static void kd_vm_open(struct vm_area_struct *vma)
{
	struct kd_region *r = vma->vm_private_data;

	/* fork() or a split (a partial munmap): one more mapping. */
	kd_regions_lock();
	r->mapped++;
	kd_regions_unlock();
}

static void kd_vm_close(struct vm_area_struct *vma)
{
	struct kd_region *r = vma->vm_private_data;

	kd_regions_lock();
	r->mapped--;
	kd_regions_unlock();
}

/*
 * A page that was mapped but is no longer in the page table (MADV_DONTNEED
 * zapped it): the same page again, with a reference for the new mapping.
 * Memory mapped by frame number (VM_PFNMAP) is never zapped so: the kernel
 * refuses MADV_DONTNEED there.
 */
static vm_fault_t kd_vm_fault(struct vm_fault *vmf)
{
	struct kd_region *r = vmf->vma->vm_private_data;
	unsigned long i = vmf->pgoff - r->mmap_pgoff;
	const void *addr = r->d.addr + (i << PAGE_SHIFT);
	struct page *page;

	if (i >= kd_mmap_pages(r))
		return VM_FAULT_SIGBUS;
	if (r->mem == KD_MEM_VMALLOC_USER)
		page = vmalloc_to_page(addr);
	else if (kd_mmap_one_page(r))
		page = virt_to_page(addr);
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct kd_vm_ops = {
	.open	= kd_vm_open,
	.close	= kd_vm_close,
	.fault	= kd_vm_fault,
};

static int kd_mmap_refused(struct vm_area_struct *vma, int err, const char *why)
{
	pr_info_ratelimited("mmap at offset %#llx, %lu page(s), refused: %s\n",
			    (unsigned long long)vma->vm_pgoff << PAGE_SHIFT,
			    vma_pages(vma), why);
	return err;
}

/* Map pages @first.. of @r into @vma, all of it: the call the report names. */
static int kd_mmap_region(struct vm_area_struct *vma, struct kd_region *r,
			  unsigned long first)
{
	const void *addr = r->d.addr + (first << PAGE_SHIFT);
	unsigned long len = vma->vm_end - vma->vm_start;
	struct page *page;
	unsigned long n;

	if (r->mem == KD_MEM_VMALLOC_USER)
		return remap_vmalloc_range(vma, (void *)r->d.addr, first);
	if (kd_mmap_one_page(r)) {
		page = virt_to_page(addr);
		n = 1;
		return vm_insert_pages(vma, vma->vm_start, &page, &n);
	}
	return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(virt_to_phys((void *)addr)),
			       len, vma->vm_page_prot);
}

int kd_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long first, n = vma_pages(vma);
	struct kd_region *r;
	const char *why;
	int ret;

	if (!(vma->vm_flags & VM_SHARED))
		return kd_mmap_refused(vma, -EINVAL,
				       "a private mapping: writes would go to the process's own copies (MAP_SHARED shares the region)");
	if (vma->vm_flags & VM_EXEC)
		return kd_mmap_refused(vma, -EPERM, "PROT_EXEC: data is never executable");
	if (kd_regions_lock_killable())
		return -EINTR;
	r = kd_region_at(vma->vm_pgoff);
	first = r ? vma->vm_pgoff - r->mmap_pgoff : 0;
	why = !r ? "no region has this offset (see mmap_offset: in /proc/kmem_demo)" :
	      !kd_mmap_call(r, &why) ? why :
	      first >= kd_mmap_pages(r) || n > kd_mmap_pages(r) - first ?
	      "past the end of the region" : NULL;
	/* Counted before it is mapped, so that nobody frees it meanwhile. */
	if (!why)
		r->mapped++;
	kd_regions_unlock();
	if (why)
		return kd_mmap_refused(vma, -EINVAL, why);

	/* Never grown by mremap(), never made executable by mprotect(). */
	kd_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	kd_vm_flags_clear(vma, VM_MAYEXEC);
	ret = kd_mmap_region(vma, r, first);
	if (ret) {
		kd_regions_lock();
		r->mapped--;
		kd_regions_unlock();
		return kd_mmap_refused(vma, ret, "the mapping call failed");
	}
	vma->vm_private_data = r;
	vma->vm_ops = &kd_vm_ops;
	return 0;
}
