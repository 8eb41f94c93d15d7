"""A document's place in the library: its validity, its version family and the documents
it cites and that cite it. Decided for the whole library after every change (ingest,
delete, hand edit) from the registry's facts by the pure rules of policykb/versions.py
and policykb/citations.py; only what changed is written back.
"""
from __future__ import annotations

from datetime import date as _date
from typing import Any

from policykb import versions
from policykb.citations import LibraryEntry, Resolver, mentions
from policykb.registry import Registry, StoredDocument


def record_text_facts(registry: Registry, doc_id: str, text: str, title: str | None, doc_no: str | None) -> None:
    """At registration: the text's 施行 date and the titles and 文号 it names."""
    found = mentions(text, own_title=title, own_doc_no=doc_no)
    registry.set_version_fields(doc_id, {"effective_date": versions.effective_date(text)})
    registry.set_references(doc_id, [(m.text, m.kind, m.repeal, m.char_start) for m in found])


def record_given(registry: Registry, doc_id: str, given: dict[str, Any]) -> None:
    """A sidecar's or upload's `validity` and `family` (they win over detection). An
    unknown validity is ignored rather than stored: detection then decides."""
    fields: dict[str, Any] = {}
    if given.get("validity") in versions.VALIDITIES:
        fields["validity_override"] = given["validity"]
    if isinstance(given.get("family"), str) and given["family"].strip():
        fields["family_override"] = given["family"].strip()
    registry.set_version_fields(doc_id, fields)


def record_hand_edit(registry: Registry, doc_id: str, *, validity: str | None = None, family: str | None = None,
                     successor: str | None = None, clear: bool = False) -> None:
    if validity is not None and validity not in versions.VALIDITIES:
        raise ValueError(f"时效性无效：{validity}（可选：{'、'.join(versions.VALIDITIES)}）")
    fields: dict[str, Any] = {}
    if clear:
        fields = {"validity_override": None, "family_override": None, "successor_override": None}
    if validity is not None:
        fields["validity_override"] = validity
    if family is not None:
        fields["family_override"] = family.strip() or None
    if successor is not None:
        fields["successor_override"] = successor
    registry.set_version_fields(doc_id, fields)


def refresh(registry: Registry, today: str | None = None) -> int:
    """Decide validity, families and citation targets again; returns how many documents
    changed validity, family or successor."""
    today = today or _date.today().isoformat()
    rows = registry.version_rows()
    refs = registry.reference_rows()
    repeals: dict[str, list[str]] = {}
    for r in refs:
        if r["repeal"]:
            repeals.setdefault(r["doc_id"], []).append(r["mention"])
    facts = [
        versions.DocFacts(
            id=r["id"], title=r["title"], date=r["date"], doc_no=r["doc_no"], effective=r["effective_date"],
            repeals=tuple(repeals.get(r["id"], ())), validity_override=r["validity_override"],
            successor_override=r["successor_override"], family_override=r["family_override"],
        )
        for r in rows
    ]
    decided = versions.assign(facts, today)
    changes = {}
    for r in rows:
        info = decided[r["id"]]
        new = (info.validity, info.family, info.superseded_by, info.note)
        if new != (r["validity"], r["family"], r["superseded_by"], r["validity_note"]) or \
                versions.status_for(info.validity) != r["status"]:
            changes[r["id"]] = new
    if changes:
        registry.apply_versions(changes)

    fact_of = {f.id: f for f in facts}
    entries = {
        r["id"]: LibraryEntry(r["id"], r["title"], r["doc_no"], r["date_int"] or versions.version_order(fact_of[r["id"]]),
                              decided[r["id"]].family, decided[r["id"]].validity in versions.IN_FORCE)
        for r in rows
    }
    resolver = Resolver(list(entries.values()))
    targets = []
    for r in refs:
        target = resolver.resolve(r["mention"], r["kind"], citing=entries.get(r["doc_id"]))
        if target != r["target_id"]:
            targets.append((target, r["doc_id"], r["ord"]))
    if targets:
        registry.set_reference_targets(targets)
    return len(changes)


def version_label(doc: StoredDocument) -> str:
    """How a version is named in a list: its date, else the year its title names."""
    if doc.date:
        return doc.date
    year = versions.title_year(doc.title)
    return f"{year}年版" if year else "日期不详"


def family_of(registry: Registry, doc: StoredDocument) -> list[StoredDocument]:
    """The versions of a document's family, oldest first (itself alone when it has none)."""
    members = registry.family_members(doc.family) if doc.family else [doc]

    def order(d: StoredDocument) -> tuple[int, str]:
        fact = versions.DocFacts(id=d.id, title=d.title, date=d.date, effective=d.effective_date)
        return (versions.version_order(fact) or 0, d.id)

    return sorted(members, key=order)


