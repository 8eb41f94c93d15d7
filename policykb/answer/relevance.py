"""Is a passage about the question at all? Pure functions over tokens and idf.

BM25 and cosine scores are not comparable across queries, so the gate asks a question a
reader would: how much of what the question is about (its rare terms count more) appears
in the passage?
"""
from __future__ import annotations

import math
from collections.abc import Iterable


def idf_weights(tokens: Iterable[str], doc_freq: dict[str, int], n_docs: int) -> dict[str, float]:
    """BM25's idf; a term the library has never seen weighs the most."""
    return {
        t: math.log((n_docs - doc_freq.get(t, 0) + 0.5) / (doc_freq.get(t, 0) + 0.5) + 1.0)
        for t in tokens
    }


def coverage(weights: dict[str, float], text: str) -> float:
    """Share of the question's idf weight whose terms occur in `text` (0..1)."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    lowered = text.lower()
    return sum(w for t, w in weights.items() if t in lowered) / total
