"""PDF pages as a reader sees them: lines and blocks in reading order, tables as tables.

pypdf's plain extraction glues a page into one stream: a title runs into the 主送 line
below it, the cells of a 任务分工表 run into each other, two columns interleave line by
line. Here we work from the characters and their positions (pdfplumber, MIT, on
pdfminer.six):

* **Tables.** Ruled tables come from pdfplumber's line finder; each cell's box gives its
  row and column span. Unruled tables are found from the white space: a run of lines
  that split at the same vertical gutters, the first line being the header; a row is
  the lines nearest one entry of the first column. Both become `ingest.tables.Grid`s,
  rendered as one labelled line a row. A table that ends a page and one that starts the
  next with the same columns are one table: a repeated header is dropped, a missing one
  carried over.
* **Furniture.** Lines in the top or bottom margin that repeat on most pages (digits
  ignored) or read as a page number are dropped, before tables are joined across pages.
* **Columns.** A page whose segments leave a vertical gutter near the middle, with long
  lines on both sides, is read left column first, then right, band by band between
  full-width lines (a title across both columns).
* **Blocks.** A new block (blank line) starts at a larger gap, a change of font size, a
  centred or right-aligned line, or after a line that stops short of the right margin;
  an indented first line keeps its indent, so `ingest.clean` joins wrapped lines and
  keeps title, 主送, body and 落款 apart.

The result is one text per page for `ingest.clean.clean_pages`, as pypdf's was.
"""
from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass, field

from policykb.ingest.tables import Cell, Grid, body_rows, cell_text, format_row, header_row_count

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－―~～·•\s]*\d{1,4}[-—–－―~～·•\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[Pp]age\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$"
)
_MARGIN_BAND = 0.11  # furniture lives in the top and bottom 11% of the page


