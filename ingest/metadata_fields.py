"""Metadata a text states outright, in forms the 公文 layout rules do not cover.

Real documents reach us as web pages and database exports as often as 公文: a law database
prints 【发布部门】/【发文字号】/【发布日期】 fields, an encyclopaedia page opens with
"中共中央政治局2012年12月4日召开会议", an administrative regulation carries its 国务院令 number
in the 题注, and the text says when it takes effect ("本办法自2016年7月1日起施行"). Each
function here reads one such form and returns only what the text says; `metadata.py`
decides which source wins.
"""
from __future__ import annotations

import re

# Markdown exports escape brackets and pipes ("中共中央纪委\[2005\]8号"); the escapes are
# not part of the text's words.
_MD_ESCAPE = re.compile(r"\\([\[\]<>|*_#()])")
_LINK_ONLY = re.compile(r"^\[\[[^\]]*\]\]$|^\[[^\]]*\]\([^)]*\)$")


def unescape_lines(lines: list[str]) -> list[str]:
    """Lines without markdown escapes, dropping lines that are only a link ("[[…pdf|PDF下载]]")."""
    out = []
    for line in lines:
        line = _MD_ESCAPE.sub(r"\1", line).strip()
        if line and not _LINK_ONLY.match(line):
            out.append(line)
    return out


# --------------------------------------------------------------------------- 【字段】

_FIELD = re.compile(r"^【(发布部门|制定机关|发文机关|发文字号|发布日期|公布日期|成文日期|实施日期|施行日期)】\s*(.+?)\s*$")


def field_lines(lines: list[str]) -> dict[str, str]:
    """A law database's header fields: {"发布部门": "最高人民法院", "发文字号": "法[2003]167号", …}.
    Names are folded to 发布部门 / 发文字号 / 发布日期 / 实施日期."""
    fold = {"制定机关": "发布部门", "发文机关": "发布部门", "公布日期": "发布日期", "成文日期": "发布日期",
            "施行日期": "实施日期"}
    found: dict[str, str] = {}
    for line in lines[:20]:
        m = _FIELD.match(line)
        if m:
            found.setdefault(fold.get(m.group(1), m.group(1)), m.group(2))
    return found


# --------------------------------------------------------------------------- title

_WRAPPED = re.compile(r"^《(.+)》\s*(?:[（(]全文[）)]|全文)?$")
_ISSUED_TITLE = re.compile(r"^(.{3,60}?)\s*(?:联合)?印发\s*《(.+)》$")
_FULL_TEXT = re.compile(r"\s*[（(]全文[）)]$")
_FILE_PREFIX = re.compile(r"^\d{1,4}[_\-.、\s]+(?=\D)")


def clean_title(title: str) -> tuple[str, str | None]:
    """(bare title, who the title says issued it): "《中共中央八项规定》（全文）" → 中共中央八项规定;
    "中共中央办公厅 国务院办公厅印发《党政机关办公用房管理办法》" → (党政机关办公用房管理办法,
    "中共中央办公厅 国务院办公厅"); "001_…" → "…". A title that quotes another inside
    ("关于印发《…》的通知") keeps its quotation marks."""
    title = _FILE_PREFIX.sub("", title.strip()).strip()
    issuer = None
    m = _ISSUED_TITLE.match(title)
    if m:
        issuer, title = m.group(1).strip(), m.group(2).strip()
    title = _FULL_TEXT.sub("", title).strip()
    m = _WRAPPED.match(title)
    if m and "《" not in m.group(1) and "》" not in m.group(1):
        title = m.group(1).strip()
    return title, issuer


# --------------------------------------------------------------------------- dates

_Y = r"(?:\d{4}|[〇○零OＯ０0一二三四五六七八九]{4})"
_MD = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
_FULL_DATE = rf"{_Y}\s*年\s*{_MD}\s*月\s*{_MD}\s*日|\d{{4}}\s*[-./]\s*\d{{1,2}}\s*[-./]\s*\d{{1,2}}"
_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")

