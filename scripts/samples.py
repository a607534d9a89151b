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

A sample of a whole make run session is the fenced block right after

    <!-- run: LANE [VIEW=0|1] [PARAMS='...'] [PICTURES=0|1] KVER=RELEASE | LAB -->

(LAB: the make run LAB= commands, ";"-separated, may be empty): lines of
what `make run KERNEL=LANE LAB='LAB' ...` prints in the guest, in its
order; "..." marks a cut; KVER the kernel it is of (a lane's kernel
follows the host's release), which make samples writes.
tests/guest/samples.txt holds them for the guest test 39-samples, which
runs that very session on LANE's kernel KVER and finds each line, values
that depend on where memory landed masked (tests/guest/mask.sed,
mask-session.sed).

A sample of the harness's own output on the host is the block after

    <!-- output: LOG... -->

LOG naming $KD_CACHE/logs/LOG.log, a log a lane of make test writes (its
prefix: machines-, install-, debian13-), the logs read one after the
other; each number, address and home directory may differ.  That lane
checks it with --output.

  samples.py --check            every sample has its golden's lines in the
                                golden's order: the same log messages, the
                                same keys in each part shown (values that
                                depend on where memory landed may differ)
                                and samples.txt is current
  samples.py --list             samples.txt, from the docs' run samples
  samples.py --output PREFIX DIR
                                every output sample whose logs start with
                                PREFIX is in those logs in DIR
  samples.py --update-output DIR
                                rewrite the output samples from DIR's logs
  samples.py --runs             the make runs the samples come from, one
                                "LANE<tab>LAB<tab>VIEW<tab>PARAMS<tab>
                                PICTURES" line each
  samples.py --update KEY=LOG   rewrite the samples of a run from LOG, its
                                log ($KD_CACHE/logs/LANE-run.log); KEY is
                                a --runs line with its tabs as "|"
"""
import glob
import re
import shlex
import subprocess
import sys
import tempfile

DOCS = ["README.md"] + sorted(glob.glob("docs/*.md"))
MARK = re.compile(r"^<!-- sample: (\S+) (\S+) (load-log|unload-log|report|lab|log)((?: \S+)*) -->$")
RUN = re.compile(r"^<!-- run: (.*?) \|(?: (.*?))? -->$")
RUN_VARS = {"VIEW": "1", "PARAMS": "", "PICTURES": "0", "KVER": ""}
OUTPUT = re.compile(r"^<!-- output: (\S+(?: \S+)*) -->$")
# The lanes whose logs ($KD_CACHE/logs/NAME.log) output samples name, by
# the logs' prefix; each checks its samples with --output PREFIX.
OUTPUT_LANES = ("machines-", "install-", "debian13-")
LIST = "tests/guest/samples.txt"
# A PCI device's address as dev_info() prints it, and a log line of the
# module or of its device ("kmem_demo: ...", "kmem_demo 0000:00:01.0: ...").
PCI_ADDR = r"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]"
MODULE_LINE = r"^kmem_demo(?: " + PCI_ADDR + r")?: "
MASKS = ["tests/guest/mask.sed", "tests/guest/mask-session.sed"]


def log_messages(lines):
    """The module's log lines as messages: through the guest's masks (no
    timestamp, address, or the PCI core's note at a device's first
    enable), and without numbers."""
    out = []
    for line in mask(lines):
        if re.match(MODULE_LINE, line) and "taint" not in line:
            # Counts differ with what ran before (the golden's lab).
            out.append(re.sub(r"\b\d+\b", "N", line))
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
    every = [l for sec in secs.values() for l in sec if re.match(MODULE_LINE, l)]
    return {"log": set(log_messages(every)),
            "load-log": log_messages(secs.get("load", [])),
            "report": report_parts(secs.get("report", [])),
            "unload-log": log_messages([l for l in tail if re.match(MODULE_LINE, l)]),
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


class RunSample:
    """A sample of a make run session: its marker's lane, make variables
    and lab, the block's lines [start, end) of the doc, or a problem."""

    def __init__(self, doc, lines, at, m):
        self.doc, self.lines, self.at, self.problem = doc, lines, at, None
        self.start = self.end = None
        words = shlex.split(m.group(1))
        self.lane, self.vars, self.lab = words[0] if words else "", dict(RUN_VARS), (m.group(2) or "").strip()
        for w in words[1:]:
            k, eq, v = w.partition("=")
            if not eq or k not in RUN_VARS:
                self.problem = f"unknown {w} in the marker (it takes {', '.join(RUN_VARS)})"
            else:
                self.vars[k] = v
        if at + 1 >= len(lines) or lines[at + 1] != "```":
            self.problem = "no ``` block right after the marker"
        else:
            self.start, self.end = at + 2, lines.index("```", at + 2)

    def key(self):
        return run_key(self.lane, self.lab, self.vars)

    def marker(self, kver):
        """The marker line, naming KVER, the kernel the sample is of."""
        words = [self.lane] + [f"{k}={shlex.quote(v)}" for k, v in self.vars.items()
                               if k != "KVER" and v != RUN_VARS[k]] + [f"KVER={kver}"]
        return f"<!-- run: {' '.join(words)} |{' ' + self.lab if self.lab else ''} -->"


def marked(doc, pattern):
    """(its number in DOC, DOC's lines, its line's index, the match) of
    each marker line of PATTERN in DOC."""
    lines = open(doc, encoding="utf-8").read().split("\n")
    n = 0
    for i, line in enumerate(lines):
        m = pattern.match(line)
        if m:
            n += 1
            yield n, lines, i, m


def run_samples(doc):
    for n, lines, i, m in marked(doc, RUN):
        r = RunSample(doc, lines, i, m)
        r.name = f"{doc} run sample {n}"
        yield r


def listing():
    """samples.txt: each run sample's header line, then its lines."""
    out = []
    for doc in DOCS:
        for r in run_samples(doc):
            if r.problem:
                continue
            v = r.vars
            out.append("=== " + "\t".join([r.name, r.lane, v["VIEW"], v["PARAMS"] or "-", v["PICTURES"],
                                            v["KVER"] or "-", r.lab or "-"]))
            out += r.lines[r.start:r.end]
    return "\n".join(out) + "\n"


def mask(lines):
    """Lines through the guest's masks (values of where memory landed),
    one for one: a line the masks delete (sed's d) comes back empty."""
    args = ["sed", "-E"]
    for f in MASKS:
        args += ["-f", f]
    # A separator line after each line tells where a deleted one was.
    sep = "\x02"
    text = "".join(f"{line}\n{sep}\n" for line in lines)
    res = subprocess.run(args, input=text, capture_output=True, text=True, check=True).stdout
    out, cur = [], ""
    for line in res.split("\n"):
        if line == sep:
            out.append(cur)
            cur = ""
        else:
            cur = line
    return out


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
    for doc in DOCS:
        for r in run_samples(doc):
            if r.problem:
                bad.append(f"{r.name} (line {r.at + 1}): {r.problem}")
            elif not r.vars["KVER"]:
                bad.append(f"{r.name} (line {r.at + 1}): no KVER= in the marker, the kernel the sample is of: make samples writes it")
        for name, logs, _, _, end in output_samples(doc):
            if end is None:
                bad.append(f"{name}: no ``` block right after the marker")
            for log in logs:
                if not log.startswith(OUTPUT_LANES):
                    bad.append(f"{name}: no lane writes {log}.log (the lanes' logs: {', '.join(OUTPUT_LANES)}...)")
    try:
        current = open(LIST, encoding="utf-8").read()
    except OSError:
        current = None
    if current != listing():
        bad.append(f"{LIST} is not the docs' run samples: python3 scripts/samples.py --list >{LIST}")
    if bad:
        print("\n".join(bad))
    return 1 if bad else 0


def run_fields(lane, lab, v=None):
    """What makes a run: LANE, LAB, VIEW, PARAMS, PICTURES."""
    v = v or RUN_VARS
    return (lane, lab, v["VIEW"], v["PARAMS"], v["PICTURES"])


def run_key(lane, lab, v=None):
    """The key of a run in --update's KEY=LOG: its fields joined by "|"."""
    return "|".join(run_fields(lane, lab, v))


def runs():
    """Every make run the samples need, as tab-separated run_key fields."""
    seen = []
    for doc in DOCS:
        for _, _, _, m in samples(doc):
            if m.group(3) == "log":
                continue
            lab = " ".join(m.group(4).split()[1:]) if m.group(3) == "lab" else ""
            seen.append(run_fields(m.group(1), lab))
        seen += [run_fields(r.lane, r.lab, r.vars) for r in run_samples(doc) if not r.problem]
    print("\n".join("\t".join(f) for f in dict.fromkeys(seen)))
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


def host_mask(lines):
    """The harness's own output through the guest's masks, then with every
    number (versions, sizes, times, addresses) and home made alike."""
    out = []
    for line in mask(lines):
        line = re.sub(r"(/root|/home/[a-z_][a-z0-9_-]*)/", "~/", line)
        line = re.sub(r"\b(0x[0-9a-f]+|[0-9a-f]{8,16})\b", "<n>", line)
        line = re.sub(r"[0-9]+", "<n>", line)
        out.append(re.sub(r"\.{3,}", "...", line))
    return out


def embed(block, session, masker):
    """Where BLOCK's lines are in SESSION, in order, once both went
    through MASKER (tests/guest/subseq.awk: the lab's numbers may be off
    by one amount): (BLOCK with each line found replaced by the one of
    SESSION it stands for, the first line not found or None).  Blank
    lines and cuts ("...") stay."""
    keep = [j for j, l in enumerate(block) if l.strip() and l != "..."]
    with tempfile.TemporaryDirectory() as tmp:
        for f, lines in (("want", [block[j] for j in keep]), ("saw", session)):
            with open(f"{tmp}/{f}", "w", encoding="utf-8") as out:
                out.write("\n".join(masker(lines)) + "\n")
        res = subprocess.run(["awk", "-f", "tests/guest/subseq.awk", f"{tmp}/want", f"{tmp}/saw"],
                             capture_output=True, text=True, check=True).stdout.split()
    found, want = int(res[0]), int(res[1])
    out = list(block)
    for j, at in zip(keep, res[3:]):
        if int(at):
            out[j] = session[int(at) - 1]
    return out, (block[keep[found]] if found < want else None)


def read_log(path):
    """PATH's lines as a terminal shows them: of a line that returns to
    its start (a progress counter), what stays."""
    text = open(path, encoding="utf-8", errors="replace").read()
    return [l.rstrip("\r").split("\r")[-1] for l in text.split("\n")]


def update_run(block, log, name):
    """A run sample's lines, each replaced by the line of the run LOG it
    stands for."""
    out, miss = embed(block, read_log(log), mask)
    if miss is not None:
        print(f"{name}: {log} lacks, after the sample's lines before it: {miss}", file=sys.stderr)
    return out, miss is None


def output_samples(doc):
    """(name, logs, lines, start, end) of each sample of the harness's own
    output: the block after <!-- output: LOG... -->."""
    for n, lines, i, m in marked(doc, OUTPUT):
        end = lines.index("```", i + 2) if i + 1 < len(lines) and lines[i + 1] == "```" else None
        yield f"{doc} output sample {n}", m.group(1).split(), lines, i + 2, end


def output(prefix, logdir, write=False):
    """Check (or, with WRITE, rewrite) every output sample whose logs all
    start with PREFIX against those logs in LOGDIR, one after the other."""
    bad, n = [], 0
    for doc in DOCS:
        text = open(doc, encoding="utf-8").read().split("\n")
        out, i = [], 0
        for name, logs, lines, start, end in output_samples(doc):
            if end is None or not all(l.startswith(prefix) for l in logs):
                continue
            n += 1
            try:
                session = [l for log in logs for l in read_log(f"{logdir}/{log}.log")]
            except OSError as e:
                bad.append(f"{name}: {e}")
                continue
            body, miss = embed(lines[start:end], session, host_mask)
            if miss is not None:
                bad.append(f"{name}: {' '.join(logs)} lack, after the sample's lines before it: {miss}")
            out += text[i:start] + body
            i = end
        if write and i:
            with open(doc, "w", encoding="utf-8") as f:
                f.write("\n".join(out + text[i:]))
    if not n:
        bad.append(f"no output sample names a log {prefix}*")
    if bad:
        print("\n".join(bad))
    return 1 if bad else 0


def log_kver(log):
    """The kernel a make run LOG ran on: what its "uname -r" printed."""
    session = read_log(log)
    return next((session[j + 1].strip() for j, l in enumerate(session[:-1]) if l == "$ uname -r"), "")


def update(pairs):
    logs = dict(p.rsplit("=", 1) for p in pairs)
    good = True
    for doc in DOCS:
        lines = open(doc, encoding="utf-8").read().split("\n")
        out, i = [], 0
        blocks = []
        for _, start, end, m in list(samples(doc)):
            lane, what, parts = m.group(1), m.group(3), m.group(4).split()
            key = run_key(lane, " ".join(parts[1:]) if what == "lab" else "")
            if key in logs and end is not None:
                blocks.append((start, end, lambda key=key, what=what, parts=parts:
                               (extract(run_steps(logs[key]), what, parts), True)))
        marks = {}
        for r in run_samples(doc):
            if r.key() in logs and not r.problem:
                blocks.append((r.start, r.end, lambda r=r: update_run(r.lines[r.start:r.end], logs[r.key()], r.name)))
                marks[r.at] = r.marker(log_kver(logs[r.key()]))
        for start, end, make in sorted(blocks, key=lambda b: b[0]):
            body, ok = make()
            good = good and ok
            out += [marks.get(j, lines[j]) for j in range(i, start)]
            out += body
            i = end
        out += lines[i:]
        with open(doc, "w", encoding="utf-8") as f:
            f.write("\n".join(out))
    with open(LIST, "w", encoding="utf-8") as f:
        f.write(listing())
    return 0 if good else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--check"]:
        sys.exit(check())
    if sys.argv[1:2] == ["--output"] and len(sys.argv) == 4:
        sys.exit(output(sys.argv[2], sys.argv[3]))
    if sys.argv[1:2] == ["--update-output"] and len(sys.argv) == 3:
        sys.exit(output("", sys.argv[2], write=True))
    if sys.argv[1:2] == ["--list"]:
        sys.stdout.write(listing())
        sys.exit(0)
    if sys.argv[1:2] == ["--runs"]:
        sys.exit(runs())
    if sys.argv[1:2] == ["--update"] and len(sys.argv) > 2:
        sys.exit(update(sys.argv[2:]))
    sys.exit(__doc__)
