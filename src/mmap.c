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
 *  - coherent DMA memory: dma_mmap_coherent(), which knows how the DMA API
 *    allocated it (the direct map, an uncached remap, pages behind an
 *    IOMMU) and maps it with the attributes the device's coherence needs.
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
 *
 * Revocation: coherent memory belongs to the device, and the device can be
 * unbound (sysfs) while a process maps it; remove() cannot fail, so the
 * mappings are revoked before the memory is freed.  Every open file shares
 * one address_space, of an inode of the module's own (as DRM does), so
 * that unmap_mapping_range() finds every process's mapping of an offset
 * and removes its page table entries.  A VMA names its region by offset
 * only, never by pointer: a withdrawn region is not found again, and an
 * access then gets SIGBUS instead of freed memory.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "dma_map.h"
#include "mmap.h"
#include "region.h"

#define KD_MMAP_MAGIC	0x6b6d6d70	/* "kmmp": the pseudo file system's */

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
		return "dma_mmap_coherent";
	case KD_MEM_PINNED:
		return kd_mmap_no(why,
				  "a process's own anonymous pages: the process maps them already, and vm_insert_page() refuses anonymous pages (PageAnon)");
	case KD_MEM_POOL:
		return kd_mmap_no(why,
				  "a dma_pool block shares its page with the pool's other blocks: a mapping exposes whole pages");
	case KD_MEM_PERCPU:
		return kd_mmap_no(why,
				  "per-CPU memory is one copy per CPU, each sharing its page with other CPUs' variables: a mapping exposes whole pages");
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

/*
 * The region a VMA maps, registry lock held: found by the VMA's offset,
 * which the kernel keeps right through splits and moves, and NULL once
 * the region is withdrawn (offsets are never reused while loaded).
 */
static struct kd_region *kd_vma_region(struct vm_area_struct *vma)
{
	return kd_region_at(vma->vm_pgoff);
}

static void kd_vm_open(struct vm_area_struct *vma)
{
	struct kd_region *r;

	/* fork() or a split (a partial munmap): one more mapping. */
	kd_regions_lock();
	r = kd_vma_region(vma);
	if (r)
		r->mapped++;
	kd_regions_unlock();
}

static void kd_vm_close(struct vm_area_struct *vma)
{
	struct kd_region *r;

	kd_regions_lock();
	r = kd_vma_region(vma);
	if (r)
		r->mapped--;
	kd_regions_unlock();
}

/*
 * A page that was mapped but is no longer in the page table (MADV_DONTNEED
 * zapped it): the same page again, with a reference for the new mapping.
 * Memory mapped by frame number (VM_PFNMAP) is never zapped so: the kernel
 * refuses MADV_DONTNEED there.  A revoked mapping's region is gone: SIGBUS.
 */
static vm_fault_t kd_vm_fault(struct vm_fault *vmf)
{
	struct page *page = NULL;
	struct kd_region *r;
	unsigned long i;

	kd_regions_lock();
	r = kd_vma_region(vmf->vma);
	i = r ? vmf->pgoff - r->mmap_pgoff : 0;
	if (r && i < kd_mmap_pages(r)) {
		/* Behind an IOMMU coherent memory is pages, vm_map_pages()'d. */
		if (r->mem == KD_MEM_VMALLOC_USER ||
		    (r->mem == KD_MEM_COHERENT && is_vmalloc_addr(r->d.addr) &&
		     !(vmf->vma->vm_flags & VM_PFNMAP)))
			page = vmalloc_to_page(r->d.addr + (i << PAGE_SHIFT));
		else if (kd_mmap_one_page(r))
			page = virt_to_page(r->d.addr);
	}
	/* Its reference is taken before the region can be freed. */
	if (page)
		get_page(page);
	kd_regions_unlock();
	if (!page)
		return VM_FAULT_SIGBUS;
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

/* ---- one address_space for every open file ---- */

/* The inode whose pages list every mapping; made at the first open(). */
static struct vfsmount *kd_mnt;
static int kd_mnt_count;
static struct inode *kd_inode;

/*
 * Processes that mapped coherent memory since the last revocation, each
 * with its mm held (mmgrab: the struct, not the address space), under the
 * registry lock.
 */
struct kd_mapper {
	struct list_head node;
	struct mm_struct *mm;
};

static LIST_HEAD(kd_mappers);

/* Serializes the inode's making and unmaking and revocations. */
static DEFINE_MUTEX(kd_mmap_lock);

static int kd_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, KD_MMAP_MAGIC) ? 0 : -ENOMEM;
}

/*
 * Never registered, mounted only inside the kernel.  No .owner: the mount
 * lasts while the module is loaded, and the module would hold itself.
 */
static struct file_system_type kd_fs_type = {
	.name		= KBUILD_MODNAME "_mmap",
	.init_fs_context = kd_fs_init_fs_context,
	.kill_sb	= kill_anon_super,
};

