"""Compile a quarter's 《政策解读汇编》: select the quarter's documents, put each in its group
(a department topic it is mainly about, else its broad kind, else 其他; then the editor's
layout on top), take its key points with citations, write each group's 综述, optionally
add an interpretation.

`Digest.to_dict()` is the JSON contract of POST /api/digest (the web UI builds on it):
{"quarter", "label", "title", "period", "filters", "generated_at", "layout",
 "topics": [{"name", "description", "basis", "overview": {"sentences": [{"text", "refs"}],
   "table": {"caption", "columns", "rows": [[{"text", "n"}]]} | null, "guide": LLM 导读 | null},
   "documents": [{"doc_id", "title", "doc_no", "issuer", "date", "doc_type", "filename",
   "region", "group_basis", "moved", "topic_score", "key_points": [{"text", "kind", "detail",
   "truncated", "citation": {...Hit fields..., "n", "paragraph", "locator",
   "point_start", "point_end"}}], "interpretation"}]}],
 "undated": [{"doc_id", "title", "doc_no", "issuer", "date", "doc_type", "filename", "reason"}]}
Character offsets (char_start/char_end of the passage, point_start/point_end of the key
point in the document's text) are in the JSON only; the exports print section path,
paragraph and page.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from policykb.digest.documents import display_title, locator, paragraph_number, region_of
from policykb.digest.grouping import KINDS, choose_group
from policykb.digest.keypoints import extract_key_points
from policykb.digest.layout import Layout, load_layout
from policykb.digest.overview import OverviewDoc, OverviewPoint, group_overview
from policykb.digest.select import Quarter, select_documents
from policykb.digest.topics import CATCH_ALL, Topic, resolve_topics

if TYPE_CHECKING:
    from policykb.service import KnowledgeBase

DIGEST_TITLE = "政策解读汇编"
CATCH_ALL_DESCRIPTION = "未归入以上主题的文件"


@dataclass
class DigestKeyPoint:
    text: str  # verbatim in citation["text"]
    citation: dict[str, Any]  # Hit fields plus "n", "paragraph", "locator", "point_start/end"
    truncated: bool = False  # the source sentence continues after `text`
    kind: str = "statement"  # target | task | requirement | measure | position | statement
    detail: str = ""  # for a task heading: the first sentence of its section, verbatim


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
    region: str | None = None
    group_basis: str = "topic"  # topic | kind | other | editor
    moved: bool = False  # put here by the editor


@dataclass
class DigestTopic:
    name: str
    description: str
    documents: list[DigestEntry] = field(default_factory=list)
    basis: str = "topic"  # topic | kind | other | editor
    overview: dict[str, Any] = field(default_factory=dict)  # {"sentences": [...], "table": {...} | None}


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
    layout: dict[str, Any] = field(default_factory=dict)
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
            "layout": self.layout,
            "topics": [asdict(t) for t in self.topics],
            "undated": [asdict(u) for u in self.undated],
            "left_out": self.left_out,
        }


def _citation(kb: "KnowledgeBase", chunk: Any, doc: Any, doc_text: str, kp: Any, n: int,
              title: str) -> dict[str, Any]:
    """The passage of a key point, as a search hit, plus where a reader finds the point."""
    hit = kb.retriever.hit(chunk, doc, kp.score, {}).to_dict()
    offset = chunk.char_start + kp.start
    path = tuple(kp.section) if kp.section else tuple(chunk.section_path)
    paragraph = paragraph_number(doc_text, offset, path) if doc_text else None
    return {**hit, "title": title, "n": n, "section_path": list(path), "paragraph": paragraph,
            "locator": locator(path, paragraph, chunk.page),
            "point_start": offset, "point_end": chunk.char_start + kp.end}


def _whole(kp: DigestKeyPoint) -> str:
    """A truncated point's sentence as far as its cited passage goes (the passage carries a
    sentence of context after its chunk): the 综述 reads its figures there."""
    if not kp.truncated:
        return kp.text
    passage = kp.citation.get("text") or ""
    at = passage.find(kp.text)
    if at < 0:
        return kp.text
    end = re.search(r"[。！？]", passage[at + len(kp.text):])
    return passage[at : at + len(kp.text) + (end.end() if end else len(passage))]


def _label(entry: DigestEntry) -> str:
    """How a group's 综述 names a document: its region for reports, else its title."""
    if entry.region and entry.group_basis == "kind" and "报告" in (entry.title or ""):
        return entry.region
    return f"《{entry.title or entry.filename}》"


