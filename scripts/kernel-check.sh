#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/kernel-check.sh -- kmem_demo's report beside the kernel's own view
# of the same memory, allocation by allocation, with a verdict: "agrees",
# or "differs:" and the figure that differs.  As root, from the clone:
#
#   sudo ./scripts/kernel-check.sh ['LAB COMMAND'...]
#       load kmem_demo.ko (from the clone, or the installed module) with the
#       kmem tracepoints on, run each lab command traced, save what the
#       kernel showed in DIR (default /tmp/kmem_demo-check) and judge it.
#       The module stays loaded: rmmod kmem_demo when done.  Its
#       parameters, if any: KD_CHECK_PARAMS='dma_bits=32 ...'.
#   kernel-check.sh judge DIR
#       judge a saved DIR again (its report.txt may be edited: the check
#       then names the figure that no longer agrees).
#   kernel-check.sh begin DIR STEP | end DIR STEP | lab DIR COMMAND | save DIR
#       the recording's parts, which make run's guest uses around its own
#       insmod (STEP: load) and lab commands (one traced write each).
#   kernel-check.sh areas
#       kmem_demo's lines of /proc/vmallocinfo, a consistent view.
#
# The evidence: kmem:kmalloc (and kmalloc_node: the helpers kzalloc,
# kcalloc, kmalloc_array and kzalloc_flex too, and a krealloc that moved;
# one that stayed in place has none, and devm_kzalloc's with its devres
# header), percpu:percpu_alloc_percpu for per-CPU memory,
# kmem:kmem_cache_alloc and
# kmem:mm_page_alloc events of the writer, their sizes, pfn and gfp_flags;
# cma:cma_alloc_finish (cma:cma_alloc before 5.18) for coherent DMA memory
# from the CMA area; the DMA demo device's pools (/sys/bus/pci/devices/
# DEV/pools); how the device reaches memory: its IOMMU group's domain
# type (/sys/bus/pci/devices/DEV/iommu_group/type), swiotlb's bounce of
# a mapping (swiotlb:swiotlb_bounced, and its count of slots in use,
# /sys/kernel/debug/swiotlb/io_tlb_used) and, from 6.12 on, the DMA API's own
# events of the handles it gave (dma:dma_map_page, dma_map_phys in 7.2,
# dma:dma_alloc);
# /proc/vmallocinfo; the frames of
# each vmalloc area, of the DMA pool's pages and of coherent memory
# remapped behind an IOMMU (/proc/kmem_demo_map);
# /sys/kernel/slab/CACHE's sizes; SLUB's alloc_traces where slub_debug=U
# is on for a cache.  An instrument that is missing is named, with what
# turns it on.  POSIX sh and awk: it runs in the guest's busybox too.
set -u

die() {
	echo "kernel-check: $*" >&2
	exit 1
}

# areas -- kmem_demo's lines of /proc/vmallocinfo.  The file is read by
# position in the kernel's list of areas, a page of text per read(): while
# other areas come and go between two of those (a process's stack, a freed
# area purged lazily), a line can be skipped or repeated.  Two whole reads
# in a row that agree are a consistent view of the module's own areas.
areas() {
	a_was=$(grep '\[kmem_demo\]' /proc/vmallocinfo 2>/dev/null)
	a_try=0
	while [ "$a_try" -lt 10 ]; do
		a_now=$(grep '\[kmem_demo\]' /proc/vmallocinfo 2>/dev/null)
		[ "$a_now" = "$a_was" ] && break
		a_was=$a_now a_try=$((a_try + 1))
	done
	[ -z "$a_was" ] || printf '%s\n' "$a_was"
}

