"""Read a file into raw text (per page for PDFs), trusting content over the file name.

A file's real type is sniffed from its bytes (``%PDF``, a zip holding
``word/document.xml``, HTML tags, decodable text). When the name says otherwise but we
can read the content, we read it by its real type and say so in a warning; when we
cannot, the error says what the file really is. Each loader returns paragraphs
separated by blank lines (Word, HTML, Markdown) or the text as extracted (PDF pages,
plain text), and heading lines as ``# …`` where the format marks them (Word heading
styles, HTML ``<h1>``–``<h6>``, Markdown), so `ingest.structure` recognises them.
"""
from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from policykb.ingest.encoding import decode_report
from policykb.ingest.tables import (
    docx_table_blocks, html_table_text, is_data_table, markdown_tables, outside_data_table,
)
from policykb.ingest.types import IngestError
from policykb.text import cn_numeral

DEFAULT_MAX_BYTES = 50 * 2**20
# A .docx whose parts inflate beyond this is refused before any is read (a zip bomb).
MAX_UNZIPPED_BYTES = 256 * 2**20

# --------------------------------------------------------------------------- formats

# A reader: (bytes, the decoded text for text formats, path, OCR cache) → (pages, warnings).
Reader = Callable[[bytes, str, str | Path, str | None], tuple[list[str], list[str]]]


@dataclass(frozen=True)
class Format:
    """A kind of file the library reads. The one table of them (FORMATS) is what loading,
    the folder walk (which files are supported) and the upload check all go by."""

    key: str  # txt | md | pdf | docx | html | ofd | image
    name: str  # how messages name it: "内容实际是{name}"
    suffixes: tuple[str, ...]
    # What `sniff_format` says of a genuine file of this kind; empty: a text format, which
    # has no signature and is known by decoding.
    sniffed: frozenset[str]
    read: Reader
    paged: bool = False  # text comes page by page, so that passages and citations carry a page
    # How an upload's refusal names what its content should have been, when not `name`.
    upload_expects: str = ""


def _read_txt(data: bytes, text: str, path: str | Path, ocr_cache: str | None) -> tuple[list[str], list[str]]:
    return [text], []


def _read_md(data: bytes, text: str, path: str | Path, ocr_cache: str | None) -> tuple[list[str], list[str]]:
    return [strip_markdown(markdown_tables(text))], []


def _read_html(data: bytes, text: str, path: str | Path, ocr_cache: str | None) -> tuple[list[str], list[str]]:
    return [html_to_text(text)], []


def _read_docx(data: bytes, text: str, path: str | Path, ocr_cache: str | None) -> tuple[list[str], list[str]]:
    return [load_docx(data, path)], []


def _read_pdf(data: bytes, text: str, path: str | Path, ocr_cache: str | None) -> tuple[list[str], list[str]]:
    return load_pdf(data, path, ocr_cache=ocr_cache)


def _read_ofd(data: bytes, text: str, path: str | Path, ocr_cache: str | None) -> tuple[list[str], list[str]]:
    from policykb.ingest.ofd import load_ofd

    return load_ofd(data, path, ocr_cache=ocr_cache)


def _read_image(data: bytes, text: str, path: str | Path, ocr_cache: str | None) -> tuple[list[str], list[str]]:
    return load_image(data, path, ocr_cache=ocr_cache)


FORMATS: dict[str, Format] = {f.key: f for f in (
    Format("txt", "纯文本", (".txt", ".text"), frozenset(), _read_txt),
    Format("md", "Markdown", (".md", ".markdown"), frozenset(), _read_md),
    Format("pdf", "PDF", (".pdf",), frozenset({"pdf"}), _read_pdf, paged=True),
    Format("docx", "Word 文档", (".docx",), frozenset({"docx"}), _read_docx),
    Format("html", "网页", (".html", ".htm"), frozenset(), _read_html),
    Format("ofd", "OFD 文档", (".ofd",), frozenset({"ofd"}), _read_ofd, paged=True),
    # Scans and photos of pages, read by OCR (ingest.ocr).
    Format("image", "图片", (".png", ".jpg", ".jpeg", ".tif", ".tiff"), frozenset({"png", "jpeg", "tiff"}),
           _read_image, paged=True, upload_expects=" PNG、JPEG 或 TIFF 图片"),
)}
# The format a file name's suffix (lower case, with its dot) declares.
BY_SUFFIX: dict[str, Format] = {s: f for f in FORMATS.values() for s in f.suffixes}