# "本办法自2016年7月1日起施行", "本条例由…负责解释，自…起施行", "本通知自…起执行"; the document's own
# rule, not a sentence about another text ("…自2006年…起施行的《…》同时废止").
_SELF_EFFECTIVE = re.compile(
    rf"本(?:[\u4e00-\u9fa5]{{0,6}}?(?:条例|规定|办法|细则|规则|准则|法|决定|通知|意见|方案|制度|标准|规范|解释|章程|纪要|规程))"
    rf"[^。；]{{0,40}}?自\s*({_FULL_DATE})\s*起?(?:施行|执行|试行|实施|生效)"
)
# 题注 forms: "（…决定，自2021年9月20日起施行）", "(2019.1.1起施行）", 【实施日期】.
_NOTE_EFFECTIVE = re.compile(rf"^[（(].*?自?\s*({_FULL_DATE}|\d{{4}}\.\d{{1,2}}\.\d{{1,2}})\s*起(?:施行|执行|实施)")


_SELF_ON_ISSUE = re.compile(r"本(条例|规定|办法|细则|规则|准则|法|决定|通知|意见|方案|解释|章程)[^。；]{0,20}?自(?:发布|印发|公布|颁布)之日起")


def effective_date(lines: list[str], parse_date, kind: str | None = None) -> str | None:  # type: ignore[no-untyped-def]
    """施行日期 the text gives for itself: its closing article ("本条例自2018年10月1日起施行")
    or its 题注. With `kind` (the title's 规定, 办法 …) only that kind's own article counts:
    a page that appends another text's articles ("本条例自…") says nothing about this one.
    None when the text takes effect on issue ("本规定自发布之日起施行")."""
    for line in lines[:8]:
        m = _NOTE_EFFECTIVE.match(line)
        if m:
            return parse_date(m.group(1))
    found = None
    for line in lines:
        for m in _SELF_ON_ISSUE.finditer(line):
            if kind is None or kind.endswith(m.group(1)) or m.group(1).endswith(kind):
                return None
        for m in _SELF_EFFECTIVE.finditer(line):
            own = re.match(r"本([\u4e00-\u9fa5]{1,8}?)(?:由|自|，|所)", m.group(0))
            said = own.group(1) if own else ""
            if kind is None or said.endswith(kind) or kind.endswith(said[-2:] if said else "\0"):
                found = parse_date(m.group(1)) or found  # the 附则 comes last: keep the last
    return found