int kd_mmap_open(struct file *file)
{
	struct inode *inode;
	int ret = 0;

	mutex_lock(&kd_mmap_lock);
	if (!kd_inode) {
		ret = simple_pin_fs(&kd_fs_type, &kd_mnt, &kd_mnt_count);
		if (ret)
			goto out;
		inode = alloc_anon_inode(kd_mnt->mnt_sb);
		if (IS_ERR(inode)) {
			simple_release_fs(&kd_mnt, &kd_mnt_count);
			ret = PTR_ERR(inode);
			goto out;
		}
		kd_inode = inode;
	}
	file->f_mapping = kd_inode->i_mapping;
out:
	mutex_unlock(&kd_mmap_lock);
	return ret;
}

static void kd_mapper_drop(struct kd_mapper *p)
{
	list_del(&p->node);
	mmdrop(p->mm);
	kfree(p);
}

void kd_mmap_exit(void)
{
	struct kd_mapper *p, *tmp;

	/* No file is open (each holds the module), so nothing is mapped. */
	mutex_lock(&kd_mmap_lock);
	kd_regions_lock();
	list_for_each_entry_safe(p, tmp, &kd_mappers, node)
		kd_mapper_drop(p);
	kd_regions_unlock();
	if (kd_inode) {
		iput(kd_inode);
		kd_inode = NULL;
		simple_release_fs(&kd_mnt, &kd_mnt_count);
	}
	mutex_unlock(&kd_mmap_lock);
}

/* Registry lock held: @mm is among the mappers, or -ENOMEM. */
static int kd_mapper_add(struct mm_struct *mm)
{
	struct kd_mapper *p, *tmp;

	list_for_each_entry_safe(p, tmp, &kd_mappers, node) {
		if (p->mm == mm)
			return 0;
		/* A process that has exited maps nothing any more. */
		if (!atomic_read(&p->mm->mm_users))
			kd_mapper_drop(p);
	}
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	mmgrab(mm);
	p->mm = mm;
	list_add(&p->node, &kd_mappers);
	return 0;
}

void kd_mmap_revoke(const struct kd_region *r)
{
	struct kd_mapper *p, *tmp;
	LIST_HEAD(mappers);

	mutex_lock(&kd_mmap_lock);
	if (!kd_inode)
		goto out;
	kd_regions_lock();
	list_splice_init(&kd_mappers, &mappers);
	kd_regions_unlock();
	/*
	 * An mmap() that mapped @r before it was withdrawn holds its mm's
	 * mmap lock until the new VMA is linked into the address_space,
	 * where unmap_mapping_range() looks: wait for each such call to end.
	 */
	list_for_each_entry_safe(p, tmp, &mappers, node) {
		mmap_read_lock(p->mm);
		mmap_read_unlock(p->mm);
		kd_mapper_drop(p);
	}
	unmap_mapping_range(kd_inode->i_mapping,
			    (loff_t)r->mmap_pgoff << PAGE_SHIFT,
			    (loff_t)kd_mmap_pages(r) << PAGE_SHIFT, 1);
	if (r->mapped)
		pr_info("[%s]: %u mapping(s) revoked: the memory goes with the device, and a process touching it now gets SIGBUS\n",
			r->label, r->mapped);
out:
	mutex_unlock(&kd_mmap_lock);
}

/* ---- mmap() ---- */

/* Map pages @first.. of @r into @vma, all of it: the call the report names. */
static int kd_mmap_region(struct vm_area_struct *vma, struct kd_region *r,
			  unsigned long first)
{
	const void *addr = r->d.addr + (first << PAGE_SHIFT);
	unsigned long len = vma->vm_end - vma->vm_start;
	struct page *page;
	unsigned long n;
	int ret;

	if (r->mem == KD_MEM_VMALLOC_USER)
		return remap_vmalloc_range(vma, (void *)r->d.addr, first);
	if (r->mem == KD_MEM_COHERENT) {
		/* Revoked with the device: it must know who mapped it. */
		ret = kd_mapper_add(vma->vm_mm);
		return ret ? ret : kd_dma_mmap(r->dma, vma, first);
	}
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
	/*
	 * The registry's lock is held until the pages are mapped, so that
	 * the region is not freed or withdrawn meanwhile.
	 */
	if (kd_regions_lock_killable())
		return -EINTR;
	r = kd_region_at(vma->vm_pgoff);
	first = r ? vma->vm_pgoff - r->mmap_pgoff : 0;
	why = !r ? "no region has this offset (see mmap_offset: in /proc/kmem_demo)" :
	      !kd_mmap_call(r, &why) ? why :
	      first >= kd_mmap_pages(r) || n > kd_mmap_pages(r) - first ?
	      "past the end of the region" : NULL;
	if (why) {
		kd_regions_unlock();
		return kd_mmap_refused(vma, -EINVAL, why);
	}
	if (r->busy) {
		kd_regions_unlock();
		return kd_mmap_refused(vma, -EBUSY, r->busy);
	}
	/* Never grown by mremap(), never made executable by mprotect(). */
	kd_vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	kd_vm_flags_clear(vma, VM_MAYEXEC);
	ret = kd_mmap_region(vma, r, first);
	if (!ret)
		r->mapped++;
	kd_regions_unlock();
	if (ret)
		return kd_mmap_refused(vma, ret, "the mapping call failed");
	vma->vm_ops = &kd_vm_ops;
	return 0;
}
