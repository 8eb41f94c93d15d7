"""The 论述摘编 end to end on a few short speech-like texts written here (a news lead,
greetings, narration, an attendee list, statements on 生态文明, one of them said in two
speeches on different dates), ingested in keyword mode; plus the title and date of real
2020 speeches (skipped without ../shared)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import make_kb, needs_shared

REPEATED = "我们必须坚持绿水青山就是金山银山的理念，把生态文明建设摆在全局工作的突出位置。"
SPEECH_A = (
    "在全国生态环境保护座谈会上的讲话（2020年3月6日）习近平同志们，朋友们：\n"
    "女士们，先生们，大家好！\n"
    "2020年3月6日，习近平出席全国生态环境保护座谈会并发表重要讲话。\n"
    "去年，我到浙江安吉考察，看到当地群众在山上种了很多竹子，日子越过越好。\n"
    f"{REPEATED}\n"
    "保护生物多样性是生态文明建设的重要内容，各地要划定并严守生态保护红线。\n"
    "出席会议的有张大山、李小河、王青松、赵明月等同志。\n"
    "要加快推动绿色低碳发展，力争碳达峰、碳中和目标如期实现。\n"
    "谢谢大家。\n"
)
SPEECH_B = (
    "同志们：今天，我们在这里隆重集会，纪念生态文明建设理念提出15周年。\n"
    "生态环境保护是功在当代、利在千秋的事业，决不能以牺牲生态环境为代价换取一时的经济增长。\n"
    f"{REPEATED}\n"
    "应对气候变化是全人类的共同事业，各国要落实好《巴黎协定》，共建清洁美丽的世界。\n"
    "要坚持稳中求进工作总基调，扎实做好明年经济工作，确保财政收支平衡。\n"
    "（新华社北京9月21日电）《 人民日报 》（ 2020年09月22日 02 版）\n"
)
NOTICE = (
    "关于规范公务接待的通知\n"
    "各单位：\n"
    "公务接待不得提供香烟和高档酒水，不得安排宴请。\n"
    "特此通知。\n"
)
FILES = {
    "001_讲话_文章_2020-03-07__01（在全国生态环境保护座谈会上的讲话…）.txt": SPEECH_A,
    "002_讲话_文章_2020-09-22__02（同志们：今天，我们在这里隆重集会…）.txt": SPEECH_B,
    "003_关于规范公务接待的通知.txt": NOTICE,
}
OCCASION_A = "在全国生态环境保护座谈会上的讲话"
OCCASION_B = "在纪念生态文明建设理念提出15周年大会上的讲话"


@pytest.fixture(scope="module")
def excerpts_kb(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("excerpts")
    src = root / "files"
    src.mkdir()
    for name, text in FILES.items():
        (src / name).write_text(text, encoding="utf-8")
    kb = make_kb(root / "home")
    report = kb.ingest([src], wait=False)
    assert not report.failed, [f.message for f in report.failed]
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def result(excerpts_kb):  # type: ignore[no-untyped-def]
    return excerpts_kb.excerpts("生态文明", mode="keyword")


def test_statements_in_narration_leads_greetings_out(result) -> None:  # type: ignore[no-untyped-def]
    texts = [e.text for e in result.excerpts()]
    joined = "\n".join(texts)
    for statement in ("保护生物多样性是生态文明建设的重要内容", "力争碳达峰、碳中和目标如期实现",
                      "决不能以牺牲生态环境为代价", "各国要落实好《巴黎协定》"):
        assert statement in joined, texts
    for noise in ("女士们", "出席全国生态环境保护座谈会", "浙江安吉", "张大山", "谢谢大家", "同志们",
                  "稳中求进", "公务接待", "隆重集会"):
        assert noise not in joined, (noise, texts)


def test_a_repeat_appears_once_with_both_sources_earliest_first(result) -> None:  # type: ignore[no-untyped-def]
    repeats = [e for e in result.excerpts() if "绿水青山就是金山银山" in e.text]
    assert len(repeats) == 1
    (e,) = repeats
    assert [s.date for s in e.sources] == ["2020-03-06", "2020-09-22"]
    assert [s.occasion for s in e.sources] == [OCCASION_A, OCCASION_B]
    assert e.citation() == f"（《{OCCASION_A}》，2020年3月6日；《{OCCASION_B}》，2020年9月22日）"
    assert result.counts["merged"] == 1 and result.counts["documents"] == 2


def test_groups_in_date_order_and_editable(excerpts_kb, result) -> None:  # type: ignore[no-untyped-def]
    assert result.groups and all(g.name and g.excerpts for g in result.groups)
    firsts = [g.excerpts[0].date for g in result.groups]
    assert firsts == sorted(firsts)
    for g in result.groups:
        assert [e.date for e in g.excerpts] == sorted(e.date for e in g.excerpts)
    first = result.groups[0]
    moved = result.excerpts()[-1]
    edited = excerpts_kb.excerpts("生态文明", mode="keyword", groups={
        "rename": {first.auto_name: "总体要求"}, "assign": {moved.id: "国际合作"}})
    names = [g.name for g in edited.groups]
    assert "总体要求" in names and "国际合作" in names
    (target,) = [g for g in edited.groups if g.name == "国际合作"]
    assert moved.id in [e.id for e in target.excerpts]


def test_docx_and_markdown_exports(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    from policykb.excerpts import write_excerpts

    docx = write_excerpts(result, tmp_path / "摘编.docx")
    doc = Document(str(docx))
    paras = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Title", "关于生态文明的论述摘编") in paras and ("Title", "目　录") in paras
    headings = [t for s, t in paras if s == "Heading 1"]
    assert headings and headings[0].startswith("一、")
    assert any(s == "TOC 1" and t == headings[0] for s, t in paras)  # the 目录 lists the sub-themes
    assert "TOC \\o" in doc.element.xml
    cited = [t for s, t in paras if REPEATED in t]
    assert cited == [REPEATED + f"（《{OCCASION_A}》，2020年3月6日；《{OCCASION_B}》，2020年9月22日）"]
    md = write_excerpts(result, tmp_path / "摘编.md").read_text(encoding="utf-8")
    assert md.startswith("# 关于生态文明的论述摘编") and "## 目录" in md and "## 一、" in md


def test_api_returns_the_json_shape(excerpts_kb) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from policykb.api.app import create_app

    with TestClient(create_app(excerpts_kb.settings, kb=excerpts_kb, background_worker=False)) as client:
        r = client.post("/api/excerpts", json={"topic": "生态文明", "mode": "keyword", "date_from": "2020-01-01",
                                               "doc_type": "讲话"})
        assert r.status_code == 200, r.text
        data = r.json()
        assert data["topic"] == "生态文明" and set(data["counts"]) >= {"excerpts", "sources", "documents"}
        e = data["groups"][0]["excerpts"][0]
        assert set(e) >= {"text", "doc_id", "title", "date", "occasion", "citation"}
        docx = client.get(data["downloads"]["docx"])
        assert docx.status_code == 200 and docx.content[:2] == b"PK"
        assert client.get("/api/excerpts/download/excerpts-0000000000000000.docx").status_code == 404
        bad = client.post("/api/excerpts", json={"topic": "生态文明", "date_from": "去年"})
        assert bad.status_code == 400


def test_cli_json(excerpts_kb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from policykb.cli import main

    monkeypatch.setenv("POLICYKB_HOME", str(excerpts_kb.settings.home))
    out = tmp_path / "摘编.md"
    r = CliRunner().invoke(main, ["excerpts", "生态文明", "--mode", "keyword", "--from", "2020-01-01", "--to",
                                  "2020-12-31", "--max", "10", "-o", str(out), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["topic"] == "生态文明" and data["groups"] and data["counts"]["excerpts"] <= 10
    excerpt = data["groups"][0]["excerpts"][0]
    assert excerpt["citation"].startswith("（《") and excerpt["occasion"]
    assert out.read_text(encoding="utf-8").startswith("# 关于生态文明的论述摘编")
    bad = CliRunner().invoke(main, ["excerpts", "生态文明", "-o", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and ".docx 或 .md" in bad.output


def test_hybrid_mode_with_vectors(excerpts_kb) -> None:  # type: ignore[no-untyped-def]
    """Last in this module: it embeds the module's library (a dozen passages)."""
    excerpts_kb.embed_pending()
    assert excerpts_kb.registry.pending_count() == 0
    result = excerpts_kb.excerpts("生态文明")  # hybrid: the passages nearest the topic count too
    texts = [e.text for e in result.excerpts()]
    assert sum(REPEATED in t for t in texts) == 1 and not any("公务接待" in t for t in texts)
    assert result.filters["mode"] == "hybrid"


@needs_shared
def test_real_speeches_take_their_occasion_and_own_date() -> None:
    from policykb.ingest import parse_file
    from tests.ingest_helpers import corpus_file

    meta = parse_file(corpus_file("xi_speeches_2020/039_*")).meta
    assert (meta.title, meta.date, meta.doc_type) == ("在庆祝深圳等经济特区建立40周年大会上的讲话", "2020-10-15", "讲话")
    assert meta.extra["title_source"] == "开篇"  # not a title line: the bench's gold counts it as none
    meta = parse_file(corpus_file("xi_speeches_2020/001_*")).meta
    assert meta.extra.get("speaker") == "习近平"
    # A date the news lead mentions (3月15日) is not the text's date: the file name's is.
    assert parse_file(corpus_file("xi_speeches_2020/009_*")).meta.date == "2020-03-17"
    meta = parse_file(corpus_file("xi_speeches_2020/043_*")).meta
    assert meta.title.startswith("关于《中共中央关于制定国民经济和社会发展第十四个五年规划") and meta.title.endswith("》的说明")
