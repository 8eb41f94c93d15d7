"""Document metadata parsed from the text of a 公文, plus sidecar overrides.

A 公文 carries its own metadata in fixed places: the 红头 and 发文字号 above the title,
the title (often wrapped over two lines), the 主送机关, and at the end the 发文机关
signature and the 成文日期 (in Chinese numerals: 二〇二六年一月二十四日). We read those
places rather than searching the whole body, because the body cites other documents'
numbers and dates.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from policykb.ingest.structure import is_heading_line
from policykb.ingest.types import DocMeta, IngestError
from policykb.text import cn_int

_HEAD_LINES = 12  # the title block lives in the first lines
_TAIL_LINES = 10  # the signature block in the last lines

# --------------------------------------------------------------------------- 发文字号

_OPEN = "〔\\[［【(（"
_CLOSE = "〕\\]］】)）"
_DOCNO_AT_LINE_START = re.compile(
    rf"^[（(]?\s*([\u4e00-\u9fa5A-Za-z]{{1,12}}?)\s*[{_OPEN}]\s*(\d{{4}})\s*[{_CLOSE}]\s*第?\s*(\d{{1,5}})\s*号"
)
_DOCNO_ANYWHERE = re.compile(
    rf"([\u4e00-\u9fa5A-Za-z]{{1,10}}?)\s*[{_OPEN}]\s*(\d{{4}})\s*[{_CLOSE}]\s*第?\s*(\d{{1,5}})\s*号"
)


def normalise_doc_no(value: str) -> str:
    """晋组发[2026]3号, 晋组发（2026）3号, 晋组发〔2026]3号 → 晋组发〔2026〕3号."""
    m = _DOCNO_ANYWHERE.search(value)
    if not m:
        return value.strip()
    return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"


def find_doc_no(lines: list[str]) -> str | None:
    """The document's own number: one that starts a line in the title block, or one in
    the 题注 under a title ("（2026年2月27日中共江北省委组织部印发 江组发〔2026〕9号）").

    Numbers inside body sentences ("根据…（中办发〔2012〕18号）…。") are other documents'.
    """
    head = lines[:_HEAD_LINES]
    for line in head:
        m = _DOCNO_AT_LINE_START.match(line)
        if m:
            return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
    for line in head:
        if _is_note_line(line):
            m = _DOCNO_ANYWHERE.search(line)
            if m:
                # "…组织部印发江组发〔…" without a space: the prefix starts after the verb.
                prefix = re.split(r"印发|发布|公布|制发", m.group(1))[-1]
                if prefix:
                    return f"{prefix}〔{m.group(2)}〕{m.group(3)}号"
    return None


def _is_note_line(line: str) -> bool:
    """A 题注 under the title: "（2026年2月27日中共江北省委组织部印发 江组发〔2026〕9号）" or
    "2003年12月31日中共中央发布" — short, dated, saying who issued or adopted it."""
    return (
        len(line) <= 300
        and not line.endswith(("。", "；"))
        and not is_heading_line(line)
        and (line.startswith(("（", "(")) or bool(_date_match(line[:16])))
        and bool(_EVENT.search(line))
        and _date_match(line) is not None
    )


# --------------------------------------------------------------------------- dates

_CN_Y = "〇○零OＯ０0一二三四五六七八九"  # "二00五年": ASCII zeros typed into Chinese numerals
_CN_MD = "一二三四五六七八九十〇零"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(rf"([{_CN_Y}]{{4}})\s*年\s*([{_CN_MD}]{{1,3}})\s*月\s*([{_CN_MD}]{{1,3}})\s*日"),
    re.compile(r"(?<![\d.])(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?![\d.])"),
)


def _to_iso(year: str, month: str, day: str) -> str | None:
    y = cn_int(year) or 0
    m, d = cn_int(month, date_part=True), cn_int(day, date_part=True)
    if 1900 <= y <= 2100 and 1 <= m <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def _date_match(text: str) -> tuple[int, int, str] | None:
    """(start, end, ISO date) of the first valid date in `text`."""
    best: tuple[int, int, str] | None = None
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            iso = _to_iso(*m.groups())
            if iso:
                if best is None or m.start() < best[0]:
                    best = (m.start(), m.end(), iso)
                break
    return best


def parse_date(text: str) -> str | None:
    """The first date in `text` as ISO YYYY-MM-DD (Arabic, Chinese numerals, 2026-01-24,
    2026.1.24, 2026/1/24); None if there is none."""
    found = _date_match(text)
    return found[2] if found else None


def _all_dates(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of every valid date in `text`, in order."""
    found: list[tuple[int, int, str]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            iso = _to_iso(*m.groups())
            if iso:
                found.append((m.start(), m.end(), iso))
    return sorted(found)


def _is_date_line(line: str) -> bool:
    """A line that is a date, perhaps with a few words: "（2026年1月24日印发）"."""
    if line.endswith(("。", "；")) or is_heading_line(line):
        return False  # a sentence or an article that mentions a date
    found = _date_match(line)
    return bool(found) and len(line) - (found[1] - found[0]) <= 10  # type: ignore[index]


# Words of a 题注 that date the text itself: adopted, issued, amended. "施行" is deliberately
# absent from the dates we keep (see _version_date): the day a rule takes effect is not the
# day it was made.
_EVENT = re.compile(r"(通过|公布|印发|发布|施行|修订|修正|批准|决定|颁布)")
# A web page's or newspaper's publication line: "来源：北京日报 时间：2026-02-02".
_PUBLISHED_LINE = re.compile(r"^(?:来源[:：].{0,40}?)?(?:发布时间|发布日期|发稿时间|时间|日期)(?:[:：]|\s+(?=\d))")


def _version_date(line: str) -> str | None:
    """The latest date of a 题注, skipping dates it takes effect on.

    "（2003年12月23日…审议批准 2003年12月31日中共中央发布 2023年12月8日…第三次修订
    2023年12月19日中共中央发布）" is the 2023-12-19 text: the version in hand is the last one.
    """
    kept = [
        iso for start, end, iso in _all_dates(line)
        if not re.match(r"\s*起?(?:施行|生效|执行|实施)", line[end : end + 6]) and line[max(0, start - 1) : start] != "自"
    ]
    return max(kept) if kept else None


# A report's dateline under its title: "——2026年1月25日在北京市第十六届人民代表大会第四次会议上",
# the dash sometimes lost: "2026年1月31日在黑龙江省第十四届人民代表大会第四次会议上".
_SPEECH_DATELINE = re.compile(r"^(?:——)?\s*\S{8,16}?日\s*在[^。]{2,80}?(?:会议|大会|会)上")


def find_date(lines: list[str]) -> str | None:
    """成文日期: a date line in the signature block, else the 题注 under the title (its
    latest adoption/amendment date), else a web page's publication line.

    Dates inside body sentences ("本条例自2018年10月1日起施行") are not the document's date.
    """
    for line in reversed(lines[-_TAIL_LINES:]):
        signed = _signature_line(line)
        if signed:
            return signed[1]
    found: list[str] = []
    published: str | None = None
    for i, line in enumerate(lines[: _HEAD_LINES + 20]):
        if i >= _HEAD_LINES and not found:
            break  # a long run of amendments may go past the title block, nothing else may
        if is_heading_line(line) or line.endswith(("。", "；")):
            if found:
                break  # the body has started after the 题注
            continue  # body sentences cite other dates ("本规定自2018年10月1日起施行。")
        if _PUBLISHED_LINE.match(line):
            published = published or parse_date(line)
            continue
        if (
            _is_date_line(line)
            or _SPEECH_DATELINE.match(line)
            or _is_note_line(line)
            or line.startswith(("（", "(", "——", "发布", "成文"))
            or (len(line) <= 80 and _EVENT.search(line))
            or (found and _date_match(line[:16]))  # the next amendment, its words wrapped
        ):
            dated = _version_date(line[:300])
            if dated:
                found.append(dated)
            if dated or found and _date_match(line):
                continue  # "1980年1月1日 施行" is still part of the run
        if found and (len(line) > 120 or line.endswith(("：", ":"))):
            break  # a law's 题注 is one run of lines ("1979年7月1日…通过" / "…第一次修正" …),
        # where a long amendment may wrap ("〈中华人民共和国…选举法〉"); the body ends it.
    if found:
        return max(found)
    return published or _lead_date(lines)


def _lead_date(lines: list[str]) -> str | None:
    """A date that opens the text: a news lead ("2018年12月28日，…论坛在北京举行。") or a
    speech's dateline run into its first line ("…上的致辞（2020年11月27日，北京）…")."""
    for line in lines[:2]:
        found = _date_match(line[:20])
        if found and found[0] == 0 and line[found[1] : found[1] + 1] in ("，", ","):
            return found[2]
        head = line[:200].split("。")[0]
        m = re.search(r"[（(]([^（）()]{6,20}?)(?:[，,][\u4e00-\u9fa5]{1,8})?[）)]", head)
        if m and _is_date_line(m.group(1)) and (found := _date_match(m.group(1))) and found[0] == 0:
            return found[2]
    return None


# The National People's Congress meets once a year from its 6th term (1983) on, so a
# session names its year: 第十一届…第一次会议 → 2008.
_NPC_FIRST_YEAR = {"六": 1983, "七": 1988, "八": 1993, "九": 1998, "十": 2003, "十一": 2008, "十二": 2013,
                   "十三": 2018, "十四": 2023}


def date_from_title(title: str) -> str | None:
    """The year a title pins down, for texts that carry no date of their own: a government
    work report ("1979年中华人民共和国国务院政府工作报告") or an NPC session's resolution."""
    m = re.match(r"^(\d{4})年.{0,24}政府工作报告", title)
    if m and 1949 <= int(m.group(1)) <= 2100:
        return m.group(1)
    m = re.match(r"^第([一二三四五六七八九十]{1,3})届全国人民代表大会第([一二三四五六七八九十])次会议", title)
    if m and m.group(1) in _NPC_FIRST_YEAR:
        return str(_NPC_FIRST_YEAR[m.group(1)] + cn_int(m.group(2), date_part=True) - 1)
    return None


# --------------------------------------------------------------------------- title

_TYPE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("典型案例", "案例"), ("案例", "案例"), ("经验做法", "经验做法"), ("实施细则", "细则"),
    ("细则", "细则"), ("准则", "准则"), ("条例", "条例"), ("规定", "规定"), ("办法", "办法"),
    ("意见", "意见"), ("通知", "通知"), ("通报", "通报"), ("决定", "决定"), ("决议", "决议"),
    ("公告", "公告"), ("通告", "通告"), ("批复", "批复"), ("纪要", "纪要"), ("要点", "要点"),
    ("方案", "方案"), ("规划", "规划"), ("计划", "计划"), ("报告", "报告"), ("讲话", "讲话"),
    ("致辞", "讲话"), ("发言", "讲话"), ("演讲", "讲话"), ("章程", "章程"), ("规则", "规则"), ("指南", "指南"),
    ("解释", "解释"), ("措施", "措施"), ("问答", "问答"), ("函", "函"), ("宪法", "法"), ("法", "法"),
    ("标准", "标准"),
)
_TITLE_TAIL_NOISE = re.compile(r"\s*[（(](?:试行|草案|修订|修正|暂行|征求意见稿|全文|\d{4}年?[^）)]{0,12})[）)]\s*$")
_JUNK = re.compile(r"(您的位置|当前位置|首页|来源[:：]|发布时间|发布日期|字体|浏览|点击|打印|分享|关闭窗口|^[>|]+$|"
                   r"记者\s*\S{1,8}\s*/?\s*摄)")  # a photo caption: "…贵州日报天眼新闻记者 李森 摄"
