"""Several knowledge bases in one process: the server opens each library the first time a
request names it (`?kb=NAME`), and a search can run over several at once.

A library exists once something was ingested into it (`policykb ingest --kb NAME`): asking
for an unknown name is an error, not a new empty library.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

from policykb.config import Settings
from policykb.filters import FilterInput
from policykb.results import SearchResult
from policykb.service import KnowledgeBase, KnowledgeBaseError


class Libraries:
    def __init__(self, settings: Settings, first: KnowledgeBase,
                 on_open: Callable[[KnowledgeBase], None] | None = None) -> None:
        self.settings = settings
        self.default = first
        self._open: dict[str, KnowledgeBase] = {first.name: first}
        self._owned: list[KnowledgeBase] = []
        self._on_open = on_open
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """The default library first, then every library on disk, by name."""
        root = self.settings.home / "kbs"
        found = sorted(p.name for p in root.iterdir() if (p / "registry.sqlite").is_file()) if root.is_dir() else []
        return [self.default.name, *(n for n in found if n != self.default.name)]

    def get(self, name: str | None) -> KnowledgeBase:
        if not name or name == self.default.name:
            return self.default
        with self._lock:
            if name not in self._open:
                if name not in self.names():
                    raise KnowledgeBaseError(f"知识库不存在：{name}（可用：{'、'.join(self.names())}）",
                                             code="unknown_kb", status=404)
                kb = KnowledgeBase(self.settings, kb=name)
                self._open[name] = kb
                self._owned.append(kb)
                if self._on_open:
                    self._on_open(kb)
            return self._open[name]

    def close(self) -> None:
        for kb in self._owned:
            kb.close()


def search_across(kbs: list[KnowledgeBase], query: str, *, top_k: int = 10, filters: FilterInput = None,
                  mode: str = "hybrid") -> SearchResult:
    """One ranked list from several libraries: each is searched as usual, and the lists are
    fused by reciprocal rank (scores of different libraries are not comparable; ranks are).
    Each hit's metadata names its library (`kb`)."""
    from policykb.index.fusion import rrf

    results = [(kb.name, kb.search(query, top_k=top_k, filters=filters, mode=mode)) for kb in kbs]
    by_key = {}
    lists = []
    for name, result in results:
        keys = []
        for hit in result.results:
            key = f"{name}\u0000{hit.chunk_id}"
            by_key[key] = replace(hit, metadata={**hit.metadata, "kb": name})
            keys.append(key)
        lists.append(keys)
    fused = rrf(lists, [1.0] * len(lists), k=kbs[0].settings.rrf_k)[:top_k]
    hits = [replace(by_key[key], score=round(float(score), 6)) for key, score in fused]
    terms = next((r.terms for _, r in results if r.terms), [])
    return SearchResult(query=query, results=hits, pending_vectors=sum(r.pending_vectors for _, r in results),
                        mode=mode, terms=terms)
