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
 *    hands it only memory it can reach -- or refuses when it can't.
 * remove() undoes them in reverse.  Without the device the module loads
 * as before and the report says so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>

#include "edu.h"
#include "kmem_demo.h"
#include "params.h"
#include "region.h"

#define KD_EDU_VENDOR	0x1234
#define KD_EDU_DEVICE	0x11e8
/* Registers in BAR0, 32 bits wide below 0x80. */
#define KD_EDU_ID	0x00	/* 0xRRrr00ed: major, minor version, 0xed */
#define KD_EDU_LIVE	0x04	/* reads back the inverse of what was written */
#define KD_EDU_LIVE_TEST 0x5a5a0f0fU

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
} kd_edu;

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
	kd_edu.pdev = pdev;
	kd_device_publish("%s, QEMU edu %u.%u (PCI %04x:%04x), DMA mask %u bits",
			  pci_name(pdev), id >> 24, (id >> 16) & 0xff,
			  KD_EDU_VENDOR, KD_EDU_DEVICE, bits);
	dev_info(&pdev->dev, "DMA demo device: QEMU edu %u.%u, DMA mask %u bits\n",
		 id >> 24, (id >> 16) & 0xff, bits);
	mutex_unlock(&kd_edu_lock);
	return 0;

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
	kd_edu.pdev = NULL;
	pci_clear_master(pdev);
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
