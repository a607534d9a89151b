// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: the lab's command language, parsed and checked.
 *
 * Pure code: nothing here allocates or touches kernel state, so the KUnit
 * suite (kunit.c) tests it directly.  lab.c runs what this accepts.
 *
 *   kmalloc SIZE [FLAGS] [node=N] [ctx=C]
 *   vmalloc SIZE [FLAGS] [node=N] [ctx=C]
 *   kvmalloc SIZE [FLAGS] [node=N] [ctx=C]
 *   pages ORDER [FLAGS] [node=N] [ctx=C]
 *   cache COUNT [FLAGS] [node=N] [ctx=C]
 *   free ID | free all
 *   bench [quick]
 *   dma coherent SIZE                dma map ID [DIRECTION] [single]
 *   dma unmap ID                     dma xfer ID
 *   dma mask BITS
 *   vmalloc_user SIZE                fill WHAT BYTE | check WHAT BYTE
 *   pin ADDR LEN
 *   kzalloc SIZE [FLAGS] [node=N] [ctx=C]
 *   kcalloc N SIZE [FLAGS] [node=N] [ctx=C]
 *   kmalloc_array N SIZE [FLAGS] [node=N] [ctx=C]
 *   kzalloc_flex COUNT [FLAGS] [ctx=C]
 *   krealloc ID SIZE [FLAGS]
 *   percpu SIZE
 *   devm_kzalloc SIZE [FLAGS]
 *   kfree_rcu ID
 *   mempool COUNT SIZE               mempool_alloc ID [FLAGS] [ctx=C]
 *   mempool_free ID
 *
 * WHAT is a lab ID or a load-time section's title (kmalloc, vmalloc,
 * __get_free_pages, ...); BYTE is 0 to 255, decimal or 0x hex.  pin pins
 * the writer's own pages from ADDR (decimal or 0x hex) for LEN bytes (a
 * SIZE).
 *
 * node=N asks for memory on NUMA node N: the _node form of the allocator
 * (kmalloc_node, vmalloc_node, kvmalloc_node, alloc_pages_node,
 * kmem_cache_alloc_node).  Whether node N exists is lab.c's to check.
 *
 * ctx=C runs the allocator's call in context C: process (the default),
 * atomic (under a spinlock), softirq (a timer's callback) or hardirq (an
 * irq_work); nothing but the call itself runs there.
 *
 * Every refusal comes with a reason (cmd->why) that the log line shows, so
 * a refused command teaches the rule it broke.  The sizes no call could
 * give (kd_cmd_check_size) and how a write is cut into lines (kd_cmd_line)
 * are here too, beside the parser, for the same tests.
 */
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "compat.h"
#include "lab_cmd.h"

static const struct kd_word_info {
	const char *name;
	bool sized;		/* SIZE takes K, M, G suffixes */
	bool flags;		/* takes [FLAGS] */
	bool node;		/* takes [node=N] */
	bool ctx;		/* takes [ctx=C] */
	bool size;		/* a SIZE follows the first number */
} kd_words[KD_NR_LAB_WORDS] = {
	[KD_LAB_KMALLOC]	 = { "kmalloc",  true,  true,  true, true },
	[KD_LAB_VMALLOC]	 = { "vmalloc",  true,  true,  true, true },
	[KD_LAB_KVMALLOC] = { "kvmalloc", true,  true,  true, true },
	[KD_LAB_PAGES]	 = { "pages",    false, true,  true, true },
	[KD_LAB_CACHE]	 = { "cache",    false, true,  true, true },
	[KD_LAB_FREE]	 = { "free",     false, false, false },
	[KD_LAB_BENCH]	 = { "bench",    false, false, false },
	[KD_LAB_DMA]	 = { "dma",      false, false, false },
	[KD_LAB_VMALLOC_USER] = { "vmalloc_user", true, false, false },
	[KD_LAB_FILL]	 = { "fill",     false, false, false },
	[KD_LAB_CHECK]	 = { "check",    false, false, false },
	[KD_LAB_PIN]	 = { "pin",      true,  false, false },
	[KD_LAB_KZALLOC]	 = { "kzalloc",  true,  true,  true, true },
	[KD_LAB_KCALLOC]	 = { "kcalloc",  false, true,  true, true, true },
	[KD_LAB_KMALLOC_ARRAY] = { "kmalloc_array", false, true, true, true, true },
	[KD_LAB_KZALLOC_FLEX] = { "kzalloc_flex", false, true, false, true },
	[KD_LAB_KREALLOC] = { "krealloc", false, true,  false, false, true },
	[KD_LAB_PERCPU]	 = { "percpu",   true,  false, false, false },
	[KD_LAB_DEVM_KZALLOC] = { "devm_kzalloc", true, true, false, false },
	[KD_LAB_KFREE_RCU] = { "kfree_rcu", false, false, false },
	[KD_LAB_MEMPOOL]	 = { "mempool",  false, false, false, false, true },
	[KD_LAB_MEMPOOL_ALLOC] = { "mempool_alloc", false, true, false, true },
	[KD_LAB_MEMPOOL_FREE] = { "mempool_free", false, false, false },
};

