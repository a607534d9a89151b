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
 *  - dma_map_single(): a streaming mapping of memory the driver already
 *    has (a kmalloc'd frame), for the transfers of the moment.  While it
 *    is mapped the buffer belongs to the device: the CPU touches it only
 *    after dma_sync_single_for_cpu() and hands it back with
 *    dma_sync_single_for_device().  Where the device cannot reach the
 *    buffer, swiotlb copies it through a bounce buffer that it can, at
 *    map, sync and unmap.
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
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "dma.h"
#include "kmem_demo.h"
#include "params.h"
#include "region.h"
#include "slack.h"

#define KD_DMA_VERIFY_MS 200
#define KD_POOL_BLOCKS	4
#define KD_POOL_SIZE	512	/* a block: one descriptor, say */
#define KD_POOL_ALIGN	64	/* each block starts on a cache line */
#define KD_MAP_SIZE	1500	/* an Ethernet frame: a classic streaming buffer */

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
	const char *irq;	/* how the device said it was done */
};

/* One buffer the device may reach, and its section of the report. */
struct kd_dma_buf {
	struct kd_region r;
	void *cpu;		/* the CPU's address */
	dma_addr_t handle;	/* the device's */
	char via[128];		/* how the two relate */
	struct kd_xfer x;	/* under the registry's lock */
	/* A streaming mapping's (dma_map_single()): */
	bool streaming;
	bool cpu_owns;		/* the CPU may touch it now: under the lock */
	const char *refused;	/* not mapped, and why */
	char reach[224];	/* why its memory is where it is */
};

static struct {
	struct pci_dev *pdev;	/* attached, or NULL */
	const struct kd_dma_engine *eng;	/* its DMA engine */
	unsigned int order;	/* of the coherent buffer */
	u64 mask;		/* the device's DMA mask, as attached */
	bool iommu;		/* an IOMMU translates its addresses */
	phys_addr_t bus_off;	/* physical less bus address, without one */
	struct kd_dma_buf coh, pool, map;
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
	.map.r = { .label = "dma_map" },
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
	u64 mask = kd_dma.mask;
	const struct kd_xfer *x = &b->x;

	seq_printf(m, "device:      %s (QEMU edu, driven by %s)\n",
		   dev_name(dev), KD_NAME);
	seq_printf(m, "dma_mask:    %d bits: the device reaches bus addresses 0-%#llx\n",
		   fls64(mask), mask);
	if (b->refused) {
		seq_puts(m, "dma_addr:    none: not mapped\n");
		seq_printf(m, "via:         refused before dma_map_single(): %s\n",
			   b->refused);
		seq_puts(m, "transfer:    none: not mapped\n");
		return;
	}
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
			   x->len, x->irq, x->us / 1000);
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
	int bits = fls64(kd_dma.mask);

	kd_dma_body(m, r);
	if (bits >= 64) {
		seq_puts(m, "zone_why:    a 64-bit mask reaches all memory: any zone\n");
		return;
	}
	seq_printf(m, "zone_why:    a %d-bit mask reaches the first %llu %s: dma-direct adds GFP_DMA32 for masks of 32 bits or less, GFP_DMA within ZONE_DMA's, and tries a lower zone when a page lands above the mask\n",
		   bits, bits >= 30 ? 1ULL << (bits - 30) : 1ULL << (bits - 20),
		   bits >= 30 ? "GiB" : "MiB");
}

