// SPDX-License-Identifier: GPL-2.0
/*
 * kd-mmap: map a kmem_demo region into this process and look at it.
 *
 *   kd-mmap [-p] [-x] [-o OFFSET] [-n PAGES] WHAT [ACTION...]
 *
 * WHAT is a section of /proc/kmem_demo: its title ("__get_free_pages") or
 * a lab ID ("3" for [lab 3]).  kd-mmap reads the section's mmap_offset:
 * there, opens /dev/kmem_demo (root) and maps the section's pages shared,
 * readable and writable.  Then the actions, in order:
 *
 *   show          the first bytes, and whether they are all the same
 *                 (the default when no action is given)
 *   fill BYTE     write BYTE into every byte the section asked for
 *   check BYTE    exit 1 unless every one of those bytes is BYTE
 *   frames        each page's frame, from /proc/self/pagemap (root)
 *   maps          the mapping's line of /proc/self/maps
 *   hold SECONDS  keep the mapping that long, or until SIGUSR1 (free,
 *                 rmmod or an unbind meanwhile)
 *   dontneed      madvise(MADV_DONTNEED): the pages leave the page table
 *   grow          mremap() to one page more
 *   exec          mprotect() adding PROT_EXEC
 *   fork          a child reads the first byte through the inherited
 *                 mapping, and holds it 1 s
 *   unmap-first   munmap() of the first page only
 *
 * -p maps it private, -x adds PROT_EXEC, -o and -n map OFFSET and PAGES
 * as given (default: the section's offset and all its pages).
 *
 *   kd-mmap -P LEN [-o OFFSET] [-r] [ACTION...]
 *
 * maps LEN bytes of anonymous memory of its own instead (-r: read-only)
 * and has the module pin them: it writes "pin ADDR LEN" to /proc/kmem_demo
 * itself, ADDR being OFFSET bytes into its memory, and prints the
 * experiment's ID; the actions then work on its own memory, which the
 * module's fill and check reach through the pin.
 *
 * Every step prints one line; a refusal prints the errno name.  A touch
 * of a page the kernel took away (the device's memory, revoked when the
 * device was unbound) prints SIGBUS and exits with status 3.  Build it
 * anywhere: cc -O2 -o kd-mmap tools/kd-mmap.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT	"/proc/kmem_demo"
#define DEVICE	"/dev/kmem_demo"

static long page;

static const char *err_name(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	case EBUSY: return "EBUSY";
	case ENOENT: return "ENOENT";
	case EAGAIN: return "EAGAIN";
	case E2BIG: return "E2BIG";
	case ENOSPC: return "ENOSPC";
	default: return strerror(e);
	}
}

static void die(const char *what)
{
	fprintf(stderr, "kd-mmap: %s: %s\n", what, strerror(errno));
	exit(2);
}

/*
 * The section's mmap offset and the bytes it asked for, from the report;
 * exits with its refused: line if it cannot be mapped.
 */
static void find_section(const char *what, uint64_t *off, uint64_t *bytes)
{
	char title[64], line[512];
	int in = 0, got = 0;
	FILE *f;

	if (strspn(what, "0123456789") == strlen(what))
		snprintf(title, sizeof(title), "[lab %s]", what);
	else
		snprintf(title, sizeof(title), "[%s]", what);
	f = fopen(REPORT, "r");
	if (!f)
		die(REPORT);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '[') {
			if (in)
				break;
			in = !strcmp(line, title);
		} else if (in && sscanf(line, "requested: %" SCNu64, bytes) == 1) {
			got |= 1;
		} else if (in && sscanf(line, "mmap_offset: %" SCNx64, off) == 1) {
			got |= 2;
		} else if (in && !strncmp(line, "refused:", 8)) {
			printf("%s: refused: %s\n", title, line + strspn(line + 8, " ") + 8);
			exit(1);
		}
	}
	fclose(f);
	if (got != 3) {
		fprintf(stderr, "kd-mmap: no section %s with mmap_offset: in %s\n",
			title, REPORT);
		exit(2);
	}
}

