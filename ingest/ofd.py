"""OFD (GB/T 33190-2016), the national fixed-layout format many 公文 are issued in.

An OFD is a zip of XML: ``OFD.xml`` names each document's ``Document.xml`` (DocRoot),
which lists its pages (``Pages/Page/@BaseLoc``), templates and resource files. A page's
``Content.xml`` holds layers of ``TextObject``s: a ``Boundary`` ("x y w h" in mm on the
page), a font ``Size``, an optional ``CTM`` and ``TextCode`` runs whose ``X``/``Y`` (the
baseline) place the first character and whose ``DeltaX`` ("g N d" repeats d N times)
spaces the rest. We read that XML with the standard library, turn every character into
a positioned character as pdfplumber gives for PDFs, and lay pages out with
`ingest.pdf_layout`: the same lines, columns, blocks and furniture rules as for PDFs.
A page with no text but an ``ImageObject`` (a scanned page wrapped in OFD) is read by OCR.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from policykb.ingest.types import IngestError

if TYPE_CHECKING:
    from PIL import Image

MM_TO_PT = 72 / 25.4  # pdf_layout's thresholds are tuned in points
A4 = (210.0, 297.0)


@dataclass
class OfdPage:
    number: int  # 1-based
    width: float  # points
    height: float
    chars: list[dict] = field(default_factory=list)  # pdfplumber-like characters, in points
    images: list[str] = field(default_factory=list)  # zip members of its images, largest first


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if _local(c.tag) == name]


def _find(el: ET.Element, *names: str) -> ET.Element | None:
    cur: ET.Element | None = el
    for name in names:
        if cur is None:
            return None
        found = _children(cur, name)
        cur = found[0] if found else None
    return cur


def _iter(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el.iter() if _local(c.tag) == name]


def _floats(value: str | None) -> list[float]:
    try:
        return [float(v) for v in (value or "").split()]
    except ValueError:
        return []


def _deltas(value: str | None, count: int) -> list[float]:
    """DeltaX: plain numbers, or "g N d" for d repeated N times."""
    out: list[float] = []
    tokens = (value or "").split()
    i = 0
    try:
        while i < len(tokens):
            if tokens[i] == "g" and i + 2 < len(tokens):
                out += [float(tokens[i + 2])] * int(tokens[i + 1])
                i += 3
            else:
                out.append(float(tokens[i]))
                i += 1
    except ValueError:
        return []
    return out[: max(0, count - 1)]


class _Package:
    def __init__(self, data: bytes, path: str | Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.names = {n.lstrip("/"): n for n in self.zip.namelist()}
        except (zipfile.BadZipFile, OSError, ValueError):
            raise self.broken("不是有效的 zip 包") from None

    def broken(self, what: str) -> IngestError:
        return IngestError(self.path, f"OFD 文件已损坏（{what}），无法读取，请用 OFD 阅读器检查或重新导出", code="corrupt")

    def resolve(self, base_dir: str, loc: str) -> str:
        loc = loc.strip().replace("\\", "/")
        return posixpath.normpath(loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc))

    def read(self, member: str) -> bytes:
        name = self.names.get(member) or next(
            (v for k, v in self.names.items() if k.lower() == member.lower()), None)
        if name is None:
            raise self.broken(f"缺少 {member}")
        return self.zip.read(name)

    def xml(self, member: str) -> ET.Element:
        try:
            return ET.fromstring(self.read(member))
        except ET.ParseError:
            raise self.broken(f"{member} 不是有效的 XML") from None


def _box(el: ET.Element | None) -> tuple[float, float] | None:
    v = _floats(el.text if el is not None else None)
    return (v[2], v[3]) if len(v) == 4 and v[2] > 0 and v[3] > 0 else None


def _media(pkg: _Package, doc_dir: str, common: ET.Element | None) -> dict[str, str]:
    """MultiMedia ID → zip member, from the document's PublicRes and DocumentRes files."""
    out: dict[str, str] = {}
    if common is None:
        return out
    for kind in ("PublicRes", "DocumentRes"):
        for ref in _children(common, kind):
            res_path = pkg.resolve(doc_dir, ref.text or "")
            try:
                res = pkg.xml(res_path)
            except IngestError:
                continue  # a missing resource file costs its images, not the text
            base = pkg.resolve(posixpath.dirname(res_path), res.get("BaseLoc", ""))
            for mm in _iter(res, "MultiMedia"):
                media = _find(mm, "MediaFile")
                if media is not None and media.text and mm.get("ID"):
                    out[mm.get("ID", "")] = pkg.resolve(base, media.text)
    return out


