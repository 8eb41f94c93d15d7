"""Statements of substance in one document: pure functions, no I/O, shared by the quarterly
汇编 (key points per document) and the thematic 论述摘编 (excerpts per theme).

A statement is one whole sentence (or a numbered heading line), a verbatim slice of one
chunk's text, with what it is and where it sits:

    kind         target       a goal with its figures (主要预期目标：地区生产总值增长5%左右…)
                 task         a numbered heading of a work section (（二）增强内需主导能力…)
                 requirement  a hard rule or obligation (必须 / 不得 / 严禁 / 应当 / 要 …)
                 measure      a new measure (首次 / 新增 / 出台 / 设立 …, usually with a figure)
                 position     any other statement that states what is to be done
    role         the part of the document it sits in, from its top-level heading:
                 review (工作回顾, 成就), goals (目标, 总体要求), tasks (重点工作, 工作安排),
                 self (政府自身建设), preamble (before the first heading), body

Never statements: openers and closings (各位代表, 同志们, 请予审议, 谢谢), narration of the
past year (过去一年…, sentences of a review section) unless the document is itself a review,
and generic sentences made of phrases any document could contain (`is_generic`).

Public interface (stable; the excerpts package builds on it):

    document_statements(chunks, title) -> list[Statement]       every statement, in order
    select_key_points(statements, ...) -> list[Statement]       the few an editor would pick
    score_sentence(sentence, *, role, heading, ...) -> (kind, score)
    is_generic(sentence) -> bool;  is_opener(sentence) -> bool;  section_role(heading) -> str
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from policykb.text import sentence_pattern


class ChunkLike(Protocol):
    text: str
    section_path: Sequence[str]


# A key point is a whole sentence; one longer than this is not a "point" but a paragraph,
# except a target sentence, which an editor quotes whole however long it is.
MAX_STATEMENT_CHARS = 260
MIN_STATEMENT_CHARS = 8
MIN_HEADING_CHARS = 6  # "妥善安置司勤人员", "应用赋能拓展行动"; not labels such as "方式和学时"
MIN_LEAD_CHARS = 10  # a numbered paragraph's lead-in shorter than this is a label ("党的创新理论。")

# --------------------------------------------------------------------------- sections

ROLES = ("review", "goals", "tasks", "support", "self", "sanctions", "preamble", "body")
_ROLE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Penalties and closing provisions: a law's substance is its rules, not its fines.
    ("sanctions", re.compile(r"法律责任|罚则|附则")),
    # How the document will be carried out (组织实施, 保障措施): its own machinery, not its substance.
    ("support", re.compile(r"组织实施|保障措施|组织保障|实施保障|工作要求|组织领导")),
    ("self", re.compile(r"政府自身建设|自身建设|政府治理效能|法治政府|转作风")),
    # "2025年和‘十四五’时期工作回顾" is a review even though it names a plan period.
    ("review", re.compile(r"回顾|总结|成就|过去|情况报告|取得的?成[绩效]|工作情况|一年接着一年干")),
    # A plan period's goals and tasks ("二、‘十五五’时期的主要目标和重点任务") are not the
    # year's work, which a report states in its own section.
    ("goals", re.compile(r"十五五|十四五|五年|规划|远景|中长期")),
    ("tasks", re.compile(r"重点工作|工作安排|主要工作|主要任务|重点任务|工作任务|\d{4}年的?工作|工作部署|重点抓好|"
                         r"重点工作任务|任务举措|主要举措|保障措施|七项重点")),
    ("goals", re.compile(r"目标|总体要求|指导思想|主要考虑|基本原则|发展思路|蓝图")),
)


def section_role(heading: str | None) -> str:
    """The role of a top-level section from its heading ('' / None → preamble)."""
    if not heading:
        return "preamble"
    for role, pattern in _ROLE_RULES:
        if pattern.search(heading):
            return role
    return "body"


_REVIEW_TITLE = re.compile(r"总结|回顾|情况的报告|工作情况|执行情况")


def is_review_document(title: str | None) -> bool:
    """A document whose subject is the past (年度工作总结): its review is its substance."""
    return bool(title and _REVIEW_TITLE.search(title))


# --------------------------------------------------------------------------- sentences

_OPENER = re.compile(
    r"^(?:各位代表|各位委员|同志们|女士们|先生们|朋友们|尊敬的|亲爱的)|请予审议|提出意见|向大会报告|"
    r"谢谢|表示衷心的?感谢|致以崇高的?敬意|致以诚挚的?问候|新年好|大家好|^现在，我代表|"
    r"^(?:来源|编辑|责任编辑|记者|作者|发布时间|字体)[：:]|摄$|^【"
)
# Narration of the past: what was done, not what is to be done.
_PAST = re.compile(
    r"^(?:过去一年|过去五年|这一年|这五年|一年来|五年来|\d{4}年[，,]|“十四五”(?:时期|以来)|回顾过去|"
    r"去年|刚刚过去|一年来|新时代以来|实践(?:充分)?证明|我们深刻体会到|我们深切体会到)"
)
_PAST_VERBS = re.compile(r"(?:取得|实现|完成|达到|突破|增长|提高|下降|获批|建成|开通|投用|荣获|连续)了?")
_FUTURE = re.compile(r"要|将|力争|确保|推动|推进|加快|实施|着力|目标|预期|计划|拟|必须|不得|严禁|应当")

# Phrases that any report or speech can contain: a sentence made mostly of these (or of
# nothing else) says nothing an editor would print as a point.
_STOCK = (
    "以习近平新时代中国特色社会主义思想为指导", "习近平新时代中国特色社会主义思想", "以习近平同志为核心的党中央",
    "习近平总书记", "重要讲话", "重要指示", "重要论述", "批示精神", "精神", "党的二十大", "二十届历次全会", "历次全会",
    "全面贯彻", "深入贯彻", "认真贯彻", "贯彻落实", "坚强领导", "党中央", "国务院", "省委", "市委", "区委",
    "中国式现代化", "高质量发展", "新发展理念", "新发展格局", "稳中求进", "工作总基调", "战略定力", "必胜信心",
    "坚定信心", "凝心聚力", "团结带领", "团结奋斗", "砥砺奋进", "奋勇争先", "奋力谱写", "新篇章", "新局面",
    "新征程", "新时代", "新的更大", "更大贡献", "开局之年", "起步之年", "十五五", "十四五", "良好开局",
    "各族人民", "全省", "全市", "全区", "人民群众", "两个确立", "两个维护", "四个意识", "四个自信",
    "统筹发展和安全", "统筹", "更好", "不断", "进一步", "坚持", "推动", "推进", "加快", "全面", "深入", "扎实",
    "努力", "持续", "着力", "奋力", "坚定", "坚决", "切实", "大力", "我们", "要", "将", "的", "和", "是", "在", "把",
    "为", "以", "上", "中", "下", "了", "与", "及", "、", "，", "。", "；", "“", "”", "！",
)
_STOCK_RE = re.compile("|".join(sorted((re.escape(s) for s in _STOCK), key=len, reverse=True)))
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个百分点|万|亿|千|百|公里|人|户|所|家|项|个|元|吨|亩|倍|天|小时)|"
                     r"[一二三四五六七八九十百千]+(?:万|亿)")


def is_opener(sentence: str) -> bool:
    """Addresses, thanks, report formulas, photo captions and newspaper furniture."""
    return bool(_OPENER.search(sentence.strip()))


def is_past_narration(sentence: str) -> bool:
    s = sentence.strip()
    if _PAST.match(s):
        return True
    return bool(_PAST_VERBS.search(s) and re.search(r"\d{4}年|去年|过去|五年来|一年来", s) and not _FUTURE.search(s))


def stock_share(sentence: str) -> float:
    """Share of the sentence's characters that belong to stock phrases (0..1)."""
    s = re.sub(r"\s", "", sentence)
    if not s:
        return 1.0
    covered = sum(len(m.group(0)) for m in _STOCK_RE.finditer(s))
    return covered / len(s)


