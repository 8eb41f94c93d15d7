"""Checking a generated answer against the passages it was given. Pure functions.

1. Citation markers ([1], [1][2], [1,2], [1-3], full-width ［1］, 【1】) that point at no
   passage are removed; the rest are renumbered by first use, like the extractive answer.
2. Each sentence is tested against the passages it cites: the share of its key terms
   (jieba tokens, idf-weighted, the same measure as the relevance gate) that occur in
   them, and every number it states must occur in them too (in either script:
   二〇二六年三月五日 supports 2026年3月5日). Sentences below the
   threshold, or citing nothing, are `unsupported`.
3. Passages are data. A passage sentence that reads like an instruction to the model
   ("忽略以上指令……") is no evidence for anything, so an answer that obeys it is flagged.

SUPPORT_THRESHOLD was chosen on data with bench/citation_support.py (seed 7; seed 11 agrees
within 0.01-0.02). A "reworded" sentence is a passage sentence rewritten as a model would
(clauses dropped or moved, a lead-in added, a few characters lost).
  ncp (400 dev questions, BM25 top-5 passages each, 3094 passages):
    reworded answer sentence vs its own passage      p1 0.75  p5 0.87  median 0.98
    same sentence vs the other top-5 passages        median 0.04  p95 0.50  p99 0.72
      (the hard case: a wrong [n] among passages on the same topic; passages repeating
      10+ characters of the sentence are left out, they may well support it)
    vs a random passage of another document          median 0.00  p99 0.43
  policy corpus (400 random sentences, 120 documents, 2846 passages):
    reworded vs own passage p1 0.63  p5 0.80  median 0.96;  vs nearest other passage by
    BM25 median 0.41  p95 0.85 (formulaic policy language: versions, boilerplate)
  At 0.65: supported sentences pass 99.5% (ncp) / 98.8% (policy); wrong-passage citations
  are flagged 97.9% (ncp top-5) / 81.1% (policy nearest passage); random ones 99.8%.
  Balanced accuracy is flat from 0.60 to 0.75 (ncp best 0.60-0.65, policy best 0.75); the
  lower end is taken because a real model rewords more than the simulation does.
  Verbatim sentences score 1.0. A number absent from the cited passages flags a sentence
  whatever its score: 90% of number-changed sentences (the rest changed to a number that
  occurs elsewhere in the passage).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from policykb.answer.relevance import coverage
from policykb.results import NOT_FOUND
from policykb.text import cn_int, fold, sentence_end, sentence_pattern, stop_chars

SUPPORT_THRESHOLD = 0.65

Weigh = Callable[[str], dict[str, float]]

# [1] [1][2] [1,2] [1，2] [1、2] [1-3] ［1］ 【1】 [^1]
MARKER = re.compile(r"[\[［【]\s*\^?\s*(\d{1,3}(?:\s*[,，、\-－–~～]\s*\d{1,3})*)\s*[\]］】]")
# An answer sentence: up to a full stop (and the markers right after it), or a line.
_SENTENCE = re.compile(
    f"[^{stop_chars(semicolon=False)}\\n]*?(?:{sentence_end(semicolon=False, closers='”’」』）)')}"
    r"(?:\s*" + MARKER.pattern + r")*|\n+|$)"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# A line the model set as a heading ("## 审稿", "**三审制度**", "具体如下：") states nothing.
_HEADING = re.compile(r"\s*(?:#+\s*[^\n]+|\*\*[^*\n]+\*\*[：:]?|[^\n。！？]{1,20}[：:])\s*")
# List and markdown furniture a model adds: "1. ", "（2）", "- ", "**…**".
_FURNITURE = re.compile(r"^\s*(?:#+\s*|[-*•·]\s+|\d{1,2}[.、)）]\s*|[（(]\d{1,2}[)）]\s*)|\*\*|__")
_PASSAGE_SENTENCE = sentence_pattern(semicolon=False, closers="")

# Text that addresses the model rather than the reader. Deliberately narrow: policy
# documents say "忽略" and "指令" in ordinary sentences too.
INSTRUCTION = re.compile(
    r"(忽略|无视|忘记|忘掉|不要理会|不要遵守|覆盖)(掉)?(以上|上面|上述|前面|之前|此前|先前|所有|全部|你的|系统)*"
    r"(的)?(所有|全部)?(指令|指示|提示词?|规则|设定|要求|约束)"
    r"|ignore\s+(all\s+)?(the\s+)?(previous|above|prior|earlier)\s+(instructions|prompts?)"
    r"|(你|您)现在(是|扮演|的身份)|system\s*prompt|系统提示词?|越狱",
    re.IGNORECASE,
)


def parse_marker(body: str) -> list[int]:
    """'1' -> [1]; '1,2' -> [1, 2]; '1-3' -> [1, 2, 3] (ranges capped at 20 numbers)."""
    out: list[int] = []
    for part in re.split(r"\s*[,，、]\s*", body.strip()):
        ends = re.split(r"\s*[\-－–~～]\s*", part)
        if len(ends) == 2 and ends[0].isdigit() and ends[1].isdigit():
            lo, hi = int(ends[0]), int(ends[1])
            out.extend(range(lo, min(hi, lo + 19) + 1) if lo <= hi else [lo, hi])
        else:
            out.extend(int(e) for e in ends if e.isdigit())
    return list(dict.fromkeys(out))


def markers(text: str) -> list[int]:
    """Every passage number cited in `text`, in order of first appearance."""
    out: list[int] = []
    for m in MARKER.finditer(text):
        out.extend(parse_marker(m.group(1)))
    return list(dict.fromkeys(out))


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def split_sentences(text: str) -> list[str]:
    """Sentences of an answer, each with the markers that follow its full stop; joining
    them gives back `text`."""
    return [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]


def instruction_like(text: str) -> bool:
    return bool(INSTRUCTION.search(fold(text)))


def evidence_text(passage: str) -> str:
    """The passage as evidence: sentences addressed to a model are left out."""
    return "".join(s for s in _PASSAGE_SENTENCE.findall(passage) if not instruction_like(s))


# Runs of two or more (二〇二六, 七十二), or one before a counter (三月, 五日, 三个): a lone
# 一 or 三 inside a word (统一, 三审) is no number.
_CN_NUMBER = re.compile(
    r"[〇零一二两三四五六七八九十百千万]{2,}|[〇零一二两三四五六七八九十](?=[年月日个项条次天名人倍周季]|小时|学时)"
)


def numbers(text: str) -> list[str]:
    """Arabic numbers in `text`, leading zeros and thousands separators dropped."""
    text = fold(re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text))  # ASCII 1,000; not "2018，300"
    return [n.lstrip("0") or "0" if "." not in n else n for n in _NUMBER.findall(text)]


def evidence_numbers(text: str) -> set[str]:
    """Numbers a passage states, in Arabic or Chinese numerals (二〇二六年三月五日)."""
    found = set(numbers(text))
    for run in _CN_NUMBER.findall(text):
        value = cn_int(run)
        if value is not None:
            found.add(str(value))
    return found


def support(weights: Mapping[str, float], sentence: str, evidence: str) -> float:
    """How well `evidence` supports `sentence` (0..1): the idf-weighted share of the
    sentence's key terms found in it; 0 when the sentence states a number it lacks."""
    ev = fold(evidence)
    ev_numbers = evidence_numbers(evidence)
    if any(n not in ev_numbers for n in numbers(sentence)):
        return 0.0
    return coverage(dict(weights), ev + " " + " ".join(sorted(ev_numbers)))


