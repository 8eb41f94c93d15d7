"""Answers from a table row: name the column the value comes from.

A row is stored as 「序号：2｜重点任务：开展村党组织书记轮训｜牵头单位：市委党校｜…」
(`ingest.tables`). When the sentence that best answers a question is such a row, the
answer is the one field the question asks for, quoted as it stands — 「牵头单位：市委党校」
for 「村党组织书记轮训由哪个单位牵头？」 — and the citation carries the whole row with its
headers, so a reader sees which task the unit leads. Which field: the column whose name
shares the most words with the question (牵头 → 牵头单位), helped by what the question
asks for (哪个单位 → a unit column, 何时 → a date column, 多少 → an amount column); a
column whose value the question already states (the task itself) is not the answer.
When no column is named, the whole row is the answer.
"""
from __future__ import annotations

import re

from policykb.ingest.tables import FIELD_SEP, LABEL_SEP, parse_row

_ASKS = (
    (re.compile(r"谁|哪个单位|哪些单位|哪家|什么单位|哪个部门|哪些部门|什么部门|由哪|负责"),
     re.compile(r"单位|部门|责任|主体|机构|牵头|配合|负责")),
    (re.compile(r"何时|什么时候|时限|期限|截止|哪天|哪一天|几月|多久|什么时间|完成时间"),
     re.compile(r"时限|时间|日期|期限|节点|进度")),
    (re.compile(r"多少|标准|金额|费用|几|上限|下限|比例|分值|数量"),
     re.compile(r"标准|金额|元|数|额|分值|上限|下限|比例|费")),
    (re.compile(r"哪一级|哪级|什么级别|哪个层级"), re.compile(r"范围|级别|层级|等级")),
)
_SERIAL = re.compile(r"^(?:序号|编号|序|No\.?)$", re.I)


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def pick_column(question: str, pairs: list[tuple[str, str]]) -> int | None:
    """Index of the field the question asks for, or None when it names no column."""
    q = _bigrams(question)
    keys = {i for i, (_, value) in enumerate(pairs)
            if len(value) >= 4 and (value in question or len(_bigrams(value) & q) >= 0.6 * len(_bigrams(value)))}
    # What the question asks is what is left once the row's key (the task it names) is
    # taken out: 「云溪县其他费用适用于哪一级」 asks about 适用, not about 费用.
    rest = question
    for i in keys:
        rest = rest.replace(pairs[i][1], " ")
    q = _bigrams(rest)
    best: tuple[float, int] | None = None
    for i, (label, value) in enumerate(pairs):
        if not label or _SERIAL.match(label) or not value or i in keys:
            continue  # a key value the question states is not the answer
        score = float(len(_bigrams(label) & q))
        for asks, columns in _ASKS:
            if asks.search(rest) and columns.search(label):
                score += 1.5
        if score > 0 and (best is None or score > best[0]):
            best = (score, i)
    return best[1] if best else None


def row_at(text: str, offset: int) -> tuple[int, list[tuple[str, str]]] | None:
    """The labelled row line of `text` holding `offset`: (its start, its fields)."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    end = len(text) if end < 0 else end
    pairs = parse_row(text[start:end])
    return (start, pairs) if pairs else None


def field_answer(question: str, text: str, offset: int) -> tuple[str, int] | None:
    """The field of the row at `offset` that answers `question`, as (「列名：值」, its offset
    in `text`); the whole row when the question names no column; None off a row."""
    found = row_at(text, offset)
    if found is None:
        return None
    start, pairs = found
    i = pick_column(question, pairs)
    if i is None:
        line_end = text.find("\n", start)
        return text[start : len(text) if line_end < 0 else line_end], start
    label, value = pairs[i]
    field = f"{label}{LABEL_SEP}{value}"
    # Fields are joined by ｜, so the i-th field starts after i separators.
    at = start + sum(len(f"{lb}{LABEL_SEP}{v}") + len(FIELD_SEP) for lb, v in pairs[:i])
    return field, at


def cited_row(text: str, offset: int, answer: str) -> dict[str, object] | None:
    """What a citation of a row shows: the row's fields and the column answered."""
    found = row_at(text, offset)
    if found is None:
        return None
    _, pairs = found
    label = answer.split(LABEL_SEP, 1)[0] if LABEL_SEP in answer else None
    column = label if any(lb == label for lb, _ in pairs) else None
    return {"row": [[lb, v] for lb, v in pairs], "row_column": column}
