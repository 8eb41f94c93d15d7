"""One JSON error shape for every failure: {"error": {"code", "message"}}, Chinese message,
no stack traces to clients."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from policykb.filters import FilterError
from policykb.service import KnowledgeBaseError

log = logging.getLogger("policykb.api")


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


_HTTP_MESSAGES = {404: "请求的地址不存在", 405: "不支持该请求方法", 413: "上传内容过大"}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(KnowledgeBaseError)
    async def _kb(_: Request, exc: KnowledgeBaseError) -> JSONResponse:
        return error_response(exc.status, exc.code, str(exc))

    @app.exception_handler(FilterError)
    async def _filter(_: Request, exc: FilterError) -> JSONResponse:
        return error_response(400, "bad_filter", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{where or '请求'}：{err.get('msg', '格式不正确')}")
        return error_response(422, "invalid_request", "请求参数不正确：" + "；".join(parts))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else _HTTP_MESSAGES.get(
            exc.status_code, "请求失败")
        return error_response(exc.status_code, f"http_{exc.status_code}", message)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "服务器内部错误，请稍后重试或联系管理员")
