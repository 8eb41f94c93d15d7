"""Compile a quarter's 《政策解读汇编》: select the quarter's documents, put each under the
topic it fits best, take its key points with citations, optionally add an interpretation.

`Digest.to_dict()` is the JSON contract of POST /api/digest (the web UI builds on it):
{"quarter", "label", "title", "period", "filters", "generated_at",
 "topics": [{"name", "description", "documents": [{"doc_id", "title", "doc_no", "issuer",
   "date", "doc_type", "filename", "topic_score", "key_points": [{"text", "truncated",
   "citation": {...Hit fields..., "n"}}], "interpretation"}]}],
 "undated": [{"doc_id", "title", "doc_no", "issuer", "date", "doc_type", "filename", "reason"}],
 "citations": n → citation, in order}
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from policykb.digest.classify import TopicClassifier
from policykb.digest.keypoints import extract_key_points
from policykb.digest.select import Quarter, select_documents
from policykb.digest.topics import CATCH_ALL, Topic, resolve_topics

if TYPE_CHECKING:
    from policykb.service import KnowledgeBase

DIGEST_TITLE = "政策解读汇编"
CATCH_ALL_DESCRIPTION = "未归入以上主题的文件"


@dataclass
class DigestKeyPoint:
    text: str  # verbatim in citation["text"]
    citation: dict[str, Any]  # Hit fields plus "n"
    truncated: bool = False  # the source sentence continues after `text`


@dataclass
class DigestEntry:
    doc_id: str
    title: str | None
    doc_no: str | None
    issuer: str | None
    date: str | None
    doc_type: str | None
    filename: str
    key_points: list[DigestKeyPoint]
    interpretation: str | None = None
    topic_score: float = 0.0


@dataclass
class DigestTopic:
    name: str
    description: str
    documents: list[DigestEntry] = field(default_factory=list)


@dataclass
class UndatedEntry:
    doc_id: str
    title: str | None
    doc_no: str | None
    issuer: str | None
    date: str | None
    doc_type: str | None
    filename: str
    reason: str


@dataclass
class Digest:
    quarter: str  # 2026Q1
    label: str  # 2026年第一季度
    period: tuple[str, str]  # first and last day, ISO
    topics: list[DigestTopic]  # requested order, catch-all last; empty topics kept
    undated: list[UndatedEntry]
    filters: dict[str, str | None] = field(default_factory=dict)
    generated_at: str = field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))
    # Documents an issuer filter left out because their issuer is unknown: {"unattributed": n}.
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{DIGEST_TITLE}（{self.label}）"

    def entries(self) -> Iterator[tuple[DigestTopic, DigestEntry]]:
        for topic in self.topics:
            for entry in topic.documents:
                yield topic, entry

    @property
    def non_empty_topics(self) -> list[DigestTopic]:
        return [t for t in self.topics if t.documents]

    def citations(self) -> list[dict[str, Any]]:
        """Each cited passage once, by n."""
        seen: dict[int, dict[str, Any]] = {}
        for _, entry in self.entries():
            for kp in entry.key_points:
                seen.setdefault(kp.citation["n"], kp.citation)
        return [seen[n] for n in sorted(seen)]

    @property
    def document_count(self) -> int:
        return sum(len(t.documents) for t in self.topics)

    def to_dict(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "label": self.label,
            "title": self.title,
            "period": {"from": self.period[0], "to": self.period[1]},
            "filters": self.filters,
            "generated_at": self.generated_at,
            "topics": [asdict(t) for t in self.topics],
            "undated": [asdict(u) for u in self.undated],
            "left_out": self.left_out,
        }


def _hit_dict(kb: "KnowledgeBase", chunk: Any, doc: Any, score: float, n: int) -> dict[str, Any]:
    return {**kb.retriever.hit(chunk, doc, score, {}).to_dict(), "n": n}


def compile_digest(kb: "KnowledgeBase", quarter: str, topics: Sequence[str] | str | None = None,
                   issuer: str | None = None, doc_type: str | None = None, *,
                   interpret: bool = True) -> Digest:
    """The digest of `quarter` ('2026Q1'): every active document dated inside it appears
    exactly once, under one topic; documents without a usable date are listed apart."""
    q = Quarter.parse(quarter)
    chosen: list[Topic] = resolve_topics(topics, kb.settings.digest_topics)
    selection = select_documents(kb.registry, q, issuer=issuer, doc_type=doc_type)
    from policykb.doc_metadata import left_out
    from policykb.registry import DocumentFilter

    # In the quarter or undated (the digest lists those apart), but of no known issuer.
    missed = left_out(kb.registry, DocumentFilter(issuer=issuer or None, doc_type=doc_type or None,
                                                  date_from=q.first_day, date_to=q.last_day, include_undated=True))

    sections = {t.name: DigestTopic(t.name, t.description) for t in chosen}
    sections[CATCH_ALL] = DigestTopic(CATCH_ALL, CATCH_ALL_DESCRIPTION)
    classifier = TopicClassifier(kb, chosen)
    numbers: dict[str, int] = {}  # chunk id → citation number
    pending: list[tuple[str, Any, list[Any]]] = []
    for doc in selection.documents:
        chunks = kb.registry.chunks_of(doc.id)
        assignment = classifier.classify(doc, chunks)
        entry = DigestEntry(doc_id=doc.id, title=doc.title, doc_no=doc.doc_no, issuer=doc.issuer, date=doc.date,
                            doc_type=doc.doc_type, filename=doc.filename, key_points=[],
                            topic_score=assignment.score)
        sections[assignment.topic].documents.append(entry)
        pending.append((assignment.topic, entry, [doc, chunks]))

    # Citation numbers follow reading order: topics in order, documents by date.
    for section in sections.values():
        section.documents.sort(key=lambda e: (e.date or "", e.title or e.filename))
    order = {id(e): (ti, di) for ti, s in enumerate(sections.values()) for di, e in enumerate(s.documents)}
    pending.sort(key=lambda p: order[id(p[1])])
    for _, entry, (doc, chunks) in pending:
        for kp in extract_key_points(chunks, doc.title):
            chunk = chunks[kp.chunk_index]
            n = numbers.setdefault(chunk.id, len(numbers) + 1)
            entry.key_points.append(
                DigestKeyPoint(kp.text, _hit_dict(kb, chunk, doc, kp.score, n), kp.truncated)
            )
        if interpret and kb.settings.llm_base_url and entry.key_points:
            from policykb.digest.interpret import interpret_entry

            entry.interpretation = interpret_entry(
                kb, title=doc.title, doc_no=doc.doc_no, issuer=doc.issuer, date=doc.date,
                points=[kp.text for kp in entry.key_points],
                passages=[kp.citation["text"] for kp in entry.key_points],
                numbers=[kp.citation["n"] for kp in entry.key_points],
            )

    undated = [
        UndatedEntry(u.doc.id, u.doc.title, u.doc.doc_no, u.doc.issuer, u.doc.date, u.doc.doc_type,
                     u.doc.filename, u.reason)
        for u in selection.undated
    ]
    return Digest(
        quarter=q.code, label=q.label, period=q.span(), topics=list(sections.values()), undated=undated, left_out=missed,
        filters={"issuer": issuer or None, "doc_type": doc_type or None},
    )
