"""A filtered keyword search on a small library (ranked by SQLite FTS5) when the query
matches many passages of other issuers and few of the issuer asked for."""
from __future__ import annotations

import json
from pathlib import Path

from conftest import make_kb


def test_a_filter_that_keeps_few_of_many_matches_still_ranks_within_them(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    # 240 notices of one city mention 乡村振兴; three of another county do too. The filter
    # keeps the county's three, which FTS5's global top 220 (limit + 20) never reaches.
    for i in range(240):
        (files / f"市{i:03d}.txt").write_text(
            f"关于第{i}批乡村振兴示范村建设的通知\n\n各区县：乡村振兴示范村第{i}批建设工作安排如下，乡村振兴要抓实抓细。\n",
            encoding="utf-8")
    for i in range(3):
        name = f"县{i}.txt"
        (files / name).write_text(
            f"青峪县乡村振兴工作简报第{i}期\n\n本期介绍青峪县推进乡村振兴的做法，编号{i}。\n", encoding="utf-8")
        (files / f"{name}.meta.json").write_text(json.dumps({"issuer": "青峪县委办公室"}), encoding="utf-8")
    kb = make_kb(tmp_path / "home", keyword_index_above=10**9)
    try:
        report = kb.ingest([files], wait=False)
        assert not report.failed
        result = kb.search("乡村振兴", top_k=5, mode="keyword", filters={"issuer": "青峪县委办公室"})
        assert len(result.results) == 3
        assert {h.metadata["issuer"] for h in result.results} == {"青峪县委办公室"}
        assert sorted(h.title for h in result.results) == [f"青峪县乡村振兴工作简报第{i}期" for i in range(3)]
    finally:
        kb.close()
