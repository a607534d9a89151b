// SPDX-License-Identifier: GPL-2.0
/*
 * kd-drain - wait until the console has sent everything written to it.
 *
 *   kd-drain [DEVICE]	tcdrain() on DEVICE (default /dev/console)
 *
 * The guest's /init ends the VM right after printing its exit marker:
 * the serial console sends what was written to it in the background, and a
 * reboot before it is done cuts the last lines off, the marker among them.
 * tcdrain() returns once the tty layer and the UART have sent it all,
 * which a fixed sleep could only guess.
 *
 * Exit status: 0 drained, 1 the device could not be opened or drained.
 * Built static: $CC -static -O2 -Wall -Wextra.
 */
#include <fcntl.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/console";
	int fd = open(dev, O_WRONLY | O_NOCTTY);

	if (fd < 0 || tcdrain(fd) < 0) {
		perror(dev);
		return 1;
	}
	return close(fd) ? 1 : 0;
}
