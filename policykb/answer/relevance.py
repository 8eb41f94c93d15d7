"""Is a passage about the question at all? Pure functions over tokens and idf.

BM25 and cosine scores are not comparable across queries, so the gate asks a question a
reader would: how much of what the question is about (its rare terms count more) appears
in the passage?
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from policykb.index.keyword.bm25 import weight_idf
from policykb.text import cn_int, fold


def idf_weights(tokens: Iterable[str], doc_freq: dict[str, int], n_docs: int) -> dict[str, float]:
    """Each term weighed by BM25's weighing idf (policykb/index/keyword/bm25.py, not the
    ranking one: every term keeps some weight); a term the library has never seen weighs
    the most."""
    return {t: weight_idf(n_docs, doc_freq.get(t, 0)) for t in tokens}


_ASIDE = re.compile(r"[（(][^（）()\n]{1,6}[）)]")


# What a term written as an abbreviation of the text's words counts for (below).
ABBREVIATION_CREDIT = 1.0


@lru_cache(maxsize=4096)
def _abbreviation(term: str) -> re.Pattern[str] | None:
    """Chinese shortens a phrase by keeping some of its characters in order: 初核 is
    初步核实, 降岗 降低岗位等级, 车改 公务用车制度改革, 处分期 处分的期间. A term of 2–4 Chinese
    characters matches text holding them in order, each within a few characters of the
    last and inside one clause."""
    if not 2 <= len(term) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in term):
        return None
    gap = "[^，。；：、\n]{0,3}"
    return re.compile(gap.join(re.escape(c) for c in term))


def abbreviates(term: str, text: str) -> bool:
    pattern = _abbreviation(term)
    return pattern is not None and pattern.search(text) is not None


def coverage(weights: dict[str, float], text: str, alternatives: dict[str, list[str]] | None = None, *,
             abbreviations: bool = True) -> float:
    """Share of the question's idf weight whose terms occur in `text` (0..1). A term with
    `alternatives` (the official words a colloquial one stands for, from the thesaurus)
    counts when any of them occurs; a term the text spells out in full (初核 → 初步核实)
    counts ABBREVIATION_CREDIT of its weight."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    lowered = text.lower()
    # 「村（社区）党组织书记」 is what a question calls 「村党组织书记」: short asides in
    # brackets are read both ways.
    bare = _ASIDE.sub("", lowered) if "（" in lowered or "(" in lowered else lowered
    alternatives = alternatives or {}
    got = 0.0
    for t, w in weights.items():
        if t in lowered or (bare is not lowered and t in bare) or any(a in lowered for a in alternatives.get(t, ())):
            got += w
        elif abbreviations and ABBREVIATION_CREDIT and abbreviates(t, lowered):
            got += ABBREVIATION_CREDIT * w
    return got / total


_ANCHOR = re.compile(r"\d{2,}|第[一二三四五六七八九十百千零〇两]+[条章节编款项]")


def anchors(question: str) -> list[str]:
    """Numbers (years, amounts) and article references a question is pinned to: an
    answer about the 2016 report, or about 第一百四十九条, does not answer a question about
    2020 or 第一百五十条, however many other words match."""
    return list(dict.fromkeys(_ANCHOR.findall(fold(question, lower=False))))


_CN_NUMBER = re.compile(r"[一二两三四五六七八九十百千万〇零]{2,}")
_ORDINAL = re.compile(r"第[一二两三四五六七八九十百千〇零]+[条章节编款项]")


def anchored(question: str, texts: Iterable[str]) -> bool:
    """Every anchor of the question occurs in at least one of these texts; an amount the
    text writes in Chinese numerals counts (「不到200块」 is 「不满二百元」)."""
    wanted = anchors(question)
    if not wanted:
        return True
    haystack = fold("\n".join(texts), lower=False)
    if all(a in haystack for a in wanted):
        return True
    # 第十二条 is an article's place, not the amount 12 (「一年扣满12分」), unless the
    # question asks for an article by number (「第12条」).
    articles = set(re.findall(r"第(\d+)[条章节编款项]", fold(question, lower=False)))
    values = {str(v) for m in _CN_NUMBER.findall(_ORDINAL.sub("", haystack)) if (v := cn_int(m.replace("零", "〇")))}
    places = {str(v) for m in _ORDINAL.findall(haystack) if (v := cn_int(m[1:-1].replace("零", "〇")))}
    return all(a in haystack or a in values or (a in articles and a in places) for a in wanted)
