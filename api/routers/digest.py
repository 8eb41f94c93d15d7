"""POST /api/digest compiles a quarter's 《政策解读汇编》 and returns it as JSON with download
links; GET /api/digest/download/{token}.{docx|md} serves the exported file. Exports are kept
under the knowledge base's folder (digests/) for a day. GET/POST /api/digest/layout read and
change the editor's layout (documents moved, groups renamed and ordered), which every later
digest keeps."""
from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from policykb.api.deps import get_kb
from policykb.api.downloads import DOWNLOAD_RESPONSES, MEDIA, publish, stored
from policykb.api.schemas import Citation
from pydantic import BaseModel, Field

from policykb.service import KnowledgeBase

router = APIRouter(tags=["政策解读汇编"])

_TOKEN = re.compile(r"^(\d{4}Q[1-4])-[0-9a-f]{16}$")


class DigestRequest(BaseModel):
    quarter: str = Field(..., min_length=4, max_length=20, examples=["2026Q1"], description="季度：2026Q1 或 2026年第一季度")
    topics: list[str] | None = Field(None, max_length=30, description="主题名称；为空则使用配置的主题列表",
                                     examples=[["干部选拔任用", "基层党建", "作风建设"]])
    issuer: str | None = Field(None, max_length=100, description="发文机关（包含即可）")
    doc_type: str | None = Field(None, max_length=50, description="文种，如 通知、意见、办法")
    format: str = Field("all", pattern="^(all|docx|md|json)$",
                        description="生成哪些下载文件：all（docx 与 md）、docx、md、json（只返回 JSON）")
    interpret: bool = Field(True, description="配置了大模型时为每份文件撰写解读")


class DigestCitation(Citation):
    paragraph: int | None = Field(None, description="段落序号（所在章节内，从 1 起；标题行为空）")
    locator: str = Field("", description="读者可查的出处：章节路径 · 第N段 · 第N页")
    point_start: int | None = Field(None, description="要点在全文中的起始字符位置")
    point_end: int | None = None


class KeyPointModel(BaseModel):
    text: str
    kind: str = Field("statement", description="target 目标 / task 任务 / requirement 要求 / measure 举措 / position / statement")
    detail: str = Field("", description="任务标题所在部分的第一句（原文）")
    truncated: bool = False
    citation: DigestCitation


class EntryModel(BaseModel):
    doc_id: str
    title: str | None
    doc_no: str | None
    issuer: str | None
    date: str | None
    doc_type: str | None = None
    filename: str
    topic_score: float = 0.0
    region: str | None = None
    group_basis: str = Field("topic", description="topic 主题 / kind 文种 / other 其他 / editor 编辑移入")
    moved: bool = False
    key_points: list[KeyPointModel]
    interpretation: str | None = None


class OverviewSentenceModel(BaseModel):
    text: str
    refs: list[int] = []


class OverviewCellModel(BaseModel):
    text: str
    n: int | None = None


class OverviewTableModel(BaseModel):
    caption: str
    columns: list[str]
    rows: list[list[OverviewCellModel]]


class OverviewModel(BaseModel):
    sentences: list[OverviewSentenceModel] = []
    table: OverviewTableModel | None = None
    guide: str | None = Field(None, description="配置了大模型时的导读（每句带引用，经过与回答相同的核对）")


class TopicModel(BaseModel):
    name: str
    description: str = ""
    basis: str = "topic"
    overview: OverviewModel = OverviewModel()
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


class LayoutModel(BaseModel):
    moves: dict[str, str] = Field(default_factory=dict, description="文档编号 → 分组")
    renames: dict[str, str] = Field(default_factory=dict, description="自动分组名 → 新名称")
    order: list[str] = Field(default_factory=list, description="分组顺序")


class MoveModel(BaseModel):
    doc: str = Field(..., min_length=1, max_length=300, description="文档编号、文号或标题")
    group: str = Field(..., min_length=1, max_length=30)


class RenameModel(BaseModel):
    old: str = Field(..., min_length=1, max_length=30)
    new: str = Field(..., min_length=1, max_length=30)


class LayoutChange(BaseModel):
    move: MoveModel | None = None
    unmove: str | None = Field(None, max_length=300, description="取消移动的文档")
    rename: RenameModel | None = None
    order: list[str] | None = Field(None, max_length=50)
    reset: bool = False


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
    layout: LayoutModel
    downloads: dict[str, str | None]


def digest_dir(kb: KnowledgeBase) -> Path:
    return kb.dir / "digests"


@router.post("/digest", response_model=DigestResponse, summary="编制季度政策解读汇编")
def compile_digest(req: DigestRequest, kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    from policykb.digest import write_digest

    result = kb.digest(req.quarter, topics=req.topics, issuer=req.issuer, doc_type=req.doc_type,
                       interpret=req.interpret)
    downloads = publish(digest_dir(kb), f"{result.quarter}-{secrets.token_hex(8)}", req.format,
                        lambda path: write_digest(result, path), "/api/digest/download")
    return {**result.to_dict(), "downloads": downloads}


@router.get("/digest/download/{filename}", summary="下载汇编文件（.docx 或 .md）",
            response_class=FileResponse, responses=DOWNLOAD_RESPONSES)
def download_digest(filename: str, kb: KnowledgeBase = Depends(get_kb)) -> FileResponse:
    path, fmt, m = stored(digest_dir(kb), filename, _TOKEN, "汇编文件不存在或已过期，请重新生成")
    return FileResponse(path, media_type=MEDIA[fmt], filename=f"政策解读汇编_{m.group(1)}.{fmt}")


@router.get("/digest/layout", response_model=LayoutModel, summary="汇编编排（编辑的调整）")
def get_layout(kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    return kb.digest_layout()


@router.post("/digest/layout", response_model=LayoutModel, summary="调整汇编编排：移动文件、重命名或排序分组")
def change_layout(req: LayoutChange, kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    return kb.change_digest_layout(
        move=(req.move.doc, req.move.group) if req.move else None, unmove=req.unmove,
        rename=(req.rename.old, req.rename.new) if req.rename else None, order=req.order, reset=req.reset,
    )
