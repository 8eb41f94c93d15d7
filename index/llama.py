"""The hybrid search as a llama-index retriever, for users who compose llama-index
pipelines (query engines, response synthesizers) on top of the knowledge base.

    from policykb.service import KnowledgeBase
    from policykb.index.llama import HybridRetriever
    nodes = HybridRetriever(KnowledgeBase(), top_k=5).retrieve("村党组织书记培训学时")
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

if TYPE_CHECKING:
    from policykb.service import KnowledgeBase


class HybridRetriever(BaseRetriever):
    """BM25 (jieba) + whole-document BM25 + vectors, fused: the same ranking as
    `KnowledgeBase.search`, returned as llama-index nodes that carry our citation fields."""

    def __init__(self, kb: "KnowledgeBase", *, top_k: int = 5, filters: dict[str, Any] | None = None,
                 mode: str = "hybrid", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._kb = kb
        self._top_k = top_k
        self._filters = filters
        self._mode = mode

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        result = self._kb.search(query_bundle.query_str, top_k=self._top_k, filters=self._filters, mode=self._mode)
        nodes = []
        for hit in result.results:
            metadata = {
                "doc_id": hit.doc_id, "title": hit.title, "source_path": hit.source_path,
                "section_path": " › ".join(hit.section_path), "page": hit.page,
                **{k: v for k, v in hit.metadata.items() if v is not None},
            }
            node = TextNode(id_=hit.chunk_id, text=hit.text, metadata=metadata,
                            start_char_idx=hit.char_start, end_char_idx=hit.char_end,
                            excluded_embed_metadata_keys=list(metadata), excluded_llm_metadata_keys=["source_path"])
            nodes.append(NodeWithScore(node=node, score=hit.score))
        return nodes
