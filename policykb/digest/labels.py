"""How the exports write numbers, dates and citation locators (shared by .docx and .md)."""
from __future__ import annotations

import re
from typing import Any

from policykb.text import cn_numeral


def cn_date(iso: str | None) -> str:
    """'2026-01-15' → 2026年1月15日; '2026-03' → 2026年3月; None → 未注明."""
    if not iso:
        return "未注明"
    parts = iso.split("-")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        return iso
    return "".join(f"{v}{unit}" for v, unit in zip(nums, ("年", "月", "日")))


def topic_heading(index: int, name: str) -> str:
    return f"{cn_numeral(index)}、{name}"


def entry_heading(index: int, title: str | None, filename: str) -> str:
    return f"（{cn_numeral(index)}）{title or filename}"


def meta_fields(entry: Any) -> list[tuple[str, str]]:
    """(label, value) for the line under a document's heading; empty fields are left out."""
    out = []
    if entry.doc_no:
        out.append(("发文字号", entry.doc_no))
    if entry.issuer:
        out.append(("发文机关", entry.issuer))
    out.append(("成文日期", cn_date(entry.date)))
    return out


def flat(text: str) -> str:
    """One line: a break inside Chinese text (a web page's layout) disappears, any other
    run of whitespace becomes one space."""
    text = re.sub(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])", "", text)
    return " ".join(text.split())


def point_text(kp: Any) -> str:
    """The point as printed: a task heading is followed by the first sentence of its section
    ("增强内需主导能力，巩固…势头：坚持惠民生和促消费…"), both verbatim from the cited passage."""
    text = flat(kp.text) + ("……" if kp.truncated else "")
    detail = flat(getattr(kp, "detail", "") or "")
    if not detail:
        return text
    return text + detail if re.search(r"[。！？；：]$", text) else f"{text}：{detail}"


def overview_lines(topic: Any) -> list[tuple[str, str]]:
    """(label, paragraph) of a group's head: the LLM's checked 导读 when there is one, then the
    extractive 综述 (its sentences with their citation markers, in one paragraph)."""
    from policykb.digest.overview import OverviewSentence, sentence_text

    overview = topic.overview or {}
    out = []
    if overview.get("guide"):
        out.append(("导读", flat(overview["guide"])))
    sentences = overview.get("sentences") or []
    if sentences:
        out.append(("综述", "；".join(sentence_text(OverviewSentence(s["text"], list(s["refs"]))) for s in sentences) + "。"))
    return out


def overview_table(topic: Any) -> dict[str, Any] | None:
    return (topic.overview or {}).get("table")


def cell_text(cell: dict[str, Any]) -> str:
    return cell["text"] + (f"[{cell['n']}]" if cell.get("n") else "")


def document_label(citation: dict[str, Any]) -> str:
    meta = citation.get("metadata") or {}
    label = f"《{citation.get('title') or '无标题'}》"
    extras = [v for v in (meta.get("doc_no"), meta.get("issuer")) if v]
    return label + (f"（{'，'.join(extras)}）" if extras else "")


def passage_label(citation: dict[str, Any]) -> str:
    """Where a reader finds the passage in the printed or original document: section path,
    paragraph, page (PDFs); never character offsets (those stay in the JSON)."""
    if citation.get("locator"):
        return str(citation["locator"])
    from policykb.digest.documents import locator

    return locator(citation.get("section_path") or (), citation.get("paragraph"), citation.get("page"))


def citation_groups(citations: list[dict[str, Any]]) -> list[tuple[str, list[tuple[int, str]]]]:
    """The source list: per document (in order of first citation), its cited passages."""
    groups: dict[str, tuple[str, list[tuple[int, str]]]] = {}
    for c in citations:
        head, items = groups.setdefault(c["doc_id"], (document_label(c), []))
        items.append((c["n"], passage_label(c)))
    return list(groups.values())