const char *kd_lab_word_name(enum kd_lab_word word)
{
	return word < KD_NR_LAB_WORDS ? kd_words[word].name : "?";
}

static const char *const kd_ctx_names[KD_NR_CTX] = {
	[KD_CTX_PROCESS]	= "process",
	[KD_CTX_ATOMIC]		= "atomic",
	[KD_CTX_SOFTIRQ]	= "softirq",
	[KD_CTX_HARDIRQ]	= "hardirq",
};

const char *kd_ctx_name(enum kd_ctx ctx)
{
	return ctx < KD_NR_CTX ? kd_ctx_names[ctx] : "?";
}

/*
 * The flags a command may name, spelled as in the kernel source.  The
 * GFP_* names are the usual combinations (see include/linux/gfp_types.h):
 *   GFP_KERNEL  may sleep, do I/O and call into file systems to reclaim
 *   GFP_NOFS    may sleep and do I/O, but not re-enter a file system
 *   GFP_NOIO    may sleep, but start no I/O
 *   GFP_NOWAIT  never sleeps, and does not dip into the reserves
 *   GFP_ATOMIC  never sleeps, and may use part of the emergency reserves
 * The zone modifiers GFP_DMA (below 16 MiB on x86), GFP_DMA32 (below
 * 4 GiB) and __GFP_HIGHMEM pick where the pages come from; the __GFP_*
 * modifiers change how hard the allocator tries and what it hands out;
 * __GFP_THISNODE forbids falling back to another NUMA node: the request
 * fails rather than take memory elsewhere.
 */
static const struct {
	const char *name;
	gfp_t gfp;
} kd_gfp_names[] = {
	{ "GFP_KERNEL",		 GFP_KERNEL },
	{ "GFP_ATOMIC",		 GFP_ATOMIC },
	{ "GFP_NOWAIT",		 GFP_NOWAIT },
	{ "GFP_NOIO",		 GFP_NOIO },
	{ "GFP_NOFS",		 GFP_NOFS },
	{ "GFP_USER",		 GFP_USER },
	{ "GFP_DMA",		 GFP_DMA },
	{ "GFP_DMA32",		 GFP_DMA32 },
	{ "__GFP_DMA",		 __GFP_DMA },
	{ "__GFP_DMA32",	 __GFP_DMA32 },
	{ "__GFP_HIGHMEM",	 __GFP_HIGHMEM },
	{ "__GFP_ZERO",		 __GFP_ZERO },
	{ "__GFP_NOWARN",	 __GFP_NOWARN },
	{ "__GFP_NORETRY",	 __GFP_NORETRY },
	{ "__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL },
	{ "__GFP_NOFAIL",	 __GFP_NOFAIL },
	{ "__GFP_COMP",		 __GFP_COMP },
	{ "__GFP_HIGH",		 __GFP_HIGH },
	{ "__GFP_ACCOUNT",	 __GFP_ACCOUNT },
	{ "__GFP_NOMEMALLOC",	 __GFP_NOMEMALLOC },
	{ "__GFP_THISNODE",	 __GFP_THISNODE },
};

int kd_cmd_refuse(struct kd_cmd *cmd, int err, const char *why)
{
	cmd->why = why;
	return err;
}

/* The value of a hex digit, or -1 (hex_to_bin() moved headers in 7.x). */
static int kd_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A number: decimal, or hexadecimal after "0x"; with @units, one of the
 * binary suffixes K, M, G (or k, m, g) may follow.  No sign, no blanks,
 * nothing after it, and never a silently wrapped value.
 */
int kd_parse_number(const char *s, bool units, unsigned long *out,
		    const char **why)
{
	unsigned int base = 10, shift = 0, digits = 0;
	unsigned long v = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s; s++, digits++) {
		d = kd_digit(*s);
		if (d < 0 || d >= base)
			break;
		if (check_mul_overflow(v, (unsigned long)base, &v) ||
		    check_add_overflow(v, (unsigned long)d, &v))
			goto too_big;
	}
	if (!digits) {
		*why = "not a number";
		return -EINVAL;
	}
	if (units && *s) {
		switch (*s++) {
		case 'K': case 'k':
			shift = 10;
			break;
		case 'M': case 'm':
			shift = 20;
			break;
		case 'G': case 'g':
			shift = 30;
			break;
		default:
			s--;
		}
	}
	if (*s) {
		*why = units ? "not a number (SIZE: decimal or 0x hex, then K, M or G)" :
			       "not a number (decimal or 0x hex, no suffix)";
		return -EINVAL;
	}
	if (shift && v > ULONG_MAX >> shift)
		goto too_big;
	*out = v << shift;
	return 0;
too_big:
	*why = "number too large";
	return -EINVAL;
}

