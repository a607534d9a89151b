#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# NUMA nodes in the lab (node=N).  On every machine: node=0 is served;
# node= naming no node (one past the last, 99, -1, 0x, x, nothing) is
# refused with EINVAL and the reason in the log, and nothing changes.  On a
# machine of two nodes (the numa lane): each allocator with node=0 and
# node=1 takes every page from that node, as the report's node line says
# and the kernel's own views show (the vmallocinfo line's N0=/N1= counts,
# the node's MemFree in /sys/devices/system/node/nodeN/meminfo); pages from
# both nodes are counted per node in one node line; __GFP_THISNODE on a
# node that earlier experiments filled fails with ENOMEM, prints the
# kernel's allocation-failure report and leaves nothing, while the same
# request without it is served by the other node, and the report says so;
# kernel-check.sh agrees with the node lines and, fed one changed to
# another node, says "differs: node".
# kd-boot: slub
# kd-class: kernel numa
# kd-timeout: 300
# kd-log-ok: Call Trace
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

# node_free N -- MemFree of node N, in kB.
node_free() {
	awk '$3 == "MemFree:" { print $4 }' "/sys/devices/system/node/node$1/meminfo"
}
# last_node -- the node line of the newest experiment.
last_node() {
	cat "$KD_PROC" >/tmp/numa.txt
	kd_field /tmp/numa.txt "lab $(kd_lab_last)" node
}

t_run "load with room for a node's worth of experiments" \
	kd_load lab_max_items=4096 lab_max_bytes=17179869184
nodes=$(kd_nodes)
echo "# nodes with memory: $nodes"

# ---- every machine ----
t_lab "kmalloc 100 node=0: served" ok "kmalloc 100 node=0"
t_eq "its node line says 0" 0 "$(last_node)"
t_match "its call is kmalloc_node()" '^call: +kmalloc_node\(100, GFP_KERNEL, 0\)$' "$(cat /tmp/numa.txt)"
kd_lab "free all" >/dev/null
last=$(awk -F'[-,]' '{ print $NF }' /sys/devices/system/node/possible 2>/dev/null)
past=$((${last:-0} + 1))
kd_dma_settle	# the device's transfers, done: the report stays as it is
cat "$KD_PROC" >/tmp/before.txt
for bad in "node=$past" node=99 node=-1 node=0x node=x node=; do
	kd_dmesg_mark
	t_lab "kmalloc 100 $bad: EINVAL" EINVAL "kmalloc 100 $bad"
	case $bad in
	"node=$past" | node=99) why='node=N: this machine has no such node' ;;
	*) why='node=N: N is a node number' ;;
	esac
	t_match "kmalloc 100 $bad: the log says why" "refused, EINVAL: kmalloc: $why" "$(kd_dmesg_since)"
done
cat "$KD_PROC" >/tmp/after.txt
t_run "the refusals changed nothing in the report" cmp /tmp/before.txt /tmp/after.txt

case $nodes in
0-1 | 0,1) ;;
*)
	t_skip "node=0 and node=1 for each allocator" "one node with memory here ($nodes): the numa lane has two"
	t_run "unload" kd_unload
	exit 0
	;;
esac

# ---- two nodes ----
for n in 0 1; do
	for c in "kmalloc 100" "kmalloc 64K" "kvmalloc 3000" "kvmalloc 5M" \
		"vmalloc 4M" "vmalloc 1M GFP_KERNEL|__GFP_ZERO" "pages 4" "cache 100"; do
		t_lab "$c node=$n: served" ok "$c node=$n"
		t_eq "$c node=$n: every page on node $n" "$n" "$(last_node)"
	done
	# The kernel's count: the vmalloc area's pages per node.
	t_match "vmallocinfo counts every page of vmalloc 1M node=$n on node $n" \
		" pages=256 .* N$n=256( |\$)" "$(kd_vmallocinfo | grep ' pages=256 ')"
	t_eq "vmallocinfo names no other node for it" "" \
		"$(kd_vmallocinfo | grep ' pages=256 ' | grep -E " N[^$n]=")"
	kd_lab "free all" >/dev/null
done

