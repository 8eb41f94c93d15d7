"""What a question asks and whose text it means: pure functions over the question and the
library's catalog.

- kind of answer wanted: a list (有哪些 / 包括哪些 / 分为), a definition (是指 / 什么是), a
  permission (能不能 / 可以…吗), a quantity (多少 / 几 / 期限), or a plain fact;
- documents named by their common name, 简称 or 文号;
- places and organisations named (四川省…, 中央纪委…) and the documents they issued;
- years named (2015年版, 2018年) and whether the question pins a version at all.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.retrieval.catalog import ORG_ALIASES, PROVINCES, Catalog, places_in
from policykb.text import fold

_LIST = re.compile(r"有哪些|有哪几|包括哪|包含哪|哪几[种类项个方面条]|分为|分哪|都有什么|有什么(?:方式|形式|种类|情形|要求|措施|内容)|哪些")
_DEFINE = re.compile(r"是指什么|是什么意思|什么是|指的是|含义|定义")
_PERMIT = re.compile(r"能不能|能否|可不可以|可以.{0,12}吗|允许.{0,12}吗|准不准|是否(?:可以|允许|能够?)|能.{0,10}吗|让不让|行不行")
_QUANTITY = re.compile(r"多少|多长|多久|几[天年月日次个项人名条号时岁倍道]|何时|什么时候|哪天|哪年|期限|比例|标准是|上限|不超过")
_YEAR = re.compile(r"(19[4-9]\d|20[0-4]\d)\s*(?:年|版)")
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号")


@dataclass
class QueryAnalysis:
    question: str
    intent: str = "fact"  # list | define | permit | quantity | fact
    years: list[int] = field(default_factory=list)
    named_docs: set[str] = field(default_factory=set)  # documents named by title, 简称 or 文号
    named_by: list[str] = field(default_factory=list)  # the names found, longest first
    place_docs: set[str] | None = None  # documents of the places / organisations named; None: none named
    places: list[str] = field(default_factory=list)

    @property
    def scope(self) -> set[str] | None:
        """The documents the question points at: named ones, narrowed by place when both
        are given (「四川省政府工作报告」), or the place's documents alone."""
        if self.named_docs and self.place_docs is not None:
            both = self.named_docs & self.place_docs
            return both or self.place_docs
        if self.named_docs:
            return self.named_docs
        return self.place_docs


def intent_of(question: str) -> str:
    if _DEFINE.search(question):
        return "define"
    if _LIST.search(question):
        return "list"
    if _PERMIT.search(question):
        return "permit"
    if _QUANTITY.search(question):
        return "quantity"
    return "fact"


# A name matching more documents than this names a kind (政府工作报告), not a document.
MAX_NAMED = 12


def analyse(question: str, catalog: Catalog | None) -> QueryAnalysis:
    q = fold(question)
    qa = QueryAnalysis(question=question, intent=intent_of(question),
                       years=sorted({int(y) for y in _YEAR.findall(q)}))
    if catalog is None or not catalog.docs:
        return qa
    compact = re.sub(r"[\s《》〈〉“”\"'「」]", "", q)
    # Names: the longest aliases first; a shorter alias inside a longer one found adds nothing.
    found: list[str] = []
    for alias in sorted(catalog.alias_docs, key=len, reverse=True):
        if alias in compact and not any(alias in f for f in found):
            found.append(alias)
    named: set[str] = set()
    for alias in found:
        ids = catalog.alias_docs[alias]
        if len(ids) <= MAX_NAMED or qa.years or _mentions_place(compact):
            named |= ids
    for m in _DOC_NO.finditer(question):
        named |= catalog.doc_no_docs.get(fold(re.sub(r"\s", "", m.group(0))), set())
    qa.named_docs, qa.named_by = named, found

    places = [p for p in places_in(compact) if p in catalog.place_docs or p.rstrip("省市") in catalog.place_docs]
    orgs = []
    for short, long in ORG_ALIASES.items():
        if short in compact:
            compact = compact.replace(short, long)
    for org in catalog.org_docs:
        if org in compact:
            orgs.append(org)
    if places or orgs:
        docs: set[str] = set()
        for p in places:
            docs |= catalog.place_docs.get(p, set()) | catalog.place_docs.get(p.rstrip("省市"), set())
        for o in orgs:
            docs |= catalog.org_docs[o]
        qa.place_docs, qa.places = docs, [*places, *orgs]
    if qa.years and qa.named_docs:
        # 「2015年版纪律处分条例」: the version of that year, where the family has one.
        same_year = {d for d in qa.named_docs if catalog.years.get(d) in qa.years}
        if same_year:
            qa.named_docs = same_year
    return qa


def _mentions_place(text: str) -> bool:
    return any(p in text for p in PROVINCES) or bool(re.search(r"[\u4e00-\u9fff]{2,4}[省市县]", text))
