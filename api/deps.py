"""Dependencies: the knowledge base and the settings come in through Depends, so tests and
other deployments can swap them."""
from __future__ import annotations

import secrets

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader

from policykb.api.errors import ApiError
from policykb.config import Settings
from policykb.service import KnowledgeBase

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_kb(request: Request,
           kb: str | None = Query(None, description="知识库名称（默认为服务启动时的知识库）")) -> KnowledgeBase:
    """The library a request names with `?kb=`, else the server's default one."""
    libraries = getattr(request.app.state, "libraries", None)
    if libraries is None or not kb:
        return request.app.state.kb
    return libraries.get(kb)


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def require_key(key: str | None = Depends(_api_key_header), settings: Settings = Depends(get_settings)) -> None:
    """When an API key is configured, every /api call must carry it in X-API-Key."""
    if settings.api_key and not (key and secrets.compare_digest(key, settings.api_key)):
        raise ApiError(401, "unauthorized", "缺少或错误的访问密钥（请求头 X-API-Key）")
