# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for the host-side harness.  Sourced, never executed.  The
# core is here; each of its jobs has a file in vm/lib/, sourced below.
#
# Everything the harness builds or downloads lives in a cache outside the
# clone, so a second run on the same machine is fast and "git clean" never
# throws away a kernel build.

KD_ROOT=${KD_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KD_CACHE=${KMEM_DEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kmem_demo}
mkdir -p "$KD_CACHE"
# A copy of the last make test's output (vm/test.sh), which make
# support-table and make test-times read; KD_BUILD_TAG gives a checkout's
# runs a copy of their own (vm/build.sh).
# shellcheck disable=SC2034 # read by vm/test.sh and scripts/
KD_LAST_KTAP=$KD_CACHE/logs/test-last${KD_BUILD_TAG:+-$KD_BUILD_TAG}.ktap
# shellcheck source=../tests/guest/header.sh
. "$KD_ROOT/tests/guest/header.sh"

kd_log() { printf '[kmem_demo] %s\n' "$*" >&2; }
kd_die() { printf '[kmem_demo] error: %s\n' "$*" >&2; exit 1; }

# kd_logged NAME CMD... -- run CMD with its output appended to
# $KD_CACHE/logs/NAME.log instead of the terminal (apt's progress would
# bury the story a run tells).  When it fails, show the log's last lines
# and its path, and return its status.
kd_logged() {
	local log=$KD_CACHE/logs/$1.log rc=0
	shift
	mkdir -p "$KD_CACHE/logs"
	printf '\n$ %s\n' "$*" >>"$log"
	"$@" >>"$log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 20 "$log" | sed 's/^/    /' >&2
		kd_log "status $rc from: $*; its whole output is in $log"
	fi
	return "$rc"
}

# Run a command as root: directly when we are root, through sudo otherwise.
kd_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# kd_elapsed T0 -- seconds since T0 (a saved $EPOCHREALTIME), one decimal.
kd_elapsed() {
	awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
}

# kd_doc_splice DOC BEGIN END -- replace the lines between the marker lines
# BEGIN and END of the Markdown file DOC with stdin (the generated tables
# of make support-table and make test-times); dies when DOC lacks them.
kd_doc_splice() {
	local doc=$1 begin=$2 end=$3
	if ! grep -qxF "$begin" "$doc" || ! grep -qxF "$end" "$doc"; then
		kd_die "${doc#"$KD_ROOT"/} lacks the markers $begin ... $end"
	fi
	cat >"$doc.new-block"
	awk -v b="$begin" -v e="$end" -v f="$doc.new-block" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$doc" >"$doc.tmp"
	mv "$doc.tmp" "$doc"
	rm -f "$doc.new-block"
}

# kd_shq STRING -- STRING single-quoted for a POSIX shell (the guest's ash
# has no $'...' quoting, so printf %q is not an option).
kd_shq() {
	local q="'\\''"
	printf "'%s'" "${1//\'/$q}"
}

# shellcheck source=vm/lib/host.sh
. "$KD_ROOT/vm/lib/host.sh"
# shellcheck source=vm/lib/archive.sh
. "$KD_ROOT/vm/lib/archive.sh"
# shellcheck source=vm/lib/jobs.sh
. "$KD_ROOT/vm/lib/jobs.sh"
# shellcheck source=vm/lib/ktap.sh
. "$KD_ROOT/vm/lib/ktap.sh"
# shellcheck source=vm/lib/lanes.sh
. "$KD_ROOT/vm/lib/lanes.sh"
# shellcheck source=vm/lib/qemu.sh
. "$KD_ROOT/vm/lib/qemu.sh"
