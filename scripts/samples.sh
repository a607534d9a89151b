#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make samples: run make run on every lane (with the LAB=, VIEW=, PARAMS=
# and PICTURES= values) the docs' samples name, then rewrite those samples
# from the runs' logs, and tests/guest/samples.txt from the docs
# (scripts/samples.py).
set -euo pipefail
cd "$(dirname "$0")/.."
. vm/lib.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=() n=0
while IFS=$'\037' read -r lane lab view params pictures; do
	[ -n "$lane" ] || continue
	n=$((n + 1))
	run=(KERNEL="$lane" LAB="$lab" VIEW="$view" PARAMS="$params" PICTURES="$pictures")
	kd_log "samples: make run ${run[*]}"
	# A run whose insmod is refused (a sample of that refusal) exits
	# non-zero: its log is the sample all the same.
	make --no-print-directory run "${run[@]}" >/dev/null ||
		kd_log "samples: make run ${run[*]} exited non-zero: its log is used as it is"
	cp "$KD_CACHE/logs/$lane${KD_BUILD_TAG:+-$KD_BUILD_TAG}-run.log" "$tmp/$n.log"
	args+=("$lane|$lab|$view|$params|$pictures=$tmp/$n.log")
done < <(python3 scripts/samples.py --runs | tr '\t' '\037')
[ "$n" -gt 0 ] || kd_die "no <!-- sample: ... --> markers in README.md or docs/"
python3 scripts/samples.py --update "${args[@]}"
# The samples of the harness's own output, from the logs the last make
# test's install, machines and debian13 lanes left.
python3 scripts/samples.py --update-output "$KD_CACHE/logs" ||
	kd_log "samples: some output samples were left as they were: make test LANES='install machines debian13' writes their logs"
python3 scripts/samples.py --check ||
	kd_die "a sample does not match its golden after the update: is that lane's golden current?"
kd_log "samples: $n runs, the samples rewritten from them (see git diff)"
