"""`policykb digest-layout`: the editor's choices for the 汇编 (move a document to another
group, rename and reorder groups), kept for every later `policykb digest`."""
from __future__ import annotations

from typing import Any

import click

from policykb.cli.common import fail, kb_option, open_kb, print_json


def _change(kb: str | None, as_json: bool, **change: Any) -> None:
    from policykb.service import KnowledgeBaseError

    knowledge = open_kb(kb)
    try:
        layout = knowledge.change_digest_layout(**change)
    except KnowledgeBaseError as exc:
        fail(str(exc), 2)
    finally:
        knowledge.close()
    _show(layout, as_json)


def _show(layout: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(layout)
        return
    if not any(layout.values()):
        click.echo("汇编编排：未做调整（按自动分组）")
        return
    if layout["order"]:
        click.echo("分组顺序：" + " → ".join(layout["order"]))
    for old, new in layout["renames"].items():
        click.echo(f"分组改名：{old} → {new}")
    for doc_id, group in layout["moves"].items():
        click.echo(f"文件 {doc_id} → {group}")


json_option = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出编排")


@click.group("digest-layout")
def digest_layout() -> None:
    """汇编编排：移动文件、重命名与排序分组；重新生成汇编时保留。"""


@digest_layout.command("show")
@json_option
@kb_option
def show(as_json: bool, kb: str | None) -> None:
    """显示当前编排。"""
    knowledge = open_kb(kb)
    try:
        _show(knowledge.digest_layout(), as_json)
    finally:
        knowledge.close()


@digest_layout.command("move")
@click.argument("doc")
@click.argument("group")
@json_option
@kb_option
def move(doc: str, group: str, as_json: bool, kb: str | None) -> None:
    """把文件 DOC（文档编号、文号或标题）移到分组 GROUP（不存在则新建）。"""
    _change(kb, as_json, move=(doc, group))


@digest_layout.command("unmove")
@click.argument("doc")
@json_option
@kb_option
def unmove(doc: str, as_json: bool, kb: str | None) -> None:
    """取消对文件 DOC 的移动，恢复自动分组。"""
    _change(kb, as_json, unmove=doc)


@digest_layout.command("rename")
@click.argument("old")
@click.argument("new")
@json_option
@kb_option
def rename(old: str, new: str, as_json: bool, kb: str | None) -> None:
    """把分组 OLD 改名为 NEW。"""
    _change(kb, as_json, rename=(old, new))


@digest_layout.command("order")
@click.argument("groups")
@json_option
@kb_option
def order(groups: str, as_json: bool, kb: str | None) -> None:
    """分组顺序，逗号分隔（未列出的分组排在其后）。"""
    names = [g.strip() for g in groups.replace("，", ",").replace("、", ",").split(",") if g.strip()]
    _change(kb, as_json, order=names)


@digest_layout.command("reset")
@json_option
@kb_option
def reset(as_json: bool, kb: str | None) -> None:
    """清除全部编排，恢复自动分组。"""
    _change(kb, as_json, reset=True)
