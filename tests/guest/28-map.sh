#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /proc/kmem_demo_map, the frame map the pictures are drawn from: the zones
# as /proc/zoneinfo has them; for every load-time allocation and lab
# experiment (vmalloc, kvmalloc above KMALLOC_MAX_SIZE, pages, cache,
# kmalloc) pages, runs and longest run as in the report, a linear one's run
# equal to its pfn: range, runs maximal and inside a zone the report names,
# vmalloc areas' pages as /proc/vmallocinfo counts them, slab pages whole
# aligned slabs of the cache's order; reads of any size alike; freed
# experiments gone; memory handed to the DMA demo device marked dma= as
# the report's via: says, and no longer once unmapped.  For CAP_SYS_ADMIN
# openers only: nobody, uid 0 without CAP_SYS_ADMIN and root of a user
# namespace get nothing.  Gone after unload.
# kd-boot: slub
# kd-class: kernel numa
# kd-timeout: 90
. "${0%/*}/lib.sh"
. "${0%/*}/report.sh"
. "${0%/*}/lab.sh"

KD_MAP=/proc/kmem_demo_map
r=/tmp/map-report.txt m=/tmp/map.txt
ps=$(kd_page_size)
kmax=$((ps << $(kd_max_order)))	# KMALLOC_MAX_SIZE
# A kvmalloc above KMALLOC_MAX_SIZE must fall back to vmalloc; room for it
# in huge-page steps.
t_run "load with lab_max_bytes=256 MiB" kd_load lab_max_bytes=268435456
t_eq "file mode: root only" "-r-------- root" "$(stat -c '%A %U' "$KD_MAP")"

# vm_pages CALLER -- pages= of CALLER's largest area in /proc/vmallocinfo
# (vmalloc may add a small area of its own, the array of page pointers).
vm_pages() {
	kd_vmallocinfo | grep "$1+" | grep -o 'pages=[0-9]*' | sort -t= -k2 -n | tail -n 1
}

# mval KEY REGION -- the value of KEY= on REGION's line in the saved map.
mval() {
	awk -v k="$1=" -v n="$2" '$1 == "region" && $2 == n {
		for (i = 3; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$m"
}

# mruns REGION -- its run lines, "PFN PAGES".
mruns() {
	awk -v n="$1" '$1 == "region" { on = ($2 == n); next } on && $1 == "run" { print $2, $3 }' "$m"
}

# check REGION SECTION -- the map's REGION against the report's [SECTION].
check() {
	_n=$1 _s=$2
	_runs=$(mruns "$_n")
	_kind=$(mval kind "$_n")
	t_eq "$_n: listed = run lines" "$(mval listed "$_n")" \
		"$(printf '%s\n' "$_runs" | grep -c .)"
	# Maximal runs: every one non-empty, none continuing the one before.
	# "pages longest ok": the listed runs' sum, their longest, the check.
	_sum=$(printf '%s\n' "$_runs" | awk '{ s += $2; if ($2 > l) l = $2
			if ($2 < 1 || (NR > 1 && $1 == e)) bad = 1; e = $1 + $2 }
			END { print s + 0, l + 0, bad ? "bad" : "ok" }')
	_nruns=$(mval runs "$_n") _pages=$(mval pages "$_n") _longest=$(mval longest "$_n")
	if [ "$_nruns" -le "$runs_max" ]; then
		t_eq "$_n: listed runs add up to pages, are maximal, longest is longest" \
			"$_pages $_longest ok" "$_sum"
		t_eq "$_n: runs = listed (below runs_max)" "$_nruns" "$(mval listed "$_n")"
	else
		# A fragmented guest (after the benchmark, say) can scatter an
		# 8 MiB vmalloc into more runs than the map lists.
		t_eq "$_n: $_nruns runs, past runs_max: the first $runs_max listed" \
			"$runs_max" "$(mval listed "$_n")"
		t_eq "$_n: listed runs are maximal, fewer pages than all $_pages, none longer than $_longest" \
			ok "$(echo "$_sum" | awk -v p="$_pages" -v l="$_longest" \
				'{ print ($1 < p && $2 <= l && $3 == "ok") ? "ok" : $0 }')"
	fi
	t_eq "$_n: reserved as in the report" "$(kd_num "$r" "$_s" reserved)" \
		"$(mval reserved "$_n")"
	# Every run lies in a zone the report names.
	t_eq "$_n: every run in a zone of the report's ($(kd_field "$r" "$_s" zone))" "" \
		"$(printf '%s\n' "$_runs" | awk -v zs=",$(kd_field "$r" "$_s" zone)," '
			FNR == NR { if ($1 == "zone") { z[++nz] = $3; s[nz] = $4; e[nz] = $4 + $5 }; next }
			{ ok = 0; for (i = 1; i <= nz; i++) if ($1 >= s[i] && $1 + $2 <= e[i] &&
				index(zs, "," z[i] ",")) ok = 1
			  if (!ok) print "run", $1, $2, "outside" }' "$m" -)"
	case $_kind in
	slab) return ;;
	linear)
		_pfn=$(kd_field "$r" "$_s" pfn)
		_first=$((${_pfn%-*})) _last=$((${_pfn#*-}))
		t_eq "$_n: one run, the report's pfn range" \
			"$_first $((_last - _first + 1))" "$_runs"
		t_eq "$_n: pages as in the report" "$(kd_num "$r" "$_s" pages)" \
			"$(mval pages "$_n")"
		;;
	vmalloc)
		t_eq "$_n: pages, runs, longest as in the report" \
			"$(kd_num "$r" "$_s" pages) $(kd_field "$r" "$_s" physical |
				awk '{ print $1, $5 }')" \
			"$(mval pages "$_n") $(mval runs "$_n") $(mval longest "$_n")"
		;;
	*) t_fail "$_n: kind=$_kind" "expected linear, vmalloc or slab" ;;
	esac
}