/* Who may touch a streaming buffer now, and why its memory is where it is. */
static void kd_map_body(struct seq_file *m, const struct kd_region *r)
{
	const struct kd_dma_buf *b = container_of(r, struct kd_dma_buf, r);

	kd_dma_body(m, r);
	seq_puts(m, "direction:   DMA_BIDIRECTIONAL: the device reads it and writes it\n");
	if (b->refused)
		seq_puts(m, "owner:       the CPU: never mapped\n");
	else if (b->cpu_owns)
		seq_puts(m, "owner:       the CPU, since dma_sync_single_for_cpu(); the device may use it again after dma_sync_single_for_device()\n");
	else
		seq_puts(m, "owner:       the device, since dma_map_single() or dma_sync_single_for_device(); the CPU may touch it after dma_sync_single_for_cpu()\n");
	seq_printf(m, "reach:       %s\n", b->reach);
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

static void kd_xfer_set(struct kd_dma_buf *b, const struct kd_xfer *x)
{
	kd_regions_lock();
	b->x = *x;
	kd_regions_unlock();
}

/*
 * Hand a streaming buffer to the CPU or to the device.  The sync is what
 * makes the other side's writes visible: it writes back or invalidates
 * the CPU's caches where the device does not snoop them, and copies to or
 * from the bounce buffer under swiotlb.  Coherent memory needs none: what
 * the CPU wrote the device reads, and what the device wrote the CPU reads
 * once the interrupt has come.
 */
static void kd_dma_own(struct kd_dma_buf *b, bool cpu)
{
	if (!b->streaming)
		return;
	if (cpu)
		dma_sync_single_for_cpu(kd_dma_dev(), b->handle, b->r.d.requested,
					DMA_BIDIRECTIONAL);
	else
		dma_sync_single_for_device(kd_dma_dev(), b->handle,
					   b->r.d.requested, DMA_BIDIRECTIONAL);
	kd_regions_lock();
	b->cpu_owns = cpu;
	kd_regions_unlock();
}

/* The first @len bytes of @b through the device and back. */
static void kd_dma_roundtrip(struct kd_dma_buf *b, size_t len)
{
	struct kd_xfer x = { .state = KD_XFER_RUNNING, .len = len };
	u8 *p = b->cpu, seed = kd_dma.seed++;
	ktime_t t0;
	size_t i;

	kd_xfer_set(b, &x);
	t0 = ktime_get();
	kd_dma_own(b, true);
	for (i = 0; i < len; i++)
		p[i] = (u8)(i * 7 + seed);
	kd_dma_own(b, false);
	x.err = kd_dma.eng->transfer(b->handle, len, false);
	/* The device is being released: do not start the way back. */
	if (!x.err && READ_ONCE(kd_dma.stop))
		x.err = -ECANCELED;
	if (!x.err) {
		kd_dma_own(b, true);
		memset(p, 0, len);
		kd_dma_own(b, false);
		x.err = kd_dma.eng->transfer(b->handle, len, true);
	}
	kd_dma_own(b, true);
	x.us = ktime_us_delta(ktime_get(), t0);
	x.irq = kd_dma.eng->irq_kind();
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
	if (!READ_ONCE(kd_dma.stop) && !kd_dma.map.refused)
		kd_dma_roundtrip(&kd_dma.map, min_t(size_t, KD_MAP_SIZE,
						    kd_dma.eng->max_len));
}

/* ---- allocating them ---- */

static phys_addr_t kd_dma_phys(const void *cpu)
{
	return is_vmalloc_addr(cpu) ?
		page_to_phys(vmalloc_to_page(cpu)) + offset_in_page(cpu) :
		virt_to_phys((void *)cpu);
}

/*
 * How the device's address of a buffer relates to the CPU's physical one:
 * equal without an IOMMU (dma-direct, perhaps less the bus's offset, which
 * the first buffer, the coherent one, shows), another buffer's under
 * swiotlb, an I/O virtual address the IOMMU translates with one.
 */
static void kd_dma_via(struct kd_dma_buf *b)
{
	phys_addr_t phys = kd_dma_phys(b->cpu);

	if (kd_dma.iommu)
		strscpy(b->via, "iommu: dma_addr is an I/O virtual address the IOMMU translates",
			sizeof(b->via));
	else if (b->handle != phys - kd_dma.bus_off)
		strscpy(b->via,
			"swiotlb: dma_addr is a bounce buffer's, copied to and from this one at map, sync and unmap",
			sizeof(b->via));
	else if (!kd_dma.bus_off)
		strscpy(b->via, "direct: dma_addr is the physical address (no IOMMU)",
			sizeof(b->via));
	else
		snprintf(b->via, sizeof(b->via),
			 "direct: dma_addr is the physical address less the bus's offset %#llx",
			 (unsigned long long)kd_dma.bus_off);
}

/*
 * The module's own rule, checked before dma_map_single(): where the device
 * cannot reach a buffer and nothing makes up for it, dma-direct WARNs
 * once and returns DMA_MAPPING_ERROR, and so does swiotlb when its bounce
 * buffer lies above the mask.  NULL when @len bytes at @phys may be
 * mapped, else why not.
 */
#define KD_BOUNCE_ABOVE "swiotlb would bounce it, through a pool below 4 GiB but not surely under this mask, and WARN if the bounce buffer lies above it"
#define KD_DIRECT_ABOVE "it lies above the mask and nothing bounces it for this device: dma-direct would WARN and return DMA_MAPPING_ERROR"

static const char *kd_dma_unreachable(phys_addr_t phys, size_t len)
{
	struct device *dev = kd_dma_dev();
	bool above = phys - kd_dma.bus_off + len - 1 > kd_dma.mask;

	if (kd_dma.iommu)
		return NULL;	/* it maps any page into the device's window */
	/*
	 * A finite largest mapping: swiotlb may bounce this device's mappings,
	 * all of them when forced.  Its pool lies in low memory, for devices
	 * of 32 bits; not necessarily under a narrower mask.
	 */
	if (dma_max_mapping_size(dev) != SIZE_MAX &&
	    (above || kd_swiotlb_forced(dev))) {
		if (kd_dma.mask >= DMA_BIT_MASK(32))
			return NULL;
		return KD_BOUNCE_ABOVE;
	}
	if (!above)
		return NULL;
	return KD_DIRECT_ABOVE;
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
	if (!kd_dma.iommu)
		kd_dma.bus_off = kd_dma_phys(b->cpu) - b->handle;
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

/*
 * Where the streaming buffer must come from.  It is the driver's own
 * memory, from any allocator of contiguous memory; where it lies matters
 * only when the device cannot reach all of RAM and neither swiotlb nor an
 * IOMMU makes up for it.  Then it must come from under the mask: kmalloc
 * takes GFP_DMA (ZONE_DMA, the first 16 MiB on x86-64), never GFP_DMA32.
 */
static gfp_t kd_map_gfp(struct kd_dma_buf *b)
{
	struct device *dev = kd_dma_dev();
	int need = fls64(dma_get_required_mask(dev));
	int bits = fls64(kd_dma.mask);

	if (kd_dma.iommu) {
		strscpy(b->reach, "GFP_KERNEL: anywhere, the IOMMU maps the pages it is given",
			sizeof(b->reach));
		return GFP_KERNEL;
	}
	if (dma_max_mapping_size(dev) != SIZE_MAX) {
		snprintf(b->reach, sizeof(b->reach),
			 "GFP_KERNEL: anywhere, swiotlb bounces what a %d-bit device cannot reach",
			 bits);
		return GFP_KERNEL;
	}
	if (need > bits) {
		snprintf(b->reach, sizeof(b->reach),
			 "GFP_DMA: this machine's RAM needs %d bits (dma_get_required_mask()) and nothing bounces for this device, so the buffer must lie under the %d-bit mask: ZONE_DMA",
			 need, bits);
		return GFP_KERNEL | GFP_DMA;
	}
	snprintf(b->reach, sizeof(b->reach),
		 "GFP_KERNEL: a %d-bit mask reaches all of this machine's RAM, which needs %d (dma_get_required_mask())",
		 bits, need);
	return GFP_KERNEL;
}

static int kd_dma_map(void)
{
	struct kd_dma_buf *b = &kd_dma.map;
	struct kd_desc *d = &b->r.d;
	struct device *dev = kd_dma_dev();
	void *buf;

	d->gfp = kd_map_gfp(b);
	buf = kmalloc(KD_MAP_SIZE, d->gfp);
	if (!buf)
		return kd_dma_fail(-ENOMEM, "kmalloc() of the buffer to map failed");
	d->allocator = "kmalloc";
	d->requested = KD_MAP_SIZE;
	snprintf(d->call, sizeof(d->call),
		 "kmalloc(%u, %pGg), then dma_map_single(%s, buf, %u, DMA_BIDIRECTIONAL)",
		 KD_MAP_SIZE, &d->gfp, pci_name(kd_dma.pdev), KD_MAP_SIZE);
	kd_got_kmalloc(d, buf);
	b->cpu = buf;
	b->streaming = true;
	b->cpu_owns = true;
	b->refused = kd_dma_unreachable(kd_dma_phys(buf), KD_MAP_SIZE);
	if (b->refused)
		return 0;
	/* From here until dma_sync_single_for_cpu() the device owns it. */
	b->handle = dma_map_single(dev, buf, KD_MAP_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, b->handle)) {
		b->refused = "dma_map_single() failed";
		return kd_dma_fail(-EIO, "dma_map_single() failed");
	}
	b->cpu_owns = false;
	kd_dma_via(b);
	return 0;
}

static void kd_dma_map_free(void)
{
	struct kd_dma_buf *b = &kd_dma.map;

	if (!b->cpu)
		return;
	if (!b->refused)
		dma_unmap_single(kd_dma_dev(), b->handle, KD_MAP_SIZE,
				 DMA_BIDIRECTIONAL);
	kfree(b->cpu);
	b->cpu = NULL;
	b->refused = NULL;
	kd_describe_free(&b->r.d);
}

int kd_dma_attach(struct pci_dev *pdev, const struct kd_dma_engine *eng)
{
	struct iommu_domain *dom;
	int ret;

	kd_dma.pdev = pdev;
	kd_dma.eng = eng;
	kd_dma.order = kd_param(dma_order);
	kd_dma.mask = dma_get_mask(&pdev->dev);
	dom = iommu_get_domain_for_dev(&pdev->dev);
	kd_dma.iommu = dom && dom->type != IOMMU_DOMAIN_IDENTITY;
	kd_dma.bus_off = 0;
	kd_dma.stop = false;
	kd_dma.why[0] = '\0';
	memset(&kd_dma.coh.x, 0, sizeof(kd_dma.coh.x));
	memset(&kd_dma.pool.x, 0, sizeof(kd_dma.pool.x));
	memset(&kd_dma.map.x, 0, sizeof(kd_dma.map.x));
	kd_dma.coh.r.ops = &kd_coh_ops;
	kd_dma.pool.r.ops = &kd_pool_ops;
	kd_dma.map.r.ops = &kd_map_ops;
	INIT_DELAYED_WORK(&kd_dma.verify, kd_dma_verify);
	ret = kd_dma_coherent();
	if (!ret)
		ret = kd_dma_pool();
	if (!ret)
		ret = kd_dma_map();
	if (ret) {
		kd_dma_map_free();
		kd_dma_pool_free();
		kd_dma_coherent_free();
		kd_dma.pdev = NULL;
		return ret;
	}
	kd_region_publish(&kd_dma.coh.r);
	kd_region_publish(&kd_dma.pool.r);
	kd_region_publish(&kd_dma.map.r);
	/* %p, not %pK: as for the load's other allocations (alloc.c). */
	dev_info(kd_dma_dev(), "dma_alloc_coherent: %zu bytes, at %p (%s)\n",
		 kd_dma.coh.r.d.reserved, kd_dma.coh.cpu,
		 kd_dma.coh.r.d.in_vmalloc ? "vmalloc space" : "direct map");
	dev_info(kd_dma_dev(), "dma_pool_alloc: %u blocks of %u bytes from pool \"%s\"\n",
		 KD_POOL_BLOCKS, KD_POOL_SIZE, KD_NAME);
	if (kd_dma.map.refused)
		dev_info(kd_dma_dev(), "dma_map_single: %u bytes of kmalloc'd memory not mapped: %s\n",
			 KD_MAP_SIZE, kd_dma.map.refused);
	else
		dev_info(kd_dma_dev(), "dma_map_single: %u bytes of kmalloc'd memory, DMA_BIDIRECTIONAL (%.*s)\n",
			 KD_MAP_SIZE, (int)strcspn(kd_dma.map.via, ":"), kd_dma.map.via);
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
	kd_region_withdraw(&kd_dma.map.r);
	kd_region_withdraw(&kd_dma.pool.r);
	kd_region_withdraw(&kd_dma.coh.r);
	if (!kd_dma.map.refused)
		dev_info(kd_dma_dev(), "dma_unmap_single: %u bytes unmapped, then kfree()\n",
			 KD_MAP_SIZE);
	kd_dma_map_free();
	kd_dma_pool_free();
	dev_info(kd_dma_dev(), "dma_pool_destroy: %u blocks freed, pool destroyed\n",
		 KD_POOL_BLOCKS);
	kd_dma_coherent_free();
	dev_info(kd_dma_dev(), "dma_free_coherent: %lu pages (order %u) freed\n",
		 1UL << kd_dma.order, kd_dma.order);
	kd_dma.pdev = NULL;
}
