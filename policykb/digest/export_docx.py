"""The digest as a Word document laid out like a printed 汇编, in 公文 typography after
GB/T 9704: A4 with margins 37/35/28/26 mm, 方正小标宋 title, 仿宋 三号 body on a 28 pt line,
黑体 first-level and 楷体 second-level headings, page numbers "— 1 —" in the footer.

Fonts are named, not embedded. Each 公文 font name is declared in the font table with an
alternative that every Chinese Windows has (仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体,
方正小标宋简体 → 宋体), so Word falls back to a font of the same family; LibreOffice falls
back through fontconfig (e.g. Noto Serif/Sans CJK).

Contents: a real TOC field (TOC \\o "1-3" \\h \\z \\u) whose current result is the written
contents list, so the document reads correctly as it is, and Word's "update field" turns
the list into a TOC with page numbers (no second TOC appears).
"""
from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from policykb.digest.build import DIGEST_TITLE, Digest
from policykb.digest.export_md import SOURCES_HEADING, UNDATED_HEADING
from policykb.digest.labels import (
    cell_text,
    cn_date,
    citation_groups,
    entry_heading,
    meta_fields,
    overview_lines,
    overview_table,
    point_text,
    topic_heading,
)

# 公文 fonts and their fallbacks (font table altName).
XIAOBIAOSONG = "方正小标宋简体"
FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"
FALLBACKS = {XIAOBIAOSONG: "宋体", FANGSONG: "仿宋", KAITI: "楷体", HEITI: "SimHei", SONGTI: "SimSun"}

SIZE_ER = Pt(22)  # 二号
SIZE_SAN = Pt(16)  # 三号
SIZE_SI = Pt(14)  # 四号
SIZE_XIAOSI = Pt(12)  # 小四
LINE = Pt(28)  # fixed line pitch: 22 lines on the GB/T 9704 type area
INDENT_2 = Pt(32)  # two characters of 三号

BLACK = RGBColor(0, 0, 0)


# ---- fonts and styles ---------------------------------------------------------------------


def _set_fonts(rpr_owner: object, east_asia: str, latin: str = LATIN) -> None:
    """Set ascii/hAnsi/eastAsia fonts on a run or style, dropping theme fonts (which would
    otherwise win over the names we set)."""
    rpr = rpr_owner._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _style(doc: Document, name: str, *, east_asia: str, size: Pt, bold: bool = False, latin: str = LATIN,
           align: int | None = None, before: Pt = Pt(0), after: Pt = Pt(0), indent: Pt | None = None,
           line: Pt | None = LINE, outline: int | None = None, keep_next: bool = False) -> None:
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = BLACK
    color = style._element.rPr.find(qn("w:color"))
    if color is not None:  # the template's theme colour would win over black
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attr), None)
    _set_fonts(style, east_asia, latin)
    pf = style.paragraph_format
    pf.space_before, pf.space_after = before, after
    if line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = line
    pf.first_line_indent = indent
    pf.keep_with_next = keep_next
    if align is not None:
        pf.alignment = align
    if outline is not None:  # heading level for the TOC and the navigation pane
        ppr = style._element.get_or_add_pPr()
        lvl = ppr.find(qn("w:outlineLvl"))
        if lvl is None:
            lvl = OxmlElement("w:outlineLvl")
            ppr.append(lvl)
        lvl.set(qn("w:val"), str(outline))


