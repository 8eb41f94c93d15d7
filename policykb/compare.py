"""新旧对照: two versions of a text, article by article. Pure functions.

The units are the articles (第X条), or, in a text without articles, its top-level
numbered items (一、 / 1.). They are aligned by content, not by number, so an article
that was renumbered (第五条 → 第六条) still pairs with itself:

1. equal texts (whitespace ignored) pair first, in order;
2. the rest pair greedily by character-bigram similarity, best first, with a small
   preference for the same relative position (two near-identical 「…的，给予警告处分」
   articles go to their own neighbourhoods), above `MIN_SIMILARITY`;
3. what is left is 删除 (old) or 新增 (new).

Each pair is 未变 exactly when the texts are equal ignoring whitespace, else 修改, with
the word-level differences (jieba words, difflib opcodes).
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

UNCHANGED, MODIFIED, ADDED, DELETED = "未变", "修改", "新增", "删除"
CHANGES = (UNCHANGED, MODIFIED, ADDED, DELETED)

# Tuned on the 2015 → 2018 纪律处分条例 (not on the 2018 → 2023 gold sample that
# bench/compare.py measures); see bench/compare.py.
MIN_SIMILARITY = 0.35
POSITION_WEIGHT = 0.15

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Unit:
    label: str  # 第五条, 三、 …
    text: str  # the article without its label, lines stripped
    start: int  # offset in the document text

    @property
    def key(self) -> str:
        return _WS.sub("", self.text)


@dataclass
class Pair:
    change: str
    old: Unit | None
    new: Unit | None
    differences: list[dict[str, Any]] = field(default_factory=list)
    similarity: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "old": {"label": self.old.label, "text": self.old.text} if self.old else None,
            "new": {"label": self.new.label, "text": self.new.text} if self.new else None,
            "differences": self.differences,
        }


@dataclass
class Comparison:
    pairs: list[Pair]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(p.change for p in self.pairs)
        return {c: counted.get(c, 0) for c in CHANGES}

    def to_dict(self) -> dict[str, Any]:
        return {"pairs": [p.to_dict() for p in self.pairs], "counts": self.counts}


def units(text: str) -> list[Unit]:
    """The articles of a text, else its top-level numbered items, else its paragraphs.
    An article runs to the next article or the next 编/章/节 heading (its own （一）… items
    stay inside it)."""
    from policykb.ingest.structure import CONTAINER_KINDS, find_headings

    headings = find_headings(text)
    for kinds in (("article",), ("cn",), ("arabic",)):
        starts = [h for h in headings if h.kind in kinds]
        if len(starts) >= 2:
            break
    else:
        return _paragraphs(text)
    stops = sorted({h.start for h in headings if h.kind in kinds or h.kind in CONTAINER_KINDS} | {len(text)})
    out = []
    for h in starts:
        end = next(s for s in stops if s > h.start)
        body = text[h.start:end]
        label = h.label
        raw_label = re.match(rf"\s*(?:#+\s*)?{re.escape(label)}", body)
        rest = body[raw_label.end():] if raw_label else body
        lines = [ln.strip() for ln in rest.strip().split("\n")]
        out.append(Unit(label, "\n".join(ln for ln in lines if ln), h.start))
    if out:
        last = out[-1]
        out[-1] = Unit(last.label, _without_signature(last.text), last.start)
    return out


_SHORT_LINE = re.compile(r"^[^。；，：:,;]{2,30}$")


def _without_signature(text: str) -> str:
    """The last article without the 落款 after it (issuer and date lines)."""
    from policykb.ingest.metadata import parse_date

    lines = text.split("\n")
    while len(lines) > 1:
        tail = lines[-1]
        is_date = parse_date(tail) is not None and len(tail) <= 20
        if is_date or (_SHORT_LINE.match(tail) and not tail.endswith(("。", "！", "？"))):
            lines.pop()
        else:
            break
    return "\n".join(lines)


def _paragraphs(text: str) -> list[Unit]:
    out, pos = [], 0
    for n, para in enumerate(text.split("\n"), 1):
        if para.strip():
            out.append(Unit(f"第{len(out) + 1}段", para.strip(), pos))
        pos += len(para) + 1
    return out


def _bigrams(text: str) -> Counter[str]:
    key = _WS.sub("", text)
    return Counter(key[i:i + 2] for i in range(len(key) - 1)) or Counter([key])


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """Dice coefficient over character bigrams (counted with multiplicity)."""
    total = sum(a.values()) + sum(b.values())
    return 2 * sum((a & b).values()) / total if total else 0.0


def align(old: list[Unit], new: list[Unit], *, min_similarity: float = MIN_SIMILARITY,
          position_weight: float = POSITION_WEIGHT) -> list[tuple[int | None, int | None, float]]:
    """(old index, new index, similarity) for every unit of both sides exactly once;
    None on one side for a deleted or added unit."""
    matched: dict[int, tuple[int, float]] = {}
    taken: set[int] = set()
    # 1. equal texts, in order
    by_key: dict[str, list[int]] = {}
    for j, u in enumerate(new):
        by_key.setdefault(u.key, []).append(j)
    for i, u in enumerate(old):
        for j in by_key.get(u.key, []):
            if j not in taken:
                matched[i] = (j, 1.0)
                taken.add(j)
                break
    # 2. the rest by similarity, best first
    grams_old = {i: _bigrams(u.text) for i, u in enumerate(old) if i not in matched}
    grams_new = {j: _bigrams(u.text) for j, u in enumerate(new) if j not in taken}
    n_old, n_new = max(len(old) - 1, 1), max(len(new) - 1, 1)
    candidates = []
    for i, ga in grams_old.items():
        for j, gb in grams_new.items():
            sim = similarity(ga, gb)
            if sim >= min_similarity:
                drift = abs(i / n_old - j / n_new)
                candidates.append((sim - position_weight * drift, sim, i, j))
    candidates.sort(key=lambda c: (-c[0], c[2], c[3]))
    for _, sim, i, j in candidates:
        if i not in matched and j not in taken:
            matched[i] = (j, sim)
            taken.add(j)
    # 3. in reading order: each new unit, with deleted old units placed after the old
    # unit that precedes them
    out: list[tuple[int | None, int | None, float]] = []
    new_to_old = {j: (i, s) for i, (j, s) in matched.items()}
    deleted = [i for i in range(len(old)) if i not in matched]
    placed: set[int] = set()

    def flush_deleted(before_old: int) -> None:
        for i in deleted:
            if i < before_old and i not in placed:
                out.append((i, None, 0.0))
                placed.add(i)

    for j in range(len(new)):
        if j in new_to_old:
            i, s = new_to_old[j]
            flush_deleted(i)
            out.append((i, j, s))
        else:
            out.append((None, j, 0.0))
    flush_deleted(len(old))
    return out


def word_differences(old: str, new: str) -> list[dict[str, Any]]:
    """Word-level edits from old to new: {op: replace|delete|insert, old, new, old_start,
    new_start} with offsets into the two texts (whitespace-only edits left out)."""
    import jieba

    a, b = jieba.lcut(old), jieba.lcut(new)
    starts_a, starts_b = _offsets(a), _offsets(b)
    out = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if not removed.strip() and not added.strip():
            continue
        out.append({"op": op, "old": removed, "new": added, "old_start": starts_a[i1], "new_start": starts_b[j1]})
    return out


def _offsets(tokens: list[str]) -> list[int]:
    out, pos = [], 0
    for t in tokens:
        out.append(pos)
        pos += len(t)
    out.append(pos)
    return out


def compare_units(old: list[Unit], new: list[Unit]) -> Comparison:
    pairs = []
    for i, j, sim in align(old, new):
        a = old[i] if i is not None else None
        b = new[j] if j is not None else None
        if a is None:
            pairs.append(Pair(ADDED, None, b))
        elif b is None:
            pairs.append(Pair(DELETED, a, None))
        elif a.key == b.key:
            pairs.append(Pair(UNCHANGED, a, b, [], 1.0))
        else:
            pairs.append(Pair(MODIFIED, a, b, word_differences(a.text, b.text), round(sim, 3)))
    return Comparison(pairs)


def compare_texts(old_text: str, new_text: str) -> Comparison:
    return compare_units(units(old_text), units(new_text))


def explain(pair: Pair) -> str:
    """The 说明 column of a 新旧条文对照表."""
    if pair.change == ADDED:
        return "新增"
    if pair.change == DELETED:
        return "删除"
    moved = pair.old and pair.new and pair.old.label != pair.new.label
    where = f"（原{pair.old.label}，现{pair.new.label}）" if moved else ""  # type: ignore[union-attr]
    if pair.change == UNCHANGED:
        return f"条文未变，条序调整{where}" if moved else "未变"
    return f"修改{where}"
