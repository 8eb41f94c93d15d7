"""A user drops files of every supported kind into the library; each comes back as the
same kind of clean text, with chunks whose offsets point at the exact passage."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from policykb.ingest import parse_file, walk_inputs
from policykb.ingest.loaders import BY_SUFFIX, FORMATS
from policykb.ingest.types import IngestError
from policykb.uploads import check_upload
from tests.docbuild import make_docx, make_gb18030_txt, make_pdf
from tests.ingest_helpers import assert_chunk_invariants, squash

NOTICE = (
    "关于做好2026年党员教育培训工作的通知\n"
    "各市委组织部：\n"
    "为深入学习贯彻党的二十大精神，现就做好2026年党员教育培训工作通知如下。\n"
    "一、总体要求\n"
    "坚持以习近平新时代中国特色社会主义思想为指导，落实“第一议题”制度，全面提高党员队伍素质。\n"
    "二、重点任务\n"
    "（一）加强理论武装。组织党员深入学习党的创新理论，每名党员每年集中学习培训不少于32学时。\n"
    "（二）加强基层党建。全面推进村党组织书记轮训，确保培训全覆盖。\n"
    "中共江北省委组织部\n"
    "2026年1月24日\n"
)


def test_utf8_text_file(tmp_path: Path) -> None:
    path = tmp_path / "通知.txt"
    path.write_text(NOTICE, encoding="utf-8")
    doc = parse_file(path)
    assert doc.format == "txt"
    assert doc.text.startswith("关于做好2026年党员教育培训工作的通知\n各市委组织部：")
    assert doc.meta.title == "关于做好2026年党员教育培训工作的通知"
    assert doc.source_path == str(path.resolve())
    assert_chunk_invariants(doc)
    paths = {c.section_path for c in doc.chunks}
    assert ("二、重点任务",) in paths or any(p[:1] == ("二、重点任务",) for p in paths)


def test_utf8_with_bom_has_no_bom_in_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + NOTICE.encode("utf-8"))
    doc = parse_file(path)
    assert doc.text[0] == "关"
    assert doc.meta.title == "关于做好2026年党员教育培训工作的通知"


def test_gb18030_file_from_windows_notepad(tmp_path: Path) -> None:
    path = make_gb18030_txt(tmp_path / "gbk.txt", NOTICE, newline="\r\n")
    doc = parse_file(path)
    assert "“第一议题”制度" in doc.text
    assert "\r" not in doc.text
    assert doc.meta.date == "2026-01-24"
    assert any("gb18030" in w for w in doc.warnings)


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "utf16.txt"
    path.write_bytes(NOTICE.encode("utf-16"))
    assert squash(parse_file(path).text) == squash(NOTICE)


def test_markdown_headings_become_sections_and_markup_goes(tmp_path: Path) -> None:
    path = tmp_path / "规定.md"
    path.write_text(
        "# 江北省党员教育管理规定\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n"
        "第一条 为了加强党员教育管理，根据**《中国共产党章程》**，制定本规定。\n\n"
        "第二条 党员教育管理坚持[党要管党](http://example.com)、全面从严治党。\n\n"
        "## 第二章 教育培训\n\n第三条 党员每年参加集中培训不少于32学时。\n",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert doc.format == "md"
    assert "**" not in doc.text and "http" not in doc.text and "INFO END" not in doc.text
    assert doc.meta.title == "江北省党员教育管理规定"
    assert doc.meta.doc_type == "规定"
    by_article = {c.section_path[-1]: c for c in doc.chunks}
    assert by_article["第三条"].section_path == ("第二章 教育培训", "第三条")
    assert by_article["第一条"].section_path == ("第一章 总则", "第一条")
    assert_chunk_invariants(doc)


PARA = (
    "各级党组织要认真落实“第一议题”制度，村党组织书记每年参加县级以上集中培训不少于40学时，"
    "新任职的应当在任职后6个月内完成不少于72学时的任职培训，并于二〇二六年一月二十四日前报送名单。"
)


def test_pdf_keeps_pages_and_drops_running_header_and_page_numbers(tmp_path: Path) -> None:
    pages = [
        "<t>关于开展村党组织书记集中轮训的通知\n<c>江组发〔2026〕3号\n\n<n>各市委组织部：\n" + PARA,
        "一、培训对象\n" + PARA * 2 + "\n二、培训内容\n" + PARA,
        "三、工作要求\n" + PARA + "\n<r>中共江北省委组织部\n<r>二〇二六年一月二十四日",
    ]
    path = make_pdf(tmp_path / "轮训通知.pdf", pages, header="江北省委组织部文件")
    doc = parse_file(path)
    assert doc.format == "pdf"
    assert "江北省委组织部文件" not in doc.text
    assert "—" not in doc.text  # "— 1 —" footers are gone
    # wrapped lines are joined: every paragraph is whole, nothing lost
    assert doc.text.count(PARA) == 5
    assert [p.number for p in doc.pages] == [1, 2, 3]
    page_text = [doc.text[p.char_start : p.char_end] for p in doc.pages]
    assert "各市委组织部" in page_text[0] and "一、培训对象" in page_text[1] and "三、工作要求" in page_text[2]
    assert_chunk_invariants(doc)
    first_of = {c.section_path[0]: c.page for c in doc.chunks if c.section_path}
    assert first_of["一、培训对象"] == 2 and first_of["三、工作要求"] == 3
    assert doc.meta.doc_no == "江组发〔2026〕3号"
    assert doc.meta.date == "2026-01-24"
    assert doc.meta.issuer == "中共江北省委组织部"
    assert doc.meta.doc_type == "通知"


def test_pdf_paragraph_broken_across_pages_is_one_paragraph(tmp_path: Path) -> None:
    long_para = PARA * 3
    split = len(PARA) + 20
    pages = ["<t>关于轮训的通知\n" + long_para[:split], "<n>" + long_para[split:]]
    doc = parse_file(make_pdf(tmp_path / "跨页.pdf", pages))
    assert long_para in doc.text  # joined across the page break
    boundary = doc.pages[1].char_start
    assert doc.text[boundary:].startswith(long_para[split:][:10])
    assert_chunk_invariants(doc)


def test_docx_heading_styles_and_tables(tmp_path: Path) -> None:
    path = make_docx(
        tmp_path / "方案.docx",
        [
            ("title", "江北省党员教育培训工作方案"),
            ("p", "为做好党员教育培训工作，制定本方案。"),
            ("h1", "总体要求"),
            ("p", PARA),
            ("h1", "培训安排"),
            ("h2", "培训对象"),
            ("p", PARA),
            ("table", "班次|人数\n书记班|120\n党员班|300"),
            ("right", "中共江北省委组织部"),
            ("right", "2026年1月24日"),
        ],
    )
    doc = parse_file(path)
    assert doc.format == "docx"
    assert doc.meta.title == "江北省党员教育培训工作方案"
    assert doc.meta.doc_type == "方案"
    assert "班次：书记班｜人数：120" in doc.text  # a row carries its column names (ingest.tables)
    paths = [c.section_path for c in doc.chunks]
    assert any(p[:1] == ("总体要求",) for p in paths)
    assert any(p[:1] == ("培训安排",) for p in paths)
    assert all(not (("总体要求",) == p[:1] and "培训安排" in c.text) for p, c in zip(paths, doc.chunks))
    assert_chunk_invariants(doc)


def test_html_main_text_without_navigation_or_scripts(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<!DOCTYPE html><html><head><title>关于轮训的通知_江北省委组织部网站</title>
        <script>var tracker = "不应出现";</script><style>.x{color:red}</style></head>
        <body><header><div class="logo">江北组工网</div></header>
        <nav><a href="/">首页</a> &gt; <a href="/tz">通知公告</a></nav>
        <div class="breadcrumb">您的位置：首页 &gt; 通知公告</div>
        <div id="main"><h1>关于开展村党组织书记集中轮训的通知</h1>
        <div class="content"><p>各市委组织部：</p><p>"""
        + PARA
        + """</p><p>一、培训对象</p><p>"""
        + PARA
        + """</p></div></div>
        <aside>热点新闻：某某新闻标题</aside><footer>版权所有 江北省委组织部 ICP备案</footer>
        </body></html>""",
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert doc.format == "html"
    for noise in ("不应出现", "首页", "版权所有", "热点新闻", "color"):
        assert noise not in doc.text
    assert doc.meta.title == "关于开展村党组织书记集中轮训的通知"
    assert PARA in doc.text
    assert any(c.section_path[:1] == ("一、培训对象",) for c in doc.chunks)
    assert_chunk_invariants(doc)


