// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: what physical memory backs an allocation.
 *
 * The direct map (kmalloc, __get_free_pages) is a fixed offset from physical
 * memory, so contiguous virtual addresses there are contiguous physical
 * addresses and virt_to_page() is arithmetic.  vmalloc space is built page by
 * page through page tables: each page may come from anywhere, so we ask
 * vmalloc_to_page() for every one and count the physically contiguous runs.
 * Slab objects sit in slabs (compound pages) of their cache, shared with
 * the cache's other objects.
 *
 * Each allocation is described once, when it is made: the runs for the
 * frame map are stored then, at most KD_RUNS_MAX of them, so that reading
 * never walks page tables or slabs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "describe.h"

/*
 * Count one page (or object) on node @nid.  The counts stay sorted by node
 * number; a machine with more nodes than KD_NODES_COUNTED gets the rest
 * counted together.
 */
static void kd_count_node(struct kd_desc *d, int nid)
{
	struct kd_node_count *c = d->node_count;
	unsigned int i, n = d->node_counted;

	for (i = 0; i < n && c[i].nid < nid; i++)
		;
	if (i < n && c[i].nid == nid) {
		c[i].n++;
		return;
	}
	if (n == KD_NODES_COUNTED) {
		d->node_rest++;
		return;
	}
	memmove(&c[i + 1], &c[i], (n - i) * sizeof(*c));
	c[i].nid = nid;
	c[i].n = 1;
	d->node_counted++;
}

/*
 * Record the zone and node a page belongs to.  Zones are told apart by
 * their index, never by name: "DMA" is part of "DMA32".
 */
static void kd_note_zone(struct kd_desc *d, struct page *page)
{
	unsigned int z = page_zonenum(page);
	int nid = page_to_nid(page);

	node_set(nid, d->nodes);
	kd_count_node(d, nid);
	if (!(d->zone_seen & BIT(z))) {
		d->zone_seen |= BIT(z);
		d->zone[d->nr_zones++] = page_zone(page)->name;
	}
}

/* Record one backing page: its zone, node and place in the physical runs. */
static void kd_note_page(struct kd_desc *d, struct page *page)
{
	kd_runs_add(&d->runs, page_to_pfn(page));
	kd_note_zone(d, page);
}

static void kd_describe_start(struct kd_desc *d)
{
	memset(&d->runs, 0, sizeof(d->runs));
	memset(&d->frames, 0, sizeof(d->frames));
	nodes_clear(d->nodes);
	d->node_unit = "page";
	d->node_counted = 0;
	d->node_rest = 0;
	d->zone_seen = 0;
	d->nr_zones = 0;
	d->in_vmalloc = is_vmalloc_addr(d->addr);
}

/*
 * Room for the runs of the frame map, before the one walk that finds them:
 * at most @bound runs (an allocation has no more runs than pages or slabs)
 * and never more than KD_RUNS_MAX.  One run needs no array.
 */
static int kd_frames_begin(struct kd_desc *d, unsigned long bound)
{
	struct kd_frames *f = &d->frames;
	unsigned long n = min_t(unsigned long, bound, KD_RUNS_MAX);

	memset(f, 0, sizeof(*f));
	if (n > 1)
		f->run = kvmalloc_array(n, sizeof(*f->run), GFP_KERNEL);
	else
		f->run = &f->one;
	if (!f->run)
		return -ENOMEM;
	f->max = n;
	return 0;
}

/*
 * After the walk: keep an array of just the runs listed, so a described
 * allocation holds no room it does not use.  Failing that, the larger
 * array stays: nothing is lost.
 */
static void kd_frames_end(struct kd_desc *d)
{
	struct kd_frames *f = &d->frames;
	struct kd_run *run;

	if (f->run == &f->one || f->listed == f->max)
		return;
	if (f->listed <= 1) {
		f->one = f->run[0];
		run = &f->one;
	} else {
		run = kvmalloc_array(f->listed, sizeof(*run), GFP_KERNEL);
		if (!run)
			return;
		memcpy(run, f->run, f->listed * sizeof(*run));
	}
	kvfree(f->run);
	f->run = run;
	f->max = f->listed;
}

void kd_describe_move(struct kd_desc *to, const struct kd_desc *from)
{
	memcpy(to, from, sizeof(*to));
	if (from->frames.run == &from->frames.one)
		to->frames.run = &to->frames.one;
}

void kd_describe_free(struct kd_desc *d)
{
	struct kd_frames *f = &d->frames;

	if (f->run != &f->one)
		kvfree(f->run);
	f->run = NULL;
	f->listed = 0;
}

/* ---- the direct map: one physically contiguous block ---- */

void kd_describe_linear(struct kd_desc *d)
{
	unsigned long start = (unsigned long)d->addr;
	unsigned long end = start + d->reserved - 1;
	unsigned long pfn;

	kd_describe_start(d);
	d->contiguous = true;
	d->pfn_first = page_to_pfn(virt_to_page(d->addr));
	d->pfn_last = page_to_pfn(virt_to_page((void *)end));
	/* The allocation's own bytes: a 100-byte kmalloc is not its whole page. */
	d->phys = virt_to_phys((void *)d->addr);
	/* One run: no array to allocate. */
	d->frames.run = &d->frames.one;
	d->frames.max = 1;
	/* One allocation never spans zones or nodes; walk it anyway: it's cheap. */
	for (pfn = d->pfn_first; pfn <= d->pfn_last; pfn++) {
		kd_note_page(d, pfn_to_page(pfn));
		kd_frames_add(&d->frames, pfn);
	}
}

