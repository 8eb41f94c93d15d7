"""Which documents a quarter's digest covers: those dated inside the quarter, and, listed
apart, those whose date cannot place them in any quarter (no date, or a year only)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.filters import parse_date_bound
from policykb.registry import DocumentFilter, Registry, StoredDocument, date_to_int

CN_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_FORMS = (
    re.compile(r"^(\d{4})\s*[-_ ]?\s*[Qq]\s*([1-4])$"),
    re.compile(r"^(\d{4})\s*年?\s*第?\s*([一二三四1-4])\s*季度?$"),
)


class QuarterError(ValueError):
    """A quarter the user typed that we cannot read; the message is Chinese."""


@dataclass(frozen=True)
class Quarter:
    year: int
    q: int

    @classmethod
    def parse(cls, value: str) -> "Quarter":
        """'2026Q1', '2026-q1', '2026年第一季度', '2026年1季度' → Quarter(2026, 1)."""
        text = (value or "").strip()
        for form in _FORMS:
            m = form.match(text)
            if m:
                return cls(int(m.group(1)), CN_QUARTERS[m.group(2)])
        raise QuarterError(f"季度格式无法识别：{value}（示例：2026Q1 或 2026年第一季度）")

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def label(self) -> str:
        return f"{self.year}年第{'一二三四'[self.q - 1]}季度"

    @property
    def first_day(self) -> int:
        return parse_date_bound(self.code, end=False)

    @property
    def last_day(self) -> int:
        return parse_date_bound(self.code, end=True)

    def span(self) -> tuple[str, str]:
        """First and last day as ISO dates."""
        return tuple(f"{d // 10000:04d}-{d // 100 % 100:02d}-{d % 100:02d}" for d in (self.first_day, self.last_day))  # type: ignore[return-value]


@dataclass(frozen=True)
class Undated:
    doc: StoredDocument
    reason: str


@dataclass(frozen=True)
class Selection:
    quarter: Quarter
    documents: list[StoredDocument]  # dated inside the quarter, oldest first
    undated: list[Undated]  # cannot be placed in a quarter


def _month_known(date: str) -> bool:
    return len(date.split("-")) >= 2


def select_documents(registry: Registry, quarter: Quarter, *, issuer: str | None = None,
                     doc_type: str | None = None) -> Selection:
    """Active documents (a superseded one has its replacement) matching issuer/doc_type.

    A document dated with a month inside the quarter is in; one with no date, or with
    only the quarter's year, is listed apart so the editor can decide. Documents dated
    in other periods are out."""
    flt = DocumentFilter(issuer=issuer or None, doc_type=doc_type or None)
    docs, _ = registry.list_documents(flt, sort="date_asc", limit=1_000_000)
    inside: list[StoredDocument] = []
    undated: list[Undated] = []
    for doc in docs:
        if not doc.date:
            undated.append(Undated(doc, "未识别到成文日期"))
            continue
        if not _month_known(doc.date):
            if doc.date[:4] == str(quarter.year):
                undated.append(Undated(doc, f"日期仅有年份（{doc.date}），无法确定季度"))
            continue
        value = date_to_int(doc.date)
        if value is not None and quarter.first_day <= value <= quarter.last_day:
            inside.append(doc)
    undated.sort(key=lambda u: (u.doc.title or u.doc.filename))
    return Selection(quarter, inside, undated)