/* "GFP_KERNEL|__GFP_ZERO": every name from the table, joined by '|'. */
static int kd_parse_flags(char *s, gfp_t *out, const char **why)
{
	gfp_t gfp = 0;
	char *name;
	unsigned int i;

	while ((name = strsep(&s, "|"))) {
		if (!*name) {
			*why = "empty flag name in FLAGS";
			return -EINVAL;
		}
		for (i = 0; i < ARRAY_SIZE(kd_gfp_names); i++)
			if (!strcmp(name, kd_gfp_names[i].name))
				break;
		if (i == ARRAY_SIZE(kd_gfp_names)) {
			*why = "unknown flag (see the README for the list)";
			return -EINVAL;
		}
		gfp |= kd_gfp_names[i].gfp;
	}
	*out = gfp;
	return 0;
}

/* Split @line at blanks (spaces, tabs) into at most @max words. */
static int kd_split(char *line, char **word, int max)
{
	int n = 0;
	char *w;

	while ((w = strsep(&line, " \t"))) {
		if (!*w)
			continue;	/* a run of blanks */
		if (n == max)
			return max + 1;
		word[n++] = w;
	}
	return n;
}

/*
 * "node=N": N decimal or 0x hex, no sign (NUMA_NO_NODE is what leaving it
 * out means).  Whether node N exists is checked where it is used.
 */
static int kd_parse_node(const char *s, int *node, const char **why)
{
	unsigned long v;

	if (kd_parse_number(s + strlen("node="), false, &v, why)) {
		*why = "node=N: N is a node number (decimal or 0x hex)";
		return -EINVAL;
	}
	if (v > INT_MAX) {
		*why = "node=N: no such node";
		return -EINVAL;
	}
	*node = v;
	return 0;
}

/* "ctx=C": one of kd_ctx_names. */
static int kd_parse_ctx(const char *s, enum kd_ctx *ctx, const char **why)
{
	unsigned int i;

	for (i = 0; i < KD_NR_CTX; i++)
		if (!strcmp(s + strlen("ctx="), kd_ctx_names[i])) {
			*ctx = i;
			return 0;
		}
	*why = "ctx=C: C is process, atomic, softirq or hardirq";
	return -EINVAL;
}

/*
 * "dma VERB ARG [...]", @words[1] onwards, @n words in all.  DIRECTION is
 * the DMA API's, in the lab's spelling: to_device (the device only reads
 * the memory), from_device (it only writes it), bidirectional (both, the
 * default).
 */
static int kd_parse_dma(char **words, int n, struct kd_cmd *cmd)
{
	static const char *const verbs[] = {
		[KD_DMA_COHERENT_SIZE]	= "coherent",
		[KD_DMA_MAP_ID]		= "map",
		[KD_DMA_UNMAP_ID]	= "unmap",
		[KD_DMA_XFER_ID]	= "xfer",
		[KD_DMA_MASK_BITS]	= "mask",
	};
	static const struct {
		const char *name;
		enum dma_data_direction dir;
	} dirs[] = {
		{ "bidirectional",	DMA_BIDIRECTIONAL },
		{ "to_device",		DMA_TO_DEVICE },
		{ "from_device",	DMA_FROM_DEVICE },
	};
	unsigned int v, i;
	int ret, w;

	cmd->dir = DMA_BIDIRECTIONAL;
	if (n < 2)
		return kd_cmd_refuse(cmd, -EINVAL,
				     "dma takes coherent SIZE, map ID [DIRECTION] [single], unmap ID, xfer ID or mask BITS");
	for (v = 0; v < ARRAY_SIZE(verbs); v++)
		if (!strcmp(words[1], verbs[v]))
			break;
	if (v == ARRAY_SIZE(verbs))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "unknown dma command: coherent, map, unmap, xfer or mask");
	cmd->dma = v;
	if (n < 3)
		return kd_cmd_refuse(cmd, -EINVAL, "missing argument");
	ret = kd_parse_number(words[2], v == KD_DMA_COHERENT_SIZE, &cmd->arg,
			      &cmd->why);
	if (ret)
		return ret;
	for (w = 3; w < n && v == KD_DMA_MAP_ID; w++) {
		for (i = 0; i < ARRAY_SIZE(dirs); i++)
			if (!strcmp(words[w], dirs[i].name))
				break;
		if (w == 3 && i < ARRAY_SIZE(dirs))
			cmd->dir = dirs[i].dir;
		else if (w == n - 1 && !strcmp(words[w], "single"))
			cmd->single = true;
		else
			return kd_cmd_refuse(cmd, -EINVAL,
					     "dma map ID, then to_device, from_device or bidirectional, then single");
	}
	if (v != KD_DMA_MAP_ID && n > 3)
		return kd_cmd_refuse(cmd, -EINVAL, "extra argument");
	if (v == KD_DMA_MASK_BITS && (cmd->arg < 1 || cmd->arg > 64))
		return kd_cmd_refuse(cmd, -EINVAL, "BITS: a DMA mask has 1 to 64 bits");
	return 0;
}

