"""How well does the citation check separate supported from unsupported sentences?

Picks SUPPORT_THRESHOLD in policykb/answer/checks.py. Two data sets from ../shared:

- ncp: each development question (../shared/eval/ncp_dev_qa.jsonl) retrieves its top-5
  passages with BM25 over jieba tokens (the answering passage added if BM25 missed it).
  Supported: the sentence holding the answer span, scored against its own passage, both
  verbatim and reworded the way a model rewrites (clauses dropped, one moved, a lead-in
  added, a few characters lost). Unsupported: the reworded sentence scored against the
  other top-5 passages (a wrong [n] among passages on the same topic) that do not contain
  the answer, and against a random passage of another document; and the sentence with
  one of its numbers changed, against its own passage.
- policy: random sentences of the policy corpus against their own passage (reworded),
  against the nearest other passage by BM25 (hard), and against a random one.

    .venv/bin/python bench/citation_support.py [--questions 400] [--seed 7]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"

from bench.common import ncp_questions, percentile  # noqa: E402
from policykb.index.keyword import query_tokens  # noqa: E402
from policykb.index.keyword.bm25 import length_norm, term_score, weight_idf  # noqa: E402
from policykb.index.tokenize import tokenize  # noqa: E402
from policykb.answer.checks import support  # noqa: E402
from policykb.text import fold  # noqa: E402
from policykb.answer.relevance import idf_weights  # noqa: E402

LEADS = ["", "", "按照规定，", "文件明确，", "根据通知要求，", "对此，", "其中，"]
_SENT = re.compile(r"[^。！？；]+[。！？；]?")


def passages_of(text: str, size: int = 350) -> list[tuple[int, int, str]]:
    """Sentence-aligned windows of about `size` characters: (start, end, text)."""
    out, start, buf = [], 0, ""
    pos = 0
    for m in _SENT.finditer(text):
        if buf and len(buf) + len(m.group(0)) > size:
            out.append((start, pos, buf))
            start, buf = m.start(), ""
        buf += m.group(0)
        pos = m.end()
    if buf.strip():
        out.append((start, pos, buf))
    return out


class BM25:
    """A retriever over sentences for the simulation, scored by the project's BM25
    (policykb/index/keyword/bm25.py; the weighing idf, as this script always used)."""

    def __init__(self, docs: list[list[str]]) -> None:
        self.docs = [Counter(d) for d in docs]
        self.lens = [len(d) for d in docs]
        self.avg = sum(self.lens) / max(len(docs), 1)
        self.df: Counter[str] = Counter()
        for d in self.docs:
            self.df.update(d.keys())
        self.n = len(docs)
        self.postings: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for t in d:
                self.postings.setdefault(t, []).append(i)

    def top(self, query: list[str], k: int) -> list[int]:
        scores: Counter[int] = Counter()
        for t in set(query):
            idf = weight_idf(self.n, self.df[t])
            for i in self.postings.get(t, []):
                scores[i] += term_score(idf, float(self.docs[i][t]), length_norm(float(self.lens[i]), self.avg))
        return [i for i, _ in scores.most_common(k)]


def reword(sentence: str, keep: str, rng: random.Random) -> str:
    """A model's rewording: drop some clauses (never the one with `keep`), move one,
    add a lead-in, lose a few characters."""
    body = sentence.rstrip("。！？；")
    clauses = [c for c in re.split(r"[，,；：]", body) if c.strip()]
    if len(clauses) > 1:
        kept = [c for c in clauses if (keep and keep[:6] in c) or rng.random() < 0.6] or clauses[:1]
        if len(kept) > 2 and rng.random() < 0.3:
            kept.append(kept.pop(0))
        clauses = kept
    text = "，".join(clauses)
    if len(text) > 20 and rng.random() < 0.3:
        i = rng.randrange(0, len(text) - 3)
        cut = text[i:i + rng.randint(1, 3)]
        if not any(c.isdigit() for c in cut):  # a changed number is another test
            text = text[:i] + text[i + len(cut):]
    return rng.choice(LEADS) + text + "。"


def change_number(sentence: str, rng: random.Random) -> str | None:
    nums = list(re.finditer(r"\d+", sentence))
    if not nums:
        return None
    m = rng.choice(nums)
    new = str(int(m.group(0)) + rng.choice([1, 2, 5, 10]))
    return sentence[:m.start()] + new + sentence[m.end():]


def shares_run(sentence: str, passage: str, k: int = 10) -> bool:
    """Does `passage` repeat any `k` characters of `sentence` (then it may well support
    it: another version of the same regulation, a city copying the province)?"""
    a, b = fold(sentence), fold(passage)
    return any(a[i:i + k] in b for i in range(0, max(1, len(a) - k + 1)))


def score(df: Counter[str], n: int, sentence: str, passage: str) -> float:
    tokens = query_tokens(sentence)
    return support(idf_weights(tokens, df, n), sentence, passage)


def pct(values: list[float], q: float) -> float:
    return percentile(values, q * 100)


def report(name: str, values: list[float]) -> None:
    print(f"  {name:<34} n={len(values):<5} p1={pct(values, .01):.2f} p5={pct(values, .05):.2f} "
          f"median={pct(values, .5):.2f} p95={pct(values, .95):.2f} p99={pct(values, .99):.2f}")


def sweep(pos: list[float], negs: dict[str, list[float]]) -> float:
    print("  threshold  supported-pass  " + "  ".join(f"{k}-flagged" for k in negs) + "  balanced")
    best, best_t = -1.0, 0.0
    for i in range(6, 19):
        t = i * 0.05
        tp = sum(v >= t for v in pos) / len(pos)
        rates = {k: sum(v < t for v in vs) / len(vs) for k, vs in negs.items() if vs}
        bal = (tp + sum(rates.values()) / len(rates)) / 2
        if bal > best:
            best, best_t = bal, t
        print(f"  {t:9.2f}  {tp:14.3f}  " + "  ".join(f"{rates[k]:{len(k) + 8}.3f}" for k in rates) + f"  {bal:8.3f}")
    print(f"  best balanced accuracy {best:.3f} at {best_t:.2f}")
    return best_t


def ncp(args: argparse.Namespace, rng: random.Random) -> None:
    docs_dir = SHARED / "corpus" / "ncp" / "docs"
    qa = ncp_questions()
    rng.shuffle(qa)
    qa = qa[: args.questions]
    passages: list[tuple[str, int, int, str]] = []
    for path in sorted(docs_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        passages += [(path.stem, s, e, t) for s, e, t in passages_of(text)]
    toks = [tokenize(p[3]) for p in passages]
    bm = BM25(toks)
    df: Counter[str] = Counter()
    for t in toks:
        df.update(set(t))
    n = len(passages)
    by_doc: dict[str, list[int]] = {}
    for i, p in enumerate(passages):
        by_doc.setdefault(p[0], []).append(i)

    verbatim, reworded, wrong, rand, changed = [], [], [], [], []
    for q in qa:
        own = next((i for i in by_doc.get(q["docid"], []) if passages[i][1] <= q["answer_start"] < passages[i][2]), None)
        if own is None:
            continue
        text = passages[own][3]
        local = q["answer_start"] - passages[own][1]
        sent = next((m.group(0) for m in _SENT.finditer(text) if m.start() <= local < m.end()), None)
        if not sent or len(sent) < 8:
            continue
        top = bm.top(query_tokens(q["question"]), 5)
        para = reword(sent, q["answer"], rng)
        verbatim.append(score(df, n, sent, text))
        reworded.append(score(df, n, para, text))
        for i in top:
            other = passages[i][3]
            if i == own or shares_run(q["answer"], other) or shares_run(sent, other):
                continue
            wrong.append(score(df, n, para, other))
        j = rng.randrange(n)
        while passages[j][0] == q["docid"]:
            j = rng.randrange(n)
        rand.append(score(df, n, para, passages[j][3]))
        bad = change_number(sent, rng)
        if bad:
            changed.append(score(df, n, bad, text))
    print(f"ncp: {len(verbatim)} questions, {n} passages")
    report("verbatim vs own passage", verbatim)
    report("reworded vs own passage", reworded)
    report("reworded vs other top-5 passage", wrong)
    report("reworded vs random passage", rand)
    report("number changed vs own passage", changed)
    sweep(reworded, {"wrong": wrong, "random": rand, "number": changed})


def policy(args: argparse.Namespace, rng: random.Random) -> None:
    root = SHARED / "corpus" / "policy"
    files = sorted(p for p in root.rglob("*") if p.suffix in (".txt", ".md"))
    rng.shuffle(files)
    passages: list[tuple[str, str]] = []
    for path in files[: args.policy_docs]:
        text = path.read_text(encoding="utf-8")[:20000]
        passages += [(path.name, t) for _, _, t in passages_of(text)]
    toks = [tokenize(t) for _, t in passages]
    bm = BM25(toks)
    df: Counter[str] = Counter()
    for t in toks:
        df.update(set(t))
    n = len(passages)
    reworded, near, rand = [], [], []
    for _ in range(args.questions):
        i = rng.randrange(n)
        sents = [s for s in _SENT.findall(passages[i][1]) if len(s) >= 15]
        if not sents:
            continue
        sent = rng.choice(sents)
        para = reword(sent, "", rng)
        reworded.append(score(df, n, para, passages[i][1]))
        for j in bm.top(query_tokens(sent), 5):
            if j != i and not shares_run(sent, passages[j][1]):
                near.append(score(df, n, para, passages[j][1]))
                break
        j = rng.randrange(n)
        if passages[j][0] != passages[i][0]:
            rand.append(score(df, n, para, passages[j][1]))
    print(f"policy: {len(reworded)} sentences, {n} passages from {args.policy_docs} documents")
    report("reworded vs own passage", reworded)
    report("reworded vs nearest other passage", near)
    report("reworded vs random passage", rand)
    sweep(reworded, {"nearest": near, "random": rand})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=400)
    ap.add_argument("--policy-docs", type=int, default=120)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    ncp(args, random.Random(args.seed))
    print()
    policy(args, random.Random(args.seed))


if __name__ == "__main__":
    main()
