// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: memory handed to a device, through the DMA API.
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
 *    direct.c), never the driver.  With CONFIG_DMA_CMA and an area
 *    reserved at boot, more than a page comes from the CMA area first.
 *  - dma_map_single(), dma_map_page(), dma_map_sgtable(): a streaming
 *    mapping of memory the driver already has (a kmalloc'd frame, pages,
 *    the scattered pages of a vmalloc area), for the transfers of the
 *    moment, in one direction or both.  While it is mapped the memory
 *    belongs to the device: the CPU touches it only after
 *    dma_sync_*_for_cpu() and hands it back with dma_sync_*_for_device().
 *    Where the device cannot reach it, swiotlb copies it through a bounce
 *    buffer that it can, at map, sync and unmap.
 * The device then proves it reaches the memory: the module writes a
 * pattern, the device copies it, and every byte is compared (kd_dma_xfer).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "compat.h"
#include "describe.h"
#include "dma_map.h"
#include "kmem_demo.h"
#include "params.h"
#include "region.h"

#define KD_SEGS_SHOWN	8	/* DMA segments the report lists */

/* The device every map is for. */
static struct {
	struct device *dev;	/* named, or NULL */
	const struct kd_dma_engine *eng;	/* its DMA engine */
	u64 mask;		/* its DMA mask, for new maps */
	bool iommu;		/* an IOMMU translates its addresses */
	phys_addr_t bus_off;	/* physical less bus address, without one */
	bool stop;		/* start no more transfers */
	bool ready;		/* taking maps */
	u8 seed;		/* varies the pattern from one transfer to the next */
} kd_dma;

/*
 * Users outside the device's own driver (the benchmark) hold the device
 * with kd_dma_hold(); kd_dma_close() waits for them to let go, so nothing
 * is mapped or allocated for the device once its driver is being removed.
 */
static DECLARE_RWSEM(kd_dma_users);

/*
 * One round trip at a time: every trip goes through the device's one
 * buffer, so two (the load's work, a lab command) must not interleave.
 */
static DEFINE_MUTEX(kd_dma_trip_lock);

static inline struct device *kd_dma_dev(void)
{
	return kd_dma.dev;
}

void kd_dma_use(struct device *dev, const struct kd_dma_engine *eng)
{
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);

	kd_dma.dev = dev;
	kd_dma.eng = eng;
	kd_dma.mask = dma_get_mask(dev);
	kd_dma.iommu = dom && dom->type != IOMMU_DOMAIN_IDENTITY;
	kd_dma.bus_off = 0;
	kd_dma.stop = false;
	kd_dma.ready = false;
}

void kd_dma_open(void)
{
	WRITE_ONCE(kd_dma.ready, true);
}

void kd_dma_close(void)
{
	down_write(&kd_dma_users);
	WRITE_ONCE(kd_dma.ready, false);
	WRITE_ONCE(kd_dma.stop, true);
	up_write(&kd_dma_users);
}

struct device *kd_dma_hold(void)
{
	down_read(&kd_dma_users);
	if (READ_ONCE(kd_dma.ready))
		return kd_dma.dev;
	up_read(&kd_dma_users);
	return NULL;
}

void kd_dma_unhold(void)
{
	up_read(&kd_dma_users);
}

bool kd_dma_ready(void)
{
	return READ_ONCE(kd_dma.ready);
}

struct device *kd_dma_device(void)
{
	return kd_dma.dev;
}

u64 kd_dma_mask(void)
{
	return kd_dma.mask;
}

bool kd_dma_iommu(void)
{
	return kd_dma.iommu;
}

static const char *const kd_dir_name[] = {
	[DMA_BIDIRECTIONAL]	= "DMA_BIDIRECTIONAL",
	[DMA_TO_DEVICE]		= "DMA_TO_DEVICE",
	[DMA_FROM_DEVICE]	= "DMA_FROM_DEVICE",
	[DMA_NONE]		= "DMA_NONE",
};

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
	case -ENOMEM:
		return "no coherent memory to check the copy through";
	default:
		return "the device is used no more";
	}
}

