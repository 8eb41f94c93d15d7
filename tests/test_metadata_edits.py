"""Metadata set by hand: recorded with who and when, kept through re-ingest, a changed
sidecar applied without re-cutting or re-embedding, and filters that say what they left out."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.service import KnowledgeBaseError

NOTICE = """关于做好全省组织系统年度考核工作的通知
江组发〔2026〕12号
各市委组织部：
一、考核对象为全省组织系统各单位。
二、考核工作于12月底前完成。
中共江北省委组织部
2026年3月2日
"""
UNDATED = """村级组织活动场所管理办法
第一条 为规范村级组织活动场所管理，制定本办法。
第二条 活动场所应当向群众开放。
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_edit_is_recorded_with_who_and_when_and_survives_reingest(fresh_kb, tmp_path):
    path = _write(tmp_path, "notice.txt", NOTICE)
    doc_id = fresh_kb.ingest([path], wait=False).files[0].doc_id
    assert fresh_kb.get_document(doc_id).issuer == "中共江北省委组织部"

    doc, changed = fresh_kb.edit_document(doc_id, {"issuer": "中共江北省委组织部、江北省人力资源社会保障厅",
                                                   "date": "2026年3月5日"}, editor="张编辑", source="cli")
    assert sorted(changed) == ["date", "issuer"]
    assert doc.date == "2026-03-05" and "人力资源社会保障厅" in doc.issuer
    edits = fresh_kb.document_edits(doc_id)
    assert [(e.field, e.old_value, e.new_value, e.editor, e.source) for e in edits] == [
        ("issuer", "中共江北省委组织部", "中共江北省委组织部、江北省人力资源社会保障厅", "张编辑", "cli"),
        ("date", "2026-03-02", "2026-03-05", "张编辑", "cli"),
    ]
    assert all(e.at for e in edits)

    # The file changes and is parsed again: the parser's values come back, the hand-set ones win.
    path.write_text(NOTICE.replace("考核对象", "本次考核对象"), encoding="utf-8")
    assert fresh_kb.ingest([path], wait=False).files[0].status == "updated"
    again = fresh_kb.get_document(doc_id)
    assert again.date == "2026-03-05" and "人力资源社会保障厅" in again.issuer
    assert again.doc_no == "江组发〔2026〕12号"  # not edited: still the parser's

    # Setting the same value again records nothing; "" clears a field (and is kept cleared).
    assert fresh_kb.edit_document(doc_id, {"date": "2026-03-05"}, editor="张编辑")[1] == []
    cleared, _ = fresh_kb.edit_document(doc_id, {"doc_no": ""}, editor="李审核")
    assert cleared.doc_no is None
    assert fresh_kb.ingest([path], wait=False, overrides=None).files[0].status == "unchanged"
    assert fresh_kb.get_document(doc_id).doc_no is None


def test_bad_edits_are_refused_in_plain_words(fresh_kb, tmp_path):
    doc_id = fresh_kb.ingest([_write(tmp_path, "notice.txt", NOTICE)], wait=False).files[0].doc_id
    with pytest.raises(KnowledgeBaseError, match="日期格式无法识别"):
        fresh_kb.edit_document(doc_id, {"date": "去年春天"}, editor="x")
    with pytest.raises(KnowledgeBaseError, match="不能修改的字段"):
        fresh_kb.edit_document(doc_id, {"text": "…"}, editor="x")
    with pytest.raises(KnowledgeBaseError) as missing:
        fresh_kb.edit_document("nope", {"date": "2026"}, editor="x")
    assert missing.value.status == 404
    assert fresh_kb.document_edits(doc_id) == []


def test_a_changed_sidecar_applies_on_the_next_ingest_without_recutting(fresh_kb, tmp_path):
    path = _write(tmp_path, "rules.txt", UNDATED)
    doc_id = fresh_kb.ingest([path], wait=False).files[0].doc_id
    before = [(c.id, c.embed_hash) for c in fresh_kb.document_chunks(doc_id)]
    assert fresh_kb.get_document(doc_id).date is None

    sidecar = tmp_path / "rules.txt.meta.json"
    sidecar.write_text(json.dumps({"date": "2025年11月3日", "issuer": "青峪县委组织部",
                                   "title": "《村级组织活动场所管理办法》"}, ensure_ascii=False), encoding="utf-8")
    result = fresh_kb.ingest([path], wait=False).files[0]
    assert result.status == "updated" and "未重新分段或向量化" in result.message
    doc = fresh_kb.get_document(doc_id)
    assert (doc.date, doc.issuer, doc.title) == ("2025-11-03", "青峪县委组织部", "村级组织活动场所管理办法")
    assert [(c.id, c.embed_hash) for c in fresh_kb.document_chunks(doc_id)] == before
    assert {e.source for e in fresh_kb.document_edits(doc_id)} == {"sidecar"}
    # The new title's words find the passages.
    assert fresh_kb.search("活动场所管理办法", mode="keyword").results

    # Unchanged sidecar: nothing to do. A page edit after it wins until the sidecar changes again.
    assert fresh_kb.ingest([path], wait=False).files[0].status == "unchanged"
    fresh_kb.edit_document(doc_id, {"issuer": "中共青峪县委组织部"}, editor="王编辑", source="page")
    assert fresh_kb.ingest([path], wait=False).files[0].status == "unchanged"
    assert fresh_kb.get_document(doc_id).issuer == "中共青峪县委组织部"
    sidecar.write_text(json.dumps({"date": "2025-11-03", "issuer": "青峪县委办公室"}, ensure_ascii=False),
                       encoding="utf-8")
    assert fresh_kb.ingest([path], wait=False).files[0].status == "updated"
    assert fresh_kb.get_document(doc_id).issuer == "青峪县委办公室"


