"""How well parsed metadata matches ../shared/corpus/policy/manifest.tsv.

    python bench/metadata_accuracy.py            # the table
    python bench/metadata_accuracy.py -v         # also list every disagreement
    python bench/metadata_accuracy.py --field issuer -v

The manifest was filled in by whoever collected each document (its own columns, not our
parser), so it is a fair yardstick, with caveats the comparison respects:
  * issuer: policy_docs_central / policy_docs_shandong issuers are English, and speeches
    name a person (习近平) — those rows count for coverage only. Two issuers agree when
    one contains the other ("国务院" vs "国务院办公厅"); "A/B" in the manifest means either.
  * date: compared on the common prefix ("2008" agrees with "2008-03-05").
  * doc_type: the manifest has coarse categories; each is mapped to the parsed types that
    belong to it, and unmapped categories count for coverage only.
  * doc_no: the manifest lists every 发文字号 cited in the text (docnums_in_text), so the
    parsed number agrees when it is among them.
A field's "wrong" count is what users would see as an error: a value that disagrees.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POLICY = ROOT.parent / "shared" / "corpus" / "policy"

from policykb.ingest import parse_file  # noqa: E402
from policykb.ingest.metadata import normalise_doc_no  # noqa: E402

_POLICY_TYPES = {"通知", "意见", "方案", "办法", "规定", "规划", "计划", "措施", "细则", "决定", "指南",
                 "要点", "函", "通告", "公告", "批复", "规则", "条例", "纪要", "通报", "准则", "解释"}
_REGULATION_TYPES = {"条例", "规定", "办法", "细则", "准则", "规则", "章程", "决定", "解释", "意见", "通知"}
DOC_TYPE_MAP: dict[str, set[str]] = {
    "政策文件(通知/意见/方案等)": _POLICY_TYPES,
    "讲话/致辞/回信/文章": {"讲话"},
    "政府工作报告(国务院)": {"报告"},
    "政府工作报告(省级)": {"报告"},
    "党的全国代表大会报告": {"报告"},
    "全国人大关于政府工作报告的决议": {"决议"},
    "法律(宪法相关法)": {"法"},
    "法律(行政法)": {"法"},
    "宪法": {"法"},
    "行政法规": {"条例", "规定", "办法", "细则", "决定"},
    "党内法规": _REGULATION_TYPES,
    "纪检监察相关法规/司法解释": _REGULATION_TYPES | {"法"},
    # 八项规定相关文件 mixes notices, rules, lists and news: coverage only.
}
_ENGLISH_ISSUER_COLLECTIONS = {"policy_docs_central", "policy_docs_shandong"}
_PERSON_ISSUERS = {"习近平"}


def issuer_agrees(manifest: str, parsed: str) -> bool:
    wanted = [w.strip() for w in manifest.replace("；", "/").split("/") if w.strip()]
    parts = [p for p in parsed.replace("，", "、").split("、") if p]
    return any(w in p or p in w for w in wanted for p in parts + [parsed])


def date_agrees(manifest: str, parsed: str) -> bool:
    n = min(len(manifest), len(parsed))
    return manifest[:n] == parsed[:n]


def _days_apart(manifest: str, parsed: str) -> int:
    """Days between two ISO dates; 0 when they agree on their common prefix; large when
    either is partial and they disagree."""
    if date_agrees(manifest, parsed):
        return 0
    try:
        return abs((date.fromisoformat(manifest) - date.fromisoformat(parsed)).days)
    except ValueError:
        return 10**6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true", help="list disagreements")
    ap.add_argument("--field", choices=["issuer", "date", "doc_type", "doc_no"], help="only this field's list")
    ap.add_argument("--corpus", type=Path, default=POLICY, help="folder holding manifest.tsv")
    args = ap.parse_args()
    policy = args.corpus
    manifest = policy / "manifest.tsv"
    if not manifest.is_file():
        print(f"no manifest at {manifest}", file=sys.stderr)
        return 1
    rows = list(csv.DictReader(manifest.open(encoding="utf-8"), delimiter="\t"))
    # field -> counters: docs, covered, comparable (manifest has a value), compared (both), agree
    stats = {f: dict(docs=0, covered=0, comparable=0, compared=0, agree=0) for f in ("issuer", "date", "doc_type", "doc_no")}
    wrong: dict[str, list[str]] = {f: [] for f in stats}
    missed: dict[str, list[str]] = {f: [] for f in stats}
    near_dates = 0  # full dates within two weeks: a speech vs the day a paper printed it
    started = time.perf_counter()
    for row in rows:
        meta = parse_file(policy / row["filename"]).meta
        name = row["filename"]
        checks = {
            "issuer": (
                row["issuer"] if row["collection"] not in _ENGLISH_ISSUER_COLLECTIONS
                and row["issuer"] not in _PERSON_ISSUERS else "",
                meta.issuer, issuer_agrees,
            ),
            "date": (row["date"], meta.date, date_agrees),
            "doc_type": (
                row["doc_type"] if row["doc_type"] in DOC_TYPE_MAP else "",
                meta.doc_type, lambda m, p: p in DOC_TYPE_MAP[m],
            ),
            "doc_no": (
                row["docnums_in_text"], meta.doc_no,
                lambda m, p: p in {normalise_doc_no(x) for x in m.split(";") if x.strip()},
            ),
        }
        for field, (expected, got, agrees) in checks.items():
            s = stats[field]
            s["docs"] += 1
            s["covered"] += bool(got)
            if expected:
                s["comparable"] += 1
                if got:
                    s["compared"] += 1
                    if agrees(expected, got):
                        s["agree"] += 1
                    if field == "date" and _days_apart(expected, got) <= 14:
                        near_dates += 1
                    else:
                        wrong[field].append(f"{name}\n      manifest={expected!r} parsed={got!r}")
                else:
                    missed[field].append(f"{name}  manifest={expected!r}")
    elapsed = time.perf_counter() - started

    print(f"{len(rows)} documents from {manifest} parsed in {elapsed:.2f}s\n")
    print(f"{'field':9} {'coverage':>16} {'manifest has':>13} {'found':>14} {'agree':>14} {'wrong':>6}")
    for field, s in stats.items():
        cov = f"{s['covered']}/{s['docs']} {100 * s['covered'] / s['docs']:.0f}%"
        found = f"{s['compared']}/{s['comparable']}" + (f" {100 * s['compared'] / s['comparable']:.0f}%" if s["comparable"] else "")
        agree = f"{s['agree']}/{s['compared']}" + (f" {100 * s['agree'] / s['compared']:.0f}%" if s["compared"] else "")
        print(f"{field:9} {cov:>16} {s['comparable']:>13} {found:>14} {agree:>14} {s['compared'] - s['agree']:>6}")
    print(f"\ndate within 14 days of the manifest (both full dates, or agreeing): {near_dates}/{stats['date']['compared']}")
    if args.verbose:
        for field in [args.field] if args.field else list(stats):
            print(f"\n--- {field}: disagreements ({len(wrong[field])})")
            for line in wrong[field]:
                print("   ", line)
            print(f"--- {field}: manifest has a value, parser none ({len(missed[field])})")
            for line in missed[field]:
                print("   ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
