#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make samples: run make run on every lane (with the LAB= commands) the
# docs' samples name, then rewrite those samples from the runs' logs
# (scripts/samples.py).
set -euo pipefail
cd "$(dirname "$0")/.."
. vm/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=() n=0
while IFS=$'\t' read -r lane lab; do
	[ -n "$lane" ] || continue
	n=$((n + 1))
	kd_log "samples: make run KERNEL=$lane${lab:+ LAB=\"$lab\"}"
	make --no-print-directory run KERNEL="$lane" LAB="$lab" PICTURES=0 >/dev/null ||
		kd_die "make run KERNEL=$lane LAB='$lab' failed: run it alone to see why, then make samples again"
	cp "$KD_CACHE/logs/$lane${KD_BUILD_TAG:+-$KD_BUILD_TAG}-run.log" "$tmp/$n.log"
	args+=("$lane${lab:+|$lab}=$tmp/$n.log")
done < <(python3 scripts/samples.py --runs)
[ "$n" -gt 0 ] || kd_die "no <!-- sample: ... --> markers in README.md or docs/"
python3 scripts/samples.py --update "${args[@]}"
python3 scripts/samples.py --check ||
	kd_die "a sample does not match its golden after the update: is that lane's golden current?"
kd_log "samples: $n runs, the samples rewritten from them (see git diff)"
