"""公文 structure: heading recognition and structure-aware chunking.

Pure functions over the cleaned text (one paragraph per line). Headings are whole lines;
their level comes from a fixed rank per numbering style (第X编 > 第X章 > 第X节 > 第X条 >
一、 > （一） > 1. > （1）), so a document may skip levels or start at any of them.
Markdown / Word heading lines (``# …``) outrank every plain numbered line, and among
themselves rank by their ``#`` count.

Chunking rules (see `chunk_document`):

* The document splits into top-level sections (plus the preamble before the first
  heading); a chunk never crosses one.
* "Containers" (编/部分/章/节 and unnumbered markdown headings) always split into their
  children, and no chunk crosses between those children: every 第X条 is its own unit.
* Any other section that fits in `max_chars` is one chunk (an article with its （一）
  items, a 一、 with short （一）（二） sub-items). A longer one is cut into its intro and
  its sub-sections; text is cut at sentence ends (。！？； and paragraph ends), a single
  over-long sentence at commas, and a run with no punctuation at all at `max_chars`. So
  **no chunk is ever longer than `max_chars`**.
* A heading line with no body of its own (``第一章 总则``, ``一、总体要求``) is glued to
  the start of its first child instead of being a chunk of its own.
* Neighbouring pieces of one unit are merged when either is shorter than `min_chars`
  and the result fits; a merged chunk's path is the common prefix of the pieces' paths.
  A chunk shorter than `min_chars` remains only when its whole unit/section is that
  short or its neighbours are too full to take it.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Sequence

from policykb.ingest.tables import FIELD_SEP, is_row_line
from policykb.ingest.types import Chunk, Page
from policykb.text import sentence_end

CN_DIGITS = "一二三四五六七八九十百千零〇○两"
_N = f"[{CN_DIGITS}0-9０-９]"

# A heading label longer than this is cut (a numbered item that runs into body text).
LABEL_CAP = 30

# (kind, rank, pattern). Order matters only for documentation; patterns are disjoint.
_PLAIN_RULES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("part", 1, re.compile(rf"^第{_N}{{1,4}}(?:编|部分)(?=\s|$|[^，。；、的])")),
    ("chapter", 2, re.compile(rf"^第{_N}{{1,4}}章(?=\s|$|[^，。；、的])")),
    ("section", 3, re.compile(rf"^第{_N}{{1,4}}节(?=\s|$|[^，。；、的])")),
    # 第X条 usually has a space after it, but plenty of real texts omit it ("第二条本规定
    # 所称…"); a paragraph that merely *starts* by citing an article is the rare case.
    ("article", 4, re.compile(rf"^第{_N}{{1,6}}条(?:之[{CN_DIGITS}]+)?(?!规定|所|的|中|第|和|、|至|，)")),
    # 一、 but not "一、二类…" / "一、二、三产业" (an enumeration inside a sentence).
    ("cn", 5, re.compile(rf"^[{CN_DIGITS}]{{1,3}}、(?![{CN_DIGITS}][、类级等])")),
    ("paren_cn", 6, re.compile(rf"^[（(][{CN_DIGITS}]{{1,3}}[）)]")),
    # 1. / 1、 / 1． but not "1.5万亿元" or "3、4月份".
    ("arabic", 7, re.compile(r"^\d{1,2}[.．、](?![\d.．%])")),
    ("paren_arabic", 8, re.compile(r"^[（(]\d{1,2}[）)]")),
)
# 编/章/节 headings are short standalone lines, never sentences.
_STANDALONE_KINDS = {"part", "chapter", "section"}
CONTAINER_KINDS = {"part", "chapter", "section", "md", "unnumbered"}

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]*(\S.*)$")
_LABEL_STOP = re.compile(r"[。！？；!?;：:]")


@dataclass(frozen=True)
class Heading:
    start: int  # offset of the line start
    end: int  # offset of the line end (exclusive, before "\n")
    kind: str
    rank: float
    label: str  # the heading itself, trimmed of body text


def classify_line(line: str) -> tuple[str, float] | None:
    """Return (kind, rank) when a single stripped line is a 公文 heading line, else None.

    Markdown ``#`` lines are reported as kind "md" with rank = number of ``#``; callers
    that mix both use `_md_kind` to learn the numbering inside.
    """
    line = line.strip()
    if not line:
        return None
    m = _MD_HEADING.match(line)
    if m:
        return "md", float(len(m.group(1)))
    for kind, rank, pattern in _PLAIN_RULES:
        if pattern.match(line):
            if kind in _STANDALONE_KINDS and (len(line) > 40 or re.search(r"[。，；]", line)):
                return None
            return kind, float(rank)
    return None


def is_heading_line(line: str) -> bool:
    """True for a line that starts a section (used by the cleaner not to join lines)."""
    return classify_line(line) is not None


def _inner_kind(md_text: str) -> str:
    """The numbering style inside a markdown heading ("## 第一章 总则" → chapter)."""
    found = classify_line(md_text)
    if found and found[0] != "md":
        return found[0]
    return "md"


def heading_label(line: str, kind: str) -> str:
    """The heading itself: "（三）加强基层党建。全面推进…" → "（三）加强基层党建"."""
    line = line.strip()
    m = _MD_HEADING.match(line)
    if m:
        line = m.group(2).strip()
        kind = _inner_kind(line)
    if kind == "article":
        am = _PLAIN_RULES[3][2].match(line)
        if am:
            return am.group(0)
    stop = _LABEL_STOP.search(line)
    if stop and kind not in _STANDALONE_KINDS | {"md"}:
        line = line[: stop.start()]
    line = line.strip()
    if len(line) > LABEL_CAP:
        line = line[:LABEL_CAP] + "…"
    return line


def find_headings(text: str) -> list[Heading]:
    """All heading lines of a document, in order.

    If the first line is a markdown heading that no other heading equals or outranks, it
    is the document title, not a section (otherwise every chunk would sit under it).
    When a document uses markdown headings, plain numbered lines rank below all of them.
    """
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw), raw))
        pos += len(raw) + 1
    found: list[tuple[int, int, str, str, float]] = []
    for start, end, raw in lines:
        hit = None if is_row_line(raw) else classify_line(raw)
        if hit:
            found.append((start, end, raw, hit[0], hit[1]))
    if not found:
        return []
    found = _drop_table_of_contents(found, lines)
    if not found:
        return []
    found = _unnumbered_headings(found, lines)
    md_levels = [r for (_, _, _, k, r) in found if k == "md"]
    first_nonblank = next((i for i, (_, _, raw) in enumerate(lines) if raw.strip()), None)
    if (
        first_nonblank is not None
        and found[0][0] == lines[first_nonblank][0]
        and found[0][3] == "md"
        and sum(1 for r in md_levels if r <= found[0][4]) == 1
    ):
        found = found[1:]
        md_levels = md_levels[1:]
    has_md = bool(md_levels)
    headings = []
    for start, end, raw, kind, rank in found:
        if kind == "md":
            inner = _MD_HEADING.match(raw.strip()).group(2)  # type: ignore[union-attr]
            kind = _inner_kind(inner)
        elif has_md:
            rank += 10.0
        headings.append(Heading(start, end, kind, rank, heading_label(raw, kind)))
    return headings


_BARE_TITLE = re.compile(r"^[\u4e00-\u9fff（）()《》“”·]{2,30}$")
# The rank of a heading a regulation gives without a number (「党员廉洁自律规范」 over 第一条
# to 第四条): below 节, above 条.
UNNUMBERED_RANK = 3.5


def _unnumbered_headings(
    found: list[tuple[int, int, str, str, float]], lines: list[tuple[int, int, str]]
) -> list[tuple[int, int, str, str, float]]:
    """Two headings a regulation's text carries as plain lines: a 第X章 title wrapped onto
    a second line (「第二章 村党组织领导班子成员和村民」 / 「委员会成员廉洁履行职责行为规范」),
    joined to it; and a short unnumbered line with no punctuation right above a 第X条
    (「党员领导干部廉洁自律规范」 above 第五条), a container of the articles that follow.
    Left as body text, both end the previous article's chunk and get quoted as answers."""
    at = {item[0]: item for item in found}
    filled = [i for i, (_, _, raw) in enumerate(lines) if raw.strip()]
    out: list[tuple[int, int, str, str, float]] = []
    for k, i in enumerate(filled):
        start, end, raw = lines[i]
        if start in at:
            out.append(at[start])
            continue
        line = raw.strip()
        if not _BARE_TITLE.match(line) or k == 0 or k + 1 >= len(filled):
            continue
        before, after = at.get(lines[filled[k - 1]][0]), at.get(lines[filled[k + 1]][0])
        if after is None:
            continue
        # A wrapped title's first line is a long one (「第一章 总则」 is whole).
        if before is not None and before[3] in _STANDALONE_KINDS and out and out[-1] is before \
                and 14 <= len(before[2].strip()) and len(before[2].strip()) + len(line) <= 60:
            out[-1] = (before[0], end, before[2].strip() + line, before[3], before[4])
        elif after[3] == "article":
            out.append((start, end, raw, "unnumbered", UNNUMBERED_RANK))
    return out


