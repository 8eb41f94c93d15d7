"""The governing provision: the article or clause (whole, or with its enumerating list) that
holds the sentence answering a question. Pure functions over a document's text.

Officials want the 原文 of the rule, not sentences stitched from several places: the
answer without a model quotes 「第十条 …工作餐应当供应家常菜，不得提供香烟和高档酒水…」 whole,
with the answering sentence marked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.ingest.structure import CONTAINER_KINDS, Heading, find_headings, is_heading_line
from policykb.text import sentence_end, sentences

# A provision longer than this is quoted in part: its opening sentence (the rule's stem,
# e.g. 「有下列行为之一的，给予警告或者严重警告处分：」) and the sentences around the answer.
MAX_CHARS = 600
PROVISION_KINDS = {"article", "cn", "paren_cn", "arabic", "paren_arabic"}
ELLIPSIS = "……"


@dataclass(frozen=True)
class Provision:
    start: int  # document offsets of the quoted span (its first and last character)
    end: int
    label: str  # 「第十条」, 「三、…」, or "" for a paragraph
    text: str  # what is quoted: the span, or its stem + "……" + the part around the answer
    mark: tuple[int, int]  # the answering sentence, as offsets inside `text`


def _enclosing(headings: list[Heading], offset: int) -> list[Heading]:
    """The chain of headings whose section holds `offset`, outermost first."""
    chain: list[Heading] = []
    for h in headings:
        if h.start > offset:
            break
        while chain and chain[-1].rank >= h.rank:
            chain.pop()
        chain.append(h)
    return chain


def _section_end(headings: list[Heading], h: Heading, limit: int) -> int:
    for other in headings:
        if other.start > h.start and other.rank <= h.rank:
            return other.start
    return limit


def provision_at(text: str, sentence_start: int, sentence_end: int, *, list_wanted: bool = False,
                 headings: list[Heading] | None = None, question: str = "") -> Provision:
    """The provision of `text` holding the sentence [sentence_start, sentence_end)."""
    headings = find_headings(text) if headings is None else headings
    if list_wanted and question:
        named = _named_part(text, headings, sentence_start, sentence_end, question)
        if named is not None:
            return named
    chain = [h for h in _enclosing(headings, sentence_start) if h.kind in PROVISION_KINDS]
    start = end = None
    label = ""
    if chain:
        # An article governs its items; otherwise the innermost numbered clause, or its
        # parent when the question asks for a list and the parent's list is short enough.
        article = next((h for h in chain if h.kind == "article"), None)
        pick = article or chain[-1]
        if article is None and list_wanted and len(chain) > 1:
            parent = chain[-2]
            if _section_end(headings, parent, len(text)) - parent.start <= MAX_CHARS * 1.5:
                pick = parent
        start, end, label = pick.start, _section_end(headings, pick, len(text)), pick.label
    if start is None or end is None or end - start > 4 * MAX_CHARS and not chain:
        # No numbered provision: the paragraph (speeches, reports).
        start = _paragraph_start(text, sentence_start)
        nl = text.find("\n", sentence_end)
        end = len(text) if nl < 0 else nl
    start, end = _trim(text, start, end)
    if end - start > MAX_CHARS and not (chain and label.startswith("第")):
        # A long section of a report or notice: its paragraph, not its heading's whole text.
        start = max(start, _paragraph_start(text, sentence_start))
        nl = text.find("\n", sentence_end)
        end = min(end, len(text) if nl < 0 else nl)
        start, end = _trim(text, start, end)
        label = ""
    sentence_start, sentence_end = max(sentence_start, start), min(sentence_end, end)
    if end - start <= MAX_CHARS:
        return Provision(start, end, label, text[start:end], (sentence_start - start, sentence_end - start))
    return _excerpt(text, start, end, label, sentence_start, sentence_end)


_NUMBERING = re.compile(r"^第[一二三四五六七八九十百零〇\d]+[编章节部分]+\s*")


def _named_part(text: str, headings: list[Heading], s0: int, s1: int, question: str) -> Provision | None:
    """「党员廉洁自律规范有哪几条？」 names a part of the document (a 章, 节 or a heading given
    without a number) that holds the answer: the part is the list asked for, quoted whole
    when it is short."""
    asked = "".join(question.split())
    for h in reversed(_enclosing(headings, s0)):
        if h.kind not in CONTAINER_KINDS:
            continue
        name = _NUMBERING.sub("", h.label).rstrip("…")
        if len(name) < 4 or name not in asked:
            continue
        start, end = _trim(text, h.start, _section_end(headings, h, len(text)))
        if end - start > MAX_CHARS * 1.5:
            return None
        return Provision(start, end, "", text[start:end], (max(s0, start) - start, min(s1, end) - start))
    return None


_ENDS_SENTENCE = re.compile(sentence_end(runs=False, closers="”’」』）)") + r"\s*$")


def _paragraph_start(text: str, offset: int, lines: int = 3) -> int:
    """Where the paragraph holding `offset` begins: its line's start, unless a web copy broke
    lines inside a sentence (「今年经济社会发展的」 / 「主要预期目标」 / 「是：地区生产总值增长…」), for a
    quotation must not begin at 「是：」. Up to `lines` earlier lines that end no sentence are joined."""
    start = text.rfind("\n", 0, offset) + 1
    for _ in range(lines):
        if start <= 0:
            break
        prev = text.rfind("\n", 0, start - 1) + 1
        line = text[prev:start - 1].strip()
        if not line or _ENDS_SENTENCE.search(line) or is_heading_line(line):
            break
        start = prev
    return start


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _excerpt(text: str, start: int, end: int, label: str, s0: int, s1: int) -> Provision:
    """Stem + …… + the sentences around the answer, within MAX_CHARS."""
    spans = [(start + a, start + b) for a, b in sentences(text[start:end])]
    if not spans:
        return Provision(start, end, label, text[start:end], (s0 - start, s1 - start))
    stem = spans[0] if label.startswith("第") else (spans[0][0], spans[0][0])  # an article's stem only
    idx = next((i for i, (a, b) in enumerate(spans) if a <= s0 < b or a >= s0), len(spans) - 1)
    lo = hi = idx
    budget = MAX_CHARS - (stem[1] - stem[0])
    used = spans[idx][1] - spans[idx][0]
    while True:
        grew = False
        if hi + 1 < len(spans) and used + spans[hi + 1][1] - spans[hi + 1][0] <= budget:
            hi += 1
            used += spans[hi][1] - spans[hi][0]
            grew = True
        if lo - 1 > 0 and used + spans[lo - 1][1] - spans[lo - 1][0] <= budget:
            lo -= 1
            used += spans[lo][1] - spans[lo][0]
            grew = True
        if not grew:
            break
    body_start, body_end = spans[lo][0], spans[hi][1]
    if lo <= 1:  # the stem is adjacent: one continuous span
        quoted = text[start:body_end]
        return Provision(start, body_end, label, quoted, (s0 - start, min(s1, body_end) - start))
    head = text[stem[0]:stem[1]]
    quoted = head + ELLIPSIS + text[body_start:body_end]
    shift = len(head) + len(ELLIPSIS) - body_start
    return Provision(start, body_end, label, quoted, (s0 + shift, min(s1, body_end) + shift))


_LABEL_TAIL = re.compile(r"[\s　]+$")


def cite_label(title: str | None, provision: Provision) -> str:
    """「《党政机关国内公务接待管理规定》第十条」: whose rule this is, as a reader cites it."""
    from policykb.retrieval.catalog import bare_title

    name = f"《{bare_title(title)}》" if title else ""
    label = provision.label if re.match(r"^第.{1,8}条", provision.label or "") else ""
    label = re.match(r"^第.{1,8}?条", label).group(0) if label else ""  # type: ignore[union-attr]
    return _LABEL_TAIL.sub("", name + label)
