"""Managing the library over HTTP: list, inspect, upload (checked by content, one result
per file), delete — against a real server process, plus a few edge cases on an app in
this process where a setting has to differ (a tiny upload limit) or a fault is injected."""
from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.docbuild import make_docx, make_pdf



@pytest.fixture(scope="module")
def client(live_server: str):
    with httpx.Client(base_url=live_server, timeout=60) as c:
        yield c


def test_the_library_lists_filters_sorts_and_pages(client: httpx.Client) -> None:
    everything = client.get("/api/documents", params={"limit": 500}).json()
    assert everything["total"] >= 12
    dates = [d["date"] for d in everything["documents"] if d["date"]]
    assert dates == sorted(dates, reverse=True), "newest first by default"

    oldest_first = client.get("/api/documents", params={"sort": "date_asc", "limit": 500}).json()["documents"]
    dated = [d["date"] for d in oldest_first if d["date"]]
    assert dated == sorted(dated)

    page = client.get("/api/documents", params={"limit": 5, "offset": 5}).json()
    assert page["total"] == everything["total"] and len(page["documents"]) == 5
    assert [d["id"] for d in page["documents"]] == [d["id"] for d in everything["documents"][5:10]]

    propaganda = client.get("/api/documents", params={"issuer": "宣传部"}).json()["documents"]
    assert propaganda and all("宣传部" in d["issuer"] for d in propaganda)
    notices = client.get("/api/documents", params={"doc_type": "通知", "date_from": "2026-03"}).json()["documents"]
    assert notices and all(d["doc_type"] == "通知" and d["date"] >= "2026-03" for d in notices)
    titled = client.get("/api/documents", params={"q": "三审三校"}).json()["documents"]
    assert len(titled) == 1 and "三审三校" in titled[0]["title"]
    assert all(d["pending_vectors"] == 0 and d["chunk_count"] > 0 for d in everything["documents"])


def test_a_document_shows_its_sections_chunks_and_text(client: httpx.Client) -> None:
    doc = client.get("/api/documents", params={"q": "2026年全省组织工作要点"}).json()["documents"][0]
    detail = client.get(f"/api/documents/{doc['id']}").json()
    assert detail["doc_no"] == "江组发〔2026〕1号"
    assert any(s.startswith("二、推动基层党组织全面进步全面过硬") for s in detail["sections"])
    full = client.get(f"/api/documents/{doc['id']}/text").json()
    assert full["title"] == detail["title"] and full["doc_no"] == detail["doc_no"]
    for chunk in detail["chunks"]:
        assert full["text"][chunk["char_start"]:chunk["char_end"]] == chunk["text"]

    missing = client.get("/api/documents/nope")
    assert missing.status_code == 404
    assert missing.json()["error"] == {"code": "not_found", "message": "文档不存在：nope"}


def test_stats_summarise_the_library(client: httpx.Client) -> None:
    stats = client.get("/api/stats").json()
    assert stats["documents"] >= 12 and stats["chunks"] > stats["documents"]
    assert stats["by_doc_type"]["通知"] >= 2


