"""The foundation, as a user meets it: ingest the demo corpus, search, ask, get citations.

Uses the session's demo knowledge base (real model, real embedded Chroma, real files)."""
from __future__ import annotations

import json
import re

import pytest

from conftest import CORPUS
from policykb.results import NOT_FOUND

QUESTIONS = json.loads((CORPUS / "demo_questions.json").read_text(encoding="utf-8"))


def squash(text: str) -> str:
    """Whitespace differs between a PDF's lines and the source; compare without it."""
    return re.sub(r"\s+", "", text)


def test_every_demo_file_goes_in_and_the_readme_is_not_a_document(demo_kb):
    docs, total = demo_kb.list_documents()
    names = {d.filename for d in docs}
    expected = {p.name for p in CORPUS.iterdir() if p.suffix in {".md", ".txt", ".pdf", ".docx", ".html"}} - {"README.md"}
    assert names == expected
    assert {d.format for d in docs} >= {"md", "txt", "pdf", "docx", "html"}
    assert demo_kb.registry.pending_count() == 0, "ingest waits for vectors by default"


def test_metadata_is_parsed_from_the_documents_themselves(demo_kb):
    docs = {d.filename: d for d in demo_kb.list_documents()[0]}
    notice = docs["关于开展2026年度村（社区）党组织书记集中轮训的通知.pdf"]
    assert notice.doc_no == "江组发〔2026〕3号"
    assert notice.date == "2026-01-24"  # written 二〇二六年一月二十四日
    assert notice.doc_type == "通知"
    assert "组织部" in (notice.issuer or "")
    assert docs["整治形式主义为基层减负政策问答.md"].date is None


@pytest.mark.parametrize("case", QUESTIONS["answerable"], ids=lambda c: c["question"][:16])
def test_search_finds_the_answering_passage_in_the_top_five(demo_kb, case):
    hits = demo_kb.search(case["question"], top_k=5).results
    found = [h for h in hits if h.source_path.endswith(case["file"]) and squash(case["answer_contains"]) in squash(h.text)]
    assert found, [(h.title, h.text[:40]) for h in hits]
    hit = found[0]
    text = demo_kb.document_text(hit.doc_id)
    assert text[hit.char_start:hit.char_end] == hit.text  # offsets open the exact passage
    for expected, heading in zip(case.get("section", []), hit.section_path):
        assert squash(heading).startswith(squash(expected))


@pytest.mark.parametrize("case", QUESTIONS["answerable"][:6], ids=lambda c: c["question"][:16])
def test_every_answer_sentence_is_cited_and_every_citation_was_retrieved(demo_kb, case):
    answer = demo_kb.ask(case["question"])
    assert answer.found
    retrieved = {h.chunk_id for h in demo_kb.search(case["question"], top_k=demo_kb.ASK_CANDIDATES).results}
    numbers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)]
    assert numbers and sorted(set(numbers)) == [c.n for c in answer.citations]
    assert {c.chunk_id for c in answer.citations} <= retrieved
    # A quotation may be introduced by whose rule it is (「《…》第十条：」, 「另见《…》第九条：」),
    # which cites nothing.
    quoted = re.sub(r"(?m)^(?:另见)?《[^》\n]+》[^\n：]{0,12}：\n?", "", answer.answer)
    for sentence in re.split(r"(?<=\])", quoted):
        if sentence.strip():
            assert re.search(r"\[\d+\]$", sentence.strip()), sentence
    # Extractive: every sentence is a quotation of the passage it cites.
    by_n = {c.n: c for c in answer.citations}
    for sentence, n in re.findall(r"([^\]]+?)\[(\d+)\]", quoted):
        assert squash(sentence.rstrip("。"))[:20] in squash(by_n[int(n)].text)


@pytest.mark.parametrize("question", QUESTIONS["unanswerable"] + ["红烧肉怎么做才好吃？"])
def test_questions_the_library_cannot_answer_are_refused(demo_kb, question):
    q = question["question"] if isinstance(question, dict) else question
    answer = demo_kb.ask(q)
    assert answer.found is False
    assert answer.answer == NOT_FOUND
    assert answer.citations == []
    assert answer.related == []  # plainly outside the library: nothing to look at either


def test_filters_narrow_search_by_issuer_type_and_date(demo_kb):
    q = "党组织书记培训"
    only_notices = demo_kb.search(q, filters={"doc_type": "通知"}).results
    assert only_notices and all("通知" in (h.metadata["doc_type"] or "") for h in only_notices)
    q1 = demo_kb.search(q, filters={"date_from": "2026Q1", "date_to": "2026Q1"}).results
    assert q1 and all("2026-01-01" <= h.metadata["date"] <= "2026-03-31" for h in q1)
    by_issuer = demo_kb.search(q, filters={"issuer": "组织部"}).results
    assert by_issuer and all("组织部" in h.metadata["issuer"] for h in by_issuer)
    assert demo_kb.search(q, filters={"issuer": "不存在的机关"}).results == []


def test_exact_terms_are_found_by_keyword_search(demo_kb):
    hits = demo_kb.search("三审三校", top_k=3, mode="keyword").results
    assert hits and "三审三校" in hits[0].text
    hits = demo_kb.search("江组发〔2026〕3号", top_k=3).results
    assert any(h.metadata["doc_no"] == "江组发〔2026〕3号" for h in hits)


def test_more_like_this_returns_other_passages(demo_kb):
    seed = demo_kb.search("村党组织书记集中轮训", top_k=1).results[0]
    similar = demo_kb.similar(seed.chunk_id, top_k=5).results
    assert similar and seed.chunk_id not in {h.chunk_id for h in similar}


def test_llama_index_pipelines_get_the_same_passages_as_nodes(demo_kb):
    from policykb.index.llama import HybridRetriever

    question = "“三审三校”中的终审由谁负责？"
    nodes = HybridRetriever(demo_kb, top_k=3).retrieve(question)
    hits = demo_kb.search(question, top_k=3).results
    assert [n.node.node_id for n in nodes] == [h.chunk_id for h in hits]
    first = nodes[0].node
    assert first.metadata["doc_no"] == "江宣发〔2026〕5号"
    assert demo_kb.document_text(first.metadata["doc_id"])[first.start_char_idx:first.end_char_idx] == first.text
