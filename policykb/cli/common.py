"""Helpers shared by the commands: opening the knowledge base, printing, errors."""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from policykb.filters import SearchFilters

kb_option = click.option("--kb", "kb", default=None, help="知识库名称（默认 default）")


def open_kb(kb: str | None) -> Any:
    from policykb.service import KnowledgeBase, KnowledgeBaseError

    try:
        return KnowledgeBase(kb=kb)
    except KnowledgeBaseError as exc:
        raise click.UsageError(str(exc)) from exc


# C0/C1 controls, and the bidirectional overrides that can make a name read backwards.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """A line safe for a terminal: a control character in a file name or title (ESC,
    BEL, a bidi override) is shown escaped, \\x1b, never sent raw."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def fail(message: str, code: int = 1) -> None:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


@contextmanager
def writing_with(kb: str | None, output: Path | None) -> Iterator[Any]:
    """The knowledge base, open for a command that compiles something and writes it to
    `output` (汇编, 摘编, 对照表): the library's errors exit with 2, a file that cannot be
    written names itself, and the library is closed either way."""
    from policykb.service import KnowledgeBaseError

    knowledge = open_kb(kb)
    try:
        yield knowledge
    except KnowledgeBaseError as exc:
        fail(str(exc), 2)
    except OSError as exc:
        fail(f"无法写入 {output}：{exc.strerror or exc}")
    finally:
        knowledge.close()


def filters_from(issuer: str | None, doc_type: str | None, date_from: str | None, date_to: str | None,
                 **more: Any) -> SearchFilters:
    """The filter options, read: a date that is none is a usage error before any work."""
    from policykb.filters import FilterError, SearchFilters

    try:
        flt = SearchFilters.from_any({"issuer": issuer, "doc_type": doc_type, "date_from": date_from,
                                      "date_to": date_to, **more})
        flt.to_registry()
    except FilterError as exc:
        raise click.BadParameter(str(exc)) from exc
    return flt


def filter_options(func: Any) -> Any:
    for opt in reversed([
        click.option("--issuer", default=None, help="发文机关（包含即可）"),
        click.option("--doc-type", default=None, help="文种，如 通知、意见、讲话、案例"),
        click.option("--from", "date_from", default=None, help="起始日期：2026、2026-01、2026-01-15 或 2026Q1"),
        click.option("--to", "date_to", default=None, help="截止日期，格式同上"),
    ]):
        func = opt(func)
    return func


def where(hit: dict) -> str:
    """Where a passage comes from, as a reader cites it: 《title》 · 文号 · issuer · date · path · page."""
    meta = hit["metadata"]
    parts = [f"《{hit['title'] or '无标题'}》"]
    for key in ("doc_no", "issuer", "date"):
        if meta.get(key):
            parts.append(str(meta[key]))
    if hit["section_path"]:
        parts.append(" › ".join(hit["section_path"]))
    if hit.get("page"):
        parts.append(f"第{hit['page']}页")
    if meta.get("validity") and meta["validity"] != "现行有效":  # an old text names its successor
        parts.append(f"〔{meta['validity']}" + (f"：{meta['validity_note']}" if meta.get("validity_note") else "") + "〕")
    return " · ".join(parts)