def compile_digest(kb: "KnowledgeBase", quarter: str, topics: Sequence[str] | str | None = None,
                   issuer: str | None = None, doc_type: str | None = None, *,
                   interpret: bool = True, layout: Layout | None = None) -> Digest:
    """The digest of `quarter` ('2026Q1'): every active document dated inside it appears
    exactly once, in one group; documents without a usable date are listed apart."""
    q = Quarter.parse(quarter)
    chosen: list[Topic] = resolve_topics(topics, kb.settings.digest_topics)
    selection = select_documents(kb.registry, q, issuer=issuer, doc_type=doc_type)
    from policykb.doc_metadata import left_out
    from policykb.registry import DocumentFilter

    # In the quarter or undated (the digest lists those apart), but of no known issuer.
    missed = left_out(kb.registry, DocumentFilter(issuer=issuer or None, doc_type=doc_type or None,
                                                  date_from=q.first_day, date_to=q.last_day, include_undated=True))
    layout = layout if layout is not None else load_layout(kb.registry)

    sections: dict[str, DigestTopic] = {}
    for t in chosen:
        sections[layout.shown(t.name)] = DigestTopic(layout.shown(t.name), t.description, basis="topic")
    for name, description in KINDS:
        sections.setdefault(layout.shown(name), DigestTopic(layout.shown(name), description, basis="kind"))
    catch_all = layout.shown(CATCH_ALL)
    sections.setdefault(catch_all, DigestTopic(catch_all, CATCH_ALL_DESCRIPTION, basis="other"))
    pending: list[tuple[DigestEntry, Any, list[Any]]] = []
    for doc in selection.documents:
        chunks = kb.registry.chunks_of(doc.id)
        grouping = choose_group(chosen, title=doc.title, doc_type=doc.doc_type, filename=doc.filename,
                                passages=[c.text for c in chunks])
        name, moved = layout.group_for(doc.id, grouping.group)
        head = (chunks[0].text[:300] if chunks else "")
        entry = DigestEntry(doc_id=doc.id, title=display_title(doc.title, doc.filename), doc_no=doc.doc_no,
                            issuer=doc.issuer, date=doc.date, doc_type=doc.doc_type, filename=doc.filename,
                            key_points=[], topic_score=grouping.score,
                            region=region_of(doc.title, doc.issuer, doc.filename, head),
                            group_basis="editor" if moved else grouping.basis, moved=moved)
        if name not in sections:
            sections[name] = DigestTopic(name, "编辑新建的分组", basis="editor")
        sections[name].documents.append(entry)
        pending.append((entry, doc, chunks))
    # 其他 last unless the editor placed it; kinds only when they hold documents.
    names = [n for n in sections if n != catch_all] + [catch_all]
    names = [n for n in names if sections[n].basis != "kind" or sections[n].documents]
    sections = {n: sections[n] for n in layout.ordered(names)}

    # Citation numbers follow reading order: groups in order, documents by date.
    for section in sections.values():
        section.documents.sort(key=lambda e: (e.date or "", e.title or e.filename))
    order = {id(e): (ti, di) for ti, s in enumerate(sections.values()) for di, e in enumerate(s.documents)}
    pending.sort(key=lambda p: order[id(p[0])])
    n = 0
    for entry, doc, chunks in pending:
        doc_text = kb.registry.document_text(doc.id) or ""
        for kp in extract_key_points(chunks, doc.title):
            n += 1
            chunk = chunks[kp.chunk_index]
            entry.key_points.append(DigestKeyPoint(
                kp.text, _citation(kb, chunk, doc, doc_text, kp, n, entry.title or doc.filename), kp.truncated, kp.kind,
                kp.detail))
        if interpret and kb.settings.llm_base_url and entry.key_points:
            from policykb.digest.interpret import interpret_entry

            entry.interpretation = interpret_entry(
                kb, title=entry.title, doc_no=doc.doc_no, issuer=doc.issuer, date=doc.date,
                points=[kp.text for kp in entry.key_points],
                passages=[kp.citation["text"] for kp in entry.key_points],
                numbers=[kp.citation["n"] for kp in entry.key_points],
            )
    for section in sections.values():
        if len(section.documents) >= 2 and section.basis != "other":  # 其他 shares nothing
            overview = group_overview([
                OverviewDoc(_label(e), [OverviewPoint(_whole(kp), kp.kind, kp.citation["n"]) for kp in e.key_points])
                for e in section.documents
            ])
            section.overview = {"sentences": [asdict(x) for x in overview.sentences],
                                "table": asdict(overview.table) if overview.table else None, "guide": None}
            if interpret and kb.settings.llm_base_url:
                from policykb.digest.interpret import interpret_group

                section.overview["guide"] = interpret_group(kb, name=section.name, documents=[
                    (_label(e), [(kp.text, kp.citation["text"], kp.citation["n"]) for kp in e.key_points])
                    for e in section.documents])

    undated = [
        UndatedEntry(u.doc.id, display_title(u.doc.title, u.doc.filename), u.doc.doc_no, u.doc.issuer, u.doc.date,
                     u.doc.doc_type, u.doc.filename, u.reason)
        for u in selection.undated
    ]
    return Digest(
        quarter=q.code, label=q.label, period=q.span(), topics=list(sections.values()), undated=undated, left_out=missed,
        filters={"issuer": issuer or None, "doc_type": doc_type or None}, layout=layout.to_dict(),
    )
