"""Metadata comes from the document itself: title, 发文字号, issuer, 成文日期, doc type;
a sidecar file or explicit fields override what was parsed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import parse_file
from ingest.clean import clean_text
from ingest.metadata import extract_metadata, load_sidecar, normalise_doc_no, parse_date
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
