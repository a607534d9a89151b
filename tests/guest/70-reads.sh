#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Reading /proc/kmem_demo in pieces (dd with block sizes 1 to 64 KiB,
# seeks across seq_file's buffer boundaries) gives exactly the bytes of one
# whole read, and 4 readers racing 10 loads and unloads see a whole report,
# "No such file or directory" (opened after the unload) or "Input/output
# error" (EIO: the unload ended their open file between two read()
# calls), nothing else.
# kd-boot: slub
# kd-class: logic
# kd-timeout: 300
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"

# Objects for a report of more than 4 pages, past seq_file's first buffer
# (one page): 300 with 4 KiB pages; with 16 KiB pages the parameter's
# maximum, 1024 (about 80 KiB).
ps=$(kd_page_size)
N=$((300 * ps / 4096))
[ "$N" -le 1024 ] || N=1024
t_run "load with $N objects" kd_load_settled cache_objects=$N
cat "$KD_PROC" >/tmp/whole
size=$(wc -c </tmp/whole)
t_run "report is larger than 4 pages ($size bytes)" test "$size" -gt $((4 * ps))

for bs in 1 7 100 $((ps - 1)) "$ps" $((ps + 1)) 65536; do
	dd if="$KD_PROC" of=/tmp/part bs="$bs" 2>/dev/null
	t_run "read with bs=$bs gives the same bytes" cmp /tmp/whole /tmp/part
done
for off in 0 1 $((ps - 1)) "$ps" $((ps + 1)) $((size / 2)) $((size - 50)); do
	dd if="$KD_PROC" of=/tmp/part bs=1 skip="$off" count=300 2>/dev/null
	tail -c +$((off + 1)) /tmp/whole | head -c 300 >/tmp/want
	t_run "seek to $off then read 300 bytes" cmp /tmp/want /tmp/part
done
t_run "a second whole read is identical" sh -c "cat $KD_PROC | cmp /tmp/whole -"
kd_unload

# 4 readers in a loop while the module is loaded and unloaded 10 times,
# with the 4 KiB-page report size on every page size (1024 objects make
# this part take 105 s instead of 29 s on the 16 KiB-page lane).
N=300
# A whole report ends with the cache's last object, or, with the DMA demo
# device bound, with its streaming mapping's section, whose last line says
# why it cannot be mapped into a process.
last="object $((N - 1)):" sec="[kmem_cache]"
grep -q '^\[dma_map\]$' /tmp/whole && last="refused:" sec="[dma_map]"
reader() {
	ok=0 gone=0 ended=0
	while [ ! -e /tmp/stop ]; do
		if cat "$KD_PROC" >"/tmp/r$1.out" 2>"/tmp/r$1.err"; then
			if tail -n 1 "/tmp/r$1.out" | grep -q "^$last" &&
				grep -qxF "$sec" "/tmp/r$1.out"; then
				ok=$((ok + 1))
			else
				echo "incomplete report: $(tail -n 1 "/tmp/r$1.out")"
			fi
		elif grep -q 'No such file or directory' "/tmp/r$1.err"; then
			gone=$((gone + 1))
		elif grep -q 'Input/output error' "/tmp/r$1.err"; then
			ended=$((ended + 1))
		else
			echo "error: $(cat "/tmp/r$1.err")"
		fi
	done >"/tmp/r$1.bad"
	echo "$ok $gone $ended" >"/tmp/r$1.count"
}
rm -f /tmp/stop /tmp/r*.bad /tmp/r*.count
for i in 1 2 3 4; do reader "$i" & done

fail=0 i=0
while [ $i -lt 10 ]; do
	kd_load cache_objects=$N || fail=$((fail + 1))
	usleep 50000
	# An open reader does not pin the module: rmmod is never "in use".
	rmmod kmem_demo 2>/dev/null || fail=$((fail + 1))
	usleep 20000
	i=$((i + 1))
done
touch /tmp/stop
wait
t_eq "10 loads and unloads under 4 readers" 0 "$fail"
total=$(cat /tmp/r*.count | awk '{ ok += $1; gone += $2; ended += $3 } END { print ok, gone, ended }')
echo "# readers: $total (whole reports, file not found, ended by the unload)"
t_eq "readers saw only whole reports, ENOENT or EIO" "" "$(cat /tmp/r*.bad)"
t_run "readers read whole reports" test "${total%% *}" -gt 0
t_clean "nothing left"
