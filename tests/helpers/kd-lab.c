// SPDX-License-Identifier: GPL-2.0
/*
 * kd-lab: drive the kmem_demo lab from the guest tests.
 *
 *   kd-lab write [-e] [-f] LINE...   one write() of the lines, each ended by
 *                                    '\n' (a short one is followed by a
 *                                    write() of the rest); prints "ok" or
 *                                    the errno name.
 *                                    -s: first print what the first write()
 *                                    returned ("wrote N of M", -1 for an
 *                                    error).
 *                                    -e: LINE may hold \n \t \0 \\ \xHH.
 *                                    -f: fault injection targets this write
 *                                    (/proc/self/make-it-fail).
 *                                    -n N: fail the Nth allocation of the
 *                                    write (fail-nth); prints "injected" or
 *                                    "not-injected" after the result.
 *                                    -c: without CAP_SYS_ADMIN (still uid 0)
 *                                    -U: as root of a new user namespace
 *   kd-lab read [-c] [-U] FILE       open FILE read-only (-c, -U: as for
 *                                    write) and copy it to stdout; prints
 *                                    the errno name if open() fails
 *   kd-lab writer SEED SECONDS       random valid commands and frees
 *   kd-lab reader SECONDS [PAUSE_MS] whole reads, each one checked
 *   kd-lab fuzz SEED COUNT [FAILPCT] valid, mutated and random commands;
 *                                    FAILPCT % of them under fault injection
 *   kd-lab mfuzz SEED SECONDS        random mmap, munmap (whole and in
 *                                    part), mremap, mprotect, madvise,
 *                                    fork, reads and writes through the
 *                                    mappings, fill, check, free and pin
 *                                    of the writer's own memory
 *
 * writer, reader, fuzz and mfuzz print one summary line and exit 1 on anything
 * the lab's contract does not allow: an undocumented errno, a write that
 * returns a wrong count, a malformed or partial report.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#define PROC "/proc/kmem_demo"
#define LINE_MAX_LAB 256

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case E2BIG: return "E2BIG";
	case ENOSPC: return "ENOSPC";
	case ENOMEM: return "ENOMEM";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINTR: return "EINTR";
	case EBUSY: return "EBUSY";
	case ERANGE: return "ERANGE";
	case ENODEV: return "ENODEV";
	case EIO: return "EIO";
	case EBADMSG: return "EBADMSG";
	case EFAULT: return "EFAULT";
	default: return strerror(e);
	}
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* xorshift64*: a fixed seed gives the same commands on every kernel. */
static unsigned long long rng;

static unsigned long long rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned long pick(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Fault injection for this task.  The control files are opened before the
 * write, so that nothing but the write itself runs while failures are armed:
 * an open() would fail too, and a user page fault that fails is retried
 * forever.
 */
static int fail_fd = -1;

static void make_it_fail(int on)
{
	if (fail_fd < 0)
		fail_fd = open("/proc/self/make-it-fail", O_WRONLY);
	if (fail_fd < 0)
		die("make-it-fail: %s (kernel without fault injection?)", strerror(errno));
	if (pwrite(fail_fd, on ? "1" : "0", 1, 0) != 1)
		die("make-it-fail: %s", strerror(errno));
}

/* The lab's file, opened once: writes need no new open(). */
static int lab_fd = -1;

static int lab_open(void)
{
	if (lab_fd < 0)
		lab_fd = open(PROC, O_WRONLY);
	return lab_fd < 0 ? errno : 0;
}

/* What the first write() of the last lab_write() returned (-1: failed). */
static ssize_t first_count = -1;

/*
 * Write @len bytes of whole lines as a shell does: a short write (some
 * lines ran, a later one failed) is followed by a write() of the rest,
 * whose error is the result.  Returns 0 or the errno.  A short count that
 * does not end on a line, or a zero count, is a breach of the contract.
 */
static int lab_write(const char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	if (lab_open())
		return errno;
	first_count = -1;
	while (done < len) {
		n = write(lab_fd, buf + done, len - done);
		if (first_count < 0)
			first_count = n;
		if (n < 0)
			return errno;
		/* A short count ends after a whole line; a full one may not. */
		if (n == 0 || (size_t)n > len - done ||
		    ((size_t)n < len - done && buf[done + n - 1] != '\n'))
			die("write of %zu bytes returned %zd", len - done, n);
		done += n;
	}
	return 0;
}

/* Decode \n \t \0 \\ \xHH in place; returns the length. */
static size_t unescape(char *s)
{
	char *o = s, *i = s;

	while (*i) {
		if (*i != '\\' || !i[1]) {
			*o++ = *i++;
			continue;
		}
		i++;
		switch (*i) {
		case 'n': *o++ = '\n'; i++; break;
		case 't': *o++ = '\t'; i++; break;
		case '0': *o++ = '\0'; i++; break;
		case 'x': {
			char hex[3] = { i[1], i[1] ? i[2] : 0, 0 };

			*o++ = (char)strtoul(hex, NULL, 16);
			i += 1 + strlen(hex);
			break;
		}
		default: *o++ = *i++;
		}
	}
	return o - s;
}

/* Drop CAP_SYS_ADMIN from the effective and permitted sets. */
static void drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		die("capget: %s", strerror(errno));
	d[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, d))
		die("capset: %s", strerror(errno));
}

