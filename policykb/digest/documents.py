"""What a reader needs to find a digest's document and passage: a title that is the
document's (not a photo caption or a heading inside it), the region it speaks for, and
where a passage is — section path and paragraph number (page for PDFs). Pure functions."""
from __future__ import annotations

import re
from collections.abc import Sequence

from policykb.ingest.metadata import title_from_filename

# A parsed "title" that is not one: newspaper furniture, a caption, a heading from inside.
_NOT_A_TITLE = re.compile(
    r"摄|记者|来源[：:]|责任编辑|[。！？]|^(?:应用|案例|场景|专栏|附件|附表|表|图)[一二三四五六七八九十\d]+[：:、]|"
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、])"
)
_BARE = re.compile(r"^(?:\d{4}年)?(?:政府工作报告|工作报告|讲话|通知|意见|报告)$")


def display_title(title: str | None, filename: str) -> str:
    """The title to print: the parsed one unless it is a caption / inner heading / a bare
    kind word ("政府工作报告") that the file name says more precisely."""
    from_name = title_from_filename(filename)
    t = (title or "").strip()
    if not t or _NOT_A_TITLE.search(t):
        return from_name
    if _BARE.match(t) and t in from_name and len(from_name) > len(t):
        return from_name
    return t


PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
    "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
_PROVINCE = re.compile("|".join(PROVINCES))


def region_of(*texts: str | None) -> str | None:
    """The first province-level region named in the given texts (title, issuer, opening)."""
    for text in texts:
        if text:
            m = _PROVINCE.search(text)
            if m:
                return m.group(0)
    if any(t and ("国务院" in t or "全国人民代表大会" in t or "中华人民共和国" in t) for t in texts):
        return "全国"
    return None


_NUMBERING_ONLY = re.compile(r"[\s\u3000#（()）一二三四五六七八九十百零〇\d、.．第章节条，,]*")


def _heading_key(heading: str) -> str:
    return heading.rstrip("…").strip()[:12]


def paragraph_number(doc_text: str, offset: int, section_path: Sequence[str]) -> int | None:
    """Which paragraph (non-empty line) of its innermost section the text at `offset` is in,
    counting from 1 after the heading; None for a heading itself. Without a section, counted
    from the start of the document."""
    start = 0
    if section_path:
        key = _heading_key(section_path[-1])
        found = doc_text.rfind(key, 0, offset + len(key))
        if found >= 0:
            line_start = doc_text.rfind("\n", 0, found) + 1
            line_end = doc_text.find("\n", found)
            line_end = len(doc_text) if line_end < 0 else line_end
            if line_start <= offset < line_end:
                # The heading (or its lead sentence) itself; a later sentence of a numbered
                # paragraph ("四、严禁…。严禁在…") is in the section's first paragraph.
                return None if _NUMBERING_ONLY.fullmatch(doc_text[found:offset]) else 1
            start = line_end + 1
    n = sum(1 for line in doc_text[start:offset].split("\n")[:-1] if line.strip()) + 1
    return n


def locator(section_path: Sequence[str], paragraph: int | None, page: int | None) -> str:
    """「三、2026年重点工作 › （二）增强内需主导能力… · 第3段 · 第12页」."""
    parts = [" › ".join(section_path) if section_path else "正文"]
    if paragraph:
        parts.append(f"第{paragraph}段")
    if page:
        parts.append(f"第{page}页")
    return " · ".join(parts)
