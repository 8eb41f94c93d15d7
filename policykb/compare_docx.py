"""The 新旧条文对照表 as a Word document: title, the two versions named, then the standard
three columns 原条文 / 修订后条文 / 说明, in the digest's 公文 typography
(policykb/digest/export_docx.py: fonts with fallbacks, A4 GB/T 9704 margins, page numbers).
Inside a 修改 row the words taken out are struck through in 原条文 and the words put in
are bold and underlined in 修订后条文.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from policykb.compare import Comparison, Pair, explain
from policykb.digest.export_docx import (
    FANGSONG, HEITI, SIZE_SI, SIZE_XIAOSI, _declare_fallbacks, _page_number_footer, _page_setup, _para, _set_fonts,
    _setup_styles,
)

HEADERS = ("原条文", "修订后条文", "说明")


def _marked_runs(paragraph: Any, text: str, spans: list[tuple[int, int]], *, deleted: bool) -> None:
    """Write `text` into a cell paragraph, marking the character spans."""
    pos = 0
    for start, end in sorted(spans):
        if start > pos:
            _run(paragraph, text[pos:start])
        if end > start:
            run = _run(paragraph, text[start:end])
            if deleted:
                run.font.strike = True
            else:
                run.bold, run.underline = True, True
        pos = max(pos, end)
    if pos < len(text):
        _run(paragraph, text[pos:])


def _run(paragraph: Any, text: str) -> Any:
    run = paragraph.add_run(text)
    run.font.size = SIZE_XIAOSI
    _set_fonts(run, FANGSONG)
    return run


def _cell_text(cell: Any, label: str | None, text: str, spans: list[tuple[int, int]], *, deleted: bool) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.line_spacing = Pt(20)
    if label:
        head = _run(paragraph, label + "　")
        _set_fonts(head, HEITI)
    _marked_runs(paragraph, text, spans, deleted=deleted)


def _spans(pair: Pair, side: str) -> list[tuple[int, int]]:
    out = []
    for d in pair.differences:
        piece = d[side]
        if piece:
            start = d[f"{side}_start"]
            out.append((start, start + len(piece)))
    return out


def _shade(cell: Any, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def build_docx(comparison: Comparison, old_name: str, new_name: str, *, only_changes: bool = False) -> Any:
    doc = Document()
    _setup_styles(doc)
    _declare_fallbacks(doc)
    props = doc.core_properties
    props.title, props.author, props.language = f"{new_name}新旧条文对照表", "政策知识库", "zh-CN"
    section = doc.sections[0]
    _page_setup(section)
    _page_number_footer(section)
    _para(doc, f"{new_name}新旧条文对照表", "Title", align=WD_ALIGN_PARAGRAPH.CENTER)
    counts = comparison.counts
    _para(doc, f"原条文：{old_name}；修订后条文：{new_name}。共修改{counts['修改']}条、新增{counts['新增']}条、"
               f"删除{counts['删除']}条，未变{counts['未变']}条。删去的文字加删除线，新增或改动的文字加粗并加下划线。",
          "Source", size=SIZE_SI)

    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, HEADERS):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        head = cell.paragraphs[0].add_run(name)
        head.font.size = SIZE_SI
        _set_fonts(head, HEITI)
        _shade(cell, "D9D9D9")
    # The header row repeats on every page.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)

    for pair in comparison.pairs:
        if only_changes and pair.change == "未变" and pair.old and pair.new and pair.old.label == pair.new.label:
            continue
        cells = table.add_row().cells
        if pair.old:
            _cell_text(cells[0], pair.old.label, pair.old.text, _spans(pair, "old") if pair.change == "修改" else [],
                       deleted=True)
        if pair.new:
            _cell_text(cells[1], pair.new.label, pair.new.text, _spans(pair, "new") if pair.change == "修改" else [],
                       deleted=False)
        _cell_text(cells[2], None, explain(pair), [], deleted=False)
    widths = (Pt(190), Pt(190), Pt(62))
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    return doc


def write_docx(comparison: Comparison, old_name: str, new_name: str, path: str | Path,
               *, only_changes: bool = False) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_docx(comparison, old_name, new_name, only_changes=only_changes).save(str(path))
    return path
