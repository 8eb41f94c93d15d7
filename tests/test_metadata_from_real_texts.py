"""Metadata the texts state outright, in the forms real documents use (issue 14): a law
database's 【字段】, an opening sentence ("中共中央政治局2012年12月4日召开会议"), 国务院令 numbers,
"中共中央办公厅 国务院办公厅印发", 施行日期, bare titles. First on short texts written for the
project, then on the real documents of ../shared (skipped with the reason when absent),
and against the hand-checked gold file."""
from __future__ import annotations

import importlib.util
import json

import pytest

from policykb.ingest import parse_file
from policykb.ingest.metadata import extract_metadata, normalise_date
from policykb.ingest.metadata_fields import clean_title
from tests.conftest import POLICY, ROOT, needs_shared
from tests.ingest_helpers import corpus_file

# ---------------------------------------------------------------- project texts


@pytest.mark.parametrize("raw, bare, issuer", [
    ("《中共中央八项规定》（全文）", "中共中央八项规定", None),
    ("《关于领导干部带头在公共场所禁烟有关事项的通知》", "关于领导干部带头在公共场所禁烟有关事项的通知", None),
    ("中共中央办公厅 国务院办公厅印发《党政机关办公用房管理办法》", "党政机关办公用房管理办法", "中共中央办公厅 国务院办公厅"),
    ("001_村级组织活动场所管理办法", "村级组织活动场所管理办法", None),
    ("关于印发《江北省人才工作要点》的通知", "关于印发《江北省人才工作要点》的通知", None),
    ("2026年江北省政府工作报告", "2026年江北省政府工作报告", None),
])
def test_titles_are_stored_bare(raw: str, bare: str, issuer: str | None) -> None:
    assert clean_title(raw) == (bare, issuer)
    assert extract_metadata(f"# {raw}\n第一条 为规范管理，制定本办法。", "x.md").title == bare


def test_a_law_database_header_gives_issuer_number_and_dates() -> None:
    text = ("关于规范基层调研的通知\n【发布部门】中共江北省纪律检查委员会\n【发文字号】江纪发\\[2025\\]8号\n"
            "【发布日期】2025.06.16\n【实施日期】2025.07.01\n各市纪委：\n现就有关事项通知如下。")
    meta = extract_metadata(text, "x.md")
    assert (meta.issuer, meta.doc_no, meta.date) == ("中共江北省纪律检查委员会", "江纪发〔2025〕8号", "2025-06-16")
    assert meta.extra["effective_date"] == "2025-07-01"


def test_an_opening_sentence_names_who_issued_it_and_when() -> None:
    meta = extract_metadata("江北省作风建设十条规定\n中共江北省委常委会2025年3月4日召开会议，审议通过关于改进作风的十条规定。\n"
                            "一、改进调查研究。", "x.md")
    assert (meta.issuer, meta.date) == ("中共江北省委常委会", "2025-03-04")
    month = extract_metadata("关于领导干部带头节约的通知\n由中共江北省委办公厅、江北省人民政府办公厅于2024年12月印发。\n"
                             "一、各级领导干部要带头。", "x.md")
    assert (month.issuer, month.date) == ("中共江北省委办公厅、江北省人民政府办公厅", "2024-12")


def test_an_issued_by_line_under_the_title() -> None:
    meta = extract_metadata("关于推进移风易俗的意见\n中共江北省委办公厅　江北省人民政府办公厅印发\n移风易俗是社会改革。", "x.md")
    assert meta.issuer == "中共江北省委办公厅、江北省人民政府办公厅"


def test_order_numbers_and_the_version_in_hand() -> None:
    text = ("江北省物业管理条例\n2019年4月20日 江北省人民政府令第71号公布\n2024年1月22日 江北省人民政府令第98号修订\n"
            "第一章 总则\n第一条 为规范物业管理，制定本条例。\n第五十条 本条例自2024年3月1日起施行。")
    meta = extract_metadata(text, "x.md")
    assert (meta.doc_no, meta.issuer, meta.date) == ("江北省人民政府令第98号", "江北省人民政府", "2024-01-22")
    assert meta.extra["effective_date"] == "2024-03-01"


def test_the_effective_date_is_the_texts_own_and_kept_apart_from_its_date() -> None:
    rules = "村务公开办法\n第一条 为推进村务公开，制定本办法。\n第二十条 本办法由县委组织部负责解释，自2025年5月1日起施行。"
    meta = extract_metadata(rules, "x.md")
    assert meta.extra["effective_date"] == "2025-05-01" and meta.date is None
    on_issue = extract_metadata("村务公开规定\n第一条 …\n第九条 本规定自发布之日起施行。\n本条例自2015年8月3日起施行。", "x.md")
    assert "effective_date" not in on_issue.extra  # another text's article says nothing of this one


def test_a_signature_spaced_out_and_a_year_in_mixed_numerals() -> None:
    meta = extract_metadata("关于调整差旅住宿费标准的通知\n各单位：\n现将有关事项通知如下。\n财 政 厅\n二00五年六月十六日", "x.md")
    assert (meta.issuer, meta.date) == ("财政厅", "2005-06-16")


def test_no_value_the_text_does_not_state() -> None:
    meta = extract_metadata("同志们：\n今天我们召开会议，研究部署下一阶段工作。\n一要提高认识。", "003_讲话.txt")
    assert meta.issuer is None and meta.date is None and meta.doc_no is None
    assert meta.extra.get("title_source") == "文件名"  # the file name stands in, and says so


