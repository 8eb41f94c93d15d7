"""Access control for the HTTP API: who is asking (session cookie, API key, or the
configured POLICYKB_API_KEY), whether their role and libraries allow the route, how often
they may ask, and how large a request may be. Every route under /api has its rule in RULES
below; the audit middleware records actions and every refusal.

Rules: reader < editor < admin. While the installation has no account and no key (and no
POLICYKB_API_KEY), the API is open as before, and `serve` only listens on loopback.
"""
from __future__ import annotations

import secrets
import threading
import time
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from policykb.audit import AuditTrail
from policykb.auth import ROLE_NAMES, AccessStore, AuthError, Principal
from policykb.config import Settings

SESSION_COOKIE = "policykb_session"
AUDIT_SCOPE = "policykb.audit"
OPEN = Principal("匿名", "anonymous", "admin", open=True)
UNAUTHORIZED = "需要登录或访问密钥（请求头 Authorization: Bearer 密钥，或 X-API-Key）"
_AUDIT_KEYS = ("doc_id", "chunk_id", "filename", "name", "key_id")


class RateLimiter:
    """Fixed one-minute windows per principal: simple, and enough to stop a runaway script."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._windows: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def hit(self, who: str) -> int:
        """0 when allowed, else the seconds until the next window."""
        if self.per_minute <= 0:
            return 0
        now = time.time()
        window = int(now // 60)
        with self._lock:
            if len(self._windows) > 10_000:  # many client addresses: forget finished windows
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            start, count = self._windows.get(who, (window, 0))
            if start != window:
                start, count = window, 0
            self._windows[who] = (start, count + 1)
        return 0 if count < self.per_minute else int(60 - now % 60) + 1


def access(request: Request) -> tuple[AccessStore, AuditTrail]:
    return request.app.state.access, request.app.state.audit


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def credentials(request: Request) -> tuple[str | None, str | None]:
    """(key, session token) as sent: `Authorization: Bearer KEY`, `X-API-Key: KEY`, cookie."""
    key = None
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        key = auth[7:].strip() or None
    key = key or request.headers.get("x-api-key") or None
    return key, request.cookies.get(SESSION_COOKIE) or None


def identify(request: Request) -> Principal | None:
    """The principal behind the request, OPEN in open mode, None when credentials are
    missing or wrong in a closed installation."""
    store, _ = access(request)
    settings: Settings = request.app.state.settings
    key, session = credentials(request)
    if key:
        if settings.api_key and secrets.compare_digest(key.encode(), settings.api_key.encode()):
            return Principal("POLICYKB_API_KEY", "env-key", "admin")
        found = store.key(key)
        if found:
            return found
    if session:
        found = store.session(session)
        if found:
            return found
    if settings.api_key or store.is_closed():
        return None
    return OPEN


async def describe_target(request: Request, action: str) -> str:
    """What the action is about, for the audit trail: an id from the path, or the query,
    question or file names from the body (already parsed by FastAPI, so read from cache)."""
    for key in _AUDIT_KEYS:
        if key in request.path_params:
            return str(request.path_params[key])
    ctype = request.headers.get("content-type", "")
    try:
        if "json" in ctype:
            body = await request.json()
            if isinstance(body, dict):
                for key in ("query", "question", "quarter", "name", "text"):
                    if isinstance(body.get(key), str):
                        return body[key] if key != "text" else f"文稿 {len(body[key])} 字"
        elif "multipart" in ctype and action == "upload":
            form = await request.form()
            return "、".join(str(getattr(f, "filename", "")) for f in form.getlist("files"))
    except Exception:  # an unreadable body is the validator's business, not the trail's
        return ""
    return ""


# Who may call what: (method, path template) -> (least role, audited action). None as the
# role = public. A route missing here is refused to everyone but admins (fail closed), and
# tests/test_access.py fails, so a new route cannot slip in without a rule.
RULES: dict[tuple[str, str], tuple[str | None, str | None]] = {
    ("POST", "/api/auth/login"): (None, "login"),
    ("POST", "/api/auth/logout"): (None, "logout"),
    ("GET", "/api/auth/me"): ("reader", None),
    ("GET", "/api/health"): ("reader", None),
    ("GET", "/api/stats"): ("reader", None),
    ("GET", "/api/status"): ("reader", None),
    ("POST", "/api/status/pause"): ("admin", "admin"),
    ("POST", "/api/status/resume"): ("admin", "admin"),
    ("POST", "/api/search"): ("reader", "search"),
    ("POST", "/api/ask"): ("reader", "ask"),
    ("GET", "/api/passages/{chunk_id}/similar"): ("reader", "search"),
    ("POST", "/api/verify"): ("reader", "verify"),
    ("GET", "/api/documents"): ("reader", None),
    ("GET", "/api/documents/{doc_id}"): ("reader", "read"),
    ("GET", "/api/documents/{doc_id}/text"): ("reader", "read"),
    ("GET", "/api/documents/{doc_id}/pages/{page}/image"): ("reader", "read"),
    ("POST", "/api/documents"): ("editor", "upload"),
    ("DELETE", "/api/documents/{doc_id}"): ("editor", "delete"),
    ("POST", "/api/digest"): ("reader", "export"),
    ("GET", "/api/digest/download/{filename}"): ("reader", "export"),
    ("GET", "/api/digest/layout"): ("reader", None),
    ("POST", "/api/digest/layout"): ("editor", "edit"),
    ("POST", "/api/excerpts"): ("reader", "export"),
    ("GET", "/api/excerpts/download/{filename}"): ("reader", "export"),
    ("GET", "/api/accounts"): ("admin", None),
    ("POST", "/api/accounts"): ("admin", "account.create"),
    ("PATCH", "/api/accounts/{name}"): ("admin", "account.update"),
    ("GET", "/api/keys"): ("admin", None),
    ("POST", "/api/keys"): ("admin", "key.create"),
    ("DELETE", "/api/keys/{key_id}"): ("admin", "key.revoke"),
    ("GET", "/api/kbs"): ("reader", None),
    ("GET", "/api/documents/{doc_id}/lineage"): ("reader", "read"),
    ("PUT", "/api/documents/{doc_id}/validity"): ("editor", "edit"),
    ("PATCH", "/api/documents/{doc_id}"): ("editor", "edit"),
    ("GET", "/api/documents/{doc_id}/edits"): ("reader", None),
    ("GET", "/api/metadata/missing"): ("reader", None),
    ("GET", "/api/compare"): ("reader", "read"),
    ("GET", "/api/audit"): ("admin", None),
    ("GET", "/api/audit.csv"): ("admin", "export"),
}
_FAIL_CLOSED = ("admin", None)


def route_path(request: Request) -> str:
    """The matched route's full path template ("/api/documents/{doc_id}"). Every router is
    included under /api; FastAPI versions differ on whether the route in the scope carries
    that prefix."""
    path = getattr(request.scope.get("route"), "path", "")
    return path if path.startswith("/api/") else "/api" + path


def rule_for(request: Request) -> tuple[str | None, str | None]:
    return RULES.get((request.method, route_path(request)), _FAIL_CLOSED)


async def authorize(request: Request) -> Principal:
    """The one dependency of every /api router: applies the route's rule from RULES."""
    role, action = rule_for(request)
    kb = request.query_params.get("kb") or request.app.state.kb.name  # ?kb=NAME picks a library
    info: dict[str, Any] = {"who": "-", "via": "unknown", "action": action or "request", "kb": kb,
                            "record": action is not None, "ip": client_ip(request)}
    request.scope[AUDIT_SCOPE] = info
    info["target"] = await describe_target(request, action) if action else f"{request.method} {request.url.path}"
    if role is None:
        return OPEN
    principal = identify(request)
    if principal is None:
        info["detail"] = "credentials missing or invalid"
        raise AuthError(UNAUTHORIZED, "unauthorized", 401)
    info.update(who=principal.name, via=principal.via)
    if not principal.may_use(kb):
        raise AuthError(f"无权使用知识库“{kb}”", "forbidden_kb", 403)
    if not principal.may(role):
        raise AuthError(f"权限不足：此操作需要{ROLE_NAMES[role]}角色（当前为{ROLE_NAMES[principal.role]}）",
                        "forbidden", 403)
    if not principal.open:
        wait = request.app.state.rate.hit(f"{principal.via}:{principal.id or principal.name}")
        if wait:
            info["retry_after"] = wait
            raise AuthError(f"请求过于频繁，请 {wait} 秒后再试", "rate_limited", 429)
    request.state.principal = principal
    return principal