def is_generic(sentence: str) -> bool:
    """A sentence that could stand in any document: no figure, and mostly stock phrases
    (≥ 60% of its characters) or fewer than 10 characters left besides them
    ("我们要保持战略定力，增强必胜信心" leaves 保持增强)."""
    s = re.sub(r"\s", "", sentence)
    if _FIGURE.search(s):
        return False
    rest = _STOCK_RE.sub("", s)
    return stock_share(s) >= 0.6 or len(rest) < 10


# --------------------------------------------------------------------------- scoring

# Requirement markers and their weight: prohibitions and obligations weigh most.
MARKERS: tuple[tuple[str, float], ...] = (
    ("严禁", 3.0), ("不得", 3.0), ("禁止", 3.0), ("一律", 2.5), ("必须", 2.5), ("不准", 2.5),
    ("应当", 2.0), ("务必", 2.0), ("严格", 1.5), ("建立", 1.5), ("完善", 1.5), ("健全", 1.5),
    ("加强", 1.0), ("落实", 1.0), ("坚持", 1.0), ("确保", 1.0), ("推进", 1.0), ("实行", 1.0),
    ("规范", 1.0), ("强化", 1.0), ("予以", 1.0), ("给予", 1.0), ("负责", 0.5),
)
HARD_MARKERS = ("严禁", "不得", "禁止", "一律", "必须", "不准", "务必")
NEW_MARKERS = ("首次", "新增", "新建", "新设", "设立", "出台", "启动", "试点", "推出", "组建", "开通", "上线")
# A new institution (国家建立数据分类分级保护制度) or a proposal (我建议发起…倡议) is a measure.
_INSTITUTION = re.compile(r"(?:建立|实行|实施|推行)(?:健全)?[^，。；]{0,24}(?:制度|机制|清单|体系)|"
                          r"(?:提议|建议|倡议|主张)[，,]?[^，。；]{0,6}(?:召开|发起|建立|设立|举办|制定)")