@pytest.mark.parametrize("typed, iso", [("2026年1月24日", "2026-01-24"), ("2026.1.24", "2026-01-24"),
                                        ("2026-01", "2026-01"), ("2026", "2026"), ("2026-13", None), ("去年", None)])
def test_dates_people_type(typed: str, iso: str | None) -> None:
    assert normalise_date(typed) == iso


# ---------------------------------------------------------------- real documents


def test_the_eight_point_rules_are_dated_and_attributed() -> None:
    meta = parse_file(corpus_file("eight_point_rules_and_notices/001_*")).meta
    assert (meta.title, meta.issuer, meta.date, meta.doc_type) == ("中共中央八项规定", "中共中央政治局", "2012-12-04", "规定")


@pytest.mark.parametrize("pattern, title, issuer, doc_no, date, effective", [
    ("eight_point_rules_and_notices/002_*", "党政机关办公用房管理办法", "中共中央办公厅、国务院办公厅", None, None, "2017-12-05"),
    ("eight_point_rules_and_notices/019_*", "关于党员干部带头推动殡葬改革的意见", "中共中央办公厅、国务院办公厅", None, None, None),
    ("eight_point_rules_and_notices/022_*", "关于制止以革命传统和爱国主义教育为名组织公款旅游的通知", "中共中央纪律检查委员会",
     "中共中央纪委〔2005〕8号", "2005-06-16", "2005-06-16"),
    ("eight_point_rules_and_notices/027_*", "关于在对外公务活动中赠送和接受礼品的规定", "国务院", "国务院令第133号",
     "1993-12-05", None),
    ("eight_point_rules_and_notices/033_*", "关于领导干部带头在公共场所禁烟有关事项的通知", "中共中央办公厅、国务院办公厅",
     None, "2013-12", None),
    ("party_regulations/011_*", "中国共产党纪律处分条例 2023", "中共中央", None, "2023-12-19", "2024-01-01"),
    ("laws_and_regulations/105_*", "优化营商环境条例", "国务院", "中华人民共和国国务院令第722号", "2019-10-22", "2020-01-01"),
    ("supervision_discipline_regulations/007_*", "关于办理贪污贿赂刑事案件适用法律若干问题的解释",
     "最高人民法院、最高人民检察院", "法释〔2016〕9号", "2016-03-28", "2016-04-18"),
])
def test_real_regulations(pattern: str, title: str, issuer: str | None, doc_no: str | None, date: str | None,
                          effective: str | None) -> None:
    meta = parse_file(corpus_file(pattern)).meta
    assert (meta.title, meta.issuer, meta.doc_no, meta.date, meta.extra.get("effective_date")) == (
        title, issuer, doc_no, date, effective)


def test_a_speech_printed_with_its_title_run_into_the_text() -> None:
    meta = parse_file(corpus_file("xi_speeches_2020/001_*")).meta
    assert (meta.title, meta.date, meta.doc_type) == ("在“不忘初心、牢记使命”主题教育总结大会上的讲话", "2020-01-08", "讲话")
    assert meta.issuer is None  # a person, not an issuing body


@needs_shared
def test_no_title_of_the_real_corpus_is_wrapped_or_carries_a_file_prefix() -> None:
    for path in sorted(POLICY.glob("*/*")):
        meta = parse_file(path).meta
        assert not meta.title.startswith("《") and "（全文）" not in meta.title, path.name
        assert not meta.title[:4].rstrip("_").isdigit() or "年" in meta.title[:6], path.name


@needs_shared
def test_the_gold_file_is_met() -> None:
    """Each field correct for ≥ 95% of the gold documents whose text states it, and no value
    where the text states none (bench/metadata_accuracy.py prints the table)."""
    spec = importlib.util.spec_from_file_location("metadata_accuracy", ROOT / "bench" / "metadata_accuracy.py")
    bench = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(bench)  # type: ignore[union-attr]
    rows = [json.loads(line) for line in bench.GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 120 and len({r["collection"] for r in rows}) == 10
    parsed = [bench._parsed_fields(parse_file(POLICY / row["file"]).meta) for row in rows]
    for field in bench.GOLD_FIELDS:
        stated = correct = unsupported = 0
        for row, fields in zip(rows, parsed):
            got = fields[field]
            if row[field]:
                stated += 1
                correct += bool(got) and bench.gold_verdict(field, row[field], got) == "correct"
            else:
                unsupported += bool(got)
        assert correct >= 0.95 * stated, (field, correct, stated)
        assert unsupported == 0, field


def test_a_government_report_is_its_people_s_government_s_by_the_congress_it_was_given_to() -> None:
    # A web copy titled only 「2026年政府工作报告」: the line under it says where it was given.
    text = ("您的位置:\n首页\n>\n江北要闻\n2026年政府工作报告\n来源：江北日报\n"
            "——2026年1月28日在江北省第十四届人民代表大会第四次会议上\n省长 王某\n各位代表：\n现在，我代表省人民政府，向大会报告工作。")
    meta = extract_metadata(text, "002_2026年政府工作报告.txt")
    assert meta.issuer == "江北省人民政府"
    # The State Council's reports go to the national congress: no place to take.
    national = extract_metadata("政府工作报告\n——2025年3月5日在第十四届全国人民代表大会第三次会议上\n各位代表：", "x.txt")
    assert national.issuer != "全国人民政府"


@needs_shared
def test_every_provincial_report_of_the_corpus_has_its_province() -> None:
    for path in sorted((POLICY / "gov_work_reports_provincial_2026").glob("*.txt")):
        meta = extract_metadata(path.read_text(encoding="utf-8"), path.name)
        assert meta.region and meta.issuer and meta.issuer.endswith("人民政府"), (path.name, meta.issuer)