_INNER_HEADING = re.compile(r"^(?:应用|案例|场景|专栏|任务|举措|附件|附表)[一二三四五六七八九十\d]+[：:、]")
_RED_HEADER = re.compile(r"^(.{2,40}?)\s*文件$")  # 发文机关标志: "中共江北省委组织部文件"


def _strip_md(line: str) -> str:
    return re.sub(r"^#{1,6}\s*", "", line).strip()


def _title_like(line: str) -> bool:
    if not (4 <= len(line) <= 60) or not re.search(r"[\u4e00-\u9fa5]", line):
        return False
    if re.search(r"[。；，,;！!？?]$", line) or re.search(r"[：:]", line):
        return False  # a sentence, a salutation ("同志们！"), a label ("应用一：形式审查")
    if re.match(r"^[、，。；）)\]]", line) or re.fullmatch(r"[（(\[].*[）)\]]", line):
        return False  # a fragment cut from a heading ("、指导思想"), a note in brackets
    if _JUNK.search(line) or _RED_HEADER.match(line) or _DOCNO_AT_LINE_START.match(line):
        return False
    if _INNER_HEADING.match(line):  # "应用一：形式审查": an item heading inside the text
        return False
    if parse_date(line) and len(line) <= 20:
        return False
    return not (is_heading_line(line) and not line.startswith("#"))