@dataclass(frozen=True)
class LoadedFile:
    format: str  # txt | md | pdf | docx | html | ofd | image — the real type, not the suffix's
    pages: tuple[str, ...]  # PDF: one text per page; other formats: a single text
    warnings: tuple[str, ...] = ()

    @property
    def paged(self) -> bool:
        return FORMATS[self.format].paged


# --------------------------------------------------------------------------- sniffing


def sniff_format(data: bytes) -> str | None:
    """The type the bytes really have: pdf, docx, zip, ole (old .doc/.xls), or None
    (text or unknown binary; decoding decides)."""
    head = data[:1024]
    if head.lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return "docx_broken" if b"word/" in data[:4096] else "zip"
        # zipfile never inflates a member past its declared size, so the sum is a bound.
        if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
            return "zip_bomb"
        if any(i.filename.lstrip("/").lower() == "ofd.xml" for i in infos):
            return "ofd"
        return "docx" if any(i.filename == "word/document.xml" for i in infos) else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    return None


_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"),
                (b"GIF89a", "gif"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"))
IMAGE_NAMES = {"png": "PNG ", "jpeg": "JPEG ", "gif": "GIF ", "tiff": "TIFF "}


_HTML_STRONG = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html|<html[\s>])", re.I)
_HTML_WEAK = re.compile(r"<(?:html|head|body|div|p|meta|title|table|br)\b[^>]*>", re.I)


def _text_format(text: str, declared: str) -> str:
    if _HTML_STRONG.match(text[:2000]):
        return "html"
    if declared == "html":
        return "html" if _HTML_WEAK.search(text[:5000]) else "txt"
    return declared if declared in ("txt", "md") else "txt"


# --------------------------------------------------------------------------- entry