/* What a verified copy did, by direction. */
static const char *kd_xfer_how(const struct kd_dma_map *m)
{
	if (m->kind != KD_DMA_COHERENT && m->dir == DMA_TO_DEVICE)
		return "read by the device, its copy checked through coherent memory";
	if (m->kind != KD_DMA_COHERENT && m->dir == DMA_FROM_DEVICE)
		return "written by the device, from coherent memory through it";
	return "to the device and back";
}

static void kd_xfer_show(struct seq_file *sf, const struct kd_dma_map *m)
{
	const struct kd_xfer *x = &m->x;
	char pieces[32] = "";

	/* A scatterlist's pieces are as many as its segments: always said. */
	if (x->pieces > 1 || m->kind == KD_DMA_SG)
		snprintf(pieces, sizeof(pieces), " in %u piece%s", x->pieces,
			 x->pieces == 1 ? "" : "s");
	seq_puts(sf, "transfer:    ");
	switch (x->state) {
	case KD_XFER_NONE:
		seq_puts(sf, "none yet: dma xfer ID has the device copy it\n");
		break;
	case KD_XFER_WAITING:
		seq_puts(sf, "waiting: the device copies the load's buffers once it is set up, one at a time\n");
		break;
	case KD_XFER_RUNNING:
		seq_puts(sf, "running\n");
		break;
	case KD_XFER_VERIFIED:
		seq_printf(sf, "%zu bytes%s %s, every byte verified (%u transfers, %s, %lld ms)\n",
			   x->len, pieces, kd_xfer_how(m), 2 * x->pieces, x->irq,
			   x->us / 1000);
		break;
	case KD_XFER_DIFFERS:
		seq_printf(sf, "FAILED: %zu bytes%s %s, byte %zu came out %#04x, expected %#04x\n",
			   x->len, pieces, kd_xfer_how(m), x->bad, x->got, x->want);
		break;
	default:
		seq_printf(sf, "FAILED: the transfer returned %d (%s)\n", x->err,
			   kd_xfer_why(x->err));
	}
}

/* The DMA segments of a scatterlist mapping, root's (bus addresses). */
static void kd_segs_show(struct seq_file *sf, const struct kd_dma_map *m,
			 bool phys)
{
	struct scatterlist *sg;
	unsigned int i;

	seq_printf(sf, "dma_addr:    %u DMA segment%s from %u run%s of pages",
		   m->sgt.nents, m->sgt.nents == 1 ? "" : "s", m->sgt.orig_nents,
		   m->sgt.orig_nents == 1 ? "" : "s");
	if (!phys) {
		seq_puts(sf, ", addresses hidden\n");
		return;
	}
	seq_puts(sf, ":");
	for_each_sgtable_dma_sg(&m->sgt, sg, i) {
		if (i == KD_SEGS_SHOWN) {
			seq_puts(sf, " ...");
			break;
		}
		seq_printf(sf, " %pad+%#x", &sg_dma_address(sg), sg_dma_len(sg));
	}
	seq_putc(sf, '\n');
}