@dataclass
class SentenceCheck:
    text: str  # as it appears in the checked answer (markers renumbered)
    cited: list[int]  # passage numbers as given to the model (1-based)
    score: float | None  # None: nothing to check (no key terms, or the NOT_FOUND phrase)
    supported: bool


@dataclass
class CheckedAnswer:
    text: str
    cited: list[int]  # passage numbers (1-based, as given to the model) in the order of new [1], [2], …
    sentences: list[SentenceCheck] = field(default_factory=list)
    dropped_markers: list[int] = field(default_factory=list)
    not_found: bool = False

    @property
    def unsupported(self) -> list[str]:
        return [s.text.strip() for s in self.sentences if not s.supported]

    @property
    def supported_count(self) -> int:
        return sum(1 for s in self.sentences if s.supported and s.score is not None)


class AnswerChecker:
    """Checks an answer sentence by sentence, as `check_answer` does for a whole text: a
    streamed answer is judged one sentence at a time, each shown only once judged, and
    the checks add up to the same CheckedAnswer as checking the text at the end."""

    def __init__(self, passages: Sequence[str], weigh: Weigh, *, threshold: float = SUPPORT_THRESHOLD) -> None:
        self.valid = range(1, len(passages) + 1)
        self.weigh = weigh
        self.threshold = threshold
        self.evidence = [evidence_text(p) for p in passages]
        self.renumber: dict[int, int] = {}
        self.dropped: list[int] = []
        self.checks: list[SentenceCheck] = []

    def _rewrite(self, m: re.Match[str]) -> str:
        kept = []
        for n in parse_marker(m.group(1)):
            if n in self.valid:
                kept.append(self.renumber.setdefault(n, len(self.renumber) + 1))
            else:
                self.dropped.append(n)
        return "".join(f"[{k}]" for k in dict.fromkeys(kept))

    def sentence(self, raw: str) -> SentenceCheck:
        """Judge one sentence (as `split_sentences` cuts them), in answer order."""
        check = self._judge(raw)
        self.checks.append(check)
        return check

    def _judge(self, raw: str) -> SentenceCheck:
        cited = [n for n in markers(raw) if n in self.valid]
        new = MARKER.sub(self._rewrite, raw)
        body = _FURNITURE.sub("", strip_markers(raw)).strip()
        if not body.strip(" \n，,。.；;：:!！?？、…—-") or (not cited and _HEADING.fullmatch(strip_markers(raw))):
            return SentenceCheck(new, cited, None, True)
        if NOT_FOUND in body:
            return SentenceCheck(new, cited, None, True)
        weights = self.weigh(body)
        if sum(weights.values()) <= 0 and not numbers(body):
            return SentenceCheck(new, cited, None, not instruction_like(body))
        score = support(weights, body, "\n".join(self.evidence[n - 1] for n in cited)) if cited else 0.0
        ok = bool(cited) and score >= self.threshold and not instruction_like(body)
        return SentenceCheck(new, cited, round(score, 3), ok)

    def result(self, text: str) -> CheckedAnswer:
        """The checked answer, once every sentence of `text` (the whole raw answer) was judged."""
        if is_not_found(text):
            return CheckedAnswer(text=NOT_FOUND, cited=[], not_found=True)
        return CheckedAnswer(
            text="".join(c.text for c in self.checks).strip(),
            cited=[n for n, _ in sorted(self.renumber.items(), key=lambda kv: kv[1])],
            sentences=list(self.checks),
            dropped_markers=list(dict.fromkeys(self.dropped)),
        )


