from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from policykb.api.deps import get_kb
from policykb.api.schemas import (
    NOT_FOUND_RESPONSE,
    AnswerResponse,
    AskRequest,
    SearchRequest,
    SearchResponse,
    service_filters,
)

from policykb.filters import FilterError, SearchFilters
from policykb.service import KnowledgeBase, KnowledgeBaseError

router = APIRouter(tags=["检索与问答"])
log = logging.getLogger("policykb.api")

_SSE_DOC = """With `?stream=true` the answer comes as server-sent events (`text/event-stream`):
`event: delta` with `{"text": "…", "supported": true}` for each piece of the answer (a model's
answer arrives sentence by sentence, each only after its citations were checked; a sentence its
passages do not support comes with `"supported": false`), then one `event: done` whose
data is the whole answer (the same JSON as without streaming, citations included); on failure
one `event: error` with `{"code", "message"}`."""


@router.post("/search", response_model=SearchResponse, summary="检索段落")
def search(req: SearchRequest, request: Request, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    filters = service_filters(req.filters)
    if req.kbs:  # several libraries at once (policykb/libraries.py)
        from policykb.libraries import search_across

        kbs = [request.app.state.libraries.get(name) for name in dict.fromkeys(req.kbs)]
        return search_across(kbs, req.query, top_k=req.top_k, filters=filters, mode=req.mode).to_dict()
    return kb.search(req.query, top_k=req.top_k, filters=filters, mode=req.mode).to_dict()


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _answer_events(kb: KnowledgeBase, question: str, filters: SearchFilters | None) -> Iterator[str]:
    try:
        for kind, payload in kb.ask_stream(question, filters=filters):
            if kind == "delta":
                yield sse("delta", payload if isinstance(payload, dict) else {"text": payload})
            else:
                yield sse(kind, payload)
    except (KnowledgeBaseError, FilterError) as exc:
        yield sse("error", {"code": getattr(exc, "code", "bad_filter"), "message": str(exc)})
    except Exception:  # the stream has started: report in-band, never a stack trace
        log.exception("streaming answer failed")
        yield sse("error", {"code": "internal_error", "message": "生成回答时出错，请稍后重试或联系管理员"})


@router.post(
    "/ask",
    response_model=AnswerResponse,
    summary="提问（答案每句带引用）",
    description="答案中的 [n] 对应 citations 中编号为 n 的段落。\n\n" + _SSE_DOC,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
def ask(req: AskRequest, stream: bool = Query(False, description="以 SSE 流式返回答案"),
        kb: KnowledgeBase = Depends(get_kb)) -> Any:
    filters = service_filters(req.filters)
    if stream:
        return StreamingResponse(
            _answer_events(kb, req.question, filters),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return kb.ask(req.question, filters=filters).to_dict()


@router.get("/passages/{chunk_id}/similar", response_model=SearchResponse, summary="更多相似段落",
            responses=NOT_FOUND_RESPONSE)
def similar(
    chunk_id: str,
    top_k: int = Query(10, ge=1, le=50),
    issuer: str | None = None,
    doc_type: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    kb: KnowledgeBase = Depends(get_kb),
) -> dict:
    filters = {"issuer": issuer, "doc_type": doc_type, "date_from": date_from, "date_to": date_to}
    return kb.similar(chunk_id, top_k=top_k, filters=filters).to_dict()