void kd_dma_map_show(struct seq_file *sf, const struct kd_dma_map *m)
{
	const struct kd_cursor *c = sf->private;
	bool stream = m->kind != KD_DMA_COHERENT;
	const char *sync = m->kind == KD_DMA_SG ? "sgtable" : "single";

	if (m->call[0])
		seq_printf(sf, "dma:         %s\n", m->call);
	seq_printf(sf, "device:      %s (QEMU edu, driven by %s)\n",
		   dev_name(kd_dma_dev()), KD_NAME);
	seq_printf(sf, "dma_mask:    %d bits: the device reaches bus addresses 0-%#llx\n",
		   fls64(m->mask), m->mask);
	if (m->refused) {
		seq_puts(sf, "dma_addr:    none: not mapped\n");
		seq_printf(sf, "via:         refused before dma_map_single(): %s\n",
			   m->refused);
		seq_puts(sf, "transfer:    none: not mapped\n");
	} else {
		/* A bus address is a physical one, or maps to one: root's, as pfn:. */
		if (m->kind == KD_DMA_SG)
			kd_segs_show(sf, m, c->phys);
		else if (c->phys)
			seq_printf(sf, "dma_addr:    %pad\n", &m->handle);
		else
			seq_puts(sf, "dma_addr:    hidden\n");
		seq_printf(sf, "via:         %s\n", m->via);
		kd_xfer_show(sf, m);
	}
	if (!stream)
		return;
	seq_printf(sf, "direction:   %s: %s\n", kd_dir_name[m->dir],
		   m->dir == DMA_TO_DEVICE ? "the device only reads it" :
		   m->dir == DMA_FROM_DEVICE ? "the device only writes it" :
		   "the device reads it and writes it");
	if (m->refused)
		seq_puts(sf, "owner:       the CPU: never mapped\n");
	else if (m->cpu_owns)
		seq_printf(sf, "owner:       the CPU, since dma_sync_%s_for_cpu(); the device may use it again after dma_sync_%s_for_device()\n",
			   sync, sync);
	else
		seq_printf(sf, "owner:       the device, since %s() or dma_sync_%s_for_device(); the CPU may touch it after dma_sync_%s_for_cpu()\n",
			   m->kind == KD_DMA_SG ? "dma_map_sgtable" :
			   m->page ? "dma_map_page" : "dma_map_single", sync, sync);
}

/* ---- the device proves it reaches them ---- */

/*
 * Hand a streaming mapping to the CPU or to the device.  The sync is what
 * makes the other side's writes visible: it writes back or invalidates
 * the CPU's caches where the device does not snoop them, and copies to or
 * from the bounce buffer under swiotlb.  Coherent memory needs none: what
 * the CPU wrote the device reads, and what the device wrote the CPU reads
 * once the interrupt has come.
 */
static void kd_dma_own(struct kd_dma_map *m, bool cpu)
{
	struct device *dev = kd_dma_dev();

	if (m->kind == KD_DMA_COHERENT || m->cpu_owns == cpu)
		return;
	if (m->kind == KD_DMA_SG && cpu)
		dma_sync_sgtable_for_cpu(dev, &m->sgt, m->dir);
	else if (m->kind == KD_DMA_SG)
		dma_sync_sgtable_for_device(dev, &m->sgt, m->dir);
	else if (cpu)
		dma_sync_single_for_cpu(dev, m->handle, m->len, m->dir);
	else
		dma_sync_single_for_device(dev, m->handle, m->len, m->dir);
	kd_regions_lock();
	m->cpu_owns = cpu;
	kd_regions_unlock();
}

static void kd_xfer_set(struct kd_dma_map *m, const struct kd_xfer *x)
{
	kd_regions_lock();
	m->x = *x;
	kd_regions_unlock();
}

/*
 * Piece @i of @m, a run the device copies in one transfer: *@off bytes
 * into the memory, *@bus its device address, *@len bytes.  A contiguous
 * buffer: its start and, if longer, its end; a scatterlist: the start of
 * its first segments and of its last.  False past the last piece.
 */
static bool kd_xfer_piece(const struct kd_dma_map *m, unsigned int i,
			  size_t *off, dma_addr_t *bus, size_t *len)
{
	size_t max = kd_dma.eng->max_len, at = 0;
	struct scatterlist *sg;
	unsigned int j, n, want;

	if (m->kind != KD_DMA_SG) {
		*len = min(m->len, max);
		if (i > 1 || (i == 1 && m->len <= max))
			return false;
		*off = i ? m->len - *len : 0;
		*bus = m->handle + *off;
		return true;
	}
	n = m->sgt.nents;
	if (i >= min_t(unsigned int, n, KD_XFER_PIECES))
		return false;
	want = n > KD_XFER_PIECES && i == KD_XFER_PIECES - 1 ? n - 1 : i;
	for_each_sgtable_dma_sg(&m->sgt, sg, j) {
		if (j == want) {
			*off = at;
			*bus = sg_dma_address(sg);
			*len = min_t(size_t, sg_dma_len(sg), max);
			return true;
		}
		at += sg_dma_len(sg);
	}
	return false;
}

