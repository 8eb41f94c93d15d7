"""The 论述摘编 as a Word document in the digest's 公文 look (policykb/digest/export_docx.py:
GB/T 9704 page, 方正小标宋 title, 黑体 sub-theme headings, 仿宋 三号 text, page numbers):
title, scope, 目录 (a real TOC field), then each sub-theme with its excerpts in date order,
each followed by its sources in parentheses in 楷体."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Pt

from policykb.digest.export_docx import (
    KAITI,
    _declare_fallbacks,
    _page_number_footer,
    _page_setup,
    _para,
    _set_fonts,
    _setup_styles,
    toc_field,
)
from policykb.digest.labels import topic_heading
from policykb.excerpts.export_md import scope_line

if TYPE_CHECKING:
    from policykb.excerpts.build import Excerpts


def build_docx(excerpts: "Excerpts") -> Document:
    doc = Document()
    _setup_styles(doc)
    _declare_fallbacks(doc)
    props = doc.core_properties
    props.title, props.subject, props.author = excerpts.title, excerpts.topic.name, "政策知识库"
    props.language = "zh-CN"

    front = doc.sections[0]
    _page_setup(front)
    doc.add_paragraph(excerpts.title, style="Title")
    _para(doc, scope_line(excerpts), "Normal", align=WD_ALIGN_PARAGRAPH.CENTER, font=KAITI)
    _para(doc, "", "Normal")
    title = doc.add_paragraph(style="Title")
    title.add_run("目　录")
    title.paragraph_format.space_after = Pt(16)
    if excerpts.groups:
        toc_field(doc, [("TOC 1", topic_heading(i, g.name)) for i, g in enumerate(excerpts.groups, 1)])
    else:
        _para(doc, "（无）", "Normal", align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    body = doc.add_section(WD_SECTION.CONTINUOUS)
    _page_setup(body)
    _page_number_footer(body)
    if not excerpts.groups:
        _para(doc, "未找到关于这一主题的论述。")
    for i, g in enumerate(excerpts.groups, 1):
        doc.add_paragraph(topic_heading(i, g.name), style="Heading 1")
        for e in g.excerpts:
            p = _para(doc, e.text)
            source = p.add_run(e.citation())  # type: ignore[attr-defined]
            _set_fonts(source, KAITI)
    return doc


def write_docx(excerpts: "Excerpts", path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_docx(excerpts).save(str(path))
    return path
