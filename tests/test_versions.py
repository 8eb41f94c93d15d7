"""Validity, version families, citations between documents, listing questions and 新旧对照:
the pure rules on small texts, then the five 纪律处分条例 of ../shared ingested for real
(keyword-searchable at once; vectors are not what these tests are about)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykb import versions
from policykb.answer.listing import detect
from policykb.citations import mentions
from policykb.compare import compare_texts
from tests.conftest import POLICY, make_kb, needs_shared

REGS = POLICY / "party_regulations"
FIVE = ["007_中国共产党纪律处分条例1997.md", "008_中国共产党纪律处分条例2003.md", "009_中国共产党纪律处分条例2015.md",
        "010_中国共产党纪律处分条例_2018.md", "011_中国共产党纪律处分条例_2023.md"]


# ---- pure rules ----------------------------------------------------------------------------


def test_titles_of_one_rule_share_a_family_and_recurring_reports_do_not() -> None:
    assert versions.family_key("中国共产党纪律处分条例1997") == versions.family_key("中国共产党纪律处分条例 2023") \
        == "中国共产党纪律处分条例"
    assert versions.family_key("中国共产党问责条例（试行）") == "中国共产党问责条例"
    assert versions.family_key("中华人民共和国行政处罚法（2021年修订）") == "中华人民共和国行政处罚法"
    assert versions.family_key("2024年政府工作报告") == "", "a yearly report is not a version of last year's"


def test_effective_dates_and_repeal_clauses_are_read_from_the_text() -> None:
    text = "第四十二条 本条例自2015年8月3日起施行。2009年7月2日中共中央印发的《中国共产党巡视工作条例（试行）》同时废止。"
    assert versions.effective_date(text) == "2015-08-03"
    assert versions.repealed_references(text) == ["中国共产党巡视工作条例（试行）"]
    assert versions.repealed_references("对不适应要求的规章，应当及时修改或者废止。") == []
    assert versions.effective_date("本办法自发布之日起施行。") is None


def test_the_newest_version_in_force_is_current_and_overrides_win() -> None:
    F = versions.DocFacts
    docs = [F("a", "某某管理办法", "2010-01-01"), F("b", "某某管理办法（2018年修订）", "2018-05-01"),
            F("c", "某某管理办法", "2026-06-01", effective="2027-01-01"),
            F("d", "另一规定", "2015-01-01", repeals=("某某管理办法",)),  # older than b: means a
            F("e", "旧细则", "2001-01-01"), F("f", "新规则", "2019-01-01", repeals=("旧细则",))]
    got = versions.assign(docs, today="2026-12-01")
    assert got["a"].validity == "已修订" and got["a"].superseded_by == "b"
    assert got["b"].validity == "现行有效", "its successor is not yet in force"
    assert got["c"].validity == "尚未生效"
    assert got["e"].validity == "已废止" and got["e"].superseded_by == "f"
    assert got["b"].family == got["c"].family == "某某管理办法"
    by_hand = versions.assign([F("a", "某某管理办法", "2010-01-01", validity_override="已废止"),
                               F("b", "某某管理办法", "2018-01-01", validity_override="现行有效", successor_override=None)],
                              today="2026-12-01")
    assert by_hand["a"].validity == "已废止" and by_hand["a"].superseded_by == "b"


def test_a_year_in_a_question_names_the_version_then_in_force() -> None:
    F = versions.DocFacts
    members = [F("a", "某条例1997", "1997-02-17"), F("b", "某条例 2018"), F("c", "某条例 2023", "2023-12-19")]
    assert versions.question_year("2018年版某条例第十条") == 2018
    assert versions.question_year("某条例第十条") is None
    assert versions.version_for_year(members, 2018) == "b"
    assert versions.version_for_year(members, 2020) == "b"
    assert versions.version_for_year(members, 1990) is None


def test_citations_are_titles_and_doc_numbers_other_than_its_own() -> None:
    text = "根据《中国共产党章程》和《中华人民共和国监察法》（主席令第3号），参照中办发〔2019〕18号，制定本规定。《本规定》"
    found = [(m.text, m.kind) for m in mentions(text, own_title="本规定", own_doc_no=None)]
    assert found == [("中国共产党章程", "title"), ("中华人民共和国监察法", "title"), ("中办发〔2019〕18号", "doc_no")]


def test_listing_questions_are_told_from_content_questions() -> None:
    assert detect("2026年一季度印发了哪些文件", "2026-12-01").date_from == "2026Q1"
    assert detect("纪律处分条例有哪些版本").family == "纪律处分条例"
    q = detect("组织部今年发了哪些通知", "2026-12-01")
    assert (q.issuer, q.doc_type, q.date_from) == ("组织部", "通知", "2026")
    topical = detect("2025年出台了哪些支持人工智能发展的意见", "2026-12-01")
    assert (topical.topic, topical.doc_type, topical.date_from) == (("人工智能",), "意见", "2025")
    assert detect("有哪些规定要求党员干部廉洁") is None
    assert detect("党员受到警告处分有哪些影响") is None


OLD = """第一章 总则
第一条 为了严肃纪律，制定本办法。
第二条 本办法适用于全体党员。
第三条 违反规定的，给予警告处分。
第二章 附则
第四条 本办法自2020年1月1日起施行。
"""
NEW = """第一章 总则
第一条 为了严肃纪律，制定本办法。
第二条 坚持严的基调。
第三条 本办法适用于 全体党员。
第四条 违反规定的，给予警告或者严重警告处分。
第二章 附则
第五条 本办法自2024年1月1日起施行。
"""


def test_compare_pairs_renumbered_articles_and_marks_words() -> None:
    result = compare_texts(OLD, NEW).to_dict()
    pairs = [(p["change"], p["old"] and p["old"]["label"], p["new"] and p["new"]["label"]) for p in result["pairs"]]
    assert pairs == [("未变", "第一条", "第一条"), ("新增", None, "第二条"), ("未变", "第二条", "第三条"),
                     ("修改", "第三条", "第四条"), ("修改", "第四条", "第五条")]
    assert result["counts"] == {"未变": 2, "修改": 2, "新增": 1, "删除": 0}
    changed = result["pairs"][3]["differences"]
    assert [(d["op"], d["old"], d["new"]) for d in changed] == [("insert", "", "或者严重警告")]


# ---- the real 纪律处分条例 ------------------------------------------------------------------


@pytest.fixture(scope="module")
def regs_kb(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if not REGS.is_dir():
        pytest.skip("../shared/corpus/policy is absent")
    home = tmp_path_factory.mktemp("versions-home")
    kb = make_kb(home)
    report = kb.ingest([REGS / f for f in FIVE] + [REGS / "015_中国共产党纪律检查机关监督执纪工作规则.md"], wait=False)
    assert not report.failed
    yield kb
    kb.close()


def _by_year(kb) -> dict[int, object]:  # type: ignore[no-untyped-def]
    docs, _ = kb.list_documents({"family": "中国共产党纪律处分条例"})
    return {versions.title_year(d.title): d for d in docs}


@needs_shared
def test_five_versions_make_one_family_with_only_2023_current(regs_kb) -> None:  # type: ignore[no-untyped-def]
    by_year = _by_year(regs_kb)
    assert sorted(by_year) == [1997, 2003, 2015, 2018, 2023]
    assert [y for y, d in by_year.items() if d.validity == "现行有效"] == [2023]
    chain = {y: by_year[y].superseded_by for y in by_year}
    assert chain == {1997: by_year[2003].id, 2003: by_year[2015].id, 2015: by_year[2018].id,
                     2018: by_year[2023].id, 2023: None}
    assert "2023" in by_year[2018].validity_note

    hits = regs_kb.search("党员受到警告处分一年内", mode="keyword").results
    assert hits and {h.doc_id for h in hits} == {by_year[2023].id}, "search uses the text in force by default"
    assert hits[0].metadata["validity"] == "现行有效" and hits[0].metadata["family"] == "中国共产党纪律处分条例"
    every = regs_kb.search("党员受到警告处分一年内", mode="keyword", filters={"include_superseded": True}).results
    old = [h for h in every if h.doc_id != by_year[2023].id]
    assert old and all(h.metadata["validity"] == "已修订" and h.metadata["superseded_by"] for h in old)

    answer = regs_kb.ask("党员受到警告处分后多久不得在党内提拔职务？")
    assert answer.found and {c.doc_id for c in answer.citations} == {by_year[2023].id}

    named = regs_kb.ask("2018年版纪律处分条例中，党员受到警告处分一年内不得在党内提升职务吗？")
    assert named.found and {c.doc_id for c in named.citations} == {by_year[2018].id}, "a year names that version"
    assert named.citations[0].metadata["validity"] == "已修订"
    assert "2023" in named.citations[0].metadata["validity_note"], "a superseded source names its successor"

    listed = regs_kb.ask("纪律处分条例有哪些版本")
    assert listed.answerer == "listing" and len(listed.citations) == 5
    assert [c.doc_id for c in listed.citations] == [by_year[y].id for y in (1997, 2003, 2015, 2018, 2023)]

    dated = regs_kb.ask("2023年印发了哪些文件？")
    assert dated.answerer == "listing" and [c.doc_id for c in dated.citations] == [by_year[2023].id]
    assert "2023年" in dated.answer and "共 1 件" in dated.answer
    assert regs_kb.ask("2023年印发了哪些关于纪律处分的文件").answerer == "listing"
    assert regs_kb.ask("2023年印发了哪些关于巡视的文件").answerer != "listing", "no title has it: ordinary answer"

    lineage = regs_kb.document_lineage(by_year[2018].id)
    assert [v["label"] for v in lineage["versions"]][-1] == "2023-12-19"
    cited_by = {c["title"] for c in lineage["cited_by"]}
    assert "中国共产党纪律检查机关监督执纪工作规则" in cited_by, "a 2019 rule cites the version then in force"


@needs_shared
def test_a_hand_edit_wins_and_clearing_it_hands_back_to_detection(regs_kb) -> None:  # type: ignore[no-untyped-def]
    by_year = _by_year(regs_kb)
    regs_kb.set_validity(by_year[2015].id, validity="已废止")
    assert regs_kb.get_document(by_year[2015].id).validity == "已废止"
    assert [d.id for d in regs_kb.list_documents({"validity": "已废止"})[0]] == [by_year[2015].id]
    regs_kb.set_validity(by_year[2015].id, clear=True)
    assert regs_kb.get_document(by_year[2015].id).validity == "已修订"


@needs_shared
def test_compare_cli_json_docx_and_http(regs_kb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from docx import Document
    from fastapi.testclient import TestClient

    from policykb.api.app import create_app
    from policykb.cli import main

    by_year = _by_year(regs_kb)
    monkeypatch.setenv("POLICYKB_HOME", str(regs_kb.settings.home))
    out = tmp_path / "对照表.docx"
    run = CliRunner().invoke(main, ["compare", by_year[2018].id, by_year[2023].id, "--json", "-o", str(out)])
    assert run.exit_code == 0, run.output
    data = json.loads(run.output)
    assert set(data) == {"pairs", "counts"}
    olds = [p["old"]["label"] for p in data["pairs"] if p["old"]]
    news = [p["new"]["label"] for p in data["pairs"] if p["new"]]
    assert len(olds) == len(set(olds)) == 142 and len(news) == len(set(news)) == 158, "each article exactly once"
    for p in data["pairs"]:
        assert set(p) == {"change", "old", "new", "differences"}
        if p["old"] and p["new"]:
            same = "".join(p["old"]["text"].split()) == "".join(p["new"]["text"].split())
            assert (p["change"] == "未变") == same
    renumbered = next(p for p in data["pairs"] if p["old"] and p["old"]["label"] == "第二十一条")
    assert renumbered["new"]["label"] == "第二十二条" and renumbered["change"] == "未变"
    table = Document(str(out)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["原条文", "修订后条文", "说明"]
    assert len(table.rows) == len(data["pairs"]) + 1

    with TestClient(create_app(regs_kb.settings, kb=regs_kb, background_worker=False)) as client:
        got = client.get("/api/compare", params={"old": by_year[2018].id, "new": by_year[2023].id}).json()
        assert got["counts"] == data["counts"] and got["new_document"]["validity"] == "现行有效"
        lineage = client.get(f"/api/documents/{by_year[1997].id}/lineage").json()
        assert lineage["validity"] == "已修订" and len(lineage["versions"]) == 5
        listed = client.get("/api/documents", params={"validity": "现行有效", "family": "中国共产党纪律处分条例"}).json()
        assert [d["id"] for d in listed["documents"]] == [by_year[2023].id]
        bad = client.get("/api/documents", params={"validity": "作废"})
        assert bad.status_code == 400 and "时效性" in bad.json()["error"]["message"]


def test_a_library_from_before_validity_gets_it_on_open(tmp_path: Path) -> None:
    """Documents stored before migration 7 have no 施行 dates, families or citations: the
    first open reads their texts once and decides."""
    old, new = tmp_path / "办法2019.txt", tmp_path / "办法2026.txt"
    old.write_text("江北省档案管理办法\n\n第一条 根据《中华人民共和国档案法》制定本办法。\n\n2019年2月20日\n", encoding="utf-8")
    new.write_text("江北省档案管理办法\n\n第一条 根据《中华人民共和国档案法》制定本办法。\n第二条 本办法自2026年3月1日起施行。\n\n"
                   "2026年2月10日\n", encoding="utf-8")
    kb = make_kb(tmp_path / "home")
    kb.ingest([old, new], wait=False)
    with kb.registry.transaction() as conn:  # as a registry of the previous release would be
        conn.execute("UPDATE documents SET validity = '现行有效', family = '', superseded_by = NULL,"
                     " status = 'active', effective_date = NULL, validity_note = NULL")
        conn.execute("DELETE FROM doc_references")
        conn.execute("DELETE FROM kv WHERE key = 'lineage_backfilled'")
    kb.close()
    kb = make_kb(tmp_path / "home")
    docs = {d.date: d for d in kb.list_documents()[0]}
    assert docs["2019-02-20"].validity == "已修订" and docs["2026-02-10"].validity == "现行有效"
    assert docs["2026-02-10"].effective_date == "2026-03-01"
    assert [c["mention"] for c in kb.document_lineage(docs["2026-02-10"].id)["unresolved"]] == ["中华人民共和国档案法"]
    kb.close()
