"""Search filters: the one filter type of the service layer (`SearchFilters`).

Users give filters as CLI flags, JSON fields (the API's `Filters` model is made from this
dataclass, api/schemas.py) or Python dicts; `SearchFilters.from_any` is the one way in.
The registry filters with `DocumentFilter` (dates as YYYYMMDD, what SQL needs): its
projection of a user's filters is made here, in `to_registry`, and nowhere else.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeAlias

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


def _described(default: Any, description: str) -> Any:
    # The description is the API's field description (api/schemas.py builds its model from it).
    return field(default=default, metadata={"description": description})


@dataclass(frozen=True)
class SearchFilters:
    issuer: str | None = _described(None, "发文机关（包含即可）")
    doc_type: str | None = _described(None, "文种，如 通知、意见、讲话、案例")
    date_from: str | None = _described(None, "起始日期：2026、2026-01、2026-01-15 或 2026Q1")
    date_to: str | None = _described(None, "截止日期，格式同上")
    # Not offered over HTTP: the service narrows to documents itself (a question naming a version).
    doc_ids: tuple[str, ...] | None = None
    include_superseded: bool = _described(False, "包含已被替代的旧版本")
    include_undated: bool = _described(False, "按日期筛选时也包含未标注日期的文件")
    include_unattributed: bool = _described(False, "按发文机关筛选时也包含未标注发文机关的文件")
    # Asking for one validity includes it, superseded or not.
    validity: str | None = _described(None, "时效性：现行有效 / 已修订 / 已废止 / 尚未生效")
    family: str | None = _described(None, "版本族")

    @classmethod
    def from_any(cls, value: SearchFilters | Mapping[str, Any] | None) -> SearchFilters:
        """The filters a caller gave: None, a mapping of the fields (unknown keys and empty
        values dropped) or SearchFilters. A validity that does not exist is the user's error
        (FilterError); a date is read when the registry's filter is made."""
        if value is None:
            return cls()
        if isinstance(value, SearchFilters):
            flt = value
        else:
            names = {f.name for f in fields(cls)}
            known = {k: v for k, v in value.items() if k in names and v not in (None, "")}
            if "doc_ids" in known:
                known["doc_ids"] = tuple(known["doc_ids"])
            flt = cls(**known)
        if flt.validity:
            from policykb.versions import VALIDITIES

            if flt.validity not in VALIDITIES:
                raise FilterError(f"时效性无效：{flt.validity}（可选：{'、'.join(VALIDITIES)}）")
        return flt

    def to_registry(self, *, title_contains: str | None = None) -> DocumentFilter:
        """The registry's filter for these: dates read as YYYYMMDD bounds (FilterError for a
        date that is none)."""
        return DocumentFilter(
            issuer=self.issuer or None,
            doc_type=self.doc_type or None,
            date_from=parse_date_bound(self.date_from, end=False) if self.date_from else None,
            date_to=parse_date_bound(self.date_to, end=True) if self.date_to else None,
            title_contains=title_contains or None,
            doc_ids=self.doc_ids,
            # Asking for 已修订 or 已废止 texts by name means wanting them.
            include_superseded=self.include_superseded or bool(self.validity),
            validity=self.validity or None,
            family=self.family or None,
            include_undated=self.include_undated,
            include_unattributed=self.include_unattributed,
        )


# What the service's public calls accept; a mapping (the Python API's dicts) is read by from_any.
FilterInput: TypeAlias = SearchFilters | Mapping[str, Any] | None
