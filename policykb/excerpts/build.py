"""Compile a thematic 论述摘编: every statement of substance on one topic from the library's
speeches and articles, each with its sources, grouped by sub-theme in date order.

    1. documents that pass the filters and name the topic or one of its related terms;
    2. their statements (policykb/digest/statements.document_statements over the whole text),
       kept when they state a position (substance.py) and are about the topic (topic.py:
       topic terms dense in the statement; passages near the topic in vector space count
       too when the library has vectors);
    3. near-duplicates across documents merged into one excerpt listing every source,
       earliest first; the best `max_excerpts` kept;
    4. sub-themes clustered from the excerpts' own words (cluster.py), then the editor's
       renames and moves from the request.

`Excerpts.to_dict()` is the JSON of `policykb excerpts --json` and POST /api/excerpts:
{"topic", "terms", "filters", "generated_at",
 "groups": [{"name", "terms", "excerpts": [{"id", "text", "doc_id", "title", "date", "occasion",
   "speaker", "citation", "sources": [{"doc_id", "title", "date", "occasion", "speaker", "citation",
   "text", "char_start", "char_end"}], "topic_terms", "score"}]}],
 "counts": {"excerpts", "sources", "documents", "groups", "candidates", "merged"}}
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from policykb.excerpts.cluster import cluster
from policykb.excerpts.substance import needs_context, rejection, reported_start, stance_score
from policykb.excerpts.topic import Topic, TopicMatch, resolve_topic, topic_entries, topic_match

if TYPE_CHECKING:
    from policykb.filters import SearchFilters
    from policykb.registry import StoredDocument
    from policykb.service import KnowledgeBase

EXCERPTS_TITLE = "论述摘编"
DEFAULT_MAX = 60
MAX_LIMIT = 300
# On-topic: weighted topic terms (core 2, related 1, two-character terms ×0.75) and their
# share of the statement's characters (bench/excerpts.py measures both on the 2020 speeches).
MIN_TOPIC_SCORE = 2.0
MIN_DENSITY = 0.06
# A statement with related terms only (生物多样性, no 生态文明) needs more of them the less its
# document is about the topic: topic strength = (2 × mentions of the topic + mentions of its
# related terms of 3+ characters) per 1,000 characters (bench/excerpts.py sets the bounds).
STRONG_DOCUMENT = 10.0  # a speech on the topic (biodiversity summit, 考古 study session)
TOPIC_DOCUMENT = 2.0  # a speech with a part on the topic
RELATED_SCORES = (0.75, 1.5, 3.0)  # needed in a strong / topic / other document
VECTOR_BONUS = 0.5  # a statement inside one of the passages nearest the topic's vector
VECTOR_TOP_K = 60
DUPLICATE_SIMILARITY = 0.6  # character-bigram Jaccard of two statements said twice
DUPLICATE_OVERLAP = 0.8  # or the share of the shorter one found word for word in the longer


def topic_strength(text: str, topic: Topic) -> float:
    core = sum(text.count(c) for c in topic.core)
    related = sum(text.count(r) for r in topic.related if len(r) >= 3)
    return (2 * core + related) * 1000 / max(len(text), 1)


def related_needed(text: str, topic: Topic) -> float:
    strength = topic_strength(text, topic)
    if strength >= STRONG_DOCUMENT:
        return RELATED_SCORES[0]
    if strength >= TOPIC_DOCUMENT or sum(text.count(c) for c in topic.core) >= 2:
        return RELATED_SCORES[1]
    return RELATED_SCORES[2]


class ExcerptsError(ValueError):
    """A request that cannot be compiled; the message is Chinese."""


@dataclass
class ExcerptRequest:
    topic: str
    date_from: str | None = None
    date_to: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    max_excerpts: int = DEFAULT_MAX
    mode: str = "hybrid"  # hybrid: vectors count when the library has them; keyword: words only
    # The editor's changes: {"rename": {auto name: new name}, "assign": {excerpt id: group name}}.
    groups: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Source:
    doc_id: str
    title: str | None
    date: str | None
    occasion: str | None  # the speech's title as it gives it; None when the text states none
    speaker: str | None
    citation: str  # （《在…上的讲话》，2020年1月8日）
    text: str  # the statement as this source says it
    char_start: int
    char_end: int


@dataclass
class Excerpt:
    id: str
    text: str
    sources: list[Source]  # earliest first
    topic_terms: list[str]
    score: float

    @property
    def date(self) -> str | None:
        return self.sources[0].date if self.sources else None

    def citation(self) -> str:
        """All sources in one bracket, earliest first: （《A》，2020年1月8日；《B》，2020年3月6日）."""
        return "（" + "；".join(s.citation[1:-1] for s in self.sources) + "）"

    def to_dict(self) -> dict[str, Any]:
        first = self.sources[0]
        return {"id": self.id, "text": self.text, "doc_id": first.doc_id, "title": first.title, "date": first.date,
                "occasion": first.occasion, "speaker": first.speaker, "citation": self.citation(),
                "sources": [asdict(s) for s in self.sources], "topic_terms": self.topic_terms, "score": self.score}


@dataclass
class ExcerptGroup:
    name: str
    terms: list[str]
    excerpts: list[Excerpt]
    auto_name: str = ""  # the name clustering gave it (what a rename refers to)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "auto_name": self.auto_name or self.name, "terms": self.terms,
                "excerpts": [e.to_dict() for e in self.excerpts]}


@dataclass
class Excerpts:
    topic: Topic
    groups: list[ExcerptGroup]
    filters: dict[str, Any]
    counts: dict[str, int]
    generated_at: str = field(default_factory=lambda: datetime.now().isoformat(timespec="seconds"))

    @property
    def title(self) -> str:
        """关于生态文明的论述摘编, also for 「关于生态文明建设的重要论述」 or a question."""
        name = re.sub(r"^关于|的?(?:重要)?论述(?:摘编)?$|摘编$", "", self.topic.name.strip())
        if not name or len(name) > 30 or re.search(r"[？?]|怎么|什么|如何|哪些", name):
            name = "、".join(self.topic.core) or name
        return f"关于{name}的{EXCERPTS_TITLE}"

    def excerpts(self) -> list[Excerpt]:
        return [e for g in self.groups for e in g.excerpts]

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic.name, "title": self.title,
                "terms": {"core": list(self.topic.core), "related": list(self.topic.related)},
                "filters": self.filters, "generated_at": self.generated_at,
                "groups": [g.to_dict() for g in self.groups], "counts": self.counts}


# --------------------------------------------------------------------------- sources

def _cn_date(iso: str | None) -> str:
    from policykb.digest.labels import cn_date

    return cn_date(iso) if iso else ""


def occasion_of(doc: "StoredDocument") -> str | None:
    """The title the speech gives itself: its stored title unless that came from the file name."""
    if not doc.title or doc.extra.get("title_source") == "文件名":
        return None
    return doc.title.strip("《》")


def citation_of(occasion: str | None, date: str | None, speaker: str | None) -> str:
    """（《在…上的讲话》，2020年1月8日）; without an occasion: （习近平，2020年1月8日）."""
    parts = [f"《{occasion}》" if occasion else (speaker or "")]
    if date:
        parts.append(_cn_date(date))
    return "（" + "，".join(p for p in parts if p) + "）"


# --------------------------------------------------------------------------- candidates

@dataclass
class _Candidate:
    doc: "StoredDocument"
    start: int
    end: int
    text: str
    match: TopicMatch
    score: float
    key: str = ""


def _key(text: str) -> str:
    return re.sub(r"[\s，。、；：！？“”‘’《》（）,.;:!?\"'()—…]", "", text)


def _bigrams(key: str) -> set[str]:
    return {key[i:i + 2] for i in range(len(key) - 1)} or {key}


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if (a in b or b in a) and min(len(a), len(b)) >= 0.6 * max(len(a), len(b)):
        return True
    ga, gb = _bigrams(a), _bigrams(b)
    if len(ga & gb) / len(ga | gb) >= DUPLICATE_SIMILARITY:
        return True
    if len(ga & gb) < 0.5 * min(len(ga), len(gb)):
        return False  # cheap reject before the longest common stretch
    # One said inside a longer run of the other ("当然，新发展格局决不是…" / "新发展格局不是…").
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    # … but a heading (深入开展爱国卫生运动) inside a long sentence of another speech is not it.
    return m.size >= DUPLICATE_OVERLAP * min(len(a), len(b)) and m.size >= 0.5 * max(len(a), len(b))


_POINT = re.compile(r"^(?:——)?(?:第[一二三四五六七八九十]{1,2}[，,、]|[一二三四五六七八九十]{1,2}是)")


_GLUED_HEADING = re.compile(r"(?:^|\n|[。！？])\s*[一二三四五六七八九十]{1,2}、\s*$")


def document_candidates(doc: "StoredDocument", text: str, topic: Topic,
                        near: list[tuple[int, int]] | None = None) -> list[_Candidate]:
    """The statements of one document that are excerpts on the topic (pure but for `doc`'s fields).

    A statement that names the topic itself (生态文明) is on topic; one that has only related
    terms (生物多样性) needs more of them the less its document is about the topic
    (`related_needed`): 「维护全球产业链供应链稳定」 in a G20 speech is not about the 新发展格局.
    Either way the topic's terms must cover MIN_DENSITY of the statement."""
    from policykb.digest.statements import document_statements

    @dataclass
    class _Whole:
        text: str
        section_path: tuple[str, ...] = ()

    related_only = related_needed(text, topic)
    title_key = _key(doc.title or "") if doc.extra.get("title_source") != "文件名" else ""
    # The digest counts 新发展格局, 高质量发展 … as stock phrases (a sentence of nothing else says
    # nothing); here the topic's own words are the content, so they are masked (same length,
    # so offsets hold) before the statements are found, and read back from `text`.
    masked = text
    for c in topic.core:
        masked = masked.replace(c, "■" * len(c))
    statements = document_statements([_Whole(masked)], doc.title)
    out: list[_Candidate] = []
    prev: tuple[int, int] | None = None  # the previous statement's span
    for st in statements:
        start, end = st.start, st.end
        cut = reported_start(text[start:end])
        if cut:
            start += cut  # "习近平强调，……": his words, not the report about them
        sentence = text[start:end]
        run = False
        if needs_context(sentence) and prev is not None and not text[prev[1]:st.start].strip():
            # "这是…" needs the sentence before it: the excerpt is the run of both.
            if end - prev[0] <= 220 and rejection(text[prev[0]:prev[1]], topic.core) not in (
                    "greeting", "lead", "attendees", "narration"):
                start, sentence, run = prev[0], text[prev[0]:end], True
        prev = (st.start, st.end)
        if _GLUED_HEADING.search(text, max(0, st.start - 6), st.start) and end - start > 40:
            continue  # "二、做好我国考古工作和历史研究我多次强调…": a heading run into its section's text
        if title_key and _key(sentence).startswith(title_key[:12]):
            continue  # the title run into the first sentence ("构建起强大的公共卫生体系…习近平2018年1月，…")
        point = st.heading or st.kind == "target" or bool(_POINT.match(sentence))
        if rejection(sentence, topic.core, point=point) is not None:
            continue
        match = topic_match(sentence, topic)
        in_near = bool(near) and any(a <= start < b for a, b in near or [])
        topical = match.score + (VECTOR_BONUS if in_near else 0.0)
        names_core = any(c in sentence for c in topic.core)
        needed = MIN_TOPIC_SCORE if names_core else related_only
        if topical < needed or match.density < MIN_DENSITY:
            continue
        score = topical + 4.0 * match.density + 0.5 * stance_score(sentence)
        cand = _Candidate(doc, start, end, sentence, match, round(score, 3), _key(sentence))
        if run and out and out[-1].start == start:
            out[-1] = cand  # the run replaces the sentence it starts with
        else:
            out.append(cand)
    return out


def _overlap(a: _Candidate, b: _Candidate) -> bool:
    """Two candidates of one document over the same characters (a sentence and a run holding it)."""
    return a.doc.id == b.doc.id and a.start < b.end and b.start < a.end


def _merge(cands: list[_Candidate]) -> list[list[_Candidate]]:
    """Near-duplicate statements across (and within) documents, as groups; best first."""
    groups: list[list[_Candidate]] = []
    for c in sorted(cands, key=lambda c: -c.score):
        for g in groups:
            if any(_overlap(c, o) or _similar(c.key, o.key) for o in g):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


def _excerpt(group: list[_Candidate]) -> Excerpt:
    def when(c: _Candidate) -> tuple[str, str]:
        return (c.doc.date or "9999", c.doc.id)

    ordered = sorted(group, key=when)
    seen_docs: set[str] = set()
    sources = []
    for c in ordered:
        if c.doc.id in seen_docs:
            continue
        seen_docs.add(c.doc.id)
        occasion = occasion_of(c.doc)
        speaker = c.doc.extra.get("speaker")
        sources.append(Source(c.doc.id, c.doc.title, c.doc.date, occasion, speaker,
                              citation_of(occasion, c.doc.date, speaker), c.text, c.start, c.end))
    best = max(group, key=lambda c: c.score)
    # The earliest wording is the one printed; the others are listed as sources.
    text = ordered[0].text
    ident = hashlib.sha1(_key(text).encode("utf-8")).hexdigest()[:10]
    return Excerpt(ident, text, sources, list(best.match.terms), best.score)


# --------------------------------------------------------------------------- compile

def _near_passages(kb: "KnowledgeBase", topic: Topic, filters: "SearchFilters") -> dict[str, list[tuple[int, int]]]:
    """Passages nearest the topic in vector space, by document: (char_start, char_end)."""
    counts = kb.registry.counts()
    if counts.get("chunks", 0) - counts.get("pending_vectors", 0) <= 0:
        return {}
    query = " ".join([topic.name, *topic.related[:8]])
    result = kb.search(query, top_k=VECTOR_TOP_K, filters=filters, mode="vector")
    out: dict[str, list[tuple[int, int]]] = {}
    for hit in result.results:
        out.setdefault(hit.doc_id, []).append((hit.match.get("chunk_start", hit.char_start),
                                               hit.match.get("chunk_end", hit.char_end)))
    return out


def compile_excerpts(kb: "KnowledgeBase", request: ExcerptRequest) -> Excerpts:
    from policykb.filters import SearchFilters

    if not request.topic or not request.topic.strip():
        raise ExcerptsError("请给出摘编的主题，例如：生态文明")
    if not 1 <= request.max_excerpts <= MAX_LIMIT:
        raise ExcerptsError(f"条数上限应在 1 到 {MAX_LIMIT} 之间：{request.max_excerpts}")
    if request.mode not in ("hybrid", "keyword"):
        raise ExcerptsError(f"未知的模式：{request.mode}（可选 hybrid、keyword）")
    topic = resolve_topic(request.topic, topic_entries(_thesaurus_paths(kb)))
    filters = {"date_from": request.date_from, "date_to": request.date_to, "doc_type": request.doc_type,
               "issuer": request.issuer}  # as given, for the result's heading
    given = SearchFilters.from_any(filters)
    flt = given.to_registry()
    near = _near_passages(kb, topic, given) if request.mode == "hybrid" else {}
    registry = kb.registry
    ids = registry.document_ids(flt, limit=100_000)
    docs = registry.documents_by_ids(ids)
    cands: list[_Candidate] = []
    for doc_id in ids:
        doc = docs.get(doc_id)
        text = registry.document_text(doc_id) if doc else None
        if doc is None or not text:
            continue
        if not any(t in text for t in topic.terms):
            continue  # names neither the topic nor a related term: nothing to read
        cands.extend(document_candidates(doc, text, topic, near.get(doc_id)))
    merged = _merge(cands)
    excerpts = [_excerpt(g) for g in merged[: request.max_excerpts]]
    groups = cluster(excerpts, topic)
    groups = apply_edits(groups, request.groups or {})
    counts = {
        "excerpts": sum(len(g.excerpts) for g in groups),
        "sources": sum(len(e.sources) for g in groups for e in g.excerpts),
        "documents": len({s.doc_id for g in groups for e in g.excerpts for s in e.sources}),
        "groups": len(groups),
        "candidates": len(cands),
        "merged": sum(len(e.sources) - 1 for g in groups for e in g.excerpts),
    }
    shown = {k: v for k, v in {**filters, "max": request.max_excerpts, "mode": request.mode}.items() if v}
    return Excerpts(topic, groups, shown, counts)


def apply_edits(groups: list[ExcerptGroup], edits: dict[str, dict[str, str]]) -> list[ExcerptGroup]:
    """The editor's renames ({auto name: new}) and moves ({excerpt id: group name}); a move
    to a name that is no group makes that group. Groups stay in date order."""
    renames = edits.get("rename") or {}
    moves = edits.get("assign") or {}
    for g in groups:
        g.auto_name = g.auto_name or g.name
        if g.auto_name in renames and renames[g.auto_name].strip():
            g.name = renames[g.auto_name].strip()
    if moves:
        by_name = {g.name: g for g in groups}
        for g in groups:
            for e in list(g.excerpts):
                target = moves.get(e.id)
                if target and target != g.name:
                    g.excerpts.remove(e)
                    if target not in by_name:
                        by_name[target] = ExcerptGroup(target, [], [], auto_name=target)
                        groups.append(by_name[target])
                    by_name[target].excerpts.append(e)
    return order_groups([g for g in groups if g.excerpts])


def order_groups(groups: list[ExcerptGroup]) -> list[ExcerptGroup]:
    """Excerpts in date order within a group; groups in the order of their first excerpt."""
    for g in groups:
        g.excerpts.sort(key=lambda e: (e.date or "9999", e.sources[0].char_start))
    return sorted(groups, key=lambda g: (g.excerpts[0].date or "9999") if g.excerpts else "9999")


def _thesaurus_paths(kb: "KnowledgeBase") -> list[Any]:
    paths = list(kb.thesaurus.paths)
    if not paths:
        from policykb.retrieval.thesaurus import default_file

        paths = [default_file()]
    return paths
