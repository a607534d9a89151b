// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: where the memory landed, frame by frame: /proc/kmem_demo_map.
 *
 * The report says "155 contiguous runs, longest 1755 pages"; this file
 * lists the runs themselves (first page frame number, length) and the
 * zones' spans, so a picture can be drawn of them (make run does).  Like
 * the report, it only prints what was computed once, when the allocation
 * was made.
 *
 * Physical frame numbers are for CAP_SYS_ADMIN only (the rule of
 * /proc/<pid>/pagemap, and of the report's pfn: lines), so the file is
 * mode 0400 and open() checks the opener's capability as well: uid 0
 * without CAP_SYS_ADMIN gets EPERM, whatever it reads later.
 *
 * The format (documented in the README, "The frame map"), one record per
 * line, numbers in decimal:
 *
 *   kmem_demo_map 1
 *   page_size 4096
 *   runs_max 1024
 *   zone NODE NAME START_PFN SPANNED_PAGES PRESENT_PAGES
 *   region NAME kind=K alloc=A requested=B reserved=B pages=N runs=N longest=N listed=N
 *   run PFN PAGES
 *
 * A region's run lines follow it: in virtual order for kind=vmalloc, one
 * run for kind=linear, the slab pages holding the objects in PFN order for
 * kind=slab.  At most runs_max are listed: past that, listed < runs and the
 * later runs (in that order) are counted in pages/runs/longest but not
 * listed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "kmem_demo.h"

#define KD_MAP_NAME	KD_NAME "_map"
#define KD_MAP_FIRST_EXP	(1 + KD_NR_KINDS)	/* header, load-time regions */

static struct proc_dir_entry *kd_map_proc;

/* ---- computing the runs, once per allocation ---- */

/*
 * Feed the allocation's frames twice through @walk: once to count the
 * runs, then into an array of just the size needed (at most
 * KD_MAP_RUNS_MAX), so nothing is allocated for runs that won't be listed.
 */
static int kd_map_fill(struct kd_region *r,
		       void (*walk)(struct kd_region *r, const void *ctx),
		       const void *ctx)
{
	struct kd_frames *f = &r->frames;
	unsigned long n;

	memset(f, 0, sizeof(*f));
	walk(r, ctx);
	n = min_t(unsigned long, f->sum.runs, KD_MAP_RUNS_MAX);
	if (n > 1)
		f->run = kvmalloc_array(n, sizeof(*f->run), GFP_KERNEL);
	else
		f->run = &f->one;
	if (!f->run)
		return -ENOMEM;
	f->max = n;
	memset(&f->sum, 0, sizeof(f->sum));
	walk(r, ctx);
	return 0;
}

/* Contiguous by construction: one run, no allocation. */
void kd_map_linear(struct kd_region *r)
{
	struct kd_frames *f = &r->frames;
	unsigned long pfn;

	memset(f, 0, sizeof(*f));
	f->run = &f->one;
	f->max = 1;
	for (pfn = r->pfn_first; pfn <= r->pfn_last; pfn++)
		kd_frames_add(f, pfn);
}

static void kd_walk_vmalloc(struct kd_region *r, const void *ctx)
{
	const u8 *p = r->addr;
	size_t off;

	for (off = 0; off < r->reserved; off += PAGE_SIZE)
		kd_frames_add(&r->frames, page_to_pfn(vmalloc_to_page(p + off)));
}

int kd_map_vmalloc(struct kd_region *r)
{
	return kd_map_fill(r, kd_walk_vmalloc, NULL);
}

/* The first frame of the slab (a compound page) that holds @obj. */
unsigned long kd_map_slab_pfn(const void *obj)
{
	return page_to_pfn(virt_to_head_page(obj));
}

struct kd_slabs {
	const unsigned long *pfn;	/* sorted, each slab once */
	unsigned long n;
};

static void kd_walk_slabs(struct kd_region *r, const void *ctx)
{
	const struct kd_slabs *s = ctx;
	unsigned long i, p, nr;

	for (i = 0; i < s->n; i++) {
		nr = compound_nr(pfn_to_page(s->pfn[i]));
		for (p = 0; p < nr; p++)
			kd_frames_add(&r->frames, s->pfn[i] + p);
	}
}

static int kd_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Objects share slabs: sort their slabs' first frames and keep each once,
 * so the runs are the slab pages in PFN order.  A merged cache shares its
 * slabs with other users of that size: these are still the pages that hold
 * our objects.
 */
int kd_map_slab(struct kd_region *r, unsigned long *pfn, unsigned long n)
{
	struct kd_slabs s = { .pfn = pfn };
	unsigned long i;

	sort(pfn, n, sizeof(*pfn), kd_cmp_ulong, NULL);
	for (i = 0; i < n; i++)
		if (!s.n || pfn[i] != pfn[s.n - 1])
			pfn[s.n++] = pfn[i];
	return kd_map_fill(r, kd_walk_slabs, &s);
}

/* Safe on a region whose runs were never computed, or already freed. */
void kd_map_free(struct kd_region *r)
{
	struct kd_frames *f = &r->frames;

	if (f->run != &f->one)
		kvfree(f->run);
	f->run = NULL;
	f->listed = 0;
}

/* ---- the file ---- */

static const char *kd_map_kind(const struct kd_region *r)
{
	if (r->contiguous)
		return "linear";
	return r->in_vmalloc ? "vmalloc" : "slab";
}

static void kd_map_show_header(struct seq_file *m)
{
	struct zone *zone;
	int nid;

	seq_printf(m, "%s 1\npage_size %lu\nruns_max %u\n", KD_MAP_NAME,
		   PAGE_SIZE, KD_MAP_RUNS_MAX);
	for_each_online_node(nid) {
		for (zone = NODE_DATA(nid)->node_zones;
		     zone < NODE_DATA(nid)->node_zones + MAX_NR_ZONES; zone++)
			if (populated_zone(zone))
				seq_printf(m, "zone %d %s %lu %lu %lu\n", nid,
					   zone->name, zone->zone_start_pfn,
					   zone->spanned_pages,
					   zone->present_pages);
	}
}

static void kd_map_show_region(struct seq_file *m, const struct kd_region *r,
			       const struct kd_exp *e)
{
	const struct kd_frames *f = &r->frames;
	unsigned int i;

	if (e)
		seq_printf(m, "region lab:%lu", e->id);
	else
		seq_printf(m, "region %s", r->allocator);
	seq_printf(m, " kind=%s alloc=%s requested=%zu reserved=%zu pages=%lu runs=%lu longest=%lu listed=%u\n",
		   kd_map_kind(r), r->allocator, r->requested, r->reserved,
		   f->sum.pages, f->sum.runs, f->sum.longest, f->listed);
	for (i = 0; i < f->listed; i++)
		seq_printf(m, "run %lu %lu\n", f->run[i].pfn, f->run[i].pages);
}

/* Positions: 0 the header, then the load-time regions, then the lab's. */
static void *kd_map_at(loff_t pos)
{
	if (pos < KD_MAP_FIRST_EXP)
		return SEQ_START_TOKEN;
	return kd_lab_exp(pos - KD_MAP_FIRST_EXP);
}

static void *kd_map_start(struct seq_file *m, loff_t *pos)
{
	kd_lab_lock();
	return kd_map_at(*pos);
}

static void *kd_map_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return kd_map_at(*pos);
}