def load_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, ocr_cache: str | None = None) -> LoadedFile:
    """Read `path` (already known to exist and to have a supported suffix)."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise IngestError(
            path,
            f"文件过大（{size / 2**20:.1f} MB），超过上限 {max_bytes / 2**20:.1f} MB，请拆分后再导入",
            code="too_large",
        )
    try:
        data = path.read_bytes()
    except PermissionError:
        raise IngestError(path, "无法读取文件：没有读取权限", code="unreadable") from None
    except OSError as exc:
        raise IngestError(path, f"无法读取文件：{exc.strerror or exc}", code="unreadable") from None
    declared = BY_SUFFIX.get(path.suffix.lower(), FORMATS["txt"])
    return load_bytes(data, path, declared.key, ocr_cache=ocr_cache)


def load_bytes(data: bytes, path: str | Path, declared: str, *, ocr_cache: str | None = None) -> LoadedFile:
    """Load bytes whose file name suggests `declared`; content decides the real type.
    `ocr_cache` is the folder where recognised pages are kept (`ingest.ocr.OcrCache`)."""
    warnings: list[str] = []
    text = ""
    real = sniff_format(data)
    if real == "zip_bomb":
        raise IngestError(
            path, f"压缩内容解压后超过 {MAX_UNZIPPED_BYTES // 2**20} MB（疑似压缩炸弹），已拒绝", code="zip_bomb"
        )
    if real in IMAGE_NAMES:
        if declared not in ("image", "pdf"):
            # A picture under a text name is more likely a mistake than a scan to read.
            raise IngestError(
                path, f"这是{IMAGE_NAMES[real]}图片，不是文本文档；扫描件请以 .png/.jpg/.tif 扩展名导入，将自动识别文字",
                code="not_text",
            )
        if declared == "pdf":
            warnings.append(f"文件扩展名与内容不符：内容实际是{IMAGE_NAMES[real]}图片，已按图片识别文字")
        return _read(FORMATS["image"], data, text, path, warnings, ocr_cache)
    if real != "ofd":
        if declared == "ofd":
            raise IngestError(path, "OFD 文件已损坏（不是有效的 OFD 包：缺少 OFD.xml），无法读取", code="corrupt")
        if declared == "image":
            raise IngestError(path, "图片文件已损坏或不是可识别的图片格式（支持 PNG、JPEG、TIFF），无法读取", code="corrupt")
    if real in ("zip", "ole", "docx_broken"):
        if real == "docx_broken" or (declared == "docx" and real == "zip"):
            raise IngestError(path, "Word 文件已损坏或不是有效的 .docx 文件，无法读取", code="corrupt")
        if real == "ole":
            raise IngestError(
                path, "这是旧版 Office 文件（.doc/.xls/.wps），暂不支持，请另存为 .docx 后再导入", code="unsupported"
            )
        raise IngestError(path, "这是压缩包或其他 Office 文件，不是可导入的文档", code="unsupported")
    if real is None:
        if declared in ("pdf", "docx") and not data.strip():
            raise IngestError(path, "文件内容为空", code="empty")
        try:
            decoded = decode_report(data, path)
        except IngestError as exc:
            if exc.code == "not_text" and declared in ("pdf", "docx"):
                raise IngestError(
                    path, f"文件已损坏或不是有效的 {FORMATS[declared].name}文件，无法读取", code="corrupt"
                ) from None
            raise
        text, encoding = decoded.text, decoded.encoding
        real = _text_format(text, declared)
        if encoding not in ("utf-8", "utf-8-sig", "ascii"):
            warnings.append(f"文件编码为 {encoding}，已自动转换")
        if decoded.warning:
            warnings.append(decoded.warning)
    if real != declared and not (real == "txt" and declared == "md"):
        name = FORMATS[real].name
        warnings.append(f"文件扩展名与内容不符：内容实际是{name}，已按{name}读取")
    return _read(FORMATS[real], data, text, path, warnings, ocr_cache)


def _read(fmt: Format, data: bytes, text: str, path: str | Path, warnings: list[str],
          ocr_cache: str | None) -> LoadedFile:
    pages, more = fmt.read(data, text, path, ocr_cache)
    return LoadedFile(fmt.key, tuple(pages), (*warnings, *more))


# --------------------------------------------------------------------------- PDF

ENCRYPTED = "PDF 已加密，无法读取，请提供未加密的文件"
SCANNED = "PDF 中没有可提取的文字，文字识别（OCR）也未识别出文字（可能是空白页或图像过于模糊）"
CORRUPT_PDF = "PDF 文件已损坏，无法读取"


def load_pdf(data: bytes, path: str | Path, *, ocr_cache: str | None = None) -> tuple[list[str], list[str]]:
    """Extract each page's text; strip running headers, footers and page numbers. Pages
    without a text layer (a scan, or scanned pages in a typed document) are read by OCR."""
    import logging

    from pypdf import PdfReader

    warnings: list[str] = []
    # pypdf logs every oddity of a damaged file; the IngestError below says it once.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # owner-password-only PDFs open without one
            except Exception:  # noqa: BLE001 - e.g. AES without the cryptography package
                opened = 0
            if not opened:
                raise IngestError(path, ENCRYPTED, code="encrypted")
        raw_pages = list(reader.pages)
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many types for damaged files
        raise IngestError(path, CORRUPT_PDF, code="corrupt") from None
    if not raw_pages:
        raise IngestError(path, "PDF 中没有任何页面", code="corrupt")
    texts: list[str] = []
    failed: list[int] = []
    laid_out = _layout_pages(data, raw_pages)  # lines, blocks and tables (ingest.pdf_layout)
    for number, page in enumerate(raw_pages if laid_out is None else [], start=1):
        try:
            texts.append(page.extract_text() or "")
        except Exception:  # noqa: BLE001
            texts.append("")
            failed.append(number)
    texts = laid_out if laid_out is not None else texts
    if len(failed) == len(raw_pages):
        raise IngestError(path, CORRUPT_PDF, code="corrupt")
    if failed:
        warnings.append(f"第 {'、'.join(map(str, failed))} 页无法解析，已跳过")
    if laid_out is None:  # pdf_layout drops furniture by position, more safely than by edge lines
        texts = strip_page_furniture(texts)
    scanned = [i for i, t in enumerate(texts, start=1) if not re.search(r"\w", t) and i not in failed]
    if scanned:
        texts, ocr_notes = _ocr_pdf_pages(data, path, texts, scanned, ocr_cache)
        warnings += ocr_notes
    if not any(re.search(r"\w", t) for t in texts):
        raise IngestError(path, SCANNED, code="scanned")
    return texts, warnings


def _ocr_pdf_pages(data: bytes, path: str | Path, texts: list[str], numbers: list[int],
                   ocr_cache: str | None) -> tuple[list[str], list[str]]:
    """`texts` with the pages `numbers` (1-based, without a text layer) read by OCR."""
    from policykb.ingest import ocr

    if not ocr.available():
        raise IngestError(path, ocr.UNAVAILABLE, code="ocr_unavailable")
    try:
        sources = ocr.pdf_sources(data, numbers)
        read = dict(ocr.read_pages(ocr.OcrCache.key(data), sources, cache=ocr.OcrCache(ocr_cache)))
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - pdfium raises its own errors on pages it cannot draw
        raise IngestError(path, "PDF 中有无文字层的页面，但无法将其渲染为图像进行文字识别（OCR）",
                          code="scanned") from None
    out = list(texts)
    for number, page in read.items():
        out[number - 1] = page.text
    return out, ocr.ocr_warnings(read, len(texts))


def load_image(data: bytes, path: str | Path, *, ocr_cache: str | None = None) -> tuple[list[str], list[str]]:
    """A scan or photo (PNG, JPEG, TIFF with one page a frame) read by OCR."""
    from policykb.ingest import ocr

    if not ocr.available():
        raise IngestError(path, ocr.UNAVAILABLE, code="ocr_unavailable")
    try:
        sources = ocr.image_sources(data)
        read = dict(ocr.read_pages(ocr.OcrCache.key(data), sources, cache=ocr.OcrCache(ocr_cache)))
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - PIL raises many types for damaged images
        raise IngestError(path, "图片文件已损坏或无法解码，无法识别文字", code="corrupt") from None
    texts = [read[n].text for n in sorted(read)]
    if not any(re.search(r"\w", t) for t in texts):
        raise IngestError(path, "图片中没有识别出文字（可能不是文字页面，或图像过于模糊）", code="empty")
    notes = [w for w in ocr.ocr_warnings(read, len(texts)) if "已自动识别文字" not in w]
    return texts, notes


def _layout_pages(data: bytes, raw_pages: list) -> list[str] | None:
    """Page texts read from character positions; None (use pypdf's text) when that fails.
    A page of rotated text is pypdf's."""
    from policykb.ingest.pdf_layout import extract_pages

    try:
        texts = extract_pages(data)
        if len(texts) != len(raw_pages):
            return None
        return [t if t is not None else (page.extract_text() or "") for t, page in zip(texts, raw_pages)]
    except Exception:  # noqa: BLE001 - pdfminer (and pypdf) raise many types on odd files
        return None


_PAGE_NUMBER = re.compile(
    r"^(?:"
    r"[-—–－―~～·•\s]*\d{1,4}[-—–－―~～·•\s]*"  # 3, - 3 -, — 3 —
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第 3 页, 第3页 共10页
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/10
    r"|[Pp]age\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r")$"
)
_EDGE = 2  # headers/footers live in the first/last two lines of a page


