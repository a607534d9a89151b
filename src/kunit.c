// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: KUnit suite for the pure helpers in pure.c, the lab's
 * command parser in lab_cmd.c, describe.c's bookkeeping of zones and
 * slack.c's reading of a huge vmalloc mapping.
 *
 * Built only by "make KMEM_DEMO_KUNIT=y" as kmem_demo_kunit.ko, and run by
 * loading it on a kernel with CONFIG_KUNIT; results appear as KTAP in the
 * kernel log.  pure.c, lab_cmd.c, describe.c and slack.c are compiled into this
 * module too, so the suite tests exactly the code kmem_demo.ko runs,
 * without kmem_demo.ko allocating.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include <linux/percpu.h>
#include <linux/sizes.h>

#include "compat.h"
#include "lab_cmd.h"
#include "pure.h"
#include "pure.c"
#include "lab_cmd.c"
#include "describe.h"
#include "describe.c"
#include "slack.h"
#include "slack.c"

static void kd_test_parse_bounds(struct kunit *test)
{
	unsigned long v = 42;

	KUNIT_EXPECT_EQ(test, kd_parse_bounded("1", 1, 10, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 1UL);
	KUNIT_EXPECT_EQ(test, kd_parse_bounded("10\n", 1, 10, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 10UL);
	KUNIT_EXPECT_EQ(test, kd_parse_bounded("0x8", 1, 10, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 8UL);

	/* Just outside: refused, and the old value stays. */
	v = 42;
	KUNIT_EXPECT_EQ(test, kd_parse_bounded("0", 1, 10, &v), -ERANGE);
	KUNIT_EXPECT_EQ(test, kd_parse_bounded("11", 1, 10, &v), -ERANGE);
	KUNIT_EXPECT_EQ(test, v, 42UL);
}

static void kd_test_parse_garbage(struct kunit *test)
{
	static const char * const bad[] = {
		"", "-1", "abc", "4k", " 5", "5 5", "1.5", "0x", "--1",
	};
	unsigned long v = 42;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, kd_parse_bounded(bad[i], 0, ULONG_MAX, &v),
				    -EINVAL, "input \"%s\"", bad[i]);
	KUNIT_EXPECT_EQ(test, kd_parse_bounded(NULL, 0, 10, &v), -EINVAL);
	/* Too big for the type: out of range, not wrapped. */
	KUNIT_EXPECT_EQ(test, kd_parse_bounded("99999999999999999999999", 0,
					       ULONG_MAX, &v), -ERANGE);
	KUNIT_EXPECT_EQ(test, v, 42UL);
	/* The full range of the type is accepted when allowed. */
	KUNIT_EXPECT_EQ(test, kd_parse_bounded("18446744073709551615", 0,
					       ULONG_MAX, &v),
			BITS_PER_LONG == 64 ? 0 : -ERANGE);
}

static void kd_test_max_order(struct kunit *test)
{
	/* The largest block must be 2^MAX_PAGE_ORDER pages, no more. */
	KUNIT_EXPECT_EQ(test, 1UL << MAX_PAGE_ORDER,
			(unsigned long)MAX_ORDER_NR_PAGES);
	KUNIT_EXPECT_GE(test, MAX_PAGE_ORDER, 2);
}

static void kd_test_runs(struct kunit *test)
{
	static const unsigned long seq[] = { 100, 101, 102, 103 };
	static const unsigned long mixed[] = { 5, 6, 9, 10, 11, 3, 0, 1 };
	static const unsigned long backwards[] = { 4, 3, 2, 1 };
	static const unsigned long repeat[] = { 8, 8, 9 };
	static const unsigned long zero[] = { 0 };
	static const struct {
		const char *name;
		const unsigned long *pfn;
		unsigned long n, runs, longest;
	} cases[] = {
		{ "none", seq, 0, 0, 0 },
		/* PFN 0 is a valid frame: a first page at 0 is one run. */
		{ "frame 0", zero, 1, 1, 1 },
		{ "consecutive", seq, ARRAY_SIZE(seq), 1, 4 },
		{ "mixed", mixed, ARRAY_SIZE(mixed), 4, 3 },
		/* Virtual order matters: descending frames are not contiguous. */
		{ "backwards", backwards, ARRAY_SIZE(backwards), 4, 1 },
		{ "repeated frame", repeat, ARRAY_SIZE(repeat), 2, 2 },
	};
	unsigned int c, i;

	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		struct kd_runs r = {};

		for (i = 0; i < cases[c].n; i++)
			kd_runs_add(&r, cases[c].pfn[i]);
		KUNIT_EXPECT_EQ_MSG(test, r.pages, cases[c].n, "%s", cases[c].name);
		KUNIT_EXPECT_EQ_MSG(test, r.runs, cases[c].runs, "%s", cases[c].name);
		KUNIT_EXPECT_EQ_MSG(test, r.longest, cases[c].longest, "%s",
				    cases[c].name);
	}
}

/* The listed runs, and what happens past the bound. */
static void kd_test_frames(struct kunit *test)
{
	static const unsigned long pfn[] = { 5, 6, 9, 10, 11, 3, 4, 20 };
	static const unsigned long past[] = { 40, 41, 50, 51, 52 };
	struct kd_run run[3];
	struct kd_frames f = { .run = run, .max = ARRAY_SIZE(run) };
	struct kd_frames count = {};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pfn); i++) {
		kd_frames_add(&f, pfn[i]);
		kd_frames_add(&count, pfn[i]);
	}
	/* The totals count every run, listed or not. */
	KUNIT_EXPECT_EQ(test, f.sum.pages, 8UL);
	KUNIT_EXPECT_EQ(test, f.sum.runs, 4UL);
	KUNIT_EXPECT_EQ(test, f.sum.longest, 3UL);
	/* The first three runs in the order fed, the fourth dropped. */
	KUNIT_EXPECT_EQ(test, f.listed, 3U);
	KUNIT_EXPECT_EQ(test, run[0].pfn, 5UL);
	KUNIT_EXPECT_EQ(test, run[0].pages, 2UL);
	KUNIT_EXPECT_EQ(test, run[1].pfn, 9UL);
	KUNIT_EXPECT_EQ(test, run[1].pages, 3UL);
	KUNIT_EXPECT_EQ(test, run[2].pfn, 3UL);
	KUNIT_EXPECT_EQ(test, run[2].pages, 2UL);
	/* A counting pass (no array) stores nothing and counts the same. */
	KUNIT_EXPECT_EQ(test, count.listed, 0U);
	KUNIT_EXPECT_EQ(test, count.sum.runs, f.sum.runs);

	/* A run that continues past the bound is not grown. */
	f = (struct kd_frames){ .run = run, .max = 1 };
	for (i = 0; i < ARRAY_SIZE(past); i++)
		kd_frames_add(&f, past[i]);
	KUNIT_EXPECT_EQ(test, f.listed, 1U);
	KUNIT_EXPECT_EQ(test, run[0].pfn, 40UL);
	KUNIT_EXPECT_EQ(test, run[0].pages, 2UL);
	KUNIT_EXPECT_EQ(test, f.sum.runs, 2UL);
	KUNIT_EXPECT_EQ(test, f.sum.longest, 3UL);
}

