"""Passages ranked by keywords under a filter: the one call the retriever makes
(policykb/retrieval/hybrid.py), whichever engine answers.

A large library's in-memory index (postings.py) answers while it is current; otherwise
SQLite FTS5, which is always current, does, through the store. On a very large library
FTS5 searches only the query's rarer terms and the candidates are re-ranked with all of
them (bm25.py), since scanning a common term's postings is most of a query's cost and its
idf is near zero.

The store and the index keeper are Protocols, so that index/ depends on no part of the
service (policykb/registry.py's Registry and policykb/keyword_index.py's KeywordIndex are
the ones the service passes).
"""
from __future__ import annotations

from typing import Protocol, TypeVar

from policykb.index.keyword.bm25 import bm25_scores
from policykb.index.keyword.postings import PostingIndex
from policykb.index.keyword.terms import match_expression

Found = tuple[str, str, float]  # (chunk_id, doc_id, BM25), best first


class PassageFilter(Protocol):
    """The store's own filter (active documents, issuer, dates…), of which ranking reads
    only the documents it is narrowed to."""

    @property
    def doc_ids(self) -> tuple[str, ...] | None: ...


Filter = TypeVar("Filter", bound=PassageFilter)
Filter_contra = TypeVar("Filter_contra", bound=PassageFilter, contravariant=True)


class KeywordStore(Protocol[Filter_contra]):
    """What ranking needs of the store that holds the passages and their FTS5 index."""

    def keyword_search(self, match: str, flt: Filter_contra, limit: int) -> list[Found]: ...
    def resolve_rowids(self, ranked: list[tuple[int, float]], flt: Filter_contra) -> list[Found]: ...
    def document_ids(self, flt: Filter_contra, limit: int) -> list[str]: ...
    def token_document_frequency(self, tokens: list[str]) -> dict[str, int]: ...
    def chunk_count(self) -> int: ...
    def chunk_tokens(self, chunk_ids: list[str]) -> dict[str, list[str]]: ...


class IndexKeeper(Protocol):
    def current(self) -> PostingIndex | None:
        """The in-memory index if it matches the store right now, else None."""
        ...


def rank_passages(store: KeywordStore[Filter], keeper: IndexKeeper, terms: list[str], flt: Filter, limit: int,
                  *, max_df: float, prune_above: int) -> list[Found]:
    """The best `limit` passages passing `flt` for any of `terms`, by BM25: from the
    in-memory index while it is current, else from FTS5, searching only the terms in at
    most `max_df` of the passages once the library has more than `prune_above`."""
    index = keeper.current()
    if index is not None:
        return _from_index(store, index, terms, flt, limit)
    selective = selective_terms(store, terms, max_df=max_df, prune_above=prune_above)
    found = store.keyword_search(match_expression(selective), flt, limit)
    if len(selective) < len(terms):
        found = _rescore(store, terms, found)
    return found


def _from_index(store: KeywordStore[Filter], index: PostingIndex, terms: list[str], flt: Filter,
                limit: int) -> list[Found]:
    fetch = limit + 20
    if flt.doc_ids:
        ranked = index.search(terms, limit, allowed_docs=list(flt.doc_ids))
        return store.resolve_rowids(ranked, flt)[:limit]
    ranked = index.search(terms, fetch)
    found = store.resolve_rowids(ranked, flt)
    if len(found) < min(limit, len(ranked)) and len(ranked) == fetch:
        # The filter turned away too many of the best: rank within its documents.
        allowed = store.document_ids(flt, limit=2**31)
        found = store.resolve_rowids(index.search(terms, limit, allowed_docs=allowed), flt)
    return found[:limit]


def selective_terms(store: KeywordStore[Filter], terms: list[str], *, max_df: float, prune_above: int) -> list[str]:
    """Drop terms that occur in a large share of passages: their idf is near zero, yet
    scanning their postings is most of a query's cost on a large library. The rarest
    two terms always stay."""
    if max_df >= 1 or len(terms) <= 2:
        return terms
    n = store.chunk_count()
    if n <= prune_above:
        return terms
    df = store.token_document_frequency(terms)
    keep = [t for t in terms if df.get(t, 0) / n <= max_df]
    if len(keep) < 2:
        keep = sorted(terms, key=lambda t: df.get(t, 0))[:2]
    return keep


def _rescore(store: KeywordStore[Filter], terms: list[str], found: list[Found]) -> list[Found]:
    """BM25 over all the query's terms for candidates found with its rarer terms: the
    common terms still order the candidates, without scanning their postings."""
    tokens = store.chunk_tokens([cid for cid, _, _ in found])
    kept = [f for f in found if f[0] in tokens]
    # The counts were just read by selective_terms: the registry answers from memory.
    df = store.token_document_frequency(terms)
    scores = bm25_scores(terms, [tokens[cid] for cid, _, _ in kept], df, store.chunk_count())
    rescored = [(cid, doc_id, score) for (cid, doc_id, _), score in zip(kept, scores)]
    return sorted(rescored, key=lambda f: -f[2])
