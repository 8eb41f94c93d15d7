"""The vector queue: chunks wait in the registry (vec_state 0) until the model embeds them.

Each batch: look up the cache by the hash of the embedded text, encode only the misses
(each distinct text once), store those vectors in the registry and commit, then upsert into
Chroma and mark the chunks done. A crash at any point loses at most the batch in flight,
and a restart never encodes a text twice: its vector is already in the cache.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from index.embedding import Embedder, blob_to_vector, vector_to_blob
from index.vector_store import VectorStore
from policykb.registry import Registry


def embed_input(section_path: tuple[str, ...] | list[str], text: str) -> str:
    """What the model reads for a chunk: its heading path gives a short passage the context
    a reader would have. (The document title is left out: it repeats on every chunk, costs
    model time, and did not pay for itself on the retrieval benchmark.)"""
    path = " › ".join(section_path)
    return f"{path}\n{text}" if path else text


def embed_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass
class WorkerStats:
    chunks: int = 0
    encoded_texts: int = 0
    encoded_chars: int = 0
    cache_hits: int = 0
    seconds_encoding: float = 0.0
    batches: int = 0
    errors: list[str] = field(default_factory=list)


def apply_deletes(registry: Registry, store: VectorStore) -> int:
    done = 0
    while ids := registry.pending_deletes(1000):
        store.delete(ids)
        registry.clear_deletes(ids)
        done += len(ids)
    return done


def run_batch(registry: Registry, store: VectorStore, embedder: Embedder, batch_size: int,
              stats: WorkerStats) -> int:
    """Embed one batch of pending chunks; returns how many chunks it finished."""
    import time

    chunks = registry.pending_chunks(batch_size)
    if not chunks:
        return 0
    hashes = {c.id: c.embed_hash for c in chunks}
    cached = registry.cached_vectors(sorted(set(hashes.values())), embedder.name)
    stats.cache_hits += sum(1 for h in hashes.values() if h in cached)
    missing: dict[str, str] = {}
    for c in chunks:
        if c.embed_hash not in cached and c.embed_hash not in missing:
            missing[c.embed_hash] = embed_input(c.section_path, c.text)
    if missing:
        t0 = time.perf_counter()
        texts = list(missing.values())
        vecs = embedder.embed_passages(texts)
        stats.seconds_encoding += time.perf_counter() - t0
        stats.encoded_texts += len(texts)
        stats.encoded_chars += sum(len(t) for t in texts)
        fresh = {h: vector_to_blob(v) for h, v in zip(missing, vecs)}
        registry.store_vectors(embedder.name, fresh)
        cached.update(fresh)
    ids = [c.id for c in chunks]
    matrix = np.stack([blob_to_vector(cached[c.embed_hash]) for c in chunks])
    store.upsert(ids, matrix, [c.doc_id for c in chunks])
    registry.mark_vectors_done(ids)
    stats.chunks += len(ids)
    stats.batches += 1
    return len(ids)


class VectorWorker:
    """Background thread for the server: drains the queue, can be paused, survives restarts
    because the queue lives in the registry."""

    def __init__(self, drain: Callable[[threading.Event], int], interval: float = 1.0) -> None:
        self._drain = drain
        self._interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self.busy = False

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="policykb-vectors", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()
        self._wake.set()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    @property
    def running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def _should_stop(self) -> bool:
        return self._stop.is_set() or self._paused.is_set()

    def _run(self) -> None:
        halt = _EitherEvent(self._stop, self._paused)
        while not self._stop.is_set():
            if not self._paused.is_set():
                try:
                    self.busy = True
                    self._drain(halt)  # type: ignore[arg-type]
                    self.last_error = None
                except Exception as exc:  # keep serving; report in status
                    self.last_error = f"{type(exc).__name__}: {exc}"
                finally:
                    self.busy = False
            self._wake.wait(self._interval)
            self._wake.clear()


class _EitherEvent:
    """Looks like an Event to the drain loop: set when stopping or pausing."""

    def __init__(self, *events: threading.Event) -> None:
        self._events = events

    def is_set(self) -> bool:
        return any(e.is_set() for e in self._events)
