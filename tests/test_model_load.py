"""Issue 19: a slow model must not stall the server. Model calls are bounded and queued
(policykb/llm_gate.py); an ask beyond the queue is answered at once with the extractive
answer and a 「大模型正忙」 notice, and health and search keep answering meanwhile."""
from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conftest import policykb_server
from tests.llm_standin import MODEL, Reply, StandIn, quoting

QUESTION = "“三审三校”中的终审由谁负责？"
ASKS = 6


@pytest.fixture(scope="module")
def slow_model() -> Iterator[StandIn]:
    server = StandIn().start()
    server.default = Reply(quoting(1), delay=3.0)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(demo_kb: Any, slow_model: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("slow-model") / "home"
    shutil.copytree(demo_kb.settings.home, home)
    with policykb_server(home, POLICYKB_LLM_BASE_URL=slow_model.url, POLICYKB_LLM_MODEL=MODEL,
                         POLICYKB_LLM_TIMEOUT="30", POLICYKB_LLM_CONCURRENCY="1", POLICYKB_LLM_QUEUE="1",
                         POLICYKB_LLM_QUEUE_WAIT="30") as url:
        httpx.post(f"{url}/api/search", json={"query": "终审", "top_k": 1}, timeout=120)  # load the model once
        yield url


def test_a_slow_model_gets_a_bounded_queue_and_the_server_keeps_answering(server: str, slow_model: StandIn) -> None:
    answers: list[dict[str, Any]] = []
    lock = threading.Lock()

    def ask(stream: bool) -> None:
        if stream:
            with httpx.stream("POST", f"{server}/api/ask", params={"stream": "true"},
                              json={"question": QUESTION}, timeout=120) as resp:
                body = resp.read().decode()
            import json
            data = json.loads(body.strip().split("\n\n")[-1].split("data: ", 1)[1])
        else:
            data = httpx.post(f"{server}/api/ask", json={"question": QUESTION}, timeout=120).json()
        with lock:
            answers.append(data)

    threads = [threading.Thread(target=ask, args=(i % 2 == 1,)) for i in range(ASKS)]
    for t in threads:
        t.start()
    # While the model works through its queue, the rest of the server answers.
    with httpx.Client(base_url=server, timeout=60) as client:
        while not slow_model.requests:  # the first ask has reached the model
            threading.Event().wait(0.05)
        assert client.get("/api/health").json()["status"] == "ok"
        assert client.post("/api/search", json={"query": "终审由谁负责", "top_k": 3}).json()["results"]
        status = client.get("/api/status").json()["llm"]
        with lock:
            finished_llm = sum(a["answerer"] == f"llm:{MODEL}" for a in answers)
    assert finished_llm == 0  # the health check and the search did not wait for the model
    assert status["running"] == 1 and status["concurrency"] == 1
    for t in threads:
        t.join(120)
    by = [a["answerer"] for a in answers]
    assert len(answers) == ASKS
    assert by.count(f"llm:{MODEL}") == 2  # one running, one queued
    busy = [a for a in answers if a["answerer"] == "extractive"]
    assert len(busy) == ASKS - 2
    assert all(a["found"] and a["notice"].startswith("大模型正忙，请稍后再试") for a in busy)
