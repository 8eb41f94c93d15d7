"""Tables read as tables (issue 21): a 任务分工表 in a PDF (ruled, unruled, merged cells, over
two pages), Word, HTML or Markdown becomes one labelled passage line a row, kept whole
under its caption; an answer from a row names the column; a PDF keeps its layout."""
from __future__ import annotations

from pathlib import Path

import pytest

from policykb.answer.table_rows import field_answer, pick_column
from policykb.ingest import parse_file
from policykb.ingest.structure import chunk_document
from policykb.ingest.tables import parse_row
from tests.ingest_helpers import assert_chunk_invariants
from tests.tablebuild import (
    TableSpec, make_table_docx, make_table_html, make_table_markdown, make_table_pdf, make_two_column_pdf,
    task_table,
)

ROW2 = "序号：2｜重点任务：开展村党组织书记轮训｜牵头单位：市委党校｜配合单位：市农业农村局｜完成时限：2026年9月底前"
CAPTION = "2026年党员教育培训工作任务分工表"


def issue_table(n_rows: int = 6, **kw) -> TableSpec:
    """The issue's 任务分工表: row 2 is 开展村党组织书记轮训 led by 市委党校."""
    spec = task_table(n_rows, 21, **kw)
    spec.rows[1] = ["2", "开展村党组织书记轮训", "市委党校", "市农业农村局", "2026年9月底前"]
    for r, c, span in spec.merges:  # a merged cell shows one value in every row it spans
        for k in range(span):
            spec.rows[r + k][c] = spec.rows[r][c]
    return spec


def rows_of(text: str) -> list[dict[str, str]]:
    return [dict(p) for line in text.split("\n") if (p := parse_row(line))]


def test_ruled_pdf_table_rows_are_labelled_passages_under_the_caption(tmp_path: Path) -> None:
    path = make_table_pdf(tmp_path / "任务分工.pdf", [issue_table()], ruled=True)
    doc = parse_file(path)
    assert ROW2 in doc.text.split("\n"), "row 2 is one line carrying its column headers"
    # The 通知 around the table reads as typed: title, 主送, 落款 found (the issue's third bullet).
    assert doc.meta.title == "关于印发2026年党员教育培训工作任务分工的通知"
    assert doc.meta.issuer == "中共某市委组织部"
    assert doc.meta.doc_type == "通知"
    assert doc.meta.date == "2026-02-10"
    lines = doc.text.split("\n")
    after_title = lines[lines.index(doc.meta.title) + 1]
    assert after_title == "各县（市、区）委组织部，市直各单位党组织：", "主送 is its own line"
    table_chunks = [c for c in doc.chunks if "｜" in c.text]
    assert table_chunks and all(c.section_path[-1:] == (CAPTION,) for c in table_chunks)
    assert_chunk_invariants(doc)


def test_merged_cells_and_a_two_page_table_without_repeated_header(tmp_path: Path) -> None:
    spec = task_table(30, 4, merges=True, long_cells=True)
    path = make_table_pdf(tmp_path / "长表.pdf", [spec], ruled=True, repeat_header=False)
    doc = parse_file(path)
    assert len(doc.pages) == 2
    got = rows_of(doc.text)
    expected = spec.cells()
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g == e  # every cell under its header, merged 牵头单位 repeated in each row it spans
    # The rows on page 2 carry the header of page 1; the running header and page numbers are gone.
    assert "某市党员教育工作文件" not in doc.text and "—" not in doc.text
    page2 = [c for c in doc.chunks if c.page == 2 and "｜" in c.text]
    assert page2 and all(c.text.startswith("序号：") for c in page2)
    # A long table is split between rows, never inside one.
    for c in doc.chunks:
        for line in c.text.split("\n"):
            if "｜" in line:
                assert parse_row(line), line


@pytest.mark.parametrize("style", [{"ruled": False}, {"ruled": False, "three_line": True},
                                   {"ruled": False, "valign": "TOP"}])
def test_unruled_tables_are_found_from_white_space(tmp_path: Path, style: dict) -> None:
    spec = issue_table(8, long_cells=True)
    doc = parse_file(make_table_pdf(tmp_path / "无框线.pdf", [spec], **style))
    assert rows_of(doc.text) == spec.cells()
    assert ROW2.split("｜")[1] in doc.text


def test_word_html_and_markdown_tables(tmp_path: Path) -> None:
    spec = issue_table(6, merges=True, groups=True)
    for path in (make_table_docx(tmp_path / "分工.docx", [spec]), make_table_html(tmp_path / "分工.html", [spec])):
        got = rows_of(parse_file(path).text)
        assert got == spec.cells(), path.suffix
        assert got[1]["责任单位·牵头单位"] == "市委党校"  # a two-level header labels the column by both
    md = parse_file(make_table_markdown(tmp_path / "分工.md", [issue_table(6)]))
    assert ROW2 in md.text.split("\n")
    assert any(c.section_path[-1:] == (CAPTION,) for c in md.chunks)