# The node's own count: MemFree of node 1 falls by the 32 MiB it gave.
kd_compact
f0=$(node_free 0) f1=$(node_free 1)
t_lab "vmalloc 32M node=1: served" ok "vmalloc 32M node=1"
d0=$((f0 - $(node_free 0))) d1=$((f1 - $(node_free 1)))
echo "# MemFree fell by $d1 kB on node 1 and $d0 kB on node 0"
t_run "node 1's MemFree fell by 32 MiB (within 2 MiB of per-CPU lists)" \
	test "$d1" -ge $((32768 - 2048)) -a "$d1" -le $((32768 + 2048))
t_run "node 0's MemFree did not (less than 4 MiB: page tables, bookkeeping)" \
	test "$d0" -lt 4096
kd_lab "free all" >/dev/null

# Fill node 1: the largest blocks first, __GFP_THISNODE so that none comes
# from node 0, __GFP_NORETRY|__GFP_NOWARN so that a failure is quiet.
fill() {
	_o=$(kd_max_order)
	while [ "$_o" -ge 0 ]; do
		while [ "$(kd_lab "pages $_o GFP_KERNEL|__GFP_THISNODE|__GFP_NORETRY|__GFP_NOWARN node=1")" = ok ]; do
			filled=$((filled + (1 << _o)))
		done
		_o=$((_o - 1))
	done
}
filled=0
fill
first=$(kd_lab_ids | awk '{ print $1, $2 }')
echo "# node 1 filled with $filled pages of experiments"

# Memory freed on node 1 meanwhile (a task exiting) may serve one more
# request: fill again and retry, a few times.
kd_dmesg_mark
for try in 1 2 3 4 5; do
	cat "$KD_PROC" >/tmp/before.txt
	out=$(kd_lab "pages 0 GFP_KERNEL|__GFP_THISNODE node=1")
	[ "$out" = ok ] || break
	fill
done
cat "$KD_PROC" >/tmp/after.txt
t_eq "__GFP_THISNODE on the full node 1: ENOMEM (attempt $try)" ENOMEM "$out"
t_eq "the failed request made no experiment" "$(kd_lab_live /tmp/before.txt)" \
	"$(kd_lab_live /tmp/after.txt)"
t_eq "and took no page" "$(kd_page_acct /tmp/before.txt)" "$(kd_page_acct /tmp/after.txt)"
t_match "the kernel printed its allocation-failure report, naming __GFP_THISNODE" \
	'page allocation failure: order:0, mode:.*__GFP_THISNODE' "$(kd_dmesg_since)"
t_lab "the same request without __GFP_THISNODE: served" ok "pages 0 GFP_KERNEL node=1"
t_eq "by node 0, as the report says" 0 "$(last_node)"
# One node line counts each node's pages: free two of node 1's largest
# blocks, then ask node 1 for more than they hold.
for id in $first; do kd_lab "free $id" >/dev/null; done
t_lab "vmalloc 16M node=1, more than node 1 has free: served" ok "vmalloc 16M node=1"
line=$(last_node)
t_match "its node line counts the pages of both nodes" \
	'^0 \([0-9]+ pages\), 1 \([0-9]+ pages\)$' "$line"
t_eq "the counts add up to the area's 4096 pages" 4096 \
	"$(echo "$line" | awk -F'[(]' '{ n = 0; for (i = 2; i <= NF; i++) n += $i + 0; print n }')"
kd_lab "free all" >/dev/null
t_run "unload" kd_unload

# The kernel's own view (kernel-check.sh) agrees with the node lines, and
# notices one that is wrong: vmallocinfo counts each node's pages.
out=$(KD_CHECK_DIR=/tmp/kcn sh /kd/kernel-check.sh 'vmalloc 4M node=1' 'kmalloc 100 node=1' \
	'pages 2 node=1' 'cache 10 node=1' 2>&1)
t_eq "kernel-check on node=1 experiments: every section agrees" \
	"$(grep -c '^\[' /tmp/kcn/report.txt) agree, 0 differ, 0 without evidence" \
	"$(echo "$out" | grep ' agree, ')" ||
	echo "$out" | grep -E '^\[|verdict|^  kmem:|evidence' | sed 's/^/# /'
sed -i '/^\[lab 1\]$/,/^$/ s/^node: .*/node:        0/' /tmp/kcn/report.txt
out=$(sh /kd/kernel-check.sh judge /tmp/kcn 2>&1)
t_match "the same evidence with lab 1's node line changed to 0: differs: node" \
	'^  verdict +differs: node \(report 0, vmallocinfo N1=1024\)' "$out"
rmmod kmem_demo
t_clean "nothing left behind"