def month_date(text: str) -> str | None:
    """"2013年12月" → "2013-12" (a month the text names without a day)."""
    m = _MONTH.search(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    return None


# The opening words of a page about a document: "中共中央政治局2012年12月4日召开会议，…",
# "由中共中央办公厅、国务院办公厅于2013年12月印发。", "（中组发〔2014〕18号）文件由中组部、
# 教育部于2014年7月31日联合下发。", "（中共中央组织部，2013年3月）".
_LEAD_EVENT = re.compile(
    rf"(?:^|文件|[，。])由?([\u4e00-\u9fa5、\s]{{3,80}}?)\s*于?\s*((?:{_FULL_DATE})|\d{{4}}\s*年\s*\d{{1,2}}\s*月)\s*"
    r"(?:联合)?(?:召开会议|印发|发布|下发|颁布|公布)"
)
_LEAD_NOTE = re.compile(rf"^[（(]\s*([\u4e00-\u9fa5、\s]{{3,60}}?)\s*[，,]\s*((?:{_FULL_DATE})|\d{{4}}\s*年\s*\d{{1,2}}\s*月)\s*[）)]$")


# "中共中央办公厅　国务院办公厅印发" under the title, or "…印发《关于…的意见》" as its first line.
_ISSUED_LINE = re.compile(r"^([\u4e00-\u9fa5、\s]{3,60}?)\s*(?:(?:联合)?印发(?:$|《)|关于(?:印发|转发|发布))")
# "（中国共产党第十九次全国代表大会部分修改，2017年10月24日通过）"
_ADOPTED_NOTE = re.compile(
    rf"^[（(]\s*([\u4e00-\u9fa5]{{3,40}}?)(?:部分修改|修改|修订)?\s*[，,]\s*({_FULL_DATE})\s*通过[）)]$"
)
# "(中办发[1995]7号1995年4月30)": a day without 日 before the closing bracket.
_NOTE_DAY = re.compile(r"^[（(].*?(\d{4})年(\d{1,2})月(\d{1,2})[）)]$")
# "(2017年12月修改)": a version's month.
_NOTE_MONTH = re.compile(r"^[（(]\s*(\d{4}\s*年\s*\d{1,2}\s*月)\s*(?:修改|修订|修正|印发|发布|通过)[）)]$")


def note_date(lines: list[str]) -> str | None:
    """A date a 题注 gives in a short form: "(…1995年4月30)" → 1995-04-30,
    "(2017年12月修改)" → 2017-12."""
    for line in lines[:4]:
        m = _NOTE_DAY.match(line)
        if m and 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
        m = _NOTE_MONTH.match(line)
        if m:
            return month_date(m.group(1))
    return None


def lead_event(lines: list[str], orgs, parse_date) -> tuple[list[str] | None, str | None]:  # type: ignore[no-untyped-def]
    """(issuers, date) from an opening that says who issued the text and when. The issuers
    count only if they read as organisations; the date counts with them (a sentence
    naming no issuer is some other event)."""
    for line in lines[:4]:
        m = _ISSUED_LINE.match(line)
        if m and (names := orgs(m.group(1))):
            return names, None
        m = _ADOPTED_NOTE.match(line)
        if m and (names := orgs(m.group(1))):
            return names, parse_date(m.group(2))
    for line in lines[:3]:
        head = line[:200]
        for pattern in (_LEAD_NOTE, _LEAD_EVENT):
            m = pattern.search(head)
            if not m:
                continue
            names = orgs(re.sub(r"^(?:文件由|由)", "", m.group(1).strip()))
            if names:
                return names, parse_date(m.group(2)) or month_date(m.group(2))
    return None, None


# --------------------------------------------------------------------------- 令

# "2008年8月3日 中华人民共和国国务院令第529号公布", "国务院第133号令", "化学工业部令第7号发布".
_ORDER = re.compile(r"((?:中华人民共和国)?[\u4e00-\u9fa5]{2,20}?令)\s*第\s*([\d一二三四五六七八九十百]+)\s*号")
_ORDER_REVERSED = re.compile(r"^((?:中华人民共和国)?[\u4e00-\u9fa5]{2,20}?)第\s*(\d+)\s*号令$")


def order_number(lines: list[str], all_dates) -> tuple[str | None, str | None]:  # type: ignore[no-untyped-def]
    """(令 number, the body that issued it) from the 题注: for a regulation amended by later
    orders, the order on the latest dated line (the version in hand)."""
    best: tuple[str, str, str] | None = None  # (date, number, issuer)
    for line, nxt in zip(lines[:12], lines[1:13]):
        # "中华人民共和国国家版权局中华人民共和国国家发展和改革委员会令" / "第11号"
        m = re.fullmatch(r"第\s*(\d+)\s*号", nxt)
        if m and re.fullmatch(r"[\u4e00-\u9fa5]{3,60}令", line):
            bodies = [b for b in re.split(r"中华人民共和国", line[:-1]) if b]
            return f"{line}第{m.group(1)}号", "、".join(bodies)
    for line in lines[:12]:
        m = _ORDER_REVERSED.match(line)
        if m:
            return f"{m.group(1)}令第{m.group(2)}号", m.group(1)
        m = _ORDER.search(line)
        if not m or len(line) > 120 or line.endswith("。"):
            continue
        dates = all_dates(line)
        key = max((d[2] for d in dates), default="")
        org = re.sub(r"^中中华", "中华", m.group(1))  # a typo seen in a real 题注
        number = f"{org}第{m.group(2)}号"
        if best is None or key >= best[0]:
            best = (key, number, re.sub(r"令$", "", org))
    if best is None:
        return None, None
    return best[1], best[2]


# --------------------------------------------------------------------------- speeches

# "在“不忘初心、牢记使命”主题教育总结大会上的讲话（2020年1月8日）习近平同志们：…",
# "在2020年中国国际服务贸易交易会全球服务贸易峰会上的致辞（2020年9月4日，北京）…".
_SPEECH_HEAD = re.compile(
    rf"^(.{{4,80}}?(?:讲话|致辞|发言|演讲|报告|贺信|回信))\s*[（(]\s*({_FULL_DATE})\s*(?:[，,][^）)]{{1,12}})?[）)]"
)
# "构建起强大的公共卫生体系 为维护人民健康提供有力保障※习近平…" / "…※习近平" on its own line.
_ARTICLE_HEAD = re.compile(r"^(.{6,60}?)\s*※?\s*习近平(?:$|[^\s，。、])")
# "※这是习近平总书记2020年6月29日在十九届中央政治局第二十一次集体学习时的讲话。"
_SPOKEN_ON = re.compile(rf"这是[\u4e00-\u9fa5]{{2,12}}?({_FULL_DATE})在[^。]{{2,80}}?(?:讲话|致辞|发言|报告)")
# "《 人民日报 》（ 2020年01月09日 02 版）": the day a paper printed the text.
_PRINTED = re.compile(rf"《\s*[\u4e00-\u9fa5]{{2,8}}报\s*》\s*[（(]\s*({_FULL_DATE})")


def speech_head(lines: list[str], parse_date) -> tuple[str | None, str | None]:  # type: ignore[no-untyped-def]
    """(title, date) of a speech or article printed with its title run into the body: the
    title and the date in brackets after it; else the date a closing note gives ("这是…
    2020年6月29日在…的讲话"); else the date the newspaper printed it."""
    if not lines:
        return None, None
    title = date = None
    first = re.sub(r"^新华社\S{2,8}?\d{1,2}月\d{1,2}日电\s*", "", lines[0])  # a wire dateline, not the title
    m = _SPEECH_HEAD.match(first)
    if m:
        title, date = m.group(1).strip(), parse_date(m.group(2))
    elif "※" in first[:80] and (m := _ARTICLE_HEAD.match(first)):
        title = m.group(1).strip()
    for line in lines[-4:]:
        if date is None and (m := _SPOKEN_ON.search(line)):
            date = parse_date(m.group(1))
    if date is None:
        for line in lines[-3:]:
            if m := _PRINTED.search(line):
                date = parse_date(m.group(1))
    return title, date


# --------------------------------------------------------------------------- doc type

_SELF_KINDS = ("通知", "意见", "办法", "规定", "方案", "细则", "规则", "准则", "条例", "决定", "规划", "计划",
               "指南", "通告", "公告", "批复", "纪要", "要点", "报告", "函")
# Only the phrases a text uses of itself in its closing articles: "本通知所称", "本办法由…负责
# 解释", "本规定自…起施行", "本意见适用于"; a page that merely quotes "本规定的…" says nothing.
_SELF_REFERENCE = re.compile(
    rf"本({'|'.join(_SELF_KINDS)})(?=所称|由[^。]{{0,30}}负责解释|自[^。]{{0,20}}(?:施行|执行|实施)|适用于|未尽事宜)"
)


def self_named_type(text: str) -> str | None:
    """The kind a text calls itself ("本通知所称…", "本办法由…负责解释") when its title does not
    say; the most frequent when it says several."""
    counts: dict[str, int] = {}
    for m in _SELF_REFERENCE.finditer(text):
        counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    return max(counts, key=lambda k: counts[k]) if counts else None


def orgs_under_doc_no(lines: list[str], is_doc_no, orgs) -> list[str] | None:  # type: ignore[no-untyped-def]
    """Issuers printed one a line under the 文号 ("法释〔2016〕9号" / "中华人民共和国最高人民法院"
    / "中华人民共和国最高人民检察院"), as a joint 公告 sets them."""
    for i, line in enumerate(lines[:8]):
        if not is_doc_no(line):
            continue
        found: list[str] = []
        for nxt in lines[i + 1 : i + 6]:
            names = orgs(re.sub(r"^中华人民共和国(?=\S{3})", "", nxt))
            if not names:
                break
            found.extend(names)
        return found or None
    return None


# --------------------------------------------------------------------------- speech occasions

# A speech printed without its title line still names its occasion in its first sentence:
# "同志们：今天，我们在这里隆重集会，庆祝深圳等经济特区建立40周年…" is the speech 在庆祝…大会上.
# Only these fixed formulas: a title made up from anything looser would be a guess.
_SALUTATION = re.compile(r"^(?:[^：:。]{1,40}?(?:们|同志|朋友)[：:]\s*)?")
_RALLY = re.compile(r"^今天，我们(?:在这里)?(?:隆重)?集会，(庆祝|纪念)([^，。！]{4,40})")
_MEETING = re.compile(r"^今天，我们(?:在这里)?召开(?:一个|这次)?([^，。！]{2,40}?(?:座谈会|会议|大会|研讨会))")
_EXPLAIN = re.compile(r"^受[^，。]{2,12}委托，我就(《[^》]{4,80}》)[^。]{0,20}?(?:向[^。]{1,8})?作说明")
_REPLY = re.compile(r"^回信\s*([^：:。\n]{2,40})[：:]")
_GREETING_LETTER = re.compile(r"^贺信\s*值此([^。，]{4,40}?)之际")
# The speaker: the name after a title line's date ("…的讲话（2020年1月8日）习近平同志们："),
# in a closing note ("※这是习近平总书记2020年6月29日在…") or a wire lead ("…中央军委主席习近平…").
_SPEAKER_AFTER_DATE = re.compile(r"^.{4,80}?[）)]\s*([\u4e00-\u9fa5]{2,3}?)(?=同志们|同胞们|各位|尊敬的|女士们|朋友们|$)")
_SPEAKER_NOTE = re.compile(r"这是([\u4e00-\u9fa5]{2,3}?)(?:总书记|同志|主席)?\s*\d{4}年")
_SPEAKER_LEAD = re.compile(r"(?:总书记|国家主席|国务院总理|军委主席)([\u4e00-\u9fa5]{2,3}?)(?=\d{1,2}月|在|给|对|出席|主持|发表|向|同|近日|日前|强调|指出)")
_FILE_DATE = re.compile(r"(?:^|[_\s])(\d{4}-\d{2}-\d{2})(?=[_\s（(])")


def speech_occasion(lines: list[str]) -> str | None:
    """The title a speech or letter printed without one gives itself in its first sentence
    (在庆祝…大会上的讲话, 在…座谈会上的讲话, 关于《…》的说明, 给…的回信, 致…的贺信)."""
    if not lines:
        return None
    first = lines[0]
    if m := _REPLY.match(first):
        return f"给{m.group(1).strip()}的回信"
    if m := _GREETING_LETTER.match(first):
        return f"致{re.sub(r'召开$', '', m.group(1).strip())}的贺信"
    body = first[_SALUTATION.match(first).end():]  # type: ignore[union-attr]
    if m := _RALLY.match(body):
        return f"在{m.group(1)}{m.group(2)}大会上的讲话"
    if m := _MEETING.match(body):
        return f"在{m.group(1)}上的讲话"
    if m := _EXPLAIN.match(body):
        return f"关于{m.group(1)}的说明"
    return None


def speech_speaker(lines: list[str]) -> str | None:
    """Who gave a speech or wrote an article, where the text names them."""
    if not lines:
        return None
    if m := _SPEAKER_AFTER_DATE.match(lines[0][:160]):
        return m.group(1)
    for line in lines[-4:]:
        if m := _SPEAKER_NOTE.search(line):
            return m.group(1)
    if m := _SPEAKER_LEAD.search(lines[0][:120]):
        return m.group(1)
    return None


def filename_date(filename: str) -> str | None:
    """A date the file's name gives in ISO form ("001_…_2020-01-08__01（…）.txt"): the day a
    collection dated the text, which a date mentioned inside it must not override."""
    from pathlib import Path

    m = _FILE_DATE.search(Path(filename).name)
    return m.group(1) if m else None
