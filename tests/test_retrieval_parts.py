"""The retrieval pieces alone: fusion, query parsing, context windows. No model, no store."""
from __future__ import annotations

from policykb.index.context import expand
from policykb.index.fusion import rrf
from policykb.index.keyword import match_expression, query_tokens


def test_a_weak_list_cannot_outvote_a_strong_one_when_weighted_down():
    keyword = ["a", "b", "c"]
    vector = ["c", "b", "a"]
    assert rrf([keyword, vector], [1.0, 1.0])[0][0] in {"a", "b", "c"}
    assert rrf([keyword, vector], [1.0, 0.3])[0][0] == "a"
    assert rrf([keyword, vector], [1.0, 0.0]) == rrf([keyword], [1.0])


def test_question_words_are_not_search_terms():
    tokens = query_tokens("请问绍兴市对支付房租压力较大的职工能享受什么政策？")
    assert "绍兴市" in tokens and "房租" in tokens
    assert not {"请问", "什么", "的", "？"} & set(tokens)


def test_policy_terms_stay_whole():
    assert "三审三校" in query_tokens("如何落实三审三校")
    assert "第一议题" in query_tokens("第一议题制度")


def test_user_text_is_never_read_as_fts_syntax():
    expr = match_expression(query_tokens('tokens: "三审" OR NOT * AND (终审)'))
    assert expr.startswith('"') and ' OR ' in expr
    assert all(part.startswith('"') and part.endswith('"') for part in expr.split(" OR "))


def test_context_adds_one_sentence_each_side_within_the_paragraph():
    text = "第一句。第二句很长；第三句。第四句。\n二、下一节\n第五句。"
    start, end = text.index("第二"), text.index("第四")
    lo, hi = expand(text, start, end, 1)
    assert text[lo:hi] == "第一句。第二句很长；第三句。第四句。"
    lo, hi = expand(text, text.index("第五"), len(text), 1)
    assert text[lo:hi] == "第五句。", "a heading line is another unit"
    assert expand(text, start, end, 0) == (start, end)


def test_context_stops_when_no_sentence_start_is_within_reach():
    text = "甲" * 500 + "。乙句。"
    start = text.index("乙")
    lo, hi = expand(text, start, len(text), 1)
    assert lo == start and hi == len(text)


def test_a_question_pinned_to_a_year_or_article_needs_that_anchor_in_the_passages():
    from policykb.answer.relevance import anchored, anchors

    assert anchors("2018年版《纪律处分条例》第一百五十条规定了什么？") == ["2018", "第一百五十条"]
    passage = "中国共产党纪律处分条例（2018年修订）第一百四十九条 ……"
    assert not anchored("2018年版《纪律处分条例》第一百五十条规定了什么？", [passage])
    assert anchored("2018年版《纪律处分条例》第一百四十九条规定了什么？", [passage])
    assert anchored("纪律处分条例怎么规定的？", [passage]), "no anchor, nothing to pin"
    assert anchored("２０１８年的条例", ["2018年"]), "full-width digits are the same number"


def test_bm25_prefers_rare_terms_and_shorter_passages():
    from policykb.index.keyword import bm25_scores

    docs = [["三审三校", "制度", "终审"], ["制度", "制度", "工作"], ["三审三校"] + ["其他"] * 30]
    df = {"三审三校": 2, "制度": 50, "终审": 1}
    scores = bm25_scores(["三审三校", "制度", "终审"], docs, df, n_docs=100)
    assert scores[0] > scores[2] > scores[1] > 0
    assert bm25_scores(["无关"], docs, df, n_docs=100) == [0, 0, 0]


def test_a_phrase_that_ends_like_a_place_is_not_one() -> None:
    from policykb.retrieval.catalog import places_in

    assert places_in("财政部调整差旅住宿费标准涉及哪些城市？") == set()
    assert places_in("社区党组织和经济开发区") == set()
    assert places_in("同一个省里不同地市的车补标准最多能差多少") == set()  # a level of government
    assert places_in("去成都市出差") == {"成都市"}
    assert places_in("深圳市2026年政府工作报告") == {"深圳市"}
    assert places_in("青岛市黄岛区") == {"青岛市", "黄岛区"}
    # A run of characters before 市 / 省 / 县 is a place only where it ends in one the
    # dictionary knows: 「何时启用市民出行」 names no city, 「疫情期间国深圳市税务局」 names 深圳市.
    assert places_in("吉林省长春市何时启用市民出行实名制登记系统") == {"吉林", "长春市"}
    assert places_in("疫情期间国深圳市税务局将采用怎么样方式办理业务") == {"深圳市"}
    assert places_in("具体有多少省份回复了省际道路客运") == set()
    assert places_in("广西省对机关单位工作区域人员密度有何规定") == {"广西"}


