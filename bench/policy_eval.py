"""Answers an official can trust, measured per kind of question over the real policy corpus.

Questions: bench/policy_questions.jsonl (written by hand, checked by
bench/check_policy_questions.py): fact, list, permission, title, paraphrase, version and
issuer questions with the verbatim answer span and the file it must come from, plus
unanswerable near misses. Library: ../shared/corpus/policy (all ten collections, or
`--collections`), with vectors.

    python bench/policy_eval.py                       # hybrid search + ask, all questions
    python bench/policy_eval.py --split b             # only the held-back half
    python bench/policy_eval.py --mode keyword        # one retrieval side alone
    python bench/policy_eval.py --collections party_regulations,eight_point_rules_and_notices

A search hit counts when its passage contains the answer (whitespace ignored) AND comes
from the question's file: another province's 「城镇新增就业…」 is a miss. For `ask`:
answered (found) for answerable questions, refused for unanswerable ones, "cited" when a
citation's passage contains the answer (from the right file), "quoted" when the answer
text itself contains it.

Embedding the whole corpus takes a long time on a CPU, so vectors are kept in one cache
shared by every library this script builds (bench/cache/policy-vectors.sqlite, keyed by
the hash of the embedded text): each distinct text is embedded once, ever.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
POLICY = SHARED / "corpus" / "policy"
CACHE = ROOT / "bench" / "cache"
SHARED_VECTORS = CACHE / "policy-vectors.sqlite"
KINDS = ["fact", "list", "permission", "title", "paraphrase", "version", "issuer"]


def _off(cls_path: str, **values: Any) -> Any:
    def apply() -> None:
        import importlib

        module, name = cls_path.rsplit(".", 1)
        target = getattr(importlib.import_module(module), name)
        for k, v in values.items():
            setattr(target, k, v)
    return apply


def _no_thesaurus() -> None:
    from policykb.retrieval.thesaurus import Thesaurus

    Thesaurus.entries = lambda self: []  # type: ignore[method-assign]


# Each lever of retrieval and answering, switched off to measure what it does.
LEVERS = {
    "scope": _off("policykb.retrieval.hybrid.Retriever", SCOPE_WEIGHT=0.0, OUT_OF_SCOPE=1.0),
    "versions": _off("policykb.retrieval.hybrid.Retriever", OTHER_VERSION=1.0),
    "intent": _off("policykb.retrieval.hybrid.Retriever", INTENT_BONUS=0.0),
    "thesaurus": _no_thesaurus,
}


def load(path: Path, split: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split == "all" or r.get("split") == split]


def sync_vectors(registry_path: Path, model: str, direction: str) -> int:
    """Copy cached vectors between a library's registry and the shared cache."""
    SHARED_VECTORS.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(SHARED_VECTORS)
    db.execute("CREATE TABLE IF NOT EXISTS embeddings (embed_hash TEXT, model TEXT, vector BLOB,"
               " PRIMARY KEY (embed_hash, model)) WITHOUT ROWID")
    db.execute("ATTACH DATABASE ? AS kb", [str(registry_path)])
    if direction == "in":
        cur = db.execute("INSERT OR IGNORE INTO kb.embeddings (embed_hash, model, vector) SELECT s.embed_hash,"
                         " s.model, s.vector FROM main.embeddings s JOIN kb.chunks c ON c.embed_hash = s.embed_hash"
                         " WHERE s.model = ?", [model])
    else:
        cur = db.execute("INSERT OR IGNORE INTO main.embeddings SELECT embed_hash, model, vector FROM kb.embeddings"
                         " WHERE model = ?", [model])
    db.commit()
    n = cur.rowcount
    db.close()
    return n


