"""Citations between documents: the 《…》 titles and 文号 a text names, and which library
document each one means. Pure functions; the registry keeps the mentions
(doc_references) and policykb/lineage.py resolves them after every change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from policykb.versions import doc_no_prefix, normalise_title, repealed_references, strict_title

_TITLE = re.compile(r"《([^《》\n]{2,80})》")
_INNER = re.compile(r"[〈<]([^〈〉<>]{2,80})[〉>]")
_DOC_NO = re.compile(r"([\u4e00-\u9fa5]{1,10}?)\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*第?\s*(\d{1,5})\s*号")
# Names so generic that they cannot pick a document: 《条例》, 《通知》, 《意见》 …
_MIN_TITLE_CHARS = 4
# 简称: 《行政处罚法》 for 《中华人民共和国行政处罚法》, 《章程》-less forms of party rules.
_PREFIXES = ("中华人民共和国", "中国共产党", "中共中央", "国务院")


@dataclass(frozen=True)
class Mention:
    text: str  # the title inside 《》 (with 〈〉 inner titles kept) or the 文号
    kind: str  # title | doc_no
    char_start: int
    repeal: bool = False


def mentions(text: str, *, own_title: str | None = None, own_doc_no: str | None = None) -> list[Mention]:
    """Each distinct title and 文号 the text names, in order of first appearance; its own
    title and 文号 are not citations."""
    own = normalise_title(own_title)
    repealed = set(repealed_references(text))
    seen: set[tuple[str, str]] = set()
    out: list[Mention] = []
    for m in _TITLE.finditer(text):
        title = m.group(1).strip()
        if len(title) < _MIN_TITLE_CHARS or (own and normalise_title(title) == own):
            continue
        if ("title", title) not in seen:
            seen.add(("title", title))
            out.append(Mention(title, "title", m.start(), title in repealed))
    for m in _DOC_NO.finditer(text):
        no = f"{doc_no_prefix(m.group(1))}〔{m.group(2)}〕{m.group(3)}号"
        if no == own_doc_no or ("doc_no", no) in seen:
            continue
        seen.add(("doc_no", no))
        out.append(Mention(no, "doc_no", m.start(), no in repealed))
    return sorted(out, key=lambda x: x.char_start)


_TRIAL = re.compile(r"[（(]\s*(?:试行|暂行)\s*[）)]")
_ISSUING = re.compile(r"印发|转发|发布")


def title_keys(title: str | None, *, strict: bool = False) -> set[str]:
    """The keys a title is found by: its normalised form, the same without 中华人民共和国 /
    中国共产党 …, and for 「关于印发〈X〉的通知」 the inner X (not for 「关于修改〈X〉的决定」,
    which is a document of its own). `strict` keeps （试行）: a trial text is not its
    final version."""
    keys: set[str] = set()
    base = strict_title(title) if strict else normalise_title(title)
    if not base:
        return keys
    keys.add(base)
    for prefix in _PREFIXES:
        if base.startswith(prefix) and len(base) - len(prefix) >= _MIN_TITLE_CHARS:
            keys.add(base[len(prefix):])
    inner = _INNER.search(title or "")
    if inner and _ISSUING.search(title or ""):
        keys |= title_keys(inner.group(1), strict=strict)
    return keys


@dataclass(frozen=True)
class LibraryEntry:
    id: str
    title: str | None
    doc_no: str | None
    date_int: int | None
    family: str
    in_force: bool


class Resolver:
    """Finds the library document a mention names: by 文号 exactly, else by title (full,
    简称, or the inner title of an 印发 notice). Several versions share a title: the one in
    force when the citing text was written is meant, else the current one."""

    def __init__(self, library: list[LibraryEntry]) -> None:
        self.by_no: dict[str, list[LibraryEntry]] = {}
        self.by_title: dict[str, list[LibraryEntry]] = {}
        for e in library:
            if e.doc_no:
                self.by_no.setdefault(e.doc_no, []).append(e)
            for k in title_keys(e.title) | title_keys(e.title, strict=True):
                self.by_title.setdefault(k, []).append(e)

    def resolve(self, mention: str, kind: str, *, citing: LibraryEntry | None = None) -> str | None:
        if kind == "doc_no":
            found = self.by_no.get(mention, [])
        else:
            found = []
            for k in title_keys(mention, strict=bool(_TRIAL.search(mention))):
                found = self.by_title.get(k, [])
                if found:
                    break
        if citing is not None:
            found = [e for e in found if e.id != citing.id and not (e.family and e.family == citing.family)]
        if not found:
            return None
        if len(found) == 1:
            return found[0].id
        if len({e.family for e in found}) > 1 or not found[0].family:
            return None  # several documents of that name that are not versions of one rule: ambiguous
        when = citing.date_int if citing is not None else None
        if when:
            earlier = [e for e in found if e.date_int is not None and e.date_int <= when]
            if earlier:
                return max(earlier, key=lambda e: e.date_int or 0).id
        in_force = [e for e in found if e.in_force] or found
        return max(in_force, key=lambda e: (e.date_int or 0, e.id)).id
