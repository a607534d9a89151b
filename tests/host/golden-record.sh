#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/host/golden-record.sh [KTAP] -- write tests/guest/golden/KVER.txt,
# the sample 95-golden compares a kernel's outputs with, from the
# "# golden: " lines that 95-golden prints on a kernel with no sample yet
# (KVER: the lane's kernel release, from its "# kd-lane:" line).  KTAP: a make
# test output (default: the last one, KD_LAST_KTAP in vm/lib.sh).
# Record only from a tree whose outputs are known good, then commit.
set -euo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
ktap=${1:-$KD_LAST_KTAP}
[ -f "$ktap" ] || kd_die "no KTAP file $ktap: run make test (or vm/test.sh LANE) first"
dir=$KD_ROOT/tests/guest/golden
mkdir -p "$dir"
# The block of 95-golden ends with its result line, "ok N LANE/BOOT/95-golden".
n=$(awk -v d="$dir" '
	/^ *# golden: ?/ { sub(/^ *# golden: ?/, ""); buf = buf $0 "\n"; next }
	/^# kd-lane: / { kver[$3] = $4 }
	/^(not )?ok [0-9]+ [^ ]+\/95-golden/ { if (buf != "") {
			name = ($1 == "not") ? $4 : $3; split(name, p, "/")
			f = d "/" kver[p[1]] ".txt"
			if (kver[p[1]] == "") { print "no kd-lane line for " p[1] > "/dev/stderr"; exit 1 }
			printf "%s", buf > f; close(f)
			print p[1] ": " f > "/dev/stderr"; k++ }
		buf = "" }
	END { print k + 0 }' "$ktap")
[ "$n" -gt 0 ] || kd_die "no \"# golden: \" lines in $ktap: every lane run there has a sample already (remove one to record it again)"
kd_log "recorded $n sample(s) in $dir"
