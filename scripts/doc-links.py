#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""doc-links.py FILE.md... -- check every Markdown link of the files (text
in brackets, target in parentheses): the target file exists and, for
target#anchor, the anchor is a heading of the target (GitHub's rule: lower case, punctuation dropped, blanks to '-',
"-N" for the N-th repeat).  Links in code are not links.  Prints each
broken link and exits 1 when there is one."""
import os
import re
import sys


def prose(path):
    """The file's lines with fenced code blocks blanked."""
    out, fence = [], False
    for ln in open(path, encoding='utf-8').read().split('\n'):
        if ln.lstrip().startswith('```'):
            fence = not fence
            out.append('')
        else:
            out.append('' if fence else ln)
    return out


def anchors(path):
    seen, res = {}, set()
    for ln in prose(path):
        m = re.match(r'^(#{1,6}) +(.*?) *#* *$', ln)
        if not m:
            continue
        t = re.sub(r'[^\w\- ]', '', m.group(2).strip().lower()).replace(' ', '-')
        n = seen.get(t, 0)
        seen[t] = n + 1
        res.add(t if n == 0 else '%s-%d' % (t, n))
    return res


bad = total = 0
for f in sys.argv[1:]:
    for i, ln in enumerate(prose(f), 1):
        ln = re.sub(r'`[^`]*`', '', ln)
        for m in re.finditer(r'\]\(([^)\s]+)(?: +"[^"]*")?\)', ln):
            tgt = m.group(1)
            total += 1
            if re.match(r'^[a-z]+:', tgt):
                continue
            path, _, anc = tgt.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
            if not os.path.exists(dest):
                print('%s:%d: %s: no file %s' % (f, i, tgt, dest))
                bad += 1
            elif anc and not dest.endswith('.md'):
                print('%s:%d: %s: an anchor on a file that is not Markdown' % (f, i, tgt))
                bad += 1
            elif anc and anc not in anchors(dest):
                print('%s:%d: %s: no heading #%s in %s' % (f, i, tgt, anc, dest))
                bad += 1
if bad:
    print('%d of %d links broken: fix the link or the heading' % (bad, total))
sys.exit(1 if bad else 0)
