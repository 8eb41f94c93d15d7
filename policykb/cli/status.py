from __future__ import annotations

import click

from policykb.cli.common import kb_option, open_kb, print_json


@click.command()
@kb_option
def status(kb: str | None) -> None:
    """向量化进度。"""
    print_json(open_kb(kb).status())


@click.command()
@kb_option
def stats(kb: str | None) -> None:
    """知识库统计。"""
    print_json(open_kb(kb).stats())


@click.command()
@kb_option
def reindex(kb: str | None) -> None:
    """从登记库重建向量索引与大文库的关键词索引（已缓存的向量不再重新计算）。"""
    knowledge = open_kb(kb)
    stats = knowledge.rebuild_vectors()
    click.echo(f"已写入 {stats.chunks} 段向量，其中新计算 {stats.encoded_texts} 段。")
    built = knowledge.rebuild_keyword_index()
    if built is None:
        click.echo(f"文库不足 {knowledge.settings.keyword_index_above:,} 段，关键词检索直接使用 SQLite FTS5。")
    else:
        click.echo(f"关键词索引已重建：{built['passages']:,} 段，用时 {built['seconds']} 秒。")
    knowledge.close()


@click.command()
def config() -> None:
    """显示当前配置（密钥已隐藏）。"""
    from policykb.config import load_settings

    print_json(load_settings().public_dict())


@click.command()
@kb_option
def embed(kb: str | None) -> None:
    """计算等待中的向量（用于 ingest --no-wait 之后；可随时中断，已完成的不会重算）。"""
    import sys

    from tqdm import tqdm

    knowledge = open_kb(kb)
    total = knowledge.pending_vectors()
    if total == 0:
        click.echo("没有等待向量化的段落。")
        return
    with tqdm(total=total, desc="向量化", unit="段", file=sys.stderr) as bar:
        stats = knowledge.embed_pending(on_progress=lambda done, _: bar.update(done - bar.n))
    click.echo(f"完成：写入 {stats.chunks} 段，新计算 {stats.encoded_texts} 段（其余复用已缓存向量）。")
