# SPDX-License-Identifier: GPL-2.0
# What else differs between two make run sessions of the same commands,
# after mask.sed: sed -E -f mask.sed -f mask-session.sed.  The docs'
# samples (39-samples, make samples) are compared through both.
# The kernel log's line count that "dmesg | tail" starts after.
s/tail -n \+[0-9]+/tail -n +<n>/
# /proc/vmallocinfo: the area's addresses, the caller's offset in the
# module's code (which the compiler decides).
s/^0x[0-9a-f]+-0x[0-9a-f]+ /<addr>-<addr> /
s/\+0x[0-9a-f]+\/0x[0-9a-f]+ \[kmem_demo\]/+<off> [kmem_demo]/g
# /proc/buddyinfo: the free blocks of each order.
s/^(Node [0-9]+, zone +[A-Za-z0-9]+)( +[0-9]+)+ *$/\1 <counts>/
# The kernel's own view (kernel-check.sh): its lines that are evidence,
# indented, carry frames, events and ages of this run.
/^  /s/(0x)?[0-9][0-9a-f]*/<n>/g
# Pages per node where an area spans nodes, in the report and vmallocinfo.
s/([0-9]+) \([0-9]+ pages\)/\1 (<n> pages)/g
s/ (N[0-9]+=)[0-9]+ (N[0-9]+=)[0-9]+$/ \1<n> \2<n>/
# The kernel's allocation-failure report: a node's free lists.
s/^(Node [0-9]+ [A-Za-z0-9]+:) .* = [0-9]+kB$/\1 <free lists>/
# kd-mmap (tools/kd-mmap.c): the frames behind a mapping, and its line of
# /proc/self/maps (the process's addresses, the device node's inode).
s/^(frame [0-9]+: pfn )0x[0-9a-f]+$/\1<pfn>/
s/^(maps: )[0-9a-f]+-[0-9a-f]+ ([-rwxsp]{4} [0-9a-f]+ [0-9a-f]+:[0-9a-f]+) [0-9]+ +/\1<addr>-<addr> \2 <inode> /
# A pin (kd-mmap -P): the process's address, wherever its mmap() put it.
s/^(pin: lab [0-9]+, [0-9]+ bytes at )0x[0-9a-f]+$/\1<addr>/
s/pin_user_pages_fast\(0x[0-9a-f]+,/pin_user_pages_fast(<addr>,/
