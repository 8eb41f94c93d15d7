"""The quarterly digest end to end: real documents of the shared corpus, dated by sidecar
files around a test quarter (2026Q1), ingested into a fresh knowledge base with the real
model; the digest as data, .docx, .md, CLI and HTTP."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import OUTPUT, POLICY, make_kb, needs_shared

pytestmark = needs_shared

QUARTER = "2026Q1"
# file → date given by its sidecar (None: no sidecar and no date in the text)
INSIDE = {
    "eight_point_rules_and_notices/014_关于严禁元旦春节期间公款购买赠送烟花爆竹等年货节礼的通知.md": "2026-01-01",
    "eight_point_rules_and_notices/015_关于严禁党政机关到风景名胜区开会的通知.md": "2026-01-15",
    "eight_point_rules_and_notices/012_关于严格规范领导干部参加社会化培训有关事项的通知.md": "2026-02-10",
    "eight_point_rules_and_notices/001_《中共中央八项规定》（全文）.md": "2026-02-20",
    "party_regulations/005_中国共产党廉洁自律准则.md": "2026-03",
    "party_regulations/017_中国共产党问责条例.md": "2026-03-31",
}
OUTSIDE = {
    "eight_point_rules_and_notices/022_关于制止以革命传统和爱国主义教育为名组织公款旅游的通知.md": "2025-12-31",
    "eight_point_rules_and_notices/026_关于在全国纪检监察系统开展会员卡专项清退活动的通知.md": "2026-04-01",
}
UNDATED = "eight_point_rules_and_notices/017_关于严禁公款购买印制寄送贺年卡等物品的通知.md"
YEAR_ONLY = ("eight_point_rules_and_notices/033_《关于领导干部带头在公共场所禁烟有关事项的通知》.md", "2026")


@pytest.fixture(scope="module")
def digest_kb(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Like `fresh_kb`, shared by this module: ingesting costs seconds of embedding."""
    root = tmp_path_factory.mktemp("digest")
    src = root / "files"
    src.mkdir()
    for rel, date in [*INSIDE.items(), *OUTSIDE.items(), (UNDATED, None), YEAR_ONLY]:
        target = src / Path(rel).name
        shutil.copy(POLICY / rel, target)
        if date:
            (src / (target.name + ".meta.json")).write_text(json.dumps({"date": date}), encoding="utf-8")
    kb = make_kb(root / "home")
    report = kb.ingest([src])
    assert not report.failed, [f.message for f in report.failed]
    yield kb
    kb.close()


@pytest.fixture(scope="module")
def digest(digest_kb):  # type: ignore[no-untyped-def]
    return digest_kb.digest(QUARTER)


def _doc_id(kb, rel: str) -> str:  # type: ignore[no-untyped-def]
    docs, _ = kb.list_documents(limit=100)
    (doc,) = [d for d in docs if d.filename == Path(rel).name]
    return doc.id


def test_every_in_quarter_document_appears_exactly_once(digest_kb, digest) -> None:  # type: ignore[no-untyped-def]
    listed = [e.doc_id for _, e in digest.entries()]
    assert sorted(listed) == sorted(_doc_id(digest_kb, rel) for rel in INSIDE)
    assert len(listed) == len(set(listed)) == digest.document_count == len(INSIDE)
    for rel in OUTSIDE:
        assert _doc_id(digest_kb, rel) not in listed
    assert digest.quarter == QUARTER and digest.period == ("2026-01-01", "2026-03-31")


def test_undated_documents_are_listed_apart(digest_kb, digest) -> None:  # type: ignore[no-untyped-def]
    undated = {u.doc_id: u for u in digest.undated}
    assert set(undated) == {_doc_id(digest_kb, UNDATED), _doc_id(digest_kb, YEAR_ONLY[0])}
    assert "年份" in undated[_doc_id(digest_kb, YEAR_ONLY[0])].reason
    assert not set(undated) & {e.doc_id for _, e in digest.entries()}


