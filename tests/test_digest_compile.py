"""The 汇编 of a quarter with provincial reports and notices: reports grouped by kind with a
cited targets table, notices under their topic, readable titles and sources, and the
editor's layout kept across rebuilds through the service, the CLI and HTTP. Keyword-only
knowledge base (nothing to embed: the digest needs no vectors)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import OUTPUT, POLICY, make_kb, needs_shared

pytestmark = needs_shared

QUARTER = "2026Q1"
REPORTS = [
    "gov_work_reports_provincial_2026/004_2026年北京市政府工作报告.txt",
    "gov_work_reports_provincial_2026/025_2026年西藏自治区政府工作报告.txt",
    "gov_work_reports_provincial_2026/026_2026年贵州省政府工作报告.txt",  # title parsed from a photo caption
]
NOTICES = {
    "eight_point_rules_and_notices/015_关于严禁党政机关到风景名胜区开会的通知.md": "2026-02-10",
    "party_regulations/017_中国共产党问责条例.md": "2026-03-01",
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("digest-compile")
    src = root / "files"
    src.mkdir()
    for rel in REPORTS:
        shutil.copy(POLICY / rel, src / Path(rel).name)
    for rel, date in NOTICES.items():
        shutil.copy(POLICY / rel, src / Path(rel).name)
        (src / (Path(rel).name + ".meta.json")).write_text(json.dumps({"date": date}), encoding="utf-8")
    knowledge = make_kb(root / "home")
    report = knowledge.ingest([src], wait=False)
    assert not report.failed, [f.message for f in report.failed]
    yield knowledge
    knowledge.close()


def _group(digest, name):  # type: ignore[no-untyped-def]
    return next(t for t in digest.topics if t.name == name)


def test_reports_by_kind_with_a_cited_targets_table(kb) -> None:  # type: ignore[no-untyped-def]
    kb.change_digest_layout(reset=True)
    dg = kb.digest(QUARTER, interpret=False)
    reports = _group(dg, "政府工作报告")
    assert sorted(e.region for e in reports.documents) == ["北京", "西藏", "贵州"]
    assert "2026年贵州省政府工作报告" in [e.title for e in reports.documents]  # not the caption
    assert _group(dg, "作风建设").documents[0].title == "关于严禁党政机关到风景名胜区开会的通知"
    assert _group(dg, "纪律建设").documents[0].title == "中国共产党问责条例"

    table = reports.overview["table"]
    assert table["columns"][:2] == ["地区", "地区生产总值增长"]
    cited = {kp.citation["n"]: kp for e in reports.documents for kp in e.key_points}
    rows = {r[0]["text"]: r for r in table["rows"]}
    assert rows["北京"][1]["text"] == "5%左右" and rows["西藏"][1]["text"] == "7%以上"
    for row in table["rows"]:
        for cell in row[1:]:
            if cell["n"]:  # the figure is in the cited passage, at the target sentence
                assert cell["text"].replace(" ", "") in cited[cell["n"]].citation["text"].replace(" ", "")
                assert cited[cell["n"]].kind == "target"
    assert all(s["refs"] for s in reports.overview["sentences"])
    tasks = [kp for e in reports.documents for kp in e.key_points if kp.kind == "task"]
    assert sum(bool(kp.detail) for kp in tasks) >= len(tasks) // 2  # headings with their first sentence
    for kp in tasks:
        assert kp.detail in kp.citation["text"]
    for e in reports.documents:
        assert e.key_points[0].kind in ("target", "task")
        assert not any(kp.text.startswith(("各位代表", "过去一年")) for kp in e.key_points)


def test_exports_print_readable_sources_and_the_table(kb) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    from policykb.digest import write_digest

    dg = kb.digest(QUARTER, interpret=False)
    md = write_digest(dg, OUTPUT / "digest" / "reports-2026Q1.md").read_text(encoding="utf-8")
    sources = md.split("## 引文出处", 1)[1]
    assert "字" not in re.sub(r"《[^》]*》", "", sources)  # no character offsets
    assert "三、2026年重点工作 › （" in sources and "第1段" in sources
    assert "| 地区 | 地区生产总值增长 |" in md and "**综述**" in md

    doc = Document(str(write_digest(dg, OUTPUT / "digest" / "reports-2026Q1.docx")))
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells][:2] == ["地区", "地区生产总值增长"]
    assert len(table.rows) == 4
    run = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert run.font.size.pt == 12 and "仿宋_GB2312" in run._element.xml  # 仿宋 小四
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert any(h.endswith("政府工作报告") for h in heads)


def test_the_editors_layout_survives_rebuilds(kb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner
    from fastapi.testclient import TestClient

    from policykb.api.app import create_app
    from policykb.cli import main

    kb.change_digest_layout(reset=True)
    monkeypatch.setenv("POLICYKB_HOME", str(kb.settings.home))
    run = CliRunner().invoke(main, ["digest-layout", "move", "中国共产党问责条例", "重点文件"])
    assert run.exit_code == 0, run.output
    run = CliRunner().invoke(main, ["digest-layout", "rename", "政府工作报告", "各省政府工作报告"])
    assert run.exit_code == 0 and "各省政府工作报告" in run.output
    bad = CliRunner().invoke(main, ["digest-layout", "move", "没有这份文件", "x"])
    assert bad.exit_code == 2 and "文档不存在" in bad.output

    with TestClient(create_app(kb.settings, kb=kb, background_worker=False)) as client:
        r = client.post("/api/digest/layout", json={"order": ["重点文件", "各省政府工作报告"]})
        assert r.status_code == 200 and r.json()["order"] == ["重点文件", "各省政府工作报告"]
        data = client.post("/api/digest", json={"quarter": QUARTER, "format": "json"}).json()
        names = [t["name"] for t in data["topics"] if t["documents"]]
        assert names[:2] == ["重点文件", "各省政府工作报告"]
        moved = data["topics"][0]["documents"][0]
        assert moved["title"] == "中国共产党问责条例" and moved["moved"] and moved["group_basis"] == "editor"
        assert data["layout"]["renames"] == {"政府工作报告": "各省政府工作报告"}
        bad = client.post("/api/digest/layout", json={"rename": {"old": "x", "new": " "}})
        assert bad.status_code == 400 and "不能为空" in bad.json()["error"]["message"]

    again = kb.digest(QUARTER, interpret=False)  # a rebuild, in another surface, keeps it all
    assert [t.name for t in again.non_empty_topics][:2] == ["重点文件", "各省政府工作报告"]
    assert all(e.title != "中国共产党问责条例" for e in _group(again, "纪律建设").documents)
    assert kb.change_digest_layout(reset=True) == {"moves": {}, "renames": {}, "order": []}


def test_an_llm_guide_per_group_is_checked_like_answers(kb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With an LLM configured, each group of two or more documents gets a 导读 from their key
    points; its markers become the digest's citation numbers and a sentence its cited
    points do not support is dropped. The chat model is a stand-in."""
    prompts: list[str] = []

    class FakeLLM:
        name = "llm:fake"

        def chat(self, messages):  # type: ignore[no-untyped-def]
            prompt = messages[-1]["content"]
            prompts.append(prompt)
            if "导读" not in prompt:
                return "无。"
            points = dict(re.findall(r"^\[(\d+)\] (.+?)（[^（）]+）$", prompt, re.M))
            return f"{points['1'].rstrip('。')}[1]。{points['4'].rstrip('。')}[4]。火星基地将于明年建成并对外开放[2]。"

    kb.change_digest_layout(reset=True)
    monkeypatch.setattr("policykb.llm.llm_for", lambda settings: FakeLLM())
    monkeypatch.setattr(kb.settings, "llm_base_url", "http://127.0.0.1:9/v1")
    dg = kb.digest(QUARTER)
    reports = _group(dg, "政府工作报告")
    guide = reports.overview["guide"]
    assert guide and "火星" not in guide
    first = [kp for e in reports.documents for kp in e.key_points[:3]]
    assert f"[{first[0].citation['n']}]" in guide and f"[{first[3].citation['n']}]" in guide
    assert any("政府工作报告" in p and "导读" in p for p in prompts)
    from policykb.digest.export_md import render_markdown

    assert f"**导读**：{guide.split('[')[0]}" in render_markdown(dg)
