"""Which passage an answer quotes: the selector's signals, and the stories they serve."""
from __future__ import annotations

import re

from conftest import make_kb
from policykb.answer.relevance import coverage
from policykb.answer.selection import FEATURES, Question, features, ranked
from policykb.results import Hit
from policykb.text import content_part


def hit(n: int, text: str, title: str = "关于加强宣传内容质量管理的通知", path: list[str] | None = None,
        similarity: float | None = 0.9) -> Hit:
    return Hit(chunk_id=f"d{n}-0-0", doc_id=f"d{n}", title=title, source_path=f"/tmp/d{n}.txt",
               section_path=path or [], text=text, char_start=0, char_end=len(text), page=None,
               score=1.0 / (n + 1), metadata={}, match={"keyword_rank": n + 1, "vector_similarity": similarity})


def test_a_bracketed_aside_does_not_hide_the_words_a_question_uses() -> None:
    weights = {"村党组织书记": 3.0, "培训": 1.0}
    assert coverage(weights, "村（社区）党组织书记每年参加培训") == 1.0
    assert coverage(weights, "社区书记每年参加培训") == 0.25


def test_a_shorthand_in_the_question_is_found_spelled_out_in_the_text() -> None:
    # 「区县监委初核」, 「被降岗处分」: officials shorten what the regulation writes in full.
    assert coverage({"初核": 2.0, "审批": 2.0}, "开展初步核实，应当报同级党委主要负责人审批") == 1.0
    assert coverage({"降岗": 1.0, "处分期": 1.0}, "受处分的期间为：（三）降低岗位等级或者撤职，24个月") == 1.0
    # Only within one clause and in order: scattered characters are no abbreviation.
    assert coverage({"初核": 1.0}, "初步意见，核实情况") == 0.0
    assert coverage({"降岗": 1.0}, "岗位等级降低") == 0.0


def test_the_phrasing_glued_onto_an_unknown_token_is_trimmed() -> None:
    assert content_part("最多能") == ""
    assert content_part("能配") == "配"
    assert content_part("哪些项目") == "项目"
    assert content_part("取暖费") == "取暖费"  # a real word the library lacks stays whole


def test_a_who_question_is_answered_by_the_sentence_that_names_who() -> None:
    question = Question(weights={"终审": 2.0, "负责": 1.0, "三审三校": 1.0}, alternatives={}, intent="who")
    hits = [
        hit(0, "各单位要严格落实“三审三校”终审责任，不得以任何理由减少审校环节。", similarity=0.91),
        hit(1, "（三）终审由本单位分管领导负责。重点把握政治方向。", path=["二、严格执行“三审”制度"], similarity=0.90),
    ]
    rows = features(question, hits, [f"{h.title} {h.text}" for h in hits])
    form = FEATURES.index("form")
    assert [r[form] for r in rows] == [0.0, 1.0]
    assert ranked(question, hits, [f"{h.title} {h.text}" for h in hits], with_vectors=True)[0][0] == 1


def test_the_regulation_itself_is_quoted_before_a_compilation_that_repeats_it() -> None:
    text = "第十条 工作餐不得提供香烟和高档酒水。"
    question = Question(weights={"香烟": 2.0, "酒水": 2.0}, alternatives={}, intent="permit")
    hits = [hit(0, "24.工作餐不得提供香烟和高档酒水。", title="违反八项规定清单80条处理依据汇总"),
            hit(1, text, title="党政机关国内公务接待管理规定", path=["第十条"])]
    evidence = [f"{h.title} {h.text}" for h in hits]
    assert ranked(question, hits, evidence, with_vectors=False)[0][0] == 1


def test_the_training_assessment_story_is_answered_from_the_work_plan(demo_kb) -> None:  # type: ignore[no-untyped-def]
    answer = demo_kb.ask("村党组织书记的培训情况要纳入什么考核？")
    assert answer.found
    first = answer.answer.split("另见")[0]
    assert "培训情况纳入年度述职评议考核" in first
    # A runner-up, when there is one, says whose it is and cites its own passage.
    if "另见" in answer.answer:
        assert re.search(r"另见《[^》]+》[^：\n]{0,12}：.+\[2\]$", answer.answer)
        assert [c.n for c in answer.citations] == [1, 2]


