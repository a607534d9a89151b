#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""scripts/compare.py DIR -- make compare's table, from what vm/compare.sh
collected in DIR/lanes/LANE/ (vm/compare.sh says which files).

Rows are the fields of each allocation and of the report's header, and the
result of each lab command; columns are the lanes' kernels, oldest first
(x86_64, then aarch64).  Three groups: the rows that differ between
kernels, the rows equal on every lane that reported (one line each), and
the values that depend on where memory landed in that boot (addresses,
frames, run counts, zones, nodes, kvmalloc's huge mappings): one boot's
observation, not a property of the kernel.  A lane that failed is a column
that says so.

Writes DIR/compare.txt (what it prints), DIR/compare.md and DIR/compare.csv
(every row, every lane: field, section, key, kind, same, then one column
per lane); with benchmark CSVs, DIR/bench-ratios.csv: each case's median
over that kernel's own smallest kmalloc pair, which divides out the emulation's
speed.  When DIR/previous/compare.csv exists (the run before, kept by
vm/compare.sh) and that run had the same commands, what moved since.
"""
import csv
import os
import re
import sys
import textwrap

# A device's address of memory is where that memory landed too; a
# transfer's time is one boot's (its "verified" is the kernel's).
OBS_KEYS = {"address", "pfn", "phys", "zone", "node", "dma_addr", "transfer"}
OBS_MARK = "~"
LEGEND = (f"{OBS_MARK} one boot's observation: where memory landed this time "
          "(addresses, frames, runs, zone, node, huge mappings, DMA addresses, "
          "transfer times), "
          "not a property of the kernel")


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return default


def parse_report(text):
    """The report as [(section, key, value)]: section "header" first, then
    each [name] section; the item lines, the kmem_cache's objects and the
    DMA pool's blocks, are left out (one boot's addresses and times)."""
    rows, section = [], "header"
    for line in text.splitlines():
        m = re.match(r"^kmem_demo (\S+): ", line)
        if m and section == "header":
            rows.append((section, "module", m.group(1)))
            continue
        m = re.match(r"^\[(.+)\]$", line)
        if m:
            section = m.group(1)
            continue
        if re.match(r"^(object|block) \d+: ", line):
            continue
        m = re.match(r"^([a-z_]+):\s+(.*)$", line)
        if m:
            rows.append((section, m.group(1), m.group(2)))
    return rows


def sections(rows):
    """{section: {key: value}} in report order."""
    out = {}
    for s, k, v in rows:
        out.setdefault(s, {})[k] = v
    return out


def lab_rows(lab_tsv, secs):
    """Rows of the lab: each command's result, and the fields of the
    experiment it made, as [(section, key, value)].  A command is matched
    to its report section by the ID in its log line ("lab 3: ..."), or,
    when the rate limit dropped that line, by its text, in order."""
    rows, seen, used = [], {}, set()
    for line in lab_tsv.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        cmd, res, log = parts[0], parts[1], parts[2] if len(parts) > 2 else ""
        seen[cmd] = seen.get(cmd, 0) + 1
        label = f"lab: {cmd}" + (f" (#{seen[cmd]})" if seen[cmd] > 1 else "")
        if res != "ok":
            m = re.search(r"refused, ([A-Z0-9]+): (.*)$", log)
            reason = m.group(2) if m and m.group(1) == res else "(the module's log line was rate-limited)"
            rows.append((label, "result", f"{res}: {reason}"))
            continue
        rows.append((label, "result", "ok"))
        sec = None
        m = re.match(r"^kmem_demo: lab (\d+): ", log)
        if m and secs.get(f"lab {m.group(1)}", {}).get("command") == cmd:
            sec = f"lab {m.group(1)}"
        elif not m:
            for s, kv in secs.items():
                if s.startswith("lab ") and s not in used and kv.get("command") == cmd:
                    sec = s
                    break
        if sec is None:
            continue
        used.add(sec)
        for k, v in secs[sec].items():
            if k != "command":
                rows.append((label, k, v))
    return rows


def observation(section, key, value, fields):
    """True for a value that depends on where memory landed in this boot."""
    if key in OBS_KEYS:
        return True
    if key == "physical" and "runs" in value:
        return True
    # kvmalloc's vmalloc side may map whole huge blocks: how much, the huge
    # blocks free at that moment decide.
    if key in ("reserved", "slack", "pages") and section.startswith("lab: kvmalloc") \
            and fields.get("allocator", "").startswith("vmalloc"):
        return True
    return False


def version_key(release):
    return [int(x) for x in re.findall(r"\d+", release)[:3]] or [9999]


class Lane:
    def __init__(self, top, name):
        d = os.path.join(top, "lanes", name)
        self.name = name
        self.status = read(os.path.join(d, "status"), "failed").strip() or "failed"
        self.why = read(os.path.join(d, "why"), "it did not finish").strip()
        self.kernel = read(os.path.join(d, "kernel")).strip()
        self.machine = read(os.path.join(d, "machine")).strip()
        self.ok = self.status == "ok"
        self.values, self.kinds = {}, {}
        if not self.ok:
            return
        rep = parse_report(read(os.path.join(d, "report.txt")))
        secs = sections(rep)
        rows = [("lane", "kernel", self.kernel), ("lane", "machine", self.machine)]
        rows += [r for r in rep if not r[0].startswith("lab ")]
        rows += lab_rows(read(os.path.join(d, "lab.tsv")), secs)
        fields = sections(rows)
        # The lab's total counts what kvmalloc's huge mappings took.
        huge = any(observation(s, "reserved", "", kv) for s, kv in fields.items())
        for s, k, v in rows:
            f = f"[{s}] {k}"
            self.values[f] = v
            obs = observation(s, k, v, fields[s]) or (s, k) == ("header", "lab") and huge
            self.kinds[f] = "observation" if obs else "property"
        self.bench = os.path.join(d, "bench.csv")

    def sort_key(self):
        return (not self.ok, self.machine != "x86_64", self.machine, version_key(self.kernel))

    def cell(self, field):
        if not self.ok:
            return "failed"
        return self.values.get(field, "(absent)")


def build(lanes):
    """[(field, section, key, kind, same, [cells])] in a stable order: the
    first lane's order of rows, then rows only other lanes have."""
    order, kinds = [], {}
    for ln in lanes:
        for f in ln.values:
            if f not in kinds:
                order.append(f)
                kinds[f] = ln.kinds[f]
            elif ln.kinds[f] == "observation":
                kinds[f] = "observation"
    rows = [("[lane] status", "lane", "status", "lane", False,
             [ln.status if ln.ok else f"failed: {ln.why}" for ln in lanes])]
    for f in order:
        m = re.match(r"^\[(.*)\] (\S+)$", f)
        cells = [ln.cell(f) for ln in lanes]
        got = {c for ln, c in zip(lanes, cells) if ln.ok}
        rows.append((f, m.group(1), m.group(2), kinds[f], len(got) == 1, cells))
    return rows