# 要 as a modal verb ("各级党组织要…"), not inside 重要/主要/需要/要求/要点 …
_YAO = re.compile(r"(?<![重主需纲摘提概只扼首必紧])要(?![求点素件闻害地职情])")
_XU = re.compile(r"(?<!必)须(?!知)")
_QUOTED_TITLE = re.compile(r"《[^《》]{0,80}》")
_TARGET = re.compile(r"预期目标|主要目标|目标[是为：:]|发展目标|力争|到20\d\d年|到本世纪|控制在|以上|左右|以内")
_SANCTION = re.compile(r"罚款|没收|吊销|责令改正|依法追究|给予.{0,6}处分")
_MAIN_TARGET = re.compile(r"主要预期目标|预期目标[是为：:]|主要目标[是为：:]")
# The headline figure of a year's targets, when the sentence naming them was broken by the
# page's layout ("…今年经济社会发展的\n主要预期目标\n是：地区生产总值增长4.5%—5%…").
_GROWTH_TARGET = re.compile(r"(?<!年均)(?:生产总值|经济)(?:按)?增长\s*\d+(?:\.\d+)?\s*[%％]"
                            r"(?:\s*[—\-–]\s*\d+(?:\.\d+)?\s*[%％])?\s*(?:左右|以上)")


def requirement_score(sentence: str) -> float:
    """Weighted requirement markers; words inside a quoted title (《关于严禁…的通知》) don't count."""
    sentence = _QUOTED_TITLE.sub("", sentence)
    score = sum(w * min(sentence.count(m), 2) for m, w in MARKERS)
    score += 1.5 * min(len(_YAO.findall(sentence)), 2)
    score += 1.5 * min(len(_XU.findall(sentence)), 2)
    return score


def figures(sentence: str) -> list[str]:
    return [m.group(0) for m in _FIGURE.finditer(sentence)]


