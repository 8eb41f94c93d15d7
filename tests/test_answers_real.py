"""Answers an official can trust, on real regulations and reports of ../shared/corpus/policy:
the right provision of the right document, quoted whole with the answering sentence
marked, or an honest 「知识库中未找到相关内容」.

The library is ingested without waiting for vectors (embedding it would take minutes on
a CPU), so these stories hold for the keyword side and the question's own pointers
(named documents, places, years, the kind of answer asked for) alone.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS, POLICY, make_kb, needs_shared

pytestmark = needs_shared

FILES = [
    "eight_point_rules_and_notices/001_《中共中央八项规定》（全文）.md",
    "eight_point_rules_and_notices/003_《中央八项规定实施细则》.md",
    "eight_point_rules_and_notices/011_党政机关国内公务接待管理规定.md",
    "eight_point_rules_and_notices/007_中央和国家机关差旅费管理办法.md",
    "party_regulations/009_中国共产党纪律处分条例2015.md",
    "party_regulations/010_中国共产党纪律处分条例_2018.md",
    "party_regulations/011_中国共产党纪律处分条例_2023.md",
    "party_regulations/016_中国共产党组织处理规定（试行）.md",
    "party_regulations/017_中国共产党问责条例.md",
    "party_regulations/018_中央巡视组工作规则（试行）.md",
    "party_regulations/004_中国共产党巡视工作条例.md",
    "party_regulations/005_中国共产党廉洁自律准则.md",
    "eight_point_rules_and_notices/031_关于调整中央和国家机关差旅住宿费标准等有关问题的通知.md",
    "supervision_discipline_regulations/003_事业单位工作人员处分暂行规定.md",
    "gov_work_reports_provincial_2026/004_2026年北京市政府工作报告.txt",
    "gov_work_reports_provincial_2026/015_2026年江苏省政府工作报告.txt",
]
SANSHEN = "关于严格落实三审三校制度进一步加强宣传内容质量管理的通知.txt"


def _files(pattern: str) -> list[Path]:
    return sorted(POLICY.glob(pattern))


@contextmanager
def _reports(tmp_path: Path, *patterns: str) -> Iterator[Any]:
    """A small library, without vectors, of the 2026 provincial reports matching `patterns`."""
    src = tmp_path / "reports"
    src.mkdir()
    for pattern in patterns:
        paths = _files(f"gov_work_reports_provincial_2026/{pattern}")
        assert paths, pattern
        for path in paths:
            shutil.copy(path, src / path.name)
    kb = make_kb(tmp_path / "home", weight_vector=0.0)
    try:
        kb.ingest([src], wait=False)
        yield kb
    finally:
        kb.close()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    src = tmp_path_factory.mktemp("regulations")
    wanted = [POLICY / f for f in FILES]
    wanted += _files("gov_work_reports_provincial_2026/*四川*") + _files("gov_work_reports_provincial_2026/*辽宁*")
    for path in wanted:
        assert path.is_file(), path
        shutil.copy(path, src / path.name)
    shutil.copy(CORPUS / SANSHEN, src / SANSHEN)
    kb = make_kb(tmp_path_factory.mktemp("home"), weight_vector=0.0)
    report = kb.ingest([src], wait=False)
    assert not report.failed, [f.message for f in report.failed]
    yield kb
    kb.close()


def cited_titles(answer) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.title or "" for c in answer.citations]


def test_the_eight_point_rules_are_found_by_their_common_name(library) -> None:  # type: ignore[no-untyped-def]
    hits = library.search("中央八项规定的内容是什么？", top_k=5).results
    assert any("八项规定" in (h.title or "") and "实施细则" not in (h.title or "") for h in hits)
    answer = library.ask("中央八项规定的内容是什么？")
    assert answer.found
    assert "#" not in answer.answer and all("#" not in h.text for h in hits)


def test_a_colloquial_permission_question_gets_the_reception_rule(library) -> None:  # type: ignore[no-untyped-def]
    answer = library.ask("公务接待能不能上烟酒？")
    assert answer.found, answer.answer
    assert "不得提供香烟和高档酒水" in answer.answer
    assert "公务接待" in cited_titles(answer)[0]
    # the rule is quoted whole, the answering sentence is marked
    start, end = answer.highlights[0]
    assert "香烟" in answer.answer[start:end]
    assert answer.answer.startswith("《党政机关国内公务接待管理规定》第十条")


def test_a_question_without_a_year_is_answered_from_the_current_version(library) -> None:  # type: ignore[no-untyped-def]
    answer = library.ask("纪律处分条例规定的党纪处分有哪几种？")
    assert answer.found
    assert cited_titles(answer)[0].endswith("2023") or "2023" in answer.citations[0].source_path
    versioned = library.ask("2015年版纪律处分条例规定的党纪处分有哪几种？")
    assert versioned.found and "2015" in versioned.citations[0].source_path


def test_a_question_naming_a_province_is_answered_from_that_province(library) -> None:  # type: ignore[no-untyped-def]
    answer = library.ask("四川省今年城镇新增就业目标是多少？")
    assert answer.found
    assert all("四川" in c.source_path for c in answer.citations)
    assert "城镇新增就业" in answer.answer and "辽宁" not in answer.answer
    beijing = library.ask("北京市2026年地区生产总值预期增长多少？")
    assert beijing.found and all("北京" in c.source_path for c in beijing.citations)
    assert "江苏" not in beijing.answer


def test_the_year_asked_for_picks_the_year_s_target(library) -> None:  # type: ignore[no-untyped-def]
    answer = library.ask("四川省今年城镇新增就业目标是多少？")
    start, end = answer.highlights[0]
    marked = answer.answer[start:end]
    assert "85万人" in marked and "十五五" not in marked and "今年" in answer.answer
    assert not answer.answer.split("：", 1)[-1].lstrip().startswith("是：")


def test_unrelated_documents_do_not_change_the_answer(library, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "“三审三校”中的终审由谁负责？"
    before = library.ask(question)
    assert before.found and "终审" in before.answer
    extra = tmp_path / "extra"
    extra.mkdir()
    for path in _files("policy_docs_shandong/00*")[:3] + [POLICY / "laws_and_regulations/026_中华人民共和国国歌法.md"]:
        shutil.copy(path, extra / path.name)
    library.ingest([extra], wait=False)
    after = library.ask(question)
    assert after.answer == before.answer


def test_a_list_question_gets_the_article_that_enumerates(library) -> None:  # type: ignore[no-untyped-def]
    # 第一条 and the procedure articles share the question's words; 第五条 lists the kinds.
    answer = library.ask("事业单位人员的处分有哪几种？")
    assert answer.found
    first = answer.answer.split("另见")[0]
    assert "事业单位工作人员处分暂行规定" in cited_titles(answer)[0]
    assert "警告" in first and "开除" in first and "降低岗位等级" in first


def test_a_version_named_by_its_year_and_kind_alone(library) -> None:  # type: ignore[no-untyped-def]
    # 「2015年条例」: the subject (吃请, 处分) makes plain which 条例 of 2015 is meant.
    answer = library.ask("2015年条例对接受吃请怎么处分？")
    assert answer.found
    assert "2015" in answer.citations[0].source_path
    assert "宴请" in answer.answer.split("另见")[0]


def test_a_phrase_ending_in_city_is_not_a_place_the_library_lacks(library) -> None:  # type: ignore[no-untyped-def]
    # 「涉及哪些城市」 once read as a city no document comes from, and the answer was refused.
    question = "财政部2015年调整差旅住宿费标准涉及哪些城市？"
    assert library.retriever.analyse(question).unknown_places == []
    assert "差旅住宿费标准" in library.search(question, top_k=1).results[0].title
    assert library.ask(question).found


def test_a_permission_question_finds_the_rule_of_the_document_it_is_about(library) -> None:  # type: ignore[no-untyped-def]
    # The question's words (警告, 处分) fill the party discipline articles; the rule it asks
    # about (受到警告处分的，…不得聘用到高于现聘岗位等级的岗位) is 第七条 of the 事业单位 rules.
    question = "受了警告处分的事业单位职工还能升职吗？"
    first = library.search(question, top_k=3).results[0]
    assert "事业单位工作人员处分暂行规定" in first.title and first.section_path[-1] == "第七条"
    answer = library.ask(question)
    assert answer.found and "不得聘用到高于现聘岗位等级的岗位" in answer.answer.split("另见")[0]


def test_a_how_much_question_is_refused_when_no_passage_states_the_amount(library) -> None:  # type: ignore[no-untyped-def]
    # The reception rules say lodging follows the travel standards and name no figure: the
    # passages are about the topic, and the answer would be a guess.
    assert not library.ask("公务接待安排的住宿每晚最多多少钱？").found
    answer = library.ask("公务接待陪餐最多能几个人？")
    assert answer.found and "不得超过3人" in answer.answer


def test_this_year_s_target_outranks_last_year_s_review(library) -> None:  # type: ignore[no-untyped-def]
    # 江苏's review (「一、“十四五”时期和2025年工作回顾」) states last year's budget revenue in
    # the same words; 「今年」 asks for the 2026 plan.
    first = library.search("江苏今年一般公共预算收入增长多少？", top_k=1).results[0]
    assert "江苏" in first.title and "回顾" not in " ".join(first.section_path)
    assert "2026" in first.section_path[0]


def test_a_question_about_the_document_itself_is_answered_from_its_own_lines(library) -> None:  # type: ignore[no-untyped-def]
    answer = library.ask("差旅费管理办法是哪年哪个文号印发的？")
    assert answer.found and "财行〔2013〕531号" in answer.answer and "2013年12月31日" in answer.answer
    assert "中央和国家机关差旅费管理办法" in answer.citations[0].title
    assert "财行〔2013〕531号" in answer.citations[0].text  # the cited passage shows it
    issuer = library.ask("差旅费管理办法是哪个部门印发的？")
    assert issuer.found and "财政部" in issuer.answer.splitlines()[1]



def test_a_version_that_never_says_it_is_no_answer_and_says_which_does(library) -> None:  # type: ignore[no-untyped-def]
    # 2015's 条例 has no 借用管理和服务对象的钱款; 2018's and 2023's do. Its other articles
    # share the question's words, but quoting one would answer what was not asked.
    answer = library.ask("2015年纪律处分条例对违规借用管理服务对象钱款怎么处分？")
    assert not answer.found, answer.answer
    assert answer.notice and "借用" in answer.notice and "2018" in answer.notice and "2023" in answer.notice
    later = library.ask("2018年纪律处分条例对借用管理服务对象的钱款怎么处分？")
    assert later.found and "2018" in later.citations[0].source_path
    assert "借用管理和服务对象的钱款" in later.answer


def test_a_heading_without_a_number_is_never_quoted_as_the_answer(library) -> None:  # type: ignore[no-untyped-def]
    # 廉洁自律准则 carries 「党员领导干部廉洁自律规范」 as a plain line above 第五条.
    answer = library.ask("党员廉洁自律规范有哪几条？")
    assert answer.found
    assert "廉洁自律准则" in cited_titles(answer)[0]
    quoted = answer.answer.split("另见")[0]
    assert not quoted.rstrip("[1]\n").endswith("党员领导干部廉洁自律规范")
    assert all(not line.strip().startswith("党员领导干部廉洁自律规范") for line in quoted.splitlines()[1:])


def test_a_province_s_question_is_never_answered_from_another_province_s_report(tmp_path: Path) -> None:
    # Yunnan's report (filed under the bare title 「2026年政府工作报告」) states its grain target
    # in a long 预期目标 sentence the words miss; 四川's and 黑龙江's state theirs plainly.
    with _reports(tmp_path, "002_2026年政府工作报告.txt", "*黑龙江*", "*四川*") as kb:
        answer = kb.ask("云南今年粮食产量要稳在多少")
    assert all("002_2026年政府工作报告" in c.source_path for c in answer.citations), answer.answer
    assert "四川" not in answer.answer and "黑龙江" not in answer.answer


def test_a_list_question_naming_a_part_of_the_document_gets_the_whole_part(library) -> None:  # type: ignore[no-untyped-def]
    # 廉洁自律准则's 「党员廉洁自律规范」 is 第一条 to 第四条: the four articles are the list asked for.
    answer = library.ask("党员廉洁自律规范有哪几条？")
    quoted = answer.answer.split("另见")[0]
    for article in ("第一条", "第二条", "第三条", "第四条"):
        assert article in quoted, quoted
    assert "第五条" not in quoted and "党员领导干部廉洁自律规范" not in quoted


def test_this_year_in_a_report_is_the_report_s_year(tmp_path: Path) -> None:
    # 贵州's targets sit under 「三、2026年工作安排」: to a question about 今年 in a 2026 report that
    # heading names the year asked about; the review's 「从2020年的53.2%提升到2025年的57.7%」 does not.
    with _reports(tmp_path, "*贵州*", "*四川*") as kb:
        answer = kb.ask("贵州今年常住人口城镇化率要到多少")
    assert answer.found and "贵州" in answer.citations[0].source_path
    assert "59%" in answer.answer.split("另见")[0], answer.answer


def test_housing_the_library_does_not_cover_is_not_answered_from_a_report_on_group_rentals(library) -> None:
    # 「公租房」 is one word (index/policy_terms.txt): cut into 公 + 租房 it matched 北京's
    # 「违法群租房」 治理 and was answered from it.
    answer = library.ask("如何申请公租房？")
    assert not answer.found, answer.answer


def test_a_target_the_web_copy_breaks_across_lines_is_quoted_from_its_sentence_s_start(tmp_path: Path) -> None:
    # 广东's report: 「今年经济社会发展的」 / 「主要预期目标」 / 「是：地区生产总值增长4.5%—5%…」.
    with _reports(tmp_path, "*广东*", "*四川*") as kb:
        answer = kb.ask("广东省2026年地区生产总值增长目标？")
    assert answer.found and "广东" in answer.citations[0].source_path
    quoted = answer.answer.split("：", 1)[1].lstrip()
    assert not quoted.startswith("是："), answer.answer
    assert "主要预期目标" in quoted and "4.5%—5%" in quoted


def test_a_question_about_how_a_regulation_is_laid_out_is_answered_from_its_headings(library) -> None:  # type: ignore[no-untyped-def]
    answer = library.ask("巡视工作条例有几章？")
    assert answer.found
    assert answer.answer.startswith("《中国共产党巡视工作条例》分为七章")
    assert "第七章 附 则" in answer.answer and len(answer.citations) == 7
    # every heading is cited to the passage it heads
    for c in answer.citations:
        assert c.section_path[0] in answer.answer
    # A regulation written as articles alone says so, and how many.
    answer = library.ask("问责条例分为几章？")
    assert "不分章" in answer.answer and "第一条[1]" in answer.answer
    answer = library.ask("巡视工作条例一共多少条？")
    assert answer.answer.startswith("《中国共产党巡视工作条例》共四十二条") and "第四十二条[2]" in answer.answer


def test_the_contents_of_a_short_document_are_its_items(library) -> None:  # type: ignore[no-untyped-def]
    # 「中央八项规定的内容是什么」 is answered by its eight items, each as the text writes it
    # (「二、」 on its own line, its words on the next).
    answer = library.ask("中央八项规定的内容是什么？")
    assert answer.answer.startswith("《中共中央八项规定》分为八个部分")
    assert "二、要精简会议活动" in answer.answer and "八、" in answer.answer
    assert len(answer.citations) == 8


def test_what_a_thing_comprises_is_not_how_its_document_is_laid_out(library) -> None:  # type: ignore[no-untyped-def]
    # 差旅费 is the subject, not 《中央和国家机关差旅费管理办法》: its 第三条 says what it comprises.
    answer = library.ask("差旅费都包括哪几块？")
    assert "分为" not in answer.answer.splitlines()[0]




def test_a_list_question_is_answered_by_the_list_its_words_lead_into(library) -> None:  # type: ignore[no-untyped-def]
    # 问责条例 第七条 lists the ways for 党组织, then 「对党的领导干部的问责方式包括：」 and its
    # four items. That lead-in ending in 「：」 had been skipped as announcing what comes, so
    # 第八条's passing mention of 「通报、诫勉方式」 was quoted instead.
    answer = library.ask("对领导干部问责有哪些方式？")
    first = answer.answer.split("另见")[0]
    assert "第七条" in first, answer.answer
    assert "（二）诫勉。对失职失责、情节较轻的" in first


