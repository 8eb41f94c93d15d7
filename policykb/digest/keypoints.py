"""Key points of one document, taken from its own words: pure functions, no I/O.

A key point is a sentence (or the leading clauses of a long one) that carries a
requirement — 要、应当、必须、严禁、不得、建立、完善 … — or a heading that states one
("四、严禁以召开会议等名义组织公款旅游"). Each is a verbatim slice of one chunk's text,
so its citation is that chunk and the point can be found in it character for character.

Selection spreads the points over the document: round by round, the best remaining
sentence of each top-level section, until the target — one per section and about one per
three requirement sentences, between 3 and 8 — is reached; the result is in document
order. A document with fewer requirement sentences gets its plainest statements
instead, so every document with text yields at least one point.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

MIN_POINTS = 3
MAX_POINTS = 8
MAX_POINT_CHARS = 120  # longer sentences are cut at a clause boundary before this
MIN_POINT_CHARS = 10


class ChunkLike(Protocol):
    text: str
    section_path: Sequence[str]


@dataclass(frozen=True)
class KeyPoint:
    text: str  # == chunks[chunk_index].text[start:end]
    chunk_index: int
    start: int
    end: int
    score: float
    truncated: bool = False  # the sentence goes on after `end`


# Requirement markers and their weight: prohibitions and obligations weigh most.
MARKERS: tuple[tuple[str, float], ...] = (
    ("严禁", 3.0), ("不得", 3.0), ("禁止", 3.0), ("一律", 2.5), ("必须", 2.5), ("不准", 2.5),
    ("应当", 2.0), ("务必", 2.0), ("严格", 1.5), ("建立", 1.5), ("完善", 1.5), ("健全", 1.5),
    ("加强", 1.0), ("落实", 1.0), ("坚持", 1.0), ("确保", 1.0), ("推进", 1.0), ("实行", 1.0),
    ("规范", 1.0), ("强化", 1.0), ("予以", 1.0), ("给予", 1.0), ("负责", 0.5),
)
# 要 as a modal verb ("各级党组织要…"), not inside 重要/主要/需要/要求/要点 …
_YAO = re.compile(r"(?<![重主需纲摘提概只扼首必紧])要(?![求点素件闻害地职情])")
_YAO_WEIGHT = 1.5
# 须 as in 须经/须有 (必须 is counted above), not 须知.
_XU = re.compile(r"(?<!必)须(?!知)")
_XU_WEIGHT = 1.5

_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
# (Used with pattern.match(text, pos): no "^", which would only match at the text's start.)
_NUMBER_PREFIX = re.compile(
    r"\s*(?:#+\s*)?(?:第[一二三四五六七八九十百千零〇两0-9]{1,6}[编章节条](?:之[一二三四五六七八九十]+)?\s*"
    r"|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?![\d%])|[（(]\d{1,2}[）)])\s*"
)
_HEADING_LINE = re.compile(
    r"\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十百千零〇两0-9]{1,6}[章节条])"
)
# Statements about the document itself, not requirements for the reader.
_BOILERPLATE = re.compile(
    r"印发给你们|请结合实际|认真贯彻执行|遵照执行|贯彻落实$|自.{0,12}(?:起施行|起执行)|负责解释|解释权|"
    r"发布时间|中文名|特作如下|通知如下|规定如下|现就.{0,30}(?:通知|意见)|^第[一二三四五]次为|抄送|印发$|"
    r"有关事项通知|此前.{0,20}不一致的|^附件"
)
_DOC_NAME_END = re.compile(r"(?:通知|规定|办法|意见|条例|决定|准则|细则|方案|要点|通报|决议|》)$")
_PURPOSE = re.compile(r"^(?:为了?|根据|依据|按照).{0,80}(?:制定本|制定如下|特制定|现提出|特作)")
_ANAPHORA = re.compile(r"(?:对)?(?:这些|这个|上述|以上|此类|其)")
_CLAUSE_END = re.compile(r"[，、：:,]")


_QUOTED_TITLE = re.compile(r"《[^《》]{0,80}》")


def requirement_score(sentence: str) -> float:
    """Weighted requirement markers; words inside a quoted title (《关于严禁…的通知》) don't count."""
    sentence = _QUOTED_TITLE.sub("", sentence)
    score = sum(w * min(sentence.count(m), 2) for m, w in MARKERS)
    score += _YAO_WEIGHT * min(len(_YAO.findall(sentence)), 2)
    score += _XU_WEIGHT * min(len(_XU.findall(sentence)), 2)
    return score


