"""Validity (时效性) and version families: pure functions from document facts to
现行有效 / 已修订 / 已废止 / 尚未生效.

A family is the documents with the same normalised title (years, editions and （试行）
dropped): 《中国共产党纪律处分条例》 of 1997, 2003, 2015, 2018 and 2023 are one family, and
the newest in force is 现行有效 while each older one is 已修订, superseded by the next.
A text that says 「《…》同时废止」 or 「原《…》废止」 repeals another family's document
(已废止). A text whose 「自…起施行」 date lies ahead is 尚未生效. A validity or successor
given by a sidecar or by hand wins over all of this.

Retrieval code can call `family_key`, `is_current` and `family_of` on a registry
document without any database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CURRENT = "现行有效"
REVISED = "已修订"
REPEALED = "已废止"
PENDING = "尚未生效"
VALIDITIES = (CURRENT, REVISED, REPEALED, PENDING)
# Texts still in force or about to be: search and answers use them by default.
IN_FORCE = (CURRENT, PENDING)

_YEAR = r"(?:19|20)\d{2}"
_EDITION_NOTE = re.compile(rf"[（(]\s*(?:{_YEAR}\s*年?[^）)]{{0,12}}|试行|暂行|修订[稿版]?|修正[案版]?|草案)\s*[）)]")
_TRAILING_YEAR = re.compile(rf"[\s_\-—·]*(?:{_YEAR})\s*年?\s*(?:修订|修正)?\s*版?\s*$")
_LEADING_YEAR = re.compile(rf"^\s*{_YEAR}\s*年?\s*(?:版)?\s*")
_NOISE = re.compile(r"[\s《》〈〉<>“”\"'`#*_]+")
_TITLE_YEAR = re.compile(rf"(?<!\d)({_YEAR})(?!\d)")


def normalise_title(title: str | None) -> str:
    """The title without years, editions, （试行） and punctuation noise: the same for
    every version of one regulation."""
    text = (title or "").strip()
    text = _EDITION_NOTE.sub("", text)
    text = _TRAILING_YEAR.sub("", text)
    text = _LEADING_YEAR.sub("", text)
    text = _NOISE.sub("", text)
    return text


def strict_title(title: str | None) -> str:
    """The normalised title keeping （试行） / （暂行）: a repeal of 「《…（试行）》」 means the
    trial text, not the final one that repeals it."""
    return normalise_title(re.sub(r"[（(]\s*(试行|暂行)\s*[）)]", r"\1", title or ""))


# Only rules are revised in versions. A 政府工作报告, a 讲话 or a 工作要点 of each year is a
# new document under the same title, not a revision of last year's.
_NORMATIVE = re.compile(r"(?:法|条例|规定|办法|细则|规则|准则|章程|规范|制度|标准|指南|纲要)$")


def family_key(title: str | None) -> str:
    """The family of a rule (its normalised title); '' for a document that has none (no
    title, or not a rule: reports, speeches, notices recur under one title each year)."""
    key = normalise_title(title)
    return key if _NORMATIVE.search(key) else ""


def title_year(title: str | None) -> int | None:
    """The year a title names (中国共产党纪律处分条例 2018 → 2018), if any."""
    years = _TITLE_YEAR.findall(title or "")
    return int(years[-1]) if years else None


_EFFECTIVE = re.compile(r"自\s*([^。；，,]{4,24}?)\s*起\s*(?:施行|实施|执行|生效)")


def effective_date(text: str) -> str | None:
    """The 「自2024年1月1日起施行」 date of a text (ISO), from its last such clause: the
    closing article carries it. None for 「自发布之日起施行」 (the document date applies)."""
    from policykb.ingest.metadata import parse_date

    for m in reversed(list(_EFFECTIVE.finditer(text))):
        found = parse_date(m.group(1))
        if found:
            return found
    return None


_REPEAL_SENTENCE = re.compile(r"[^。；\n]*(?:同时|即行|一并|之日起|起)废止[^。；\n]*|[^。；\n]*原《[^。；\n]*废止[^。；\n]*")
_QUOTED_TITLE = re.compile(r"《([^《》]{2,80})》")
_DOC_NO = re.compile(r"([\u4e00-\u9fa5A-Za-z]{1,10}?)\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*第?\s*(\d{1,5})\s*号")


_BEFORE_DOC_NO = re.compile(r"^.*(?:参照|根据|按照|依据|依照|印发|转发|详见|见|和|及|与|或|的)")


def doc_no_prefix(prefix: str) -> str:
    """The issuer code of a 文号 found in running text: 「参照中办发」 → 「中办发」."""
    return _BEFORE_DOC_NO.sub("", prefix) or prefix


def repealed_references(text: str) -> list[str]:
    """Titles and 文号 that a text repeals: the 《…》 and 〔…〕号 of its 「…同时废止」 and
    「原《…》…废止」 sentences. A sentence that only says what may be repealed in general
    (「应当及时予以修改或者废止」) names no document and gives nothing."""
    found: list[str] = []
    for m in _REPEAL_SENTENCE.finditer(text):
        sentence = m.group(0)
        if "应当" in sentence or "可以" in sentence:
            continue
        for t in _QUOTED_TITLE.findall(sentence):
            if t not in found:
                found.append(t)
        for d in _DOC_NO.finditer(sentence):
            no = f"{doc_no_prefix(d.group(1))}〔{d.group(2)}〕{d.group(3)}号"
            if no not in found:
                found.append(no)
    return found


@dataclass(frozen=True)
class DocFacts:
    """What validity is decided from, for one document."""

    id: str
    title: str | None
    date: str | None = None  # 成文/发布日期 (ISO, possibly partial)
    doc_no: str | None = None
    effective: str | None = None  # 「自…起施行」
    repeals: tuple[str, ...] = ()
    validity_override: str | None = None  # from a sidecar or a hand edit
    successor_override: str | None = None  # the 'supersedes' link given by a sidecar or by hand
    family_override: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    family: str
    validity: str
    superseded_by: str | None = None
    note: str | None = None  # why, in Chinese: 「已被《…》（2023-12-19）修订」


def _date_int(date: str | None) -> int | None:
    if not date:
        return None
    m = re.match(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", date)
    if not m:
        return None
    return int(m.group(1)) * 10000 + int(m.group(2) or 1) * 100 + int(m.group(3) or 1)


def version_order(doc: DocFacts) -> int | None:
    """When a version came out, as YYYYMMDD: its own date, else the year its title names,
    else its 施行 date. None when nothing tells (such a member is left unordered)."""
    own = _date_int(doc.date)
    if own is not None:
        return own
    year = title_year(doc.title)
    if year is not None:
        return year * 10000 + 101
    return _date_int(doc.effective)


@dataclass
class _Draft:
    validity: str = CURRENT
    superseded_by: str | None = None
    note: str | None = None
    by: dict[str, Any] = field(default_factory=dict)


def _label(doc: DocFacts) -> str:
    when = doc.date or (str(title_year(doc.title)) if title_year(doc.title) else doc.effective) or ""
    return f"《{doc.title or doc.id}》" + (f"（{when}）" if when else "")


def assign(docs: list[DocFacts], today: str) -> dict[str, VersionInfo]:
    """Family, validity and successor of every document, decided together (a family
    needs all its members; a repeal names a document of another family)."""
    today_int = _date_int(today) or 0
    families: dict[str, list[DocFacts]] = {}
    for d in docs:
        key = d.family_override or family_key(d.title)
        families.setdefault(key or f"#{d.id}", []).append(d)  # no family: a group of its own
    family_of = {d.id: key for key, members in families.items() for d in members}
    draft = {d.id: _Draft() for d in docs}
    by_id = {d.id: d for d in docs}

    for d in docs:
        if d.effective and (_date_int(d.effective) or 0) > today_int:
            draft[d.id].validity = PENDING
            draft[d.id].note = f"自{d.effective}起施行"

    # Within a family the newest version in force is current; each older one is revised
    # by the next newer one that is in force (a pending text does not yet revise anything).
    for members in families.values():
        dated = sorted((m for m in members if version_order(m) is not None), key=lambda m: (version_order(m), m.id))
        if len(dated) < 2:
            continue
        in_force = [m for m in dated if draft[m.id].validity != PENDING]
        for older, newer in zip(in_force, in_force[1:]):
            if version_order(older) == version_order(newer):
                continue  # nothing tells them apart: leave both as they are
            draft[older.id] = _Draft(REVISED, newer.id, f"已被{_label(newer)}修订")

    # Repeal clauses: 「《…》同时废止」 in a text in force repeals the named older document.
    index = _reference_index(docs)
    for d in docs:
        if draft[d.id].validity == PENDING or not d.repeals:
            continue
        for ref in d.repeals:
            for target in index.get(_ref_key(ref), []):
                if target == d.id or family_of[target] == family_of[d.id]:
                    continue
                t = by_id[target]
                if (version_order(t) or 0) >= (version_order(d) or 99999999):
                    continue  # a text cannot repeal a later one: the reference means an older namesake
                if draft[target].validity in (CURRENT, PENDING):
                    draft[target] = _Draft(REPEALED, d.id, f"已被{_label(d)}废止")

    # What a sidecar or a person said wins.
    for d in docs:
        if d.successor_override and d.successor_override in by_id and d.successor_override != d.id:
            successor = by_id[d.successor_override]
            kind = REVISED if family_of[successor.id] == family_of[d.id] else REPEALED
            verb = "修订" if kind == REVISED else "替代"
            draft[d.id] = _Draft(kind, successor.id, f"已被{_label(successor)}{verb}")
        if d.validity_override in VALIDITIES:
            keep = draft[d.id].superseded_by if d.validity_override in (REVISED, REPEALED) else None
            draft[d.id] = _Draft(d.validity_override, keep, "人工设定")

    return {
        d.id: VersionInfo(
            family="" if family_of[d.id].startswith("#") else family_of[d.id],
            validity=draft[d.id].validity,
            superseded_by=draft[d.id].superseded_by,
            note=draft[d.id].note,
        )
        for d in docs
    }


def _ref_key(ref: str) -> str:
    ref = ref.strip()
    m = _DOC_NO.search(ref)
    if m and m.group(0) == ref:
        return f"no:{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
    return "t:" + strict_title(ref)


def _reference_index(docs: list[DocFacts]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for d in docs:
        keys = {"t:" + strict_title(d.title)} if strict_title(d.title) else set()
        if d.doc_no:
            keys.add(_ref_key(d.doc_no))
        for k in keys:
            index.setdefault(k, []).append(d.id)
    return index


# ---- helpers for retrieval code (no database) -----------------------------------------


def family_of(doc: Any) -> str:
    """A registry document's family: the stored one, else computed from its title."""
    stored = getattr(doc, "family", None)
    return stored if stored is not None else family_key(getattr(doc, "title", None))