def _catalog():  # type: ignore[no-untyped-def]
    from policykb.retrieval.catalog import Catalog, DocRecord

    titles = ["中国共产党纪律处分条例（2018年修订）", "中国共产党纪律处分条例（2023年修订）",
              "中华人民共和国公职人员政务处分法", "机关团体建设楼堂馆所管理条例", "2026年四川省政府工作报告"]
    return Catalog.build([DocRecord(id=f"d{i}", title=t) for i, t in enumerate(titles)])


def test_a_document_is_named_by_the_tail_of_its_title() -> None:
    from policykb.retrieval.query import analyse

    cat = _catalog()
    assert analyse("政务处分法里受了警告处分期限多久？", cat).named_docs == {"d2"}
    assert analyse("楼堂馆所管理条例里说的楼堂馆所指哪些？", cat).named_docs == {"d3"}


def test_a_document_the_library_does_not_hold_is_a_pointer_no_passage_honours() -> None:
    from policykb.retrieval.query import analyse

    cat = _catalog()
    assert analyse("乡村振兴促进法对村规民约有什么规定？", cat).unknown_names == ["乡村振兴促进法"]
    assert analyse("中央一号文件今年讲了哪些重点？", cat).unknown_names == ["中央一号文件"]
    assert analyse("《关于进一步加强农村工作的意见》说了什么？", cat).unknown_names == ["关于进一步加强农村工作的意见"]
    # a place's own report, where the library has another place's that may mention it
    assert analyse("深圳市2026年政府工作报告的GDP目标是多少？", cat).unknown_names == ["深圳市2026年政府工作报告"]
    assert analyse("成都市政府工作报告提了哪些民生实事？", cat).unknown_names == ["成都市政府工作报告"]
    # Names the library holds, versions by year and kind, and words that end like a name.
    for held in ("2018年纪律处分条例对收受礼金怎么处分？", "2015年条例对接受吃请怎么处分",
                 "四川省政府工作报告的就业目标是多少？", "有什么办法能减少文山会海？",
                 "违法违纪的党员怎么处理？", "用什么方法考核干部？", "处分条例里警告处分影响提拔多久？"):
        assert analyse(held, cat).unknown_names == [], held


def test_a_place_s_own_report_is_named_even_when_other_reports_carry_a_bare_title() -> None:
    from policykb.retrieval.catalog import Catalog, DocRecord
    from policykb.retrieval.query import analyse

    # Several provinces print their report under the bare title 「政府工作报告」; Heilongjiang's
    # says whose it is. The name 「政府工作报告」 must not send the question to the others.
    cat = Catalog.build([DocRecord(id="gd", title="政府工作报告", region="广东", date="2026-01-25"),
                         DocRecord(id="gz", title="政府工作报告", region="贵州", date="2026-01-27"),
                         DocRecord(id="hlj", title="2026年黑龙江省政府工作报告", date="2026-01-29")])
    assert analyse("黑龙江2026年的政府工作报告里粮食产量目标是多少？", cat).scope == {"hlj"}
    assert analyse("黑龙江省政府工作报告说粮食产量多少？", cat).scope == {"hlj"}


def test_a_title_that_names_an_organisation_makes_it_that_organisation_s_document() -> None:
    from policykb.retrieval.catalog import Catalog, DocRecord
    from policykb.retrieval.query import analyse

    cat = Catalog.build([DocRecord(id="law", title="中华人民共和国监察法实施条例", issuer="国家监察委员会"),
                         DocRecord(id="rules", title="国家监察委员会管辖规定（试行）"),  # no issuer field
                         DocRecord(id="other", title="党政机关公务用车管理办法", issuer="中共中央办公厅")])
    assert analyse("国家监委管辖的贪污贿赂犯罪包括哪些罪名？", cat).answer_scope == {"law", "rules"}


def test_most_of_a_title_names_its_document_over_a_shorter_name_inside_it() -> None:
    from policykb.retrieval.catalog import Catalog, DocRecord
    from policykb.retrieval.query import analyse

    cat = Catalog.build([DocRecord(id="eight", title="中共中央八项规定"),
                         DocRecord(id="list", title="中央列出违反八项规定清单80条"),
                         DocRecord(id="rules", title="中央八项规定实施细则"),
                         *[DocRecord(id=f"r{i}", title=f"2026年{p}政府工作报告")
                           for i, p in enumerate(["四川省", "广东省", "云南省", "江苏省"])],
                         DocRecord(id="bare", title="2026年政府工作报告")])
    # 「八项规定」 names 中共中央八项规定; the question names the 清单 by most of its title.
    assert analyse("违反八项规定清单80条分成哪几大块？", cat).named_docs == {"list"}
    assert analyse("八项规定的内容是什么？", cat).named_docs != {"list"}
    # A kind with a year's tail (「年政府工作报告」, all of a bare title but its year) is no
    # stretch of a name: what many titles share leaves one character.
    assert cat.title_stretches("2020年政府工作报告为什么没有提gdp增长目标？") == []
    assert [s[2] for s in cat.title_stretches("违反八项规定清单80条分成哪几大块？")] == ["违反八项规定清单80条"]