/*
 * "fill WHAT BYTE", "check WHAT BYTE": WHAT a lab ID (a number) or a
 * section's title, which lab.c looks up.
 */
static int kd_parse_bytes(char **words, int n, struct kd_cmd *cmd)
{
	unsigned long v;

	if (n > 3)
		return kd_cmd_refuse(cmd, -EINVAL, "extra argument");
	if (n < 3)
		return kd_cmd_refuse(cmd, -EINVAL,
				     "missing argument: fill and check take WHAT (a lab ID or a section's title) and BYTE");
	if (kd_parse_number(words[1], false, &cmd->arg, &cmd->why)) {
		if (strlen(words[1]) >= sizeof(cmd->what))
			return kd_cmd_refuse(cmd, -EINVAL,
					     "WHAT: no section has so long a title");
		strscpy(cmd->what, words[1], sizeof(cmd->what));
		cmd->arg = 0;
		cmd->why = NULL;
	} else if (!cmd->arg) {
		return kd_cmd_refuse(cmd, -EINVAL, "ID 0: lab IDs start at 1");
	}
	if (kd_parse_number(words[2], false, &v, &cmd->why) || v > 255)
		return kd_cmd_refuse(cmd, -EINVAL,
				     "BYTE: 0 to 255, decimal or 0x hex");
	cmd->byte = v;
	return 0;
}

/* "pin ADDR LEN": where the writer's pages start, and how many bytes. */
static int kd_parse_pin(char **words, int n, struct kd_cmd *cmd)
{
	if (n != 3)
		return kd_cmd_refuse(cmd, -EINVAL, n < 3 ?
				     "missing argument" : "extra argument");
	if (kd_parse_number(words[1], false, &cmd->addr, &cmd->why))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "ADDR: an address in the writer's memory, decimal or 0x hex");
	return kd_parse_number(words[2], true, &cmd->arg, &cmd->why);
}

/*
 * Parse one command line (no newline; it is modified).  Returns 0, or
 * -EINVAL with cmd->why set.  Flag rules and size limits are checked later
 * (kd_cmd_check_gfp(), lab.c): a well-formed command is parsed first.
 */
int kd_cmd_parse(char *line, struct kd_cmd *cmd)
{
	const struct kd_word_info *info;
	char *words[6];
	int n, ret;

	memset(cmd, 0, sizeof(*cmd));
	cmd->word = KD_NR_LAB_WORDS;	/* no command word yet */
	cmd->node = NUMA_NO_NODE;
	n = kd_split(line, words, ARRAY_SIZE(words));
	if (n == 0)
		return kd_cmd_refuse(cmd, -EINVAL, "empty command");
	for (cmd->word = 0; cmd->word < KD_NR_LAB_WORDS; cmd->word++)
		if (!strcmp(words[0], kd_words[cmd->word].name))
			break;
	if (cmd->word == KD_NR_LAB_WORDS)
		return kd_cmd_refuse(cmd, -EINVAL, "unknown command");
	info = &kd_words[cmd->word];
	if (n > (int)ARRAY_SIZE(words))	/* kd_split() stopped counting */
		return kd_cmd_refuse(cmd, -EINVAL, "extra argument");
	if (cmd->word == KD_LAB_DMA)
		return kd_parse_dma(words, n, cmd);
	if (cmd->word == KD_LAB_FILL || cmd->word == KD_LAB_CHECK)
		return kd_parse_bytes(words, n, cmd);
	if (cmd->word == KD_LAB_PIN)
		return kd_parse_pin(words, n, cmd);
	if (cmd->word == KD_LAB_BENCH) {
		if (n == 2 && !strcmp(words[1], "quick"))
			cmd->quick = true;
		else if (n != 1)
			return kd_cmd_refuse(cmd, -EINVAL, "bench takes nothing, or quick");
		return 0;
	}
	if (n < 2)
		return kd_cmd_refuse(cmd, -EINVAL, "missing argument");
	/* ctx=C comes last, node=N before it, after the FLAGS if any. */
	if (info->ctx && n > 2 && !strncmp(words[n - 1], "ctx=", 4)) {
		ret = kd_parse_ctx(words[n - 1], &cmd->ctx, &cmd->why);
		if (ret)
			return ret;
		cmd->ctx_given = true;
		n--;
	}
	if (info->node && n > 2 && !strncmp(words[n - 1], "node=", 5)) {
		ret = kd_parse_node(words[n - 1], &cmd->node, &cmd->why);
		if (ret)
			return ret;
		n--;
	}
	if (n > (info->flags ? 3 : 2) + info->size)
		return kd_cmd_refuse(cmd, -EINVAL, "extra argument");
	if (n < 2 + info->size)
		return kd_cmd_refuse(cmd, -EINVAL, cmd->word == KD_LAB_KREALLOC ?
				     "missing argument: krealloc takes ID and SIZE" :
				     cmd->word == KD_LAB_MEMPOOL ?
				     "missing argument: COUNT (kept in reserve) and SIZE" :
				     "missing argument: N (how many elements) and SIZE (bytes each)");

	if (cmd->word == KD_LAB_FREE && !strcmp(words[1], "all")) {
		cmd->free_all = true;
		return 0;
	}
	ret = kd_parse_number(words[1], info->sized, &cmd->arg, &cmd->why);
	if (!ret && info->size)
		ret = kd_parse_number(words[2], true, &cmd->size, &cmd->why);
	if (ret)
		return ret;

	/* The default is GFP_KERNEL: process context, allowed to sleep. */
	cmd->gfp = GFP_KERNEL;
	if (n == 3 + info->size)
		return kd_parse_flags(words[2 + info->size], &cmd->gfp, &cmd->why);
	return 0;
}

