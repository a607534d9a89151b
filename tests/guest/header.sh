# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# The header comments of a guest test ("# kd-boot: slub", "# kd-timeout:
# 300", ...), read by the guest runner (runner.sh, busybox ash) and by the
# host (vm/test.sh, bash), which both source this file.  POSIX sh.

# kd_header FILE KEY -- the value of FILE's first "# KEY: value" line;
# nothing when FILE has none.
kd_header() {
	sed -n "s/^# $2: *//p" "$1" | head -n1
}
