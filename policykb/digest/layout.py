"""The editor's layout of the 汇编, kept in the registry (table digest_layout) so that a
rebuilt digest keeps it: documents moved to another group, groups renamed, groups in the
editor's order. The automatic grouping is computed afresh each time; the layout is applied
on top of it:

    1. a group's automatic name is replaced by its new name (renames);
    2. a moved document goes to the group the editor named (moves; a new name makes a group);
    3. groups the editor ordered come first, in that order; the others keep their place.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policykb.registry import Registry

KEY = "layout"
MAX_NAME = 30


class LayoutError(ValueError):
    """A layout change the editor can fix; the message is Chinese."""


@dataclass
class Layout:
    moves: dict[str, str] = field(default_factory=dict)  # doc id → group name
    renames: dict[str, str] = field(default_factory=dict)  # automatic name → shown name
    order: list[str] = field(default_factory=list)  # shown names, first to last

    def to_dict(self) -> dict[str, Any]:
        return {"moves": dict(self.moves), "renames": dict(self.renames), "order": list(self.order)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Layout":
        data = data or {}
        return cls({str(k): str(v) for k, v in (data.get("moves") or {}).items()},
                   {str(k): str(v) for k, v in (data.get("renames") or {}).items()},
                   [str(v) for v in (data.get("order") or [])])

    def shown(self, automatic: str) -> str:
        return self.renames.get(automatic, automatic)

    def group_for(self, doc_id: str, automatic: str) -> tuple[str, bool]:
        """(group shown, moved by the editor?)"""
        if doc_id in self.moves:
            return self.moves[doc_id], True
        return self.shown(automatic), False

    def ordered(self, names: Sequence[str]) -> list[str]:
        rank = {n: i for i, n in enumerate(self.order)}
        first = sorted((n for n in names if n in rank), key=lambda n: rank[n])
        return first + [n for n in names if n not in rank]


def _name(value: str, what: str) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise LayoutError(f"{what}不能为空")
    if len(name) > MAX_NAME:
        raise LayoutError(f"{what}过长：{name[:MAX_NAME]}…（不超过 {MAX_NAME} 个字）")
    return name


def change(layout: Layout, *, move: tuple[str, str] | None = None, rename: tuple[str, str] | None = None,
           order: Sequence[str] | None = None, unmove: str | None = None) -> Layout:
    """A new layout with one or more changes applied (pure)."""
    out = Layout.from_dict(layout.to_dict())
    if move:
        doc_id, group = move
        out.moves[doc_id] = _name(group, "分组名称")
    if unmove:
        out.moves.pop(unmove, None)
    if rename:
        old, new = _name(rename[0], "原分组名称"), _name(rename[1], "新分组名称")
        # A group may already carry an editor's name: rename what it was renamed from.
        automatic = next((a for a, shown in out.renames.items() if shown == old), old)
        out.renames[automatic] = new
        out.moves = {d: (new if g == old else g) for d, g in out.moves.items()}
        out.order = [new if g == old else g for g in out.order]
    if order is not None:
        names = [_name(n, "分组名称") for n in order]
        out.order = list(dict.fromkeys(names))
    return out


def load_layout(registry: "Registry") -> Layout:
    rows = registry._query("SELECT value FROM digest_layout WHERE key = ?", [KEY])
    return Layout.from_dict(json.loads(rows[0]["value"])) if rows else Layout()


def save_layout(registry: "Registry", layout: Layout) -> None:
    with registry.transaction() as conn:
        conn.execute(
            "INSERT INTO digest_layout (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [KEY, json.dumps(layout.to_dict(), ensure_ascii=False), datetime.now().isoformat(timespec="seconds")],
        )
