from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from api.deps import get_kb
from api.schemas import AnswerResponse, AskRequest, SearchRequest, SearchResponse
from policykb.service import KnowledgeBase

router = APIRouter(tags=["检索与问答"])


@router.post("/search", response_model=SearchResponse, summary="检索段落")
def search(req: SearchRequest, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    filters = req.filters.model_dump() if req.filters else None
    return kb.search(req.query, top_k=req.top_k, filters=filters, mode=req.mode).to_dict()


@router.post("/ask", response_model=AnswerResponse, summary="提问（答案每句带引用）")
def ask(req: AskRequest, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    filters = req.filters.model_dump() if req.filters else None
    return kb.ask(req.question, filters=filters).to_dict()


@router.get("/passages/{chunk_id}/similar", response_model=SearchResponse, summary="更多相似段落")
def similar(chunk_id: str, top_k: int = Query(10, ge=1, le=50), kb: KnowledgeBase = Depends(get_kb)) -> dict:
    return kb.similar(chunk_id, top_k=top_k).to_dict()
