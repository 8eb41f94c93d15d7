"""Turning a user's query into an FTS5 MATCH expression over jieba tokens."""
from __future__ import annotations

import math
from collections import Counter

from policykb.index.tokenize import tokenize


def query_tokens(query: str, *, sub_words: bool = True) -> list[str]:
    seen: dict[str, None] = {}
    for tok in tokenize(query, sub_words=sub_words):
        seen.setdefault(tok, None)
    return list(seen)


def match_expression(tokens: list[str]) -> str:
    """OR of quoted tokens: BM25 ranks by how many and how rare; quoting keeps FTS5 from
    reading user text as query syntax (AND, NOT, *, column filters)."""
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)


def bm25_scores(terms: list[str], docs: list[list[str]], doc_freq: dict[str, int], n_docs: int,
                k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Okapi BM25 of each tokenised passage for the query terms (Robertson & Zaragoza 2009),
    with idf from the whole library and the average length taken over `docs`: used to
    re-rank a candidate set that was found with the query's rarer terms only."""
    if not docs:
        return []
    avgdl = sum(len(d) for d in docs) / len(docs) or 1.0
    idf = {t: math.log((n_docs - doc_freq.get(t, 0) + 0.5) / (doc_freq.get(t, 0) + 0.5) + 1.0) for t in terms}
    scores = []
    for doc in docs:
        counts = Counter(doc)
        norm = k1 * (1 - b + b * len(doc) / avgdl)
        scores.append(sum(idf[t] * counts[t] * (k1 + 1) / (counts[t] + norm) for t in terms if counts[t]))
    return scores
