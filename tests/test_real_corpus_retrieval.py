"""On real policy notices: questions from ../shared/eval find their answering passage."""
from __future__ import annotations

import json
import re

import pytest

from conftest import NCP, NCP_QA, needs_shared

pytestmark = needs_shared


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def ncp_sample(tmp_path_factory):  # type: ignore[no-untyped-def]
    """25 short notices and their questions: small enough to embed in under a minute."""
    from conftest import make_kb

    questions = [json.loads(line) for line in NCP_QA.read_text(encoding="utf-8").splitlines()]
    sizes = {q["docid"]: (NCP / f"{q['docid']}.txt").stat().st_size for q in questions}
    docids = sorted({d for d, s in sizes.items() if s < 4500})[:25]
    kb = make_kb(tmp_path_factory.mktemp("ncp") / "home")
    report = kb.ingest([NCP / f"{d}.txt" for d in docids])
    assert not report.failed
    yield kb, [q for q in questions if q["docid"] in docids]
    kb.close()


def test_hybrid_search_puts_the_answer_in_the_top_five(ncp_sample):
    kb, questions = ncp_sample
    hits = 0
    for q in questions:
        results = kb.search(q["question"], top_k=5).results
        hits += any(squash(q["answer"]) in squash(h.text) for h in results)
    assert len(questions) >= 15
    assert hits / len(questions) >= 0.8, f"{hits}/{len(questions)}"


def test_answers_cite_passages_that_contain_the_answer(ncp_sample):
    kb, questions = ncp_sample
    good = 0
    for q in questions[:15]:
        answer = kb.ask(q["question"])
        good += answer.found and any(squash(q["answer"])[:12] in squash(c.text) for c in answer.citations)
    assert good >= 10, good
