// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: where the memory landed, frame by frame: /proc/kmem_demo_map.
 *
 * The report says "155 contiguous runs, longest 1755 pages"; this file
 * lists the runs themselves (first page frame number, length), region by
 * region from the registry (region.c), and the zones' spans, so a picture
 * can be drawn of them (make run does).  Like the report, it only prints
 * what was recorded when each allocation was made (describe.c).  The
 * format is documented, once, in docs/pictures.md.
 *
 * Physical frame numbers are for CAP_SYS_ADMIN only (the rule of
 * /proc/<pid>/pagemap, and of the report's pfn: lines): procfs.c makes the
 * file 0400 and checks the opener's capability.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "dma_map.h"
#include "kmem_demo.h"
#include "map.h"
#include "region.h"

#define KD_MAP_NAME	KD_NAME "_map"

static const char *kd_map_kind(const struct kd_desc *d)
{
	if (d->contiguous)
		return "linear";
	return d->in_vmalloc ? "vmalloc" : "slab";
}

static const char *const kd_map_dma_kind[] = {
	[KD_DMA_COHERENT]	= "coherent",
	[KD_DMA_SINGLE]		= "single",
	[KD_DMA_SG]		= "sg",
};

static void kd_map_show_header(struct seq_file *m)
{
	struct zone *zone;
	int nid;

	seq_printf(m, "%s 1\npage_size %lu\nruns_max %u\n", KD_MAP_NAME,
		   PAGE_SIZE, KD_RUNS_MAX);
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

/* The region's NAME is its label with blanks as ':' ("lab 3": "lab:3"). */
static void kd_map_show_region(struct seq_file *m, const struct kd_region *r)
{
	const struct kd_desc *d = &r->d;
	const struct kd_frames *f = &d->frames;
	const char *c;
	unsigned int i;

	seq_puts(m, "region ");
	for (c = r->label; *c; c++)
		seq_putc(m, *c == ' ' ? ':' : *c);
	seq_printf(m, " kind=%s alloc=%s", kd_map_kind(d), d->allocator);
	/* Handed to the device: how, and how the device reaches it. */
	if (r->dma && !r->dma->refused)
		seq_printf(m, " dma=%s:%.*s", kd_map_dma_kind[r->dma->kind],
			   (int)strcspn(r->dma->via, ":"), r->dma->via);
	seq_printf(m, " requested=%zu reserved=%zu pages=%lu runs=%lu longest=%lu listed=%u\n",
		   d->requested, d->reserved, f->sum.pages, f->sum.runs,
		   f->sum.longest, f->listed);
	for (i = 0; i < f->listed; i++)
		seq_printf(m, "run %lu %lu\n", f->run[i].pfn, f->run[i].pages);
}

static int kd_map_show(struct seq_file *m, void *v)
{
	const struct kd_cursor *c = v;

	if (c->r)
		kd_map_show_region(m, c->r);
	else
		kd_map_show_header(m);
	return 0;
}

const struct seq_operations kd_map_seq_ops = {
	.start	= kd_regions_seq_start,
	.next	= kd_regions_seq_next,
	.stop	= kd_regions_seq_stop,
	.show	= kd_map_show,
};