@dataclass
class Seg:
    """A run of characters on one baseline with no wide gap inside."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class Line:
    segs: list[Seg]
    top: float = 0.0
    bottom: float = 0.0
    x0: float = 0.0
    x1: float = 0.0
    size: float = 0.0
    group: int = 0  # the column (or band) of the page it belongs to

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.segs.sort(key=lambda s: s.x0)
        self.top = min(s.top for s in self.segs)
        self.bottom = max(s.bottom for s in self.segs)
        self.x0 = min(s.x0 for s in self.segs)
        self.x1 = max(s.x1 for s in self.segs)
        self.size = statistics.median(s.size for s in self.segs)

    @property
    def text(self) -> str:
        # Segments are split only at gaps wider than most of a character: a space.
        return " ".join(s.text for s in self.segs).strip()


@dataclass
class PageTable:
    grid: Grid
    top: float
    bottom: float
    col_edges: list[float]  # x positions of the column boundaries, to match continuations
    first_row_texts: list[str] = field(default_factory=list)
    labels: list[str] | None = None  # carried from the page before, for a table without header


@dataclass
class PageLayout:
    items: list[tuple[float, Line | PageTable]]  # in reading order
    width: float
    height: float


# --------------------------------------------------------------------------- characters


def _segments(chars: list[dict], gap: float = 0.9) -> list[Seg]:
    """Characters → segments: same baseline, split where the gap exceeds `gap` × size."""
    chars = [c for c in chars if c.get("upright", True) and c["text"].strip()]
    chars.sort(key=lambda c: (round(c["top"] / 2), c["x0"]))
    rows: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: c["top"]):
        for row in rows[-3:]:
            if abs(row[0]["top"] - c["top"]) < 0.35 * max(c["size"], 1):
                row.append(c)
                break
        else:
            rows.append([c])
    segs: list[Seg] = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        cur: list[dict] = [row[0]]
        for c in row[1:]:
            prev = cur[-1]
            if c["x0"] - prev["x1"] > gap * max(prev["size"], c["size"]) or c["x0"] < prev["x0"] - 0.5:
                segs.append(_seg(cur))
                cur = [c]
            else:
                cur.append(c)
        segs.append(_seg(cur))
    return segs


def _seg(chars: list[dict]) -> Seg:
    text = ""
    for i, c in enumerate(chars):
        if i and c["x0"] - chars[i - 1]["x1"] > 0.25 * c["size"] and c["text"].isascii() and text[-1:].isascii():
            text += " "
        text += c["text"]
    return Seg(text, min(c["x0"] for c in chars), max(c["x1"] for c in chars), min(c["top"] for c in chars),
               max(c["bottom"] for c in chars), statistics.median(c["size"] for c in chars))


def _lines(segs: list[Seg]) -> list[Line]:
    """Segments on the same baseline (within a third of their size) form a line."""
    lines: list[Line] = []
    for s in sorted(segs, key=lambda s: (s.top, s.x0)):
        if lines and abs(lines[-1].top - s.top) < 0.35 * s.size and abs(lines[-1].bottom - s.bottom) < 0.5 * s.size:
            lines[-1].segs.append(s)
            lines[-1].refresh()
        else:
            lines.append(Line([s]))
    return lines


# --------------------------------------------------------------------------- ruled tables


def _cluster(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _in_box(c: dict, box: tuple[float, float, float, float]) -> bool:
    cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _ruled_tables(page, chars: list[dict]) -> list[PageTable]:  # noqa: ANN001 - pdfplumber Page
    out: list[PageTable] = []
    for t in page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"}):
        boxes = [b for b in t.cells if b]
        xs = _cluster([v for b in boxes for v in (b[0], b[2])])
        ys = _cluster([v for b in boxes for v in (b[1], b[3])])
        n_cols, n_rows = len(xs) - 1, len(ys) - 1
        if n_cols < 2 or n_rows < 2:
            continue  # a frame around text, not a table
        cells: list[Cell] = []
        inside = [c for c in chars if _in_box(c, t.bbox)]
        for b in boxes:
            c0, c1 = _index(xs, b[0]), _index(xs, b[2])
            r0, r1 = _index(ys, b[1]), _index(ys, b[3])
            if c1 <= c0 or r1 <= r0:
                continue
            own = [c for c in inside if _in_box(c, b)]
            text = cell_text([ln.text for ln in _lines(_segments(own, gap=0.9))]) if own else ""
            cells.append(Cell(text, r0, c0, r1 - r0, c1 - c0))
        grid = Grid(cells, n_rows, n_cols)
        first = sorted((c for c in cells if c.row == 0), key=lambda c: c.col)
        out.append(PageTable(grid, t.bbox[1], t.bbox[3], xs, [c.text for c in first]))
    return out


# --------------------------------------------------------------------------- unruled tables


def _gutters(lines: list[Line], x_min: float, x_max: float) -> list[tuple[float, float]]:
    """Vertical strips no segment of `lines` crosses, at least a character wide."""
    spans = sorted((s.x0, s.x1) for ln in lines for s in ln.segs)
    out: list[tuple[float, float]] = []
    reach = x_min
    for a, b in spans:
        if a - reach >= 6.0:
            out.append((reach, a))
        reach = max(reach, b)
    return [(a, b) for a, b in out if a > x_min]


def _unruled_tables(lines: list[Line], text_width: float,
                    carry: PageTable | None = None) -> list[tuple[int, int, PageTable]]:
    """Runs of lines that look like a table: a header line of three or more short
    segments, then lines whose segments sit between the same gutters. With `carry` (the
    table that ended the previous page), the lines at the top of this page that fit its
    columns are the rest of it, header or not."""
    found: list[tuple[int, int, PageTable]] = []
    i = 0
    if carry is not None and lines:
        cont = _continuation(lines, carry)
        if cont is not None:
            found.append((0, cont[1] - 1, cont[0]))
            i = cont[1]
    while i < len(lines):
        head = lines[i]
        if len(head.segs) < 3 or any(len(s.text) > 16 for s in head.segs):
            i += 1
            continue
        j = _run_end(lines, i)
        block = lines[i : j + 1]
        table = _grid_from_lines(block) if j - i >= 2 else None
        if table is None:
            i += 1
            continue
        table, used = table
        found.append((i, i + used - 1, table))
        i += used
    return found


def _run_end(lines: list[Line], i: int, text_width: float | None = None) -> int:
    """The last line of the run starting at `i` that keeps a table's spacing and size."""
    head = lines[i]
    pitch = head.size * 2.4
    width = text_width or (max(ln.x1 for ln in lines) - min(ln.x0 for ln in lines))
    j = i
    while j + 1 < len(lines):
        nxt = lines[j + 1]
        if nxt.top - lines[j].bottom > pitch or abs(nxt.size - head.size) > 0.25 * head.size:
            break
        if len(nxt.segs) == 1 and nxt.x1 - nxt.x0 > 0.6 * width:
            break  # a full-width line of prose
        j += 1
    return j


