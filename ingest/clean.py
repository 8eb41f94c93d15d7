"""Text cleaning: one paragraph per line, with page spans kept right.

Real files break lines inside sentences: PDFs wrap at the page width, and the wiki
scrapes in the corpus break at every link ("…国际上出现\n民族区域自治法\n，支持…").
Joining those lines matters for chunking (a sentence must not be split) and for quote
checking (a quotation must match across the break). But a heading, a list item, a
salutation ("各市委组织部：") or a date line must never be glued to its neighbour, and a
title wrapped over two short lines in a PDF must stay recognisable.

Whether a single newline is a soft wrap is decided per document:
* when paragraphs are separated by blank lines (wiki text, Word, HTML, Markdown), a
  single newline inside a paragraph is a wrap unless a hard rule says otherwise;
* otherwise (PDF text, one-paragraph-per-line .txt) a newline is a wrap only after a
  line that is nearly as long as the document's full lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from policykb.ingest.structure import is_heading_line
from policykb.ingest.tables import is_row_line
from policykb.ingest.types import Page
from policykb.text import CLOSERS

# Spaces that word processors and web pages use for indentation and alignment.
_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MULTI_SPACE = re.compile(r" {2,}")

# A line that ends at a sentence end, a colon (a lead-in) or a dash ends its paragraph.
_TERMINAL = re.compile(rf"(?:[。！？；：!?;:]|…+|——)[{re.escape(CLOSERS)}]*$")
_STARTS_WITH_CONTINUATION = re.compile(r"^[，。、；：？！）》」』”’〕】,.;:?!)%]")
_LIST_ITEM = re.compile(r"^(?:[-*+•·●○■□◆◇▪➢>]\s|[①-⑳]|\d{1,2}[)）]|[a-zA-Z][.)]\s)")
_DATE_LINE = re.compile(
    r"^\S{0,4}(?:\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*\S{1,3}\s*月(?:\s*\S{1,3}\s*日)?\s*$"
)
_DOCNO_LINE = re.compile(r"^.{0,12}[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d+\s*号.{0,4}$")


@dataclass
class _Line:
    text: str  # stripped, spaces normalised
    indented: bool
    page: int  # index into the input pages
    standalone: bool = False  # a signature line above the date: never joined


def normalise_line(raw: str) -> tuple[str, bool]:
    """Normalise odd spaces and invisibles; report whether the line was indented."""
    raw = _INVISIBLE.sub("", raw)
    raw = _CONTROL.sub("", raw)
    raw = _SPACES.sub(" ", raw)
    indented = raw.startswith(" ")
    return _MULTI_SPACE.sub(" ", raw.strip()), indented


def _is_special(line: str) -> bool:
    """Lines that stand alone in a 公文: dates, 文号, table rows."""
    return bool(_DATE_LINE.match(line) or _DOCNO_LINE.match(line) or line.startswith("|") or line.endswith("|")
                or is_row_line(line))


def _is_hard_break(prev: _Line, nxt: _Line, soft_by_default: bool, long_line: int) -> bool:
    if _STARTS_WITH_CONTINUATION.match(nxt.text):
        return False  # "，支持少数民族…" can only continue the previous line
    if nxt.indented:
        return True  # first-line indent starts a paragraph
    if prev.standalone or nxt.standalone:
        return True
    if is_heading_line(nxt.text) or _LIST_ITEM.match(nxt.text):
        return True
    if is_heading_line(prev.text) and not (
        # "（一）党的创新理论。重点学习…全会" wrapped at the page width continues below
        long_line and len(prev.text) >= long_line and re.search(r"[。，；：、]", prev.text)
    ):
        return True
    if _TERMINAL.search(prev.text):
        return True
    if _is_special(prev.text) or _is_special(nxt.text):
        return True
    if nxt.text.endswith(("：", ":")) and len(nxt.text) <= 40:
        return True  # 主送机关 / salutation line
    if soft_by_default or prev.page != nxt.page:
        # A page break inside a paragraph is a wrap even after a short last line; a page
        # that ends a paragraph ends it with punctuation (caught above).
        return False
    return len(prev.text) < long_line


_SIGNATURE = re.compile(r"^[^，。；：、,.;:!?！？]{2,40}$")


def _mark_signatures(content: list[_Line]) -> None:
    """The 发文机关 lines right above a 成文日期 line stand alone (the line before them
    may be a full-width "联系人：…电话：…" line that would otherwise swallow them)."""
    for i, line in enumerate(content):
        if _DATE_LINE.match(line.text):
            j = i - 1
            while j >= 0 and i - j <= 3 and _SIGNATURE.match(content[j].text) and not is_heading_line(content[j].text):
                content[j].standalone = True
                j -= 1


def _join(a: str, b: str) -> str:
    # Latin words wrapped at a line end need their space back; Chinese does not.
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return a + " " + b
    return a + b


def _full_line_length(lines: list[_Line]) -> int:
    lengths = sorted(len(line.text) for line in lines if line.text)
    if not lengths:
        return 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def clean_pages(pages: Sequence[str]) -> tuple[str, tuple[Page, ...]]:
    """Clean a document given as page texts; return the text and each page's span.

    Paragraphs end with a single "\\n"; lines wrapped inside a paragraph are joined, also
    across a page break (the page boundary then falls inside the paragraph, at the first
    character that came from the next page).
    """
    lines: list[_Line | None] = []  # None marks a blank line
    for page_index, page in enumerate(pages):
        # A page's own leading/trailing blank lines are not paragraph breaks: a sentence
        # running over the page break must still be joined.
        page = re.sub(r"^(?:[ \t\u3000]*\n)+", "", page.replace("\r\n", "\n").replace("\r", "\n")).rstrip()
        for raw in page.split("\n"):
            text, indented = normalise_line(raw)
            lines.append(_Line(text, indented, page_index) if text else None)

    content = [line for line in lines if line is not None]
    _mark_signatures(content)
    gaps = sum(1 for a, b in zip(lines, lines[1:]) if a is not None and b is None)
    soft_by_default = len(content) > 1 and gaps >= 0.3 * (len(content) - 1)
    long_line = int(0.75 * _full_line_length(content))

    # Build paragraphs as lists of (text, page) fragments so page offsets survive joins.
    paragraphs: list[list[tuple[str, int]]] = []
    prev: _Line | None = None
    for line in lines:
        if line is None:
            prev = None
            continue
        if prev is not None and not _is_hard_break(prev, line, soft_by_default, long_line):
            frags = paragraphs[-1]
            joined = _join(frags[-1][0], line.text)
            if line.page == frags[-1][1]:
                frags[-1] = (joined, line.page)
            else:
                sep = joined[len(frags[-1][0]) : len(joined) - len(line.text)]
                frags[-1] = (frags[-1][0] + sep, frags[-1][1])
                frags.append((line.text, line.page))
        else:
            paragraphs.append([(line.text, line.page)])
        prev = line

    out: list[str] = []
    page_starts: dict[int, int] = {}
    pos = 0
    for i, frags in enumerate(paragraphs):
        if i:
            out.append("\n")
            pos += 1
        for text, page in frags:
            page_starts.setdefault(page, pos)
            out.append(text)
            pos += len(text)
    full = "".join(out)

    # An empty page (a blank or image-only page) gets a zero-length span where the next
    # page starts, so page numbers stay aligned with the file.
    starts = [0] * len(pages)
    next_start = len(full)
    for index in range(len(pages) - 1, -1, -1):
        next_start = page_starts.get(index, next_start)
        starts[index] = next_start
    if starts:
        starts[0] = 0
    result = [
        Page(index + 1, starts[index], starts[index + 1] if index + 1 < len(starts) else len(full))
        for index in range(len(pages))
    ]
    return full, tuple(result)


def clean_text(text: str) -> str:
    """Clean one text (see module doc): normalised spaces, wrapped lines joined, no blank
    lines, no trailing spaces, one paragraph per line."""
    return clean_pages([text])[0]
