"""Weighted reciprocal-rank fusion (Cormack et al. 2009, with per-list weights).

score(d) = Σ_i w_i / (k + rank_i(d)), rank from 1. Weights matter: with equal weights a
weak list pulls a strong one down, so they are tuned by bench/retrieval.py.
"""
from __future__ import annotations

from collections.abc import Sequence


def rrf(ranked_lists: Sequence[Sequence[str]], weights: Sequence[float], k: int = 60) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for items, weight in zip(ranked_lists, weights):
        if weight <= 0:
            continue
        for rank, item in enumerate(items, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
