"""How well and how fast scans are read (issue 17): real policy text from
../shared/corpus/policy rendered into page images with the CJK fonts Debian ships (Noto
Serif and Sans CJK, 12–16 pt), at 150, 200 and 300 dpi, clean and as a poor scan (noise,
blur, a 1–2° skew), wrapped into image-only PDFs and ingested through `KnowledgeBase`.

Per condition it prints:
  * character accuracy: 1 − CER of each page's OCR text against the rendered text, both
    with all whitespace removed (edit distance over characters);
  * pages per second of the whole ingest (render, recognise, parse, register) on this
    machine's cores;
  * retrieval: for each page a 30-character sentence of it is searched (keyword mode) in
    the OCR'd library and in a typed copy of the same text; "first" = its document ranks
    first, "page" = and the hit cites that page.

    nice -n 10 .venv/bin/python bench/ocr.py --pages 6

Run it nice'd: OCR takes every core it is given.
"""
from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from common import SHARED  # noqa: E402

POLICY = SHARED / "corpus" / "policy"
COLLECTIONS = ("policy_docs_shandong", "party_regulations", "eight_point_rules_and_notices",
               "gov_work_reports_provincial_2026")
PAGE_MM = (210, 297)
MARGIN_MM = 28


def fonts() -> dict[str, str]:
    out = subprocess.run(["fc-list", ":lang=zh-cn", "file", "family"], capture_output=True, text=True).stdout
    found: dict[str, str] = {}
    for line in out.splitlines():
        path = line.split(":")[0].strip()
        if "Regular" not in path and "Regular" not in line:
            continue
        kind = "serif" if "Serif" in line else "sans"
        found.setdefault(kind, path)
    return found


