"""Which of the retrieved passages an answer quotes: a learned choice over what retrieval
and a reader each see in a passage.

Retrieval ranks passages for a list of results; an answer quotes one. The passage that
answers is often second or sixth: the enumerating article below the one that shares more
words, the 2026 target below the 十五五 one, the province named below another's. Each
candidate is described by a few signals (its rank and fused score, its closeness in
meaning, how much of the question its best sentence covers, whether that sentence has
the form the question asks for: a rule, a list, a number, the period named) and a linear
model scores them; the weights are fitted by bench/fit_answer.py on one half of
bench/policy_questions.jsonl (softmax over each question's candidates, the passage that
holds the gold answer as the target) and checked on the other half.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from policykb.answer.relevance import coverage
from policykb.results import Hit
from policykb.text import is_article

FEATURES = (
    "rank",  # 1 / (1 + retrieval rank)
    "fused",  # fused score relative to the first passage's
    "meaning",  # cosine to the query minus the best candidate's, in hundredths (vectors only)
    "keyword",  # 1 / keyword rank (0 when the keyword side did not find it)
    "coverage",  # idf coverage of the question by the passage, its title and headings
    "sentence",  # idf coverage by its best sentence alone, with the title and headings over it
    "form",  # the best sentence has the form the question asks for (rule / list / definition)
    "number",  # a how-many question: how much of it the best sentence stating an amount covers
    "period",  # the passage or its headings speak of the period the question names (今年 / 2026年 / 十五五)
    "scope",  # the passage is in a document the question points at (title, 简称, place)
    "elsewhere",  # the question points at documents and this passage is in none of them
    "fragment",  # a heading or a line too short to answer anything
    "article",  # a numbered article (第X条) of a regulation: the governing provision itself
    "compilation",  # a compilation quoting other documents (清单, 汇总, 汇编, 问答, 解读)
    "enumeration",  # a list or definition question and the passage enumerates (（一）…（二）…)
    "date",  # a when-question and the passage states a full date or 起施行
)

# The direction each signal may push: a fit on a hundred questions may otherwise lean on
# one of two correlated signals against the other (coverage of the passage for, of its
# best sentence against), which reads well on those questions and badly on a new library.
SIGNS: dict[str, int] = {name: 1 for name in FEATURES} | {"elsewhere": -1, "fragment": -1, "compilation": -1}

# Fitted by bench/fit_answer.py on split a of bench/policy_questions.jsonl over the policy
# library with vectors (four collections, 5,294 passages); README "Choosing the passage"
# has split b. A feature's weight is what one unit of it is worth in the softmax.
WEIGHTS: dict[str, float] = {
    "rank": 0, "fused": 0, "meaning": 0.78, "keyword": 1.09,
    "coverage": 6.58, "sentence": 0, "form": 1.72, "number": 1.46,
    "period": 4.07, "scope": 2.66, "elsewhere": -2.66, "fragment": 0,
    "article": 1.57, "compilation": -1.63, "enumeration": 0.58, "date": 1.05,
}
# Without vectors (keyword-only libraries, passages still waiting for theirs) the meaning
# signal is missing and the keyword ranks carry more: fitted the same way on that library
# searched by keyword (bench/fit_answer.py --mode keyword).
LEXICAL_WEIGHTS: dict[str, float] = {
    "rank": 0, "fused": 4.88, "meaning": 0, "keyword": 1.48,
    "coverage": 7.53, "sentence": 0, "form": 1.57, "number": 1.8,
    "period": 4.01, "scope": 2.15, "elsewhere": -2.15, "fragment": 0,
    "article": 2.41, "compilation": -1.31, "enumeration": 1.83, "date": 1.6,
}


@dataclass(frozen=True)
class Question:
    """What the selector needs to know about the question (policykb/retrieval/query.py)."""
    weights: dict[str, float]  # idf of the question's terms
    alternatives: dict[str, list[str]]  # thesaurus: official words for colloquial terms
    intent: str = "fact"
    wants_number: bool = False
    period: tuple[str, ...] = ()
    wants_date: bool = False  # 何时 / 哪天 / 什么时候 施行
    scope: frozenset[str] = frozenset()  # doc ids the question points at
    counted: str = ""  # the unit a 哪几类 / 几种 question counts in (类, 种, 项 …)
    unit: str = ""  # the kind of amount a how-much question asks for (money, people, days …): a pattern


_COMPILATION = re.compile(r"清单|汇总|汇编|摘编|问答|解答|解读|答记者问")
_ITEM = re.compile(r"[（(][一二三四五六七八九十]{1,3}[）)]|(?:^|\n)\s*[一二三四五六七八九十]{1,3}、|(?:^|\n)\s*\d{1,2}[.．、]")
# An amount, a count or a share (「增长5%以上」, 「840亿斤」, 「三年」), not a year or an
# article's number: the sentence that answers 「多少」 states one.
STATED_AMOUNT = re.compile(
    r"(?<![\d.])(?!(?:19|20)\d\d\s*年)\d[\d.,，]*\s*(?:%|％|‰|[万亿千百]|元|个|人|年|月|日|天|次|名|项|倍|公里|平方米|"
    r"吨|斤|小时|学时|周|岁|户|家|所|座|台|辆|件|套|批|场|分)"
    r"|[一二三四五六七八九十两半]+(?:个月|个|年|月|天|日|次|名|人|元|万|亿|小时|学时|工作日|周|倍|项|成|分之|档|级|类|种|桌)"
    r"|百分之|\d+\s*/\s*\d+|[一二三四五六七八九十百千万]+分之[一二三四五六七八九十]+")
# 「哪几类处置方式」 is answered by 「按照谈话函询、初步核实、暂存待查、予以了结4类方式」: the
# passage states how many, in the unit asked.
ASKS_COUNT = re.compile(r"(?:哪几|几)(类|种|项|个方面|方面|级|档|条)")


def counted_in(unit: str, text: str) -> bool:
    return bool(unit) and re.search(r"[\d一二三四五六七八九十两]\s*" + re.escape(unit), text) is not None


# How much, how long, how many (not when: a date question is answered by a date): the
# answer states an amount, or the library does not hold it.
ASKS_AMOUNT = re.compile(r"多少|多长|多久|几[天年月日次个项人名条时岁倍桌档]|比例|上限")


ASKS_DATE = re.compile(r"何时|什么时候|哪天|哪一天|哪年|哪一年|几月|日期|时间|施行|生效")
_FULL_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|起施行|起实施|起执行|之日起")


def features(q: Question, hits: Sequence[Hit], evidence: Sequence[str]) -> list[list[float]]:
    """One row of FEATURES per candidate passage. `evidence[i]` is what a reader sees of
    hit i (title, 文号, headings, text)."""
    from policykb.answer.extractive import INTENT_FORMS, pick_sentences

    if not hits:
        return []
    top_score = hits[0].score or 1.0
    sims = [h.match.get("vector_similarity") for h in hits]
    best_sim = max((s for s in sims if s is not None), default=None)
    form = INTENT_FORMS.get(q.intent)
    rows = []
    for i, h in enumerate(hits):
        best = pick_sentences(q.weights, [h], max_sentences=1, alternatives=q.alternatives,
                              lead_ins=q.intent in ("list", "define"))
        sentence = best[0].sentence if best else ""
        kw = h.match.get("keyword_rank")
        sim = sims[i]
        if best_sim is None:
            meaning = 0.0
        else:  # not among the vector side's candidates: further than any that were
            meaning = 100 * ((sim if sim is not None else min(s for s in sims if s is not None) - 0.02) - best_sim)
        rows.append([
            1.0 / (1 + i),
            (h.score or 0.0) / top_score,
            meaning,
            1.0 / kw if kw else 0.0,
            coverage(q.weights, evidence[i], q.alternatives),
            coverage(q.weights, " ".join([h.title or "", *h.section_path, sentence]), q.alternatives)
            if sentence else 0.0,
            1.0 if form is not None and sentence and form.search(sentence) else 0.0,
            amount_coverage(q, h) if q.wants_number else 0.0,
            1.0 if q.period and any(w in h.text or any(w in p for p in h.section_path) for w in _period(q, h)) else 0.0,
            1.0 if q.scope and h.doc_id in q.scope else 0.0,
            1.0 if q.scope and h.doc_id not in q.scope else 0.0,
            1.0 if not sentence or len(re.sub(r"\s", "", h.text)) < 30 else 0.0,
            1.0 if is_article(h.text, h.section_path) else 0.0,
            1.0 if h.title and _COMPILATION.search(h.title) else 0.0,
            1.0 if q.intent in ("list", "define") and (len(_ITEM.findall(h.text)) >= 2
                                                         or counted_in(q.counted, h.text)) else 0.0,
            1.0 if q.wants_date and _FULL_DATE.search(h.text) else 0.0,
        ])
    return rows


def _period(q: Question, h: Hit) -> tuple[str, ...]:
    """The words that mark the period asked about in this passage: 今年 in a 2026 report is
    also 「2026年」 (its heading 「三、2026年工作安排」 says so, not 今年)."""
    if "今年" not in q.period:
        return q.period
    year = (h.metadata.get("date") or "")[:4]
    return (*q.period, f"{year}年") if year.isdigit() else q.period


_NUMBER = r"(?:\d[\d.,，]*|[一二三四五六七八九十百千两半]+)\s*[万亿千百]?\s*"
# The kind of amount a how-much question asks for, and the units that state it: 「一顿饭标准
# 多少钱」 is not answered by 「陪餐人数不得超过3人」.
_ASKED_UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"多少钱|几块钱|多少元|多少万元|多少美元|价格|金额|钱数"), r"元|美元|欧元"),
    (re.compile(r"多少人|几个人|几人|几名|多少名"), r"个?人|名"),
    (re.compile(r"几天|多少天|几日|几个工作日"), r"个?(?:工作)?日|天"),
    (re.compile(r"几年|多少年"), r"年"),
    (re.compile(r"几次|多少次"), r"次"),
    (re.compile(r"比例|占多少|百分之几|几成"), r"%|％|‰|成"),
    # 「GDP增速目标定的多少」, 「失业率控制在多少」: a rate is stated in percent, not by
    # 「统筹国内国际两个大局」; a rank (「增速排第几」) is not a rate.
    (re.compile(r"(?:增速|增幅|涨幅|降幅|增长率|增长目标|增长|[^效频汇]率)[^，。？?第排]{0,6}(?:多少|几)(?!名|位)"),
     r"%|％|‰|成|个百分点"),
)


def asked_unit(question: str) -> str:
    """The pattern an amount must match to be of the kind the question asks for, or ""."""
    for asks, units in _ASKED_UNITS:
        if asks.search(question):
            return f"{_NUMBER}(?:{units})|百分之|分之|\\d+\\s*/\\s*\\d+" if "%" in units else f"{_NUMBER}(?:{units})"
    return ""


def amount_coverage(q: Question, h: Hit) -> float:
    """Coverage of the question by the passage's best sentence that states an amount, read
    under its title and headings: 「今年是十五五开局之年…」 shares the question's words but
    states no target."""
    from policykb.text import sentence_texts

    # What the title and headings already say (the province, the year) is no evidence that
    # this sentence is the answer: the sentence is measured on the rest of the question.
    head = " ".join([h.title or "", *h.section_path]).lower()
    rest = {t: w for t, w in q.weights.items() if t not in head} or q.weights
    unit = re.compile(q.unit) if q.unit else None
    stating = (s for s in sentence_texts(h.text)
               if STATED_AMOUNT.search(bare := _SLOGAN.sub("", s)) and (unit is None or unit.search(bare)))
    return max((coverage(rest, s, q.alternatives) for s in stating), default=0.0)


# 「“两个确立”」, 「“四个意识”」, 「“3个100万”」: a slogan in quotation marks counts nothing.
_SLOGAN = re.compile(r"[“\"「][^”\"」\n]{1,10}[”\"」]")


def states_amount(sentence: str) -> bool:
    """Does the sentence state an amount, a count or a share (not a year, an article's
    number or a numbered slogan)?"""
    return STATED_AMOUNT.search(_SLOGAN.sub("", sentence)) is not None


def scores(rows: Sequence[Sequence[float]], weights: dict[str, float]) -> list[float]:
    w = [weights.get(name, 0.0) for name in FEATURES]
    return [math.fsum(a * b for a, b in zip(w, row)) for row in rows]


# A second passage is quoted beside the first when the selector is unsure between them:
# its probability at least this share of the first's (bench/fit_answer.py --also).
ALSO_RATIO = 0.3


def ranked(q: Question, hits: Sequence[Hit], evidence: Sequence[str], *, with_vectors: bool
           ) -> list[tuple[int, float]]:
    """(candidate index, score) best first; ties keep retrieval's order. exp(score
    difference) is the ratio of two candidates' probabilities of being the answer."""
    weights = WEIGHTS if with_vectors else LEXICAL_WEIGHTS
    s = scores(features(q, hits, evidence), weights)
    return sorted(((i, s[i]) for i in range(len(hits))), key=lambda t: (-t[1], t[0]))


def also_quoted(first: float, other: float) -> bool:
    """Is a candidate close enough to the chosen one to be quoted beside it?"""
    return math.exp(other - first) >= ALSO_RATIO
