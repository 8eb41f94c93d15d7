from __future__ import annotations

import sys

import click

from policykb.cli.common import kb_option, open_kb, print_json, printable

_STATUS = {
    "added": "新增", "updated": "已更新", "unchanged": "未变化", "duplicate": "重复", "failed": "失败",
    "skipped": "跳过",
}


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@kb_option
@click.option("--wait/--no-wait", default=True, help="等待向量化完成（默认等待）；--no-wait 关键词可检索后即返回")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果")
@click.option("--supersedes", default=None, help="新文件替代的旧文档（ID、文号或标题）")
def ingest(paths: tuple[str, ...], kb: str | None, wait: bool, as_json: bool, supersedes: str | None) -> None:
    """导入文件或文件夹（递归）。全部成功退出码 0，有失败退出码 1（其余文件照常导入）。"""
    knowledge = open_kb(kb)
    show = not as_json
    bar = None

    def on_file(result) -> None:  # type: ignore[no-untyped-def]
        if not show:
            return
        label = _STATUS.get(result.status, result.status)
        detail = f"《{result.title}》{result.chunks} 段" if result.title else ""
        if result.status == "failed":
            click.secho(printable(f"[{label}] {result.path}：{result.message}"), fg="red", err=True)
        else:
            extra = f"（{result.message}）" if result.message else ""
            click.echo(printable(f"[{label}] {result.path} {detail}{extra}"))

    def on_vectors(done: int, total: int) -> None:
        nonlocal bar
        if not show:
            return
        if bar is None:
            from tqdm import tqdm

            # Passages already done (vectors found in the cache) start the bar, so its rate
            # counts only what the model computes from here on.
            bar = tqdm(total=total, initial=done, desc="向量化", unit="段", file=sys.stderr, disable=total < 20)
        bar.update(done - bar.n)

    ocr_bar = None

    def on_ocr(path: str, done: int, total: int) -> None:
        # Scanned pages take a second or more each: a bar per file that needs OCR.
        nonlocal ocr_bar
        if not show:
            return
        if ocr_bar is None or ocr_bar.desc != _ocr_label(path) or done < ocr_bar.n:
            from tqdm import tqdm

            if ocr_bar is not None:
                ocr_bar.close()
            ocr_bar = tqdm(total=total, desc=_ocr_label(path), unit="页", file=sys.stderr)
        ocr_bar.update(done - ocr_bar.n)
        if done >= total:
            ocr_bar.close()
            ocr_bar = None

    def on_skip(path: str, reason: str) -> None:
        if show:
            click.secho(printable(f"[跳过] {path}：{reason}"), fg="yellow", err=True)

    report = knowledge.ingest(
        paths, wait=wait, on_file=on_file, on_vectors=on_vectors, on_ocr=on_ocr, on_skip=on_skip,
        overrides={"supersedes": supersedes} if supersedes else None,
    )
    if bar is not None:
        bar.close()
    if as_json:
        print_json(report.to_dict())
    else:
        counts = report.counts()
        summary = "，".join(f"{_STATUS.get(k, k)} {v}" for k, v in counts.items()) or "没有可导入的文件"
        click.echo(f"完成：{summary}。待向量化段落 {report.pending_vectors}。")
    knowledge.close()
    if not report.files:
        click.echo("错误：没有找到可导入的文件", err=True)
        sys.exit(1)
    sys.exit(1 if report.failed else 0)


def _ocr_label(path: str) -> str:
    from pathlib import Path

    return printable(f"识别 {Path(path).name}")
