// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: what each allocator costs, measured in the kernel.
 *
 * "bench" (or "bench quick") written to /proc/kmem_demo runs every case in
 * one kernel thread bound to one CPU and blocks until it is done; the
 * results are in /proc/kmem_demo_bench (a table) and
 * /proc/kmem_demo_bench.csv (the same, for scripts).
 *
 * How a case is timed: one "operation" is an allocation and its free.  A
 * repeat runs L rounds (a pair, or a batch of N allocations then N frees)
 * between two ktime_get_ns() calls; L doubles until a repeat lasts at
 * least 10 ms (0.2 ms in quick mode), so the clock's own cost and
 * resolution vanish in it.  R repeats give min, median and max ns per
 * operation; the empty loop's best repeat (the loop and the call overhead,
 * a fixed cost that noise can only add to) is subtracted from every case.
 * The repeats are interleaved: repeat 1 of every case, then repeat 2 of
 * every case, and so on, so that a drift of the machine's speed over the
 * run (a host under emulation, a CPU's clock) spreads over all cases alike
 * instead of skewing the ones that ran during it.  Preemption stays on and
 * GFP_KERNEL may sleep, as in real drivers: the median is the figure to
 * read, the max shows what the machine did meanwhile.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/dma-mapping.h>
#include <linux/dmapool.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timex.h>
#include <linux/vmalloc.h>
#include <linux/sizes.h>

#include "alloc.h"
#include "bench.h"
#include "bench_run.h"
#include "compat.h"
#include "dma_map.h"
#include "kmem_demo.h"

#define KD_BENCH_ROWS		128
#define KD_BENCH_BATCH		1000	/* objects in a batch, at most */
#define KD_BENCH_BATCH_BYTES	SZ_16M	/* and at most this much memory */
#define KD_CLOCK_TRIES		5	/* tries at timing the clock itself */

/*
 * Two locks, so that reading results never waits out a run: kd_bench_lock
 * lets one run at a time (a second writer gets -EBUSY at once);
 * kd_bench_results guards what the files and unloading share, each holder
 * brief: the last complete run, the run going on, and whether the module
 * is going away.
 */
static DEFINE_MUTEX(kd_bench_lock);
static DEFINE_MUTEX(kd_bench_results);
static struct kd_bench *kd_bench_last;		/* shown by the two files */
static struct kd_bench *kd_bench_running;	/* stopped by kd_bench_close() */
static bool kd_bench_closed;			/* unloading: no new run */

/*
 * What KD_CLOCK_READS back-to-back ktime_get_ns() calls take: the best of
 * KD_CLOCK_TRIES tries, since a preemption or a stalled vCPU only ever adds
 * time.  0 when the clock did not move in one of the tries.
 */
static u64 kd_clock_cost(bool coarse)
{
	u64 best = U64_MAX, t0, t;
	unsigned int i, try;

	for (try = 0; try < KD_CLOCK_TRIES; try++) {
		t0 = ktime_get_ns();
		for (i = 0; i < KD_CLOCK_READS; i++) {
			if (coarse)
				ktime_get_coarse_ns();
			else
				ktime_get_ns();
		}
		t = ktime_get_ns();
		best = min(best, t - t0);
		cond_resched();
	}
	return best;
}

/* ---- running the cases ---- */

static bool kd_bench_stop(struct kd_bench *b)
{
	return READ_ONCE(b->abort) || kthread_should_stop();
}

static int kd_round_empty(struct kd_bench *b, struct kd_bench_row *r)
{
	barrier();
	return 0;
}

/* A batch from kmalloc (@cache NULL) or from @cache; a pair is a batch of 1. */
static int kd_round_objects(struct kd_bench *b, struct kd_bench_row *r,
			    struct kmem_cache *cache)
{
	unsigned int i, n = r->batch;
	bool done;
	void *p;

	for (i = 0; i < n; i++) {
		p = cache ? kmem_cache_alloc(cache, GFP_KERNEL) :
		    kmalloc(r->size, GFP_KERNEL);
		if (!p)
			break;
		b->ptrs[i] = p;
	}
	done = i == n;
	while (i--) {
		if (cache)
			kmem_cache_free(cache, b->ptrs[i]);
		else
			kfree(b->ptrs[i]);
	}
	return done ? 0 : -ENOMEM;
}

static int kd_round_kmalloc(struct kd_bench *b, struct kd_bench_row *r)
{
	return kd_round_objects(b, r, NULL);
}

static int kd_round_cache(struct kd_bench *b, struct kd_bench_row *r)
{
	return kd_round_objects(b, r, kd_cache());
}

static int kd_round_cache_bulk(struct kd_bench *b, struct kd_bench_row *r)
{
	if (!kmem_cache_alloc_bulk(kd_cache(), GFP_KERNEL, r->batch, b->ptrs))
		return -ENOMEM;
	kmem_cache_free_bulk(kd_cache(), r->batch, b->ptrs);
	return 0;
}

static int kd_round_pages(struct kd_bench *b, struct kd_bench_row *r)
{
	struct page *page = alloc_pages(GFP_KERNEL, r->order);

	if (!page)
		return -ENOMEM;
	b->pages_allocated += 1UL << r->order;
	__free_pages(page, r->order);
	b->pages_freed += 1UL << r->order;
	return 0;
}

#if KD_HAVE_PAGES_BULK
static int kd_round_pages_bulk(struct kd_bench *b, struct kd_bench_row *r)
{
	unsigned int i, n = r->batch;
	unsigned long got;

	/* The array must start empty: the bulk allocator fills NULL slots. */
	memset(b->pages, 0, n * sizeof(*b->pages));
	got = kd_alloc_pages_bulk(GFP_KERNEL, n, b->pages);
	b->pages_allocated += got;
	for (i = 0; i < n; i++) {
		if (b->pages[i]) {
			__free_page(b->pages[i]);
			b->pages_freed++;
		}
	}
	return got == n ? 0 : -ENOMEM;
}
#endif

static int kd_round_vmalloc(struct kd_bench *b, struct kd_bench_row *r)
{
	void *p = vmalloc(r->size);

	if (!p)
		return -ENOMEM;
	vfree(p);
	return 0;
}

/* First use: one write per page, so the cost of touching shows. */
static int kd_round_vmalloc_touched(struct kd_bench *b, struct kd_bench_row *r)
{
	u8 *p = vmalloc(r->size);
	size_t off;

	if (!p)
		return -ENOMEM;
	for (off = 0; off < r->size; off += PAGE_SIZE)
		WRITE_ONCE(p[off], 1);
	vfree(p);
	return 0;
}

static int kd_round_kvmalloc(struct kd_bench *b, struct kd_bench_row *r)
{
	void *p = kvmalloc(r->size, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kvfree(p);
	return 0;
}

/*
 * The DMA demo device's cases: what the DMA API itself costs, apart from
 * any transfer.  The device is held around each repeat (kd_dma_hold()),
 * so its removal waits for the repeat, never for the whole run; a repeat
 * after it fails with -ENODEV.
 */
static int kd_dma_case_hold(struct kd_bench *b, struct kd_bench_row *r)
{
	b->dev = kd_dma_hold();
	return b->dev ? 0 : -ENODEV;
}

static void kd_dma_case_release(struct kd_bench *b, struct kd_bench_row *r)
{
	b->dev = NULL;
	kd_dma_unhold();
}

/*
 * A streaming mapping's cost: dma_map_single() and dma_unmap_single() of a
 * kmalloc'd buffer the device reaches, DMA_TO_DEVICE (a frame sent: under
 * swiotlb, map copies it into the bounce buffer, unmap copies nothing
 * back).  The buffer is allocated and mapped once before the repeat, to
 * see how the device reaches it: directly, through swiotlb or an IOMMU.
 */
static void kd_dma_map_done(struct kd_bench *b, struct kd_bench_row *r)
{
	kfree(b->dma_buf);
	b->dma_buf = NULL;
	kd_dma_case_release(b, r);
}

static int kd_dma_map_setup(struct kd_bench *b, struct kd_bench_row *r)
{
	dma_addr_t handle;
	phys_addr_t phys;
	int ret;

	ret = kd_dma_case_hold(b, r);
	if (ret)
		return ret;
	b->dma_buf = kmalloc(r->size, kd_dma_gfp(NULL, 0));
	ret = -ENOMEM;
	if (!b->dma_buf)
		goto fail;
	/* The module's own reach rule, as for every streaming mapping. */
	phys = kd_dma_phys(b->dma_buf);
	ret = -ERANGE;
	if (kd_dma_unreachable(phys, r->size))
		goto fail;
	handle = dma_map_single(b->dev, b->dma_buf, r->size, DMA_TO_DEVICE);
	ret = -EIO;
	if (dma_mapping_error(b->dev, handle))
		goto fail;
	r->how = kd_dma_how(phys, handle);
	dma_unmap_single(b->dev, handle, r->size, DMA_TO_DEVICE);
	return 0;
fail:
	kd_dma_map_done(b, r);
	return ret;
}

static int kd_round_dma_map(struct kd_bench *b, struct kd_bench_row *r)
{
	dma_addr_t handle;

	handle = dma_map_single(b->dev, b->dma_buf, r->size, DMA_TO_DEVICE);
	if (dma_mapping_error(b->dev, handle))
		return -EIO;
	dma_unmap_single(b->dev, handle, r->size, DMA_TO_DEVICE);
	return 0;
}

/* Coherent memory: whole pages, zeroed, mapped for the device if need be. */
static int kd_dma_coherent_setup(struct kd_bench *b, struct kd_bench_row *r)
{
	r->how = kd_dma_iommu() ? "iommu" : "direct";
	return kd_dma_case_hold(b, r);
}

static int kd_round_dma_coherent(struct kd_bench *b, struct kd_bench_row *r)
{
	dma_addr_t handle;
	void *p = dma_alloc_coherent(b->dev, r->size, &handle, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	dma_free_coherent(b->dev, r->size, p, handle);
	return 0;
}

/* A DMA pool's block: a slice of coherent pages the pool already has. */
static void kd_dma_pool_done(struct kd_bench *b, struct kd_bench_row *r)
{
	dma_pool_destroy(b->dma_pool);
	b->dma_pool = NULL;
	kd_dma_case_release(b, r);
}

static int kd_dma_pool_setup(struct kd_bench *b, struct kd_bench_row *r)
{
	int ret = kd_dma_coherent_setup(b, r);

	if (ret)
		return ret;
	b->dma_pool = dma_pool_create(KD_NAME "_bench", b->dev, r->size, 0, 0);
	if (b->dma_pool)
		return 0;
	kd_dma_case_release(b, r);
	return -ENOMEM;
}

static int kd_round_dma_pool(struct kd_bench *b, struct kd_bench_row *r)
{
	dma_addr_t handle;
	void *p = dma_pool_alloc(b->dma_pool, GFP_KERNEL, &handle);

	if (!p)
		return -ENOMEM;
	dma_pool_free(b->dma_pool, p, handle);
	return 0;
}

static const struct kd_bench_case kd_empty = {
	"empty", false, false, kd_round_empty, true };
static const struct kd_bench_case kd_kmalloc = { "kmalloc", false, false, kd_round_kmalloc };
static const struct kd_bench_case kd_cache_pair = { "kmem_cache", false, false, kd_round_cache };
static const struct kd_bench_case kd_cache_bulk = {
	"kmem_cache_bulk", true, false, kd_round_cache_bulk };
static const struct kd_bench_case kd_pages = { "alloc_pages", false, true, kd_round_pages };
#if KD_HAVE_PAGES_BULK
static const struct kd_bench_case kd_pages_bulk = {
	"alloc_pages_bulk", true, false, kd_round_pages_bulk };
#endif
static const struct kd_bench_case kd_vmalloc = { "vmalloc", false, false, kd_round_vmalloc };
static const struct kd_bench_case kd_vmalloc_touched = {
	"vmalloc_touched", false, false, kd_round_vmalloc_touched };
static const struct kd_bench_case kd_kvmalloc = { "kvmalloc", false, false, kd_round_kvmalloc };
static const struct kd_bench_case kd_case_dma_map = {
	.name = "dma_map_single", .round = kd_round_dma_map,
	.setup = kd_dma_map_setup, .done = kd_dma_map_done, .device = true };
static const struct kd_bench_case kd_case_dma_coherent = {
	.name = "dma_alloc_coherent", .pages = true, .round = kd_round_dma_coherent,
	.setup = kd_dma_coherent_setup, .done = kd_dma_case_release, .device = true };
static const struct kd_bench_case kd_case_dma_pool = {
	.name = "dma_pool_alloc", .round = kd_round_dma_pool,
	.setup = kd_dma_pool_setup, .done = kd_dma_pool_done, .device = true };

/* One repeat of @rounds rounds; its length in ns and cycles. */
static int kd_bench_repeat(struct kd_bench *b, struct kd_bench_row *r,
			   unsigned long rounds, u64 *ns, u64 *cycles)
{
	cycles_t c0 = get_cycles();
	u64 t0 = ktime_get_ns();
	unsigned long i;
	int ret;

	for (i = 0; i < rounds; i++) {
		ret = r->what->round(b, r);
		if (ret)
			return ret;
	}
	*ns = ktime_get_ns() - t0;
	*cycles = get_cycles() - c0;
	return 0;
}

static int kd_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * vfree() only queues an area's unmapping; the queue is purged (with a TLB
 * flush) once it is long enough.  Every repeat starts from an empty queue,
 * so a case does not pay for the one before it.
 */
static int kd_bench_timed(struct kd_bench *b, struct kd_bench_row *r,
			  unsigned long rounds, u64 *ns, u64 *cycles)
{
	const struct kd_bench_case *c = r->what;
	int ret;

	if (c->setup) {
		ret = c->setup(b, r);
		if (ret)
			return ret;
	}
	vm_unmap_aliases();
	ret = kd_bench_repeat(b, r, rounds, ns, cycles);
	if (c->done)
		c->done(b, r);
	return ret;
}

/* Calibrate (and warm up): double the rounds until a repeat is long enough. */
static void kd_bench_calibrate(struct kd_bench *b, struct kd_bench_row *r)
{
	unsigned long rounds = 1;
	u64 ns, again, c;

	for (;;) {
		r->err = kd_bench_timed(b, r, rounds, &ns, &c);
		if (r->err)
			return;
		/*
		 * A stall (a host preempting an emulated CPU) only ever adds
		 * time: one repeat long enough could be a short one stalled,
		 * and would leave the case too few rounds for the clock to
		 * time.  Long enough means long enough twice.
		 */
		if (ns >= b->min_repeat_ns) {
			r->err = kd_bench_timed(b, r, rounds, &again, &c);
			if (r->err)
				return;
			ns = min(ns, again);
		}
		if (ns >= b->min_repeat_ns || rounds >= (1UL << 24))
			break;
		rounds *= 2;
		cond_resched();
	}
	r->rounds = rounds;
	r->loops = rounds * r->batch;
}

/* Repeat number @i of a calibrated case. */
static void kd_bench_sample(struct kd_bench *b, struct kd_bench_row *r,
			    unsigned int i)
{
	u64 ns, c;

	r->err = kd_bench_timed(b, r, r->rounds, &ns, &c);
	if (r->err)
		return;
	r->ps[i] = div64_u64(ns * 1000, r->loops);
	r->cyc[i] = div64_u64(c, r->loops);
}

/* Min, median and max of a case's repeats, the empty loop subtracted. */
static void kd_bench_finish(struct kd_bench *b, struct kd_bench_row *r)
{
	u64 *ps = r->ps;

	r->repeats = b->repeats;
	sort(ps, r->repeats, sizeof(ps[0]), kd_cmp_u64, NULL);
	sort(r->cyc, r->repeats, sizeof(r->cyc[0]), kd_cmp_u64, NULL);
	r->raw_med_ps = ps[r->repeats / 2];
	/* The empty loop is the zero line: what remains is the allocator. */
	r->min_ps = ps[0] - min(ps[0], b->empty_ps);
	r->med_ps = ps[r->repeats / 2] - min(ps[r->repeats / 2], b->empty_ps);
	r->max_ps = ps[r->repeats - 1] - min(ps[r->repeats - 1], b->empty_ps);
	r->cycles = KD_BENCH_CYCLES ? r->cyc[r->repeats / 2] : 0;
}

/* Objects per batch: up to KD_BENCH_BATCH, within KD_BENCH_BATCH_BYTES. */
static unsigned int kd_bench_batch(struct kd_bench *b, unsigned long size)
{
	unsigned long n = KD_BENCH_BATCH_BYTES / size;

	return clamp(n, 1UL, b->quick ? 100UL : (unsigned long)KD_BENCH_BATCH);
}

static void kd_bench_add(struct kd_bench *b, const struct kd_bench_case *what,
			 unsigned long size, unsigned int batch)
{
	struct kd_bench_row *r;

	if (b->nr_rows == KD_BENCH_ROWS)
		return;
	r = &b->rows[b->nr_rows++];
	r->what = what;
	r->size = size;
	r->order = what->pages ? ilog2(size >> PAGE_SHIFT) : 0;
	r->batch = batch ? batch : kd_bench_batch(b, size);
}

/*
 * kvmalloc's two sides, in sizes that stay small whatever the page size:
 * 1 MiB, which kmalloc serves on every kernel (KMALLOC_MAX_SIZE is at
 * least 4 MiB), and twice KMALLOC_MAX_SIZE, which only vmalloc can serve,
 * but never above 64 MiB: 8 MiB with 4 KiB pages, 64 MiB with 16 KiB
 * pages; with 64 KiB pages (KMALLOC_MAX_SIZE 512 MiB) kmalloc may serve
 * those 64 MiB too.
 */
#define KD_KV_KMALLOC	SZ_1M
#define KD_KV_VMALLOC	(KMALLOC_MAX_SIZE * 2 < SZ_64M ? KMALLOC_MAX_SIZE * 2 : SZ_64M)

/*
 * The cases, in the order the table and the CSV list them.  Each row is a
 * sweep: sizes from @first to @last, multiplied by @step (@quick_step in
 * quick mode), and at each size the row's cases, each with its batch (1: a
 * pair; 0: as many objects as kd_bench_batch() allows at that size).  The
 * sizes come from this kernel's own limits.
 */
static const struct kd_bench_sweep {
	const struct kd_bench_case *what[2];
	unsigned int batch[2];
	unsigned long first, last;
	unsigned int step, quick_step;
} kd_bench_plan[] = {
	/* The loop alone: the zero line. */
	{ { &kd_empty }, { 1 }, 0, 0, 1, 1 },
	/* Every kmalloc size class up to the largest cache, then pages. */
	{ { &kd_kmalloc, &kd_kmalloc }, { 1, 0 },
	  KMALLOC_MIN_SIZE, KMALLOC_MAX_CACHE_SIZE, 2, 4 },
	{ { &kd_kmalloc, &kd_kmalloc }, { 1, 0 },
	  KMALLOC_MAX_CACHE_SIZE * 4, KMALLOC_MAX_CACHE_SIZE * 64, 4, 4 },
	{ { &kd_cache_pair, &kd_cache_pair }, { 1, 0 },
	  sizeof(struct kd_obj), sizeof(struct kd_obj), 1, 1 },
	{ { &kd_cache_bulk, &kd_cache_bulk }, { 16, 64 },
	  sizeof(struct kd_obj), sizeof(struct kd_obj), 1, 1 },
	/* Orders 0 to 4 (0 and 4 in quick mode). */
	{ { &kd_pages }, { 1 }, PAGE_SIZE, PAGE_SIZE << 4, 2, 16 },
#if KD_HAVE_PAGES_BULK
	{ { &kd_pages_bulk }, { 64 }, PAGE_SIZE, PAGE_SIZE, 1, 1 },
#endif
	/* One page to 8 MiB, bare and touched once. */
	{ { &kd_vmalloc, &kd_vmalloc_touched }, { 1, 1 }, PAGE_SIZE, SZ_4M, 4, 8 },
	{ { &kd_vmalloc, &kd_vmalloc_touched }, { 1, 1 }, SZ_8M, SZ_8M, 1, 1 },
	/* Both sides of kvmalloc's switch (KD_KV_KMALLOC, KD_KV_VMALLOC). */
	{ { &kd_kvmalloc }, { 1 }, PAGE_SIZE, PAGE_SIZE, 1, 1 },
	{ { &kd_kvmalloc }, { 1 }, KD_KV_KMALLOC, KD_KV_KMALLOC, 1, 1 },
	{ { &kd_kvmalloc }, { 1 }, KD_KV_VMALLOC, KD_KV_VMALLOC, 1, 1 },
	/* The DMA API: 64 bytes to 64 KiB mapped, a page and 16 allocated. */
	{ { &kd_case_dma_map }, { 1 }, 64, SZ_64K, 4, 16 },
	{ { &kd_case_dma_coherent }, { 1 }, PAGE_SIZE, PAGE_SIZE << 4, 16, 16 },
	{ { &kd_case_dma_pool }, { 1 }, 64, 64, 1, 1 },
};

static void kd_bench_plan_rows(struct kd_bench *b)
{
	const struct kd_bench_sweep *s;
	struct device *dev = kd_dma_hold();
	unsigned long size;
	unsigned int step, c;

	if (dev) {
		strscpy(b->dma_dev, dev_name(dev), sizeof(b->dma_dev));
		b->dma_bits = fls64(kd_dma_mask());
		kd_dma_unhold();
	}
	for (s = kd_bench_plan; s < kd_bench_plan + ARRAY_SIZE(kd_bench_plan); s++) {
		if (s->what[0]->device && !dev)
			continue;
		step = b->quick ? s->quick_step : s->step;
		for (size = s->first; size <= s->last; size *= step) {
			for (c = 0; c < ARRAY_SIZE(s->what) && s->what[c]; c++)
				kd_bench_add(b, s->what[c], size, s->batch[c]);
			if (!size || step == 1)
				break;
		}
	}
}

static int kd_bench_thread(void *data)
{
	struct kd_bench *b = data;
	u64 t0 = ktime_get_ns();
	unsigned int i, rep;

	/* On the benchmark's own CPU, as every repeat will read it. */
	b->clock_ns = kd_clock_cost(false);
	b->coarse_ns = kd_clock_cost(true);
	for (i = 0; i < b->nr_rows && !kd_bench_stop(b); i++)
		kd_bench_calibrate(b, &b->rows[i]);
	for (rep = 0; rep < b->repeats; rep++) {
		for (i = 0; i < b->nr_rows; i++) {
			/* A stopped run is discarded whole (kd_bench_run). */
			if (kd_bench_stop(b))
				goto out;
			cond_resched();
			if (!b->rows[i].err)
				kd_bench_sample(b, &b->rows[i], rep);
		}
	}
	/*
	 * The empty loop first (row 0): the others subtract its fastest
	 * repeat.  A stall of the CPU (a host preempting an emulated one)
	 * only ever adds time, so the minimum is the loop's own cost; its
	 * median could carry a stall and push real cases below zero.
	 */
	for (i = 0; i < b->nr_rows; i++) {
		if (b->rows[i].err)
			continue;
		kd_bench_finish(b, &b->rows[i]);
		if (b->rows[i].what->zero_line)
			b->empty_ps = b->rows[i].ps[0];
	}
out:
	b->elapsed_ns = ktime_get_ns() - t0;
	complete(&b->done);
	/* kthread_stop() waits for the return: stay until it asks. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static void kd_bench_free(struct kd_bench *b)
{
	if (!b)
		return;
	kvfree(b->ptrs);
	kvfree(b->pages);
	kvfree(b->rows);
	kfree(b);
}

static struct kd_bench *kd_bench_alloc(bool quick)
{
	struct kd_bench *b = kzalloc(sizeof(*b), GFP_KERNEL);

	if (!b)
		return NULL;
	b->quick = quick;
	b->repeats = quick ? 3 : 7;
	/* Long repeats even out timer ticks and the other CPU's noise. */
	b->min_repeat_ns = quick ? 200 * NSEC_PER_USEC : 10 * NSEC_PER_MSEC;
	init_completion(&b->done);
	b->ptrs = kvmalloc_array(KD_BENCH_BATCH, sizeof(*b->ptrs), GFP_KERNEL);
	b->pages = kvmalloc_array(64, sizeof(*b->pages), GFP_KERNEL);
	b->rows = kvcalloc(KD_BENCH_ROWS, sizeof(*b->rows), GFP_KERNEL);
	if (!b->ptrs || !b->pages || !b->rows) {
		kd_bench_free(b);
		return NULL;
	}
	return b;
}

/*
 * Run the benchmark; blocks until it is done.  A signal to the writer, or
 * unloading the module, stops the run between two repeats: -EINTR, and the
 * last complete results stay.  Returns 0, -EBUSY (another run), -ENOMEM or
 * -EINTR.
 */
int kd_bench_run(bool quick)
{
	struct task_struct *task;
	struct kd_bench *b;
	int ret;

	if (!mutex_trylock(&kd_bench_lock))
		return -EBUSY;
	b = kd_bench_alloc(quick);
	ret = -ENOMEM;
	if (!b)
		goto unlock;
	kd_bench_plan_rows(b);
	/* The last online CPU: on a 2-CPU VM, away from CPU 0's interrupts. */
	b->cpu = cpumask_last(cpu_online_mask);
	task = kthread_create(kd_bench_thread, b, "kmem_demo_bench");
	if (IS_ERR(task)) {
		ret = PTR_ERR(task);
		goto free;
	}
	/* Unloading stops it from here on, or already has. */
	mutex_lock(&kd_bench_results);
	kd_bench_running = b;
	b->abort = kd_bench_closed;
	mutex_unlock(&kd_bench_results);
	kthread_bind(task, b->cpu);
#ifdef CONFIG_FAULT_INJECTION
	/* A writer under fault injection (make-it-fail) aims it at the run. */
	task->make_it_fail = current->make_it_fail;
#endif
	get_task_struct(task);
	wake_up_process(task);
	pr_info("bench: %s run of %u cases on CPU %d\n", quick ? "quick" : "full",
		b->nr_rows, b->cpu);
	ret = wait_for_completion_killable(&b->done);
	if (ret)
		WRITE_ONCE(b->abort, true);
	kthread_stop(task);
	put_task_struct(task);
	mutex_lock(&kd_bench_results);
	kd_bench_running = NULL;
	if (ret || READ_ONCE(b->abort)) {
		pr_info("bench: stopped by %s, results discarded\n",
			ret ? "a signal" : "unloading");
		ret = -EINTR;
	} else {
		pr_info("bench: done in %llu ms, pages %lu allocated, %lu freed\n",
			div_u64(b->elapsed_ns, NSEC_PER_MSEC), b->pages_allocated,
			b->pages_freed);
		swap(b, kd_bench_last);
	}
	mutex_unlock(&kd_bench_results);
free:
	kd_bench_free(b);
unlock:
	mutex_unlock(&kd_bench_lock);
	return ret;
}

const struct kd_bench *kd_bench_get(void)
{
	if (mutex_lock_interruptible(&kd_bench_results))
		return ERR_PTR(-EINTR);
	return kd_bench_last;
}

void kd_bench_put(void)
{
	mutex_unlock(&kd_bench_results);
}

/*
 * Unloading, before the files go: a run going on stops at its next repeat
 * (its writer then returns, which removing the files waits for), and no
 * new one starts.
 */
void kd_bench_close(void)
{
	mutex_lock(&kd_bench_results);
	kd_bench_closed = true;
	if (kd_bench_running)
		WRITE_ONCE(kd_bench_running->abort, true);
	mutex_unlock(&kd_bench_results);
}

/* The last results go with the files that show them (unload). */
void kd_bench_forget(void)
{
	mutex_lock(&kd_bench_results);
	kd_bench_free(kd_bench_last);
	kd_bench_last = NULL;
	mutex_unlock(&kd_bench_results);
}
