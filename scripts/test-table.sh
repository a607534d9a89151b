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
# What a test checks is written once, there.  Then the map of the
# harness's files, each with the first sentence of its header comment.
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

# summary FILE -- the first sentence of FILE's header comment: the comment
# after its shebang, SPDX and shellcheck lines (# in shell, /* * */ in C,
# a docstring in Python) up to its first blank line.
summary() {
	awk '
		NR == 1 && /^#!/ { next }
		/SPDX-License-Identifier|^# shellcheck |^\/\*$/ { next }
		!py && text == "" && /^"""/ { py = 1 }
		py { line = $0; gsub(/"""/, "", line)
		     if (line == "") { if (text != "") exit; next }
		     text = text (text == "" ? "" : " ") line; next }
		{ line = $0; sub(/^(#| \*) ?/, "", line) }
		line == "" || !/^(#| \*)/ { if (text != "") exit; next }
		{ text = text (text == "" ? "" : " ") line }
		END { gsub(/  +/, " ", text); gsub(/\|/, "\\|", text)
		      if (match(text, /[a-z0-9)]\.( |$)/)) text = substr(text, 1, RSTART + 1)
		      print text }' "$1"
}

# harness_map -- one row per file of the harness (vm/, tests/lanes/,
# tests/host/, the guest runner and libraries, tests/helpers/, scripts/):
# its path and the first sentence of its header comment.
harness_map() {
	local f what
	echo '| file | what it is |'
	echo '|---|---|'
	for f in vm/*.sh vm/lanes.tsv vm/host-tools.tsv vm/lib/*.sh vm/lanes/*.sh vm/guest/init vm/guest/*.sh \
		tests/lanes/*.sh tests/guest/runner.sh tests/guest/header.sh tests/guest/lib.sh \
		tests/guest/report.sh tests/guest/lab.sh tests/host/*.sh tests/host/*.py \
		tests/helpers/*.c scripts/*; do
		[ -f "$root/$f" ] || continue
		what=$(summary "$root/$f")
		[ -n "$what" ] || die "$f has no header comment saying what it is"
		printf '| [%s](../%s) | %s |\n' "\`$f\`" "$f" "$what"
	done
}

if [ "$mode" = print ]; then
	table
	echo
	harness_map
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# replace BEGIN END FILE -- the doc with FILE between the marker lines.
replace() {
	if ! grep -qxF "$1" "$tmp/doc" || ! grep -qxF "$2" "$tmp/doc"; then
		die "docs/testing.md lacks the markers $1 ... $2"
	fi
	awk -v b="$1" -v e="$2" -v f="$3" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$tmp/doc" >"$tmp/doc.new"
	mv "$tmp/doc.new" "$tmp/doc"
}
cp "$doc" "$tmp/doc"
table >"$tmp/table"
replace "$begin" "$end" "$tmp/table"
harness_map >"$tmp/map"
replace '<!-- harness-map begin: scripts/test-table.sh --docs rewrites this -->' \
	'<!-- harness-map end -->' "$tmp/map"
if [ "$mode" = check ]; then
	cmp -s "$tmp/doc" "$doc" ||
		die "docs/testing.md's test table or harness map is out of date: run make docs"
	exit 0
fi
if cmp -s "$tmp/doc" "$doc"; then
	echo "docs/testing.md: the test table and the harness map are up to date"
else
	cat "$tmp/doc" >"$doc"
	echo "docs/testing.md: test table and harness map rewritten from the files' header comments"
fi
