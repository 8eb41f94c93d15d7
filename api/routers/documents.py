from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from api.deps import get_kb, get_settings
from api.errors import ApiError
from api.schemas import DocumentDetail, DocumentList, DocumentSummary, DocumentText, UploadResponse
from policykb.config import Settings
from policykb.service import KnowledgeBase

router = APIRouter(tags=["文档管理"])

_ALLOWED = {".pdf", ".docx", ".txt", ".md", ".html", ".htm"}


def _summary(doc: Any) -> dict[str, Any]:
    data = asdict(doc)
    return {k: data[k] for k in DocumentSummary.model_fields if k in data}


def safe_filename(name: str) -> str:
    """Keep the user's (often Chinese) name, but never a path, a control character, a
    leading dot or dash, or more than 120 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", name).strip().lstrip(".-").strip()
    stem, suffix = (name.rsplit(".", 1) + [""])[:2] if "." in name else (name, "")
    stem = stem[:100] or "upload"
    return f"{stem}.{suffix[:10]}" if suffix else stem


@router.get("/documents", response_model=DocumentList, summary="文档列表")
def list_documents(
    issuer: str | None = None,
    doc_type: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    q: str | None = Query(None, description="标题包含"),
    sort: str = Query("date_desc", pattern="^(date_desc|date_asc|title|added_desc)$"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    kb: KnowledgeBase = Depends(get_kb),
) -> dict:
    docs, total = kb.list_documents(
        {"issuer": issuer, "doc_type": doc_type, "date_from": date_from, "date_to": date_to},
        title=q, sort=sort, limit=limit, offset=offset,
    )
    return {"total": total, "offset": offset, "limit": limit, "documents": [_summary(d) for d in docs]}


@router.get("/documents/{doc_id}", response_model=DocumentDetail, summary="文档详情")
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
        "pages": kb.registry.document_pages(doc_id),
        "chunks": [
            {"id": c.id, "ord": c.ord, "text": c.text, "char_start": c.char_start, "char_end": c.char_end,
             "page": c.page, "section_path": list(c.section_path), "vectorized": bool(c.vec_state)}
            for c in chunks
        ],
    }


@router.get("/documents/{doc_id}/text", response_model=DocumentText, summary="文档全文（用于在上下文中显示段落）")
def document_text(doc_id: str, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    doc = kb.get_document(doc_id)
    return {"id": doc_id, "title": doc.title, "text": kb.document_text(doc_id),
            "pages": kb.registry.document_pages(doc_id)}


@router.delete("/documents/{doc_id}", response_model=DocumentSummary, summary="删除文档")
def delete_document(doc_id: str, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    return _summary(kb.delete_document(doc_id))


@router.post("/documents", response_model=UploadResponse, summary="上传文档（可多个）")
async def upload(
    files: list[UploadFile] = File(..., description="一个或多个文件"),
    metadata: str | None = Form(None, description='可选的元数据 JSON，如 {"issuer": "…", "date": "2026-01-24"}'),
    kb: KnowledgeBase = Depends(get_kb),
    settings: Settings = Depends(get_settings),
) -> dict:
    """Each file is checked by content as well as by name; a bad file is reported and the
    others go in. Returns after the keyword phase: vectors follow in the background."""
    overrides: dict[str, Any] | None = None
    if metadata:
        try:
            overrides = {k: v for k, v in json.loads(metadata).items() if v not in (None, "")}
        except (ValueError, AttributeError) as exc:
            raise ApiError(400, "bad_metadata", "metadata 字段不是有效的 JSON 对象") from exc
    limit = settings.max_upload_mb * 2**20
    folder = kb.dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for upload_file in files:
        name = safe_filename(upload_file.filename or "upload")
        suffix = Path(name).suffix.lower()
        if suffix not in _ALLOWED:
            results.append({"path": name, "status": "failed", "code": "unsupported_type",
                            "message": f"不支持的文件类型：{suffix or '无扩展名'}（支持 pdf、docx、txt、md、html）"})
            continue
        data = await upload_file.read(limit + 1)
        if len(data) > limit:
            results.append({"path": name, "status": "failed", "code": "too_large",
                            "message": f"文件超过上传上限 {settings.max_upload_mb} MB"})
            continue
        target = folder / name
        target.write_bytes(data)
        result = kb.ingest_file(target, overrides=overrides, display_name=name)
        if result.status == "failed":
            target.unlink(missing_ok=True)
        results.append(result.to_dict())
    if kb.worker is not None:
        kb.worker.wake()
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"files": results, "counts": counts, "pending_vectors": kb.registry.pending_count()}
