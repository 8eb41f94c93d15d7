"""Query latency while the keyword index is rebuilt, three ways, on the 200k library.

    python bench/rebuild.py                      # the library built by bench/scale.py
    python bench/rebuild.py --home PATH

For each way, searches (hybrid, top 10, ncp questions in turn) run back to back in the
main thread for as long as the rebuild takes (idle: 8 s), and their p50/p95 are printed:
- idle:   no rebuild;
- thread: the index rebuilt in a thread of the serving process;
- child:  rebuilt in a child process at low priority, as the server does
          (policykb/keyword_index.py), then memory-mapped.
The index stays current throughout (a forced rebuild of an unchanged library), so the
figures isolate the rebuild's cost to the queries from the FTS5 fallback's.
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ncp_questions  # noqa: E402
from bench.common import percentile as pct  # noqa: E402


def main() -> None:
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=str(ROOT / "bench" / "cache" / "scale"))
    args = ap.parse_args()
    kb = KnowledgeBase(Settings(home=Path(args.home)))
    if kb.keyword_index.refresh() is None:
        sys.exit("library below keyword_index_above: nothing to rebuild")
    questions = [q["question"] for q in ncp_questions()]
    kb.search("预热", top_k=5)

    def start(way: str) -> threading.Thread | None:
        if way == "idle":
            return None
        if way == "thread":
            worker = threading.Thread(target=lambda: kb.keyword_index.refresh(force=True))
            worker.start()
            return worker
        kb.keyword_index.start_rebuild()
        return kb.keyword_index._thread

    for way in ("idle", "thread", "child"):
        worker = start(way)
        deadline = time.time() + 8
        timings: list[float] = []
        while (worker.is_alive() if worker else time.time() < deadline):
            t = time.perf_counter()
            kb.search(questions[len(timings) % len(questions)], top_k=10)
            timings.append((time.perf_counter() - t) * 1000)
        if worker:
            worker.join()
        assert kb.keyword_index.current() is not None
        took = f"   rebuild {kb.keyword_index.last_build['seconds']} s" if worker else ""
        print(f"{way:6}: {len(timings):4} searches   p50 {pct(timings, 50):6.1f} ms   p95 {pct(timings, 95):6.1f} ms{took}")
    kb.close()


if __name__ == "__main__":
    main()
