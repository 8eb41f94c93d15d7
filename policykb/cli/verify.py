"""`policykb verify`: check a draft's quotations against the library (三审三校)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from policykb.cli.common import (
    fail,
    filter_options,
    filters_from,
    kb_option,
    open_kb,
    print_json,
    where,
)

_COLOURS = {"exact": "green", "close": "yellow", "not_found": "red"}
_OPS = {"changed": "文稿「{draft}」→ 原文「{source}」", "missing": "漏引原文「{source}」", "added": "文稿多出「{draft}」"}


def _read_draft(path: str | None) -> str:
    """A file in any format the library ingests (a .docx draft included), or stdin."""
    from policykb.ingest import IngestError, parse_file
    from policykb.ingest.encoding import decode_text

    try:
        if path in (None, "-"):
            return decode_text(sys.stdin.buffer.read(), "标准输入")
        return parse_file(Path(path)).text
    except IngestError as exc:
        fail(str(exc), 2)
        raise  # unreachable: fail() exits


@click.command()
@click.argument("path", required=False)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@filter_options
@kb_option
def verify(path: str | None, as_json: bool, issuer: str | None, doc_type: str | None, date_from: str | None,
           date_to: str | None, kb: str | None) -> None:
    """核对文稿中的引文：PATH 为文稿文件（txt、md、docx、pdf 等），省略或为 - 时从标准输入读取。

    退出码：0 全部一致；1 有引文有出入或未找到出处；2 用法或文件错误。"""
    from policykb.service import KnowledgeBaseError

    draft = _read_draft(path)
    knowledge = open_kb(kb)
    try:
        report = knowledge.verify(draft, filters=filters_from(issuer, doc_type, date_from, date_to))
    except KnowledgeBaseError as exc:
        fail(str(exc), 2)
    if as_json:
        print_json(report.to_dict())
    else:
        for n, item in enumerate(report.items, 1):
            click.secho(f"{n}. [{item.label}] {item.text}", fg=_COLOURS[item.status], bold=True)
            for d in item.differences:
                click.echo("   " + _OPS[d.op].format(draft=d.draft, source=d.source))
            if item.source:
                click.echo(f"   出处：{where(item.source)}")
                if item.status != "exact":
                    click.echo(f"   原文：{item.source['quote']}")
            else:
                click.echo("   知识库中未找到出处")
        c = report.counts
        click.echo(f"共 {len(report.items)} 处：一致 {c['exact']}，有出入 {c['close']}，未找到 {c['not_found']}"
                   if report.items else "文稿中没有需要核对的引文或引述政策的句子。")
    knowledge.close()
    if report.counts["close"] or report.counts["not_found"]:
        sys.exit(1)
