"""The web page, driven in a real headless Chromium (Debian's, no browser download) against
a real `policykb serve`. Each test is a user's story; screenshots land in test-output/ at
desktop (1280×800) and phone (390×844) sizes so a person can look at them."""
from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import OUTPUT
from tests.docbuild import make_pdf

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
QUESTION = "村（社区）党组织书记每年要参加多少学时的集中培训？"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (/usr/bin/chromium); CI installs it"),
]


def scrolled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the drawer's smooth scroll has stopped: two looks 100 ms apart agree."""
    page.wait_for_function("""() => {
        const body = document.querySelector('#drawer-body');
        if (!body) return false;
        const same = window.__drawerTop === body.scrollTop;
        window.__drawerTop = body.scrollTop;
        return same;
    }""", polling=100)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright  # a test dependency: missing is an error, not a skip

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page_at(browser, live_server: str):  # type: ignore[no-untyped-def]
    """Open the app at a viewport size; fail the test on any JavaScript error or on any
    request that tries to leave the server (the page must work with no internet)."""
    opened = []

    def open_page(viewport: dict, hash_: str = "ask"):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport=viewport, locale="zh-CN", reduced_motion="reduce",
                                      accept_downloads=False)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"JS error: {e}"))
        page.on("request", lambda r: None if r.url.startswith((live_server, "data:")) else problems.append(
            f"external request: {r.url}"))
        page.problems = problems
        page.goto(f"{live_server}/#{hash_}")
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        assert not page.problems, page.problems
        page.context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"))


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


# ---------------------------------------------------------------- 问答


def test_ask_a_question_and_open_a_citation_in_its_document(page_at) -> None:  # type: ignore[no-untyped-def]
    page = page_at(DESKTOP)
    page.get_by_placeholder(re.compile("例如")).fill(QUESTION)
    page.get_by_role("button", name="提问").click()
    page.locator("#citations").wait_for()
    answer = page.locator("#answer-text")
    assert "40学时" in answer.inner_text()
    first = answer.locator("button.cite").first
    assert re.fullmatch(r"\[\d+\]", first.inner_text())
    shot(page, "ask-answer-1280")

    first.click()
    drawer = page.locator("#drawer")
    drawer.wait_for()
    passage = page.locator("mark#passage")
    passage.wait_for()
    scrolled(page)
    assert "40学时" in passage.inner_text()
    quoted = passage.locator(".focus").filter(has_text="40学时").first
    assert quoted.count() == 1, "the quoted sentence stands out inside the passage"
    # The drawer names the source: title, 文号, date, section path.
    assert page.locator("#drawer-title").inner_text()
    meta = page.locator("#drawer-meta").inner_text()
    assert "〔2026〕" in meta and "2026年" in meta
    assert "›" in page.locator("#drawer-path").inner_text() or page.locator("#drawer-path").inner_text()
    # …and the passage is scrolled into view inside the whole document.
    body_box = page.locator("#drawer-body").bounding_box()
    mark_box = quoted.bounding_box()
    assert body_box["y"] <= mark_box["y"] <= body_box["y"] + body_box["height"]
    assert len(page.locator("#doc-text").inner_text()) > len(passage.inner_text())
    shot(page, "ask-citation-1280")

    page.keyboard.press("Escape")
    assert drawer.is_hidden()
    # The source list under the answer opens the same passage.
    page.locator("#citations .source").first.click()
    page.locator("mark#passage").wait_for()
    page.get_by_role("button", name="关闭").click()


def test_an_unanswerable_question_says_so(page_at) -> None:  # type: ignore[no-untyped-def]
    page = page_at(DESKTOP)
    page.locator("#ask-q").fill("火星探测器的着陆时间是哪一天？")
    page.locator("#ask-q").press("Enter")
    page.locator("#answer .badge", has_text="未找到依据").wait_for()
    assert page.locator("#answer-text").inner_text() == "知识库中未找到相关内容"