def test_a_how_much_question_is_answered_by_the_sentence_stating_the_target_not_the_preamble() -> None:
    """「山东今年GDP增速目标定的多少？」: the report's preamble says 今年 and 目标 under the
    province's own title, but only the target sentence states an amount; and 2026 named in
    the heading alone marks the period."""
    question = Question(weights={"山东": 3.0, "今年": 2.0, "增速": 2.0, "目标": 1.5},
                        alternatives={"增速": ["增长"]}, intent="quantity", wants_number=True,
                        period=("今年", "2026年"))
    title = "2026年山东省政府工作报告"
    hits = [hit(0, "今年是“十五五”开局之年，做好今年政府工作，要锚定目标任务，奋力开创新局面。", title=title,
                path=["三、2026年重点工作"]),
            hit(1, "经济社会发展的主要预期目标是：地区生产总值增长5%以上，城镇新增就业110万人以上。", title=title,
                path=["三、2026年重点工作"])]
    rows = features(question, hits, [f"{h.title} {h.text}" for h in hits])
    number, period = FEATURES.index("number"), FEATURES.index("period")
    assert rows[0][number] == 0.0 and rows[1][number] > 0.5
    assert rows[1][period] == 1.0, "the period is named by the heading"
    assert ranked(question, hits, [f"{h.title} {h.text}" for h in hits], with_vectors=True)[0][0] == 1


def test_a_how_many_kinds_question_prefers_the_passage_that_counts_them(demo_kb) -> None:  # type: ignore[no-untyped-def]
    """「问题线索有哪几类处置方式？」: one article says a clue 可以采取谈话方式 (the words, no
    list); the answer names the 4类方式 in a row of 、 with no （一）（二） to mark it."""
    question = "问题线索有哪几类处置方式？"
    asked = demo_kb.answer_question(question, {"问题线索": 3.0, "处置": 2.0, "方式": 1.0, "种类": 0.5})
    assert asked.intent == "list" and asked.counted == "类"
    hits = [hit(0, "对一般性问题线索的处置，可以采取谈话方式进行，对监察对象给予警示、批评、教育。", title="监察法实施条例",
                path=["第七十一条"]),
            hit(1, "纪检监察机关应当结合问题线索所涉及地区、部门、单位总体情况，综合分析，按照谈话函询、初步核实、"
                   "暂存待查、予以了结4类方式进行处置。", title="监督执纪工作规则", path=["第二十一条"])]
    rows = features(asked, hits, [f"{h.title} {h.text}" for h in hits])
    enumeration = FEATURES.index("enumeration")
    assert rows[0][enumeration] == 0.0 and rows[1][enumeration] == 1.0


def test_the_gate_turns_away_a_how_much_question_whose_passages_state_no_amount() -> None:
    from policykb.answer.gate import GateSignals, admits

    about_it = GateSignals(coverage=0.8, similarity=0.93, named=False, anchored=True, amount=0.0)
    assert not admits(about_it)
    assert admits(GateSignals(coverage=0.8, similarity=0.93, named=False, anchored=True, amount=0.6))
    assert admits(GateSignals(coverage=0.8, similarity=0.93, named=False, anchored=True))  # not a how-much question
    assert admits(about_it, with_model=True)  # a model reads the passages and may say so itself


