"""Chroma as the vector store: embedded PersistentClient by default, a `chroma run` server
over HTTP when a URL is configured. Same code for both.

We talk to the collection directly rather than through llama-index's ChromaVectorStore:
that store writes each node's full JSON into Chroma metadata, but here the registry is the
source of truth and Chroma only needs ids, vectors and the document id.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

try:
    import fcntl
except ImportError:  # not on Windows: there a library is opened by one process at a time
    fcntl = None  # type: ignore[assignment]

from policykb.index.embedding import Embedder, chroma_embedding_function


class VectorStoreError(RuntimeError):
    pass


def _client(chroma_url: str | None, persist_dir: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=settings,
            )
        except Exception as exc:  # chromadb raises plain ValueError/ConnectError here
            raise VectorStoreError(f"无法连接 Chroma 服务器 {chroma_url}：{exc}") from exc
    assert persist_dir is not None
    # Two processes opening a new library at once (two `policykb ingest` started together)
    # both create Chroma's tables, and the loser fails with 「table collections already
    # exists」: the opening is serialised by a lock file beside the store.
    lock_path = Path(f"{persist_dir.rstrip('/')}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        return chromadb.PersistentClient(path=persist_dir, settings=settings)


def collection_name(kb: str, model_name: str) -> str:
    """Chroma names allow [a-zA-Z0-9._-]; knowledge-base names may be Chinese."""
    safe = re.sub(r"[^a-zA-Z0-9_-]", "", kb)
    if safe != kb or not safe:
        safe = (safe[:20] + "-" if safe else "") + hashlib.sha1(kb.encode()).hexdigest()[:10]
    model = re.sub(r"[^a-zA-Z0-9_-]", "-", model_name)[:40]
    return f"pkb-{safe}-{model}".strip("-_")[:120]


class VectorStore:
    def __init__(self, embedder: Embedder, kb: str, *, chroma_url: str | None = None,
                 persist_dir: str | None = None, ef_search: int = 400) -> None:
        self.embedder = embedder
        self.ef_search = ef_search  # Settings.vector_ef_search
        self._client = _client(chroma_url, persist_dir)
        self.name = collection_name(kb, embedder.name)
        self._known_count: int | None = None
        self._collection = self._open()

    def _open(self) -> Any:
        collection = self._client.get_or_create_collection(
            name=self.name,
            embedding_function=chroma_embedding_function(self.embedder),
            configuration={"hnsw": {"space": "cosine", "ef_search": self.ef_search}},
        )
        # A collection made before the setting (or under another value) keeps what it was
        # made with until told: Chroma's default 100 for libraries made before it.
        hnsw = (getattr(collection, "configuration", None) or {}).get("hnsw") or {}
        if hnsw.get("ef_search") != self.ef_search:
            collection.modify(configuration={"hnsw": {"ef_search": self.ef_search}})
        return collection

    def count(self) -> int:
        self._known_count = int(self._collection.count())
        return self._known_count

    def upsert(self, ids: list[str], vectors: np.ndarray, doc_ids: list[str]) -> None:
        if not ids:
            return
        self._known_count = None
        self._collection.upsert(
            ids=ids,
            embeddings=[v for v in np.asarray(vectors, dtype=np.float32)],
            metadatas=[{"doc_id": d} for d in doc_ids],
        )

    def delete(self, ids: list[str]) -> None:
        if ids:
            self._known_count = None
            self._collection.delete(ids=ids)

    def reset(self) -> None:
        self._known_count = None
        self._client.delete_collection(self.name)
        self._collection = self._open()

    def query(self, vector: np.ndarray, n: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """(chunk_id, cosine similarity) best first; `doc_ids` restricts to those documents."""
        # Counting costs a round trip per query on a large collection: trust the last count
        # unless it is small enough to limit n (another process may have added vectors).
        total = self._known_count if self._known_count is not None and self._known_count >= n else self.count()
        if total == 0 or n <= 0:
            return []
        where = None
        if doc_ids is not None:
            if not doc_ids:
                return []
            where = {"doc_id": {"$in": doc_ids}} if len(doc_ids) > 1 else {"doc_id": doc_ids[0]}
        res = self._collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=min(n, total),
            where=where,
            include=["distances"],
        )
        ids = res["ids"][0]
        dists = res["distances"][0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists)]

    def get_vector(self, chunk_id: str) -> np.ndarray | None:
        res = self._collection.get(ids=[chunk_id], include=["embeddings"])
        embs = res.get("embeddings")
        if embs is None or len(embs) == 0:
            return None
        return np.asarray(embs[0], dtype=np.float32)