/* Become root of a new user namespace: every capability, but only there. */
static void new_userns(void)
{
	int fd;

	if (unshare(CLONE_NEWUSER)) {
		/* Not a failure of the lab: the kernel has no user namespaces. */
		printf("no user namespaces: %s\n", strerror(errno));
		exit(3);
	}
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, "0 0 1", 5) != 5)
		die("uid_map: %s", strerror(errno));
	close(fd);
}

static int cmd_write(int argc, char **argv)
{
	int esc = 0, fail = 0, nocap = 0, userns = 0, nth = 0, nth_fd = -1, i, e;
	int count = 0;
	char left[16] = "";
	size_t len = 0, n;
	char *buf = NULL;

	for (i = 0; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "-e"))
			esc = 1;
		else if (!strcmp(argv[i], "-f"))
			fail = 1;
		else if (!strcmp(argv[i], "-c"))
			nocap = 1;
		else if (!strcmp(argv[i], "-U"))
			userns = 1;
		else if (!strcmp(argv[i], "-s"))
			count = 1;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			nth = atoi(argv[++i]);
		else
			break;
	}
	for (; i < argc; i++) {
		n = esc ? unescape(argv[i]) : strlen(argv[i]);
		buf = realloc(buf, len + n + 1);
		if (!buf)
			die("out of memory");
		memcpy(buf + len, argv[i], n);
		len += n;
		buf[len++] = '\n';
	}
	if (nocap)
		drop_sys_admin();
	if (userns)
		new_userns();
	e = lab_open();
	if (!e && nth) {
		nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
		if (nth_fd < 0 || dprintf(nth_fd, "%d", nth) < 0)
			die("fail-nth: %s (kernel without fault injection?)", strerror(errno));
	}
	if (!e && fail)
		make_it_fail(1);
	if (!e)
		e = lab_write(buf, len);
	if (fail)
		make_it_fail(0);
	if (count)
		printf("wrote %zd of %zu\n", first_count, len);
	if (nth_fd >= 0) {
		/* 0 left: the Nth allocation was reached and failed. */
		if (pread(nth_fd, left, sizeof(left) - 1, 0) < 0)
			die("fail-nth: %s", strerror(errno));
		if (dprintf(nth_fd, "0") < 0)
			die("fail-nth: %s", strerror(errno));
		printf("%s %s\n", errname(e), atoi(left) ? "not-injected" : "injected");
	} else {
		printf("%s\n", errname(e));
	}
	free(buf);
	return e ? 1 : 0;
}