static void kd_test_align(struct kunit *test)
{
	/* What slab's calculate_alignment() gives with a 64-byte line. */
	KUNIT_EXPECT_EQ(test, kd_hwcache_align(48, 64), 64U);
	KUNIT_EXPECT_EQ(test, kd_hwcache_align(33, 64), 64U);
	KUNIT_EXPECT_EQ(test, kd_hwcache_align(32, 64), 32U);
	KUNIT_EXPECT_EQ(test, kd_hwcache_align(17, 64), 32U);
	KUNIT_EXPECT_EQ(test, kd_hwcache_align(1, 64), (unsigned int)sizeof(void *));
	KUNIT_EXPECT_EQ(test, kd_hwcache_align(200, 64), 64U);
	KUNIT_EXPECT_EQ(test, kd_hwcache_align(48, 128), 64U);

	KUNIT_EXPECT_EQ(test, kd_slot_size(48, 64), 64U);
	KUNIT_EXPECT_EQ(test, kd_slot_size(64, 64), 64U);
	KUNIT_EXPECT_EQ(test, kd_slot_size(65, 64), 128U);
	KUNIT_EXPECT_EQ(test, kd_slot_size(1, 8), 8U);
}

static void kd_test_fmt_size(struct kunit *test)
{
	char buf[48];

	kd_fmt_size(buf, sizeof(buf), 0);
	KUNIT_EXPECT_STREQ(test, buf, "0");
	kd_fmt_size(buf, sizeof(buf), 1000);
	KUNIT_EXPECT_STREQ(test, buf, "1000");
	kd_fmt_size(buf, sizeof(buf), 4096);
	KUNIT_EXPECT_STREQ(test, buf, "4096 (4 KiB)");
	kd_fmt_size(buf, sizeof(buf), 4097);
	KUNIT_EXPECT_STREQ(test, buf, "4097");
	kd_fmt_size(buf, sizeof(buf), 6144);
	KUNIT_EXPECT_STREQ(test, buf, "6144 (6 KiB)");
	kd_fmt_size(buf, sizeof(buf), SZ_8M);
	KUNIT_EXPECT_STREQ(test, buf, "8388608 (8 MiB)");
	kd_fmt_size(buf, sizeof(buf), SZ_1G);
	KUNIT_EXPECT_STREQ(test, buf, "1073741824 (1 GiB)");
	/* A short buffer truncates, never overflows. */
	KUNIT_EXPECT_EQ(test, kd_fmt_size(buf, 5, SZ_8M), 4);
	KUNIT_EXPECT_STREQ(test, buf, "8388");
}

static void kd_test_kmalloc_class(struct kunit *test)
{
	/* The classes of a kernel with 8-byte KMALLOC_MIN_SIZE (x86_64). */
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(1, 8), (size_t)8);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(9, 8), (size_t)16);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(65, 8), (size_t)96);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(96, 8), (size_t)96);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(97, 8), (size_t)128);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(129, 8), (size_t)192);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(193, 8), (size_t)256);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(4097, 8), (size_t)8192);
	/* 64: no 96; 128 (arm64 before 6.5): no 96, no 192, nothing under 128. */
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(65, 64), (size_t)128);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(129, 64), (size_t)192);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(8, 128), (size_t)128);
	KUNIT_EXPECT_EQ(test, kd_kmalloc_class(129, 128), (size_t)256);
}

static void kd_test_kmalloc_name(struct kunit *test)
{
	char buf[32];

	kd_kmalloc_name(buf, sizeof(buf), "kmalloc-", 96);
	KUNIT_EXPECT_STREQ(test, buf, "kmalloc-96");
	kd_kmalloc_name(buf, sizeof(buf), "dma-kmalloc-", 1024);
	KUNIT_EXPECT_STREQ(test, buf, "dma-kmalloc-1k");
	kd_kmalloc_name(buf, sizeof(buf), "kmalloc-cg-", SZ_32K);
	KUNIT_EXPECT_STREQ(test, buf, "kmalloc-cg-32k");
	kd_kmalloc_name(buf, sizeof(buf), "kmalloc-", SZ_2M);
	KUNIT_EXPECT_STREQ(test, buf, "kmalloc-2M");
}

