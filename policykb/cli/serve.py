from __future__ import annotations

import click

from policykb.cli.common import kb_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@kb_option
def serve(host: str, port: int, kb: str | None) -> None:
    """启动 HTTP 服务（JSON API、/docs 接口文档与中文网页）。"""
    import uvicorn

    from api.app import create_app
    from policykb.config import load_settings

    settings = load_settings(kb=kb)
    click.echo(f"政策知识库服务：http://{host}:{port}/  接口文档：http://{host}:{port}/docs")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