def _crosses(seg: Seg, edges: list[float]) -> bool:
    return any(seg.x0 + 1 < e < seg.x1 - 1 for e in edges[1:-1])


def _continuation(lines: list[Line], carry: PageTable) -> tuple[PageTable, int] | None:
    """The top lines of a page that continue `carry` without repeating its header."""
    first = [_squash(t) for t in carry.first_row_texts]
    edges = carry.col_edges
    if [_squash(s.text) for s in lines[0].segs] == [t for t in first if t]:
        return None  # the header is repeated: the page's table reads by itself
    j = _run_end(lines, 0, edges[-1] - edges[0])
    n = 0
    while n <= j and all(not _crosses(s, edges) and edges[0] - 6 <= s.x0 and s.x1 <= edges[-1] + 6
                         for s in lines[n].segs):
        n += 1
    if n == 0:
        return None
    built = _grid_from_lines(lines[:n], edges=edges, header=False)
    if built is None:
        return None
    table, used = built
    table.grid.header_rows = 0
    table.grid.labels = carry.labels or body_rows(carry.grid)[0]
    table.labels = table.grid.labels
    table.first_row_texts = carry.first_row_texts
    return table, used


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _grid_from_lines(block: list[Line], *, edges: list[float] | None = None,
                     header: bool = True) -> tuple[PageTable, int] | None:
    if edges is None:
        x_min = min(ln.x0 for ln in block) - 1
        x_max = max(ln.x1 for ln in block) + 1
        gutters = _gutters(block[1:], x_min, x_max)
        edges = [x_min] + [(a + b) / 2 for a, b in gutters] + [x_max]
    n_cols = len(edges) - 1
    if n_cols < 2:
        return None

    def col(seg: Seg) -> int:
        mid = (seg.x0 + seg.x1) / 2
        return max(0, min(n_cols - 1, sum(1 for e in edges[1:-1] if e < mid)))

    # Trailing lines that cross a gutter are prose after the table (落款, a note).
    used = len(block)
    while used > (2 if header else 1) and any(_crosses(s, edges) for s in block[used - 1].segs):
        used -= 1
    block = block[:used]
    head_lines = block[:1] if header else []
    if header:
        header_cols = {col(s) for s in block[0].segs}
        if len(header_cols) < min(n_cols, 3) or len(header_cols) < 2:
            return None
    # Rows: each entry of the first column anchors one; every other line joins the
    # nearest anchor (cells are centred vertically) or, when nothing precedes the first
    # anchor, the last anchor above it (cells aligned to the top).
    body = block[len(head_lines):]
    if not body:
        return None
    anchors = [k for k, ln in enumerate(body) if any(col(s) == 0 for s in ln.segs)]
    if len(anchors) < 1 or (header and len(anchors) < 2):
        anchors = list(range(len(body)))
    # Centred cells put a line of a wrapped cell less than a line's pitch above its
    # row's anchor; top-aligned ones never do.
    anchor_set = set(anchors)
    centred = anchors[0] > 0 or any(
        0 < body[a].top - ln.top < 0.95 * ln.size
        for k, ln in enumerate(body) if k not in anchor_set
        for a in anchors if a > k
    )
    row_of: list[int] = []
    for k, ln in enumerate(body):
        if centred:
            mid = (ln.top + ln.bottom) / 2
            r = min(range(len(anchors)), key=lambda a: abs((body[anchors[a]].top + body[anchors[a]].bottom) / 2 - mid))
        else:
            r = max([a for a in range(len(anchors)) if anchors[a] <= k] or [0])
        row_of.append(r)
    offset = 1 if header else 0
    texts: dict[tuple[int, int], list[str]] = {}
    for ln in head_lines:
        for s in ln.segs:
            texts.setdefault((0, col(s)), []).append(s.text)
    for ln, r in zip(body, row_of):
        for s in ln.segs:
            texts.setdefault((r + offset, col(s)), []).append(s.text)
    n_rows = len(anchors) + offset
    cells = [Cell(cell_text(v), r, c) for (r, c), v in sorted(texts.items())]
    # A first line without column names (a grid of names) is guessed as data (ingest.tables).
    grid = Grid(cells, n_rows, n_cols, header_rows=None if header else 0)
    first = [cell_text(texts.get((0, c), [])) for c in range(n_cols)]
    return PageTable(grid, block[0].top, block[-1].bottom, edges, first), used