def test_upload_reports_each_file_and_makes_good_ones_searchable_at_once(client: httpx.Client, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    word = f"云岫镇{tag}"
    pdf = make_pdf(tmp_path / "notice.pdf", [
        f"<t>关于在{word}开展数字乡村试点的通知\n\n<n>各县（市、区）：\n"
        f"经研究，决定在{word}开展数字乡村试点，试点期限为两年，每季度报送一次进展情况。\n<r>江北省农业农村厅\n<r>2026年2月3日"
    ])
    docx = make_docx(tmp_path / "speech.docx", [
        ("title", f"在{word}数字乡村推进会上的讲话"),
        ("h1", "一、充分认识数字乡村建设的重要意义"),
        ("p", f"数字乡村是乡村振兴的战略方向，{word}要走在前列，三年内实现村级事务网上办理全覆盖。"),
    ])
    fake_pdf = b"this is plain text pretending to be a PDF"
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256)) * 8
    files = [
        ("files", (f"../../etc/通知{tag}.pdf", pdf.read_bytes(), "application/pdf")),
        ("files", (f"讲话{tag}.docx", docx.read_bytes(), "application/octet-stream")),
        ("files", (f"假的{tag}.pdf", fake_pdf, "application/pdf")),
        ("files", (f"程序{tag}.pdf", exe, "application/pdf")),
        ("files", (f"压缩包{tag}.zip", b"PK\x03\x04whatever", "application/zip")),
    ]
    r = client.post("/api/documents", files=files, data={"issuer": "江北省农业农村厅"})
    assert r.status_code == 200
    body = r.json()
    by_name = {f["path"]: f for f in body["files"]}
    assert set(by_name) == {f"通知{tag}.pdf", f"讲话{tag}.docx", f"假的{tag}.pdf", f"程序{tag}.pdf", f"压缩包{tag}.zip"}, \
        "names are sanitised: no directories survive"
    assert by_name[f"通知{tag}.pdf"]["status"] == "added"
    assert by_name[f"讲话{tag}.docx"]["status"] == "added"
    assert by_name[f"假的{tag}.pdf"]["code"] == "type_mismatch"
    assert by_name[f"程序{tag}.pdf"]["code"] == "type_mismatch"
    assert by_name[f"压缩包{tag}.zip"]["code"] == "unsupported_type"
    for name in (f"假的{tag}.pdf", f"程序{tag}.pdf", f"压缩包{tag}.zip"):
        assert by_name[name]["status"] == "failed" and by_name[name]["message"]
    assert body["counts"] == {"added": 2, "failed": 3}

    hits = client.post("/api/search", json={"query": word, "mode": "keyword"}).json()["results"]
    assert {h["doc_id"] for h in hits} == {by_name[f"通知{tag}.pdf"]["doc_id"], by_name[f"讲话{tag}.docx"]["doc_id"]}
    assert all(h["metadata"]["issuer"] == "江北省农业农村厅" for h in hits), "metadata fields override"

    listed = client.get("/api/documents", params={"q": word}).json()["documents"]
    assert len(listed) == 2

    # Delete one: it leaves the library and the results.
    doomed = by_name[f"讲话{tag}.docx"]["doc_id"]
    r = client.delete(f"/api/documents/{doomed}")
    assert r.status_code == 200 and r.json()["id"] == doomed
    assert client.get(f"/api/documents/{doomed}").status_code == 404
    hits = client.post("/api/search", json={"query": word, "mode": "keyword"}).json()["results"]
    assert doomed not in {h["doc_id"] for h in hits}
    assert client.delete(f"/api/documents/{doomed}").status_code == 404


def test_uploading_the_same_content_twice_is_a_duplicate_not_a_copy(client: httpx.Client) -> None:
    text = f"关于测试重复上传的说明{uuid.uuid4().hex}\n\n一、重复上传的文件不应在文库中出现两次。".encode()
    first = client.post("/api/documents", files=[("files", ("重复A.txt", text, "text/plain"))]).json()["files"][0]
    second = client.post("/api/documents", files=[("files", ("重复B.txt", text, "text/plain"))]).json()["files"][0]
    again = client.post("/api/documents", files=[("files", ("重复A.txt", text, "text/plain"))]).json()["files"][0]
    assert first["status"] == "added"
    assert second["status"] == "duplicate" and second["doc_id"] == first["doc_id"]
    assert again["status"] == "unchanged"
    client.delete(f"/api/documents/{first['doc_id']}")


