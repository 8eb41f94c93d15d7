"""The offline answerer: the sentences of the top passages that best answer the question,
each followed by the citation of its passage. No model, no invention: every word of the
answer is a quotation."""
from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.answer.relevance import coverage
from policykb.results import Hit

_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


@dataclass(frozen=True)
class Picked:
    sentence: str
    hit_index: int


def _similar(a: str, b: str) -> bool:
    """Near-duplicates (the same clause in two versions of a document) are said once."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return False
    return len(sa & sb) / min(len(sa), len(sb)) > 0.8


def pick_sentences(weights: dict[str, float], hits: list[Hit], *, max_sentences: int = 4,
                   max_chars: int = 360, min_coverage: float = 0.2) -> list[Picked]:
    candidates: list[tuple[float, int, int, str]] = []
    for hi, hit in enumerate(hits):
        for si, sent in enumerate(split_sentences(hit.text)):
            if len(sent) < 8:  # headings and fragments say nothing alone
                continue
            score = coverage(weights, sent) + 0.15 / (hi + 1)
            candidates.append((score, hi, si, sent))
    candidates.sort(key=lambda c: -c[0])
    chosen: list[tuple[int, int, str]] = []
    used = 0
    for score, hi, si, sent in candidates:
        if score - 0.15 / (hi + 1) < min_coverage and chosen:
            break
        if any(_similar(sent, c[2]) for c in chosen):
            continue
        if chosen and used + len(sent) > max_chars:
            continue
        chosen.append((hi, si, sent))
        used += len(sent)
        if len(chosen) >= max_sentences:
            break
    # Read in the order of the passages and of the text, like a person would quote them.
    chosen.sort()
    return [Picked(sentence=s, hit_index=hi) for hi, _, s in chosen]


def compose(picked: list[Picked], hits: list[Hit]) -> tuple[str, list[dict]]:
    """Answer text with [n] after each sentence; citations numbered by first use."""
    numbers: dict[int, int] = {}
    parts: list[str] = []
    for p in picked:
        n = numbers.setdefault(p.hit_index, len(numbers) + 1)
        sentence = p.sentence
        if sentence[-1] not in "。！？；":
            sentence += "。"
        parts.append(f"{sentence}[{n}]")
    citations = []
    for hit_index, n in sorted(numbers.items(), key=lambda kv: kv[1]):
        citations.append({**hits[hit_index].to_dict(), "n": n})
    return "".join(parts), citations