# --------------------------------------------------------------------------- columns


def _column_order(segs: list[Seg], width: float) -> list[list[Seg]]:
    """Groups of segments to lay out one after the other: the whole page, or for a
    two-column page, band by band, the left column then the right."""
    if len(segs) < 10:
        return [segs]
    best: tuple[int, float] | None = None
    for x in range(int(0.3 * width), int(0.7 * width), 2):
        crossing = sum(1 for s in segs if s.x0 < x < s.x1)
        if best is None or crossing < best[0]:
            best = (crossing, float(x))
    assert best is not None
    crossing, gx = best
    left = [s for s in segs if s.x1 <= gx]
    right = [s for s in segs if s.x0 >= gx]
    if crossing > 0.15 * len(segs) or len(left) < 5 or len(right) < 5:
        return [segs]
    if statistics.median(s.x1 - s.x0 for s in left) < 0.25 * width or statistics.median(
        s.x1 - s.x0 for s in right
    ) < 0.25 * width:
        return [segs]  # narrow runs on both sides: a table, not two columns
    wide = sorted((s for s in segs if s.x0 < gx < s.x1), key=lambda s: s.top)
    groups: list[list[Seg]] = []
    top = float("-inf")
    for w in wide + [None]:
        bottom = w.top if w is not None else float("inf")
        band = [s for s in segs if not (s.x0 < gx < s.x1) and top <= s.top < bottom]
        groups.append([s for s in band if s.x1 <= gx])
        groups.append([s for s in band if s.x0 >= gx])
        if w is not None:
            groups.append([w])
            top = w.top
    return [g for g in groups if g]


# --------------------------------------------------------------------------- page


@dataclass
class PageParts:
    segs: list[Seg]
    tables: list[PageTable]  # ruled
    width: float
    height: float
    rotated: bool = False  # mostly rotated or vertical text: left to pypdf


def _page_parts(page) -> PageParts:  # noqa: ANN001 - pdfplumber Page
    chars = [c for c in page.chars if c["text"].strip()]
    if chars and sum(1 for c in chars if c.get("upright", True)) < 0.5 * len(chars):
        # Rotated or vertical text: our line model assumes horizontal lines.
        return PageParts([], [], page.width, page.height, rotated=True)
    tables = _ruled_tables(page, chars)
    free = [c for c in chars
            if not any(_in_box(c, (t.col_edges[0] - 1, t.top - 1, t.col_edges[-1] + 1, t.bottom + 1)) for t in tables)]
    return PageParts(_segments(free), tables, page.width, page.height)


