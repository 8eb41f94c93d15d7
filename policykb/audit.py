"""The audit trail: who did what, to what, when, and how it ended (refusals included).

Entries live in the installation's access database (policykb/auth.py), whose triggers
refuse UPDATE and DELETE on the table: the trail only grows.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from policykb.auth import AccessStore, now_iso

FIELDS = ("id", "at", "who", "via", "action", "target", "kb", "outcome", "status", "ip", "detail")
FIELD_NAMES = {"id": "序号", "at": "时间（UTC）", "who": "操作者", "via": "身份", "action": "操作", "target": "对象",
               "kb": "知识库", "outcome": "结果", "status": "状态码", "ip": "来源地址", "detail": "说明"}
ACTION_NAMES = {
    "login": "登录", "logout": "退出", "search": "检索", "ask": "问答", "verify": "引文核对", "read": "阅读文档",
    "upload": "上传", "edit": "修改", "delete": "删除", "export": "导出", "admin": "管理操作",
    "account.create": "创建账户", "account.update": "修改账户", "key.create": "创建密钥", "key.revoke": "吊销密钥",
    "request": "访问",
}
TARGET_MAX = 200

_RELATIVE = re.compile(r"^(\d+)\s*([mhd])$")


class SinceError(ValueError):
    pass


def parse_since(value: str, now: datetime | None = None) -> str:
    """'30m', '24h', '7d', '2026-12-01' or '2026-12-01T08:00' -> an ISO UTC bound."""
    value = (value or "").strip()
    now = now or datetime.now(timezone.utc)
    m = _RELATIVE.match(value)
    if m:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[m.group(2)]
        return (now - timedelta(**{unit: int(m.group(1))})).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SinceError(f"无法识别的时间：{value}（示例：2026-12-01、2026-12-01T08:00、24h、7d）") from exc
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AuditTrail:
    store: AccessStore

    def record(self, who: str, via: str, action: str, *, target: str = "", kb: str = "", outcome: str = "ok",
               status: int | None = None, ip: str = "", detail: str = "") -> None:
        target = " ".join((target or "").split())
        if len(target) > TARGET_MAX:
            target = target[:TARGET_MAX - 1] + "…"
        with self.store.lock:
            self.store.db.execute(
                "INSERT INTO audit (at, who, via, action, target, kb, outcome, status, ip, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now_iso(), who or "-", via, action, target, kb, outcome, status, ip, detail[:500]),
            )

    def events(self, since: str | None = None, who: str | None = None, action: str | None = None,
               outcome: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Newest first. `since` is anything parse_since accepts."""
        where, args = [], []
        if since:
            where.append("at >= ?")
            args.append(parse_since(since))
        if who:
            where.append("who = ?")
            args.append(who)
        if action:
            where.append("(action = ? OR action LIKE ?)")
            args += [action, action + ".%"]
        if outcome:
            where.append("outcome = ?")
            args.append(outcome)
        sql = "SELECT * FROM audit" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?"
        with self.store.lock:
            rows = self.store.db.execute(sql, (*args, limit)).fetchall()
        return [{k: row[k] for k in FIELDS} for row in rows]


def to_csv(events: list[dict[str, Any]]) -> str:
    """CSV with Chinese headers and a BOM, so that Excel opens it in the right encoding."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([FIELD_NAMES[f] for f in FIELDS])
    for event in events:
        writer.writerow(["" if event[f] is None else event[f] for f in FIELDS])
    return out.getvalue()
