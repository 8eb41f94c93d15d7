"""Measuring a library against its users' own questions (`policykb eval`): pure functions.

A question file is JSON Lines, one question per line:
    {"question": "村党组织书记每年培训多少学时？", "answer": "不少于40学时"}
    {"question": "…", "answer": "…", "kind": "文号"}         # optional: figures per kind
    {"question": "火星基地的建设标准是什么？", "answerable": false}
A search hit counts when its passage contains the answer text (whitespace ignored): the
same rule as bench/retrieval.py, so a user's figures compare with the README's.
`evaluate` runs the questions against a library (`KnowledgeBase.evaluate` delegates to it).
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policykb.service import KnowledgeBase

CUTOFFS = (1, 5, 10)


class QuestionFileError(ValueError):
    pass


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    answer: str | None  # None: the library should say it cannot answer
    kind: str | None = None


@dataclass
class EvalReport:
    questions: int
    retrieval: dict[str, float]  # R@1, R@5, R@10, MRR@10 over answerable questions
    by_kind: dict[str, dict[str, float]]
    answered: float | None  # share of answerable questions `ask` answered (None: not asked)
    refused: float | None  # share of unanswerable questions `ask` refused
    misses: list[dict[str, Any]] = field(default_factory=list)  # answerable, not in the top 10

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def load_questions(path: Path) -> list[EvalQuestion]:
    out = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question = str(row["question"]).strip()
        except (ValueError, KeyError, TypeError) as exc:
            raise QuestionFileError(f"{path} 第 {number} 行不是有效的问题（需要 JSON 对象，含 question 字段）：{exc}") from exc
        answerable = row.get("answerable", True) is not False
        answer = str(row.get("answer") or "").strip() or None
        if answerable and not answer:
            raise QuestionFileError(f"{path} 第 {number} 行缺少 answer（答案原文片段）；无法回答的问题请写 \"answerable\": false")
        out.append(EvalQuestion(question, answer if answerable else None, row.get("kind")))
    if not out:
        raise QuestionFileError(f"{path} 中没有问题")
    return out


def rank_of(answer: str, passages: list[str]) -> int | None:
    """1-based rank of the first passage containing the answer, or None."""
    gold = squash(answer)
    return next((i for i, text in enumerate(passages, 1) if gold in squash(text)), None)


def retrieval_metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    out = {f"R@{k}": round(sum(1 for r in ranks if r and r <= k) / n, 3) for k in CUTOFFS}
    out["MRR@10"] = round(sum(1 / r for r in ranks if r and r <= 10) / n, 3)
    return out


def evaluate(kb: KnowledgeBase, questions: list[EvalQuestion], *, mode: str = "hybrid", ask: bool = True,
             on_progress: Callable[[int, int], None] | None = None) -> EvalReport:
    """Recall@1/5/10 and MRR@10 of search over the answerable questions and, with
    `ask`, how many of them the answer gate answers and how many of the unanswerable
    ones it refuses."""
    ranks: list[int | None] = []
    kinds: dict[str, list[int | None]] = {}
    answered = refused = 0
    misses = []
    for done, q in enumerate(questions, 1):
        if q.answer is not None:
            hits = kb.search(q.question, top_k=10, mode=mode).results
            rank = rank_of(q.answer, [h.text for h in hits])
            ranks.append(rank)
            kinds.setdefault(q.kind or "", []).append(rank)
            if rank is None:
                misses.append({"question": q.question, "answer": q.answer,
                               "top": [{"title": h.title, "text": h.text[:120]} for h in hits[:3]]})
        if ask:
            found = kb.ask(q.question).found
            answered += found and q.answer is not None
            refused += not found and q.answer is None
        if on_progress:
            on_progress(done, len(questions))
    n_unanswerable = len(questions) - len(ranks)
    return EvalReport(
        questions=len(questions),
        retrieval=retrieval_metrics(ranks),
        by_kind={k: retrieval_metrics(v) for k, v in sorted(kinds.items()) if k},
        answered=round(answered / len(ranks), 3) if ask and ranks else None,
        refused=round(refused / n_unanswerable, 3) if ask and n_unanswerable else None,
        misses=misses,
    )
