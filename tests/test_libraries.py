"""Several knowledge bases in one server: `?kb=NAME` picks the library of any request, a
search can cover several at once (ranks fused, each hit names its library), and an unknown
name is an error in plain words."""
from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_kb

PARTY = "江北省党员冬训工作办法\n\n第一条 党员冬训每年集中开展一次，时间不少于三天。\n第二条 冬训内容包括理论学习和警示教育。\n"
TALENT = "江北省青年人才冬训计划\n\n一、每年冬季组织青年人才集中冬训，时间不少于五天。\n二、冬训由人才办牵头。\n"


def test_one_server_many_libraries(tmp_path: Path) -> None:
    from policykb.api.app import create_app

    home = tmp_path / "home"
    for name, text in (("party", PARTY), ("talent", TALENT)):
        source = tmp_path / f"{name}.txt"
        source.write_text(text, encoding="utf-8")
        kb = make_kb(home, name)
        assert not kb.ingest([source], wait=False).failed
        kb.close()
    main = make_kb(home, "party")
    with TestClient(create_app(main.settings, kb=main, background_worker=False)) as client:
        assert client.get("/api/kbs").json() == {"default": "party", "kbs": ["party", "talent"]}
        talent_docs = client.get("/api/documents", params={"kb": "talent"}).json()["documents"]
        assert [d["title"] for d in talent_docs] == ["江北省青年人才冬训计划"]
        default_docs = client.get("/api/documents").json()["documents"]
        assert [d["title"] for d in default_docs] == ["江北省党员冬训工作办法"]

        one = client.post("/api/search", params={"kb": "talent"}, json={"query": "冬训", "mode": "keyword"}).json()
        assert {h["title"] for h in one["results"]} == {"江北省青年人才冬训计划"}
        both = client.post("/api/search", json={"query": "冬训", "mode": "keyword", "kbs": ["party", "talent"]}).json()
        assert {(h["metadata"]["kb"], h["title"]) for h in both["results"]} == {
            ("party", "江北省党员冬训工作办法"), ("talent", "江北省青年人才冬训计划")}

        answer = client.post("/api/ask", params={"kb": "talent"}, json={"question": "每年冬季组织青年人才集中冬训，时间不少于几天？"}).json()
        assert answer["found"] and {c["title"] for c in answer["citations"]} == {"江北省青年人才冬训计划"}

        missing = client.get("/api/documents", params={"kb": "nope"})
        assert missing.status_code == 404 and "知识库不存在" in missing.json()["error"]["message"]
    main.close()


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian chromium is not installed (/usr/bin/chromium); CI installs it")
def test_the_page_chooses_the_library(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.conftest import policykb_server

    home = tmp_path / "home"
    for name, text in (("default", PARTY), ("talent", TALENT)):
        source = tmp_path / f"{name}.txt"
        source.write_text(text, encoding="utf-8")
        kb = make_kb(home, name)
        assert not kb.ingest([source], wait=False).failed
        kb.close()
    with policykb_server(home) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(locale="zh-CN")
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{url}/#library")
        expect(page.locator("#doc-table")).to_contain_text("江北省党员冬训工作办法")
        page.select_option("#kb-select", "talent")
        page.wait_for_load_state()
        expect(page.locator("#doc-table")).to_contain_text("江北省青年人才冬训计划", timeout=20_000)
        expect(page.locator("#doc-table")).not_to_contain_text("江北省党员冬训工作办法")
        page.goto(f"{url}/#search")
        page.check("#f-all-kbs")
        page.fill("#search-q", "冬训")
        page.click("#search-go")
        expect(page.locator("#hits")).to_contain_text("江北省青年人才冬训计划", timeout=20_000)
        expect(page.locator("#hits")).to_contain_text("江北省党员冬训工作办法")
        badges = set(page.locator("#hits .badge.kb").all_inner_texts())
        assert badges == {"default", "talent"}
        browser.close()
        assert not problems, problems
