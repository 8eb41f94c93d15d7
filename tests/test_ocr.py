"""Scans, photos and OFD read offline with page-accurate citations (issue 17).

The scans are built here (a CJK font renders the text into page images); one folder of
them is ingested once for the module, in keyword mode, since OCR takes about a second a
small page on this machine."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_kb
from docbuild import make_pdf
from scanbuild import cjk_font, make_ofd, mixed_pdf, png_bytes, save_image_pdf, save_png, save_tiff

from policykb.ingest.ocr import OcrBox, OcrPage, fix_ocr_text, ocr_warnings, page_list, page_text

needs_font = pytest.mark.skipif(cjk_font() is None, reason="没有中文字体（请安装 fonts-noto-cjk，见 make setup-test）")

RED_HEAD = [
    ("中共江北省委组织部文件", "c"),
    ("江组发〔2026〕7号", "c"),
    ("关于做好基层党员冬训工作的通知", "c"),
    ("各市委组织部：", "l"),
    ("现就做好今冬明春党员冬训工作通知如下。", "i"),
    ("一、突出学习重点", "i"),
    ("中共江北省委组织部", "r"),
    ("2026年11月20日", "r"),
]
SCAN_P1 = [("关于推进档案数字化的意见", "c"), ("一、工作任务", "i"), ("各单位要加快纸质档案扫描进度，", "i"),
           ("优先完成永久保管档案的扫描和著录，", "l"), ("扫描图像应当清晰完整，不得缺页漏页，", "l"),
           ("著录信息应当与纸质档案逐项核对一致。", "l")]
SCAN_P2 = [("二、保障措施", "i"), ("数字化成果应当按季度报送市档案馆备案。", "i"),
           ("各单位要明确专人负责档案数字化工作，", "i"), ("所需经费列入年度预算统筹安排，", "l"),
           ("市档案馆要加强业务指导和监督检查。", "l")]
TIFF_P1 = [("会议纪要", "c"), ("一、会议内容", "i"), ("与会同志听取了乡村振兴工作汇报，", "i"),
           ("研究了下一阶段驻村帮扶的重点任务。", "l")]
TIFF_P2 = [("二、会议要求", "i"), ("驻村第一书记每月走访脱贫户不少于两次。", "i"),
           ("走访情况应当记入驻村工作日志。", "i")]
MIXED_SCANNED = [("二、清单管理", "i"), ("村级议事清单由乡镇党委统一审核发布。", "i"), ("议事清单实行动态调整，每年更新一次，", "i"),
                 ("清单以外的事项不得要求村级组织承担，", "l"), ("确需承担的应当按程序报批并提供保障。", "l")]


# --------------------------------------------------------------------------- pure parts


def _box(text: str, x0: float, top: float, x1: float, h: float = 30, score: float = 0.99) -> OcrBox:
    return OcrBox(text, x0, top, x1, top + h, score)


def test_two_columns_are_read_column_by_column_under_a_full_width_title() -> None:
    boxes = [_box("两栏排版的标题横跨全页宽度居中显示", 200, 40, 900)]
    for k in range(6):  # the engine returns boxes row by row: left, right, left, right…
        y = 120 + 50 * k
        boxes.append(_box(f"左栏第{k + 1}行正文内容较长一些", 60, y, 520))
        boxes.append(_box(f"右栏第{k + 1}行正文内容较长一些", 580, y, 1040))
    lines = [ln for ln in page_text(boxes, 1100, 500).split("\n") if ln.strip()]
    assert lines[0] == "两栏排版的标题横跨全页宽度居中显示"
    assert lines[1:7] == [f"左栏第{k}行正文内容较长一些" for k in range(1, 7)]
    assert lines[7:] == [f"右栏第{k}行正文内容较长一些" for k in range(1, 7)]


def test_boxes_of_one_line_join_and_the_signature_stays_a_line_of_its_own() -> None:
    boxes = [
        _box("江组发〔2026〕7号", 420, 40, 680),
        _box("各市委组织部：", 60, 100, 280),
        _box("现就有关事项", 120, 150, 400, score=0.9), _box("通知如下。", 410, 152, 600),  # split at a gap
        _box("中共江北省委组织部", 760, 260, 1040),
        _box("2026年11月20日", 800, 310, 1040),
    ]
    lines = [ln.strip() for ln in page_text(boxes, 1100, 400).split("\n") if ln.strip()]
    assert "现就有关事项 通知如下。" in lines
    assert lines[-2:] == ["中共江北省委组织部", "2026年11月20日"]


def test_doc_number_brackets_misread_by_the_engine_are_restored() -> None:
    assert fix_ocr_text("晋组发〔2026】3号") == "晋组发〔2026〕3号"
    assert fix_ocr_text("国发[2025]12号") == "国发〔2025〕12号"
    assert fix_ocr_text("见表[2025]") == "见表[2025]"  # not a 文号
    assert fix_ocr_text('坚持"两个确立",做到"两个维护"-团结(一)') == "坚持“两个确立”，做到“两个维护”—团结（一）"
    assert fix_ocr_text('开展“智慧山东"试点') == "开展“智慧山东”试点"  # a closing mark read as "
    assert fix_ocr_text("version 1.2, a:b (x)") == "version 1.2, a:b (x)"  # Latin text keeps its marks


def test_low_confidence_pages_are_named() -> None:
    pages = {1: OcrPage("好", 0.99, 1), 2: OcrPage("模糊", 0.6, 2), 3: OcrPage("模糊", 0.7, 2), 5: OcrPage("", 1.0, 0)}
    notes = ocr_warnings(pages, 5)
    assert "第 1、2、3、5 页为扫描图像" in notes[0] or "第 1–3、5 页为扫描图像" in notes[0]
    assert "第 2、3 页识别置信度较低，请人工核对" in notes
    assert "第 5 页未识别出文字" in notes
    assert page_list([1, 2, 3, 5, 7, 8]) == "1–3、5、7、8"


# --------------------------------------------------------------------------- one ingested folder


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if cjk_font() is None:
        pytest.skip("没有中文字体（请安装 fonts-noto-cjk，见 make setup-test）")
    root = tmp_path_factory.mktemp("scans")
    folder = root / "收文"
    folder.mkdir()
    save_png(folder / "红头.png", RED_HEAD)
    save_image_pdf(folder / "扫描件.pdf", [SCAN_P1, SCAN_P2])
    save_tiff(folder / "纪要.tif", [TIFF_P1, TIFF_P2])
    typed = make_pdf(root / "typed.pdf", ["关于规范村级议事的通知\n各乡镇：村级议事应当公开透明。" + "凡涉及村民切身利益的重大事项，"
                                          "均应提交村民会议或村民代表会议讨论决定，会议记录应当完整归档备查，"
                                          "决定事项和实施结果应当及时向全体村民公开。"])
    mixed_pdf(folder / "混合.pdf", typed, save_image_pdf(root / "att.pdf", [MIXED_SCANNED]))
    make_ofd(folder / "版式.ofd", [
        [(62, 40, "中共江北省委办公厅文件"), (85, 55, "江办发〔2026〕9号"), (50, 75, "关于开展调查研究的通知"),
         (25, 90, "各市委办公室："), (36, 100, "一、调研内容"), (36, 110, "请围绕基层减负开展专题调研，"),
         (25, 120, "重点了解文件会议精简和督查检查考核规范情况。")],
        [(36, 40, "二、工作要求"), (36, 50, "调研报告于十二月底前报送省委办公厅。"),
         (140, 80, "中共江北省委办公厅"), (145, 90, "2026年11月1日")],
    ])
    make_ofd(folder / "扫描版式.ofd", [png_bytes([("通报", "c"), ("表扬森林防火工作先进集体。", "i")])])
    (folder / "坏的.ofd").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "说明.xyz").write_text("不是文档", encoding="utf-8")
    (folder / ".隐藏.txt").write_text("隐藏", encoding="utf-8")
    kb = make_kb(root / "home")
    report = kb.ingest([folder], wait=False)
    yield kb, report, folder
    kb.close()


def _result(report, name: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.files if Path(f.path).name == name)


def _top(kb, query: str):  # type: ignore[no-untyped-def]
    hits = kb.search(query, mode="keyword").results
    assert hits, query
    return hits[0]


@needs_font
def test_every_scan_goes_in_and_the_broken_ofd_is_named(scans) -> None:  # type: ignore[no-untyped-def]
    kb, report, _ = scans
    status = {Path(f.path).name: f.status for f in report.files}
    assert status == {"红头.png": "added", "扫描件.pdf": "added", "纪要.tif": "added", "混合.pdf": "added",
                      "版式.ofd": "added", "扫描版式.ofd": "added", "坏的.ofd": "failed"}
    broken = _result(report, "坏的.ofd")
    assert broken.path.endswith("坏的.ofd") and broken.code == "corrupt"
    assert broken.message.startswith("OFD 文件已损坏")


@needs_font
def test_a_folder_ingest_names_what_it_skipped(scans) -> None:  # type: ignore[no-untyped-def]
    _, report, _ = scans
    skipped = {Path(s["path"]).name: s["reason"] for s in report.skipped}
    assert skipped == {"说明.xyz": "不支持的文件类型：.xyz", ".隐藏.txt": "隐藏文件，已跳过"}
    assert report.counts()["skipped"] == 2
    assert report.to_dict()["skipped"] == report.skipped


@needs_font
def test_red_head_scan_yields_doc_number_issuer_and_date(scans) -> None:  # type: ignore[no-untyped-def]
    kb, report, _ = scans
    doc = kb.get_document(_result(report, "红头.png").doc_id)
    assert doc.format == "image"
    assert doc.doc_no == "江组发〔2026〕7号"
    assert doc.issuer == "中共江北省委组织部"
    assert doc.date == "2026-11-20"
    assert doc.title == "关于做好基层党员冬训工作的通知"
    hit = _top(kb, "党员冬训工作")
    assert hit.doc_id == doc.id and hit.page == 1


@needs_font
def test_scanned_pdf_text_is_found_on_its_page(scans) -> None:  # type: ignore[no-untyped-def]
    kb, report, _ = scans
    hit = _top(kb, "数字化成果应当按季度报送市档案馆备案")
    assert hit.doc_id == _result(report, "扫描件.pdf").doc_id
    assert hit.page == 2
    assert "报送市档案馆备案" in hit.text


@needs_font
def test_mixed_pdf_reads_only_its_textless_page_by_ocr(scans) -> None:  # type: ignore[no-untyped-def]
    kb, report, _ = scans
    result = _result(report, "混合.pdf")
    assert "第 2 页为扫描图像，已自动识别文字（OCR）" in (result.message or "")
    assert _top(kb, "村级议事应当公开透明").page == 1
    scanned = _top(kb, "村级议事清单由乡镇党委统一审核发布")
    assert scanned.doc_id == result.doc_id and scanned.page == 2


@needs_font
def test_multi_page_tiff_keeps_page_numbers(scans) -> None:  # type: ignore[no-untyped-def]
    kb, report, _ = scans
    hit = _top(kb, "驻村第一书记每月走访脱贫户")
    assert hit.doc_id == _result(report, "纪要.tif").doc_id and hit.page == 2


@needs_font
def test_ofd_text_in_reading_order_with_pages_and_metadata(scans) -> None:  # type: ignore[no-untyped-def]
    kb, report, _ = scans
    doc = kb.get_document(_result(report, "版式.ofd").doc_id)
    assert doc.format == "ofd"
    assert doc.doc_no == "江办发〔2026〕9号"
    assert doc.issuer == "中共江北省委办公厅"
    assert doc.title == "关于开展调查研究的通知"
    text = kb.document_text(doc.id)
    assert text.index("各市委办公室") < text.index("请围绕基层减负开展专题调研") < text.index("二、工作要求")
    assert _top(kb, "调研报告于十二月底前报送").page == 2


@needs_font
def test_image_only_ofd_page_goes_through_ocr(scans) -> None:  # type: ignore[no-untyped-def]
    kb, report, _ = scans
    hit = _top(kb, "森林防火工作先进集体")
    assert hit.doc_id == _result(report, "扫描版式.ofd").doc_id and hit.page == 1


@needs_font
def test_recognised_pages_are_kept_so_a_second_ingest_reads_none_again(scans, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from policykb.ingest import ocr

    kb, _, folder = scans
    assert any(kb.ocr_dir.rglob("*.json"))

    def no_engine(*_a, **_k):  # type: ignore[no-untyped-def]
        raise AssertionError("page recognised twice")

    monkeypatch.setattr(ocr, "recognise", no_engine)
    # A new parser version would parse every file again: the pages come from the cache.
    kb.settings.parse_isolated = False
    from policykb.ingest import parse_file

    parsed = parse_file(folder / "扫描件.pdf", ocr_cache=str(kb.ocr_dir))
    assert [p.number for p in parsed.pages] == [1, 2]


@needs_font
def test_cli_folder_ingest_prints_each_skipped_file(tmp_path: Path) -> None:
    from policykb.cli import main

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("关于节约用电的通知\n各单位要节约用电。", encoding="utf-8")
    (folder / "b.wps").write_bytes(b"\xd0\xcf\x11\xe0")
    result = CliRunner().invoke(main, ["ingest", str(folder), "--no-wait"], env={"POLICYKB_HOME": str(tmp_path / "h")})
    assert result.exit_code == 0, result.output
    assert "[跳过]" in result.output and "b.wps" in result.output and "不支持的文件类型：.wps" in result.output
    assert "跳过 1" in result.output


@needs_font
def test_the_page_image_of_a_scanned_citation_is_served_beside_its_text(scans) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from policykb.api.app import create_app

    kb, report, _ = scans
    mixed = _result(report, "混合.pdf").doc_id
    ofd = _result(report, "版式.ofd").doc_id
    with TestClient(create_app(kb.settings, kb=kb, background_worker=False)) as tc:
        text = tc.get(f"/api/documents/{mixed}/text").json()
        assert text["scanned_pages"] == [2], "only the page without a text layer was read by OCR"
        image = tc.get(f"/api/documents/{mixed}/pages/2/image")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content.startswith(b"\x89PNG")
        assert tc.get(f"/api/documents/{mixed}/pages/9/image").status_code == 404
        assert tc.get(f"/api/documents/{ofd}/text").json()["scanned_pages"] == []
        missing = tc.get(f"/api/documents/{ofd}/pages/1/image")
        assert missing.status_code == 404 and "不是扫描图像" in missing.json()["error"]["message"]


def _wait_for_jobs(kb, seconds: float = 90.0) -> None:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while any(j["state"] == "reading" for j in kb.reading_jobs()):
        assert time.monotonic() < deadline, kb.reading_jobs()
        time.sleep(0.2)


@needs_font
def test_server_reads_uploaded_scans_in_the_background_and_resumes_after_a_crash(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from policykb.ingest import ocr

    kb = make_kb(tmp_path / "home")
    try:
        # A server stopped after page 1 of 2: the job row and page 1's text are on disk.
        kb.uploads_dir.mkdir(parents=True)
        target = save_image_pdf(kb.uploads_dir / "扫描通知.pdf", [
            [("一、学习安排", "i"), ("各支部每月集中学习一次。", "i")],
            [("二、考核办法", "i"), ("学习情况纳入年度述职评议考核。", "i")],
        ])
        key, sources = ocr.scan_sources(target)
        ocr.OcrCache(kb.ocr_dir).put(key, 1, ocr.recognise(sources[0][1]()))
        kb.ocr_jobs.add(target, "扫描通知.pdf", 2, None, None)
        assert [j["label"] for j in kb.reading_jobs()] == ["识别中 0/2 页"]
        kb.recover_uploads()
        assert target.exists(), "a file still being read is not an abandoned upload"

        read: list[int] = []
        real = ocr.recognise
        monkeypatch.setattr(ocr, "recognise", lambda image: read.append(1) or real(image))
        kb.ocr_jobs.start()
        _wait_for_jobs(kb)
        assert read == [1], "resumed at the next page"
        assert kb.reading_jobs() == []
        hit = _top(kb, "学习情况纳入年度述职评议考核")
        assert hit.page == 2 and hit.title

        # With the thread running, an upload that needs OCR is listed at once and read after.
        result = kb.ingest_upload("红头.png", png_bytes(RED_HEAD[:3]))
        assert result.status == "reading" and result.message.startswith("识别中 0/1 页")
        _wait_for_jobs(kb)
        doc = kb.get_document(_top(kb, "江组发〔2026〕7号").doc_id)
        assert doc.doc_no == "江组发〔2026〕7号" and doc.filename == "红头.png"

        pages = kb.ocr_dir / ocr.OcrCache.key_for_hash(doc.content_hash)
        assert pages.is_dir()
        kb.delete_document(doc.id)
        assert not pages.exists(), "a deleted document's recognised pages go with it"
    finally:
        kb.close()


def test_an_ofd_missing_its_document_names_the_file_and_the_part(tmp_path: Path) -> None:
    import zipfile

    from policykb.ingest import IngestError, parse_file

    path = tmp_path / "缺页.ofd"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>'
                              "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
    with pytest.raises(IngestError) as info:
        parse_file(path)
    assert info.value.code == "corrupt" and info.value.path.endswith("缺页.ofd")
    assert info.value.reason.startswith("OFD 文件已损坏（缺少 Doc_0/Document.xml）")
    assert "缺页.ofd" in str(info.value)