def is_current(doc: Any) -> bool:
    """Whether a registry document (or its metadata dict) is the text in force."""
    validity = doc.get("validity") if isinstance(doc, dict) else getattr(doc, "validity", None)
    return (validity or CURRENT) in IN_FORCE


def status_for(validity: str) -> str:
    """The registry's search switch: superseded texts are left out unless asked for."""
    return "active" if validity in IN_FORCE else "superseded"


_QUESTION_YEAR = re.compile(rf"(?<!\d)({_YEAR})(?!\d)\s*年?\s*(?:版|修订|版本|的|时|施行)?")


def question_year(question: str) -> int | None:
    """The year a question names (「2018年版纪律处分条例…」 → 2018), if exactly one."""
    years = {int(m.group(1)) for m in _QUESTION_YEAR.finditer(question or "")}
    return years.pop() if len(years) == 1 else None


def version_for_year(members: list[DocFacts], year: int) -> str | None:
    """The version a year names: the one that came out that year, else the one in force
    then (the latest earlier one). None when the year is before them all."""
    dated = sorted((m for m in members if version_order(m) is not None), key=lambda m: version_order(m) or 0)
    same = [m for m in dated if (version_order(m) or 0) // 10000 == year]
    if same:
        return same[-1].id
    earlier = [m for m in dated if (version_order(m) or 0) // 10000 < year]
    return earlier[-1].id if earlier else None
