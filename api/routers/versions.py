"""Validity, versions, citations between documents and 新旧对照 (policykb/lineage.py,
policykb/compare.py); thin skins over the service."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from policykb.api.deps import get_kb
from policykb.api.schemas import (
    NOT_FOUND_RESPONSE,
    CompareResponse,
    DocumentLineage,
    ValidityEdit,
)
from starlette.background import BackgroundTask

from policykb.service import KnowledgeBase

router = APIRouter(tags=["时效与版本"])


def _doc_brief(doc) -> dict:  # type: ignore[no-untyped-def]
    return {"id": doc.id, "title": doc.title, "date": doc.date, "validity": doc.validity}


@router.get("/documents/{doc_id}/lineage", response_model=DocumentLineage,
            summary="文档的时效性、历史版本、本文引用与被引用", responses=NOT_FOUND_RESPONSE)
def lineage(doc_id: str, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    return {"id": doc_id, **kb.document_lineage(doc_id)}


@router.put("/documents/{doc_id}/validity", response_model=DocumentLineage,
            summary="人工设定时效性、版本族或替代文件（优先于自动识别）", responses=NOT_FOUND_RESPONSE)
def set_validity(doc_id: str, edit: ValidityEdit, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    kb.set_validity(doc_id, validity=edit.validity, family=edit.family, superseded_by=edit.superseded_by,
                    clear=edit.clear)
    return {"id": doc_id, **kb.document_lineage(doc_id)}


@router.get("/compare", response_model=CompareResponse, summary="新旧对照：逐条比较两个版本",
            description="条文按内容对齐（条序调整的条文也能对上）：未变 / 修改 / 新增 / 删除，修改处列出词语差异。"
                        "`format=docx` 返回三栏《新旧条文对照表》。")
def compare(old: str = Query(..., description="原文档（ID、文号或标题）"),
            new: str = Query(..., description="修订后文档（ID、文号或标题）"),
            format: str = Query("json", pattern="^(json|docx)$"),
            only_changes: bool = Query(False, description="对照表中略去未变且条序未变的条文"),
            kb: KnowledgeBase = Depends(get_kb)):  # type: ignore[no-untyped-def]
    result = kb.compare(old, new)
    old_doc, new_doc = kb.document_by_ref(old), kb.document_by_ref(new)
    if format == "docx":
        import os
        import tempfile

        from policykb.compare_docx import write_docx

        fd, path = tempfile.mkstemp(suffix=".docx")
        os.close(fd)
        write_docx(result, f"《{old_doc.title}》", f"《{new_doc.title}》", path, only_changes=only_changes)
        return FileResponse(path, filename="新旧条文对照表.docx", background=BackgroundTask(os.unlink, path),
                            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return {**result.to_dict(), "old_document": _doc_brief(old_doc), "new_document": _doc_brief(new_doc)}