static int byte_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*end || v < 0 || v > 255) {
		fprintf(stderr, "kd-mmap: BYTE is 0 to 255: %s\n", s);
		exit(2);
	}
	return v;
}

static void show(const unsigned char *p, size_t len)
{
	size_t i, n = len < 16 ? len : 16, same = 1;

	printf("bytes:");
	for (i = 0; i < n; i++)
		printf(" %02x", p[i]);
	for (i = 1; i < len && same; i++)
		same = p[i] == p[0];
	printf("%s\n", same ? ", all the same" : ", not all the same");
}

/* Each page's frame number as /proc/self/pagemap says (bits 0-54). */
static void frames(const unsigned char *p, size_t len)
{
	size_t i, n = (len + page - 1) / page;
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		die("/proc/self/pagemap");
	for (i = 0; i < n; i++) {
		volatile unsigned char c = p[i * page];	/* present */

		(void)c;
		if (pread(fd, &e, sizeof(e), ((uintptr_t)p / page + i) * 8) != (ssize_t)sizeof(e))
			die("pagemap");
		if (!(e >> 63))
			printf("frame %zu: not present\n", i);
		else
			printf("frame %zu: pfn %#" PRIx64 "\n", i, e & (((uint64_t)1 << 55) - 1));
	}
	close(fd);
}

static void maps(const unsigned char *p)
{
	char line[512];
	uintptr_t lo, hi;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		die("/proc/self/maps");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &lo, &hi) == 2 &&
		    lo <= (uintptr_t)p && (uintptr_t)p < hi)
			printf("maps: %s", line);
	fclose(f);
}

/*
 * Has the module pin @len bytes at @p: the write runs in this process, so
 * the pages pinned are its own.  Prints the new experiment's ID.
 */
static int pin(const unsigned char *p, uint64_t len)
{
	char line[128], want[128];
	unsigned long id = 0, in = 0, n;
	int fd = open(REPORT, O_WRONLY);
	FILE *f;

	if (fd < 0) {
		printf("pin: %s\n", err_name(errno));
		return 1;
	}
	snprintf(line, sizeof(line), "pin %p %" PRIu64 "\n", (const void *)p, len);
	if (write(fd, line, strlen(line)) < 0) {
		printf("pin: %s\n", err_name(errno));
		close(fd);
		return 1;
	}
	close(fd);
	/* The newest experiment of this very command is ours. */
	snprintf(want, sizeof(want), "command:     pin %p %" PRIu64 "\n",
		 (const void *)p, len);
	f = fopen(REPORT, "r");
	if (!f)
		die(REPORT);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "[lab %lu]", &n) == 1)
			in = n;
		else if (in && !strcmp(line, want))
			id = in;
	}
	fclose(f);
	printf("pin: lab %lu, %" PRIu64 " bytes at %p\n", id, len, (const void *)p);
	return 0;
}

static void on_sigbus(int sig)
{
	static const char msg[] = "SIGBUS: no page behind the mapping any more (the kernel revoked it)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(4);
	_exit(3);
}

/* SIGUSR1 only ends a hold early. */
static void on_sigusr1(int sig)
{
	(void)sig;
}

static void result(const char *what, int ret)
{
	printf("%s: %s\n", what, ret ? err_name(errno) : "ok");
}

