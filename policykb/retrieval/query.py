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

from policykb.retrieval.catalog import ORG_ALIASES, PROVINCES, Catalog, bare_title, places_in
from policykb.text import fold

_LIST = re.compile(r"(?:主要)?内容是什么|有什么内容|有哪些|有哪几|包括哪|包含哪|哪几[种类项个方面条]|分为|分哪|都有什么|有什么(?:方式|形式|种类|情形|要求|措施|内容)|哪些")
_DEFINE = re.compile(r"是指什么|是什么意思|什么是|指的是|含义|定义")
_PERMIT = re.compile(r"能不能|能否|可不可以|可以.{0,12}吗|允许.{0,12}吗|准不准|是否(?:可以|允许|能够?)|能.{0,10}吗|让不让|行不行")
_QUANTITY = re.compile(r"多少|多长|多久|几[天年月日次个项人名条号时岁倍道]|何时|什么时候|哪天|哪年|期限|比例|标准是|上限|不超过")
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d{1,4}\s*号")


@dataclass
class QueryAnalysis:
    question: str
    intent: str = "fact"  # list | define | who | permit | quantity | fact
    years: list[int] = field(default_factory=list)
    named_docs: set[str] = field(default_factory=set)  # documents named by title, 简称 or 文号
    named_by: list[str] = field(default_factory=list)  # the names found, longest first
    place_docs: set[str] | None = None  # documents of the places / organisations named; None: none named
    places: list[str] = field(default_factory=list)
    unknown_places: list[str] = field(default_factory=list)  # places named that no document is from
    places_geo: bool = False  # a province, city or county among them (not only organisations)
    version_missing: bool = False  # a version year named that the named documents do not have
    unknown_names: list[str] = field(default_factory=list)  # document names no document answers to
    mentions_issuer: bool = False  # a place or an organisation is named, whether or not it narrows

    @property
    def pointed(self) -> bool:
        """Does the question point at documents by name, 文号, year, place or issuer? Such a
        question is matched by its words; one that points at nothing is asked in its own
        words and is matched better by meaning."""
        return bool(self.named_docs or self.years or self.mentions_issuer or self.unknown_places)

    @property
    def scope(self) -> set[str] | None:
        """The documents retrieval favours: those the question names, narrowed by place
        when both are given (「四川省政府工作报告」). A place alone does not narrow retrieval:
        on the ncp notices that cost 0.02 MRR@10, and a title sharing the place's name
        already weighs its document up (catalog.titled)."""
        if self.named_docs and self.place_docs is not None:
            return (self.named_docs & self.place_docs) or self.named_docs
        return self.named_docs or None

    @property
    def answer_scope(self) -> set[str] | None:
        """The documents an answer should come from: the scope, or the place's own."""
        return self.scope or self.place_docs


# Who decides, approves or answers for something: 「终审由谁负责」, 「哪个部门审批」.
_WHO = re.compile(r"由谁|谁来|谁负责|谁审批|谁批准?|谁决定|谁牵头|哪个部门|哪个单位|哪个机关|哪一级|哪级|什么部门|什么机关")


def intent_of(question: str) -> str:
    if _DEFINE.search(question):
        return "define"
    if _LIST.search(question):
        return "list"
    if _WHO.search(question):
        return "who"
    if _PERMIT.search(question):
        return "permit"
    if _QUANTITY.search(question):
        return "quantity"
    return "fact"


# A name matching more documents than this names a kind (政府工作报告), not a document.
MAX_NAMED = 12
MAX_PLACE_DOCS = 3  # a place names its documents only when it has this few
# Abbreviated names are looked for only before the kinds of text officials abbreviate
# (「处分条例」, 「差旅费办法」); 「…的通知」 in a question is rarely a document's name.
_SUFFIX = re.compile(r"(?:办法|条例|规定|准则|细则|规则|规程|章程|纲要|法)")
_YEAR_AT = re.compile(r"((?:19[4-9]|20[0-4])\d)\s*年?\s*(版|修订|修正)?")


def _subsequence(phrase: str, alias: str) -> bool:
    it = iter(alias)
    return all(ch in it for ch in phrase)