/* The parts of a kmalloc's slack: by cause, and always summing to it. */
static void kd_test_slack_kmalloc(struct kunit *test)
{
	static const size_t mins[] = { 8, 64, 128 };
	struct kd_parts p;
	size_t n, res;
	unsigned int i;

	kd_slack_kmalloc(&p, 100, 128, 8, false);
	KUNIT_ASSERT_EQ(test, p.n, 1U);
	KUNIT_EXPECT_STREQ(test, p.part[0].key, "slack_class");
	KUNIT_EXPECT_EQ(test, p.part[0].bytes, (size_t)28);

	/* arm64 before 6.5: 8 bytes in kmalloc-128, by alignment alone. */
	kd_slack_kmalloc(&p, 8, 128, 128, false);
	KUNIT_ASSERT_EQ(test, p.n, 1U);
	KUNIT_EXPECT_STREQ(test, p.part[0].key, "slack_align");
	KUNIT_EXPECT_EQ(test, p.part[0].bytes, (size_t)120);

	/* 150 bytes there: 42 to the 192 class, 64 more as 192 is missing. */
	kd_slack_kmalloc(&p, 150, 256, 128, false);
	KUNIT_ASSERT_EQ(test, p.n, 2U);
	KUNIT_EXPECT_EQ(test, p.part[0].bytes, (size_t)42);
	KUNIT_EXPECT_EQ(test, p.part[1].bytes, (size_t)64);

	/* An exact fit has no slack, and no parts. */
	kd_slack_kmalloc(&p, 64, 64, 8, false);
	KUNIT_EXPECT_EQ(test, p.n, 0U);

	/* What the classes do not explain is named, never dropped. */
	kd_slack_kmalloc(&p, 100, 256, 8, false);
	KUNIT_ASSERT_EQ(test, p.n, 2U);
	KUNIT_EXPECT_STREQ(test, p.part[1].key, "slack_other");
	KUNIT_EXPECT_EQ(test, p.part[1].bytes, (size_t)128);
	/* ... unless a krealloc to a smaller size kept the larger slot. */
	kd_slack_kmalloc(&p, 100, 8192, 8, true);
	KUNIT_ASSERT_EQ(test, p.n, 2U);
	KUNIT_EXPECT_STREQ(test, p.part[1].key, "slack_kept");
	KUNIT_EXPECT_EQ(test, kd_parts_sum(&p), (size_t)8092);

	for (i = 0; i < ARRAY_SIZE(mins); i++)
		for (n = 1; n <= SZ_8K; n++) {
			res = kd_kmalloc_class(n, mins[i]);
			kd_slack_kmalloc(&p, n, res, mins[i], false);
			KUNIT_ASSERT_EQ_MSG(test, kd_parts_sum(&p), res - n,
					    "%zu bytes, KMALLOC_MIN_SIZE %zu", n,
					    mins[i]);
			KUNIT_ASSERT_LE(test, p.n, 2U);
		}
}

/* Parse a copy of @text (the parser writes into its line). */
static int kd_parse(const char *text, struct kd_cmd *cmd)
{
	char line[KD_LAB_LINE_MAX + 1];

	strscpy(line, text, sizeof(line));
	return kd_cmd_parse(line, cmd);
}

static void kd_test_cmd_numbers(struct kunit *test)
{
	static const struct {
		const char *s;
		unsigned long v;
	} good[] = {
		{ "0", 0 }, { "100", 100 }, { "0x10", 16 }, { "0XfF", 255 },
		{ "4K", 4096 }, { "4k", 4096 }, { "1M", SZ_1M }, { "2G", SZ_2G },
		{ "0x10K", 16384 }, { "007", 7 },
	};
	static const char * const bad[] = {
		"", "-1", "+1", "0x", "1.5", "4KB", "K", "1 ", "1T", "x10",
		"99999999999999999999999", "0x10000000000000000",
		"17179869184G",
	};
	const char *why;
	unsigned long v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		KUNIT_EXPECT_EQ_MSG(test, kd_parse_number(good[i].s, true, &v, &why),
				    0, "input \"%s\"", good[i].s);
		KUNIT_EXPECT_EQ_MSG(test, v, good[i].v, "input \"%s\"", good[i].s);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, kd_parse_number(bad[i], true, &v, &why),
				    -EINVAL, "input \"%s\"", bad[i]);
	/* ORDER, COUNT and ID take no unit. */
	KUNIT_EXPECT_EQ(test, kd_parse_number("4K", false, &v, &why), -EINVAL);
}

