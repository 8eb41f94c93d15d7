"""Issue 19's battery: every hostile kind of file, ingested from a folder on the command
line and uploaded over HTTP, has its own expected outcome, and never stops the rest."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from conftest import make_kb, policykb_server
from hostile import DEEP_SENTENCE, Hostile, battery, on_disk_name
from test_cli import run


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Hostile]:
    return battery(tmp_path_factory.mktemp("hostile-build"))


def _check(h: Hostile, outcome, result: dict) -> None:  # type: ignore[no-untyped-def]
    assert result["status"] == outcome.status, (h.name, result)
    if outcome.code:
        assert result["code"] == outcome.code, (h.name, result)
    if outcome.hint:
        assert outcome.hint in (result["message"] or ""), (h.name, result)
    if outcome.status == "failed":
        assert any("\u4e00" <= c <= "\u9fff" for c in result["message"]), result  # said in Chinese


def test_cli_folder_ingest_gives_each_hostile_file_its_outcome(files, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for h in files:
        (src / on_disk_name(h.name)).write_bytes(h.data)
    home = tmp_path / "home"
    done = run(home, "ingest", str(src), "--no-wait", "--json")
    assert done.returncode == 1, done.stderr  # some failed, the batch finished
    results = {Path(f["path"]).name: f for f in json.loads(done.stdout)["files"]}
    assert len(results) == len(files)
    for h in files:
        _check(h, h.cli, results[on_disk_name(h.name)])
    # Every failure is in the ingest log too, with its code.
    kb = make_kb(home)
    try:
        logged = {Path(r["path"]).name: r["code"] for r in kb.registry.recent_log(100) if r["status"] == "failed"}
        deep = next(d for d in kb.list_documents()[0] if d.filename == "深层嵌套.html")
        assert DEEP_SENTENCE in kb.document_text(deep.id)
    finally:
        kb.close()
    assert {n: c for n, c in logged.items()} == {
        on_disk_name(h.name): h.cli.code for h in files if h.cli.status == "failed"}
    # Plain output: file names with control characters reach the terminal escaped.
    again = run(home, "ingest", str(src), "--no-wait")
    assert "\x1b" not in again.stdout + again.stderr and "\x07" not in again.stdout + again.stderr
    assert "控制\\x1b[31m字符\\x07.txt" in again.stdout


def test_upload_api_gives_each_hostile_file_its_outcome(files, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with policykb_server(home) as url, httpx.Client(base_url=url, timeout=120) as client:
        for h in files:  # one keep-alive connection: a bad file must not break the next request
            resp = client.post("/api/documents", files=[("files", (h.name, h.data))])
            assert resp.status_code == 200, (h.name, resp.text)
            [result] = resp.json()["files"]
            _check(h, h.api, result)
            name = result["path"]
            assert not any(ord(c) < 32 for c in name) and len(name) <= 120, name
        assert client.get("/api/health").json()["documents"] == sum(h.api.status == "added" for h in files)
        deep = client.get("/api/documents", params={"q": "深层嵌套"}).json()["documents"]
        assert DEEP_SENTENCE in client.get(f"/api/documents/{deep[0]['id']}/text").json()["text"]


def test_a_parse_over_its_time_budget_fails_alone(tmp_path: Path) -> None:
    slow = tmp_path / "慢.html"  # 200,000 levels: seconds to parse, far over half a second
    slow.write_text("<html><body>" + "<div>" * 200_000 + "正文" + "</div>" * 200_000 + "</body></html>")
    good = tmp_path / "好.txt"
    good.write_text("关于开展学习的通知\n\n各级党组织要认真组织学习。\n", encoding="utf-8")
    kb = make_kb(tmp_path / "home", parse_timeout=0.5)
    try:
        report = kb.ingest([tmp_path], wait=False)
    finally:
        kb.close()
    status = {Path(f.path).name: (f.status, f.code) for f in report.files}
    assert status == {"慢.html": ("failed", "timeout"), "好.txt": ("added", None)}
    assert "超时" in report.failed[0].message


def test_an_unexpected_error_in_one_file_is_that_files_error(tmp_path: Path, monkeypatch) -> None:
    from policykb import library_ingest

    (tmp_path / "a.txt").write_text("关于甲的通知\n\n甲事项的正文内容。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("关于乙的通知\n\n乙事项的正文内容。\n", encoding="utf-8")
    real = library_ingest.register

    def flaky(kb, parsed, *args):  # type: ignore[no-untyped-def]
        if parsed.source_path.endswith("a.txt"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(kb, parsed, *args)

    monkeypatch.setattr(library_ingest, "register", flaky)
    kb = make_kb(tmp_path / "home")
    try:
        report = kb.ingest([tmp_path], wait=False)
        assert [(Path(f.path).name, f.status, f.code) for f in report.files] == [
            ("a.txt", "failed", "internal_error"), ("b.txt", "added", None)]
        assert "RecursionError" in report.files[0].message
    finally:
        kb.close()
