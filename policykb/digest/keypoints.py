"""Key points of one document, taken from its own words: pure functions, no I/O.

The choice is `statements.select_key_points` over `statements.document_statements`: the
document's targets with their figures, the headings of its work sections (its main tasks),
then hard requirements and new measures spread over its sections; never openers, thanks,
narration of the past year (unless the document is a review) or generic sentences. Each
point is a whole sentence, a verbatim slice of one chunk's text (so its citation is that
chunk), in document order; a sentence longer than a passage (a few 主要预期目标 sentences
of 400+ characters) ends where its chunk ends and is marked truncated.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from policykb.digest.statements import (  # noqa: F401  (re-exported for callers of the old module)
    MARKERS,
    ChunkLike,
    Statement,
    document_statements,
    requirement_score,
    select_key_points,
)

MIN_POINTS = 3
MAX_POINTS = 12
MIN_POINT_CHARS = 10


@dataclass(frozen=True)
class KeyPoint:
    text: str  # == chunks[chunk_index].text[start:end]
    chunk_index: int
    start: int
    end: int
    score: float
    truncated: bool = False  # only when the sentence is longer than its passage (rare)
    kind: str = "statement"  # target | task | requirement | measure | position | statement
    section: tuple[str, ...] = ()
    detail: str = ""  # a task heading's first sentence of its section (same chunk), or ""


def _point(s: Statement, chunks: Sequence[ChunkLike]) -> KeyPoint:
    detail = chunks[s.chunk_index].text[s.detail_start : s.detail_end] if s.detail_end > s.detail_start else ""
    return KeyPoint(s.text, s.chunk_index, s.start, s.end, s.score, s.truncated, s.kind, s.section, detail)


def extract_key_points(chunks: Sequence[ChunkLike], title: str | None = None, *,
                       min_points: int = MIN_POINTS, max_points: int = MAX_POINTS) -> list[KeyPoint]:
    """3–10 key points (fewer only when the document has fewer usable sentences)."""
    statements = document_statements(chunks, title)
    return [_point(s, chunks) for s in select_key_points(statements, min_points=min_points, max_points=max_points)]