def open_library(collections: list[str], embed_context: bool, embed: bool,  # type: ignore[no-untyped-def]
                 **settings: Any):
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    slug = "all" if not collections else "+".join(sorted(c.split("_")[0] + str(len(c)) for c in collections))
    home = CACHE / f"policy-{slug}{'-ctx' if embed_context else ''}"
    kb = KnowledgeBase(Settings(home=home, embed_context=embed_context, **settings))
    paths = [POLICY / c for c in collections] if collections else [POLICY]
    t = time.perf_counter()
    report = kb.ingest(paths, wait=False)
    changed = sum(1 for f in report.files if f.status not in ("unchanged", "duplicate"))
    print(f"library {home.name}: {len(report.files)} files ({changed} (re)parsed), "
          f"{kb.registry.chunk_count():,} passages, {time.perf_counter() - t:.0f}s", file=sys.stderr)
    if embed and kb.registry.pending_count():
        name = kb.embedder.name
        got = sync_vectors(kb.dir / "registry.sqlite", name, "in")
        t = time.perf_counter()
        print(f"embedding {kb.registry.pending_count():,} passages ({got:,} vectors from the shared cache)",
              file=sys.stderr)
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - last[0] > 30:
                last[0] = time.perf_counter()
                print(f"  {done:,}/{total:,} {time.perf_counter() - t:.0f}s", file=sys.stderr)

        stats = kb.embed_pending(on_progress=progress)
        sync_vectors(kb.dir / "registry.sqlite", name, "out")
        print(f"embedded {stats.encoded_texts:,} new texts in {time.perf_counter() - t:.0f}s", file=sys.stderr)
    return kb


def contains(answer: str, text: str) -> bool:
    from policykb.evaluate import squash

    return squash(answer) in squash(text)


def right_file(row: dict[str, Any], source_path: str) -> bool:
    return Path(source_path).as_posix().endswith("/" + row["file"]) if row.get("file") else True


