"""Chunks follow the document's own structure, on real documents from the corpus: an
article is a unit, a chunk never crosses a top-level section, and every chunk's text is
exactly the slice of the document its offsets name."""
from __future__ import annotations

import pytest

from policykb.ingest import parse_file
from policykb.ingest.structure import chunk_document, classify_line, find_headings, heading_label
from tests.ingest_helpers import assert_chunk_invariants, corpus_file, corpus_files


@pytest.mark.parametrize(
    "line, kind",
    [
        ("第一编 总则", "part"),
        ("第四章 对违法犯罪党员的纪律处分", "chapter"),
        ("第一节 一般规定", "section"),
        ("第二十八条 党组织在纪律审查中发现党员有刑法规定的行为", "article"),
        ("第二条本规定所称历史建筑，是指…", "article"),
        ("一、总体要求", "cn"),
        ("十二、其他", "cn"),
        ("（三）加强基层党建。全面推进村党组织书记轮训。", "paren_cn"),
        ("1.严格执行政府采购程序", "arabic"),
        ("2、加强培训", "arabic"),
        ("3．完善制度", "arabic"),
        ("（1）组织学习", "paren_arabic"),
        ("## 第一章 总则", "md"),
    ],
)
def test_heading_lines_are_recognised(line: str, kind: str) -> None:
    assert classify_line(line)[0] == kind  # type: ignore[index]


@pytest.mark.parametrize(
    "line",
    [
        "1.5万亿元的专项债券已经下达。",
        "3、4月份是春耕备耕的关键时期。",
        "2024年工作回顾",
        "我们要坚持一、二、三产业融合发展。",
        "一、二类地区的补助标准另行规定。",
        "第一章规定的各项制度，各地要认真执行，确保落实落地，不得打折扣。",
        "第二条规定的情形，依照本法处理。",
        "国内生产总值增长5%。",
    ],
)
def test_sentences_are_not_headings(line: str) -> None:
    assert classify_line(line) is None


def test_heading_label_keeps_only_the_heading() -> None:
    assert heading_label("（三）加强基层党建。全面推进村党组织书记轮训。", "paren_cn") == "（三）加强基层党建"
    assert heading_label("第二十八条 党组织在纪律审查中发现…", "article") == "第二十八条"
    assert heading_label("## 第一章 总则", "md") == "第一章 总则"
    long = heading_label("一、" + "很长的标题" * 20, "cn")
    assert len(long) <= 31 and long.endswith("…")


def test_discipline_regulation_article_is_its_own_chunk_under_its_chapter() -> None:
    doc = parse_file(corpus_file("party_regulations/*纪律处分条例*2018*"))
    assert_chunk_invariants(doc)
    art = [c for c in doc.chunks if c.section_path and c.section_path[-1] == "第二十八条"]
    assert len(art) == 1
    chunk = art[0]
    assert chunk.text.startswith("第二十八条")
    assert "第二十九条" not in chunk.text and "第二十七条" not in chunk.text
    assert chunk.section_path[0] == "第一编 总则"
    assert any(p.startswith("第四章") for p in chunk.section_path)
    # every article shorter than the cap is exactly one chunk
    articles = [c.section_path[-1] for c in doc.chunks if c.section_path and c.section_path[-1].endswith("条")]
    assert len(articles) > 100


def test_an_article_never_shares_a_chunk_with_another_article() -> None:
    for path in corpus_files("laws_and_regulations/0[0-2]*.md")[:20]:
        doc = parse_file(path)
        for chunk in doc.chunks:
            starts = [line for line in chunk.text.split("\n") if classify_line(line) == ("article", 4.0)]
            assert len(starts) <= 1, (path.name, chunk.text[:80])


def test_government_report_chunks_never_cross_top_level_sections() -> None:
    path = corpus_file("gov_work_reports_national/072_2025*")
    doc = parse_file(path)
    assert_chunk_invariants(doc)
    tops = [h for h in find_headings(doc.text) if h.kind == "cn"]
    assert [h.label[:2] for h in tops] == ["一、", "二、", "三、"]
    for chunk in doc.chunks:
        inside = [h for h in tops if chunk.char_start < h.start < chunk.char_end]
        # a short preamble ("各位代表：…") is glued to the first section, nothing else
        assert not inside or (chunk.char_start < tops[0].start and inside == tops[:1]), chunk.text[:60]
        if chunk.char_start >= tops[0].start:
            assert chunk.section_path and chunk.section_path[0].startswith(("一、", "二、", "三、"))


def test_wiki_line_breaks_are_joined_in_reports() -> None:
    doc = parse_file(corpus_file("gov_work_reports_national/061_2013*"))
    assert "我们贯彻民族区域自治法，支持少数民族" in doc.text.replace(" ", "")
    doc = parse_file(corpus_file("gov_work_reports_national/062_2014*"))
    assert "广义货币M2增长13.6%" in doc.text


def test_table_of_contents_is_not_a_section() -> None:
    doc = parse_file(corpus_file("supervision_discipline_regulations/001_*"))
    assert doc.chunks[0].section_path == ()
    assert "目 录" in doc.chunks[0].text
    assert doc.chunks[1].section_path == ("第一章 总 则", "第一条")