def _toc_key(raw: str) -> str:
    """A heading as a 目录 line shows it: no markdown, spaces, dot leaders or page numbers."""
    raw = _MD_HEADING.sub(r"\2", raw.strip())
    return re.sub(r"[\s.…·．]+\d*$", "", re.sub(r"\s+", "", raw))


def _drop_table_of_contents(
    found: list[tuple[int, int, str, str, float]], lines: list[tuple[int, int, str]]
) -> list[tuple[int, int, str, str, float]]:
    """Remove 目录 entries: a run of three or more heading lines with no text between
    them, nearly all of which appear again later as real headings."""
    line_index = {start: i for i, (start, _, _) in enumerate(lines)}
    filled = [i for i, (_, _, raw) in enumerate(lines) if raw.strip()]
    next_filled = {a: b for a, b in zip(filled, filled[1:])}

    def bare(raw: str) -> bool:  # a heading line with no body text on it
        return len(raw.strip()) <= 60 and not re.search(r"[。；，,;]", raw)

    runs: list[list[int]] = []
    for k, item in enumerate(found):
        if not bare(item[2]):
            continue
        i = line_index[item[0]]
        if runs and k - 1 == runs[-1][-1] and next_filled.get(line_index[found[k - 1][0]]) == i:
            runs[-1].append(k)
        else:
            runs.append([k])
    drop: set[int] = set()
    keys = [_toc_key(item[2]) for item in found]
    for run in runs:
        if len(run) < 3:
            continue
        repeated = [k for k in run if keys[k] in keys[k + 1 :]]
        if len(repeated) >= 0.6 * len(run):
            drop.update(repeated)
    return [item for k, item in enumerate(found) if k not in drop]


