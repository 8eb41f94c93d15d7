"""The test-file builders must produce what they claim: real files whose Chinese text
comes back through the same readers ingestion uses. If these fail, every ingestion test
built on them would be testing the builder, not the product."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest

from tests.docbuild import (
    layout_pages,
    make_corrupt_docx,
    make_corrupt_pdf,
    make_docx,
    make_encrypted_pdf,
    make_gb18030_txt,
    make_pdf,
    make_scanned_pdf,
    page_plain_text,
)

PARA = (
    "各级党组织要认真落实“第一议题”制度，村党组织书记每年参加县级以上集中培训不少于40学时，"
    "新任职的应当在任职后6个月内完成不少于72学时的任职培训，并于二〇二六年一月二十四日前报送名单（江组发〔2026〕3号）。"
)


def _squash(text: str) -> str:
    """Extracted PDF text without line breaks, indents or page-number footers."""
    text = re.sub(r"— \d+ —", "", text)
    return re.sub(r"\s+", "", text)


def test_pdf_pages_header_footer_round_trip(tmp_path: Path) -> None:
    pages = [
        "<t>关于开展村党组织书记集中轮训的通知\n\n<n>各市委组织部：\n" + PARA + "\n<r>中共江北省委组织部",
        "一、培训对象\n" + PARA * 2,
        "<r>二〇二六年一月二十四日",
    ]
    path = make_pdf(tmp_path / "通知.pdf", pages, header="江北省委组织部文件")
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 3
    for n, (page, src) in enumerate(zip(reader.pages, pages), start=1):
        text = page.extract_text()
        assert text.splitlines()[0] == "江北省委组织部文件"
        assert text.rstrip().splitlines()[-1] == f"— {n} —"
        body = _squash(text).removeprefix("江北省委组织部文件")
        assert body == _squash(page_plain_text(src))
    # Long paragraphs wrap: the paragraph is split over several extracted lines.
    assert len(reader.pages[1].extract_text().splitlines()) > 4


def test_pdf_without_header_or_footer(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "plain.pdf", ["三审三校"], footer_page_numbers=False)
    assert pypdf.PdfReader(path).pages[0].extract_text().strip() == "三审三校"


def test_pdf_overflowing_page_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_pdf(tmp_path / "too-long.pdf", [PARA * 40])


def test_layout_pages_flows_long_text_without_losing_any(tmp_path: Path) -> None:
    text = "<t>2026年全省组织工作要点\n" + "\n".join(f"{i}. {PARA}" for i in range(1, 25))
    pages = layout_pages(text)
    assert len(pages) > 2
    path = make_pdf(tmp_path / "long.pdf", pages)
    extracted = "".join(p.extract_text() for p in pypdf.PdfReader(path).pages)
    assert _squash(extracted) == _squash(page_plain_text(text))


def test_encrypted_pdf_needs_password(tmp_path: Path) -> None:
    path = make_encrypted_pdf(tmp_path / "密件.pdf", "本文件涉密，请勿外传。", password="pw")
    reader = pypdf.PdfReader(path)
    assert reader.is_encrypted
    with pytest.raises(pypdf.errors.FileNotDecryptedError):
        reader.pages[0].extract_text()
    assert reader.decrypt("pw")
    assert "本文件涉密，请勿外传。" in reader.pages[0].extract_text()


def test_scanned_pdf_has_no_text_layer(tmp_path: Path) -> None:
    reader = pypdf.PdfReader(make_scanned_pdf(tmp_path / "扫描件.pdf", pages=2))
    assert len(reader.pages) == 2
    assert all(not p.extract_text().strip() for p in reader.pages)
    assert reader.pages[0].images  # there is something on the page: an image


def test_corrupt_pdf_fails_to_read(tmp_path: Path) -> None:
    path = make_corrupt_pdf(tmp_path / "坏文件.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    with pytest.raises(Exception):
        reader = pypdf.PdfReader(path)
        "".join(p.extract_text() for p in reader.pages)


def test_docx_uses_builtin_styles_and_round_trips(tmp_path: Path) -> None:
    blocks = [
        ("title", "江北省领导干部选拔任用工作纪实办法"),
        ("h1", "第一章　总则"),
        ("p", "第一条　为规范干部选拔任用工作，制定本办法。"),
        ("h2", "一、总体要求"),
        ("h3", "（一）坚持党管干部原则"),
        ("p", PARA),
        ("table", "序号|单位|学时\n1|清河县|40"),
        ("table:环节,责任人;;动议,组织部门", "表1　纪实环节"),
        ("right", "二〇二六年二月二十七日"),
    ]
    path = make_docx(tmp_path / "办法.docx", blocks, core_title="纪实办法")
    document = docx.Document(str(path))
    paras = [(p.style.name, p.text) for p in document.paragraphs]
    assert paras == [
        ("Title", "江北省领导干部选拔任用工作纪实办法"),
        ("Heading 1", "第一章　总则"),
        ("Normal", "第一条　为规范干部选拔任用工作，制定本办法。"),
        ("Heading 2", "一、总体要求"),
        ("Heading 3", "（一）坚持党管干部原则"),
        ("Normal", PARA),
        ("Normal", "表1　纪实环节"),
        ("Normal", "二〇二六年二月二十七日"),
    ]
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert cells == [["序号", "单位", "学时"], ["1", "清河县", "40"], ["环节", "责任人"], ["动议", "组织部门"]]
    assert document.core_properties.title == "纪实办法"


def test_docx_rebuild_is_byte_identical(tmp_path: Path) -> None:
    blocks = [("title", "标题"), ("p", "正文。")]
    a = make_docx(tmp_path / "a.docx", blocks).read_bytes()
    b = make_docx(tmp_path / "b.docx", blocks).read_bytes()
    assert a == b


def test_docx_unknown_style_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        make_docx(tmp_path / "x.docx", [("h9", "无此样式")])


def test_corrupt_docx_fails_to_open(tmp_path: Path) -> None:
    path = make_corrupt_docx(tmp_path / "坏文件.docx")
    assert path.read_bytes().startswith(b"PK")
    assert not zipfile.is_zipfile(path)
    with pytest.raises(Exception):
        docx.Document(str(path))


def test_gb18030_txt(tmp_path: Path) -> None:
    text = "江北省纪委监委通报\n“三审三校”制度𠀀\n"  # 𠀀 is outside GBK: 4-byte GB18030
    path = make_gb18030_txt(tmp_path / "通报.txt", text, newline="\r\n")
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert b"\r\n" in raw
    assert raw.decode("gb18030").replace("\r\n", "\n") == text