def test_a_how_much_question_wants_an_amount_of_the_kind_it_asks_for() -> None:
    from policykb.answer.selection import amount_coverage, asked_unit

    def asked(question: str, weights: dict[str, float]) -> Question:
        return Question(weights=weights, alternatives={}, wants_number=True, unit=asked_unit(question))

    headcount = hit(0, "接待对象在10人以内的，陪餐人数不得超过3人。工作餐应当供应家常菜。", title="党政机关国内公务接待管理规定")
    money = asked("工作餐一个人一顿多少钱？", {"工作餐": 2.0, "一顿": 1.0})
    assert amount_coverage(money, headcount) == 0.0  # people, not money
    people = asked("工作餐陪餐最多几个人？", {"工作餐": 1.0, "陪餐": 2.0})
    assert amount_coverage(people, headcount) > 0.5
    days = asked("听证要在几天内提出？", {"听证": 2.0, "提出": 1.0})
    assert amount_coverage(days, hit(1, "当事人要求听证的，应当在行政机关告知后五日内提出。")) == 1.0


def test_an_amount_the_text_writes_in_chinese_numerals_anchors_the_question() -> None:
    from policykb.answer.relevance import anchored

    # 「不到200块」 over 「不满二百元的，归受礼人本人」: the same amount, written two ways.
    assert anchored("外方送的礼物不到200块，能自己留着吗", ["价值不满二百元的，归受礼人本人或者受礼人所在单位"])
    assert not anchored("外方送的礼物不到300块，能自己留着吗", ["价值不满二百元的，归受礼人本人"])


def test_an_article_s_number_is_not_an_amount() -> None:
    from policykb.answer.relevance import anchored

    # 「扣满12分」 is not answered by 第十二条 of a disciplinary code, nor 12 by 120.
    assert not anchored("驾驶证一年扣满12分怎么办？", ["第十二条 留党察看处分，分为留党察看一年、留党察看二年。"])
    assert not anchored("驾驶证一年扣满12分怎么办？", ["罚款一百二十元"])
    # …unless the question asks for the article by its number.
    assert anchored("纪律处分条例第12条讲的什么？", ["第十二条 留党察看处分，分为留党察看一年、留党察看二年。"])
    assert anchored("处分期间是12个月吗", ["受记过处分的期间为十二个月"])


def test_a_passage_found_by_its_words_alone_still_has_a_closeness_in_meaning(demo_kb) -> None:  # type: ignore[no-untyped-def]
    # The gate and the selector weigh how close a passage is in meaning; one the keyword side
    # found beyond the vector side's few candidates gets its cosine from its stored vector.
    candidates = demo_kb.settings.candidates
    demo_kb.settings.candidates = 5
    try:
        hits = demo_kb.search("村党组织书记每年培训多少学时", top_k=5).results
    finally:
        demo_kb.settings.candidates = candidates
    keyword_only = [h for h in hits if h.match["vector_rank"] is None]
    assert keyword_only and all(h.match["vector_similarity"] is not None for h in hits)
    listed = max(h.match["vector_similarity"] for h in hits if h.match["vector_rank"] is not None)
    assert all(h.match["vector_similarity"] <= listed + 1e-6 for h in keyword_only)


def test_what_a_document_fact_question_asks_for() -> None:
    from policykb.answer.document_facts import asked_facts

    assert asked_facts("办公用房建设标准是哪个文号？") == ["doc_no"]
    assert asked_facts("办公用房建设标准是哪几个部门联合印发的？") == ["issuer"]
    assert asked_facts("差旅费管理办法是哪年哪个文号印发的？") == ["doc_no", "date"]
    assert asked_facts("问责条例是哪天开始施行的？") == []  # the 施行 article answers that
    assert asked_facts("公务接待能不能上烟酒？") == []


def test_a_line_that_only_repeats_the_title_in_book_marks_is_no_answer() -> None:
    from policykb.answer.extractive import pick_sentences

    title = "中央八项规定实施细则"
    hits = [hit(0, "《中央八项规定实施细则》\n1.注重实际效果。安排中央政治局委员到基层调研要紧紧围绕调研主题。", title=title)]
    picked = pick_sentences({"中央": 1.0, "八项": 1.0, "规定": 1.0, "实施细则": 2.0}, hits)
    assert picked and picked[0].sentence != "《中央八项规定实施细则》"


