"""Turning a user's query into jieba tokens and an FTS5 MATCH expression over them."""
from __future__ import annotations

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
