"""Colloquial words in the official terms documents use: 「上烟酒」 → 香烟 高档酒水.

Data, not code: index/thesaurus.txt ships with the package and `$POLICYKB_HOME/thesaurus.txt`
(or the `thesaurus` setting) adds an office's own entries. One entry a line:

    上烟酒|烟酒 = 香烟 高档酒水

the left side lists ways people say it (any of them found in a question triggers the
entry), the right side the official words added to the keyword query. Lines starting with
# are comments. A file that changes is read again on the next question.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from policykb.text import fold



def default_file() -> Path:
    import policykb.index

    return Path(policykb.index.__file__).with_name("thesaurus.txt")


@dataclass(frozen=True)
class Entry:
    said: tuple[str, ...]
    official: tuple[str, ...]


def parse(text: str) -> list[Entry]:
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" not in line or line.startswith("@"):
            continue  # "@主题 = 相关词": a topic of the 论述摘编 (policykb/excerpts/topic.py), not a query expansion
        left, right = line.split("=", 1)
        said = tuple(fold(s.strip()) for s in left.split("|") if s.strip())
        official = tuple(w for w in right.split() if w)
        if said and official:
            out.append(Entry(said, official))
    return out


class Thesaurus:
    def __init__(self, *paths: Path | None) -> None:
        self.paths = [p for p in paths if p is not None]
        self._stamp: tuple[float, ...] | None = None
        self._entries: list[Entry] = []

    def entries(self) -> list[Entry]:
        stamp = tuple(os.stat(p).st_mtime if p.is_file() else 0.0 for p in self.paths)
        if stamp != self._stamp:
            entries: list[Entry] = []
            for p in self.paths:
                if p.is_file():
                    entries.extend(parse(p.read_text(encoding="utf-8-sig")))
            self._entries, self._stamp = entries, stamp
        return self._entries

    def matched(self, question: str) -> list[tuple[Entry, list[str]]]:
        """The entries the question triggers, each with the colloquial phrases found in it."""
        q = fold(question)
        return [(e, said) for e in self.entries() if (said := [s for s in e.said if s in q])]

    def official_words(self, question: str) -> list[str]:
        q = fold(question)
        words: dict[str, None] = {}
        for e, _ in self.matched(question):
            for w in e.official:
                if fold(w) not in q:
                    words.setdefault(w, None)
        return list(words)

    def expand(self, question: str, terms: list[str]) -> list[str]:
        """The query's terms plus the tokens of the official words its colloquial ones stand for."""
        words = self.official_words(question)
        if not words:
            return terms
        from policykb.index.keyword import query_tokens

        extra = [t for w in words for t in query_tokens(w, sub_words=False)]
        return list(dict.fromkeys([*terms, *extra]))

    def alternatives(self, question: str, terms: list[str]) -> dict[str, list[str]]:
        """For each term of the question inside a colloquial phrase, the official words it
        stands for: 「烟酒」 is covered by 「香烟」 or 「酒水」 (the answer gate's coverage)."""
        out: dict[str, list[str]] = {}
        for entry, said in self.matched(question):
            for term in terms:
                if any(term in s for s in said):
                    out.setdefault(term, []).extend(fold(w) for w in entry.official)
        return out