def _edge_indexes(lines: list[str]) -> list[int]:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE] + filled[-_EDGE:]))


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def strip_page_furniture(pages: list[str]) -> list[str]:
    """Drop page-number lines and running headers/footers from the edges of pages.

    A running header is a line (digits ignored) found at the top or bottom of at least
    60% of the pages, and of two pages at least.
    """
    split = [page.split("\n") for page in pages]
    counts: dict[str, int] = {}
    for lines in split:
        for key in {_furniture_key(lines[i]) for i in _edge_indexes(lines)}:
            counts[key] = counts.get(key, 0) + 1
    # Short documents need the line on every page but (perhaps) the first, the 红头 page;
    # longer ones on 60% of pages. A line ending a sentence is body text, never a header:
    # two pages can easily end with the same "报送名单。".
    n = len(pages)
    threshold = max(2, n - 1) if n <= 4 else math.ceil(0.6 * n)
    repeated = {
        k for k, c in counts.items() if c >= threshold and k and k != "#" and not re.search(r"[。；，！？,;!?]$", k)
    } if n >= 2 else set()
    out = []
    for lines in split:
        drop = {
            i
            for i in _edge_indexes(lines)
            if _PAGE_NUMBER.match(lines[i].strip()) or _furniture_key(lines[i]) in repeated
        }
        out.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return out


# --------------------------------------------------------------------------- DOCX

CORRUPT_DOCX = "Word 文件已损坏或不是有效的 .docx 文件，无法读取"
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_TITLE_STYLES = {"title", "标题"}


def _format_number(n: int, fmt: str) -> str:
    if fmt.startswith("chinese") or fmt.startswith("ideograph") or fmt.startswith("taiwanese"):
        return cn_numeral(n)
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        out, rest = "", n
        for v, s in vals:
            while rest >= v:
                out, rest = out + s, rest - v
        return out.upper() if fmt == "upperRoman" else out
    if fmt == "none":
        return ""
    return str(n)