/*
 * 6.19: __vmalloc() warns about, and strips, any flag outside its
 * GFP_VMALLOC_SUPPORTED; the part of that set every 6.19+ kernel has.
 */
#define KD_VMALLOC_GFP_OK	(GFP_KERNEL | GFP_USER | GFP_ATOMIC | GFP_NOWAIT | \
				 __GFP_ZERO | __GFP_NORETRY | __GFP_ACCOUNT)

static bool kd_zone_flags_ok(gfp_t gfp)
{
	unsigned int zone = (__force unsigned int)
			    (gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM));

	/* At most one bit: zero, or a power of two. */
	return !(zone & (zone - 1));
}

/*
 * The flag combinations the kernel rejects or warns about, refused before
 * the call so that no command can provoke a kernel WARNING.  Returns 0 or
 * -EINVAL with cmd->why naming the rule.
 */
int kd_cmd_check_gfp(struct kd_cmd *cmd)
{
	gfp_t gfp = cmd->gfp;
	bool slab = kd_cmd_kmalloc(cmd->word) || cmd->word == KD_LAB_KVMALLOC ||
		    cmd->word == KD_LAB_DEVM_KZALLOC || cmd->word == KD_LAB_MEMPOOL_ALLOC;
	bool vmap = cmd->word == KD_LAB_VMALLOC || cmd->word == KD_LAB_KVMALLOC;

	if (gfp & __GFP_NOFAIL)
		return kd_cmd_refuse(cmd, -EINVAL,
				     "__GFP_NOFAIL: the lab only makes requests that may fail (NOFAIL loops until it succeeds, and warns above order 1)");
	/*
	 * Outside process context nothing may sleep: a flag set with
	 * __GFP_DIRECT_RECLAIM (GFP_KERNEL, GFP_NOFS, GFP_NOIO, GFP_USER) may
	 * wait for reclaim, and the kernel would say "BUG: sleeping function
	 * called from invalid context" (CONFIG_DEBUG_ATOMIC_SLEEP).
	 */
	if (cmd->ctx != KD_CTX_PROCESS && gfpflags_allow_blocking(gfp))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "these flags may sleep (__GFP_DIRECT_RECLAIM: GFP_KERNEL, GFP_NOFS, GFP_NOIO, GFP_USER), and nothing may sleep outside process context: GFP_ATOMIC or GFP_NOWAIT");
	if (vmap && (cmd->ctx == KD_CTX_SOFTIRQ || cmd->ctx == KD_CTX_HARDIRQ))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "vmalloc (and kvmalloc, which may fall back to it) is not for interrupts: it maps pages into the kernel's page tables, and 6.1's __get_vm_area_node() halts the kernel when in_interrupt()");
	/*
	 * An element from the reserve is handed out as it was given back:
	 * mempool_alloc() cannot zero it, and warns about __GFP_ZERO.
	 */
	if (cmd->word == KD_LAB_MEMPOOL_ALLOC && (gfp & __GFP_ZERO))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "mempool_alloc warns about __GFP_ZERO: an element from the reserve comes back as it was freed, not zeroed (memset it)");
	if (cmd->word == KD_LAB_MEMPOOL_ALLOC && (gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "a pool's elements are alike, from the reserve or not: its zone is the pool's, fixed when it was created");
	if (cmd->word == KD_LAB_CACHE && (gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "a cache's objects come from its own slabs, whose zone kmem_cache_create() fixed (SLAB_CACHE_DMA, SLAB_CACHE_DMA32): no zone flag per call");
	if (!kd_zone_flags_ok(gfp))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "GFP_DMA, GFP_DMA32 and __GFP_HIGHMEM each name a zone: at most one of them");
	if (slab && (gfp & (__GFP_DMA32 | __GFP_HIGHMEM)))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "kmalloc has no DMA32 or highmem caches: the kernel prints \"Unexpected gfp\" with a stack dump; use alloc_pages() or the DMA API");
	if (vmap && (gfp & __GFP_COMP))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "__GFP_COMP makes compound pages: vmalloc maps single pages (6.19+ strips it with a warning)");
	if (vmap && !KD_VMALLOC_ANY_GFP) {
		if (!(gfp & __GFP_DIRECT_RECLAIM))
			return kd_cmd_refuse(cmd, -EINVAL,
					     "vmalloc before 6.19 may sleep (it allocates page tables with GFP_KERNEL): GFP_ATOMIC and GFP_NOWAIT are not supported");
		if (!KD_VMALLOC_SCOPED_NOFS && (gfp & GFP_KERNEL) != GFP_KERNEL)
			return kd_cmd_refuse(cmd, -EINVAL,
					     "vmalloc before 5.17 ignores GFP_NOFS and GFP_NOIO for its page tables: use memalloc_nofs_save()");
	}
	if (cmd->word == KD_LAB_VMALLOC && KD_VMALLOC_ANY_GFP &&
	    (gfp & ~KD_VMALLOC_GFP_OK))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "since 6.19 __vmalloc() strips, with a warning, every flag outside the few it supports (GFP_KERNEL, GFP_NOFS, GFP_NOIO, GFP_USER, GFP_ATOMIC, GFP_NOWAIT, __GFP_ZERO, __GFP_NORETRY, __GFP_ACCOUNT)");
	if (vmap && KD_VMALLOC_ANY_GFP &&
	    (gfp & (__GFP_DMA | __GFP_DMA32 | __GFP_HIGHMEM)))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "since 6.19 vmalloc strips zone flags with a warning: for DMA use the DMA API");
	if (cmd->word == KD_LAB_PAGES && (gfp & __GFP_COMP) && cmd->arg == 0)
		return kd_cmd_refuse(cmd, -EINVAL,
				     "__GFP_COMP joins 2^order pages into one compound page: order 0 is a single page");
	/*
	 * The flags-and-node form, __vmalloc_node(), is not exported to
	 * modules: vmalloc_node() is GFP_KERNEL, vzalloc_node() adds __GFP_ZERO.
	 */
	if (cmd->word == KD_LAB_VMALLOC && cmd->node != NUMA_NO_NODE &&
	    gfp != GFP_KERNEL && gfp != (GFP_KERNEL | __GFP_ZERO))
		return kd_cmd_refuse(cmd, -EINVAL,
				     "vmalloc with node=: modules have vmalloc_node() (GFP_KERNEL) and vzalloc_node() (GFP_KERNEL|__GFP_ZERO), no other flags");
	return 0;
}