def _page_layout(parts: PageParts, carry: PageTable | None) -> PageLayout:
    tables = list(parts.tables)
    items: list[tuple[float, Line | PageTable]] = []
    order = 0.0
    # A ruled table at the top of the page continues by itself (see _join_continued_tables).
    top_ruled = min((t.top for t in tables), default=float("inf"))
    for gi, group in enumerate(_column_order(parts.segs, parts.width)):
        lines = _lines(group)
        for ln in lines:
            ln.group = gi
        text_width = (max((ln.x1 for ln in lines), default=0) - min((ln.x0 for ln in lines), default=0)) or 1
        first_free = lines[0].top if lines else float("inf")
        unruled = _unruled_tables(lines, text_width, carry if order == 0 and first_free < top_ruled else None)
        skip: set[int] = set()
        for a, b, table in unruled:
            tables.append(table)
            skip.update(range(a, b + 1))
        placed = [(ln.top, ln) for k, ln in enumerate(lines) if k not in skip]
        placed += [(t.top, t) for _, _, t in unruled]
        for _, item in sorted(placed, key=lambda p: p[0]):
            items.append((order, item))
            order += 1
    # Ruled tables are placed by their top among the single-flow items.
    for t in tables:
        if any(item is t for _, item in items):
            continue
        before = [o for o, item in items if isinstance(item, Line) and item.top < t.top]
        items.append(((max(before) + 0.5) if before else -1.0, t))
    items.sort(key=lambda p: p[0])
    return PageLayout(items, parts.width, parts.height)


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_furniture(pages: list[PageParts]) -> None:
    """Segments in the top or bottom margin that read as a page number, or that repeat
    (digits ignored) on most pages of a document of two pages or more."""
    def in_margin(s: Seg, p: PageParts) -> bool:
        return s.bottom < _MARGIN_BAND * p.height or s.top > (1 - _MARGIN_BAND) * p.height

    counts: dict[str, int] = {}
    for p in pages:
        for key in {_furniture_key(s.text) for s in p.segs if in_margin(s, p)}:
            counts[key] = counts.get(key, 0) + 1
    n = len(pages)
    need = max(2, -(-n * 6 // 10))
    for p in pages:
        p.segs = [
            s for s in p.segs
            if not (in_margin(s, p) and (
                _PAGE_NUMBER.match(s.text.strip()) or (n >= 2 and counts.get(_furniture_key(s.text), 0) >= need)
            ))
        ]


def _join_continued_tables(layouts: list[PageLayout]) -> None:
    """A table that starts a page continuing the table that ended the previous page
    takes its column labels; a header row repeated on the new page is dropped."""
    for prev, cur in zip(layouts, layouts[1:]):
        if not prev.items or not cur.items:
            continue
        last, first = prev.items[-1][1], cur.items[0][1]
        if not (isinstance(last, PageTable) and isinstance(first, PageTable)):
            continue
        if first.labels is not None or first.grid.n_cols != last.grid.n_cols:
            continue  # carried over already (an unruled continuation), or another table
        if any(abs(a - b) > 6 for a, b in zip(first.col_edges, last.col_edges)) and len(first.col_edges) == len(last.col_edges):
            continue
        labels, _ = body_rows(last.grid)
        head = last.first_row_texts
        same_header = [t.replace(" ", "") for t in first.first_row_texts] == [t.replace(" ", "") for t in head]
        if same_header:  # a repeated header: the table reads right by itself
            body_from = header_row_count(first.grid, first.grid.positions())
        else:
            first.grid.header_rows = 0
            first.grid.labels = labels
            body_from = 0
        _merge_split_row(last.grid, first.grid, body_from)


_SERIAL_VALUE = re.compile(r"^\d{1,4}$")


def _merge_split_row(last: Grid, first: Grid, body_from: int) -> None:
    """A row broken across the page (Word lets rows break by default) leaves an unnumbered
    row on top of the next page: when the last row above is numbered (序号) and the first
    row below has no number, its cells finish the cells above."""
    if body_from >= first.n_rows or last.n_rows == 0:
        return
    below, above = first.positions()[body_from], last.positions()[last.n_rows - 1]
    if above[0] is None or not _SERIAL_VALUE.match(above[0].text.strip()):
        return
    if (below[0] is not None and below[0].text.strip()) or not any(c is not None and c.text.strip() for c in below):
        return
    for c in range(min(first.n_cols, last.n_cols)):
        lower, upper = below[c], above[c]
        if lower is None or lower.row != body_from or not lower.text.strip() or upper is None:
            continue
        upper.text = cell_text([upper.text, lower.text])
        lower.text = ""


def _render(lay: PageLayout) -> str:
    lines = [it for _, it in lay.items if isinstance(it, Line)]
    # Margins per column: a line of the left column is not "short" for ending mid-page.
    margins: dict[int, tuple[float, float]] = {}
    for g in {ln.group for ln in lines}:
        own = [ln for ln in lines if ln.group == g]
        margins[g] = (statistics.mode(round(ln.x0) for ln in own), max(ln.x1 for ln in own))
    body_size = statistics.median(ln.size for ln in lines) if lines else 12.0
    pitches = [b.top - a.top for a, b in zip(lines, lines[1:]) if 0 < b.top - a.top < 3 * body_size]
    pitch = statistics.median(pitches) if pitches else 2 * body_size
    out: list[str] = []
    prev: Line | None = None
    for _, it in lay.items:
        if isinstance(it, PageTable):
            for pairs in body_rows(it.grid)[1]:  # each row a paragraph of its own
                out += ["", format_row(pairs)]
            out.append("")
            prev = None
            continue
        ln = it
        left, right = margins[ln.group]
        indent = ln.x0 - left
        centred = _centred(ln, left, right)
        flush_right = indent > 2.5 * ln.size and ln.x1 > right - 3 * ln.size and not centred
        # The line before may end another column: judge it by that column's margins.
        p_left, p_right = margins[prev.group] if prev is not None else (left, right)
        starts = prev is None or (
            ln.top - prev.top > 1.35 * pitch
            or abs(ln.size - prev.size) > 0.15 * prev.size
            or (indent > 0.8 * ln.size and not _centred(prev, p_left, p_right))
            or centred != _centred(prev, p_left, p_right)
            or flush_right
            or prev.x1 < p_right - 1.5 * prev.size
        )
        if starts and out:
            out.append("")
        text = ln.text
        # An indented first line keeps an indent: ingest.clean reads it as a paragraph start.
        out.append(("  " + text) if starts and 0.8 * ln.size < indent < 4 * ln.size else text)
        prev = ln
    return "\n".join(out).strip("\n")


def _centred(ln: Line, left: float, right: float) -> bool:
    indent = ln.x0 - left
    return indent > 2.5 * ln.size and abs((ln.x0 + ln.x1) / 2 - (left + right) / 2) < 1.5 * ln.size


def extract_pages(data: bytes) -> list[str | None]:
    """One text per page (see the module doc); None for a page of rotated text, which
    pypdf reads better. Raises whatever pdfplumber raises on a damaged file;
    `ingest.loaders.load_pdf` then falls back to pypdf's extraction."""
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        parts = [_page_parts(page) for page in pdf.pages]
    _drop_furniture(parts)
    layouts: list[PageLayout] = []
    carry: PageTable | None = None
    for page in parts:
        layouts.append(_page_layout(page, carry))
        last = layouts[-1].items[-1][1] if layouts[-1].items else None
        carry = last if isinstance(last, PageTable) else None
    _join_continued_tables(layouts)
    return [None if page.rotated else _render(lay) for page, lay in zip(parts, layouts)]


def render_positioned(pages: list[PageParts]) -> list[str]:
    """Texts of pages whose characters come from elsewhere than a PDF's text layer (OCR
    boxes, an OFD's TextObjects), laid out exactly as PDF pages are: furniture dropped,
    columns, blocks and unruled tables."""
    _drop_furniture(pages)
    layouts: list[PageLayout] = []
    carry: PageTable | None = None
    for page in pages:
        layouts.append(_page_layout(page, carry))
        last = layouts[-1].items[-1][1] if layouts[-1].items else None
        carry = last if isinstance(last, PageTable) else None
    _join_continued_tables(layouts)
    return [_render(lay) if lay.items else "" for lay in layouts]


def segments_from_chars(chars: list[dict]) -> list[Seg]:
    """Characters (dicts with text, x0, x1, top, bottom, size) → segments."""
    return _segments(chars)
