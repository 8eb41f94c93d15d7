"""Cleaning joins lines broken inside a sentence but never glues a heading, a list item,
a salutation or a date to its neighbour; odd spaces become plain ones."""
from __future__ import annotations

from policykb.ingest.clean import clean_pages, clean_text


def test_full_width_and_no_break_spaces_are_normalised() -> None:
    assert clean_text("第一条\u3000为了加强管理，\u00a0制定本规定。  \n") == "第一条 为了加强管理， 制定本规定。"


def test_wiki_link_breaks_inside_a_paragraph_are_joined() -> None:
    raw = "五年来，我们贯彻\n民族区域自治法\n，支持少数民族发展。\n\n一、过去五年工作回顾\n\n广义货币M\n2\n增长13.6%。\n"
    assert clean_text(raw) == "五年来，我们贯彻民族区域自治法，支持少数民族发展。\n一、过去五年工作回顾\n广义货币M2增长13.6%。"


# A PDF body: full-width wrapped lines, so short lines (title, signature) stand out.
BODY = (
    "坚持以习近平新时代中国特色社会主义思想为指导，全面落实第一议题\n"
    "制度，村党组织书记每年参加县级以上集中培训不少于四十学时，新\n"
    "任职的应当在任职后六个月内完成不少于七十二学时的任职培训工作\n"
    "确保培训全覆盖。\n"
)


def test_headings_list_items_salutations_and_dates_stay_on_their_own_lines() -> None:
    raw = (
        "关于做好2026年\n党员教育工作的通知\n各市委组织部：\n一、总体要求\n（一）指导思想\n"
        "1.加强学习\n- 要点一\n" + BODY + "中共江北省委组织部\n2026年1月24日\n"
    )
    lines = clean_text(raw).split("\n")
    assert lines == [
        "关于做好2026年", "党员教育工作的通知", "各市委组织部：", "一、总体要求", "（一）指导思想",
        "1.加强学习", "- 要点一", "".join(BODY.split()), "中共江北省委组织部", "2026年1月24日",
    ]


def test_pdf_wrapped_lines_join_but_short_lines_do_not() -> None:
    page = (
        "关于开展集中轮训的通知\n"
        " 各级党组织要认真落实第一议题制度，村党组织书记每年参加\n"
        "县级以上集中培训不少于四十学时，新任职的应当在任职后六个\n"
        "月内完成任职培训。\n"
        " 第二段从这里开始，这是一行很长的文字需要换行才能写完的句子\n"
        "结束。\n"
    )
    assert clean_text(page).split("\n") == [
        "关于开展集中轮训的通知",
        "各级党组织要认真落实第一议题制度，村党组织书记每年参加县级以上集中培训不少于四十学时，新任职的应当在任职后六个月内完成任职培训。",
        "第二段从这里开始，这是一行很长的文字需要换行才能写完的句子结束。",
    ]


def test_blank_line_runs_collapse_and_latin_words_keep_their_space() -> None:
    assert clean_text("第一段。\n\n\n\n第二段 policy\nmaking 继续。") == "第一段。\n第二段 policy making 继续。"


def test_page_spans_survive_joining_across_pages() -> None:
    text, pages = clean_pages(["一、要求\n这句话从第一页开始，", "一直写到第二页结束。\n二、其他\n内容。", ""])
    assert text == "一、要求\n这句话从第一页开始，一直写到第二页结束。\n二、其他\n内容。"
    assert [p.number for p in pages] == [1, 2, 3]
    assert text[pages[1].char_start :].startswith("一直写到第二页")
    assert pages[2].char_start == pages[2].char_end == len(text)  # an empty page
