"""Keyword ranking, in one place: jieba tokens scored by one BM25.

- terms.py: a query's tokens and the FTS5 MATCH expression over them;
- bm25.py: the formula (k1, b, the ranking idf and the weighing idf), which FTS5's
  bm25() in policykb/registry.py's SQL computes alike;
- postings.py: the in-memory index of a large library (kept current by
  policykb/keyword_index.py);
- ranker.py: `rank_passages`, the one call that ranks passages under a filter, choosing
  the in-memory index or FTS5.

Outside it, by necessity: the FTS5 queries themselves live with the database in
policykb/registry.py (passages: `keyword_search`; whole documents for the retriever's
document list: `document_keyword_search`; the document frequencies behind every idf:
`token_document_frequency`), and policykb/answer/relevance.py weighs a question's terms
with bm25.py's weighing idf (`idf_weights`).
"""
from policykb.index.keyword.bm25 import bm25_scores
from policykb.index.keyword.ranker import rank_passages
from policykb.index.keyword.terms import match_expression, query_tokens

__all__ = ["bm25_scores", "match_expression", "query_tokens", "rank_passages"]