def _setup_styles(doc: Document) -> None:
    # Chinese as the East Asian language, so renderers pick CJK fonts and line breaking.
    rpr_default = doc.styles.element.find(qn("w:docDefaults"))
    if rpr_default is not None:
        for lang in rpr_default.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), "zh-CN")
    _style(doc, "Normal", east_asia=FANGSONG, size=SIZE_SAN, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "Title", east_asia=XIAOBIAOSONG, size=SIZE_ER, align=WD_ALIGN_PARAGRAPH.CENTER, line=Pt(40))
    _style(doc, "Heading 1", east_asia=HEITI, size=SIZE_SAN, before=Pt(14), after=Pt(0), indent=INDENT_2,
           outline=0, keep_next=True)
    _style(doc, "Heading 2", east_asia=KAITI, size=SIZE_SAN, before=Pt(8), indent=INDENT_2, outline=1,
           keep_next=True)
    _style(doc, "Heading 3", east_asia=FANGSONG, size=SIZE_SAN, bold=True, indent=INDENT_2, outline=2,
           keep_next=True)
    _style(doc, "Body Text", east_asia=FANGSONG, size=SIZE_SAN, indent=INDENT_2)
    _style(doc, "Meta", east_asia=KAITI, size=SIZE_SI, indent=INDENT_2, line=Pt(24), keep_next=True)
    _style(doc, "Source", east_asia=FANGSONG, size=SIZE_XIAOSI, line=Pt(20), after=Pt(2))
    _style(doc, "TOC 1", east_asia=HEITI, size=SIZE_SAN, line=Pt(30))
    _style(doc, "TOC 2", east_asia=FANGSONG, size=SIZE_SI, line=Pt(26), indent=None)
    toc2 = doc.styles["TOC 2"].paragraph_format
    toc2.left_indent, toc2.first_line_indent = Pt(32 + 42), Pt(-42)  # wrapped lines align after （一）
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        # The template draws a rule under Title and colours headings: not in a 公文.
        ppr = doc.styles[name]._element.pPr
        if ppr is not None:
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)


def _declare_fallbacks(doc: Document) -> None:
    """Add each 公文 font to the font table with its alternative name (w:altName)."""
    from lxml import etree

    part = next((r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    known = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, alt in FALLBACKS.items():
        if name in known:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        alt_el = etree.SubElement(font, qn("w:altName"))
        alt_el.set(qn("w:val"), alt)
        charset = etree.SubElement(font, qn("w:charset"))
        charset.set(qn("w:val"), "86")  # GB2312
        family = etree.SubElement(font, qn("w:family"))
        family.set(qn("w:val"), "modern" if name in (FANGSONG, KAITI, HEITI) else "roman")
        pitch = etree.SubElement(font, qn("w:pitch"))
        pitch.set(qn("w:val"), "fixed" if name in (FANGSONG, KAITI, HEITI) else "variable")
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---- page setup ---------------------------------------------------------------------------


def _page_setup(section: object) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)  # type: ignore[attr-defined]
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)  # type: ignore[attr-defined]
    section.left_margin, section.right_margin = Mm(28), Mm(26)  # type: ignore[attr-defined]
    section.footer_distance = Mm(25)  # type: ignore[attr-defined]


def _field(paragraph: object, instruction: str, placeholder: str = "1") -> None:
    """A complex field (begin · instruction · separate · result · end) in one paragraph."""
    def char(kind: str) -> None:
        run = paragraph.add_run()  # type: ignore[attr-defined]
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        run._r.append(el)

    char("begin")
    run = paragraph.add_run()  # type: ignore[attr-defined]
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    char("separate")
    paragraph.add_run(placeholder)  # type: ignore[attr-defined]
    char("end")


def _page_number_footer(section: object) -> None:
    """— 1 —, 四号 宋体, centred; numbering restarts at 1 in this section."""
    footer = section.footer  # type: ignore[attr-defined]
    footer.is_linked_to_previous = False
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("— ")
    _field(p, "PAGE")
    p.add_run(" —")
    for run in p.runs:
        run.font.size = SIZE_SI
        _set_fonts(run, SONGTI, LATIN)
    sect_pr = section._sectPr  # type: ignore[attr-defined]
    num = sect_pr.find(qn("w:pgNumType"))
    if num is None:
        num = OxmlElement("w:pgNumType")
        sect_pr.append(num)
    num.set(qn("w:start"), "1")