def wrap_table(header, body, widths):
    """Lines of a text table whose cells wrap within their column."""
    out = []
    for row in [header] + body:
        cols = [textwrap.wrap(c, w, break_on_hyphens=False) or [""] for c, w in zip(row, widths)]
        for i in range(max(len(c) for c in cols)):
            out.append("  ".join((c[i] if i < len(c) else "").ljust(w)
                                 for c, w in zip(cols, widths)).rstrip())
        if row is header:
            out.append("  ".join("-" * w for w in widths))
    return out


def label(row):
    return row[0] + (f" {OBS_MARK}" if row[3] == "observation" else "")


def groups(rows):
    """The rows that differ (with every lane's status), those equal on every
    lane that reported (observations that happened to agree among them),
    and the observations that differ."""
    diff = [r for r in rows if r[3] == "lane" or r[3] == "property" and not r[4]]
    same = [r for r in rows if r[3] != "lane" and r[4]]
    obs = [r for r in rows if r[3] == "observation" and not r[4]]
    return diff, same, obs


def text_report(meta, lanes, rows, moved):
    names = [ln.name for ln in lanes]
    diff, same, obs = groups(rows)
    lw = min(44, max(len(label(r)) for r in rows))
    cw = [max(len(n), min(28, max(len(c) for r in diff + obs for c in [r[5][i]])))
          for i, n in enumerate(names)]
    out = [f"make compare: {len(lanes)} lanes, LAB='{meta.get('lab', '')}', "
           f"PARAMS='{meta.get('params', '')}' ({meta.get('date', '')}, {meta.get('host', '')})", ""]
    out.append(f"Differs between kernels ({len(diff)} rows):")
    out += wrap_table([""] + names, [[label(r)] + r[5] for r in diff], [lw] + cw)
    out += ["", f"Same on every kernel that reported ({len(same)} rows):"]
    out += [f"  {label(r):<{lw}}  {next(c for ln, c in zip(lanes, r[5]) if ln.ok)}" for r in same]
    if obs:
        out += ["", f"One boot's observations ({len(obs)} rows):", LEGEND]
        out += wrap_table([""] + names, [[label(r)] + r[5] for r in obs], [lw] + cw)
    if moved is not None:
        out += ["", moved[0]] + [f"  {m}" for m in moved[1]]
    return out


