#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# tests/host/golden-record.sh [KTAP] -- write tests/guest/golden/LANE.txt,
# the sample 95-golden compares a lane's outputs with, from the "# golden: "
# lines that 95-golden prints on a lane with no sample yet.  KTAP: a make
# test output (default: the last one, $KD_CACHE/logs/test-last.ktap).
# Record only from a tree whose outputs are known good, then commit.
set -euo pipefail
. "$(dirname "$0")/../../vm/lib.sh"
ktap=${1:-$KD_CACHE/logs/test-last.ktap}
[ -f "$ktap" ] || kd_die "no KTAP file $ktap: run make test (or vm/test.sh LANE) first"
dir=$KD_ROOT/tests/guest/golden
mkdir -p "$dir"
# The block of 95-golden ends with its result line, "ok N LANE/BOOT/95-golden".
n=$(awk -v d="$dir" '
	/^ *# golden: ?/ { sub(/^ *# golden: ?/, ""); buf = buf $0 "\n"; next }
	/^(not )?ok [0-9]+ [^ ]+\/95-golden/ { if (buf != "") {
			name = ($1 == "not") ? $4 : $3; split(name, p, "/")
			printf "%s", buf > (d "/" p[1] ".txt"); close(d "/" p[1] ".txt")
			print p[1] > "/dev/stderr"; k++ }
		buf = "" }
	END { print k + 0 }' "$ktap")
[ "$n" -gt 0 ] || kd_die "no \"# golden: \" lines in $ktap: every lane run there has a sample already (remove one to record it again)"
kd_log "recorded $n sample(s) in $dir"
