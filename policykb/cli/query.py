from __future__ import annotations

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


@click.command()
@click.argument("query")
@click.option("--top-k", "-k", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "vector"]), default="hybrid", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--include-undated", is_flag=True, help="按日期筛选时也检索未标注日期的文件")
@click.option("--include-unattributed", is_flag=True, help="按发文机关筛选时也检索未标注发文机关的文件")
@filter_options
@kb_option
def search(query: str, top_k: int, mode: str, as_json: bool, include_undated: bool, include_unattributed: bool,
           issuer: str | None, doc_type: str | None, date_from: str | None, date_to: str | None,
           kb: str | None) -> None:
    """检索段落。"""
    from policykb.service import KnowledgeBaseError

    knowledge = open_kb(kb)
    filters = filters_from(issuer, doc_type, date_from, date_to, include_undated=include_undated,
                           include_unattributed=include_unattributed)
    try:
        result = knowledge.search(query, top_k=top_k, mode=mode, filters=filters)
    except KnowledgeBaseError as exc:
        fail(str(exc), 2)
    data = result.to_dict()
    if as_json:
        print_json({"results": data["results"], "pending_vectors": data["pending_vectors"],
                    "left_out": data["left_out"]})
        return
    if not data["results"]:
        click.echo("没有找到匹配的段落。")
    for i, hit in enumerate(data["results"], 1):
        click.secho(f"{i}. {where(hit)}", bold=True)
        click.echo(f"   {hit['text'][:160]}{'…' if len(hit['text']) > 160 else ''}")
        click.echo(f"   [{hit['chunk_id']}]")
    if data["pending_vectors"]:
        click.echo(f"（另有 {data['pending_vectors']} 段尚未向量化，仅参与关键词检索）")
    left = data["left_out"]
    if left.get("undated"):
        click.echo(f"（日期筛选排除了 {left['undated']} 篇未标注日期的文件；加 --include-undated 一并检索，"
                   "或用 policykb docs missing 补全日期）")
    if left.get("unattributed"):
        click.echo(f"（发文机关筛选排除了 {left['unattributed']} 篇未标注发文机关的文件；加 --include-unattributed 一并检索）")


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@filter_options
@kb_option
def ask(question: str, as_json: bool, issuer: str | None, doc_type: str | None, date_from: str | None,
        date_to: str | None, kb: str | None) -> None:
    """提问，返回每句带引用 [n] 的答案。"""
    from policykb.service import KnowledgeBaseError

    knowledge = open_kb(kb)
    try:
        answer = knowledge.ask(question, filters=filters_from(issuer, doc_type, date_from, date_to))
    except KnowledgeBaseError as exc:
        fail(str(exc), 2)
    if as_json:
        print_json(answer.to_dict())
        return
    text = answer.answer
    for start, end in sorted(answer.highlights, reverse=True):  # the answering sentence, in bold
        text = text[:start] + click.style(text[start:end], bold=True) + text[end:]
    click.echo(text)
    if answer.notice:
        click.secho(answer.notice, fg="yellow")
    for c in answer.citations:
        click.echo(f"[{c.n}] {where(c.to_dict())}")
        if c.row:  # a table row: the whole row with its headers
            click.echo("    " + "｜".join(f"{label}：{value}" for label, value in c.row))
    if answer.related:
        click.secho("可能相关的段落（未能确认其回答了问题，仅供查阅）：", fg="yellow")
        for r in answer.related:
            click.echo(f"  · {where(r.to_dict())}")
