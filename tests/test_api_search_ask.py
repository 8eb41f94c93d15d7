"""The HTTP API for finding things, as a client sees it over a real socket: a `policykb
serve` process on loopback over a copy of the demo knowledge base."""
from __future__ import annotations

import json

import httpx
import pytest


QUESTION = "村（社区）党组织书记每年要参加多少学时的集中培训？"


@pytest.fixture(scope="module")
def client(live_server: str):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def sse_events(body: str) -> list[tuple[str, dict]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = block.splitlines()
        event = next(line[6:].strip() for line in lines if line.startswith("event:"))
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        events.append((event, json.loads(data)))
    return events


def test_search_finds_the_passage_with_its_document_metadata(client: httpx.Client) -> None:
    r = client.post("/api/search", json={"query": "三审三校 终审", "top_k": 5})
    assert r.status_code == 200
    body = r.json()
    top = next(h for h in body["results"] if "终审由本单位分管领导负责" in h["text"])
    assert top["metadata"]["doc_no"] == "江宣发〔2026〕5号"
    assert top["metadata"]["issuer"] == "中共江北省委宣传部"
    assert "三审三校" in body["terms"], "the query's words come back for highlighting"


def test_search_filters_narrow_by_issuer_type_and_date(client: httpx.Client) -> None:
    everything = client.post("/api/search", json={"query": "培训", "top_k": 50}).json()["results"]
    by_issuer = client.post("/api/search", json={"query": "培训", "top_k": 50,
                                                 "filters": {"issuer": "宣传部"}}).json()["results"]
    assert by_issuer and len(by_issuer) < len(everything)
    assert all("宣传部" in h["metadata"]["issuer"] for h in by_issuer)

    notices = client.post("/api/search", json={"query": "培训", "top_k": 50,
                                               "filters": {"doc_type": "通知"}}).json()["results"]
    assert notices and all(h["metadata"]["doc_type"] == "通知" for h in notices)

    spring = client.post("/api/search", json={"query": "培训", "top_k": 50,
                                              "filters": {"date_from": "2026-03-01", "date_to": "2026Q2"}}).json()
    assert spring["results"]
    assert all("2026-03-01" <= h["metadata"]["date"] <= "2026-06-30" for h in spring["results"])


def test_a_bad_filter_is_a_chinese_error_not_a_crash(client: httpx.Client) -> None:
    r = client.post("/api/search", json={"query": "培训", "filters": {"date_from": "上个月"}})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "bad_filter"
    assert "日期" in r.json()["error"]["message"]

    r = client.post("/api/search", json={"query": ""})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_request" and "请求参数不正确" in error["message"]


def test_ask_answers_with_numbered_citations_that_point_at_passages(client: httpx.Client) -> None:
    r = client.post("/api/ask", json={"question": QUESTION})
    assert r.status_code == 200
    answer = r.json()
    assert answer["found"] is True
    assert "40学时" in answer["answer"]
    numbers = {c["n"] for c in answer["citations"]}
    assert numbers and all(f"[{n}]" in answer["answer"] for n in numbers)
    for c in answer["citations"]:
        text = client.get(f"/api/documents/{c['doc_id']}/text").json()["text"]
        assert text[c["char_start"]:c["char_end"]] == c["text"], "a citation opens the exact passage"


def test_ask_says_so_when_the_library_has_no_answer(client: httpx.Client) -> None:
    answer = client.post("/api/ask", json={"question": "火星探测器的着陆时间是哪一天？"}).json()
    assert answer["found"] is False
    assert answer["answer"] == "知识库中未找到相关内容"
    assert answer["citations"] == []
    assert answer["related"] == [], "a question plainly outside the library lists nothing to look at"


def test_a_refused_question_near_the_library_lists_passages_to_look_at(client: httpx.Client) -> None:
    # No passage says whether 干部选拔 involves an exam, but the library is about 选拔任用:
    # the refusal stands, and the nearest passages come apart from it, each one openable.
    answer = client.post("/api/ask", json={"question": "干部选拔要不要考试？"}).json()
    assert answer["found"] is False and answer["answer"] == "知识库中未找到相关内容" and answer["citations"] == []
    related = answer["related"]
    assert 1 <= len(related) <= 3
    for hit in related:
        text = client.get(f"/api/documents/{hit['doc_id']}/text").json()["text"]
        assert text[hit["char_start"]:hit["char_end"]] == hit["text"]
    assert any("选拔任用" in (hit["title"] or "") for hit in related)
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AnswerResponse"]
    assert "related" in schema["properties"]


def test_ask_streams_the_answer_as_server_sent_events(client: httpx.Client) -> None:
    with client.stream("POST", "/api/ask", params={"stream": "true"}, json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = sse_events(body)
    kinds = [k for k, _ in events]
    assert kinds[-1] == "done" and set(kinds[:-1]) == {"delta"}
    done = events[-1][1]
    assert "".join(d["text"] for k, d in events if k == "delta") == done["answer"]
    assert done["found"] and done["citations"], "citations come at the end"


def test_a_stream_that_fails_ends_with_an_error_event(client: httpx.Client) -> None:
    r = client.post("/api/ask?stream=true", json={"question": "   "})
    events = sse_events(r.text)
    assert events == [("error", {"code": "empty_query", "message": "查询内容不能为空"})]


def test_more_like_this_finds_other_passages(client: httpx.Client) -> None:
    hit = client.post("/api/search", json={"query": "典型案例 乡村振兴", "top_k": 1}).json()["results"][0]
    r = client.get(f"/api/passages/{hit['chunk_id']}/similar", params={"top_k": 5})
    assert r.status_code == 200
    similar = r.json()["results"]
    assert 0 < len(similar) <= 5
    assert hit["chunk_id"] not in {s["chunk_id"] for s in similar}
    assert any(s["doc_id"] != hit["doc_id"] for s in similar), "precedents from other documents"

    missing = client.get("/api/passages/no-such-chunk/similar")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "段落不存在：no-such-chunk"}}


def test_openapi_documents_every_route(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/search", "/api/ask", "/api/documents", "/api/documents/{doc_id}",
                 "/api/documents/{doc_id}/text", "/api/passages/{chunk_id}/similar", "/api/stats"):
        assert path in spec["paths"], path
    assert "text/event-stream" in spec["paths"]["/api/ask"]["post"]["responses"]["200"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
