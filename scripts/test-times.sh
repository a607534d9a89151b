#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/test-times.sh [--summary | --docs] [KTAP] -- where the time of a
# make test run went, from its output (KTAP defaults to the last run's
# copy, KD_LAST_KTAP in vm/lib.sh):
#   each lane's wall time ("# kd-summary:" lines) and tests, and
#   the slowest tests: a guest test's time is the "# NAME took Ns" line the
#   guest runner prints before its result (LANE/BOOT/NAME); a script lane's
#   step is a "# STEP: exit N after Ns" line (LANE/STEP).
# Without an option: the tables in Markdown, the third what each guest
# test costs, its time summed over the lanes that ran it.  --summary:
# plain text for the end of make test (KTAP diagnostics, "# " lines).
# --docs (make test-times): rewrite the tables between the test-times markers in
# docs/testing.md.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

mode=markdown
case ${1:-} in
--summary) mode=summary && shift ;;
--docs) mode=docs && shift ;;
esac
ktap=${1:-$KD_LAST_KTAP}
[ -s "$ktap" ] || kd_die "no test output in $ktap: run make test first"
top=${KD_SLOWEST:-10}

# times -- "lane LANE SECONDS TESTS" and "test NAME SECONDS" lines.
times() {
	awk '
	/^  # [^ ]+ took [0-9]+s$/ { took[$2] = $4 + 0; next }
	/^(not )?ok [0-9]+ [^ ]+\/[^ ]+\/[^ ]+/ {
		name = ($1 == "not") ? $4 : $3
		n = split(name, p, "/")
		if ((p[n] in took) && n == 3) { print "test", name, took[p[n]]; delete took[p[n]] }
		tests[p[1]]++
		next
	}
	/^(not )?ok [0-9]+ / { name = ($1 == "not") ? $4 : $3; split(name, p, "/"); tests[p[1]]++; next }
	/^# [^#]+: exit [0-9]+ after [0-9.]+s/ {
		s = $0; sub(/^# /, "", s); step = s; sub(/: exit [0-9]+ after .*/, "", step)
		t = s; sub(/.* after /, "", t); sub(/s.*/, "", t)
		gsub(/[ \/]+/, "-", step); lane_steps[++k] = step; step_t[k] = t + 0
		next
	}
	/^# kd-summary: / {
		for (i = 1; i <= k; i++) print "test", $3 "/" lane_steps[i], step_t[i]
		k = 0
		print "lane", $3, $7 + 0, $4 + $5 + $6
	}' "$ktap"
}

human() {
	awk -v s="$1" 'BEGIN { s = int(s + 0.5); if (s >= 60) printf "%dm %02ds", s / 60, s % 60; else printf "%ds", s }'
}

tables() {
	local data sum total
	data=$(times)
	sum=$(awk '$1 == "lane" { s += $3 } END { print s + 0 }' <<<"$data")
	total=$(sed -n 's/^# kd-total: //p' "$ktap" | tail -n 1)
	if [ "$mode" = summary ]; then
		echo "lanes: $(human "$sum") of lane time in $(human "${total:-0}") of wall time"
		awk '$1 == "lane" { printf "  %-10s %7.1fs  %d results\n", $2, $3, $4 }' <<<"$data"
		echo "the $top slowest tests:"
		awk '$1 == "test" { print $3, $2 }' <<<"$data" | sort -k1,1nr | head -n "$top" |
			awk '{ printf "  %6.1fs  %s\n", $1, $2 }'
		return
	fi
	echo "| lane | results | time | share of lane time |"
	echo "|---|---|---|---|"
	while read -r _ lane t n; do
		printf '| %s | %s | %s | %s |\n' "$lane" "$n" "$(human "$t")" \
			"$(awk -v t="$t" -v s="$sum" 'BEGIN { printf "%d%%", s ? 100 * t / s + 0.5 : 0 }')"
	done < <(grep '^lane ' <<<"$data")
	printf '| all lanes | | %s | %s |\n' "$(human "$sum")" \
		"$([ -n "$total" ] && echo "wall time $(human "$total")" || echo 'no wall time: the run did not finish')"
	echo
	echo "| slowest test | time |"
	echo "|---|---|"
	awk '$1 == "test" { print $3, $2 }' <<<"$data" | sort -k1,1nr | head -n "$top" |
		while read -r t name; do printf '| %s | %s |\n' "\`$name\`" "$(human "$t")"; done
	echo
	echo "| guest test | lanes | time on all of them |"
	echo "|---|---|---|"
	awk '$1 == "test" { n = split($2, p, "/"); if (n == 3) { t[p[3]] += $3; c[p[3]]++ } }
		END { for (k in t) print t[k], c[k], k }' <<<"$data" | sort -k1,1nr | head -n "$top" |
		while read -r t n name; do printf '| %s | %s | %s |\n' "\`$name\`" "$n" "$(human "$t")"; done
}

case $mode in
summary) tables | sed 's/^/# /' ;;
markdown) tables ;;
docs)
	tables | kd_doc_splice "$KD_ROOT/docs/testing.md" \
		'<!-- test-times begin: make test-times rewrites this -->' '<!-- test-times end -->'
	kd_log "docs/testing.md: the time tables from $ktap"
	;;
esac