def api_operations(app: FastAPI) -> list[tuple[str, str]]:
    """(METHOD, path) of every /api operation the app serves, from its OpenAPI schema (the
    public view of its routes, whatever the FastAPI version's routing internals)."""
    return sorted((method.upper(), path) for path, ops in app.openapi()["paths"].items()
                  if path.startswith("/api/") for method in ops)


class Guard:
    """Pure ASGI middleware: refuses oversized bodies before they are read (Content-Length)
    or as soon as they stream past the cap, and writes the audit entry once the response
    status is known."""

    def __init__(self, app: ASGIApp, settings: Settings, trail: AuditTrail) -> None:
        self.app, self.settings, self.trail = app, settings, trail

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        multipart = b"multipart/" in headers.get(b"content-type", b"")
        limit = self.settings.max_request_mb * 2**20 if multipart else self.settings.max_json_kb * 1024
        message = (f"请求内容超过上限 {self.settings.max_request_mb} MB，请分批上传" if multipart
                   else f"请求内容超过上限 {self.settings.max_json_kb} KB")
        status: dict[str, int] = {}
        try:
            length = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            length = 0
        if length > limit:
            await self._refuse(scope, send, 413, "too_large", message)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    # FastAPI re-raises HTTPException from body parsing; the app's handler
                    # turns it into the usual error shape.
                    raise StarletteHTTPException(413, message)
            return msg

        async def watched(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                status["code"] = msg["status"]
                info = scope.get(AUDIT_SCOPE) or {}
                if msg["status"] == 429 and info.get("retry_after"):
                    msg.setdefault("headers", []).append((b"retry-after", str(info["retry_after"]).encode()))
                # Written before the response leaves: whoever sees the answer can already
                # find its entry in the trail.
                await self._audit(scope, msg["status"])
            await send(msg)

        try:
            await self.app(scope, counted, watched)
        finally:
            if "code" not in status:
                await self._audit(scope, 500)

    async def _refuse(self, scope: Scope, send: Send, code: int, err: str, message: str) -> None:
        response = JSONResponse({"error": {"code": err, "message": message}}, status_code=code,
                                headers={"Connection": "close"})
        scope[AUDIT_SCOPE] = {"who": "-", "via": "unknown", "action": "request", "record": True,
                              "target": f"{scope['method']} {scope['path']}", "detail": message}

        async def nothing() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, nothing, send)
        await self._audit(scope, code)

    async def _audit(self, scope: Scope, code: int) -> None:
        info = scope.get(AUDIT_SCOPE)
        refused = code in (401, 403, 413, 429)
        if not info and not refused:
            return
        info = info or {"who": "-", "via": "unknown", "action": "request",
                        "target": f"{scope['method']} {scope['path']}"}
        if not (info.get("record") or refused):
            return
        outcome = "ok" if code < 400 else "denied" if refused else "failed"
        client = scope.get("client")
        await anyio.to_thread.run_sync(lambda: self.trail.record(
            info.get("who", "-"), info.get("via", "unknown"), info.get("action", "request"),
            target=info.get("target", ""), kb=info.get("kb", ""), outcome=outcome, status=code,
            ip=info.get("ip") or (client[0] if client else ""), detail=info.get("detail", "")))


def install(app: FastAPI, settings: Settings) -> None:
    """The access store, audit trail, rate limiter, error handler and guard middleware."""
    store = AccessStore.for_home(settings.home)
    app.state.access = store
    app.state.audit = AuditTrail(store)
    app.state.rate = RateLimiter(settings.rate_limit_per_minute)
    app.state.login_rate = RateLimiter(settings.login_attempts_per_minute)
    app.add_middleware(Guard, settings=settings, trail=app.state.audit)

    @app.exception_handler(AuthError)
    async def _auth(request: Request, exc: AuthError) -> JSONResponse:
        info = request.scope.get(AUDIT_SCOPE)
        if info is not None and not info.get("detail"):
            info["detail"] = exc.code
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"error": {"code": exc.code, "message": str(exc)}}, status_code=exc.status,
                            headers=headers)