# --------------------------------------------------------------------------- tree


@dataclass
class _Node:
    start: int
    end: int
    head_end: int  # end of the heading line; == start for the root
    kind: str
    rank: float
    path: tuple[str, ...]
    children: list["_Node"] = field(default_factory=list)

    @property
    def is_container(self) -> bool:
        return self.kind in CONTAINER_KINDS or self.kind == "root"


_TAIL_RANK = 99.0  # the text after a table: ended by whatever heading comes next


def _build_tree(text: str) -> _Node:
    root = _Node(0, len(text), 0, "root", -1.0, ())
    stack = [root]
    events: list[tuple[int, Heading | TableBlock]] = [(h.start, h) for h in find_headings(text)]
    events += [(t.start, t) for t in find_tables(text)]
    for _, ev in sorted(events, key=lambda e: e[0]):
        if isinstance(ev, TableBlock):
            # A table is a leaf under the innermost open section, its caption (if any) in
            # the path; the text after it until the next heading belongs to that section
            # again, as a "tail" node.
            while stack[-1].kind == "tail":
                stack.pop().end = ev.start
            parent = stack[-1]
            path = parent.path + ((ev.caption,) if ev.caption else ())
            parent.children.append(_Node(ev.start, ev.end, ev.head_end, "table", _TAIL_RANK, path))
            tail = _Node(ev.end, len(text), ev.end, "tail", _TAIL_RANK, parent.path)
            parent.children.append(tail)
            stack.append(tail)
            continue
        h = ev
        while stack[-1].rank >= h.rank:
            stack.pop().end = h.start
        parent = stack[-1]
        node = _Node(h.start, len(text), h.end, h.kind, h.rank, parent.path + (h.label,))
        parent.children.append(node)
        stack.append(node)
    _drop_empty_tails(root, text)
    return root


