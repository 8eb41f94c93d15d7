"""The 文库 page lists documents missing a date or issuer and fixes them in place; a
date-filtered search says what it left out and brings it back on request. Real Chromium
against a real `policykb serve` (the fixtures of test_web_ui.py)."""
from __future__ import annotations

import httpx
import pytest

from tests.test_web_ui import CHROMIUM, DESKTOP, browser, page_at, shot  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (/usr/bin/chromium); CI installs it"),
]


def test_fix_a_missing_date_in_the_library_and_see_a_filter_report_what_it_left_out(page_at, live_server: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with httpx.Client(base_url=live_server, timeout=60) as api:
        doc = api.get("/api/documents", params={"q": "三审三校"}).json()["documents"][0]
        original = {"date": doc["date"], "issuer": doc["issuer"]}
        api.patch(f"/api/documents/{doc['id']}", json={"date": "", "editor": "测试准备"})
        try:
            page = page_at(DESKTOP, "search")
            page.fill("#search-q", "三审三校")
            page.fill("#f-from", "2026-01-01")
            page.click("#search-go")
            page.locator("#left-out").wait_for()
            assert "未标注日期" in page.locator("#left-out").inner_text()
            page.click("#include-left-out")
            page.locator("#hits li").first.wait_for()
            assert page.locator("#left-out").count() == 0

            page.click("#tab-library")
            page.locator("#missing-summary").wait_for()
            assert "缺少日期或发文机关" in page.locator("#missing-summary").inner_text()
            page.click("#missing-summary")
            row = page.locator(f"#missing-table tr[data-id='{doc['id']}']")
            page.fill("#editor-name", "页面编辑")
            row.locator("input[name=date]").fill("2026年2月3日")
            shot(page, "library-missing-1280")
            row.locator("button", has_text="保存").click()
            page.wait_for_function(f"!document.querySelector(\"#missing-table tr[data-id='{doc['id']}']\")")
            edits = api.get(f"/api/documents/{doc['id']}/edits").json()["edits"]
            assert (edits[-1]["new_value"], edits[-1]["editor"], edits[-1]["source"]) == ("2026-02-03", "页面编辑", "page")

            # The details drawer edits every field and shows the history.
            page.locator(f"#doc-table tr[data-id='{doc['id']}'] button", has_text="详情").click()
            page.locator("#meta-edit").wait_for()
            page.locator("#meta-edit input[name=doc_type]").fill("通知")
            page.locator("#meta-history li").first.wait_for()
            assert "页面编辑" in page.locator("#meta-history").inner_text()
        finally:
            api.patch(f"/api/documents/{doc['id']}", json={**original, "editor": "测试还原"})
