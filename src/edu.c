// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: the DMA demo device.
 *
 * Memory a device reads and writes goes through the DMA API, and the DMA
 * API needs a device: kmem_demo is also the PCI driver of QEMU's "edu"
 * device (PCI 1234:11e8, docs/dma.md), which every VM of the harness has.
 * Probing it is what any PCI driver that does DMA does, in this order:
 *  - pci_enable_device(): wake the device and let it decode its BARs;
 *  - pci_request_regions(): claim them, so no other driver maps them;
 *  - pci_iomap(): map BAR0, the registers, into kernel virtual space;
 *  - check it is the device we think (its id register, a liveness echo);
 *  - pci_set_master(): let it start transfers on the bus (without it QEMU
 *    drops the device's DMA, yet the device reports it done);
 *  - dma_set_mask_and_coherent(): say how many address bits the device
 *    drives (dma_bits=, 28 for edu by its specification), so the kernel
 *    hands it only memory it can reach -- or refuses when it can't;
 *  - pci_alloc_irq_vectors() and request_irq(): the interrupt that says a
 *    transfer is done (one MSI vector where the platform has MSI, else
 *    the shared INTx line);
 *  - then the DMA demo itself (dma.c) allocates what the device will use.
 * remove() undoes them in reverse.  Without the device the module loads
 * as before and the report says so.
 *
 * The device copies between RAM and a 4 KiB buffer of its own, one
 * transfer at a time: kd_edu_transfer() starts one and sleeps until the
 * interrupt says it is done.  dma.c uses it as the device's DMA engine.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>

#include "compat.h"
#include "dma.h"
#include "edu.h"
#include "kmem_demo.h"
#include "lab.h"
#include "params.h"
#include "region.h"

#define KD_EDU_VENDOR	0x1234
#define KD_EDU_DEVICE	0x11e8
/* Registers in BAR0, 32 bits wide below 0x80. */
#define KD_EDU_ID	0x00	/* 0xRRrr00ed: major, minor version, 0xed */
#define KD_EDU_LIVE	0x04	/* reads back the inverse of what was written */
#define KD_EDU_LIVE_TEST 0x5a5a0f0fU
#define KD_EDU_IRQ_STATUS 0x24	/* the reasons raised, until acknowledged */
#define KD_EDU_IRQ_ACK	0x64	/* write the reasons back to clear them */
#define KD_EDU_IRQ_DMA	0x100	/* the reason a finished transfer raises */
/* The DMA engine's registers, 64 bits: source, destination, count, command. */
#define KD_EDU_DMA_SRC	0x80
#define KD_EDU_DMA_DST	0x88
#define KD_EDU_DMA_CNT	0x90
#define KD_EDU_DMA_CMD	0x98
#define KD_EDU_DMA_RUN	0x1	/* start; reads 1 until the transfer is done */
#define KD_EDU_DMA_TO_RAM 0x2	/* from the device's buffer into RAM */
#define KD_EDU_DMA_IRQ	0x4	/* raise KD_EDU_IRQ_DMA when done */
/*
 * The device's own buffer: 4 KiB at this device address.  QEMU 7.2 stops
 * on a transfer of all 4096 bytes (an off-by-one in its range check, fixed
 * in QEMU 8.2.1): half of it is the most a transfer moves.
 */
#define KD_EDU_BUF	0x40000
#define KD_EDU_CHUNK	2048
/*
 * A transfer takes the device about 100 ms of virtual time; one that has
 * not ended after this long never will.
 */
#define KD_EDU_TIMEOUT_MS 5000
/*
 * The address bits edu drives unless QEMU was told otherwise: past them it
 * silently drops the high bits, so a write meant for 0x10300000 lands at
 * 0x300000.  dma_bits= may claim more (QEMU's -device edu,dma_mask=...),
 * which the driver cannot check from the device.
 */
#define KD_EDU_SPEC_BITS 28

#define KD_EDU_NONE	"none: no QEMU edu device (PCI 1234:11e8) bound to kmem_demo; make run's VMs have one"

/*
 * The device the demo drives: one; another edu stays unbound.  Probe and
 * remove run at load and unload, and whenever root binds or unbinds the
 * device in sysfs.  What the report says of it is published in the
 * registry (kd_device_publish()).
 */
static DEFINE_MUTEX(kd_edu_lock);
static struct {
	struct pci_dev *pdev;		/* bound, or NULL */
	void __iomem *regs;		/* BAR0 */
	int irq;			/* its vector: MSI, or the INTx line */
	struct mutex xfer_lock;		/* one transfer at a time */
	struct completion done;		/* the transfer's interrupt came */
	bool wedged;			/* a transfer never ended: no more */
	bool ram_low;			/* RAM lies below 2^KD_EDU_SPEC_BITS */
} kd_edu = {
	.xfer_lock = __MUTEX_INITIALIZER(kd_edu.xfer_lock),
};

/*
 * Log why @pdev was refused, and say it in the report unless another edu
 * is the demo device.
 */
static __printf(3, 4) int kd_edu_refuse(struct pci_dev *pdev, int err, const char *fmt, ...)
{
	char why[192];
	va_list args;

	va_start(args, fmt);
	vsnprintf(why, sizeof(why), fmt, args);
	va_end(args);
	if (!kd_edu.pdev)
		kd_device_publish("%s refused: %s", pci_name(pdev), why);
	dev_info(&pdev->dev, "not the DMA demo device: %s\n", why);
	return err;
}

/*
 * The device's interrupt: read why it was raised and acknowledge that
 * (with MSI too: the device raises no more until it is acknowledged), then
 * wake the transfer waiting for it.  The INTx line may be shared: nothing
 * raised means the interrupt was another device's.
 */
static irqreturn_t kd_edu_irq(int irq, void *data)
{
	u32 why = ioread32(kd_edu.regs + KD_EDU_IRQ_STATUS);

	if (!why)
		return IRQ_NONE;
	iowrite32(why, kd_edu.regs + KD_EDU_IRQ_ACK);
	if (why & KD_EDU_IRQ_DMA)
		complete(&kd_edu.done);
	return IRQ_HANDLED;
}

/*
 * One transfer (struct kd_dma_engine in dma_map.h).  A write into RAM past the
 * bits edu surely has is refused where RAM lies below them: a device with
 * fewer bits than dma_bits= claims would write there instead.
 */
static int kd_edu_transfer(dma_addr_t addr, size_t len, bool to_ram)
{
	void __iomem *r = kd_edu.regs;
	int ret = 0;

	/* The device stops QEMU 7.2 outright on a count it cannot hold. */
	if (!len || len > KD_EDU_CHUNK)
		return -EINVAL;
	if (to_ram && kd_edu.ram_low &&
	    addr + len - 1 > DMA_BIT_MASK(KD_EDU_SPEC_BITS))
		return -ERANGE;
	mutex_lock(&kd_edu.xfer_lock);
	if (kd_edu.wedged) {
		ret = -EIO;
		goto out;
	}
	reinit_completion(&kd_edu.done);
	/*
	 * writeq() is ordered after the CPU's earlier writes to memory: the
	 * device reads the bytes just written, with no barrier of our own.
	 */
	writeq(to_ram ? KD_EDU_BUF : addr, r + KD_EDU_DMA_SRC);
	writeq(to_ram ? addr : KD_EDU_BUF, r + KD_EDU_DMA_DST);
	writeq(len, r + KD_EDU_DMA_CNT);
	writeq(KD_EDU_DMA_RUN | KD_EDU_DMA_IRQ | (to_ram ? KD_EDU_DMA_TO_RAM : 0),
	       r + KD_EDU_DMA_CMD);
	if (!wait_for_completion_timeout(&kd_edu.done,
					 msecs_to_jiffies(KD_EDU_TIMEOUT_MS))) {
		/* It may still write later: remove() stops bus mastering first. */
		kd_edu.wedged = true;
		ret = -ETIMEDOUT;
		dev_err(&kd_edu.pdev->dev, "a transfer did not end within %d ms: the device is used no more\n",
			KD_EDU_TIMEOUT_MS);
	}
out:
	mutex_unlock(&kd_edu.xfer_lock);
	return ret;
}

static const char *kd_edu_irq_kind(void)
{
	return kd_edu.pdev && kd_edu.pdev->msi_enabled ? "MSI" : "INTx";
}

static const struct kd_dma_engine kd_edu_engine = {
	.max_len	= KD_EDU_CHUNK,
	.transfer	= kd_edu_transfer,
	.irq_kind	= kd_edu_irq_kind,
};

static int kd_edu_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	unsigned int bits = kd_param(dma_bits);
	char err[16];
	u32 id, live;
	int ret;

	mutex_lock(&kd_edu_lock);
	if (kd_edu.pdev) {
		ret = kd_edu_refuse(pdev, -EBUSY, "%s is the demo device already",
				    pci_name(kd_edu.pdev));
		goto out;
	}
	ret = pci_enable_device(pdev);
	if (ret) {
		kd_edu_refuse(pdev, ret, "pci_enable_device() failed");
		goto out;
	}
	ret = pci_request_regions(pdev, KD_NAME);
	if (ret) {
		kd_edu_refuse(pdev, ret, "its BARs are claimed by another driver");
		goto disable;
	}
	kd_edu.regs = pci_iomap(pdev, 0, 0);
	if (!kd_edu.regs) {
		ret = kd_edu_refuse(pdev, -ENOMEM, "pci_iomap() of BAR0 failed");
		goto release;
	}
	id = ioread32(kd_edu.regs + KD_EDU_ID);
	iowrite32(KD_EDU_LIVE_TEST, kd_edu.regs + KD_EDU_LIVE);
	live = ioread32(kd_edu.regs + KD_EDU_LIVE);
	if ((id & 0xff) != 0xed || live != ~KD_EDU_LIVE_TEST) {
		ret = kd_edu_refuse(pdev, -ENODEV,
				    "id register 0x%08x, liveness 0x%08x: not an edu",
				    id, live);
		goto unmap;
	}
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(bits));
	if (ret) {
		/* %pe names the errno, "-EIO" (its number without SYMBOLIC_ERRNAME). */
		snprintf(err, sizeof(err), "%pe", ERR_PTR(ret));
		kd_edu_refuse(pdev, ret,
			      "dma_set_mask_and_coherent(DMA_BIT_MASK(%u)) = %s: the kernel says a device of %u address bits reaches too little of this machine's memory; load with the dma_bits= the device really has",
			      bits, err, bits);
		goto clear_master;
	}
	/* One vector: MSI where the platform has it, else the INTx line. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0) {
		kd_edu_refuse(pdev, ret, "pci_alloc_irq_vectors() found no interrupt");
		goto clear_master;
	}
	kd_edu.irq = pci_irq_vector(pdev, 0);
	init_completion(&kd_edu.done);
	kd_edu.wedged = false;
	kd_edu.ram_low = region_intersects(0, 1ULL << KD_EDU_SPEC_BITS,
					   IORESOURCE_SYSTEM_RAM,
					   IORES_DESC_NONE) != REGION_DISJOINT;
	ret = request_irq(kd_edu.irq, kd_edu_irq, IRQF_SHARED, KD_NAME, &kd_edu);
	if (ret) {
		kd_edu_refuse(pdev, ret, "request_irq(%d) failed", kd_edu.irq);
		goto free_vectors;
	}
	kd_edu.pdev = pdev;
	ret = kd_dma_attach(pdev, &kd_edu_engine);
	if (ret) {
		kd_edu.pdev = NULL;
		kd_edu_refuse(pdev, ret, "%s", kd_dma_why());
		goto free_irq;
	}
	kd_device_publish("%s, QEMU edu %u.%u (PCI %04x:%04x), DMA mask %u bits",
			  pci_name(pdev), id >> 24, (id >> 16) & 0xff,
			  KD_EDU_VENDOR, KD_EDU_DEVICE, bits);
	dev_info(&pdev->dev, "DMA demo device: QEMU edu %u.%u, DMA mask %u bits, %s\n",
		 id >> 24, (id >> 16) & 0xff, bits, kd_edu_irq_kind());
	mutex_unlock(&kd_edu_lock);
	return 0;

free_irq:
	free_irq(kd_edu.irq, &kd_edu);
free_vectors:
	pci_free_irq_vectors(pdev);
clear_master:
	pci_clear_master(pdev);
unmap:
	pci_iounmap(pdev, kd_edu.regs);
	kd_edu.regs = NULL;
release:
	pci_release_regions(pdev);
disable:
	pci_disable_device(pdev);
out:
	mutex_unlock(&kd_edu_lock);
	return ret;
}

static void kd_edu_remove(struct pci_dev *pdev)
{
	mutex_lock(&kd_edu_lock);
	/* No transfer runs past this; none is started after it. */
	kd_dma_stop();
	/* The lab's mappings and coherent memory, before the device goes. */
	kd_lab_dma_release();
	free_irq(kd_edu.irq, &kd_edu);
	pci_free_irq_vectors(pdev);
	/*
	 * The device can no longer reach memory: only now is what it was
	 * given freed, even if a transfer of it never ended.
	 */
	pci_clear_master(pdev);
	kd_dma_detach();
	kd_edu.pdev = NULL;
	pci_iounmap(pdev, kd_edu.regs);
	kd_edu.regs = NULL;
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	kd_device_publish(KD_EDU_NONE);
	mutex_unlock(&kd_edu_lock);
	dev_info(&pdev->dev, "DMA demo device released\n");
}

static const struct pci_device_id kd_edu_ids[] = {
	{ PCI_DEVICE(KD_EDU_VENDOR, KD_EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, kd_edu_ids);

static struct pci_driver kd_edu_driver = {
	.name		= KD_NAME,
	.id_table	= kd_edu_ids,
	.probe		= kd_edu_probe,
	.remove		= kd_edu_remove,
};

int kd_edu_register(void)
{
	if (kd_should_fail(KD_STEP_DRIVER))	/* fail_step=6 */
		return -ENOMEM;
	kd_device_publish(KD_EDU_NONE);
	return pci_register_driver(&kd_edu_driver);
}

void kd_edu_unregister(void)
{
	pci_unregister_driver(&kd_edu_driver);
}