# ---- content ------------------------------------------------------------------------------


def _para(doc: Document, text: str = "", style: str = "Body Text", *, align: int | None = None,
          bold: bool | None = None, font: str | None = None, size: Pt | None = None) -> object:
    p = doc.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        if bold is not None:
            run.bold = bold
        if font:
            _set_fonts(run, font)
        if size:
            run.font.size = size
    if align is not None:
        p.alignment = align
    return p


def _cover(doc: Document, digest: Digest) -> None:
    _para(doc, "内部资料", "Normal", font=HEITI, size=SIZE_SAN)
    for _ in range(5):
        _para(doc, "", "Normal")
    p = doc.add_paragraph(style="Title")
    run = p.add_run(DIGEST_TITLE)
    run.font.size = Pt(36)
    p.paragraph_format.line_spacing = Pt(54)
    _para(doc, "", "Normal")
    _para(doc, f"（{digest.label}）", "Normal", align=WD_ALIGN_PARAGRAPH.CENTER, font=KAITI, size=SIZE_ER)
    for _ in range(8):
        _para(doc, "", "Normal")
    scope = f"收录文件 {digest.document_count} 件"
    if digest.undated:
        scope += f"，另列未标注日期文件 {len(digest.undated)} 件"
    for line in (scope, f"{cn_date(digest.period[0])}—{cn_date(digest.period[1])}",
                 f"编印日期：{cn_date(digest.generated_at[:10])}"):
        _para(doc, line, "Normal", align=WD_ALIGN_PARAGRAPH.CENTER, font=KAITI)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _contents(doc: Document, digest: Digest) -> None:
    title = doc.add_paragraph(style="Title")
    title.add_run("目　录")
    title.paragraph_format.space_after = Pt(16)
    lines: list[tuple[str, str]] = []
    for ti, topic in enumerate(digest.non_empty_topics, 1):
        lines.append(("TOC 1", topic_heading(ti, topic.name)))
        for di, entry in enumerate(topic.documents, 1):
            lines.append(("TOC 2", entry_heading(di, entry.title, entry.filename)))
    if digest.undated:
        lines.append(("TOC 1", UNDATED_HEADING))
    lines.append(("TOC 1", SOURCES_HEADING))
    toc_field(doc, lines)


def toc_field(doc: Document, lines: list[tuple[str, str]]) -> None:
    """A TOC field whose current result is `lines` ((style, text) each): the document reads
    right as written, and Word's "update field" adds page numbers (shared with the 论述摘编)."""
    # One field spanning the list: begin + instruction + separate in the first paragraph,
    # end in the last; the paragraphs between are the field's current result.
    paragraphs = [doc.add_paragraph(style=style) for style, _ in lines]
    first, last = paragraphs[0], paragraphs[-1]
    begin = OxmlElement("w:r")
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), "begin")
    begin.append(fc)
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-3" \\h \\z \\u '
    instr_run.append(instr)
    sep = OxmlElement("w:r")
    fs = OxmlElement("w:fldChar")
    fs.set(qn("w:fldCharType"), "separate")
    sep.append(fs)
    for p, (_, text) in zip(paragraphs, lines):
        p.add_run(text)
    first._p.insert(len(first._p.findall(qn("w:pPr"))), sep)
    first._p.insert(len(first._p.findall(qn("w:pPr"))), instr_run)
    first._p.insert(len(first._p.findall(qn("w:pPr"))), begin)
    end = last.add_run()
    fe = OxmlElement("w:fldChar")
    fe.set(qn("w:fldCharType"), "end")
    end._r.append(fe)


