// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: the DMA demo device's own memory, at load.
 *
 * Once its driver (edu.c) has set the device up, the module gives it the
 * three kinds of memory a driver hands a device (dma_map.c does the DMA
 * API's part), each a section of the report:
 *  - [dma_coherent]: dma_alloc_coherent() of 2^dma_order pages;
 *  - [dma_pool]: a dma_pool, many small coherent blocks (one descriptor
 *    each), carved from coherent pages the pool allocates, as a
 *    kmem_cache carves slabs;
 *  - [dma_map]: a kmalloc'd frame, mapped with dma_map_single().
 * The device then proves it reaches them: the module writes a pattern,
 * the device copies it into its own buffer, the module clears it, the
 * device copies it back, and every byte is compared.  That runs in a work
 * item, a transfer at a time (about 100 ms each): loading does not wait,
 * and the report says how far it got.  The work starts KD_DMA_VERIFY_MS
 * after the device is set up, so that a module unloaded at once (a test's
 * load loop, a mistaken insmod) never starts the device, and unloading
 * never waits for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "dma.h"
#include "dma_map.h"
#include "kmem_demo.h"
#include "mmap.h"
#include "params.h"
#include "region.h"
#include "slack.h"

#define KD_DMA_VERIFY_MS 200
#define KD_POOL_BLOCKS	4
#define KD_POOL_SIZE	512	/* a block: one descriptor, say */
#define KD_POOL_ALIGN	64	/* each block starts on a cache line */
#define KD_MAP_SIZE	1500	/* an Ethernet frame: a classic streaming buffer */

/* One buffer of the load, and its section of the report. */
struct kd_dma_buf {
	struct kd_region r;
	struct kd_dma_map m;
	char reach[224];	/* the streaming buffer: why it is where it is */
};

static struct {
	struct pci_dev *pdev;	/* attached, or NULL */
	unsigned int order;	/* of the coherent buffer */
	struct kd_dma_buf coh, pool, map;
	struct dma_pool *dpool;
	void *block[KD_POOL_BLOCKS];
	dma_addr_t block_dma[KD_POOL_BLOCKS];
	struct delayed_work verify;
	char why[96];		/* what failed in kd_dma_attach() */
} kd_dma = {
	.coh.r = { .label = "dma_coherent", .mem = KD_MEM_COHERENT },
	.pool.r = { .label = "dma_pool", .mem = KD_MEM_POOL },
	.map.r = { .label = "dma_map", .mem = KD_MEM_SLAB },
};

static inline struct device *kd_dma_dev(void)
{
	return &kd_dma.pdev->dev;
}

const char *kd_dma_why(void)
{
	return kd_dma.why;
}

/* ---- the report's lines ---- */

static void kd_dma_body(struct seq_file *sf, const struct kd_region *r)
{
	kd_dma_map_show(sf, &container_of(r, struct kd_dma_buf, r)->m);
}

/* The pool's blocks, one line each, after the section. */
static unsigned long kd_pool_nr_items(const struct kd_region *r)
{
	return KD_POOL_BLOCKS;
}

static void kd_pool_item(struct seq_file *m, const struct kd_region *r,
			 unsigned long i)
{
	const struct kd_cursor *c = m->private;

	seq_printf(m, "block %lu: %u bytes, page offset %#lx, address=", i,
		   KD_POOL_SIZE, offset_in_page(kd_dma.block[i]));
	kd_seq_addr(m, kd_dma.block[i]);
	if (c->phys)
		seq_printf(m, " dma_addr=%pad", &kd_dma.block_dma[i]);
	seq_putc(m, '\n');
}

/*
 * Why the coherent buffer's zone: the driver passes GFP_KERNEL and the
 * DMA API picks the zone from the mask (kernel/dma/direct.c).
 */
static void kd_coh_body(struct seq_file *m, const struct kd_region *r)
{
	int bits = fls64(kd_dma.coh.m.mask);

	kd_dma_body(m, r);
	if (kd_dma_iommu()) {
		seq_puts(m, "zone_why:    any zone: the IOMMU gives the device I/O virtual addresses under its mask, whatever frames lie behind them\n");
		return;
	}
	if (bits >= 64) {
		seq_puts(m, "zone_why:    a 64-bit mask reaches all memory: any zone\n");
		return;
	}
	seq_printf(m, "zone_why:    a %d-bit mask reaches the first %llu %s: dma-direct adds GFP_DMA32 for masks of 32 bits or less, GFP_DMA within ZONE_DMA's, and tries a lower zone when a page lands above the mask\n",
		   bits, bits >= 30 ? 1ULL << (bits - 30) : 1ULL << (bits - 20),
		   bits >= 30 ? "GiB" : "MiB");
}

/* The streaming buffer: and why its memory is where it is. */
static void kd_map_body(struct seq_file *m, const struct kd_region *r)
{
	kd_dma_body(m, r);
	seq_printf(m, "reach:       %s\n", kd_dma.map.reach);
}

static const struct kd_region_ops kd_coh_ops = {
	.body		= kd_coh_body,
};

static const struct kd_region_ops kd_pool_ops = {
	.body		= kd_dma_body,
	.nr_items	= kd_pool_nr_items,
	.item		= kd_pool_item,
};

static const struct kd_region_ops kd_map_ops = {
	.body		= kd_map_body,
};

/* ---- the device proves it reaches them ---- */

/* The start of each buffer through the device, there and back. */
static void kd_dma_verify_buf(struct kd_dma_buf *b)
{
	const struct kd_xfer *x = &b->m.x;
	const char *why;
	int err;

	if (b->m.refused)
		return;
	err = kd_dma_xfer(&b->m, 1, &why);
	if (err && err != -ECANCELED)
		dev_err(kd_dma_dev(), "[%s]: the device's copy of %zu bytes was not right (error %d, first bad byte %zu): %s\n",
			b->r.label, x->len, err, x->bad, why);
}

static void kd_dma_verify(struct work_struct *work)
{
	kd_dma_verify_buf(&kd_dma.coh);
	kd_dma_verify_buf(&kd_dma.pool);
	kd_dma_verify_buf(&kd_dma.map);
}

/* ---- the load's buffers ---- */

static int kd_dma_fail(int err, const char *what)
{
	strscpy(kd_dma.why, what, sizeof(kd_dma.why));
	return err;
}

static int kd_load_coherent(void)
{
	if (kd_dma_coherent(&kd_dma.coh.m, &kd_dma.coh.r.d, PAGE_SIZE << kd_dma.order))
		return kd_dma_fail(-ENOMEM, "dma_alloc_coherent() failed");
	return 0;
}

static void kd_load_coherent_free(void)
{
	struct kd_dma_map *m = &kd_dma.coh.m;

	if (!m->cpu)
		return;
	kd_dma_unmap(m);
	m->cpu = NULL;
	kd_describe_free(&kd_dma.coh.r.d);
}

static int kd_load_pool(void)
{
	struct kd_desc *d = &kd_dma.pool.r.d;
	struct kd_dma_map *m = &kd_dma.pool.m;
	void *where[KD_POOL_BLOCKS];
	unsigned int i;
	int ret;

	/* Blocks of 512 bytes on 64-byte boundaries, from coherent pages. */
	kd_dma.dpool = dma_pool_create(KD_NAME, kd_dma_dev(), KD_POOL_SIZE,
				       KD_POOL_ALIGN, 0);
	if (!kd_dma.dpool)
		return kd_dma_fail(-ENOMEM, "dma_pool_create() failed");
	d->gfp = GFP_KERNEL;
	for (i = 0; i < KD_POOL_BLOCKS; i++) {
		kd_dma.block[i] = dma_pool_alloc(kd_dma.dpool, d->gfp,
						 &kd_dma.block_dma[i]);
		if (!kd_dma.block[i])
			return kd_dma_fail(-ENOMEM, "dma_pool_alloc() failed");
	}
	d->allocator = "dma_pool_alloc";
	snprintf(d->call, sizeof(d->call),
		 "dma_pool_create(\"%s\", %s, %u, %u, 0), then dma_pool_alloc(pool, %pGg, &dma_addr) x %u",
		 KD_NAME, pci_name(kd_dma.pdev), KD_POOL_SIZE, KD_POOL_ALIGN,
		 &d->gfp, KD_POOL_BLOCKS);
	d->requested = KD_POOL_BLOCKS * KD_POOL_SIZE;
	d->reserved = d->requested;
	/*
	 * Like a slab cache's objects: blocks in pages the pool owns.  Behind
	 * an IOMMU those pages are remapped into vmalloc space; they are
	 * described by their direct-map addresses, the same frames.
	 */
	for (i = 0; i < KD_POOL_BLOCKS; i++)
		where[i] = !is_vmalloc_addr(kd_dma.block[i]) ? kd_dma.block[i] :
			   page_address(vmalloc_to_page(kd_dma.block[i])) +
			   offset_in_page(kd_dma.block[i]);
	ret = kd_describe_objects(d, where, KD_POOL_BLOCKS);
	if (ret)
		return kd_dma_fail(ret, "describing the pool's blocks failed");
	d->addr = kd_dma.block[0];
	d->in_vmalloc = is_vmalloc_addr(kd_dma.block[0]);
	d->node_unit = "block";
	snprintf(d->served_by, sizeof(d->served_by),
		 "a dma_pool of %u-byte blocks in coherent pages of its own",
		 KD_POOL_SIZE);
	if (d->frames.sum.pages << PAGE_SHIFT > d->reserved)
		kd_parts_add(&d->extra, "extra_pool",
			     (d->frames.sum.pages << PAGE_SHIFT) - d->reserved,
			     "the rest of the pool's coherent pages, for its other blocks");
	/* The device copies the first block. */
	m->kind = KD_DMA_COHERENT;
	m->cpu = kd_dma.block[0];
	m->len = KD_POOL_SIZE;
	m->handle = kd_dma.block_dma[0];
	m->mask = kd_dma_mask();
	kd_dma_via(m, kd_dma_phys(m->cpu), m->handle);
	return 0;
}

static void kd_load_pool_free(void)
{
	unsigned int i;

	for (i = 0; i < KD_POOL_BLOCKS; i++) {
		if (kd_dma.block[i])
			dma_pool_free(kd_dma.dpool, kd_dma.block[i],
				      kd_dma.block_dma[i]);
		kd_dma.block[i] = NULL;
	}
	kd_dma.pool.m.cpu = NULL;
	kd_describe_free(&kd_dma.pool.r.d);
	/* The pool gives its pages back to dma_free_coherent() here. */
	dma_pool_destroy(kd_dma.dpool);
	kd_dma.dpool = NULL;
}

static int kd_load_frame(void)
{
	struct kd_dma_buf *b = &kd_dma.map;
	struct kd_desc *d = &b->r.d;
	struct kd_dma_map *m = &b->m;
	const char *why;
	void *buf;

	d->gfp = kd_dma_gfp(b->reach, sizeof(b->reach));
	buf = kmalloc(KD_MAP_SIZE, d->gfp);
	if (!buf)
		return kd_dma_fail(-ENOMEM, "kmalloc() of the buffer to map failed");
	d->allocator = "kmalloc";
	d->requested = KD_MAP_SIZE;
	snprintf(d->call, sizeof(d->call),
		 "kmalloc(%u, %pGg), then dma_map_single(%s, buf, %u, DMA_BIDIRECTIONAL)",
		 KD_MAP_SIZE, &d->gfp, pci_name(kd_dma.pdev), KD_MAP_SIZE);
	kd_got_kmalloc(d, buf);
	m->kind = KD_DMA_SINGLE;
	m->dir = DMA_BIDIRECTIONAL;
	m->cpu = buf;
	m->len = KD_MAP_SIZE;
	m->mask = kd_dma_mask();
	m->cpu_owns = true;
	m->refused = kd_dma_unreachable(kd_dma_phys(buf), KD_MAP_SIZE);
	if (m->refused)
		return 0;
	/* From here until dma_sync_single_for_cpu() the device owns it. */
	if (kd_dma_map_single(m, &why)) {
		m->refused = why;
		return kd_dma_fail(-EIO, "dma_map_single() failed");
	}
	m->call[0] = '\0';	/* the section's call: line says it */
	m->cpu_owns = false;
	return 0;
}

static void kd_load_frame_free(void)
{
	struct kd_dma_map *m = &kd_dma.map.m;

	if (!m->cpu)
		return;
	if (!m->refused)
		dma_unmap_single(kd_dma_dev(), m->handle, m->len, m->dir);
	kfree(m->cpu);
	m->cpu = NULL;
	m->refused = NULL;
	kd_describe_free(&kd_dma.map.r.d);
}

static void kd_dma_buf_reset(struct kd_dma_buf *b, const struct kd_region_ops *ops)
{
	memset(&b->m, 0, sizeof(b->m));
	b->m.x.state = KD_XFER_WAITING;
	b->r.ops = ops;
	b->r.dma = &b->m;
}

int kd_dma_attach(struct pci_dev *pdev, const struct kd_dma_engine *eng)
{
	int ret;

	kd_dma.pdev = pdev;
	kd_dma.order = kd_param(dma_order);
	kd_dma.why[0] = '\0';
	kd_dma_use(&pdev->dev, eng);
	kd_dma_buf_reset(&kd_dma.coh, &kd_coh_ops);
	kd_dma_buf_reset(&kd_dma.pool, &kd_pool_ops);
	kd_dma_buf_reset(&kd_dma.map, &kd_map_ops);
	INIT_DELAYED_WORK(&kd_dma.verify, kd_dma_verify);
	ret = kd_load_coherent();
	if (!ret)
		ret = kd_load_pool();
	if (!ret)
		ret = kd_load_frame();
	if (ret) {
		kd_load_frame_free();
		kd_load_pool_free();
		kd_load_coherent_free();
		kd_dma.pdev = NULL;
		return ret;
	}
	kd_region_publish(&kd_dma.coh.r);
	kd_region_publish(&kd_dma.pool.r);
	kd_region_publish(&kd_dma.map.r);
	/* %p, not %pK: as for the load's other allocations (alloc.c). */
	dev_info(kd_dma_dev(), "dma_alloc_coherent: %zu bytes, at %p (%s)\n",
		 kd_dma.coh.r.d.reserved, kd_dma.coh.m.cpu,
		 kd_dma.coh.r.d.in_vmalloc ? "vmalloc space" : "direct map");
	dev_info(kd_dma_dev(), "dma_pool_alloc: %u blocks of %u bytes from pool \"%s\"\n",
		 KD_POOL_BLOCKS, KD_POOL_SIZE, KD_NAME);
	if (kd_dma.map.m.refused)
		dev_info(kd_dma_dev(), "dma_map_single: %u bytes of kmalloc'd memory not mapped: %s\n",
			 KD_MAP_SIZE, kd_dma.map.m.refused);
	else
		dev_info(kd_dma_dev(), "dma_map_single: %u bytes of kmalloc'd memory, DMA_BIDIRECTIONAL (%.*s)\n",
			 KD_MAP_SIZE, (int)strcspn(kd_dma.map.m.via, ":"),
			 kd_dma.map.m.via);
	/* Loading goes on: the device takes about 100 ms per transfer. */
	schedule_delayed_work(&kd_dma.verify, msecs_to_jiffies(KD_DMA_VERIFY_MS));
	kd_dma_open();
	return 0;
}

void kd_dma_stop(void)
{
	if (!kd_dma.pdev)
		return;
	kd_dma_close();
	cancel_delayed_work_sync(&kd_dma.verify);
}

void kd_dma_detach(void)
{
	if (!kd_dma.pdev)
		return;
	kd_region_withdraw(&kd_dma.map.r);
	kd_region_withdraw(&kd_dma.pool.r);
	kd_region_withdraw(&kd_dma.coh.r);
	if (!kd_dma.map.m.refused)
		dev_info(kd_dma_dev(), "dma_unmap_single: %u bytes unmapped, then kfree()\n",
			 KD_MAP_SIZE);
	kd_load_frame_free();
	kd_load_pool_free();
	dev_info(kd_dma_dev(), "dma_pool_destroy: %u blocks freed, pool destroyed\n",
		 KD_POOL_BLOCKS);
	kd_mmap_revoke(&kd_dma.coh.r);
	kd_load_coherent_free();
	dev_info(kd_dma_dev(), "dma_free_coherent: %lu pages (order %u) freed\n",
		 1UL << kd_dma.order, kd_dma.order);
	kd_dma.pdev = NULL;
}

