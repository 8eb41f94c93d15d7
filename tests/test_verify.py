"""A publicity officer pastes a draft (三审三校): every quotation and every sentence that
states policy comes back as 一致 / 有出入 (with the differences) / 未找到, with its source."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from conftest import ROOT
from docbuild import make_docx

from policykb.verify import align, claims

DRAFT = (
    "省委要求，“每人每年参加县级以上集中培训不少于30学时”。"
    "根据《2026年全省组织工作要点》，新任村（社区）党组织书记在任职后6个月内完成不少于72学时的任职培训。"
    "文件强调：“各地要在三个月内实现村级档案全部数字化并统一上报省档案馆。”"
    "今天天气很好，我们要“三审三校”。"
)
SOURCE = ("6. 开展村（社区）党组织书记全员轮训。每人每年参加县级以上集中培训不少于40学时，"
          "新任村（社区）党组织书记在任职后6个月内完成不少于72学时的任职培训。")


# ---- finding what to check -------------------------------------------------------------


def test_quotations_and_policy_statements_are_found_but_not_slogans_or_small_talk():
    found = claims(DRAFT)
    assert [(c.kind, c.text) for c in found] == [
        ("quote", "每人每年参加县级以上集中培训不少于30学时"),
        ("statement", "新任村（社区）党组织书记在任职后6个月内完成不少于72学时的任职培训"),
        ("quote", "各地要在三个月内实现村级档案全部数字化并统一上报省档案馆"),
    ]
    assert all(DRAFT[c.start:c.end] == c.text for c in found), "offsets point into the draft"
    assert found[1].cites == "2026年全省组织工作要点"
    assert [c.text for c in claims("「坚持把党的政治建设摆在首位」是根本要求。")] == ["坚持把党的政治建设摆在首位"]


# ---- aligning a claim with a source ------------------------------------------------------


def test_a_quotation_is_exact_despite_line_breaks_and_full_width_digits():
    found = align("每人每年参加县级以上集中\n培训不少于４０学时", SOURCE)
    assert found is not None and found.status == "exact" and found.similarity == 1.0
    assert SOURCE[found.start:found.end] == "每人每年参加县级以上集中培训不少于40学时"


def test_a_misquoted_number_is_close_and_names_both_numbers_whole():
    found = align("每人每年参加县级以上集中培训不少于30学时", SOURCE)
    assert found is not None and found.status == "close"
    assert [(d.op, d.draft, d.source) for d in found.differences] == [("changed", "30", "40")]
    assert SOURCE[found.start:found.end] == "每人每年参加县级以上集中培训不少于40学时"


def test_left_out_and_added_words_are_listed():
    found = align("每人每年参加集中培训不少于40学时，新任书记在任职后6个月内完成任职培训", SOURCE)
    assert found is not None and found.status == "close"
    ops = {(d.op, d.draft, d.source) for d in found.differences}
    assert ("missing", "", "县级以上") in ops
    assert ("missing", "", "不少于72学时的") in ops


def test_an_invented_quotation_is_not_found():
    found = align("各地要在三个月内实现村级档案全部数字化并统一上报省档案馆", SOURCE)
    assert found is None or found.status == "not_found"


# ---- the whole check, against the demo library -------------------------------------------


def test_a_draft_is_checked_against_the_library_with_sources(demo_kb):
    report = demo_kb.verify(DRAFT)
    assert report.counts == {"exact": 1, "close": 1, "not_found": 1}
    misquote, statement, invented = report.items
    assert misquote.status == "close" and misquote.label == "有出入"
    assert [(d.draft, d.source) for d in misquote.differences] == [("30", "40")]
    assert misquote.source["quote"] == "每人每年参加县级以上集中培训不少于40学时"
    # The statement names its document: of the two that contain the sentence, that one.
    assert statement.status == "exact" and statement.source["title"] == "2026年全省组织工作要点"
    assert statement.source["section_path"][-1].startswith("6.")
    text = demo_kb.document_text(statement.source["doc_id"])
    assert text[statement.source["quote_start"]:statement.source["quote_end"]] == statement.text
    assert invented.status == "not_found" and invented.source is None


def test_a_quotation_across_two_passages_is_still_exact(demo_kb):
    doc = next(d for d in demo_kb.list_documents(limit=100)[0] if d.title == "2026年全省组织工作要点")
    chunks = demo_kb.document_chunks(doc.id)
    text = demo_kb.document_text(doc.id)
    first, second = next((a, b) for a, b in pairwise(chunks) if b.char_start >= a.char_end - 2)
    quote = text[first.char_end - 14:second.char_start + 14].replace("\n", "")
    report = demo_kb.verify(f"文件指出：“{quote}”")
    assert [i.status for i in report.items] == ["exact"], (quote, report.items)


def test_empty_and_oversized_drafts_are_refused_in_chinese(demo_kb):
    from policykb.service import KnowledgeBaseError
    from policykb.verify import MAX_DRAFT_CHARS

    with pytest.raises(KnowledgeBaseError, match="不能为空"):
        demo_kb.verify("  ")
    with pytest.raises(KnowledgeBaseError, match="文稿过长"):
        demo_kb.verify("好" * (MAX_DRAFT_CHARS + 1))


# ---- through HTTP and the command line ---------------------------------------------------


def test_the_api_checks_a_draft(live_server: str):
    with httpx.Client(base_url=live_server, timeout=60) as client:
        r = client.post("/api/verify", json={"text": DRAFT})
        assert r.status_code == 200
        body = r.json()
        assert body["counts"] == {"exact": 1, "close": 1, "not_found": 1}
        assert [i["label"] for i in body["items"]] == ["有出入", "一致", "未找到"]
        assert body["items"][0]["differences"] == [{"op": "changed", "draft": "30", "source": "40"}]
        empty = client.post("/api/verify", json={"text": ""})
        assert empty.status_code == 422 and empty.json()["error"]["message"]


def test_the_command_line_reads_a_docx_draft_and_exits_1_on_a_misquote(demo_kb, tmp_path: Path):
    draft = make_docx(tmp_path / "讲话稿.docx", [("p", p + "。") for p in DRAFT.split("。") if p])
    home = tmp_path / "home"  # embedded Chroma belongs to one process at a time
    shutil.copytree(demo_kb.settings.home, home)
    env = {**os.environ, "POLICYKB_HOME": str(home)}
    out = subprocess.run([sys.executable, "-m", "policykb", "verify", str(draft)], capture_output=True,
                         text=True, env=env, cwd=ROOT, timeout=300)
    assert out.returncode == 1, out.stderr
    assert "文稿「30」→ 原文「40」" in out.stdout and "知识库中未找到出处" in out.stdout
    assert "一致 1，有出入 1，未找到 1" in out.stdout
    exact = "根据《2026年全省组织工作要点》，新任村（社区）党组织书记在任职后6个月内完成不少于72学时的任职培训。"
    ok = subprocess.run([sys.executable, "-m", "policykb", "verify", "-"], input=exact, capture_output=True,
                        text=True, env=env, cwd=ROOT, timeout=300)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "[一致]" in ok.stdout