def _drop_empty_tails(node: _Node, text: str) -> None:
    node.children = [c for c in node.children if c.kind != "tail" or text[c.start:c.end].strip()]
    for child in node.children:
        _drop_empty_tails(child, text)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class TableBlock:
    start: int  # the caption line's start, or the first row's
    head_end: int  # end of the caption line; == start without a caption
    end: int  # end of the last row line
    caption: str | None
    rows: tuple[tuple[int, int], ...]  # (start, end) of each row line


_CAPTION_MAX = 60


def _caption(line: str) -> str | None:
    """The line above a table names it when it is short and not a sentence (「任务分工表」,
    「附件：2026年党员教育培训工作任务分工表」); a heading above is already in the path."""
    line = line.strip()
    if not line or len(line) > _CAPTION_MAX or is_row_line(line) or is_heading_line(line):
        return None
    if re.search(r"[。；，,;]$", line):
        return None
    return line.rstrip("：:")


def find_tables(text: str) -> list[TableBlock]:
    """Runs of row lines written by `ingest.tables` (「序号：2｜重点任务：…」), each with its
    caption line when it has one."""
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text.split("\n"):
        lines.append((pos, pos + len(raw), raw))
        pos += len(raw) + 1
    out: list[TableBlock] = []
    i = 0
    while i < len(lines):
        if not is_row_line(lines[i][2]):
            i += 1
            continue
        j = i
        while j + 1 < len(lines) and is_row_line(lines[j + 1][2]):
            j += 1
        rows = tuple((s, e) for s, e, _ in lines[i : j + 1])
        caption = _caption(lines[i - 1][2]) if i else None
        start = lines[i - 1][0] if caption else lines[i][0]
        head_end = lines[i - 1][1] if caption else start
        out.append(TableBlock(start, head_end, lines[j][1], caption, rows))
        i = j + 1
    return out