static int kd_xfer_one(dma_addr_t bus, size_t len, bool to_ram)
{
	if (READ_ONCE(kd_dma.stop))
		return -ECANCELED;
	return kd_dma.eng->transfer(bus, len, to_ram);
}

/*
 * One piece through the device, as the mapping's direction allows:
 *  - both ways (and coherent memory): the pattern written in place, copied
 *    into the device, the memory cleared, the copy written back in place;
 *  - to the device only: the pattern in place, read by the device, whose
 *    copy is written into @scratch, coherent memory, to be compared;
 *  - from the device only: the pattern in @scratch, read by the device,
 *    written into the mapping.
 * The bytes that should hold the pattern: *@out.
 */
static int kd_xfer_trip(struct kd_dma_map *m, size_t off, dma_addr_t bus,
			size_t len, u8 seed, u8 *scratch, dma_addr_t scratch_dma,
			u8 **out)
{
	u8 *p = (u8 *)m->cpu + off;
	enum dma_data_direction dir = m->kind == KD_DMA_COHERENT ?
				      DMA_BIDIRECTIONAL : m->dir;
	size_t i;
	int err;

	*out = dir == DMA_TO_DEVICE ? scratch : p;
	if (dir == DMA_FROM_DEVICE) {
		for (i = 0; i < len; i++)
			scratch[i] = (u8)(i * 7 + seed);
		/* Cleared first, so that only the device can put the pattern there. */
		kd_dma_own(m, true);
		memset(p, 0, len);
		kd_dma_own(m, false);
		err = kd_xfer_one(scratch_dma, len, false);
		if (!err)
			err = kd_xfer_one(bus, len, true);
		kd_dma_own(m, true);
		return err;
	}
	kd_dma_own(m, true);
	for (i = 0; i < len; i++)
		p[i] = (u8)(i * 7 + seed);
	kd_dma_own(m, false);
	err = kd_xfer_one(bus, len, false);
	if (err)
		return err;
	if (dir == DMA_TO_DEVICE) {
		memset(scratch, 0, len);
		return kd_xfer_one(scratch_dma, len, true);
	}
	kd_dma_own(m, true);
	memset(p, 0, len);
	kd_dma_own(m, false);
	err = kd_xfer_one(bus, len, true);
	kd_dma_own(m, true);
	return err;
}

/*
 * The first @pieces pieces of @m through the device, every byte
 * compared; *@x says how it went.
 */
static void kd_xfer_run(struct kd_dma_map *m, unsigned int pieces,
			struct kd_xfer *x)
{
	size_t max = kd_dma.eng->max_len, off, len, i;
	dma_addr_t bus, scratch_dma = 0;
	u8 *scratch = NULL, *got, seed;
	ktime_t t0 = ktime_get();
	unsigned int k;

	*x = (struct kd_xfer){ .state = KD_XFER_RUNNING };
	kd_xfer_set(m, x);
	/* A one-way mapping is checked through coherent memory. */
	if (m->kind != KD_DMA_COHERENT && m->dir != DMA_BIDIRECTIONAL) {
		scratch = dma_alloc_coherent(kd_dma_dev(), max, &scratch_dma,
					     GFP_KERNEL | __GFP_NOWARN);
		if (!scratch)
			x->err = -ENOMEM;
		else
			kd_pages_taken(get_order(max));
	}
	for (k = 0; !x->err && k < pieces && kd_xfer_piece(m, k, &off, &bus, &len);
	     k++) {
		mutex_lock(&kd_dma_trip_lock);
		seed = kd_dma.seed++;
		x->err = kd_xfer_trip(m, off, bus, len, seed, scratch,
				      scratch_dma, &got);
		mutex_unlock(&kd_dma_trip_lock);
		x->pieces++;
		x->len += len;
		for (i = 0; !x->err && i < len; i++) {
			if (got[i] != (u8)(i * 7 + seed)) {
				x->state = KD_XFER_DIFFERS;
				x->bad = off + i;
				x->want = (u8)(i * 7 + seed);
				x->got = got[i];
				break;
			}
		}
		if (x->state == KD_XFER_DIFFERS)
			break;
	}
	if (scratch) {
		dma_free_coherent(kd_dma_dev(), max, scratch, scratch_dma);
		kd_pages_given(get_order(max));
	}
	x->us = ktime_us_delta(ktime_get(), t0);
	x->irq = kd_dma.eng->irq_kind();
	if (x->state != KD_XFER_DIFFERS)
		x->state = x->err ? KD_XFER_FAILED : KD_XFER_VERIFIED;
	kd_xfer_set(m, x);
}