def test_a_long_table_is_cut_between_rows_with_its_caption_on_the_first_piece() -> None:
    rows = [f"序号：{i}｜重点任务：第{i}项工作任务的具体内容和要求｜牵头单位：市委组织部｜完成时限：2026年{i % 12 + 1}月底前"
            for i in range(1, 21)]
    text = "一、任务分工\n为抓好落实，明确分工如下。\n任务分工表\n" + "\n".join(rows) + "\n二、工作要求\n各单位要按时报送进展。"
    chunks = chunk_document(text, max_chars=300, min_chars=60)
    table = [c for c in chunks if "｜" in c.text]
    assert len(table) >= 4
    assert all(c.section_path == ("一、任务分工", "任务分工表") for c in table)
    assert table[0].text.startswith("任务分工表\n序号：1｜")
    assert [line for c in table for line in c.text.split("\n") if "｜" in line] == rows
    assert all(len(c.text) <= 300 for c in chunks)
    # Text after the table belongs to its section again; the next section is apart.
    assert chunks[-1].section_path == ("二、工作要求",)


def test_the_answer_names_the_column_and_cites_the_row(tmp_path: Path, fresh_kb) -> None:  # type: ignore[no-untyped-def]
    path = make_table_pdf(tmp_path / "任务分工.pdf", [issue_table(10, long_cells=True)])
    fresh_kb.ingest([path], wait=False)
    top = fresh_kb.search("村党组织书记轮训 牵头单位", mode="keyword").results[0]
    assert ROW2 in top.text.split("\n"), "keyword search sees the labelled row"
    answer = fresh_kb.ask("村党组织书记轮训由哪个单位牵头？")
    assert answer.found and answer.answer.startswith("牵头单位：市委党校")
    cited = answer.citations[0]
    assert cited.row_column == "牵头单位"
    assert ["重点任务", "开展村党组织书记轮训"] in cited.row and ["牵头单位", "市委党校"] in cited.row
    assert cited.section_path[-1] == CAPTION
    when = fresh_kb.ask("村党组织书记轮训什么时候完成？")
    assert when.answer.startswith("完成时限：2026年9月底前")


def test_the_column_asked_for() -> None:
    pairs = parse_row(ROW2)
    assert pairs is not None
    labels = [label for label, _ in pairs]
    assert labels[pick_column("村党组织书记轮训由哪个单位牵头？", pairs)] == "牵头单位"  # type: ignore[index]
    assert labels[pick_column("开展村党组织书记轮训的配合单位是谁？", pairs)] == "配合单位"  # type: ignore[index]
    assert labels[pick_column("村党组织书记轮训的完成时限？", pairs)] == "完成时限"  # type: ignore[index]
    assert pick_column("开展村党组织书记轮训", pairs) is None
    # No column named: the whole row answers; off a row, no table answer at all.
    assert field_answer("开展村党组织书记轮训", ROW2, 5) == (ROW2, 0)
    assert field_answer("谁牵头？", "普通的一句话。", 2) is None
    field, at = field_answer("轮训由哪个单位牵头", ROW2, 10)  # type: ignore[misc]
    assert ROW2[at:].startswith(field) and field == "牵头单位：市委党校"


def test_pdf_two_columns_read_column_by_column(tmp_path: Path) -> None:
    left = ["各级党组织要把党员教育培训作为经常性基础性工作，统筹谋划、一体推进，坚持分类指导。" * 2,
            "突出政治训练，提升培训针对性和实效性，推动学用结合。" * 2]
    right = ["创新方式方法，用好远程教育平台，推动优质资源向基层延伸。" * 2,
             "加强督促检查，将培训情况纳入年度考核。" * 2]
    doc = parse_file(make_two_column_pdf(tmp_path / "简报.pdf", "党员教育工作简报", left, right))
    assert doc.meta.title == "党员教育工作简报"
    lines = doc.text.split("\n")
    assert lines[1:] == left + right, "left column first, each paragraph whole"


def test_a_grid_of_names_has_no_header(tmp_path: Path) -> None:
    """A 名单 laid out in a grid is data in every row: no row is taken for column names."""
    from tests.docbuild import make_docx

    path = make_docx(tmp_path / "名单.docx", [("p", "参加轮训人员名单如下。"),
                                            ("table", "张三|李四|王五\n赵六|钱七|孙八"), ("p", "以上人员请按时报到。")])
    text = parse_file(path).text
    assert "张三｜李四｜王五" in text.split("\n") and "赵六｜钱七｜孙八" in text.split("\n")
    assert "张三：" not in text


@pytest.mark.parametrize("repeat", [True, False])
def test_a_row_broken_across_the_page_is_one_row(tmp_path: Path, repeat: bool) -> None:
    spec = task_table(12, 4, long_cells=True)
    doc = parse_file(make_table_pdf(tmp_path / "断行.pdf", [spec], break_row=8, repeat_header=repeat))
    assert len(doc.pages) == 2
    assert rows_of(doc.text) == spec.cells()
