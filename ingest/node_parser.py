"""llama-index NodeParser for 公文: `chunk_document` as a llama-index component.

This is the only module in ingest/ that imports llama_index (the CLI must start fast);
import it only where llama-index is wanted.

Node metadata added per chunk (scalars only, so Chroma accepts them):
``section_path`` (headings joined by " › ", "" for the preamble), ``chunk_ord``,
``char_start``, ``char_end`` (offsets into the Document text) and ``page`` (PDFs only;
read from a ``page_spans`` list of ``[number, start, end]`` in the Document metadata).
"""
from __future__ import annotations

from typing import Any, List, Sequence

from llama_index.core.node_parser import NodeParser
from llama_index.core.node_parser.node_utils import build_nodes_from_splits
from llama_index.core.schema import BaseNode, Document, TextNode
from pydantic import Field

from policykb.ingest.structure import chunk_document
from policykb.ingest.types import Page, ParsedDocument

SECTION_SEPARATOR = " › "
POSITION_KEYS = ["char_start", "char_end", "page", "chunk_ord", "page_spans"]


def _pages_from_metadata(metadata: dict[str, Any]) -> tuple[Page, ...]:
    spans = metadata.get("page_spans") or []
    try:
        return tuple(Page(int(n), int(s), int(e)) for n, s, e in spans)
    except (TypeError, ValueError):
        return ()


class GongwenNodeParser(NodeParser):
    """Split Documents along 公文 structure (章/节/条, 一、/（一）/1./（1）)."""

    max_chars: int = Field(default=400, gt=0, description="Hard cap on a chunk's length in characters.")
    min_chars: int = Field(default=80, ge=0, description="Pieces shorter than this merge with a neighbour.")

    @classmethod
    def class_name(cls) -> str:
        return "GongwenNodeParser"

    def _parse_nodes(
        self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any
    ) -> List[BaseNode]:
        out: List[BaseNode] = []
        for node in nodes:
            text = node.get_content()
            pages = _pages_from_metadata(node.metadata)
            chunks = chunk_document(text, pages, max_chars=self.max_chars, min_chars=self.min_chars)
            built = build_nodes_from_splits([c.text for c in chunks], node, id_func=self.id_func)
            for chunk, text_node in zip(chunks, built):
                text_node.start_char_idx = chunk.char_start
                text_node.end_char_idx = chunk.char_end
                text_node.metadata.update(
                    {
                        "section_path": SECTION_SEPARATOR.join(chunk.section_path),
                        "chunk_ord": chunk.ord,
                        "char_start": chunk.char_start,
                        "char_end": chunk.char_end,
                    }
                )
                if chunk.page is not None:
                    text_node.metadata["page"] = chunk.page
                for key in POSITION_KEYS:  # positions are for citations, not for the model
                    for excluded in (text_node.excluded_embed_metadata_keys, text_node.excluded_llm_metadata_keys):
                        if key not in excluded:
                            excluded.append(key)
                out.append(text_node)
        return out


def to_document(parsed: ParsedDocument, **extra_metadata: Any) -> Document:
    """A llama-index Document for a ParsedDocument, carrying its metadata and page spans."""
    meta = parsed.meta
    metadata: dict[str, Any] = {
        key: value
        for key, value in {
            "title": meta.title,
            "doc_no": meta.doc_no,
            "issuer": meta.issuer,
            "date": meta.date,
            "doc_type": meta.doc_type,
            "region": meta.region,
            "source_path": parsed.source_path,
            "format": parsed.format,
        }.items()
        if value is not None
    }
    if parsed.pages:
        metadata["page_spans"] = [[p.number, p.char_start, p.char_end] for p in parsed.pages]
    metadata.update(extra_metadata)
    return Document(
        text=parsed.text,
        metadata=metadata,
        excluded_embed_metadata_keys=["source_path", "format", "page_spans"],
        excluded_llm_metadata_keys=["source_path", "format", "page_spans"],
    )


__all__ = ["GongwenNodeParser", "to_document", "TextNode"]
