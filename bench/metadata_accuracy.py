"""How well parsed metadata matches what the texts say (bench/metadata_gold.jsonl, checked by
hand) and, as a second yardstick, ../shared/corpus/policy/manifest.tsv.

    python bench/metadata_accuracy.py            # both tables
    python bench/metadata_accuracy.py -v         # also list every disagreement
    python bench/metadata_accuracy.py --field issuer -v
    python bench/metadata_accuracy.py --gold-only -v

The gold file holds, per document, the value its text states for each field (title,
issuer, doc_no, date, effective_date, doc_type) or null when the text states none; an
issuer written "A|B" accepts either (a law adopted by the NPC and revised by its standing
committee). Per field it reports: stated (gold has a value), found (we gave one), correct,
partial (issuer: some of the joint issuers), and unsupported (we gave a value where the
text states none; a title taken from the file name is not counted, it is marked as such).

The manifest part:

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
import json
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


GOLD = ROOT / "bench" / "metadata_gold.jsonl"
GOLD_FIELDS = ("title", "issuer", "doc_no", "date", "effective_date", "doc_type")


def _parsed_fields(meta) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    return {
        "title": None if meta.extra.get("title_source") else meta.title,
        "issuer": meta.issuer, "doc_no": meta.doc_no, "date": meta.date,
        "effective_date": meta.extra.get("effective_date"), "doc_type": meta.doc_type,
    }


def _orgs(value: str) -> set[str]:
    return {p.strip() for p in value.replace("，", "、").split("、") if p.strip()}


def gold_verdict(field: str, gold: str, got: str) -> str:
    """"correct", "partial" (issuer: some of the joint issuers, none wrong) or "wrong"."""
    if field == "issuer":
        for wanted in gold.split("|"):
            if _orgs(wanted) == _orgs(got):
                return "correct"
        if any(_orgs(got) < _orgs(wanted) for wanted in gold.split("|")):
            return "partial"
        return "wrong"
    if field == "doc_no":
        return "correct" if normalise_doc_no(gold) == normalise_doc_no(got) else "wrong"
    return "correct" if gold.strip() == got.strip() else "wrong"


def gold_report(corpus: Path, verbose: bool, only: str | None) -> None:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    stats = {f: dict(stated=0, found=0, correct=0, partial=0, unsupported=0) for f in GOLD_FIELDS}
    notes: dict[str, list[str]] = {f: [] for f in GOLD_FIELDS}
    for row in rows:
        got = _parsed_fields(parse_file(corpus / row["file"]).meta)
        for field in GOLD_FIELDS:
            s, want, have = stats[field], row.get(field), got[field]
            if want:
                s["stated"] += 1
                if have:
                    s["found"] += 1
                    verdict = gold_verdict(field, want, have)
                    if verdict != "wrong":
                        s[verdict] += 1
                    if verdict != "correct":
                        notes[field].append(f"{verdict:8} {row['file']}\n      gold={want!r} parsed={have!r}")
                else:
                    notes[field].append(f"missed   {row['file']}\n      gold={want!r}")
            elif have:
                s["unsupported"] += 1
                notes[field].append(f"unsupp.  {row['file']}\n      parsed={have!r}")
    collections = len({r["collection"] for r in rows})
    print(f"gold: {len(rows)} documents from {collections} collections ({GOLD.name}, checked by hand)\n")
    print(f"{'field':15} {'stated':>6} {'found':>6} {'correct':>14} {'partial':>7} {'unsupported':>11}")
    for field, s in stats.items():
        pct = f"{100 * s['correct'] / s['stated']:.0f}%" if s["stated"] else "-"
        print(f"{field:15} {s['stated']:>6} {s['found']:>6} {s['correct']:>8} {pct:>5} {s['partial']:>7} {s['unsupported']:>11}")
    if verbose:
        for field in [only] if only else list(GOLD_FIELDS):
            print(f"\n--- {field}: {len(notes[field])} not correct")
            for line in notes[field]:
                print("   ", line)
    print()


REGULATIONS = ("party_regulations", "eight_point_rules_and_notices", "supervision_discipline_regulations")


def regulations_report(corpus: Path) -> None:
    """The count issue 14 started from: of the regulations, how many got a date, an issuer,
    a 施行日期, and how many titles are still wrapped in 《》 or carry （全文）."""
    files = [p for c in REGULATIONS for p in sorted((corpus / c).glob("*")) if p.suffix in (".md", ".txt")]
    metas = [parse_file(p).meta for p in files]
    print(f"{len(files)} regulations ({', '.join(REGULATIONS)}): date {sum(bool(m.date) for m in metas)}, "
          f"issuer {sum(bool(m.issuer) for m in metas)}, 施行日期 {sum(bool(m.extra.get('effective_date')) for m in metas)}, "
          f"titles wrapped in 《》 or with （全文） {sum(bool(m.title) and (m.title.startswith('《') or '全文' in m.title) for m in metas)}\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true", help="list disagreements")
    ap.add_argument("--field", choices=list(GOLD_FIELDS), help="only this field's list")
    ap.add_argument("--corpus", type=Path, default=POLICY, help="folder holding manifest.tsv")
    ap.add_argument("--gold-only", action="store_true", help="only the hand-checked gold table")
    args = ap.parse_args()
    policy = args.corpus
    if not policy.is_dir():
        print(f"no corpus at {policy}", file=sys.stderr)
        return 1
    gold_report(policy, args.verbose, args.field)
    regulations_report(policy)
    if args.gold_only:
        return 0
    if args.field in ("title", "effective_date"):
        return 0
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
                    agreed = agrees(expected, got)
                    s["agree"] += agreed
                    if field == "date" and _days_apart(expected, got) <= 14:
                        near_dates += 1
                    if not agreed:
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
