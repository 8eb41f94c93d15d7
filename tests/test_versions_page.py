"""The page's 时效与版本 and 新旧对照, in a real headless Chromium against a real `policykb
serve` over two versions of a small 办法: the 文库 filters by validity, the old version's
details list its versions and citations, and 新旧对照 shows the article table."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import OUTPUT, make_kb, policykb_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (/usr/bin/chromium); CI installs it"),
]

V2019 = """江北省党员教育培训管理办法

第一条 为了规范党员教育培训工作，根据《中国共产党党员教育管理工作条例》，制定本办法。
第二条 党员每年参加集中培训不少于24学时。
第三条 培训经费列入年度预算。
第四条 本办法自2019年3月1日起施行。

中共江北省委组织部
2019年2月20日
"""
V2026 = """江北省党员教育培训管理办法

第一条 为了规范党员教育培训工作，根据《中国共产党党员教育管理工作条例》，制定本办法。
第二条 各级党组织应当建立培训档案。
第三条 党员每年参加集中培训不少于32学时。
第四条 培训经费列入年度预算。
第五条 本办法自2026年3月1日起施行。2019年2月20日印发的《江北省党员教育培训管理办法》同时废止。

中共江北省委组织部
2026年2月10日
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("versions-page")
    files = root / "files"
    files.mkdir()
    (files / "培训办法2019.txt").write_text(V2019, encoding="utf-8")
    (files / "培训办法2026.txt").write_text(V2026, encoding="utf-8")
    kb = make_kb(root / "home")
    assert not kb.ingest([files], wait=False).failed
    kb.close()
    with policykb_server(root / "home") as url:
        yield url


def test_library_details_and_compare(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"JS error: {e}"))
        page.goto(f"{server}/#library")

        page.select_option("#lib-validity", "已修订")
        rows = page.locator("#doc-table tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first.locator(".badge.validity")).to_contain_text("已修订")

        rows.first.locator("td.title-cell button").click()
        expect(page.locator("#validity-line")).to_contain_text("已修订")
        expect(page.locator("#versions li")).to_have_count(2)
        expect(page.locator("#unresolved")).to_contain_text("中国共产党党员教育管理工作条例")

        page.locator("#validity-line button", has_text="与现行版本对照").click()
        # The server's first comparison loads jieba's dictionary: allow for a busy machine.
        expect(page.locator("#compare-counts")).to_contain_text("修改 2 条 · 新增 1 条 · 删除 0 条 · 未变 2 条",
                                                               timeout=60_000)
        modified = page.locator("#compare-table tr[data-change='修改']", has_text="学时")
        expect(modified.locator("del.d-old")).to_have_text("24")
        expect(modified.locator("ins.d-new")).to_have_text("32")
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "versions-compare-desktop.png"))
        page.check("#compare-only-changes")
        expect(page.locator("#compare-table tbody tr:visible")).to_have_count(3)
        browser.close()
        assert not problems, problems