def _type_of(title: str) -> str | None:
    main = re.split(r"\s*(?:--|——)\s*", title.strip())[0] or title  # "…申报指南--人工智能医疗器械方向"
    main = re.sub(r"\s*[（(](?:[一二三四五六七八九十]{1,3}大)[）)]$", "", main)  # "…的报告 (一大)"
    for candidate in ([main, title] if main != title else [title]):
        kind = _type_of_core(candidate)
        if kind:
            return kind
    return None


def _type_of_core(title: str) -> str | None:
    core = _TITLE_TAIL_NOISE.sub("", title.strip().strip("《》“”\"")).rstrip("》”\" ")
    core = re.sub(r"\s*\d{4}$", "", core)  # "纪律处分条例 2018"
    for suffix, kind in _TYPE_SUFFIXES:
        if core.endswith(suffix):
            return kind
    return None


_TYPE_WORDS = (("典型案例", "案例"), ("经验做法", "经验做法"), ("案例", "案例"), ("通报", "通报"), ("讲话", "讲话"))


def _type_in_title(title: str) -> str | None:
    """Weaker signal for titles that end otherwise: "典型案例选编（第一辑）"."""
    for word, kind in _TYPE_WORDS:
        if word in title:
            return kind
    return None


def find_title(lines: list[str]) -> str | None:
    head = lines[:_HEAD_LINES]
    for i, raw in enumerate(head):
        if raw.startswith("#"):
            return _strip_md(raw) or None
        if not _title_like(raw):
            if len(raw) > 60 or raw.endswith(("：", ":", "。")):
                break  # the body (or the 主送机关 line) has started: no title here
            continue
        # A title wraps over up to three lines ("中共XX省委组织部" / "关于开展…轮训" /
        # "的通知"): take the fewest lines that end in a document type, else the first.
        joined = raw
        for nxt in head[i + 1 : i + 3]:
            short_tail = 2 <= len(nxt) < 4 and not re.search(r"[：:。，]", nxt)  # "的通知"
            if _type_of(joined) is not None or not (_title_like(nxt) or short_tail) or nxt.startswith("#"):
                break
            if _type_of(joined + nxt) is not None:
                return joined + nxt
            joined += nxt
        return raw
    return None