# The guest tests ask for the areas after every refusal: answered here,
# before the shell has read the rest of this script.
if [ "${1:-}" = areas ] && [ $# -eq 1 ]; then
	areas
	exit 0
fi

tracefs() {
	T=/sys/kernel/tracing
	[ -e "$T/trace" ] || mount -t tracefs nodev "$T" 2>/dev/null
	[ -e "$T/trace" ] || T=/sys/kernel/debug/tracing
	[ -e "$T/trace" ] || die "no tracefs (mount -t tracefs nodev /sys/kernel/tracing, as root; or a kernel with CONFIG_TRACING)"
}

# SYSTEM/EVENT under $T/events: those a kernel lacks are left out.
EVENTS='kmem/kmalloc kmem/kmalloc_node kmem/kmem_cache_alloc kmem/kmem_cache_alloc_node
	kmem/mm_page_alloc kmem/mm_page_alloc_zone_locked cma/cma_alloc cma/cma_alloc_finish
	swiotlb/swiotlb_bounced dma/dma_map_page dma/dma_map_phys dma/dma_alloc
	percpu/percpu_alloc_percpu'
# The events kept, as the trace names them ("NAME:" is a field of their
# lines): looked up in an array, as a regex made at run time would be
# compiled again for every field in busybox awk.
KEPT='kmalloc|kmalloc_node|kmem_cache_alloc|kmem_cache_alloc_node|mm_page_alloc|mm_page_alloc_zone_locked|cma_alloc|cma_alloc_finish|swiotlb_bounced|dma_map_page|dma_map_phys|dma_alloc|percpu_alloc_percpu'
# The trace buffer, KiB per CPU: the load alone writes over 2048 page
# events (the 8 MiB vmalloc; 16384 for vmalloc_size's 64 MiB) besides the
# module loader's, and an overflow would drop the oldest.
BUFFER_KB=4096

# begin DIR STEP -- trace this shell and its children from now on.
begin() {
	tracefs
	mkdir -p "$1" || die "cannot make $1"
	echo 0 >"$T/tracing_on"
	# "1408", or "7 (expanded: 1408)" before the buffer was first used.
	kb=$(sed 's/.*expanded: *\([0-9]*\).*/\1/; s/[^0-9].*//' "$T/buffer_size_kb")
	[ "${kb:-0}" -ge "$BUFFER_KB" ] || echo "$BUFFER_KB" >"$T/buffer_size_kb"
	# The pages on the per-CPU free lists now: alloc_pages_bulk (5.13+)
	# hands those out with no event, so at most this many pages of the
	# step can lack one.
	awk '/^ *count:/ { n += $2 } END { print n + 0 }' /proc/zoneinfo >"$1/.pcp.$2"
	: >"$T/trace"
	echo "$PPID $$" >"$T/set_event_pid" || die "cannot write $T/set_event_pid (root?)"
	echo 1 >"$T/options/event-fork"
	for e in $EVENTS; do
		[ -e "$T/events/$e/enable" ] && echo 1 >"$T/events/$e/enable"
	done
	echo 1 >"$T/tracing_on"
}

# end DIR STEP -- stop, and keep the events as DIR/trace.STEP, after three
# lines of header: the events this kernel has, the pages on the
# per-CPU lists at begin, and the trace's own
# "entries-in-buffer/entries-written: A/B" (A < B: events were lost).
end() {
	tracefs
	have=
	for e in $EVENTS; do
		[ -e "$T/events/$e/enable" ] || continue
		echo 0 >"$T/events/$e/enable"
		have="$have ${e#*/}"
	done
	echo >"$T/set_event_pid"
	echo "# events:$have" >"$1/trace.$2"
	echo "# per-cpu free pages at begin: $(cat "$1/.pcp.$2" 2>/dev/null || echo -)" >>"$1/trace.$2"
	rm -f "$1/.pcp.$2"
	awk -v kept="$KEPT" 'BEGIN { n = split(kept, k, "|"); for (i = 1; i <= n; i++) K[k[i] ":"] = 1 }
		/^# entries-in-buffer/ && !h { h = 1; print; next }
		{ for (i = 1; i <= NF; i++) if ($i in K) { print; next } }' "$T/trace" >>"$1/trace.$2"
}

# save DIR -- the report and the kernel's views, as they are now.
save() {
	cat /proc/kmem_demo >"$1/report.txt" || die "cannot read /proc/kmem_demo: is kmem_demo loaded?"
	areas >"$1/vmallocinfo.txt"
	# The frame map lists page frames: root only, like the report's pfn.
	rm -f "$1/map.txt"
	if [ ! -e /proc/kmem_demo_map ]; then
		map=absent
	elif cat /proc/kmem_demo_map >"$1/map.txt" 2>/dev/null; then
		map=saved
	else
		map=unreadable
		rm -f "$1/map.txt"
	fi
	# Per cache: its sizes, store_user (slub_debug=U; "-" without
	# CONFIG_SLUB_DEBUG) and the cache it was merged into ("-": its own).
	: >"$1/slab.txt"
	for c in kmem_demo $(sed -n 's/^served_by: *\([a-z0-9-]*kmalloc-[0-9a-zA-Z]*\),.*/\1/p' "$1/report.txt" | sort -u); do
		d=/sys/kernel/slab/$c
		if [ ! -r "$d/slab_size" ]; then
			echo "$c - - - - - -" >>"$1/slab.txt"
			continue
		fi
		m=-
		[ -L "$d" ] && m=$(readlink "$d") && m=${m##*/}
		echo "$c $(cat "$d/object_size") $(cat "$d/slab_size") $(cat "$d/objs_per_slab") $(cat "$d/order")" \
			"$(cat "$d/store_user" 2>/dev/null || echo -) $m" >>"$1/slab.txt"
	done
	: >"$1/alloc_traces.txt"
	for f in /sys/kernel/debug/slab/*/alloc_traces /sys/kernel/slab/*/alloc_calls; do
		[ -r "$f" ] || continue
		c=${f%/*}
		c=${c##*/}
		grep -q . "$f" 2>/dev/null || continue
		# Each call site's line starts with its count; its stack follows.
		grep -E '^ *[0-9]+ .*\[kmem_demo\]' "$f" | sed "s|^ *|$c |" >>"$1/alloc_traces.txt"
	done
	# The DMA pools of each PCI device: "DEV NAME INUSE BLOCKS SIZE PAGES".
	: >"$1/pools.txt"
	for f in /sys/bus/pci/devices/*/pools; do
		[ -r "$f" ] || continue
		d=${f%/pools}
		awk -v d="${d##*/}" 'NR > 1 { print d, $0 }' "$f" >>"$1/pools.txt"
	done
	awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps >"$1/page_size"
	# Which instruments were there: judge says what a missing one needs.
	vi=readable
	head -c 1 /proc/vmallocinfo >/dev/null 2>&1 || vi=unreadable
	dbg=unmounted
	grep -q ' /sys/kernel/debug debugfs ' /proc/mounts && dbg=mounted
	sys=present
	[ -d /sys/kernel/slab ] || sys=absent
	bulk=no
	grep -qE ' (__alloc_pages_bulk|alloc_pages_bulk_noprof)$' /proc/kallsyms 2>/dev/null && bulk=yes
	# The DMA demo device, and the type of its IOMMU group's domain: DMA
	# or DMA-FQ where the IOMMU translates, identity where it does not.
	dev=$(sed -n 's/^dma_device: *\([0-9a-f]*:[0-9a-f:.]*\), .*/\1/p' "$1/report.txt")
	iommu=none
	[ -z "$dev" ] || iommu=$(cat "/sys/bus/pci/devices/$dev/iommu_group/type" 2>/dev/null || echo none)
	# swiotlb's own count of its slots in use (debugfs), and of all.
	tlb=/sys/kernel/debug/swiotlb
	{
		echo "dma_device ${dev:--}"
		echo "dma_iommu $iommu"
		echo "swiotlb_used $(cat "$tlb/io_tlb_used" 2>/dev/null || echo -)"
		echo "swiotlb_slots $(cat "$tlb/io_tlb_nslabs" 2>/dev/null || echo -)"
		echo "map $map"
		echo "vmallocinfo $vi"
		echo "debugfs $dbg"
		echo "slab_sysfs $sys"
		echo "alloc_pages_bulk $bulk"
		echo "kptr_restrict $(cat /proc/sys/kernel/kptr_restrict 2>/dev/null || echo -)"
	} >"$1/instruments.txt"
}

# judge DIR -- each section of DIR/report.txt, its evidence and a verdict.
judge() {
	[ -r "$1/report.txt" ] || die "no $1/report.txt: record first"
	# shellcheck disable=SC2046 # the trace files, in step order
	awk -v ps="$(cat "$1/page_size" 2>/dev/null || echo 4096)" -v kept="$KEPT" '
	function hex2num(h,   i, c, n) {
		n = 0; h = tolower(h); sub(/^0x/, "", h)
		for (i = 1; i <= length(h); i++) {
			c = index("0123456789abcdef", substr(h, i, 1)) - 1
			if (c < 0) return -1
			n = n * 16 + c
		}
		return n
	}
	function num(v) { return v ~ /^0x/ ? hex2num(v) : v + 0 }
	BEGIN {
		n = split(kept, k, "|"); for (i = 1; i <= n; i++) KEPT[k[i] ":"] = 1
		G["__GFP_RECLAIM"] = "__GFP_DIRECT_RECLAIM|__GFP_KSWAPD_RECLAIM"
		G["GFP_NOIO"] = "__GFP_RECLAIM"
		G["GFP_NOFS"] = "GFP_NOIO|__GFP_IO"
		G["GFP_KERNEL"] = "GFP_NOFS|__GFP_FS"
		G["GFP_KERNEL_ACCOUNT"] = "GFP_KERNEL|__GFP_ACCOUNT"
		G["GFP_USER"] = "GFP_KERNEL|__GFP_HARDWALL"
		G["GFP_HIGHUSER"] = "GFP_USER|__GFP_HIGHMEM"
		G["GFP_HIGHUSER_MOVABLE"] = "GFP_HIGHUSER|__GFP_MOVABLE"
		G["GFP_TRANSHUGE_LIGHT"] = "__GFP_IO|__GFP_FS|__GFP_HARDWALL|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_COMP|__GFP_NOMEMALLOC|__GFP_NOWARN"
		G["GFP_TRANSHUGE"] = "GFP_TRANSHUGE_LIGHT|__GFP_DIRECT_RECLAIM"
		G["GFP_ATOMIC"] = "__GFP_HIGH|__GFP_KSWAPD_RECLAIM"
		G["GFP_NOWAIT"] = "__GFP_KSWAPD_RECLAIM"
		G["GFP_DMA"] = "__GFP_DMA"
		G["GFP_DMA32"] = "__GFP_DMA32"
	}
	# The file being read, by its base name: once per file, not per line.
	FNR == 1 { fb = FILENAME; sub(/.*\//, "", fb) }
	fb == "instruments.txt" { ins[$1] = $2; next }
	fb == "slab.txt" {
		if ($2 == "-") { noslab[$1] = 1; next }
		obj[$1] = $2; slab[$1] = $3; per[$1] = $4; ord[$1] = $5
		if (NF >= 7) { su[$1] = $6; merged[$1] = $7 }
		next }
	# The frame map: each region, then its runs (PFN PAGES).
	fb == "map.txt" {
		if ($1 == "region") { rg = $2; mreg[rg] = $0; nrun[rg] = 0 }
		else if ($1 == "run" && rg != "") { k = ++nrun[rg]; rpfn[rg, k] = $2; rlen[rg, k] = $3 }
		next }
	fb == "vmallocinfo.txt" {
		a = $1; sub(/-.*/, "", a); sub(/^0x/, "", a); va[a] = $0; next }
	fb == "alloc_traces.txt" { at[++nat] = $0; next }
	fb == "pools.txt" { pools[$2] = $0; next }
	fb ~ /^trace\./ {
		step = fb; sub(/^trace\./, "", step)
		traced[step] = 1
		if ($0 ~ /^# events:/) { kev[step] = substr($0, 10) " "; next }
		if ($0 ~ /^# per-cpu free pages at begin:/) { pcp[step] = $NF; next }
		if ($2 == "entries-in-buffer/entries-written:") {
			split($3, ab, "/"); written[step] = ab[2] + 0
			if (ab[1] + 0 < ab[2] + 0) lost[step] = ab[2] - ab[1]
			next
		}
		ev = ""
		for (i = 1; i <= NF; i++) if ($i in KEPT) { ev = $i; sub(/:$/, "", ev); break }
		if (ev == "") next
		n = ++nev[step]; E = step SUBSEP n
		evname[E] = ev
		for (; i <= NF; i++) if (split($i, kv, "=") == 2) {
			if (kv[1] == "call_site") { f = kv[2]; sub(/\+.*/, "", f); site[E] = f }
			else evf[E, kv[1]] = kv[2]
		}
		# cma:cma_alloc (before 5.18) prints its pfn in hex without 0x, and
		# swiotlb:swiotlb_bounced its addresses.
		if (ev == "cma_alloc" && (E, "pfn") in evf && evf[E, "pfn"] !~ /^0x/) evf[E, "pfn"] = "0x" evf[E, "pfn"]
		if (ev == "swiotlb_bounced") { evf[E, "dev_addr"] = "0x" evf[E, "dev_addr"]; bounced[++nb] = E }
		# So do the dma:* events (6.12 and later).
		if (ev ~ /^dma_/) {
			evf[E, "dma_addr"] = "0x" evf[E, "dma_addr"]
			if ((E, "phys_addr") in evf) evf[E, "phys_addr"] = "0x" evf[E, "phys_addr"]
			dmaev[++ndma] = E
		}
		next
	}
	# The report, last.
	/^\[.*\]$/ { sec[++ns] = substr($0, 2, length($0) - 2); next }
	ns && /^[a-z_]+: / { k = $1; sub(/:$/, "", k); v = $0; sub(/^[^:]*: */, "", v)
		if (!((ns, k) in F)) F[ns, k] = v
		next }
	function field(s, k) { return (s, k) in F ? F[s, k] : "" }
	function first(s, k,   v) { v = field(s, k); sub(/ .*/, "", v); return v }
	function show(what, text) { printf "  %-16s %s\n", what, text }
	function evtext(E,   t) {
		t = evname[E] ":" (E in site ? " call_site=" site[E] : "")
		if ((E, "bytes_req") in evf) t = t " bytes_req=" evf[E, "bytes_req"] " bytes_alloc=" evf[E, "bytes_alloc"]
		if ((E, "pfn") in evf) t = t " pfn=" evf[E, "pfn"] " order=" evf[E, "order"]
		return t " gfp_flags=" evf[E, "gfp_flags"]
	}
	function differ(what) { bad = bad (bad == "" ? "" : "; ") what }
	# Whether a step was traced with an event named as the regex NAME says
	# (the kernel has that tracepoint).
	function traced_event(name,   i) {
		for (i in kev) if (kev[i] ~ (" " name " ")) return 1
		return 0
	}
	# Why a step has no event NAME: the kernel lacks the tracepoint, the
	# trace lost events, or there was none.
	function noevent(name, step, what,   bare) {
		bare = name; sub(/.*:/, "", bare)
		if (name == bare) name = "kmem:" name
		if ((step in kev) && index(kev[step], " " bare " ") == 0 && index(kev[step], " " bare "_node ") == 0)
			return "no " name " tracepoint on this kernel (a kernel with CONFIG_TRACING)"
		if (step in lost) return lostmsg(step)
		return "no " name " event " what " in trace." step
	}
	function lostmsg(step) {
		return "trace." step " lost " lost[step] " of " written[step] " events (the trace buffer overflowed: raise /sys/kernel/tracing/buffer_size_kb)"
	}
	# The flag names of a decoded gfp text in set: each name, and each
	# composite also as the flags it stands for (include/linux/gfp_types.h,
	# the part every kernel since 5.10 shares), as a decoder that saw more
	# flags may have printed a larger composite or none; set["0x"] sums
	# the bits printed as a bare hex number, which no name covers.
	function gfpadd(name, set,   n, i, p) {
		if (name in set) return
		set[name] = 1
		if (name in G) { n = split(G[name], p, "|"); for (i = 1; i <= n; i++) gfpadd(p[i], set) }
	}
	function gfpset(text, set,   n, i, p) {
		split("", set)
		n = split(text, p, "|")
		for (i = 1; i <= n; i++) {
			if (p[i] ~ /^0x[0-9a-fA-F]+$/) set["0x"] += hex2num(p[i])
			else if (p[i] != "" && p[i] != "none") gfpadd(p[i], set)
		}
	}
	# bitsin(a, b) -- every bit of a is set in b (awk has no bit operators).
	function bitsin(a, b) {
		for (; a > 0; a = int(a / 2)) { if (a % 2 && !(b % 2)) return 0; b = int(b / 2) }
		return 1
	}
	# gfpmiss(REPORT, EVENT) -- the names of REPORT that EVENT lacks, joined
	# by "|"; empty when the event has all of them (it may have more).
	function gfpmiss(r, e,   n, i, p, k, miss) {
		gfpset(e, GE)
		n = split(r, p, "|"); miss = ""
		for (i = 1; i <= n; i++) {
			if (p[i] == "" || p[i] == "none" || (p[i] in GE)) continue
			if (p[i] ~ /^0x/) {
				if (!bitsin(hex2num(p[i]), GE["0x"] + 0)) miss = miss "|" p[i]
				continue
			}
			gfpset(p[i], GR)
			for (k in GR) if (!(k in G) && !(k in GE)) { miss = miss "|" p[i]; break }
		}
		return substr(miss, 2)
	}
	# The gfp text of the report, without its value in hex.
	function gfptext(s,   r) { r = field(s, "gfp"); sub(/ *\(0x[0-9a-fA-F]+\)$/, "", r); return r }
	# gfpcheck(s, E) -- every flag of the report among those of event E: 1 when so.
	function gfpcheck(s, E,   r, m) {
		r = gfptext(s)
		if (!((E, "gfp_flags") in evf)) return 1
		m = gfpmiss(r, evf[E, "gfp_flags"])
		if (m == "") return 1
		differ("gfp (report " r ", kmem:" evname[E] " gfp_flags " evf[E, "gfp_flags"] ")")
		return 0
	}
	function gfpshow(s, what, seen) {
		show("gfp", "report " gfptext(s) ": each flag in " what " gfp_flags " seen)
	}
	function slabline(c,   m) {
		if (!(c in slab)) {
			if (ins["slab_sysfs"] == "absent") show("slab sysfs", "absent: no /sys/kernel/slab (a kernel with CONFIG_SLUB and CONFIG_SYSFS)")
			else if (c in noslab) show("slab sysfs", "absent: no /sys/kernel/slab/" c " when saved (a kernel with CONFIG_SLUB and CONFIG_SYSFS)")
			return
		}
		m = (c in merged) && merged[c] != "-" ? " (merged into " merged[c] ": its sizes are those of the shared cache; boot with slab_nomerge or slub_debug=U," c " to keep it apart)" : ""
		show("slab sysfs", c ": object_size=" obj[c] " slab_size=" slab[c] " objs_per_slab=" per[c] " order=" ord[c] m)
	}
	function check_kmalloc(s, step,   req, res, by, c, i, E, got, want) {
		req = first(s, "requested"); res = first(s, "reserved"); by = field(s, "served_by")
		# The newest such event, from the module itself if there is one.
		for (i = nev[step]; i >= 1; i--) {
			E = step SUBSEP i
			if (evname[E] ~ /^kmalloc/ && evf[E, "bytes_req"] == req && site[E] ~ /^kd_/) break
		}
		if (i < 1) for (i = nev[step]; i >= 1; i--) {
			E = step SUBSEP i
			if (evname[E] ~ /^kmalloc/ && evf[E, "bytes_req"] == req) break
		}
		if (i < 1) { nogood = noevent("kmalloc", step, "with bytes_req=" req); return }
		show("kmem:" evname[E], evtext(E))
		if (gfpcheck(s, E)) gfpshow(s, "kmem:" evname[E], evf[E, "gfp_flags"])
		got = evf[E, "bytes_alloc"]
		if (by ~ /^the page allocator/) {
			if (got != res) differ("reserved (report " res ", kmem:kmalloc bytes_alloc " got ")")
			return
		}
		c = by; sub(/,.*/, "", c)
		slabline(c)
		if (c in slab) {
			if (obj[c] != res) differ("reserved (report " res ", " c " object_size " obj[c] ")")
			if (got != slab[c]) differ("served_by (report " c ", whose slab_size is " slab[c] "; kmem:kmalloc bytes_alloc " got ")")
			else if (got > res) show("note", "bytes_alloc " got " = object " res " + " (got - res) " of debug metadata (slub_debug, KASAN) per object")
		} else if (got != res) differ("reserved (report " res ", kmem:kmalloc bytes_alloc " got ")")
	}
	# krealloc: moved, a kmalloc of the new size from the module; in
	# place, none at all.
	function check_krealloc(s, step,   i, E, req) {
		if (field(s, "resized") !~ /: in place: /) { check_kmalloc(s, step); return }
		req = first(s, "requested")
		for (i = 1; i <= nev[step]; i++) {
			E = step SUBSEP i
			if (evname[E] ~ /^kmalloc/ && evf[E, "bytes_req"] == req && site[E] ~ /^kd_/) {
				differ("resized says in place, but kmem_demo called kmalloc in the step: " evtext(E))
				return
			}
		}
		show("kmem:kmalloc", "none of " req " bytes from kmem_demo in the step: krealloc kept the buffer, as resized: says")
	}
	# devm_kzalloc: one kmalloc of the devres header and the bytes, made on
	# behalf of the module (its call site), a little more than requested;
	# the first such event of the step: the action the lab registers after
	# it is another devres of the same call site.
	function check_devm(s, step,   req, i, E, got) {
		req = first(s, "requested")
		for (i = 1; i <= nev[step]; i++) {
			E = step SUBSEP i
			got = evf[E, "bytes_req"]
			if (evname[E] ~ /^kmalloc/ && site[E] ~ /^kd_lab_devm/ && got > req && got <= req + 256) break
		}
		if (i > nev[step]) { nogood = noevent("kmalloc", step, "from kd_lab_devm_alloc of the " req " bytes and a devres header"); return }
		show("kmem:" evname[E], evtext(E))
		show("devres", "its header takes " (got - req) " bytes of the same kmalloc")
	}
	# A mempool: mempool_create() fills the reserve with COUNT kmallocs of
	# SIZE, through mempool_kmalloc(): the call site is in the mempool code
	# (mempool_init_node where the compiler made kmalloc a tail call).
	function check_mempool(s, step,   c, a, i, E, n, t) {
		c = field(s, "call"); sub(/^[a-z_]*\(/, "", c); sub(/\).*/, "", c)
		split(c, a, ", ")
		for (i = 1; i <= nev[step]; i++) {
			E = step SUBSEP i
			if (evname[E] ~ /^kmalloc/ && site[E] ~ /^mempool_/ && evf[E, "bytes_req"] == a[2]) { n++; t = evtext(E) }
		}
		if (!n) { nogood = noevent("kmalloc", step, "from the mempool code of " a[2] " bytes"); return }
		show("kmem:kmalloc", n " from the mempool code, the last: " t)
		if (n != a[1]) differ("elements (the call asked for " a[1] ", " n " kmalloc events from the mempool code)")
	}
	# Per-CPU memory: the percpu:percpu_alloc_percpu event of the size in
	# the call (in 4-byte units) and its alignment; reserved is that size
	# once per possible CPU (served_by counts them).
	function check_percpu(s, step,   c, a, size, align, n, i, E, t) {
		c = field(s, "call"); sub(/^__alloc_percpu\(/, "", c); sub(/\).*/, "", c)
		split(c, a, ", "); size = int((a[1] + 3) / 4) * 4; align = a[2]
		n = field(s, "served_by"); sub(/^[^(]*\(/, "", n); sub(/\).*/, "", n)
		for (i = nev[step]; i >= 1; i--) {
			E = step SUBSEP i
			if (evname[E] == "percpu_alloc_percpu" && evf[E, "size"] == size && evf[E, "align"] == align) break
		}
		if (i < 1) { nogood = noevent("percpu:percpu_alloc_percpu", step, "with size=" size " align=" align); return }
		t = "percpu_alloc_percpu:" (E in site ? " call_site=" site[E] : "") " size=" size " align=" align
		if ((E, "bytes_alloc") in evf) t = t " bytes_alloc=" evf[E, "bytes_alloc"]
		show("percpu:percpu_alloc_percpu", t)
		if (size * n != first(s, "reserved")) differ("reserved (report " first(s, "reserved") ", the event size " size " x " n " possible CPUs)")
	}
	function check_pages(s, step,   res, p, o, i, E, want, x) {
		res = first(s, "reserved") + 0; p = field(s, "pfn")
		o = 0; for (x = ps; x < res; x *= 2) o++
		if (p == "" || p == "hidden") { nogood = "pfn hidden: the report shows page frames to CAP_SYS_ADMIN only (run as root)"; return }
		sub(/-.*/, "", p); want = hex2num(p)
		# The last event that took the block: one freed earlier in the
		# step (a temporary buffer) may have held the same frames.
		E = ""
		for (i = 1; i <= nev[step]; i++)
			if (evname[step, i] == "mm_page_alloc" && num(evf[step, i, "pfn"]) == want && evf[step, i, "order"] == o)
				E = step SUBSEP i
		# Coherent DMA memory of more than a page may come from the CMA
		# area instead: its own event, the pages counted, no flags.
		if (E == "" && field(s, "call") ~ /^dma_alloc_coherent\(/)
			for (i = 1; i <= nev[step]; i++)
				if (evname[step, i] ~ /^cma_alloc/ && num(evf[step, i, "pfn"]) == want) {
					E = step SUBSEP i
					show("cma:" evname[E], "name=" evf[E, "name"] " pfn=" evf[E, "pfn"] " count=" evf[E, "count"] " (the CMA area, not the buddy allocator)")
					if (evf[E, "count"] * ps != res) differ("reserved (report " res ", cma:" evname[E] " count " evf[E, "count"] " pages of " ps ")")
					return
				}
		if (E == "") {
			x = noevent("mm_page_alloc", step, "")
			if (x ~ /tracepoint|lost/) nogood = x
			else differ("pfn (report " p ", order " o ": no kmem:mm_page_alloc of that block in trace." step ")")
			return
		}
		show("kmem:mm_page_alloc", evtext(E))
		if (gfpcheck(s, E)) gfpshow(s, "kmem:mm_page_alloc", evf[E, "gfp_flags"])
	}
	# How the device reaches the memory of a section (its via: line) against
	# what the kernel says: the IOMMU group of the device translates (DMA,
	# DMA-FQ) exactly where the report says iommu; without one, a direct
	# dma_addr is the physical address, and a swiotlb one bounced (an event
	# of swiotlb:swiotlb_bounced at the physical address of the buffer).
	function check_dma(s,   via, how, t, a, p, i, E) {
		via = field(s, "via"); how = via; sub(/:.*/, "", how)
		if (via == "" || via ~ /^refused/) return
		t = ins["dma_iommu"]
		show("iommu_group", ins["dma_device"] " " (t == "none" || t == "" ? "in no IOMMU group" : "domain type " t))
		if ((how == "iommu") != (t ~ /^DMA/)) { differ("via (report " how ", the IOMMU group of " ins["dma_device"] ": " (t == "" ? "none" : t) ")"); return }
		a = field(s, "dma_addr"); p = field(s, "phys"); sub(/-.*/, "", p)
		if (how == "direct" && a ~ /^0x/ && p ~ /^0x/ && num(a) != num(p)) differ("dma_addr (report " a ", its physical address " p ")")
		if (how != "swiotlb") return
		# Its counters: the mapping holds a slot while it lives.
		if (ins["swiotlb_used"] == "-" || ins["swiotlb_used"] == "") show("swiotlb", "no counters (debugfs: mount -t debugfs none /sys/kernel/debug, as root)")
		else {
			show("swiotlb", "io_tlb_used " ins["swiotlb_used"] " of io_tlb_nslabs " ins["swiotlb_slots"] " slots")
			if (ins["swiotlb_used"] == 0) { differ("via (report swiotlb, yet swiotlb has no slot in use)"); return }
		}
		if (p !~ /^0x/) { nogood = "phys hidden: the report shows physical addresses to CAP_SYS_ADMIN only (run as root)"; return }
		for (i = 1; i <= nb; i++) {
			E = bounced[i]
			if (num(evf[E, "dev_addr"]) == num(p)) { show("swiotlb:swiotlb_bounced", "dev_addr=" evf[E, "dev_addr"] " size=" evf[E, "size"] " dma_mask=" evf[E, "dma_mask"]); return }
		}
		if (!traced_event("swiotlb_bounced")) nogood = "no swiotlb:swiotlb_bounced tracepoint on this kernel (a kernel with CONFIG_TRACING and CONFIG_SWIOTLB)"
		else differ("via (report swiotlb: no swiotlb:swiotlb_bounced of phys " p " in the traces)")
	}
	# What the DMA API itself says of dma_addr, where the kernel has the
	# dma:* tracepoints (6.12 and later): the handle of a streaming mapping
	# is a dma:dma_map_page (dma:dma_map_phys in 7.2, the same fields) of
	# the physical address of the buffer; that of coherent memory, and of a
	# pool block, lies in a dma:dma_alloc.
	function check_dma_events(s,   via, a, p, i, E, lo) {
		via = field(s, "via")
		if (via == "" || via ~ /^refused/) return
		if (!traced_event("dma_map_(page|phys)")) { show("dma:*", "no dma tracepoints on this kernel (6.12 and later have them, with CONFIG_TRACING)"); return }
		a = field(s, "dma_addr"); p = field(s, "phys"); sub(/-.*/, "", p)
		if (a == "hidden") { nogood = "dma_addr hidden: the report shows addresses of the device to CAP_SYS_ADMIN only (run as root)"; return }
		# A scatterlist has no one handle: its segments are not checked.
		if (a !~ /^0x/) return
		if (field(s, "direction") != "") {
			for (i = 1; i <= ndma; i++) {
				E = dmaev[i]
				if (evname[E] !~ /^dma_map_(page|phys)$/ || num(evf[E, "dma_addr"]) != num(a)) continue
				show("dma:" evname[E], "dma_addr=" evf[E, "dma_addr"] " phys_addr=" evf[E, "phys_addr"] " size=" evf[E, "size"] " dir=" evf[E, "dir"])
				if (p ~ /^0x/ && num(evf[E, "phys_addr"]) != num(p)) differ("phys (report " p ", dma:" evname[E] " of dma_addr " a " maps phys_addr " evf[E, "phys_addr"] ")")
				return
			}
			differ("dma_addr (report " a ": no dma:dma_map_page or dma_map_phys handed it out)")
			return
		}
		for (i = 1; i <= ndma; i++) {
			E = dmaev[i]; lo = num(evf[E, "dma_addr"])
			if (evname[E] != "dma_alloc" || num(a) < lo || num(a) >= lo + evf[E, "size"]) continue
			show("dma:dma_alloc", "dma_addr=" evf[E, "dma_addr"] " size=" evf[E, "size"] " flags=" evf[E, "flags"])
			return
		}
		differ("dma_addr (report " a ": in no dma:dma_alloc)")
	}
	# The DMA pool: the pools file of its device (name, blocks in use, blocks,
	# block size, pages) against the report, then its pages (check_frames).
	function check_pool(s, step,   call, size, n, w) {
		call = field(s, "call"); size = call; sub(/^dma_pool_create\("[^"]*", [^,]*, /, "", size); size += 0
		n = first(s, "requested") / (size ? size : 1)
		if (!("kmem_demo" in pools)) { show("pools", "no kmem_demo line in /sys/bus/pci/devices/*/pools when saved"); differ("pool (not in the pools file of its device)"); return }
		show("pools", pools["kmem_demo"])
		split(pools["kmem_demo"], w, " ")
		if (w[5] != size) differ("block size (report " size ", pools " w[5] ")")
		else if (w[3] != n) differ("blocks (report " n " in use, pools " w[3] ")")
	}
	function check_vmalloc(s, step,   a, line, n, sz, pg, vp, res, guard, arr, tot, x, m, t, nn, want, got) {
		a = field(s, "address"); line = va[a]
		if (ins["vmallocinfo"] == "unreadable") { nogood = "/proc/vmallocinfo was unreadable (mode 0400: run as root)"; return }
		if (a !~ /[1-9a-f]/) { nogood = "address hidden (kptr_restrict=" ins["kptr_restrict"] ": the report and /proc/vmallocinfo show addresses with sysctl kernel.kptr_restrict=0, or 1 and run as root)"; return }
		if (line == "") { nogood = "no /proc/vmallocinfo line at the report address " a " (addresses hashed differently: kptr_restrict=" ins["kptr_restrict"] "?)"; return }
		show("vmallocinfo", line)
		n = split(line, w, " "); sz = w[2]; pg = ""; vp = 0; tot = 0
		for (x = 3; x <= n; x++) {
			if (w[x] ~ /^pages=/) pg = substr(w[x], 7)
			if (w[x] == "vpages") vp = 1
			if (w[x] ~ /^N[0-9]+=/) { t = w[x]; sub(/^N[0-9]+=/, "", t); tot += t; got = got " " w[x] }
		}
		res = first(s, "reserved"); guard = first(s, "extra_guard") + 0; arr = first(s, "extra_array") + 0
		if (sz != res + guard) differ("reserved (report " res " + extra_guard " guard ", vmallocinfo size " sz ")")
		if (pg != first(s, "pages")) differ("pages (report " first(s, "pages") ", vmallocinfo pages=" pg ")")
		else if (pg != res / ps) differ("reserved (report " res ": " res / ps " pages; vmallocinfo pages=" pg ")")
		if ((arr > ps) != vp) differ("extra_array (report " arr ": vmalloc'\''d above a page; vmallocinfo " (vp ? "has" : "has no") " vpages)")
		if (tot && tot != pg) differ("node (vmallocinfo N counts sum to " tot ", not pages=" pg ")")
		# The node line of the report, "1" or "0 (748 pages), 1 (1300 pages)",
		# as the N counts of vmallocinfo: " N1=2048", " N0=748 N1=1300".
		if (tot) {
			t = field(s, "node"); want = ""
			nn = split(t, w, /, /)
			for (x = 1; x <= nn; x++)
				if (nn == 1 && w[x] ~ /^[0-9]+$/) want = " N" w[x] "=" pg
				else if (split(w[x], m, /[ (]+/) >= 2) want = want " N" m[1] "=" m[2]
			if (want != got) differ("node (report " t ", vmallocinfo" got ")")
		}
	}
	# The frames of a vmalloc area (its runs in the frame map) against the
	# page allocator: each frame must lie in a block (pfn .. pfn +
	# 2^order - 1) of a kmem:mm_page_alloc event of the same step.
	function check_frames(s, step,   rg, n, k, i, E, f, p, l, o, sz, nu, olist, pages, miss, t, listed, runs, c, nref, none) {
		rg = sec[s] ~ /^lab / ? "lab:" substr(sec[s], 5) : sec[s]
		t = ""
		if (ins["map"] == "unreadable") t = "/proc/kmem_demo_map was unreadable (it lists page frames: root only, run as root)"
		else if (ins["map"] == "absent") t = "no /proc/kmem_demo_map (a kmem_demo without the frame map)"
		else if (!(rg in mreg)) t = "no region " rg " in map.txt (saved without /proc/kmem_demo_map? save as root keeps it)"
		else if (!(step in traced)) t = "no trace." step " (the step ran untraced: kernel-check.sh traces it, as root)"
		else if ((step in kev) && index(kev[step], " mm_page_alloc ") == 0) t = "no kmem:mm_page_alloc tracepoint on this kernel (a kernel with CONFIG_TRACING)"
		if (t != "") { show("kmem:mm_page_alloc", "no evidence: " t); return }
		if (!(step in covered)) {
			covered[step] = 1
			for (i = 1; i <= nev[step]; i++) {
				E = step SUBSEP i
				# A refill moves pages to the per-CPU lists: taken in this
				# step, handed out by a later allocation without an event.
				if (evname[E] == "mm_page_alloc") c = 1
				else if (evname[E] == "mm_page_alloc_zone_locked" && evf[E, "percpu_refill"] == 1) c = 0
				else continue
				p = num(evf[E, "pfn"]); sz = 1
				for (o = evf[E, "order"] + 0; o > 0; o--) sz *= 2
				for (f = p; f < p + sz; f++) if (c) cov[step, f] = i; else refill[step, f] = i
			}
		}
		split("", usedev); split("", ordseen)
		n = nrun[rg]; nu = 0; olist = ""; pages = 0; miss = ""; nref = 0; none = 0
		for (k = 1; k <= n; k++) {
			p = rpfn[rg, k] + 0; l = rlen[rg, k] + 0
			for (f = p; f < p + l; f++) {
				if ((step, f) in refill && !((step, f) in cov)) { nref++; continue }
				if (!((step, f) in cov)) { none++; if (miss == "") miss = p "+" l; continue }
				i = cov[step, f]
				if (i in usedev) continue
				usedev[i] = 1; nu++
				o = evf[step SUBSEP i, "order"]
				ordseen[o] = 1
			}
			pages += l
		}
		for (o = 0; o <= 20; o++) if (o in ordseen) olist = olist (olist == "" ? "" : ",") o
		# Pages without any event: on a kernel with alloc_pages_bulk, at most
		# those the per-CPU lists held at begin; anywhere else, none.
		if (none && !(ins["alloc_pages_bulk"] == "yes" && (step in pcp) && none <= pcp[step] + 0)) {
			if (step in lost) nogood = lostmsg(step)
			else differ("pfn (run " miss " not allocated in trace." step ")")
			return
		}
		listed = mreg[rg]; sub(/.* listed=/, "", listed); sub(/ .*/, "", listed)
		runs = mreg[rg]; sub(/.* runs=/, "", runs); sub(/ .*/, "", runs)
		# Their gfp_flags are not compared: vmalloc tries high orders without
		# __GFP_DIRECT_RECLAIM (7.2), so not every flag of the caller is there.
		t = nu " event" (nu == 1 ? "" : "s") (nu ? " of order" (olist ~ /,/ ? "s " : " ") olist : "") \
			(nu == 1 ? " covers" : " cover") (nref + none ? " " (pages - nref - none) " of" : "") " the " pages " listed pages" \
			(listed + 0 < runs + 0 ? " (the first " listed " of " runs " runs)" : " (" n " run" (n == 1 ? "" : "s") ")")
		show("kmem:mm_page_alloc", t)
		if (nref) show("", nref " taken from the buddy lists in this step to refill the per-CPU lists (kmem:mm_page_alloc_zone_locked percpu_refill=1), which alloc_pages_bulk hands out with no event of its own")
		if (none) show("", none " with no event: on the per-CPU lists before the step (" pcp[step] " pages were), which alloc_pages_bulk hands out with no event")
	}
	function check_cache(s, step,   n, c, i, E, k, got, res, slot, last) {
		n = field(s, "objects"); if (n == "") { n = field(s, "call"); sub(/.* x /, "", n) }
		k = 0
		for (i = 1; i <= nev[step]; i++) {
			E = step SUBSEP i
			if (evname[E] ~ /^kmem_cache_alloc/ && site[E] ~ /^kd_(alloc_objects|lab_cache)$/) { k++; last = E }
		}
		if (!k) { nogood = noevent("kmem_cache_alloc", step, "from kd_alloc_objects or kd_lab_cache"); return }
		show("kmem:" evname[last], evtext(last) " (x " k ")")
		for (i = 1; i <= nev[step]; i++) {
			E = step SUBSEP i
			if (evname[E] ~ /^kmem_cache_alloc/ && site[E] ~ /^kd_(alloc_objects|lab_cache)$/ && !gfpcheck(s, E)) break
		}
		if (i > nev[step]) gfpshow(s, "all " k " kmem:" evname[last], evf[last, "gfp_flags"])
		slabline("kmem_demo")
		if (k != n && (step in lost)) nogood = lostmsg(step)
		else if (k != n) differ("objects (report " n ", kmem:kmem_cache_alloc events " k ")")
		res = first(s, "reserved"); slot = res / n; got = evf[last, "bytes_alloc"]
		if ("kmem_demo" in slab && got != slab["kmem_demo"]) differ("slot (kmem_demo slab_size " slab["kmem_demo"] ", kmem:kmem_cache_alloc bytes_alloc " got ")")
		if (got < slot) differ("reserved (report " n " x " slot ", kmem:kmem_cache_alloc bytes_alloc " got ")")
		else if (got > slot) show("note", "bytes_alloc " got " = slot " slot " + " (got - slot) " of debug metadata (slub_debug, KASAN) per object")
		x = 0
		for (i = 1; i <= nat; i++) if (at[i] ~ /kd_(alloc_objects|lab_cache)\+/) { show("alloc_traces", at[i]); x++ }
		if (!x) show("alloc_traces", notraces("kmem_demo"))
	}
	# Why no call site of a cache is in alloc_traces.
	function notraces(c) {
		if (!(c in su)) return "none saved for " c " (boot with slub_debug=U," c ")"
		if (su[c] == "-") return "not built in (CONFIG_SLUB_DEBUG)"
		if (merged[c] != "-") return "off for " c ", merged into " merged[c] " (boot with slub_debug=U," c ")"
		if (su[c] == "0") return "off for " c " (boot with slub_debug=U," c ")"
		if (ins["debugfs"] == "unmounted") return "on for " c ", but debugfs was not mounted (mount -t debugfs none /sys/kernel/debug, as root)"
		return "on for " c ", but no kmem_demo call site in it (read as root)"
	}
	END {
		for (s = 1; s <= ns; s++) {
			step = sec[s] ~ /^lab / ? "lab-" substr(sec[s], 5) : "load"
			call = field(s, "call"); by = field(s, "served_by")
			printf "[%s] %s\n", sec[s], call
			bad = ""; nogood = ""
			if (!(step in traced) && !(call ~ /^(__vmalloc|v[mz]alloc_node|kvmalloc)/ && by ~ /^vmalloc/)) nogood = "no trace." step " (the step ran untraced: kernel-check.sh traces it, as root)"
			else if (call ~ /^kmem_cache/) check_cache(s, step)
			else if (by ~ /^vmalloc/) { check_vmalloc(s, step); check_frames(s, step) }
			else if (call ~ /^dma_alloc_coherent\(/ && field(s, "map") == "vmalloc space") check_frames(s, step)
			else if (call ~ /^(__get_free_pages|alloc_pages|alloc_pages_node|dma_alloc_coherent)\(/) check_pages(s, step)
			else if (call ~ /^dma_pool_create\(/) { check_pool(s, step); if (bad == "" && nogood == "") check_frames(s, step) }
			else if (call ~ /^krealloc\(/) check_krealloc(s, step)
			else if (call ~ /^__alloc_percpu\(/) check_percpu(s, step)
			else if (call ~ /^devm_kzalloc\(/) check_devm(s, step)
			else if (call ~ /^mempool_create_kmalloc_pool\(/) check_mempool(s, step)
			else if (call ~ /^(kmalloc|kvmalloc|kzalloc|kcalloc|kmalloc_array)(_node)?\(/ ||
				 call ~ /^kzalloc_flex\(/) check_kmalloc(s, step)
			else nogood = "no check for this call"
			check_dma(s)
			check_dma_events(s)
			if (bad != "") { show("verdict", "differs: " bad); nd++ }
			else if (nogood != "") { show("verdict", "no evidence: " nogood); nn++ }
			else { show("verdict", "agrees"); na++ }
		}
		printf "%d agree, %d differ, %d without evidence\n", na, nd, nn
		exit nd + nn > 0
	}' $(ls "$1/instruments.txt" "$1/map.txt" "$1/pools.txt" 2>/dev/null) "$1/slab.txt" "$1/vmallocinfo.txt" "$1/alloc_traces.txt" \
		$(ls "$1"/trace.* 2>/dev/null) "$1/report.txt"
}

# record DIR KO COMMAND... -- load traced, run each command traced, save.
record() {
	dir=$1 ko=$2
	shift 2
	grep -q '^kmem_demo ' /proc/modules &&
		die "kmem_demo is loaded: its load-time allocations were made before tracing; rmmod kmem_demo first"
	rm -f "$dir"/trace.* "$dir"/report.txt
	begin "$dir" load
	# KD_CHECK_PARAMS: the module's parameters, words as insmod takes them.
	# shellcheck disable=SC2086
	if [ -n "$ko" ]; then insmod "$ko" ${KD_CHECK_PARAMS:-}; else modprobe kmem_demo ${KD_CHECK_PARAMS:-}; fi ||
		{ end "$dir" load; die "loading kmem_demo failed (dmesg says why)"; }
	end "$dir" load
	for c in "$@"; do
		lab "$dir" "$c" || echo "kernel-check: '$c' refused (dmesg says why)" >&2
	done
	save "$dir"
}

# lab DIR COMMAND -- write one lab command, traced: DIR/trace.lab-ID.
# newest_lab -- the ID of the newest live experiment, "" when none.
newest_lab() {
	sed -n 's/^\[lab \([0-9]*\)\]$/\1/p' /proc/kmem_demo | tail -n 1
}

lab() {
	last=$(newest_lab)
	begin "$1" lab
	if echo "$2" >/proc/kmem_demo; then
		end "$1" lab
		id=$(newest_lab)
		# krealloc ID SIZE: its events are the evidence for lab ID now.
		kid=$(printf '%s\n' "$2" | awk '$1 == "krealloc" { print $2 }')
		if [ -n "$kid" ]; then
			mv "$1/trace.lab" "$1/trace.lab-$kid"
		elif [ "$id" != "$last" ]; then
			mv "$1/trace.lab" "$1/trace.lab-$id"
		else
			# A command that made no experiment (dma map ID, say): its
			# events are evidence for the sections it changed.
			n=1
			while [ -e "$1/trace.cmd-$n" ]; do n=$((n + 1)); done
			mv "$1/trace.lab" "$1/trace.cmd-$n"
		fi
		return 0
	fi
	end "$1" lab
	rm -f "$1/trace.lab"
	return 1
}

case ${1:-} in
begin|end) [ $# -eq 3 ] || die "usage: $0 $1 DIR STEP"; "$1" "$2" "$3" ;;
lab) [ $# -eq 3 ] || die "usage: $0 lab DIR COMMAND"; lab "$2" "$3" ;;
areas) [ $# -eq 1 ] || die "usage: $0 areas"; areas ;;
save|judge) [ $# -eq 2 ] || die "usage: $0 $1 DIR"; "$1" "$2" ;;
-h|--help) awk 'NR > 2 && /^set -u$/ { exit } NR > 2' "$0"; exit 0 ;;
*)
	[ "$(id -u)" -eq 0 ] || die "run it as root: sudo $0 $*"
	here=$(cd "$(dirname "$0")/.." && pwd)
	ko=
	# The clone's build, or one beside this script (make run's guest).
	for f in "$here/kmem_demo.ko" "$(dirname "$0")/kmem_demo.ko"; do
		[ -f "$f" ] && { ko=$f; break; }
	done
	[ -n "$ko" ] || modinfo kmem_demo >/dev/null 2>&1 ||
		die "no $here/kmem_demo.ko and no installed kmem_demo: run make first"
	dir=${KD_CHECK_DIR:-/tmp/kmem_demo-check}
	record "$dir" "$ko" "$@"
	cat "$dir/report.txt"
	echo
	echo "The kernel's own view ($dir):"
	judge "$dir"
	st=$?
	echo "kmem_demo stays loaded: sudo rmmod kmem_demo when done."
	exit "$st"
	;;
esac
