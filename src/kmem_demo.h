/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: what every part of the module shares: its name and version.
 * Each part's own declarations are in the header named after it.
 */
#ifndef KMEM_DEMO_H
#define KMEM_DEMO_H

/* KD_VERSION: -D from Kbuild, which reads it from dkms.conf. */
#ifndef KD_VERSION
#error "KD_VERSION is defined by Kbuild (from dkms.conf)"
#endif
#define KD_NAME		"kmem_demo"	/* /proc entry and kmem_cache name */

#endif /* KMEM_DEMO_H */
