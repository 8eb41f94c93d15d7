from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile
from policykb.api.deps import get_kb, get_settings
from policykb.api.errors import ApiError
from policykb.api.schemas import (
    NOT_FOUND_RESPONSE,
    DocumentDetail,
    DocumentList,
    DocumentSummary,
    DocumentText,
    UploadResponse,
)

from policykb.config import Settings
from policykb.service import KnowledgeBase

router = APIRouter(tags=["文档管理"])

_METADATA_FIELDS = ("title", "doc_no", "issuer", "date", "doc_type", "region", "supersedes", "validity")


def _summary(doc: Any) -> dict[str, Any]:
    data = asdict(doc)
    return {k: data[k] for k in DocumentSummary.model_fields if k in data}


@router.get("/documents", response_model=DocumentList, summary="文档列表")
def list_documents(
    issuer: str | None = Query(None, description="发文机关（包含即可）"),
    doc_type: str | None = Query(None, description="文种"),
    date_from: str | None = Query(None, description="起始日期：2026、2026-01、2026-01-15 或 2026Q1"),
    date_to: str | None = Query(None, description="截止日期，格式同上"),
    q: str | None = Query(None, description="标题包含"),
    validity: str | None = Query(None, description="时效性：现行有效 / 已修订 / 已废止 / 尚未生效"),
    family: str | None = Query(None, description="版本族"),
    sort: str = Query("date_desc", pattern="^(date_desc|date_asc|title|added_desc)$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    kb: KnowledgeBase = Depends(get_kb),
) -> dict:
    docs, total = kb.list_documents(
        {"issuer": issuer, "doc_type": doc_type, "date_from": date_from, "date_to": date_to,
         "validity": validity, "family": family},
        title=q, sort=sort, limit=limit, offset=offset,
    )
    return {"total": total, "offset": offset, "limit": limit, "documents": [_summary(d) for d in docs],
            "reading": kb.reading_jobs() if offset == 0 else []}


@router.get("/documents/{doc_id}", response_model=DocumentDetail, summary="文档详情（元数据、章节、段落）",
            responses=NOT_FOUND_RESPONSE)
def get_document(doc_id: str, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    doc = kb.get_document(doc_id)
    chunks = kb.document_chunks(doc_id)
    sections: list[str] = []
    for c in chunks:
        label = " › ".join(c.section_path)
        if label and label not in sections:
            sections.append(label)
    return {
        **_summary(doc),
        "sections": sections,
        "pages": kb.document_pages(doc_id),
        "chunks": [
            {"id": c.id, "ord": c.ord, "text": c.text, "char_start": c.char_start, "char_end": c.char_end,
             "page": c.page, "section_path": list(c.section_path), "vectorized": bool(c.vec_state)}
            for c in chunks
        ],
    }


@router.get("/documents/{doc_id}/text", response_model=DocumentText, summary="文档全文（用于在上下文中显示段落）",
            responses=NOT_FOUND_RESPONSE)
def document_text(doc_id: str, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    doc = kb.get_document(doc_id)
    return {"id": doc_id, "title": doc.title, "doc_no": doc.doc_no, "issuer": doc.issuer, "date": doc.date,
            "doc_type": doc.doc_type, "filename": doc.filename, "format": doc.format,
            "text": kb.document_text(doc_id), "pages": kb.document_pages(doc_id),
            "scanned_pages": kb.scanned_pages(doc_id)}


@router.get("/documents/{doc_id}/pages/{page}/image", summary="原文件某页的图像（PNG，对照识别文字）",
            response_class=Response,
            responses={**NOT_FOUND_RESPONSE, 200: {"content": {"image/png": {}}, "description": "PNG 图像"}})
def page_image(doc_id: str, page: int = Path(..., ge=1, le=100000), kb: KnowledgeBase = Depends(get_kb)) -> Response:
    return Response(kb.page_image(doc_id, page), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=300"})


@router.delete("/documents/{doc_id}", response_model=DocumentSummary, summary="删除文档",
               responses=NOT_FOUND_RESPONSE)
def delete_document(doc_id: str, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    return _summary(kb.delete_document(doc_id))


def _overrides(metadata: str | None, fields: dict[str, str | None]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    if metadata:
        try:
            given = json.loads(metadata)
            if not isinstance(given, dict):
                raise ValueError
        except ValueError as exc:
            raise ApiError(400, "bad_metadata", "metadata 字段不是有效的 JSON 对象") from exc
        out.update(given)
    out.update(fields)
    out = {k: v.strip() if isinstance(v, str) else v for k, v in out.items()}
    return {k: v for k, v in out.items() if v not in (None, "")} or None


@router.post("/documents", response_model=UploadResponse, summary="上传文档（可多个）")
def upload(
    files: list[UploadFile] = File(..., description="一个或多个文件（pdf、docx、txt、md、html、ofd，扫描件 png、jpg、tif）"),
    title: str | None = Form(None, description="标题（覆盖自动识别）"),
    doc_no: str | None = Form(None, description="发文字号，如 江组发〔2026〕3号"),
    issuer: str | None = Form(None, description="发文机关"),
    date: str | None = Form(None, description="成文日期，如 2026-01-24"),
    doc_type: str | None = Form(None, description="文种，如 通知、办法、讲话、案例"),
    region: str | None = Form(None, description="地区"),
    supersedes: str | None = Form(None, description="被本文件替代的旧文件（id、文号或标题）"),
    validity: str | None = Form(None, description="时效性（现行有效 / 已修订 / 已废止 / 尚未生效），不填则自动识别"),
    metadata: str | None = Form(None, description='也可用 JSON 给出元数据，如 {"issuer": "…", "date": "2026-01-24"}'),
    kb: KnowledgeBase = Depends(get_kb),
    settings: Settings = Depends(get_settings),
) -> dict:
    """Each file is checked by content as well as by name (size limit, real type) and is
    reported on its own: a bad file fails, the others go in. Returns once the files are
    keyword-searchable; their vectors follow in the background (`pending_vectors`)."""
    given = {"title": title, "doc_no": doc_no, "issuer": issuer, "date": date, "doc_type": doc_type,
             "region": region, "supersedes": supersedes, "validity": validity}
    overrides = _overrides(metadata, {k: given[k] for k in _METADATA_FIELDS})
    if len(files) > settings.max_upload_files:
        raise ApiError(413, "too_many_files", f"一次最多上传 {settings.max_upload_files} 个文件，请分批上传")
    limit = settings.max_upload_mb * 2**20
    results = []
    for upload_file in files:
        data = upload_file.file.read(limit + 1)  # one byte over is enough to refuse
        result = kb.ingest_upload(upload_file.filename or "upload", data, overrides=overrides)
        results.append(result.to_dict())
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"files": results, "counts": counts, "pending_vectors": kb.pending_vectors()}