static void kd_test_cmd_parse(struct kunit *test)
{
	struct kd_cmd c;

	KUNIT_EXPECT_EQ(test, kd_parse("kmalloc 100", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_KMALLOC);
	KUNIT_EXPECT_EQ(test, c.arg, 100UL);
	KUNIT_EXPECT_TRUE(test, c.gfp == GFP_KERNEL);	/* the default */

	KUNIT_EXPECT_EQ(test, kd_parse("  vmalloc\t1M   GFP_KERNEL|__GFP_ZERO ", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_VMALLOC);
	KUNIT_EXPECT_EQ(test, c.arg, (unsigned long)SZ_1M);
	KUNIT_EXPECT_TRUE(test, c.gfp == (GFP_KERNEL | __GFP_ZERO));

	KUNIT_EXPECT_EQ(test, kd_parse("pages 3 GFP_DMA32", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_PAGES);
	KUNIT_EXPECT_TRUE(test, c.gfp == GFP_DMA32);

	KUNIT_EXPECT_EQ(test, kd_parse("free all", &c), 0);
	KUNIT_EXPECT_TRUE(test, c.free_all);
	KUNIT_EXPECT_FALSE(test, c.quick);
	KUNIT_EXPECT_EQ(test, kd_parse("free 7", &c), 0);
	KUNIT_EXPECT_FALSE(test, c.free_all);
	KUNIT_EXPECT_EQ(test, c.arg, 7UL);
	KUNIT_EXPECT_EQ(test, kd_parse("cache 10", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_CACHE);
	KUNIT_EXPECT_EQ(test, kd_parse("bench quick", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_BENCH);
	KUNIT_EXPECT_TRUE(test, c.quick);
	KUNIT_EXPECT_FALSE(test, c.free_all);
	KUNIT_EXPECT_EQ(test, kd_parse("bench", &c), 0);
	KUNIT_EXPECT_FALSE(test, c.quick);
}

/* node=N: last, after the FLAGS if any; without it, NUMA_NO_NODE. */
static void kd_test_cmd_node(struct kunit *test)
{
	struct kd_cmd c;

	KUNIT_EXPECT_EQ(test, kd_parse("kmalloc 100", &c), 0);
	KUNIT_EXPECT_EQ(test, c.node, NUMA_NO_NODE);
	KUNIT_EXPECT_EQ(test, kd_parse("kmalloc 100 node=1", &c), 0);
	KUNIT_EXPECT_EQ(test, c.node, 1);
	KUNIT_EXPECT_TRUE(test, c.gfp == GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, kd_parse("pages 2 GFP_KERNEL|__GFP_THISNODE node=0", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_PAGES);
	KUNIT_EXPECT_EQ(test, c.node, 0);
	KUNIT_EXPECT_TRUE(test, c.gfp == (GFP_KERNEL | __GFP_THISNODE));
	KUNIT_EXPECT_EQ(test, kd_parse("cache 10 node=0x1", &c), 0);
	KUNIT_EXPECT_EQ(test, c.node, 1);
	KUNIT_EXPECT_EQ(test, kd_parse("cache 10 GFP_ATOMIC node=0 ctx=softirq", &c), 0);
	KUNIT_EXPECT_EQ(test, c.ctx, KD_CTX_SOFTIRQ);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), 0);
	/* A cache's zone is its own, fixed when it was created. */
	KUNIT_EXPECT_EQ(test, kd_parse("cache 10 GFP_KERNEL|GFP_DMA", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), -EINVAL);
	KUNIT_EXPECT_EQ(test, kd_parse("kvmalloc 5M GFP_KERNEL node=99", &c), 0);
	KUNIT_EXPECT_EQ(test, c.node, 99);	/* no such node: lab.c's to refuse */
	KUNIT_EXPECT_EQ(test, kd_parse("vmalloc 1M node=1", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), 0);
}

/* ctx=C: last of all; without it, process context. */
static void kd_test_cmd_ctx(struct kunit *test)
{
	struct kd_cmd c;

	KUNIT_EXPECT_EQ(test, kd_parse("kmalloc 100", &c), 0);
	KUNIT_EXPECT_EQ(test, c.ctx, KD_CTX_PROCESS);
	KUNIT_EXPECT_FALSE(test, c.ctx_given);
	KUNIT_EXPECT_EQ(test, kd_parse("kmalloc 100 GFP_ATOMIC ctx=atomic", &c), 0);
	KUNIT_EXPECT_TRUE(test, c.ctx_given);
	KUNIT_EXPECT_EQ(test, c.ctx, KD_CTX_ATOMIC);
	KUNIT_EXPECT_TRUE(test, c.gfp == GFP_ATOMIC);
	KUNIT_EXPECT_EQ(test, kd_parse("pages 2 GFP_NOWAIT node=0 ctx=hardirq", &c), 0);
	KUNIT_EXPECT_EQ(test, c.ctx, KD_CTX_HARDIRQ);
	KUNIT_EXPECT_EQ(test, c.node, 0);
	KUNIT_EXPECT_EQ(test, kd_parse("vmalloc 1M ctx=softirq", &c), 0);
	KUNIT_EXPECT_EQ(test, c.ctx, KD_CTX_SOFTIRQ);
	KUNIT_EXPECT_TRUE(test, c.gfp == GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, kd_parse("kvmalloc 1 ctx=process", &c), 0);
	KUNIT_EXPECT_EQ(test, c.ctx, KD_CTX_PROCESS);
	KUNIT_EXPECT_STREQ(test, kd_ctx_name(KD_CTX_HARDIRQ), "hardirq");
}

/* The helpers: kcalloc and kmalloc_array N SIZE, krealloc ID SIZE. */
static void kd_test_cmd_helpers(struct kunit *test)
{
	static const char * const bad[] = {
		"kcalloc 10", "kcalloc 10 GFP_KERNEL", "kmalloc_array", "krealloc 3",
		"kcalloc 10 100 GFP_KERNEL x", "krealloc 3 100 GFP_KERNEL node=0",
		"krealloc 3 100 ctx=atomic", "kzalloc_flex 10 node=0",
		"devm_kzalloc 100 node=0", "devm_kzalloc 100 ctx=atomic",
		"kcalloc 10K 100", "krealloc 1K 100",
		"kfree_rcu", "kfree_rcu 3 GFP_KERNEL", "kfree_rcu 3 ctx=atomic", "kfree_rcu 1K",
		"mempool 4", "mempool 4 100 GFP_KERNEL", "mempool 4 100 ctx=atomic",
		"mempool_alloc 3 100", "mempool_alloc 3 node=0", "mempool_free 3 GFP_KERNEL",
	};
	unsigned long estimate;
	struct kd_cmd c;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, kd_parse("kcalloc 10 1K GFP_ATOMIC node=0 ctx=softirq", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_KCALLOC);
	KUNIT_EXPECT_EQ(test, c.arg, 10UL);
	KUNIT_EXPECT_EQ(test, c.size, 1024UL);
	KUNIT_EXPECT_TRUE(test, c.gfp == GFP_ATOMIC);
	KUNIT_EXPECT_EQ(test, c.node, 0);
	KUNIT_EXPECT_EQ(test, c.ctx, KD_CTX_SOFTIRQ);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), 0);
	KUNIT_EXPECT_EQ(test, estimate, 10240UL);
	KUNIT_EXPECT_FALSE(test, c.overflow);

	/* N x SIZE that wraps: passed on, for the helper's own NULL. */
	KUNIT_EXPECT_EQ(test, kd_parse("kmalloc_array 0x100000000 4G", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), 0);
	KUNIT_EXPECT_TRUE(test, c.overflow);
	KUNIT_EXPECT_EQ(test, estimate, 0UL);
	/* One that does not wrap but is too big for kmalloc: the lab's E2BIG. */
	KUNIT_EXPECT_EQ(test, kd_parse("kcalloc 1024 1M", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), -E2BIG);
	KUNIT_EXPECT_FALSE(test, c.overflow);
	KUNIT_EXPECT_EQ(test, kd_parse("kcalloc 0 100", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), -EINVAL);
	/* kcalloc's rules are kmalloc's. */
	KUNIT_EXPECT_EQ(test, kd_parse("kcalloc 2 100 GFP_DMA32", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), -EINVAL);

	/* struct_size(): the header and COUNT items, saturating. */
	KUNIT_EXPECT_EQ(test, kd_flex_size(0), offsetof(struct kd_flex, item));
	KUNIT_EXPECT_EQ(test, kd_flex_size(10), offsetof(struct kd_flex, item) + 80);
	KUNIT_EXPECT_EQ(test, kd_flex_size(ULONG_MAX / 4), SIZE_MAX);
	KUNIT_EXPECT_EQ(test, kd_parse("kzalloc_flex 0", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), 0);
	KUNIT_EXPECT_EQ(test, kd_parse("kzalloc_flex 0x4000000000000000", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), -E2BIG);
	KUNIT_EXPECT_EQ(test, c.bytes, SIZE_MAX);

	KUNIT_EXPECT_EQ(test, kd_parse("krealloc 3 5K GFP_KERNEL|__GFP_ZERO", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_KREALLOC);
	KUNIT_EXPECT_EQ(test, c.arg, 3UL);
	KUNIT_EXPECT_EQ(test, c.size, 5120UL);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), 0);
	KUNIT_EXPECT_EQ(test, kd_parse("krealloc 3 0", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), -EINVAL);
	KUNIT_EXPECT_EQ(test, kd_parse("krealloc 3 16G", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), -E2BIG);
	KUNIT_EXPECT_TRUE(test, kd_cmd_kmalloc(KD_LAB_KZALLOC_FLEX));
	KUNIT_EXPECT_FALSE(test, kd_cmd_kmalloc(KD_LAB_KVMALLOC));
	/* devm memory is the driver core's: no krealloc, but kmalloc's flag rules. */
	KUNIT_EXPECT_FALSE(test, kd_cmd_kmalloc(KD_LAB_DEVM_KZALLOC));
	KUNIT_EXPECT_EQ(test, kd_parse("devm_kzalloc 100 GFP_DMA32", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), -EINVAL);

	/* mempool COUNT SIZE: COUNT elements of SIZE kept in reserve. */
	KUNIT_EXPECT_EQ(test, kd_parse("mempool 4 3K", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_MEMPOOL);
	KUNIT_EXPECT_EQ(test, c.arg, 4UL);
	KUNIT_EXPECT_EQ(test, c.size, 3072UL);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), 0);
	KUNIT_EXPECT_EQ(test, estimate, 4UL * 3072);
	KUNIT_EXPECT_EQ(test, kd_parse("mempool 0 100", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), -EINVAL);
	KUNIT_EXPECT_EQ(test, kd_parse("mempool 257 100", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), -E2BIG);
	KUNIT_EXPECT_EQ(test, kd_parse("mempool 4 16G", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate), -E2BIG);
	/* Its elements: never __GFP_ZERO (mempool_alloc warns), no zone flag. */
	KUNIT_EXPECT_EQ(test, kd_parse("mempool_alloc 3 GFP_ATOMIC ctx=hardirq", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_MEMPOOL_ALLOC);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), 0);
	KUNIT_EXPECT_EQ(test, kd_parse("mempool_alloc 3 GFP_KERNEL|__GFP_ZERO", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), -EINVAL);
	KUNIT_EXPECT_EQ(test, kd_parse("mempool_alloc 3 GFP_DMA", &c), 0);
	KUNIT_EXPECT_EQ(test, kd_cmd_check_gfp(&c), -EINVAL);
	KUNIT_EXPECT_EQ(test, kd_parse("mempool_free 3", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_MEMPOOL_FREE);

	KUNIT_EXPECT_EQ(test, kd_parse("kfree_rcu 3", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_KFREE_RCU);
	KUNIT_EXPECT_EQ(test, c.arg, 3UL);

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, kd_parse(bad[i], &c), -EINVAL,
				    "input \"%s\"", bad[i]);
}

