"""Which topic a document fits best: keyword hits in its title, headings and text, plus the
similarity of its passages to each topic's description. A document that fits no topic
well goes to the catch-all (其他).

Scoring, per topic t (reads like the formula; each part is testable alone):

    keyword(t) = 3·[keywords in title] + 2·[keywords in headings] + Σ_k log(1 + count_k in text)
    vector(t)  = mean of the best 3 cosine similarities passage ↔ topic probe
    score(t)   = keyword(t) + VECTOR_WEIGHT · 100 · max(0, vector(t) − mean over topics)

The vector part is relative to the other topics (absolute cosines differ between models);
with a single topic it is zero and keywords alone decide. The document goes to argmax
score when that reaches MIN_SCORE, else to the catch-all.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from policykb.digest.topics import CATCH_ALL, Topic

if TYPE_CHECKING:
    from policykb.registry import StoredChunk, StoredDocument
    from policykb.service import KnowledgeBase

TITLE_WEIGHT = 3.0
HEADING_WEIGHT = 2.0
VECTOR_WEIGHT = 0.5
VECTOR_TOP = 3
MIN_SCORE = 2.0


@dataclass(frozen=True)
class Assignment:
    topic: str  # a topic name or CATCH_ALL
    score: float
    scores: dict[str, float]  # every topic's score, for explaining


def keyword_scores(topics: Sequence[Topic], title: str, headings: Sequence[str], body: str) -> list[float]:
    out = []
    heading_text = " ".join(headings)
    for t in topics:
        words = set(t.keywords) | {t.name}
        score = TITLE_WEIGHT * sum(1 for k in words if k and k in title)
        score += HEADING_WEIGHT * sum(1 for k in words if k and k in heading_text)
        score += sum(math.log1p(body.count(k)) for k in words if k)
        out.append(score)
    return out


def vector_scores(passages: np.ndarray, probes: np.ndarray) -> list[float]:
    """passages: (n, d), probes: (topics, d), rows L2-normalised → per-topic mean top-k cosine."""
    if passages.size == 0 or probes.size == 0:
        return [0.0] * len(probes)
    sims = probes @ passages.T  # (topics, n)
    k = min(VECTOR_TOP, sims.shape[1])
    top = -np.sort(-sims, axis=1)[:, :k]
    return [float(v) for v in top.mean(axis=1)]


def combine(keyword: Sequence[float], vector: Sequence[float]) -> list[float]:
    if len(vector) < 2:
        return list(keyword)
    mean = sum(vector) / len(vector)
    return [kw + VECTOR_WEIGHT * 100.0 * max(0.0, v - mean) for kw, v in zip(keyword, vector)]


def assign(topics: Sequence[Topic], scores: Sequence[float]) -> Assignment:
    table = {t.name: round(float(s), 3) for t, s in zip(topics, scores)}
    if not topics:
        return Assignment(CATCH_ALL, 0.0, table)
    best = max(range(len(topics)), key=lambda i: scores[i])
    if scores[best] < MIN_SCORE:
        return Assignment(CATCH_ALL, round(float(scores[best]), 3), table)
    return Assignment(topics[best].name, round(float(scores[best]), 3), table)


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows.reshape(1, -1)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class TopicClassifier:
    """Embeds the topic probes once, then scores documents with the vectors the knowledge
    base already holds for their chunks (the registry's cache); a chunk not embedded yet is
    embedded here, a few per document at most."""

    MAX_FRESH = 6

    def __init__(self, kb: "KnowledgeBase", topics: Sequence[Topic], *, use_vectors: bool = True) -> None:
        self.kb = kb
        self.topics = list(topics)
        self.use_vectors = use_vectors and len(self.topics) >= 2
        self._probes: np.ndarray | None = None

    @property
    def probes(self) -> np.ndarray:
        if self._probes is None:
            emb = self.kb.embedder
            self._probes = _normalise(np.stack([emb.embed_query(t.probe) for t in self.topics]))
        return self._probes

    def passage_vectors(self, chunks: Sequence["StoredChunk"]) -> np.ndarray:
        from policykb.index.embedding import blob_to_vector

        emb = self.kb.embedder
        cached = self.kb.registry.cached_vectors([c.embed_hash for c in chunks], emb.name)
        vectors = [blob_to_vector(cached[c.embed_hash]) for c in chunks if c.embed_hash in cached]
        missing = [c for c in chunks if c.embed_hash not in cached][: self.MAX_FRESH if vectors else self.MAX_FRESH * 2]
        if missing:
            from policykb.index.worker import embed_input

            fresh = emb.embed_passages([embed_input(None, c.section_path, c.text) for c in missing])
            vectors.extend(list(fresh))
        if not vectors:
            return np.zeros((0, 0), dtype=np.float32)
        return _normalise(np.stack(vectors))

    def classify(self, doc: "StoredDocument", chunks: Sequence["StoredChunk"]) -> Assignment:
        headings: list[str] = []
        for c in chunks:
            for h in c.section_path:
                if h not in headings:
                    headings.append(h)
        body = "\n".join(c.text for c in chunks)
        keyword = keyword_scores(self.topics, doc.title or "", headings, body)
        if self.use_vectors and chunks:
            vector = vector_scores(self.passage_vectors(chunks), self.probes)
        else:
            vector = []
        return assign(self.topics, combine(keyword, vector))