def test_a_document_named_by_a_stretch_of_its_title_tells_its_number_and_date(demo_kb) -> None:  # type: ignore[no-untyped-def]
    # 「村党组织书记集中轮训的通知」 names 《…关于开展2026年度村（社区）党组织书记集中轮训的通知》;
    # its 落款 writes the date in Chinese numerals (二〇二六年一月二十四日).
    answer = demo_kb.ask("村党组织书记集中轮训的通知是哪个文号、哪天印发的？")
    assert answer.found and "江组发〔2026〕3号" in answer.answer and "2026年1月24日" in answer.answer
    assert any("江组发〔2026〕3号" in c.text for c in answer.citations)
    assert any("二〇二六年一月二十四日" in c.text for c in answer.citations)


def test_the_title_s_words_do_not_choose_the_sentence_inside_a_passage() -> None:
    from policykb.answer.extractive import pick_sentences

    # 内蒙古 is counted three times (内蒙古, 内蒙, 蒙古) and every sentence of Inner Mongolia's
    # report is about Inner Mongolia: the sentence that answers is the one about 今年's 粮食.
    weights = {"内蒙古": 4.6, "内蒙": 4.6, "蒙古": 4.6, "今年": 4.4, "粮食": 3.8}
    passage = hit(1, "自治区党委“1571”工作部署，是落实习近平总书记对内蒙古系列重要讲话重要指示精神的最新谋篇布局，共7项任务。\n"
                     "今年经济社会发展的主要预期目标是：地区生产总值增长5%左右，粮食产量超过840亿斤。",
                  title="2026年内蒙古自治区政府工作报告")
    question = "内蒙古今年粮食要产多少？"
    apart = pick_sentences(weights, [passage], question=question, max_sentences=1, title_apart=True)
    assert "840亿斤" in apart[0].sentence
    together = pick_sentences(weights, [passage], question=question, max_sentences=1)
    assert "1571" in together[0].sentence  # what the selector's signals still see (fitted so)


def test_a_numbered_slogan_is_no_amount() -> None:
    from policykb.answer.selection import states_amount

    # 「增强“四个意识”…做到“两个维护”」 states no target; 「地区生产总值增长5%以上」 does.
    assert not states_amount("增强“四个意识”、坚定“四个自信”、做到“两个维护”。")
    assert states_amount("主要预期目标是：地区生产总值增长5%以上，城镇新增就业110万人以上。")
    assert states_amount("深入推进“3个100万”，常住人口城镇化率达59%左右。")


def test_a_growth_rate_is_asked_for_in_percent() -> None:
    from policykb.answer.selection import amount_coverage, asked_unit

    def asked(question: str) -> Question:
        return Question(weights={"今年": 1.0, "增速": 1.0, "目标": 1.0}, alternatives={}, wants_number=True,
                        unit=asked_unit(question))

    preamble = hit(0, "今年政府工作要锚定目标，更好统筹国内国际两个大局，推动经济实现质的有效提升。")
    target = hit(1, "今年经济社会发展主要预期目标为：地区生产总值增长5%以上。")
    for question in ("山东今年GDP增速目标定的多少？", "今年经济增长目标多少", "城镇调查失业率控制在多少"):
        assert amount_coverage(asked(question), preamble) == 0.0, question  # 「两个大局」 is no rate
        assert amount_coverage(asked(question), target) > 0.0, question
    assert asked_unit("甘肃去年经济增速在全国排第几") == ""  # a rank, not a rate
    # A rate may be a fraction: 「万分之一」, 「千分之三」.
    errors = Question(weights={"出版物": 1.0, "差错率": 2.0}, alternatives={}, wants_number=True,
                      unit=asked_unit("出版物差错率的上限是多少？"))
    assert amount_coverage(errors, hit(2, "出版物差错率不得超过万分之一。")) == 1.0


