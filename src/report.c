// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: /proc/kmem_demo, the report.
 *
 * A seq_file over the registry of regions (region.c): the header, then one
 * section per region in the order they were made (the load-time ones,
 * then the lab's), each followed by its items (the cache's objects).
 * seq_file restarts a walk at any position, so partial reads, seeks and
 * reads of any size give the same bytes as one big read -- as long as the
 * regions don't change.  The load-time ones are fixed; lab experiments come
 * and go under the registry's lock, which the walk holds from start() to
 * stop(): one read() sees whole sections, and a read spread over several
 * read() calls may see experiments added or freed between them.
 *
 * Who sees what:
 *  - Addresses follow kptr_restrict as it was for the opener at open()
 *    (0: hashed, 1: real only with CAP_SYSLOG, 2: always zeros), decided
 *    in the cursor like the frames below.
 *  - Physical frame numbers are shown only if the opener had CAP_SYS_ADMIN
 *    (procfs.c decides at open() and says so in the cursor), the rule of
 *    /proc/<pid>/pagemap: physical addresses help attacks such as
 *    Rowhammer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>

#include "kmem_demo.h"
#include "lab.h"
#include "mmap.h"
#include "params.h"
#include "pure.h"
#include "region.h"
#include "report.h"

static void kd_show_header(struct seq_file *m, const struct kd_cursor *c)
{
	unsigned long items, bytes, taken, given;

	seq_printf(m, "%s %s: what each allocator really gave this module\n",
		   KD_NAME, KD_VERSION);
	seq_printf(m, "page_size:   %lu\n", PAGE_SIZE);
	seq_printf(m, "params:      kmalloc_size=%lu vmalloc_size=%lu page_order=%lu cache_objects=%lu\n",
		   kd_param(kmalloc_size), kd_param(vmalloc_size),
		   kd_param(page_order), kd_param(cache_objects));
	seq_printf(m, "physical:    %s\n", c->phys ? "shown" :
		   "hidden (open needs CAP_SYS_ADMIN, as for /proc/<pid>/pagemap)");
	kd_lab_totals(&items, &bytes);
	seq_printf(m, "lab:         %lu live, %lu bytes reserved (lab_max_items=%lu lab_max_bytes=%lu)\n",
		   items, bytes, kd_param(lab_max_items), kd_param(lab_max_bytes));
	kd_pages_count(&taken, &given);
	seq_printf(m, "page_acct:   %lu pages allocated, %lu freed\n", taken, given);
	seq_printf(m, "dma_device:  %s\n", kd_device_line());
}

static void kd_show_size(struct seq_file *m, const char *key, size_t bytes)
{
	char buf[48];

	kd_fmt_size(buf, sizeof(buf), bytes);
	seq_printf(m, "%-12s %s\n", key, buf);
}

/* One part per line, its key padded like the others: "slack_class: 28 (...)". */
static void kd_show_parts(struct seq_file *m, const struct kd_parts *p)
{
	char key[KD_PART_KEY_MAX + 2];
	unsigned int i;

	for (i = 0; i < p->n; i++) {
		snprintf(key, sizeof(key), "%s:", p->part[i].key);
		seq_printf(m, "%-12s %zu (%s)\n", key, p->part[i].bytes,
			   p->part[i].why);
	}
}

/*
 * Why the slack: who served the request, the causes of the slack (they sum
 * to it), then what the kernel spent beside the allocation.
 */
static void kd_show_why(struct seq_file *m, const struct kd_desc *d)
{
	if (d->served_by[0])
		seq_printf(m, "served_by:   %s\n", d->served_by);
	kd_show_parts(m, &d->slack);
	kd_show_parts(m, &d->extra);
}

/*
 * The NUMA nodes the memory came from: on one node just its number; on
 * several, each with its share ("0 (1024 pages), 1 (1024 pages)").
 */
static void kd_show_nodes(struct seq_file *m, const struct kd_desc *d)
{
	const struct kd_node_count *c = d->node_count;
	unsigned int i;

	if (nodes_weight(d->nodes) <= 1) {
		seq_printf(m, "node:        %*pbl\n", nodemask_pr_args(&d->nodes));
		return;
	}
	seq_puts(m, "node:       ");
	for (i = 0; i < d->node_counted; i++)
		seq_printf(m, "%s %d (%lu %s%s)", i ? "," : "", c[i].nid, c[i].n,
			   d->node_unit, c[i].n == 1 ? "" : "s");
	if (d->node_rest)
		seq_printf(m, ", other nodes (%lu %ss)", d->node_rest, d->node_unit);
	seq_putc(m, '\n');
}

/* One region's section: what it asked for, what it got, and where. */
static void kd_show_region(struct seq_file *m, const struct kd_cursor *c,
			   const struct kd_region *r)
{
	const struct kd_region_ops *ops = r->ops;
	const struct kd_desc *d = &r->d;
	unsigned int i;

	seq_printf(m, "\n[%s]\n", r->label);
	if (ops && ops->head)
		ops->head(m, r);
	seq_printf(m, "call:        %s\n", d->call);
	if (ops && ops->body)
		ops->body(m, r);
	seq_printf(m, "gfp:         %pGg (%#x)\n", &d->gfp,
		   (__force unsigned int)d->gfp);
	kd_show_size(m, "requested:", d->requested);
	kd_show_size(m, "reserved:", d->reserved);
	kd_show_size(m, "slack:", d->reserved - d->requested);
	kd_show_why(m, d);
	seq_puts(m, "address:     ");
	kd_seq_addr(m, d->addr);
	seq_putc(m, '\n');
	seq_printf(m, "map:         %s\n",
		   d->in_vmalloc ? "vmalloc space" : "direct map");
	if (d->runs.pages)
		seq_printf(m, "pages:       %lu\n", d->runs.pages);
	if (d->contiguous)
		seq_puts(m, "physical:    contiguous\n");
	else if (d->runs.pages)
		seq_printf(m, "physical:    %lu contiguous runs, longest %lu pages\n",
			   d->runs.runs, d->runs.longest);
	if (d->contiguous && c->phys)
		seq_printf(m, "pfn:         %#lx-%#lx\nphys:        %#llx-%#llx\n",
			   d->pfn_first, d->pfn_last,
			   (unsigned long long)d->phys,
			   (unsigned long long)(d->phys + d->reserved - 1));
	else if (d->contiguous)
		seq_puts(m, "pfn:         hidden\n");
	if (d->has_roundup)
		seq_printf(m, "roundup:     %zu (kmalloc_size_roundup(%zu))\n",
			   d->roundup, d->requested);
	seq_puts(m, "zone:        ");
	for (i = 0; i < d->nr_zones; i++)
		seq_printf(m, "%s%s", i ? "," : "", d->zone[i]);
	seq_putc(m, '\n');
	kd_show_nodes(m, d);
	kd_mmap_show(m, r);
}

static int kd_report_show(struct seq_file *m, void *v)
{
	const struct kd_cursor *c = v;

	if (!c->r)
		kd_show_header(m, c);
	else if (!c->item)
		kd_show_region(m, c, c->r);
	else
		c->r->ops->item(m, c->r, c->item - 1);
	return 0;
}

const struct seq_operations kd_report_seq_ops = {
	.start	= kd_regions_seq_start,
	.next	= kd_regions_seq_next,
	.stop	= kd_regions_seq_stop,
	.show	= kd_report_show,
};