int kd_dma_xfer(struct kd_dma_map *m, unsigned int pieces, const char **why)
{
	struct kd_xfer x;

	kd_xfer_run(m, pieces, &x);
	if (x.state == KD_XFER_VERIFIED)
		return 0;
	if (x.state == KD_XFER_DIFFERS) {
		*why = "the bytes came out changed (the report's transfer: line says where)";
		return -EIO;
	}
	*why = kd_xfer_why(x.err);
	return x.err;
}

/* ---- where memory is, for the device ---- */

phys_addr_t kd_dma_phys(const void *cpu)
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
const char *kd_dma_how(phys_addr_t phys, dma_addr_t handle)
{
	if (kd_dma.iommu)
		return "iommu";
	if (handle != phys - kd_dma.bus_off)
		return "swiotlb";
	return "direct";
}

void kd_dma_via(struct kd_dma_map *m, phys_addr_t phys, dma_addr_t handle)
{
	const char *how = kd_dma_how(phys, handle);

	if (!strcmp(how, "iommu"))
		strscpy(m->via, "iommu: dma_addr is an I/O virtual address the IOMMU translates",
			sizeof(m->via));
	else if (!strcmp(how, "swiotlb"))
		strscpy(m->via,
			"swiotlb: dma_addr is a bounce buffer's, copied to and from this one at map, sync and unmap",
			sizeof(m->via));
	else if (!kd_dma.bus_off)
		strscpy(m->via, "direct: dma_addr is the physical address (no IOMMU)",
			sizeof(m->via));
	else
		snprintf(m->via, sizeof(m->via),
			 "direct: dma_addr is the physical address less the bus's offset %#llx",
			 (unsigned long long)kd_dma.bus_off);
}

/*
 * The module's own rule, checked before a streaming mapping: where the
 * device cannot reach memory and nothing makes up for it, dma-direct
 * WARNs once and returns DMA_MAPPING_ERROR, and so does swiotlb when its
 * bounce buffer lies above the mask.  NULL when @len bytes at @phys may be
 * mapped, else why not.
 */
#define KD_BOUNCE_ABOVE "swiotlb would bounce it, through a pool below 4 GiB but not surely under this mask, and WARN if the bounce buffer lies above it"
#define KD_DIRECT_ABOVE "it lies above the mask and nothing bounces it for this device: dma-direct would WARN and return DMA_MAPPING_ERROR"

