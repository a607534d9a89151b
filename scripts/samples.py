#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The output samples in the docs: check them, or write them from a run.

A sample is the fenced block right after a marker line

    <!-- sample: LANE GOLDEN WHAT [PART...] -->

LANE is the `make run KERNEL=LANE` lane it comes from; GOLDEN names
tests/guest/golden/GOLDEN.txt, what today's code prints on that lane's
kernel (95-golden fails when they differ); WHAT is load-log, unload-log or
report, and a report sample may show only some PARTs: "header" and section
titles (kmalloc, vmalloc, __get_free_pages, kmem_cache).

  samples.py --check            every sample has its golden's lines in the
                                golden's order: the same log messages, the
                                same keys in each part shown (values that
                                depend on where memory landed may differ)
  samples.py --update LANE=LOG  rewrite LANE's samples from LOG, the output
                                of a make run on it ($KD_CACHE/logs/LANE-run.log)
"""
import re
import sys

DOCS = ["README.md"] + [f"docs/{d}" for d in ("report.md", "arm64.md")]
MARK = re.compile(r"^<!-- sample: (\S+) (\S+) (load-log|unload-log|report)((?: \S+)*) -->$")


def log_messages(lines):
    """The module's log lines as messages: no timestamp, address or number."""
    out = []
    for line in lines:
        m = re.match(r"^(?:\[[ 0-9.]+\] )?(kmem_demo: .*)$", line)
        if m and "taint" not in m.group(1):
            msg = re.sub(r"at [0-9a-f]{8,16} \(", "at <addr> (", m.group(1))
            # Counts differ with what ran before (the golden's lab).
            out.append(re.sub(r"\d+", "N", msg))
    return out


def report_parts(lines):
    """A report as {part: [keys]}: the header, then each [section]."""
    parts, name = {"header": []}, "header"
    for line in lines:
        m = re.match(r"^\[(.+)\]$", line)
        if m:
            name = m.group(1)
            parts[name] = []
        elif line.strip():
            key = line.split(":")[0] if ":" in line else line
            parts[name].append(re.sub(r"^object \d+$", "object", key))
    return parts


def golden(name):
    """A golden's load log, report and unload log."""
    text = open(f"tests/guest/golden/{name}.txt", encoding="utf-8").read().split("\n")
    secs, cur = {}, None
    for line in text:
        if line.startswith("=== "):
            cur = line[4:]
            secs[cur] = []
        elif cur is not None:
            secs[cur].append(line)
    tail = secs.get("report at the end", [])
    return {"load-log": log_messages(secs.get("load", [])),
            "report": report_parts(secs.get("report", [])),
            "unload-log": log_messages([l for l in tail if l.startswith("kmem_demo: ")])}


def samples(doc):
    """(line index of the block's first line, its end, marker fields)."""
    lines = open(doc, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            continue
        if i + 1 >= len(lines) or lines[i + 1] != "```":
            yield lines, i, None, m
            continue
        end = lines.index("```", i + 2)
        yield lines, i + 2, end, m


def check():
    bad = []
    for doc in DOCS:
        for lines, start, end, m in samples(doc):
            lane, gold, what, parts = m.group(1), m.group(2), m.group(3), m.group(4).split()
            where = f"{doc}:{start}: sample of {lane} ({what})"
            if end is None:
                bad.append(f"{where}: no ``` block right after the marker")
                continue
            try:
                want = golden(gold)
            except OSError:
                bad.append(f"{where}: no golden tests/guest/golden/{gold}.txt: record it, or name the lane's kernel")
                continue
            block = lines[start:end]
            if what != "report":
                got = log_messages(block)
                if got != want[what]:
                    bad.append(f"{where}: its log lines differ from golden {gold}:\n    saw  {got}\n    want {want[what]}")
                continue
            got = report_parts(block)
            for part in parts or want["report"]:
                if got.get(part) != want["report"].get(part):
                    bad.append(f"{where}: [{part}] has keys {got.get(part)}, golden {gold} {want['report'].get(part)}")
            for part in got:
                if part not in (parts or want["report"]):
                    bad.append(f"{where}: shows [{part}], which its marker does not name")
    if bad:
        print("\n".join(bad))
    return 1 if bad else 0


def run_steps(log):
    """A make run log's steps: [(command, [lines])]."""
    steps = []
    for line in open(log, encoding="utf-8").read().split("\n"):
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def extract(steps, what, parts):
    dmesg = [lines for cmd, lines in steps if cmd.startswith("dmesg")]
    if what == "load-log":
        body = dmesg[0]
    elif what == "unload-log":
        body = dmesg[-1]
    else:
        body = next(lines for cmd, lines in steps if cmd == "cat /proc/kmem_demo")
        # The report ends at a blank line not followed by a [section]:
        # make run prints the kernel's own view after it.
        for i, line in enumerate(body):
            if not line.strip() and i + 1 < len(body) and not body[i + 1].startswith("["):
                body = body[:i]
                break
        if parts:
            keep, out, on = set(parts), [], "header" in parts
            for line in body:
                m = re.match(r"^\[(.+)\]$", line)
                if m:
                    on = m.group(1) in keep
                if on:
                    out.append(line)
            body = out
    while body and not body[-1].strip():
        body = body[:-1]
    return body


def update(pairs):
    logs = dict(p.split("=", 1) for p in pairs)
    for doc in DOCS:
        lines = open(doc, encoding="utf-8").read().split("\n")
        out, i = [], 0
        for _, start, end, m in list(samples(doc)):
            lane, what, parts = m.group(1), m.group(3), m.group(4).split()
            if lane not in logs or end is None:
                continue
            out += lines[i:start]
            out += extract(run_steps(logs[lane]), what, parts)
            i = end
        out += lines[i:]
        with open(doc, "w", encoding="utf-8") as f:
            f.write("\n".join(out))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        sys.exit(check())
    if sys.argv[1:2] == ["--update"] and len(sys.argv) > 2:
        sys.exit(update(sys.argv[2:]))
    sys.exit(__doc__)
