"""Validity, families and citations over the whole policy corpus (../shared/corpus/policy,
596 files), keyword only (no vectors: nothing here needs them).

Prints how many documents each validity got, the families of more than one version, how
many 《…》 / 文号 mentions were resolved to a library document, how long deciding all of it
again takes (`KnowledgeBase.refresh_versions`, run after every ingest, delete and hand
edit; median of 5), and a random sample of resolved citations to read by hand.
Usage: python bench/lineage.py [--sample 40] [--seed 2]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=40)
    ap.add_argument("--seed", type=int, default=2)
    args = ap.parse_args()
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    home = ROOT / "bench" / "cache" / "policy-lineage"
    kb = KnowledgeBase(Settings(home=home))
    started = time.perf_counter()
    report = kb.ingest([SHARED / "corpus" / "policy"], wait=False)
    print(f"ingest (keyword only): {report.counts()} in {time.perf_counter() - started:.1f} s")
    times = []
    for _ in range(5):
        t = time.perf_counter()
        kb.refresh_versions()
        times.append(time.perf_counter() - t)
    docs, total = kb.list_documents(limit=10_000)
    print(f"documents: {total}; validity: {dict(Counter(d.validity for d in docs))}")
    for d in docs:
        if d.validity != "现行有效":
            print(f"  {d.validity}  《{d.title}》  {d.validity_note or ''}")
    print(f"families with more than one version: {kb.registry.family_names()}")
    rows = kb.registry.reference_rows()
    by_kind = Counter((r["kind"], r["target_id"] is not None) for r in rows)
    print(f"mentions: {len(rows)}; resolved: titles {by_kind[('title', True)]} of "
          f"{by_kind[('title', True)] + by_kind[('title', False)]}, 文号 {by_kind[('doc_no', True)]} of "
          f"{by_kind[('doc_no', True)] + by_kind[('doc_no', False)]}; repeal mentions {sum(r['repeal'] for r in rows)}")
    print(f"refresh_versions over the library: median {statistics.median(times) * 1000:.0f} ms")
    titles = {d.id: d.title for d in docs}
    resolved = [r for r in rows if r["target_id"]]
    random.Random(args.seed).shuffle(resolved)
    print(f"sample of {args.sample} resolved mentions (read them):")
    for r in resolved[:args.sample]:
        print(f"  「{r['mention']}」 → 《{titles[r['target_id']]}》   in 《{titles[r['doc_id']]}》")
    kb.close()


if __name__ == "__main__":
    main()
