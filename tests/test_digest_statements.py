"""What the 汇编 prints, as pure functions: statements of substance by document structure,
grouping by main topic or broad kind, the editor's layout, the 综述 and readable sources.
Real documents of ../shared/corpus/policy (skipped without it) and small fixtures."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest

from conftest import POLICY, needs_shared
from policykb.digest.documents import display_title, locator, paragraph_number, region_of
from policykb.digest.grouping import choose_group, document_kind
from policykb.digest.keypoints import extract_key_points
from policykb.digest.layout import Layout, LayoutError, change
from policykb.digest.overview import OverviewDoc, OverviewPoint, group_overview, headline_figures
from policykb.digest.statements import document_statements, is_generic, is_opener, score_sentence, section_role
from policykb.digest.topics import DEFAULT_TOPICS

REPORTS = POLICY / "gov_work_reports_provincial_2026"


@dataclass
class C:
    text: str
    section_path: tuple[str, ...] = field(default_factory=tuple)


# A small report in the shape of the provincial ones: review, plan, the year's work.
REPORT = [
    C("各位代表：\n现在，我代表省人民政府向大会报告工作，请予审议。"),
    C("一、2025年工作回顾\n过去一年，在以习近平同志为核心的党中央坚强领导下，我们攻坚克难，地区生产总值增长5.2%。",
      ("一、2025年工作回顾",)),
    C("三、2026年重点工作\n今年经济社会发展主要预期目标是：地区生产总值增长5%左右，城镇调查失业率5.5%左右。\n"
      "我们要保持战略定力，增强必胜信心。", ("三、2026年重点工作",)),
    C("（一）着力扩大内需，推动经济稳定增长\n大力提振消费。新增城镇就业50万人以上。",
      ("三、2026年重点工作", "（一）着力扩大内需，推动经济稳定增长")),
    C("（二）加快建设现代化产业体系\n严禁违规新增隐性债务，不得新建楼堂馆所。",
      ("三、2026年重点工作", "（二）加快建设现代化产业体系")),
    C("各位代表，让我们更加紧密地团结在以习近平同志为核心的党中央周围，奋力谱写新篇章！", ("三、2026年重点工作",)),
]


def test_report_points_are_targets_tasks_and_requirements_in_order() -> None:
    points = extract_key_points(REPORT, "2026年某省政府工作报告")
    texts = [p.text for p in points]
    assert texts[0].startswith("今年经济社会发展主要预期目标是：地区生产总值增长5%左右")
    assert "着力扩大内需，推动经济稳定增长" in texts and "加快建设现代化产业体系" in texts
    assert any("严禁违规新增隐性债务" in t for t in texts)
    joined = "".join(texts)
    for never in ("各位代表", "请予审议", "过去一年", "战略定力", "奋力谱写"):
        assert never not in joined, never
    detail = {p.text: p.detail for p in points}
    assert detail["着力扩大内需，推动经济稳定增长"] == "大力提振消费。"  # a work section's first sentence
    kinds = {p.text: p.kind for p in points}
    assert kinds[texts[0]] == "target" and kinds["加快建设现代化产业体系"] == "task"
    assert [(p.chunk_index, p.start) for p in points] == sorted((p.chunk_index, p.start) for p in points)
    for p in points:
        assert REPORT[p.chunk_index].text[p.start : p.end] == p.text and not p.truncated


def test_a_review_document_keeps_its_review() -> None:
    chunks = [C("一、工作回顾\n一年来，全面完成乡村振兴重点任务，新建村级服务中心120个。", ("一、工作回顾",))]
    assert extract_key_points(chunks, "2025年度工作总结")
    assert not [s for s in document_statements(chunks, "2026年政府工作报告") if s.kind != "statement"]


def test_sentence_rules() -> None:
    assert section_role("一、2025年和“十四五”时期工作回顾") == "review"
    assert section_role("三、2026年重点工作") == "tasks"
    assert section_role("二、“十五五”时期的主要目标和重点任务") == "goals"
    assert section_role("第七章 法律责任") == "sanctions"
    assert is_opener("各位代表：") and is_opener("谢谢大家！")
    assert is_generic("我们要保持战略定力，增强必胜信心。")
    assert not is_generic("严禁各级党政机关以召开会议等名义组织公款旅游。")
    assert score_sentence("加强国际宏观经济政策协调", heading=True, role="body")[0] == "task"
    assert score_sentence("国家建立数据安全审查制度，对影响国家安全的数据处理活动进行审查。")[0] == "measure"


@needs_shared
def test_every_provincial_report_yields_its_targets_and_no_opener() -> None:
    from policykb.ingest import parse_file

    files = sorted(REPORTS.glob("*.txt"))
    assert len(files) == 31
    for f in files:
        doc = parse_file(f)
        points = extract_key_points(doc.chunks, doc.meta.title)
        texts = [p.text for p in points]
        assert any(re.search(r"预期目标|生产总值(?:按)?增长", t) and re.search(r"\d", t) for t in texts), f.name
        assert sum(p.kind == "task" for p in points) >= 5, (f.name, texts)
        assert not any(re.match(r"各位代表|过去一年|这五年", t) for t in texts), (f.name, texts)


@needs_shared
def test_grouping_real_documents() -> None:
    from policykb.ingest import parse_file

    def group(rel: str) -> str:
        doc = parse_file(POLICY / rel)
        return choose_group(list(DEFAULT_TOPICS), title=doc.meta.title, doc_type=doc.meta.doc_type,
                            filename=(POLICY / rel).name, passages=[c.text for c in doc.chunks]).group

    assert group("gov_work_reports_provincial_2026/004_2026年北京市政府工作报告.txt") == "政府工作报告"
    assert group("eight_point_rules_and_notices/015_关于严禁党政机关到风景名胜区开会的通知.md") == "作风建设"
    assert group("party_regulations/017_中国共产党问责条例.md") == "纪律建设"
    assert group("policy_docs_shandong/002_Notice_on_Issuing_the_13th_Five_-_Year_Plan_for_Scientific_a.txt") == "规划"


def test_kind_and_title_rules() -> None:
    assert document_kind("2026年政府工作报告", "报告") == "政府工作报告"
    assert document_kind("关于政府工作报告的决议", "决议") is None
    assert document_kind("中华人民共和国数据安全法", "法") == "法律法规"
    assert document_kind("中国共产党问责条例", "条例") is None
    assert display_title("政府工作报告。 贵州日报天眼新闻记者 李森 摄政府工作报告",
                         "026_2026年贵州省政府工作报告.txt") == "2026年贵州省政府工作报告"
    assert display_title("应用一：形式审查", "007_List_of_Scenarios.txt") == "List of Scenarios"
    assert display_title("政府工作报告", "012_2026年广东省政府工作报告.txt") == "2026年广东省政府工作报告"
    assert region_of("2026年政府工作报告", None, "——2026年1月28日在云南省第十四届人民代表大会第四次会议上") == "云南"


def test_locator_is_section_and_paragraph_without_offsets() -> None:
    text = "三、2026年重点工作\n（二）增强内需\n坚持惠民生。\n大力提振消费。研究制定增收政策。\n"
    path = ("三、2026年重点工作", "（二）增强内需")
    assert paragraph_number(text, text.index("研究制定"), path) == 2
    assert paragraph_number(text, text.index("增强内需"), path) is None
    label = locator(path, 2, 12)
    assert label == "三、2026年重点工作 › （二）增强内需 · 第2段 · 第12页"
    assert "字" not in label


def test_layout_changes_are_pure_and_checked() -> None:
    lay = change(Layout(), move=("doc1", "专题一"), rename=("政府工作报告", "各省政府工作报告"))
    assert lay.group_for("doc1", "其他") == ("专题一", True)
    assert lay.group_for("doc2", "政府工作报告") == ("各省政府工作报告", False)
    lay = change(lay, rename=("各省政府工作报告", "省级报告"), order=["省级报告", "专题一"])
    assert lay.renames == {"政府工作报告": "省级报告"}
    assert lay.ordered(["作风建设", "专题一", "省级报告"]) == ["省级报告", "专题一", "作风建设"]
    assert change(lay, unmove="doc1").moves == {}
    with pytest.raises(LayoutError):
        change(lay, move=("doc1", " "))


def test_overview_table_and_shared_measures_are_cited() -> None:
    docs = [
        OverviewDoc("北京", [OverviewPoint("主要预期目标是：地区生产总值增长5%左右，城镇调查失业率控制在5%以内。", "target", 1),
                           OverviewPoint("大力发展低空经济和海洋牧场", "task", 2)]),
        OverviewDoc("上海", [OverviewPoint("主要预期目标是：全市生产总值增长5%左右，城镇调查失业率5%以内。", "target", 3),
                           OverviewPoint("大力发展低空经济", "task", 4)]),
        OverviewDoc("西藏", [OverviewPoint("主要预期目标是：地区生产总值增长7%以上。", "target", 5)]),
    ]
    assert headline_figures(docs[0].points[0].text) == {"地区生产总值增长": "5%左右", "城镇调查失业率": "5%以内"}
    ov = group_overview(docs)
    assert ov.table and ov.table.columns[:2] == ["地区", "地区生产总值增长"]
    assert [(r[0].text, r[1].text, r[1].n) for r in ov.table.rows] == [("北京", "5%左右", 1), ("上海", "5%左右", 3),
                                                                      ("西藏", "7%以上", 5)]
    texts = {s.text: s.refs for s in ov.sentences}
    assert texts["3件文件提出了地区生产总值增长目标，其中2件定为“5%左右”"] == [1, 3]
    assert texts["最高为西藏的“7%以上”"] == [5]
    assert any("低空" in t and "2件" in t and refs == [2, 4] for t, refs in texts.items())
    assert all(s.refs for s in ov.sentences)  # every claim cited