def find_names(compact: str, catalog: Catalog) -> list[tuple[int, str, set[str]]]:
    """(position, alias) of each document name in the question: exact aliases, longest
    first, and abbreviations of them (「公车管理办法」 for 公务用车管理办法, 「处分条例」 for
    纪律处分条例: the question's words in order inside the name, most of it, or the name's
    last five characters or more)."""
    spans: list[tuple[int, int, str, set[str]]] = []
    for alias in catalog.alias_docs:
        at = compact.find(alias)
        if at >= 0:
            spans.append((at, at + len(alias), alias, set(catalog.alias_docs[alias])))
    for m in _SUFFIX.finditer(compact):
        end, suffix = m.end(), m.group(0)
        for length in range(min(14, end), len(suffix) + 1, -1):
            phrase = compact[end - length:end]
            # Most of the name in order, or its distinctive tail (「政务处分法」 for 公职人员政务
            # 处分法, 「楼堂馆所管理条例」 for 机关团体建设楼堂馆所管理条例).
            matches = [a for a in catalog.aliases_ending(suffix)
                       if (len(phrase) >= 0.6 * len(a) and _subsequence(phrase, a))
                       or (len(phrase) >= 5 and a.endswith(phrase))]
            if matches:
                # Every name it abbreviates: 「政府工作报告」 names them all, a kind.
                docs = set().union(*(catalog.alias_docs[a] for a in matches))
                spans.append((end - length, end, phrase, docs))
                break
    # Most of a title, word for word (「违反八项规定清单80条」): a name even without an alias.
    spans.extend(catalog.title_stretches(compact))
    # Longer names first; a name inside a longer one found adds nothing.
    found: list[tuple[int, str, set[str]]] = []
    taken: list[tuple[int, int]] = []
    for start, end, name, docs in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if any(start < b and a < end for a, b in taken):
            continue
        found.append((start, name, docs))
        taken.append((start, end))
    return sorted(found, key=lambda f: f[0])


def analyse(question: str, catalog: Catalog | None) -> QueryAnalysis:
    q = fold(question)
    qa = QueryAnalysis(question=question, intent=intent_of(question))
    if catalog is None or not catalog.docs:
        qa.years = sorted({int(m.group(1)) for m in _YEAR_AT.finditer(q) if m.group(2)})
        return qa
    compact = re.sub(r"[\s《》〈〉“”\"'「」]", "", q)
    names = find_names(compact, catalog)
    # A year is a version's when it qualifies a name (「2015年纪律处分条例」, 「2025年四川省政府
    # 工作报告」) or says 版 / 修订; other years (「到2035年」) are only anchors.
    years = set()
    for m in _YEAR_AT.finditer(compact):
        if m.group(2) or any(0 <= at - m.end() <= 8 for at, _, _ in names):
            years.add(int(m.group(1)))
    qa.years = sorted(years)
    named: set[str] = set()
    for _, alias, ids in names:
        if len(ids) <= MAX_NAMED or qa.years or _mentions_place(compact):
            named |= ids
    if not names:
        by_year, year_named = _kind_of_year(compact, catalog)
        named |= by_year
        qa.years = sorted({*qa.years, *year_named})
    for m in _DOC_NO.finditer(question):
        named |= catalog.doc_no_docs.get(fold(re.sub(r"\s", "", m.group(0))), set())
    qa.named_docs, qa.named_by = named, [a for _, a, _ in names]
    qa.unknown_names = unknown_names(q, compact, names)

    for short, long in ORG_ALIASES.items():
        if short in compact:
            compact = compact.replace(short, long)
    places = [p for p in places_in(compact) if p in catalog.place_docs or p.rstrip("省市") in catalog.place_docs]
    qa.unknown_places = [p for p in places_in(compact) if p not in places and p.rstrip("省市") not in PROVINCES
                         or (p in PROVINCES and p not in catalog.place_docs)]
    # 「深圳市2026年政府工作报告」 names a place's own report: another report that mentions
    # 深圳 does not honour it, so it counts as a document the library does not hold.
    for p in qa.unknown_places:
        m = re.search(re.escape(p) + _PLACE_REPORT, compact)
        if m:
            qa.unknown_names.append(m.group(0))
    orgs = [org for org in catalog.org_docs if org in compact]
    qa.mentions_issuer = bool(places or orgs or places_in(compact))
    if places or orgs:
        # A place or organisation points at documents only when few come from it: 「四川省」
        # names the province's own report, 「上海」 among thirty notices that mention it
        # names nothing.
        docs: set[str] = set()
        for p in places:
            docs |= catalog.place_docs.get(p, set()) | catalog.place_docs.get(p.rstrip("省市"), set())
        for o in orgs:
            docs |= catalog.org_docs[o]
        if len(docs) <= MAX_PLACE_DOCS:
            qa.place_docs, qa.places = docs, [*places, *orgs]
            qa.places_geo = bool(places)
        # 「黑龙江2026年的政府工作报告」 names the place's own report: not the reports whose bare
        # title 「政府工作报告」 matched the name, which come from other provinces.
        own = {d for p in places if re.search(re.escape(p) + r"(?:省|市|自治区)?" + _PLACE_REPORT, compact)
               for d in catalog.place_docs.get(p, set()) | catalog.place_docs.get(p.rstrip("省市"), set())
               if _REPORT_TITLE.search(catalog.docs[d].title or "")}
        if own:
            qa.named_docs = own
    if qa.years and qa.scope:
        same_year = {d for d in qa.scope if catalog.years.get(d) in qa.years}
        if same_year:
            qa.named_docs = same_year if qa.named_docs else qa.named_docs
            if qa.place_docs is not None:
                qa.place_docs = same_year
        else:
            qa.version_missing = True  # 「2025年四川省政府工作报告」 where the library has 2026's
    return qa


