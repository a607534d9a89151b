// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: the benchmark's two files, /proc/kmem_demo_bench (a table)
 * and /proc/kmem_demo_bench.csv (the same, for scripts).
 *
 * Both print the last complete run (bench.c makes it): a header saying
 * what machine and clock the figures come from, and whether that clock can
 * be trusted, then one row per case.  Reading never waits for a run going
 * on: it shows the one before.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>
#if defined(CONFIG_X86)
#include <linux/kvm_para.h>
#include <asm/processor.h>
#elif defined(CONFIG_ARM64)
#include <asm/cputype.h>
#endif

#include "bench.h"
#include "bench_run.h"

/* ---- what the header says about the machine ---- */

static const char *kd_cpu_model(char *buf, size_t len)
{
#if defined(CONFIG_X86)
	return boot_cpu_data.x86_model_id[0] ? boot_cpu_data.x86_model_id : "x86";
#elif defined(CONFIG_ARM64)
	snprintf(buf, len, "arm64, MIDR_EL1 %#010x", (u32)read_cpuid_id());
	return buf;
#else
	return utsname()->machine;
#endif
}

static const char *kd_hypervisor(void)
{
#if defined(CONFIG_X86)
	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return "no (no hypervisor CPUID bit)";
	return kvm_para_available() ? "yes, KVM" :
	       "yes, not KVM (QEMU TCG or another hypervisor)";
#else
	return "not detectable here (make bench reports it)";
#endif
}

/* ns per read, and the clocksource's share of it (0 on a clock that did not move). */
static u64 kd_clock_read_ns(const struct kd_bench *b)
{
	return div_u64(b->clock_ns, KD_CLOCK_READS);
}

static u64 kd_clock_source_ns(const struct kd_bench *b)
{
	return div_u64(b->clock_ns - min(b->clock_ns, b->coarse_ns), KD_CLOCK_READS);
}

static bool kd_clock_trusted(const struct kd_bench *b)
{
	return b->clock_ns && kd_clock_source_ns(b) < KD_CLOCK_SLOW_NS;
}

/* @ps picoseconds as nanoseconds with three decimals, "1234.567". */
static const char *kd_ns(char *buf, size_t len, u64 ps)
{
	u32 frac = do_div(ps, 1000);

	snprintf(buf, len, "%llu.%03u", ps, frac);
	return buf;
}

/*
 * The clock line; on a clock that cannot be trusted, why and what to check,
 * in words: such a clock shows otherwise only as medians of 0.
 */
static void kd_bench_clock(struct seq_file *m, const struct kd_bench *b,
			   const char *lead)
{
	bool trusted = kd_clock_trusted(b);

	if (!b->clock_ns)
		seq_printf(m, "%sclock: ktime_get_ns() did not advance in %u reads: NOT trusted (too coarse)\n",
			   lead, KD_CLOCK_READS);
	else
		seq_printf(m, "%sclock: ktime_get_ns() costs %llu ns a read, %llu ns of it the clocksource's: %s (%s %u ns)\n",
			   lead, kd_clock_read_ns(b), kd_clock_source_ns(b),
			   trusted ? "trusted" : "NOT trusted",
			   trusted ? "under" : "not under", KD_CLOCK_SLOW_NS);
	if (trusted)
		return;
	seq_printf(m, "%swarning: the figures below cannot be trusted: the kernel reads the time from a slow clocksource (hpet, acpi_pm: microseconds a read, emulated in a VM) or a coarse one (jiffies), not from the CPU's own counter\n",
		   lead);
	seq_printf(m, "%swarning: see which: cat /sys/devices/system/clocksource/clocksource0/current_clocksource; x86 falls back when it marks the TSC unstable (dmesg says so), and a VM keeps its TSC when booted with tsc=reliable\n",
		   lead);
}

static void kd_bench_header(struct seq_file *m, const struct kd_bench *b,
			    const char *lead)
{
	char buf[48], ns[24];

	seq_printf(m, "%skernel: %s %s\n", lead, utsname()->release,
		   utsname()->machine);
	seq_printf(m, "%spage_size: %lu\n", lead, PAGE_SIZE);
	seq_printf(m, "%scpu: %s\n", lead, kd_cpu_model(buf, sizeof(buf)));
	seq_printf(m, "%stiming: ktime_get_ns(), cycles: %s\n", lead,
		   KD_BENCH_CYCLES ? "TSC (get_cycles)" :
		   "not measured (get_cycles() here is not a CPU cycle counter)");
	kd_bench_clock(m, b, lead);
	seq_printf(m, "%svirtualized: %s\n", lead, kd_hypervisor());
	/* init_on_alloc zeroes every allocation: a cost that grows with size. */
	seq_printf(m, "%sinit_on_alloc: %s\n", lead,
		   want_init_on_alloc(GFP_KERNEL) ? "on (every allocation is zeroed)" : "off");
	seq_printf(m, "%smode: %s, %u repeats, each >= %llu us, on CPU %d, %llu ms in all\n",
		   lead, b->quick ? "quick" : "full", b->repeats,
		   div_u64(b->min_repeat_ns, NSEC_PER_USEC), b->cpu,
		   div_u64(b->elapsed_ns, NSEC_PER_MSEC));
	seq_printf(m, "%sempty loop: %s ns per operation, subtracted from every case\n",
		   lead, kd_ns(ns, sizeof(ns), b->empty_ps));
	seq_printf(m, "%spages: %lu allocated, %lu freed\n", lead,
		   b->pages_allocated, b->pages_freed);
	if (b->dma_dev[0])
		seq_printf(m, "%sdma: device %s, %u-bit DMA mask; the dma rows' pattern says how it reaches the memory (direct, swiotlb, iommu)\n",
			   lead, b->dma_dev, b->dma_bits);
	else
		seq_printf(m, "%sdma: no DMA demo device (make run and make bench have one): no dma rows\n",
			   lead);
}

