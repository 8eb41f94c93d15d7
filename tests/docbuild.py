"""Builders of real files (PDF, DOCX, GB18030 text) for tests and for the demo corpus.

Why this exists: ingestion bugs live in the details of real file formats — how pypdf
breaks wrapped lines, running headers and page numbers repeated on every page, Word's
built-in Heading styles, GB18030 bytes from an intranet. Mocks hide all of that, so the
tests build genuine files with the same libraries a user's office tools would produce
and read them back with the same readers ingestion uses.

Chinese in PDFs uses reportlab's built-in CID font ``STSong-Light``: it needs no font
file (works offline, no apt package) and pypdf extracts the exact Unicode text back,
because reportlab writes a ToUnicode-compatible ``UniGB-UCS2-H`` encoding. The font is
referenced, not embedded, so the files stay a few KB; viewers substitute a Song face.

PDF page markup (one paragraph per line of a page string; a markup prefix is stripped):

* ``<t>`` title: larger, centred.  ``<c>`` centred.  ``<r>`` right-aligned (落款, 日期).
* ``<n>`` body paragraph without the two-character first-line indent (主送机关, or the
  continuation of a paragraph broken across pages).
* no prefix: body paragraph, first line indented by two characters (公文 style).
* an empty line: a half-line vertical gap.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

# --------------------------------------------------------------------------- PDF layout

PDF_FONT = "STSong-Light"
PAGE_W, PAGE_H = 595.27, 841.89  # A4 in points
MARGIN_L, MARGIN_R = 79.0, 74.0  # ≈ 公文 版心: 28 mm left, 26 mm right
MARGIN_TOP, MARGIN_BOTTOM = 100.0, 90.0
BODY_SIZE, BODY_LEADING = 15.0, 27.0
TITLE_SIZE, TITLE_LEADING = 20.0, 34.0
HEADER_SIZE, FOOTER_SIZE = 12.0, 12.0
TEXT_W = PAGE_W - MARGIN_L - MARGIN_R

# Characters that must not start a line (避头点): keep them on the previous line.
_NO_LINE_START = set("，。、；：？！）》」』”’〕】,.;:?!)")
# Characters that must not end a line (避尾点): carry them to the next line.
_NO_LINE_END = set("（《「『“‘〔【(")

_MARKUPS = ("<t>", "<c>", "<r>", "<n>")


def _font() -> str:
    """Register the CID font once (idempotent) and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    return PDF_FONT


def _split_markup(line: str) -> tuple[str, str]:
    for m in _MARKUPS:
        if line.startswith(m):
            return m, line[len(m):]
    return "", line


