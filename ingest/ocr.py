"""Text from page images (scans, photos, faxes), offline, in reading order.

The engine is RapidOCR (``rapidocr-onnxruntime``, Apache-2.0): PP-OCRv4 Chinese detection
and recognition and the direction classifier ship inside its wheel and run on
onnxruntime on the CPU, so nothing is downloaded at run time. It is imported lazily: a
library without scans never loads it.

The engine returns one box a text line (or a run of a line split at a wide gap) with its
text and confidence. Boxes become `ingest.pdf_layout` segments, so a scanned page is laid
out exactly as a typed PDF page: lines, two columns, blocks, a centred title, the
right-aligned 落款, unruled tables. `ingest.structure` and `ingest.metadata` then read
the 红头, the 文号 line, headings and the 落款 as they read typed text.

Pages are read one at a time (render, recognise, let go), so memory stays bounded on a
300-page scan, and each page's result is kept in a cache keyed by the file's content:
an interrupted ingest resumes at the next page, and the parse that follows (in the
parse worker) finds every page already read.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.ingest.types import IngestError

if TYPE_CHECKING:
    from PIL import Image

ENGINE = "rapidocr-onnxruntime 1.4.4 (PP-OCRv4)"
DPI = 200  # PDF pages are rendered at this resolution for recognition
MAX_SIDE = 2000  # the engine's own limit (max_side_len): larger images are scaled down to it
# A page whose characters average less confidence than this is flagged for review.
LOW_CONFIDENCE = 0.85
# One cache layout for one engine and resolution: a change of either reads pages anew.
_CACHE_VERSION = hashlib.sha1(f"{ENGINE}|{DPI}|{MAX_SIDE}|2".encode()).hexdigest()[:8]

UNAVAILABLE = "此文件需要文字识别（OCR），但未安装 OCR 组件 rapidocr-onnxruntime，请安装后再导入"

ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class OcrBox:
    """One recognised run of text, in image pixels (top-left origin)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    score: float


@dataclass(frozen=True)
class OcrPage:
    text: str  # laid out: lines, blank lines between blocks
    confidence: float  # mean over characters; 1.0 for a page without text
    chars: int

    @property
    def low_confidence(self) -> bool:
        return self.chars > 0 and self.confidence < LOW_CONFIDENCE

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "confidence": self.confidence, "chars": self.chars},
                          ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str) -> "OcrPage":
        d = json.loads(raw)
        return cls(str(d["text"]), float(d["confidence"]), int(d["chars"]))


# --------------------------------------------------------------------------- layout (pure)


def boxes_from_engine(result: Sequence[Any] | None) -> list[OcrBox]:
    """RapidOCR's ``[[quad, text, score], …]`` as axis-aligned boxes. Top and bottom
    are the means of the quad's upper and lower edges, so a line skewed by a degree or two
    keeps its own height instead of the height of the slope."""
    boxes: list[OcrBox] = []
    for quad, text, score in result or []:
        pts = sorted(((float(x), float(y)) for x, y in quad), key=lambda p: p[1])
        top = (pts[0][1] + pts[1][1]) / 2
        bottom = (pts[2][1] + pts[3][1]) / 2
        xs = [p[0] for p in pts]
        if text and text.strip() and bottom > top:
            boxes.append(OcrBox(str(text).strip(), min(xs), top, max(xs), bottom, float(score)))
    return boxes


_DOC_NO_BRACKETS = re.compile(r"[〔［\[【（(｛{]\s*((?:19|20)\d{2})\s*[〕］\]】）)｝}]\s*(?=(?:第\s*)?\d{1,5}\s*号)")


_CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
_ASCII_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[,:;?!()]|[,:;?!()](?=[{_CJK}])")
_DASH = re.compile(rf"(?<=[{_CJK}])-{{1,2}}(?=[{_CJK}])")


def _quotes(line: str) -> str:
    """ASCII double quotes in a line of Chinese: an opening mark where no quotation is
    open, a closing one where one is (the engine often reads “ right and ” as ")."""
    if '"' not in line or not re.search(r"[\u4e00-\u9fff]", line):
        return line
    out, opened = [], False
    for ch in line:
        if ch == '"':
            ch = "”" if opened else "“"
        if ch in "“”":
            opened = ch == "“"
        out.append(ch)
    return "".join(out)


def fix_ocr_text(text: str) -> str:
    """Undo the recognisers' usual confusions where they break parsing or quoting: the
    year brackets of a 文号 read as 【 】 [ ] ( ) become 〔 〕, as the 公文 standard prints
    them; ASCII punctuation, quotes and dashes beside Chinese become the full-width marks
    the page shows (a quotation check compares them)."""
    text = _DOC_NO_BRACKETS.sub(r"〔\1〕", text)
    text = "\n".join(_quotes(line) for line in text.split("\n"))
    text = _NEAR_CJK.sub(lambda m: _ASCII_PUNCT[m.group(0)], text)
    return _DASH.sub(lambda m: "—" * len(m.group(0)), text)


