"""Metadata comes from the document itself: title, 发文字号, issuer, 成文日期, doc type;
a sidecar file or explicit fields override what was parsed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policykb.ingest import parse_file
from policykb.ingest.clean import clean_text
from policykb.ingest.metadata import extract_metadata, load_sidecar, normalise_doc_no, parse_date
from tests.ingest_helpers import corpus_file

NOTICE = """中共江北省委组织部文件
晋组发〔2026〕3号
中共江北省委组织部关于做好2026年
党员教育培训工作的通知
各市委组织部：
现将有关事项通知如下。
一、总体要求
坚持以习近平新时代中国特色社会主义思想为指导。
中共江北省委组织部
二〇二六年一月二十四日
"""


def test_a_full_gongwen_header_and_signature() -> None:
    meta = extract_metadata(clean_text(NOTICE), "006_通知.txt")
    assert meta.title == "中共江北省委组织部关于做好2026年党员教育培训工作的通知"
    assert meta.doc_no == "晋组发〔2026〕3号"
    assert meta.issuer == "中共江北省委组织部"
    assert meta.date == "2026-01-24"
    assert meta.doc_type == "通知"


@pytest.mark.parametrize(
    "raw", ["晋组发[2026]3号", "晋组发（2026）3号", "晋组发(2026)3号", "晋组发［2026］3号", "晋组发〔2026]3号", "晋组发 〔2026〕 3 号"]
)
def test_doc_number_bracket_variants_are_normalised(raw: str) -> None:
    assert normalise_doc_no(raw) == "晋组发〔2026〕3号"
    assert extract_metadata(f"关于轮训的通知\n{raw}\n正文。", "x.txt").doc_no == "晋组发〔2026〕3号"


@pytest.mark.parametrize(
    "text, iso",
    [
        ("2026年1月24日", "2026-01-24"),
        ("二〇二六年一月二十四日", "2026-01-24"),
        ("二○二六年十二月三十一日", "2026-12-31"),
        ("二〇二六年十月十日", "2026-10-10"),
        ("2026-01-24", "2026-01-24"),
        ("2026.1.24", "2026-01-24"),
        ("2026/1/24", "2026-01-24"),
        ("2026年13月40日", None),
        ("增长1.5%", None),
    ],
)
def test_dates_in_every_written_form(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_a_date_inside_the_body_is_not_the_document_date() -> None:
    text = "关于施行的规定\n第一条 本规定自2018年10月1日起施行。\n第二条 由中央纪委负责解释。"
    assert extract_metadata(text, "x.md").date is None


@pytest.mark.parametrize(
    "title, kind",
    [
        ("关于印发《党政机关公务用车管理办法》的通知", "通知"),
        ("关于进一步加强干部教育培训的意见", "意见"),
        ("党政机关公务用车管理办法（试行）", "办法"),
        ("中国共产党纪律处分条例", "条例"),
        ("中央八项规定实施细则", "细则"),
        ("中国共产党廉洁自律准则", "准则"),
        ("2026年全省组织工作要点", "要点"),
        ("在全省组织工作会议上的讲话", "讲话"),
        ("2025年政府工作报告", "报告"),
        ("乡村振兴三年行动方案", "方案"),
        ("关于表彰先进集体的决定", "决定"),
        ("关于政府工作报告的决议", "决议"),
        ("基层党建工作典型案例", "案例"),
        ("村级议事协商经验做法", "经验做法"),
        ("中华人民共和国监察法", "法"),
        ("党政机关国内公务接待管理规定", "规定"),
    ],
)
def test_doc_type_from_the_title(title: str, kind: str) -> None:
    assert extract_metadata(f"{title}\n各单位：\n正文。", "x.txt").doc_type == kind


def test_title_falls_back_to_the_file_name_without_numeric_prefix() -> None:
    meta = extract_metadata("各位代表：\n现在，我代表国务院向大会报告工作。", "072_2025年政府工作报告.txt")
    assert meta.title == "2025年政府工作报告"
    assert meta.doc_type == "报告"


def test_issuer_from_the_title_prefix() -> None:
    meta = extract_metadata("中共山东省委组织部关于加强村党组织书记队伍建设的意见\n各市委组织部：\n正文。", "x.txt")
    assert meta.issuer == "中共山东省委组织部"
    assert meta.region == "山东"


def test_real_notice_with_docno_signature_and_several_issuers() -> None:
    doc = parse_file(corpus_file("eight_point_rules_and_notices/012_*"))
    assert doc.meta.title == "关于严格规范领导干部参加社会化培训有关事项的通知"
    assert doc.meta.doc_no == "中组发〔2014〕18号"
    assert doc.meta.date == "2014-07-31"
    assert doc.meta.doc_type == "通知"
    assert doc.meta.issuer is not None and "教育部" in doc.meta.issuer


def test_real_regulation_with_number_in_parentheses() -> None:
    doc = parse_file(corpus_file("party_regulations/018_*"))
    assert doc.meta.doc_no == "中纪发〔2010〕13号"
    assert doc.meta.date == "2010-04-01"
    assert doc.meta.doc_type == "规则"


def test_real_law_title_and_adoption_date() -> None:
    doc = parse_file(corpus_file("laws_and_regulations/022_*"))
    assert doc.meta.title == "中华人民共和国国家安全法"
    assert doc.meta.date == "2015-07-01"
    assert doc.meta.doc_type == "法"


def test_sidecar_overrides_parsed_fields(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf.txt"
    path.write_text(NOTICE, encoding="utf-8")
    (tmp_path / "report.pdf.txt.meta.json").write_text(
        json.dumps({"title": "人工校对的标题", "date": "2026年2月1日", "doc_no": "晋组发[2026]4号", "topic": "党员教育"},
                   ensure_ascii=False),
        encoding="utf-8",
    )
    doc = parse_file(path)
    assert doc.meta.title == "人工校对的标题"
    assert doc.meta.date == "2026-02-01"
    assert doc.meta.doc_no == "晋组发〔2026〕4号"
    assert doc.meta.issuer == "中共江北省委组织部"  # not overridden: still parsed
    assert doc.meta.extra == {"topic": "党员教育"}
    doc = parse_file(path, overrides={"issuer": "江北省委", "date": "2026-03"})
    assert (doc.meta.issuer, doc.meta.date, doc.meta.title) == ("江北省委", "2026-03", "人工校对的标题")


def test_sidecar_by_stem(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text(NOTICE, encoding="utf-8")
    (tmp_path / "report.meta.json").write_text('{"doc_type": "讲话"}', encoding="utf-8")
    assert load_sidecar(path) == {"doc_type": "讲话"}
    assert parse_file(path).meta.doc_type == "讲话"


# --------------------------------------------------------------------------- issuers a reader sees

DEMO = Path(__file__).resolve().parents[1] / "corpus"


@pytest.mark.parametrize(
    "name, issuer, date, doc_no",
    [
        # 题注 under the title: "（2026年2月27日中共江北省委组织部印发 江组发〔2026〕9号）"
        ("江北省领导干部选拔任用工作纪实办法.docx", "中共江北省委组织部", "2026-02-27", "江组发〔2026〕9号"),
        # 落款 of the 印发 notice at the top: "中共江北省委组织部" / "二〇二六年一月十二日"
        ("2026年全省组织工作要点.md", "中共江北省委组织部", "2026-01-12", "江组发〔2026〕1号"),
        # an issuer/date pair under the title of an 经验材料
        ("青峪县三联三促推动党建引领乡村振兴经验做法.md", "中共青峪县委组织部", "2026-02-20", None),
        # a compiler's line "中共江北省委组织部组织二处编"
        ("全省基层党建典型案例选编（第一辑）.txt", "中共江北省委组织部组织二处", "2026-03-10", None),
        # the title names who 通报s
        ("江北省纪委监委通报五起违反中央八项规定精神典型问题.txt", "江北省纪委监委", "2026-02-10", None),
        # a speech's byline "省委常委、组织部部长": the speaker's office
        ("在2026年全省组织工作会议上的讲话.docx", "省委组织部", "2026-01-16", None),
        # 发文机关标志 + title prefix, and joint issuers signed on one line
        ("关于严格落实三审三校制度进一步加强宣传内容质量管理的通知.txt", "中共江北省委宣传部", "2026-03-05", "江宣发〔2026〕5号"),
        ("关于做好2026年度选调生招录工作的通知.pdf", "中共江北省委组织部、江北省人力资源和社会保障厅", "2026-04-08",
         "江组通〔2026〕21号"),
    ],
)
def test_demo_documents_name_their_issuer(name: str, issuer: str, date: str, doc_no: str | None) -> None:
    meta = parse_file(DEMO / name).meta
    assert (meta.issuer, meta.date, meta.doc_no) == (issuer, date, doc_no)


def test_no_issuer_is_better_than_a_guess() -> None:
    # A Q&A with no signature, and a news page whose text names no issuing body: nothing.
    assert parse_file(DEMO / "整治形式主义为基层减负政策问答.md").meta.issuer is None
    assert parse_file(DEMO / "全省人才工作会议在江州召开.html").meta.issuer is None


@pytest.mark.parametrize(
    "text, issuer",
    [
        ("关于五起典型问题的通报\n春节将至，为严明纪律，江北省纪委监委对近期查处的5起问题进行公开通报。具体如下：\n1. 某某问题。",
         "江北省纪委监委"),
        # a news story quoting someone's 通报 is not that body's document
        ("湖北将再建一所应急后备医院\n黄冈市是疫情较为严重的地区。黄冈市卫健委通报，截至2月11日累计确诊病例2332例。", None),
        ("某县干部违规吃喝问题通报\n省纪委监委日前通报3起典型问题。\n正文。", "省纪委监委"),
        ("全省人才工作会议召开\n来源：中共江北省委组织部　发布时间：2026-03-20 18:30\n3月20日，会议召开。", "中共江北省委组织部"),
        ("全省人才工作会议召开\n来源：江北日报　发布时间：2026-03-20 18:30\n3月20日，会议召开。", None),
        ("关于印发通知的说明\n各位同志：\n全省各级党委要认真落实。\n要抓好落实\n2026年1月1日", None),
        ("关于做好轮训的通知\n各市委组织部：\n正文。\n各市委组织部\n2026年1月1日", None),
    ],
)
def test_issuer_from_an_opening_or_a_source_line_only_when_it_is_an_organisation(text: str, issuer: str | None) -> None:
    assert extract_metadata(text, "x.txt").issuer == issuer


def test_a_news_page_publication_line_dates_it() -> None:
    meta = extract_metadata("全省人才工作会议召开\n来源：江北组工网　发布时间：2026-03-20 18:30\n3月20日，会议召开。", "x.html")
    assert meta.date == "2026-03-20"


def test_joint_issuers_on_the_date_line() -> None:
    doc = parse_file(corpus_file("eight_point_rules_and_notices/029_*"))
    assert doc.meta.issuer == "中共中央办公厅、国务院办公厅"
    assert doc.meta.date == "2009-02-20"


def test_a_regulation_is_dated_by_its_last_issue_not_its_first_approval() -> None:
    # （2003年12月23日…审议批准 2003年12月31日中共中央发布 2023年12月8日…第三次修订 2023年12月19日中共中央发布）
    doc = parse_file(corpus_file("party_regulations/011_*"))
    assert (doc.meta.issuer, doc.meta.date) == ("中共中央", "2023-12-19")


def test_a_law_is_dated_by_its_last_amendment_and_issued_by_the_npc() -> None:
    # Seven dated lines (通过, 公布, 施行, six 修正, one wrapped over three lines).
    doc = parse_file(corpus_file("laws_and_regulations/029_*"))
    assert doc.meta.date == "2022-03-11"
    assert doc.meta.issuer == "全国人民代表大会"


def test_the_day_a_rule_takes_effect_is_not_its_date() -> None:
    doc = parse_file(corpus_file("supervision_discipline_regulations/001_*"))
    # （2021年7月20日国家监察委员会全体会议决定，自2021年9月20日起施行）
    assert (doc.meta.issuer, doc.meta.date) == ("国家监察委员会", "2021-07-20")


def test_government_work_reports_name_the_government() -> None:
    national = parse_file(corpus_file("gov_work_reports_national/064_*"))  # "我代表国务院，向大会报告"
    assert (national.meta.issuer, national.meta.date) == ("国务院", "2016")
    # "我代表省政府" in a report whose title names the province
    provincial = parse_file(corpus_file("gov_work_reports_provincial_2026/005_*"))
    assert provincial.meta.issuer == "吉林省人民政府"
    assert provincial.meta.date is not None and provincial.meta.date.startswith("2026-01")
    resolution = parse_file(corpus_file("gov_work_reports_national/002_*"))  # 第十一届…第一次会议
    assert (resolution.meta.issuer, resolution.meta.date) == ("全国人民代表大会", "2008")


def test_party_congress_report_is_the_central_committees() -> None:
    doc = parse_file(corpus_file("cpc_congress_reports/013_*"))  # "我代表第十七届中央委员会向大会作报告"
    assert doc.meta.issuer == "中国共产党第十七届中央委员会"


def test_a_news_item_is_dated_by_its_lead() -> None:
    doc = parse_file(corpus_file("policy_docs_central/114_*"))  # "2018年12月28日，…论坛在北京举行。"
    assert doc.meta.date == "2018-12-28"