def document_lineage(registry: Registry, doc: StoredDocument) -> dict[str, Any]:
    """Validity, versions, 本文引用 (with the unresolved ones) and 被引用, for the document view."""
    versions_list = [
        {"id": d.id, "title": d.title, "date": d.date, "label": version_label(d), "validity": d.validity,
         "superseded_by": d.superseded_by, "current": versions.is_current(d), "this": d.id == doc.id}
        for d in family_of(registry, doc)
    ] if doc.family else []
    cites = [
        {"mention": r["mention"], "kind": r["kind"], "repeal": bool(r["repeal"]), "char_start": r["char_start"],
         "doc_id": r["target_id"], "title": r["title"], "date": r["date"], "validity": r["validity"]}
        for r in registry.references_from(doc.id)
    ]
    cited_by: dict[str, dict[str, Any]] = {}
    for r in registry.references_to(doc.id):
        cited_by.setdefault(r["doc_id"], {"doc_id": r["doc_id"], "title": r["title"], "date": r["date"],
                                          "validity": r["validity"], "mentions": [], "repeals": False})
        cited_by[r["doc_id"]]["mentions"].append(r["mention"])
        cited_by[r["doc_id"]]["repeals"] |= bool(r["repeal"])
    return {
        "validity": doc.validity,
        "validity_note": doc.validity_note,
        "effective_date": doc.effective_date,
        "superseded_by": doc.superseded_by,
        "family": doc.family,
        "versions": versions_list,
        "cites": [c for c in cites if c["doc_id"]],
        "unresolved": [c for c in cites if not c["doc_id"]],
        "cited_by": list(cited_by.values()),
    }


def named_version(registry: Registry, question: str) -> tuple[str, list[StoredDocument]] | None:
    """A question that names a family and a year (「2018年版纪律处分条例第十条」) means that
    version, current or not: its id and the family's members. None otherwise (without a
    year, answers use the texts in force)."""
    from policykb.citations import title_keys

    year = versions.question_year(question)
    if year is None:
        return None
    text = "".join(question.split())
    families = [f for f in registry.family_names() if any(k in text for k in title_keys(f) if len(k) >= 4)]
    if len(families) != 1:
        return None
    stored = registry.family_members(families[0])
    members = [versions.DocFacts(id=d.id, title=d.title, date=d.date, effective=d.effective_date) for d in stored]
    if len(members) < 2:
        return None
    chosen = versions.version_for_year(members, year)
    return (chosen, stored) if chosen else None


def named_version_filter(registry: Registry, question: str) -> dict[str, Any] | None:
    """The filter that restricts an answer to the version a question names (above)."""
    named = named_version(registry, question)
    return {"doc_ids": [named[0]], "include_superseded": True} if named else None


def version_lacks(registry: Registry, question: str, terms: dict[str, list[str]]) -> dict[str, list[str]]:
    """What the version a question names does not say but another version of it does:
    「1997年纪律处分条例里违反中央八项规定精神怎么处分？」 — 八项规定 came after 1997, so the
    1997 text has no answer, however close its other articles come. `terms` maps each of
    the question's terms to the official words that also count for it (the thesaurus).
    Returns each lacking term with the titles of the versions that hold it."""
    named = named_version(registry, question)
    if named is None:
        return {}
    chosen, members = named
    texts = {m.id: registry.document_text(m.id) or "" for m in members}
    if not texts.get(chosen):
        return {}

    def holds(text: str, term: str) -> bool:
        return any(w in text for w in (term, *terms.get(term, ())))

    lacking: dict[str, list[str]] = {}
    for term in terms:
        if term.isdigit() or holds(texts[chosen], term):
            continue
        elsewhere = sorted(m.title or m.id for m in members if m.id != chosen and holds(texts[m.id], term))
        if elsewhere:
            lacking[term] = elsewhere
    # 「八项」 says nothing 「中央八项规定」 does not.
    return {t: w for t, w in lacking.items() if not any(t != o and t in o for o in lacking)}


_BACKFILLED = "lineage_backfilled"


def backfill(registry: Registry) -> int:
    """A registry written before validity existed: read every stored text once for its 施行
    date and citations, then decide. Returns how many documents were read."""
    if registry.get_kv(_BACKFILLED):
        return 0
    rows = registry.version_rows()
    for r in rows:
        record_text_facts(registry, r["id"], registry.document_text(r["id"]) or "", r["title"], r["doc_no"])
    refresh(registry)
    registry.set_kv(_BACKFILLED, "1")
    return len(rows)
