"""Checking a draft's quotations against the library (三审三校): pure functions.

A draft's claims are its quotations (“…”, 「…」, 『…』) and its policy-like sentences (that
cite a document 《…》 or say what a document 要求/指出/规定…). Each is aligned with candidate
passages: `exact` when the source contains it (whitespace and full/half-width forms
ignored), `close` when most of it matches one stretch of a source (the differences listed
piece by piece: a changed number, a dropped word), `not_found` otherwise. `check_draft`
finds each claim's candidates by searching the library (`KnowledgeBase.verify` delegates
to it); everything else here is pure functions.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from policykb.errors import KnowledgeBaseError
from policykb.text import fold, sentence_pattern

if TYPE_CHECKING:
    from policykb.filters import FilterInput
    from policykb.service import KnowledgeBase

MAX_DRAFT_CHARS = 50_000
CANDIDATES = 20  # bench/verify.py: 5 found 94 of 100 exact quotations, 20 all
MIN_QUOTE = 8  # shorter quoted text is a term or a slogan (“三审三校”), not a quotation
MIN_STATEMENT = 12
CLOSE_AT = 0.6  # similarity from which a claim is a (mis)quotation of a source
EXACT, CLOSE, NOT_FOUND = "exact", "close", "not_found"
STATUS_LABELS = {EXACT: "一致", CLOSE: "有出入", NOT_FOUND: "未找到"}

_QUOTE = re.compile(r"“([^“”]+)”|「([^「」]+)」|『([^『』]+)』|\"([^\"\n]+)\"")
_SENTENCE = sentence_pattern(runs=False, closers="")  # a claim's sentence: to one stop or the line's end
_CUE = re.compile(r"《[^》]+》|指出|强调|要求|规定|明确|提出|印发|根据|按照|依照|第[一二三四五六七八九十百零〇\d]+条")
_PUNCT = re.compile(r"[\W_]+")
_TITLE = re.compile(r"《([^》]+)》")
_TRAILING = set("。！？；，、!?;,.")
# "根据《…》，" / "总书记强调：" introduce what a document says; the check is of what follows.
_FRAMING = re.compile(r"^[^。！？；，,：:]{0,30}?(?:《[^》]+》[^，,：:。]{0,12}|指出|强调|要求|规定|明确|提出)[，,：:]\s*")


@dataclass
class Claim:
    text: str
    start: int  # offsets into the draft
    end: int
    kind: str  # "quote" | "statement"
    cites: str | None = None  # the 《title》 its sentence names, if any


@dataclass
class Difference:
    op: str = field(metadata={"description": "changed：文稿与原文不同；missing：文稿漏引原文；added：文稿多出"})
    draft: str
    source: str


# SequenceMatcher(source, draft) opcodes, read from the draft's side.
_OPS = {"replace": "changed", "delete": "missing", "insert": "added"}


@dataclass
class Alignment:
    similarity: float
    start: int  # offsets into the source text
    end: int
    differences: list[Difference] = field(default_factory=list)

    @property
    def status(self) -> str:
        if not self.differences:
            return EXACT
        return CLOSE if self.similarity >= CLOSE_AT else NOT_FOUND


@dataclass
class QuoteCheck:
    text: str
    start: int
    end: int
    kind: str
    status: str
    similarity: float
    source: dict[str, Any] | None  # the passage (a search hit) with the matched span
    differences: list[Difference]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "label": self.label}


@dataclass
class VerifyReport:
    items: list[QuoteCheck]

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.items if i.status == s) for s in (EXACT, CLOSE, NOT_FOUND)}

    def to_dict(self) -> dict[str, Any]:
        return {"items": [i.to_dict() for i in self.items], "counts": self.counts}


def claims(draft: str) -> list[Claim]:
    """Quotations first, then the policy-like sentences that hold no quotation."""
    out: list[Claim] = []
    quoted: list[tuple[int, int]] = []
    sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(draft)]

    def cited(start: int, end: int) -> str | None:
        """The last 《title》 between the start of the claim's sentence and its end."""
        begin = max((a for a, _ in sentences if a <= start), default=0)
        titles = _TITLE.findall(draft, begin, end)
        return titles[-1] if titles else None

    for m in _QUOTE.finditer(draft):
        group = next(g for g in range(1, 5) if m.group(g) is not None)
        quoted.append(m.span())
        start, end = _trimmed(draft, m.start(group), m.end(group))
        if len(_PUNCT.sub("", draft[start:end])) >= MIN_QUOTE:
            out.append(Claim(draft[start:end], start, end, "quote", cited(start, end)))
    for a, b in sentences:
        if any(qa < b and a < qb for qa, qb in quoted):
            continue
        start, end = _trimmed(draft, a, b)
        text = draft[start:end]
        if len(_PUNCT.sub("", text)) < MIN_STATEMENT or not _CUE.search(text):
            continue
        framing = _FRAMING.match(text)
        if framing and len(_PUNCT.sub("", text[framing.end():])) >= MIN_STATEMENT:
            start += framing.end()
        out.append(Claim(draft[start:end], start, end, "statement", cited(start, end)))
    return sorted(out, key=lambda c: c.start)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Without surrounding spaces and trailing sentence punctuation, which a quotation
    may or may not carry over from its source."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _TRAILING):
        end -= 1
    return start, end