def page_text(boxes: Sequence[OcrBox], width: float, height: float) -> str:
    """The boxes of one page as text in reading order (`ingest.pdf_layout` rules)."""
    from policykb.ingest.pdf_layout import PageParts, Seg, render_positioned

    segs = [Seg(b.text, b.x0, b.x1, b.top, b.bottom, max(1.0, b.bottom - b.top)) for b in boxes]
    if not segs:
        return ""
    return fix_ocr_text(render_positioned([PageParts(segs, [], width, height)])[0])


def page_confidence(boxes: Sequence[OcrBox]) -> tuple[float, int]:
    chars = sum(len(b.text) for b in boxes)
    if not chars:
        return 1.0, 0
    return sum(b.score * len(b.text) for b in boxes) / chars, chars


# --------------------------------------------------------------------------- engine

_engine: Any = None
_engine_lock = threading.Lock()
_run_lock = threading.Lock()


def engine() -> Any:
    """The one RapidOCR instance of this process (loading it takes about a second)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError:
                raise IngestError("", UNAVAILABLE, code="ocr_unavailable") from None
            threads = int(os.environ.get("POLICYKB_OCR_THREADS", "0")) or min(4, os.cpu_count() or 1)
            _engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)
        return _engine


def available() -> bool:
    try:
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def recognise(image: "Image.Image") -> OcrPage:
    """Read one page image."""
    import numpy as np

    rgb = image.convert("RGB")
    if max(rgb.size) > MAX_SIDE:
        # The engine would shrink it itself, by plain linear interpolation, which aliases
        # thin strokes at 300 dpi until whole lines go undetected; Lanczos keeps them.
        from PIL import Image

        scale = MAX_SIDE / max(rgb.size)
        rgb = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)), Image.LANCZOS)
    ocr = engine()
    with _run_lock:  # one page at a time: onnxruntime already uses every core it is given
        result, _ = ocr(np.asarray(rgb))
    boxes = boxes_from_engine(result)
    confidence, chars = page_confidence(boxes)
    return OcrPage(page_text(boxes, rgb.width, rgb.height), confidence, chars)


# --------------------------------------------------------------------------- page sources

PageSource = tuple[int, Callable[[], "Image.Image"]]  # (1-based page number, render it)


def pdf_page_count(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def pdf_pages_without_text(data: bytes) -> list[int]:
    """1-based numbers of the pages whose text layer holds no word character."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    out = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            if not re.search(r"\w", textpage.get_text_range() or ""):
                out.append(i + 1)
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return out


