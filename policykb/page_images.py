"""The page of a stored original as an image, to show beside its recognised text.

A reader checking a citation of a scanned page wants to see the scan: OCR can misread a
digit of a 文号 or a name. The original file stays where it was ingested from (or in the
uploads folder); pages are rendered from it on request, one at a time, never stored.
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from policykb.ingest.types import IngestError

MAX_WIDTH = 1400  # enough to read a small character, small enough to send quickly
PDF_DPI = 144


def _data(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        raise IngestError(path, "原文件已不在原位置，无法显示页面图像", code="source_missing") from None


@lru_cache(maxsize=64)
def _scanned(path: str, fmt: str, mtime: float) -> tuple[int, ...]:
    from policykb.ingest import ocr

    data = _data(path)
    if fmt == "image":
        return tuple(range(1, ocr.image_frame_count(data) + 1))
    if fmt == "pdf":
        return tuple(ocr.pdf_pages_without_text(data))
    if fmt == "ofd":
        from policykb.ingest.ofd import read_ofd

        pages, _ = read_ofd(data, path)
        return tuple(p.number for p in pages if not p.chars and p.images)
    return ()


def scanned_pages(path: str | Path, fmt: str) -> list[int]:
    """The pages of a stored original whose text was read by OCR (they have an image to
    show); [] when the file is gone or unreadable."""
    try:
        return list(_scanned(str(path), fmt, Path(path).stat().st_mtime))
    except Exception:  # noqa: BLE001 - a missing or changed file just shows no image
        return []


def page_png(path: str | Path, fmt: str, page: int) -> bytes:
    """Page `page` (1-based) of the original as PNG. IngestError (code "no_image") when
    the format or the page has no image to show."""
    from PIL import Image

    from policykb.ingest import ocr

    data = _data(path)
    if fmt == "pdf":
        if not 1 <= page <= ocr.pdf_page_count(data):
            raise IngestError(path, f"文档没有第 {page} 页", code="no_image")
        image = ocr.render_pdf_page(data, page, PDF_DPI)
    elif fmt == "image":
        if not 1 <= page <= ocr.image_frame_count(data):
            raise IngestError(path, f"文档没有第 {page} 页", code="no_image")
        image = ocr.render_image_frame(data, page)
    elif fmt == "ofd":
        from policykb.ingest.ofd import read_ofd

        pages, pkg = read_ofd(data, path)
        if not 1 <= page <= len(pages) or not pages[page - 1].images or pages[page - 1].chars:
            raise IngestError(path, f"第 {page} 页不是扫描图像，没有可显示的页面图像", code="no_image")
        image = Image.open(io.BytesIO(pkg.read(pages[page - 1].images[0])))
    else:
        raise IngestError(path, "此类文档没有页面图像", code="no_image")
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)))
    out = io.BytesIO()
    image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode).save(out, "PNG", optimize=False)
    return out.getvalue()