def _table_pieces(text: str, node: _Node, lead: int | None, max_chars: int, min_chars: int) -> list[tuple[int, int]]:
    """A table cut between rows only, in pieces of at most max_chars (balanced, so no
    crumb of one row is left at the end); the caption (and a bare heading above) rides
    with the first rows. A single row longer than max_chars is cut at its fields."""
    start = node.start if lead is None else lead
    rows: list[tuple[int, int]] = []
    for s, e in _row_spans(text, node):
        if e - s <= max_chars:
            rows.append((s, e))
        else:
            rows.extend(_split_long_row(text, s, e, max_chars, min_chars))
    if not rows:
        return []
    if rows[0][1] - start <= max_chars:
        rows[0] = (start, rows[0][1])
    elif text[start : rows[0][0]].strip():  # a caption too long to share a piece
        rows.insert(0, _trim(text, start, rows[0][0]))
    total = rows[-1][1] - rows[0][0]
    n = -(-total // max_chars)
    target = total / n
    pieces: list[tuple[int, int]] = []
    cur_s, cur_e = rows[0]
    for s, e in rows[1:]:
        if e - cur_s <= max_chars and ((cur_e - cur_s) + (e - s) / 2 <= target or cur_e - cur_s < min_chars):
            cur_e = e
        else:
            pieces.append((cur_s, cur_e))
            cur_s, cur_e = s, e
    pieces.append((cur_s, cur_e))
    return [p for p in (_trim(text, s, e) for s, e in pieces) if p[1] > p[0]]


def _row_spans(text: str, node: _Node) -> list[tuple[int, int]]:
    spans, pos = [], node.head_end
    for raw in text[node.head_end : node.end].split("\n"):
        if raw.strip():
            spans.append(_trim(text, pos, pos + len(raw)))
        pos += len(raw) + 1
    return spans


def _split_long_row(text: str, start: int, end: int, max_chars: int, min_chars: int) -> list[tuple[int, int]]:
    fields = _cut(text, start, end, re.compile(re.escape(FIELD_SEP)))
    out: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for s, e in fields:
        if e - s > max_chars:
            if cur:
                out.append(cur)
                cur = None
            out.extend(_split_range(text, s, e, max_chars, min_chars))
        elif cur and e - cur[0] <= max_chars:
            cur = (cur[0], e)
        else:
            if cur:
                out.append(cur)
            cur = (s, e)
    if cur:
        out.append(cur)
    return [p for p in (_trim(text, s, e) for s, e in out) if p[1] > p[0]]


# --------------------------------------------------------------------------- splitting

_SENTENCE_END = re.compile(sentence_end(runs=False, ellipsis=True) + r"|\n+")
_CLAUSE_END = re.compile(r"[，,、：:][”’」』）)》〕】\"']*|\s+")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _cut(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Split [start, end) after every match of `pattern`."""
    pieces, last = [], start
    for m in pattern.finditer(text, start, end):
        if m.end() > last:
            pieces.append((last, m.end()))
            last = m.end()
    if last < end:
        pieces.append((last, end))
    return pieces


def _units(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Sentences; an over-long sentence is cut at commas, then hard at max_chars."""
    out: list[tuple[int, int]] = []
    for s, e in _cut(text, start, end, _SENTENCE_END):
        if e - s <= max_chars:
            out.append((s, e))
            continue
        for cs, ce in _cut(text, s, e, _CLAUSE_END):
            while ce - cs > max_chars:  # no punctuation at all: a table row, a URL …
                out.append((cs, cs + max_chars))
                cs += max_chars
            out.append((cs, ce))
    return out


def _split_range(text: str, start: int, end: int, max_chars: int, min_chars: int) -> list[tuple[int, int]]:
    """Cut [start, end) into balanced pieces of at most max_chars, at sentence ends."""
    start, end = _trim(text, start, end)
    if end <= start:
        return []
    if end - start <= max_chars:
        return [(start, end)]
    units = _units(text, start, end, max_chars)
    n = -(-(end - start) // max_chars)
    target = (end - start) / n  # aim for equal pieces rather than a full one and a crumb
    pieces: list[tuple[int, int]] = []
    cur_s, cur_e = units[0]
    for s, e in units[1:]:
        ts, te = _trim(text, cur_s, e)
        size = te - ts
        if size <= max_chars and ((cur_e - cur_s) + (e - s) / 2 <= target or cur_e - cur_s < min_chars):
            cur_e = e
        else:
            pieces.append((cur_s, cur_e))
            cur_s, cur_e = s, e
    pieces.append((cur_s, cur_e))
    if len(pieces) >= 2 and pieces[-1][1] - pieces[-1][0] < min_chars:
        pieces[-2:] = _rebalance(text, pieces[-2][0], pieces[-1][1], units, max_chars)
    trimmed = [_trim(text, s, e) for s, e in pieces]
    return [(s, e) for s, e in trimmed if e > s]


def _rebalance(
    text: str, start: int, end: int, units: list[tuple[int, int]], max_chars: int
) -> list[tuple[int, int]]:
    """Re-cut [start, end) (a full piece plus a crumb) into one or two even pieces."""
    ts, te = _trim(text, start, end)
    if te - ts <= max_chars:
        return [(start, end)]
    best: tuple[int, int] | None = None  # (smaller part, cut)
    for _, cut in (u for u in units if start < u[1] < end):
        a = _trim(text, start, cut)
        b = _trim(text, cut, end)
        if a[1] - a[0] <= max_chars and b[1] - b[0] <= max_chars:
            smaller = min(a[1] - a[0], b[1] - b[0])
            if best is None or smaller > best[0]:
                best = (smaller, cut)
    if best is None:
        return [(start, end)] if te - ts <= max_chars else _fallback_two(start, end, units)
    return [(start, best[1]), (best[1], end)]


def _fallback_two(start: int, end: int, units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    # Unreachable in practice (each half of a full piece plus a crumb fits); keep the
    # original pieces rather than exceed max_chars.
    inner = [u for u in units if start <= u[0] and u[1] <= end]
    last = inner[-1][0] if inner else start
    return [(start, last), (last, end)]


# --------------------------------------------------------------------------- chunking


@dataclass
class _Piece:
    start: int
    end: int
    path: tuple[str, ...]
    unit: tuple[str, ...]  # pieces merge only within the same unit


def _chunk_node(
    text: str, node: _Node, lead: int | None, unit: tuple[str, ...], max_chars: int, min_chars: int
) -> list[_Piece]:
    start = node.start if lead is None else lead
    s, e = _trim(text, start, node.end)
    if e <= s:
        return []
    if node.kind == "table":
        return [_Piece(ps, pe, node.path, unit) for ps, pe in _table_pieces(text, node, lead, max_chars, min_chars)]
    if not node.is_container and e - s <= max_chars:
        return [_Piece(s, e, node.path, unit)]
    intro_end = node.children[0].start if node.children else node.end
    pieces: list[_Piece] = []
    child_lead: int | None = None
    intro_s, intro_e = _trim(text, start, intro_end)
    bare = not text[node.head_end:intro_end].strip()
    if node.children and (bare or (intro_e - intro_s < min_chars and node.children[0].kind != "table")):
        # A bare heading line, or a heading with a one-line lead-in ("…以下几个方面工作。"),
        # travels with its first child instead of being a crumb of its own.
        child_lead = start
    else:
        for ps, pe in _split_range(text, start, intro_end, max_chars, min_chars):
            pieces.append(_Piece(ps, pe, node.path, unit))
    for child in node.children:
        # Top-level sections, articles and 编/章/节 are units: nothing merges across them.
        own_unit = node.kind == "root" or child.kind in ("article", "table") or child.is_container
        child_unit = (child.path + (f"@{child.start}",) if child.kind == "table" else child.path) if own_unit else unit
        pieces.extend(_chunk_node(text, child, child_lead, child_unit, max_chars, min_chars))
        child_lead = None
    return pieces


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return a[:n]


def _merge_small(pieces: list[_Piece], max_chars: int, min_chars: int) -> list[_Piece]:
    out: list[_Piece] = []
    for piece in pieces:
        if out:
            prev = out[-1]
            small = (prev.end - prev.start) < min_chars or (piece.end - piece.start) < min_chars
            if small and prev.unit == piece.unit and piece.end - prev.start <= max_chars:
                out[-1] = _Piece(prev.start, piece.end, _common_prefix(prev.path, piece.path), prev.unit)
                continue
        out.append(piece)
    return out


def page_at(pages: Sequence[Page], offset: int) -> int | None:
    """The 1-based page number holding `offset`, or None without pages."""
    if not pages:
        return None
    starts = [p.char_start for p in pages]
    i = bisect.bisect_right(starts, offset) - 1
    return pages[max(i, 0)].number


def chunk_document(
    text: str, pages: Sequence[Page] = (), *, max_chars: int = 400, min_chars: int = 80
) -> tuple[Chunk, ...]:
    """Cut a cleaned document into structure-aware chunks (rules in the module doc).

    Every chunk satisfies ``chunk.text == text[chunk.char_start:chunk.char_end]`` and
    ``len(chunk.text) <= max_chars``; `page` is the page of `char_start` when `pages`
    are given.
    """
    if max_chars < 1 or min_chars < 0:
        raise ValueError("max_chars must be positive and min_chars non-negative")
    root = _build_tree(text)
    pieces = _merge_small(_chunk_node(text, root, None, (), max_chars, min_chars), max_chars, min_chars)
    return tuple(
        Chunk(
            ord=i,
            text=text[p.start : p.end],
            char_start=p.start,
            char_end=p.end,
            section_path=p.path,
            page=page_at(pages, p.start),
        )
        for i, p in enumerate(pieces)
    )


def section_path_at(text: str, offset: int) -> tuple[str, ...]:
    """The heading path in force at `offset`: the finest address of a cited sentence, even
    when its chunk spans several sub-items (二、 › （二） › 6. rather than 二、 › （二）)."""
    stack: list[Heading] = []
    for h in find_headings(text):
        if h.start > offset:
            break
        while stack and stack[-1].rank >= h.rank:
            stack.pop()
        stack.append(h)
    return tuple(h.label for h in stack)