def _entry(doc: Document, index: int, entry: object) -> None:
    doc.add_paragraph(entry_heading(index, entry.title, entry.filename), style="Heading 2")  # type: ignore[attr-defined]
    _para(doc, "　".join(f"{k}：{v}" for k, v in meta_fields(entry)), "Meta")
    if entry.key_points:  # type: ignore[attr-defined]
        label = _para(doc, "主要内容", "Body Text", bold=True)
        label.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
        for pi, kp in enumerate(entry.key_points, 1):  # type: ignore[attr-defined]
            p = doc.add_paragraph(style="Body Text")
            p.add_run(f"{pi}. {point_text(kp)}")
            ref = p.add_run(f"[{kp.citation['n']}]")
            ref.font.superscript = True
    else:
        _para(doc, "（未能从原文中提取要点，请查阅原文。）")
    if entry.interpretation:  # type: ignore[attr-defined]
        p = doc.add_paragraph(style="Body Text")
        label = p.add_run("政策解读：")
        label.bold = True
        p.add_run(" ".join(entry.interpretation.split()))  # type: ignore[attr-defined]


def _overview(doc: Document, topic: object) -> None:
    """The group's 导读 (LLM, checked) and 综述: paragraphs of cited sentences and, for reports, the targets table
    (仿宋 小四 in a plain grid, header row repeated on each page)."""
    for name, text in overview_lines(topic):
        p = doc.add_paragraph(style="Body Text")
        label = p.add_run(f"{name}：")
        label.bold = True
        p.add_run(text)
    table = overview_table(topic)
    if not table:
        return
    cap = _para(doc, table["caption"], "Body Text", align=WD_ALIGN_PARAGRAPH.CENTER, font=HEITI)
    cap.paragraph_format.first_line_indent = Pt(0)  # type: ignore[attr-defined]
    grid = doc.add_table(rows=1, cols=len(table["columns"]))
    grid.style = "Table Grid"
    header = grid.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, name in zip(header.cells, table["columns"]):
        cell.text = name
    for row in table["rows"]:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = cell_text(value)
    for row in grid.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.line_spacing = Pt(18)
                for run in p.runs:
                    _set_fonts(run, FANGSONG)
                    run.font.size = SIZE_XIAOSI
    _para(doc, "")


def build_docx(digest: Digest) -> Document:
    doc = Document()
    _setup_styles(doc)
    _declare_fallbacks(doc)
    props = doc.core_properties
    props.title, props.subject, props.author = digest.title, f"{digest.label}政策解读汇编", "政策知识库"
    props.language = "zh-CN"

    front = doc.sections[0]
    _page_setup(front)
    _cover(doc, digest)
    _contents(doc, digest)

    body = doc.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(body)
    _page_number_footer(body)
    # The section break paragraph carried the front matter; the body starts here.
    topics = digest.non_empty_topics
    if not topics:
        _para(doc, "本季度没有收录到标注了日期的文件。")
    for ti, topic in enumerate(topics, 1):
        doc.add_paragraph(topic_heading(ti, topic.name), style="Heading 1")
        _overview(doc, topic)
        for di, entry in enumerate(topic.documents, 1):
            _entry(doc, di, entry)

    if digest.undated:
        doc.add_paragraph(UNDATED_HEADING, style="Heading 1")
        _para(doc, "以下文件未能确定成文日期，未编入本季度各主题，请核实日期后补充元数据再重新生成。")
        for i, u in enumerate(digest.undated, 1):
            _para(doc, f"{i}. {u.title or '（无标题）'}——{u.reason}（文件：{u.filename}）")

    sources = doc.add_paragraph(SOURCES_HEADING, style="Heading 1")
    sources.paragraph_format.page_break_before = True
    citations = digest.citations()
    for head, items in citation_groups(citations):
        _para(doc, head, "Source", bold=True)
        for n, where in items:
            p = _para(doc, f"[{n}] {where}", "Source")
            p.paragraph_format.left_indent = Pt(24)  # type: ignore[attr-defined]
    if not citations:
        _para(doc, "（无）")
    return doc


def write_docx(digest: Digest, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    build_docx(digest).save(str(path))
    return path
