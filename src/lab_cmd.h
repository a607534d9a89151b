/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: the lab's command language (lab_cmd.c).  Pure: cutting a
 * write into lines, parsing and checking a line touch no kernel state, so
 * the KUnit suite tests them; lab.c runs what they accept.
 */
#ifndef KMEM_DEMO_LAB_CMD_H
#define KMEM_DEMO_LAB_CMD_H

#include <linux/dma-direction.h>
#include <linux/gfp.h>
#include <linux/numa.h>
#include <linux/types.h>

#include "compat.h"

#define KD_LAB_LINE_MAX	256	/* bytes in one command line */
#define KD_LAB_WRITE_MAX	4096	/* bytes taken from one write() */
#define KD_LAB_CACHE_MAX	65536	/* objects in one "cache" command */
#define KD_LAB_CACHE_CTX_MAX	256	/* ... outside process context */
#define KD_LAB_PIN_MAX		(16UL << 20)	/* bytes in one "pin" command */
#define KD_LAB_MEMPOOL_MAX	256	/* elements in one pool's reserve */

/* The command words, in the order of the table in lab_cmd.c. */
enum kd_lab_word {
	KD_LAB_KMALLOC,
	KD_LAB_VMALLOC,
	KD_LAB_KVMALLOC,
	KD_LAB_PAGES,
	KD_LAB_CACHE,
	KD_LAB_FREE,
	KD_LAB_BENCH,
	KD_LAB_DMA,
	KD_LAB_VMALLOC_USER,
	KD_LAB_FILL,
	KD_LAB_CHECK,
	KD_LAB_PIN,
	KD_LAB_KZALLOC,
	KD_LAB_KCALLOC,
	KD_LAB_KMALLOC_ARRAY,
	KD_LAB_KZALLOC_FLEX,
	KD_LAB_KREALLOC,
	KD_LAB_PERCPU,
	KD_LAB_DEVM_KZALLOC,
	KD_LAB_KFREE_RCU,
	KD_LAB_MEMPOOL,
	KD_LAB_MEMPOOL_ALLOC,
	KD_LAB_MEMPOOL_FREE,
	KD_NR_LAB_WORDS,
};

/*
 * Where an allocating command's call runs (ctx=): the write()'s own
 * process context, under a spinlock, in a softirq (a timer's callback), in
 * a hard interrupt (an irq_work).  Outside process context nothing may
 * sleep, so only flags that never wait for reclaim are taken there.
 */
enum kd_ctx {
	KD_CTX_PROCESS,
	KD_CTX_ATOMIC,
	KD_CTX_SOFTIRQ,
	KD_CTX_HARDIRQ,
	KD_NR_CTX,
};

/* What a "dma" command does. */
enum kd_dma_verb {
	KD_DMA_COHERENT_SIZE,	/* dma coherent SIZE: a new experiment */
	KD_DMA_MAP_ID,		/* dma map ID [DIRECTION] [single] */
	KD_DMA_UNMAP_ID,	/* dma unmap ID */
	KD_DMA_XFER_ID,		/* dma xfer ID */
	KD_DMA_MASK_BITS,	/* dma mask BITS */
};

struct kd_cmd {
	enum kd_lab_word word;
	unsigned long arg;	/* SIZE, ORDER, COUNT, N or ID (fill, check: 0 if what[]) */
	unsigned long size;	/* kcalloc, kmalloc_array, krealloc, mempool: SIZE */
	unsigned long bytes;	/* what the call asks for (kd_cmd_check_size) */
	bool overflow;		/* N x SIZE wraps: the kernel's helper says NULL */
	bool free_all;		/* "free all" */
	bool quick;		/* "bench quick" */
	gfp_t gfp;		/* FLAGS, GFP_KERNEL when none are given */
	int node;		/* node=N, or NUMA_NO_NODE: the plain call */
	enum kd_ctx ctx;	/* ctx=: where the call runs, process by default */
	bool ctx_given;		/* ctx= was written */
	enum kd_dma_verb dma;	/* dma: what to do */
	enum dma_data_direction dir;	/* dma map: which way, default both */
	bool single;		/* dma map: dma_map_single() asked for */
	char what[24];		/* fill, check: a load-time section's title */
	u8 byte;		/* fill, check: the byte */
	unsigned long addr;	/* pin: the writer's address (arg: LEN) */
	char text[160];		/* a reason composed for this command */
	const char *why;	/* why it was refused */
	unsigned long limit;	/* the limit it went over, if any */
};

/*
 * kzalloc_flex COUNT's structure: a header and a flexible array.  6.7's
 * __counted_by(count) names the member that counts it, so the compiler
 * and FORTIFY_SOURCE check indexes against it.
 */
struct kd_flex {
	u32 count;		/* how many items follow */
#ifdef __counted_by
	u64 item[] __counted_by(count);
#else
	u64 item[];
#endif
};

const char *kd_lab_word_name(enum kd_lab_word word);
bool kd_cmd_kmalloc(enum kd_lab_word word);
size_t kd_flex_size(unsigned long count);
const char *kd_ctx_name(enum kd_ctx ctx);
/* Refuse @cmd with @err: cmd->why says @why, the rule it broke. */
int kd_cmd_refuse(struct kd_cmd *cmd, int err, const char *why);
int kd_parse_number(const char *s, bool units, unsigned long *out,
		    const char **why);
int kd_cmd_parse(char *line, struct kd_cmd *cmd);
int kd_cmd_check_gfp(struct kd_cmd *cmd);
int kd_cmd_check_size(struct kd_cmd *cmd, unsigned long ram, unsigned int slot,
		      unsigned long *estimate);
int kd_cmd_line(const char *buf, size_t len, size_t count, size_t done,
		size_t *n, bool *nl, const char **why);

#endif /* KMEM_DEMO_LAB_CMD_H */
