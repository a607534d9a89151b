// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: load and unload.
 *
 * Allocations happen in a fixed order and are undone in exactly the reverse
 * order, on unload and on every error path alike: a later step may depend on
 * an earlier one (the objects live in the cache), and undoing in reverse
 * never frees something another live thing still uses.  The /proc files
 * (procfs.c) are created last and removed first, so no reader ever sees a
 * half-built or half-freed state; removing them also ends the lab (run-time
 * experiments, lab.c), which may use the cache.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "alloc.h"
#include "edu.h"
#include "kmem_demo.h"
#include "params.h"
#include "procfs.h"
#include "region.h"

static void kd_unwound(const char *what)
{
	pr_info("unwind: %s\n", what);
}

static int __init kmem_demo_init(void)
{
	enum kd_load_step step = KD_STEP_KMALLOC;
	int ret = -ENOMEM;

	if (kd_alloc_kmalloc())
		goto fail;
	step = KD_STEP_VMALLOC;
	if (kd_alloc_vmalloc())
		goto free_kmalloc;
	step = KD_STEP_PAGES;
	if (kd_alloc_pages())
		goto free_vmalloc;
	step = KD_STEP_CACHE;
	if (kd_create_cache())
		goto free_pages;
	step = KD_STEP_OBJECTS;
	if (kd_alloc_objects())
		goto free_objects;	/* some objects may exist */
	step = KD_STEP_DRIVER;
	/* The DMA demo device, if there is one, is probed in here. */
	ret = kd_edu_register();
	if (ret)
		goto free_objects;
	step = KD_STEP_PROC;
	ret = kd_procfs_create();
	if (ret)
		goto unregister;

	pr_info("loaded: version %s, /proc/%s ready\n", KD_VERSION, KD_NAME);
	return 0;

unregister:
	kd_edu_unregister();
	kd_unwound("pci_register_driver");
free_objects:
	kd_free_objects();
	kd_unwound("kmem_cache objects");
	kd_destroy_cache();
	kd_unwound("kmem_cache");
free_pages:
	kd_free_pages();
	kd_unwound("__get_free_pages");
free_vmalloc:
	kd_free_vmalloc();
	kd_unwound("vmalloc");
free_kmalloc:
	kd_free_kmalloc();
	kd_unwound("kmalloc");
fail:
	pr_err("load failed at step %d (%s): error %d, everything allocated before it was freed\n",
	       step, kd_step_name(step), ret);
	return ret;
}

static void __exit kmem_demo_exit(void)
{
	unsigned long taken, given;

	kd_procfs_remove();
	kd_edu_unregister();
	kd_free_objects();
	kd_destroy_cache();
	kd_free_pages();
	kd_free_vmalloc();
	kd_free_kmalloc();
	kd_pages_count(&taken, &given);
	pr_info("unloaded: all memory freed (pages: %lu allocated, %lu freed)\n",
		taken, given);
}

module_init(kmem_demo_init);
module_exit(kmem_demo_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The kmem_demo developers");
MODULE_DESCRIPTION("Shows what kmalloc, vmalloc, __get_free_pages and a kmem_cache really give you");
MODULE_VERSION(KD_VERSION);