static int cmd_read(int argc, char **argv)
{
	char buf[4096];
	ssize_t n;
	int fd, i;

	for (i = 0; i < argc - 1; i++) {
		if (!strcmp(argv[i], "-c"))
			drop_sys_admin();
		else if (!strcmp(argv[i], "-U"))
			new_userns();
		else
			die("kd-lab read: unknown option %s", argv[i]);
	}
	if (argc < 1)
		die("usage: kd-lab read [-c] [-U] FILE");
	fd = open(argv[argc - 1], O_RDONLY);
	if (fd < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			die("stdout: %s", strerror(errno));
	if (n < 0)
		die("read: %s", strerror(errno));
	close(fd);
	return 0;
}

static const char *const flags[] = {
	"GFP_KERNEL", "GFP_ATOMIC", "GFP_NOWAIT", "GFP_NOIO", "GFP_NOFS",
	"GFP_USER", "GFP_DMA", "GFP_DMA32", "__GFP_DMA", "__GFP_DMA32",
	"__GFP_HIGHMEM", "__GFP_ZERO", "__GFP_NOWARN", "__GFP_NORETRY",
	"__GFP_RETRY_MAYFAIL", "__GFP_NOFAIL", "__GFP_COMP", "__GFP_HIGH",
	"__GFP_ACCOUNT", "__GFP_NOMEMALLOC", "__GFP_THISNODE",
};

#define NFLAGS (sizeof(flags) / sizeof(flags[0]))

/* A size that keeps the run quick: mostly small, sometimes a few pages. */
static unsigned long some_size(void)
{
	switch (pick(8)) {
	case 0: return 1 + pick(8);
	case 1: return 1 + pick(256);
	case 2: return 1 + pick(8192);
	case 3: return 4096UL << pick(5);
	case 4: return 1 + pick(65536);
	default: return 1 + pick(4096);
	}
}

static int some_flags(char *out, size_t len, int anything)
{
	int n = 1 + pick(3), k = 0, i;

	out[0] = 0;
	if (!anything) {	/* always accepted */
		static const char *const ok[] = {
			"GFP_KERNEL", "GFP_KERNEL|__GFP_ZERO", "GFP_USER",
			"GFP_KERNEL|__GFP_NOWARN", "GFP_KERNEL|__GFP_NORETRY",
		};
		return snprintf(out, len, "%s", ok[pick(5)]);
	}
	for (i = 0; i < n; i++)
		k += snprintf(out + k, len - k, "%s%s", i ? "|" : "",
			      flags[pick(NFLAGS)]);
	return k;
}

/*
 * " node=N" after an allocating command, now and then: node 0 always
 * exists; @anything adds node 1 (which only a NUMA machine has) and names
 * of no node at all.
 */
static const char *some_node(int anything)
{
	static const char *const any[] = {
		" node=0", " node=1", " node=99", " node=-1", " node=x", " node=",
		" node=0x1",
	};

	if (pick(4))
		return "";
	return anything ? any[pick(sizeof(any) / sizeof(any[0]))] : " node=0";
}

/*
 * " ctx=C" last of all, now and then: only process context when the
 * flags are the always-accepted ones (they may sleep); @anything adds
 * the other contexts, and a name of none.
 */
static const char *some_ctx(int anything)
{
	static const char *const any[] = {
		" ctx=process", " ctx=atomic", " ctx=softirq", " ctx=hardirq",
		" ctx=irq",
	};

	if (pick(3))
		return "";
	return anything ? any[pick(sizeof(any) / sizeof(any[0]))] : " ctx=process";
}

/*
 * A dma command of the lab.  dma xfer is rare: the device takes about
 * 100 ms a transfer.  dma mask only with widths no machine allows, so that
 * the mask stays the device's.
 */
static int dma_cmd(char *out, size_t len, unsigned long max_id)
{
	static const char *const dir[] = {
		"", " to_device", " from_device", " bidirectional",
	};
	unsigned long id = 1 + pick(max_id + 1);

	switch (pick(6)) {
	case 0:
		return snprintf(out, len, "dma coherent %lu", some_size());
	case 1:
	case 2:
		return snprintf(out, len, "dma map %lu%s%s", id, dir[pick(4)],
				pick(4) ? "" : " single");
	case 3:
	case 4:
		if (!pick(40))
			return snprintf(out, len, "dma xfer %lu", id);
		return snprintf(out, len, "dma unmap %lu", id);
	default:
		return snprintf(out, len, "dma mask %s", pick(2) ? "0" : "65");
	}
}

/*
 * One of the kmalloc helpers, or per-CPU memory; @anything adds an N x SIZE that wraps (the
 * helper's own NULL, ENOMEM) and sizes past KMALLOC_MAX_SIZE.
 */
static int helper_cmd(char *out, size_t len, int anything, const char *fl,
		      const char *node, const char *ctx)
{
	static const char *const arr[] = { "kcalloc", "kmalloc_array" };
	const char *sp = *fl ? " " : "";

	if (anything && !pick(8))
		return snprintf(out, len, "%s %s %s%s%s%s%s", arr[pick(2)],
				pick(2) ? "0x100000000" : "1024", pick(2) ? "4G" : "1M",
				sp, fl, node, ctx);
	switch (pick(6)) {
	case 0:
		return snprintf(out, len, "kzalloc %lu%s%s%s%s", some_size(), sp, fl,
				node, ctx);
	case 5:
		/* A pool: COUNT and SIZE, no flags. */
		return snprintf(out, len, "mempool %lu %lu", 1 + pick(anything ? 300 : 8),
				1 + pick(4096));
	case 4:
		/* The DMA demo device's driver's memory (the device is bound). */
		return snprintf(out, len, "devm_kzalloc %lu%s%s", some_size(), sp, fl);
	case 3:
		/* Per-CPU memory: SIZE alone, at most 32 KiB. */
		return snprintf(out, len, "percpu %lu", 1 + pick(anything ? 40000 : 4096));
	case 1:
		return snprintf(out, len, "%s %lu %lu%s%s%s%s", arr[pick(2)],
				1 + pick(16), 1 + pick(4096), sp, fl, node, ctx);
	default:
		/* kzalloc_flex takes no node=. */
		return snprintf(out, len, "kzalloc_flex %lu%s%s%s", pick(1024), sp, fl,
				anything ? node : "");
	}
}

/* A command line the lab accepts (@anything: with any flag combination). */
static int valid_cmd(char *out, size_t len, int anything, unsigned long max_id)
{
	char fl[128];
	int with = pick(2);
	const char *node = some_node(anything), *ctx = some_ctx(anything);

	some_flags(fl, sizeof(fl), anything);
	/* Now and then, the limits: E2BIG, ENOSPC, orders up to 15. */
	if (anything && !pick(10)) {
		static const char *const op[] = { "kmalloc", "vmalloc", "kvmalloc" };
		static const char *const unit[] = { "", "K", "M", "G" };

		if (pick(4))
			return snprintf(out, len, "%s %lu%s%s%s%s%s", op[pick(3)],
					1 + pick(4096), unit[pick(4)],
					with ? " " : "", with ? fl : "", node, ctx);
		return snprintf(out, len, "pages %lu%s%s%s%s", pick(16),
				with ? " " : "", with ? fl : "", node, ctx);
	}
	switch (pick(anything ? 10 : 8)) {
	case 0:
		return snprintf(out, len, "kmalloc %lu%s%s%s%s", some_size(),
				with ? " " : "", with ? fl : "", node, ctx);
	case 1:
		/* With node=, vmalloc takes GFP_KERNEL or nothing (vmalloc_node()). */
		if (!anything && *node)
			return snprintf(out, len, "vmalloc %lu%s%s", some_size(), node, ctx);
		return snprintf(out, len, "vmalloc %lu%s%s%s%s", some_size(),
				with ? " " : "", with ? fl : "", node, ctx);
	case 2:
		return snprintf(out, len, "kvmalloc %lu%s%s%s%s", some_size(),
				with ? " " : "", with ? fl : "", node, ctx);
	case 3:
		return snprintf(out, len, "pages %lu%s%s%s%s", pick(4),
				with ? " " : "", with ? fl : "", node, ctx);
	case 4:
		return snprintf(out, len, "cache %lu%s%s%s%s", 1 + pick(64),
				with ? " " : "", with ? fl : "", node, ctx);
	case 5:
		/*
		 * Any ID: what kmalloc or vmalloc did not give is kfree_rcu's
		 * EINVAL, what is no pool mempool_alloc's and mempool_free's.
		 */
		switch (pick(8)) {
		case 0:
			return snprintf(out, len, "kfree_rcu %lu", 1 + pick(max_id + 1));
		case 1:
			return snprintf(out, len, "mempool_alloc %lu%s%s%s", 1 + pick(max_id + 1),
					with ? " " : "", with ? fl : "", ctx);
		case 2:
			return snprintf(out, len, "mempool_free %lu", 1 + pick(max_id + 1));
		default:
			return snprintf(out, len, "free %lu", 1 + pick(max_id + 1));
		}
	case 6:
		return helper_cmd(out, len, anything, with ? fl : "", node, ctx);
	case 7:
		/* Any ID: one that kmalloc did not give is EINVAL. */
		return snprintf(out, len, "krealloc %lu %lu%s%s", 1 + pick(max_id + 1),
				pick(anything ? 8200 : 8192) + !anything, with ? " " : "",
				with ? fl : "");
	case 8:
		return dma_cmd(out, len, max_id);
	default:
		return snprintf(out, len, "free all");
	}
}

/* A valid command with a few bytes changed, inserted, dropped or cut. */
static int mutated_cmd(char *out, size_t len, unsigned long max_id)
{
	static const char junk[] = " \t|x0K-\n\\\0\xff";
	int n = valid_cmd(out, len, 1, max_id), k, m = 1 + pick(3);
	int i;

	for (k = 0; k < m && n > 0; k++) {
		i = pick(n);
		switch (pick(4)) {
		case 0:
			out[i] = pick(2) ? junk[pick(sizeof(junk))] : (char)pick(256);
			break;
		case 1:
			if ((size_t)n + 1 < len) {
				memmove(out + i + 1, out + i, n - i);
				out[i] = junk[pick(sizeof(junk))];
				n++;
			}
			break;
		case 2:
			memmove(out + i, out + i + 1, n - i - 1);
			n--;
			break;
		default:
			n = i;
		}
	}
	return n;
}

static int random_bytes(char *out, size_t len)
{
	int n = pick(len < 300 ? len : 300), i;

	for (i = 0; i < n; i++)
		out[i] = (char)pick(256);
	return n;
}

/*
 * Documented errors @line may get; anything else is a failure.  EIO is the
 * kernel's answer to a mask it refuses, and the lab's to a transfer whose
 * bytes came out changed: allowed for dma mask only; EBADMSG is check's
 * answer to a byte that differs, EFAULT pin's to memory the writer cannot
 * pin.
 */
static int allowed(int e, const char *line)
{
	line += strspn(line, " \t");
	return e == 0 || e == EINVAL || e == E2BIG || e == ENOSPC ||
	       e == ENOMEM || e == ENOENT || e == EBUSY || e == ERANGE ||
	       (e == EIO && !strncmp(line, "dma mask ", 9)) ||
	       (e == EBADMSG && !strncmp(line, "check ", 6)) ||
	       (e == EFAULT && !strncmp(line, "pin ", 4));
}

/* The whole report, NUL-terminated, in a buffer of its own ("" if none). */
static char *read_report(void)
{
	static char buf[1 << 20];
	ssize_t len = 0, r;
	int fd = open(PROC, O_RDONLY);

	if (fd >= 0) {
		while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
			len += r;
		close(fd);
	}
	buf[len] = 0;
	return buf;
}

/* A random live experiment's ID from the report, 0 when there is none. */
static unsigned long some_live_id(void)
{
	unsigned long ids[4096], n = 0, id;
	char *p;

	for (p = read_report(); (p = strstr(p, "\n[lab ")) && n < 4096; p++)
		if (sscanf(p, "\n[lab %lu]", &id) == 1)
			ids[n++] = id;
	return n ? ids[pick(n)] : 0;
}

static int cmd_writer(unsigned long long seed, double secs)
{
	char line[LINE_MAX_LAB + 2];
	unsigned long n = 0, ok = 0, other = 0;
	double end = now() + secs;
	int len, e;

	rng = seed ? seed : 1;
	while (now() < end) {
		len = valid_cmd(line, sizeof(line) - 1, 0, 200 + n / 2);
		line[len++] = '\n';
		e = lab_write(line, len);
		n++;
		/* Full: free a live one, so the lab keeps changing. */
		if (e == ENOSPC) {
			len = snprintf(line, sizeof(line), "free %lu\n", some_live_id());
			e = lab_write(line, len);
			n++;
		}
		if (!e)
			ok++;
		else if (e == ENOMEM || e == ENOENT)
			other++;	/* no memory, or freed by another writer */
		else if ((e == EINVAL || e == EBUSY) && (!strncmp(line, "krealloc ", 9) ||
							 !strncmp(line, "kfree_rcu ", 10) ||
							 !strncmp(line, "mempool_", 8)))
			other++;	/* not kmalloc's or a pool, mapped, empty */
		else if (e == EBUSY && !strncmp(line, "free ", 5))
			other++;	/* kfree_rcu()'d, waiting for a grace period */
		else {
			printf("writer: \"%.*s\" got %s\n", len - 1, line, errname(e));
			return 1;
		}
	}
	printf("writer seed=%llu: %lu commands, %lu done, %lu ENOMEM, ENOENT, EINVAL/EBUSY of krealloc, kfree_rcu, mempool_*\n",
	       seed, n, ok, other);
	return 0;
}

/*
 * A report is whole when: it starts with the header, every section's first
 * field follows its "[name]" line and its last one says how it is mapped
 * ("mmap:", or "refused:", then "mapped:" while a process maps it; then
 * its items, if any), and the lab sections carry id/command/allocator with
 * the id of their title, in increasing order.
 */
static const char *check_report(char *buf, size_t len)
{
	static char why[160];
	unsigned long last_id = 0, id;
	int in_section = 0, seen_end = 1, lab = 0, fields = 0;
	char *line, *save = NULL;

	if (len == 0 || buf[len - 1] != '\n')
		return "empty, or not ending with a newline";
	buf[len] = 0;
	if (strncmp(buf, "kmem_demo ", 10))
		return "no header";
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '[') {
			if (in_section && !seen_end)
				return "a section without its mmap: or refused: line";
			in_section = 1;
			seen_end = 0;
			fields = 0;
			lab = sscanf(line, "[lab %lu]", &id) == 1;
			if (lab) {
				if (id <= last_id) {
					snprintf(why, sizeof(why), "lab %lu after lab %lu", id, last_id);
					return why;
				}
				last_id = id;
			}
			continue;
		}
		/*
		 * A section's items: the cache's objects, the DMA pool's
		 * blocks, per-CPU memory's copies, a mempool's elements.
		 */
		if (!in_section || !strncmp(line, "object ", 7) ||
		    !strncmp(line, "block ", 6) || !strncmp(line, "copy cpu", 8) ||
		    !strncmp(line, "element ", 8))
			continue;
		if (seen_end && strncmp(line, "mapped:", 7)) {
			snprintf(why, sizeof(why), "line after mmap: \"%.60s\"", line);
			return why;
		}
		fields++;
		if (lab && fields == 1 && (sscanf(line, "id: %lu", &id) != 1 || id != last_id))
			return "lab section without its id first";
		if (lab && fields == 2 && strncmp(line, "command:", 8))
			return "lab section without command:";
		if (lab && fields == 3 && strncmp(line, "allocator:", 10))
			return "lab section without allocator:";
		if (!strncmp(line, "mmap:", 5) || !strncmp(line, "refused:", 8))
			seen_end = 1;
	}
	if (!seen_end)
		return "last section cut short";
	return NULL;
}