def test_pdf_gongwen_with_wrapped_title_wrapped_headings_and_contact_line(tmp_path: Path) -> None:
    item = "（一）党的创新理论。重点学习党的二十大和二十届历次全会精神、新修订的党内法规，引导村（社区）党组织书记筑牢思想根基。"
    pages = [
        "<c>江组发〔2026〕3号\n<t>中共江北省委组织部\n<t>关于开展2026年度村（社区）党组织书记集中轮训\n<t>的通知\n"
        "<n>各市委组织部，各县（市、区）委组织部：\n" + PARA + "\n<n>二、培训内容\n<n>" + item,
        "<n>联系人：省委组织部组织二处 联系电话：6203117转分机号码八八\n<r>中共江北省委组织部\n<r>二〇二六年一月二十四日",
    ]
    doc = parse_file(make_pdf(tmp_path / "通知.pdf", pages, header="中共江北省委组织部文件"))
    assert doc.meta.title == "中共江北省委组织部关于开展2026年度村（社区）党组织书记集中轮训的通知"
    assert doc.meta.issuer == "中共江北省委组织部"
    assert doc.meta.date == "2026-01-24"
    assert item in doc.text  # a heading that runs into body text is joined across its wrap
    assert "\n中共江北省委组织部\n二〇二六年一月二十四日" in doc.text
    assert_chunk_invariants(doc)


def test_one_table_of_formats_decides_what_the_walk_takes_and_an_upload_may_be(tmp_path: Path) -> None:
    assert set(BY_SUFFIX) == {s for f in FORMATS.values() for s in f.suffixes}
    for suffix in [*BY_SUFFIX, ".doc", ".zip"]:
        (tmp_path / f"文件{suffix}").write_text(NOTICE, encoding="utf-8")
    files, skipped = walk_inputs([tmp_path])
    assert sorted(f.suffix for f in files) == sorted(BY_SUFFIX)
    assert sorted(s.reason for s in skipped) == ["不支持的文件类型：.doc", "不支持的文件类型：.zip"]
    for fmt in FORMATS.values():
        for suffix in fmt.suffixes:
            if not fmt.sniffed:  # a text format: text under its name is what it should be
                check_upload(f"文件{suffix}", NOTICE.encode(), 2**20)
            else:  # a binary format: text under its name is refused, named as the table names it
                with pytest.raises(IngestError) as err:
                    check_upload(f"文件{suffix}", NOTICE.encode(), 2**20)
                assert err.value.code == "type_mismatch"
                assert (fmt.upload_expects or fmt.name) in str(err.value)
    with pytest.raises(IngestError) as err:
        check_upload("文件.doc", NOTICE.encode(), 2**20)
    assert err.value.code == "unsupported_type" and "docx、htm、html" in str(err.value)