def test_every_key_point_is_in_its_cited_passage(digest_kb, digest) -> None:  # type: ignore[no-untyped-def]
    numbers: dict[int, str] = {}
    for _, entry in digest.entries():
        assert 3 <= len(entry.key_points) <= 12, entry.title
        chunks = {c.id: c for c in digest_kb.registry.chunks_of(entry.doc_id)}
        for kp in entry.key_points:
            cit = kp.citation
            assert cit["doc_id"] == entry.doc_id
            assert kp.text in cit["text"]
            assert kp.text in chunks[cit["chunk_id"]].text  # the stored passage, not a copy
            assert cit["n"] not in numbers  # one n per key point, with its own paragraph
            numbers[cit["n"]] = cit["chunk_id"]
            assert "字" not in cit["locator"] and cit["point_start"] >= cit["char_start"]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))


def test_topics_fit_the_documents(digest) -> None:  # type: ignore[no-untyped-def]
    names = [t.name for t in digest.topics]
    assert names[-1] == "其他" and names[:-1] == ["干部选拔任用", "基层党建", "人才工作", "意识形态", "作风建设", "纪律建设"]
    by_title = {e.title: t.name for t, e in digest.entries()}
    assert by_title["关于严禁元旦春节期间公款购买赠送烟花爆竹等年货节礼的通知"] == "作风建设"
    assert by_title["中共中央八项规定"] == "作风建设"
    assert by_title["中国共产党问责条例"] == "纪律建设"


def test_given_topics_and_filters(digest_kb) -> None:  # type: ignore[no-untyped-def]
    dg = digest_kb.digest(QUARTER, topics=["作风建设"])
    assert [t.name for t in dg.topics] == ["作风建设", "其他"]
    assert dg.document_count == len(INSIDE)  # nothing dropped: the rest goes to 其他
    assert digest_kb.digest(QUARTER, doc_type="条例").document_count == 1

    from policykb.service import KnowledgeBaseError

    with pytest.raises(KnowledgeBaseError, match="季度"):
        digest_kb.digest("2026Q9")


