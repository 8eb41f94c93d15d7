"""`policykb eval`: how well the library answers its users' own questions."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from policykb.cli.common import fail, kb_option, open_kb, print_json


@click.command(name="eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "vector"]), default="hybrid", show_default=True)
@click.option("--no-ask", is_flag=True, help="只测检索，不测回答与拒答")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（含未命中的问题）")
@kb_option
def evaluate(questions: Path, mode: str, no_ask: bool, as_json: bool, kb: str | None) -> None:
    """用自己的问题集评测知识库：检索命中率（R@1/5/10、MRR@10）、可答问题的回答率、不可答问题的拒答率。

    QUESTIONS 为 JSON Lines 文件，每行一个问题：{"question": "…", "answer": "答案原文片段"}；
    可加 "kind" 分类统计；知识库不应回答的问题写 {"question": "…", "answerable": false}。"""
    from tqdm import tqdm

    from policykb.evaluate import QuestionFileError, load_questions

    try:
        items = load_questions(questions)
    except QuestionFileError as exc:
        fail(str(exc), 2)
    knowledge = open_kb(kb)
    with tqdm(total=len(items), desc="评测", unit="题", file=sys.stderr, disable=len(items) < 20) as bar:
        report = knowledge.evaluate(items, mode=mode, ask=not no_ask,
                                    on_progress=lambda done, _: bar.update(done - bar.n))
    knowledge.close()
    if as_json:
        print_json(report.to_dict())
        return
    r = report.retrieval
    answerable = report.questions - sum(1 for q in items if q.answer is None)
    click.echo(f"问题 {report.questions} 个（可答 {answerable}，不可答 {report.questions - answerable}），检索方式 {mode}")
    click.echo(f"检索：R@1 {r['R@1']:.3f}  R@5 {r['R@5']:.3f}  R@10 {r['R@10']:.3f}  MRR@10 {r['MRR@10']:.3f}")
    for kind, m in report.by_kind.items():
        click.echo(f"  {kind}：R@5 {m['R@5']:.3f}  MRR@10 {m['MRR@10']:.3f}")
    if report.answered is not None:
        click.echo(f"回答：可答问题回答了 {report.answered:.1%}")
    if report.refused is not None:
        click.echo(f"拒答：不可答问题拒答了 {report.refused:.1%}")
    if report.misses:
        click.echo(f"前 10 条结果中没有答案的问题（{len(report.misses)} 个）：")
        for miss in report.misses[:20]:
            click.echo(f"  · {miss['question']}（答案：{miss['answer'][:30]}）")
