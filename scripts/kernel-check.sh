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
#       The module stays loaded: rmmod kmem_demo when done.
#   kernel-check.sh judge DIR
#       judge a saved DIR again (its report.txt may be edited: the check
#       then names the figure that no longer agrees).
#   kernel-check.sh begin DIR STEP | end DIR STEP | lab DIR COMMAND | save DIR
#       the recording's parts, which make run's guest uses around its own
#       insmod (STEP: load) and lab commands (one traced write each).
#
# The evidence: kmem:kmalloc (and kmalloc_node), kmem:kmem_cache_alloc and
# kmem:mm_page_alloc events of the writer; /proc/vmallocinfo;
# /sys/kernel/slab/CACHE's sizes; SLUB's alloc_traces where slub_debug=U
# is on for a cache.  POSIX sh and awk: it runs in the guest's busybox too.
set -u

die() {
	echo "kernel-check: $*" >&2
	exit 1
}

tracefs() {
	T=/sys/kernel/tracing
	[ -e "$T/trace" ] || mount -t tracefs nodev "$T" 2>/dev/null
	[ -e "$T/trace" ] || T=/sys/kernel/debug/tracing
	[ -e "$T/trace" ] || die "no tracefs (mount -t tracefs nodev /sys/kernel/tracing, as root; or a kernel with CONFIG_TRACING)"
}

EVENTS='kmalloc kmalloc_node kmem_cache_alloc kmem_cache_alloc_node mm_page_alloc'

# begin DIR STEP -- trace this shell and its children from now on.
begin() {
	tracefs
	mkdir -p "$1" || die "cannot make $1"
	echo 0 >"$T/tracing_on"
	: >"$T/trace"
	echo "$PPID $$" >"$T/set_event_pid" || die "cannot write $T/set_event_pid (root?)"
	echo 1 >"$T/options/event-fork"
	for e in $EVENTS; do
		[ -e "$T/events/kmem/$e/enable" ] && echo 1 >"$T/events/kmem/$e/enable"
	done
	echo 1 >"$T/tracing_on"
}

# end DIR STEP -- stop, and keep the events as DIR/trace.STEP.
end() {
	tracefs
	for e in $EVENTS; do
		[ -e "$T/events/kmem/$e/enable" ] && echo 0 >"$T/events/kmem/$e/enable"
	done
	echo >"$T/set_event_pid"
	grep -E ' (kmalloc|kmalloc_node|kmem_cache_alloc|kmem_cache_alloc_node|mm_page_alloc): ' \
		"$T/trace" >"$1/trace.$2"
}

# save DIR -- the report and the kernel's views, as they are now.
save() {
	cat /proc/kmem_demo >"$1/report.txt" || die "cannot read /proc/kmem_demo: is kmem_demo loaded?"
	grep '\[kmem_demo\]' /proc/vmallocinfo >"$1/vmallocinfo.txt" 2>/dev/null
	: >"$1/slab.txt"
	for c in kmem_demo $(sed -n 's/^served_by: *\([a-z0-9-]*kmalloc-[0-9a-zA-Z]*\),.*/\1/p' "$1/report.txt" | sort -u); do
		d=/sys/kernel/slab/$c
		[ -r "$d/slab_size" ] || continue
		echo "$c $(cat "$d/object_size") $(cat "$d/slab_size") $(cat "$d/objs_per_slab") $(cat "$d/order")" >>"$1/slab.txt"
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
	awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps >"$1/page_size"
}

