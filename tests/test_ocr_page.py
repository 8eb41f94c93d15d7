"""The web page shows a scanned page's image beside its recognised text when a result
from it is opened (issue 17), in Debian's headless Chromium against a real server."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import OUTPUT, make_kb, policykb_server
from tests.scanbuild import cjk_font, save_image_pdf

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (/usr/bin/chromium)"),
    pytest.mark.skipif(cjk_font() is None, reason="没有中文字体（请安装 fonts-noto-cjk，见 make setup-test）"),
]


@pytest.fixture(scope="module")
def scan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("scan-page")
    pdf = save_image_pdf(root / "扫描通知.pdf", [[
        ("关于规范会议纪要归档的通知", "c"),
        ("一、归档范围", "i"),
        ("各部门形成的会议纪要应当于次月十日前移交档案室。", "i"),
    ]])
    kb = make_kb(root / "home")
    report = kb.ingest([pdf], wait=False)
    assert report.files[0].status == "added", report.files[0].message
    kb.close()
    with policykb_server(root / "home") as url:
        yield url


def test_opening_a_scanned_result_shows_the_page_image_beside_the_text(scan_server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{scan_server}/#search")
        page.locator("#search-q").fill("会议纪要应当于次月十日前移交档案室")
        page.get_by_role("button", name="检索", exact=True).click()
        hit = page.locator("#hits > li").first
        hit.wait_for()
        hit.locator(":scope > .hit-actions").get_by_role("button", name="查看原文").click()
        image = page.locator("#drawer .scan-page img")
        image.wait_for()
        page.wait_for_function("document.querySelector('#drawer .scan-page img').naturalWidth > 0")
        assert "OCR" in page.locator("#drawer .scan-page figcaption").inner_text()
        assert "移交档案室" in page.locator("#drawer .scan-view").inner_text()
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / "scan-beside-text-1280.png"))
        browser.close()
        assert not errors, errors