const char *kd_dma_unreachable(phys_addr_t phys, size_t len)
{
	struct device *dev = kd_dma_dev();
	bool above = phys - kd_dma.bus_off + len - 1 > kd_dma.mask;

	if (kd_dma.iommu)
		return NULL;	/* it maps any page into the device's window */
	/* A mask that covers all of RAM reaches any bounce buffer too. */
	if (dma_get_required_mask(dev) <= kd_dma.mask)
		return NULL;
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

/* ---- streaming mappings ---- */

/*
 * Where the streaming buffer must come from.  It is the driver's own
 * memory, from any allocator of contiguous memory; where it lies matters
 * only when the device cannot reach all of RAM and neither swiotlb nor an
 * IOMMU makes up for it.  Then it must come from under the mask: kmalloc
 * takes GFP_DMA (ZONE_DMA, the first 16 MiB on x86-64), never GFP_DMA32.
 */
gfp_t kd_dma_gfp(char *reach, size_t size)
{
	struct device *dev = kd_dma_dev();
	int need = fls64(dma_get_required_mask(dev));
	int bits = fls64(kd_dma.mask);

	if (kd_dma.iommu) {
		strscpy(reach, "GFP_KERNEL: anywhere, the IOMMU maps the pages it is given",
			size);
		return GFP_KERNEL;
	}
	if (need <= bits) {
		snprintf(reach, size,
			 "GFP_KERNEL: a %d-bit mask reaches all of this machine's RAM, which needs %d (dma_get_required_mask())",
			 bits, need);
		return GFP_KERNEL;
	}
	if (dma_max_mapping_size(dev) != SIZE_MAX) {
		snprintf(reach, size,
			 "GFP_KERNEL: anywhere, swiotlb bounces what a %d-bit device cannot reach",
			 bits);
		return GFP_KERNEL;
	}
	snprintf(reach, size,
		 "GFP_DMA: this machine's RAM needs %d bits (dma_get_required_mask()) and nothing bounces for this device, so the buffer must lie under the %d-bit mask: ZONE_DMA",
		 need, bits);
	return GFP_KERNEL | GFP_DMA;
}

int kd_dma_map_single(struct kd_dma_map *m, const char **why)
{
	struct device *dev = kd_dma_dev();

	if (m->page)
		m->handle = dma_map_page(dev, m->page, 0, m->len, m->dir);
	else
		m->handle = dma_map_single(dev, m->cpu, m->len, m->dir);
	if (dma_mapping_error(dev, m->handle)) {
		*why = "the DMA API could not map it (dma_mapping_error())";
		return -EIO;
	}
	snprintf(m->call, sizeof(m->call), "%s(%s, %s, %zu, %s)",
		 m->page ? "dma_map_page" : "dma_map_single", dev_name(dev),
		 m->page ? "page, 0" : "mem", m->len, kd_dir_name[m->dir]);
	kd_dma_via(m, kd_dma_phys(m->cpu), m->handle);
	return 0;
}

/*
 * A vmalloc area's pages are scattered: a scatterlist holds them, one
 * entry per physically contiguous run (no longer than the device takes in
 * one segment, dma_get_max_seg_size()), and dma_map_sgtable() maps the
 * runs; an IOMMU may join them into fewer DMA segments.
 */
static int kd_map_sg(struct kd_dma_map *m, const char **why)
{
	struct device *dev = kd_dma_dev();
	unsigned long base = (unsigned long)m->cpu & PAGE_MASK;
	unsigned int n = DIV_ROUND_UP(offset_in_page(m->cpu) + m->len, PAGE_SIZE);
	unsigned int seg = max_t(unsigned int, PAGE_SIZE,
				 ALIGN_DOWN(dma_get_max_seg_size(dev), PAGE_SIZE));
	struct page **pages;
	unsigned int i;
	int ret;

	pages = kvmalloc_array(n, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		*why = "no memory for the list of its pages";
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		pages[i] = vmalloc_to_page((void *)(base + i * PAGE_SIZE));
		*why = kd_dma_unreachable(page_to_phys(pages[i]), PAGE_SIZE);
		if (*why) {
			kvfree(pages);
			return -ERANGE;
		}
	}
	ret = kd_sg_from_pages(&m->sgt, pages, n, offset_in_page(m->cpu),
			       m->len, seg);
	kvfree(pages);
	if (ret) {
		*why = "no memory for the scatterlist";
		return ret;
	}
	ret = dma_map_sgtable(dev, &m->sgt, m->dir, 0);
	if (ret) {
		sg_free_table(&m->sgt);
		*why = "the DMA API could not map it (dma_map_sgtable())";
		return ret;
	}
	snprintf(m->call, sizeof(m->call),
		 "dma_map_sgtable(%s, sgt, %s, 0), sgt from the %u pages of the area",
		 dev_name(dev), kd_dir_name[m->dir], n);
	kd_dma_via(m, page_to_phys(sg_page(m->sgt.sgl)) + m->sgt.sgl->offset,
		   sg_dma_address(m->sgt.sgl));
	return 0;
}

#define KD_SINGLE_VMALLOC "dma_map_single() takes memory of the direct map: a vmalloc address has no physical address of its own (virt_to_phys() of it is wrong) and its pages are scattered; without single, the lab maps them through a scatterlist"

/*
 * Memory the device writes must own the cache lines it lies in: on a
 * machine whose caches the device does not snoop, a line the CPU holds
 * dirty for a neighbour's bytes is written back over what the device
 * wrote.  A kmalloc object smaller than a line, or not aligned to one
 * (kmalloc-8 to -32, -96), shares its lines; DMA-API debug reports two
 * such mappings meeting in one line ("cacheline tracking EEXIST").
 */
#define KD_SHARED_LINE "the device writes it and it shares a cache line with other memory (a kmalloc object smaller than a line, or not aligned to one): a CPU write-back of the neighbour's line would overwrite what the device wrote; map it to_device, or allocate whole lines"

static bool kd_owns_lines(const void *mem, size_t slot)
{
	unsigned long a = (unsigned long)mem;

	return IS_ALIGNED(a, L1_CACHE_BYTES) && IS_ALIGNED(a + slot, L1_CACHE_BYTES);
}

struct kd_dma_map *kd_dma_map_mem(void *mem, size_t len, size_t slot,
				  struct page *page, enum dma_data_direction dir,
				  bool single, const char **why)
{
	struct kd_dma_map *m;
	int ret;

	if (is_vmalloc_addr(mem) && single) {
		*why = KD_SINGLE_VMALLOC;
		return ERR_PTR(-EINVAL);
	}
	if (dir != DMA_TO_DEVICE && !kd_owns_lines(mem, slot)) {
		*why = KD_SHARED_LINE;
		return ERR_PTR(-EINVAL);
	}
	if (!is_vmalloc_addr(mem)) {
		*why = kd_dma_unreachable(kd_dma_phys(mem), len);
		if (*why)
			return ERR_PTR(-ERANGE);
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		*why = "no memory for the mapping's record";
		return ERR_PTR(-ENOMEM);
	}
	m->kind = is_vmalloc_addr(mem) ? KD_DMA_SG : KD_DMA_SINGLE;
	m->dir = dir;
	m->cpu = mem;
	m->len = len;
	m->page = page;
	m->mask = kd_dma.mask;
	ret = m->kind == KD_DMA_SG ? kd_map_sg(m, why) : kd_dma_map_single(m, why);
	if (ret) {
		kfree(m);
		return ERR_PTR(ret);
	}
	dev_info(kd_dma_dev(), "%s\n", m->call);
	return m;
}

void kd_dma_unmap(struct kd_dma_map *m)
{
	struct device *dev = kd_dma_dev();

	if (m->kind == KD_DMA_COHERENT) {
		dma_free_coherent(dev, m->len, m->cpu, m->handle);
		kd_pages_given(get_order(m->len));
	} else if (m->kind == KD_DMA_SG) {
		dev_info(dev, "dma_unmap_sgtable: %zu bytes in %u runs of pages unmapped\n",
			 m->len, m->sgt.orig_nents);
		dma_unmap_sgtable(dev, &m->sgt, m->dir, 0);
		sg_free_table(&m->sgt);
	} else {
		if (m->page)
			dma_unmap_page(dev, m->handle, m->len, m->dir);
		else
			dma_unmap_single(dev, m->handle, m->len, m->dir);
		dev_info(dev, "%s: %zu bytes unmapped\n",
			 m->page ? "dma_unmap_page" : "dma_unmap_single", m->len);
	}
}

void kd_dma_map_free(struct kd_dma_map *m)
{
	if (!m)
		return;
	kd_dma_unmap(m);
	kfree(m);
}

#define KD_MASK_WIDE "wider than the device: dma_bits= says how many address bits it drives, and the kernel would hand it memory past them"
#define KD_MASK_REFUSED "the kernel refuses the mask: too little of this machine's memory lies within it (dma_set_mask_and_coherent() said so)"

int kd_dma_set_mask(unsigned int bits, const char **why)
{
	struct device *dev = kd_dma_dev();
	int ret;

	if (bits > kd_param(dma_bits)) {
		*why = KD_MASK_WIDE;
		return -EINVAL;
	}
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(bits));
	if (ret) {
		*why = KD_MASK_REFUSED;
		return ret;
	}
	kd_dma.mask = DMA_BIT_MASK(bits);
	dev_info(dev, "dma_set_mask_and_coherent(DMA_BIT_MASK(%u)): for the maps made from now on\n",
		 bits);
	return 0;
}

