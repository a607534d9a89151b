// SPDX-License-Identifier: GPL-2.0
/*
 * kd-kmsg - the kernel log since a mark, without reading all of it.
 *
 *   kd-kmsg end  <&FD	move FD, an open /dev/kmsg, to the log's end
 *   kd-kmsg read <&FD	print the records after FD's position, as dmesg
 *			prints them ("[    1.234567] text"), up to the newest,
 *			and leave FD after them
 *
 * FD is the caller's (a shell's "exec 8</dev/kmsg"): every open of
 * /dev/kmsg has a position of its own, which these move.  dmesg reads the
 * whole log every time, which after a long test boot (the lab fuzz, the
 * fault-injection walk, log_buf_len=32M) is megabytes of text per read;
 * this reads only what came since the mark.  Continuation lines of a
 * record, which /dev/kmsg escapes as \x0a, are printed as lines of their
 * own with the record's time, as dmesg does; other escapes are decoded.
 *
 * Exit status: 0 done, 1 a read failed, 2 usage.  Built static:
 * $CC -static -O2 -Wall -Wextra.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One record: "LEVEL,SEQ,USEC,FLAGS[,...];TEXT\n[ KEY=VALUE\n]..." */
static void print_record(const char *rec, size_t len)
{
	const char *semi = memchr(rec, ';', len), *p, *end;
	unsigned long long usec = 0;
	char prefix[32];
	int field = 0;

	if (!semi)
		return;
	for (p = rec; p < semi; p++) {
		if (*p == ',') {
			field++;
			continue;
		}
		if (field == 2 && *p >= '0' && *p <= '9')
			usec = usec * 10 + (unsigned long long)(*p - '0');
	}
	snprintf(prefix, sizeof(prefix), "[%5llu.%06llu] ", usec / 1000000, usec % 1000000);
	/* The text ends at the first newline; dictionary lines follow it. */
	end = memchr(semi + 1, '\n', len - (size_t)(semi + 1 - rec));
	if (!end)
		end = rec + len;
	fputs(prefix, stdout);
	for (p = semi + 1; p < end; p++) {
		unsigned int c;

		if (p + 3 < end && p[0] == '\\' && p[1] == 'x' &&
		    sscanf(p + 2, "%2x", &c) == 1) {
			p += 3;
			if (c == '\n') {
				putchar('\n');
				fputs(prefix, stdout);
			} else {
				putchar((int)c);
			}
			continue;
		}
		putchar(*p);
	}
	putchar('\n');
}

int main(int argc, char **argv)
{
	static char rec[16384];
	ssize_t len;

	if (argc != 2 || (strcmp(argv[1], "end") && strcmp(argv[1], "read"))) {
		fprintf(stderr, "usage: kd-kmsg end|read <&FD (FD: an open /dev/kmsg)\n");
		return 2;
	}
	if (!strcmp(argv[1], "end")) {
		if (lseek(0, 0, SEEK_END) < 0) {
			perror("kd-kmsg: lseek(SEEK_END) on stdin");
			return 1;
		}
		return 0;
	}
	/* Up to the newest record, not waiting for more. */
	if (fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK) < 0) {
		perror("kd-kmsg: fcntl(O_NONBLOCK) on stdin");
		return 1;
	}
	for (;;) {
		len = read(0, rec, sizeof(rec));
		if (len > 0) {
			print_record(rec, (size_t)len);
			continue;
		}
		if (len < 0 && errno == EAGAIN)
			break;
		/* Records overwritten before they were read: go on after them. */
		if (len < 0 && errno == EPIPE)
			continue;
		if (len < 0 && errno == EINTR)
			continue;
		perror("kd-kmsg: read");
		return 1;
	}
	return fflush(stdout) ? 1 : 0;
}