/* dma VERB ARG: the verb, its argument, and map's DIRECTION and single. */
static void kd_test_cmd_dma(struct kunit *test)
{
	static const char * const bad[] = {
		"dma", "dma 1", "dma coherent", "dma coherentt 4K", "dma map",
		"dma map x", "dma map 1 2", "dma map 1 TO_DEVICE",
		"dma map 1 single to_device", "dma map 1 to_device to_device",
		"dma map 1 to_device single x", "dma map 1 singles",
		"dma unmap 1 to_device", "dma xfer 1 2", "dma mask 0",
		"dma mask 65", "dma mask 32 bits", "dma coherent 4K GFP_KERNEL",
		"dma coherent 4K node=0", "dma map 1 node=0", "dma unmap 4K",
	};
	struct kd_cmd c;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, kd_parse("dma coherent 16K", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_DMA);
	KUNIT_EXPECT_EQ(test, c.dma, KD_DMA_COHERENT_SIZE);
	KUNIT_EXPECT_EQ(test, c.arg, 16384UL);
	KUNIT_EXPECT_EQ(test, kd_parse("dma map 3", &c), 0);
	KUNIT_EXPECT_EQ(test, c.dma, KD_DMA_MAP_ID);
	KUNIT_EXPECT_EQ(test, c.arg, 3UL);
	KUNIT_EXPECT_EQ(test, c.dir, DMA_BIDIRECTIONAL);	/* the default */
	KUNIT_EXPECT_FALSE(test, c.single);
	KUNIT_EXPECT_EQ(test, kd_parse("dma map 3 to_device", &c), 0);
	KUNIT_EXPECT_EQ(test, c.dir, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, kd_parse("dma map 0x3 from_device single", &c), 0);
	KUNIT_EXPECT_EQ(test, c.dir, DMA_FROM_DEVICE);
	KUNIT_EXPECT_TRUE(test, c.single);
	KUNIT_EXPECT_EQ(test, kd_parse("dma map 3 single", &c), 0);
	KUNIT_EXPECT_EQ(test, c.dir, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_TRUE(test, c.single);
	KUNIT_EXPECT_EQ(test, kd_parse("dma unmap 3", &c), 0);
	KUNIT_EXPECT_EQ(test, c.dma, KD_DMA_UNMAP_ID);
	KUNIT_EXPECT_EQ(test, kd_parse("dma xfer 3", &c), 0);
	KUNIT_EXPECT_EQ(test, c.dma, KD_DMA_XFER_ID);
	KUNIT_EXPECT_EQ(test, kd_parse("dma mask 24", &c), 0);
	KUNIT_EXPECT_EQ(test, c.dma, KD_DMA_MASK_BITS);
	KUNIT_EXPECT_EQ(test, c.arg, 24UL);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, kd_parse(bad[i], &c), -EINVAL,
				    "input \"%s\"", bad[i]);
		KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, c.why, "input \"%s\"", bad[i]);
	}
}

/*
 * fill WHAT BYTE, check WHAT BYTE: an ID or a title, then 0..255;
 * vmalloc_user SIZE; pin ADDR LEN.
 */
