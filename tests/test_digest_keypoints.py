"""Key points, topics and quarters as pure functions, on real documents of the shared corpus
(no database, no model)."""
from __future__ import annotations

import json

import pytest

from conftest import POLICY, needs_shared
from policykb.digest.classify import CATCH_ALL, assign, combine, keyword_scores
from policykb.digest.keypoints import MAX_POINTS, extract_key_points
from policykb.digest.select import Quarter, QuarterError
from policykb.digest.topics import DEFAULT_TOPICS, TopicError, resolve_topics

REAL = [
    "eight_point_rules_and_notices/015_关于严禁党政机关到风景名胜区开会的通知.md",
    "eight_point_rules_and_notices/012_关于严格规范领导干部参加社会化培训有关事项的通知.md",
    "eight_point_rules_and_notices/011_党政机关国内公务接待管理规定.md",
    "party_regulations/017_中国共产党问责条例.md",
    "party_regulations/005_中国共产党廉洁自律准则.md",
    "party_regulations/019_党委（党组）落实全面从严治党主体责任规定.md",
]


@needs_shared
@pytest.mark.parametrize("rel", REAL)
def test_key_points_are_verbatim_slices_of_their_chunk(rel: str) -> None:
    from policykb.ingest import parse_file

    doc = parse_file(POLICY / rel)
    points = extract_key_points(doc.chunks, doc.meta.title)
    assert 3 <= len(points) <= MAX_POINTS, [p.text for p in points]
    for p in points:
        chunk = doc.chunks[p.chunk_index]
        assert chunk.text[p.start : p.end] == p.text
        assert p.text in chunk.text
        assert len(p.text) >= 10
        assert not p.text.startswith(("#", "第", "（一）", "一、")), p.text  # numbering stripped
    # In document order, no point twice.
    assert [(p.chunk_index, p.start) for p in points] == sorted((p.chunk_index, p.start) for p in points)
    assert len({p.text for p in points}) == len(points)


@needs_shared
def test_key_points_prefer_requirements_and_skip_boilerplate() -> None:
    from policykb.ingest import parse_file

    doc = parse_file(POLICY / "eight_point_rules_and_notices/015_关于严禁党政机关到风景名胜区开会的通知.md")
    texts = [p.text for p in extract_key_points(doc.chunks, doc.meta.title)]
    assert any("严禁各级党政机关以召开会议等名义组织公款旅游" in t for t in texts)
    assert all(any(m in t for m in ("要", "应当", "严禁", "不得", "一律", "必须", "建立", "严格")) for t in texts)
    # The document's own name on a line of its own is not a key point.
    assert not any(t.endswith("开会的通知") for t in texts)


def test_a_tiny_document_still_gets_points() -> None:
    class C:
        def __init__(self, text: str) -> None:
            self.text, self.section_path = text, ()

    points = extract_key_points([C("各单位要高度重视，认真组织学习。本通知自印发之日起施行。")])
    assert [p.text for p in points] == ["各单位要高度重视，认真组织学习。"]
    assert extract_key_points([]) == []


def test_key_points_are_whole_sentences() -> None:
    class C:
        section_path = ("一、总体要求",)
        text = "一、总体要求\n各级党组织要" + "，".join(["切实加强基层党组织建设"] * 20) + "。"

    (point,) = extract_key_points([C()])[:1]
    assert not point.truncated and point.text in C.text and point.text.endswith("。")
    assert point.text.startswith("各级党组织要")


def test_quarters() -> None:
    assert Quarter.parse("2026Q1").span() == ("2026-01-01", "2026-03-31")
    assert Quarter.parse("2026年第四季度").span() == ("2026-10-01", "2026-12-31")
    assert Quarter.parse("2024-q1").code == "2024Q1" and Quarter.parse("2024q1").label == "2024年第一季度"
    with pytest.raises(QuarterError, match="季度格式"):
        Quarter.parse("2026Q5")


def test_topics_default_given_and_from_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert [t.name for t in resolve_topics(None)] == [t.name for t in DEFAULT_TOPICS]
    picked = resolve_topics("作风建设,新主题")
    assert picked[0].keywords and picked[0].name == "作风建设"
    assert picked[1].keywords == ("新主题",)
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({"topics": [{"name": "乡村振兴", "description": "…", "keywords": ["乡村"]}]},
                               ensure_ascii=False), encoding="utf-8")
    assert [t.name for t in resolve_topics(None, path)] == ["乡村振兴"]
    toml = tmp_path / "topics.toml"
    toml.write_text('[[topics]]\nname = "人才工作"\nkeywords = ["人才"]\n', encoding="utf-8")
    assert resolve_topics(None, toml)[0].keywords == ("人才",)
    with pytest.raises(TopicError):
        resolve_topics(None, tmp_path / "missing.toml")


def test_topic_scores_keywords_and_catch_all() -> None:
    topics = list(DEFAULT_TOPICS)
    kw = keyword_scores(topics, "关于严禁公款购买赠送年货节礼的通知", [], "落实中央八项规定精神，严禁公款吃喝。")
    best = assign(topics, combine(kw, []))
    assert best.topic == "作风建设"
    assert assign(topics, combine(keyword_scores(topics, "天气预报", [], "明天晴。"), [])).topic == CATCH_ALL
