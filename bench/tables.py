"""Tables read as tables: cells extracted exactly under the right header, and the row found
and answered for questions that ask for one cell of one row.

Builds its own files (tests/tablebuild.py): PDFs printed the way office software prints a
任务分工表 — ruled and unruled, with merged cells, a two-level header, tables running over two
pages with the header repeated or not, a row broken across a page — a Word file with real merges, an HTML page with
rowspan/colspan, a Markdown table. Every cell is known, so:

* **cells**: share of the tables' cells whose value appears exactly (spaces ignored)
  under the right column label in the row passage that `ingest` made of its row;
* **R@1**: share of cell questions (「清河县开展村党组织书记轮训由哪个单位牵头？」) whose top
  search hit holds that row; **answer**: share whose extractive answer quotes the cell
  with its column name (「牵头单位：市委党校」).

Usage: nice -n 10 .venv/bin/python bench/tables.py [--keyword-only] [--no-ask]
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.tablebuild import (  # noqa: E402
    TableSpec, fee_table, make_table_docx, make_table_html, make_table_markdown, make_table_pdf, task_table,
)

PLACES = ["清河县", "河西区", "青峪县", "江州市", "柳林镇", "石门县", "东湖区", "北山县", "南塘县", "西岭区", "云溪县",
          "桃源县", "松江区", "白水县", "龙泉县", "金沙县", "凤凰县", "长乐区", "平安县"]


def cases(folder: Path) -> list[tuple[str, str, Path, list[TableSpec]]]:
    """(group, name, file, tables) for every generated file."""
    out: list[tuple[str, str, Path, list[TableSpec]]] = []
    places = iter(PLACES)

    def add(group: str, name: str, maker, specs: list[TableSpec], **kw) -> None:  # noqa: ANN001
        out.append((group, name, maker(folder / f"{name}{_suffix(maker)}", specs, **kw), specs))

    p = next(places)
    add("PDF 有框线", "pdf-ruled", make_table_pdf, [task_table(10, 1, long_cells=True, place=p)], ruled=True)
    p = next(places)
    add("PDF 有框线", "pdf-ruled-merged", make_table_pdf, [task_table(12, 2, merges=True, long_cells=True, place=p)])
    p = next(places)
    add("PDF 有框线", "pdf-ruled-two-level-header", make_table_pdf, [task_table(8, 3, groups=True, place=p)])
    p = next(places)
    add("PDF 有框线", "pdf-ruled-two-pages-header-repeated", make_table_pdf,
        [task_table(30, 4, long_cells=True, place=p)], repeat_header=True)
    p = next(places)
    add("PDF 有框线", "pdf-ruled-two-pages-header-once", make_table_pdf,
        [task_table(30, 5, long_cells=True, place=p)], repeat_header=False)
    p = next(places)
    add("PDF 有框线", "pdf-ruled-row-broken-across-pages", make_table_pdf,
        [task_table(14, 18, long_cells=True, place=p)], break_row=9, repeat_header=True)
    p = next(places)
    add("PDF 有框线", "pdf-ruled-fees", make_table_pdf, [fee_table(6, place=p)])
    p = next(places)
    add("PDF 无框线", "pdf-unruled", make_table_pdf, [task_table(10, 7, long_cells=True, place=p)], ruled=False)
    p = next(places)
    add("PDF 无框线", "pdf-unruled-two-pages-header-repeated", make_table_pdf,
        [task_table(30, 8, long_cells=True, place=p)], ruled=False, repeat_header=True)
    p = next(places)
    add("PDF 无框线", "pdf-unruled-two-pages-header-once", make_table_pdf,
        [task_table(30, 9, long_cells=True, place=p)], ruled=False, repeat_header=False)
    p = next(places)
    add("PDF 无框线", "pdf-unruled-fees", make_table_pdf, [fee_table(10, place=p)], ruled=False)
    p = next(places)
    add("PDF 无框线", "pdf-three-line", make_table_pdf, [task_table(12, 16, long_cells=True, place=p)],
        three_line=True)
    p = next(places)
    add("PDF 无框线", "pdf-unruled-top-aligned", make_table_pdf, [task_table(12, 17, long_cells=True, place=p)],
        ruled=False, valign="TOP")
    p = next(places)
    add("Word", "docx-merged-two-level-header", make_table_docx,
        [task_table(12, 11, merges=True, groups=True, long_cells=True, place=p)])
    p = next(places)
    add("Word", "docx-plain-and-fees", make_table_docx, [task_table(10, 12, place=p), fee_table(12, place=p)])
    p = next(places)
    add("HTML", "html-merged-two-level-header", make_table_html,
        [task_table(12, 13, merges=True, groups=True, long_cells=True, place=p)])
    p = next(places)
    add("HTML", "html-plain-and-fees", make_table_html, [task_table(10, 14, place=p), fee_table(14, place=p)])
    p = next(places)
    add("Markdown", "md-plain", make_table_markdown, [task_table(10, 15, long_cells=True, place=p)])
    return out


def _suffix(maker) -> str:  # noqa: ANN001
    return {make_table_pdf: ".pdf", make_table_docx: ".docx", make_table_html: ".html",
            make_table_markdown: ".md"}[maker]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def extracted_rows(text: str) -> list[dict[str, str]]:
    from policykb.ingest.tables import parse_row

    rows = []
    for line in text.split("\n"):
        pairs = parse_row(line)
        if pairs:
            rows.append({label: _squash(value) for label, value in pairs})
    return rows


def score_cells(expected: list[dict[str, str]], got: list[dict[str, str]]) -> tuple[int, int, int]:
    """(right cells, expected cells, extra rows): each expected row is matched to the best
    of the next few extracted rows, in order, so one lost row costs only its own cells."""
    right = total = 0
    k = 0
    for row in expected:
        total += len(row)
        best, best_at = 0, None
        for j in range(k, min(k + 3, len(got))):
            n = sum(1 for label, value in row.items() if got[j].get(label) == _squash(value))
            if n > best:
                best, best_at = n, j
        right += best
        if best_at is not None:
            k = best_at + 1
    return right, total, max(0, len(got) - len(expected))


# Two wordings a column, alternating: the second avoids the column's own name.
_QUESTIONS = {
    "牵头单位": ("{key}由哪个单位牵头？", "谁负责牵头{key}？"),
    "配合单位": ("{key}的配合单位有哪些？", "{key}需要哪些部门配合？"),
    "完成时限": ("{key}什么时候完成？", "{key}的截止时间是哪天？"),
    "标准上限": ("{key}的标准上限是多少？", "{key}最多能开支多少钱？"),
    "适用范围": ("{key}的适用范围是哪一级？", "{key}适用于哪一级？"),
}


def questions(spec: TableSpec) -> list[tuple[str, str, str, str]]:
    """(question, key value, column label, expected value): one question a row, the
    asked column rotating."""
    labels = spec.labels()
    key_col = 1
    asked = [c for c, name in enumerate(spec.header) if name in _QUESTIONS]
    out = []
    for r, row in enumerate(spec.rows):
        c = asked[r % len(asked)]
        wording = _QUESTIONS[spec.header[c]][(r // len(asked)) % 2]
        out.append((wording.format(key=row[key_col]), row[key_col], labels[c], row[c]))
    return out


def row_in(text: str, key: str, label: str, value: str) -> bool:
    from policykb.ingest.tables import parse_row

    for line in text.split("\n"):
        pairs = parse_row(line)
        if pairs:
            d = {lb: _squash(v) for lb, v in pairs}
            if _squash(key) in d.values() and d.get(label) == _squash(value):
                return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keyword-only", action="store_true", help="do not embed: keyword search only")
    ap.add_argument("--no-ask", action="store_true", help="measure retrieval only, not the extractive answer")
    args = ap.parse_args()

    from policykb.config import Settings
    from policykb.ingest import parse_file
    from policykb.service import KnowledgeBase

    work = Path(tempfile.mkdtemp(prefix="bench-tables-"))
    built = cases(work / "files")
    print(f"{len(built)} files, {sum(len(s.rows) for _, _, _, specs in built for s in specs)} table rows\n")
    print("cells exactly under the right header")
    groups: dict[str, list[int]] = {}
    t0 = time.perf_counter()
    for group, name, path, specs in built:
        doc = parse_file(path)
        expected = [row for s in specs for row in s.cells()]
        right, total, extra = score_cells(expected, extracted_rows(doc.text))
        g = groups.setdefault(group, [0, 0])
        g[0] += right
        g[1] += total
        pages = len(doc.pages) or "-"
        print(f"  {name:40s} pages {pages!s:>2}  {right:4d}/{total:<4d} {100 * right / total:6.1f}%"
              + (f"  ({extra} extra rows)" if extra else ""))
    print(f"  (parsed in {time.perf_counter() - t0:.1f}s)")
    for group, (right, total) in groups.items():
        print(f"  {group:12s} {right:5d}/{total:<5d} {100 * right / total:6.1f}%")
    ruled = [v for k, v in groups.items() if k != "PDF 无框线"]
    r, t = sum(v[0] for v in ruled), sum(v[1] for v in ruled)
    print(f"  ruled/structured (PDF ruled, Word, HTML, Markdown): {100 * r / t:.1f}%   "
          f"unruled PDF: {100 * groups['PDF 无框线'][0] / groups['PDF 无框线'][1]:.1f}%")

    kb = KnowledgeBase(Settings(home=work / "home"))
    try:
        t0 = time.perf_counter()
        kb.ingest([p for _, _, p, _ in built], wait=not args.keyword_only)
        print(f"\ningested {len(built)} files in {time.perf_counter() - t0:.1f}s "
              f"({kb.registry.chunk_count()} passages, vectors {'off' if args.keyword_only else 'on'})")
        mode = "keyword" if args.keyword_only else "hybrid"
        asked = hit1 = answered = 0
        misses: list[str] = []
        for _, _, path, specs in built:
            for spec in specs:
                for q, key, label, value in questions(spec):
                    asked += 1
                    top = kb.search(q, top_k=1, mode=mode).results
                    ok = bool(top) and Path(top[0].source_path).name == path.name and row_in(top[0].text, key, label, value)
                    hit1 += ok
                    if not ok and len(misses) < 8:
                        misses.append(f"R@1 miss: {q}")
                    if not args.no_ask:
                        ans = kb.ask(q)
                        good = _squash(f"{label.replace(':', '')}：{value}") in _squash(ans.answer)
                        answered += good
                        if not good and len(misses) < 16:
                            misses.append(f"answer miss: {q} → {ans.answer[:60]}")
        print(f"cell questions: {asked}   R@1 ({mode}) {100 * hit1 / asked:.1f}%"
              + ("" if args.no_ask else f"   answer names the column and the cell: {100 * answered / asked:.1f}%"))
        for m in misses:
            print("  " + m)
    finally:
        kb.close()


if __name__ == "__main__":
    main()