/* ---- the lab's limits ---- */

/*
 * The kmalloc family: each of these calls kmalloc in the end, with its
 * size classes and its limit, KMALLOC_MAX_SIZE.
 */
bool kd_cmd_kmalloc(enum kd_lab_word word)
{
	switch (word) {
	case KD_LAB_KMALLOC:
	case KD_LAB_KZALLOC:
	case KD_LAB_KCALLOC:
	case KD_LAB_KMALLOC_ARRAY:
	case KD_LAB_KZALLOC_FLEX:
	case KD_LAB_KREALLOC:
		return true;
	default:
		return false;
	}
}

/*
 * kzalloc_flex COUNT: a structure ending in a flexible array, sized by
 * struct_size(), which saturates at SIZE_MAX instead of wrapping, so an
 * overflowing COUNT asks for more than any allocator gives, never for a
 * wrapped, too small size.
 */
size_t kd_flex_size(unsigned long count)
{
	struct kd_flex *f = NULL;

	return struct_size(f, item, count);
}

static int kd_too_big(struct kd_cmd *cmd, unsigned long limit, const char *why)
{
	cmd->why = why;
	cmd->limit = limit;
	return -E2BIG;
}

/*
 * What no allocator call could ever give (-E2BIG), and zero-sized requests
 * (-EINVAL), on a machine of @ram bytes whose module cache has @slot-byte
 * slots.  Sets *@estimate to the bytes the request will reserve, for the
 * lab_max_bytes check before the call.
 */
