#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/test-table.sh [--docs | --check] -- the table of the guest tests
# (Markdown), made from the tests themselves: one row per
# tests/guest/[0-9]*.sh with its name, its boot group ("# kd-boot:", slub
# when it has none, as vm/test.sh reads it) and what it checks: its header
# comment (the comment lines after the SPDX line, before the "# kd-...:"
# lines) joined into one cell, its classes ("# kd-class:", kernel when it
# has none) and the lanes of make test that run it (vm/lanes.tsv's rows
# whose "tests" column names one of its classes, vm/lib.sh's kd_lane_runs).
# What a test checks is written once, there.
# Without an option it prints the table; --docs rewrites the table between
# the test-table markers in docs/testing.md (make docs); --check exits
# non-zero when the table there is not the one the tests give.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/guest/header.sh
. "$root/tests/guest/header.sh"
# kd_lane_runs, the one rule of which lane runs which test (sourcing
# lib.sh makes the cache directory, as every harness command does).
# shellcheck source=../vm/lib.sh
. "$root/vm/lib.sh"
doc=$root/docs/testing.md
begin='<!-- test-table begin: scripts/test-table.sh --docs rewrites this -->'
end='<!-- test-table end -->'

die() { printf 'test-table: %s\n' "$*" >&2; exit 1; }

mode=print
case ${1:-} in
'') ;;
--docs) mode=docs ;;
--check) mode=check ;;
*) die "usage: scripts/test-table.sh [--docs | --check]" ;;
esac

# header FILE -- FILE's header comment on one line: the comment lines after
# the SPDX line up to the first "# kd-" line (or the first line that is no
# comment), without shellcheck directives; "|" escaped for the table.
header() {
	awk '
		!spdx { if (/SPDX-License-Identifier/) spdx = 1; next }
		/^# kd-/ || !/^#/ { exit }
		/^# shellcheck / { next }
		{ sub(/^# ?/, ""); if ($0 != "") text = text (text == "" ? "" : " ") $0 }
		END { gsub(/  +/, " ", text); gsub(/\|/, "\\|", text); print text }' "$1"
}

# lanes_of TEST -- the kernel lanes of make test (vm/lanes.tsv, "all" yes)
# that run the guest test file TEST, comma-separated; "every kernel lane"
# when that is all of them.
lanes_of() {
	local all some
	all=$(awk '!/^#/ && NF && $2 ~ /^kernel:/ && $9 == "yes" { print $1, $10 }' "$root/vm/lanes.tsv")
	some=$(while read -r lane classes; do
		KD_TEST_CLASSES='' kd_lane_runs "$classes" "$1" && printf '%s\n' "$lane"
	done <<<"$all")
	if [ "$some" = "$(cut -d' ' -f1 <<<"$all")" ]; then
		echo 'every kernel lane'
	else
		paste -sd, - <<<"$some" | sed 's/,/, /g'
	fi
}

table() {
	local f name boot what classes n=0
	echo '| test | boot | classes | lanes | what it checks |'
	echo '|---|---|---|---|---|'
	for f in "$root"/tests/guest/[0-9]*.sh; do
		[ -e "$f" ] || continue
		name=${f##*/}
		name=${name%.sh}
		boot=$(kd_header "$f" kd-boot)
		boot=${boot%% *}
		what=$(header "$f")
		[ -n "$what" ] || die "tests/guest/${f##*/} has no header comment saying what it checks"
		classes=$(kd_header "$f" kd-class)
		printf "| [\`%s\`](../tests/guest/%s) | %s | %s | %s | %s |\n" "$name" "${f##*/}" \
			"${boot:-slub}" "${classes:-kernel}" "$(lanes_of "$f")" "$what"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || die "no tests in tests/guest/"
}

if [ "$mode" = print ]; then
	table
	exit 0
fi

if ! grep -qxF "$begin" "$doc" || ! grep -qxF "$end" "$doc"; then
	die "docs/testing.md lacks the test-table markers"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
table >"$tmp/table"
awk -v b="$begin" -v e="$end" -v f="$tmp/table" '
	$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
	$0 == e { skip = 0 }
	!skip' "$doc" >"$tmp/doc"
if [ "$mode" = check ]; then
	cmp -s "$tmp/doc" "$doc" ||
		die "docs/testing.md's test table is out of date: run scripts/test-table.sh --docs"
	exit 0
fi
if cmp -s "$tmp/doc" "$doc"; then
	echo "docs/testing.md: the test table is up to date"
else
	cat "$tmp/doc" >"$doc"
	echo "docs/testing.md: test table rewritten from tests/guest/"
fi
