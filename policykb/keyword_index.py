"""Keeps the in-memory BM25 index (index/keyword/postings.py) of a large library in step with the
registry, and saved beside it so that a restart or a one-shot CLI query loads it in
milliseconds instead of rebuilding it.

Validity is exact: the index answers only while the registry's chunk generation (bumped by
a trigger on every chunk written or removed, by any process) equals the one it was built
at. Otherwise the caller asks FTS5, which is always current, so a document is searchable
the moment it is committed (#8), and a long-running process rebuilds the index once writes
have paused for a while, so an ingest in progress is not slowed by rebuilds.

The server rebuilds in a child process at low priority (`python -m policykb.keyword_index`)
and then maps the saved index: a build is seconds of Python holding the GIL and up to a
gigabyte of transient memory at 200k passages. With the build in a thread, searches served
meanwhile took twice as long at the median and five times at p95; in the child, a fifth
longer and three times (bench/rebuild.py; figures in README). The child's memory is
returned when it exits.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from policykb.index.keyword.postings import PostingIndex
from policykb.registry import Registry

log = logging.getLogger(__name__)

RETRY_SECONDS = 60.0  # after a failed background rebuild


def build_and_save(registry: Registry, directory: Path) -> tuple[PostingIndex, dict[str, Any]]:
    """Build from one snapshot of the registry and save; (index, what the build took)."""
    started = time.perf_counter()
    with registry.chunk_token_rows() as (generation, rows):
        index = PostingIndex.build(rows, generation)
    try:
        index.save(directory)
    except OSError as exc:  # a read-only or full disk: serve from memory regardless
        log.warning("关键词索引未能保存到 %s：%s", directory, exc)
    return index, {"generation": generation, "passages": index.size,
                   "seconds": round(time.perf_counter() - started, 2)}


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
        self._child: subprocess.Popen[str] | None = None
        self._failed_at = 0.0
        self._closing = False
        self._lock = threading.Lock()
        self.last_build: dict[str, Any] | None = None

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
        if self.background and quiet >= self.quiet_seconds and time.monotonic() - self._failed_at > RETRY_SECONDS:
            self.start_rebuild()
        return None

    def refresh(self, *, force: bool = False) -> PostingIndex | None:
        """Bring the index up to date now (build and save if stale, or always with
        `force`); None for a library below the size where it pays."""
        if self._registry.chunk_count() < self.min_passages:
            return None
        if force:
            return self._build()
        generation, _ = self._registry.chunk_generation()
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
        """Stops a rebuild in progress: a stopped server leaves the saved index as it was."""
        self._closing = True
        child, thread = self._child, self._thread
        if child is not None and child.poll() is None:
            child.terminate()
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
        index, self.last_build = build_and_save(self._registry, self.directory)
        self._index = index
        return index

    def start_rebuild(self) -> None:
        """Rebuild in a child process unless one is running (what the server does)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._build_in_child, name="policykb-keyword-index", daemon=True)
            self._thread.start()

    def _build_in_child(self) -> None:
        """Build in a child process, then map what it saved. After a failure (logged) the
        server waits RETRY_SECONDS before trying again; FTS5 answers meanwhile."""
        child = None
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", "policykb.keyword_index", str(self._registry.path), str(self.directory)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            self._child = child
            out, err = child.communicate()
        except OSError as exc:
            out, err = "", str(exc)
        if self._closing:
            return
        loaded = None
        if child is not None and child.returncode == 0:
            self.last_build = json.loads(out.strip().splitlines()[-1])
            loaded = PostingIndex.load(self.directory)
            err = err or f"保存的索引无法读取：{self.directory}"
        if loaded is None:
            self._failed_at = time.monotonic()
            log.error("关键词索引重建失败：%s", err.strip()[-2000:])
            return
        self._index = loaded


def _main(argv: list[str]) -> None:
    if hasattr(os, "nice"):
        os.nice(10)  # queries first: the server's own threads keep their priority
    registry = Registry(Path(argv[0]))
    try:
        _, stats = build_and_save(registry, Path(argv[1]))
    finally:
        registry.close()
    print(json.dumps(stats))


if __name__ == "__main__":
    _main(sys.argv[1:])
