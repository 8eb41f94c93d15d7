"""What the service returns: plain dataclasses that the CLI prints and the API serialises."""
from __future__ import annotations

from dataclasses import KW_ONLY, asdict, dataclass, field
from typing import Any


@dataclass
class Hit:
    chunk_id: str
    doc_id: str
    title: str | None
    source_path: str
    section_path: list[str]
    text: str
    char_start: int
    char_end: int
    page: int | None
    score: float
    metadata: dict[str, Any]
    match: dict[str, Any] = field(default_factory=dict)  # keyword/vector ranks, for explaining

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResult:
    query: str
    results: list[Hit]
    pending_vectors: int = 0
    mode: str = "hybrid"
    terms: list[str] = field(default_factory=list, metadata={"description": "查询分词，用于高亮"})
    # The filter's include_* options bring these documents back.
    left_out: dict[str, int] = field(default_factory=dict, metadata={
        "description": "筛选排除的未标注日期（undated）或发文机关（unattributed）的文件数"})

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "results": [h.to_dict() for h in self.results],
            "pending_vectors": self.pending_vectors,
            "mode": self.mode,
            "terms": self.terms,
            "left_out": self.left_out,
        }


NOT_FOUND = "知识库中未找到相关内容"


@dataclass
class Citation(Hit):
    """A passage an answer cites as [n]: the search hit, or for a provision answer the hit
    widened to the provision it quotes."""
    _: KW_ONLY
    n: int
    # Document offsets of the sentences it supports, until the service has pointed the
    # citation at the finest heading over them (KnowledgeBase._refine_paths).
    cited_offsets: list[int] | None = None
    row: list[list[str]] | None = field(default=None, metadata={
        "description": "引用的是表格的一行时：该行各列的［列名, 值］"})
    row_column: str | None = field(default=None, metadata={"description": "答案取自该行的哪一列"})

    @classmethod
    def of(cls, hit: Hit, n: int, **changes: Any) -> Citation:
        """`hit` cited as [n], with `changes` to its fields (a widened text) or the row."""
        return cls(**{**hit.to_dict(), **changes}, n=n)

    def to_dict(self) -> dict[str, Any]:
        # A citation of no table row has no row keys, as before it was typed.
        return {k: v for k, v in asdict(self).items()
                if v is not None or k not in ("cited_offsets", "row", "row_column")}


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Citation]
    found: bool
    answerer: str = "extractive"
    notice: str | None = None
    unsupported: list[str] = field(default_factory=list)
    pending_vectors: int = 0
    # [start, end) of the sentence that answers, inside `answer` (the extractive answer
    # quotes a whole provision and marks its answering sentence).
    highlights: list[list[int]] = field(default_factory=list)
    related: list[Hit] = field(default_factory=list, metadata={
        "description": "未找到答案、但问题并非明显超出知识库范围时：与问题最接近的段落，仅供查阅，不是答案的依据"})

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "citations": [c.to_dict() for c in self.citations]}


@dataclass
class FileResult:
    path: str
    status: str  # added | updated | unchanged | duplicate | failed
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    code: str | None = None
    message: str | None = None
    seconds_to_searchable: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    vectors_embedded: int = 0
    pending_vectors: int = 0
    # Files a folder walk passed over: {"path", "reason"} (hidden, ignored, unsupported type).
    skipped: list[dict[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.status] = out.get(f.status, 0) + 1
        if self.skipped:
            out["skipped"] = len(self.skipped)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict() for f in self.files],
            "counts": self.counts(),
            "vectors_embedded": self.vectors_embedded,
            "pending_vectors": self.pending_vectors,
            "skipped": list(self.skipped),
        }