static void kd_test_cmd_bytes(struct kunit *test)
{
	static const char * const bad[] = {
		"fill", "fill 3", "fill 3 1 2", "fill 3 256", "fill 3 -1",
		"fill 3 0x100", "fill 0 1", "check kmalloc", "fill 3 1K",
		"fill a_title_longer_than_any_title 1", "vmalloc_user",
		"vmalloc_user 1M GFP_KERNEL", "vmalloc_user 1M node=0",
		"pin", "pin 0x1000", "pin x 4096", "pin 0x1000 4096 1",
		"pin 0x1000 4X", "pin 4K 4096", "pin 0x1000 4096 node=0",
	};
	struct kd_cmd c;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, kd_parse("fill 3 0x5a", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_FILL);
	KUNIT_EXPECT_EQ(test, c.arg, 3UL);
	KUNIT_EXPECT_EQ(test, c.byte, 0x5a);
	KUNIT_EXPECT_STREQ(test, c.what, "");
	KUNIT_EXPECT_EQ(test, kd_parse("check __get_free_pages 255", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_CHECK);
	KUNIT_EXPECT_EQ(test, c.arg, 0UL);
	KUNIT_EXPECT_EQ(test, c.byte, 255);
	KUNIT_EXPECT_STREQ(test, c.what, "__get_free_pages");
	KUNIT_EXPECT_EQ(test, kd_parse("vmalloc_user 20K", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_VMALLOC_USER);
	KUNIT_EXPECT_EQ(test, c.arg, 20480UL);
	KUNIT_EXPECT_EQ(test, kd_parse("pin 0x7f0000001000 8K", &c), 0);
	KUNIT_EXPECT_EQ(test, c.word, KD_LAB_PIN);
	KUNIT_EXPECT_EQ(test, c.addr, 0x7f0000001000UL);
	KUNIT_EXPECT_EQ(test, c.arg, 8192UL);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, kd_parse(bad[i], &c), -EINVAL,
				    "input \"%s\"", bad[i]);
		KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, c.why, "input \"%s\"", bad[i]);
	}
}

static void kd_test_cmd_refused(struct kunit *test)
{
	static const char * const bad[] = {
		"", "   ", "kmallok 1", "KMALLOC 1", "kmalloc", "pages",
		"free", "free al", "free -1", "kmalloc 1 GFP_KERNAL",
		"kmalloc 1 GFP_KERNEL|", "kmalloc 1 |GFP_KERNEL",
		"kmalloc 1 GFP_KERNEL||__GFP_ZERO", "kmalloc 1 gfp_kernel",
		"kmalloc 1 GFP_KERNEL x", "cache 1 GFP_KERNEL x", "free 1 2",
		"free all now", "pages 4K", "kmalloc -1", "kmalloc 1,5",
		"kmalloc 1 node=", "kmalloc 1 node=-1", "kmalloc 1 node=x",
		"kmalloc 1 node=1K", "kmalloc 1 node=4294967296",
		"kmalloc 1 node=1 GFP_KERNEL", "kmalloc 1 GFP_KERNEL node=0 node=1",
		"kmalloc node=1", "cache 1 node=0 GFP_KERNEL", "free 1 node=0",
		"free all node=0", "bench node=0", "kmalloc 1 GFP_KERNEL node=0 x",
		"kmalloc 1 ctx=", "kmalloc 1 ctx=irq", "kmalloc 1 ctx=ATOMIC",
		"kmalloc ctx=atomic", "kmalloc 1 ctx=atomic node=0",
		"kmalloc 1 ctx=atomic ctx=atomic", "cache 1 ctx=atomic node=0",
		"vmalloc_user 1 ctx=atomic", "free 1 ctx=atomic",
		"kmalloc 1 GFP_ATOMIC ctx=atomic x",
	};
	struct kd_cmd c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, kd_parse(bad[i], &c), -EINVAL,
				    "input \"%s\"", bad[i]);
		KUNIT_EXPECT_NOT_ERR_OR_NULL_MSG(test, c.why, "input \"%s\"", bad[i]);
	}
}

/* Each flag rule: the command parses, and the check names why it is refused. */
static void kd_test_cmd_gfp_rules(struct kunit *test)
{
	static const struct {
		const char *cmd;
		bool ok;
	} cases[] = {
		{ "kmalloc 1 GFP_ATOMIC", true },
		{ "kmalloc 1 GFP_DMA", true },
		{ "kmalloc 1 GFP_DMA32", false },
		{ "kmalloc 1 GFP_KERNEL|__GFP_HIGHMEM", false },
		{ "kvmalloc 1 GFP_DMA32", false },
		{ "pages 0 GFP_DMA32", true },
		{ "pages 0 GFP_DMA|GFP_DMA32", false },
		{ "pages 0 __GFP_DMA32|__GFP_HIGHMEM", false },
		{ "pages 0 GFP_KERNEL|__GFP_COMP", false },
		{ "pages 1 GFP_KERNEL|__GFP_COMP", true },
		{ "pages 1 GFP_KERNEL|__GFP_NOFAIL", false },
		{ "kmalloc 1 GFP_KERNEL|__GFP_NOFAIL", false },
		{ "vmalloc 1 GFP_KERNEL|__GFP_COMP", false },
		{ "vmalloc 1 GFP_KERNEL", true },
		{ "vmalloc 1 GFP_ATOMIC", KD_VMALLOC_ANY_GFP },
		{ "kvmalloc 1 GFP_NOWAIT", KD_VMALLOC_ANY_GFP },
		{ "vmalloc 1 GFP_NOFS", KD_VMALLOC_SCOPED_NOFS },
		{ "vmalloc 1 GFP_KERNEL|GFP_DMA32", !KD_VMALLOC_ANY_GFP },
		{ "vmalloc 1 GFP_DMA32", false },	/* no reclaim, or a zone (6.19) */
		{ "vmalloc 1 GFP_KERNEL|__GFP_NOMEMALLOC", !KD_VMALLOC_ANY_GFP },
		{ "vmalloc 1 GFP_USER|__GFP_ZERO|__GFP_ACCOUNT", true },
		{ "kvmalloc 1 GFP_KERNEL|__GFP_NOMEMALLOC", true },
		{ "pages 0 GFP_KERNEL|__GFP_THISNODE node=1", true },
		{ "kmalloc 1 GFP_KERNEL|__GFP_THISNODE node=1", true },
		{ "vmalloc 1 GFP_KERNEL node=1", true },
		{ "vmalloc 1 GFP_KERNEL|__GFP_ZERO node=1", true },
		{ "vmalloc 1 GFP_KERNEL|__GFP_THISNODE node=1", false },
		{ "vmalloc 1 GFP_USER node=1", false },
		{ "kmalloc 1 ctx=atomic", false },	/* GFP_KERNEL may sleep */
		{ "kmalloc 1 GFP_NOIO ctx=softirq", false },
		{ "kmalloc 1 GFP_ATOMIC ctx=atomic", true },
		{ "kmalloc 1 GFP_NOWAIT node=0 ctx=hardirq", true },
		{ "pages 3 GFP_ATOMIC|__GFP_ZERO ctx=softirq", true },
		{ "pages 0 GFP_KERNEL ctx=process", true },
		{ "vmalloc 1 GFP_ATOMIC ctx=atomic", KD_VMALLOC_ANY_GFP },
		{ "vmalloc 1 GFP_ATOMIC ctx=softirq", false },
		{ "kvmalloc 1 GFP_NOWAIT ctx=hardirq", false },
	};
	struct kd_cmd c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int want = -EINVAL * !cases[i].ok;	/* 0, or refused */

		KUNIT_ASSERT_EQ_MSG(test, kd_parse(cases[i].cmd, &c), 0,
				    "input \"%s\"", cases[i].cmd);
		KUNIT_EXPECT_EQ_MSG(test, kd_cmd_check_gfp(&c), want,
				    "input \"%s\"", cases[i].cmd);
		if (!cases[i].ok)
			KUNIT_EXPECT_NOT_ERR_OR_NULL(test, c.why);
	}
}