def _wrap(text: str, width: float, size: float, first_indent: float) -> list[str]:
    """Break `text` into lines that fit `width`, character by character (Chinese has no
    spaces to break on), never starting a line with closing punctuation nor ending one
    with opening punctuation, as Chinese typesetting requires."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = _font()
    lines: list[str] = []
    cur = ""
    avail = width - first_indent
    for ch in text:
        if cur and stringWidth(cur + ch, font, size) > avail and ch not in _NO_LINE_START:
            carry = ""
            while cur and cur[-1] in _NO_LINE_END and len(cur) > 1:
                carry, cur = cur[-1] + carry, cur[:-1]
            lines.append(cur)
            cur = carry
            avail = width
        cur += ch
    if cur or not lines:
        lines.append(cur)
    return lines


def _line_specs(page: str) -> list[tuple[str, list[str]]]:
    """Turn one page string into (markup, wrapped lines) per paragraph."""
    specs: list[tuple[str, list[str]]] = []
    for raw in page.split("\n"):
        mark, text = _split_markup(raw)
        if not text.strip() and not mark:
            specs.append(("gap", []))
            continue
        size = TITLE_SIZE if mark == "<t>" else BODY_SIZE
        indent = 2 * BODY_SIZE if mark == "" else 0.0
        specs.append((mark, _wrap(text, TEXT_W, size, indent)))
    return specs


def _para_height(mark: str, lines: list[str]) -> float:
    if mark == "gap":
        return BODY_LEADING / 2
    return len(lines) * (TITLE_LEADING if mark == "<t>" else BODY_LEADING)


_BODY_TOP = PAGE_H - MARGIN_TOP
_BODY_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM


def layout_pages(text: str) -> list[str]:
    """Flow a long text (paragraphs separated by newlines, markup allowed) onto as many
    pages as it needs, splitting a paragraph across a page break like a word processor.
    The result feeds `make_pdf`, and tells a test exactly what is on each page."""
    pages: list[list[str]] = [[]]
    used = 0.0
    for raw in text.split("\n"):
        mark, body = _split_markup(raw)
        if not body.strip() and not mark:
            if pages[-1]:  # no gap at the top of a page
                pages[-1].append("")
                used += BODY_LEADING / 2
            continue
        (m, lines), = _line_specs(raw)
        leading = TITLE_LEADING if m == "<t>" else BODY_LEADING
        need = len(lines) * leading
        if used + need <= _BODY_H:
            pages[-1].append(raw)
            used += need
            continue
        fit = int((_BODY_H - used) // leading)
        if fit <= 0 or m in ("<t>", "<c>", "<r>"):
            pages.append([raw])
            used = need
            continue
        head = "".join(lines[:fit])
        tail = body[len(head):]
        pages[-1].append(mark + head)
        pages.append([])
        used = 0.0
        # The continuation may itself be longer than a page; loop by re-feeding it.
        rest = "<n>" + tail
        while True:
            (_, tl), = _line_specs(rest)
            if len(tl) * BODY_LEADING <= _BODY_H:
                pages[-1].append(rest)
                used = len(tl) * BODY_LEADING
                break
            per_page = int(_BODY_H // BODY_LEADING)
            chunk = "".join(tl[:per_page])
            pages[-1].append("<n>" + chunk)
            pages.append([])
            rest = "<n>" + rest[3 + len(chunk):]
    while pages and not pages[-1]:
        pages.pop()
    return ["\n".join(p).rstrip("\n") for p in pages] or [""]


def page_plain_text(page: str) -> str:
    """The text of a page string without markup: what a reader should see on it."""
    return "\n".join(_split_markup(line)[1] for line in page.split("\n"))


def _draw_page(c, page: str, number: int, header: str | None, footer: bool) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = _font()
    if header:
        c.setFont(font, HEADER_SIZE)
        c.drawCentredString(PAGE_W / 2, PAGE_H - 60, header)
        c.setLineWidth(0.8)
        c.line(MARGIN_L, PAGE_H - 70, PAGE_W - MARGIN_R, PAGE_H - 70)
    specs = _line_specs(page)
    total = sum(_para_height(m, ls) for m, ls in specs)
    if total > _BODY_H + 0.01:
        raise ValueError(
            f"page {number} does not fit ({total:.0f}pt > {_BODY_H:.0f}pt); "
            "split it, or use layout_pages()"
        )
    y = _BODY_TOP
    for mark, lines in specs:
        if mark == "gap":
            y -= BODY_LEADING / 2
            continue
        size = TITLE_SIZE if mark == "<t>" else BODY_SIZE
        leading = TITLE_LEADING if mark == "<t>" else BODY_LEADING
        c.setFont(font, size)
        for i, line in enumerate(lines):
            y -= leading
            if mark in ("<t>", "<c>"):
                c.drawCentredString(PAGE_W / 2, y, line)
            elif mark == "<r>":
                c.drawString(PAGE_W - MARGIN_R - 2 * BODY_SIZE - stringWidth(line, font, size), y, line)
            else:
                x = MARGIN_L + (2 * BODY_SIZE if mark == "" and i == 0 else 0)
                c.drawString(x, y, line)
    if footer:
        c.setFont(font, FOOTER_SIZE)
        c.drawCentredString(PAGE_W / 2, 50, f"— {number} —")


def _pdf_bytes(pages: list[str], header: str | None, footer: bool, title: str | None) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    # invariant=1 drops timestamps and random ids, so rebuilding gives identical bytes
    # (a committed demo corpus must not change on every rebuild).
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
    if title:
        c.setTitle(title)
    for n, page in enumerate(pages, start=1):
        _draw_page(c, page, n, header, footer)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_pdf(
    path: str | Path,
    pages: list[str],
    *,
    header: str | None = None,
    footer_page_numbers: bool = True,
    title: str | None = None,
) -> Path:
    """Write a real multi-page PDF with a Chinese text layer, one string per page.

    Long paragraphs wrap inside the page, so extracted text has the line breaks a real
    PDF has. `header` repeats on every page (e.g. "江北省委组织部文件") and the footer is
    "— n —", the noise ingestion must strip. A page that overflows raises ValueError
    rather than silently losing text; use `layout_pages` to flow long text.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_pdf_bytes(pages, header, footer_page_numbers, title))
    return path