static int cmd_reader(double secs, int pause_ms)
{
	static char buf[8 << 20];
	unsigned long reads = 0, gone = 0;
	double end = now() + secs;
	const char *bad;
	size_t len;
	ssize_t n;
	int fd;

	while (now() < end) {
		fd = open(PROC, O_RDONLY);
		if (fd < 0) {
			if (errno != ENOENT) {
				printf("reader: open: %s\n", strerror(errno));
				return 1;
			}
			gone++;
			continue;
		}
		len = 0;
		while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
			len += n;
		close(fd);
		if (n < 0) {
			printf("reader: read: %s\n", strerror(errno));
			return 1;
		}
		bad = check_report(buf, len);
		if (bad) {
			printf("reader: malformed report (%zu bytes): %s\n", len, bad);
			return 1;
		}
		reads++;
		if (pause_ms)
			usleep(pause_ms * 1000);
	}
	printf("reader: %lu whole reports checked, %lu times not there\n", reads, gone);
	return reads ? 0 : 1;
}

static int cmd_fuzz(unsigned long long seed, unsigned long count, unsigned int failpct)
{
	char line[2 * LINE_MAX_LAB];
	unsigned long i, tally[6] = { 0 }, faulted = 0;
	int len, e, k, fail = 0;
	double t0 = now();

	rng = seed ? seed : 1;
	for (i = 0; i < count; i++) {
		/* Fault injection in runs of 100 commands, FAILPCT % of them. */
		if (failpct && i % 100 == 0) {
			int want = pick(100) < failpct;

			if (want != fail)
				make_it_fail(want);
			fail = want;
		}
		if (i % 250 == 249) {
			len = snprintf(line, sizeof(line), "free all\n");
		} else {
			switch (pick(10)) {
			case 0: case 1: case 2: case 3:
				len = valid_cmd(line, sizeof(line) - 1, 1, 50 + i);
				line[len++] = '\n';
				break;
			case 4: case 5: case 6:
				len = mutated_cmd(line, sizeof(line) - 1, 50 + i);
				break;
			default:
				len = random_bytes(line, sizeof(line));
			}
		}
		if (len <= 0)
			continue;
		/*
		 * No dma command under fault injection: DMA-API debug turns
		 * itself off for good when an allocation of its own fails
		 * ("cacheline tracking ENOMEM"), and the rest would go unchecked.
		 */
		if (fail && memmem(line, len, "dma", 3))
			continue;
		e = lab_write(line, len);
		if (!allowed(e, line)) {
			if (fail)
				make_it_fail(0);
			printf("fuzz: command %lu (%d bytes) got %s\n", i, len, errname(e));
			return 1;
		}
		k = e == 0 ? 0 : e == EINVAL ? 1 : e == E2BIG ? 2 : e == ENOSPC ? 3 :
		    e == ENOMEM ? 4 : 5;
		tally[k]++;
		faulted += fail;
	}
	if (fail)
		make_it_fail(0);
	printf("fuzz seed=%llu: %lu commands in %.1f s (%lu under fault injection): "
	       "%lu done, %lu EINVAL, %lu E2BIG, %lu ENOSPC, %lu ENOMEM, %lu ENOENT\n",
	       seed, count, now() - t0, faulted, tally[0], tally[1], tally[2],
	       tally[3], tally[4], tally[5]);
	return 0;
}