class _Numbering:
    """Renders Word list numbers ("一、", "（一）", "1.") that python-docx leaves out, so
    numbered paragraphs read like the printed document and headings are recognised."""

    def __init__(self, document) -> None:  # noqa: ANN001 - python-docx Document
        from docx.oxml.ns import qn

        self._qn = qn
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.num_to_abstract: dict[str, str] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (
                    fmt.get(qn("w:val"), "decimal") if fmt is not None else "decimal",
                    text.get(qn("w:val"), "") if text is not None else "",
                    int(start.get(qn("w:val"), "1")) if start is not None else 1,
                )
            self.levels[abstract.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self.num_to_abstract[num.get(qn("w:numId"), "")] = ref.get(qn("w:val"), "")

    def label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(self.num_to_abstract.get(num_id, ""), {})
        if ilvl not in levels or num_id == "0":
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        fmt, pattern, start = levels[ilvl]
        counters[ilvl] = start if counters[ilvl] == 0 else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        if fmt == "bullet":
            return "• "
        text = pattern
        for k in range(9):
            if f"%{k + 1}" in text:
                lf = levels.get(k, ("decimal", "", 1))[0]
                value = counters[k] if counters[k] else levels.get(k, ("", "", 1))[2]
                text = text.replace(f"%{k + 1}", _format_number(value, lf))
        return text

    def paragraph_numbering(self, paragraph) -> tuple[str, int] | None:  # noqa: ANN001
        qn = self._qn
        candidates = [paragraph._p.pPr]
        style = paragraph.style
        while style is not None:
            candidates.append(style.element.pPr)
            style = style.base_style
        for ppr in candidates:
            if ppr is None:
                continue
            num_pr = ppr.find(qn("w:numPr"))
            if num_pr is None:
                continue
            num_id = num_pr.find(qn("w:numId"))
            ilvl = num_pr.find(qn("w:ilvl"))
            if num_id is not None:
                return num_id.get(qn("w:val"), "0"), int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else 0
        return None


def _heading_level(paragraph) -> int | None:  # noqa: ANN001
    """0 for a title, 1–6 for headings (style name or outline level), None for body."""
    from docx.oxml.ns import qn

    style = paragraph.style
    pprs = [paragraph._p.pPr]
    while style is not None:
        name = (style.name or "").strip()
        if name.lower() in _TITLE_STYLES:
            return 0
        m = _HEADING_STYLE.match(name)
        if m:
            return max(1, int(m.group(1)))
        pprs.append(style.element.pPr)
        style = style.base_style
    for ppr in pprs:
        if ppr is not None:
            outline = ppr.find(qn("w:outlineLvl"))
            if outline is not None:
                level = int(outline.get(qn("w:val"), "9"))
                return level + 1 if level < 9 else None
    return None


def load_docx(data: bytes, path: str | Path) -> str:
    """Paragraphs and table rows in document order, headings as ``#`` lines."""
    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - zip, XML and package errors alike
        raise IngestError(path, CORRUPT_DOCX, code="corrupt") from None
    numbering = _Numbering(document)
    blocks: list[str] = []

    def add_paragraph(element) -> None:  # noqa: ANN001
        paragraph = Paragraph(element, document)
        text = paragraph.text.strip()
        if not text:
            return
        numbered = numbering.paragraph_numbering(paragraph)
        if numbered:
            text = numbering.label(*numbered) + text
        level = _heading_level(paragraph)
        if level:
            text = "#" * min(level, 6) + " " + text.replace("\n", " ")
        blocks.append(text)

    def walk(parent) -> None:  # noqa: ANN001
        for child in parent.iterchildren():
            if child.tag == qn("w:p"):
                add_paragraph(child)
            elif child.tag == qn("w:tbl"):
                blocks.extend(docx_table_blocks(child))  # one labelled line a row (ingest.tables)
            elif child.tag == qn("w:sdt"):  # content controls (tables of contents, forms)
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content)

    try:
        walk(document.element.body)
    except Exception:  # noqa: BLE001
        raise IngestError(path, CORRUPT_DOCX, code="corrupt") from None
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------- HTML