def _text_chars(obj: ET.Element, chars: list[dict]) -> None:
    bx, by = (_floats(obj.get("Boundary")) + [0.0, 0.0])[:2]
    size = (_floats(obj.get("Size")) or [3.5])[0]
    ctm = _floats(obj.get("CTM"))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    scale = abs(d) or 1.0
    x = y = 0.0
    for code in _children(obj, "TextCode"):
        text = code.text or ""
        if not text:
            continue
        if code.get("X") is not None:
            x = (_floats(code.get("X")) or [x])[0]
        if code.get("Y") is not None:
            y = (_floats(code.get("Y")) or [y])[0]
        deltas = _deltas(code.get("DeltaX"), len(text))
        cx = x
        for i, ch in enumerate(text):
            step = deltas[i] if i < len(deltas) else size
            px = bx + a * cx + c * y + e
            py = by + b * cx + d * y + f
            sz = size * scale
            if ch.strip():
                chars.append({
                    "text": ch, "x0": px * MM_TO_PT, "x1": (px + min(step, size) * abs(a or 1)) * MM_TO_PT,
                    "top": (py - 0.85 * sz) * MM_TO_PT, "bottom": (py + 0.15 * sz) * MM_TO_PT,
                    "size": sz * MM_TO_PT, "upright": True,
                })
            cx += step
        x = cx


def _read_layers(root: ET.Element, page: OfdPage, media: dict[str, str]) -> None:
    images: list[tuple[float, str]] = []
    for obj in root.iter():
        name = _local(obj.tag)
        if name == "TextObject":
            _text_chars(obj, page.chars)
        elif name == "ImageObject" and obj.get("ResourceID") in media:
            v = _floats(obj.get("Boundary"))
            area = v[2] * v[3] if len(v) == 4 else 0.0
            images.append((area, media[obj.get("ResourceID", "")]))
    page.images += [m for _, m in sorted(images, reverse=True)]


def read_ofd(data: bytes, path: str | Path) -> tuple[list[OfdPage], "_Package"]:
    """The pages of an OFD's first document, their characters and images."""
    pkg = _Package(data, path)
    root = pkg.xml("OFD.xml")
    doc_root = _find(root, "DocBody", "DocRoot")
    if doc_root is None or not (doc_root.text or "").strip():
        raise pkg.broken("OFD.xml 中没有 DocRoot")
    doc_path = pkg.resolve("", doc_root.text or "")
    doc_dir = posixpath.dirname(doc_path)
    document = pkg.xml(doc_path)
    common = _find(document, "CommonData")
    default_size = _box(_find(common, "PageArea", "PhysicalBox") if common is not None else None) or A4
    templates = {t.get("ID", ""): pkg.resolve(doc_dir, t.get("BaseLoc", ""))
                 for t in (_children(common, "TemplatePage") if common is not None else [])}
    media = _media(pkg, doc_dir, common)
    pages_el = _find(document, "Pages")
    refs = _children(pages_el, "Page") if pages_el is not None else []
    if not refs:
        raise pkg.broken("文档中没有任何页面")
    pages: list[OfdPage] = []
    for number, ref in enumerate(refs, start=1):
        content_path = pkg.resolve(doc_dir, ref.get("BaseLoc", ""))
        content = pkg.xml(content_path)
        w, h = _box(_find(content, "Area", "PhysicalBox")) or default_size
        page = OfdPage(number, w * MM_TO_PT, h * MM_TO_PT)
        # Templates first (a 红头 is often drawn on one), then the page's own layers.
        for tpl in _children(content, "Template"):
            loc = templates.get(tpl.get("TemplateID", ""))
            if loc:
                try:
                    _read_layers(pkg.xml(loc), page, media)
                except IngestError:
                    pass  # a missing template costs its text, not the page's
        body = _find(content, "Content")
        if body is not None:
            _read_layers(body, page, media)
        pages.append(page)
    return pages, pkg


def load_ofd(data: bytes, path: str | Path, *, ocr_cache: str | None = None) -> tuple[list[str], list[str]]:
    """One text per page, and warnings. Pages with text are laid out from their
    characters; pages holding only images go through OCR."""
    from policykb.ingest import ocr
    from policykb.ingest.pdf_layout import PageParts, render_positioned, segments_from_chars

    pages, pkg = read_ofd(data, path)
    texts = [""] * len(pages)
    typed = [p for p in pages if p.chars]
    laid = render_positioned([PageParts(segments_from_chars(p.chars), [], p.width, p.height) for p in typed])
    for p, text in zip(typed, laid):
        texts[p.number - 1] = text
    scanned = [p for p in pages if not p.chars and p.images]
    warnings: list[str] = []
    if scanned:
        sources = scan_sources(pages, pkg)
        cache = ocr.OcrCache(ocr_cache)
        read = dict(ocr.read_pages(ocr.OcrCache.key(data), sources, cache=cache))
        for number, page in read.items():
            texts[number - 1] = page.text
        warnings += ocr.ocr_warnings(read, len(pages))
    if not any(re.search(r"\w", t) for t in texts):
        raise IngestError(path, "OFD 中没有可提取的文字（页面为空或图片中未识别出文字）", code="empty")
    return texts, warnings


def scan_sources(pages: list[OfdPage], pkg: _Package) -> list:
    """(page number, render) for the pages that hold images but no text: each renders
    its largest image, for OCR."""
    from PIL import Image

    def render(member: str) -> "Image.Image":
        img = Image.open(io.BytesIO(pkg.read(member)))
        img.load()
        return img

    return [(p.number, lambda m=p.images[0]: render(m)) for p in pages if not p.chars and p.images]
