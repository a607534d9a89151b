#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Draw where kmem_demo's memory landed, from a saved /proc/kmem_demo_map.

    scripts/pictures.py [--title TEXT] MAP OUTDIR

writes OUTDIR/memmap.svg (the guest's page frames, zones marked, each
allocation's frames coloured) and OUTDIR/vmalloc.svg (each vmalloc area's
page index against the frame behind it).  Plain SVG 1.1 with a generic font
family: nothing is fetched from anywhere.  scripts/pictures.sh turns them into
PNG.  Only the Python standard library is used.

The map's format is documented in docs/pictures.md ("The frame map").
Elements carry classes the tests count: every run of an allocation is one
<g class="run">, every run of a vmalloc area one <line class="run">
inside its <g class="panel">, and every node boundary (where a NUMA node
other than the lowest-numbered starts) one <g class="node-boundary"
data-node="N" data-frame="PFN">, in memmap.svg and in each panel whose
frames span it.  Memory handed to the DMA demo device (the map's dma=) is
outlined in DMA_EDGE, its region <g class="region" data-dma="KIND:HOW">.
"""
import argparse
import math
import os
import sys
from xml.sax.saxutils import escape, quoteattr

FONT = 'DejaVu Sans, Bitstream Vera Sans, sans-serif'
# Okabe-Ito, then more: distinct for most colour vision.
PALETTE = ['#E69F00', '#0072B2', '#009E73', '#D55E00', '#CC79A7', '#56B4E9',
           '#000000', '#F0E442', '#8C564B', '#7F7F7F', '#17BECF', '#BCBD22']
ZONE_TINTS = ['#F5EBD7', '#DCEAF5', '#E1F0E1', '#F2E1EE', '#EEEEDD', '#E6E6E6']
# Node boundaries: a dark red none of the allocations or zones has.
BOUNDARY = '#B2182B'
# Memory a device may reach (dma=): a dashed outline in a colour of its own.
DMA_EDGE = '#6A3D9A'
DMA_STROKE = ' stroke="%s" stroke-width="1.5" stroke-dasharray="3,1.5"' % DMA_EDGE


class MapError(Exception):
    pass


# The vmalloc panels' broken frame axis (frame_axis): at most this many
# segments drawn to scale, each at least MIN_SEGMENT pixels high, with
# BREAK pixels between two.
MAX_SEGMENTS = 6
MIN_SEGMENT = 18
BREAK = 8


def parse(path):
    """The map file as a dict: page_size, runs_max, zones, regions."""
    m = {'page_size': None, 'runs_max': None, 'zones': [], 'regions': []}
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = [ln.strip() for ln in f]
    lines = [ln for ln in lines if ln]
    if not lines or lines[0] != 'kmem_demo_map 1':
        raise MapError('%s: not a kmem_demo_map version 1 file' % path)
    for ln in lines[1:]:
        w = ln.split()
        try:
            if w[0] in ('page_size', 'runs_max'):
                m[w[0]] = int(w[1])
            elif w[0] == 'zone':
                m['zones'].append({'node': int(w[1]), 'name': w[2],
                                   'start': int(w[3]), 'span': int(w[4]),
                                   'present': int(w[5])})
            elif w[0] == 'region':
                r = {'name': w[1], 'runs_list': []}
                for kv in w[2:]:
                    k, _, v = kv.partition('=')
                    r[k] = v if k in ('kind', 'alloc', 'dma') else int(v)
                m['regions'].append(r)
            elif w[0] == 'run':
                if not m['regions']:
                    raise MapError('run before any region')
                m['regions'][-1]['runs_list'].append((int(w[1]), int(w[2])))
            # Anything else (a kernel message that reached the console) is
            # not ours: skip it.
        except (IndexError, ValueError) as e:
            raise MapError('%s: bad line %r (%s)' % (path, ln, e))
    if not m['page_size'] or not m['zones']:
        raise MapError('%s: no page_size or no zones' % path)
    for r in m['regions']:
        if len(r['runs_list']) != r.get('listed', -1):
            raise MapError('%s: region %s lists %d runs, says %s' %
                           (path, r['name'], len(r['runs_list']), r.get('listed')))
    return m


def size_text(n):
    for unit, shift in (('GiB', 30), ('MiB', 20), ('KiB', 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return '%d %s' % (n >> shift, unit)
    for unit, shift in (('GiB', 30), ('MiB', 20), ('KiB', 10)):
        if n >= 1 << shift:
            return '%.1f %s' % (n / (1 << shift), unit)
    return '%d bytes' % n


def region_label(r):
    """'vmalloc' or 'lab 3: kvmalloc'."""
    if r['name'].startswith('lab:'):
        return 'lab %s: %s' % (r['name'][4:], r['alloc'])
    return r['name']


def dma_text(r):
    """'; DMA: mapped single, direct' for memory handed to the device."""
    if 'dma' not in r:
        return ''
    kind, _, how = r['dma'].partition(':')
    what = {'coherent': 'coherent memory', 'single': 'mapped whole',
            'sg': 'mapped by a scatterlist'}.get(kind, kind)
    return '; DMA: %s, reached %s' % (what, {'direct': 'directly'}.get(how, 'through ' + how))


def region_facts(r, page_size):
    pages = r['pages']
    what = 'slab pages' if r['kind'] == 'slab' else 'pages'
    if pages == 1:
        what = what[:-1]
    s = '%s asked, %s reserved; %d %s (%s), %d run%s' % (
        size_text(r['requested']), size_text(r['reserved']), pages, what,
        size_text(pages * page_size), r['runs'], '' if r['runs'] == 1 else 's')
    if r['runs'] > 1:
        s += ', longest %d' % r['longest']
    if r['kind'] == 'vmalloc' and r['alloc'] == 'kvmalloc':
        s += ' (kvmalloc fell back to vmalloc)'
    if r['listed'] < r['runs']:
        s += '; only the first %d runs are listed and drawn' % r['listed']
    return s + dma_text(r)


class Svg:
    def __init__(self, w, h, title):
        self.w, self.h = int(w), int(h)
        self.out = ['<?xml version="1.0" encoding="UTF-8"?>',
                    '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
                    'width="%d" height="%d" viewBox="0 0 %d %d" font-family=%s>'
                    % (self.w, self.h, self.w, self.h, quoteattr(FONT)),
                    '<title>%s</title>' % escape(title),
                    '<rect width="100%" height="100%" fill="#FFFFFF"/>']

    def add(self, s):
        self.out.append(s)

    def text(self, x, y, s, size=12, anchor='start', weight='normal',
             fill='#222222'):
        self.add('<text x="%.1f" y="%.1f" font-size="%d" text-anchor="%s" '
                 'font-weight="%s" fill="%s">%s</text>'
                 % (x, y, size, anchor, weight, fill, escape(s)))

    def rect(self, x, y, w, h, fill, extra=''):
        self.add('<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="%s"%s/>'
                 % (x, y, w, h, fill, extra))

    def write(self, path):
        self.add('</svg>')
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(self.out) + '\n')


def pow2_at_least(n):
    return 1 << max(0, math.ceil(math.log2(max(1, n))))


def zone_tint(i):
    return ZONE_TINTS[i % len(ZONE_TINTS)]


def node_spans(zones):
    """[(node, first frame, one past the last)] from the zones, by node
    number: from its first zone's start to its last zone's end."""
    spans = {}
    for z in zones:
        lo, hi = spans.get(z['node'], (z['start'], z['start'] + z['span']))
        spans[z['node']] = (min(lo, z['start']), max(hi, z['start'] + z['span']))
    return [(n, lo, hi) for n, (lo, hi) in sorted(spans.items())]


def node_starts(zones):
    """[(node, first frame)] of every node but the lowest-numbered: where a
    node boundary is drawn.  Empty on a one-node map."""
    return [(n, lo) for n, lo, _ in node_spans(zones)[1:]]


def nodes_text(zones, ps):
    """The nodes' frames and physical addresses, for a subtitle."""
    return '; '.join('node %d: frames %d-%d at %s-%s'
                     % (n, lo, hi - 1, address_text(lo * ps), address_text(hi * ps))
                     for n, lo, hi in node_spans(zones)) + \
        '; a dark red line marks where a node starts'


def address_text(a):
    return size_text(a) if a else '0'


def draw_memmap(m, title, path):
    """The frames as rows, left to right, top to bottom."""
    ps = m['page_size']
    zones = sorted(m['zones'], key=lambda z: z['start'])
    lo = min(z['start'] for z in zones)
    hi = max(z['start'] + z['span'] for z in zones)
    per_row = pow2_at_least((hi - lo) / 64)
    lo -= lo % per_row
    rows = math.ceil((hi - lo) / per_row)
    left, top, width, row_h, pitch = 150, 92, 1024, 9, 13
    starts = node_starts(zones)
    # More than one node: a line of the nodes' frames above the rows, and
    # room on the right for the boundaries' labels.
    if starts:
        top += 18
    margin = 24 + (140 if starts else 0)
    px = width / per_row
    regions = m['regions']
    legend_h = 24 + 34 * len(regions)
    svg = Svg(left + width + margin, top + rows * pitch + 28 + legend_h, title)
    svg.text(16, 26, title, 16, weight='bold')
    svg.text(16, 46, '%d page frames of %s, %d per row (%s); every coloured mark is '
             'an allocation\'s frames' % (hi - lo, size_text(ps), per_row,
                                          size_text(per_row * ps)), 12)
    # Zone key.
    x = 16
    for i, z in enumerate(zones):
        svg.rect(x, 58, 14, 14, zone_tint(i), ' stroke="#888888"')
        s = 'node %d %s: frames %d-%d (%s)' % (
            z['node'], z['name'], z['start'], z['start'] + z['span'] - 1,
            size_text(z['span'] * ps))
        svg.text(x + 20, 70, s, 12)
        x += 28 + 7 * len(s)
    if starts:
        svg.text(16, 92, nodes_text(zones, ps), 12, fill=BOUNDARY)

    def segments(start, n):
        """(row, x, w) pieces of frames [start, start + n)."""
        f, end = start - lo, start - lo + n
        while f < end:
            row = f // per_row
            stop = min(end, (row + 1) * per_row)
            yield row, left + (f - row * per_row) * px, (stop - f) * px
            f = stop

    # Rows: frame number of their first frame, and physical address.
    for row in range(rows):
        y = top + row * pitch
        pfn = lo + row * per_row
        svg.text(left - 8, y + row_h - 1, '%#x  %s' % (pfn, address_text(pfn * ps)),
                 9, anchor='end', fill='#555555')
        svg.rect(left, y, width, row_h, '#FFFFFF', ' stroke="#DDDDDD" stroke-width="0.5"')
    svg.add('<g class="zones">')
    for i, z in enumerate(zones):
        for row, x, w in segments(z['start'], z['span']):
            svg.rect(x, top + row * pitch, w, row_h, zone_tint(i))
        row, x, _ = next(segments(z['start'], 1))
        svg.add('<line x1="%.2f" y1="%d" x2="%.2f" y2="%d" stroke="#555555" '
                'stroke-width="1.5"/>' % (x, top + row * pitch - 2, x,
                                          top + row * pitch + row_h + 2))
    svg.add('</g>')
    # Allocations: at least 2 px wide, so one page shows; an allocation
    # of a few pages also gets a pin above its row.
    for i, r in enumerate(regions):
        col = PALETTE[i % len(PALETTE)]
        dma = ' data-dma=%s' % quoteattr(r['dma']) if 'dma' in r else ''
        svg.add('<g class="region" data-region=%s%s>' % (quoteattr(r['name']), dma))
        for k, (pfn, n) in enumerate(r['runs_list']):
            svg.add('<g class="run" data-run="%d">' % k)
            for row, x, w in segments(pfn, n):
                svg.rect(x, top + row * pitch, max(w, 2.0), row_h, col,
                         DMA_STROKE if dma else '')
            svg.add('</g>')
        if r['runs_list'] and len(r['runs_list']) <= 4 and r['pages'] * px < 6:
            for pfn, _ in r['runs_list']:
                row, x, _ = next(segments(pfn, 1))
                y = top + row * pitch
                edge = (DMA_EDGE, '1.2') if dma else ('#FFFFFF', '0.5')
                svg.add('<path d="M%.2f %.2f l-4 -6 h8 z" fill="%s" stroke="%s" '
                        'stroke-width="%s"/>' % ((x + 1, y - 0.5, col) + edge))
        svg.add('</g>')
    # Node boundaries, on top: in the gaps between the rows, a line between
    # the node's first frame and the frame before it (a step when the
    # node starts mid-row), then out to the right margin and its label.
    gap = (pitch - row_h) / 2
    for node, pfn in starts:
        row, x, _ = next(segments(pfn, 1))
        above = top + row * pitch - gap
        below = top + row * pitch + row_h + gap
        d = 'M%.2f %.2f H%.2f V%.2f ' % (left, below, x, above) if x > left else \
            'M%.2f %.2f ' % (left, above)
        svg.add('<g class="node-boundary" data-node="%d" data-frame="%d">' % (node, pfn))
        svg.add('<path d="%sH%.2f" fill="none" stroke="%s" stroke-width="2.5"/>'
                % (d, left + width + 8, BOUNDARY))
        svg.text(left + width + 12, above + 1, 'node %d starts:' % node, 11,
                 weight='bold', fill=BOUNDARY)
        svg.text(left + width + 12, above + 13, 'frame %d (%s)'
                 % (pfn, address_text(pfn * ps)), 11, fill=BOUNDARY)
        svg.add('</g>')
    # Legend.
    y = top + rows * pitch + 28
    svg.text(16, y, 'Allocations (requested, reserved, frames, physical runs):', 12,
             weight='bold')
    for i, r in enumerate(regions):
        yy = y + 14 + 34 * i
        svg.rect(16, yy, 14, 14, PALETTE[i % len(PALETTE)],
                 DMA_STROKE if 'dma' in r else '')
        svg.text(38, yy + 11, region_label(r) + '  (' + r['kind'] + ')', 12,
                 weight='bold')
        svg.text(38, yy + 26, region_facts(r, ps), 11, fill='#444444')
    svg.write(path)


def draw_vmalloc(m, title, path):
    """Per vmalloc area: x = page index in the area, y = frame behind it."""
    ps = m['page_size']
    areas = [r for r in m['regions'] if r['kind'] == 'vmalloc']
    shown = areas[:5]
    # The contrast: a block from the buddy allocator is one straight line.
    block = [r for r in m['regions'] if r['kind'] == 'linear' and r['pages'] > 1]
    panels = shown + block[:1]
    cols = 2 if len(panels) > 1 else 1
    pw, ph = 540, 400
    nrows = max(1, math.ceil(len(panels) / cols))
    zones = sorted(m['zones'], key=lambda z: z['start'])
    starts = node_starts(zones)
    # More than one node: a line of the nodes' frames under the subtitle.
    top = 60 + (18 if starts else 0)
    svg = Svg(cols * pw + 20, top + 10 + nrows * ph + (20 if len(areas) > 5 else 0),
              title)
    svg.text(16, 26, title, 16, weight='bold')
    svg.text(16, 46, 'x: page index inside the allocation (virtual order); '
             'y: page frame number behind it.  A straight diagonal is '
             'physically contiguous; a jump is a new run.', 12)
    if starts:
        svg.text(16, 64, nodes_text(zones, ps), 12, fill=BOUNDARY)
    if not panels:
        svg.text(16, top + 30, 'no vmalloc area in this map', 14)
    span = (min(z['start'] for z in zones), max(z['start'] + z['span'] for z in zones))
    for i, r in enumerate(panels):
        ox, oy = 10 + (i % cols) * pw, top + (i // cols) * ph
        draw_panel(svg, r, ox, oy, pw, ph, ps, zones, span)
    if len(areas) > 5:
        svg.text(16, top + nrows * ph + 12, '%d more vmalloc areas not drawn'
                 % (len(areas) - 5), 12)
    svg.write(path)


def nice_step(span, ticks):
    """A round step (1, 2 or 5 times a power of ten) giving about @ticks."""
    raw = max(1, span / max(1, ticks))
    p = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * p >= raw:
            return int(m * p)
    return int(10 * p)


def frame_axis(runs, h):
    """The frame axis of one panel, broken where the runs are far apart.

    Runs whose frames lie close together (gaps narrower than the area
    itself, or wider if that leaves more than MAX_SEGMENTS) share a segment
    drawn to scale; the gaps between segments are cut to a fixed break, so
    no outlying frame squeezes the other runs into a flat line.  Returns
    [(lo, hi, bottom, height)]: frames lo..hi drawn from bottom (pixels
    above the panel's foot) over height pixels.
    """
    spans = sorted((p, p + n) for p, n in runs) or [(0, 1)]
    total = max(1, sum(n for _, n in runs))
    gap = total
    while True:
        segs = [list(spans[0])]
        for lo, hi in spans[1:]:
            if lo - segs[-1][1] <= gap:
                segs[-1][1] = max(segs[-1][1], hi)
            else:
                segs.append([lo, hi])
        if len(segs) <= MAX_SEGMENTS:
            break
        gap *= 2
    room = h - BREAK * (len(segs) - 1)
    least = min(MIN_SEGMENT, room / len(segs))
    width = [max(1, hi - lo) for lo, hi in segs]
    spare = room - least * len(segs)
    out, bottom = [], 0.0
    for (lo, hi), wd in zip(segs, width):
        height = least + spare * wd / sum(width)
        out.append((lo, max(hi, lo + 1), bottom, height))
        bottom += height + BREAK
    return out


def draw_panel(svg, r, ox, oy, pw, ph, ps, zones, span):
    runs = r['runs_list']
    nodes, starts = node_spans(zones), node_starts(zones)
    # With more than one node: which ones the runs are on.
    on = [str(n) for n, lo, hi in nodes if any(p < hi and lo < p + k for p, k in runs)]
    if not starts or not on:
        on = ''
    elif len(on) == 1:
        on = ', on node ' + on[0]
    else:
        on = ', on nodes %s and %s' % (', '.join(on[:-1]), on[-1])
    px0, py0, w, h = ox + 90, oy + 44, pw - 120, ph - 100
    xmax = max(1, sum(n for _, n in runs))
    segs = frame_axis(runs, h)

    def X(v):
        return px0 + v * w / xmax

    def Y(v):
        """Pixel row of frame v; inside a break, the break's middle."""
        for i, (lo, hi, bottom, height) in enumerate(segs):
            if v <= hi:
                if v >= lo:
                    return py0 + h - bottom - (v - lo) * height / (hi - lo)
                return py0 + h - bottom + BREAK / 2
        lo, hi, bottom, height = segs[-1]
        return py0 + h - bottom - height

    def inside(v):
        return any(lo < v < hi for lo, hi, _, _ in segs)

    def in_range(v):
        return segs[0][0] < v < segs[-1][1]

    svg.add('<g class="panel" data-region=%s>' % quoteattr(r['name']))
    kind = 'contiguous block' if r['kind'] == 'linear' else 'vmalloc area'
    svg.text(ox + 10, oy + 16, '%s (%s)' % (region_label(r), kind), 13, weight='bold')
    svg.text(ox + 10, oy + 32, '%s: %d pages in %d run%s%s%s' % (
        size_text(r['reserved']), r['pages'], r['runs'],
        '' if r['runs'] == 1 else 's',
        ', longest %d' % r['longest'] if r['runs'] > 1 else '', on), 11, fill='#444444')
    svg.rect(px0, py0, w, h, '#FAFAFA', ' stroke="#999999"')
    # The breaks: a band across the panel and a zigzag on the axis.
    for lo, hi, bottom, height in segs[:-1]:
        y = py0 + h - bottom - height - BREAK
        svg.add('<rect class="axis-break" x="%.1f" y="%.1f" width="%.1f" height="%d" '
                'fill="#E6E6E6"/>' % (px0, y, w, BREAK))
        svg.add('<path d="M%.1f %.1f l6 -4 l-6 -4" fill="none" stroke="#777777"/>'
                % (px0 - 3, y + BREAK))
    # Zone boundaries inside a segment; where a node starts, the node's
    # (in a break, drawn across it).
    for z in zones:
        if inside(z['start']) and z['start'] not in [p for _, p in starts]:
            y = Y(z['start'])
            svg.add('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#999999" '
                    'stroke-dasharray="4 3"/>' % (px0, y, px0 + w, y))
            svg.text(px0 + w - 4, y - 3, '%s starts' % z['name'], 10, anchor='end',
                     fill='#777777')
    for node, pfn in starts:
        if in_range(pfn):
            y = Y(pfn)
            svg.add('<g class="node-boundary" data-node="%d" data-frame="%d">'
                    % (node, pfn))
            svg.add('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" '
                    'stroke-width="2"/>' % (px0, y, px0 + w, y, BOUNDARY))
            svg.text(px0 + w - 4, y - 4, 'node %d starts: frame %d (%s)'
                     % (node, pfn, address_text(pfn * ps)), 10, anchor='end',
                     weight='bold', fill=BOUNDARY)
            svg.add('</g>')
    # x: round steps.  y: in each segment, its multiples of a round power of
    # two (hex frame numbers), or its first frame when none falls in it.
    step = nice_step(xmax, 4)
    for xv in range(0, xmax + 1, step):
        svg.text(X(xv), py0 + h + 14, str(xv), 10, anchor='middle', fill='#555555')
    last = None
    for lo, hi, bottom, height in segs:
        unit = 1 << max(0, (hi - lo).bit_length() - 2)
        marks = [v for v in range(-(-lo // unit) * unit, hi + 1, unit)] or [lo]
        for yv in marks:
            y = Y(yv)
            if last is not None and abs(last - y) < 12:
                continue
            svg.text(px0 - 6, y + 3, '%#x' % yv, 10, anchor='end', fill='#555555')
            last = y
    svg.text(px0 + w / 2, py0 + h + 30, 'page index in the area (%s pages)'
             % size_text(ps), 11, anchor='middle')
    svg.add('<text x="%.1f" y="%.1f" font-size="11" text-anchor="middle" '
            'transform="rotate(-90 %.1f %.1f)">page frame number</text>'
            % (ox + 16, py0 + h / 2, ox + 16, py0 + h / 2))
    # Jumps first (thin), then the runs on top.
    x, prev = 0, None
    for pfn, n in runs:
        if prev is not None:
            svg.add('<line x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" stroke="#BBBBBB" '
                    'stroke-width="0.6"/>' % (X(x), Y(prev), X(x), Y(pfn)))
        prev = pfn + n
        x += n
    x = 0
    for pfn, n in runs:
        svg.add('<line class="run" x1="%.2f" y1="%.2f" x2="%.2f" y2="%.2f" '
                'stroke="#0072B2" stroke-width="2.2" stroke-linecap="round"/>'
                % (X(x), Y(pfn), X(x + n), Y(pfn + n)))
        x += n
    if r['listed'] < r['runs']:
        svg.text(px0 + 6, py0 + 14, 'first %d of %d runs' % (r['listed'], r['runs']),
                 10, fill='#D55E00')
    svg.add('</g>')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--title', default='kmem_demo')
    ap.add_argument('map')
    ap.add_argument('outdir')
    a = ap.parse_args()
    try:
        m = parse(a.map)
    except (MapError, OSError) as e:
        print('pictures: %s' % e, file=sys.stderr)
        return 1
    os.makedirs(a.outdir, exist_ok=True)
    draw_memmap(m, 'Where the memory landed: %s' % a.title,
                os.path.join(a.outdir, 'memmap.svg'))
    draw_vmalloc(m, 'Virtually contiguous, physically scattered: %s' % a.title,
                 os.path.join(a.outdir, 'vmalloc.svg'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
