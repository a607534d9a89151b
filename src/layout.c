// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: what physical memory backs an allocation.
 *
 * The direct map (kmalloc, __get_free_pages) is a fixed offset from physical
 * memory, so contiguous virtual addresses there are contiguous physical
 * addresses and virt_to_page() is arithmetic.  vmalloc space is built page by
 * page through page tables: each page may come from anywhere, so we ask
 * vmalloc_to_page() for every one and count the physically contiguous runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/mmzone.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "kmem_demo.h"

/* Record the zone and node a page belongs to. */
void kd_note_zone(struct kd_region *r, struct page *page)
{
	const char *zone = page_zone(page)->name;
	size_t used = strlen(r->zones);

	node_set(page_to_nid(page), r->nodes);

	/* Zones are few; a name is added the first time it is seen. */
	if (!strstr(r->zones, zone))
		scnprintf(r->zones + used, sizeof(r->zones) - used, "%s%s",
			  used ? "," : "", zone);
}

/* Record one backing page: its zone, node and place in the physical runs. */
static void kd_note_page(struct kd_region *r, struct page *page)
{
	kd_runs_add(&r->runs, page_to_pfn(page));
	kd_note_zone(r, page);
}

void kd_describe_init(struct kd_region *r)
{
	memset(&r->runs, 0, sizeof(r->runs));
	nodes_clear(r->nodes);
	r->zones[0] = '\0';
	r->in_vmalloc = is_vmalloc_addr(r->addr);
}

void kd_describe_linear(struct kd_region *r)
{
	unsigned long start = (unsigned long)r->addr;
	unsigned long end = start + r->reserved - 1;
	unsigned long pfn;

	kd_describe_init(r);
	r->contiguous = true;
	r->pfn_first = page_to_pfn(virt_to_page(r->addr));
	r->pfn_last = page_to_pfn(virt_to_page((void *)end));
	/* The allocation's own bytes: a 100-byte kmalloc is not its whole page. */
	r->phys = virt_to_phys((void *)r->addr);
	/* One allocation never spans zones or nodes; walk it anyway: it's cheap. */
	for (pfn = r->pfn_first; pfn <= r->pfn_last; pfn++)
		kd_note_page(r, pfn_to_page(pfn));
	kd_map_linear(r);
}

/* Fails (-ENOMEM) only when the list of runs for the map can't be had. */
int kd_describe_vmalloc(struct kd_region *r)
{
	const u8 *p = r->addr;
	size_t off;

	kd_describe_init(r);
	r->contiguous = false;
	for (off = 0; off < r->reserved; off += PAGE_SIZE)
		kd_note_page(r, vmalloc_to_page(p + off));
	return kd_map_vmalloc(r);
}

/*
 * Bytes an area of @size bytes really maps: whole pages, and for kvmalloc,
 * which allows huge mappings, whole 2 MiB (PMD) blocks when it got them.
 * Past the mapped pages comes the unmapped guard page, so count pages while
 * they are mapped, up to the largest rounding possible.  Never look past a
 * PMD boundary: a huge area ends on one anyway, and the page table beyond
 * it belongs to other areas, which other CPUs may be changing (5.10 warns
 * when vmalloc_to_page() meets such an entry).
 */
size_t kd_vmalloc_reserved(const void *addr, size_t size)
{
	size_t mapped = PAGE_ALIGN(size), most = ALIGN(size, PMD_SIZE);
	unsigned long next = (unsigned long)addr + mapped;

	while (mapped < most && !IS_ALIGNED(next, PMD_SIZE) &&
	       vmalloc_to_page((const void *)next)) {
		mapped += PAGE_SIZE;
		next += PAGE_SIZE;
	}
	return mapped;
}