def title_from_filename(filename: str) -> str:
    """"006_关于严禁….txt" → "关于严禁…"; numeric prefixes and suffixes dropped."""
    stem = Path(filename).name
    for suffix in (".meta.json",):
        stem = stem.removesuffix(suffix)
    stem = Path(stem).stem if "." in stem else stem
    stem = re.sub(r"^\d+[_\-\s.、]+", "", stem)
    return stem.replace("_", " ").strip() or Path(filename).name


# --------------------------------------------------------------------------- issuer

# An issuer must look like an organisation: users filter by it, so a wrong one (a sentence
# fragment, an addressee, a person) is worse than none. Every source below only proposes a
# name; `is_org` decides.
_ORG_END = re.compile(
    r"(?:委员会|常委会|代表大会|人大|政协|人民政府|政府|办公厅|办公室|领导小组|工作组|巡视组|纪检监察组"
    r"|协会|联合会|学会|研究会|理事会|总局|监委|纪委|党委|党组|中共中央|国务院|中央军委"
    r"|部|委|厅|局|办|院|署|司|处|室|中心|所|社|行|公司|集团|大学|学校|馆|台)$"
)
# Characters that only occur in sentences or addressee lists, never inside an agency's name.
_NOT_IN_ORG = re.compile(r"[的了是把被将要对这我你他们等各为与及或即并从向于在请由\d０-９A-Za-z，。；：:！？“”《》]")
_NOT_ORG_START = ("全省", "全市", "全县", "全国各", "省直", "市直", "有关", "本", "该", "其", "上级", "下级",
                  "各级", "地方", "相关", "主要", "分管", "会议", "党中央")
_NOT_ORG_EXACT = {"党委", "党组", "政府", "中心", "委员会", "办公室", "办公厅", "研究室", "国家"}


def is_org(name: str) -> bool:
    """Whether `name` reads as one organisation: 中共江北省委组织部, 国务院办公厅,
    全国人民代表大会常务委员会, 江北省纪委监委 — not "各市委组织部", not "全省各级党委"."""
    name = name.strip()
    return (
        3 <= len(name) <= 30
        and bool(re.fullmatch(r"[\u4e00-\u9fa5（）()]+", name))
        and not _NOT_IN_ORG.search(name)
        and not name.startswith(_NOT_ORG_START)
        and name not in _NOT_ORG_EXACT
        and bool(_ORG_END.search(name))
    )


def _orgs(text: str) -> list[str] | None:
    """"中共中央办公厅 国务院办公厅" / "中共江北省委组织部、江北省人社厅" → the names, if every
    part is an organisation; else None."""
    text = text.strip()
    if re.fullmatch(r"(?:[\u4e00-\u9fa5]\s+){1,6}[\u4e00-\u9fa5]", text):
        text = re.sub(r"\s+", "", text)  # a signature spaced out to fill the line: "财 政 部"
    parts = [part for part in re.split(r"[\s、，,]+", text) if part]
    if parts and len(parts) <= 12 and all(is_org(part) for part in parts):
        return parts
    return None


