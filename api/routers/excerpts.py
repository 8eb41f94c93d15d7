"""POST /api/excerpts compiles a thematic 论述摘编 (policykb/excerpts) and returns it as JSON
with download links; GET /api/excerpts/download/{token}.{docx|md} serves the exported file
(kept for a day under the knowledge base's folder, excerpts/). The editor's renames and
moves of sub-themes travel with the request (`groups`), so the page can re-compile with them."""
from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from policykb.api.deps import get_kb
from policykb.api.downloads import DOWNLOAD_RESPONSES, MEDIA, publish, stored
from pydantic import BaseModel, Field

from policykb.service import KnowledgeBase

router = APIRouter(tags=["论述摘编"])

_TOKEN = re.compile(r"^excerpts-[0-9a-f]{16}$")


class GroupEdits(BaseModel):
    rename: dict[str, str] = Field({}, description="分组改名：{原分组名（auto_name）: 新名}")
    assign: dict[str, str] = Field({}, description="移动论述：{论述编号 id: 分组名}；分组名不存在时新建该组")


class ExcerptsRequest(BaseModel):
    topic: str = Field(..., min_length=1, max_length=100, examples=["生态文明"], description="主题")
    date_from: str | None = Field(None, max_length=20, examples=["2020-01-01"], description="起始日期")
    date_to: str | None = Field(None, max_length=20, examples=["2020-12-31"], description="截止日期")
    doc_type: str | None = Field(None, max_length=50, examples=["讲话"], description="文种")
    issuer: str | None = Field(None, max_length=100, description="发文机关（包含即可）")
    max: int | None = Field(None, ge=1, le=300, description="最多收录的论述条数（默认 60）")
    mode: str = Field("hybrid", pattern="^(hybrid|keyword)$", description="hybrid：有向量时也看语义相近度；keyword：只看词语")
    groups: GroupEdits | None = Field(None, description="编辑对分组的调整")
    format: str = Field("all", pattern="^(all|docx|md|json)$",
                        description="生成哪些下载文件：all（docx 与 md）、docx、md、json（只返回 JSON）")


class SourceModel(BaseModel):
    doc_id: str
    title: str | None
    date: str | None
    occasion: str | None = Field(None, description="讲话标题（场合），如 在…上的讲话；文中没有时为空")
    speaker: str | None = None
    citation: str = Field(..., description="出处，如 （《在…上的讲话》，2020年1月8日）")
    text: str = Field(..., description="这一出处的原文")
    char_start: int
    char_end: int


class ExcerptModel(BaseModel):
    id: str = Field(..., description="论述编号（移动分组时引用）")
    text: str
    doc_id: str = Field(..., description="最早出处的文档")
    title: str | None
    date: str | None
    occasion: str | None
    speaker: str | None = None
    citation: str = Field(..., description="全部出处，最早的在前")
    sources: list[SourceModel]
    topic_terms: list[str] = []
    score: float = 0.0


class GroupModel(BaseModel):
    name: str
    auto_name: str = Field(..., description="聚类得出的分组名（改名时引用）")
    terms: list[str] = []
    excerpts: list[ExcerptModel]


class ExcerptsResponse(BaseModel):
    topic: str
    title: str
    terms: dict[str, list[str]]
    filters: dict[str, Any]
    generated_at: str
    groups: list[GroupModel]
    counts: dict[str, int]
    downloads: dict[str, str | None]


def excerpts_dir(kb: KnowledgeBase) -> Path:
    return kb.dir / "excerpts"


@router.post("/excerpts", response_model=ExcerptsResponse, summary="编制论述摘编")
def compile_excerpts(req: ExcerptsRequest, kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    from policykb.excerpts import write_excerpts

    result = kb.excerpts(req.topic, date_from=req.date_from, date_to=req.date_to, doc_type=req.doc_type,
                         issuer=req.issuer, max_excerpts=req.max, mode=req.mode,
                         groups=req.groups.model_dump() if req.groups else None)
    downloads = publish(excerpts_dir(kb), f"excerpts-{secrets.token_hex(8)}", req.format,
                        lambda path: write_excerpts(result, path), "/api/excerpts/download")
    return {**result.to_dict(), "downloads": downloads}


@router.get("/excerpts/download/{filename}", summary="下载论述摘编（.docx 或 .md）",
            response_class=FileResponse, responses=DOWNLOAD_RESPONSES)
def download_excerpts(filename: str, kb: KnowledgeBase = Depends(get_kb)) -> FileResponse:
    path, fmt, _ = stored(excerpts_dir(kb), filename, _TOKEN, "摘编文件不存在或已过期，请重新生成")
    return FileResponse(path, media_type=MEDIA[fmt], filename=f"论述摘编.{fmt}")