_REPORT_TITLE = re.compile(r"报告|公报|规划|计划")
# The reports a place issues under its own name (a year may come between).
_PLACE_REPORT = (r"(?:人民)?(?:政府)?(?:(?:19|20)\d{2}年度?)?(?:的)?"
                 r"(?:政府工作报告|工作报告|施政报告|统计公报|国民经济和社会发展[^，。？?]{0,12}(?:规划|公报|计划))")


# What reads as the name of a document: 《…》, or a name ending in a kind of text that is
# cited by name (条例, 办法, 细则, 公报, 施政报告, 一号文件, a law's …法).
_QUOTED_NAME = re.compile(r"《([^《》]{2,40})》")
_BARE_NAME = re.compile(r"[\u4e00-\u9fff\d]{2,16}?(?:条例|实施细则|公报|施政报告|一号文件)"
                        r"|[\u4e00-\u9fff\d]{2,16}?(?:细则|办法|法)(?:(?![\u4e00-\u9fff])|(?=[里中对的有是关规第怎]))")
# A question's own words run into a name from the left (「对于乡村振兴促进法」): the name
# starts after the last of these.
_BEFORE_NAME = re.compile(r".*[的了和与及在对是为按照根据依据关于看查问说讲从]")
# 「办法」 or 「说法」 as words, not names: the character before 法 or the whole phrase.
_NOT_A_LAW = "方办做说违依合执司立犯守用想看手写非章书算语文技疗变"
_GENERIC = re.compile(r"^(?:什么|哪些|哪个|相关|有关|这个|那个|这部|那部|该|本|具体|管理|处理|解决|实施)")


def unknown_names(question: str, compact: str, names: list[tuple[int, str, set[str]]]) -> list[str]:
    """Names of documents the question cites that no document of the library answers to
    (「乡村振兴促进法」, 「中央一号文件」 in a library without them): a pointer no passage can
    honour, like a place no document comes from."""
    spans = [(at, at + len(alias)) for at, alias, _ in names]
    out: list[str] = []
    # 《》 are gone from the compact question the names were found in: a quoted name is
    # looked up there by its text.
    quoted = [re.sub(r"[\s“”\"'「」]", "", m.group(1)) for m in _QUOTED_NAME.finditer(question)]
    candidates = [(compact.find(name), name) for name in quoted if name and compact.find(name) >= 0]
    for m in _BARE_NAME.finditer(compact):
        name = _BEFORE_NAME.sub("", m.group(0))
        candidates.append((m.end() - len(name), name))
    for at, name in candidates:
        core = re.sub(r"(?:条例|实施细则|细则|办法|公报|施政报告|一号文件|法)$", "", name)
        # 「2015年条例」 names a version by its year and kind (_kind_of_year), not a document.
        core = re.sub(r"^\d{4}\s*年?(?:版|修订|修正)?(?:的)?", "", core)
        if len(core) < 2 or _GENERIC.match(name) or (name.endswith("法") and not name.endswith(
                ("条例", "办法")) and (len(core) < 3 or core[-1] in _NOT_A_LAW)):
            continue
        if any(a < at + len(name) and at < b for a, b in spans):
            continue  # the library has it (or a document that name abbreviates)
        out.append(name)
    return list(dict.fromkeys(out))


_KIND_OF_YEAR = re.compile(r"((?:19[4-9]|20[0-4])\d)\s*年(?:版|修订|修正)?(?:的)?(条例|规定|办法|准则|细则|规则)")


def _kind_of_year(compact: str, catalog: Catalog) -> tuple[set[str], set[int]]:
    """「2015年条例」, 「2018年版规定」: officials name a version by its year and its kind
    alone when the subject makes the rest plain. The documents of that kind from that
    year, when there are few."""
    found: set[str] = set()
    years: set[int] = set()
    for m in _KIND_OF_YEAR.finditer(compact):
        year, kind = int(m.group(1)), m.group(2)
        docs = {d for d, r in catalog.docs.items()
                if catalog.years.get(d) == year and re.sub(r"[（(][^）)]*[）)]$", "", bare_title(r.title)).rstrip()
                .rstrip("0123456789 ").endswith(kind)}
        if 0 < len(docs) <= MAX_NAMED:
            found |= docs
            years.add(year)
    return found, years


def _mentions_place(text: str) -> bool:
    return any(p in text for p in PROVINCES) or bool(re.search(r"[\u4e00-\u9fff]{2,4}[省市县]", text))