_DROP_TAGS = [
    "script", "style", "noscript", "template", "svg", "iframe", "form", "nav", "header",
    "footer", "aside", "button", "select", "input", "textarea", "link", "meta", "object",
]
_NOISE_ATTR = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|breadcrumbs?|crumbs?|sidebar|footer|header|share|comments?"
    r"|copyright|related|toolbar|banner|ads?|advert|position|location|topbar)(?:$|[-_\s\d])",
    re.I,
)
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "table", "tbody", "thead",
    "blockquote", "pre", "dl", "dd", "dt", "center", "figure", "figcaption", "address",
}


def _descendants(root) -> list:  # noqa: ANN001 - bs4 Tag
    """`root` and everything under it in document order, by an explicit stack: pages
    nest thousands of levels deep, far below Python's recursion limit."""
    from bs4 import Tag

    out: list = []
    stack = [root]
    while stack:
        el = stack.pop()
        out.append(el)
        if isinstance(el, Tag):
            stack.extend(reversed(el.contents))
    return out


def _text_lengths(root) -> dict[int, int]:  # noqa: ANN001
    """``len(el.get_text(strip=True))`` of every element under `root`, by id, in one pass:
    asking bs4 element by element walks a subtree each time, quadratic on deep pages."""
    from bs4 import CData, NavigableString, Tag

    lengths: dict[int, int] = {}
    for el in reversed(_descendants(root)):  # children before their parents
        if isinstance(el, Tag):
            lengths[id(el)] = sum(lengths.get(id(c), 0) for c in el.contents)
        elif type(el) in (NavigableString, CData):  # what get_text counts (no comments)
            lengths[id(el)] = len(el.strip())
    return lengths


def _pick_main(soup, lengths: dict[int, int]):  # noqa: ANN001, ANN202 - bs4 Tag
    """The element holding the article: <article>/<main> if substantial, else the
    element whose paragraphs carry the most text (a small readability heuristic)."""
    from bs4 import NavigableString, Tag

    body = soup.body or soup
    total = lengths.get(id(body), 0) or 1
    everything = _descendants(body)
    tags = [el for el in everything if isinstance(el, Tag)]
    for tag in ("article", "main"):
        found = [el for el in tags if el.name == tag and lengths.get(id(el), 0) > 0.3 * total]
        if found:
            return max(found, key=lambda el: lengths.get(id(el), 0))
    scores: dict[int, tuple[float, object]] = {}

    def credit(el, amount: float) -> None:  # noqa: ANN001
        if el is not None and getattr(el, "name", None) not in (None, "[document]"):
            old = scores.get(id(el), (0.0, el))[0]
            scores[id(el)] = (old + amount, el)

    for p in tags:
        if p.name in ("p", "td", "pre"):
            length = lengths.get(id(p), 0)
            if length >= 10:
                credit(p.parent, length)
                credit(p.parent.parent if p.parent else None, length / 2)
    for string in everything:
        if type(string) is NavigableString and string.parent and string.parent.name in ("div", "td", "section"):
            length = len(string.strip())
            if length >= 20:
                credit(string.parent, length)
    if not scores:
        return body
    best = max(scores.values(), key=lambda item: item[0])[1]
    if lengths.get(id(best), 0) < 0.2 * total:
        return body
    return best


def _prune(root, drop) -> None:  # noqa: ANN001
    """Remove every element under `root` for which `drop(el)` holds. Pre-order, so a
    removed element's inside is never visited (nor asked whether it was removed, which
    bs4 answers by searching the subtree)."""
    from bs4 import Tag

    stack = list(reversed([c for c in root.contents if isinstance(c, Tag)]))
    while stack:
        el = stack.pop()
        if drop(el):
            el.decompose()
            continue
        stack.extend(reversed([c for c in el.contents if isinstance(c, Tag)]))


def _noise(lengths: dict[int, int], total: int):  # noqa: ANN202
    """Navigation, share bars, footers… marked by class or id, unless they hold half the
    page's text."""
    def drop(el) -> bool:  # noqa: ANN001
        attrs = el.attrs or {}
        classes = attrs.get("class", []) or []
        marker = " ".join(classes if isinstance(classes, list) else [str(classes)]) + " " + str(attrs.get("id", ""))
        return bool(marker.strip() and _NOISE_ATTR.search(marker) and lengths.get(id(el), 0) < 0.5 * total)
    return drop


