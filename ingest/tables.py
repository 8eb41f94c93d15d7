"""Tables as data: a grid of cells (with row and column spans) → one labelled line a row.

Every loader that finds a table (PDF ruled or unruled, Word, HTML, Markdown) builds a
`Grid` and calls `render_table`. A body row becomes one line carrying its column headers:

    序号：2｜重点任务：开展村党组织书记轮训｜牵头单位：市委党校｜配合单位：市农业农村局｜完成时限：2026年9月底前

so that the row stands alone wherever it is cut, searched or quoted: keyword and vector
search see which column a value is in, and an answer can name it. A cell spanning rows
(a 牵头单位 shared by three tasks) is repeated in each row it covers: that is what a reader
of the printed table understands. Header rows under a header cell that spans columns give
labels like 「责任单位·牵头单位」.

The line format is the contract with `ingest.structure` (which keeps a table's rows
together and splits long tables only between rows) and with the answerer
(`policykb.answer.table_rows`), which read rows back with `parse_row`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from policykb.text import stop_chars

FIELD_SEP = "｜"  # U+FF5C: never used inside Chinese prose, so a row line is unmistakable
LABEL_SEP = "："
MAX_LABEL = 30  # a "header" longer than this is a sentence, not a column name

# A labelled row line: at least two "label：value" fields joined by ｜. A row with a
# single filled cell reads like prose ("附件：…") and is not recognised as a row.
_FIELD = rf"[^{FIELD_SEP}{LABEL_SEP}\n]{{1,{MAX_LABEL}}}{LABEL_SEP}[^{FIELD_SEP}\n]*"
ROW_LINE = re.compile(rf"^{_FIELD}(?:{FIELD_SEP}{_FIELD})+$")
# A row of a table without a header: cells joined by ｜ (at least two).
BARE_ROW_LINE = re.compile(rf"^[^{FIELD_SEP}\n]+(?:{FIELD_SEP}[^{FIELD_SEP}\n]+)+$")


@dataclass
class Cell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    header: bool | None = None  # True/False when the format says (<th>, Word's repeat-header row)


@dataclass
class Grid:
    """A table as cells placed on a grid; `n_rows` × `n_cols` positions."""

    cells: list[Cell]
    n_rows: int
    n_cols: int
    caption: str | None = None
    header_rows: int | None = None  # known from the format; None: guess
    labels: list[str] | None = field(default=None)  # carried from an earlier part of the table

    def positions(self) -> list[list[Cell | None]]:
        """Which cell covers each grid position."""
        out: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, min(cell.row + cell.rowspan, self.n_rows)):
                for c in range(cell.col, min(cell.col + cell.colspan, self.n_cols)):
                    if out[r][c] is None:
                        out[r][c] = cell
        return out


def cell_text(lines: list[str]) -> str:
    """A cell's wrapped lines joined: Chinese wraps need no space, Latin words do."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " "
        out += line
    # The separators are ours: a cell that contains them would break its row.
    return out.replace(FIELD_SEP, "|").replace("\n", " ")


_SENTENCE_PUNCT = re.compile(f"[{stop_chars(ascii=False)}]")


# Words that name columns. A first row without any, whose cells are as long as the body's,
# is data (a 名单 grid of names), not a header.
_HEADER_WORDS = re.compile(
    r"序号|编号|名称|姓名|性别|民族|职务|职称|单位|部门|时间|日期|时限|期限|地点|内容|项目|任务|措施|要求|标准|金额"
    r"|数量|备注|类别|类型|级别|分值|得分|指标|考核|责任|牵头|配合|范围|事项|情况|说明|依据|方式|对象|人数|学时|经费"
    r"|联系|电话|地址|进度|目标|成果|形式|年度|合计|费用|上限|下限|比例|主体|环节|流程|岗位|班次|课程|专题|负责"
)


def _header_like(row: list[Cell | None], body: list[list[Cell | None]]) -> bool:
    texts = [c.text for c in row if c is not None and c.text]
    if len(texts) < 2:
        return False
    if not all(len(t) <= MAX_LABEL and not _SENTENCE_PUNCT.search(t) and not re.fullmatch(r"[\d.,，%％\s]+", t)
               for t in texts):
        return False
    if any(_HEADER_WORDS.search(t) for t in texts):
        return True
    body_texts = [c.text for r in body for c in r if c is not None and c.text]
    if not body_texts:
        return False
    head_mean = sum(map(len, texts)) / len(texts)
    return sum(map(len, body_texts)) / len(body_texts) >= 1.5 * head_mean


