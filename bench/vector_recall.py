"""How many of the true nearest passages the vector store's approximate (HNSW) search finds.

For each question: its query vector, the store's top k (as search asks for them), and the
exact top k by cosine over every stored vector; recall@k is their overlap. Also the store's
time per query. Run it on a library that has vectors, e.g. the one bench/policy_eval.py builds:

    python bench/vector_recall.py --home bench/cache/policy-eight29+gov32+party17+supervision34
    python bench/vector_recall.py --home … --ef 100     # Chroma's default, for comparison

`--ef` opens the library with another `vector_ef_search` (policykb/config.py; Chroma's own
default is 100). The collection keeps it until the library is next opened with the setting.
`--reachable` also queries every stored vector with itself and counts the passages the index
cannot return at all (chromadb 1.5.9 issue #7758 after deletes and upserts; `policykb reindex`
rebuilds the index).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    import numpy as np

    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--home", required=True, type=Path, help="a library with vectors")
    ap.add_argument("--questions", type=Path, default=ROOT / "bench" / "policy_questions.jsonl")
    ap.add_argument("--limit", type=int, default=200, help="questions to use")
    ap.add_argument("--ef", type=int, default=None, help="vector_ef_search to open the library with")
    ap.add_argument("--reachable", action="store_true", help="count stored vectors the index cannot return")
    args = ap.parse_args()

    kb = KnowledgeBase(Settings(home=args.home, **({"vector_ef_search": args.ef} if args.ef else {})))
    collection = kb.store._collection
    stored = collection.get(include=["embeddings"])
    ids = stored["ids"]
    matrix = np.asarray(stored["embeddings"], dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [r["question"] for r in rows][: args.limit]
    vectors = [np.asarray(kb.embedder.embed_query(q), dtype=np.float32) for q in questions]
    ef = (collection.configuration.get("hnsw") or {}).get("ef_search")
    print(f"{len(ids):,} vectors, {len(questions)} questions, ef_search {ef}")
    print("| k | recall@k (mean) | worst question | ms per query |")
    print("|---|---|---|---|")
    for k in (10, 50, 100):
        recalls, times = [], []
        for v in vectors:
            exact = {ids[i] for i in np.argsort(-(matrix @ v))[:k]}
            t = time.perf_counter()
            approx = {cid for cid, _ in kb.store.query(v, k)}
            times.append(time.perf_counter() - t)
            recalls.append(len(exact & approx) / k)
        print(f"| {k} | {statistics.mean(recalls):.4f} | {min(recalls):.2f} | {1000 * statistics.mean(times):.1f} |")
    if args.reachable:
        lost = [cid for cid, v in zip(ids, matrix) if cid not in {c for c, _ in kb.store.query(v, 10)}]
        print(f"unreachable: {len(lost):,} of {len(ids):,} stored vectors are not among their own 10 nearest")


if __name__ == "__main__":
    main()