def test_a_refused_question_near_the_library_shows_passages_to_look_at(page_at) -> None:  # type: ignore[no-untyped-def]
    page = page_at(DESKTOP)
    page.locator("#ask-q").fill("干部选拔要不要考试？")
    page.locator("#ask-q").press("Enter")
    page.locator("#answer .badge", has_text="未找到依据").wait_for()
    assert page.locator("#answer-text").inner_text() == "知识库中未找到相关内容"
    assert page.locator("#citations").count() == 0, "nothing is cited"
    assert page.locator("#answer .sources-title", has_text="可能相关的段落").is_visible()
    related = page.locator("#related .source")
    assert 1 <= related.count() <= 3
    shot(page, "ask-related-1280")
    related.first.click()
    page.locator("mark#passage").wait_for()
    page.get_by_role("button", name="关闭").click()


def test_flagged_sentences_and_notices_are_shown(page_at, live_server: str) -> None:  # type: ignore[no-untyped-def]
    """Whatever answerer produced it, an answer's unsupported sentences are marked and its
    notice is shown (the stream is stubbed here: the shape is the contract)."""
    page = page_at(DESKTOP)
    hit = {"chunk_id": "c1", "doc_id": "d1", "title": "示例文件", "source_path": "x", "section_path": ["一、总则"],
           "text": "甲。", "char_start": 0, "char_end": 2, "page": None, "score": 1.0,
           "metadata": {"doc_no": "江组发〔2026〕9号", "issuer": "中共江北省委组织部", "date": "2026-01-02"}, "match": {}, "n": 1}
    answer = {"question": "问", "answer": "第一句有依据。[1]第二句没有依据。[1]", "citations": [hit], "found": True,
              "answerer": "llm", "notice": "大模型服务不可用时将改用原文摘录。", "unsupported": ["第二句没有依据。"],
              "pending_vectors": 0}
    sse = "".join(f"event: delta\ndata: {json.dumps({'text': t, 'supported': ok}, ensure_ascii=False)}\n\n"
                  for t, ok in (("第一句有依据。[1]", True), ("第二句没有依据。[1]", False)))
    sse += f"event: done\ndata: {json.dumps(answer, ensure_ascii=False)}\n\n"
    page.route("**/api/ask?stream=true", lambda route: route.fulfill(
        status=200, headers={"content-type": "text/event-stream"}, body=sse.encode()))
    page.locator("#ask-q").fill("问")
    page.locator("#ask-go").click()
    flagged = page.locator("mark.unsupported")
    flagged.wait_for()
    assert flagged.inner_text() == "第二句没有依据。"
    assert page.locator("#answer .note.info", has_text="大模型服务不可用").is_visible()
    assert page.locator("#answer .badge", has_text="1 句待核实").is_visible()
    assert page.locator("#answer .badge", has_text="大模型生成").is_visible()
    shot(page, "ask-unsupported-1280")


def test_a_cited_table_row_shows_as_a_row_under_its_headers(page_at) -> None:  # type: ignore[no-untyped-def]
    """An answer from a 任务分工表 row names the column; its source shows the row as a table
    row with its headers, the answering cell marked, not as glued text."""
    page = page_at(DESKTOP)
    row = "序号：2｜重点任务：开展村党组织书记轮训｜牵头单位：市委党校｜配合单位：市农业农村局｜完成时限：2026年9月底前"
    hit = {"chunk_id": "c1", "doc_id": "d1", "title": "任务分工的通知", "source_path": "x",
           "section_path": ["任务分工表"], "text": row, "char_start": 0, "char_end": len(row), "page": 1,
           "score": 1.0, "metadata": {}, "match": {}, "n": 1,
           "row": [["序号", "2"], ["重点任务", "开展村党组织书记轮训"], ["牵头单位", "市委党校"],
                   ["配合单位", "市农业农村局"], ["完成时限", "2026年9月底前"]], "row_column": "牵头单位"}
    answer = {"question": "村党组织书记轮训由哪个单位牵头？", "answer": "牵头单位：市委党校。[1]", "citations": [hit],
              "found": True, "answerer": "extractive", "notice": None, "unsupported": [], "pending_vectors": 0}
    sse = f"event: done\ndata: {json.dumps(answer, ensure_ascii=False)}\n\n"
    page.route("**/api/ask?stream=true", lambda route: route.fulfill(
        status=200, headers={"content-type": "text/event-stream"}, body=sse.encode()))
    page.locator("#ask-q").fill(answer["question"])
    page.locator("#ask-go").click()
    table = page.locator("#citations table.row-table")
    table.wait_for()
    assert table.locator("th").all_inner_texts() == ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]
    assert table.locator("td.answered").inner_text() == "市委党校"
    assert table.locator("th.answered").inner_text() == "牵头单位"
    shot(page, "ask-table-row-1280")


