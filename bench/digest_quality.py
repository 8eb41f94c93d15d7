"""How good are the 汇编's key points and groups? Measured against a gold set made by hand.

    python bench/digest_quality.py [--gold bench/digest_gold.jsonl] [--verbose]
    python bench/digest_quality.py --gold bench/digest_gold_holdout.jsonl
    python bench/digest_quality.py --keypoints ../main/policykb/digest/keypoints.py   # another selector

bench/digest_gold_holdout.jsonl: six more documents picked the same way after the selector
had been tuned on digest_gold.jsonl (its first measurement is the one that says how the
selector generalises; README gives both).

bench/digest_gold.jsonl: one document of ../shared/corpus/policy per line, `{"file", "kind",
"group", "points": [...]}`; `points` are the passages an editor would print as the document's
key points (verbatim extracts, picked by reading the document), `group` the group an editor
would put it under in a quarter's 汇编.

Prints, from the same functions the digest uses (policykb.digest.keypoints / grouping) on
the parsed files (no database, no model):

- covered: gold points found in one of the document's key points (a key point contains
  the gold text, or shares a run of at least 80% of it), per document and in total;
- generic: share of all key points that are generic by this script's own rubric, written
  from the issue's examples and apart from the selector's code: (1) an address, thanks,
  report formula, photo caption or exhortation (保持战略定力, 凝心聚力, 奋力谱写 …); (2) a
  review of the past (starts with 过去一年 / 五年来 / 回顾 …, or sits in a section headed
  回顾 / 成就 / 总结) in a document that is not itself a review; (3) a sentence that is not
  one of the document's numbered headings, has no figure, and whose character bigrams are
  all (≥ 95%) common in the corpus (each in ≥ 5% of its 596 documents) — a sentence that
  could stand in any document;
- target: share of the 31 provincial 2026 reports whose key points include the sentence
  with the year's 主要预期目标 and its figures;
- grouping: each gold document's group against the gold group, and the 31 reports;
- coverage table: per collection, the quartiles of the best topic's passage coverage (the
  measure behind grouping.BODY_COVERAGE / TITLE_COVERAGE).
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLICY = ROOT.parent / "shared" / "corpus" / "policy"

_RUBRIC = re.compile(
    r"各位代表|同志们|女士们|先生们|朋友们|请予审议|提出意见|谢谢|衷心的?感谢|崇高的?敬意|诚挚的?问候|"
    r"新年好|大家好|我代表.{0,8}(?:政府|大会)|记者|摄影?$|来源[：:]|编辑[：:]|"
    r"战略定力|必胜信心|凝心聚力|砥砺奋进|奋力谱写|踔厉奋发|勇毅前行|团结奋斗|新的更大贡献|不懈奋斗"
)
_PAST = re.compile(r"^(?:过去一年|过去五年|这一年|这五年|一年来|五年来|回顾|去年|\d{4}年[，,]|“十[三四]五”(?:时期|以来))")
_REVIEW_HEADING = re.compile(r"回顾|成就|总结")
_REVIEW_TITLE = re.compile(r"总结|回顾|情况的报告")
_FIGURE = re.compile(r"\d")


def norm(text: str) -> str:
    return re.sub(r"\s", "", text)


def covers(point: str, gold: str) -> bool:
    p, g = norm(point), norm(gold)
    if g in p:
        return True
    m = SequenceMatcher(None, p, g, autojunk=False).find_longest_match(0, len(p), 0, len(g))
    return m.size >= 0.8 * len(g)


def bigrams(text: str) -> set[str]:
    t = norm(text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


class Commonness:
    """Document frequency of character bigrams over the whole policy corpus."""

    def __init__(self, texts: list[str]) -> None:
        self.n = len(texts)
        self.df: Counter[str] = Counter()
        for t in texts:
            self.df.update(bigrams(t))

    def common_share(self, sentence: str, min_df: float = 0.25) -> float:
        grams = bigrams(sentence)
        if not grams:
            return 1.0
        return sum(1 for g in grams if self.df[g] >= min_df * self.n) / len(grams)


def is_heading_of(sentence: str, text: str) -> bool:
    head = re.escape(norm(sentence)[:12])
    return bool(re.search(r"(?:^|\n)[ \t\u3000]*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|"
                          r"\d{1,2}[.．、]|第[一二三四五六七八九十百]{1,4}[条，,])[ \t\u3000]*" + head, text))


def is_generic(sentence: str, common: Commonness, *, text: str = "", section: tuple[str, ...] = (),
               title: str = "") -> bool:
    """The rubric in the module docstring; `text`, `section`, `title` are the point's document
    text, its section path and the document's title (for rules 2 and 3)."""
    s = sentence.strip()
    if _RUBRIC.search(s):
        return True
    if not _REVIEW_TITLE.search(title) and (_PAST.match(s) or (section and _REVIEW_HEADING.search(section[0]))):
        return True
    if _FIGURE.search(s) or (text and is_heading_of(s, text)):
        return False
    return common.common_share(s, 0.05) >= 0.95


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=ROOT / "bench" / "digest_gold.jsonl")
    ap.add_argument("--verbose", "-v", action="store_true", help="list missed gold points and generic points")
    ap.add_argument("--keypoints", type=Path, default=None,
                    help="a keypoints.py to measure instead (e.g. an older version's), by its extract_key_points")
    args = ap.parse_args()
    if not POLICY.is_dir():
        print(f"../shared/corpus/policy not found at {POLICY}: nothing to measure", file=sys.stderr)
        return 2

    from policykb.digest.grouping import choose_group, topic_evidence
    from policykb.digest.keypoints import extract_key_points

    if args.keypoints:
        import importlib.util

        spec = importlib.util.spec_from_file_location("other_keypoints", args.keypoints)
        assert spec and spec.loader
        other = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = other  # dataclasses look their module up while the class is made
        spec.loader.exec_module(other)
        extract_key_points = other.extract_key_points  # noqa: F811
    from policykb.digest.topics import DEFAULT_TOPICS
    from policykb.ingest.pipeline import parse_file

    topics = list(DEFAULT_TOPICS)
    files = sorted(p for p in POLICY.glob("*/*") if p.suffix in (".txt", ".md"))
    parsed = {str(p.relative_to(POLICY)): parse_file(p) for p in files}
    common = Commonness([d.text for d in parsed.values()])
    gold = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]

    total = hit = points_n = generic_n = 0
    group_ok = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    print(f"{'document':44} {'kind':6} {'covered':>8} {'points':>6} {'generic':>7}  group (gold)")
    for g in gold:
        doc = parsed[g["file"]]
        kps = extract_key_points(doc.chunks, doc.meta.title)
        texts = [k.text for k in kps]
        covered = [any(covers(t, gp) for t in texts) for gp in g["points"]]
        generic = [k.text for k in kps if is_generic(k.text, common, text=doc.text, title=doc.meta.title or "",
                                                         section=tuple(doc.chunks[k.chunk_index].section_path))]
        grouping = choose_group(topics, title=doc.meta.title, doc_type=doc.meta.doc_type,
                                filename=Path(g["file"]).name, passages=[c.text for c in doc.chunks])
        ok = grouping.group == g["group"]
        total += len(covered)
        hit += sum(covered)
        points_n += len(texts)
        generic_n += len(generic)
        group_ok += ok
        by_kind[g["kind"]][0] += sum(covered)
        by_kind[g["kind"]][1] += len(covered)
        name = Path(g["file"]).stem[:42]
        print(f"{name:44} {g['kind']:6} {sum(covered):>3}/{len(covered):<4} {len(texts):>6} {len(generic):>7}  "
              f"{grouping.group}{'' if ok else ' ✗ (' + g['group'] + ')'}")
        if args.verbose:
            for gp, c in zip(g["points"], covered):
                if not c:
                    print(f"      missed: {gp}")
            for t in generic:
                print(f"      generic: {t[:80]}")

    print()
    print(f"gold points covered: {hit}/{total} = {hit / total:.1%}")
    for kind, (h, n) in sorted(by_kind.items()):
        print(f"  {kind:6} {h}/{n} = {h / n:.0%}")
    print(f"generic key points: {generic_n}/{points_n} = {generic_n / max(points_n, 1):.1%}")
    print(f"grouping agrees with gold: {group_ok}/{len(gold)} = {group_ok / len(gold):.0%}")

    # The 31 provincial reports: targets among the key points, generic share, their group.
    reports = {k: v for k, v in parsed.items() if k.startswith("gov_work_reports_provincial_2026/")}
    with_target = rep_points = rep_generic = 0
    groups: Counter[str] = Counter()
    for rel, doc in reports.items():
        kps = extract_key_points(doc.chunks, doc.meta.title)
        with_target += any(re.search(r"预期目标|生产总值增长|经济增长", k.text) and _FIGURE.search(k.text)
                           for k in kps)
        rep_points += len(kps)
        gen = [k.text for k in kps if is_generic(k.text, common, text=doc.text, title=doc.meta.title or "",
                                                 section=tuple(doc.chunks[k.chunk_index].section_path))]
        rep_generic += len(gen)
        if args.verbose:
            for t in gen:
                print(f"      report generic: {Path(rel).stem[:20]} {t[:80]}")
        groups[choose_group(topics, title=doc.meta.title, doc_type=doc.meta.doc_type, filename=Path(rel).name,
                            passages=[c.text for c in doc.chunks]).group] += 1
    print(f"provincial 2026 reports with their main targets among the key points: {with_target}/{len(reports)}")
    print(f"provincial 2026 reports: {rep_points} key points, generic {rep_generic} = "
          f"{rep_generic / max(rep_points, 1):.1%}; grouped as {dict(groups)}")

    # Every document of the corpus: how many of all key points are generic, per collection.
    per_col: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for rel, doc in parsed.items():
        for k in extract_key_points(doc.chunks, doc.meta.title):
            row = per_col[rel.split("/")[0]]
            row[1] += 1
            gen = is_generic(k.text, common, text=doc.text, title=doc.meta.title or "",
                             section=tuple(doc.chunks[k.chunk_index].section_path))
            row[0] += gen
            if gen and args.verbose:
                print(f"      corpus generic: {Path(rel).stem[:24]} {k.text[:70]}")
    g_all, n_all = sum(r[0] for r in per_col.values()), sum(r[1] for r in per_col.values())
    print(f"all {len(parsed)} documents: {n_all} key points, generic {g_all} = {g_all / max(n_all, 1):.1%}")
    for c, r in sorted(per_col.items()):
        print(f"  {c:36} generic {r[0]}/{r[1]}")

    print("\nbest topic's passage coverage by collection (quartiles 25/50/75%), share with a title hit:")
    cols: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for rel, doc in parsed.items():
        ev = topic_evidence(topics, doc.meta.title, [c.text for c in doc.chunks])
        best = max(ev, key=lambda e: e.coverage)
        cols[rel.split("/")[0]].append((best.coverage, any(e.title_hit for e in ev)))
    for col, rows in sorted(cols.items()):
        cov = sorted(c for c, _ in rows)
        q = statistics.quantiles(cov, n=4) if len(cov) > 1 else [cov[0]] * 3
        print(f"  {col:36} n={len(rows):3}  {q[0]:.2f} {q[1]:.2f} {q[2]:.2f}  title {sum(t for _, t in rows) / len(rows):.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