def score_sentence(sentence: str, *, role: str = "body", heading: bool = False, review_doc: bool = False,
                   heading_level: int = 0) -> tuple[str, float]:
    """(kind, score) of one sentence; score 0 means never a statement of substance.

    Structure first: a numbered heading of a work section is a task whatever its words; a
    target needs a figure; in a review section only a review document keeps its sentences."""
    s = sentence.strip()
    if is_opener(s):
        return "opener", 0.0
    past = is_past_narration(s)
    in_review = role == "review" and not review_doc
    n_fig = len(figures(s))
    if _MAIN_TARGET.search(s) and n_fig and not in_review:
        return "target", 10.0 + min(n_fig, 6)
    if _GROWTH_TARGET.search(s) and n_fig >= 2 and not in_review and not past and role != "goals":
        return "target", 9.5 + min(n_fig, 6)
    if heading:
        if in_review or (past and not review_doc) or role == "preamble":
            return "heading", 0.0
        base = {"tasks": 6.0, "goals": 3.5, "self": 3.0, "support": 2.5, "body": 4.0}.get(role, 3.0)
        if review_doc and role == "review":
            base = 4.0
        return "task", base - (0.5 * max(heading_level - 2, 0)) + 0.1 * min(n_fig, 3)
    if in_review or (past and not review_doc):
        return "narration", 0.0
    if is_generic(s):
        return "generic", 0.0
    req = requirement_score(s)
    hard = any(m in _QUOTED_TITLE.sub("", s) for m in HARD_MARKERS)
    new = any(m in s for m in NEW_MARKERS)
    if n_fig and _TARGET.search(s) and not _SANCTION.search(s):
        kind, score = "target", 3.5 + min(n_fig, 4) * 0.5 + (1.0 if role in ("goals", "tasks") else 0.0)
    elif hard:
        kind, score = "requirement", 3.5 + req * 0.3
    elif new and (n_fig or role == "tasks"):
        kind, score = "measure", 2.5 + min(n_fig, 3) * 0.5
    elif _INSTITUTION.search(s):
        kind, score = "measure", 4.5 + min(req, 4.0) * 0.1
    elif req >= 1.5:
        kind, score = "position", 1.0 + min(req, 6.0) * 0.25
    else:
        kind, score = "statement", 0.3 + 0.2 * min(n_fig, 3)
    if role == "preamble":
        score *= 0.6
    elif role == "sanctions":
        score *= 0.4
    elif role == "self":
        score *= 0.8
    return kind, round(score, 3)


# --------------------------------------------------------------------------- statements

@dataclass(frozen=True)
class Statement:
    text: str  # == chunks[chunk_index].text[start:end]; whole sentence, numbering stripped
    chunk_index: int
    start: int
    end: int
    kind: str  # target | task | requirement | measure | position | statement
    score: float
    section: tuple[str, ...]  # headings above it (a heading's own path ends with itself)
    role: str
    heading: bool = False  # a numbered heading line
    level: int = 0  # heading level: 1 一、/第X章, 2 （一）, 3 1.; 0 not a heading
    truncated: bool = False  # the sentence goes on in the next chunk (longer than a passage)
    detail_start: int = 0  # a task heading's first sentence of its section, in the same chunk
    detail_end: int = 0  # (detail_start == detail_end: none)

    @property
    def order(self) -> tuple[int, int]:
        return (self.chunk_index, self.start)