int main(int argc, char **argv)
{
	int opt, prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED, fd, i, status = 0;
	uint64_t off = 0, bytes = 0, pages = 0, want_off = 0, pin_len = 0;
	int given_off = 0, ro = 0;
	unsigned char *p;
	size_t len;
	pid_t pid;

	page = sysconf(_SC_PAGESIZE);
	signal(SIGBUS, on_sigbus);
	signal(SIGUSR1, on_sigusr1);
	while ((opt = getopt(argc, argv, "pxo:n:P:r")) != -1) {
		switch (opt) {
		case 'P': pin_len = strtoull(optarg, NULL, 0); break;
		case 'r': ro = 1; break;
		case 'p': flags = MAP_PRIVATE; break;
		case 'x': prot |= PROT_EXEC; break;
		case 'o': want_off = strtoull(optarg, NULL, 0); given_off = 1; break;
		case 'n': pages = strtoull(optarg, NULL, 0); break;
		default: goto usage;
		}
	}
	if (pin_len) {
		/* Its own memory: the actions follow the options directly. */
		len = (want_off + pin_len + page - 1) / page * page;
		p = mmap(NULL, len, ro ? PROT_READ : PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		if (pin(p + want_off, pin_len))
			return 1;
		p += want_off;
		bytes = pin_len;
		optind--;
		goto actions;
	}
	if (optind >= argc)
		goto usage;
	find_section(argv[optind], &off, &bytes);
	if (given_off)
		off = want_off;
	if (!pages)
		pages = (bytes + page - 1) / page;
	len = pages * page;
	if (given_off || bytes > len)
		bytes = len;
	fd = open(DEVICE, O_RDWR);
	if (fd < 0) {
		printf("open: %s\n", err_name(errno));
		return 1;
	}
	p = mmap(NULL, len, prot, flags, fd, off);
	if (p == MAP_FAILED) {
		printf("mmap: %s\n", err_name(errno));
		return 1;
	}
	close(fd);	/* the mapping holds the file */
	printf("mmap: %zu bytes at offset %#" PRIx64 "\n", len, off);
actions:
	if (optind + 1 == argc)
		show(p, bytes);
	for (i = optind + 1; i < argc; i++) {
		const char *a = argv[i], *arg = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "show")) {
			show(p, bytes);
		} else if (!strcmp(a, "fill") && arg) {
			memset(p, byte_arg(arg), bytes);
			printf("fill: %" PRIu64 " bytes of %#04x\n", bytes, byte_arg(arg));
			i++;
		} else if (!strcmp(a, "check") && arg) {
			int b = byte_arg(arg);
			size_t j;

			for (j = 0; j < bytes && p[j] == b; j++)
				;
			if (j < bytes) {
				printf("check: byte %zu is %#04x, not %#04x\n", j, p[j], b);
				status = 1;
			} else {
				printf("check: all %" PRIu64 " bytes are %#04x\n", bytes, b);
			}
			i++;
		} else if (!strcmp(a, "frames")) {
			frames(p, len);
		} else if (!strcmp(a, "maps")) {
			maps(p);
		} else if (!strcmp(a, "hold") && arg) {
			printf("hold: %s s\n", arg);
			fflush(stdout);
			sleep(atoi(arg));
			i++;
		} else if (!strcmp(a, "dontneed")) {
			result("dontneed", madvise(p, len, MADV_DONTNEED));
		} else if (!strcmp(a, "grow")) {
			void *q = mremap(p, len, len + page, MREMAP_MAYMOVE);

			printf("grow: %s\n", q == MAP_FAILED ? err_name(errno) : "ok");
			if (q != MAP_FAILED) {
				p = q;
				len += page;
			}
		} else if (!strcmp(a, "exec")) {
			result("exec", mprotect(p, len, prot | PROT_EXEC));
		} else if (!strcmp(a, "fork")) {
			fflush(stdout);
			pid = fork();
			if (pid < 0)
				die("fork");
			if (!pid) {
				printf("fork: the child reads %#04x\n", p[0]);
				fflush(stdout);
				sleep(1);
				_exit(0);
			}
			waitpid(pid, NULL, 0);
		} else if (!strcmp(a, "unmap-first")) {
			result("unmap-first", munmap(p, page));
			p += page;
			len -= page;
			bytes = bytes > (uint64_t)page ? bytes - page : 0;
		} else {
			goto usage;
		}
		fflush(stdout);
	}
	return status;
usage:
	fprintf(stderr, "usage: kd-mmap [-p] [-x] [-o OFFSET] [-n PAGES] WHAT [ACTION...]\n"
		"       kd-mmap -P LEN [-o OFFSET] [-r] [ACTION...]\n"
		"ACTION: show | fill BYTE | check BYTE | frames | maps | hold SECONDS |\n"
		"        dontneed | grow | exec | fork | unmap-first\n");
	return 2;
}