/*
 * A page from DMA32 then one from DMA: two zones, though "DMA" is part of
 * "DMA32".  Needs both zones populated (x86_64 with RAM below 4 GiB).
 */
static void kd_test_zones_apart(struct kunit *test)
{
	struct page *a = alloc_page(GFP_KERNEL | GFP_DMA32);
	struct page *b = alloc_page(GFP_KERNEL | GFP_DMA);
	bool apart = a && b && page_zonenum(a) != page_zonenum(b);
	struct kd_desc d = {};
	void *objs[2];

	if (apart) {
		objs[0] = page_address(a);
		objs[1] = page_address(b);
		KUNIT_EXPECT_EQ(test, kd_describe_objects(&d, objs, 2), 0);
		KUNIT_EXPECT_EQ(test, d.nr_zones, 2U);
		KUNIT_EXPECT_STREQ(test, d.zone[0], page_zone(a)->name);
		KUNIT_EXPECT_STREQ(test, d.zone[1], page_zone(b)->name);
		kd_describe_free(&d);
	}
	if (a)
		__free_page(a);
	if (b)
		__free_page(b);
	if (!apart)
		kunit_skip(test, "no DMA and DMA32 pages to tell apart");
}

/*
 * Which blocks a huge vmalloc mapping used, from its rounding and its first
 * physical run: PMD for 5 MiB in 6, contiguous-PTE (arm64) for 100 KiB in
 * 128; neither when the first run is not a whole aligned block.  Without
 * rounding (4 MiB in 4), from kvmalloc only, and only when every run is
 * listed and starts on a block, as does the address.
 */
static void kd_test_vmalloc_block(struct kunit *test)
{
	unsigned long pmd = PMD_SIZE >> PAGE_SHIFT;
	struct kd_desc d = {};

	d.frames.run = &d.frames.one;
	d.frames.listed = 1;
	d.requested = 5 * PMD_SIZE / 2;
	d.reserved = 3 * PMD_SIZE;
	d.frames.one = (struct kd_run){ .pfn = 7 * pmd, .pages = 3 * pmd };
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), (unsigned long)PMD_SIZE);
	d.frames.one.pfn = 7 * pmd + 1;
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), 0UL);
	d.frames.one = (struct kd_run){ .pfn = 7 * pmd, .pages = pmd / 2 };
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), 0UL);
	d.frames.listed = 0;
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), 0UL);
	/* Whole blocks, no rounding: kvmalloc's, every run on a block. */
	d.huge_ok = true;
	d.requested = 2 * PMD_SIZE;
	d.reserved = 2 * PMD_SIZE;
	d.addr = (const void *)(4 * PMD_SIZE);
	d.frames.listed = 1;
	d.frames.sum.runs = 1;
	d.frames.one = (struct kd_run){ .pfn = 3 * pmd, .pages = 2 * pmd };
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), (unsigned long)PMD_SIZE);
	d.frames.one.pfn = 3 * pmd + 1;
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), 0UL);
	d.frames.one.pfn = 3 * pmd;
	d.huge_ok = false;
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), 0UL);
	d.huge_ok = true;
	d.frames.sum.runs = 2;
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), 0UL);
	d.frames.sum.runs = 1;
#ifdef CONT_PTE_SIZE
	d.requested = CONT_PTE_SIZE + PAGE_SIZE;
	d.reserved = 2 * CONT_PTE_SIZE;
	d.frames.one = (struct kd_run){ .pfn = 5 * CONT_PTES, .pages = 2 * CONT_PTES };
	KUNIT_EXPECT_EQ(test, kd_vmalloc_block(&d), (unsigned long)CONT_PTE_SIZE);
#endif
}

