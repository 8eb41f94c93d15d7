"""Fit the answer's passage selector (policykb/answer/selection.py) on one half of the
policy questions and report it on the other half.

    python bench/fit_answer.py --collections party_regulations,eight_point_rules_and_notices,supervision_discipline_regulations,gov_work_reports_provincial_2026
    python bench/fit_answer.py --mode keyword          # the weights for libraries without vectors

For every answerable question of bench/policy_questions.jsonl it searches as `ask` does
(the top ASK_CANDIDATES passages), describes each candidate by the selector's features and
marks the passages that hold the gold answer (right file, answer text inside). The model
is a softmax over each question's candidates (maximum likelihood of choosing a gold
passage, L2-regularised), fitted on split a. It prints, for split a and split b, how often
the chosen passage holds the answer under: retrieval's first passage, the weights in
force, and the fitted weights, which it prints for selection.py. Questions whose
candidates hold no gold passage cannot be won by any choice; they are counted apart.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.policy_eval import contains, load, open_library, right_file  # noqa: E402


def collect(kb: Any, rows: list[dict[str, Any]], mode: str) -> list[dict[str, Any]]:
    from policykb.answer.selection import features

    out = []
    for row in rows:
        q = row["question"]
        hits = kb.search(q, top_k=kb.ASK_CANDIDATES, mode=mode).results
        if not hits:
            continue
        weights = kb.question_weights(q)
        sq = kb.answer_question(q, weights)
        x = features(sq, hits, [kb._evidence_text(h) for h in hits])
        gold = [int(right_file(row, h.source_path) and contains(row["answer"], h.text)) for h in hits]
        out.append({"qid": row["qid"], "kind": row["kind"], "split": row["split"], "x": x, "gold": gold,
                    "question": q, "labels": [f"{h.title} › {' › '.join(h.section_path[-1:])}: {h.text[:40]}"
                                              for h in hits]})
    return out


def fit(records: list[dict[str, Any]], l2: float, steps: int = 3000, lr: float = 0.05) -> np.ndarray:
    """Softmax over each question's candidates; gradient ascent on the log-likelihood of
    the gold passages (Adam), each weight kept on the side selection.SIGNS allows."""
    from policykb.answer.selection import FEATURES, SIGNS

    signs = np.array([SIGNS.get(f, 0) for f in FEATURES], dtype=float)
    data = [(np.array(r["x"], dtype=float), np.array(r["gold"], dtype=float)) for r in records if any(r["gold"])]
    d = len(data[0][0][0])
    w = np.zeros(d)
    m, v = np.zeros(d), np.zeros(d)
    for t in range(1, steps + 1):
        grad = -l2 * w
        for x, g in data:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            target = g / g.sum()
            grad += (target - p) @ x
        grad /= len(data)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        w += lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        w = np.where(signs * w < 0, 0.0, w)
    return w


def accuracy(records: list[dict[str, Any]], w: np.ndarray | None) -> tuple[float, int]:
    won = 0
    for r in records:
        x = np.array(r["x"], dtype=float)
        i = 0 if w is None else int(np.argmax(x @ w - 1e-9 * np.arange(len(x))))
        won += r["gold"][i]
    return won / max(len(records), 1), won


def main() -> None:
    from policykb.answer import selection

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--collections", default="")
    ap.add_argument("--mode", default="hybrid", choices=["hybrid", "keyword"])
    ap.add_argument("--l2", type=float, default=0.03)
    ap.add_argument("--misses", action="store_true", help="print split b's wrong choices")
    ap.add_argument("--records", default="", help="read (or, when missing, write) the candidates' features here")
    args = ap.parse_args()
    collections = [c for c in args.collections.split(",") if c]
    path = Path(args.records) if args.records else None
    if path and path.exists():
        records = json.loads(path.read_text(encoding="utf-8"))
    else:
        rows = [r for r in load(ROOT / "bench" / "policy_questions.jsonl", "all")
                if r["kind"] != "unanswerable" and (not collections or r.get("collection") in collections)]
        kb = open_library(collections, False, embed=args.mode != "keyword",
                          **({"weight_vector": 0.0} if args.mode == "keyword" else {}))
        records = collect(kb, rows, args.mode)
        if path:
            path.write_text(json.dumps(records), encoding="utf-8")
    a = [r for r in records if r["split"] == "a"]
    b = [r for r in records if r["split"] == "b"]
    w = fit(a, args.l2)
    current = selection.WEIGHTS if args.mode == "hybrid" else selection.LEXICAL_WEIGHTS
    w_now = np.array([current.get(f, 0.0) for f in selection.FEATURES])
    print(f"{len(records)} questions ({len(a)} a / {len(b)} b); mode {args.mode}")
    print(f"gold among the candidates: a {sum(any(r['gold']) for r in a)}, b {sum(any(r['gold']) for r in b)}")
    print("| choice | split a | split b |\n|---|---|---|")
    for name, weights in (("retrieval's first", None), ("weights in force", w_now), ("fitted on a", w)):
        print(f"| {name} | {accuracy(a, weights)[0]:.3f} | {accuracy(b, weights)[0]:.3f} |")
    # The answer also quotes the runner-up when its probability is at least ALSO_RATIO of
    # the first's: how often one of the two holds the answer, and how many answers grow.
    for ratio in sorted({0.2, 0.3, 0.5, selection.ALSO_RATIO}):
        cells = []
        for rs in (a, b):
            won = grew = 0
            for r in rs:
                s = np.array(r["x"], dtype=float) @ w_now
                order = np.argsort(-s, kind="stable")
                chosen = [order[0], *[j for j in order[1:2] if np.exp(s[j] - s[order[0]]) >= ratio]]
                won += any(r["gold"][j] for j in chosen)
                grew += len(chosen) > 1
            cells.append(f"{won / max(len(rs), 1):.3f} ({grew / max(len(rs), 1):.0%} with two)")
        print(f"| in force, runner-up quoted at ratio {ratio} | {cells[0]} | {cells[1]} |")
    kinds = sorted({r["kind"] for r in records})
    print("\nper kind, split b (first / in force / fitted):")
    for k in kinds:
        rb = [r for r in b if r["kind"] == k]
        print(f"  {k:<11} n={len(rb):<3} " + " / ".join(f"{accuracy(rb, x)[0]:.2f}" for x in (None, w_now, w)))
    if args.misses:
        for r in b:
            x = np.array(r["x"], dtype=float)
            i = int(np.argmax(x @ w - 1e-9 * np.arange(len(x))))
            if not r["gold"][i] and any(r["gold"]):
                g = r["gold"].index(1)
                print(f"MISS {r['qid']} {r['kind']} {r['question']}\n   chose {i}: {r['labels'][i]}\n"
                      f"         {[round(v, 2) for v in r['x'][i]]}\n   gold  {g}: {r['labels'][g]}\n"
                      f"         {[round(v, 2) for v in r['x'][g]]}")
    print("\nfitted weights:")
    print("{\n" + "".join(f'    "{f}": {v:.2f},\n' for f, v in zip(selection.FEATURES, w)) + "}")


if __name__ == "__main__":
    main()
