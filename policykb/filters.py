"""Search filters as users give them (strings from CLI flags, JSON fields) → registry filter."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Any

from policykb.registry import DocumentFilter


class FilterError(ValueError):
    pass


_DATE = re.compile(r"^(\d{4})(?:[-./年](\d{1,2})(?:[-./月](\d{1,2})日?)?月?)?$")
_QUARTER = re.compile(r"^(\d{4})\s*[Qq]([1-4])$")


def parse_date_bound(value: str, *, end: bool) -> int:
    """'2026' / '2026-03' / '2026-03-05' / '2026Q1' → YYYYMMDD, the first or last day."""
    value = value.strip()
    q = _QUARTER.match(value)
    if q:
        year, quarter = int(q.group(1)), int(q.group(2))
        month = quarter * 3 if end else quarter * 3 - 2
        day = calendar.monthrange(year, month)[1] if end else 1
        return year * 10000 + month * 100 + day
    m = _DATE.match(value)
    if not m:
        raise FilterError(f"日期格式无法识别：{value}（示例：2026、2026-03、2026-03-05、2026Q1）")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else (12 if end else 1)
    if not 1 <= month <= 12:
        raise FilterError(f"月份无效：{value}")
    last = calendar.monthrange(year, month)[1]
    day = int(m.group(3)) if m.group(3) else (last if end else 1)
    if not 1 <= day <= last:
        raise FilterError(f"日期无效：{value}")
    return year * 10000 + month * 100 + day


@dataclass(frozen=True)
class SearchFilters:
    issuer: str | None = None
    doc_type: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    doc_ids: tuple[str, ...] | None = None
    include_superseded: bool = False
    include_undated: bool = False  # keep documents with no date in a date-filtered search
    include_unattributed: bool = False  # keep documents with no issuer in an issuer-filtered search
    validity: str | None = None  # 现行有效 / 已修订 / 已废止 / 尚未生效 (asking for one includes it)
    family: str | None = None

    @classmethod
    def from_any(cls, value: "SearchFilters | dict[str, Any] | None") -> "SearchFilters":
        if value is None:
            return cls()
        if isinstance(value, SearchFilters):
            return value
        known = {k: v for k, v in value.items() if k in cls.__dataclass_fields__ and v not in (None, "")}
        if known.get("validity") is not None:
            from policykb.versions import VALIDITIES

            if known["validity"] not in VALIDITIES:
                raise FilterError(f"时效性无效：{known['validity']}（可选：{'、'.join(VALIDITIES)}）")
        if "doc_ids" in known:
            known["doc_ids"] = tuple(known["doc_ids"])
        return cls(**known)

    def to_registry(self) -> DocumentFilter:
        return DocumentFilter(
            issuer=self.issuer or None,
            doc_type=self.doc_type or None,
            date_from=parse_date_bound(self.date_from, end=False) if self.date_from else None,
            date_to=parse_date_bound(self.date_to, end=True) if self.date_to else None,
            doc_ids=self.doc_ids,
            # Asking for 已修订 or 已废止 texts by name means wanting them.
            include_superseded=self.include_superseded or bool(self.validity),
            validity=self.validity or None,
            family=self.family or None,
            include_undated=self.include_undated,
            include_unattributed=self.include_unattributed,
        )
