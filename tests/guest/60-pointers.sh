#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Who sees which address, read by root and by nobody under kptr_restrict
# 0, 1 and 2; decided when the file is opened, not when it is read; the
# kernel log's addresses hashed whoever printed them.  The report shows
# what %pK shows its opener: with kptr_restrict 0 hashes for everyone, 1
# real addresses only to openers with CAP_SYSLOG (zeros otherwise), 2
# zeros to all; nobody never sees a real address.  Physical frames need
# CAP_SYS_ADMIN at open(): root sees them, nobody gets "hidden".
# Needs a boot without slub_debug: since 5.14 any slub_debug turns on
# no_hash_pointers, and then %pK under kptr_restrict=0 prints raw
# addresses to everyone.
# kd-boot: plain
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

raw='^f[0-9a-f]{7,15}$'	# kernel addresses live at the top of the space

t_run "precondition: no slub_debug in this boot" \
	sh -c '! grep -q slub_debug /proc/cmdline'
t_run "load" kd_load cache_objects=4
old=$(cat /proc/sys/kernel/kptr_restrict)

read_as() {	# read_as k who -> /tmp/ptr.k.who
	echo "$1" >/proc/sys/kernel/kptr_restrict
	if [ "$2" = root ]; then
		cat "$KD_PROC" >"/tmp/ptr.$1.$2"
	else
		kd_as_nobody "cat $KD_PROC" >"/tmp/ptr.$1.$2"
	fi
}
for k in 0 1 2; do
	read_as "$k" root
	read_as "$k" nobody
done
echo "$old" >/proc/sys/kernel/kptr_restrict

t_eq "su really drops to nobody" 65534 "$(kd_as_nobody id -u)"
# Four sections and four objects; with the DMA demo device, its three
# sections and its pool's four blocks.
n=8
grep -q '^\[dma_coherent\]$' /tmp/ptr.0.root && n=15
for f in /tmp/ptr.*; do
	t_eq "${f#/tmp/ptr.}: a whole report, $n addresses" $n "$(kd_addresses "$f" | wc -l)"
done
real=$(kd_addresses /tmp/ptr.1.root)
zero=$(echo "$real" | head -n 1 | tr '0-9a-f' 0)	# a zeroed pointer
t_eq "kptr_restrict=1, root (CAP_SYSLOG): real kernel addresses" "" \
	"$(echo "$real" | grep -vE "$raw")"
t_eq "kptr_restrict=1, nobody: all zeros" "" \
	"$(kd_addresses /tmp/ptr.1.nobody | grep -vx "$zero")"
t_eq "kptr_restrict=2, root: all zeros" "" \
	"$(kd_addresses /tmp/ptr.2.root | grep -vx "$zero")"
t_eq "kptr_restrict=2, nobody: all zeros" "" \
	"$(kd_addresses /tmp/ptr.2.nobody | grep -vx "$zero")"
hashed=$(kd_addresses /tmp/ptr.0.nobody)
t_eq "kptr_restrict=0, nobody: hashed, none a real address" "" \
	"$(echo "$hashed" | grep -xF "$real")"
t_eq "kptr_restrict=0, nobody: hashes are 32-bit values" "" \
	"$(echo "$hashed" | grep -vE '^(00000000)?[0-9a-f]{8}$')"
t_eq "kptr_restrict=0: root sees the same hashes" "$hashed" \
	"$(kd_addresses /tmp/ptr.0.root)"
# Nowhere in any unprivileged read: no raw-looking address at all.
t_eq "nobody never sees a raw address anywhere in the report" "" \
	"$(cat /tmp/ptr.*.nobody | grep -oE '\bf[0-9a-f]{15}\b' | grep -xF "$real")"

# Decided at open(): a file root opened under kptr_restrict=2 shows zeros
# even when read after kptr_restrict=1 allows root the real addresses.
echo 2 >/proc/sys/kernel/kptr_restrict
exec 3<"$KD_PROC"
echo 1 >/proc/sys/kernel/kptr_restrict
cat <&3 >/tmp/ptr.open2-read1
exec 3<&-
echo "$old" >/proc/sys/kernel/kptr_restrict
t_eq "opened under kptr_restrict=2, read under 1: still all zeros" "" \
	"$(kd_addresses /tmp/ptr.open2-read1 | grep -vx "$zero")"
t_eq "... and all $n addresses there" $n "$(kd_addresses /tmp/ptr.open2-read1 | wc -l)"

# The kernel log has no reader to decide for: %p, hashed, even under
# kptr_restrict=1 for lines root printed.
t_run "unload" kd_unload
echo 1 >/proc/sys/kernel/kptr_restrict
kd_dmesg_mark
t_run "load under kptr_restrict=1" kd_load cache_objects=4
echo "$old" >/proc/sys/kernel/kptr_restrict
logged=$(kd_dmesg_since | sed -n 's/.*, at \([0-9a-f]*\) (.*/\1/p')
# kmalloc's, vmalloc's and the pages'; and the DMA demo device's buffer.
t_eq "the load log names $((3 + n / 14)) addresses" $((3 + n / 14)) "$(echo "$logged" | grep -c .)"
t_eq "the load log's addresses are hashes, none raw" "" \
	"$(echo "$logged" | grep -vE '^(00000000)?[0-9a-f]{8}$')"

# Physical frames: root opener sees them, nobody gets "hidden".
t_eq "root: physical shown" shown "$(kd_field /tmp/ptr.0.root "" physical)"
t_match "root: PFN range of the pages" '^0x[0-9a-f]+-0x[0-9a-f]+$' \
	"$(kd_field /tmp/ptr.0.root __get_free_pages pfn)"
t_match "nobody: physical hidden" '^hidden' "$(kd_field /tmp/ptr.0.nobody "" physical)"
t_eq "nobody: no pfn or phys values" "" \
	"$(grep -E '^(pfn|phys):' /tmp/ptr.*.nobody | grep -v 'pfn: *hidden')"
t_run "nobody cannot read /proc/vmallocinfo (mode 0400)" \
	sh -c "! su -s /bin/sh nobody -c 'cat /proc/vmallocinfo' >/dev/null 2>&1"
t_run "unload" kd_unload
