"""Query vectors for many users at once: one place where the model embeds queries.

Concurrent searches each need a query vector. Called from each request thread, the model
ran N times at once, each call with its own OpenMP team, so 16 clients meant ~32 busy
threads on 2 cores (bench/load.py: 16 clients got 1.4× one client's searches/s). Here the
requests' queries go into one queue; one thread takes what is waiting (after a collecting
window of a few ms, at most `max_batch`), embeds them in one call and hands each request its
vector. Identical queries (normalised) come from a small LRU cache and skip the model.

`BatchedEmbedder` looks like any `Embedder`: passages go straight to the model (the vector
worker batches them itself); only `embed_query` takes this path.
"""
from __future__ import annotations

import queue
import re
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from typing import Any

import numpy as np

from policykb.text import fold

_SPACES = re.compile(r"\s+")


def normalise_query(text: str) -> str:
    """The cache key and what the model reads: NFKC (full-width letters and digits folded),
    runs of whitespace collapsed, ends trimmed."""
    return _SPACES.sub(" ", fold(text or "", lower=False)).strip()


class VectorCache:
    """A thread-safe LRU of query vectors (read-only arrays, shared between callers)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._d: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            v = self._d.get(key)
            if v is None:
                self.misses += 1
                return None
            self._d.move_to_end(key)
            self.hits += 1
            return v

    def put(self, key: str, vec: np.ndarray) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._d[key] = vec
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._d.clear()

    def __len__(self) -> int:
        return len(self._d)


class BatchedEmbedder:
    """Wraps an Embedder: `embed_query` is cached and batched, the rest is the model's."""

    def __init__(self, inner: Any, *, window: float = 0.003, max_batch: int = 16, cache_size: int = 2048,
                 threads: int = 2) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.spec: str = inner.spec
        self.dim: int = inner.dim
        self.window = window
        self.max_batch = max_batch  # 0: no batching thread, each caller runs the model
        self.cache = VectorCache(cache_size)
        self._queue: queue.SimpleQueue[tuple[str, Future[np.ndarray]]] = queue.SimpleQueue()
        self.threads = max(1, threads)
        self._thread: list[threading.Thread] | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # model calls for queries, and how many queries they carried
        self.batched_queries = 0

    # ---- the Embedder interface --------------------------------------------------------

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        from policykb.index.priority import in_background, low_priority

        if in_background():  # the server's vector worker: the model yields the CPU to queries
            return low_priority().submit(self.inner.embed_passages, texts).result()
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        key = normalise_query(text)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        if self.max_batch <= 0:
            vec = np.array(self.inner.embed_query(key), dtype=np.float32)
            vec.flags.writeable = False
            self.cache.put(key, vec)
            return vec
        fut: Future[np.ndarray] = Future()
        self._ensure_thread()
        self._queue.put((key, fut))
        return fut.result()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Several queries in one model call (what the batching thread uses)."""
        batch = getattr(self.inner, "embed_queries", None)
        if batch is not None:
            return np.asarray(batch(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)
        return np.stack([self.inner.embed_query(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    # ---- the batching thread -----------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = [threading.Thread(target=self._run, name=f"policykb-query-model-{i}", daemon=True)
                                    for i in range(self.threads)]
                    for t in self._thread:
                        t.start()

    def _collect(self) -> list[tuple[str, Future[np.ndarray]]]:
        batch = [self._queue.get()]
        # While the model worked on the last batch, others queued up: take them all. A lone
        # query waits at most `window` for company (a few ms against the model's ~20).
        deadline = None
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
                continue
            except queue.Empty:
                pass
            if self.window <= 0:
                break
            now = time.monotonic()
            deadline = deadline or now + self.window
            if now >= deadline:
                break
            try:
                batch.append(self._queue.get(timeout=deadline - now))
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        while True:
            batch = self._collect()
            # Identical queries in one batch are embedded once.
            distinct = list(dict.fromkeys(key for key, _ in batch))
            try:
                vectors = self.embed_queries(distinct)
            except BaseException as exc:  # noqa: BLE001 - every waiting request gets the error
                for _, fut in batch:
                    fut.set_exception(exc)
                continue
            self.batches += 1
            self.batched_queries += len(distinct)
            by_key = {}
            for key, vec in zip(distinct, vectors):
                vec = np.array(vec, dtype=np.float32)
                vec.flags.writeable = False
                by_key[key] = vec
                self.cache.put(key, vec)
            for key, fut in batch:
                fut.set_result(by_key[key])