/* ---- mfuzz: mappings of /dev/kmem_demo against the lab ---- */

#define DEV "/dev/kmem_demo"
#define MAPS_MAX 8

static struct mapping {
	unsigned char *p;
	size_t len;
} maps[MAPS_MAX];
static long page_size;

/* A random mappable section's offset and pages, from the report; 0 if none. */
static unsigned long long some_offset(unsigned long *pages)
{
	unsigned long long offs[512], o;
	unsigned long n = 0, np[512], k;
	char *p;

	for (p = read_report(); (p = strstr(p, "\nmmap_offset: ")) && n < 512; p++)
		if (sscanf(p, "\nmmap_offset: %llx (/dev/kmem_demo, %lu", &o, &k) == 2) {
			offs[n] = o;
			np[n++] = k;
		}
	if (!n)
		return 0;
	k = pick(n);
	*pages = np[k];
	return offs[k];
}

/* Every byte of every mapping read, some written: none may fault. */
static void touch_all(void)
{
	volatile unsigned char sum = 0;
	size_t i, j;

	for (i = 0; i < MAPS_MAX; i++)
		for (j = 0; maps[i].p && j < maps[i].len; j += page_size) {
			sum += maps[i].p[j];
			if (pick(2))
				maps[i].p[j] = (unsigned char)pick(256);
		}
	(void)sum;
}

