#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The output samples in the docs: check them, or write them from a run.

A sample is the fenced block right after a marker line

    <!-- sample: LANE GOLDEN WHAT [PART...] -->

LANE is the `make run KERNEL=LANE` lane it comes from; GOLDEN names
tests/guest/golden/GOLDEN.txt, what today's code prints on that lane's
kernel (95-golden fails when they differ); WHAT is load-log, unload-log,
report or lab.  A report sample may show only some PARTs: "header" and
section titles (kmalloc, vmalloc, __get_free_pages, kmem_cache).  A lab
sample is one experiment's section: PART is "N LAB", the section [lab N]
of `make run LAB='LAB'`; it must have every key the golden's experiments
all have, and no key out of the order they are printed in.  A log sample
(LANE "-": no run makes it) is log lines each of which the golden has,
addresses and numbers aside.

  samples.py --check            every sample has its golden's lines in the
                                golden's order: the same log messages, the
                                same keys in each part shown (values that
                                depend on where memory landed may differ)
  samples.py --runs             the make runs the samples come from, one
                                "LANE<tab>LAB" line each
  samples.py --update KEY=LOG   rewrite the samples of a run from LOG, its
                                log ($KD_CACHE/logs/LANE-run.log); KEY is
                                LANE, or LANE|LAB for a lab sample's run
"""
import re
import sys

DOCS = ["README.md"] + [f"docs/{d}" for d in ("report.md", "arm64.md", "lab.md", "parameters.md")]
MARK = re.compile(r"^<!-- sample: (\S+) (\S+) (load-log|unload-log|report|lab|log)((?: \S+)*) -->$")


def log_messages(lines):
    """The module's log lines as messages: no timestamp, address or number."""
    out = []
    for line in lines:
        m = re.match(r"^(?:\[[ 0-9.]+\] )?(kmem_demo: .*)$", line)
        if m and "taint" not in m.group(1):
            msg = re.sub(r"at [0-9a-f]{8,16} \(", "at <addr> (", m.group(1))
            # Counts differ with what ran before (the golden's lab).
            out.append(re.sub(r"\b\d+\b", "N", msg))
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
    labs = [keys for part, keys in report_parts(secs.get("report with the lab", [])).items()
            if part.startswith("lab ")]
    every = [l for sec in secs.values() for l in sec if l.startswith("kmem_demo: ")]
    return {"log": set(log_messages(every)),
            "load-log": log_messages(secs.get("load", [])),
            "report": report_parts(secs.get("report", [])),
            "unload-log": log_messages([l for l in tail if l.startswith("kmem_demo: ")]),
            "lab": labs}


def key_order(sections):
    """The order the keys of many sections are printed in, merged."""
    order = []
    for keys in sections:
        at = 0
        for k in keys:
            if k in order:
                at = order.index(k) + 1
            else:
                order.insert(at, k)
                at += 1
    return order


def lab_problems(keys, labs):
    """What is wrong with a lab section's keys, against the golden's.

    The causes of the slack and the extras (slack_huge, extra_guard, ...)
    depend on the allocation: one the golden's experiments lack is fine
    where the causes are printed, between served_by and address.
    """
    must = set.intersection(*[set(k) for k in labs]) if labs else set()
    order = key_order(labs)
    out = [f"lacks {k}" for k in sorted(must - set(keys))]
    for i, k in enumerate(keys):
        if k in order:
            continue
        cause = re.match(r"^(slack|extra)_[a-z]+$", k)
        if not (cause and "served_by" in keys[:i] and "address" in keys[i:]):
            out.append(f"has {k}, which no experiment of the golden has")
    known = [order.index(k) for k in keys if k in order]
    if known != sorted(known):
        out.append(f"keys out of order: {keys}")
    return out


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
            if what == "lab":
                keys = report_parts(block)
                part = [p for p in keys if p != "header"]
                if len(part) != 1 or keys["header"]:
                    bad.append(f"{where}: not one [lab N] section")
                    continue
                for p in lab_problems(keys[part[0]], want["lab"]):
                    bad.append(f"{where}: [{part[0]}] {p} (golden {gold})")
                continue
            if what == "log":
                for line in log_messages(block):
                    if line not in want["log"]:
                        bad.append(f"{where}: golden {gold} has no line like: {line}")
                continue
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


def run_key(lane, lab):
    """The key of a run in --update's LANE=LOG pairs: LANE, or LANE|LAB."""
    return f"{lane}|{lab}" if lab else lane


def runs():
    """Every make run the samples need: "LANE<TAB>LAB" lines."""
    seen = []
    for doc in DOCS:
        for _, _, _, m in samples(doc):
            if m.group(3) == "log":
                continue
            lab = " ".join(m.group(4).split()[1:]) if m.group(3) == "lab" else ""
            if (m.group(1), lab) not in seen:
                seen.append((m.group(1), lab))
    print("\n".join(f"{lane}\t{lab}" for lane, lab in seen))
    return 0


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
    if what == "lab":
        report = next(lines for cmd, lines in steps if cmd == "cat /proc/kmem_demo")
        title = f"[lab {parts[0]}]"
        start = report.index(title)
        end = start
        while end < len(report) and report[end].strip():
            end += 1
        return report[start:end]
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
            if what == "lab":
                lane = run_key(lane, " ".join(parts[1:]))
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
    if sys.argv[1:2] == ["--runs"]:
        sys.exit(runs())
    if sys.argv[1:2] == ["--update"] and len(sys.argv) > 2:
        sys.exit(update(sys.argv[2:]))
    sys.exit(__doc__)
