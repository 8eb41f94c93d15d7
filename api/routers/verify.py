from __future__ import annotations

from fastapi import APIRouter, Depends
from policykb.api.deps import get_kb
from policykb.api.schemas import VerifyRequest, VerifyResponse, service_filters

from policykb.service import KnowledgeBase

router = APIRouter(tags=["引文核对"])


@router.post(
    "/verify",
    response_model=VerifyResponse,
    summary="核对文稿中的引文（三审三校）",
    description="文稿中每处引号内的引文和引述政策的句子：与原文一致（exact）、有出入（close，逐处列出差异）"
                "或未找到（not_found），并给出出处段落。",
)
def verify(req: VerifyRequest, kb: KnowledgeBase = Depends(get_kb)) -> dict:
    return kb.verify(req.text, filters=service_filters(req.filters)).to_dict()
