from __future__ import annotations

import click

from policykb.cli.common import fail, kb_option


def _port_in_use(host: str, port: int) -> str | None:
    """Why the address cannot be bound, in Chinese, or None: checked before the banner so
    that a busy port is one plain error instead of a banner followed by uvicorn's."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return f"无法解析主机名 {host}"
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return "端口已被占用"
            if exc.errno in (errno.EACCES, errno.EPERM):
                return "没有权限使用该端口"
            if exc.errno == errno.EADDRNOTAVAIL:
                return "本机没有这个地址"
            return str(exc)
    return None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--insecure", is_flag=True, help="尚无账户时也允许在非本机地址上提供服务（任何人都可访问）")
@kb_option
def serve(host: str, port: int, insecure: bool, kb: str | None) -> None:
    """启动 HTTP 服务（JSON API、/docs 接口文档与中文网页）。"""
    import uvicorn

    from policykb.api.app import create_app
    from policykb.auth import AccessStore, is_loopback
    from policykb.config import load_settings

    settings = load_settings(kb=kb)
    if not is_loopback(host) and not insecure and not settings.api_key:
        store = AccessStore.for_home(settings.home)
        closed = store.is_closed()
        store.close()
        if not closed:
            fail(f"尚未创建任何账户或访问密钥，不能在 {host} 上对外提供服务（任何人都能读取和删除文件）。"
                 "请先创建管理员：policykb users create 名称 --role admin；"
                 "或只在本机使用（--host 127.0.0.1）；确需开放请加 --insecure。")
    busy = _port_in_use(host, port)
    if busy:
        fail(f"无法在 {host}:{port} 启动服务：{busy}。请换一个端口（--port）或先停止占用它的程序。")
    click.echo(f"政策知识库服务：http://{host}:{port}/  接口文档：http://{host}:{port}/docs")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
