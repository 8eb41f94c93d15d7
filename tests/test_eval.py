"""An administrator measures the library with the office's own questions (`policykb eval`):
how often the passage with the answer is found, answered, and refused when it should be."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, ROOT

from policykb.evaluate import load_questions, rank_of, retrieval_metrics

QUESTIONS = json.loads((CORPUS / "demo_questions.json").read_text(encoding="utf-8"))
WRONG = {"question": "村党组织书记每年培训多少学时？", "answer": "每年参加培训不少于99学时"}


def question_file(path: Path) -> Path:
    rows = [{"question": c["question"], "answer": c["answer_contains"], "kind": "示例"} for c in QUESTIONS["answerable"]]
    rows.append(WRONG)  # its answer is in no document: a miss by construction
    rows += [{"question": q["question"], "answerable": False} for q in QUESTIONS["unanswerable"]]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_metrics_count_ranks_within_each_cutoff():
    assert rank_of("四十学时", ["无关", "不少于 四十 学时", "四十学时"]) == 2
    assert retrieval_metrics([1, 3, None, 8]) == {"R@1": 0.25, "R@5": 0.5, "R@10": 0.75, "MRR@10": 0.365}


def test_the_library_is_measured_with_the_offices_own_questions(demo_kb, tmp_path: Path):
    report = demo_kb.evaluate(load_questions(question_file(tmp_path / "questions.jsonl")))
    n = len(QUESTIONS["answerable"])
    assert report.questions == n + 1 + len(QUESTIONS["unanswerable"])
    assert report.retrieval["R@5"] == round(n / (n + 1), 3)  # every demo question in the top 5
    assert report.by_kind == {"示例": {"R@1": report.by_kind["示例"]["R@1"], "R@5": 1.0, "R@10": 1.0,
                                        "MRR@10": report.by_kind["示例"]["MRR@10"]}}
    assert [m["question"] for m in report.misses] == [WRONG["question"]]
    assert report.misses[0]["top"], "a miss shows what was found instead"
    assert report.refused == 1.0


def test_the_command_line_prints_figures_and_names_a_bad_line(demo_kb, tmp_path: Path):
    home = tmp_path / "home"  # embedded Chroma belongs to one process at a time
    shutil.copytree(demo_kb.settings.home, home)
    env = {**os.environ, "POLICYKB_HOME": str(home)}
    path = question_file(tmp_path / "questions.jsonl")
    out = subprocess.run([sys.executable, "-m", "policykb", "eval", str(path), "--no-ask", "--json"],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["retrieval"]["R@10"] > 0.9 and body["answered"] is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "好问题", "answer": "好答案"}\n{"question": "没有答案的问题"}\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "policykb", "eval", str(bad)], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=300)
    assert out.returncode == 2 and "第 2 行" in out.stderr and "answerable" in out.stderr
