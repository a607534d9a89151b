// SPDX-License-Identifier: GPL-2.0
/*
 * kmem_demo: pure helpers.  Nothing here allocates or touches kernel state,
 * so the KUnit suite (kunit.c) can test every line of it.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "pure.h"

/*
 * kstrtoul() takes decimal, 0x-hex or 0-octal, allows one trailing newline,
 * and rejects signs, blanks and junk ("-1", "4k", "": -EINVAL).  A number
 * too big for the type is -ERANGE, like one outside [min, max]: it is never
 * silently wrapped.
 */
int kd_parse_bounded(const char *val, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	unsigned long v;
	int ret;

	if (!val)
		return -EINVAL;
	ret = kstrtoul(val, 0, &v);
	if (ret)
		return ret == -ERANGE ? -ERANGE : -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

void kd_runs_add(struct kd_runs *r, unsigned long pfn)
{
	if (r->pages && pfn == r->last + 1) {
		r->cur++;
	} else {
		r->runs++;
		r->cur = 1;
	}
	r->longest = max(r->longest, r->cur);
	r->last = pfn;
	r->pages++;
}

/*
 * A vmalloc area can be thousands of runs: past @max, runs are still
 * counted in @sum (so the totals stay exact) but no longer stored.
 */
void kd_frames_add(struct kd_frames *f, unsigned long pfn)
{
	bool joins = f->sum.pages && pfn == f->sum.last + 1;

	kd_runs_add(&f->sum, pfn);
	if (!f->run)
		return;
	if (joins && f->listed && f->sum.runs == f->listed)
		f->run[f->listed - 1].pages++;
	else if (!joins && f->listed < f->max)
		f->run[f->listed++] = (struct kd_run){ .pfn = pfn, .pages = 1 };
}

/*
 * The rule slab uses for SLAB_HWCACHE_ALIGN: start from a cache line and
 * halve it while two objects would still fit, so small objects are not
 * padded to a whole line; never below the size of a pointer.
 */
unsigned int kd_hwcache_align(unsigned int size, unsigned int line)
{
	unsigned int align = line;

	while (align > sizeof(void *) && size <= align / 2)
		align /= 2;
	return max_t(unsigned int, align, sizeof(void *));
}

unsigned int kd_slot_size(unsigned int size, unsigned int align)
{
	return ALIGN(size, align);
}

int kd_fmt_size(char *buf, size_t len, unsigned long bytes)
{
	static const char * const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	unsigned long v = bytes;
	int i = -1;

	while (v >= 1024 && !(v % 1024) && i + 1 < (int)ARRAY_SIZE(unit)) {
		v /= 1024;
		i++;
	}
	if (i < 0)
		return scnprintf(buf, len, "%lu", bytes);
	return scnprintf(buf, len, "%lu (%lu %s)", bytes, v, unit[i]);
}

size_t kd_kmalloc_class(size_t size, size_t min)
{
	if (size > 64 && size <= 96 && min <= 32)
		return 96;
	if (size > 128 && size <= 192 && min <= 64)
		return 192;
	return roundup_pow_of_two(max3(size, min, (size_t)8));
}

int kd_kmalloc_name(char *buf, size_t len, const char *prefix, size_t class)
{
	if (class < SZ_1K || class % SZ_1K)
		return scnprintf(buf, len, "%s%zu", prefix, class);
	if (class < SZ_1M || class % SZ_1M)
		return scnprintf(buf, len, "%s%zuk", prefix, class / SZ_1K);
	return scnprintf(buf, len, "%s%zuM", prefix, class / SZ_1M);
}

void kd_parts_add(struct kd_parts *p, const char *key, size_t bytes,
		  const char *fmt, ...)
{
	struct kd_part *part;
	va_list args;

	if (!bytes || p->n >= KD_PARTS_MAX)
		return;
	part = &p->part[p->n++];
	part->key = key;
	part->bytes = bytes;
	va_start(args, fmt);
	vscnprintf(part->why, sizeof(part->why), fmt, args);
	va_end(args);
}

size_t kd_parts_sum(const struct kd_parts *p)
{
	size_t sum = 0;
	unsigned int i;

	for (i = 0; i < p->n; i++)
		sum += p->part[i].bytes;
	return sum;
}

void kd_slack_kmalloc(struct kd_parts *p, size_t requested, size_t reserved,
		      size_t min, bool kept)
{
	size_t natural = kd_kmalloc_class(requested, 8);
	size_t here = kd_kmalloc_class(requested, min);

	memset(p, 0, sizeof(*p));
	if (reserved < requested)
		return;
	/* Each step only up to what was reserved: the sum stays exact. */
	natural = clamp(natural, requested, reserved);
	here = clamp(here, natural, reserved);
	kd_parts_add(p, "slack_class", natural - requested,
		     "kmalloc rounds %zu up to its size class %zu", requested,
		     natural);
	kd_parts_add(p, "slack_align", here - natural,
		     "no class under %zu here: KMALLOC_MIN_SIZE, the DMA alignment",
		     min);
	if (kept)
		kd_parts_add(p, "slack_kept", reserved - here,
			     "krealloc kept the %zu-byte slot it had: a smaller size does not move",
			     reserved);
	else
		kd_parts_add(p, "slack_other", reserved - here,
			     "ksize() says %zu, the size classes %zu: not explained",
			     reserved, here);
}
