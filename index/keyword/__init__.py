"""Keyword ranking, in one place: jieba tokens scored by one BM25.

- terms.py: a query's tokens and the FTS5 MATCH expression over them;
- bm25.py: the formula (k1, b, the ranking idf and the weighing idf), which FTS5's
  bm25() in policykb/registry.py's SQL computes alike;
- postings.py: the in-memory index of a large library (kept current by
  policykb/keyword_index.py);
- ranker.py: `rank_passages`, the one call that ranks passages under a filter, choosing
  the in-memory index or FTS5.
"""
from policykb.index.keyword.bm25 import bm25_scores
from policykb.index.keyword.ranker import rank_passages
from policykb.index.keyword.terms import match_expression, query_tokens

__all__ = ["bm25_scores", "match_expression", "query_tokens", "rank_passages"]