def header_row_count(grid: Grid, pos: list[list[Cell | None]]) -> int:
    """How many top rows are the header: the format's word if any, else the first row
    when it reads like column names, extended by the rows its cells span down into (a
    two-level header: 「责任单位」 over 「牵头单位｜配合单位」)."""
    if grid.header_rows is not None:
        return grid.header_rows
    flagged = 0
    while flagged < grid.n_rows and any(c is not None and c.header for c in pos[flagged]) and all(
        c is None or c.header is not False for c in pos[flagged]
    ):
        flagged += 1
    if flagged and flagged < grid.n_rows:
        return flagged
    if grid.n_rows < 2 or not _header_like(pos[0], pos[1:]):
        return 0
    depth = max((c.rowspan for c in pos[0] if c is not None and c.row == 0), default=1)
    return depth if depth < grid.n_rows else 1


def column_labels(pos: list[list[Cell | None]], n_header: int, n_cols: int) -> list[str]:
    labels = []
    for c in range(n_cols):
        parts: list[str] = []
        for r in range(n_header):
            cell = pos[r][c]
            text = cell.text.strip() if cell is not None else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        labels.append("·".join(parts))
    return labels


def body_rows(grid: Grid) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """Column labels and, per body row, its (label, value) pairs in column order. A cell
    spanning columns is said once, under its first column's label."""
    pos = grid.positions()
    n_header = header_row_count(grid, pos)
    labels = column_labels(pos, n_header, grid.n_cols) if n_header else list(grid.labels or [])
    if len(labels) < grid.n_cols:
        labels += [""] * (grid.n_cols - len(labels))
    rows: list[list[tuple[str, str]]] = []
    for r in range(n_header, grid.n_rows):
        pairs: list[tuple[str, str]] = []
        seen: set[int] = set()
        for c in range(grid.n_cols):
            cell = pos[r][c]
            if cell is None or id(cell) in seen:
                continue
            seen.add(id(cell))
            if cell.text.strip():
                pairs.append((labels[c], cell.text.strip()))
        if pairs:
            rows.append(pairs)
    return labels, rows


def format_row(pairs: list[tuple[str, str]]) -> str:
    """「label：value｜label：value」; values without a label are joined bare."""
    if all(label for label, _ in pairs) and len(pairs) >= 2:
        return FIELD_SEP.join(f"{_clean_label(label)}{LABEL_SEP}{value}" for label, value in pairs)
    return FIELD_SEP.join(value if not label else f"{_clean_label(label)}{LABEL_SEP}{value}" for label, value in pairs)


def _clean_label(label: str) -> str:
    label = label.replace(LABEL_SEP, "").replace(":", "").replace(FIELD_SEP, "").strip()
    return label[:MAX_LABEL]


def render_table(grid: Grid) -> list[str]:
    """One line per body row (see the module doc); the caption is not included."""
    _, rows = body_rows(grid)
    return [format_row(pairs) for pairs in rows]


def parse_row(line: str) -> list[tuple[str, str]] | None:
    """A labelled row line back into (label, value) pairs; None for any other line."""
    line = line.strip()
    if not ROW_LINE.match(line):
        return None
    out = []
    for part in line.split(FIELD_SEP):
        label, _, value = part.partition(LABEL_SEP)
        out.append((label, value))
    return out


def is_row_line(line: str) -> bool:
    """True for a line written by `render_table` (labelled, or bare cells joined by ｜)."""
    line = line.strip()
    return bool(ROW_LINE.match(line) or (FIELD_SEP in line and BARE_ROW_LINE.match(line)))


def grid_from_rows(rows: list[list[str]], *, header_rows: int | None = None, caption: str | None = None) -> Grid:
    """A grid from plain rows of cell texts (Markdown, simple tables): no spans."""
    n_cols = max((len(r) for r in rows), default=0)
    cells = [Cell(text, r, c) for r, row in enumerate(rows) for c, text in enumerate(row)]
    return Grid(cells, len(rows), n_cols, caption=caption, header_rows=header_rows)


# --------------------------------------------------------------------------- Word


def grid_from_docx(tbl) -> Grid:  # noqa: ANN001 - a w:tbl lxml element
    """A Word table with its merges: ``w:gridSpan`` spans columns, ``w:vMerge`` rows
    (the first cell says "restart", the cells below continue it); rows marked
    ``w:tblHeader`` (repeat as header row on each page) are the header."""
    from docx.oxml.ns import qn

    cells: list[Cell] = []
    open_cells: dict[int, Cell] = {}  # column → the cell a vMerge continues
    header_flags: list[bool] = []
    n_cols = 0
    r = -1
    for tr in tbl.iterchildren(qn("w:tr")):
        r += 1
        trpr = tr.find(qn("w:trPr"))
        header_flags.append(trpr is not None and trpr.find(qn("w:tblHeader")) is not None)
        c = 0
        grid_before = trpr.find(qn("w:gridBefore")) if trpr is not None else None
        if grid_before is not None:
            c += int(grid_before.get(qn("w:val"), "0"))
        for tc in tr.iterchildren(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            span, vmerge = 1, None
            if tcpr is not None:
                gs = tcpr.find(qn("w:gridSpan"))
                if gs is not None:
                    span = int(gs.get(qn("w:val"), "1"))
                vm = tcpr.find(qn("w:vMerge"))
                if vm is not None:
                    vmerge = vm.get(qn("w:val"), "continue")
            if vmerge == "continue" and c in open_cells:
                open_cells[c].rowspan += 1
            else:
                paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))]
                cell = Cell(cell_text(paragraphs), r, c, 1, span)
                cells.append(cell)
                for k in range(c, c + span):
                    open_cells[k] = cell
            c += span
        n_cols = max(n_cols, c)
    n_rows = r + 1
    flagged = 0
    while flagged < n_rows and header_flags[flagged]:
        flagged += 1
    grid = Grid(cells, n_rows, n_cols, header_rows=flagged if 0 < flagged < n_rows else None)
    return grid