/*
 * A case whose median is not above the empty loop was too fast to tell
 * apart from the loop on this clock (or the machine stalled more while it
 * ran than while the loop did): its figures are clamped to 0, which must
 * not read as "free".  The table marks the row, the CSV adds a note line
 * under it (columns stay as they are, for the scripts that read them).
 */
#define KD_BELOW_NOTE	"median not above the empty loop: too fast to tell apart on this clock, 0 means unmeasured, not free"

static bool kd_bench_below(const struct kd_bench *b,
			   const struct kd_bench_row *r)
{
	return !r->err && !r->what->zero_line && r->raw_med_ps <= b->empty_ps;
}

static const char *kd_pattern(const struct kd_bench_row *r)
{
	if (r->how)
		return r->how;	/* a DMA pair: how the device reaches it */
	if (r->what->bulk)
		return "bulk";
	return r->batch > 1 ? "batch" : "pair";
}

/* One case: a row of the table, or a line of the CSV. */
static void kd_bench_row_show(struct seq_file *m, const struct kd_bench *b,
			      const struct kd_bench_row *r, bool csv)
{
	char lo[24], med[24], hi[24], raw[24];
	bool below = kd_bench_below(b, r);

	kd_ns(lo, sizeof(lo), r->min_ps);
	kd_ns(med, sizeof(med), r->med_ps);
	kd_ns(hi, sizeof(hi), r->max_ps);
	kd_ns(raw, sizeof(raw), r->raw_med_ps);
	if (csv) {
		seq_printf(m, "%s,%s,%lu,%u,%u,%lu,%u,%s,%s,%s,%s,%llu,%d\n",
			   r->what->name, kd_pattern(r), r->size, r->order,
			   r->batch, r->loops, r->repeats, lo, med, hi, raw,
			   r->cycles, r->err);
		if (below)
			seq_puts(m, "# ^ " KD_BELOW_NOTE "\n");
		return;
	}
	seq_printf(m, "%-18s %-7s %10lu %5u ", r->what->name, kd_pattern(r),
		   r->size, r->batch);
	if (r->err) {
		seq_printf(m, "failed: error %d\n", r->err);
		return;
	}
	seq_printf(m, "%9lu %7u %12s %12s %12s ", r->loops, r->repeats, lo,
		   med, hi);
	if (r->cycles)
		seq_printf(m, "%9llu", r->cycles);
	else
		seq_puts(m, "        -");
	seq_puts(m, below ? "  <- " KD_BELOW_NOTE "\n" : "\n");
}

/*
 * The same run twice: a table for people (its header as lines, a line of
 * column names) and CSV for scripts (the header as "# " comments).
 */
static int kd_bench_show(struct seq_file *m, bool csv)
{
	const struct kd_bench *b = kd_bench_get();
	unsigned int i;

	if (IS_ERR(b))
		return PTR_ERR(b);
	if (!b) {
		if (!csv)
			seq_puts(m, "no results yet: echo bench > /proc/kmem_demo (as root)\n");
		goto out;
	}
	kd_bench_header(m, b, csv ? "# " : "");
	if (csv)
		seq_puts(m, "allocator,pattern,size,order,batch,loops,repeats,min_ns,median_ns,max_ns,raw_median_ns,cycles,error\n");
	else
		seq_printf(m, "\n%-18s %-7s %10s %5s %9s %7s %12s %12s %12s %9s\n",
			   "allocator", "pattern", "size", "batch", "loops",
			   "repeats", "min_ns", "median_ns", "max_ns", "cycles");
	for (i = 0; i < b->nr_rows; i++)
		kd_bench_row_show(m, b, &b->rows[i], csv);
out:
	kd_bench_put();
	return 0;
}

int kd_bench_show_table(struct seq_file *m, void *v)
{
	return kd_bench_show(m, false);
}

int kd_bench_show_csv(struct seq_file *m, void *v)
{
	return kd_bench_show(m, true);
}
