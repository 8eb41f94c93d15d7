from __future__ import annotations

from pathlib import Path

import click

from policykb.cli.common import kb_option, print_json, writing_with


@click.command()
@click.option("--quarter", "-q", required=True, help="季度，如 2026Q1 或 2026年第一季度")
@click.option("--topics", "-t", default=None, help="主题，逗号分隔（默认使用配置的主题列表）")
@click.option("--issuer", default=None, help="发文机关（包含即可）")
@click.option("--doc-type", default=None, help="文种，如 通知、意见、办法")
@click.option("--output", "-o", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出文件：.docx 或 .md（按扩展名）")
@click.option("--no-interpret", is_flag=True, help="不调用大模型撰写解读")
@click.option("--json", "as_json", is_flag=True, help="同时在标准输出打印汇编 JSON")
@kb_option
def digest(quarter: str, topics: str | None, issuer: str | None, doc_type: str | None, output: Path,
           no_interpret: bool, as_json: bool, kb: str | None) -> None:
    """编制季度《政策解读汇编》，导出 .docx 或 .md。"""
    from policykb.digest import ExportError, export_format, write_digest

    try:
        export_format(output)
    except ExportError as exc:
        raise click.BadParameter(str(exc), param_hint="-o/--output") from exc
    with writing_with(kb, output) as knowledge:
        result = knowledge.digest(quarter, topics=topics, issuer=issuer, doc_type=doc_type,
                                  interpret=not no_interpret)
        path = write_digest(result, output)
    if as_json:
        print_json(result.to_dict())
        return
    click.echo(f"{result.title}：收录 {result.document_count} 件，已写入 {path}")
    layout = result.layout or {}
    if any(layout.get(k) for k in ("moves", "renames", "order")):
        click.echo(f"已按编辑的编排调整分组（移动 {len(layout.get('moves') or {})} 件；"
                   "查看或清除：policykb digest-layout show / reset）")
    for topic in result.non_empty_topics:
        click.echo(f"  {topic.name}：{len(topic.documents)} 件")
    if result.undated:
        click.secho(f"另有 {len(result.undated)} 件文件未能确定日期，已在汇编末尾单独列出：", fg="yellow")
        for u in result.undated:
            click.echo(f"  {u.title or u.filename}（{u.reason}）")
    if result.left_out.get("unattributed"):
        click.secho(f"发文机关筛选排除了 {result.left_out['unattributed']} 件未标注发文机关的文件"
                    "（用 policykb docs missing 查看并补全）", fg="yellow")
