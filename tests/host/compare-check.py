#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tests/host/compare-check.py DIR -- check make compare's table in DIR
against what each lane's guest printed (DIR/lanes/LANE/), read here on its
own, without scripts/compare.py's parser:
- compare.csv parses, with the header row field,section,key,kind,same and a
  column for every lane of DIR/lanes/order, failed ones included, and every
  row as long as the header;
- every value of a lane that reported equals its own report's (or its lab
  command's result), and every line of its report is a row of the table;
- a row marked same=yes holds one value on every lane that reported, a row
  marked same=no at least two;
- a failed lane's column says failed, and why, in every row;
- compare.md and compare.txt exist and fold the same rows.
Prints one line per problem; silent and status 0 when all is well."""
import csv
import os
import re
import sys

problems = []


def problem(msg):
    problems.append(msg)


def own_report(path):
    """{(section, key): value} of a report, the lab's sections under their
    command ("lab: COMMAND"), and the set of every such pair."""
    got, sec, lab = {}, "header", {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line in lines:
        if line.startswith("kmem_demo ") and sec == "header":
            got[("header", "module")] = line.split()[1].rstrip(":")
        elif line.startswith("[") and line.endswith("]"):
            sec = line[1:-1]
        elif ": " in line and not re.match(r"(object|block) \d+: ", line):
            k, v = line.split(": ", 1)
            if sec.startswith("lab "):
                lab.setdefault(sec, {})[k] = v.strip()
            else:
                got[(sec, k)] = v.strip()
    for kv in lab.values():
        for k, v in kv.items():
            if k != "command":
                got[("lab: " + kv["command"], k)] = v
    return got


def main():
    top = sys.argv[1]
    order = open(os.path.join(top, "lanes", "order"), encoding="utf-8").read().split()
    try:
        with open(os.path.join(top, "compare.csv"), newline="", encoding="utf-8") as f:
            table = list(csv.reader(f, strict=True))
    except (OSError, csv.Error) as e:
        problem(f"compare.csv does not parse: {e}")
        return
    head = table[0] if table else []
    if head[:5] != ["field", "section", "key", "kind", "same"]:
        problem(f"compare.csv's header row is {head[:5]}, expected field,section,key,kind,same")
        return
    if sorted(head[5:]) != sorted(order):
        problem(f"compare.csv's lanes are {head[5:]}, expected {order}")
    rows = table[1:]
    for r in rows:
        if len(r) != len(head):
            problem(f"compare.csv row {r[:1]} has {len(r)} cells, the header {len(head)}")
    rows = [r for r in rows if len(r) == len(head)]
    byfield = {r[0]: r for r in rows}
    ok = []
    for i, lane in enumerate(head[5:], 5):
        d = os.path.join(top, "lanes", lane)
        status = open(os.path.join(d, "status"), encoding="utf-8").read().strip()
        if status != "ok":
            why = open(os.path.join(d, "why"), encoding="utf-8").read().strip()
            st = byfield.get("[lane] status", [""] * len(head))[i]
            if st != f"failed: {why}":
                problem(f"{lane}: status cell '{st}', expected 'failed: {why}'")
            bad = [r[0] for r in rows if r[0] != "[lane] status" and r[i] != "failed"]
            if bad:
                problem(f"{lane} failed, yet its column has values in {bad[:3]}")
            continue
        ok.append(i)
        want = own_report(os.path.join(d, "report.txt"))
        want[("lane", "kernel")] = open(os.path.join(d, "kernel"), encoding="utf-8").read().strip()
        want[("lane", "machine")] = open(os.path.join(d, "machine"), encoding="utf-8").read().strip()
        with open(os.path.join(d, "lab.tsv"), encoding="utf-8") as f:
            for line in f:
                cmd, res, log = (line.rstrip("\n").split("\t") + ["", ""])[:3]
                if res == "ok":
                    want[("lab: " + cmd, "result")] = "ok"
                    continue
                reason = log.split(f"refused, {res}: ", 1)[1] if f"refused, {res}: " in log \
                    else "(the module's log line was rate-limited)"
                want[("lab: " + cmd, "result")] = f"{res}: {reason}"
        for (sec, key), v in want.items():
            r = byfield.get(f"[{sec}] {key}")
            if r is None:
                problem(f"{lane}: its report's [{sec}] {key} ({v}) is no row of the table")
            elif r[i] != v:
                problem(f"{lane}: [{sec}] {key}: the table says '{r[i]}', its report '{v}'")
        for r in rows:
            if r[3] != "lane" and (r[1], r[2]) not in want and r[i] != "(absent)":
                problem(f"{lane}: {r[0]} is '{r[i]}' in the table but not in its report")
    for r in rows:
        vals = {r[i] for i in ok}
        if r[4] == "yes" and len(vals) != 1:
            problem(f"{r[0]} is marked same on every lane but holds {sorted(vals)}")
        if r[4] == "no" and r[3] != "lane" and len(vals) < 2 and len(ok) > 1:
            problem(f"{r[0]} is marked different but holds one value, {vals}")
    md = open(os.path.join(top, "compare.md"), encoding="utf-8").read()
    txt = open(os.path.join(top, "compare.txt"), encoding="utf-8").read()
    lanes_row = "| field | " + " | ".join(head[5:]) + " |"
    if lanes_row not in md:
        problem(f"compare.md has no table headed '{lanes_row}'")
    for r in rows:
        if r[4] == "yes" and r[3] != "lane":
            v = r[ok[0]].replace("|", "\\|") if ok else ""
            name = r[0] + (" ~" if r[3] == "observation" else "")
            if f"| {name.replace('|', chr(92) + '|')} | {v} |" not in md:
                problem(f"compare.md does not fold {r[0]} into one line")
            if not re.search(r"^  " + re.escape(name) + r" +" + re.escape(r[ok[0]]) + "$", txt, re.M):
                problem(f"compare.txt does not fold {r[0]} into one line")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tests/host/compare-check.py DIR")
    main()
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)
