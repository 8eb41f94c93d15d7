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

from ingest.structure import is_heading_line
from ingest.types import DocMeta, IngestError

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
    """The document's own number: one that starts a line in the title block."""
    for line in lines[:_HEAD_LINES]:
        m = _DOCNO_AT_LINE_START.match(line)
        if m:
            return f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
    return None


# --------------------------------------------------------------------------- dates

_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "０": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_Y = "〇○零OＯ０一二三四五六七八九"
_CN_MD = "一二三四五六七八九十〇零"
_DATE_PATTERNS = (
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(rf"([{_CN_Y}]{{4}})\s*年\s*([{_CN_MD}]{{1,3}})\s*月\s*([{_CN_MD}]{{1,3}})\s*日"),
    re.compile(r"(?<![\d.])(\d{4})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{1,2})(?![\d.])"),
)


def _cn_int(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十四 → 24, 三十一 → 31."""
    if all(ch.isdigit() for ch in text):
        return int(text)
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGIT.get(tens, 1) if tens else 1) * 10 + (_CN_DIGIT.get(units, 0) if units else 0)
    return _CN_DIGIT.get(text, 0)


def _to_iso(year: str, month: str, day: str) -> str | None:
    y = int("".join(str(_CN_DIGIT[c]) if c in _CN_DIGIT else c for c in year))
    m, d = _cn_int(month), _cn_int(day)
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


def _is_date_line(line: str) -> bool:
    """A line that is a date, perhaps with a few words: "（2026年1月24日印发）"."""
    if line.endswith(("。", "；")) or is_heading_line(line):
        return False  # a sentence or an article that mentions a date
    found = _date_match(line)
    return bool(found) and len(line) - (found[1] - found[0]) <= 10  # type: ignore[index]


def find_date(lines: list[str]) -> str | None:
    """成文日期: a date line in the signature block, else a date in the title block.

    Dates inside body sentences ("本条例自2018年10月1日起施行") are not the document's date.
    """
    for line in reversed(lines[-_TAIL_LINES:]):
        if _is_date_line(line):
            return parse_date(line)
    for line in lines[:_HEAD_LINES]:
        if is_heading_line(line) or line.endswith(("。", "；")):
            continue  # body sentences cite other dates ("本规定自2018年10月1日起施行。")
        if _is_date_line(line) or line.startswith(("（", "(", "——", "发布", "日期", "时间", "成文")) or (
            len(line) <= 80 and re.search(r"(通过|公布|印发|发布|施行|修订|修正)", line)
        ):
            found = parse_date(line[:120])
            if found:
                return found
    return None


# --------------------------------------------------------------------------- title

_TYPE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("典型案例", "案例"), ("案例", "案例"), ("经验做法", "经验做法"), ("实施细则", "细则"),
    ("细则", "细则"), ("准则", "准则"), ("条例", "条例"), ("规定", "规定"), ("办法", "办法"),
    ("意见", "意见"), ("通知", "通知"), ("通报", "通报"), ("决定", "决定"), ("决议", "决议"),
    ("公告", "公告"), ("通告", "通告"), ("批复", "批复"), ("纪要", "纪要"), ("要点", "要点"),
    ("方案", "方案"), ("规划", "规划"), ("计划", "计划"), ("报告", "报告"), ("讲话", "讲话"),
    ("致辞", "讲话"), ("发言", "讲话"), ("章程", "章程"), ("规则", "规则"), ("指南", "指南"),
    ("解释", "解释"), ("措施", "措施"), ("问答", "问答"), ("函", "函"), ("宪法", "法"), ("法", "法"),
)
_TITLE_TAIL_NOISE = re.compile(r"\s*[（(](?:试行|草案|修订|修正|暂行|征求意见稿|全文|\d{4}年?[^）)]{0,12})[）)]\s*$")
_JUNK = re.compile(r"(您的位置|当前位置|首页|来源[:：]|发布时间|发布日期|字体|浏览|点击|打印|分享|关闭窗口|^[>|]+$)")
_RED_HEADER = re.compile(r"^(.{2,40}?)\s*文件$")
_ORG_SUFFIX = re.compile(
    r"(委员会|委|部|厅|局|办公室|办|政府|院|会|组|署|党组|中心|公司|集团|银行|总局|法院|检察院|大学|学校|政协|人大|机关|小组|处|科|所|站|社|联)$"
)


def _strip_md(line: str) -> str:
    return re.sub(r"^#{1,6}\s*", "", line).strip()


def _title_like(line: str) -> bool:
    if not (4 <= len(line) <= 60) or not re.search(r"[\u4e00-\u9fa5]", line):
        return False
    if re.search(r"[。；，,;]$", line) or line.endswith(("：", ":")):
        return False
    if _JUNK.search(line) or _RED_HEADER.match(line) or _DOCNO_AT_LINE_START.match(line):
        return False
    if parse_date(line) and len(line) <= 20:
        return False
    return not (is_heading_line(line) and not line.startswith("#"))


def _type_of(title: str) -> str | None:
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

_PREFIX_ISSUER = re.compile(r"^(.{2,40}?)(?:关于|印发|转发)")


def _org_like(line: str) -> bool:
    return 2 <= len(line) <= 40 and not re.search(r"[。，；：:！？]", line) and bool(
        all(_ORG_SUFFIX.search(part) for part in line.split())
    )


def find_issuer(lines: list[str], title: str | None) -> str | None:
    tail = lines[-_TAIL_LINES:]
    for i in range(len(tail) - 1, -1, -1):
        if _is_date_line(tail[i]):
            orgs: list[str] = []
            j = i - 1
            while j >= 0 and _org_like(tail[j]) and len(orgs) < 4:
                orgs.insert(0, tail[j])
                j -= 1
            if orgs:
                return "、".join(part for line in orgs for part in line.split())
            break
    if title:
        m = _PREFIX_ISSUER.match(title)
        if m and _ORG_SUFFIX.search(m.group(1).strip()):
            return m.group(1).strip().replace(" ", "、")
    for line in lines[:3]:
        m = _RED_HEADER.match(line)
        if m:
            return m.group(1).strip()
    return None


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
    """Title, 发文字号, issuer, date, doc type and region parsed from a cleaned text."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    title = find_title(lines)
    doc_type = _type_of(title) if title else None
    if title is None:
        title = title_from_filename(str(filename))
        doc_type = _type_of(title)
    if doc_type is None:
        doc_type = _type_in_title(title) or _type_from_content(lines)
    issuer = find_issuer(lines, title)
    return DocMeta(
        title=title,
        doc_no=find_doc_no(lines),
        issuer=issuer,
        date=find_date(lines),
        doc_type=doc_type,
        region=_region(issuer, title),
    )


def _type_from_content(lines: list[str]) -> str | None:
    head = "".join(lines[:3])[:300]
    tail = "".join(lines[-3:])[-200:]
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
        if not sidecar.is_file():
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


def _partial_date(value: str) -> str | None:
    m = re.fullmatch(r"\s*(\d{4})(?:\s*[-年./]\s*(\d{1,2})\s*月?)?\s*", value)
    if not m:
        return None
    return f"{m.group(1)}-{int(m.group(2)):02d}" if m.group(2) else m.group(1)