# ；does not end a statement: a long one is cut at its semicolons by _spans instead.
_SENTENCE = sentence_pattern(semicolon=False, runs=False, closers="")
_CLAUSE = re.compile(r"[^；;]+[；;]?")
_NUMBER_PREFIX = re.compile(
    r"\s*(?:#+\s*)?(?:第[一二三四五六七八九十百千零〇两0-9]{1,6}[编章节条](?:之[一二三四五六七八九十]+)?\s*"
    r"|[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?![\d%])|[（(]\d{1,2}[）)])\s*"
)
_HEADING_LINE = re.compile(
    r"\s*(?:(?P<l1>[一二三四五六七八九十]{1,3}、)|(?P<l2>[（(][一二三四五六七八九十]{1,3}[）)])|"
    r"(?P<l3>\d{1,2}[.．、](?![\d%]))|(?P<l0>第[一二三四五六七八九十百千零〇两0-9]{1,6}[章节])|"
    r"(?P<l4>第[一二三四五六七八九十]{1,2}[，,]))"
)
# A lead-in that starts with an action is a task however short ("加强大模型研发。").
_ACTION = re.compile(r"(?:加强|推进|推动|实施|建立|健全|完善|提升|提高|强化|严格|创新|加快|深化|优化|促进|开展|落实|"
                     r"做好|抓好|规范|坚持|扩大|培育|打造|构建|发展|保障|妥善|合理|公开|改革|取消|严禁|禁止)")