def _signature_line(line: str) -> tuple[list[str], str] | None:
    """A signature-block date line: "二〇二六年一月二十四日", or one that carries the issuers
    too: "中共中央办公厅 国务院办公厅 2009年2月20日", "青岛市工业和信息化局办公室 2020年9月22日印发"."""
    if _is_date_line(line):
        return [], parse_date(line) or ""
    found = _date_match(line)
    if found is None or line.endswith(("。", "；")) or len(line) - found[1] > 6:
        return None
    rest = line[found[1]:].strip()
    if rest and not re.fullmatch(r"[（(]?(?:印发|发布|发|制定|签发)?[）)]?", rest):
        return None
    orgs = _orgs(line[: found[0]])
    return (orgs, found[2]) if orgs else None


def _from_signature(lines: list[str]) -> list[str] | None:
    """落款: the issuer lines just above the date at the end ("中共江北省委组织部" /
    "二〇二六年一月二十四日"), or the issuers on the date line itself."""
    reach = 20  # joint issuers signed one per line: thirteen ministries sign one 意见
    tail = lines[-(_TAIL_LINES + reach):]
    for i in range(len(tail) - 1, max(len(tail) - _TAIL_LINES, 0) - 1, -1):
        signed = _signature_line(tail[i])
        if signed is None:
            continue
        orgs = list(signed[0])
        j = i - 1
        while not signed[0] and j >= 0 and len(orgs) < reach and (above := _orgs(tail[j])):
            orgs = above + orgs  # joint issuers may be signed one per line
            j -= 1
        return orgs or None
    return None


_TITLE_PREFIX = re.compile(r"^(.{3,60}?)(?:关于|印发|转发|通报|发布|贯彻)")
# 题注: "（2026年2月27日中共江北省委组织部印发 江组发〔2026〕9号）", "2022年9月22日中共中央发布",
# "（2007年4月22日中华人民共和国国务院令第495号公布）", "1979年7月1日 第五届全国人民代表大会第二次会议通过".
_NOTE_ISSUED = re.compile(r"日\s*([\u4e00-\u9fa5、\s]{3,60}?)\s*(?:印发|发布|公布|颁布|令第)")
_NOTE_ADOPTED = re.compile(
    r"日\s*(?:第[一二三四五六七八九十]{1,3}届)?([\u4e00-\u9fa5]{3,30}?)(?:第[一二三四五六七八九十百]{1,4}次)?(?:全体)?会议"
    r"(?:审议)?(?:通过|批准|决定)"
)


def _from_note(lines: list[str]) -> list[str] | None:
    """The issuer named in the 题注 under the title; who issued it beats who adopted it."""
    notes = [line for line in lines[:_HEAD_LINES] if _is_note_line(line)]
    for pattern in (_NOTE_ISSUED, _NOTE_ADOPTED):
        for line in notes:
            for m in pattern.finditer(line):
                name = m.group(1).strip()
                name = name.removesuffix("令") if pattern is _NOTE_ISSUED else name
                found = _orgs(name)
                if found:
                    return found
    return None


def _from_head_pair(lines: list[str]) -> list[str] | None:
    """An issuer line directly above a date line near the top: a 经验材料's
    "中共青峪县委组织部" / "二〇二六年二月二十日", an 汇编's "…组织二处编" / date,
    a web byline "江北省纪委监委网站 二〇二六年二月十日"."""
    head = lines[:8]
    for i, line in enumerate(head):
        if not _is_date_line(line):
            continue
        found = _date_match(line)
        assert found is not None
        before = line[: found[0]].strip()
        candidates = [before] if before else []
        if i > 0:
            candidates.append(head[i - 1])
        for cand in candidates:
            cand = re.sub(r"(?:网站|网|编|编印|印发|主办)$", "", cand.lstrip("#").strip())
            orgs = _orgs(cand)
            if orgs:
                return orgs
    return None


# "我代表国务院，向大会报告政府工作" / "我现在代表国务院向本次大会作…报告" / "我受十二届中央委员会
# 委托，向大会作报告": the body the speaker reports for, only when it reports to a congress.
_DELEGATE = re.compile(
    r"我(?:现在)?(?:代表|受)([\u4e00-\u9fa5]{3,30}?)(?:委托)?\s*[，,]?\s*"
    r"(?:向(?:党的)?(?:大会|全会|本次大会|第[^，。]{1,30}(?:会议|大会))|作[^，。]{0,20}报告)"
)


