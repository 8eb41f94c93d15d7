"""Shared helpers for the ingest tests: where the reference corpus lives, and the
invariants every parsed document must satisfy whatever its source."""
from __future__ import annotations

from pathlib import Path

import pytest

from policykb.ingest.types import ParsedDocument

from conftest import POLICY as CORPUS
from conftest import SHARED_REASON


def corpus_file(pattern: str) -> Path:
    """One real document from ../shared/corpus/policy (skip the test when absent)."""
    if not CORPUS.is_dir():
        pytest.skip(SHARED_REASON)
    hits = sorted(CORPUS.glob(pattern))
    assert hits, f"no corpus file matches {pattern}"
    return hits[0]


def corpus_files(pattern: str) -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(SHARED_REASON)
    return sorted(CORPUS.glob(pattern))


def assert_chunk_invariants(doc: ParsedDocument, max_chars: int = 400) -> None:
    """Offsets are exact, chunks are in order, never overlap, never exceed the cap,
    and carry the page of their first character."""
    prev_end = 0
    for i, chunk in enumerate(doc.chunks):
        assert chunk.ord == i
        assert doc.text[chunk.char_start : chunk.char_end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text
        assert chunk.char_start >= prev_end
        assert len(chunk.text) <= max_chars
        prev_end = chunk.char_end
        if doc.pages:
            page = next(p for p in doc.pages if p.char_start <= chunk.char_start < p.char_end)
            assert chunk.page == page.number
        else:
            assert chunk.page is None
    if doc.pages:
        assert doc.pages[0].char_start == 0 and doc.pages[-1].char_end == len(doc.text)
        for a, b in zip(doc.pages, doc.pages[1:]):
            assert a.char_end == b.char_start


def squash(text: str) -> str:
    """Text without any whitespace, to compare content across line-joining."""
    return "".join(text.split())
