"""The answer gate: does the library hold an answer to this question at all?

A lexical gate alone refuses paraphrases (「上烟酒」 shares no word with 「香烟和高档酒水」) and
admits near misses that share many words. So it weighs three signals a reader would:
how much of the question's rare vocabulary the best passages contain (idf coverage, with
the thesaurus' official words counting for the colloquial ones; for the vocabulary to count
on its own, one sentence must hold it, or the passage must also be near in meaning), how close the best
passage is in meaning (cosine of the query and passage vectors), and whether the
passage comes from a document the question itself names. Numbers and article
references a question is pinned to must occur (the anchor rule). With a model
configured the gate only turns away what is plainly out of scope: the model and the
citation check decide the rest.

Thresholds are fitted on half of bench/policy_questions.jsonl and checked on the other
half (bench/policy_eval.py --gate).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GateSignals:
    coverage: float  # best idf coverage of the question by one passage (0..1)
    similarity: float | None  # best query-passage cosine among the top passages; None without vectors
    named: bool  # the best passage is from a document the question names (title, 文号, place)
    anchored: bool  # every number / 第X条 of the question occurs in the passages
    # A how-much question: how much of it the best sentence stating an amount covers
    # (selection.amount_coverage, best of the passages); None for other questions.
    amount: float | None = None
    # The best coverage by one sentence read under its passage's title and headings: words
    # scattered over a long passage (a 600-character news item that mentions 接待, 检查, 领导
    # and 吃饭 in four places) are not a passage about the question. None: not measured.
    sentence: float | None = None


# Fitted by bench/fit_gate.py on split a of bench/policy_questions.jsonl over the policy
# library with vectors (four collections, 5,294 passages), checked on split b (README).
COVERAGE_ALONE = 0.70  # enough shared vocabulary on its own
COVERAGE_NAMED = 0.55  # when the passage is in the document the question names
COVERAGE_WITH_MEANING = 0.20  # when the meaning is also close
SIMILARITY = 0.89  # e5 cosine of query and passage: "close in meaning"
# Without vectors (keyword-only libraries, passages still waiting for theirs) the meaning
# signal is missing, so coverage alone decides, at thresholds fitted the same way on the
# whole policy corpus searched by keyword.
LEXICAL_COVERAGE_ALONE = 0.55
LEXICAL_COVERAGE_NAMED = 0.40
# With a model configured every coverage threshold is this much lower: the model reads the
# passages and may answer 「知识库中未找到相关内容」 itself, and the citation check follows.
MODEL_SLACK = 0.15
# 「伙食补助一天补多少钱」 over 「伙食补助费按出差天数计算」: the passages are about the topic
# but state no amount for it. Offline, a how-much question needs a sentence that states an
# amount and covers this much of the question beyond the title and headings.
AMOUNT_COVERAGE = 0.2
# With vectors, the words-alone thresholds above are met by one sentence (GateSignals.sentence),
# or by the passage when its cosine is at least this: chosen on our set, the first held-out set
# and the ncp library with our policy questions as its near misses (README).
SPREAD_WORDS_SIMILARITY = 0.885


def admits(g: GateSignals, *, with_model: bool = False) -> bool:
    if not g.anchored:
        return False
    if not with_model and g.amount is not None and g.amount < AMOUNT_COVERAGE:
        return False
    slack = MODEL_SLACK if with_model else 0.0
    close = g.similarity is not None and g.similarity >= SIMILARITY
    if g.similarity is None:
        return (g.coverage >= LEXICAL_COVERAGE_ALONE - slack
                or (g.named and g.coverage >= LEXICAL_COVERAGE_NAMED - slack))
    # Shared vocabulary alone admits where one sentence holds it, or, spread over the
    # passage, when the passage is also nearly close in meaning; closeness in meaning is a
    # passage's, so that branch weighs the passage's coverage.
    spread_ok = g.sentence is None or g.similarity >= SPREAD_WORDS_SIMILARITY

    def words(threshold: float) -> bool:
        return (g.sentence is not None and g.sentence >= threshold - slack) or (
            spread_ok and g.coverage >= threshold - slack)

    if words(COVERAGE_ALONE) or (g.named and words(COVERAGE_NAMED)):
        return True
    return close and g.coverage >= COVERAGE_WITH_MEANING
