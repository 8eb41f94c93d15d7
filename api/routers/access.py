"""Sign-in, accounts, API keys and the audit trail. Rules per route are in
api/security.py (RULES); these handlers only call the access store."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from policykb.api.schemas import NOT_FOUND_RESPONSE
from policykb.api.security import (
    AUDIT_SCOPE,
    SESSION_COOKIE,
    access,
    authorize,
    client_ip,
    credentials,
)
from pydantic import BaseModel, Field

from policykb.audit import SinceError, to_csv
from policykb.auth import SESSION_SECONDS, AuthError, Principal

router = APIRouter(tags=["账户与审计"])

Role = Literal["reader", "editor", "admin"]


class LoginRequest(BaseModel):
    name: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=1, max_length=256)


class Me(BaseModel):
    name: str
    via: str
    role: str
    kbs: list[str]
    open: bool = Field(False, description="尚未创建任何账户或密钥：接口对本机开放")


class AccountModel(BaseModel):
    name: str
    role: str
    kbs: list[str]
    disabled: bool
    locked: bool
    created_at: str
    last_login: str | None


class AccountCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=64)
    password: str = Field(..., min_length=8, max_length=256)
    role: Role = "reader"
    kbs: list[str] = Field([], max_length=100, description="可使用的知识库；为空表示全部")


class AccountUpdate(BaseModel):
    role: Role | None = None
    kbs: list[str] | None = Field(None, max_length=100)
    disabled: bool | None = None
    password: str | None = Field(None, min_length=8, max_length=256)
    unlock: bool = False


class KeyModel(BaseModel):
    id: str
    name: str
    role: str
    kbs: list[str]
    created_at: str
    created_by: str
    revoked_at: str | None
    last_used: str | None


class KeyCreate(BaseModel):
    name: str = Field(..., min_length=1, max_length=64)
    role: Role = "reader"
    kbs: list[str] = Field([], max_length=100)


class KeyCreated(BaseModel):
    id: str
    key: str = Field(..., description="密钥只显示这一次，请妥善保存")
    name: str
    role: str


class AuditEvent(BaseModel):
    id: int
    at: str
    who: str
    via: str
    action: str
    target: str
    kb: str
    outcome: str
    status: int | None
    ip: str
    detail: str


class AuditList(BaseModel):
    events: list[AuditEvent]


def _me(p: Principal) -> dict[str, Any]:
    return {"name": p.name, "via": p.via, "role": p.role, "kbs": list(p.kbs), "open": p.open}


def _no_first_admin_over_http(p: Principal) -> None:
    if p.open:
        raise AuthError("请先在命令行创建第一个管理员账户：policykb users create 名称 --role admin", "no_admin", 403)


@router.post("/auth/login", response_model=Me, summary="登录（设置会话 Cookie）")
def login(req: LoginRequest, request: Request, response: Response) -> dict[str, Any]:
    store, _ = access(request)
    request.scope[AUDIT_SCOPE].update(who=req.name, via="account", target=req.name)
    # Per address, before the (deliberately slow) password check: guessing across many
    # accounts is slowed as well, and sign-ins cannot be used to tie up the processor.
    wait = request.app.state.login_rate.hit(f"login:{client_ip(request)}")
    if wait:
        request.scope[AUDIT_SCOPE]["retry_after"] = wait
        raise AuthError(f"登录尝试过于频繁，请 {wait} 秒后再试", "rate_limited", 429)
    principal = store.sign_in(req.name, req.password)
    response.set_cookie(SESSION_COOKIE, store.start_session(principal), max_age=SESSION_SECONDS, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/")
    return _me(principal)


@router.post("/auth/logout", summary="退出登录")
def logout(request: Request, response: Response) -> dict[str, bool]:
    store, _ = access(request)
    _, session = credentials(request)
    if session:
        who = store.session(session)
        if who:
            request.scope[AUDIT_SCOPE].update(who=who.name, via=who.via, target=who.name)
        store.end_session(session)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return {"ok": True}


@router.get("/auth/me", response_model=Me, summary="当前身份")
def me(principal: Principal = Depends(authorize)) -> dict[str, Any]:
    return _me(principal)


@router.get("/accounts", response_model=list[AccountModel], summary="账户列表")
def list_accounts(request: Request) -> list[dict]:
    return access(request)[0].list_accounts()


@router.post("/accounts", response_model=AccountModel, summary="创建账户")
def create_account(req: AccountCreate, request: Request, principal: Principal = Depends(authorize)) -> dict:
    _no_first_admin_over_http(principal)
    return access(request)[0].create_account(req.name, req.password, req.role, req.kbs)


@router.patch("/accounts/{name}", response_model=AccountModel, summary="修改账户（角色、知识库、停用、密码、解锁）", responses=NOT_FOUND_RESPONSE)
def update_account(name: str, req: AccountUpdate, request: Request) -> dict:
    return access(request)[0].update_account(name, role=req.role, kbs=req.kbs, disabled=req.disabled,
                                             password=req.password, unlock=req.unlock)


@router.get("/keys", response_model=list[KeyModel], summary="访问密钥列表（不含密钥本身）")
def list_keys(request: Request) -> list[dict]:
    return access(request)[0].list_keys()


@router.post("/keys", response_model=KeyCreated, summary="创建访问密钥（只显示一次）")
def create_key(req: KeyCreate, request: Request, principal: Principal = Depends(authorize)) -> dict:
    _no_first_admin_over_http(principal)
    record, secret = access(request)[0].create_key(req.name, req.role, req.kbs, created_by=principal.name)
    return {"id": record["id"], "key": secret, "name": record["name"], "role": record["role"]}


@router.delete("/keys/{key_id}", response_model=KeyModel, summary="吊销访问密钥", responses=NOT_FOUND_RESPONSE)
def revoke_key(key_id: str, request: Request) -> dict:
    return access(request)[0].revoke_key(key_id)


def _events(request: Request, since: str | None, who: str | None, action: str | None, outcome: str | None,
            limit: int) -> list[dict]:
    try:
        return access(request)[1].events(since=since, who=who, action=action, outcome=outcome, limit=limit)
    except SinceError as exc:
        raise AuthError(str(exc), "bad_since", 400) from exc


_since = Query(None, max_length=40, description="起始时间：2026-12-01、2026-12-01T08:00、24h、7d")
_who = Query(None, max_length=64, description="操作者（账户或密钥名称）")
_action = Query(None, max_length=40, description="操作，如 login、search、upload、key")
_outcome = Query(None, pattern="^(ok|denied|failed)$")


@router.get("/audit", response_model=AuditList, summary="审计记录（最新在前）")
def audit(request: Request, since: str | None = _since, who: str | None = _who, action: str | None = _action,
          outcome: str | None = _outcome, limit: int = Query(200, ge=1, le=5000)) -> dict:
    return {"events": _events(request, since, who, action, outcome, limit)}


@router.get("/audit.csv", summary="导出审计记录（CSV）", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def audit_csv(request: Request, since: str | None = _since, who: str | None = _who, action: str | None = _action,
              outcome: str | None = _outcome, limit: int = Query(5000, ge=1, le=100_000)) -> Response:
    body = to_csv(_events(request, since, who, action, outcome, limit))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=audit.csv"})