/* ---- vmalloc space: page by page ---- */

/*
 * One walk over the area's pages: zone, node and run of each.  A large
 * area is thousands of pages: the walk lets other tasks run between
 * batches (it holds no lock).
 */
int kd_describe_vmalloc(struct kd_desc *d)
{
	unsigned long i, nr = d->reserved >> PAGE_SHIFT;
	const u8 *p = d->addr;
	struct page *page;

	kd_describe_start(d);
	d->contiguous = false;
	if (kd_frames_begin(d, nr))
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		page = vmalloc_to_page(p + i * PAGE_SIZE);
		kd_note_page(d, page);
		kd_frames_add(&d->frames, page_to_pfn(page));
		if (i % 1024 == 1023)
			cond_resched();
	}
	kd_frames_end(d);
	return 0;
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

/* ---- slab objects: the slabs that hold them ---- */

static int kd_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Sort @n frame numbers and drop the repeats: how many are left. */
static unsigned long kd_sort_unique(unsigned long *pfn, unsigned long n)
{
	unsigned long i, u = 0;

	sort(pfn, n, sizeof(*pfn), kd_cmp_ulong, NULL);
	for (i = 0; i < n; i++)
		if (!u || pfn[i] != pfn[u - 1])
			pfn[u++] = pfn[i];
	return u;
}

/*
 * Objects share slabs: the runs are their slabs' pages in PFN order, each
 * slab once.  A merged cache shares its slabs with other users of that
 * size: these are still the pages that hold our objects.  The object count
 * is in @d->requested and @d->reserved; runs stays empty (no pages of our
 * own), so the report shows zone and node only.
 */
int kd_describe_objects(struct kd_desc *d, void *const *objs, unsigned long n)
{
	unsigned long *pfn, i, p, nr, slabs;
	int ret;

	d->addr = objs[0];
	kd_describe_start(d);
	d->contiguous = false;
	d->node_unit = "object";
	for (i = 0; i < n; i++)
		kd_note_zone(d, virt_to_page(objs[i]));
	pfn = kvmalloc_array(n, sizeof(*pfn), GFP_KERNEL);
	if (!pfn)
		return -ENOMEM;
	/* The first frame of the slab (a compound page) that holds each one. */
	for (i = 0; i < n; i++)
		pfn[i] = page_to_pfn(virt_to_head_page(objs[i]));
	slabs = kd_sort_unique(pfn, n);
	/* Each slab is contiguous: no more runs than slabs. */
	ret = kd_frames_begin(d, slabs);
	if (!ret) {
		for (i = 0; i < slabs; i++) {
			nr = compound_nr(pfn_to_page(pfn[i]));
			for (p = 0; p < nr; p++)
				kd_frames_add(&d->frames, pfn[i] + p);
		}
		kd_frames_end(d);
	}
	kvfree(pfn);
	return ret;
}

/* ---- per-CPU memory: one copy per possible CPU ---- */

/*
 * The page behind a per-CPU copy: the first chunk is embedded in the
 * direct map at boot, later chunks are vmalloc'd.
 */
struct page *kd_percpu_page(const void *p)
{
	return is_vmalloc_addr(p) ? vmalloc_to_page(p) : virt_to_page(p);
}

/*
 * The copies of @size bytes at @p: zone and node of each copy (its first
 * page), and every page any copy touches, for the map.  The pages hold
 * other per-CPU variables too: no runs of our own, as for objects.
 */
int kd_describe_percpu(struct kd_desc *d, void __percpu *p, size_t size)
{
	unsigned long *pfn, n = 0, u, i, a, last;
	unsigned long per = DIV_ROUND_UP(size, PAGE_SIZE) + 1;
	unsigned int cpu;
	int ret;

	d->addr = per_cpu_ptr(p, cpumask_first(cpu_possible_mask));
	kd_describe_start(d);
	d->contiguous = false;
	d->node_unit = "copy";
	pfn = kvmalloc_array(num_possible_cpus() * per, sizeof(*pfn), GFP_KERNEL);
	if (!pfn)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		a = (unsigned long)per_cpu_ptr(p, cpu);
		last = a + size - 1;
		kd_note_zone(d, kd_percpu_page((void *)a));
		for (a &= PAGE_MASK; a <= last; a += PAGE_SIZE)
			pfn[n++] = page_to_pfn(kd_percpu_page((void *)a));
	}
	u = kd_sort_unique(pfn, n);
	ret = kd_frames_begin(d, u);
	if (!ret) {
		for (i = 0; i < u; i++)
			kd_frames_add(&d->frames, pfn[i]);
		kd_frames_end(d);
	}
	kvfree(pfn);
	return ret;
}
