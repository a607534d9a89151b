// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: module parameters.
 *
 * Each parameter is checked while the module loads, before kmem_demo_init()
 * runs: a value outside its range makes insmod fail with -EINVAL and one log
 * line naming the parameter, the value and the range, and nothing has been
 * allocated yet.  Mode 0444: readable in /sys/module/kmem_demo/parameters/,
 * never writable -- the module frees with the values it allocated with.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "compat.h"
#include "params.h"
#include "pure.h"

static int kd_param_set(const char *val, const struct kernel_param *kp)
{
	struct kd_param *p = kp->arg;
	int ret = kd_parse_bounded(val, p->min, p->max, &p->val);

	if (ret)
		pr_err("%s=%.32s: %s, allowed %lu..%lu\n", kp->name, val,
		       ret == -ERANGE ? "out of range" : "not a number",
		       p->min, p->max);
	return ret ? -EINVAL : 0;
}

static int kd_param_get(char *buf, const struct kernel_param *kp)
{
	const struct kd_param *p = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%lu\n", p->val);
}

static const struct kernel_param_ops kd_param_ops = {
	.set = kd_param_set,
	.get = kd_param_get,
};

/*
 * KD_PARAM(name, default, min, max, description): the one declaration of a
 * parameter.  modinfo shows "description (min..max, default default)",
 * made from the same tokens the range check uses, so the numbers are
 * written out as modinfo should show them (8388608, not SZ_8M).  A maximum
 * that is the kernel's own limit is a name, not a number: KD_PARAM_TO()
 * takes its text from KD_MAX_TEXT() instead.
 */
#define KD_PARAM_TO(name, def, min, max, maxtext, what)			\
	struct kd_param kd_param_##name = { def, min, max };		\
	module_param_cb(name, &kd_param_ops, &kd_param_##name, 0444);	\
	MODULE_INFO(parm, #name ":" what " (" #min ".." maxtext ", default " #def ")")
#define KD_PARAM(name, def, min, max, what)				\
	KD_PARAM_TO(name, def, min, max, #max, what)

/*
 * The kernel's limits as numbers for modinfo.  The preprocessor can
 * compare them but not print them, so each value a kernel may have is
 * spelled out; one not listed keeps its name.
 */
#if KMALLOC_MAX_SIZE == SZ_4M
#define KD_KMALLOC_MAX_TEXT	"4194304"
#elif KMALLOC_MAX_SIZE == SZ_8M
#define KD_KMALLOC_MAX_TEXT	"8388608"
#elif KMALLOC_MAX_SIZE == SZ_16M
#define KD_KMALLOC_MAX_TEXT	"16777216"
#elif KMALLOC_MAX_SIZE == SZ_32M
#define KD_KMALLOC_MAX_TEXT	"33554432"
#elif KMALLOC_MAX_SIZE == SZ_64M
#define KD_KMALLOC_MAX_TEXT	"67108864"
#elif KMALLOC_MAX_SIZE == SZ_128M
#define KD_KMALLOC_MAX_TEXT	"134217728"
#elif KMALLOC_MAX_SIZE == SZ_256M
#define KD_KMALLOC_MAX_TEXT	"268435456"
#elif KMALLOC_MAX_SIZE == SZ_512M
#define KD_KMALLOC_MAX_TEXT	"536870912"
#else
#define KD_KMALLOC_MAX_TEXT	"KMALLOC_MAX_SIZE"
#endif

/* MAX_PAGE_ORDER by way of MAX_ORDER_NR_PAGES, which every kernel has. */
#if MAX_ORDER_NR_PAGES == 1024
#define KD_MAX_ORDER_TEXT	"10"
#elif MAX_ORDER_NR_PAGES == 2048
#define KD_MAX_ORDER_TEXT	"11"
#elif MAX_ORDER_NR_PAGES == 4096
#define KD_MAX_ORDER_TEXT	"12"
#elif MAX_ORDER_NR_PAGES == 8192
#define KD_MAX_ORDER_TEXT	"13"
#else
#define KD_MAX_ORDER_TEXT	"MAX_PAGE_ORDER"
#endif

/*       name           default   min  max
 *       description
 */
KD_PARAM_TO(kmalloc_size, 4096,   1,   KMALLOC_MAX_SIZE, KD_KMALLOC_MAX_TEXT,
	    "bytes to kmalloc");
/* vmalloc could map far more, but the demo should not starve the machine. */
KD_PARAM(vmalloc_size,  8388608,  1,   67108864,
	 "bytes to vmalloc");
KD_PARAM_TO(page_order,  2,        0,   MAX_PAGE_ORDER, KD_MAX_ORDER_TEXT,
	    "__get_free_pages order, 2^order pages");
KD_PARAM(cache_objects, 8,        1,   1024,
	 "objects to allocate from the kmem_cache");
/* One of enum kd_load_step: 1..KD_NR_STEPS. */
KD_PARAM(fail_step,     0,        0,   7,
	 "make step N's allocation fail, to test unwinding, 0: off");
/*
 * The lab's limits.  The defaults keep a 512 MiB machine comfortable: 64
 * experiments holding 64 MiB at most.  Raise them on a bigger machine.
 */
KD_PARAM(lab_max_items, 64,       0,   4096,
	 "lab: live experiments at most, 0 turns the lab off");
KD_PARAM(lab_max_bytes, 67108864, 0,   17179869184,
	 "lab: bytes all live experiments may reserve");
/*
 * The address bits the DMA demo device drives: QEMU's edu has 28 unless
 * its dma_mask property says more (edu.c).  A driver states what its
 * device can do; it does not choose it.
 */
KD_PARAM(dma_bits,      28,       24,  64,
	 "DMA address bits of the demo device (QEMU edu)");
KD_PARAM_TO(dma_order,   1,        0,   MAX_PAGE_ORDER, KD_MAX_ORDER_TEXT,
	    "dma_alloc_coherent size, 2^order pages");

static_assert(KD_NR_STEPS == 7, "fail_step's range is the load steps'");

static const char * const kd_step_names[] = {
	[KD_STEP_NONE]		= "none",
	[KD_STEP_KMALLOC]	= "kmalloc",
	[KD_STEP_VMALLOC]	= "vmalloc",
	[KD_STEP_PAGES]		= "__get_free_pages",
	[KD_STEP_CACHE]		= "kmem_cache_create",
	[KD_STEP_OBJECTS]	= "kmem_cache_alloc",
	[KD_STEP_DRIVER]	= "pci_register_driver",
	[KD_STEP_PROC]		= "proc_create",
};

const char *kd_step_name(enum kd_load_step step)
{
	return step <= KD_NR_STEPS ? kd_step_names[step] : "?";
}

bool kd_should_fail(enum kd_load_step step)
{
	if (kd_param(fail_step) != step)
		return false;
	pr_info("fail_step=%lu: %s behaves as if the allocator returned NULL\n",
		kd_param(fail_step), kd_step_name(step));
	return true;
}
