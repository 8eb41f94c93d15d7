"""The optional plain-language 解读 of one digest entry, written by the configured LLM from
the entry's key points (prompts/digest.txt) and checked like answers
(policykb.answer.generative.write_cited → policykb.answer.checks): markers that point at
no key point are removed, sentences their cited passages do not support are dropped.
Without an LLM (settings.llm_base_url empty) the interpretation is None; an LLM failure
is logged and also gives None — the digest never waits on or fails for it.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policykb.service import KnowledgeBase

log = logging.getLogger("policykb.digest")


def _point(text: str) -> str:
    """A key point cannot close the prompt's <要点> block or open a fake one."""
    return " ".join(text.replace("<要点", "＜要点").replace("</要点", "＜/要点").split())


def interpret_entry(kb: "KnowledgeBase", *, title: str | None, doc_no: str | None, issuer: str | None,
                    date: str | None, points: Sequence[str], passages: Sequence[str],
                    numbers: Sequence[int]) -> str | None:
    """`points[i]` is cited by `passages[i]`; `numbers[i]` is its citation number in the
    digest, which replaces the prompt's local [i+1] in the returned text."""
    if not kb.settings.llm_base_url or not points:
        return None
    try:
        from policykb.answer.checks import MARKER, parse_marker
        from policykb.answer.generative import write_cited
        from policykb.llm import LLMError, llm_for
    except ImportError:  # the generative answerer is not installed
        return None
    try:
        checked = write_cited(
            llm_for(kb.settings), "digest", list(passages), kb.question_weights,
            title=title or "（无标题）", doc_no=doc_no or "无", issuer=issuer or "未注明", date=date or "未注明",
            points="\n".join(f"[{i}] {_point(p)}" for i, p in enumerate(points, 1)),
        )
    except LLMError as exc:
        log.warning("digest interpretation skipped for %s: %s", title, exc.reason)
        return None
    except Exception:  # an interpretation is an extra: never lose the digest over it
        log.exception("digest interpretation failed for %s", title)
        return None
    if checked.not_found:
        return None
    kept = [s for s in checked.sentences if s.supported and s.score is not None]

    # checked.cited[j] is the prompt's point number behind the checked text's [j+1].
    def renumber(m: re.Match[str]) -> str:
        out = [numbers[checked.cited[n - 1] - 1] for n in parse_marker(m.group(1)) if 1 <= n <= len(checked.cited)]
        return "".join(f"[{k}]" for k in dict.fromkeys(out))

    return "".join(MARKER.sub(renumber, s.text) for s in kept).strip() or None


GROUP_POINTS_PER_DOC = 3  # the first points of each document: its targets and first tasks
GROUP_MAX_POINTS = 45


def interpret_group(kb: "KnowledgeBase", *, name: str, documents: Sequence[tuple[str, Sequence[tuple[str, str, int]]]]
                    ) -> str | None:
    """The 导读 of one group, written by the LLM from its documents' first key points
    (prompts/digest_group.txt) and checked like answers; `documents` is [(label, [(point
    text, cited passage, citation number)])]. None without an LLM or when nothing survives."""
    if not kb.settings.llm_base_url or len(documents) < 2:
        return None
    picked = [(label, p) for label, points in documents for p in list(points)[:GROUP_POINTS_PER_DOC]][:GROUP_MAX_POINTS]
    if not picked:
        return None
    try:
        from policykb.answer.checks import MARKER, parse_marker
        from policykb.answer.generative import write_cited
        from policykb.llm import LLMError, llm_for
    except ImportError:
        return None
    try:
        checked = write_cited(
            llm_for(kb.settings), "digest_group", [p[1] for _, p in picked], kb.question_weights,
            group=name, count=len(documents),
            points="\n".join(f"[{i}] {_point(p[0])}（{label}）" for i, (label, p) in enumerate(picked, 1)),
        )
    except LLMError as exc:
        log.warning("digest group guide skipped for %s: %s", name, exc.reason)
        return None
    except Exception:  # a guide is an extra: never lose the digest over it
        log.exception("digest group guide failed for %s", name)
        return None
    if checked.not_found:
        return None
    numbers = [p[2] for _, p in picked]
    kept = [s for s in checked.sentences if s.supported and s.score is not None]

    def renumber(m: re.Match[str]) -> str:
        out = [numbers[checked.cited[n - 1] - 1] for n in parse_marker(m.group(1)) if 1 <= n <= len(checked.cited)]
        return "".join(f"[{k}]" for k in dict.fromkeys(out))

    return "".join(MARKER.sub(renumber, s.text) for s in kept).strip() or None