_CHAPTER = re.compile(r"\s*(?:#+\s*)?第[一二三四五六七八九十百千零〇两0-9]{1,6}[编章节](?![^\s　]{0,2}[，。；])")
_ARTICLE = re.compile(r"\s*第[一二三四五六七八九十百千零〇两0-9]{1,6}条")
_ARTICLE_ANY = re.compile(r"(?:^|\n)\s*第[一二三四五六七八九十百千零〇两0-9]{1,6}条")
# Statements about the document itself, not requirements for the reader.
_BOILERPLATE = re.compile(
    r"印发给你们|请结合实际|认真贯彻执行|遵照执行|贯彻落实$|自.{0,12}(?:起施行|起执行)|负责解释|解释权|"
    r"发布时间|中文名|特作如下|通知如下|规定如下|现就.{0,30}(?:通知|意见)|^第[一二三四五]次为|抄送|印发$|"
    r"有关事项通知|此前.{0,20}不一致的|^附件"
)
_DOC_NAME_END = re.compile(r"(?:通知|规定|办法|意见|条例|决定|准则|细则|方案|要点|通报|决议|》)$")
_PURPOSE = re.compile(r"^(?:为了?|根据|依据|按照).{0,80}(?:制定本|制定如下|特制定|现提出|特作)")
_ENUMERATED_HEAD = re.compile(r"\s*(?:(?:新华社|人民日报)?记者\s*\S{1,8}\s*/?\s*摄\s*)?第[一二三四五六七八九十]{1,2}[，,]")
_ENUMERATED = re.compile(r"^(?:第[一二三四五六七八九十]{1,2}[，,]|[一二三四五六七八九十]{1,2}是|首先|其次|再次|最后)")
# A photo caption glued to the next sentence by a web page's layout.
_CAPTION = re.compile(r"\s*(?:(?:新华社|人民日报|本报|[^\s。，]{0,8}日报[^\s。，]{0,6})?记者\s*[^\s。，/]{1,12}\s*/?\s*摄\s*)+")
_FRAMING = re.compile(r"(?:以下|如下|下列|下面)[一二三四五六七八九十几\d]*(?:个|点|项|条)?(?:方面|几点|要求|工作|措施|任务|内容)?$")
_ANAPHORA = re.compile(r"(?:对)?(?:这些|这个|上述|以上|此类|其)|实现上述|为此|为实现")


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading numbering ("第三条 ", "（一）", "### ") and spaces; trailing spaces."""
    c = _CAPTION.match(text, start, end)
    if c and c.end() < end:
        start = c.end()
    m = _NUMBER_PREFIX.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    while start < end and text[start] in " \t\u3000#":
        start += 1
    while end > start and text[end - 1] in " \t\u3000":
        end -= 1
    return start, end


def start_end(start: int, end: int, text: str) -> slice:
    """The span without trailing spaces (for looking at its last character)."""
    while end > start and text[end - 1] in " \t\u3000":
        end -= 1
    return slice(start, end)


_DEFINITION = re.compile(r"是指|所称|适用本|适用于|负责解释|起施行|起执行|根据《|为了|依照本")


def _heading_level(text: str, pos: int) -> int:
    m = _HEADING_LINE.match(text, pos)
    if not m:
        return 0
    return {"l0": 1, "l1": 1, "l2": 2, "l3": 3, "l4": 2}[m.lastgroup or "l3"]


def _first_sentence_after(text: str, pos: int) -> tuple[int, int]:
    """The first sentence after a heading (on its line, or on the next line when the heading
    is a line of its own), within the chunk: what the work section opens with. (0, 0) when
    the chunk ends first or the next line is another heading."""
    m = re.compile(r"[ \t\u3000]*\n?[ \t\u3000]*").match(text, pos)
    start = m.end() if m else pos
    if start >= len(text) or _HEADING_LINE.match(text, start) or _CHAPTER.match(text, start):
        return 0, 0
    s = _SENTENCE.match(text, start)
    if not s or not re.search(r"[。！？!?]$", s.group(0)) or s.end() - start > MAX_STATEMENT_CHARS:
        return 0, 0
    return start, s.end()


def _spans(text: str) -> list[tuple[int, int]]:
    """Sentences (to 。！？ or the line's end); one too long to be a point is taken clause by
    clause at its semicolons (a law's enumerations), each clause whole."""
    out: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        if out and re.match(r"\s*[是为][：:]", m.group(0)) and not re.search(r"[。！？!?；;]\s*$", text[: m.start()]):
            # "…今年经济社会发展的\n主要预期目标\n是：…": one sentence broken over lines by
            # the page's layout; start it where its first fragment starts.
            first = out.pop()
            while out and text[out[-1][1] : first[0]].strip() == "" and \
                    not re.search(r"[。！？!?]\s*$", text[out[-1][0] : out[-1][1]]):
                first = out.pop()
            out.append((first[0], m.end()))
            continue
        if m.end() - m.start() > MAX_STATEMENT_CHARS and not _MAIN_TARGET.search(m.group(0)):
            out.extend((m.start() + c.start(), m.start() + c.end()) for c in _CLAUSE.finditer(m.group(0)))
        else:
            out.append((m.start(), m.end()))
    return out


def document_statements(chunks: Sequence[ChunkLike], title: str | None = None) -> list[Statement]:
    """Every statement of substance (score > 0) of the document, in document order."""
    review_doc = is_review_document(title)
    title_key = re.sub(r"\s", "", title or "")
    seen: set[str] = set()
    out: list[Statement] = []
    # The section that states the year's main targets is the year's work section, whatever
    # its heading says ("三、一鼓作气勇争先，全力推动‘十五五’开好局").
    work = {c.section_path[0] for c in chunks if c.section_path and "预期目标" in c.text
            and figures(c.text) and section_role(c.section_path[0]) in ("body", "goals")}
    articles = sum(1 for c in chunks for _ in _ARTICLE_ANY.finditer(c.text))
    # A document without headings is all body (a speech), not a preamble.
    flat = not any(c.section_path for c in chunks)
    for ci, chunk in enumerate(chunks):
        text = chunk.text
        path = tuple(chunk.section_path)
        role = "tasks" if path and path[0] in work else section_role(path[0] if path else None)
        if flat:
            role = "body"
        line_starts = {0} | {m.end() for m in re.finditer("\n", text)}
        for raw_start, raw_end in _spans(text):
            if text[raw_start:raw_end].lstrip().startswith("#"):
                continue  # a markdown title line
            at_line = raw_start in line_starts
            line_end = text.find("\n", raw_start)
            line_end = len(text) if line_end < 0 else line_end
            if at_line and _CHAPTER.match(text, raw_start) and raw_end - raw_start <= 40:
                continue  # "第二章 机构和人员": a label of the document's structure, not a point
            level = _heading_level(text, raw_start) if at_line else 0
            # A heading is a numbered line's first sentence when it is short: a line of its own
            # ("（二）增强内需主导能力，巩固…势头"), not a numbered paragraph.
            # ("（二）增强内需主导能力，巩固…势头"), or the short lead sentence of a numbered
            # paragraph ("（一）壮大实体经济，推动高质量发展。持续把…"), not a numbered rule.
            if not level and _ENUMERATED_HEAD.match(text, raw_start) and raw_end - raw_start <= 40:
                level = 2  # "…。第二，抓好用党的科学理论武装全党。" : a speech's own numbered point
            heading = bool(level) and (raw_end - raw_start) <= 60 and not _ARTICLE.match(text, raw_start) \
                and not (articles and level >= 2) and not text[start_end(raw_start, raw_end, text)].endswith(("；", ";"))
            if 0 < articles <= 12 and not heading and _ARTICLE.match(text, raw_start) and raw_end - raw_start <= 48 \
                    and not _DEFINITION.search(text, raw_start, raw_end):
                # A short article is the rule itself ("第一条 坚持公私分明，先公后私，克己奉公。").
                heading, level = True, 2
            start, end = _strip(text, raw_start, raw_end)
            sentence = text[start:end]
            bare = sentence.rstrip("。！？；!?;")
            key = re.sub(r"\s", "", bare)
            # A short heading counts only as a line of its own ("（三）妥善安置司勤人员"); a
            # short lead-in of a numbered paragraph ("（一）党的创新理论。重点学习…") is a label.
            whole_line = raw_end >= line_end - 1
            if heading:
                shortest = MIN_HEADING_CHARS if whole_line or _ACTION.match(sentence) else MIN_LEAD_CHARS
            else:
                shortest = MIN_STATEMENT_CHARS
            if len(key) < shortest or key in seen or (title_key and key == title_key):
                continue
            if _BOILERPLATE.search(bare) or bare.endswith(("：", ":")):
                continue
            if bare == sentence and _DOC_NAME_END.search(bare) and not heading:
                continue  # a document's name on a line of its own, not a requirement
            seen.add(key)
            sec = path
            if heading and role != "preamble" and level == 1 and path:
                sec = path[:1]
            kind, score = score_sentence(sentence, role=role, heading=heading, review_doc=review_doc,
                                         heading_level=level)
            if score <= 0:
                continue
            if kind != "target" and len(key) > MAX_STATEMENT_CHARS:
                continue
            if _PURPOSE.search(bare):
                score *= 0.3
            if _FRAMING.search(bare) and not heading:
                score *= 0.3  # "…重点把握好以下五个方面": announces points, states none
            if _ANAPHORA.match(bare) and not heading:
                score *= 0.5  # "对这些问题，…" needs the sentence before it
            if len(key) < 14 and not heading:
                score *= 0.5
            if _ENUMERATED.match(bare) and kind != "target":
                score += 1.0  # 第一，… / 一是… : the document's own list of points
            # A sentence longer than a passage goes on in the next chunk: say so ("……").
            cut = end >= len(text.rstrip()) and ci < len(chunks) - 1 and not heading \
                and not re.search(r"[。！？!?”」]$", sentence)
            d_start, d_end = _first_sentence_after(text, raw_end) if kind == "task" else (0, 0)
            out.append(Statement(sentence, ci, start, end, kind, round(score, 3), sec, role, heading,
                                 level if heading else 0, cut, d_start, d_end))
    return _prefer_leaf_tasks(out)


def _prefer_leaf_tasks(statements: list[Statement]) -> list[Statement]:
    """A top-level heading whose section has task headings of its own is a container
    ("三、2026年重点工作"): its children are the tasks, it ranks below them."""
    leaves = [s for s in statements if s.kind == "task" and s.level >= 2 and s.score >= 3.5]
    parents = {s.section[:1] for s in leaves}
    containers = [s for s in statements if s.kind == "task" and s.level == 1 and s.section[:1] in parents]
    # A long plan has dozens of sub-tasks: its chapters are what an editor lists first.
    chapters_first = len(leaves) > 20 and len(containers) >= 3
    out = []
    for s in statements:
        if s.kind == "task" and s.level == 1 and s.section[:1] in parents and not chapters_first:
            s = replace(s, score=min(s.score, 3.0))
        elif chapters_first and s.kind == "task" and s.level >= 2:
            s = replace(s, score=s.score - 1.0)
        out.append(s)
    return out


# --------------------------------------------------------------------------- selection

SPREAD_FLOOR = 0.6


def point_budget(statements: Sequence[Statement], min_points: int, max_points: int) -> int:
    """One point per task heading and target, about one per three requirements, within bounds."""
    tasks = sum(1 for s in statements if s.kind == "task" and s.role in ("tasks", "body") and s.score >= 4.0)
    targets = min(2, sum(1 for s in statements if s.kind == "target" and s.score >= 10))
    reqs = sum(1 for s in statements if s.kind in ("requirement", "measure", "position", "target"))
    return max(min_points, min(max_points, max(tasks + targets + -(-reqs // 6), -(-reqs // 3),
                                                len({s.section[:1] for s in statements}))))


def select_key_points(statements: Sequence[Statement], *, min_points: int = 3, max_points: int = 12) -> list[Statement]:
    """The statements an editor would print, in document order:
    1. the main target sentence(s) (主要预期目标, at most two);
    2. the headings of the work sections (the year's main tasks), best first;
    3. hard requirements, new measures and other positions, spread over sections (round by
       round, the best remaining statement of each top-level section).
    """
    if not statements:
        return []
    budget = point_budget(statements, min_points, max_points)
    picked: list[Statement] = []
    targets = sorted((s for s in statements if s.kind == "target" and s.score >= 10), key=lambda s: (-s.score, s.order))
    if not targets:  # a plan or 方案: its best figured targets (到2027年，…达到…)
        targets = sorted((s for s in statements if s.kind == "target" and len(figures(s.text)) >= 2
                          and s.score >= 5.0), key=lambda s: (-s.score, s.order))
    picked.extend(targets[:2])
    tasks = [s for s in statements if s.kind == "task" and s.score >= 4.0]
    if len(tasks) > budget - len(picked):
        # Prefer the headings of the year's work (role tasks) and top levels.
        tasks.sort(key=lambda s: (-s.score, s.order))
    picked.extend(tasks[: max(0, budget - len(picked))])
    chosen = {s.order for s in picked}
    groups: dict[tuple[str, ...], list[Statement]] = {}
    for s in statements:
        if s.order not in chosen and s.kind != "statement":
            groups.setdefault(s.section[:1], []).append(s)
    for items in groups.values():
        items.sort(key=lambda s: (-s.score, s.order))
    # Spread over sections, but not at the price of substance: a section's best statement
    # enters a round only when it is within reach of the best remaining one.
    best = max((items[0].score for items in groups.values()), default=0.0)
    floor = max(1.5, SPREAD_FLOOR * best)
    depth = 0
    while len(picked) < budget and any(len(items) > depth for items in groups.values()):
        layer = [items[depth] for items in groups.values() if len(items) > depth and items[depth].score >= floor]
        if not layer:
            break
        layer.sort(key=lambda s: (-s.score, s.order))
        picked.extend(layer[: budget - len(picked)])
        depth += 1
    if len(picked) < budget:  # the rest of the budget by score, wherever it is
        chosen = {s.order for s in picked}
        rest = sorted((s for items in groups.values() for s in items if s.order not in chosen and s.score >= 1.5),
                      key=lambda s: (-s.score, s.order))
        picked.extend(rest[: budget - len(picked)])
    if len(picked) < min_points:  # too few statements of substance: add the plainest ones
        chosen = {s.order for s in picked}
        rest = sorted((s for s in statements if s.order not in chosen), key=lambda s: (-s.score, s.order))
        picked.extend(rest[: min_points - len(picked)])
    picked.sort(key=lambda s: s.order)
    return picked
