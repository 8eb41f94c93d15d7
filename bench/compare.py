"""Alignment quality of 新旧对照 (policykb/compare.py) on the 纪律处分条例 2018 → 2023.

bench/compare_gold.jsonl: 54 hand-checked links, sampled systematically (every 4th article
of the 2023 text: 40; every 10th article of the 2018 text from the 3rd: 14), each with its
true counterpart read from both texts, or null for an article that was added or deleted.

For each sampled article the aligner's counterpart is compared with the gold one.
precision = correct pairs / pairs the aligner made for sampled articles;
recall = correct pairs / gold pairs (nulls excluded from both); added/deleted accuracy
= share of gold nulls the aligner also left unpaired. Usage: python bench/compare.py
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED  # noqa: E402

from policykb.compare import compare_texts  # noqa: E402
from policykb.ingest import parse_file  # noqa: E402

REGS = SHARED / "corpus" / "policy" / "party_regulations"
OLD, NEW = REGS / "010_中国共产党纪律处分条例_2018.md", REGS / "011_中国共产党纪律处分条例_2023.md"


def main() -> None:
    gold = [json.loads(x) for x in (ROOT / "bench" / "compare_gold.jsonl").read_text(encoding="utf-8").splitlines() if x]
    comparison = compare_texts(parse_file(OLD).text, parse_file(NEW).text)
    new_to_old = {p.new.label: p.old.label if p.old else None for p in comparison.pairs if p.new}
    old_to_new = {p.old.label: p.new.label if p.new else None for p in comparison.pairs if p.old}
    made = correct = gold_pairs = nulls = nulls_right = 0
    wrong = []
    for g in gold:
        if g["sampled"] == "new":
            predicted = (new_to_old[g["new"]], g["new"])
        else:
            predicted = (g["old"], old_to_new[g["old"]])
        truth = (g["old"], g["new"])
        made += None not in predicted
        gold_pairs += None not in truth
        correct += None not in truth and predicted == truth
        if None in truth:
            nulls += 1
            nulls_right += predicted == truth
        if predicted != truth:
            wrong.append(f"  gold {truth}  aligner {predicted}  {g['note']}")
    print(f"{OLD.name} -> {NEW.name}: {comparison.counts}")
    print(f"gold links: {len(gold)} ({gold_pairs} pairs, {nulls} added/deleted)")
    print(f"precision {correct / made:.3f} ({correct}/{made})  recall {correct / gold_pairs:.3f} ({correct}/{gold_pairs})"
          f"  added/deleted right {nulls_right}/{nulls}")
    print("\n".join(wrong) or "  no disagreements")


if __name__ == "__main__":
    main()