def md_cell(c):
    return c.replace("|", "\\|")


def md_report(meta, lanes, rows, moved, ratios):
    names = [ln.name for ln in lanes]
    diff, same, obs = groups(rows)
    out = ["# make compare", "",
           f"{len(lanes)} lanes, `LAB='{meta.get('lab', '')}'`, `PARAMS='{meta.get('params', '')}'`; "
           f"{meta.get('date', '')}, on {meta.get('host', '')}.", ""]

    def table(rs):
        t = ["| field | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        return t + [f"| {md_cell(label(r))} | " + " | ".join(md_cell(c) for c in r[5]) + " |" for r in rs]
    out += ["## Differs between kernels", ""] + table(diff) + [""]
    out += ["## Same on every kernel that reported", "", "| field | value |", "|---|---|"]
    out += [f"| {md_cell(label(r))} | {md_cell(next(c for ln, c in zip(lanes, r[5]) if ln.ok))} |"
            for r in same] + [""]
    if obs:
        out += ["## One boot's observations", "", LEGEND + ".", ""] + table(obs) + [""]
    if ratios:
        out += ["## Benchmark: each case over the kernel's own smallest kmalloc pair", "",
                "| case | " + " | ".join(ratios[0]) + " |", "|---" * (len(ratios[0]) + 1) + "|"]
        out += ["| " + " | ".join([case] + vals) + " |" for case, vals in ratios[1]] + [""]
    if moved is not None:
        out += ["## " + moved[0], ""] + [f"- {md_cell(m)}" for m in moved[1]] + [""]
    return out


def bench_ratios(lanes):
    """(lane names, [(case, [ratio text per lane])]) or None without CSVs."""
    per = {}
    order = []
    for ln in lanes:
        if not ln.ok or not os.path.exists(ln.bench):
            continue
        with open(ln.bench, encoding="utf-8") as f:
            rdr = csv.DictReader(line for line in f if not line.startswith("#"))
            rs = [r for r in rdr if r.get("error") == "0" and r["allocator"] != "empty"]
        # Each kernel by its own smallest kmalloc pair: 8 bytes, 128 on
        # arm64 before 6.5, whose smallest cache was the DMA alignment.
        pairs = [r for r in rs if (r["allocator"], r["pattern"]) == ("kmalloc", "pair")]
        base = [float(min(pairs, key=lambda r: int(r["size"]))["median_ns"])] if pairs else []
        if not base or base[0] <= 0:
            per[ln.name] = {}
            continue
        vals, at = {}, 0
        for r in rs:
            # Page cases by order: the same order is another size on
            # another page size.
            what = f"order {r['order']}" if r["allocator"].startswith(("alloc_pages", "dma_alloc_coherent")) \
                else r["size"]
            case = f"{r['allocator']} {r['pattern']} {what}" + \
                (f" x{r['batch']}" if r["pattern"] in ("batch", "bulk") else "")
            vals[case] = float(r["median_ns"]) / base[0]
            # A case only some kernels have goes after the case before it.
            if case not in order:
                order.insert(at, case)
            at = order.index(case) + 1
        per[ln.name] = vals
    if not per:
        return None
    names = list(per)
    return names, [(c, [f"{per[n][c]:.2f}" if c in per[n] else "-" for n in names]) for c in order]


def moved_since(top, meta, lanes, rows):
    prev = os.path.join(top, "previous", "compare.csv")
    if not os.path.exists(prev):
        return None
    pmeta = dict(line.split(" ", 1) for line in read(os.path.join(top, "previous", "run")).splitlines()
                 if " " in line)
    when = pmeta.get("date", "the previous run")
    if (pmeta.get("lab"), pmeta.get("params")) != (meta.get("lab"), meta.get("params")):
        return (f"Since the previous run ({when})",
                ["it ran other commands or parameters: nothing to set beside this run"])
    with open(prev, encoding="utf-8") as f:
        old = list(csv.reader(f))
    if not old:
        return None
    head = old[0]
    oldv = {r[0]: dict(zip(head[5:], r[5:])) for r in old[1:] if r}
    out = []
    for r in rows:
        for ln, c in zip(lanes, r[5]):
            was = oldv.get(r[0], {}).get(ln.name)
            if was is not None and was != c and r[3] != "observation":
                out.append(f"{ln.name}: {r[0]}: {was} -> {c}")
    for ln in lanes:
        if ln.name not in head[5:]:
            out.append(f"{ln.name}: a new column")
    return (f"Since the previous run ({when})", out or ["nothing moved (observations aside)"])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/compare.py DIR")
    top = sys.argv[1]
    names = read(os.path.join(top, "lanes", "order")).split()
    if not names:
        sys.exit(f"compare: no lanes in {top}/lanes/order")
    meta = dict(line.split(" ", 1) for line in read(os.path.join(top, "lanes", "run")).splitlines()
                if " " in line)
    lanes = sorted((Lane(top, n) for n in names), key=Lane.sort_key)
    rows = build(lanes)
    moved = moved_since(top, meta, lanes, rows)
    ratios = bench_ratios(lanes)
    with open(os.path.join(top, "compare.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["field", "section", "key", "kind", "same"] + [ln.name for ln in lanes])
        for r in rows:
            w.writerow([r[0], r[1], r[2], r[3], "yes" if r[4] else "no"] + r[5])
    if ratios:
        with open(os.path.join(top, "bench-ratios.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["case"] + ratios[0])
            for case, vals in ratios[1]:
                w.writerow([case] + vals)
    text = text_report(meta, lanes, rows, moved)
    if ratios:
        text += ["", "Benchmark: each case's median over that kernel's own smallest kmalloc pair"
                 " (emulation speed divides out):"]
        text += wrap_table(["case"] + ratios[0], [[c] + v for c, v in ratios[1]],
                           [max(len(c) for c, _ in ratios[1])] + [max(8, len(n)) for n in ratios[0]])
    text += ["", f"written: {top}/compare.md, {top}/compare.csv, {top}/compare.txt"]
    with open(os.path.join(top, "compare.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(text) + "\n")
    with open(os.path.join(top, "compare.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md_report(meta, lanes, rows, moved, ratios)))
    print("\n".join(text))


if __name__ == "__main__":
    main()
