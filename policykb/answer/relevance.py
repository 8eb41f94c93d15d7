"""Is a passage about the question at all? Pure functions over tokens and idf.

BM25 and cosine scores are not comparable across queries, so the gate asks a question a
reader would: how much of what the question is about (its rare terms count more) appears
in the passage?
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from policykb.index.keyword.bm25 import weight_idf
from policykb.text import fold


def idf_weights(tokens: Iterable[str], doc_freq: dict[str, int], n_docs: int) -> dict[str, float]:
    """Each term weighed by BM25's weighing idf (policykb/index/keyword/bm25.py, not the
    ranking one: every term keeps some weight); a term the library has never seen weighs
    the most."""
    return {t: weight_idf(n_docs, doc_freq.get(t, 0)) for t in tokens}


_ASIDE = re.compile(r"[（(][^（）()\n]{1,6}[）)]")


def coverage(weights: dict[str, float], text: str, alternatives: dict[str, list[str]] | None = None) -> float:
    """Share of the question's idf weight whose terms occur in `text` (0..1). A term with
    `alternatives` (the official words a colloquial one stands for, from the thesaurus)
    counts when any of them occurs."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    lowered = text.lower()
    # 「村（社区）党组织书记」 is what a question calls 「村党组织书记」: short asides in
    # brackets are read both ways.
    bare = _ASIDE.sub("", lowered) if "（" in lowered or "(" in lowered else lowered
    alternatives = alternatives or {}
    return sum(w for t, w in weights.items()
               if t in lowered or (bare is not lowered and t in bare)
               or any(a in lowered for a in alternatives.get(t, ()))) / total


_ANCHOR = re.compile(r"\d{2,}|第[一二三四五六七八九十百千零〇两]+[条章节编款项]")


def anchors(question: str) -> list[str]:
    """Numbers (years, amounts) and article references a question is pinned to: an
    answer about the 2016 report, or about 第一百四十九条, does not answer a question about
    2020 or 第一百五十条, however many other words match."""
    return list(dict.fromkeys(_ANCHOR.findall(fold(question, lower=False))))


def anchored(question: str, texts: Iterable[str]) -> bool:
    """Every anchor of the question occurs in at least one of these texts."""
    wanted = anchors(question)
    if not wanted:
        return True
    haystack = fold("\n".join(texts), lower=False)
    return all(a in haystack for a in wanted)