def main() -> None:
    from policykb.evaluate import retrieval_metrics

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", default=str(ROOT / "bench" / "policy_questions.jsonl"))
    ap.add_argument("--split", default="all", choices=["a", "b", "all"])
    ap.add_argument("--mode", default="hybrid", choices=["hybrid", "keyword", "vector"])
    ap.add_argument("--collections", default="", help="comma-separated collections (default: all ten)")
    ap.add_argument("--embed-context", action="store_true", help="embed title + headings with each passage")
    ap.add_argument("--no-ask", action="store_true")
    ap.add_argument("--misses", action="store_true", help="print each question whose answer is not in the top 5")
    ap.add_argument("--json", default="", help="also write the per-question results here")
    ap.add_argument("--kinds", default="", help="only these kinds, comma-separated")
    ap.add_argument("--set", action="append", default=[],
                    help="a lever's value, e.g. --set hybrid.Retriever.THESAURUS_WEIGHT=2 (module under policykb.retrieval/answer)")
    ap.add_argument("--without", default="", help="levers to switch off, comma-separated: " + ", ".join(LEVERS))
    args = ap.parse_args()

    for lever in filter(None, args.without.split(",")):
        LEVERS[lever]()
    for assignment in args.set:
        import importlib

        path, value = assignment.split("=", 1)
        module, cls, attr = path.rsplit(".", 2)
        package = {"hybrid": "policykb.retrieval", "query": "policykb.retrieval", "catalog": "policykb.retrieval",
                   "service": "policykb"}.get(module, "policykb.answer")
        parsed = {"true": True, "false": False}.get(value.lower(), None)
        setattr(getattr(importlib.import_module(f"{package}.{module}"), cls), attr,
                float(value) if parsed is None else parsed)
    collections = [c for c in args.collections.split(",") if c]
    rows = load(Path(args.questions), args.split)
    if args.kinds:
        rows = [r for r in rows if r["kind"] in args.kinds.split(",")]
    if collections:
        rows = [r for r in rows if r.get("kind") == "unanswerable" or r.get("collection") in collections]
    # Keyword mode: `ask` fuses the keyword lists alone too (no vector weight).
    kb = open_library(collections, args.embed_context, embed=args.mode != "keyword",
                      **({"weight_vector": 0.0} if args.mode == "keyword" else {}))

    ranks: dict[str, list[int | None]] = defaultdict(list)
    asked: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    records = []
    t0 = time.perf_counter()
    for row in rows:
        kind = row["kind"]
        rec: dict[str, Any] = {"qid": row["qid"], "kind": kind, "question": row["question"]}
        hits = kb.search(row["question"], top_k=max(10, kb.ASK_CANDIDATES), mode=args.mode).results
        weights = kb.question_weights(row["question"])
        ordered = kb.answer_order(row["question"], hits[:kb.ASK_CANDIDATES], weights)[:kb.ASK_PASSAGES]
        g = kb.gate_signals(row["question"], ordered, weights)
        rec["gate"] = {"coverage": round(g.coverage, 3), "similarity": g.similarity, "named": g.named,
                       "anchored": g.anchored, "amount": g.amount}
        if kind != "unanswerable":
            rank = next((i for i, h in enumerate(hits[:10], 1)
                         if right_file(row, h.source_path) and contains(row["answer"], h.text)), None)
            ranks[kind].append(rank)
            rec["rank"] = rank
            rec["top"] = [f"{h.title} › {' › '.join(h.section_path[-1:])}" for h in hits[:3]]
            if args.misses and (rank is None or rank > 5):
                print(f"MISS {row['qid']} [{kind}] {row['question']}  → {row['answer']}  ({row['file']})\n"
                      + "".join(f"      {i}. {h.title} › {' › '.join(h.section_path[-1:])}: {h.text[:60]}\n"
                                for i, h in enumerate(hits[:3], 1)), file=sys.stderr)
        if not args.no_ask:
            answer = kb.ask(row["question"])
            a = asked[kind]
            a["n"] += 1
            a["found"] += answer.found
            rec["found"] = answer.found
            rec["answer"] = answer.answer[:300]
            if kind != "unanswerable" and answer.found:
                cited = any(right_file(row, c.source_path) and contains(row["answer"], c.text)
                            for c in answer.citations)
                quoted = contains(row["answer"], answer.answer)
                a["cited"] += cited
                a["quoted"] += quoted
                rec["cited"], rec["quoted"] = cited, quoted
        records.append(rec)
    elapsed = time.perf_counter() - t0

    all_ranks = [r for k in ranks for r in ranks[k]]
    print(f"\n{len(rows)} questions ({args.split}), mode {args.mode}, {kb.registry.chunk_count():,} passages, "
          f"{elapsed / max(len(rows), 1) * 1000:.0f} ms per question\n")
    head = "| kind | n | R@1 | R@5 | R@10 | MRR@10 |" + ("" if args.no_ask else " answered | cited | quoted |")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    kinds = [*KINDS, *sorted(k for k in ranks if k not in KINDS)]
    for kind in [*kinds, "all"]:
        rk = all_ranks if kind == "all" else ranks.get(kind, [])
        if not rk:
            continue
        m = retrieval_metrics(rk)
        line = f"| {kind} | {len(rk)} | {m['R@1']:.3f} | {m['R@5']:.3f} | {m['R@10']:.3f} | {m['MRR@10']:.3f} |"
        if not args.no_ask:
            a: dict[str, int] = defaultdict(int)
            for k in (kinds if kind == "all" else [kind]):
                for key, v in asked[k].items():
                    a[key] += v
            n = max(a["n"], 1)
            line += f" {a['found'] / n:.3f} | {a['cited'] / n:.3f} | {a['quoted'] / n:.3f} |"
        print(line)
    if not args.no_ask and asked["unanswerable"]["n"]:
        u = asked["unanswerable"]
        print(f"\nunanswerable: {u['n']}, refused {1 - u['found'] / u['n']:.3f}")
    if args.json:
        Path(args.json).write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                                   encoding="utf-8")
    kb.close()


if __name__ == "__main__":
    main()
