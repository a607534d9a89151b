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

#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "compat.h"
#include "kmem_demo.h"

/* vmalloc can map far more, but the demo should not starve the machine. */
#define KD_VMALLOC_MAX		SZ_64M
#define KD_OBJECTS_MAX		1024
/*
 * The lab's limits.  The defaults keep a 512 MiB machine comfortable: 64
 * experiments holding 64 MiB at most.  Raise them on a bigger machine.
 */
#define KD_LAB_ITEMS_MAX	4096
#define KD_LAB_BYTES_MAX	(16UL << 30)

static struct kd_params params = {
	.kmalloc_size	= 4096,
	.vmalloc_size	= SZ_8M,
	.page_order	= 2,
	.cache_objects	= 8,
	.fail_step	= KD_STEP_NONE,
	.lab_max_items	= 64,
	.lab_max_bytes	= SZ_64M,
};

const struct kd_params *kd_params = &params;

struct kd_param {
	unsigned long *val;
	unsigned long min, max;
};

static int kd_param_set(const char *val, const struct kernel_param *kp)
{
	const struct kd_param *p = kp->arg;
	int ret = kd_parse_bounded(val, p->min, p->max, p->val);

	if (ret)
		pr_err("%s=%.32s: %s, allowed %lu..%lu\n", kp->name, val,
		       ret == -ERANGE ? "out of range" : "not a number",
		       p->min, p->max);
	return ret ? -EINVAL : 0;
}

static int kd_param_get(char *buf, const struct kernel_param *kp)
{
	const struct kd_param *p = kp->arg;

	return scnprintf(buf, PAGE_SIZE, "%lu\n", *p->val);
}

static const struct kernel_param_ops kd_param_ops = {
	.set = kd_param_set,
	.get = kd_param_get,
};

/* Each parameter: where its value lives and the range it must be in. */
static struct kd_param kd_kmalloc_size = {
	&params.kmalloc_size, 1, KMALLOC_MAX_SIZE };
static struct kd_param kd_vmalloc_size = {
	&params.vmalloc_size, 1, KD_VMALLOC_MAX };
static struct kd_param kd_page_order = {
	&params.page_order, 0, KD_MAX_PAGE_ORDER };
static struct kd_param kd_cache_objects = {
	&params.cache_objects, 1, KD_OBJECTS_MAX };
static struct kd_param kd_fail_step = {
	&params.fail_step, KD_STEP_NONE, KD_NR_STEPS };
static struct kd_param kd_lab_max_items = {
	&params.lab_max_items, 0, KD_LAB_ITEMS_MAX };
static struct kd_param kd_lab_max_bytes = {
	&params.lab_max_bytes, 0, KD_LAB_BYTES_MAX };

module_param_cb(kmalloc_size, &kd_param_ops, &kd_kmalloc_size, 0444);
MODULE_PARM_DESC(kmalloc_size, "bytes to kmalloc (1..KMALLOC_MAX_SIZE, default 4096)");
module_param_cb(vmalloc_size, &kd_param_ops, &kd_vmalloc_size, 0444);
MODULE_PARM_DESC(vmalloc_size, "bytes to vmalloc (1..67108864, default 8388608)");
module_param_cb(page_order, &kd_param_ops, &kd_page_order, 0444);
MODULE_PARM_DESC(page_order, "__get_free_pages order, 2^order pages (0..largest buddy order, default 2)");
module_param_cb(cache_objects, &kd_param_ops, &kd_cache_objects, 0444);
MODULE_PARM_DESC(cache_objects, "objects to allocate from the kmem_cache (1..1024, default 8)");
module_param_cb(fail_step, &kd_param_ops, &kd_fail_step, 0444);
MODULE_PARM_DESC(fail_step, "make step N's allocation fail, to test unwinding (0=off, 1..6)");
module_param_cb(lab_max_items, &kd_param_ops, &kd_lab_max_items, 0444);
MODULE_PARM_DESC(lab_max_items, "lab: live experiments at most (0..4096, default 64; 0 turns the lab off)");
module_param_cb(lab_max_bytes, &kd_param_ops, &kd_lab_max_bytes, 0444);
MODULE_PARM_DESC(lab_max_bytes, "lab: bytes all live experiments may reserve (0..17179869184, default 67108864)");

static const char * const kd_step_names[] = {
	[KD_STEP_NONE]		= "none",
	[KD_STEP_KMALLOC]	= "kmalloc",
	[KD_STEP_VMALLOC]	= "vmalloc",
	[KD_STEP_PAGES]		= "__get_free_pages",
	[KD_STEP_CACHE]		= "kmem_cache_create",
	[KD_STEP_OBJECTS]	= "kmem_cache_alloc",
	[KD_STEP_PROC]		= "proc_create",
};

const char *kd_step_name(enum kd_step step)
{
	return step <= KD_NR_STEPS ? kd_step_names[step] : "?";
}

bool kd_should_fail(enum kd_step step)
{
	if (params.fail_step != step)
		return false;
	pr_info("fail_step=%lu: %s behaves as if the allocator returned NULL\n",
		params.fail_step, kd_step_name(step));
	return true;
}
