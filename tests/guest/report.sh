# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# Reading /proc/kmem_demo and the kernel's own views of the same memory.
# Sourced by the guest tests after lib.sh.

KD_PROC=/proc/kmem_demo
KD_SLAB=/sys/kernel/slab/kmem_demo

# kd_field FILE SECTION KEY -- the value of "KEY:" in "[SECTION]" of a saved
# report ("" for the header above the first section).
kd_field() {
	awk -v sec="$2" -v key="$3:" '
		BEGIN { in_sec = (sec == "") }
		/^\[.*\]$/ { in_sec = ($0 == "[" sec "]"); next }
		in_sec && $1 == key { sub(/^[^:]*: */, ""); print; exit }' "$1"
}

# kd_num FILE SECTION KEY -- the first word of a field (the number).
kd_num() {
	kd_field "$@" | awk '{ print $1 }'
}

# kd_dma_settle -- the device has verified its buffers (dma_settle of
# make run's steps, /kd/steps.sh): fails after 10 s.
kd_dma_settle() {
	# shellcheck source=../../vm/guest/steps.sh
	(. /kd/steps.sh && dma_settle)
}

# kd_swiotlb_forced -- this boot bounces every streaming mapping through
# swiotlb (swiotlb=force: the swiotlb lane).
kd_swiotlb_forced() {
	grep -qE '(^| )swiotlb=([0-9]+,)*force( |$)' /proc/cmdline
}

# kd_iommu_type DEV -- the type of the IOMMU domain of PCI device DEV
# (DMA, DMA-FQ: it translates; identity: it passes addresses through);
# nothing without an IOMMU.
kd_iommu_type() {
	cat "/sys/bus/pci/devices/$1/iommu_group/type" 2>/dev/null
}

# kd_behind_iommu DEV -- an IOMMU translates DEV's addresses (the iommu
# lane).
kd_behind_iommu() {
	case $(kd_iommu_type "$1") in DMA*) return 0 ;; esac
	return 1
}

# kd_check_section HEADER TEXT -- the lines of kernel-check's judgement
# TEXT for the section [HEADER]: its title line and its evidence.
kd_check_section() {
	printf '%s\n' "$2" | awk -v h="[$1] " 'index($0, h) == 1 { on = 1; print; next } /^\[/ { on = 0 } on'
}

# kd_edu_bound -- sets dev, the DMA demo device's PCI name (the report's
# dma_device: line), and drv, its driver's sysfs directory; when no device
# is bound, fails a test with what the report said instead, and returns 1.
kd_edu_bound() {
	dev=$(sed -n 's/^dma_device:  \([0-9a-f:.]*\), QEMU edu.*/\1/p' "$KD_PROC")
	# shellcheck disable=SC2034 # for the caller
	drv=/sys/bus/pci/drivers/kmem_demo
	[ -n "$dev" ] && return 0
	t_fail "the DMA demo device is bound" "expected a dma_device: line naming it" \
		"saw: $(grep '^dma_device:' "$KD_PROC")"
	return 1
}

# kd_load_settled [PARAM=VALUE...] -- kd_load, then kd_dma_settle: for a
# test that compares the report over time, which the device's transfers
# (their "transfer:" lines) would otherwise change under it.
kd_load_settled() {
	kd_load "$@" && kd_dma_settle
}

# kd_load_pages FILE -- the pages the load-time allocations of a saved
# report hold: __get_free_pages' block and the DMA demo device's coherent
# buffer, which the page accounting counts.
kd_load_pages() {
	_kd_p=$(kd_num "$1" __get_free_pages pages)
	_kd_c=$(kd_num "$1" dma_coherent pages)
	echo $((${_kd_p:-0} + ${_kd_c:-0}))
}

# Largest buddy order: /proc/buddyinfo has one column per order.
kd_max_order() {
	awk '{ print NF - 5; exit }' /proc/buddyinfo
}

# kd_nodes -- the NUMA nodes with memory, as the kernel lists them ("0",
# "0-1"); "0" on a kernel without NUMA.
kd_nodes() {
	_kd_n=$(cat /sys/devices/system/node/has_memory 2>/dev/null)
	echo "${_kd_n:-0}"
}

kd_page_size() {
	awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps
}

# The kernel's view of our vmalloc area(s): /proc/vmallocinfo lines whose
# caller is in kmem_demo, read until two reads agree (kernel-check.sh areas).
kd_vmallocinfo() {
	sh /kd/kernel-check.sh areas
}

# kd_leftovers -- print every trace the module can leave; nothing if clean.
kd_leftovers() {
	kd_loaded && echo "lsmod still lists kmem_demo"
	[ -e "$KD_PROC" ] && echo "$KD_PROC still exists"
	[ -e /dev/kmem_demo ] && echo "/dev/kmem_demo still exists"
	# Without slub_debug the cache may be merged into another, and the name
	# stays behind as a symlink to it: only a cache of our own counts.
	[ -d "$KD_SLAB" ] && [ ! -L "$KD_SLAB" ] && echo "$KD_SLAB still exists"
	kd_vmallocinfo | sed 's/^/vmallocinfo: /'
	return 0
}

