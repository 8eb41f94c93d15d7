"""Peak memory of reading a long scan: an image-only PDF of N pages (20 lines of CJK text a
page, about 200 dpi) ingested by OCR into a fresh keyword-only library, in this process.

    python bench/ocr_memory.py 5
    python bench/ocr_memory.py 40      # the same peak: pages are rendered and read one at a time

Prints pages, seconds and the process's peak resident memory (ru_maxrss). Needs a CJK font
(tests/scanbuild.py finds one with fc-list).
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    from scanbuild import save_image_pdf

    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    lines = [(f"第{i}段 关于进一步加强机关作风建设的若干规定，各单位要严格执行本规定。", "l") for i in range(20)]
    work = Path(tempfile.mkdtemp(prefix="ocr-memory-"))
    pdf = save_image_pdf(work / f"scan-{pages}.pdf", [lines] * pages)
    kb = KnowledgeBase(Settings(home=work / "home", weight_vector=0.0))
    t = time.perf_counter()
    report = kb.ingest([pdf], wait=False)
    elapsed = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{pages} pages: {[f.status for f in report.files]}, {elapsed:.0f} s, peak RSS {peak} MiB")
    kb.close()


if __name__ == "__main__":
    main()
