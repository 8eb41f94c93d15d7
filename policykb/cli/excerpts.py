from __future__ import annotations

from pathlib import Path

import click

from policykb.cli.common import fail, kb_option, print_json, writing_with


@click.command()
@click.argument("topic")
@click.option("--from", "date_from", default=None, help="起始日期，如 2020-01-01")
@click.option("--to", "date_to", default=None, help="截止日期，如 2020-12-31")
@click.option("--doc-type", default=None, help="文种，如 讲话")
@click.option("--issuer", default=None, help="发文机关（包含即可）")
@click.option("--max", "max_excerpts", type=int, default=None, help="最多收录的论述条数（默认 60）")
@click.option("--mode", type=click.Choice(["hybrid", "keyword"]), default="hybrid",
              help="hybrid：有向量时也用语义相近度；keyword：只看词语")
@click.option("--groups", "groups_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help='分组调整（JSON 文件）：{"rename": {"原分组名": "新名"}, "assign": {"论述编号": "分组名"}}')
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="输出文件：.docx 或 .md（按扩展名）")
@click.option("--json", "as_json", is_flag=True, help="在标准输出打印摘编 JSON")
@kb_option
def excerpts(topic: str, date_from: str | None, date_to: str | None, doc_type: str | None, issuer: str | None,
             max_excerpts: int | None, mode: str, groups_file: Path | None, output: Path | None, as_json: bool,
             kb: str | None) -> None:
    """编制论述摘编：某一主题的重要论述，注明出处，按分主题、按时间排列。"""
    import json

    from policykb.digest import ExportError, export_format
    from policykb.excerpts import write_excerpts

    if output is None and not as_json:
        raise click.UsageError("请用 -o 指定输出文件（.docx 或 .md），或用 --json 打印结果")
    if output is not None:
        try:
            export_format(output)
        except ExportError as exc:
            raise click.BadParameter(str(exc), param_hint="-o/--output") from exc
    groups = None
    if groups_file is not None:
        try:
            groups = json.loads(groups_file.read_text(encoding="utf-8"))
        except (ValueError, OSError) as exc:
            fail(f"分组调整文件无法读取：{groups_file}（{exc}）", 2)
    with writing_with(kb, output) as knowledge:
        result = knowledge.excerpts(topic, date_from=date_from, date_to=date_to, doc_type=doc_type, issuer=issuer,
                                    max_excerpts=max_excerpts, mode=mode, groups=groups)
        path = write_excerpts(result, output) if output is not None else None
    if as_json:
        print_json(result.to_dict())
        return
    c = result.counts
    click.echo(f"{result.title}：收录论述 {c['excerpts']} 条（出自 {c['documents']} 篇，"
               f"合并重复 {c['merged']} 处），已写入 {path}")
    for g in result.groups:
        click.echo(f"  {g.name}：{len(g.excerpts)} 条")