static void kd_map_stop(struct seq_file *m, void *v)
{
	kd_lab_unlock();
}

static int kd_map_show(struct seq_file *m, void *v)
{
	if (m->index >= KD_MAP_FIRST_EXP)
		kd_map_show_region(m, &((const struct kd_exp *)v)->r, v);
	else if (m->index)
		kd_map_show_region(m, &kd.region[m->index - 1], NULL);
	else
		kd_map_show_header(m);
	return 0;
}

static const struct seq_operations kd_map_seq_ops = {
	.start	= kd_map_start,
	.next	= kd_map_next,
	.stop	= kd_map_stop,
	.show	= kd_map_show,
};

static int kd_map_open(struct inode *inode, struct file *file)
{
	/* Decided once, with the opener's credentials; nothing to write. */
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	if (file->f_mode & FMODE_WRITE)
		return -EACCES;
	return kd_seq_open(file, &kd_map_seq_ops);
}

static const struct proc_ops kd_map_proc_ops = {
	.proc_open	= kd_map_open,
	.proc_read_iter	= seq_read_iter,
	.proc_lseek	= seq_lseek,
	.proc_release	= kd_seq_release,
};

int kd_map_create(void)
{
	kd_map_proc = proc_create(KD_MAP_NAME, 0400, NULL, &kd_map_proc_ops);
	return kd_map_proc ? 0 : -ENOMEM;
}

void kd_map_remove(void)
{
	proc_remove(kd_map_proc);
	kd_map_proc = NULL;
}
