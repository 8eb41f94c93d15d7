"""`policykb compare OLD NEW`: 新旧对照, printed, as JSON, or as a .docx 对照表."""
from __future__ import annotations

from pathlib import Path

import click

from policykb.cli.common import kb_option, print_json, writing_with


@click.command()
@click.argument("old_id")
@click.argument("new_id")
@click.option("--json", "as_json", is_flag=True, help="打印 JSON：{pairs: [{change, old, new, differences}], counts}")
@click.option("--output", "-o", "output", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="导出新旧条文对照表 .docx")
@click.option("--only-changes", is_flag=True, help="对照表中略去未变且条序未变的条文")
@kb_option
def compare(old_id: str, new_id: str, as_json: bool, output: Path | None, only_changes: bool, kb: str | None) -> None:
    """新旧对照：逐条比较两个版本（ID、文号或标题），标出修改、新增、删除。"""
    from policykb.compare import explain

    if output is not None and output.suffix.lower() != ".docx":
        raise click.BadParameter("对照表只能导出为 .docx", param_hint="-o/--output")
    with writing_with(kb, output) as knowledge:
        result = knowledge.compare(old_id, new_id)
        old, new = knowledge.document_by_ref(old_id), knowledge.document_by_ref(new_id)
        if output is not None:
            from policykb.compare_docx import write_docx

            write_docx(result, f"《{old.title}》", f"《{new.title}》", output, only_changes=only_changes)
    if as_json:
        print_json(result.to_dict())
        return
    counts = result.counts
    click.echo(f"《{old.title}》 → 《{new.title}》：修改 {counts['修改']}，新增 {counts['新增']}，"
               f"删除 {counts['删除']}，未变 {counts['未变']}")
    for pair in result.pairs:
        if pair.change == "未变" and explain(pair) == "未变":
            continue
        left = pair.old.label if pair.old else "—"
        right = pair.new.label if pair.new else "—"
        click.echo(f"  [{pair.change}] {left} → {right}  {explain(pair)}")
        for d in pair.differences[:8]:
            click.echo(f"      {d['op']}: 「{d['old']}」→「{d['new']}」")
    if output is not None:
        click.echo(f"已写入 {output}")
