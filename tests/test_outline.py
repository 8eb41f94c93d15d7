"""How a document is laid out, read from its passages' headings (policykb/answer/outline.py)."""
from __future__ import annotations

from dataclasses import dataclass

from policykb.answer.outline import asked_unit, outline_of


@dataclass
class Chunk:
    id: str
    section_path: list[str]
    char_start: int = 0


def test_the_unit_a_question_counts_in() -> None:
    assert asked_unit("巡视工作条例有几章？") == "章"
    assert asked_unit("纪律处分条例分为几编？") == "编"
    assert asked_unit("清单80条分成哪几大块？") == "part"
    assert asked_unit("实施细则包括哪几个部分？") == "part"
    assert asked_unit("巡视组的职责有哪些？") is None
    assert asked_unit("出差能报销几天的伙食费？") is None


def test_headings_of_the_unit_in_order_each_with_its_first_passage() -> None:
    chunks = [Chunk("a", ["第一编 总则", "第一章 任务"]), Chunk("b", ["第一编 总则", "第一章 任务", "第二条"]),
              Chunk("c", ["第一编 总则", "第二章 原则"]), Chunk("d", ["第二编 分则", "第三章 处分"])]
    assert [(h, c.id) for h, c in outline_of(chunks, "编")] == [("第一编 总则", "a"), ("第二编 分则", "d")]
    assert [h for h, _ in outline_of(chunks, "章")] == ["第一章 任务", "第二章 原则", "第三章 处分"]
    assert [h for h, _ in outline_of(chunks, "part")] == ["第一编 总则", "第二编 分则"]
    # articles are no parts: a regulation of articles alone has none
    assert outline_of([Chunk("x", ["第一条"]), Chunk("y", ["第二条"])], "part") == []


def test_how_many_articles_is_asked_with_共_or_at_the_end_not_by_哪几条() -> None:
    from policykb.answer.outline import _COUNTS_ARTICLES, _numeral

    assert _COUNTS_ARTICLES.search("问责条例一共多少条？")
    assert _COUNTS_ARTICLES.search("巡视工作条例共有几条")
    assert not _COUNTS_ARTICLES.search("党员廉洁自律规范有哪几条？")
    assert not _COUNTS_ARTICLES.search("违反八项规定清单80条分成哪几大块？")
    assert [_numeral(n) for n in (13, 105, 110, 142)] == ["十三", "一百零五", "一百一十", "一百四十二"]
