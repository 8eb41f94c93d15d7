"""The vector queue: chunks wait in the registry (vec_state 0) until the model embeds them.

Each batch: look up the cache by the hash of the embedded text, encode only the misses
(each distinct text once), store those vectors in the registry and commit, then upsert into
Chroma and mark the chunks done. A crash at any point loses at most the batch in flight,
and a restart never encodes a text twice: its vector is already in the cache.
"""
from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from policykb.index.embedding import Embedder, blob_to_vector, vector_to_blob
from policykb.index.vector_store import VectorStore


class QueuedChunk(Protocol):
    """A passage waiting for its vector, as the queue hands it out."""

    @property
    def id(self) -> str: ...
    @property
    def doc_id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def section_path(self) -> tuple[str, ...]: ...
    @property
    def embed_hash(self) -> str: ...


class TitledDocument(Protocol):
    """A chunk's document, of which the worker reads only the title (embed_context)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str | None: ...


class VectorQueue(Protocol):
    """What the worker needs of the store that holds the queue (policykb/registry.py's
    Registry is one): claims, the vector cache and the pending deletes. Declared here so
    that index/ depends on no part of the service."""

    def pending_count(self) -> int: ...
    def claim_pending(self, worker: str, limit: int) -> Sequence[QueuedChunk]: ...
    def release_claims(self, worker: str, chunk_ids: list[str] | None = None) -> None: ...
    def cached_vectors(self, hashes: list[str], model: str) -> dict[str, bytes]: ...
    def store_vectors(self, model: str, vectors: dict[str, bytes]) -> None: ...
    def mark_vectors_done(self, chunk_ids: list[str]) -> None: ...
    def chunks_by_ids(self, ids: list[str]) -> Mapping[str, QueuedChunk]: ...
    def documents_by_ids(self, ids: Iterable[str]) -> Mapping[str, TitledDocument]: ...
    def pending_deletes(self, limit: int = 1000) -> list[str]: ...
    def clear_deletes(self, chunk_ids: list[str]) -> None: ...


def embed_input(title: str | None, section_path: tuple[str, ...] | list[str], text: str,
                with_context: bool = False) -> str:
    """What the model reads for a chunk: its text, or (`embed_context` setting) the
    document's title and the chunk's two innermost headings before it, so that a passage
    such as 「第十条 …不得提供香烟和高档酒水」 also carries 「党政机关国内公务接待管理规定」.
    The choice lives here alone; bench/policy_eval.py measures it."""
    if not with_context:
        return text
    head = " ".join(p for p in [title or "", *list(section_path)[-2:]] if p)
    return f"{head}\n{text}" if head else text


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


def apply_deletes(registry: VectorQueue, store: VectorStore) -> int:
    done = 0
    while ids := registry.pending_deletes(1000):
        store.delete(ids)
        registry.clear_deletes(ids)
        done += len(ids)
    return done


def drain(registry: VectorQueue, store: VectorStore, embedder: Embedder, batch_size: int, stats: WorkerStats, *,
          stop: Any = None, max_chunks: int | None = None,
          on_progress: Callable[[int, int], None] | None = None, window: int = 2048,
          with_context: bool = False) -> None:
    """Embed pending chunks until none is left (or `stop.is_set()`, or `max_chunks`).

    The model is the wall on a CPU, so it never waits for the stores: while it encodes
    batch i+1 in this thread, a writer thread puts batch i into the registry cache and
    Chroma. At most one batch is in the writer, so memory stays bounded and a failure
    surfaces at the next batch.
    """
    total = registry.pending_count()
    fresh: dict[str, bytes] = {}  # vectors encoded this run, not yet visible in the cache
    submitted = 0
    # Batches are claimed in the registry: other workers (another `ingest`, the server)
    # take other batches, and nothing is embedded twice.
    worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="policykb-store") as writer:
            inflight: Future[int] | None = None

            def settle() -> None:
                nonlocal inflight
                if inflight is not None:
                    stats.chunks += inflight.result()
                    stats.batches += 1
                    inflight = None
                    if on_progress:
                        on_progress(stats.chunks, total)

            while True:
                if (stop is not None and stop.is_set()) or (max_chunks is not None and submitted >= max_chunks):
                    break
                batch = registry.claim_pending(worker, batch_size)  # shortest first: little padding
                if not batch:
                    break
                submitted += len(batch)
                vectors = _vectors_for(registry, embedder, batch, fresh, stats, with_context)
                settle()
                inflight = writer.submit(_store, registry, store, embedder.name, batch, vectors, worker)
                if len(fresh) > window:
                    fresh.clear()
            settle()
    finally:
        registry.release_claims(worker)


def _vectors_for(registry: VectorQueue, embedder: Embedder, batch: Sequence[QueuedChunk], fresh: dict[str, bytes],
                 stats: WorkerStats, with_context: bool = False) -> dict[str, bytes]:
    """embed_hash → vector for the batch: cached, encoded earlier this run, or encoded now
    (each distinct text once)."""
    wanted = sorted({c.embed_hash for c in batch})
    found = registry.cached_vectors([h for h in wanted if h not in fresh], embedder.name)
    found.update({h: fresh[h] for h in wanted if h in fresh})
    stats.cache_hits += sum(1 for c in batch if c.embed_hash in found)
    missing: dict[str, str] = {}
    todo = [c for c in batch if c.embed_hash not in found]
    titles = {d.id: d.title for d in registry.documents_by_ids(c.doc_id for c in todo).values()} if todo else {}
    for c in todo:
        if c.embed_hash not in missing:
            missing[c.embed_hash] = embed_input(titles.get(c.doc_id), c.section_path, c.text, with_context)
    if missing:
        t0 = time.perf_counter()
        texts = list(missing.values())
        encoded = embedder.embed_passages(texts)
        stats.seconds_encoding += time.perf_counter() - t0
        stats.encoded_texts += len(texts)
        stats.encoded_chars += sum(len(t) for t in texts)
        new = {h: vector_to_blob(v) for h, v in zip(missing, encoded)}
        fresh.update(new)
        found.update(new)
    return found


def _store(registry: VectorQueue, store: VectorStore, model: str, batch: Sequence[QueuedChunk],
           vectors: dict[str, bytes], worker: str | None = None) -> int:
    """Cache first (a crash after this re-encodes nothing), then Chroma, then mark done."""
    registry.store_vectors(model, {c.embed_hash: vectors[c.embed_hash] for c in batch})
    ids = [c.id for c in batch]
    store.upsert(ids, np.stack([blob_to_vector(vectors[c.embed_hash]) for c in batch]), [c.doc_id for c in batch])
    registry.mark_vectors_done(ids)
    if worker:
        registry.release_claims(worker, ids)
    # A chunk replaced or deleted while it was being encoded must not leave a vector behind.
    still_there = registry.chunks_by_ids(ids)
    gone = [i for i in ids if i not in still_there]
    store.delete(gone)
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

    def _run(self) -> None:
        from policykb.index.priority import mark_background

        # Queries first: this thread's model calls run at the lowest priority
        # (index/priority.py), and it waits between batches while searches are served.
        mark_background()
        halt = _EitherEvent(self._stop, self._paused, yield_to_queries=True)
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

    def __init__(self, *events: threading.Event, yield_to_queries: bool = False) -> None:
        self._events = events
        self._yield = yield_to_queries

    def is_set(self) -> bool:
        if self._yield:  # asked between batches: let the searches in flight finish first
            from policykb.index.priority import QUERIES

            QUERIES.wait_idle(max_wait=5.0, quiet=0.25)
        return any(e.is_set() for e in self._events)
