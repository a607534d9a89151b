# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What the lanes that are scripts of their own (tests/lanes/) share: their
# KTAP results, the fresh clone they test, the summary line of a make test
# they run.  Sourced by vm/lib.sh, never executed.

# KTAP for the lanes that are scripts of their own (install, debian13):
# set KD_TAP_LANE, then kd_ok NAME / kd_not_ok NAME EXPECTED SEEN / kd_check NAME
# EXPECTED SEEN (ok when SEEN is EXPECTED) number the results in order.
KD_TAP_N=0
kd_ok() {
	KD_TAP_N=$((KD_TAP_N + 1))
	printf 'ok %d %s/%s\n' "$KD_TAP_N" "$KD_TAP_LANE" "$1"
}

kd_not_ok() {
	KD_TAP_N=$((KD_TAP_N + 1))
	printf '# expected: %s\n' "$2"
	printf '%s\n' "$3" | sed 's/^/# seen: /'
	printf 'not ok %d %s/%s\n' "$KD_TAP_N" "$KD_TAP_LANE" "$1"
}

kd_check() { if [ "$2" = "$3" ]; then kd_ok "$1"; else kd_not_ok "$@"; fi; }

# kd_samples_ok PREFIX -- one result: every sample in the docs of this
# lane's own output (<!-- output: PREFIX... -->) is in the logs it names,
# $KD_CACHE/logs/PREFIX*.log, which the lane has just written.
kd_samples_ok() {
	local out
	need_pkgs python3
	if out=$(cd "$KD_ROOT" && python3 scripts/samples.py --output "$1" "$KD_CACHE/logs" 2>&1); then
		kd_ok "docs-samples: the docs' samples of this lane's output are in its logs"
	else
		kd_not_ok docs-samples "each sample's lines, in order, in its logs $KD_CACHE/logs/$1*.log" \
			"$out
(make samples rewrites the samples from these logs)"
	fi
}

# kd_fresh_clone DEST -- a clone of this project in DEST as a newcomer's
# would be, of what is here now: HEAD, then the working tree's tracked and
# new (not ignored) files on top.  Prints the "# clone of ..." diagnostic.
kd_fresh_clone() {
	git clone -q "$KD_ROOT" "$1" || kd_die "git clone $KD_ROOT $1 failed"
	(cd "$KD_ROOT" && git ls-files -z -c -o --exclude-standard |
		xargs -0 tar -cf - --no-recursion 2>/dev/null) | tar -xf - -C "$1"
	echo "# clone of $(git -C "$KD_ROOT" describe --always --dirty)"
}

# kd_failed_excerpt LOG -- what a make test run in LOG said of its
# failures: each failed result with the diagnostics around it (the "# "
# lines since the result before it, which kd_not_ok prints; a guest test's
# failed subtests with theirs; the lines right after it, which the static
# lane prints), at most 60 lines.
kd_failed_excerpt() {
	awk '
	/^(ok|not ok) [0-9]+ / {
		if ($1 == "not") { printf "%s%s", before, nested; print; after = 1 } else after = 0
		before = nested = ""; nafter = 0; next
	}
	/^# / { if (after) print; else before = before $0 "\n"; next }
	/^ +not ok [0-9]+ / { nested = nested $0 "\n"; nafter = 1; after = 0; next }
	/^ +# / { if (nafter) nested = nested $0 "\n"; next }
	{ after = nafter = 0 }' "$1" | head -n 60
}

# kd_summary_ok LOG -- the "N passed, 0 failed[, N skipped]" line that ends
# a make test run's output in LOG, with N > 0; fails (printing what there
# was) when it is missing or counts a failure.
kd_summary_ok() {
	local line
	line=$(tail -n 5 "$1" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1 || true)
	printf '%s\n' "${line:-no summary line}"
	[[ $line =~ ^[1-9][0-9]*\ passed,\ 0\ failed ]]
}
