"""A large library ranks keyword queries from an in-memory BM25 index (index/keyword/postings.py)
kept in step with the registry (policykb/keyword_index.py). Here the size threshold is set
to zero so that the demo corpus and an ncp subset stand in for a 200k-passage library;
only keyword search is exercised, so nothing waits for the embedding model."""
from __future__ import annotations

import json
import math
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from conftest import CORPUS, NCP, NCP_QA, make_kb, needs_shared

from policykb.index.keyword import match_expression
from policykb.index.keyword.postings import PostingIndex

QUESTIONS = json.loads((CORPUS / "demo_questions.json").read_text(encoding="utf-8"))


def large(home: Path, **settings):  # type: ignore[no-untyped-def]
    """A knowledge base that treats any library as large enough for the in-memory index."""
    return make_kb(home, **{"keyword_index_above": 0, "keyword_index_quiet_seconds": 0, **settings})


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    return hit_ids(result.results)


def hit_ids(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.chunk_id for h in hits]


@pytest.fixture(scope="module")
def indexed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("kw-index")
    kb = large(home)
    report = kb.ingest([CORPUS], wait=False)
    assert not report.failed
    kb.close()
    return home


@pytest.fixture
def copied_kb(indexed_home: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A large-library knowledge base on a copy of the indexed demo library, to change."""
    home = tmp_path / "home"
    shutil.copytree(indexed_home, home)
    kb = large(home)
    yield kb
    kb.close()


def test_postings_score_exactly_as_fts5_bm25():
    rows = [
        (1, "a", "医保 报销 比例 提高 医保"),
        (2, "a", "报销 流程 简化"),
        (3, "b", "养老 保险 缴费 基数 调整 养老 养老"),
        (7, "b", "医保 养老 衔接"),
        (9, "c", "无关 文字 内容 很多 很多 很多 很多 很多"),
        # unicode61 reads "3.2" as two tokens and "10%" as "10": lengths and matches follow it.
        (11, "c", "增长 3.2 百分点 10% 以上 2"),
        (12, "d", "增长 2 倍 3"),
    ]
    index = PostingIndex.build(rows, generation=1)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(tokens)")
    conn.executemany("INSERT INTO t (rowid, tokens) VALUES (?, ?)", [(r, tok) for r, _, tok in rows])
    for terms in (["医保"], ["养老", "医保"], ["报销", "简化", "缺席"], ["很多", "养老"],
                  ["增长", "3.2"], ["2"], ["10%", "百分点"], ["10"]):
        expected = conn.execute("SELECT rowid, -bm25(t) FROM t WHERE t MATCH ? ORDER BY rank",
                                [match_expression(terms)]).fetchall()
        got = index.search(terms, 10)
        assert [r for r, _ in got] == [r for r, _ in expected], terms
        for (_, ours), (_, theirs) in zip(got, expected):
            assert math.isclose(ours, theirs, rel_tol=1e-5), terms
    assert index.search(["缺席"], 10) == []
    assert [r for r, _ in index.search(["医保", "养老"], 10, allowed_docs=["b"])] == [7, 3]


def test_an_ingested_large_library_answers_keywords_from_the_index_and_ranks_as_fts5(indexed_home: Path):
    kb = large(indexed_home)
    fts = make_kb(indexed_home)  # same registry, below its threshold: FTS5 ranks
    try:
        # The one-shot ingest left the index current on disk: this process loads it, no build.
        assert kb.keyword_index.current() is not None
        assert kb.keyword_index.last_build is None
        assert kb.status()["keyword_index"]["current"] is True
        for q in QUESTIONS["answerable"]:
            with_index = kb.search(q["question"], top_k=5, mode="keyword")
            assert ids(with_index) == ids(fts.search(q["question"], top_k=5, mode="keyword")), q["question"]
            assert any(q["answer_contains"] in h.text for h in with_index.results), q["question"]
    finally:
        kb.close()
        fts.close()


def test_filters_apply_to_index_results(indexed_home: Path):
    kb = large(indexed_home)
    fts = make_kb(indexed_home)
    try:
        issuers = {d.issuer for d in kb.list_documents()[0] if d.issuer}
        issuer = min(issuers)
        query = "加强 工作 推进 建设"
        got = kb.search(query, top_k=20, mode="keyword", filters={"issuer": issuer})
        assert got.results and all(h.metadata.get("issuer") == issuer for h in got.results)
        assert ids(got) == ids(fts.search(query, top_k=20, mode="keyword", filters={"issuer": issuer}))
    finally:
        kb.close()
        fts.close()


def test_a_new_document_is_searchable_at_once_and_the_server_rebuilds_after_writes_pause(
        copied_kb, tmp_path: Path):
    kb = copied_kb
    kb.keyword_index.background = True  # as the server runs it
    kb.keyword_index.quiet_seconds = 0.5
    before = kb.keyword_index.current()
    assert before is not None
    note = tmp_path / "关于开展萤火虫栖息地保护的通知.txt"
    note.write_text("关于开展萤火虫栖息地保护的通知\n各乡镇：请于五月底前完成萤火虫栖息地普查。", encoding="utf-8")
    kb.ingest([note], wait=False)
    # Stale index: FTS5 answers, and the new document is already found.
    assert kb.keyword_index.current() is None
    hits = kb.search("萤火虫栖息地普查", mode="keyword").results
    assert hits and hits[0].title.startswith("关于开展萤火虫栖息地保护")
    # Writes have paused: the next query starts a rebuild in the background.
    time.sleep(0.6)
    kb.search("萤火虫", mode="keyword")
    deadline = time.time() + 60
    while kb.keyword_index.current() is None and time.time() < deadline:
        time.sleep(0.1)
    rebuilt = kb.keyword_index.current()
    assert rebuilt is not None and rebuilt.size == before.size + len(kb.document_chunks(hits[0].doc_id))
    assert kb.search("萤火虫栖息地普查", mode="keyword").results[0].doc_id == hits[0].doc_id
    # ... and saved, so another process opens it without building.
    other = large(kb.settings.home)
    assert other.keyword_index.current() is not None and other.keyword_index.last_build is None
    other.close()


def test_a_deleted_document_never_comes_back_from_the_index(copied_kb):
    kb = copied_kb
    q = QUESTIONS["answerable"][0]
    first = kb.search(q["question"], mode="keyword").results[0]
    kb.delete_document(first.doc_id)
    assert all(h.doc_id != first.doc_id for h in kb.search(q["question"], mode="keyword").results)
    assert kb.keyword_index.refresh() is not None
    assert all(h.doc_id != first.doc_id for h in kb.search(q["question"], mode="keyword").results)


def test_a_damaged_index_on_disk_is_ignored_and_rebuilt(copied_kb):
    kb = copied_kb
    directory = kb.keyword_index.directory
    (directory / "post_rows.npy").write_bytes(b"not numpy")
    assert kb.keyword_index.current() is None  # unreadable: FTS5 answers meanwhile
    assert kb.search(QUESTIONS["answerable"][0]["question"], mode="keyword").results
    assert kb.keyword_index.refresh() is not None
    assert kb.keyword_index.last_build is not None
    assert PostingIndex.load(directory) is not None


@needs_shared
def test_ncp_questions_rank_the_same_top_passage_from_the_index_and_from_fts5(tmp_path: Path):
    files = sorted(NCP.iterdir())[:120]
    kb = large(tmp_path / "home")
    try:
        kb.ingest(files, wait=False)
        fts = make_kb(tmp_path / "home")
        questions = [json.loads(line)["question"] for line in NCP_QA.read_text(encoding="utf-8").splitlines()][:150]
        compared = 0
        for q in questions:
            a = kb.search(q, top_k=1, mode="keyword").results
            b = fts.search(q, top_k=1, mode="keyword").results
            assert hit_ids(a) == hit_ids(b), q
            compared += bool(b)
        assert compared > 100
        fts.close()
    finally:
        kb.close()


def test_the_server_keeps_the_index_current_after_an_upload(demo_kb, tmp_path: Path):
    """A real `policykb serve`: an uploaded notice is found at once (FTS5 while the index is
    stale), and once uploads pause the server rebuilds the index by itself."""
    import httpx
    from conftest import policykb_server

    home = tmp_path / "home"
    shutil.copytree(demo_kb.settings.home, home)
    shutil.rmtree(home / "kbs" / "default" / "keyword-index", ignore_errors=True)

    def wait_current(client: httpx.Client) -> dict:
        deadline = time.time() + 60
        while time.time() < deadline:
            state = client.get("/api/status").json()["keyword_index"]
            if state["current"]:
                return state
            client.post("/api/search", json={"query": "萤火虫", "mode": "keyword"})
            time.sleep(0.2)
        raise AssertionError(f"keyword index never became current: {state}")

    with policykb_server(home, POLICYKB_KEYWORD_INDEX_ABOVE="0", POLICYKB_KEYWORD_INDEX_QUIET_SECONDS="0.5") as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        first = wait_current(client)
        assert first["passages"] == demo_kb.registry.chunk_count()
        notice = "关于开展萤火虫栖息地保护的通知\n各乡镇：请于五月底前完成萤火虫栖息地普查。".encode()
        r = client.post("/api/documents", files=[("files", ("萤火虫通知.txt", notice, "text/plain"))])
        assert r.status_code == 200 and r.json()["files"][0]["status"] == "added"
        assert client.get("/api/status").json()["keyword_index"]["current"] is False
        hits = client.post("/api/search", json={"query": "萤火虫栖息地普查", "mode": "keyword"}).json()["results"]
        assert hits and "萤火虫" in hits[0]["title"]
        after = wait_current(client)
        assert after["passages"] > first["passages"]
        again = client.post("/api/search", json={"query": "萤火虫栖息地普查", "mode": "keyword"}).json()["results"]
        assert again[0]["chunk_id"] == hits[0]["chunk_id"]


def test_a_failed_background_rebuild_is_logged_and_not_retried_at_once(copied_kb, tmp_path: Path,
                                                                       monkeypatch, caplog):
    import policykb.keyword_index as keeper

    kb = copied_kb
    kb.keyword_index.background = True
    note = tmp_path / "关于开展萤火虫栖息地保护的通知.txt"
    note.write_text("关于开展萤火虫栖息地保护的通知\n请完成萤火虫栖息地普查。", encoding="utf-8")
    kb.ingest([note], wait=False)
    monkeypatch.setattr(keeper.sys, "executable", "/bin/false")  # the child exits 1
    assert kb.keyword_index.current() is None  # starts the rebuild
    kb.keyword_index._thread.join(30)
    assert "关键词索引重建失败" in caplog.text
    assert kb.keyword_index.current() is None and not kb.keyword_index.status()["building"]
    assert kb.search("萤火虫栖息地普查", mode="keyword").results  # FTS5 answers meanwhile