# judge DIR -- each section of DIR/report.txt, its evidence and a verdict.
judge() {
	[ -r "$1/report.txt" ] || die "no $1/report.txt: record first"
	# shellcheck disable=SC2046 # the trace files, in step order
	awk -v ps="$(cat "$1/page_size" 2>/dev/null || echo 4096)" '
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
	function base(f) { f = FILENAME; sub(/.*\//, "", f); return f }
	base() == "slab.txt" { obj[$1] = $2; slab[$1] = $3; per[$1] = $4; ord[$1] = $5; next }
	base() == "vmallocinfo.txt" {
		a = $1; sub(/-.*/, "", a); sub(/^0x/, "", a); va[a] = $0; next }
	base() == "alloc_traces.txt" { at[++nat] = $0; next }
	base() ~ /^trace\./ {
		step = base(); sub(/^trace\./, "", step)
		ev = ""
		for (i = 1; i <= NF; i++) if ($i ~ /^(kmalloc|kmalloc_node|kmem_cache_alloc|kmem_cache_alloc_node|mm_page_alloc):$/) { ev = $i; sub(/:$/, "", ev); break }
		if (ev == "") next
		n = ++nev[step]; E = step SUBSEP n
		evname[E] = ev
		for (; i <= NF; i++) if (split($i, kv, "=") == 2) {
			if (kv[1] == "call_site") { f = kv[2]; sub(/\+.*/, "", f); site[E] = f }
			else evf[E, kv[1]] = kv[2]
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
	function slabline(c) {
		if (!(c in slab)) return
		show("slab sysfs", c ": object_size=" obj[c] " slab_size=" slab[c] " objs_per_slab=" per[c] " order=" ord[c])
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
		if (i < 1) { nogood = "no kmem:kmalloc event with bytes_req=" req " in trace." step; return }
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
	function check_pages(s, step,   res, p, o, i, E, want, x) {
		res = first(s, "reserved") + 0; p = field(s, "pfn")
		o = 0; for (x = ps; x < res; x *= 2) o++
		if (p == "" || p == "hidden") { nogood = "pfn hidden: run as root (CAP_SYS_ADMIN)"; return }
		sub(/-.*/, "", p); want = hex2num(p)
		for (i = 1; i <= nev[step]; i++) {
			E = step SUBSEP i
			if (evname[E] == "mm_page_alloc" && num(evf[E, "pfn"]) == want && evf[E, "order"] == o) break
		}
		if (i > nev[step]) {
			differ("pfn (report " p ", order " o ": no kmem:mm_page_alloc of that block in trace." step ")")
			return
		}
		show("kmem:mm_page_alloc", evtext(E))
		if (gfpcheck(s, E)) gfpshow(s, "kmem:mm_page_alloc", evf[E, "gfp_flags"])
	}
	function check_vmalloc(s,   a, line, n, sz, pg, vp, res, guard, arr, tot, x, m, t) {
		a = field(s, "address"); line = va[a]
		if (line == "") { nogood = "no /proc/vmallocinfo line at the report address " a " (addresses hashed differently: kptr_restrict?)"; return }
		show("vmallocinfo", line)
		n = split(line, w, " "); sz = w[2]; pg = ""; vp = 0; tot = 0
		for (x = 3; x <= n; x++) {
			if (w[x] ~ /^pages=/) pg = substr(w[x], 7)
			if (w[x] == "vpages") vp = 1
			if (w[x] ~ /^N[0-9]+=/) { t = w[x]; sub(/^N[0-9]+=/, "", t); tot += t }
		}
		res = first(s, "reserved"); guard = first(s, "extra_guard") + 0; arr = first(s, "extra_array") + 0
		if (sz != res + guard) differ("reserved (report " res " + extra_guard " guard ", vmallocinfo size " sz ")")
		if (pg != first(s, "pages")) differ("pages (report " first(s, "pages") ", vmallocinfo pages=" pg ")")
		else if (pg != res / ps) differ("reserved (report " res ": " res / ps " pages; vmallocinfo pages=" pg ")")
		if ((arr > ps) != vp) differ("extra_array (report " arr ": vmalloc'\''d above a page; vmallocinfo " (vp ? "has" : "has no") " vpages)")
		if (tot && tot != pg) differ("node (vmallocinfo N counts sum to " tot ", not pages=" pg ")")
	}
	function check_cache(s, step,   n, c, i, E, k, got, res, slot, last) {
		n = field(s, "objects"); if (n == "") { n = field(s, "call"); sub(/.* x /, "", n) }
		k = 0
		for (i = 1; i <= nev[step]; i++) {
			E = step SUBSEP i
			if (evname[E] ~ /^kmem_cache_alloc/ && site[E] ~ /^kd_(alloc_objects|lab_cache)$/) { k++; last = E }
		}
		if (!k) { nogood = "no kmem:kmem_cache_alloc event from kd_alloc_objects or kd_lab_cache in trace." step; return }
		show("kmem:" evname[last], evtext(last) " (x " k ")")
		for (i = 1; i <= nev[step]; i++) {
			E = step SUBSEP i
			if (evname[E] ~ /^kmem_cache_alloc/ && site[E] ~ /^kd_(alloc_objects|lab_cache)$/ && !gfpcheck(s, E)) break
		}
		if (i > nev[step]) gfpshow(s, "all " k " kmem:" evname[last], evf[last, "gfp_flags"])
		slabline("kmem_demo")
		if (k != n) differ("objects (report " n ", kmem:kmem_cache_alloc events " k ")")
		res = first(s, "reserved"); slot = res / n; got = evf[last, "bytes_alloc"]
		if ("kmem_demo" in slab && got != slab["kmem_demo"]) differ("slot (kmem_demo slab_size " slab["kmem_demo"] ", kmem:kmem_cache_alloc bytes_alloc " got ")")
		if (got < slot) differ("reserved (report " n " x " slot ", kmem:kmem_cache_alloc bytes_alloc " got ")")
		else if (got > slot) show("note", "bytes_alloc " got " = slot " slot " + " (got - slot) " of debug metadata (slub_debug, KASAN) per object")
		for (i = 1; i <= nat; i++) if (at[i] ~ /kd_(alloc_objects|lab_cache)\+/) show("alloc_traces", at[i])
	}
	END {
		for (s = 1; s <= ns; s++) {
			step = sec[s] ~ /^lab / ? "lab-" substr(sec[s], 5) : "load"
			call = field(s, "call"); by = field(s, "served_by")
			printf "[%s] %s\n", sec[s], call
			bad = ""; nogood = ""
			if (!(step in nev) && !(call ~ /^(__vmalloc|kvmalloc)/ && by ~ /^vmalloc/)) nogood = "no trace." step " (recorded without tracing?)"
			else if (call ~ /^kmem_cache/) check_cache(s, step)
			else if (by ~ /^vmalloc/) check_vmalloc(s)
			else if (call ~ /^(__get_free_pages|alloc_pages)\(/) check_pages(s, step)
			else if (call ~ /^(kmalloc|kvmalloc)\(/) check_kmalloc(s, step)
			else nogood = "no check for this call"
			if (nogood != "") { show("verdict", "no evidence: " nogood); nn++ }
			else if (bad != "") { show("verdict", "differs: " bad); nd++ }
			else { show("verdict", "agrees"); na++ }
		}
		printf "%d agree, %d differ, %d without evidence\n", na, nd, nn
		exit nd + nn > 0
	}' "$1/slab.txt" "$1/vmallocinfo.txt" "$1/alloc_traces.txt" $(ls "$1"/trace.* 2>/dev/null) "$1/report.txt"
}

# record DIR KO COMMAND... -- load traced, run each command traced, save.
record() {
	dir=$1 ko=$2
	shift 2
	grep -q '^kmem_demo ' /proc/modules &&
		die "kmem_demo is loaded: its load-time allocations were made before tracing; rmmod kmem_demo first"
	rm -f "$dir"/trace.* "$dir"/report.txt
	begin "$dir" load
	if [ -n "$ko" ]; then insmod "$ko"; else modprobe kmem_demo; fi || { end "$dir" load; die "loading kmem_demo failed (dmesg says why)"; }
	end "$dir" load
	for c in "$@"; do
		lab "$dir" "$c" || echo "kernel-check: '$c' refused (dmesg says why)" >&2
	done
	save "$dir"
}

# lab DIR COMMAND -- write one lab command, traced: DIR/trace.lab-ID.
lab() {
	begin "$1" lab
	if echo "$2" >/proc/kmem_demo; then
		end "$1" lab
		id=$(sed -n 's/^\[lab \([0-9]*\)\]$/\1/p' /proc/kmem_demo | tail -n 1)
		mv "$1/trace.lab" "$1/trace.lab-$id"
		return 0
	fi
	end "$1" lab
	rm -f "$1/trace.lab"
	return 1
}

case ${1:-} in
begin|end) [ $# -eq 3 ] || die "usage: $0 $1 DIR STEP"; "$1" "$2" "$3" ;;
lab) [ $# -eq 3 ] || die "usage: $0 lab DIR COMMAND"; lab "$2" "$3" ;;
save|judge) [ $# -eq 2 ] || die "usage: $0 $1 DIR"; "$1" "$2" ;;
-h|--help) sed -n '3,22p' "$0"; exit 0 ;;
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
