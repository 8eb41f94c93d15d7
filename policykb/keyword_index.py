"""Keeps the in-memory BM25 index (index/postings.py) of a large library in step with the
registry, and saved beside it so that a restart or a one-shot CLI query loads it in
milliseconds instead of rebuilding it.

Validity is exact: the index answers only while the registry's chunk generation (bumped by
a trigger on every chunk written or removed, by any process) equals the one it was built
at. Otherwise the caller asks FTS5, which is always current, so a document is searchable
the moment it is committed (#8), and a long-running process rebuilds the index in a thread
once writes have paused for a while, so an ingest in progress is not slowed by rebuilds.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from index.postings import PostingIndex
from policykb.registry import Registry

log = logging.getLogger(__name__)


class KeywordIndex:
    def __init__(self, registry: Registry, directory: Path, *, min_passages: int,
                 quiet_seconds: float) -> None:
        self._registry = registry
        self.directory = directory
        self.min_passages = min_passages
        self.quiet_seconds = quiet_seconds
        # Only a long-running process (the server) rebuilds on its own; a CLI query that
        # finds the index stale asks FTS5 rather than wait seconds for a rebuild.
        self.background = False
        self._index: PostingIndex | None = None
        self._disk_checked_at: int | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.last_build: dict[str, float | int] | None = None

    def current(self) -> PostingIndex | None:
        """The index if it matches the registry right now, else None."""
        generation, quiet = self._registry.chunk_generation()
        index = self._index
        if index is not None and index.generation == generation:
            return index
        if self._registry.chunk_count() < self.min_passages:
            return None
        if self._disk_checked_at != generation:
            self._disk_checked_at = generation
            loaded = self._load(generation)
            if loaded is not None:
                return loaded
        if self.background and quiet >= self.quiet_seconds:
            self._start_build()
        return None

    def refresh(self, *, force: bool = False) -> PostingIndex | None:
        """Bring the index up to date now (build and save if stale, or always with
        `force`); None for a library below the size where it pays."""
        if self._registry.chunk_count() < self.min_passages:
            return None
        generation, _ = self._registry.chunk_generation()
        if force:
            return self._build()
        if self._index is not None and self._index.generation == generation:
            return self._index
        return self._load(generation) or self._build()

    def status(self) -> dict[str, object]:
        current = self.current()
        index = self._index
        return {
            "passages": index.size if index is not None else 0,
            "current": current is not None,
            "building": self._thread is not None and self._thread.is_alive(),
            "last_build": self.last_build,
        }

    def close(self) -> None:
        thread = self._thread
        if thread is not None:
            thread.join()

    def _load(self, generation: int) -> PostingIndex | None:
        if PostingIndex.saved_generation(self.directory) != generation:
            return None
        loaded = PostingIndex.load(self.directory)
        # The passage count guards against an index saved beside another copy of the
        # registry (a restored backup) that happens to have reached the same generation.
        if loaded is not None and loaded.generation == generation and loaded.size == self._registry.chunk_count():
            self._index = loaded
            return loaded
        return None

    def _build(self) -> PostingIndex:
        started = time.perf_counter()
        with self._registry.chunk_token_rows() as (generation, rows):
            index = PostingIndex.build(rows, generation)
        try:
            index.save(self.directory)
        except OSError as exc:  # a read-only or full disk: serve from memory regardless
            log.warning("关键词索引未能保存到 %s：%s", self.directory, exc)
        self._index = index
        self.last_build = {"generation": generation, "passages": index.size,
                           "seconds": round(time.perf_counter() - started, 2)}
        return index

    def _start_build(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._build_logged, name="policykb-keyword-index", daemon=True)
            self._thread.start()

    def _build_logged(self) -> None:
        try:
            self._build()
        except Exception:  # the next query falls back to FTS5 and may try again
            log.exception("关键词索引重建失败")
