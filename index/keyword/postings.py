"""An in-memory inverted index of the passages' jieba tokens, ranked by BM25.

On a large library most of a keyword query's time went to SQLite FTS5 evaluating its
ranking function once per matching row (a query term common to a tenth of 200k passages
is 20k calls). Here each term's postings are two numpy arrays (passage, term frequency),
so a query is a handful of vector operations whatever the terms' frequency, and no term
has to be dropped to stay fast.

Scores are FTS5's own bm25() (bm25.py: `idf`, `length_norm`, `term_score`), so a library
ranks the same whether a query is answered here or by FTS5. The index is a snapshot: it
knows the registry generation it was built from, and the caller decides when it is stale
(policykb/keyword_index.py).
"""
from __future__ import annotations

import json
import os
import re
import shutil
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from policykb.index.keyword.bm25 import idf, length_norm, term_score

FORMAT = 1
_UNIT = re.compile(r"[^\W_]+")  # a unicode61 token: a run of letters and digits
_ARRAYS = ("rowids", "docs", "lengths", "ptr", "post_rows", "post_tf")


@dataclass
class PostingIndex:
    generation: int
    rowids: np.ndarray  # int64: row -> the chunk's SQLite rowid
    docs: np.ndarray  # int32: row -> index into doc_ids
    doc_ids: list[str]
    lengths: np.ndarray  # int32: tokens in each row (BM25's document length)
    terms: dict[str, int]
    ptr: np.ndarray  # int64 [len(terms) + 1]: term t's postings are ptr[t]:ptr[t+1]
    post_rows: np.ndarray  # int32, ascending within a term
    post_tf: np.ndarray  # uint16
    _norm: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        avgdl = float(self.lengths.sum()) / max(len(self.lengths), 1) or 1.0
        self._norm = length_norm(self.lengths.astype(np.float32), avgdl).astype(np.float32)

    @property
    def size(self) -> int:
        return len(self.rowids)

    # ---- building ---------------------------------------------------------------------

    @classmethod
    def build(cls, rows: Iterable[tuple[int, str, str]], generation: int) -> PostingIndex:
        """From (rowid, doc_id, space-joined tokens) rows: about 7 s and 1 GiB transient
        for 200k passages on 2 cores (bench/keyword_index.py)."""
        rowids, docs, doc_ids, words, token_words, counts = _read(rows)
        terms, parts_of = _fts5_terms(words)
        n = len(rowids)
        row_of = np.repeat(np.arange(n, dtype=np.int32), counts)
        n_parts = np.array([len(p) for p in parts_of], dtype=np.int32)
        units = np.maximum(n_parts - (n_parts > 1), 0)  # a word's tokens, less its phrase key
        lengths = np.bincount(row_of, weights=units[token_words], minlength=n).astype(np.int32)
        term_ids, term_rows = _expand(token_words, row_of, parts_of, n_parts)
        del token_words, row_of  # peak memory: the sort below is the largest step
        ptr, post_rows, post_tf = _postings(term_ids, term_rows, n, len(terms))
        return cls(generation=generation, rowids=rowids, docs=docs, doc_ids=doc_ids, lengths=lengths,
                   terms=terms, ptr=ptr, post_rows=post_rows, post_tf=post_tf)

    # ---- ranking ----------------------------------------------------------------------

    def search(self, terms: list[str], limit: int, *, allowed_docs: Iterable[str] | None = None
               ) -> list[tuple[int, float]]:
        """(rowid, BM25 score) of the best `limit` rows matching any term, best first;
        `allowed_docs` keeps only rows of those documents."""
        n = self.size
        if n == 0 or limit <= 0:
            return []
        scores = np.zeros(n, dtype=np.float32)
        hit = False
        for term in dict.fromkeys(terms):
            # A word's own term is its parts joined by spaces (_fts5_terms): "3.2" -> "3 2".
            t = self.terms.get(" ".join(_UNIT.findall(term)))
            if t is None:
                continue
            lo, hi = int(self.ptr[t]), int(self.ptr[t + 1])
            rows = self.post_rows[lo:hi]
            tf = self.post_tf[lo:hi].astype(np.float32)
            # A term's rows are unique, so fancy-index += adds once per row.
            scores[rows] += term_score(idf(n, hi - lo), tf, self._norm[rows])
            hit = True
        if not hit:
            return []
        if allowed_docs is not None:
            wanted = {d: i for i, d in enumerate(self.doc_ids)}
            mask = np.zeros(len(self.doc_ids), dtype=bool)
            mask[[wanted[d] for d in allowed_docs if d in wanted]] = True
            scores[~mask[self.docs]] = 0.0
        matched = np.flatnonzero(scores)
        if len(matched) > limit:
            matched = matched[np.argpartition(-scores[matched], limit - 1)[:limit]]
        # Ties are broken by rowid, as FTS5 returns equal ranks in rowid order.
        order = np.lexsort((self.rowids[matched], -scores[matched]))
        best = matched[order]
        return [(int(r), float(s)) for r, s in zip(self.rowids[best], scores[best])]

    # ---- persistence ------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Written beside, then swapped in, so a reader never sees half an index."""
        directory = Path(directory)
        tmp = directory.with_name(directory.name + f".tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name in _ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(self, name))
        (tmp / "terms.txt").write_text("\n".join(self.terms), encoding="utf-8")
        (tmp / "doc_ids.txt").write_text("\n".join(self.doc_ids), encoding="utf-8")
        (tmp / "meta.json").write_text(json.dumps({"format": FORMAT, "generation": self.generation,
                                                   "rows": self.size, "terms": len(self.terms)}))
        old = directory.with_name(directory.name + f".old-{os.getpid()}")
        if directory.exists():
            directory.rename(old)
        tmp.rename(directory)
        shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def saved_generation(directory: Path) -> int | None:
        try:
            meta = json.loads((Path(directory) / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        return int(meta["generation"]) if meta.get("format") == FORMAT else None

    @classmethod
    def load(cls, directory: Path) -> PostingIndex | None:
        """Memory-mapped: opening costs a few milliseconds, and only the postings that
        queries touch are read into memory. None when missing, unreadable or of another format."""
        directory = Path(directory)
        generation = cls.saved_generation(directory)
        if generation is None:
            return None
        try:
            arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
            terms_text = (directory / "terms.txt").read_text(encoding="utf-8")
            docs_text = (directory / "doc_ids.txt").read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None
        terms = terms_text.split("\n") if terms_text else []
        index = cls(generation=generation, terms={t: i for i, t in enumerate(terms)},
                    doc_ids=docs_text.split("\n") if docs_text else [], **arrays)
        if len(index.ptr) != len(terms) + 1 or len(index.docs) != index.size:
            return None
        return index


# ---- building, step by step --------------------------------------------------------------


def _read(rows: Iterable[tuple[int, str, str]]
          ) -> tuple[np.ndarray, np.ndarray, list[str], list[str], np.ndarray, np.ndarray]:
    """Rowids, document index per row, document ids, distinct words, the word id of every
    token in row order, and tokens per row. Word ids come from one dict lookup per token
    in C (`map` over a defaultdict), the only per-token work done in Python."""
    vocab: defaultdict[str, int] = defaultdict()
    vocab.default_factory = vocab.__len__  # a new word gets the next id
    docs_seen: defaultdict[str, int] = defaultdict()
    docs_seen.default_factory = docs_seen.__len__
    word_of = vocab.__getitem__
    rowids, docs, counts, token_words = array("q"), array("i"), array("i"), array("i")
    for rowid, doc_id, tokens in rows:
        words = tokens.split()
        token_words.extend(map(word_of, words))
        rowids.append(rowid)
        docs.append(docs_seen[doc_id])
        counts.append(len(words))
    def as_numpy(values: array, dtype: type) -> np.ndarray:
        return np.frombuffer(values, dtype=dtype)  # shares the buffer: no copy of 28M tokens

    return (as_numpy(rowids, np.int64), as_numpy(docs, np.int32), list(docs_seen), list(vocab),
            as_numpy(token_words, np.int32), as_numpy(counts, np.int32))


def _fts5_terms(words: list[str]) -> tuple[dict[str, int], list[list[int]]]:
    """The index terms of each word, as FTS5's unicode61 tokenizer sees it: "3.2" is the two
    tokens "3" and "2", "10%" is "10", and a query for "3.2" is the phrase "3 2", so a word
    of several parts also gets its phrase as a term. Ranking then matches FTS5's, except
    that FTS5 would also match that phrase across two separate tokens "3" "2" (jieba seldom
    leaves digits so; the 200k library ranks identically)."""
    terms: dict[str, int] = {}
    parts_of = []
    for word in words:
        units = _UNIT.findall(word)
        keys = units if len(units) < 2 else [*units, " ".join(units)]
        parts_of.append([terms.setdefault(k, len(terms)) for k in keys])
    return terms, parts_of


def _expand(token_words: np.ndarray, row_of: np.ndarray, parts_of: list[list[int]],
            n_parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(term id, row) for every token: one term per token for the plain words, vectorised;
    the few words of several parts (or none) term by term."""
    simple = n_parts[token_words] == 1
    first_part = np.array([p[0] if p else -1 for p in parts_of], dtype=np.int32)
    term_ids, term_rows = [first_part[token_words[simple]]], [row_of[simple]]
    other = np.flatnonzero(~simple)
    other = other[np.argsort(token_words[other], kind="stable")]
    groups, starts = np.unique(token_words[other], return_index=True)
    for word, lo, hi in zip(groups, starts, [*starts[1:], len(other)]):
        rows = row_of[other[lo:hi]]
        for part in parts_of[word]:
            term_ids.append(np.full(len(rows), part, dtype=np.int32))
            term_rows.append(rows)
    return np.concatenate(term_ids), np.concatenate(term_rows)


def _postings(term_ids: np.ndarray, term_rows: np.ndarray, n_rows: int, n_terms: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR postings (ptr, rows, term frequencies) from one sort of (term, row) keys: equal
    neighbours are the same term in the same row, so their run length is its frequency."""
    width = max(n_rows, 1)
    key = term_ids.astype(np.int64) * width + term_rows
    key.sort()
    first = np.ones(len(key), dtype=bool)
    np.not_equal(key[1:], key[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    tf = np.diff(np.append(starts, len(key))).clip(max=np.iinfo(np.uint16).max).astype(np.uint16)
    unique = key[starts]
    del key, first, starts
    post_rows = (unique % width).astype(np.int32)
    post_term = (unique // width).astype(np.int32)
    del unique
    ptr = np.searchsorted(post_term, np.arange(n_terms + 1)).astype(np.int64)
    return ptr, post_rows, tf
