"""The 论述摘编 measured against a hand-made gold list, over the 58 speeches and articles of
../shared/corpus/policy/xi_speeches_2020.

Gold: bench/excerpts_gold.jsonl, one statement a line: {"topic", "id", "file", "text"}, the
text an exact substring of the file. Statements with the same id are one statement said in
several speeches (or the same speech printed twice). How it was made: for each topic, every
sentence of the 58 files containing one of the topic's words was read and judged by hand
(statement of substance on the topic, or not), plus a few statements found by reading
around them; so statements on a topic that use none of those words can be missing.

    python bench/excerpts.py                 # keyword mode (fast), default size
    python bench/excerpts.py --max 60 -v     # another size; list the misses and the extras
    python bench/excerpts.py --vectors       # hybrid: embed the speeches (vectors from the
                                             # shared cache bench/cache/policy-vectors.sqlite)

Per topic: excerpts returned, precision (excerpts that are a gold statement), recall (gold
statements found, a repeat counting once), the share of excerpts that are not gold
(narration, greetings, leads or off-topic), and duplicates left (two excerpts that are the
same statement). Rows with "via": "review" were added after reading the first runs' extra
excerpts (statements on the topic without the words the pool was drawn with); 公共卫生
("split": "held-out") was judged only after the rules were set on the other five.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SPEECHES = ROOT.parent / "shared" / "corpus" / "policy" / "xi_speeches_2020"
GOLD = ROOT / "bench" / "excerpts_gold.jsonl"
CACHE = ROOT / "bench" / "cache"


def key(text: str) -> str:
    from policykb.excerpts.build import _key

    return _key(text)


def same_statement(a: str, b: str) -> bool:
    """Two texts are the same statement when one holds most of the other."""
    ka, kb = key(a), key(b)
    if not ka or not kb:
        return False
    if ka in kb or kb in ka:
        return True
    m = SequenceMatcher(None, ka, kb, autojunk=False).find_longest_match(0, len(ka), 0, len(kb))
    return m.size >= 0.8 * min(len(ka), len(kb)) and m.size >= 0.5 * max(len(ka), len(kb))


def open_library(vectors: bool):  # type: ignore[no-untyped-def]
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    home = CACHE / f"excerpts-speeches{'-vec' if vectors else ''}"
    kb = KnowledgeBase(Settings(home=home))
    t = time.perf_counter()
    kb.ingest([SPEECHES], wait=False)
    print(f"library {home.name}: {kb.registry.chunk_count():,} passages, {time.perf_counter() - t:.1f}s",
          file=sys.stderr)
    if vectors and kb.registry.pending_count():
        from policy_eval import sync_vectors  # type: ignore[import-not-found]

        name = kb.embedder.name
        got = sync_vectors(kb.dir / "registry.sqlite", name, "in")
        print(f"embedding {kb.registry.pending_count():,} passages ({got:,} from the shared cache)", file=sys.stderr)
        kb.embed_pending()
        sync_vectors(kb.dir / "registry.sqlite", name, "out")
    return kb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--max", type=int, default=None, help="excerpts per topic (default: the product's default)")
    ap.add_argument("--vectors", action="store_true", help="hybrid mode with the speeches embedded")
    ap.add_argument("--topic", default=None, help="one topic only")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    from policykb.excerpts.build import DEFAULT_MAX, ExcerptRequest, compile_excerpts

    gold: dict[str, list[dict[str, str]]] = defaultdict(list)
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold[row["topic"]].append(row)
    kb = open_library(args.vectors)
    size = args.max or DEFAULT_MAX
    totals = defaultdict(float)
    print(f"{'topic':<10} {'excerpts':>8} {'gold':>5} {'precision':>9} {'recall':>7} {'not gold':>8} {'dups':>5}")
    for topic, rows in gold.items():
        if args.topic and topic != args.topic:
            continue
        t = time.perf_counter()
        result = compile_excerpts(kb, ExcerptRequest(topic=topic, max_excerpts=size,
                                                     mode="hybrid" if args.vectors else "keyword"))
        took = time.perf_counter() - t
        excerpts = result.excerpts()
        ids = {r["id"] for r in rows}
        found: dict[str, int] = defaultdict(int)
        extras = []
        for e in excerpts:
            hit = {r["id"] for r in rows if any(same_statement(s.text, r["text"]) for s in e.sources)}
            for gid in hit:
                found[gid] += 1
            if not hit:
                extras.append(e)
        correct = len(excerpts) - len(extras)
        precision = correct / len(excerpts) if excerpts else 0.0
        recall = len(found) / len(ids)
        dups = sum(n - 1 for n in found.values()) + sum(
            1 for i, a in enumerate(excerpts) for b in excerpts[i + 1:] if same_statement(a.text, b.text))
        mark = "*" if any(r.get("split") == "held-out" for r in rows) else " "
        print(f"{topic + mark:<10} {len(excerpts):>8} {len(ids):>5} {precision:>9.2f} {recall:>7.2f} "
              f"{len(extras) / max(len(excerpts), 1):>8.2f} {dups:>5}   ({took:.1f}s, {len(result.groups)} groups: "
              f"{' / '.join(g.name for g in result.groups)})")
        totals["excerpts"] += len(excerpts)
        totals["correct"] += correct
        totals["gold"] += len(ids)
        totals["found"] += len(found)
        totals["dups"] += dups
        totals["topics"] += 1
        if args.verbose:
            for e in extras:
                print(f"    + {e.text[:100]}  {e.citation()[:40]}")
            for i, a in enumerate(excerpts):
                for b in excerpts[i + 1:]:
                    if same_statement(a.text, b.text):
                        print(f"    ≈ {a.text[:60]} | {b.text[:60]}")
            for gid, n in found.items():
                if n > 1:
                    print(f"    × {n}: {next(r['text'][:80] for r in rows if r['id'] == gid)}")
            for r in rows:
                if r["id"] not in found:
                    print(f"    - {r['text'][:100]}  ({r['file'][:3]})")
    print("* judged after the thresholds were set on the other topics (first run 0.52 / 0.45 with the"
          " 疫情防控 thesaurus entry; then it got its own entry and narration rules were added)")
    if totals["topics"]:
        print(f"{'all':<10} {int(totals['excerpts']):>8} {int(totals['gold']):>5} "
              f"{totals['correct'] / max(totals['excerpts'], 1):>9.2f} {totals['found'] / totals['gold']:>7.2f} "
              f"{1 - totals['correct'] / max(totals['excerpts'], 1):>8.2f} {int(totals['dups']):>5}   (micro; size {size})")
    kb.close()


if __name__ == "__main__":
    main()