def test_a_passage_stating_the_amount_asked_for_answers_before_a_close_one_that_states_none(fresh_kb) -> None:  # type: ignore[no-untyped-def]
    # 山东's 2026 report: its 总体要求 shares the question's words but states no rate; the
    # 预期目标 that follows states 「地区生产总值增长5%以上」. When the selector finds the two
    # about as likely, the one that states an amount of the kind asked is quoted first.
    title, path = "2026年山东省政府工作报告", ["三、2026年重点工作"]
    preamble = ("今年是“十五五”开局之年。今年政府工作要锚定目标，更好统筹国内国际两个大局，"
                "推动经济实现质的有效提升和量的合理增长，确保“十五五”开好局、起好步。")
    target = "今年经济社会发展主要预期目标为：地区生产总值增长5%以上，在实际工作中努力争取更好结果；一般公共预算收入增长2%。"
    hits = [hit(0, preamble, title=title, path=path, similarity=0.88),
            hit(1, target, title=title, path=path, similarity=0.86)]
    question = "山东今年GDP增速目标定的多少？"
    weights = fresh_kb.question_weights(question)
    by_selector = ranked(fresh_kb.answer_question(question, weights), hits,
                         [fresh_kb._evidence_text(h) for h in hits], with_vectors=True)
    assert [i for i, _ in by_selector] == [0, 1]  # the preamble first, the target close behind
    assert fresh_kb.answer_order(question, hits, weights)[0].text == target


def test_the_next_passage_of_a_long_paragraph_is_quoted_beside_it_for_what_the_first_did_not_hold(fresh_kb) -> None:  # type: ignore[no-untyped-def]
    # A long paragraph is cut into overlapping passages. The runner-up overlaps the quoted one
    # but goes on past it to the sentence that answers: overlapping is no reason to drop it;
    # a sentence the quotation already holds is.
    from dataclasses import replace

    from policykb.results import Citation

    head = "今年政府工作要锚定目标，更好统筹国内国际两个大局，推动经济实现质的有效提升和量的合理增长。"
    tail = "今年经济社会发展主要预期目标为：地区生产总值增长5%以上。"
    first = replace(hit(0, head), match={"answer_score": 3.0})
    second = replace(hit(0, head[20:] + tail), char_start=20, char_end=20 + len(head[20:] + tail),
                     chunk_id="d0-0-1", match={"answer_score": 2.8})
    question = "今年GDP增速目标定的多少？"
    weights = fresh_kb.question_weights(question)
    also = fresh_kb._also_quoted(question, [first, second], 0, weights, {}, "quantity", Citation.of(first, 1))
    assert also is not None and "增长5%以上" in also[0]
    within = replace(second, text=head[20:], char_end=len(head))  # only what was quoted already
    assert fresh_kb._also_quoted(question, [first, within], 0, weights, {}, "quantity", Citation.of(first, 1)) is None


def test_a_lead_in_answers_a_list_question_but_a_notice_s_opening_never_does() -> None:
    from policykb.answer.extractive import pick_sentences

    text = "现将有关事项通知如下：\n对党的领导干部的问责方式包括：\n（一）通报。\n（二）诫勉。对失职失责、情节较轻的，进行诫勉。"
    weights = {"领导干部": 2.0, "问责": 2.0, "方式": 1.0, "通知": 0.1}
    listed = pick_sentences(weights, [hit(0, text)], max_sentences=1, intent="list")
    assert listed[0].sentence == "对党的领导干部的问责方式包括："
    told = pick_sentences(weights, [hit(0, text)], max_sentences=1, intent="fact")
    assert all(not p.sentence.endswith("：") for p in told)


def test_a_passage_of_a_report_filed_under_a_bare_title_is_its_issuer_s(fresh_kb) -> None:  # type: ignore[no-untyped-def]
    # Yunnan's report is filed as 「2026年政府工作报告」: its 预期目标 does not say 云南, its
    # 总体要求 does. What the library records of the document (云南省人民政府) says whose every
    # passage is, so the selector does not prefer the passage that names the province.
    from dataclasses import replace

    target = replace(hit(0, "经济社会发展的主要预期目标为：地区生产总值增长4.5%左右。", title="2026年政府工作报告"),
                     metadata={"issuer": "云南省人民政府", "region": "云南"})
    weights = {"云南": 2.0, "经济": 1.0, "增长": 1.0, "目标": 1.0}
    assert coverage(weights, fresh_kb._evidence_text(target)) == 1.0
    assert coverage(weights, fresh_kb._evidence_text(replace(target, metadata={}))) == 0.6