/* What no call could give: each refused with E2BIG and the limit it broke. */
static void kd_test_cmd_limits(struct kunit *test)
{
	static const struct {
		const char *cmd;
		int err;
		unsigned long limit;
	} cases[] = {
		{ "pages 99", -E2BIG, MAX_PAGE_ORDER },
		{ "kmalloc 16G", -E2BIG, KMALLOC_MAX_SIZE },
		{ "vmalloc 2G", -E2BIG, SZ_1G },	/* on a 1 GiB machine */
		{ "kvmalloc 3G", -E2BIG, INT_MAX },
		{ "cache 65537", -E2BIG, KD_LAB_CACHE_MAX },
		{ "kmalloc 0", -EINVAL, 0 },
		{ "cache 0", -EINVAL, 0 },
		{ "pages 0", 0, 0 },
		{ "vmalloc 1G", 0, 0 },
		{ "cache 65536", 0, 0 },
		{ "cache 256 GFP_ATOMIC ctx=hardirq", 0, 0 },
		{ "cache 257 GFP_ATOMIC ctx=atomic", -E2BIG, KD_LAB_CACHE_CTX_MAX },
		{ "dma coherent 0", -EINVAL, 0 },
		{ "dma coherent 16G", -E2BIG, PAGE_SIZE << MAX_PAGE_ORDER },
		{ "dma coherent 5000", 0, 0 },
		{ "vmalloc_user 2G", -E2BIG, SZ_1G },
		{ "pin 0x1000 17M", -E2BIG, KD_LAB_PIN_MAX },
		{ "pin 0x1000 16M", 0, 0 },
		{ "pin 0x1000 0", -EINVAL, 0 },
		{ "pin 0xfffffffffffff000 8192", -EINVAL, 0 },
		{ "percpu 33K", -E2BIG, PCPU_MIN_UNIT_SIZE },
		{ "percpu 32K", 0, 0 },
		{ "percpu 0", -EINVAL, 0 },
		{ "devm_kzalloc 16G", -E2BIG, KMALLOC_MAX_SIZE - PAGE_SIZE },
		{ "devm_kzalloc 100 GFP_ATOMIC", 0, 0 },
		{ "devm_kzalloc 0", -EINVAL, 0 },
	};
	unsigned long estimate;
	struct kd_cmd c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KUNIT_ASSERT_EQ_MSG(test, kd_parse(cases[i].cmd, &c), 0,
				    "input \"%s\"", cases[i].cmd);
		c.limit = 0;
		KUNIT_EXPECT_EQ_MSG(test, kd_cmd_check_size(&c, SZ_1G, 64, &estimate),
				    cases[i].err, "input \"%s\"", cases[i].cmd);
		KUNIT_EXPECT_EQ_MSG(test, c.limit, cases[i].limit,
				    "input \"%s\"", cases[i].cmd);
	}
	kd_parse("cache 10", &c);
	kd_cmd_check_size(&c, SZ_1G, 64, &estimate);
	KUNIT_EXPECT_EQ(test, estimate, 640UL);
	kd_parse("vmalloc 5M", &c);
	kd_cmd_check_size(&c, SZ_1G, 64, &estimate);
	KUNIT_EXPECT_EQ(test, estimate, (unsigned long)SZ_4M + SZ_1M);
	/* dma-direct takes a block of 2^order pages for coherent memory. */
	kd_parse("dma coherent 5000", &c);
	kd_cmd_check_size(&c, SZ_1G, 64, &estimate);
	KUNIT_EXPECT_EQ(test, estimate, PAGE_SIZE << get_order(5000));
}

/* Run kd_cmd_line() over a write as kd_lab_write() does: bytes taken. */
static size_t kd_lines(struct kunit *test, const char *buf, size_t count,
		       unsigned int *lines, int *err)
{
	size_t len = min_t(size_t, count, KD_LAB_WRITE_MAX), done = 0, n;
	const char *why;
	bool nl;
	int ret;

	*lines = 0;
	*err = 0;
	while (done < len) {
		ret = kd_cmd_line(buf, len, count, done, &n, &nl, &why);
		if (ret <= 0) {
			*err = ret;
			break;
		}
		(*lines)++;
		done += n + nl;
	}
	return done;
}

/*
 * A write longer than KD_LAB_WRITE_MAX is taken up to its last whole line;
 * too long a line, or one holding a NUL, is refused.
 */
static void kd_test_cmd_lines(struct kunit *test)
{
	size_t size = KD_LAB_WRITE_MAX + 100, i;
	unsigned int lines;
	char *buf;
	int err;

	buf = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	/* 419 lines of 10 bytes: 409 whole ones in the first 4096. */
	for (i = 0; i + 10 <= size; i += 10)
		memcpy(buf + i, "kmalloc 1\n", 10);
	KUNIT_EXPECT_EQ(test, kd_lines(test, buf, i, &lines, &err), (size_t)4090);
	KUNIT_EXPECT_EQ(test, lines, 409U);
	KUNIT_EXPECT_EQ(test, err, 0);
	/* Within the limit, the last line needs no newline. */
	KUNIT_EXPECT_EQ(test, kd_lines(test, "free all", 8, &lines, &err), (size_t)8);
	KUNIT_EXPECT_EQ(test, lines, 1U);
	KUNIT_EXPECT_EQ(test, kd_lines(test, "a\nb\0c\n", 6, &lines, &err), (size_t)2);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	memset(buf, 'x', KD_LAB_LINE_MAX + 1);
	buf[KD_LAB_LINE_MAX + 1] = '\n';
	KUNIT_EXPECT_EQ(test, kd_lines(test, buf, KD_LAB_LINE_MAX + 2, &lines, &err),
			(size_t)0);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
}

static struct kunit_case kd_test_cases[] = {
	KUNIT_CASE(kd_test_zones_apart),
	KUNIT_CASE(kd_test_vmalloc_block),
	KUNIT_CASE(kd_test_parse_bounds),
	KUNIT_CASE(kd_test_parse_garbage),
	KUNIT_CASE(kd_test_max_order),
	KUNIT_CASE(kd_test_runs),
	KUNIT_CASE(kd_test_frames),
	KUNIT_CASE(kd_test_align),
	KUNIT_CASE(kd_test_fmt_size),
	KUNIT_CASE(kd_test_kmalloc_class),
	KUNIT_CASE(kd_test_kmalloc_name),
	KUNIT_CASE(kd_test_slack_kmalloc),
	KUNIT_CASE(kd_test_cmd_numbers),
	KUNIT_CASE(kd_test_cmd_parse),
	KUNIT_CASE(kd_test_cmd_node),
	KUNIT_CASE(kd_test_cmd_ctx),
	KUNIT_CASE(kd_test_cmd_helpers),
	KUNIT_CASE(kd_test_cmd_dma),
	KUNIT_CASE(kd_test_cmd_bytes),
	KUNIT_CASE(kd_test_cmd_refused),
	KUNIT_CASE(kd_test_cmd_gfp_rules),
	KUNIT_CASE(kd_test_cmd_limits),
	KUNIT_CASE(kd_test_cmd_lines),
	{}
};

static struct kunit_suite kd_test_suite = {
	.name = "kmem_demo",
	.test_cases = kd_test_cases,
};

kunit_test_suite(kd_test_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for kmem_demo's helpers");
