#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that docs/exercises.md quotes the figures 38-exercises checks.

Each row of tests/guest/exercises.tsv names an exercise (the anchor
<a id="ID"></a> that starts its answer) and a value the guest test finds on
some lanes.  The answer must quote it in a code span: the value itself, or
"KEY: value" for a report key, or "limit N" inside the span for a refusal's
limit.  Prints one line per value not quoted, and every anchor without a
row or row without an anchor; exits 1 if it printed anything.
"""
import re
import sys

TSV = "tests/guest/exercises.tsv"
DOC = "docs/exercises.md"


def sections(text):
    """The text of each answer, by its anchor."""
    parts = re.split(r'<a id="([^"]+)"></a>', text)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def spans(text):
    """Every code span, its whitespace (line breaks too) made single spaces."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return [re.sub(r"\s+", " ", s).strip() for s in re.findall(r"`([^`]+)`", text)]


def quoted(check, want, found):
    if check == "limit":
        return any(f"limit {want}" in s for s in found)
    if check == "result":
        return want in found
    key = check.split(".")[-1]
    return want in found or f"{key}: {want}" in found


def main():
    doc = sections(open(DOC, encoding="utf-8").read())
    bad, ids = [], set()
    for line in open(TSV, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 5:
            bad.append(f"{TSV}: not 5 tab-separated columns: {line.strip()}")
            continue
        ex, when, lab, check, want = cols
        ids.add(ex)
        if ex not in doc:
            bad.append(f'{DOC}: no answer <a id="{ex}"></a> for {TSV}\'s rows')
            continue
        if not quoted(check, want, spans(doc[ex])):
            bad.append(f"{DOC} #{ex}: does not quote {check} = `{want}` "
                       f"({lab if lab != '-' else 'load-time report'}, when {when})")
    for ex in sorted(set(doc) - ids):
        bad.append(f"{DOC} #{ex}: an answer whose figures no row of {TSV} checks")
    if bad:
        print("\n".join(dict.fromkeys(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