def make_encrypted_pdf(path: str | Path, text: str, password: str = "secret") -> Path:
    """A PDF that needs a user password to open (RC4-128: pypdf decrypts it without the
    optional `cryptography` package), so ingestion must report it, not crash or index
    nothing silently."""
    from pypdf import PdfReader, PdfWriter

    plain = _pdf_bytes(layout_pages(text), None, True, None)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_scanned_pdf(path: str | Path, pages: int = 1) -> Path:
    """A PDF whose pages hold only an image (a scan), no text layer: extraction yields
    nothing and ingestion should say the file needs OCR."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (620, 877), 255)  # ~75 dpi A4, enough to look like a page
    draw = ImageDraw.Draw(img)
    draw.rectangle((180, 60, 440, 90), fill=40)  # 红头 block
    draw.line((60, 110, 560, 110), fill=0, width=2)
    for row in range(24):  # grey bars where lines of characters would be
        y = 150 + row * 28
        x0 = 100 if row % 6 == 0 else 60
        x1 = 560 if row % 6 != 5 else 300
        draw.rectangle((x0, y, x1, y + 14), fill=90)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(PAGE_W, PAGE_H), invariant=1)
    for _ in range(pages):
        c.drawImage(ImageReader(img), 0, 0, width=PAGE_W, height=PAGE_H)
        c.showPage()
    c.save()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def make_corrupt_pdf(path: str | Path) -> Path:
    """Starts like a PDF (so a sniffing loader picks the PDF reader) but is garbage:
    the reader must fail and ingestion must say which file and why."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    junk = bytes((i * 37 + 11) % 256 for i in range(2048))
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R" + junk)
    return path


# --------------------------------------------------------------------------- DOCX

DOCX_STYLES = {"title", "h1", "h2", "h3", "p", "center", "right", "table"}


def _set_east_asian_font(style, name: str) -> None:
    """python-docx sets only the Latin font; Chinese text needs w:eastAsia as well."""
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _parse_table(spec: str) -> list[list[str]]:
    """Rows separated by newlines (or ';;'), cells by '|' if present, else by ','.
    Chinese commas (，) never split a cell."""
    rows = [r for r in spec.replace(";;", "\n").split("\n") if r.strip()]
    sep = "|" if any("|" in r for r in rows) else ","
    return [[cell.strip() for cell in r.split(sep)] for r in rows]


def make_docx(path: str | Path, blocks: list[tuple[str, str]], *, core_title: str | None = None) -> Path:
    """Write a Word document from (style, text) blocks, using Word's built-in styles so
    ingestion can rely on them the way it will on users' files.

    Styles: "title" → Title; "h1"/"h2"/"h3" → Heading 1/2/3; "p" → Normal; "center" /
    "right" → Normal, aligned (落款, 日期); tables either as ("table", "a|b\\nc|d") or as
    ("table:a|b;;c|d", caption) where a non-empty caption becomes a paragraph before it.
    """
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    _set_east_asian_font(normal, "仿宋_GB2312")
    for sname in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _set_east_asian_font(document.styles[sname], "黑体")
    if core_title:
        document.core_properties.title = core_title

    for style, text in blocks:
        kind, _, inline = style.partition(":")
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind in ("h1", "h2", "h3"):
            document.add_heading(text, level=int(kind[1]))
        elif kind == "p":
            document.add_paragraph(text)
        elif kind in ("center", "right"):
            para = document.add_paragraph(text)
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER if kind == "center" else WD_ALIGN_PARAGRAPH.RIGHT
        elif kind == "table":
            spec = inline if inline else text
            if inline and text:
                document.add_paragraph(text)
            rows = _parse_table(spec)
            ncols = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=ncols)
            table.style = document.styles["Table Grid"]
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
        else:
            raise ValueError(f"unknown block style {style!r}; use one of {sorted(DOCX_STYLES)}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    _normalise_zip(path)
    return path


def _normalise_zip(path: Path) -> None:
    """Rewrite the .docx zip with fixed timestamps and without the template's creation
    date, so rebuilding the committed corpus gives byte-identical files."""
    import re

    with zipfile.ZipFile(path) as zin:
        items = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in items:
            if name == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    rb"\g<1>2026-01-01T00:00:00Z\g<3>",
                    data,
                )
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())


def make_corrupt_docx(path: str | Path) -> Path:
    """A .docx cut off half-way (an interrupted copy): the zip directory is missing, so
    python-docx cannot open it and ingestion must report the file."""
    path = Path(path)
    make_docx(path, [("title", "损坏的文件"), ("p", "这份文件在复制时被截断。" * 20)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


# --------------------------------------------------------------------------- plain text


def make_gb18030_txt(path: str | Path, text: str, *, newline: str = "\n") -> Path:
    """A text file in GB18030, as intranet machines (Windows, Chinese locale) save them;
    pass newline="\\r\\n" for the Notepad flavour. Encoding detection must not assume
    UTF-8."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\r\n", "\n").replace("\n", newline).encode("gb18030"))
    return path


__all__ = [
    "layout_pages",
    "page_plain_text",
    "make_pdf",
    "make_encrypted_pdf",
    "make_scanned_pdf",
    "make_corrupt_pdf",
    "make_docx",
    "make_corrupt_docx",
    "make_gb18030_txt",
]
