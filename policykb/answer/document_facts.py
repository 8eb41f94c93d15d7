"""Questions about a document itself, answered from what the library knows of it:
「差旅费管理办法是哪个文号印发的」 → its 文号, 「…是哪个部门发的」 → its issuer, 「…是哪天印发的」
→ its date. The answer states the fact and quotes the line of the document that states it
(its 红头 or 落款), cited; a fact the text does not show is not stated.

`asked_facts` is a pure function of the question; `answer_facts` finds the document the
question names and its lines.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from policykb.results import Answer, Citation, Hit
from policykb.text import cn_numeral

if TYPE_CHECKING:
    from policykb.filters import FilterInput
    from policykb.service import KnowledgeBase

_WHEN = r"(?:哪天|哪一天|何时|什么时候|哪年|哪一年|几月几[日号]|啥时候)"
_ISSUED = r"(?:印发|发布|出台|下发|制定|颁布|发的|发出)"
# (metadata field, what asks for it): 施行 dates are left to the article that states them.
FACTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("doc_no", re.compile(r"文号|发文字号|几号文")),
    ("issuer", re.compile(r"(?:哪个|哪几个|哪些|什么|哪家)(?:部门|单位|机关|机构)(?:联合)?" + _ISSUED
                          + r"|谁" + _ISSUED + r"|发文机关|制定机关|印发机关")),
    ("date", re.compile(_WHEN + r"[^，。？?]{0,10}?" + _ISSUED + r"|印发日期|发布日期|成文日期")),
)
_LABEL = {"doc_no": "文号", "issuer": "发文机关", "date": "印发日期"}


def asked_facts(question: str) -> list[str]:
    """The facts about a document the question asks for, in FACTS order."""
    return [field for field, asks in FACTS if asks.search(question)]


def _pattern(field: str, value: str) -> re.Pattern[str] | None:
    """How the document's text writes the value: 「财行〔2013〕531号」 with any spacing,
    2013-12-31 as 「2013年12月31日」, an issuer as the first of its names."""
    if field == "date":
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        if not m:
            return None
        y, mo, d = m.group(1), int(m.group(2)), int(m.group(3))
        # 落款 often writes the date in Chinese numerals: 二〇二六年一月二十四日.
        cn_year = "".join("[〇○零O]" if c == "0" else "一二三四五六七八九"[int(c) - 1] for c in y)
        return re.compile(rf"{y}\s*年\s*0?{mo}\s*月\s*0?{d}\s*日"
                          rf"|{cn_year}\s*年\s*{cn_numeral(mo)}\s*月\s*{cn_numeral(d)}\s*日")
    if field == "issuer":
        value = re.split(r"[、，,\s]+", value)[0]
    return re.compile(r"\s*".join(re.escape(c) for c in value if not c.isspace()))


def _value_text(field: str, value: str) -> str:
    if field == "date":
        y, mo, d = value.split("-")
        return f"{y}年{int(mo)}月{int(d)}日"
    return value


def named_hit(kb: "KnowledgeBase", question: str, filters: "FilterInput", scope: set[str] | None) -> Hit | None:
    """The question's best passage from one of the documents it names (`scope`), so the
    version the search prefers (the current one) stands for a family; None when none is found."""
    if not scope:
        return None
    hits = kb.search(question, top_k=10, filters=filters).results
    return next((h for h in hits if h.doc_id in scope), None)


def answer_facts(kb: "KnowledgeBase", question: str, filters: "FilterInput") -> Answer | None:
    """The asked facts of the document the question names, each quoted from its line; None
    when the question asks none, names no document, or its text shows none of them."""
    fields = asked_facts(question)
    if not fields:
        return None
    # The document named by a common name, or by a stretch of its title (「村党组织书记集中轮训的
    # 通知」 for 《…关于开展2026年度村（社区）党组织书记集中轮训的通知》).
    scope = kb.retriever.analyse(question).scope or kb.retriever.catalog().titled(question)
    hit = named_hit(kb, question, filters, scope)
    if hit is None:
        return None
    text = kb.registry.document_text(hit.doc_id) or ""
    stated: list[tuple[str, str, int, int]] = []  # field, value, where the text states it
    for field in fields:
        value = hit.metadata.get(field)
        pattern = _pattern(field, value) if value else None
        m = pattern.search(text) if pattern else None
        if m:
            stated.append((field, _value_text(field, value), m.start(), m.end()))  # type: ignore[arg-type]
    if not stated:
        return None
    chunks = kb.registry.chunks_of(hit.doc_id)
    citations: list[Citation] = []
    lines: list[str] = []
    for field, value, start, end in stated:
        chunk = next((c for c in chunks if c.char_start <= start < c.char_end), None)
        if chunk is None:
            return None
        if not any(c.chunk_id == chunk.id for c in citations):
            cited = kb.retriever.hits([chunk.id], {chunk.id: 1.0}, {})[0]
            citations.append(Citation.of(cited, len(citations) + 1, cited_offsets=[start]))
        n = next(c.n for c in citations if c.chunk_id == chunk.id)
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[line_start:line_end if line_end >= 0 else len(text)].strip()
        if len(line) > 120:  # a long line: the stretch around the value
            line = text[max(line_start, start - 50):end + 50].strip()
        # The line itself when it says more than the value (「（发改投资〔2014〕2674号）」 does not).
        bare = re.sub(r"[（）()\s]", "", line) == re.sub(r"\s", "", value)
        lines.append(f"{_LABEL[field]}：{value}" + ("" if bare else f"（原文：「{line}」）") + f"[{n}]")
    answer = f"《{hit.title}》\n" + "\n".join(lines)
    return Answer(question=question, answer=answer, citations=citations, found=True,
                  pending_vectors=kb.registry.pending_count())