/* A random mapping of the device, its errors those documented. */
static int mfuzz_mmap(int dev)
{
	unsigned long pages = 0, first, n;
	unsigned long long off = some_offset(&pages);
	int prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED, i = pick(MAPS_MAX);
	void *p;

	if (!off || maps[i].p)
		return 0;
	first = pick(pages);
	n = 1 + pick(pages - first + (pick(8) ? 0 : 2));	/* now and then past the end */
	if (!pick(16))
		flags = MAP_PRIVATE;
	if (!pick(16))
		prot |= PROT_EXEC;
	p = mmap(NULL, n * page_size, prot, flags, dev, off + first * page_size);
	if (p == MAP_FAILED)
		return errno == EINVAL || errno == EPERM || errno == ENOMEM ? 0 : errno;
	if (flags != MAP_SHARED || prot & PROT_EXEC || first + n > pages)
		die("mfuzz: mmap of %lu pages at %#llx+%lu (%s%s) succeeded", n, off,
		    first, flags == MAP_SHARED ? "shared" : "private",
		    prot & PROT_EXEC ? ", exec" : "");
	maps[i].p = p;
	maps[i].len = n * page_size;
	return 0;
}

/* The rest of what a process may do to a mapping. */
static int mfuzz_vm(void)
{
	struct mapping *m = &maps[pick(MAPS_MAX)];
	void *q;
	pid_t pid;
	int st;

	if (!m->p)
		return 0;
	switch (pick(6)) {
	case 0:
		munmap(m->p, m->len);
		m->p = NULL;
		return 0;
	case 1:		/* its first page only: the rest is split off */
		munmap(m->p, page_size);
		m->p += page_size;
		m->len -= page_size;
		if (!m->len)
			m->p = NULL;
		return 0;
	case 2:		/* grow: refused; move: allowed */
		q = mremap(m->p, m->len, m->len + page_size, MREMAP_MAYMOVE);
		if (q != MAP_FAILED)
			die("mfuzz: mremap grew a mapping");
		q = mremap(m->p, m->len, m->len, MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			return errno;
		m->p = q;
		return 0;
	case 3:
		if (!mprotect(m->p, m->len, PROT_READ | PROT_EXEC))
			die("mfuzz: mprotect made a mapping executable");
		return errno == EACCES ? 0 : errno;
	case 4:		/* VM_PFNMAP refuses it; the others fault the pages back */
		if (madvise(m->p, m->len, MADV_DONTNEED) && errno != EINVAL)
			return errno;
		touch_all();
		return 0;
	default:
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			return errno;
		if (!pid) {
			touch_all();
			_exit(0);
		}
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			die("mfuzz: the child that touched the mappings ended with status %#x", st);
		return 0;
	}
}

/* A lab command; its errors those the lab documents for it. */
static int mfuzz_lab(void)
{
	static const char *const alloc[] = {
		"pages 0", "pages 2", "vmalloc_user 20000", "kmalloc 8192", "kmalloc 100",
	};
	char line[96];
	unsigned long id = some_live_id();
	void *own;
	int e;

	switch (pick(5)) {
	case 0:
		snprintf(line, sizeof(line), "%s\n", alloc[pick(5)]);
		break;
	case 1:
		snprintf(line, sizeof(line), "fill %lu %lu\n", id, pick(256));
		break;
	case 2:
		snprintf(line, sizeof(line), "check %lu %lu\n", id, pick(256));
		break;
	case 3:
		snprintf(line, sizeof(line), "free %lu\n", id);
		break;
	default:	/* its own memory, pinned, then unmapped: the pin holds it */
		own = mmap(NULL, 4 * page_size, PROT_READ | (pick(4) ? PROT_WRITE : 0),
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (own == MAP_FAILED)
			return errno;
		snprintf(line, sizeof(line), "pin %p %lu\n", own, 1 + pick(4 * page_size));
		e = lab_write(line, strlen(line));
		munmap(own, 4 * page_size);
		return e == 0 || e == EFAULT || e == ENOSPC || e == ENOMEM ? 0 : e;
	}
	e = lab_write(line, strlen(line));
	/* ENOENT: freed meanwhile; EINVAL: no run of bytes; EBADMSG: check. */
	return e == 0 || e == ENOENT || e == EINVAL || e == EBADMSG || e == EBUSY ||
	       e == ENOSPC || e == ENOMEM ? 0 : e;
}

static int cmd_mfuzz(unsigned long long seed, double secs)
{
	double end = now() + secs;
	unsigned long n = 0;
	int dev, e = 0, i;

	rng = seed ? seed : 1;
	page_size = sysconf(_SC_PAGESIZE);
	dev = open(DEV, O_RDWR);
	if (dev < 0)
		die("mfuzz: %s: %s", DEV, strerror(errno));
	while (!e && now() < end) {
		switch (pick(3)) {
		case 0:
			e = mfuzz_mmap(dev);
			break;
		case 1:
			e = mfuzz_vm();
			break;
		default:
			e = mfuzz_lab();
		}
		n++;
	}
	for (i = 0; i < MAPS_MAX; i++)
		if (maps[i].p)
			munmap(maps[i].p, maps[i].len);
	close(dev);
	if (e) {
		printf("mfuzz seed=%llu: step %lu got %s\n", seed, n, errname(e));
		return 1;
	}
	printf("mfuzz seed=%llu: %lu steps\n", seed, n);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "write"))
		return cmd_write(argc - 2, argv + 2);
	if (argc >= 3 && !strcmp(argv[1], "read"))
		return cmd_read(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "writer"))
		return cmd_writer(strtoull(argv[2], NULL, 0), atof(argv[3]));
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "reader"))
		return cmd_reader(atof(argv[2]), argc == 4 ? atoi(argv[3]) : 0);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "fuzz"))
		return cmd_fuzz(strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
				argc == 5 ? atoi(argv[4]) : 0);
	if (argc == 4 && !strcmp(argv[1], "mfuzz"))
		return cmd_mfuzz(strtoull(argv[2], NULL, 0), atof(argv[3]));
	die("usage: kd-lab write [-e] [-f] [-c] [-U] [-n N] LINE... | read [-c] [-U] FILE | "
	    "writer SEED SECONDS | reader SECONDS [PAUSE_MS] | fuzz SEED COUNT [FAILPCT] | "
	    "mfuzz SEED SECONDS");
	return 2;
}