def test_docx_has_cover_contents_topics_and_sources(digest) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    from policykb.digest import write_digest

    path = write_digest(digest, OUTPUT / "digest" / f"digest-{QUARTER}.docx")
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "政策解读汇编" in texts and "（2026年第一季度）" in texts
    h1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    h2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    topics = [t.name for t in digest.non_empty_topics]
    assert [h.split("、", 1)[1] for h in h1[: len(topics)]] == topics
    assert h1[len(topics):] == ["未标注日期的文件", "引文出处"]
    assert sorted(h.split("）", 1)[1] for h in h2) == sorted(e.title for _, e in digest.entries())
    toc = [p.text for p in doc.paragraphs if p.style.name in ("TOC 1", "TOC 2")]
    assert toc == [p.text for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert 'TOC \\o "1-3"' in doc.element.xml
    styles = doc.styles.element.xml
    assert "方正小标宋简体" in styles and "仿宋_GB2312" in styles and "黑体" in styles and "楷体_GB2312" in styles
    sect = doc.sections[-1]
    assert round(sect.top_margin.mm) == 37 and round(sect.left_margin.mm) == 28
    assert "PAGE" in sect.footer._element.xml and "—" in sect.footer.paragraphs[0].text
    from policykb.digest.labels import flat

    for _, entry in digest.entries():
        for kp in entry.key_points:
            assert any(flat(kp.text) in t for t in texts)


def test_markdown_has_the_same_structure(digest) -> None:  # type: ignore[no-untyped-def]
    from policykb.digest import write_digest

    text = write_digest(digest, OUTPUT / "digest" / f"digest-{QUARTER}.md").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# 政策解读汇编（2026年第一季度）"
    h2 = [line[3:] for line in lines if line.startswith("## ")]
    topics = [t.name for t in digest.non_empty_topics]
    assert h2 == ["目录", *[f"{'一二三四五六七'[i]}、{n}" for i, n in enumerate(topics)], "未标注日期的文件", "引文出处"]
    assert len([line for line in lines if line.startswith("### ")]) == digest.document_count
    for c in digest.citations():
        assert f"[{c['n']}]" in text


def test_cli_digest_writes_the_file(digest_kb, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from policykb.cli import main

    monkeypatch.setenv("POLICYKB_HOME", str(digest_kb.settings.home))
    out = tmp_path / "汇编.md"
    result = CliRunner().invoke(main, ["digest", "--quarter", QUARTER, "--topics", "作风建设,纪律建设", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "收录 6 件" in result.output and "未能确定日期" in result.output
    assert "## 一、作风建设" in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(main, ["digest", "--quarter", QUARTER, "-o", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0 and ".docx 或 .md" in bad.output


def test_api_digest_and_download(digest_kb) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from policykb.api.app import create_app

    with TestClient(create_app(digest_kb.settings, kb=digest_kb, background_worker=False)) as client:
        r = client.post("/api/digest", json={"quarter": QUARTER, "topics": ["作风建设", "纪律建设"]})
        assert r.status_code == 200, r.text
        data = r.json()
        assert data["quarter"] == QUARTER and [t["name"] for t in data["topics"]] == ["作风建设", "纪律建设", "其他"]
        entries = [d for t in data["topics"] for d in t["documents"]]
        assert len(entries) == len(INSIDE) and len(data["undated"]) == 2
        kp = entries[0]["key_points"][0]
        assert kp["text"] in kp["citation"]["text"] and kp["citation"]["n"] == 1
        assert set(entries[0]) >= {"doc_id", "title", "doc_no", "issuer", "date", "key_points", "interpretation"}
        docx = client.get(data["downloads"]["docx"])
        assert docx.status_code == 200 and docx.content[:2] == b"PK"
        assert "attachment" in docx.headers["content-disposition"]
        md = client.get(data["downloads"]["md"])
        assert md.status_code == 200 and md.text.startswith("# 政策解读汇编")

        assert client.get("/api/digest/download/2026Q1-0000000000000000.docx").status_code == 404
        assert client.get("/api/digest/download/..%2Fregistry.sqlite").status_code == 404
        bad = client.post("/api/digest", json={"quarter": "明年第一季度"})
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_digest_request"
        only_json = client.post("/api/digest", json={"quarter": QUARTER, "format": "json"}).json()
        assert only_json["downloads"] == {"docx": None, "md": None}


def test_interpretation_with_an_llm_is_checked_like_answers(digest_kb, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With an LLM configured, each entry gets a 解读 written from its key points; markers are
    mapped to the digest's citation numbers and unsupported sentences are dropped. The chat
    model is a stand-in (no endpoint in tests)."""
    prompts: list[str] = []

    class FakeLLM:
        name = "llm:fake"

        def chat(self, messages):  # type: ignore[no-untyped-def]
            prompts.append(messages[-1]["content"])
            # Two sentences taken from the prompt's key points 1 and 4, one made up.
            points = dict(re.findall(r"^\[(\d+)\] (.+?)[。；]?$", messages[-1]["content"], re.M))
            return f"{points['1']}[1]。{points['4']}[4]。火星基地将于明年建成并对外开放[2]。"

    monkeypatch.setattr("policykb.llm.llm_for", lambda settings: FakeLLM())
    monkeypatch.setattr(digest_kb.settings, "llm_base_url", "http://127.0.0.1:9/v1")
    dg = digest_kb.digest(QUARTER, topics=["干部选拔任用"], doc_type="通知")
    entry = next(e for _, e in dg.entries() if "社会化培训" in (e.title or ""))
    numbers = [kp.citation["n"] for kp in entry.key_points]
    assert "<要点>" in prompts[0] and entry.key_points[0].text in prompts[0]
    assert entry.interpretation and "火星" not in entry.interpretation
    assert f"[{numbers[0]}]" in entry.interpretation and f"[{numbers[3]}]" in entry.interpretation
    assert digest_kb.digest(QUARTER, interpret=False).document_count == len(INSIDE)