def render_pdf_page(data: bytes, number: int, dpi: int = DPI) -> "Image.Image":
    """Page `number` (1-based) of a PDF as an image."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[number - 1]
        image = page.render(scale=dpi / 72).to_pil()
        page.close()
        return image
    finally:
        pdf.close()


def pdf_sources(data: bytes, numbers: Sequence[int], dpi: int = DPI) -> list[PageSource]:
    return [(n, lambda n=n: render_pdf_page(data, n, dpi)) for n in numbers]


def image_frame_count(data: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return getattr(img, "n_frames", 1)


def render_image_frame(data: bytes, number: int) -> "Image.Image":
    """Frame `number` (1-based) of an image file (a multi-page TIFF has several)."""
    from PIL import Image, ImageOps

    img = Image.open(io.BytesIO(data))
    img.seek(number - 1)
    frame = ImageOps.exif_transpose(img.copy())  # a phone photo carries its rotation in EXIF
    img.close()
    return frame


def image_sources(data: bytes) -> list[PageSource]:
    return [(n, lambda n=n: render_image_frame(data, n)) for n in range(1, image_frame_count(data) + 1)]


# --------------------------------------------------------------------------- cache and driver


class OcrCache:
    """Recognised pages on disk, one small JSON file a page, under
    ``ROOT/<content hash>/<page>.json``; written atomically, so a crash leaves whole pages."""

    def __init__(self, root: str | Path | None) -> None:
        self.root = Path(root) if root else None

    @staticmethod
    def key(data: bytes) -> str:
        return OcrCache.key_for_hash(hashlib.sha256(data).hexdigest())

    @staticmethod
    def key_for_hash(sha256_hex: str) -> str:
        """The key of a file whose SHA-256 is known (the registry's content_hash)."""
        return sha256_hex[:32] + "-" + _CACHE_VERSION

    def drop(self, key: str) -> None:
        """Forget a file's pages (its document was deleted)."""
        import shutil

        if self.root is not None:
            shutil.rmtree(self.root / key, ignore_errors=True)

    def _path(self, key: str, number: int) -> Path:
        assert self.root is not None
        return self.root / key / f"{number:05d}.json"

    def get(self, key: str, number: int) -> OcrPage | None:
        if self.root is None:
            return None
        try:
            return OcrPage.from_json(self._path(key, number).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError):
            return None

    def put(self, key: str, number: int, page: OcrPage) -> None:
        if self.root is None:
            return
        path = self._path(key, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(page.to_json(), encoding="utf-8")
        tmp.replace(path)

    def done(self, key: str) -> int:
        if self.root is None or not (self.root / key).is_dir():
            return 0
        return sum(1 for _ in (self.root / key).glob("*.json"))


def read_pages(key: str, sources: Sequence[PageSource], *, cache: OcrCache | None = None,
               on_page: ProgressFn | None = None,
               stop: threading.Event | None = None) -> Iterator[tuple[int, OcrPage]]:
    """(page number, recognised page) for each source, from the cache where it holds the
    page; each page read is stored before the next is rendered. Stops early once `stop`
    is set."""
    total = len(sources)
    if on_page and total:
        on_page(0, total)  # a progress bar starts before the first, slowest page
    for done, (number, render) in enumerate(sources, start=1):
        if stop is not None and stop.is_set():
            return
        page = cache.get(key, number) if cache else None
        if page is None:
            image = render()
            try:
                page = recognise(image)
            finally:
                image.close()
            if cache:
                cache.put(key, number, page)
        if on_page:
            on_page(done, total)
        yield number, page


def page_list(numbers: Sequence[int]) -> str:
    """"1–3、5" for pages 1, 2, 3, 5."""
    runs: list[list[int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return "、".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else "、".join(map(str, r)) for r in runs)


def ocr_warnings(pages: dict[int, OcrPage], total: int) -> list[str]:
    """What the user should know: which pages were recognised, which need a look."""
    if not pages:
        return []
    read = sorted(pages)
    which = "全部页面" if len(read) == total and total > 1 else f"第 {page_list(read)} 页"
    out = [f"{which}为扫描图像，已自动识别文字（OCR）"]
    low = [n for n, p in sorted(pages.items()) if p.low_confidence]
    if low:
        out.append(f"第 {page_list(low)} 页识别置信度较低，请人工核对")
    blank = [n for n, p in sorted(pages.items()) if not p.text.strip()]
    if blank and len(blank) < len(read):
        out.append(f"第 {page_list(blank)} 页未识别出文字")
    return out


def scan_sources(path: str | Path, *, max_bytes: int | None = None) -> tuple[str, list[PageSource]]:
    """(cache key, pages) of `path` that its parse will need OCR for: the pages of a PDF
    without a text layer, every frame of an image, the image-only pages of an OFD."""
    from policykb.ingest.loaders import IMAGE_NAMES, sniff_format

    p = Path(path)
    if max_bytes is not None and p.stat().st_size > max_bytes:
        return "", []
    data = p.read_bytes()
    kind = sniff_format(data)
    if kind == "pdf":
        sources = pdf_sources(data, pdf_pages_without_text(data))
    elif kind in IMAGE_NAMES:
        sources = image_sources(data)
    elif kind == "ofd":
        sources = _ofd_sources(data, p)
    else:
        sources = []
    return OcrCache.key(data), sources


def prepare(path: str | Path, cache_dir: str | Path, *, on_page: ProgressFn | None = None,
            max_bytes: int | None = None, stop: threading.Event | None = None) -> int:
    """Recognise every page of `path` that the parse will need OCR for, into the cache
    under `cache_dir`, until `stop` is set; the number of such pages. Never raises for a
    bad file: the parse that follows names the problem."""
    import logging

    log = logging.getLogger("policykb.ingest")
    try:
        key, sources = scan_sources(path, max_bytes=max_bytes)
        if not sources or not available():
            return 0
        for _ in read_pages(key, sources, cache=OcrCache(cache_dir), on_page=on_page, stop=stop):
            pass
        return len(sources)
    except IngestError:
        return 0
    except Exception:  # noqa: BLE001 - the parse reports the file's problem in its words
        log.warning("OCR ahead of parsing %s failed", path, exc_info=True)
        return 0


def _ofd_sources(data: bytes, path: Path) -> list[PageSource]:
    from policykb.ingest.ofd import read_ofd, scan_sources

    pages, pkg = read_ofd(data, path)
    return scan_sources(pages, pkg)
