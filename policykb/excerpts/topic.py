"""What a topic is about: its own words and the related terms the thesaurus lists for it
(lines `@生态文明|绿水青山 = 碳达峰 生物多样性 …` in index/thesaurus.txt), and how much a
statement is about it. Pure functions over text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policykb.text import fold

# Words of a request that say what is wanted, not what it is about.
_REQUEST_WORDS = re.compile(
    r"关于|有关|的?重要论述|论述|摘编|重要讲话|讲话|文章|总书记|习近平|\d{4}年?|是怎么说的|怎么说|说了什么|如何|什么|方面|问题|的")


@dataclass(frozen=True)
class Topic:
    name: str  # as the user wrote it
    core: tuple[str, ...]  # the topic's own words (生态文明, 绿水青山)
    related: tuple[str, ...]  # related terms from the thesaurus (碳达峰, 生物多样性 …)

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.core, *self.related]))


def parse_topics(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The `@said|said = related …` lines of a thesaurus file."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line.startswith("@") or "=" not in line:
            continue
        left, right = line[1:].split("=", 1)
        said = tuple(s.strip() for s in left.split("|") if s.strip())
        related = tuple(w for w in right.split() if w)
        if said and related:
            out.append((said, related))
    return out


def topic_entries(paths: list[Path]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    entries = []
    for p in paths:
        if p.is_file():
            entries.extend(parse_topics(p.read_text(encoding="utf-8-sig")))
    return entries


def resolve_topic(name: str, entries: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> Topic:
    """The topic's words: the thesaurus entries its text names (with their related terms),
    else the words of the text itself."""
    folded = fold(name)
    core: dict[str, None] = {}
    related: dict[str, None] = {}
    for said, rel in entries:
        hit = [s for s in said if fold(s) in folded]
        hit = [s for s in hit if not any(s != o and s in o for o in hit)]  # 脱贫 inside 脱贫攻坚
        if hit:
            for s in hit:
                core.setdefault(s, None)
            for w in rel:
                related.setdefault(w, None)
    if not core:
        rest = _REQUEST_WORDS.sub(" ", name)
        for part in re.split(r"[\s，。、；,;：:“”\"'《》（）()？?！!]+", rest):
            if len(part) >= 2:
                core.setdefault(part, None)
        if not core and name.strip():
            core[name.strip()] = None
    return Topic(name=name.strip(), core=tuple(core), related=tuple(w for w in related if w not in core))


@dataclass(frozen=True)
class TopicMatch:
    score: float  # weighted distinct terms found (core 2, related 1; a longer term counts more)
    density: float  # share of the statement's characters covered by topic terms
    terms: tuple[str, ...]  # the terms found, longest first


def topic_match(sentence: str, topic: Topic) -> TopicMatch:
    """How much a sentence is about the topic: which of its terms it contains and how
    densely. A term inside a longer found term counts once (生态 inside 生态文明)."""
    s = fold(sentence)
    found: list[str] = []
    for term in sorted(topic.terms, key=len, reverse=True):
        t = fold(term)
        if t and t in s and not any(t in fold(f) for f in found):
            found.append(term)
    core = {fold(c) for c in topic.core}
    score = 0.0
    covered = 0
    for term in found:
        t = fold(term)
        if t in core or any(c in t for c in core):
            weight = 2.0  # the topic itself, or a term made of it (考古工作 for 考古)
        else:
            weight = 0.75 if len(term) <= 2 else 1.0  # 生态, 文物: weaker evidence than 生物多样性
        score += weight
        covered += len(term) * s.count(fold(term))
    length = max(len(re.sub(r"\s", "", s)), 1)
    return TopicMatch(round(score, 3), round(min(covered / length, 1.0), 3), tuple(found))