# ---------------------------------------------------------------- 检索


def test_search_with_filters_highlights_and_more_like_this(page_at) -> None:  # type: ignore[no-untyped-def]
    page = page_at(DESKTOP, "search")
    page.locator("#search-q").fill("培训 学时")
    page.get_by_role("button", name="检索", exact=True).click()
    hits = page.locator("#hits > li")
    hits.first.wait_for()
    unfiltered = page.locator("#hits > li > .doc-meta").all_inner_texts()
    assert any("2026年1月" not in meta for meta in unfiltered), "without filters other months show up"
    assert page.locator("#hits mark.term", has_text="学时").count() > 0, "matched words are highlighted"

    page.locator("#f-issuer").fill("组织部")
    page.locator("#f-from").fill("2026-01-01")
    page.locator("#f-to").fill("2026-01-31")
    page.get_by_role("button", name="检索", exact=True).click()
    page.wait_for_function("document.querySelector('#result-count') && !document.querySelector('#search-out .spinner')")
    page.locator("#search-out", has_text="已按筛选条件过滤").wait_for()
    assert hits.count() > 0
    for meta in page.locator("#hits > li > .doc-meta").all_inner_texts():
        assert "2026年1月" in meta
    shot(page, "search-filtered-1280")

    hits.first.locator(":scope > .hit-actions").get_by_role("button", name="更多相似").click()
    similar = hits.first.locator(".similar-box .hit")
    similar.first.wait_for()
    assert similar.count() >= 1
    shot(page, "search-similar-1280")

    # A result opens in its document too.
    hits.first.locator(":scope > .hit-actions").get_by_role("button", name="查看原文").click()
    page.locator("mark#passage").wait_for()


# ---------------------------------------------------------------- 文库