def test_a_report_s_dateline_is_never_quoted() -> None:
    # 「——2026年1月26日在广东省第十四届人民代表大会…上」 names the province and the year a question
    # asks about, and was quoted as 「另见…」 beside the target; it says when the report was given.
    from policykb.answer.extractive import pick_sentences

    text = "政府工作报告\n——2026年1月26日在广东省第十四届人民代表大会第五次会议上\n各位代表：现在，我代表省人民政府向大会报告工作。"
    picked = pick_sentences({"广东": 2.0, "2026": 2.0, "目标": 1.0}, [hit(0, text, title="政府工作报告")], max_sentences=3)
    assert all(not p.sentence.startswith("——") for p in picked), picked


def test_a_document_the_library_s_text_quotes_is_not_a_missing_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A library of notices that report documents under titles of their own: the question
    # names the document reported, 《…》 and all. That name is in the library's text, so it
    # is no pointer to a document the library lacks (it had been refused as one).
    src = tmp_path / "src"
    src.mkdir()
    (src / "5f2a9c.txt").write_text(
        "卫健委部署出院患者随访工作\n"
        "近日，国家卫生健康委办公厅印发《关于做好新型冠状病毒肺炎出院患者跟踪随访工作的通知》，"
        "要求各地做好出院患者的跟踪随访和健康管理工作。\n"
        "通知明确，出院患者应当在出院后第2周和第4周到定点医院复诊。\n", encoding="utf-8")
    kb = make_kb(tmp_path / "home", weight_vector=0.0)
    try:
        kb.ingest([src], wait=False)
        answer = kb.ask("《关于做好新型冠状病毒肺炎出院患者跟踪随访工作的通知》是由哪个部门印发的？")
        missing = kb.ask("《关于做好复工复产企业用工保障工作的通知》是由哪个部门印发的？")
    finally:
        kb.close()
    assert answer.found and "国家卫生健康委" in answer.answer, answer.answer
    assert not missing.found  # a name the library nowhere quotes is still a document it lacks


def test_words_scattered_over_a_long_passage_admit_nothing_on_their_own() -> None:
    from policykb.answer.gate import GateSignals, admits

    # 接待, 检查, 领导 and 吃饭 in four sentences of a news item about something else.
    scattered = GateSignals(coverage=0.75, similarity=0.87, named=False, anchored=True, sentence=0.4)
    assert not admits(scattered)
    together = GateSignals(coverage=0.75, similarity=0.87, named=False, anchored=True, sentence=0.72)
    assert admits(together)  # one sentence holds them
    near = GateSignals(coverage=0.75, similarity=0.886, named=False, anchored=True, sentence=0.4)
    assert admits(near)  # spread, but the passage is about as close in meaning as an answer
    assert admits(GateSignals(coverage=0.75, similarity=None, named=False, anchored=True, sentence=0.4))  # words only


def test_a_question_is_not_answered_from_a_news_item_that_merely_uses_its_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "src"
    src.mkdir()
    (src / "news.txt").write_text(
        "区城市管理委部署复工复产工作。区城市管理委统筹抓好环卫、供电、燃气等行业的复工复产工作。"
        "一是加强人员管理，返岗人员须经体温检测后方可进入单位，由各单位领导负责落实。"
        "二是加强后勤保障，职工食堂实行分餐制，错峰吃饭，不得聚集。"
        "三是做好来访接待，外来人员一律登记，减少非必要的接待活动。"
        "四是加强督促检查，对落实不到位的单位进行通报。\n", encoding="utf-8")
    kb = make_kb(tmp_path / "home")
    try:
        kb.ingest([src])  # waits for the vectors: one passage
        answer = kb.ask("接待来检查的领导，吃饭能不能上好酒？")
    finally:
        kb.close()
    assert not answer.found, answer.answer
