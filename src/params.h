/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: module parameters (params.c), and the load steps fail_step
 * can fail.
 */
#ifndef KMEM_DEMO_PARAMS_H
#define KMEM_DEMO_PARAMS_H

#include <linux/types.h>

/*
 * One parameter: its value, and the range the value must be in.  Each is
 * declared once, with its default, range and description, by a KD_PARAM()
 * line in params.c; modinfo's text comes from the same line.
 */
struct kd_param {
	unsigned long val;
	unsigned long min, max;
};

extern struct kd_param kd_param_kmalloc_size, kd_param_vmalloc_size,
	kd_param_page_order, kd_param_cache_objects, kd_param_fail_step,
	kd_param_lab_max_items, kd_param_lab_max_bytes, kd_param_dma_bits,
	kd_param_dma_order;

/* A parameter's value, by name: kd_param(kmalloc_size). */
#define kd_param(name)	(kd_param_##name.val)

/* The steps of loading, in order; fail_step=N makes step N fail. */
enum kd_load_step {
	KD_STEP_NONE,
	KD_STEP_KMALLOC,	/* kmalloc() */
	KD_STEP_VMALLOC,	/* __vmalloc() */
	KD_STEP_PAGES,		/* __get_free_pages() */
	KD_STEP_CACHE,		/* kmem_cache_create() */
	KD_STEP_OBJECTS,	/* kmem_cache_alloc(), fails at the last object */
	KD_STEP_DRIVER,		/* pci_register_driver(), the DMA demo device's */
	KD_STEP_PROC,		/* proc_create() */
	KD_NR_STEPS = KD_STEP_PROC,
};

/* True (and logged) when fail_step asks @step to fail. */
bool kd_should_fail(enum kd_load_step step);
const char *kd_step_name(enum kd_load_step step);

#endif /* KMEM_DEMO_PARAMS_H */
