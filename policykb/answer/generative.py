"""Answers written by a chat model from the top passages, then checked.

The prompt (prompts/system.txt + prompts/answer.txt) gives the passages as numbered data
between <资料 编号="n"> … </资料>; the model's text is then checked by
policykb.answer.checks: markers that point at no passage are removed, the rest renumbered
by first use, and sentences their cited passage does not support are listed in
`unsupported`. An answer with no supported sentence at all is not shown: the caller falls
back to the extractive answer (`Ungrounded`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from policykb.answer.checks import AnswerChecker, CheckedAnswer, SentenceStream, Weigh, check_answer
from policykb.llm import LLM, LLMError, Messages
from policykb.prompts import PromptError, render
from policykb.results import NOT_FOUND, Answer, Citation, Hit


class Ungrounded(LLMError):
    """The model answered, but nothing it said is supported by the passages it cited."""

    def __init__(self, checked: CheckedAnswer) -> None:
        super().__init__("回答未通过引用核查", kind="ungrounded")
        self.checked = checked


def fallback_notice(exc: LLMError) -> str:
    if exc.kind == "ungrounded":
        return "大模型的回答未通过引用核查，已改用摘录式回答"
    if exc.kind == "busy":
        return f"{exc.reason}；已先给出摘录式回答"
    return f"大模型服务不可用，已改用摘录式回答：{exc.reason}"


# ---- the prompt ------------------------------------------------------------------------

def _data(text: str) -> str:
    """A passage cannot close its own delimiter or open a fake one."""
    return text.replace("<资料", "＜资料").replace("</资料", "＜/资料")


def source_line(hit: Hit) -> str:
    meta = hit.metadata or {}
    parts = [f"《{hit.title or '无标题'}》"]
    parts += [str(meta[k]) for k in ("doc_no", "issuer", "date") if meta.get(k)]
    if hit.section_path:
        parts.append(" › ".join(hit.section_path))
    if hit.page:
        parts.append(f"第{hit.page}页")
    return "出处：" + " · ".join(parts)


def format_passages(hits: list[Hit]) -> str:
    return "\n\n".join(
        f'<资料 编号="{n}">\n{_data(source_line(h))}\n{_data(h.text.strip())}\n</资料>'
        for n, h in enumerate(hits, 1)
    )


def messages(prompt: str, **values: Any) -> Messages:
    return [
        {"role": "system", "content": render("system")},
        {"role": "user", "content": render(prompt, **values)},
    ]


def answer_messages(question: str, hits: list[Hit]) -> Messages:
    try:
        return messages("answer", question=_data(question.strip()), passages=format_passages(hits))
    except PromptError as exc:  # an edited or missing template: answer without the model
        raise LLMError(str(exc), kind="config") from exc


# ---- from model text to Answer ---------------------------------------------------------

def evidence(hits: list[Hit]) -> list[str]:
    """What the model was shown of each passage: the source line (title, 文号, date…) too."""
    return [f"{source_line(h)}\n{h.text}" for h in hits]


def to_answer(question: str, hits: list[Hit], text: str, weigh: Weigh, *, answerer: str,
              pending_vectors: int = 0) -> Answer:
    """Check the model's `text` against `hits`; raise Ungrounded if nothing holds."""
    checked = check_answer(text, evidence(hits), weigh)
    return _answer(question, hits, checked, answerer=answerer, pending_vectors=pending_vectors)


def _answer(question: str, hits: list[Hit], checked: CheckedAnswer, *, answerer: str,
            pending_vectors: int) -> Answer:
    if checked.not_found:
        return Answer(question=question, answer=NOT_FOUND, citations=[], found=False,
                      answerer=answerer, pending_vectors=pending_vectors)
    if checked.supported_count == 0:
        raise Ungrounded(checked)
    citations = [Citation.of(hits[n - 1], i) for i, n in enumerate(checked.cited, 1)]
    unsupported = checked.unsupported
    notice = (f"有 {len(unsupported)} 句未能在所引段落中找到依据，已标出，请核对原文"
              if unsupported else None)
    return Answer(question=question, answer=checked.text, citations=citations, found=True,
                  answerer=answerer, notice=notice, unsupported=unsupported,
                  pending_vectors=pending_vectors)


def answer(llm: LLM, question: str, hits: list[Hit], weigh: Weigh, *, pending_vectors: int = 0) -> Answer:
    text = llm.chat(answer_messages(question, hits))
    return to_answer(question, hits, text, weigh, answerer=llm.name, pending_vectors=pending_vectors)


def stream(llm: LLM, question: str, hits: list[Hit], weigh: Weigh, *,
           pending_vectors: int = 0) -> Iterator[tuple[str, Any]]:
    """("delta", {"text", "supported"}) for each sentence of the model's answer once it
    has been checked (never the raw text: markers already renumbered or removed, and a
    sentence its passages do not support marked `supported: false`), then ("done",
    checked answer dict), which equals the non-streamed answer. Raises LLMError (possibly
    after some deltas) like `answer`; Ungrounded when no sentence held."""
    checker = AnswerChecker(evidence(hits), weigh)
    sentences = SentenceStream()
    parts: list[str] = []

    def judged(raws: list[str]) -> Iterator[tuple[str, Any]]:
        for raw in raws:
            check = checker.sentence(raw)
            if check.text:
                yield "delta", {"text": check.text, "supported": check.supported}

    for delta in llm.stream(answer_messages(question, hits)):
        parts.append(delta)
        yield from judged(sentences.feed(delta))
    yield from judged(sentences.finish())
    checked = checker.result("".join(parts))
    yield "done", _answer(question, hits, checked, answerer=llm.name, pending_vectors=pending_vectors).to_dict()


# ---- other prompts ---------------------------------------------------------------------

def write_cited(llm: LLM, prompt: str, sources: list[str], weigh: Weigh, **values: Any) -> CheckedAnswer:
    """Any prompt whose output cites numbered `sources` as [n] (e.g. prompts/digest.txt
    with {points}): generate, then run the same checks as answers."""
    return check_answer(llm.chat(messages(prompt, **values)), sources, weigh)


def rewrite_query(llm: LLM, question: str, *, fallback: Callable[[str], str] | None = None) -> str:
    """The question restated for retrieval (prompts/rewrite.txt); the question itself if
    the model fails or returns something unusable."""
    try:
        text = llm.chat(messages("rewrite", question=_data(question.strip())))
    except LLMError:
        return fallback(question) if fallback else question
    line = next((ln.strip().strip("\"'“”「」") for ln in text.splitlines() if ln.strip()), "")
    return line if 0 < len(line) <= max(200, 4 * len(question)) else question
