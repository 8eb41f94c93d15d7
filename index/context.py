"""Small-to-big: a passage is matched as its chunk, and returned with the sentences around
it, so an answer that runs across a chunk boundary is still read (and cited) whole.

Measured on the ncp questions (bench/retrieval.py): with 400-character chunks, 7% of the
gold answers cross a chunk boundary; one sentence of context on each side brings the share
of answers that some returned passage can contain from 93% to 96.5%, without embedding
anything twice (the chunks themselves do not overlap).
"""
from __future__ import annotations

import re

from policykb.text import sentence_end

_SENTENCE_END = re.compile(sentence_end(runs=False, closers=""))  # one stop: 。！？； or !?;
MAX_REACH = 160  # characters one side may grow by: context, not another passage


def expand(text: str, start: int, end: int, sentences: int = 1) -> tuple[int, int]:
    """Offsets of [start, end) grown by up to `sentences` whole sentences each side, never
    past a line break (a heading or a new paragraph is another unit)."""
    if sentences <= 0:
        return start, end
    lo = start
    for _ in range(sentences):
        if lo == 0 or text[lo - 1] == "\n":
            break
        floor = max(0, lo - MAX_REACH, text.rfind("\n", 0, lo) + 1)
        # The sentence before `lo` starts right after the previous sentence end.
        ends = [m.end() for m in _SENTENCE_END.finditer(text, floor, max(floor, lo - 1))]
        if not ends and floor > 0 and text[floor - 1] != "\n":
            break  # no sentence start within reach: keep the chunk as it is
        lo = ends[-1] if ends else floor
    hi = end
    for _ in range(sentences):
        if hi >= len(text) or text[hi] == "\n":
            break
        ceiling = min(len(text), hi + MAX_REACH)
        newline = text.find("\n", hi, ceiling)
        if newline != -1:
            ceiling = newline
        m = _SENTENCE_END.search(text, hi, ceiling)
        if not m:
            if ceiling == len(text) or newline != -1:
                hi = ceiling
            break
        hi = m.end()
    while lo < start and text[lo] in " \t":
        lo += 1
    return lo, hi