/* ---- coherent memory ---- */

/*
 * Whether dma-direct may take more than a page from the CMA area: the
 * kernel must have CONFIG_DMA_CMA and an area with pages free.  A kernel
 * may have the option and no area (none reserved at boot: no cma= and a
 * default size of 0), and then the buddy allocator serves it all.
 */
static bool kd_cma_serves(size_t size)
{
#ifdef CONFIG_DMA_CMA
	return size > PAGE_SIZE && global_zone_page_state(NR_FREE_CMA_PAGES);
#else
	return false;
#endif
}

int kd_dma_coherent(struct kd_dma_map *m, struct kd_desc *d, size_t size)
{
	unsigned int order = get_order(size);
	bool cma = kd_cma_serves(size);
	int ret = 0;

	/*
	 * __GFP_NOWARN: a large buffer may fail, and the driver says so
	 * itself; the allocator's warning, with its stack dump, is for
	 * failures nobody handles.
	 */
	d->gfp = GFP_KERNEL | __GFP_NOWARN;
	m->cpu = dma_alloc_coherent(kd_dma_dev(), size, &m->handle, d->gfp);
	if (!m->cpu)
		return -ENOMEM;
	kd_pages_taken(order);
	m->kind = KD_DMA_COHERENT;
	m->len = size;
	m->mask = kd_dma.mask;
	d->allocator = "dma_alloc_coherent";
	snprintf(d->call, sizeof(d->call), "dma_alloc_coherent(%s, %zu, &dma_addr, %pGg)",
		 dev_name(kd_dma_dev()), size, &d->gfp);
	d->requested = size;
	d->reserved = PAGE_SIZE << order;
	d->addr = m->cpu;
	/* A device that is not cache-coherent gets it remapped uncached. */
	if (is_vmalloc_addr(m->cpu))
		ret = kd_describe_vmalloc(d);
	else
		kd_describe_linear(d);
	if (ret) {
		dma_free_coherent(kd_dma_dev(), size, m->cpu, m->handle);
		kd_pages_given(order);
		m->cpu = NULL;
		return ret;
	}
	if (kd_dma.iommu)
		snprintf(d->served_by, sizeof(d->served_by),
			 "iommu-dma: pages from anywhere, given contiguous I/O virtual addresses and a vmalloc mapping");
	else if (cma)
		snprintf(d->served_by, sizeof(d->served_by),
			 "dma-direct: the CMA area, or the buddy allocator if CMA has no room, under the mask");
	else
		snprintf(d->served_by, sizeof(d->served_by),
			 "dma-direct: the buddy allocator, a block of 2^%u pages under the mask",
			 order);
	if (!kd_dma.iommu && !kd_dma.bus_off)
		kd_dma.bus_off = kd_dma_phys(m->cpu) - m->handle;
	kd_dma_via(m, kd_dma_phys(m->cpu), m->handle);
	return 0;
}

/*
 * dma_mmap_coherent() maps from the VMA's offset into the buffer; the
 * region's own offset goes back after, as it names the region to the
 * mapping's callbacks and to unmap_mapping_range().
 */
int kd_dma_mmap(const struct kd_dma_map *m, struct vm_area_struct *vma,
		unsigned long first)
{
	unsigned long pgoff = vma->vm_pgoff;
	int ret;

	vma->vm_pgoff = first;
	ret = dma_mmap_coherent(kd_dma_dev(), vma, m->cpu, m->handle, m->len);
	vma->vm_pgoff = pgoff;
	return ret;
}

struct kd_dma_map *kd_dma_coherent_new(struct kd_desc *d, size_t size,
				       const char **why)
{
	struct kd_dma_map *m = kzalloc(sizeof(*m), GFP_KERNEL);

	if (!m) {
		*why = "no memory for the buffer's record";
		return NULL;
	}
	if (kd_dma_coherent(m, d, size)) {
		kfree(m);
		*why = "dma_alloc_coherent() returned NULL";
		return NULL;
	}
	dev_info(kd_dma_dev(), "%s\n", d->call);
	return m;
}

