"""Where a document goes in the 汇编: under a department topic only when it is mainly about
that topic; otherwise, when it is of a broad kind that spans many topics (政府工作报告, 规划,
讲话, 法律法规), with the other documents of its kind; otherwise under 其他. Pure functions.

"Mainly about topic t" is measured by how much of the document talks about t:

    coverage(t) = share of the document's passages that contain a keyword of t
    title(t)    = a keyword of t (or its name) in the title

    mainly about t  ⇔  title(t) and coverage(t) ≥ TITLE_COVERAGE
                       or coverage(t) ≥ BODY_COVERAGE over at least MIN_PASSAGES passages

Measured on ../shared/corpus/policy (bench/digest_quality.py prints the table): the 31
provincial 2026 reports' best topic covers 0.11–0.27 of their passages and none names a
topic in its title; the 作风 notices and 纪律 regulations cover 0.5–1.0 with a title hit
(medians 0.67 and 0.93); a short rule named in its title (《中共中央八项规定》) may cover
only 0.1 of its passages with the topic's words, hence the low bar with a title hit. A broad kind yields to a topic only when the topic is strong
(title hit and coverage ≥ STRONG_COVERAGE): a 规划 whose title says 科技创新 is still a 规划.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from policykb.digest.topics import CATCH_ALL, Topic

TITLE_COVERAGE = 0.1
BODY_COVERAGE = 0.6
STRONG_COVERAGE = 0.6
MIN_PASSAGES = 3

# Broad kinds, in the order their groups are listed, with what each group holds.
KINDS: tuple[tuple[str, str], ...] = (
    ("政府工作报告", "各级政府工作报告：年度目标与重点工作"),
    ("规划", "发展规划、工作要点、行动计划与实施方案"),
    ("讲话", "领导讲话、致辞与文章"),
    ("法律法规", "法律、行政法规与部门规章"),
)
KIND_NAMES = tuple(k for k, _ in KINDS)

_REPORT = re.compile(r"政府工作报告")
_PLAN = re.compile(r"(?:规划|纲要|工作要点|行动计划|行动方案|实施方案|三年行动|工作方案)(?:[（(][^（）()]*[）)])?$|发展规划|行动计划")
_SPEECH = re.compile(r"讲话|致辞|发言|贺信|贺词|回信|报告会|座谈会上|演讲")
# English file names (policy_docs_* of the shared corpus) name plans this way.
_PLAN_EN = re.compile(r"Action[_ ]Plan|Year[_ ]Plan|Implementation[_ ]Plan|Development[_ ]Plan", re.I)
_LAW_TITLE = re.compile(r"^中华人民共和国.{1,40}(?:法|条例)(?:实施条例|实施细则)?$|法$")
_PARTY = re.compile(r"^(?:中国共产党|中共|党的|党内|党委|党组|纪检监察|中央纪委)")


def document_kind(title: str | None, doc_type: str | None, filename: str = "") -> str | None:
    """The broad kind of a document, or None for an ordinary 通知 / 意见 / 办法 …"""
    t = (title or "").strip().strip("《》")
    probe = t + " " + filename
    if _REPORT.search(probe) and "决议" not in t:
        return "政府工作报告"
    if doc_type == "讲话" or _SPEECH.search(t) or "讲话" in filename:
        return "讲话"
    if doc_type in ("规划", "计划") or _PLAN.search(t) or _PLAN_EN.search(filename):
        return "规划"
    if doc_type == "法" or _LAW_TITLE.search(t):
        return "法律法规"
    if doc_type in ("条例", "规则") and not _PARTY.search(t):
        return "法律法规"
    return None


@dataclass(frozen=True)
class TopicEvidence:
    topic: str
    coverage: float  # share of passages with a keyword of the topic
    title_hit: bool
    keywords: int  # distinct keywords of the topic found in the text

    def mainly(self, passages: int) -> bool:
        if self.title_hit and self.coverage >= TITLE_COVERAGE:
            return True
        return self.coverage >= BODY_COVERAGE and passages >= MIN_PASSAGES

    @property
    def strong(self) -> bool:
        return self.title_hit and self.coverage >= STRONG_COVERAGE


def topic_evidence(topics: Sequence[Topic], title: str | None, passages: Sequence[str]) -> list[TopicEvidence]:
    out = []
    n = max(1, len(passages))
    for t in topics:
        words = [k for k in dict.fromkeys((t.name, *t.keywords)) if k]
        covered = sum(1 for p in passages if any(k in p for k in words))
        body = "\n".join(passages)
        out.append(TopicEvidence(
            t.name, round(covered / n, 3), any(k in (title or "") for k in words),
            sum(1 for k in words if k in body),
        ))
    return out


@dataclass(frozen=True)
class Grouping:
    group: str  # a topic name, a kind name, or CATCH_ALL
    basis: str  # topic | kind | other | editor
    score: float  # the chosen topic's coverage (0 for kinds and 其他)
    evidence: dict[str, float] = field(default_factory=dict)  # topic → coverage, for explaining


def choose_group(topics: Sequence[Topic], *, title: str | None, doc_type: str | None, filename: str,
                 passages: Sequence[str]) -> Grouping:
    evidence = topic_evidence(topics, title, passages)
    table = {e.topic: e.coverage for e in evidence}
    ranked = sorted(evidence, key=lambda e: (e.title_hit, e.coverage, e.keywords), reverse=True)
    main = [e for e in ranked if e.mainly(len(passages))]
    kind = document_kind(title, doc_type, filename)
    if kind == "政府工作报告":  # broad by nature: never under one department's topic
        return Grouping(kind, "kind", 0.0, table)
    if main and (kind is None or kind == "法律法规" or main[0].strong):
        return Grouping(main[0].topic, "topic", main[0].coverage, table)
    if kind:
        return Grouping(kind, "kind", 0.0, table)
    return Grouping(CATCH_ALL, "other", 0.0, table)
