"""POST /api/digest compiles a quarter's 《政策解读汇编》 and returns it as JSON with download
links; GET /api/digest/download/{token}.{docx|md} serves the exported file. Exports are kept
under the knowledge base's folder (digests/) for a day."""
from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from policykb.api.deps import get_kb
from policykb.api.errors import ApiError
from policykb.api.schemas import Citation
from policykb.service import KnowledgeBase

router = APIRouter(tags=["政策解读汇编"])

KEEP_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^(\d{4}Q[1-4])-[0-9a-f]{16}$")
_MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}


class DigestRequest(BaseModel):
    quarter: str = Field(..., min_length=4, max_length=20, examples=["2026Q1"], description="季度：2026Q1 或 2026年第一季度")
    topics: list[str] | None = Field(None, max_length=30, description="主题名称；为空则使用配置的主题列表",
                                     examples=[["干部选拔任用", "基层党建", "作风建设"]])
    issuer: str | None = Field(None, max_length=100, description="发文机关（包含即可）")
    doc_type: str | None = Field(None, max_length=50, description="文种，如 通知、意见、办法")
    format: str = Field("all", pattern="^(all|docx|md|json)$",
                        description="生成哪些下载文件：all（docx 与 md）、docx、md、json（只返回 JSON）")
    interpret: bool = Field(True, description="配置了大模型时为每份文件撰写解读")


class KeyPointModel(BaseModel):
    text: str
    truncated: bool = False
    citation: Citation


class EntryModel(BaseModel):
    doc_id: str
    title: str | None
    doc_no: str | None
    issuer: str | None
    date: str | None
    doc_type: str | None = None
    filename: str
    topic_score: float = 0.0
    key_points: list[KeyPointModel]
    interpretation: str | None = None


class TopicModel(BaseModel):
    name: str
    description: str = ""
    documents: list[EntryModel]


class UndatedModel(BaseModel):
    doc_id: str
    title: str | None
    doc_no: str | None
    issuer: str | None
    date: str | None
    doc_type: str | None = None
    filename: str
    reason: str


class DigestResponse(BaseModel):
    quarter: str
    label: str
    title: str
    period: dict[str, str]
    filters: dict[str, str | None]
    generated_at: str
    topics: list[TopicModel]
    undated: list[UndatedModel]
    left_out: dict[str, int] = Field({}, description="按发文机关筛选时排除的未标注发文机关文件数：{\"unattributed\": n}")
    downloads: dict[str, str | None]


def digest_dir(kb: KnowledgeBase) -> Path:
    return kb.dir / "digests"


def _prune(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*"):
        try:
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


@router.post("/digest", response_model=DigestResponse, summary="编制季度政策解读汇编")
def compile_digest(req: DigestRequest, kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    from policykb.digest import write_digest

    result = kb.digest(req.quarter, topics=req.topics, issuer=req.issuer, doc_type=req.doc_type,
                       interpret=req.interpret)
    downloads: dict[str, str | None] = {"docx": None, "md": None}
    formats = {"all": ("docx", "md"), "docx": ("docx",), "md": ("md",), "json": ()}[req.format]
    if formats:
        folder = digest_dir(kb)
        folder.mkdir(parents=True, exist_ok=True)
        _prune(folder)
        token = f"{result.quarter}-{secrets.token_hex(8)}"
        for fmt in formats:
            write_digest(result, folder / f"{token}.{fmt}")
            downloads[fmt] = f"/api/digest/download/{token}.{fmt}"
    return {**result.to_dict(), "downloads": downloads}


@router.get("/digest/download/{filename}", summary="下载汇编文件（.docx 或 .md）",
            response_class=FileResponse, responses={200: {"content": {_MEDIA["docx"]: {}, "text/markdown": {}}}})
def download_digest(filename: str, kb: KnowledgeBase = Depends(get_kb)) -> FileResponse:
    token, _, fmt = filename.rpartition(".")
    m = _TOKEN.match(token)
    if not m or fmt not in _MEDIA:
        raise ApiError(404, "not_found", "汇编文件不存在或已过期，请重新生成")
    path = digest_dir(kb) / f"{token}.{fmt}"
    if not path.is_file():
        raise ApiError(404, "not_found", "汇编文件不存在或已过期，请重新生成")
    return FileResponse(path, media_type=_MEDIA[fmt], filename=f"政策解读汇编_{m.group(1)}.{fmt}")
