#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every parameter refuses what is no number in its range at all: a
# negative value, letters, digits followed by letters, a number too large
# for an unsigned long -- with the documented log line, -EINVAL and nothing
# allocated.  The module's own parsing (kernel_param_ops), the same on
# every kernel: the range checks, which depend on the kernel, are
# 15-params'.
# kd-boot: slub
# kd-class: logic
# kd-timeout: 240
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

while read -r name min max; do
	for v in -1 abc 12abc; do
		kd_param_refused "$name" "$v" "not a number" "$min" "$max"
	done
	kd_param_refused "$name" 99999999999999999999999 "out of range" "$min" "$max"
done <<EOF
$(kd_param_ranges)
EOF
