from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from policykb.api.deps import get_kb
from policykb.api.schemas import Health

from policykb import __version__
from policykb.service import KnowledgeBase

router = APIRouter(tags=["系统"])


@router.get("/health", response_model=Health, summary="健康检查")
def health(kb: KnowledgeBase = Depends(get_kb)) -> dict:
    stats = kb.counts()  # never waits long for a write in progress
    return {"status": "ok", "kb": kb.name, "documents": stats["documents"], "chunks": stats["chunks"],
            "pending_vectors": stats["pending_vectors"], "version": __version__}


@router.get("/kbs", summary="可用的知识库")
def kbs(request: Request) -> dict[str, Any]:
    libraries = request.app.state.libraries
    return {"default": libraries.default.name, "kbs": libraries.names()}


@router.get("/stats", summary="知识库统计")
def stats(kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    return kb.stats()


@router.get("/status", summary="向量化进度与后台任务状态")
def status(kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    return kb.status()


@router.post("/status/pause", summary="暂停后台向量化（关键词检索不受影响）")
def pause(kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    kb.pause_worker()
    return kb.status()


@router.post("/status/resume", summary="恢复后台向量化")
def resume(kb: KnowledgeBase = Depends(get_kb)) -> dict[str, Any]:
    kb.resume_worker()
    return kb.status()
