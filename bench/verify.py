"""How well the quotation check (policykb verify) tells exact, misquoted and invented quotations apart.

    python bench/verify.py                  # 100 of each kind over the ncp library
    python bench/verify.py --n 50 --seed 3

The library is the ncp knowledge base built by bench/retrieval.py (599 notices). Quotations
are drawn at random (fixed seed):
- exact:    a 20-60 character stretch of a sentence of a library document, verbatim;
- misquote: the same kind of stretch with one change: a number replaced by another, a word
            of 2-4 characters left out, or a word replaced by another word of the library;
- invented: a sentence from ../shared/corpus/policy (documents not in this library).
Each is put in quotation marks, 20 to a draft, and checked; the table shows what each kind
was judged (一致 exact / 有出入 close / 未找到 not_found), then the time per quotation.
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from bench.common import ncp_home  # noqa: E402

_SENTENCE = re.compile(r"[^。！？；\n“”「」]{20,60}")
_NUMBER = re.compile(r"\d+")


def misquote(text: str, words: list[str], rng: random.Random) -> str | None:
    from policykb.index.tokenize import tokenize

    numbers = list(_NUMBER.finditer(text))
    choice = rng.choice(["number", "drop", "swap"] if numbers else ["drop", "swap"])
    if choice == "number":
        m = rng.choice(numbers)
        new = str(int(m.group()) + rng.randint(1, 9))
        return text[:m.start()] + new + text[m.end():]
    inner = [w for w in tokenize(text, sub_words=False) if 2 <= len(w) <= 4 and w in text[4:-4]]
    if not inner:
        return None
    word = rng.choice(inner)
    at = text.index(word, 4)
    replacement = "" if choice == "drop" else rng.choice([w for w in words if len(w) == len(word) and w != word])
    return text[:at] + replacement + text[at + len(word):]


def main() -> None:
    from policykb.index.tokenize import tokenize
    from policykb.ingest import iter_input_files, parse_file
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100, help="quotations of each kind")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    home = ncp_home()
    if not home.exists():
        sys.exit("run bench/retrieval.py first: it builds the ncp knowledge base")
    kb = KnowledgeBase(Settings(home=home))
    rng = random.Random(args.seed)

    docs = kb.list_documents(limit=1000)[0]
    stretches = [s for doc in docs for s in _SENTENCE.findall(kb.document_text(doc.id) or "")]
    words = sorted({w for s in rng.sample(stretches, 500) for w in tokenize(s, sub_words=False) if len(w) >= 2})
    exact = rng.sample(stretches, args.n)
    misquoted: list[str] = []
    while len(misquoted) < args.n:
        changed = misquote(rng.choice(stretches), words, rng)
        if changed:
            misquoted.append(changed)
    policy = [s for f in sorted(iter_input_files([SHARED / "corpus" / "policy"]))[:120]
              for s in _SENTENCE.findall(parse_file(f).text)]
    invented = rng.sample(policy, args.n)

    kb.search("预热", top_k=5)
    table: dict[str, dict[str, int]] = {}
    started, total = time.perf_counter(), 0
    for kind, quotes in (("exact", exact), ("misquote", misquoted), ("invented", invented)):
        row = table.setdefault(kind, {"exact": 0, "close": 0, "not_found": 0})
        for i in range(0, len(quotes), 20):
            batch = quotes[i:i + 20]
            report = kb.verify("".join(f"文件指出：“{q}”。\n" for q in batch))
            total += len(report.items)
            for item in report.items:
                row[item.status] += 1
    seconds = time.perf_counter() - started
    print(f"library: {home.name}, {kb.registry.chunk_count():,} passages; {args.n} quotations of each kind, seed {args.seed}")
    print(f"| {'kind':<9} | 一致 exact | 有出入 close | 未找到 not_found |")
    print("|-----------|-----------|--------------|------------------|")
    for kind, row in table.items():
        print(f"| {kind:<9} | {row['exact']:9} | {row['close']:12} | {row['not_found']:16} |")
    print(f"{total} quotations checked in {seconds:.1f} s: {seconds / max(total, 1) * 1000:.0f} ms each")
    kb.close()


if __name__ == "__main__":
    main()