def _folded(text: str) -> tuple[str, list[int]]:
    """NFKC-folded, lower-cased text without whitespace, and for each of its characters the
    offset in `text` it came from, so a match maps back to the source."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in fold(ch):
            if not c.isspace():
                chars.append(c)
                where.append(i)
    return "".join(chars), where


def align(claim: str, source: str) -> Alignment | None:
    """The stretch of `source` that best matches `claim`, with the differences; None when
    nothing of it matches."""
    c, _ = _folded(claim)
    s, where = _folded(source)
    if not c or not s:
        return None
    at = s.find(c)
    if at >= 0:
        return Alignment(1.0, where[at], where[at + len(c) - 1] + 1)
    best: tuple[float, int, int] | None = None
    slack = max(4, len(c) // 4)
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(c)
    # Each long-enough block common to both suggests where the claim would start.
    anchors = {max(0, b.a - b.b) for b in SequenceMatcher(None, s, c, autojunk=False).get_matching_blocks()
               if b.size >= 2}
    for start in sorted(anchors):
        lo, hi = max(0, start - slack), min(len(s), start + len(c) + slack)
        matcher.set_seq1(s[lo:hi])
        ratio = matcher.ratio()
        if best is None or ratio > best[0]:
            best = (ratio, lo, hi)
    if best is None:
        return None
    _, lo, hi = best
    ops = SequenceMatcher(None, s[lo:hi], c, autojunk=False).get_opcodes()
    # Source text beyond either end of the claim is context, not a difference.
    while ops and ops[0][0] == "delete":
        ops = ops[1:]
    while ops and ops[-1][0] == "delete":
        ops = ops[:-1]
    if not ops:
        return None
    span_lo, span_hi = lo + ops[0][1], lo + ops[-1][2]
    differences = []
    for tag, i1, i2, j1, j2 in ops:
        if tag != "equal":
            draft_piece, source_piece = _whole_numbers(c, j1, j2, s, lo + i1, lo + i2)
            op = "changed" if draft_piece and source_piece else _OPS[tag]
            differences.append(Difference(op, draft_piece, source_piece))
    similarity = SequenceMatcher(None, s[span_lo:span_hi], c, autojunk=False).ratio()
    return Alignment(round(similarity, 3), where[span_lo], where[span_hi - 1] + 1, differences)


def _whole_numbers(draft: str, j1: int, j2: int, source: str, i1: int, i2: int) -> tuple[str, str]:
    """The differing pieces, widened over digits both sides share, so that 30 against 40
    reads as "30" / "40" rather than "3" / "4"."""
    while j1 > 0 and i1 > 0 and draft[j1 - 1].isdigit() and draft[j1 - 1] == source[i1 - 1]:
        j1, i1 = j1 - 1, i1 - 1
    while j2 < len(draft) and i2 < len(source) and draft[j2].isdigit() and draft[j2] == source[i2]:
        j2, i2 = j2 + 1, i2 + 1
    return draft[j1:j2], source[i1:i2]


def same_title(cited: str, title: str) -> bool:
    """Whether a 《title》 named in a draft is this document's title: drafts shorten titles
    (《工作要点》 for 《2026年全省组织工作要点》), so either may contain the other."""
    a, b = _PUNCT.sub("", cited), _PUNCT.sub("", title)
    return bool(a) and bool(b) and (a in b or b in a)


def check_draft(kb: KnowledgeBase, draft: str, *, filters: FilterInput = None) -> VerifyReport:
    """Each quotation and policy-like sentence of a draft: exact, close (with the
    differences) or not found, with the passage it stands on."""
    draft = draft or ""
    if not draft.strip():
        raise KnowledgeBaseError("待核对的文稿不能为空", code="empty_draft")
    if len(draft) > MAX_DRAFT_CHARS:
        raise KnowledgeBaseError(f"文稿过长（{len(draft):,} 字），请分段核对（每次不超过 {MAX_DRAFT_CHARS:,} 字）",
                                 code="draft_too_long", status=413)
    items = []
    for claim in claims(draft):
        best = None
        reach = len(claim.text)  # read that far beyond each chunk: a quotation may cross its edge
        for hit in kb.search(claim.text, top_k=CANDIDATES, filters=filters).results:
            offset, window = kb.registry.text_window(hit.doc_id, hit.char_start - reach, hit.char_end + reach)
            found = align(claim.text, window)
            if found is None:
                continue
            # Among equally good sources, the document the draft names comes first.
            named = bool(claim.cites) and same_title(claim.cites, hit.title or "")
            if best is None or (found.similarity, named) > (best[0].similarity, best[4]):
                best = (found, hit, offset, window, named)
            if found.similarity == 1.0 and (named or not claim.cites):
                break
        status = best[0].status if best else NOT_FOUND
        source = None
        if best is not None and status != NOT_FOUND:
            found, hit, offset, window, _ = best
            source = {**hit.to_dict(), "quote": window[found.start:found.end],
                      "quote_start": offset + found.start, "quote_end": offset + found.end}
            source["section_path"] = kb.finest_section_path(hit.doc_id, source["section_path"],
                                                            [offset + found.start])
        items.append(QuoteCheck(
            text=claim.text, start=claim.start, end=claim.end, kind=claim.kind, status=status,
            similarity=best[0].similarity if best else 0.0, source=source,
            differences=best[0].differences if source else [],
        ))
    return VerifyReport(items)