def test_errors_are_one_json_shape_in_chinese(client: httpx.Client) -> None:
    r = client.get("/api/no-such-route")
    assert r.status_code == 404 and r.json() == {"error": {"code": "http_404", "message": "请求的地址不存在"}}
    r = client.post("/api/documents", data={"issuer": "x"})
    assert r.status_code == 422 and "files" in r.json()["error"]["message"]
    r = client.post("/api/documents", files=[("files", ("a.txt", b"hello", "text/plain"))], data={"metadata": "[1,"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "bad_metadata"
    r = client.post("/api/search", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


# ---------------------------------------------------------------- in-process edge cases


def test_a_file_over_the_upload_limit_is_refused_by_name(tmp_path: Path) -> None:
    from policykb.api.app import create_app
    from policykb.config import Settings

    settings = Settings(home=tmp_path / "home", max_upload_mb=1)
    with TestClient(create_app(settings, background_worker=False)) as tc:
        big = "一、大文件\n" + "超过上限的内容。" * 200_000
        r = tc.post("/api/documents", files=[("files", ("大文件.txt", big.encode(), "text/plain"))])
        result = r.json()["files"][0]
        assert result["status"] == "failed" and result["code"] == "too_large"
        assert "1 MB" in result["message"]
        assert not (tmp_path / "home" / "kbs" / "default" / "uploads" / "大文件.txt").exists()


def test_an_unexpected_failure_is_a_500_without_a_stack_trace(tmp_path: Path) -> None:
    from policykb.api.app import create_app
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    class Broken(KnowledgeBase):
        def search(self, *a, **k):  # type: ignore[no-untyped-def]
            raise RuntimeError("secret internal detail /etc/passwd")

    settings = Settings(home=tmp_path / "home")
    kb = Broken(settings)
    try:
        with TestClient(create_app(settings, kb=kb, background_worker=False), raise_server_exceptions=False) as tc:
            r = tc.post("/api/search", json={"query": "培训"})
            assert r.status_code == 500
            assert r.json() == {"error": {"code": "internal_error", "message": "服务器内部错误，请稍后重试或联系管理员"}}
            assert "secret" not in r.text and "Traceback" not in r.text
            events = tc.post("/api/ask?stream=true", json={"question": "培训"}).text
            assert "event: error" in events and "secret" not in events
    finally:
        kb.close()


def test_the_web_page_and_api_docs_need_no_internet(client: httpx.Client) -> None:
    import re

    page = client.get("/")
    assert page.status_code == 200 and "政策知识库" in page.text
    docs = client.get("/docs").text
    for html in (page.text, docs, client.get("/redoc").text):
        external = re.findall(r"""(?:src|href)=["']?(https?://[^"' >]+)""", html)
        assert not external, external
    for asset in ("/static/app.js", "/static/app.css"):
        r = client.get(asset)
        assert r.status_code == 200
        assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", r.text), asset
    swagger_js = re.search(r"""src=["']([^"']+\.js)""", docs).group(1)
    assert client.get(swagger_js).status_code == 200


def test_more_like_this_works_before_vectors_exist(tmp_path: Path) -> None:
    """A fresh upload is keyword-searchable at once; "more like this" on it falls back to
    its words and never offers the passage itself."""
    from policykb.api.app import create_app
    from policykb.config import Settings

    settings = Settings(home=tmp_path / "home")
    a = "关于加强社区网格员队伍建设的通知\n\n一、配齐网格员\n每个社区网格配备专职网格员1名，网格员每月走访住户不少于两次。"
    b = "网格员工作经验做法\n\n一、走访住户\n网格员坚持每月走访住户，专职网格员熟悉社区网格内每一户的情况。"
    with TestClient(create_app(settings, background_worker=False)) as tc:
        r = tc.post("/api/documents", files=[("files", ("a.txt", a.encode(), "text/plain")),
                                             ("files", ("b.txt", b.encode(), "text/plain"))])
        assert r.json()["pending_vectors"] > 0
        hit = tc.post("/api/search", json={"query": "网格员配备", "mode": "keyword"}).json()["results"][0]
        similar = tc.get(f"/api/passages/{hit['chunk_id']}/similar").json()
        assert similar["results"], "the other document's passage"
        assert hit["chunk_id"] not in {h["chunk_id"] for h in similar["results"]}


def test_with_an_api_key_the_api_is_closed_but_the_page_opens(tmp_path: Path) -> None:
    from policykb.api.app import create_app
    from policykb.config import Settings

    settings = Settings(home=tmp_path / "home", api_key="s3cret")
    with TestClient(create_app(settings, background_worker=False)) as tc:
        assert tc.get("/").status_code == 200
        r = tc.get("/api/documents")
        assert r.status_code == 401 and "X-API-Key" in r.json()["error"]["message"]
        assert tc.get("/api/documents", headers={"X-API-Key": "wrong"}).status_code == 401
        assert tc.get("/api/documents", headers={"X-API-Key": "s3cret"}).status_code == 200


@pytest.mark.parametrize("given, kept", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\张三\\通知.docx", "通知.docx"),
    (".hidden.md", "hidden.md"),
    ("-rf.txt", "rf.txt"),
    ("a\x00b<c>:d|e?.pdf", "abcde.pdf"),
    ("长" * 300 + ".pdf", "长" * 100 + ".pdf"),
    ("", "upload"),
])
def test_uploaded_file_names_are_sanitised(given: str, kept: str) -> None:
    from policykb.uploads import safe_filename

    assert safe_filename(given) == kept