def _strip_prefix(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading numbering ("第三条 ", "（一）", "### ") and spaces; trailing spaces."""
    m = _NUMBER_PREFIX.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    while start < end and text[start] in " \t\u3000#":
        start += 1
    while end > start and text[end - 1] in " \t\u3000":
        end -= 1
    return start, end


def _shorten(text: str, start: int, end: int) -> tuple[int, int, bool]:
    """Cut a long sentence after its last clause boundary before MAX_POINT_CHARS."""
    if end - start <= MAX_POINT_CHARS:
        return start, end, False
    window = text[start : start + MAX_POINT_CHARS]
    cuts = [m.start() for m in _CLAUSE_END.finditer(window) if m.start() >= 20]
    cut = cuts[-1] if cuts else MAX_POINT_CHARS
    return start, start + cut, True


@dataclass(frozen=True)
class _Candidate:
    point: KeyPoint
    group: object
    order: tuple[int, int]
    requirement: bool


def candidates(chunks: Sequence[ChunkLike], title: str | None = None) -> list[_Candidate]:
    """Every usable sentence of the document with its score, in document order."""
    seen: set[str] = set()
    out: list[_Candidate] = []
    title_key = re.sub(r"\s", "", title or "")
    for ci, chunk in enumerate(chunks):
        text = chunk.text
        group: object = chunk.section_path[0] if chunk.section_path else ("chunk", ci)
        line_starts = {0} | {m.end() for m in re.finditer("\n", text)}
        for m in _SENTENCE.finditer(text):
            raw_start, raw_end = m.start(), m.end()
            if text[raw_start:raw_end].lstrip().startswith("#"):
                continue  # a markdown title line
            start, end = _strip_prefix(text, raw_start, raw_end)
            sentence = text[start:end]
            bare = sentence.rstrip("。！？；!?;")
            key = re.sub(r"\s", "", bare)
            if len(key) < MIN_POINT_CHARS or key in seen or (title_key and key == title_key):
                continue
            if _BOILERPLATE.search(bare) or bare.endswith(("：", ":")):
                continue
            if bare == sentence and _DOC_NAME_END.search(bare):
                continue  # a document's name on a line of its own, not a requirement
            seen.add(key)
            score = requirement_score(sentence)
            is_heading = raw_start in line_starts and bool(_HEADING_LINE.match(text, raw_start))
            if is_heading and score:
                score += 1.0  # a numbered heading that states a requirement is a point itself
            if _PURPOSE.search(bare):
                score *= 0.3
            if _ANAPHORA.match(bare):
                score *= 0.5  # "对这些问题，…" needs the sentence before it
            if len(key) < 14:
                score *= 0.5
            start, end, cut = _shorten(text, start, end)
            point = KeyPoint(text[start:end], ci, start, end, round(score, 3), cut)
            out.append(_Candidate(point, group, (ci, start), score >= 1.5))
    return out


def extract_key_points(chunks: Sequence[ChunkLike], title: str | None = None, *,
                       min_points: int = MIN_POINTS, max_points: int = MAX_POINTS) -> list[KeyPoint]:
    """3–8 key points (fewer only when the document has fewer usable sentences)."""
    cands = candidates(chunks, title)
    if not cands:
        return []
    groups: dict[object, list[_Candidate]] = {}
    for c in cands:
        if c.requirement:
            groups.setdefault(c.group, []).append(c)
    for items in groups.values():
        items.sort(key=lambda c: (-c.point.score, c.order))
    # One point per section, and about one per three requirement sentences for documents
    # whose few sections are long (a 办法 of three chapters and twenty articles).
    requirements = sum(len(items) for items in groups.values())
    target = min(max_points, max(min_points, len(groups), -(-requirements // 3)))
    picked: list[_Candidate] = []
    depth = 0
    while len(picked) < target and any(len(items) > depth for items in groups.values()):
        layer = [items[depth] for items in groups.values() if len(items) > depth]
        layer.sort(key=lambda c: (-c.point.score, c.order))
        picked.extend(layer[: target - len(picked)])
        depth += 1
    if len(picked) < min_points:  # too few requirements: add the plainest statements
        chosen = {c.order for c in picked}
        rest = [c for c in cands if c.order not in chosen]
        rest.sort(key=lambda c: (-c.point.score, c.order))
        picked.extend(rest[: min_points - len(picked)])
    picked.sort(key=lambda c: c.order)
    return [c.point for c in picked]