def _from_delegation(lines: list[str]) -> list[str] | None:
    """A report's own words: "现在，我代表国务院，向大会报告政府工作" → 国务院;
    "我代表第十七届中央委员会向大会作报告" → 中国共产党第十七届中央委员会."""
    for line in lines[:8]:
        m = _DELEGATE.search(line[:200])
        if m:
            name = m.group(1)
            m2 = re.fullmatch(r"(?:中国共产党)?第?([一二三四五六七八九十]{1,3}届)?中央委员会", name)
            if m2:  # the party's Central Committee, by its full name
                name = "中国共产党" + (f"第{m2.group(1)}" if m2.group(1) else "") + "中央委员会"
            if is_org(name):
                return [name]
    return None


_POSITION = re.compile(r"(部长|厅长|局长|主任|书记|省长|市长|县长|区长|主席|署长|院长)$")
_LEVEL = re.compile(r"^(省委|市委|县委|区委|中共中央|中央|省|市|县|区)")


def _from_byline(lines: list[str]) -> list[str] | None:
    """A speech's byline under its title: "省委常委、组织部部长" → 省委组织部,
    "北京市市长 殷勇" → 北京市人民政府. The speaker's office is the issuing body."""
    for i, line in enumerate(lines[1:6], start=1):
        if line.startswith(("同志们", "各位")) or re.search(r"[。：:！]", line):
            return None  # the speech itself has begun
        if len(line) > 30 or not re.search(r"讲话|报告|致辞|发言|——", "".join(lines[: i + 1])):
            continue
        words = line.replace("、", " ").split()
        positions = [w for w in words if _POSITION.search(w)]
        if not positions:
            continue
        post = positions[-1]
        office = _POSITION.sub("", post)
        title = _POSITION.search(post).group(1)  # type: ignore[union-attr]
        if title in ("省长", "市长", "县长", "区长"):
            office = office + title[0] + "人民政府" if office else title[0] + "人民政府"
        elif not office or office.endswith(("副",)):
            continue
        if not _LEVEL.match(office):
            level = _LEVEL.match(words[0]) if words[0] != post else None
            if level is None:
                continue
            office = level.group(1) + office
        if is_org(office):
            return [office]
    return None


_SOURCE_LINE = re.compile(r"(?:^|\s)来源[:：]\s*([\u4e00-\u9fa5]{3,30})")


def _from_source(lines: list[str]) -> list[str] | None:
    """A news page's "来源：工业和信息化部" — only when the source is an agency, not a paper or
    a website ("来源：北京日报", "来源：江北组工网" name no issuer)."""
    for line in lines[:6] + lines[-3:]:
        m = _SOURCE_LINE.search(line)
        if m:
            name = re.sub(r"(?:网站|官网|门户网站)$", "", m.group(1))
            if is_org(name) and not name.endswith(("社", "台")):
                return [name]
    return None


_ANNOUNCE = re.compile(
    r"^([\u4e00-\u9fa5]{3,30}?)(?:日前|近日|近期|今天|今日|\s)*(?:对[^，。；]{2,80}?进行(?:了)?(?:公开)?通报|(?:公开)?通报)"
)


def _from_announcement(lines: list[str]) -> list[str] | None:
    """A 通报 that names its issuer in the opening sentence: "…，江北省纪委监委对近期查处的
    5起…问题进行公开通报" / "省纪委监委日前通报…"."""
    for line in lines[:4]:
        for clause in re.split(r"[，。；]", line[:300]):
            m = _ANNOUNCE.match(clause.strip())
            if m and is_org(m.group(1)):
                return [m.group(1)]
    return None


def _qualify(org: str, context: str) -> str:
    """"省政府" in a report titled "2026年贵州省政府工作报告" → 贵州省人民政府: a relative name
    gets the province the title or file name names, when it names exactly one; and a
    government gets its formal name (省政府 → 省人民政府), the one other documents use."""
    org = re.sub(r"^(.*(?:省|自治区|市|县|区))政府$", r"\1人民政府", org)
    if org.startswith("中华人民共和国") and is_org(org[7:]):
        org = org[7:]  # 中华人民共和国国务院 → 国务院: the name other documents and users use
    level = next((lv for lv in ("自治区", "省", "市") if org.startswith(lv)), None)
    if level is None:
        return org
    places = set(re.findall(rf"((?:{'|'.join(_REGIONS)})[\u4e00-\u9fa5]{{0,4}}?{level})", context))
    places = {place for place in places if not re.search(r"[年全本各]", place)}
    if len(places) == 1:
        return places.pop() + org[len(level):]
    return org


