"""policykb.text: the one home of width folding, sentence splitting and Chinese numerals.
Each variant a caller uses is pinned here by the case that tells it from the default."""
from __future__ import annotations

import re

import pytest

from policykb.text import (
    CLOSERS, cn_int, cn_numeral, fold, sentence_end, sentence_pattern, sentence_texts, sentences, stop_chars,
)


def test_fold_makes_full_width_half_width_and_lower_case() -> None:
    assert fold("ＡＢＣ２０２６年") == "abc2026年"
    assert fold("ＡＢＣ２０２６年", lower=False) == "ABC2026年"
    assert fold("三审三校\u3000制度", lower=False) == "三审三校 制度"


def test_stop_characters_by_variant() -> None:
    assert set(stop_chars()) == set("。！？；!?;")
    assert set(stop_chars(semicolon=False)) == set("。！？!?")
    assert set(stop_chars(ascii=False)) == set("。！？；")
    assert set(stop_chars(semicolon=False, ascii=False)) == set("。！？")


def test_sentences_default_cut_at_stops_semicolons_and_line_breaks() -> None:
    text = "第一条 加强管理；严格执行。\n  第二条 自发布之日起施行！"
    assert sentence_texts(text) == ["第一条 加强管理；", "严格执行。", "第二条 自发布之日起施行！"]
    spans = sentences(text)
    assert [text[s:e] for s, e in spans] == sentence_texts(text)
    assert spans[2][0] == text.index("第二条")  # leading spaces trimmed, offsets into the text


def test_a_sentence_without_a_stop_ends_at_its_line() -> None:
    assert sentence_texts("一、总体要求\n坚持稳中求进") == ["一、总体要求", "坚持稳中求进"]


def test_semicolon_variant() -> None:
    text = "一是加强学习；二是严格管理。"
    assert sentence_texts(text) == ["一是加强学习；", "二是严格管理。"]
    assert sentence_texts(text, semicolon=False) == [text]


def test_ascii_variant() -> None:
    text = "What? 这是什么。"
    assert sentence_texts(text) == ["What?", "这是什么。"]
    assert sentence_texts(text, ascii=False) == [text]


def test_runs_variant() -> None:
    text = "真的吗？！是的。"
    assert sentence_texts(text) == ["真的吗？！", "是的。"]
    # One stop only: the second stop of the run starts no sentence and is dropped.
    assert sentence_texts(text, runs=False) == ["真的吗？", "是的。"]


def test_closing_quotes_belong_to_the_sentence_unless_closers_are_empty() -> None:
    text = "他说：“要抓落实。”随后散会。"
    assert sentence_texts(text) == ["他说：“要抓落实。”", "随后散会。"]
    assert sentence_texts(text, closers="") == ["他说：“要抓落实。", "”随后散会。"]
    assert sentence_texts("《办法》已印发。》下文", closers="”") == ["《办法》已印发。", "》下文"]
    assert "”" in CLOSERS and "》" in CLOSERS


def test_sentence_end_with_ellipsis() -> None:
    ends = re.compile(sentence_end(runs=False, ellipsis=True))
    text = "还有很多……下一句。"
    assert [m.group(0) for m in ends.finditer(text)] == ["……", "。"]
    assert [m.group(0) for m in re.finditer(sentence_end(runs=False), text)] == ["。"]


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, ["好！”", "走；", "完"]),
    ({"runs": False, "closers": ""}, ["好！", "”走；", "完"]),
    ({"semicolon": False, "runs": False, "closers": ""}, ["好！", "”走；完"]),
    ({"ascii": False, "runs": False, "closers": ""}, ["好！", "”走；", "完"]),
])
def test_sentence_pattern_matches_as_the_variant_says(kwargs: dict[str, object], expected: list[str]) -> None:
    assert sentence_pattern(**kwargs).findall("好！”走；完") == expected


@pytest.mark.parametrize(("n", "cn"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一"),
                                       (99, "九十九"), (0, "0"), (100, "100"), (-3, "-3")])
def test_cn_numeral(n: int, cn: str) -> None:
    assert cn_numeral(n) == cn


@pytest.mark.parametrize(("cn", "n"), [
    ("三", 3), ("十", 10), ("十二", 12), ("七十二", 72), ("一百二十", 120), ("两千", 2000), ("两万", 20000),
    ("一万零五", 10005), ("三千五百万", 35000000), ("二〇二六", 2026), ("二O二O", 2020), ("二○一九", 2019),
    ("二00五", 2005), ("〇五", 5), ("一二", 12), ("", None),
])
def test_cn_int(cn: str, n: int | None) -> None:
    assert cn_int(cn) == n


@pytest.mark.parametrize(("cn", "n"), [
    ("五", 5), ("十", 10), ("十二", 12), ("二十", 20), ("三十一", 31), ("05", 5), ("12", 12),
    # Not a month or a day as a date writes them: 0, so no date is made of it.
    ("〇五", 0), ("一二", 0),
])
def test_cn_int_date_part(cn: str, n: int) -> None:
    assert cn_int(cn, date_part=True) == n
