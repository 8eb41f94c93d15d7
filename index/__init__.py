"""Indexes over the registry's chunks: jieba BM25 keywords (SQLite FTS5) and vectors (Chroma)."""