# --------------------------------------------------------------------------- HTML


def grid_from_html(table) -> Grid:  # noqa: ANN001 - a bs4 Tag
    """An HTML table with rowspan/colspan; <th> cells mark the header."""
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("table") is not table:  # a nested table's rows are its own
            continue
        rows.append(tr)
    cells: list[Cell] = []
    taken: set[tuple[int, int]] = set()
    n_cols = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in taken:
                c += 1
            rowspan = _span(td.get("rowspan"))
            colspan = _span(td.get("colspan"))
            text = cell_text(td.get_text("\n", strip=True).split("\n"))
            in_head = td.name == "th" or td.find_parent("thead") is not None
            cells.append(Cell(text, r, c, rowspan, colspan, header=in_head))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            c += colspan
        n_cols = max(n_cols, c)
    n_rows = max([len(rows)] + [r + 1 for r, _ in taken])
    return Grid(cells, n_rows, n_cols)


def _span(value: object) -> int:
    try:
        return max(1, min(int(str(value).strip()), 100))
    except (TypeError, ValueError):
        return 1


def is_data_table(table) -> bool:  # noqa: ANN001 - a bs4 Tag
    """A table that holds data rather than a page's layout: no nested tables, at least
    two rows and two columns, cells of modest length."""
    if table.find("table") is not None:
        return False
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    if len(rows) < 2:
        return False
    widths = [len(tr.find_all(["td", "th"], recursive=False)) for tr in rows]
    if max(widths) < 2:
        return False
    texts = [td.get_text(strip=True) for tr in rows for td in tr.find_all(["td", "th"], recursive=False)]
    return bool(texts) and max(len(t) for t in texts) <= 600


# --------------------------------------------------------------------------- Markdown

_MD_ROW = re.compile(r"^\s*\|.*\|\s*$")
_MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _md_cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in re.split(r"(?<!\\)\|", line)]


def markdown_tables(text: str) -> str:
    """Markdown pipe tables (a header row, a ``|---|`` rule, rows) rewritten as labelled
    row lines, each its own paragraph; everything else is left as it is."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if (
            i + 1 < len(lines)
            and "|" in lines[i]
            and _MD_RULE.match(lines[i + 1])
            and "|" in lines[i + 1]
        ):
            header = _md_cells(lines[i])
            j = i + 2
            body: list[list[str]] = []
            while j < len(lines) and "|" in lines[j] and lines[j].strip():
                body.append(_md_cells(lines[j]))
                j += 1
            grid = grid_from_rows([header] + body, header_rows=1)
            out.append("")
            for row in render_table(grid):
                out += [row, ""]
            i = j
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


# --------------------------------------------------------------------------- loader hooks


def docx_table_blocks(tbl) -> list[str]:  # noqa: ANN001 - a w:tbl lxml element
    """A Word table as paragraphs: one labelled line per row. A one-column table is a
    box around text (a note, a 附件 frame), so its cells stay plain paragraphs."""
    grid = grid_from_docx(tbl)
    if grid.n_cols <= 1:
        return [c.text for c in sorted(grid.cells, key=lambda c: c.row) if c.text.strip()]
    return render_table(grid)


def html_table_text(table) -> str:  # noqa: ANN001 - a bs4 Tag
    """A data table of a web page as paragraphs: its <caption>, then one line per row."""
    caption = table.find("caption")
    title = caption.get_text(" ", strip=True) if caption else ""
    lines = render_table(grid_from_html(table))
    return "\n\n".join(([title] if title else []) + lines)


def outside_data_table(el):  # noqa: ANN001, ANN201 - bs4 Tag
    """The article block picked by text density can be a data table's body (its cells
    hold the most text); the article is then the element around the table."""
    table = el if getattr(el, "name", None) == "table" else el.find_parent("table")
    while table is not None and is_data_table(table):
        el = table.parent
        table = el.find_parent("table") if el is not None else None
    return el
