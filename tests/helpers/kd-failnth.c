// SPDX-License-Identifier: GPL-2.0
/*
 * kd-failnth - fail the Nth fault-injection point of one module load.
 *
 *   kd-failnth MODULE.ko N [param=value ...]
 *	Arms /proc/thread-self/fail-nth with N, loads MODULE.ko with
 *	finit_module() and prints
 *	    nth=N injected=<0|1> left=L ret=<0|-errno> <ERRNO_NAME|OK> init=<I>
 *	injected=0 means the load passed fewer than N fault points (N - L of
 *	them), so a walk N=1,2,... is complete.  I is what the module's init
 *	said in the kernel log during the load (/dev/kmsg): "failed" for
 *	"NAME: load failed at step", "ran" for "NAME: loaded:", else "none"
 *	(the load failed before the module's init ran).
 *   kd-failnth -r NAME
 *	delete_module(NAME, O_NONBLOCK); prints "rmmod NAME ret=..."
 *
 * Exit status: 0 the load/unload succeeded, 1 it failed, 2 usage or setup
 * error.  Needs CONFIG_FAULT_INJECTION; which allocations count as fault
 * points is set in debugfs (failslab/, fail_page_alloc/ ignore-gfp-wait
 * etc.).  Built static: $CC -static -O2 -Wall -Wextra.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * What the module's init said, from the kernel log records written since
 * @fd (opened on /dev/kmsg, at its end) was opened: the init's own lines
 * start with "NAME: " (its pr_fmt).
 */
static const char *init_said(int fd, const char *name)
{
	char rec[8192], failed[96], loaded[96];
	const char *said = "none";
	ssize_t len;

	snprintf(failed, sizeof(failed), ";%s: load failed at step", name);
	snprintf(loaded, sizeof(loaded), ";%s: loaded:", name);
	if (fd < 0)
		return "unknown";
	/* One record per read(); EAGAIN when there is no more, EPIPE when
	 * records were overwritten (skipped: the next read goes on). */
	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;
		rec[len] = '\0';
		if (strstr(rec, failed))
			said = "failed";
		else if (strstr(rec, loaded) && strcmp(said, "failed"))
			said = "ran";
	}
	return said;
}

/* The module's name: the file name without directories and ".ko". */
static void module_name(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');

	snprintf(name, len, "%s", base ? base + 1 : path);
	name[strcspn(name, ".")] = '\0';
}

static const char *errname(int err)
{
	const char *s = NULL;

	if (!err)
		return "OK";
#if __GLIBC_PREREQ(2, 32)
	s = strerrorname_np(err);
#else
	/* glibc before 2.32 (Debian 11) has no strerrorname_np(): the errors a
	 * module load or unload returns.
	 */
	switch (err) {
	case ENOMEM: s = "ENOMEM"; break;
	case EINVAL: s = "EINVAL"; break;
	case ENOENT: s = "ENOENT"; break;
	case EEXIST: s = "EEXIST"; break;
	case EBUSY: s = "EBUSY"; break;
	case EFAULT: s = "EFAULT"; break;
	case ENOSPC: s = "ENOSPC"; break;
	case EAGAIN: s = "EAGAIN"; break;
	case EPERM: s = "EPERM"; break;
	case ENOEXEC: s = "ENOEXEC"; break;
	}
#endif
	return s ? s : "E?";
}

static int usage(void)
{
	fprintf(stderr, "usage: kd-failnth MODULE.ko N [param=value ...]\n"
			"       kd-failnth -r MODULE_NAME\n");
	return 2;
}

static int unload(const char *name)
{
	int ret = syscall(SYS_delete_module, name, O_NONBLOCK);
	int err = ret ? errno : 0;

	printf("rmmod %s ret=%d %s\n", name, -err, errname(err));
	return err ? 1 : 0;
}

/*
 * fail-nth is per thread: thread-self is exact; /proc/self/fail-nth is
 * the thread-group leader, which is the same task for this program.
 */
static int open_fail_nth(void)
{
	int fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fd = open("/proc/self/fail-nth", O_RDWR | O_CLOEXEC);
	return fd;
}

/* Joins argv into the single space-separated string finit_module wants. */
static char *join_params(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int main(int argc, char **argv)
{
	char buf[32], name[64], *params, *end;
	int kofd, nthfd, kmsgfd, ret, err, n;
	unsigned long nth, left;
	ssize_t len;

	if (argc == 3 && !strcmp(argv[1], "-r"))
		return unload(argv[2]);
	if (argc < 3)
		return usage();
	errno = 0;
	nth = strtoul(argv[2], &end, 10);
	if (errno || *end || !nth || nth > 0x7fffffff)
		return usage();

	params = join_params(argc - 3, argv + 3);
	module_name(argv[1], name, sizeof(name));
	/* Opened, and moved to the log's end, before arming. */
	kmsgfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsgfd >= 0)
		lseek(kmsgfd, 0, SEEK_END);
	kofd = open(argv[1], O_RDONLY | O_CLOEXEC);
	nthfd = open_fail_nth();
	if (!params || kofd < 0 || nthfd < 0) {
		perror(kofd < 0 ? argv[1] : "fail-nth");
		return 2;
	}
	n = snprintf(buf, sizeof(buf), "%lu", nth);

	/* Nothing may run between arming and the load: every fault point
	 * this task passes counts down. */
	if (write(nthfd, buf, n) != n) {
		perror("write fail-nth");
		return 2;
	}
	ret = syscall(SYS_finit_module, kofd, params, 0);
	err = ret ? errno : 0;
	len = pread(nthfd, buf, sizeof(buf) - 1, 0);
	/* Disarm at once if the load passed fewer than N points. */
	if (write(nthfd, "0", 1) != 1 || len <= 0) {
		perror("fail-nth");
		return 2;
	}
	buf[len] = '\0';
	left = strtoul(buf, NULL, 10);

	printf("nth=%lu injected=%d left=%lu ret=%d %s init=%s\n", nth, left == 0,
	       left, -err, errname(err), init_said(kmsgfd, name));
	return err ? 1 : 0;
}