cat "$KD_PROC" >"$r"
cat "$KD_MAP" >"$m"
t_eq "header: format" "kmem_demo_map 1" "$(head -n 1 "$m")"
t_eq "header: page size" "$ps" "$(sed -n 's/^page_size //p' "$m")"
runs_max=1024
t_eq "header: runs_max" "$runs_max" "$(sed -n 's/^runs_max //p' "$m")"
# The populated zones, as /proc/zoneinfo gives them.
t_eq "zones: node, name, start, spanned, present as in /proc/zoneinfo" \
	"$(awk '$1 == "Node" { sub(",", "", $2); n = $2; z = $4 }
		$1 == "spanned" { sp = $2 } $1 == "present" { pr = $2 }
		$1 == "start_pfn:" && pr > 0 { print "zone", n, z, $2, sp, pr }' /proc/zoneinfo)" \
	"$(grep '^zone ' "$m")"
# The four allocators', then the DMA demo device's (42-dma checks it is
# bound on every lane).
load="kmalloc vmalloc __get_free_pages kmem_cache"
grep -q '^\[dma_coherent\]$' "$r" && load="$load dma_coherent dma_pool dma_map"
t_eq "regions: the load-time allocations, in order" "$load" \
	"$(awk '$1 == "region" { printf "%s%s", s, $2; s = " " }' "$m")"

for sec in $load; do
	check "$sec" "$sec"
done
t_eq "vmalloc: pages as /proc/vmallocinfo counts them" \
	"pages=$(mval pages vmalloc)" \
	"$(vm_pages kd_alloc_vmalloc)"
# The cache: slabs of 2^order pages, naturally aligned, enough for 8 objects.
order=$(cat "$KD_SLAB/order")
t_eq "kmem_cache: slab pages in whole, aligned slabs of order $order" "" \
	"$(mruns kmem_cache | awk -v s=$((1 << order)) '$1 % s || $2 % s')"
t_run "kmem_cache: at least one slab" test "$(mval pages kmem_cache)" -ge $((1 << order))

# Lab experiments appear, live, and go when freed.
kvsize=$((kmax + ps))
t_eq "lab: five experiments" ok \
	"$(kd_lab "vmalloc 1M" "kvmalloc $kvsize" "pages 3" "cache 100" "kmalloc 100")"
cat "$KD_PROC" >"$r"
cat "$KD_MAP" >"$m"
ids=$(kd_lab_ids)
# shellcheck disable=SC2086 # IDs are numbers
set -- $ids
t_eq "lab: one region each, kinds" \
	"lab:$1 vmalloc lab:$2 vmalloc lab:$3 linear lab:$4 slab lab:$5 linear" \
	"$(awk '$1 == "region" && $2 ~ /^lab:/ { printf "%s%s %s", s, $2, substr($3, 6); s = " " }' "$m")"
for i in $ids; do
	check "lab:$i" "lab $i"