# kd_param_ranges -- "NAME MIN MAX" of every parameter, one per line.  The
# maximum page order comes from /proc/buddyinfo, not from the module.
kd_param_ranges() {
	_maxo=$(kd_max_order)
	cat <<EOF
kmalloc_size 1 $(($(kd_page_size) << _maxo))
vmalloc_size 1 67108864
page_order 0 $_maxo
cache_objects 1 1024
fail_step 0 7
dma_bits 24 64
dma_order 0 $_maxo
EOF
}

# kd_param_refused NAME VALUE WHY MIN MAX -- insmod NAME=VALUE fails with
# EINVAL, the log names the parameter, the value, WHY and the range, and
# nothing was allocated.
kd_param_refused() {
	kd_dmesg_mark
	if kd_load "$1=$2"; then
		t_fail "$1=$2 refused" "expected: insmod fails with Invalid argument" "saw: loaded"
		kd_unload
		return
	fi
	t_match "$1=$2 refused with EINVAL" "Invalid argument" "$KD_LOAD_ERR"
	t_match "$1=$2: log names parameter, value and range" \
		"kmem_demo: $1=$2: $3, allowed $4\.\.$5\$" "$(kd_dmesg_since)"
	t_eq "$1=$2: nothing allocated" "" "$(kd_leftovers; kd_dmesg_since |
		grep -E 'kmem_demo: (kmalloc|vmalloc|__get_free_pages|kmem_cache|loaded):')"
}

# t_clean DESC -- ok when the module left nothing behind.
t_clean() {
	_left=$(kd_leftovers)
	if [ -z "$_left" ]; then
		t_ok "$1"
	else
		t_fail "$1" "expected: no module, no /proc entry, no cache, no vmalloc area" "saw: $_left"
	fi
}

# kd_as_nobody CMD -- run a shell command as the unprivileged user nobody.
kd_as_nobody() {
	su -s /bin/sh nobody -c "$*"
}

# kd_addresses FILE -- every address a saved report printed, one per line.
kd_addresses() {
	sed -n 's/^address: *//p; s/.* address=\([0-9a-f]*\).*/\1/p' "$1"
}

KD_KMEMLEAK=/sys/kernel/debug/kmemleak

# kd_kmemleak_scan -- report what kmemleak suspects now.  A scan reports
# only objects older than 5 s, hence the wait, and not an object whose
# contents changed since the previous scan (checksum): an object scanned
# for the first time counts as changed unless it is all zeros, so it takes
# two scans to be reported.
kd_kmemleak_scan() {
	sleep 6
	echo scan >"$KD_KMEMLEAK"
	echo scan >"$KD_KMEMLEAK"
	cat "$KD_KMEMLEAK"
}

# kd_kmemleak_split REPORT -- sort kmemleak's reports by who made them.
# A leak of the module's was allocated by a process loading or unloading it
# (insmod, rmmod, kd-failnth), writing lab commands (kd-lab), mapping its
# memory (kd-mmap) or by the module's benchmark thread (kmem_demo_bench),
# and its backtrace names no symbol once the module is gone, so "comm" is
# the reliable mark.  Among those, objects
# allocated through sysfs_slab_add() are the 6.1 kernel's own leak when
# kmem_cache_create() fails there (a kobject name).  Writes
# /tmp/leak.{ours,kernel,other}; prints the three counts.
kd_kmemleak_split() {
	echo "$1" | awk '
		function flush() {
			if (b == "") return
			if (b !~ /comm "(insmod|rmmod|kd-failnth|kd-lab|kd-mmap|kmem_demo_bench)"/) f = "other"
			else if (b ~ /sysfs_slab_add/) f = "kernel"
			else f = "ours"
			n[f]++
			printf "%s", b >"/tmp/leak." f
			b = ""
		}
		BEGIN { printf "" >"/tmp/leak.ours"; printf "" >"/tmp/leak.kernel"
			printf "" >"/tmp/leak.other" }
		/^unreferenced object/ { flush() }
		{ if (NF) b = b $0 "\n" }
		END { flush(); print n["ours"] + 0, n["kernel"] + 0, n["other"] + 0 }'
}

# t_no_leaks DESC -- scan, and fail on any leak the module's load or unload
# made; the kernel's own suspects are listed but are not ours to fail on.
t_no_leaks() {
	read -r _ours _kernel _other <<EOF
$(kd_kmemleak_split "$(kd_kmemleak_scan)")
EOF
	if [ "$_kernel" -gt 0 ]; then
		echo "# kmemleak: $_kernel report(s) of the 6.1 kernel's own kmem_cache_create error-path leak (sysfs_slab_add):"
		sed 's/^/#   /' /tmp/leak.kernel | head -n 24
	fi
	if [ "$_other" -gt 0 ]; then
		echo "# kmemleak: $_other suspect(s) not made by loading or unloading the module (boot-time objects):"
		grep -E '^unreferenced|comm|^    \[' /tmp/leak.other | head -n 12 | sed 's/^/#   /'
	fi
	t_eq "$1 ($_ours)" "" "$(cat /tmp/leak.ours)"
}
