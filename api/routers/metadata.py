"""Metadata by hand: PATCH /api/documents/{id} changes a document's title, 文号, issuer, date
or type (recorded with who and when, kept through re-ingest); GET …/edits lists those
changes; GET /api/metadata/missing lists what a date or issuer filter cannot find."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from policykb.api.deps import get_kb
from policykb.api.schemas import NOT_FOUND_RESPONSE, DocumentSummary
from pydantic import BaseModel, Field

from policykb.service import KnowledgeBase

router = APIRouter(tags=["文档管理"])


class DocumentEdit(BaseModel):
    """Only the fields given change; "" clears one."""

    title: str | None = Field(None, max_length=300, description="标题")
    doc_no: str | None = Field(None, max_length=100, description="发文字号，如 江组发〔2026〕3号")
    issuer: str | None = Field(None, max_length=300, description="发文机关，多个用、分隔")
    date: str | None = Field(None, max_length=40, description="成文日期：2026-01-24、2026年1月24日、2026-01 或 2026")
    doc_type: str | None = Field(None, max_length=50, description="文种，如 通知、意见、办法")
    region: str | None = Field(None, max_length=50, description="地区")
    editor: str | None = Field(None, max_length=100, description="修改人（记入修改记录）；缺省时记为调用方地址")
    source: str = Field("api", pattern="^(api|page)$", description="修改来源：api 或 page（文库页面）")


class EditModel(BaseModel):
    id: int
    doc_id: str
    field: str
    old_value: str | None
    new_value: str | None
    source: str
    editor: str
    at: str


class DocumentEditResult(BaseModel):
    document: DocumentSummary
    changed: list[str] = Field(description="值有变化的字段")


class EditList(BaseModel):
    doc_id: str
    edits: list[EditModel]


class MissingList(BaseModel):
    counts: dict[str, int] = Field(description="undated：无日期，unattributed：无发文机关，total：缺其一")
    documents: list[DocumentSummary]


def _summary(doc: Any) -> dict[str, Any]:
    data = asdict(doc)
    return {k: data[k] for k in DocumentSummary.model_fields if k in data}


@router.patch("/documents/{doc_id}", response_model=DocumentEditResult, summary="修改文档元数据", responses=NOT_FOUND_RESPONSE)
def edit_document(doc_id: str, body: DocumentEdit, request: Request, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    changes = body.model_dump(exclude_unset=True, exclude={"editor", "source"})
    changes = {k: v for k, v in changes.items() if v is not None}
    # Who: the signed-in account or key when there is one (the audit trail names it too),
    # else the name the caller gives, else its address.
    principal = getattr(request.state, "principal", None)
    signed_in = principal is not None and not getattr(principal, "open", True)
    if signed_in:
        editor = principal.name + (f"（{body.editor}）" if body.editor and body.editor != principal.name else "")
    else:
        editor = body.editor or f"接口调用 {request.client.host if request.client else ''}".strip()
    doc, changed = kb.edit_document(doc_id, changes, editor=editor, source=body.source)
    return {"document": _summary(doc), "changed": changed}


@router.get("/documents/{doc_id}/edits", response_model=EditList, summary="文档元数据修改记录", responses=NOT_FOUND_RESPONSE)
def document_edits(doc_id: str, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    return {"doc_id": doc_id, "edits": [asdict(e) for e in kb.document_edits(doc_id)]}


@router.get("/metadata/missing", response_model=MissingList, summary="缺少日期或发文机关的文档")
def missing_metadata(limit: int = Query(500, ge=1, le=5000), kb: KnowledgeBase = Depends(get_kb)) -> dict:
    docs, counts = kb.documents_missing_metadata(limit=limit)
    return {"counts": counts, "documents": [_summary(d) for d in docs]}