def is_not_found(text: str) -> bool:
    """The model said the passages do not answer the question."""
    text = text.strip()
    return not text or strip_markers(text).strip(" 。.\n") == NOT_FOUND or (NOT_FOUND in text and not markers(text))


def check_answer(text: str, passages: Sequence[str], weigh: Weigh, *,
                 threshold: float = SUPPORT_THRESHOLD) -> CheckedAnswer:
    """Check `text`, written from `passages` (cited as [1]..[len(passages)])."""
    text = text.strip()
    checker = AnswerChecker(passages, weigh, threshold=threshold)
    if is_not_found(text):
        return checker.result(text)
    for raw in split_sentences(text):
        checker.sentence(raw)
    return checker.result(text)


# What may still belong to a sentence that looks finished: its full stops, closing quotes
# and brackets, and citation markers ([1], [1,2], 【1】) after it.
_CONTINUES = set(" \t\r\n\u3000。！？!?”’」』）)[［【]］】^,，、-－–~～") | set("0123456789")


class SentenceStream:
    """Cuts streamed text into the sentences `split_sentences` would cut the whole text
    into, each released only when what follows shows it is complete."""

    def __init__(self) -> None:
        self.buf = ""
        self.started = False

    def feed(self, delta: str) -> list[str]:
        self.buf += delta
        if not self.started:  # check_answer strips the whole text: so do we
            self.buf = self.buf.lstrip()
            self.started = bool(self.buf)
        end = taken = 0
        for piece in split_sentences(self.buf)[:-1]:
            end += len(piece)
            rest = self.buf[end:].lstrip()
            if rest and rest[0] not in _CONTINUES:
                taken = end
        if not taken:
            return []
        done, self.buf = self.buf[:taken], self.buf[taken:]
        return split_sentences(done)

    def finish(self) -> list[str]:
        """The sentences left when the stream ends (the last may lack a full stop)."""
        rest, self.buf = self.buf.rstrip(), ""
        return split_sentences(rest)