def find_issuer(lines: list[str], title: str | None, context: str = "") -> str | None:
    """发文机关, from the places a 公文 or a report names it, most reliable first:
    落款 → 发文机关标志 (…文件) → title prefix → 题注 → a name/date pair at the top →
    "我代表…向大会" → a speech byline → a 来源 line → a 通报's opening. `context` (title and
    file name) qualifies relative names ("省人民政府")."""
    found = _from_signature(lines)
    if not found:
        for line in lines[:3]:
            m = _RED_HEADER.match(line.lstrip("#").strip())
            if m:
                found = _orgs(m.group(1))
                if found:
                    break
    if not found and title:
        m = _TITLE_PREFIX.match(title)
        if m:
            # "第十一届全国人民代表大会第一次会议关于…的决议": the body, not its session.
            name = re.sub(r"^第[一二三四五六七八九十]{1,3}届", "", m.group(1))
            found = _orgs(re.sub(r"第[一二三四五六七八九十]{1,4}次(?:全体)?会议$", "", name))
    sources = [_from_note, _from_head_pair, _from_delegation, _from_byline, _from_source]
    if title and "通报" in title:
        # Only a 通报 itself: a news story that says "…卫健委通报" is not that body's document.
        sources.append(_from_announcement)
    for source in sources:
        if found:
            break
        found = source(lines)
    if not found:
        return None
    names = list(dict.fromkeys(_qualify(name, context) for name in found))
    return "、".join(names)


_REGIONS = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西",
    "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)


def _region(*texts: str | None) -> str | None:
    for text in texts:
        if not text:
            continue
        hits = [(text.find(r), r) for r in _REGIONS if r in text]
        if hits:
            return min(hits)[1]
    return None


# --------------------------------------------------------------------------- entry


def extract_metadata(text: str, filename: str | Path) -> DocMeta:
    """Title, 发文字号, issuer, date, doc type and region parsed from a cleaned text, plus in
    `extra`: effective_date (施行日期) when the text states one, and title_source when the
    text states no title and the file name's stands in."""
    from policykb.ingest import metadata_fields as mf

    lines = mf.unescape_lines([line.strip() for line in text.split("\n") if line.strip()])
    fields = mf.field_lines(lines)
    extra: dict[str, str] = {}
    speech_title, speech_date = mf.speech_head(lines, parse_date)
    raw_title = speech_title or find_title(lines)
    if raw_title is None and (occasion := mf.speech_occasion(lines)):
        raw_title = occasion
        extra["title_source"] = "开篇"  # the occasion its first sentence names (not a title line)
    if raw_title is None:
        raw_title = title_from_filename(str(filename))
        extra["title_source"] = "文件名"
    title, title_issuer = mf.clean_title(raw_title)
    doc_type = _type_of(title)
    if doc_type is None and "title_source" not in extra:  # a file name's words state nothing
        doc_type = _type_in_title(title)
    doc_type = doc_type or _type_from_content(lines) or mf.self_named_type(text)

    order_no, order_issuer = mf.order_number(lines, _all_dates)
    doc_no = (normalise_doc_no(fields["发文字号"]) if "发文字号" in fields else None) or find_doc_no(lines) or order_no

    context = f"{title} {Path(str(filename)).stem}"
    issuer = None
    if "发布部门" in fields and (named := _orgs(fields["发布部门"])):
        issuer = "、".join(named)
    elif title_issuer and (named := _orgs(title_issuer)):
        issuer = "、".join(named)
    lead_issuers, lead_date = mf.lead_event(lines, _orgs, parse_date)
    issuer = issuer or find_issuer(lines, raw_title, context)
    if issuer is None and (named := mf.orgs_under_doc_no(lines, lambda ln: bool(_DOCNO_AT_LINE_START.match(ln)), _orgs)):
        issuer = "、".join(named)
    if issuer is None and (m := re.match(r"^\d{4}年(.{2,20}?)政府工作报告$", title)):
        issuer = _qualify(m.group(1), context) if is_org(m.group(1)) else None  # 1985年…国务院政府工作报告
    if issuer is None and "政府工作报告" in title and (congress := _CONGRESS.search("".join(lines[:20]))):
        # 「——2026年1月28日在云南省第十四届人民代表大会第四次会议上」: a government reports to
        # its own people's congress (a web copy's title is often the bare 「政府工作报告」).
        issuer = f"{congress.group(1)}人民政府"
    if issuer is None and lead_issuers:
        issuer = "、".join(lead_issuers)
    if issuer is None and order_issuer and (named := _orgs(order_issuer.replace("中华人民共和国", ""))):
        issuer = "、".join(named)

    effective = (parse_date(fields["实施日期"]) if "实施日期" in fields else None) or mf.effective_date(
        lines, parse_date, doc_type)
    date = (
        (parse_date(fields["发布日期"]) if "发布日期" in fields else None) or (speech_title and speech_date)
        or (speech_date if _SPOKEN_NOTE.search("".join(lines[-4:])) else None)
        or mf.filename_date(str(filename)) or find_date(lines) or lead_date or mf.note_date(lines) or speech_date or date_from_title(title)
    )
    if doc_type in (None, "讲话") and (speaker := mf.speech_speaker(lines)):
        extra["speaker"] = speaker
    if effective:
        # Kept apart: the day a rule takes effect is not the day it was made, and a date
        # filter or a quarter's 汇编 selects by the latter.
        extra["effective_date"] = effective
    return DocMeta(
        title=title,
        doc_no=doc_no,
        issuer=issuer,
        date=date,
        doc_type=doc_type,
        region=_region(issuer, title),
        extra=extra,
    )