def html_to_text(html: str) -> str:
    """Main text of a web page: boilerplate dropped, blocks as paragraphs, <hN> as ``#``.
    Linear in the page's size at any nesting depth (no recursion)."""
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

    soup = BeautifulSoup(html, "lxml")
    h1 = soup.find("h1")
    title = h1.get_text(" ", strip=True) if h1 else (soup.title.get_text(" ", strip=True) if soup.title else "")
    published = _publication_line(soup)
    drop_tags = set(_DROP_TAGS)
    _prune(soup, lambda el: el.name in drop_tags)
    body = soup.body or soup
    lengths = _text_lengths(body)
    _prune(body, _noise(lengths, lengths.get(id(body), 0) or 1))
    main = outside_data_table(_pick_main(soup, _text_lengths(soup)))

    parts: list[str] = []
    BLOCK = "\n\n"
    # The walk: a stack of nodes still to visit and of literal text to emit once a
    # block's children are done (its closing paragraph break).
    stack: list = list(reversed(main.contents)) if isinstance(main, Tag) else []
    while stack:
        child = stack.pop()
        if isinstance(child, str) and not isinstance(child, NavigableString):
            parts.append(child)  # a closing break pushed below
            continue
        if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            parts.append(re.sub(r"\s+", " ", str(child)))
            continue
        name = child.name
        if name == "br":
            parts.append("\n")
        elif name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            parts += [BLOCK, "#" * int(name[1]) + " " + child.get_text(" ", strip=True), BLOCK]
        elif name == "table" and is_data_table(child):
            parts += [BLOCK, html_table_text(child), BLOCK]  # a data table: one labelled line a row
        elif name == "tr":
            cells = [c.get_text(" ", strip=True) for c in child.find_all(["td", "th"], recursive=False)]
            parts += [BLOCK, " | ".join(c for c in cells if c), BLOCK]
        elif name in _BLOCK_TAGS:
            parts.append(BLOCK)
            stack.append(BLOCK)
            stack.extend(reversed(child.contents))
        else:
            stack.extend(reversed(child.contents))
    text = "".join(parts)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if published and published not in text:
        # The page's date usually sits outside the article block; metadata reads this line.
        text = f"{published}\n\n{text}"
    if title and title not in text[: len(title) + 200]:
        text = f"# {title}\n\n{text}"
    return text


_PUBLISHED = re.compile(r"(?:发布时间|发布日期|时间|日期)[:：]\s*(\d{4}[-./年]\d{1,2}[-./月]\d{1,2}日?)")


def _publication_line(soup) -> str:  # noqa: ANN001
    """"发布时间：YYYY-MM-DD" from the page's byline or its publishdate meta tag, if any."""
    for name in ("publishdate", "PubDate", "pubdate", "article:published_time"):
        tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if tag and tag.get("content"):
            m = re.match(r"\d{4}-\d{1,2}-\d{1,2}", tag["content"].strip())
            if m:
                return f"发布时间：{m.group(0)}"
    m = _PUBLISHED.search(soup.get_text(" ", strip=True)[:5000])
    return f"发布时间：{m.group(1)}" if m else ""


# --------------------------------------------------------------------------- Markdown

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_CODE = re.compile(r"`([^`]*)`")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_MD_HEADING_LINE = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")


def _strip_inline(line: str) -> str:
    line = _MD_IMAGE.sub(r"\1", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPHASIS.sub(r"\2", line)
    line = _MD_CODE.sub(r"\1", line)
    line = re.sub(r"<br\s*/?>", " ", line, flags=re.I)
    return _HTML_TAG.sub("", line)


def strip_markdown(text: str) -> str:
    """Markdown made plain, lightly: headings stay ``# …`` lines, emphasis, links,
    images, code fences, rules and blockquote markers go; tables stay as ``|`` rows."""
    out: list[str] = []
    in_code = False
    text = _HTML_COMMENT.sub("", text.replace("\r\n", "\n"))
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            out.append(line)
            continue
        heading = _MD_HEADING_LINE.match(line)
        if heading and heading.group(2):
            out.append(f"{heading.group(1)} {_strip_inline(heading.group(2))}")
            continue
        if _MD_TABLE_RULE.match(line) and "-" in line and ("|" in line or line.count("-") >= 3):
            if "|" in line:
                continue
        if _MD_RULE.match(line):
            out.append("")
            continue
        line = re.sub(r"^\s{0,3}>\s?", "", line)
        line = re.sub(r"^(\s*)[*+]\s+", r"\1- ", line)
        out.append(_strip_inline(line))
    return "\n".join(out)
