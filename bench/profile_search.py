"""Where a search's time goes, per request, in one process (no HTTP).

    nice -n 10 python bench/profile_search.py                 # the load bench's demo library
    nice -n 10 python bench/profile_search.py --home DIR --n 200

Each phase is timed by wrapping the method that does it (the ranking code is not changed):

- embed: the query's vector (policykb.index.embedding, runs beside the keyword search in
  a second thread, so part of it is hidden);
- keyword: BM25 over the passages (`Retriever._keyword_found`, incl. the thesaurus and scope lists);
- documents: the whole-document keyword list (`Registry.document_keyword_search`);
- vector: the Chroma nearest-neighbour query (`Retriever._vector_candidates`);
- fusion: RRF plus the question's pointers (`index.fusion.rrf` + `Retriever._weigh`);
- registry: reading the hits' passages and documents (`Retriever.hits`) and `left_out`;
- analysis: the question's analysis (`Retriever.analyse`);
- JSON: `to_dict()` and `json.dumps` of the response;
- other: the rest of `search` (tokenising, the thesaurus expansion, waiting for the vector).

Printed: mean and p95 per phase (ms) over --n questions (the demo questions in turn, every one
cold unless --warm keeps the query-vector cache), for search and ask.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import percentile  # noqa: E402
from bench.load import CACHE, demo_questions, ensure_home  # noqa: E402

_local = threading.local()


def _phases() -> dict[str, float]:
    d = getattr(_local, "phases", None)
    if d is None:
        d = _local.phases = defaultdict(float)
    return d


def timed(phase: str, fn: Callable[..., Any], sink: Callable[[], dict[str, float]] = _phases) -> Callable[..., Any]:
    def wrapper(*a: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            sink()[phase] += time.perf_counter() - t0
    return wrapper


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, default=None)
    ap.add_argument("--n", type=int, default=100, help="requests per kind")
    ap.add_argument("--warm", action="store_true", help="keep the query-vector cache (default: every query cold)")
    args = ap.parse_args()
    home = args.home or CACHE / "home"
    ensure_home(home)
    from policykb import service
    from policykb.config import Settings
    from policykb.index import fusion

    kb = service.KnowledgeBase(Settings(home=home))
    r = kb.retriever
    embedder = kb.embedder
    cache = getattr(embedder, "cache", None)
    embed_times: list[float] = []  # the embedding runs in another thread: kept apart
    inner_query = embedder.embed_query

    def embed_query(text: str) -> Any:
        t0 = time.perf_counter()
        try:
            return inner_query(text)
        finally:
            embed_times.append(time.perf_counter() - t0)

    embedder.embed_query = embed_query  # type: ignore[method-assign]
    for name, phase in [("_keyword_found", "keyword"), ("_scoped_keyword", "keyword"),
                        ("_vector_candidates", "vector"), ("_weigh", "fusion"), ("hits", "registry"),
                        ("analyse", "analysis")]:
        setattr(r, name, timed(phase, getattr(r, name)))
    kb.registry.document_keyword_search = timed("documents", kb.registry.document_keyword_search)  # type: ignore[method-assign]
    hybrid_rrf = fusion.rrf
    fusion.rrf = timed("fusion", hybrid_rrf)
    import policykb.doc_metadata as doc_metadata

    doc_metadata.left_out = timed("registry", doc_metadata.left_out)

    questions = demo_questions()
    print(f"{home}: {kb.registry.chunk_count():,} passages, {len(questions)} questions, n={args.n}", flush=True)
    kb.search(questions[0])  # load the model, jieba, Chroma
    for kind in ("search", "ask"):
        rows: list[dict[str, float]] = []
        embed_times.clear()
        for i in range(args.n):
            if cache is not None and not args.warm:
                cache.clear()  # every question cold unless asked otherwise
            _local.phases = defaultdict(float)
            t0 = time.perf_counter()
            q = questions[i % len(questions)]
            result = kb.search(q, top_k=10) if kind == "search" else kb.ask(q)
            t1 = time.perf_counter()
            json.dumps(result.to_dict(), ensure_ascii=False)
            t2 = time.perf_counter()
            ph = dict(_local.phases)
            ph["JSON"] = t2 - t1
            ph["total"] = t2 - t0
            ph["other"] = (t1 - t0) - sum(v for k, v in ph.items() if k not in ("JSON", "total"))
            rows.append(ph)
        order = ["analysis", "keyword", "documents", "vector", "fusion", "registry", "JSON", "other", "total"]
        print(f"\n{kind} ({args.n} requests; ms)     mean     p95", flush=True)
        ms = [x * 1000 for x in embed_times]
        print(f"  {'embed (beside keyword)':<22} {sum(ms) / max(len(ms), 1):>7.1f} {percentile(ms, 95):>7.1f}"
              f"   ({len(ms)} calls)")
        for k in order:
            vals = [row.get(k, 0.0) * 1000 for row in rows]
            print(f"  {k:<22} {sum(vals) / len(vals):>7.1f} {percentile(vals, 95):>7.1f}")
    kb.close()


if __name__ == "__main__":
    main()