_CONGRESS = re.compile(r"在([\u4e00-\u9fff]{2,12}?(?:省|自治区|市|自治州|州|盟|县|区|旗))第[一二三四五六七八九十]+届"
                       r"人民代表大会")

# "※这是习近平总书记2020年6月29日在…的讲话": the day the speech was given, stated by the text.
_SPOKEN_NOTE = re.compile(r"这是[\u4e00-\u9fa5]{2,12}?\d{4}\s*年[^。]{2,12}日在")


def _type_from_content(lines: list[str]) -> str | None:
    head = "".join(lines[:3])[:300]
    tail = "".join(lines[-3:])[-200:]
    if re.search(r"我(?:现在)?代表[^。]{2,30}?向[^。]{0,30}?(?:作|提出)[^。]{0,20}?报告", head):
        return "报告"  # "我代表第十四届中央委员会向大会作报告": a report, though it opens "同志们"
    if re.search(r"※\s*这是[^。]{4,60}?的(讲话|致辞)", tail):
        return "讲话"
    if head.startswith(("同志们", "各位同志")):
        return "讲话"
    if "特此通知" in tail or re.search(r"(现将|现就).{0,40}通知如下", head):
        return "通知"
    if re.search(r"提出(以下|如下)意见", head):
        return "意见"
    if head.startswith("各位代表"):
        return "报告"
    return None


# --------------------------------------------------------------------------- sidecar

META_FIELDS = ("title", "doc_no", "issuer", "date", "doc_type", "region")


def sidecar_paths(path: str | Path) -> list[Path]:
    """report.pdf.meta.json, then report.meta.json (the first one wins on conflicts)."""
    path = Path(path)
    return [path.with_name(path.name + ".meta.json"), path.with_name(path.stem + ".meta.json")]


def load_sidecar(path: str | Path) -> dict[str, Any]:
    """Fields from ``FILE.meta.json`` (or ``STEM.meta.json``) next to `path`; {} if none."""
    merged: dict[str, Any] = {}
    for sidecar in reversed(sidecar_paths(path)):
        try:
            if not sidecar.is_file():
                continue
        except OSError:  # a name at the length limit has no room for ".meta.json"
            continue
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise IngestError(
                sidecar, f"元数据文件不是有效的 JSON（{exc}），请修正或删除该文件", code="bad_sidecar"
            ) from None
        if not isinstance(data, dict):
            raise IngestError(sidecar, "元数据文件应为 JSON 对象（{\"title\": …}），请修正或删除该文件", code="bad_sidecar")
        merged.update(data)
    return merged


def apply_overrides(meta: DocMeta, overrides: dict[str, Any]) -> DocMeta:
    """Sidecar/API fields replace parsed ones; unknown fields land in `extra`."""
    values = {name: getattr(meta, name) for name in META_FIELDS}
    extra = dict(meta.extra)
    for key, value in overrides.items():
        if value is None:
            continue
        if key in META_FIELDS:
            value = str(value).strip()
            if key == "date":
                value = parse_date(value) or _partial_date(value) or value
            elif key == "doc_no":
                value = normalise_doc_no(value)
            values[key] = value
        elif key == "extra" and isinstance(value, dict):
            extra.update({str(k): str(v) for k, v in value.items()})
        else:
            extra[str(key)] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return DocMeta(**values, extra=extra)


def normalise_date(value: str) -> str | None:
    """A date as typed by a person (2026-01-24, 2026年1月24日, 2026.1.24, 2026-01, 2026) in
    ISO form; None if it is not a date."""
    return parse_date(value) or _partial_date(value)


def _partial_date(value: str) -> str | None:
    m = re.fullmatch(r"\s*(\d{4})(?:\s*[-年./]\s*(\d{1,2})\s*月?)?\s*", value)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        return None
    return f"{m.group(1)}-{int(m.group(2)):02d}" if m.group(2) else m.group(1)
