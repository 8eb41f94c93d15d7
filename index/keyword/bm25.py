"""The project's one BM25 (Robertson & Zaragoza 2009): the constants and formulas every
Python-side keyword ranker uses. SQLite FTS5's bm25() (policykb/registry.py's keyword
queries) computes the same in C (fts5_aux.c) with the same constants, so a library ranks
alike whichever engine answers.

There are two idfs, on purpose:

- `idf`, FTS5's ln((N - n + 0.5) / (n + 0.5)) floored at 1e-6, for RANKING passages
  (FTS5, the in-memory index in postings.py, the re-scoring in `bm25_scores`): every
  engine must score as FTS5 does, and a term in half the passages or more says nothing
  about which passage is better;
- `weight_idf`, ln(1 + (N - n + 0.5) / (n + 0.5)) (Lucene's; never below ln 2 / N), for
  WEIGHING a question's terms against each other (policykb/answer/relevance.py: the answer
  gate's coverage, answer selection and the citation check): there every term must keep
  some weight, or a passage missing a common word of the question would cover it fully,
  and the gate's thresholds were measured with this one.

Functions of lengths and frequencies take floats or numpy arrays alike, with the operations
in one order, so a score is the same bits whether one passage or a million are scored.
"""
from __future__ import annotations

import math
from collections import Counter
from typing import TypeVar

import numpy as np

K1 = 1.2  # term-frequency saturation (FTS5's fixed value)
B = 0.75  # document-length normalisation (FTS5's fixed value)
IDF_FLOOR = 1e-6  # FTS5's: a very common term still counts a little, never against a passage

Value = TypeVar("Value", float, np.ndarray)


def idf(n_docs: int, doc_freq: int) -> float:
    """The ranking idf of a term in `doc_freq` of `n_docs` passages (FTS5's)."""
    return max(math.log((n_docs - doc_freq + 0.5) / (doc_freq + 0.5)), IDF_FLOOR)


def weight_idf(n_docs: int, doc_freq: int) -> float:
    """The weighing idf (see the module's docstring): always positive, and a term the
    library has never seen weighs the most."""
    return math.log((n_docs - doc_freq + 0.5) / (doc_freq + 0.5) + 1.0)


def length_norm(length: Value, avgdl: float) -> Value:
    """The denominator's length part for passages of `length` tokens."""
    return K1 * (1 - B + B * length / avgdl)


def term_score(term_idf: float, tf: Value, norm: Value) -> Value:
    """One term's contribution to a passage's score (`norm` from `length_norm`)."""
    return term_idf * tf * (K1 + 1) / (tf + norm)


def bm25_scores(terms: list[str], docs: list[list[str]], doc_freq: dict[str, int], n_docs: int) -> list[float]:
    """BM25 of each tokenised passage for the query terms, with the ranking idf from the
    whole library and the average length taken over `docs`: used to re-rank a candidate
    set that was found with the query's rarer terms only (ranker.py), as FTS5 or the
    in-memory index would have ranked it with all of them."""
    if not docs:
        return []
    avgdl = sum(len(d) for d in docs) / len(docs) or 1.0
    idfs = {t: idf(n_docs, doc_freq.get(t, 0)) for t in terms}
    scores = []
    for doc in docs:
        counts = Counter(doc)
        norm = length_norm(float(len(doc)), avgdl)
        scores.append(sum(term_score(idfs[t], counts[t], norm) for t in terms if counts[t]))
    return scores