int kd_cmd_check_size(struct kd_cmd *cmd, unsigned long ram, unsigned int slot,
		      unsigned long *estimate)
{
	unsigned long n = cmd->arg;

	if (cmd->word == KD_LAB_KCALLOC || cmd->word == KD_LAB_KMALLOC_ARRAY) {
		if (!n || !cmd->size) {
			return kd_cmd_refuse(cmd, -EINVAL,
					     "N x SIZE is 0: kcalloc and kmalloc_array of nothing return ZERO_SIZE_PTR, which is no memory");
		}
		/*
		 * A product that wraps is the helper's to refuse: it checks
		 * with check_mul_overflow() and returns NULL before kmalloc
		 * is called, which is the point of using it.
		 */
		cmd->overflow = check_mul_overflow(n, cmd->size, &cmd->bytes);
		if (cmd->overflow) {
			*estimate = 0;
			return 0;
		}
		if (cmd->bytes > KMALLOC_MAX_SIZE)
			return kd_too_big(cmd, KMALLOC_MAX_SIZE,
					  "N x SIZE is larger than KMALLOC_MAX_SIZE, the largest block kmalloc serves");
		*estimate = cmd->bytes;
		return 0;
	}
	if (cmd->word == KD_LAB_KZALLOC_FLEX) {
		/* COUNT 0 is a valid structure: its header alone. */
		cmd->bytes = kd_flex_size(n);
		if (cmd->bytes == SIZE_MAX)
			return kd_too_big(cmd, KMALLOC_MAX_SIZE,
					  "struct_size() saturated at SIZE_MAX (COUNT x 8 overflowed): more than KMALLOC_MAX_SIZE");
		if (cmd->bytes > KMALLOC_MAX_SIZE)
			return kd_too_big(cmd, KMALLOC_MAX_SIZE,
					  "struct_size() is larger than KMALLOC_MAX_SIZE, the largest block kmalloc serves");
		*estimate = cmd->bytes;
		return 0;
	}
	if (cmd->word == KD_LAB_MEMPOOL) {
		if (!n)
			return kd_cmd_refuse(cmd, -EINVAL,
					     "COUNT 0: a pool with nothing in reserve is plain kmalloc");
		if (n > KD_LAB_MEMPOOL_MAX)
			return kd_too_big(cmd, KD_LAB_MEMPOOL_MAX,
					  "the lab keeps at most this many elements in one pool's reserve");
		if (!cmd->size)
			return kd_cmd_refuse(cmd, -EINVAL,
					     "SIZE 0: kmalloc(0) returns ZERO_SIZE_PTR, which is no memory");
		if (cmd->size > KMALLOC_MAX_SIZE)
			return kd_too_big(cmd, KMALLOC_MAX_SIZE,
					  "larger than KMALLOC_MAX_SIZE: the pool kmallocs each element");
		cmd->bytes = n * cmd->size;
		*estimate = cmd->bytes;
		return 0;
	}
	if (cmd->word == KD_LAB_KREALLOC) {
		if (!n)
			return kd_cmd_refuse(cmd, -EINVAL, "ID 0: lab IDs start at 1");
		if (!cmd->size)
			return kd_cmd_refuse(cmd, -EINVAL,
					     "SIZE 0: krealloc(p, 0) frees p (free ID does that)");
		if (cmd->size > KMALLOC_MAX_SIZE)
			return kd_too_big(cmd, KMALLOC_MAX_SIZE,
					  "larger than KMALLOC_MAX_SIZE, the largest block kmalloc serves");
		cmd->bytes = cmd->size;
		*estimate = cmd->bytes;
		return 0;
	}
	cmd->bytes = cmd->word == KD_LAB_PAGES && n <= MAX_PAGE_ORDER ? PAGE_SIZE << n : n;
	if (!n && cmd->word != KD_LAB_PAGES) {
		cmd->why = cmd->word == KD_LAB_CACHE ? "COUNT must be at least 1" :
			   cmd->word == KD_LAB_PERCPU ? "SIZE 0: per-CPU memory of nothing" :
			   cmd->word == KD_LAB_PIN ? "LEN 0: no page to pin" :
			   cmd->word == KD_LAB_DMA ? "SIZE 0: dma_alloc_coherent() of nothing" :
			   "SIZE 0: kmalloc(0) returns ZERO_SIZE_PTR, which is no memory";
		return -EINVAL;
	}
	switch (cmd->word) {
	case KD_LAB_KMALLOC:
	case KD_LAB_KZALLOC:
		if (n > KMALLOC_MAX_SIZE)
			return kd_too_big(cmd, KMALLOC_MAX_SIZE,
					  "larger than KMALLOC_MAX_SIZE, the largest block kmalloc serves");
		*estimate = n;
		break;
	case KD_LAB_KVMALLOC:
		if (n > INT_MAX)
			return kd_too_big(cmd, INT_MAX,
					  "kvmalloc refuses more than INT_MAX bytes (the kernel would warn)");
		fallthrough;
	case KD_LAB_VMALLOC:
	case KD_LAB_VMALLOC_USER:
		if (n > ram)
			return kd_too_big(cmd, ram,
					  "larger than all the machine's RAM: vmalloc refuses it outright");
		*estimate = n <= KMALLOC_MAX_SIZE ? n : PAGE_ALIGN(n);
		break;
	case KD_LAB_PAGES:
		if (n > MAX_PAGE_ORDER)
			return kd_too_big(cmd, MAX_PAGE_ORDER,
					  "order above the largest block of the buddy allocator");
		*estimate = PAGE_SIZE << n;
		break;
	case KD_LAB_DMA:	/* dma coherent SIZE: whole pages, a block of them */
		if (n > PAGE_SIZE << MAX_PAGE_ORDER)
			return kd_too_big(cmd, PAGE_SIZE << MAX_PAGE_ORDER,
					  "larger than the largest block of the buddy allocator, which dma-direct takes coherent memory from");
		*estimate = PAGE_SIZE << get_order(n);
		break;
	case KD_LAB_PIN:
		if (n > KD_LAB_PIN_MAX)
			return kd_too_big(cmd, KD_LAB_PIN_MAX,
					  "the lab pins at most this many bytes in one command");
		if (cmd->addr + n < cmd->addr) {
			cmd->why = "ADDR + LEN wraps around the address space";
			return -EINVAL;
		}
		/* Whole pages: every page the range touches is pinned. */
		*estimate = PAGE_ALIGN(offset_in_page(cmd->addr) + n);
		break;
	case KD_LAB_DEVM_KZALLOC:
		/* devres puts its header in the same kmalloc'd block. */
		if (n > KMALLOC_MAX_SIZE - PAGE_SIZE)
			return kd_too_big(cmd, KMALLOC_MAX_SIZE - PAGE_SIZE,
					  "devm_kzalloc adds its devres header to the bytes in one kmalloc: at most KMALLOC_MAX_SIZE less a page");
		*estimate = n;
		break;
	case KD_LAB_PERCPU:
		if (n > PCPU_MIN_UNIT_SIZE)
			return kd_too_big(cmd, PCPU_MIN_UNIT_SIZE,
					  "larger than PCPU_MIN_UNIT_SIZE, the most one per-CPU allocation may be (the kernel would warn)");
		/* One copy per possible CPU, in 4-byte units. */
		*estimate = ALIGN(n, PCPU_MIN_ALLOC_SIZE) * nr_cpu_ids;
		break;
	case KD_LAB_CACHE:
		if (n > KD_LAB_CACHE_MAX)
			return kd_too_big(cmd, KD_LAB_CACHE_MAX,
					  "the lab takes at most this many objects in one command");
		/* The whole loop runs there, with preemption (or interrupts) off. */
		if (cmd->ctx != KD_CTX_PROCESS && n > KD_LAB_CACHE_CTX_MAX)
			return kd_too_big(cmd, KD_LAB_CACHE_CTX_MAX,
					  "outside process context the lab takes at most this many objects: the loop runs with preemption off");
		*estimate = n * slot;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ---- a write, line by line ---- */

/*
 * The line of a write that starts @done bytes into @buf, which holds the
 * first @len of the @count bytes written (@len is at most
 * KD_LAB_WRITE_MAX).  Returns 1 with the line's length in *@n (its '\n',
 * if *@nl says one ends it, not counted); 0 when the rest is a line the
 * limit cut off, left for the writer's next write(); -EINVAL with *@why for
 * a line too long or holding a NUL byte.
 */
int kd_cmd_line(const char *buf, size_t len, size_t count, size_t done,
		size_t *n, bool *nl, const char **why)
{
	const char *line = buf + done, *end;

	end = memchr(line, '\n', len - done);
	*nl = end;
	*n = end ? end - line : len - done;
	/* Cut off by KD_LAB_WRITE_MAX, not the first: the next write() has it. */
	if (!end && len < count && done && *n <= KD_LAB_LINE_MAX)
		return 0;
	if (*n > KD_LAB_LINE_MAX) {
		*why = "longer than 256 bytes";
		return -EINVAL;
	}
	if (memchr(line, '\0', *n)) {
		*why = "a NUL byte in it";
		return -EINVAL;
	}
	return 1;
}
