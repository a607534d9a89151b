#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/lanes/debian13.sh -- the "debian13" lane: a newcomer on a fresh Debian 13
# host, and print KTAP on stdout.  In a throwaway Debian 13 (trixie) root
# holding only what "apt install git make" gives, with a clone of this
# project (its working tree as it is now) and an empty cache:
#   make run          builds the module for Debian 13's own kernel (the
#                     distro lane is the host's release), boots it in QEMU,
#                     shows the report and draws both pictures
#   make test-quick   the static checks (checkpatch from linux-source-6.12,
#                     Debian 13's shellcheck and sparse) and the distro lane
# and docs/pictures.md's sample of make run's own lines is that run's log.
# Everything they need they install themselves, as on a fresh machine; only
# the downloaded .deb files are kept between runs (a cache bound into the
# root), so a second run saves the network, not the work.  The root is made
# once with mmdebstrap and every run starts from it afresh (an overlay
# thrown away at the end, kd_overlay_exec); QEMU runs under TCG inside the
# chroot with /proc, /sys and /dev mounted.  Nothing on the host changes.
set -euo pipefail
. "$(dirname "$0")/../../vm/lib.sh"

suite=trixie
KD_TAP_LANE=debian13

echo 'KTAP version 1'
echo '1..5'

sources=$KD_CACHE/apt/$suite-host-sources.list
kd_apt_sources "$suite" >"$sources.tmp"
mv "$sources.tmp" "$sources"
base=$(kd_debian_root debian13 "$suite" "$sources" git make ca-certificates)
debs=$KD_CACHE/debian13-archives
mkdir -p "$KD_CACHE/tmp" "$debs/partial"
run=$(mktemp -d "$KD_CACHE/tmp/debian13.XXXXXX")
trap 'kd_root rm -rf "$run"' EXIT

# in_root CMD [ARG...] -- run CMD as root in the throwaway root, the .deb
# cache bound in.
in_root() {
	kd_overlay_exec "$base" "$run" --bind "$debs" /var/cache/apt/archives "$@"
}

mkdir -p "$run/upper/root"
kd_fresh_clone "$run/upper/root/kmem_demo"

# timed NAME LOG CMD -- run CMD in the clone inside the root, output to LOG;
# says its exit status and wall time, and returns the status.
timed() {
	local name=$1 log=$2 t rc=0
	shift 2
	t=$EPOCHREALTIME
	in_root sh -c "cd /root/kmem_demo && $*" >"$log" 2>&1 </dev/null || rc=$?
	echo "# $name: exit $rc after $(kd_elapsed "$t")s (log: $log)"
	return "$rc"
}

mkdir -p "$KD_CACHE/logs"
# 1-2. make run: the report from Debian 13's kernel, then the pictures.
log=$KD_CACHE/logs/debian13-run.log
if timed 'make run' "$log" make run; then
	# run.sh's last line names the lane's kernel: "lane distro (KVER arch
	# page size): ...".
	rel=$(sed -n 's/^\[kmem_demo\] lane distro (\([^ ]*\) .*/\1/p' "$log" | tail -n 1)
	if grep -q '^\[kmalloc\]' "$log" && grep -q '^\[vmalloc\]' "$log" &&
		[[ $rel == *+deb13* ]]; then
		kd_ok "make-run: the report, on Debian 13's kernel ($rel)"
	else
		kd_not_ok make-run 'the report ([kmalloc], [vmalloc] sections) from a +deb13 kernel' \
			"kernel ${rel:-unnamed}; $(tail -n 40 "$log")"
	fi
else
	kd_not_ok make-run 'exit 0' "$(tail -n 40 "$log")"
fi
# The pictures' paths are printed on the host side of the run; they are in
# the root's cache.
pics=$(grep -oE '/root/\.cache/kmem_demo/pictures/[^ ]*\.(svg|png)' "$log" | sort -u || true)
bad=
for p in $pics; do
	f=$run/upper$p
	case $p in
	*.svg) xmllint --noout "$f" 2>/dev/null || bad="$bad $p(not well-formed)" ;;
	*.png) [ "$(head -c 8 "$f" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		bad="$bad $p(not a PNG)" ;;
	esac
done
if [ "$(wc -w <<<"$pics")" -eq 4 ] && [ -z "$bad" ]; then
	kd_ok "make-run: two pictures drawn, SVG well-formed, PNG"
else
	kd_not_ok make-run-pictures 'two pictures, as SVG and PNG, printed and valid' \
		"paths: $(tr '\n' ' ' <<<"$pics")${bad:+; bad:$bad}"
fi

# 3-4. make test-quick: exit 0 and its summary line with no failure.
log=$KD_CACHE/logs/debian13-test-quick.log
rc=0
timed 'make test-quick' "$log" make test-quick || rc=$?
sed -n 's/^# kd-summary: /# test-quick lane /p' "$log"
# Its distro lane is Debian 13's kernel: the support table's row for it.
sed -n 's/^# kd-lane: distro /# kd-lane: debian13 /p' "$log" | head -n 1
sok=0
summary=$(kd_summary_ok "$log") || sok=$?
if [ "$rc" -eq 0 ]; then
	kd_ok "make-test-quick: exit 0 ($summary)"
else
	kd_not_ok make-test-quick 'exit 0' "exit $rc: $(kd_failed_excerpt "$log")"
fi
if [ "$sok" -eq 0 ] && grep -q '^ok [0-9]* distro/slub/20-report' "$log"; then
	kd_ok "make-test-quick: static and distro lanes, ${summary%% *} passed, none failed"
else
	kd_not_ok make-test-quick-summary 'N passed, 0 failed, with distro/slub/20-report ok' "$summary"
fi

# 5. docs/pictures.md's sample of make run's own lines: this run's log.
kd_samples_ok debian13-
