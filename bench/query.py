"""Query latency, warm: p50/p95 of search and of extractive ask, query embedding included.

    python bench/query.py                       # the ncp knowledge base built by bench/retrieval.py
    python bench/query.py --home PATH --n 200
    python bench/query.py --home PATH --build-index   # time a keyword-index rebuild, then stop

Peak memory (max RSS of this process) is printed at the end. A library above
keyword_index_above passages is queried through its in-memory keyword index when the index
on disk is current (bench/scale.py builds it first, in a process of its own, so that the
build's transient memory is reported apart from the queries').
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ncp_home, ncp_questions  # noqa: E402
from bench.common import percentile as pct  # noqa: E402


def main() -> None:
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=None, help="knowledge-base home (default: the bench/retrieval.py ncp cache)")
    ap.add_argument("--n", type=int, default=200, help="questions to time")
    ap.add_argument("--build-index", action="store_true", help="rebuild the keyword index, report time and memory, stop")
    args = ap.parse_args()
    default = ncp_home()
    home = Path(args.home) if args.home else (default if default.exists() else None)
    if home is None:
        sys.exit("no knowledge base: run bench/retrieval.py first or pass --home")
    kb = KnowledgeBase(Settings(home=home))
    if args.build_index:
        built = kb.rebuild_keyword_index()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"keyword index: {built['passages']:,} passages built in {built['seconds']} s, peak RSS {rss:.0f} MiB"
              if built else "keyword index: library below keyword_index_above, FTS5 only")
        kb.close()
        return
    index = kb.keyword_index.current()
    questions = [q["question"] for q in ncp_questions()][: args.n]
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
    print(f"knowledge base: {home.name}, {kb.registry.chunk_count():,} passages, {len(questions)} questions; "
          f"keywords ranked by {'the in-memory index' if index is not None else 'SQLite FTS5'}")
    for name, values in timings.items():
        print(f"{name:6}: p50 {statistics.median(values):6.1f} ms   p95 {pct(values, 95):6.1f} ms   max {max(values):6.1f} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    kb.close()


if __name__ == "__main__":
    main()
