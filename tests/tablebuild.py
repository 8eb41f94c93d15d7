"""Builders of real files holding tables (PDF ruled / unruled / merged / multi-page, DOCX
with merged cells, HTML, Markdown), for tests and for bench/tables.py.

Why this exists: a 任务分工表 printed by office software is a grid of text boxes, not a
table; a reader that glues the cells together answers nonsense. The tests and the bench
build the same kinds of files a user's tools produce (reportlab's platypus tables, the
way a word processor prints; python-docx tables with merged cells; HTML with rowspan)
and know every cell, so extraction can be checked cell by cell.

A table here is a `TableSpec`: one header row (or two, when a header cell spans
columns), body rows as lists of strings, and vertical merges in the body given as
``(row, col, rowspan)``: the merged cell shows its value once, at the top, and every row
it spans has that value in that column (which is what a reader of the table understands).
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from tests.docbuild import PAGE_H, PAGE_W, _font, _normalise_zip, _set_east_asian_font


@dataclass
class TableSpec:
    caption: str
    header: list[str]  # the leaf column names, one per column
    rows: list[list[str]]
    # A two-level header: (label, first column, last column) over leaf columns; the
    # columns not covered keep their leaf name spanning both header rows.
    groups: list[tuple[str, int, int]] = field(default_factory=list)
    merges: list[tuple[int, int, int]] = field(default_factory=list)  # (row, col, rowspan) in the body

    def labels(self) -> list[str]:
        """The column labels a row passage should carry (group·leaf under a group)."""
        out = list(self.header)
        for label, a, b in self.groups:
            for c in range(a, b + 1):
                out[c] = f"{label}·{self.header[c]}"
        return out

    def cells(self) -> list[dict[str, str]]:
        """Every logical cell: the value each row has under each label."""
        labels = self.labels()
        return [{labels[c]: v for c, v in enumerate(row) if v} for row in self.rows]

    def hidden(self) -> set[tuple[int, int]]:
        """Body positions covered by a merge above them (drawn empty)."""
        out = set()
        for r, c, span in self.merges:
            out.update((r + k, c) for k in range(1, span))
        return out


# --------------------------------------------------------------------------- content

_TASKS = [
    "开展村党组织书记轮训", "编印党员教育培训教材", "组织新任党支部书记示范培训", "建设党员教育实训基地",
    "开展农村党员冬春训", "推进党员教育电视节目制作", "组织流动党员集中学习", "开展年轻干部理论学习班",
    "举办基层宣讲骨干培训", "建设远程教育终端站点", "评选优秀党员教育课件", "开展党员教育工作督导",
    "组织专题读书班", "开展乡村振兴专题培训", "推进红色教育资源开发", "组织党务工作者业务培训",
    "开展社区党组织书记研修", "推进党员学习平台应用", "组织非公企业党建指导员培训", "开展退休干部党员教育",
    "编写党史学习读本", "举办青年党员宣讲比赛", "组织机关党员志愿服务", "建设党员教育师资库",
    "开展发展党员工作质量检查", "组织党员干部警示教育", "推进智慧党建平台建设", "开展软弱涣散党组织整顿",
    "举办组织员业务能力提升班", "开展优秀共产党员事迹宣传", "组织高校毕业生党员报到", "完善党员积分管理办法",
]
_DETAILS = ["，分三期实施并建立学员档案", "，覆盖全部乡镇", "，按季度调度进展", "，形成总结报告", "", "", ""]
_LEADS = ["市委党校", "市委组织部组织一处", "市委组织部电教中心", "市委宣传部", "市农业农村局", "市人社局",
          "市教育局", "团市委", "市总工会", "市委组织部干部教育处"]
_HELPS = ["市农业农村局", "市财政局", "各县（市、区）委组织部", "市委党校", "市文旅局", "市委网信办", "市档案馆",
          "市融媒体中心", "市直机关工委", "市民政局"]
_WHEN = ["2026年3月底前", "2026年6月底前", "2026年9月底前", "2026年12月底前", "长期坚持", "2027年1月前"]


def task_table(n_rows: int, seed: int, *, caption: str = "2026年党员教育培训工作任务分工表",
               long_cells: bool = False, merges: bool = False, groups: bool = False, place: str = "") -> TableSpec:
    """A 任务分工表 with distinct tasks: 序号 / 重点任务 / 牵头单位 / 配合单位 / 完成时限. A
    `place` ("清河县") starts every task, so tables of several files never share a task."""
    rng = random.Random(seed)
    tasks = [place + t for t in rng.sample(_TASKS, min(n_rows, len(_TASKS)))]
    while len(tasks) < n_rows:
        tasks.append(f"{place}{rng.choice(_TASKS)}（第{len(tasks) + 1}批）")
    rows = []
    for i, task in enumerate(tasks):
        detail = rng.choice(_DETAILS) if long_cells else ""
        helps = "、".join(rng.sample(_HELPS, 2 if long_cells and rng.random() < 0.5 else 1))
        rows.append([str(i + 1), task + detail, rng.choice(_LEADS), helps, rng.choice(_WHEN)])
    spec = TableSpec(caption, ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"], rows)
    if merges:
        # 牵头单位 shared by consecutive rows, as offices print it: one merged cell.
        r = 1
        while r + 2 <= n_rows - 1:
            span = 2 + (r % 2)
            span = min(span, n_rows - r)
            for k in range(span):
                rows[r + k][2] = rows[r][2]
            spec.merges.append((r, 2, span))
            r += span + 2
    if groups:
        spec.groups = [("责任单位", 2, 3)]
    return spec


def fee_table(seed: int, place: str = "") -> TableSpec:
    """A 经费标准 table: numbers and units, short cells."""
    rng = random.Random(seed)
    items = ["住宿费", "伙食费", "讲课费（副高级）", "讲课费（正高级）", "场地租金", "资料费", "交通费", "其他费用"]
    rows = [[str(i + 1), place + item, f"{rng.randrange(80, 900, 10)}元/人/天", rng.choice(["市级", "县级", "乡级"])]
            for i, item in enumerate(items)]
    return TableSpec(f"{place}培训经费开支标准", ["序号", "费用项目", "标准上限", "适用范围"], rows)


# --------------------------------------------------------------------------- PDF

BODY = 12.0


def _styles():  # noqa: ANN202 - reportlab styles
    from reportlab.lib.styles import ParagraphStyle

    font = _font()
    base = ParagraphStyle("body", fontName=font, fontSize=BODY, leading=BODY * 1.8, wordWrap="CJK",
                          firstLineIndent=2 * BODY)
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=30, alignment=1, firstLineIndent=0),
        "plain": ParagraphStyle("plain", parent=base, firstLineIndent=0),
        "body": base,
        "right": ParagraphStyle("right", parent=base, alignment=2, firstLineIndent=0, rightIndent=2 * BODY),
        "caption": ParagraphStyle("caption", parent=base, alignment=1, firstLineIndent=0, fontSize=14, leading=24),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=10.5, leading=14, wordWrap="CJK"),
    }


def _pdf_table(spec: TableSpec, ruled: bool, repeat_header: bool, three_line: bool = False,
               valign: str = "MIDDLE", draw_header: bool = True):  # noqa: ANN202 - platypus Table
    from reportlab.platypus import Paragraph, Table, TableStyle

    st = _styles()
    hidden = spec.hidden()
    header_rows: list[list[object]] = []
    style: list[tuple] = [("VALIGN", (0, 0), (-1, -1), valign), ("FONT", (0, 0), (-1, -1), _font(), 10.5)]
    if spec.groups:
        top: list[object] = list(spec.header)
        bottom: list[object] = [""] * len(spec.header)
        grouped = set()
        for label, a, b in spec.groups:
            top[a] = label
            for c in range(a + 1, b + 1):
                top[c] = ""
            for c in range(a, b + 1):
                bottom[c] = spec.header[c]
                grouped.add(c)
            style.append(("SPAN", (a, 0), (b, 0)))
        for c in range(len(spec.header)):
            if c not in grouped:
                style.append(("SPAN", (c, 0), (c, 1)))
        header_rows = [top, bottom]
    else:
        header_rows = [list(spec.header)] if draw_header else []
    nh = len(header_rows)
    body = [[Paragraph("" if (r, c) in hidden else v, st["cell"]) for c, v in enumerate(row)]
            for r, row in enumerate(spec.rows)]
    for r, c, span in spec.merges:
        style.append(("SPAN", (c, nh + r), (c, nh + r + span - 1)))
    if nh:
        style.append(("ALIGN", (0, 0), (-1, nh - 1), "CENTER"))
    if ruled:
        style.append(("GRID", (0, 0), (-1, -1), 0.6, "black"))
    elif three_line:
        # 三线表: a rule above the header, one under it and one under the last row only.
        style += [("LINEABOVE", (0, 0), (-1, 0), 1.2, "black"), ("LINEBELOW", (0, nh - 1), (-1, nh - 1), 0.6, "black"),
                  ("LINEBELOW", (0, -1), (-1, -1), 1.2, "black"), ("RIGHTPADDING", (0, 0), (-1, -1), 10)]
    else:
        # No rules at all between cells: the columns are known only by the white space.
        style += [("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 10)]
    width = PAGE_W - 2 * 72
    widths = [0.07, 0.35, 0.2, 0.22, 0.16][: len(spec.header)] if len(spec.header) == 5 else None
    col_widths = [w * width for w in widths] if widths else [width / len(spec.header)] * len(spec.header)
    return Table(header_rows + body, colWidths=col_widths, repeatRows=nh if repeat_header else 0,
                 style=TableStyle(style))


def make_table_pdf(path: str | Path, specs: list[TableSpec], *, ruled: bool = True, repeat_header: bool = True,
                   title: str = "关于印发2026年党员教育培训工作任务分工的通知",
                   to: str = "各县（市、区）委组织部，市直各单位党组织：", issuer: str = "中共某市委组织部",
                   date: str = "2026年2月10日", running_header: str | None = "某市党员教育工作文件",
                   page_numbers: bool = True, body_paragraphs: int = 1, three_line: bool = False,
                   valign: str = "MIDDLE", break_row: int | None = None) -> Path:
    """A 通知 with its tables, printed like office software prints it: title, 主送, body,
    each table under its caption, 落款 and date; a running header and "— n —" page
    numbers on every page. A table longer than the page runs on, its header repeated
    (`repeat_header`) or not."""
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    st = _styles()
    story: list[object] = [Paragraph(title, st["title"]), Spacer(1, 8), Paragraph(to, st["plain"])]
    for i in range(body_paragraphs):
        story.append(Paragraph(
            "为深入贯彻落实全国党员教育培训工作规划，扎实做好2026年全市党员教育培训工作，现将任务分工印发给你们，"
            "请结合实际认真抓好落实。" if i == 0 else "各牵头单位要加强统筹协调，配合单位要主动担当，确保各项任务按时完成。",
            st["body"]))
    for spec in specs:
        story += [Spacer(1, 10), Paragraph(spec.caption, st["caption"]), Spacer(1, 6)]
        if break_row is None:
            story.append(_pdf_table(spec, ruled and not three_line, repeat_header, three_line, valign))
            continue
        # Row `break_row` breaks across the page, as Word lets a row do: the first half of
        # its task on this page, the rest in an unnumbered row at the top of the next.
        k, task = break_row, spec.rows[break_row][1]
        cut = len(task) // 2
        head = TableSpec(spec.caption, spec.header, spec.rows[:k] + [[spec.rows[k][0], task[:cut], *spec.rows[k][2:]]])
        rest = TableSpec(spec.caption, spec.header,
                         [["", task[cut:]] + [""] * (len(spec.header) - 2)] + spec.rows[k + 1:])
        story += [_pdf_table(head, ruled, False, valign="TOP"), PageBreak(),
                  _pdf_table(rest, ruled, False, valign="TOP", draw_header=repeat_header)]
    story += [Spacer(1, 24), Paragraph(issuer, st["right"]), Paragraph(date, st["right"])]

    def furniture(canvas, doc) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(_font(), 10.5)
        if running_header:
            canvas.drawCentredString(PAGE_W / 2, PAGE_H - 45, running_header)
        if page_numbers:
            canvas.drawCentredString(PAGE_W / 2, 36, f"— {doc.page} —")
        canvas.restoreState()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=(PAGE_W, PAGE_H), leftMargin=72, rightMargin=72, topMargin=72,
                            bottomMargin=72, invariant=1)
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def make_two_column_pdf(path: str | Path, title: str, left: list[str], right: list[str]) -> Path:
    """One page with a title across the top and two text columns below (a 简报 layout)."""
    from reportlab.platypus import Frame, Paragraph

    from reportlab.pdfgen import canvas as pdfcanvas

    st = _styles()
    buf = io.BytesIO()
    c = pdfcanvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
    Frame(72, PAGE_H - 130, PAGE_W - 144, 60).addFromList([Paragraph(title, st["title"])], c)
    col_w = (PAGE_W - 144 - 24) / 2
    Frame(72, 72, col_w, PAGE_H - 210).addFromList([Paragraph(p, st["body"]) for p in left], c)
    Frame(72 + col_w + 24, 72, col_w, PAGE_H - 210).addFromList([Paragraph(p, st["body"]) for p in right], c)
    c.setFont(_font(), 10.5)
    c.drawCentredString(PAGE_W / 2, 36, "— 1 —")
    c.showPage()
    c.save()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


# --------------------------------------------------------------------------- DOCX


def make_table_docx(path: str | Path, specs: list[TableSpec], *, title: str = "关于印发2026年党员教育培训工作任务分工的通知",
                    intro: str = "现将任务分工印发给你们，请认真抓好落实。") -> Path:
    """A Word 通知 with tables whose merged cells are real Word merges (vMerge/gridSpan)."""
    import docx

    document = docx.Document()
    _set_east_asian_font(document.styles["Normal"], "仿宋_GB2312")
    document.add_heading(title, level=0)
    document.add_paragraph(intro)
    for spec in specs:
        document.add_paragraph(spec.caption)
        nh = 2 if spec.groups else 1
        ncols = len(spec.header)
        table = document.add_table(rows=nh + len(spec.rows), cols=ncols)
        table.style = document.styles["Table Grid"]
        if spec.groups:
            grouped = set()
            for label, a, b in spec.groups:
                merged = table.cell(0, a).merge(table.cell(0, b))
                merged.text = label
                for c in range(a, b + 1):
                    table.cell(1, c).text = spec.header[c]
                    grouped.add(c)
            for c in range(ncols):
                if c not in grouped:
                    merged = table.cell(0, c).merge(table.cell(1, c))
                    merged.text = spec.header[c]
        else:
            for c, name in enumerate(spec.header):
                table.cell(0, c).text = name
        hidden = spec.hidden()
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                if (r, c) not in hidden:
                    table.cell(nh + r, c).text = value
        for r, c, span in spec.merges:
            top = table.cell(nh + r, c)
            merged = top.merge(table.cell(nh + r + span - 1, c))
            merged.text = spec.rows[r][c]
    document.add_paragraph("中共某市委组织部")
    document.add_paragraph("2026年2月10日")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    _normalise_zip(path)
    return path


# --------------------------------------------------------------------------- HTML / Markdown


def table_html(spec: TableSpec, *, thead: bool = True) -> str:
    hidden = spec.hidden()
    spans = {(r, c): span for r, c, span in spec.merges}
    head = ""
    if spec.groups:
        grouped = {c: (label, a, b) for label, a, b in spec.groups for c in range(a, b + 1)}
        top, bottom = [], []
        for c, name in enumerate(spec.header):
            if c in grouped:
                label, a, b = grouped[c]
                if c == a:
                    top.append(f'<th colspan="{b - a + 1}">{label}</th>')
                bottom.append(f"<th>{name}</th>")
            else:
                top.append(f'<th rowspan="2">{name}</th>')
        head = f"<tr>{''.join(top)}</tr><tr>{''.join(bottom)}</tr>"
    else:
        head = "<tr>" + "".join(f"<th>{h}</th>" for h in spec.header) + "</tr>"
    body = []
    for r, row in enumerate(spec.rows):
        tds = []
        for c, v in enumerate(row):
            if (r, c) in hidden:
                continue
            span = spans.get((r, c))
            tds.append(f'<td rowspan="{span}">{v}</td>' if span else f"<td>{v}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    head_html = f"<thead>{head}</thead>" if thead else head
    return f"<p>{spec.caption}</p><table border=\"1\">{head_html}<tbody>{''.join(body)}</tbody></table>"


def make_table_html(path: str | Path, specs: list[TableSpec], *,
                    title: str = "关于印发2026年党员教育培训工作任务分工的通知") -> Path:
    tables = "\n".join(table_html(s) for s in specs)
    html = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<div class=\"article\"><h1>{title}</h1><p>各县（市、区）委组织部：</p>"
            f"<p>现将任务分工印发给你们，请结合实际认真抓好落实。</p>{tables}"
            f"<p>中共某市委组织部</p><p>2026年2月10日</p></div></body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def table_markdown(spec: TableSpec) -> str:
    lines = [f"**{spec.caption}**", "", "| " + " | ".join(spec.header) + " |",
             "|" + "|".join("---" for _ in spec.header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in spec.rows]
    return "\n".join(lines)


def make_table_markdown(path: str | Path, specs: list[TableSpec], *, title: str = "2026年党员教育培训工作任务分工") -> Path:
    text = f"# {title}\n\n现将任务分工印发给你们。\n\n" + "\n\n".join(table_markdown(s) for s in specs) + "\n"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
