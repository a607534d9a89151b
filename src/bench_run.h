/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmem_demo: one run of the benchmark, as the engine (bench.c) fills it in
 * and the two files (bench_show.c) print it.
 */
#ifndef KMEM_DEMO_BENCH_RUN_H
#define KMEM_DEMO_BENCH_RUN_H

#include <linux/completion.h>
#include <linux/types.h>

#define KD_BENCH_REPEATS_MAX	15

/*
 * The clock.  Every figure is two ktime_get_ns() reads around a repeat, so
 * the benchmark is only as good as the clocksource behind them.  The TSC
 * (x86) and the generic timer (arm64) are read with one instruction: a few
 * ns on hardware, 50 to 70 ns under QEMU's TCG on a loaded host.  The
 * fallbacks, the HPET and the ACPI PM timer, are device registers: about a
 * microsecond a read on hardware, several under KVM, where each read
 * leaves the guest.  x86 falls back to them when its watchdog marks the TSC
 * unstable, which a VM whose vCPU a busy host keeps stalling can trigger:
 * the benchmark then times a clock and a machine that both went wrong.
 *
 * ktime_get_ns() also pays for its seqcount, which lockdep makes costly
 * (1.5 us a read on the debug kernel under TCG): the clocksource's share is
 * its cost minus that of ktime_get_coarse_ns(), which takes the same
 * seqcount and reads no clocksource.  KD_CLOCK_SLOW_NS is judged on that
 * share: 7 times what the TSC costs under TCG, below a device register
 * read on hardware or under KVM.  TCG emulates the HPET and ACPI PM timer
 * cheaply (200 and 90 ns measured): there only the clocksource's name
 * tells (28-bench checks it).  A clock that does not move over
 * KD_CLOCK_READS reads (jiffies, the last resort) cannot time a repeat.
 */
#define KD_CLOCK_READS		1000
#define KD_CLOCK_SLOW_NS	500

struct device;
struct dma_pool;
struct kd_bench;
struct kd_bench_row;

/* x86 reads the TSC; arm64's get_cycles() is the generic timer, not cycles. */
#define KD_BENCH_CYCLES	IS_ENABLED(CONFIG_X86)

/*
 * What a case times: an allocator, its pattern, and one round of it (a
 * pair, or a batch of r->batch allocations then as many frees).  A round
 * returns 0, or -ENOMEM with nothing left allocated.
 */
struct kd_bench_case {
	const char *name;	/* the "allocator" column */
	bool bulk;		/* one call for the whole batch */
	bool pages;		/* sizes are 2^order pages: the order column */
	int (*round)(struct kd_bench *b, struct kd_bench_row *r);
	bool zero_line;		/* the empty loop, subtracted from the others */
	/*
	 * Around each repeat, untimed: what the rounds use (the DMA demo
	 * device, held; a buffer; a pool), and its undoing.  A case with
	 * them runs only where there is a device (@device).
	 */
	int (*setup)(struct kd_bench *b, struct kd_bench_row *r);
	void (*done)(struct kd_bench *b, struct kd_bench_row *r);
	bool device;
};

struct kd_bench_row {
	const struct kd_bench_case *what;
	unsigned int batch;	/* 1: alloc/free pairs; N: N allocs, N frees */
	unsigned long size;	/* bytes */
	unsigned int order;	/* pages only */
	const char *how;	/* DMA: how the device reaches the memory */
	unsigned long loops;	/* operations per repeat */
	unsigned int repeats;
	u64 min_ps, med_ps, max_ps;	/* per operation, empty loop subtracted */
	u64 raw_med_ps;		/* median before the subtraction */
	u64 cycles;		/* median cycles per operation, 0: not measured */
	int err;		/* the case failed: no figures */
	unsigned long rounds;	/* rounds per repeat, from the calibration */
	u64 ps[KD_BENCH_REPEATS_MAX];	/* each repeat, ps per operation */
	u64 cyc[KD_BENCH_REPEATS_MAX];	/* each repeat, cycles per operation */
};

struct kd_bench {
	bool quick;
	unsigned int repeats;
	u64 min_repeat_ns;
	int cpu;
	bool abort;
	struct completion done;
	void **ptrs;			/* batch objects */
	struct page **pages;		/* bulk pages */
	struct kd_bench_row *rows;
	char dma_dev[32];		/* the DMA demo device, "": none */
	unsigned int dma_bits;		/* its mask */
	struct device *dev;		/* held during a DMA case's repeat */
	void *dma_buf;			/* the buffer a repeat maps */
	struct dma_pool *dma_pool;	/* the pool a repeat allocates from */
	unsigned int nr_rows;
	u64 empty_ps;
	u64 clock_ns;		/* KD_CLOCK_READS clock reads, best try; 0: no tick */
	u64 coarse_ns;		/* as many ktime_get_coarse_ns(), which read none */
	u64 elapsed_ns;
	unsigned long pages_allocated, pages_freed;
};

/*
 * The last complete run, for the files: NULL when there is none yet,
 * ERR_PTR(-EINTR) when a signal came first.  It stays while the caller
 * holds it: kd_bench_put() after every kd_bench_get() that is no error.
 */
const struct kd_bench *kd_bench_get(void);
void kd_bench_put(void);

#endif /* KMEM_DEMO_BENCH_RUN_H */