def test_upload_files_then_find_check_and_delete_them_in_the_library(page_at, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:6]
    town = f"青溪镇{tag}"
    good = make_pdf(tmp_path / f"关于{town}试点的通知.pdf", [
        f"<t>关于在{town}开展基层治理试点的通知\n\n<n>各县（市、区）委组织部：\n"
        f"经研究，决定在{town}开展基层治理试点，为期一年。\n<r>中共江北省委组织部\n<r>2026年2月9日"])
    fake = tmp_path / f"改名的文本{tag}.pdf"
    fake.write_text("这其实是一个文本文件", encoding="utf-8")

    page = page_at(DESKTOP, "library")
    page.locator("#doc-table").wait_for()
    page.locator("#file-input").set_input_files([str(good), str(fake)])
    ok = page.locator(".upload-item.done", has_text=good.name)
    bad = page.locator(".upload-item.failed", has_text=fake.name)
    ok.wait_for()
    bad.wait_for()
    assert "已入库" in ok.inner_text()
    assert "内容不是PDF" in bad.inner_text(), "a per-file error in plain words"

    # Drag and drop works too (a text file dropped on the zone).
    text = f"关于{town}文明实践站建设的经验做法\n\n一、建强阵地\n{town}建成文明实践站12个。".encode()
    page.evaluate("""([name, b64]) => {
        const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, {type: "text/plain"}));
        const zone = document.querySelector("#dropzone");
        zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
        zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", [f"经验{tag}.txt", base64.b64encode(text).decode()])
    page.locator(".upload-item.done", has_text=f"经验{tag}.txt").wait_for()
    shot(page, "library-upload-1280")

    # Find them in the list by title.
    page.locator("#lib-q").fill(town)
    rows = page.locator("#doc-table tbody tr")
    page.wait_for_function(f"document.querySelectorAll('#doc-table tbody tr').length === 2 && "
                           f"[...document.querySelectorAll('#doc-table tbody tr')].every(r => r.innerText.includes('{town}'))")
    row = rows.filter(has_text="基层治理试点")
    assert "2026年2月9日" in row.inner_text()
    shot(page, "library-filtered-1280")

    # Details, then delete with confirmation.
    row.get_by_role("button", name="详情").click()
    page.locator("#drawer .detail-list").wait_for()
    assert "中共江北省委组织部" in page.locator("#drawer").inner_text()
    shot(page, "library-details-1280")
    page.get_by_role("button", name="关闭").click()

    row.get_by_role("button", name="删除").click()
    dialog = page.locator("#confirm-dialog")
    assert "基层治理试点" in dialog.inner_text()
    shot(page, "library-confirm-delete-1280")
    page.get_by_role("button", name="取消").click()
    assert rows.count() == 2, "cancel keeps the document"
    row.get_by_role("button", name="删除").click()
    page.get_by_role("button", name="确认删除").click()
    page.locator("#toast", has_text="已删除").wait_for()
    page.wait_for_function("document.querySelectorAll('#doc-table tbody tr').length === 1")


def test_library_sorts_and_filters(page_at) -> None:  # type: ignore[no-untyped-def]
    page = page_at(DESKTOP, "library")
    page.locator("#doc-table").wait_for()
    assert re.search(r"共 \d+ 篇", page.locator("#lib-count").inner_text())
    page.locator("#lib-sort").select_option("date_asc")
    page.wait_for_function("""() => {
        const ds = [...document.querySelectorAll('#doc-table tbody td[data-label=日期]')]
            .map(td => td.innerText).filter(Boolean);
        return ds.every((d, i) => i === 0 || ds[i - 1].localeCompare(d, 'en', {numeric: true}) <= 0);
    }""")
    dates = [d for d in page.locator("#doc-table tbody td[data-label=日期]").all_inner_texts() if d]
    as_tuples = [tuple(int(x) for x in re.findall(r"\d+", d)) for d in dates]
    assert as_tuples == sorted(as_tuples)
    page.locator("#lib-type").select_option("通知")
    page.wait_for_function("[...document.querySelectorAll('#doc-table tbody td[data-label=文种]')]"
                           ".every(td => td.innerText === '通知')")
    shot(page, "library-1280")


# ---------------------------------------------------------------- 汇编


def test_compile_a_quarterly_digest_and_open_a_key_point_source(page_at) -> None:  # type: ignore[no-untyped-def]
    page = page_at(DESKTOP, "digest")
    page.locator("#dg-quarter option[value='2026Q1']").wait_for(state="attached")
    page.locator("#dg-quarter").select_option("2026Q1")
    page.get_by_role("button", name="生成汇编").click()
    page.locator("#digest-summary").wait_for(timeout=60_000)
    assert "2026年第一季度" in page.locator("#digest-summary").inner_text()
    topic = page.locator(".digest-topic", has=page.locator("h3", has_text="意识形态"))
    assert "三审三校" in topic.inner_text()
    word = page.get_by_role("link", name=re.compile("Word"))
    assert re.fullmatch(r"/api/digest/download/2026Q1-[0-9a-f]+\.docx", word.get_attribute("href"))
    shot(page, "digest-1280")

    topic.locator("button.cite").first.click()
    page.locator("mark#passage").wait_for()
    assert "三审三校" in page.locator("#drawer-title").inner_text()


def test_editor_moves_a_document_and_the_digest_keeps_it(page_at) -> None:  # type: ignore[no-untyped-def]
    """Moving a document from the digest tab stores the editor's layout: the digest is rebuilt
    with it at once, and a later digest (after reloading the page) still has it."""
    page = page_at(DESKTOP, "digest")
    try:
        page.locator("#dg-quarter option[value='2026Q1']").wait_for(state="attached")
        page.locator("#dg-quarter").select_option("2026Q1")
        page.get_by_role("button", name="生成汇编").click()
        page.locator("#digest-summary").wait_for(timeout=60_000)
        source = page.locator(".digest-topic", has=page.locator("h3", has_text="意识形态"))
        source.locator("select.dg-move").first.select_option("作风建设")
        target = page.locator(".digest-topic", has=page.locator("h3", has_text="作风建设"))
        target.locator(".digest-doc", has_text="三审三校").wait_for(timeout=60_000)
        assert "编辑移入" in target.inner_text()
        page.reload()
        page.get_by_role("tab", name="汇编").click()
        page.locator("#dg-quarter option[value='2026Q1']").wait_for(state="attached")
        page.locator("#dg-quarter").select_option("2026Q1")
        page.get_by_role("button", name="生成汇编").click()
        page.locator(".digest-topic", has=page.locator("h3", has_text="作风建设")).locator(
            ".digest-doc", has_text="三审三校").wait_for(timeout=60_000)
        shot(page, "digest-moved-1280")
    finally:  # the demo library is shared by the other tests
        page.evaluate("""fetch('/api/digest/layout', {method: 'POST', headers: {'Content-Type': 'application/json'},
                                     body: JSON.stringify({reset: true})}).then((r) => r.status)""")


def test_digest_tab_explains_when_the_server_has_no_digest(page_at) -> None:  # type: ignore[no-untyped-def]
    """An older server without /api/digest: a friendly sentence, not an error dump."""
    page = page_at(DESKTOP, "digest")
    page.route("**/api/digest", lambda route: route.fulfill(
        status=404, content_type="application/json",
        body=json.dumps({"error": {"code": "http_404", "message": "请求的地址不存在"}})))
    page.get_by_role("button", name="生成汇编").click()
    page.locator("#digest-out .note", has_text="汇编功能暂未开放").wait_for()


# ---------------------------------------------------------------- 引文核对

DRAFT = ("省委要求，“每人每年参加县级以上集中培训不少于30学时”。根据《2026年全省组织工作要点》，"
         "新任村（社区）党组织书记在任职后6个月内完成不少于72学时的任职培训。"
         "文件强调：“各地要在三个月内实现村级档案全部数字化并统一上报省档案馆。”")


def test_check_the_quotations_of_a_draft_and_open_a_source(page_at) -> None:  # type: ignore[no-untyped-def]
    """三审三校: a misquoted number, a faithful statement and an unfounded quotation, each
    marked in the draft and explained in its card; a source opens inside its document."""
    for viewport, size in ((DESKTOP, "1280"), (PHONE, "390")):
        page = page_at(viewport)
        page.get_by_role("tab", name="引文核对").click()
        assert page.url.endswith("#verify")
        page.get_by_placeholder("粘贴待核对的文稿……").fill(DRAFT)
        page.get_by_role("button", name="核对", exact=True).click()
        summary = page.locator("#verify-summary")
        summary.wait_for(timeout=60_000)
        assert summary.inner_text() == "共 3 处：一致 1，有出入 1，未找到 1"

        # The draft, each claim marked by its status.
        draft = page.locator("#verify-draft")
        assert draft.locator("mark.claim.warn").inner_text() == "每人每年参加县级以上集中培训不少于30学时1"  # …and its number
        assert "72学时的任职培训" in draft.locator("mark.claim.ok").inner_text()
        assert "村级档案全部数字化" in draft.locator("mark.claim.err").inner_text()

        cards = page.locator("#verify-items > li")
        assert cards.count() == 3
        close, exact, missing = cards.nth(0), cards.nth(1), cards.nth(2)
        assert close.locator(".badge").inner_text() == "有出入"
        diffs = close.locator(".diffs").inner_text()
        assert "30" in diffs and "40" in diffs and "→" in diffs
        assert "江组发〔2026〕3号" in close.locator(".verify-source").inner_text()
        assert exact.locator(".badge").inner_text() == "一致"
        assert "2026年全省组织工作要点" in exact.locator(".src-title").inner_text()
        assert exact.locator(".diffs").count() == 0
        assert missing.locator(".badge").inner_text() == "未找到"
        assert "知识库中未找到出处" in missing.inner_text()
        assert missing.locator(".verify-source").count() == 0
        if viewport is PHONE:
            no_sideways_scroll(page)
        shot(page, f"verify-{size}")
        # A number in the draft leads to its card.
        draft.get_by_role("button", name=re.compile("^第 1 处：有出入")).click()
        assert page.evaluate("document.activeElement.id") == "verify-item-1"
        shot(page, f"verify-cards-{size}")

        # The misquoted source opens in its document, the quoted stretch stressed.
        close.locator(".verify-source").click()
        passage = page.locator("mark#passage")
        passage.wait_for()
        scrolled(page)
        assert "集中轮训" in page.locator("#drawer-title").inner_text()
        focus = passage.locator(".focus")
        assert focus.count() == 1
        assert focus.inner_text() == "每人每年参加县级以上集中培训不少于40学时"
        body_box = page.locator("#drawer-body").bounding_box()
        focus_box = focus.bounding_box()
        assert body_box["y"] <= focus_box["y"] <= body_box["y"] + body_box["height"]
        shot(page, f"verify-source-{size}")
        page.get_by_role("button", name="关闭").click()

        # The exact statement opens its own document.
        exact.locator(".verify-source").click()
        page.locator("mark#passage .focus").wait_for()
        assert page.locator("#drawer-title").inner_text() == "2026年全省组织工作要点"
        assert "72学时的任职培训" in page.locator("mark#passage .focus").inner_text()
        page.keyboard.press("Escape")


# ---------------------------------------------------------------- phone width


def test_the_page_works_on_a_phone(page_at) -> None:  # type: ignore[no-untyped-def]
    page = page_at(PHONE)
    page.locator("#ask-q").fill(QUESTION)
    page.locator("#ask-go").click()
    page.locator("#citations").wait_for()
    no_sideways_scroll(page)
    shot(page, "ask-answer-390")
    page.locator("#answer-text button.cite").first.click()
    page.locator("mark#passage").wait_for()
    scrolled(page)
    drawer = page.locator("#drawer").bounding_box()
    assert drawer["width"] == PHONE["width"], "the document opens full-width"
    shot(page, "ask-citation-390")
    page.get_by_role("button", name="关闭").click()

    page.get_by_role("tab", name="检索").click()
    page.locator("#search-q").fill("三审三校")
    page.locator("#search-q").press("Enter")
    page.locator("#hits > li").first.wait_for()
    no_sideways_scroll(page)
    shot(page, "search-390")

    page.get_by_role("tab", name="文库").click()
    page.locator("#doc-table tbody tr").first.wait_for()
    no_sideways_scroll(page)
    shot(page, "library-390")

    page.get_by_role("tab", name="汇编").click()
    page.locator("#dg-quarter option").first.wait_for(state="attached")
    no_sideways_scroll(page)
    shot(page, "digest-390")


def test_compile_excerpts_on_a_topic_and_rename_a_sub_theme(page_at) -> None:  # type: ignore[no-untyped-def]
    """The 摘编 tab: a topic's statements with their sources, a download, and a sub-theme
    renamed by the editor (the page compiles again with the rename)."""
    page = page_at(DESKTOP, "excerpts")
    page.locator("#ex-topic").fill("意识形态")
    page.get_by_role("button", name="生成摘编").click()
    page.locator("#excerpts-summary").wait_for(timeout=60_000)
    assert "关于意识形态的论述摘编" in page.locator("#excerpts-summary").inner_text()
    first = page.locator(".excerpt").first
    assert "意识形态" in first.inner_text() and first.locator(".ex-cite").inner_text().startswith("（《")
    word = page.get_by_role("link", name=re.compile("Word"))
    assert re.fullmatch(r"/api/excerpts/download/excerpts-[0-9a-f]+\.docx", word.get_attribute("href"))
    shot(page, "excerpts-1280")
    page.once("dialog", lambda d: d.accept("责任制落实"))
    page.locator("button.ex-rename").first.click()
    page.locator(".excerpt-group h3", has_text="责任制落实").wait_for(timeout=60_000)
    assert not page.problems, page.problems
