#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make samples: run make run on every lane the docs' samples name, then
# rewrite those samples from the runs' logs (scripts/samples.py).
set -euo pipefail
cd "$(dirname "$0")/.."
. vm/lib.sh

lanes=$(sed -n 's/^<!-- sample: \([^ ]*\) .*/\1/p' README.md docs/*.md | sort -u)
[ -n "$lanes" ] || kd_die "no <!-- sample: ... --> markers in README.md or docs/"
args=()
for lane in $lanes; do
	kd_log "samples: make run KERNEL=$lane"
	make --no-print-directory run KERNEL="$lane" PICTURES=0 >/dev/null ||
		kd_die "make run KERNEL=$lane failed: run it alone to see why, then make samples again"
	args+=("$lane=$KD_CACHE/logs/$lane${KD_BUILD_TAG:+-$KD_BUILD_TAG}-run.log")
done
python3 scripts/samples.py --update "${args[@]}"
python3 scripts/samples.py --check ||
	kd_die "a sample does not match its golden after the update: is that lane's golden current?"
kd_log "samples: rewritten from the runs of: $lanes (see git diff)"
