// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: memory the DMA demo device reaches, through the DMA API.
 *
 * A device does not see the CPU's virtual addresses, and may not see all
 * of physical memory either: it drives the bus addresses its mask allows
 * (dma_bits=), perhaps through an IOMMU.  So a driver never hands a device
 * kmalloc'd memory's address; it asks the DMA API, which returns two
 * addresses for one buffer: the CPU's pointer and the device's handle,
 * dma_addr_t.
 *  - dma_alloc_coherent(): a buffer both may touch at any time with no
 *    sync calls (descriptor rings, mailboxes), whole pages from memory
 *    under the device's mask -- the DMA API picks the zone (GFP_DMA32 for
 *    masks up to 32 bits, GFP_DMA below that zone's limit, kernel/dma/
 *    direct.c), never the driver.  With CONFIG_DMA_CMA, more than a page
 *    comes from the CMA area first.
 *  - dma_pool: many small coherent blocks (one descriptor each), carved
 *    from coherent pages the pool allocates, as a kmem_cache carves slabs.
 * Each buffer is a section of the report.  The device then proves it can
 * reach it: the module writes a pattern, the device copies it into its
 * own buffer, the module clears it, the device copies it back, and every
 * byte is compared.  That runs in a work item, a transfer at a time (about
 * 100 ms each): loading does not wait, and the report says how far it got.
 * The work starts KD_DMA_VERIFY_MS after the device is set up, so that a
 * module unloaded at once (a test's load loop, a mistaken insmod) never
 * starts the device, and unloading never waits for it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "dma.h"
#include "kmem_demo.h"
#include "params.h"
#include "region.h"

#define KD_DMA_VERIFY_MS 200
#define KD_POOL_BLOCKS	4
#define KD_POOL_SIZE	512	/* a block: one descriptor, say */
#define KD_POOL_ALIGN	64	/* each block starts on a cache line */

/* What the device did with a buffer: set by the work, read by the report. */
enum kd_xfer_state {
	KD_XFER_WAITING,	/* its turn has not come */
	KD_XFER_RUNNING,
	KD_XFER_VERIFIED,
	KD_XFER_DIFFERS,	/* the bytes came back changed */
	KD_XFER_FAILED,		/* a transfer failed: err */
};

struct kd_xfer {
	enum kd_xfer_state state;
	size_t len;		/* bytes sent there and back */
	int err;
	size_t bad;		/* the first differing byte */
	u8 want, got;
	s64 us;			/* how long, both transfers */
};

/* One buffer the device may reach, and its section of the report. */
struct kd_dma_buf {
	struct kd_region r;
	void *cpu;		/* the CPU's address */
	dma_addr_t handle;	/* the device's */
	char via[112];		/* how the two relate */
	struct kd_xfer x;	/* under the registry's lock */
};

static struct {
	struct pci_dev *pdev;	/* attached, or NULL */
	const struct kd_dma_engine *eng;	/* its DMA engine */
	unsigned int order;	/* of the coherent buffer */
	struct kd_dma_buf coh, pool;
	struct dma_pool *dpool;
	void *block[KD_POOL_BLOCKS];
	dma_addr_t block_dma[KD_POOL_BLOCKS];
	struct delayed_work verify;
	bool stop;		/* start no more transfers */
	char why[96];		/* what failed in kd_dma_attach() */
	u8 seed;		/* varies the pattern from one transfer to the next */
} kd_dma = {
	.coh.r = { .label = "dma_coherent" },
	.pool.r = { .label = "dma_pool" },
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

static const char *kd_xfer_why(int err)
{
	switch (err) {
	case -ETIMEDOUT:
		return "the device never said it was done";
	case -ECANCELED:
		return "stopped: the device was being released";
	case -ERANGE:
		return "refused: into RAM the device might not really reach";
	default:
		return "the device is used no more";
	}
}

/* The lines every section of a device's memory has. */
static void kd_dma_body(struct seq_file *m, const struct kd_region *r)
{
	const struct kd_dma_buf *b = container_of(r, struct kd_dma_buf, r);
	const struct kd_cursor *c = m->private;
	struct device *dev = kd_dma_dev();
	u64 mask = dma_get_mask(dev);
	const struct kd_xfer *x = &b->x;

	seq_printf(m, "device:      %s (QEMU edu, driven by %s)\n",
		   dev_name(dev), KD_NAME);
	seq_printf(m, "dma_mask:    %d bits: the device reaches bus addresses 0-%#llx\n",
		   fls64(mask), mask);
	/* A bus address is a physical one, or maps to one: root's, as pfn:. */
	if (c->phys)
		seq_printf(m, "dma_addr:    %pad\n", &b->handle);
	else
		seq_puts(m, "dma_addr:    hidden\n");
	seq_printf(m, "via:         %s\n", b->via);
	seq_puts(m, "transfer:    ");
	switch (x->state) {
	case KD_XFER_WAITING:
		seq_printf(m, "waiting: the device starts %d ms after it is set up, one buffer at a time\n",
			   KD_DMA_VERIFY_MS);
		break;
	case KD_XFER_RUNNING:
		seq_puts(m, "running\n");
		break;
	case KD_XFER_VERIFIED:
		seq_printf(m, "%zu bytes to the device and back, every byte verified (2 transfers, %s, %lld ms)\n",
			   x->len, kd_dma.eng->irq_kind(), x->us / 1000);
		break;
	case KD_XFER_DIFFERS:
		seq_printf(m, "FAILED: %zu bytes to the device and back, byte %zu came back %#04x, expected %#04x\n",
			   x->len, x->bad, x->got, x->want);
		break;
	default:
		seq_printf(m, "FAILED: the transfer returned %d (%s)\n", x->err,
			   kd_xfer_why(x->err));
	}
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
	int bits = fls64(dma_get_mask(kd_dma_dev()));

	kd_dma_body(m, r);
	if (bits >= 64) {
		seq_puts(m, "zone_why:    a 64-bit mask reaches all memory: any zone\n");
		return;
	}
	seq_printf(m, "zone_why:    a %d-bit mask reaches the first %llu %s: dma-direct adds GFP_DMA32 for masks of 32 bits or less, GFP_DMA within ZONE_DMA's, and tries a lower zone when a page lands above the mask\n",
		   bits, bits >= 30 ? 1ULL << (bits - 30) : 1ULL << (bits - 20),
		   bits >= 30 ? "GiB" : "MiB");
}

static const struct kd_region_ops kd_coh_ops = {
	.body		= kd_coh_body,
};

static const struct kd_region_ops kd_pool_ops = {
	.body		= kd_dma_body,
	.nr_items	= kd_pool_nr_items,
	.item		= kd_pool_item,
};

/* ---- the device proves it reaches them ---- */

static void kd_xfer_set(struct kd_dma_buf *b, const struct kd_xfer *x)
{
	kd_regions_lock();
	b->x = *x;
	kd_regions_unlock();
}

/*
 * The first @len bytes of @b through the device and back.  Coherent
 * memory needs no dma_sync_*(): what the CPU wrote the device reads, and
 * what the device wrote the CPU reads once the interrupt has come.
 */
static void kd_dma_roundtrip(struct kd_dma_buf *b, size_t len)
{
	struct kd_xfer x = { .state = KD_XFER_RUNNING, .len = len };
	u8 *p = b->cpu, seed = kd_dma.seed++;
	ktime_t t0;
	size_t i;

	kd_xfer_set(b, &x);
	t0 = ktime_get();
	for (i = 0; i < len; i++)
		p[i] = (u8)(i * 7 + seed);
	x.err = kd_dma.eng->transfer(b->handle, len, false);
	/* The device is being released: do not start the way back. */
	if (!x.err && READ_ONCE(kd_dma.stop))
		x.err = -ECANCELED;
	if (!x.err) {
		memset(p, 0, len);
		x.err = kd_dma.eng->transfer(b->handle, len, true);
	}
	x.us = ktime_us_delta(ktime_get(), t0);
	x.state = x.err ? KD_XFER_FAILED : KD_XFER_VERIFIED;
	for (i = 0; !x.err && i < len; i++) {
		if (p[i] != (u8)(i * 7 + seed)) {
			x.state = KD_XFER_DIFFERS;
			x.bad = i;
			x.want = (u8)(i * 7 + seed);
			x.got = p[i];
			break;
		}
	}
	kd_xfer_set(b, &x);
	if (x.state != KD_XFER_VERIFIED && x.err != -ECANCELED)
		dev_err(kd_dma_dev(), "[%s]: the device's copy of %zu bytes was not right (error %d, first bad byte %zu)\n",
			b->r.label, len, x.err, x.bad);
}

static void kd_dma_verify(struct work_struct *work)
{
	if (!READ_ONCE(kd_dma.stop))
		kd_dma_roundtrip(&kd_dma.coh, min_t(size_t, PAGE_SIZE << kd_dma.order,
						    kd_dma.eng->max_len));
	if (!READ_ONCE(kd_dma.stop))
		kd_dma_roundtrip(&kd_dma.pool, min_t(size_t, KD_POOL_SIZE,
						     kd_dma.eng->max_len));
}

/* ---- allocating them ---- */

/*
 * How the device's address of a buffer relates to the CPU's physical one:
 * equal without an IOMMU (dma-direct, perhaps less a bus offset), an I/O
 * virtual address the IOMMU translates with one.
 */
static void kd_dma_via(struct kd_dma_buf *b)
{
	phys_addr_t phys = is_vmalloc_addr(b->cpu) ?
		page_to_phys(vmalloc_to_page(b->cpu)) + offset_in_page(b->cpu) :
		virt_to_phys(b->cpu);
	struct iommu_domain *dom = iommu_get_domain_for_dev(kd_dma_dev());

	if (dom && dom->type != IOMMU_DOMAIN_IDENTITY)
		strscpy(b->via, "iommu: dma_addr is an I/O virtual address the IOMMU translates",
			sizeof(b->via));
	else if (b->handle == phys)
		strscpy(b->via, "direct: dma_addr is the physical address (no IOMMU)",
			sizeof(b->via));
	else
		snprintf(b->via, sizeof(b->via),
			 "direct: dma_addr is the physical address less the bus's offset %#llx",
			 (unsigned long long)(phys - b->handle));
}

static int kd_dma_fail(int err, const char *what)
{
	strscpy(kd_dma.why, what, sizeof(kd_dma.why));
	return err;
}

static int kd_dma_coherent(void)
{
	struct kd_desc *d = &kd_dma.coh.r.d;
	size_t size = PAGE_SIZE << kd_dma.order;
	struct kd_dma_buf *b = &kd_dma.coh;
	int ret = 0;

	/*
	 * __GFP_NOWARN: a large dma_order may fail, and the driver says so
	 * itself (the report's dma_device: line); the allocator's warning,
	 * with its stack dump, is for failures nobody handles.
	 */
	d->gfp = GFP_KERNEL | __GFP_NOWARN;
	b->cpu = dma_alloc_coherent(kd_dma_dev(), size, &b->handle, d->gfp);
	if (!b->cpu)
		return kd_dma_fail(-ENOMEM, "dma_alloc_coherent() failed");
	kd_pages_taken(kd_dma.order);
	d->allocator = "dma_alloc_coherent";
	snprintf(d->call, sizeof(d->call), "dma_alloc_coherent(%s, %zu, &dma_addr, %pGg)",
		 pci_name(kd_dma.pdev), size, &d->gfp);
	d->requested = size;
	d->reserved = size;
	d->addr = b->cpu;
	/* A device that is not cache-coherent gets it remapped uncached. */
	if (is_vmalloc_addr(b->cpu))
		ret = kd_describe_vmalloc(d);
	else
		kd_describe_linear(d);
	if (ret)
		return kd_dma_fail(ret, "describing the coherent buffer failed");
	if (IS_ENABLED(CONFIG_DMA_CMA) && kd_dma.order)
		snprintf(d->served_by, sizeof(d->served_by),
			 "dma-direct: the CMA area, or the buddy allocator if CMA has no room, under the mask");
	else
		snprintf(d->served_by, sizeof(d->served_by),
			 "dma-direct: the buddy allocator, a block of 2^%u pages under the mask",
			 kd_dma.order);
	kd_dma_via(b);
	return 0;
}

static void kd_dma_coherent_free(void)
{
	struct kd_dma_buf *b = &kd_dma.coh;

	if (!b->cpu)
		return;
	dma_free_coherent(kd_dma_dev(), PAGE_SIZE << kd_dma.order, b->cpu,
			  b->handle);
	kd_pages_given(kd_dma.order);
	b->cpu = NULL;
	kd_describe_free(&b->r.d);
}

static int kd_dma_pool(void)
{
	struct kd_desc *d = &kd_dma.pool.r.d;
	struct kd_dma_buf *b = &kd_dma.pool;
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
	/* Like a slab cache's objects: blocks in pages the pool owns. */
	if (is_vmalloc_addr(kd_dma.block[0]))
		return kd_dma_fail(-EINVAL, "the pool's pages are remapped: not shown");
	ret = kd_describe_objects(d, kd_dma.block, KD_POOL_BLOCKS);
	if (ret)
		return kd_dma_fail(ret, "describing the pool's blocks failed");
	d->node_unit = "block";
	snprintf(d->served_by, sizeof(d->served_by),
		 "a dma_pool of %u-byte blocks in coherent pages of its own",
		 KD_POOL_SIZE);
	if (d->frames.sum.pages << PAGE_SHIFT > d->reserved)
		kd_parts_add(&d->extra, "extra_pool",
			     (d->frames.sum.pages << PAGE_SHIFT) - d->reserved,
			     "the rest of the pool's coherent pages, for its other blocks");
	b->cpu = kd_dma.block[0];
	b->handle = kd_dma.block_dma[0];
	kd_dma_via(b);
	return 0;
}

static void kd_dma_pool_free(void)
{
	unsigned int i;

	for (i = 0; i < KD_POOL_BLOCKS; i++) {
		if (kd_dma.block[i])
			dma_pool_free(kd_dma.dpool, kd_dma.block[i],
				      kd_dma.block_dma[i]);
		kd_dma.block[i] = NULL;
	}
	kd_dma.pool.cpu = NULL;
	kd_describe_free(&kd_dma.pool.r.d);
	/* The pool gives its pages back to dma_free_coherent() here. */
	dma_pool_destroy(kd_dma.dpool);
	kd_dma.dpool = NULL;
}

int kd_dma_attach(struct pci_dev *pdev, const struct kd_dma_engine *eng)
{
	int ret;

	kd_dma.pdev = pdev;
	kd_dma.eng = eng;
	kd_dma.order = kd_param(dma_order);
	kd_dma.stop = false;
	kd_dma.why[0] = '\0';
	memset(&kd_dma.coh.x, 0, sizeof(kd_dma.coh.x));
	memset(&kd_dma.pool.x, 0, sizeof(kd_dma.pool.x));
	kd_dma.coh.r.ops = &kd_coh_ops;
	kd_dma.pool.r.ops = &kd_pool_ops;
	INIT_DELAYED_WORK(&kd_dma.verify, kd_dma_verify);
	ret = kd_dma_coherent();
	if (!ret)
		ret = kd_dma_pool();
	if (ret) {
		kd_dma_pool_free();
		kd_dma_coherent_free();
		kd_dma.pdev = NULL;
		return ret;
	}
	kd_region_publish(&kd_dma.coh.r);
	kd_region_publish(&kd_dma.pool.r);
	/* %p, not %pK: as for the load's other allocations (alloc.c). */
	dev_info(kd_dma_dev(), "dma_alloc_coherent: %zu bytes, at %p (%s)\n",
		 kd_dma.coh.r.d.reserved, kd_dma.coh.cpu,
		 kd_dma.coh.r.d.in_vmalloc ? "vmalloc space" : "direct map");
	dev_info(kd_dma_dev(), "dma_pool_alloc: %u blocks of %u bytes from pool \"%s\"\n",
		 KD_POOL_BLOCKS, KD_POOL_SIZE, KD_NAME);
	/* Loading goes on: the device takes about 100 ms per transfer. */
	schedule_delayed_work(&kd_dma.verify, msecs_to_jiffies(KD_DMA_VERIFY_MS));
	return 0;
}

void kd_dma_stop(void)
{
	if (!kd_dma.pdev)
		return;
	WRITE_ONCE(kd_dma.stop, true);
	cancel_delayed_work_sync(&kd_dma.verify);
}

void kd_dma_detach(void)
{
	if (!kd_dma.pdev)
		return;
	kd_region_withdraw(&kd_dma.pool.r);
	kd_region_withdraw(&kd_dma.coh.r);
	kd_dma_pool_free();
	dev_info(kd_dma_dev(), "dma_pool_destroy: %u blocks freed, pool destroyed\n",
		 KD_POOL_BLOCKS);
	kd_dma_coherent_free();
	dev_info(kd_dma_dev(), "dma_free_coherent: %lu pages (order %u) freed\n",
		 1UL << kd_dma.order, kd_dma.order);
	kd_dma.pdev = NULL;
}