def test_chunk_size_rules_over_many_real_documents() -> None:
    """No chunk exceeds max_chars (we cut even an unpunctuated run at the cap); a chunk
    shorter than min_chars is a whole small section: an article, a top-level item, a
    preamble, or a piece whose neighbours in its unit are too full to take it."""
    paths = corpus_files("*/0[0-3]*.*")
    assert len(paths) > 100
    for max_chars, min_chars in ((400, 80), (250, 60)):
        small_but_mergeable = 0
        total = 0
        for path in paths:
            doc = parse_file(path, max_chars=max_chars, min_chars=min_chars)
            assert_chunk_invariants(doc, max_chars=max_chars)
            total += len(doc.chunks)
            for prev, chunk, nxt in zip((None,) + doc.chunks, doc.chunks, doc.chunks[1:] + (None,)):
                if len(chunk.text) >= min_chars:
                    continue
                same = [n for n in (prev, nxt) if n is not None and n.section_path == chunk.section_path]
                fits = [n for n in same if max(chunk.char_end, n.char_end) - min(chunk.char_start, n.char_start) <= max_chars]
                small_but_mergeable += bool(fits)
        assert small_but_mergeable <= total * 0.002


def test_chunk_parameters_are_honoured() -> None:
    text = "一、总体要求\n" + "这是一个完整的句子，用来测试切分。" * 60 + "\n二、其他\n简短。"
    for max_chars in (100, 200, 400):
        chunks = chunk_document(text, max_chars=max_chars, min_chars=30)
        assert all(len(c.text) <= max_chars for c in chunks)
        assert all(c.text.endswith("。") for c in chunks)  # cut at sentence ends
        assert chunks[-1].section_path == ("二、其他",)
        for c in chunks:
            assert text[c.char_start : c.char_end] == c.text


def test_an_overlong_sentence_is_cut_at_commas_then_hard() -> None:
    sentence = "，".join(["加强基层党组织建设"] * 80) + "。"
    chunks = chunk_document("一、要求\n" + sentence, max_chars=100, min_chars=20)
    assert all(len(c.text) <= 100 for c in chunks)
    assert all(c.text.endswith(("，", "。")) for c in chunks)
    no_punct = "党" * 950
    chunks = chunk_document(no_punct, max_chars=400, min_chars=80)
    assert [len(c.text) for c in chunks] == [400, 400, 150]


def test_bare_heading_travels_with_its_first_child() -> None:
    text = (
        "二、重点任务\n（一）加强理论武装。" + "组织党员深入学习党的创新理论。" * 10
        + "\n（二）加强基层党建。" + "全面推进村党组织书记轮训。" * 20
    )
    chunks = chunk_document(text, max_chars=200, min_chars=40)
    assert chunks[0].text.startswith("二、重点任务\n（一）加强理论武装")
    assert chunks[0].section_path == ("二、重点任务", "（一）加强理论武装")
    assert all(len(c.text) >= 40 for c in chunks)


def test_pages_follow_chunks() -> None:
    from policykb.ingest.types import Page

    text = "一、甲\n" + "第一页的句子。" * 10 + "\n二、乙\n" + "第二页的句子。" * 10
    split = text.index("二、乙")
    pages = (Page(1, 0, split), Page(2, split, len(text)))
    chunks = chunk_document(text, pages, max_chars=400, min_chars=10)
    assert [c.page for c in chunks] == [1, 2]


def test_a_heading_a_regulation_gives_without_a_number_holds_the_articles_below_it() -> None:
    # 廉洁自律准则: 「党员廉洁自律规范」 over 第一条–第四条, 「党员领导干部廉洁自律规范」 over 第五条–第八条.
    text = ("中国共产党全体党员和各级党员领导干部必须坚定共产主义理想。\n党员廉洁自律规范\n"
            "第一条 坚持公私分明，先公后私，克己奉公。\n第四条 坚持吃苦在前，享受在后，甘于奉献。\n"
            "党员领导干部廉洁自律规范\n第五条 廉洁从政，自觉保持人民公仆本色。\n")
    heads = [(h.kind, h.label) for h in find_headings(text)]
    assert heads == [("unnumbered", "党员廉洁自律规范"), ("article", "第一条"), ("article", "第四条"),
                     ("unnumbered", "党员领导干部廉洁自律规范"), ("article", "第五条")]
    chunks = chunk_document(text, max_chars=400, min_chars=1)
    fourth = next(c for c in chunks if "第四条" in c.text)
    assert "党员领导干部廉洁自律规范" not in fourth.text  # the next part's heading is not 第四条's
    fifth = next(c for c in chunks if "第五条" in c.text)
    assert fifth.section_path[0] == "党员领导干部廉洁自律规范"


def test_a_chapter_title_wrapped_onto_a_second_line_is_one_heading() -> None:
    text = ("第二章 村党组织领导班子成员和村民\n委员会成员廉洁履行职责行为规范\n"
            "第四条 禁止在村级组织选举中拉票贿选、破坏选举。\n第一章 总则\n一般规定\n第五条 本规定适用于村干部。\n")
    heads = [(h.kind, h.label) for h in find_headings(text)]
    assert heads[0] == ("chapter", "第二章 村党组织领导班子成员和村民委员会成员廉洁履行职责行为规范"[:30] + "…")
    assert heads[1] == ("article", "第四条")
    # 「第一章 总则」 is whole: the short line under it is a heading of its own, not its tail.
    assert heads[2:] == [("chapter", "第一章 总则"), ("unnumbered", "一般规定"), ("article", "第五条")]


def test_a_short_sentence_above_an_article_is_not_taken_for_a_heading() -> None:
    text = "第三条 党员应当遵守纪律。\n以上规定，必须执行\n第四条 本规定自发布之日起施行。\n"
    assert [h.kind for h in find_headings(text)] == ["article", "article"]
