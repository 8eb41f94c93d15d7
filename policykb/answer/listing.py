"""Listing questions answered from the registry, completely, not from the top passages:
「2026年一季度印发了哪些文件」, 「纪律处分条例有哪些版本」, 「组织部今年发了哪些通知」.

`detect` is a pure function from a question (and today's date) to the filters it states;
`answer_listing` runs them against the registry and writes the cited list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as _date
from typing import TYPE_CHECKING

from policykb.results import Answer, Citation

if TYPE_CHECKING:
    from policykb.filters import FilterInput
    from policykb.registry import StoredDocument
    from policykb.service import KnowledgeBase

MAX_LISTED = 200

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_VERSIONS = re.compile(r"^(?:请问)?[《]?(?P<name>[^《》？?，,]{2,60}?)[》]?(?:都|一共|共)?(?:有|包括)?哪些(?:历史)?版本|"
                       r"^(?:请问)?[《]?(?P<name2>[^《》？?，,]{2,60}?)[》]?的(?:历史|各个|所有)版本")
_LIST = re.compile(r"(?:印发|发布|出台|下发|制定|发)了?(?:哪些|什么|几个|多少)|哪些(?:文件|通知|意见|办法|规定|条例|讲话|方案|通报)|"
                   r"(?:列出|列举)(?:所有|全部)?")
_KIND = re.compile(r"(?:哪些|什么|几个|多少|所有|全部)(?:个|件|份)?(文件|通知|意见|办法|规定|条例|讲话|方案|通报|决定|案例|报告)")
_KIND_AT_END = re.compile(r"(文件|通知|意见|办法|规定|条例|讲话|方案|通报|决定|案例|报告)$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年|(今年|本年|去年|上一年)")
_QUARTER = re.compile(r"(?:第?([一二三四1-4])\s*季度|[Qq]([1-4]))|(本季度|这个季度|这季度|上季度|上个季度)")
_MONTH = re.compile(r"(?<![\d季])(1[0-2]|[1-9])\s*月(?:份)?")
_ISSUER = re.compile(r"^(?:请问)?(?P<issuer>[\u4e00-\u9fa5]{2,30}?)(?:在|于)?(?:(?:19|20)\d{2}\s*年|今年|本年|去年|上一年|本季度|"
                     r"这个季度|上季度|第?[一二三四]季度|\d{1,2}月|近期|最近)*(?:印发|发布|出台|下发|制定|发)了?")
_TOPIC = re.compile(r"哪些(?P<topic>[^，,。？?]{2,30}?)的?(?:文件|通知|意见|办法|规定|条例|讲话|方案|通报|决定|案例|报告|政策|措施)$")
# Words that say nothing about which documents: 「支持…发展的」「关于…工作的」.
_TOPIC_STOP = {"关于", "有关", "相关", "方面", "领域", "工作", "支持", "发展", "加强", "推进", "促进", "推动", "进一步",
               "做好", "开展", "若干", "全面", "深入", "实施", "落实"}
_NOT_ISSUER = re.compile(r"^(?:(?:19|20)\d{2}|今年|本年|去年|本季度|这个季度|上季度|近期|最近|第?[一二三四]季度|全省|全市|我们|我省|上级)")


@dataclass(frozen=True)
class ListingQuery:
    family: str | None = None  # a 「…有哪些版本」 question: the name of the regulation
    issuer: str | None = None
    doc_type: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    topic: tuple[str, ...] = ()  # 「哪些关于数据安全的政策」: words every listed title contains

    @property
    def period(self) -> str:
        """2026Q1 → 2026年第一季度, 2026-03 → 2026年3月, 2026 → 2026年."""
        value = self.date_from or ""
        m = re.fullmatch(r"(\d{4})(?:Q([1-4])|-(\d{2}))?", value)
        if not m:
            return value
        if m.group(2):
            return f"{m.group(1)}年第{'一二三四'[int(m.group(2)) - 1]}季度"
        return f"{m.group(1)}年" + (f"{int(m.group(3))}月" if m.group(3) else "")


def detect(question: str, today: str | None = None) -> ListingQuery | None:
    """The registry filters a listing question states, or None for any other question."""
    q = re.sub(r"\s+", "", question or "").rstrip("？?。!！")
    if not q:
        return None
    m = _VERSIONS.search(q)
    if m:
        name = (m.group("name") or m.group("name2") or "").strip("《》的")
        return ListingQuery(family=name) if name else None
    if not _LIST.search(q):
        return None
    year_now, month_now = _today(today)
    year = None
    y = _YEAR.search(q)
    if y:
        year = int(y.group(1)) if y.group(1) else (year_now - 1 if y.group(2) in ("去年", "上一年") else year_now)
    date_from = date_to = None
    quarter = _QUARTER.search(q)
    month = _MONTH.search(q)
    if quarter:
        if quarter.group(3):
            current = (month_now - 1) // 3 + 1
            n, qy = (current, year_now) if quarter.group(3) in ("本季度", "这个季度", "这季度") else \
                ((current - 1, year_now) if current > 1 else (4, year_now - 1))
            year = year or qy
        else:
            n = _CN_NUM[quarter.group(1) or quarter.group(2)]
            year = year or year_now
        date_from = date_to = f"{year}Q{n}"
    elif month:
        year = year or year_now
        date_from = date_to = f"{year}-{int(month.group(1)):02d}"
    elif year:
        date_from = date_to = str(year)
    kind = _KIND.search(q) or (_TOPIC.search(q) and _KIND_AT_END.search(q))
    doc_type = kind.group(1) if kind and kind.group(1) != "文件" else None
    issuer = None
    im = _ISSUER.search(q)
    if im and not _NOT_ISSUER.match(im.group("issuer")):
        issuer = im.group("issuer")
    issued = re.search(r"(?:印发|发布|出台|下发|制定|发)了?(?:哪些|什么|几个|多少)", q)
    if not (date_from or issuer or (doc_type and issued)):
        return None  # 「有哪些规定要求…」 asks about content, not for a list
    return ListingQuery(issuer=issuer, doc_type=doc_type, date_from=date_from, date_to=date_to,
                        topic=_topic_words(q))


def _topic_words(question: str) -> tuple[str, ...]:
    m = _TOPIC.search(question)
    if not m:
        return ()
    import jieba

    words = [w for w in jieba.lcut(m.group("topic")) if len(w) >= 2 and w not in _TOPIC_STOP]
    return tuple(dict.fromkeys(words))


def _today(today: str | None) -> tuple[int, int]:
    d = _date.fromisoformat(today) if today else _date.today()
    return d.year, d.month


def _where(doc: "StoredDocument") -> str:
    parts = [p for p in (doc.doc_no, doc.issuer, doc.date) if p]
    return "（" + "，".join(parts) + "）" if parts else ""


def answer_listing(kb: "KnowledgeBase", question: str, filters: "FilterInput" = None, today: str | None = None
                   ) -> Answer | None:
    """The complete cited list a listing question asks for, or None (not a listing
    question, or nothing in the library matches: ordinary retrieval then tries)."""
    from policykb import lineage
    from policykb.filters import SearchFilters

    query = detect(question, today)
    if query is None:
        return None
    given = SearchFilters.from_any(filters)
    if query.family is not None:
        docs = _family_documents(kb, query.family)
        if not docs:
            return None
        lines = [f"《{docs[-1].family or query.family}》在库中共有 {len(docs)} 个版本（按时间先后）："]
        for i, d in enumerate(docs, 1):
            note = f"，{d.validity_note}" if d.validity_note and d.validity != "现行有效" else ""
            lines.append(f"{i}. {lineage.version_label(d)}《{d.title}》：{d.validity}{note}[{i}]")
    else:
        flt = SearchFilters(issuer=given.issuer or query.issuer, doc_type=given.doc_type or query.doc_type,
                            date_from=given.date_from or query.date_from, date_to=given.date_to or query.date_to)
        if query.topic:  # every topic word in the title; the list stays complete within it
            docs = [d for d in kb.list_documents(flt, sort="date_asc", limit=100_000)[0]
                    if all(w in (d.title or "") for w in query.topic)]
            total = len(docs)
            docs = docs[:MAX_LISTED]
        else:
            docs, total = kb.list_documents(flt, sort="date_asc", limit=MAX_LISTED)
        if not docs:
            return None
        about = f"标题含「{'、'.join(query.topic)}」的" if query.topic else ""
        scope = "".join(x for x in (query.period, query.issuer or "", about, query.doc_type or "文件") if x)
        lines = [f"库中{scope}共 {total} 件（按日期先后）："]
        for i, d in enumerate(docs, 1):
            mark = f"〔{d.validity}〕" if d.validity != "现行有效" else ""
            lines.append(f"{i}. 《{d.title or d.filename}》{_where(d)}{mark}[{i}]")
        if total > len(docs):
            lines.append(f"（另有 {total - len(docs)} 件未列出，请缩小范围或在文库中查看。）")
    citations = [_citation(kb, d, i) for i, d in enumerate(docs, 1)]
    return Answer(question=question, answer="\n".join(lines), citations=citations, found=True, answerer="listing",
                  pending_vectors=kb.registry.pending_count())


def _family_documents(kb: "KnowledgeBase", name: str) -> list["StoredDocument"]:
    from policykb import lineage
    from policykb.versions import family_key

    key = family_key(name)
    members = kb.registry.family_members(key) if key else []
    if not members:  # 简称: 「纪律处分条例」 for 中国共产党纪律处分条例
        found, _ = kb.list_documents(title=name, limit=MAX_LISTED)
        families = {d.family for d in found if d.family}
        if len(families) != 1:
            return []
        members = kb.registry.family_members(families.pop())
    return lineage.family_of(kb.registry, members[0]) if members else []


def _citation(kb: "KnowledgeBase", doc: "StoredDocument", n: int) -> Citation:
    """A document cited by its opening passage."""
    chunks = kb.registry.chunks_of(doc.id)
    first = chunks[0] if chunks else None
    return Citation(
        chunk_id=first.id if first else "", doc_id=doc.id, title=doc.title, source_path=doc.source_path,
        section_path=list(first.section_path) if first else [], text=first.text if first else "",
        char_start=first.char_start if first else 0, char_end=first.char_end if first else 0,
        page=first.page if first else None, score=1.0, metadata=doc.metadata(), match={}, n=n,
    )
