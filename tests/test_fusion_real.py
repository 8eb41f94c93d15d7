"""Fusing the vector list with the keyword lists, and the list a list question adds, on
real regulations (skipped without ../shared).

「公车用几年可以换新？」 shares no word with its answer (「公务用车使用年限超过8年的可以更新」):
the vector side finds that article first, while the keyword lists fill with the 车改 texts
that repeat 公车. With reciprocal-rank fusion's textbook k of 60, three keyword lists'
middling ranks outweighed the vector side's first place and the article fell out of the
answer's candidates.
"""
from __future__ import annotations

import shutil

import pytest

from conftest import POLICY, make_kb, needs_shared
from policykb.retrieval.hybrid import _ASKED_FORMS, _defines

CAR_RULES = "eight_point_rules_and_notices/009_党政机关公务用车管理办法.md"
OTHERS = [
    "eight_point_rules_and_notices/020_关于全面推进公务用车制度改革的指导意见.md",
    "eight_point_rules_and_notices/021_关于全面推进公务用车制度改革的方案.md",
    "eight_point_rules_and_notices/007_中央和国家机关差旅费管理办法.md",
    "eight_point_rules_and_notices/034_因公临时出国经费管理办法.md",
]
QUESTION = "公车用几年可以换新？"
ANSWER = "使用年限超过8年的可以更新"


@pytest.fixture(scope="module")
def cars(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    src = tmp_path_factory.mktemp("cars")
    for name in [CAR_RULES, *OTHERS]:
        shutil.copy(POLICY / name, src / (POLICY / name).name)
    kb = make_kb(tmp_path_factory.mktemp("home"))
    report = kb.ingest([src])  # waits for every passage's vector
    assert not report.failed, [f.message for f in report.failed]
    assert kb.registry.pending_count() == 0
    yield kb
    kb.close()


@needs_shared
def test_the_article_first_by_meaning_is_among_the_first_five(cars) -> None:
    first_by_meaning = cars.search(QUESTION, top_k=5, mode="vector").results
    assert any(ANSWER in h.text for h in first_by_meaning[:3])
    hits = cars.search(QUESTION, top_k=5).results
    assert any(ANSWER in h.text for h in hits), [h.text[:40] for h in hits]


@needs_shared
def test_the_answer_quotes_the_article_on_renewal(cars) -> None:
    answer = cars.ask(QUESTION)
    assert answer.found
    assert ANSWER in answer.answer
    assert any("第二十二条" in " ".join(c.section_path) or "第二十二条" in c.text for c in answer.citations)


@needs_shared
def test_a_list_question_quotes_the_article_that_says_what_its_subject_comprises(cars) -> None:
    # 第三条 says what 差旅费 is: 城市间交通费、住宿费、伙食补助费和市内交通费. Articles with
    # longer （一）（二） lists (第十九条 市内交通费, 第二十九条 违规行为) used to come first.
    answer = cars.ask("差旅费包括哪几项费用？")
    assert answer.found
    assert "城市间交通费、住宿费、伙食补助费和市内交通费" in answer.answer, answer.answer
    assert answer.citations[0].section_path[-1:] == ["第三条"] or "第三条" in answer.citations[0].text
    # 第四条 lists budget rules for the 经费 with （一）（二）; 第八条 says what it comprises, and
    # is quoted first, not only as 另见.
    answer = cars.ask("因公临时出国经费都包括哪几块？")
    first = answer.answer.split("另见")[0]
    assert "国际旅费、国外城市间交通费、住宿费、伙食费、公杂费和其他费用" in first, answer.answer


def test_an_article_defines_the_subject_of_a_list_question_not_the_form_it_asks_for() -> None:
    # 「组织处理的方式包括哪些」: its subject is 组织处理; 方式 is what it asks the items to be.
    subject = [t for t in ["组织", "处理", "方式"] if t not in _ASKED_FORMS]
    defines = _defines(subject)
    assert defines is not None
    assert defines.search("第三条 本规定所称组织处理，是指党组织对……包括停职检查、调整职务、责令辞职、免职、降职。")
    assert not defines.search("第七条 对党组织的问责方式包括：（一）检查。（二）通报。（三）改组。")
    travel = _defines(["差旅费"])
    assert travel is not None and travel.search("第三条 差旅费是指工作人员临时到常驻地以外地区公务出差所发生的城市间交通费")
    assert not travel.search("第十九条 市内交通费是指工作人员因公出差期间发生的市内交通费用")
    assert _defines([]) is None


def test_an_article_defines_its_subject_through_a_head_noun() -> None:
    # 「国家监委管辖的贪污贿赂犯罪包括哪些罪名」: 管辖规定 第十二条 says 「贪污贿赂犯罪案件，包括贪污罪；…」.
    defines = _defines(["贪污贿赂", "犯罪", "罪名"])
    assert defines is not None
    assert defines.search("第十二条 贪污贿赂犯罪案件，包括贪污罪；挪用公款罪；受贿罪。")
    assert not defines.search("第十一条 国家监察委员会负责调查行使公权力的公职人员涉嫌贪污贿赂犯罪案件。")


def test_a_list_of_the_form_asked_for_is_told_by_its_lead_in() -> None:
    from policykb.retrieval.hybrid import _lists_form

    forms = _lists_form(["违规", "津贴", "补贴", "情形"])
    assert forms is not None
    assert forms.search("第四条 有下列行为之一的，给予警告处分：（一）违反规定自行新设项目…")
    assert not forms.search("第二条 本规定所称津贴补贴包括国家统一规定的津贴补贴和工作性津贴。")
    ways = _lists_form(["领导干部", "问责", "方式"])
    assert ways is not None and ways.search("对党的领导干部的问责方式包括：（一）通报。")
    assert _lists_form(["差旅费", "报销"]) is None  # no form asked: nothing to tell