def test_filters_say_how_many_documents_they_left_out_and_can_include_them(fresh_kb, tmp_path):
    fresh_kb.ingest([_write(tmp_path, "notice.txt", NOTICE), _write(tmp_path, "rules.txt", UNDATED)], wait=False)
    dated = fresh_kb.search("考核 活动场所", mode="keyword", filters={"date_from": "2026"})
    assert dated.left_out == {"undated": 1}
    assert {h.title for h in dated.results} == {"关于做好全省组织系统年度考核工作的通知"}
    both = fresh_kb.search("考核 活动场所", mode="keyword", filters={"date_from": "2026", "include_undated": True})
    assert both.left_out == {} and len({h.doc_id for h in both.results}) == 2
    by_issuer = fresh_kb.search("考核 活动场所", mode="keyword", filters={"issuer": "组织部"})
    assert by_issuer.left_out == {"unattributed": 1}
    assert fresh_kb.search("考核", mode="keyword").left_out == {}

    missing, counts = fresh_kb.documents_missing_metadata()
    assert [d.title for d in missing] == ["村级组织活动场所管理办法"]
    assert counts == {"undated": 1, "unattributed": 1, "total": 1}


def test_metadata_is_edited_over_http_with_who_and_when(live_server: str) -> None:
    import httpx

    with httpx.Client(base_url=live_server, timeout=60) as client:
        doc = client.get("/api/documents", params={"q": "三审三校"}).json()["documents"][0]
        original = {"issuer": doc["issuer"], "date": doc["date"]}
        try:
            r = client.patch(f"/api/documents/{doc['id']}", json={"date": "2026年4月1日", "editor": "赵审核"})
            assert r.status_code == 200, r.text
            assert r.json()["changed"] == ["date"] and r.json()["document"]["date"] == "2026-04-01"
            assert client.get(f"/api/documents/{doc['id']}").json()["date"] == "2026-04-01"
            edits = client.get(f"/api/documents/{doc['id']}/edits").json()["edits"]
            assert edits[-1]["editor"] == "赵审核" and edits[-1]["old_value"] == original["date"]
            assert edits[-1]["source"] == "api" and edits[-1]["at"]

            bad = client.patch(f"/api/documents/{doc['id']}", json={"date": "明年"})
            assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_metadata"
            assert client.patch("/api/documents/nope", json={"date": "2026"}).status_code == 404

            # A date-filtered search says how many undated documents it left out.
            client.patch(f"/api/documents/{doc['id']}", json={"date": "", "editor": "赵审核"})
            found = client.post("/api/search", json={"query": "三审三校", "mode": "keyword",
                                                     "filters": {"date_from": "2026"}}).json()
            assert found["left_out"].get("undated", 0) >= 1
            assert all(h["doc_id"] != doc["id"] for h in found["results"])
            included = client.post("/api/search", json={"query": "三审三校", "mode": "keyword",
                                                        "filters": {"date_from": "2026", "include_undated": True}}).json()
            assert any(h["doc_id"] == doc["id"] for h in included["results"])
            missing = client.get("/api/metadata/missing").json()
            assert doc["id"] in {d["id"] for d in missing["documents"]} and missing["counts"]["undated"] >= 1
        finally:
            client.patch(f"/api/documents/{doc['id']}", json={**original, "editor": "测试还原"})


def test_the_command_line_edits_lists_the_missing_and_says_what_a_filter_left_out(tmp_path):
    import os
    import subprocess
    import sys

    from conftest import ROOT, make_kb

    home = tmp_path / "home"
    kb = make_kb(home)
    kb.ingest([_write(tmp_path, "notice.txt", NOTICE), _write(tmp_path, "rules.txt", UNDATED)], wait=False)
    rules = next(d for d in kb.list_documents()[0] if d.date is None)
    kb.close()

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "policykb", *args], capture_output=True, text=True, cwd=ROOT,
                              env={**os.environ, "POLICYKB_HOME": str(home)}, timeout=300)

    listed = run("docs", "missing")
    assert listed.returncode == 0 and "村级组织活动场所管理办法" in listed.stdout and "缺日期" in listed.stdout
    left = run("search", "活动场所", "--mode", "keyword", "--from", "2025")
    assert "排除了 1 篇未标注日期的文件" in left.stdout and "--include-undated" in left.stdout

    edited = run("docs", "edit", rules.id, "--date", "2025年12月1日", "--issuer", "青峪县委组织部", "--by", "孙编辑")
    assert edited.returncode == 0, edited.stderr
    assert "日期：2025-12-01" in edited.stdout and "已修改" in edited.stdout
    shown = run("docs", "show", rules.id)
    assert "日期：2025-12-01（人工修改）" in shown.stdout and "孙编辑" in shown.stdout
    bad = run("docs", "edit", rules.id, "--date", "某天")
    assert bad.returncode == 2 and "日期格式无法识别" in bad.stderr


def test_metadata_given_with_an_upload_is_hand_set_too(fresh_kb, tmp_path):
    path = _write(tmp_path, "rules.txt", UNDATED)
    doc_id = fresh_kb.ingest([path], wait=False, overrides={"issuer": "青峪县委组织部", "date": "2025-10"}).files[0].doc_id
    edits = fresh_kb.document_edits(doc_id)
    assert {(e.field, e.new_value, e.source) for e in edits} == {("issuer", "青峪县委组织部", "upload"),
                                                                 ("date", "2025-10", "upload")}
    path.write_text(UNDATED + "第三条 本办法自发布之日起施行。\n", encoding="utf-8")
    assert fresh_kb.ingest([path], wait=False).files[0].status == "updated"
    doc = fresh_kb.get_document(doc_id)
    assert (doc.issuer, doc.date) == ("青峪县委组织部", "2025-10")