def source_texts(n_docs: int) -> list[tuple[str, str]]:
    """(name, body) of `n_docs` Chinese documents of at least 1,500 characters, spread
    over the collections, in a fixed order."""
    docs: list[tuple[str, str]] = []
    for col in COLLECTIONS:
        for f in sorted((POLICY / col).glob("*.txt")):
            text = f.read_text(encoding="utf-8")
            if len(text) >= 1500 and len(re.findall(r"[\u4e00-\u9fff]", text)) > 0.6 * len(text.replace("\n", "")):
                docs.append((f.stem, text))
    step = max(1, len(docs) // max(1, n_docs))
    return docs[::step][:n_docs]


def wrap(text: str, font, width_px: float) -> list[str]:  # noqa: ANN001 - PIL font
    """Paragraphs wrapped to the page width, each paragraph's first line indented two characters."""
    lines: list[str] = []
    for para in (p.strip() for p in text.split("\n")):
        if not para:
            continue
        cur = "\u3000\u3000"
        for ch in para:
            if font.getlength(cur + ch) > width_px:
                lines.append(cur)
                cur = ""
            cur += ch
        lines.append(cur)
    return lines


def render_pages(text: str, *, dpi: int, pt: int, font_path: str, lines_per_page: int, n_pages: int):  # noqa: ANN201
    """Page images and the text each holds."""
    from PIL import Image, ImageDraw, ImageFont

    px = lambda mm: int(mm / 25.4 * dpi)  # noqa: E731
    size_px = int(pt / 72 * dpi)
    font = ImageFont.truetype(font_path, size_px)
    lines = wrap(text, font, px(PAGE_MM[0] - 2 * MARGIN_MM))
    pages = []
    for k in range(n_pages):
        chunk = lines[k * lines_per_page:(k + 1) * lines_per_page]
        if not chunk:
            break
        img = Image.new("L", (px(PAGE_MM[0]), px(PAGE_MM[1])), 255)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(chunk):
            draw.text((px(MARGIN_MM), px(MARGIN_MM) + int(i * size_px * 1.75)), line, font=font, fill=0)
        pages.append((img, "".join(chunk)))
    return pages


def degrade(img, rng: random.Random, dpi: int):  # noqa: ANN001, ANN201 - PIL images
    """A poor scan: skewed 1–2°, slightly blurred, speckled with noise."""
    import numpy as np
    from PIL import Image, ImageFilter

    angle = rng.choice((-1, 1)) * rng.uniform(1.0, 2.0)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(radius=0.6 * dpi / 200))
    arr = np.asarray(img).astype(np.int16)
    gen = np.random.default_rng(rng.randrange(2**31))
    arr = arr + gen.normal(0, 18, arr.shape).astype(np.int16)
    speck = gen.random(arr.shape)
    arr[speck < 0.002] = 0
    arr[speck > 0.998] = 255
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def distance(a: str, b: str) -> int:
    """Levenshtein distance over characters."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def probe(truth: str, rng: random.Random) -> str:
    """A 30-character run of the page's text, starting at a sentence where one starts."""
    starts = [m.end() for m in re.finditer(r"[。；！？]", truth) if m.end() + 30 <= len(truth)]
    start = rng.choice(starts) if starts else max(0, (len(truth) - 30) // 2)
    return truth[start:start + 30]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=6, help="pages per condition (default 6)")
    ap.add_argument("--per-doc", type=int, default=2, help="pages per document (default 2)")
    ap.add_argument("--lines", type=int, default=14, help="text lines per page (default 14, about half a page)")
    ap.add_argument("--dpi", default="150,200,300")
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()

    from policykb.config import Settings
    from policykb.ingest import ocr
    from policykb.ingest.ocr import OcrCache
    from policykb.service import KnowledgeBase

    # Time spent rendering and recognising pages, apart from starting the library and parsing.
    spent = [0.0]

    def timed(fn):  # noqa: ANN001, ANN202
        def run(*a, **k):  # noqa: ANN002, ANN003, ANN202
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[0] += time.perf_counter() - t
        return run

    ocr.recognise = timed(ocr.recognise)
    ocr.render_pdf_page = timed(ocr.render_pdf_page)
    ocr.engine()  # load the models before any clock runs

    found = fonts()
    if not found:
        sys.exit("没有找到中文字体：apt-get install fonts-noto-cjk")
    n_docs = -(-args.pages // args.per_doc)
    docs = source_texts(n_docs)
    print(f"fonts: {found}; documents: {len(docs)} × {args.per_doc} pages × {args.lines} lines")
    rows = []
    work = Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    typed_rate = None
    for dpi in (int(d) for d in args.dpi.split(",")):
        for noisy in (False, True):
            rng = random.Random(f"{args.seed}-{dpi}-{noisy}")
            cond = work / f"{dpi}-{'scan' if noisy else 'clean'}"
            cond.mkdir()
            truths: dict[str, list[str]] = {}
            pages_total = 0
            for d, (name, text) in enumerate(docs):
                kind = "serif" if d % 2 == 0 or "sans" not in found else "sans"
                pt = (12, 14, 16)[d % 3]
                pages = render_pages(text, dpi=dpi, pt=pt, font_path=found[kind], lines_per_page=args.lines,
                                     n_pages=args.per_doc)
                images = [degrade(img, rng, dpi) if noisy else img for img, _ in pages]
                path = cond / f"{d:02d}.pdf"
                images[0].convert("RGB").save(path, "PDF", resolution=dpi, save_all=True,
                                              append_images=[i.convert("RGB") for i in images[1:]])
                truths[path.name] = [t for _, t in pages]
                pages_total += len(pages)
            kb = KnowledgeBase(Settings(home=cond / "home"))
            spent[0] = 0.0
            started = time.perf_counter()
            report = kb.ingest(sorted(cond.glob("*.pdf")), wait=False)
            seconds = time.perf_counter() - started
            errors = chars = 0
            first = page_right = probes = 0
            cache = OcrCache(kb.ocr_dir)
            for f in report.files:
                name = Path(f.path).name
                key = OcrCache.key(Path(f.path).read_bytes())
                for number, truth in enumerate(truths[name], start=1):
                    page = cache.get(key, number)
                    got = squash(page.text) if page else ""
                    errors += distance(squash(truth), got)
                    chars += len(squash(truth))
                    # The same probe in every condition and in the typed copy.
                    query = probe(squash(truth), random.Random(f"{args.seed}-{name}-{number}"))
                    hits = kb.search(query, mode="keyword", top_k=3).results
                    probes += 1
                    if hits and hits[0].doc_id == f.doc_id:
                        first += 1
                        page_right += hits[0].page == number
            kb.close()
            if typed_rate is None:  # the typed copy: the same text as plain files
                typed = work / "typed"
                typed.mkdir()
                for name, pages_text in truths.items():
                    (typed / f"{Path(name).stem}.txt").write_text("\n".join(pages_text), encoding="utf-8")
                tkb = KnowledgeBase(Settings(home=typed / "home"))
                treport = tkb.ingest([typed], wait=False)
                ok = n = 0
                for f in treport.files:
                    name = Path(f.path).stem + ".pdf"
                    for number, truth in enumerate(truths[name], start=1):
                        query = probe(squash(truth), random.Random(f"{args.seed}-{name}-{number}"))
                        hits = tkb.search(query, mode="keyword", top_k=3).results
                        n += 1
                        ok += bool(hits and hits[0].doc_id == f.doc_id)
                        if not (hits and hits[0].doc_id == f.doc_id):
                            print(f"  typed miss: {f.status} {Path(f.path).name} {query!r} → "
                                  f"{hits[0].title if hits else None}", flush=True)
                tkb.close()
                typed_rate = (ok, n)
            acc = 1 - errors / max(1, chars)
            rows.append((dpi, "噪声+模糊+倾斜" if noisy else "清晰", pages_total, chars, acc,
                         pages_total / spent[0], pages_total / seconds, first, page_right, probes,
                         [f.message for f in report.files if f.status == "failed"]))
            print(f"{dpi} dpi {'scan ' if noisy else 'clean'}: accuracy {acc:.2%}, {pages_total / spent[0]:.2f} pages/s "
                  f"OCR ({pages_total / seconds:.2f} whole ingest), "
                  f"first {first}/{probes}, page {page_right}/{probes}", flush=True)
    print()
    print("| dpi | 条件 | 页 | 字符 | 字符准确率 | 页/秒（识别） | 页/秒（整个导入） | 检索首位 | 且页码正确 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for dpi, cond, pages, chars, acc, rate, whole, first, page_right, probes, failed in rows:
        print(f"| {dpi} | {cond} | {pages} | {chars} | {acc:.2%} | {rate:.2f} | {whole:.2f} | {first}/{probes} "
              f"| {page_right}/{probes} |"
              + (f" 失败：{failed}" if failed else ""))
    if typed_rate:
        print(f"\n文字版同文检索首位：{typed_rate[0]}/{typed_rate[1]}")


if __name__ == "__main__":
    main()