done
t_eq "lab kvmalloc $kvsize: fell back to vmalloc, alloc=kvmalloc" kvmalloc "$(mval alloc "lab:$2")"
t_eq "lab vmalloc: pages as /proc/vmallocinfo counts them" \
	"pages=$(mval pages "lab:$1")" \
	"$(vm_pages kd_lab_vmalloc)"
t_eq "lab kvmalloc: pages as /proc/vmallocinfo counts them" \
	"pages=$(mval pages "lab:$2")" \
	"$(vm_pages kd_lab_kvmalloc)"
t_eq "lab cache 100: slab pages in whole, aligned slabs" "" \
	"$(mruns "lab:$4" | awk -v s=$((1 << order)) '$1 % s || $2 % s')"

# Reads of any size give the same bytes.
t_eq "dd bs=7 reads the same bytes as one read" "$(md5sum <"$m")" \
	"$(dd if="$KD_MAP" bs=7 2>/dev/null | md5sum)"

t_eq "free $3: its region goes" ok "$(kd_lab "free $3")"
t_eq "after free $3: the other lab regions stay" "lab:$1 lab:$2 lab:$4 lab:$5" \
	"$(awk '$1 == "region" && $2 ~ /^lab:/ { printf "%s%s", s, $2; s = " " }' "$KD_MAP")"
t_eq "free all" ok "$(kd_lab "free all")"
t_eq "after free all: the load-time regions only" "$load" \
	"$(awk '$1 == "region" { printf "%s%s", s, $2; s = " " }' "$KD_MAP")"

# Memory handed to the DMA demo device is marked dma=KIND:HOW, HOW the
# first word of the report's via: (direct, swiotlb, iommu); a buffer the
# module refused to map is not the device's.
if [ "${load#*dma}" != "$load" ]; then
	for sec in dma_coherent dma_pool dma_map; do
		kind=coherent
		[ $sec = dma_map ] && kind=single
		via=$(kd_field "$r" $sec via)
		want=$kind:${via%%:*}
		case $via in refused*) want= ;; esac
		t_eq "$sec: dma=${want:-(none)} as its via: says" "$want" "$(mval dma $sec)"
	done
	t_eq "the four allocators' regions: no dma=" "" \
		"$(mval dma kmalloc)$(mval dma vmalloc)$(mval dma __get_free_pages)$(mval dma kmem_cache)"
	# A lab experiment is marked while it is the device's, and no longer.
	t_eq "lab: coherent memory, and a GFP_DMA buffer mapped for the device" ok \
		"$(kd_lab "dma coherent 8192" "kmalloc 4096 GFP_DMA")"
	# shellcheck disable=SC2046 # IDs are numbers
	set -- $(kd_lab_ids)
	coh=$1 buf=$2
	t_eq "lab: dma map $buf to_device" ok "$(kd_lab "dma map $buf to_device")"
	cat "$KD_PROC" >"$r"
	cat "$KD_MAP" >"$m"
	for i in "$coh coherent" "$buf single"; do
		# shellcheck disable=SC2086 # "ID KIND"
		set -- $i
		via=$(kd_field "$r" "lab $1" via)
		t_eq "lab:$1: dma=$2:${via%%:*} as its via: says" "$2:${via%%:*}" "$(mval dma "lab:$1")"
	done
	t_eq "lab: dma unmap $buf" ok "$(kd_lab "dma unmap $buf")"
	cat "$KD_MAP" >"$m"
	t_eq "lab:$buf: unmapped, no dma=" "" "$(mval dma "lab:$buf")"
	t_eq "free all" ok "$(kd_lab "free all")"
fi

# Nobody else gets any of it: not by mode, not by capability.
out=$(kd_as_nobody "cat $KD_MAP" 2>&1)
t_match "nobody: open refused" "Permission denied" "$out"
t_eq "nobody: no frame numbers" "" "$(printf '%s\n' "$out" | grep -E '^(run|zone|region) ')"
out=$(kd-lab read -c "$KD_MAP")
t_eq "uid 0 without CAP_SYS_ADMIN: EPERM at open(), nothing read" EPERM "$out"
out=$(kd-lab read -U "$KD_MAP")
if [ $? -eq 3 ]; then
	t_skip "root of a new user namespace: EPERM at open()" "kernel without CONFIG_USER_NS ($out)"
else
	t_eq "root of a new user namespace: EPERM at open()" EPERM "$out"
fi
t_match "root: opening it for writing is refused" "Permission denied" \
	"$( (echo x >"$KD_MAP") 2>&1)"

t_run "unload" kd_unload
t_run "the map is gone with the module" test ! -e "$KD_MAP"
t_clean "nothing left"
