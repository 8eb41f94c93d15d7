"""Passages ranked by keywords under a filter (index/keyword/ranker.py), against a store
that keeps its passages in SQLite FTS5 as the registry does: the in-memory index and FTS5
rank alike, a filter keeps only its documents, and a large library searches only the
rarer terms and orders what they found with all of them."""
from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

import pytest

from policykb.index.keyword import bm25_scores, match_expression, rank_passages
from policykb.index.keyword.bm25 import idf, weight_idf
from policykb.index.keyword.postings import PostingIndex
from policykb.index.keyword.ranker import selective_terms

PASSAGES = [  # rowid, chunk id, document, tokens
    (1, "a-1", "a", "加强 萤火虫 栖息地 保护 工作"),
    (2, "a-2", "a", "萤火虫 普查 工作 安排"),
    (3, "b-1", "b", "萤火虫 普查"),
    (4, "b-2", "b", "栖息地 普查 工作 要求 工作"),
    (5, "c-1", "c", "工作 总结 工作 部署"),
    (6, "c-2", "c", "工作 人员 培训"),
    (7, "d-1", "d", "湿地 保护 工作"),
    (8, "d-2", "d", "年度 工作 计划"),
]


@dataclass(frozen=True)
class Filter:
    doc_ids: tuple[str, ...] | None = None


class Store:
    """A KeywordStore over an in-memory FTS5 table; remembers what it was asked to match."""

    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute("CREATE VIRTUAL TABLE t USING fts5(tokens)")
        self.conn.executemany("INSERT INTO t (rowid, tokens) VALUES (?, ?)", [(r, tok) for r, _, _, tok in PASSAGES])
        self.rows = {r: (cid, doc, tok.split()) for r, cid, doc, tok in PASSAGES}
        self.matched: list[str] = []

    def keyword_search(self, match: str, flt: Filter, limit: int) -> list[tuple[str, str, float]]:
        self.matched.append(match)
        ranked = self.conn.execute("SELECT rowid, -rank FROM t WHERE t MATCH ? ORDER BY rank", [match]).fetchall()
        return self.resolve_rowids(ranked, flt)[:limit]

    def resolve_rowids(self, ranked: list[tuple[int, float]], flt: Filter) -> list[tuple[str, str, float]]:
        return [(self.rows[r][0], self.rows[r][1], s) for r, s in ranked
                if not flt.doc_ids or self.rows[r][1] in flt.doc_ids]

    def document_ids(self, flt: Filter, limit: int) -> list[str]:
        return sorted({doc for _, doc, _ in self.rows.values() if not flt.doc_ids or doc in flt.doc_ids})[:limit]

    def token_document_frequency(self, tokens: list[str]) -> dict[str, int]:
        return {t: sum(t in toks for _, _, toks in self.rows.values()) for t in tokens}

    def chunk_count(self) -> int:
        return len(self.rows)

    def chunk_tokens(self, chunk_ids: list[str]) -> dict[str, list[str]]:
        return {cid: toks for cid, _, toks in self.rows.values() if cid in chunk_ids}


@dataclass
class Keeper:
    index: PostingIndex | None = None

    def current(self) -> PostingIndex | None:
        return self.index


def test_the_index_and_fts5_rank_alike_with_and_without_a_filter():
    store = Store()
    index = Keeper(PostingIndex.build([(r, doc, tok) for r, _, doc, tok in PASSAGES], generation=1))
    for terms in (["萤火虫", "普查"], ["栖息地", "保护", "工作"], ["工作"], ["缺席"]):
        for flt in (Filter(), Filter(doc_ids=("b", "d"))):
            fts = rank_passages(store, Keeper(), terms, flt, 5, max_df=1.0, prune_above=0)
            ours = rank_passages(store, index, terms, flt, 5, max_df=1.0, prune_above=0)
            assert [c for c, _, _ in ours] == [c for c, _, _ in fts], (terms, flt)
            assert all(math.isclose(a, b, rel_tol=1e-5) for (_, _, a), (_, _, b) in zip(ours, fts))
            assert all(not flt.doc_ids or doc in flt.doc_ids for _, doc, _ in ours)
    assert rank_passages(store, index, ["缺席"], Filter(), 5, max_df=1.0, prune_above=0) == []


def test_a_large_library_searches_its_rare_terms_and_ranks_them_with_all():
    store = Store()
    terms = ["萤火虫", "普查", "工作"]  # 工作 is in 7 of 8 passages
    assert selective_terms(store, terms, max_df=0.5, prune_above=0) == ["萤火虫", "普查"]
    assert selective_terms(store, terms, max_df=0.5, prune_above=8) == terms, "not large enough to prune"
    assert selective_terms(store, terms, max_df=1.0, prune_above=0) == terms, "pruning off"
    assert set(selective_terms(store, ["工作", "普查", "萤火虫"], max_df=0.1, prune_above=0)) == {"萤火虫", "普查"}, \
        "the rarest two always stay"

    found = rank_passages(store, Keeper(), terms, Filter(), 10, max_df=0.5, prune_above=0)
    assert store.matched[-1] == '"萤火虫" OR "普查"'
    assert {c for c, _, _ in found} == {"a-1", "a-2", "b-1", "b-2"}  # what the rare terms find
    docs = [store.rows[r][2] for r in (1, 2, 3, 4)]
    expected = bm25_scores(terms, docs, store.token_document_frequency(terms), n_docs=8)
    assert [s for _, _, s in found] == sorted(expected, reverse=True)
    assert expected != bm25_scores(terms[:2], docs, store.token_document_frequency(terms), n_docs=8), \
        "the common term still counts in the order"


def test_re_scoring_the_whole_library_gives_fts5s_own_scores():
    """The re-scoring of a pruned query ranks as FTS5 and the in-memory index would: same
    idf, same k1 and b (its only difference: the average length of the candidates)."""
    store = Store()
    terms = ["萤火虫", "普查", "工作", "缺席"]
    rowids = sorted(store.rows)
    ours = bm25_scores(terms, [store.rows[r][2] for r in rowids], store.token_document_frequency(terms),
                       n_docs=len(rowids))
    fts = dict(store.conn.execute("SELECT rowid, -bm25(t) FROM t WHERE t MATCH ?", [match_expression(terms)]))
    for rowid, score in zip(rowids, ours):
        assert math.isclose(score, fts.get(rowid, 0.0), rel_tol=1e-9, abs_tol=1e-12), rowid


@pytest.mark.parametrize("n_docs,doc_freq", [(8, 1), (8, 4), (8, 7), (200_000, 3), (200_000, 150_000)])
def test_the_ranking_idf_is_fts5s_and_the_weighing_idf_never_vanishes(n_docs: int, doc_freq: int):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(tokens)")
    if n_docs == 8:  # FTS5 itself: one passage "x" scores tf-norm 1 times idf
        conn.executemany("INSERT INTO t (tokens) VALUES (?)", [("x",)] * doc_freq + [("y",)] * (n_docs - doc_freq))
        (score,) = conn.execute("SELECT -bm25(t) FROM t WHERE t MATCH 'x' LIMIT 1").fetchone()
        assert math.isclose(score, idf(n_docs, doc_freq), rel_tol=1e-9)
    assert idf(n_docs, doc_freq) > 0 and weight_idf(n_docs, doc_freq) >= math.log(1 + 0.5 / (n_docs + 0.5))
    assert weight_idf(n_docs, 0) > weight_idf(n_docs, doc_freq), "an unseen term weighs the most"
