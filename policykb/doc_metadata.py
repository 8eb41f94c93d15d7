"""Document metadata set by hand: edits with who and when, and the values they pin.

Parsing proposes a document's title, 文号, issuer, date and type; people correct them (the
CLI, `PATCH /api/documents/{id}`, the 文库 page, or a `FILE.meta.json` next to the file).
Every change is one row of `metadata_edits` (migration 7). The latest row of a field is the
field's hand-set value: re-ingesting the file, even with a better parser, keeps it.

A changed sidecar is an edit too, made by whoever changed the file, and recorded when the
next ingest notices it: so the newest statement wins, whether it came from the page or the
file. Metadata edits never touch passages or vectors; only the keyword index's title words
are refreshed when the title changes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from policykb.registry import DocumentFilter, Registry, StoredDocument, date_to_int, now_iso

EDITABLE = ("title", "doc_no", "issuer", "date", "doc_type", "region")
SOURCES = ("cli", "api", "page", "sidecar", "upload")
LABELS = {"title": "标题", "doc_no": "文号", "issuer": "发文机关", "date": "日期", "doc_type": "文种", "region": "地区"}


class MetadataError(ValueError):
    """A value that cannot be stored; the message is Chinese and names the field."""


@dataclass(frozen=True)
class MetadataEdit:
    id: int
    doc_id: str
    field: str
    old_value: str | None
    new_value: str | None
    source: str
    editor: str
    at: str


def normalise_changes(changes: dict[str, Any]) -> dict[str, str | None]:
    """Field values as stored: trimmed, "" meaning "none" (None), dates in ISO form
    (2026年1月24日 → 2026-01-24, 2026-01 and 2026 kept as partial dates), 文号 with 〔〕,
    titles bare (no 《》 or （全文）). Unknown fields and unreadable dates raise MetadataError."""
    from policykb.ingest.metadata import normalise_date, normalise_doc_no
    from policykb.ingest.metadata_fields import clean_title

    out: dict[str, str | None] = {}
    for field, value in changes.items():
        if field not in EDITABLE:
            raise MetadataError(f"不能修改的字段：{field}（可修改：{'、'.join(EDITABLE)}）")
        text = str(value).strip() if value is not None else ""
        if not text:
            out[field] = None
            continue
        if field == "date":
            iso = normalise_date(text)
            if iso is None:
                raise MetadataError(f"日期格式无法识别：{text}（示例：2026-01-24、2026年1月24日、2026-01、2026）")
            text = iso
        elif field == "doc_no":
            text = normalise_doc_no(text)
        elif field == "title":
            text = clean_title(text)[0] or text
        out[field] = text
    return out


def _edit_from_row(row: Any) -> MetadataEdit:
    return MetadataEdit(id=row["id"], doc_id=row["doc_id"], field=row["field"], old_value=row["old_value"],
                        new_value=row["new_value"], source=row["source"], editor=row["editor"], at=row["at"])


def edits_of(registry: Registry, doc_id: str) -> list[MetadataEdit]:
    """Every recorded edit of a document, oldest first."""
    rows = registry.rows("SELECT * FROM metadata_edits WHERE doc_id = ? ORDER BY id", [doc_id])
    return [_edit_from_row(r) for r in rows]


def hand_set(registry: Registry, doc_id: str, *, source: str | None = None) -> dict[str, str | None]:
    """{field: value} of the latest edit of each field (of one source, if given)."""
    where, params = ("AND source = ?", [source]) if source else ("", [])
    rows = registry.rows(
        "SELECT field, new_value FROM metadata_edits WHERE id IN (SELECT max(id) FROM metadata_edits"
        f" WHERE doc_id = ? {where} GROUP BY field)",
        [doc_id, *params],
    )
    return {r["field"]: r["new_value"] for r in rows}


def record(registry: Registry, doc_id: str, changes: dict[str, str | None], current: dict[str, Any], *,
           source: str, editor: str) -> list[str]:
    """Write one edit row per field whose value differs from `current`; returns those
    fields. `changes` must already be normalised."""
    if source not in SOURCES:
        raise MetadataError(f"未知的修改来源：{source}")
    editor = (editor or "").strip() or "未署名"
    changed = [f for f, v in changes.items() if v != current.get(f)]
    if changed:
        at = now_iso()
        with registry.transaction() as conn:
            conn.executemany(
                "INSERT INTO metadata_edits (doc_id, field, old_value, new_value, source, editor, at)"
                " VALUES (?,?,?,?,?,?,?)",
                [(doc_id, f, current.get(f), changes[f], source, editor, at) for f in changed],
            )
    return changed


def store(registry: Registry, doc_id: str, values: dict[str, str | None]) -> None:
    """Put metadata values on the stored document, and, if the title changed, the title's
    words into its passages' keyword entries (no passage or vector is rewritten)."""
    values = {k: v for k, v in values.items() if k in EDITABLE}
    if not values:
        return
    sets = dict(values)
    if "date" in sets:
        sets["date_int"] = date_to_int(sets["date"])  # type: ignore[assignment]
    with registry.transaction() as conn:
        old_title = conn.execute("SELECT title FROM documents WHERE id = ?", [doc_id]).fetchone()
        conn.execute(
            f"UPDATE documents SET {', '.join(f'{k} = ?' for k in sets)}, updated_at = ? WHERE id = ?",
            [*sets.values(), now_iso(), doc_id],
        )
        if "title" in values and old_title is not None and old_title[0] != values["title"]:
            _retitle(conn, doc_id, old_title[0], values["title"])


def _retitle(conn: Any, doc_id: str, old: str | None, new: str | None) -> None:
    """Each passage's keyword entry starts with its document's title words
    (library_ingest.keyword_tokens): swap the old title's words for the new one's."""
    from policykb.index.tokenize import tokenize

    old_words, new_words = tokenize(old or ""), tokenize(new or "")
    rows = conn.execute(
        "SELECT f.rowid, f.tokens FROM chunk_fts f JOIN chunks c ON c.rowid = f.rowid WHERE c.doc_id = ?", [doc_id]
    ).fetchall()
    for rowid, tokens in rows:
        words = tokens.split()
        if words[: len(old_words)] == old_words:
            words = words[len(old_words):]
        conn.execute("UPDATE chunk_fts SET tokens = ? WHERE rowid = ?", [" ".join([*new_words, *words]), rowid])
    doc = conn.execute("SELECT tokens FROM doc_fts WHERE doc_id = ?", [doc_id]).fetchone()
    if doc is not None:
        words = doc[0].split()
        if words[: len(old_words)] == old_words:
            words = words[len(old_words):]
        conn.execute("UPDATE doc_fts SET tokens = ? WHERE doc_id = ?", [" ".join([*new_words, *words]), doc_id])
    # The in-memory keyword index is valid for one chunk generation: make it stale.
    conn.execute("UPDATE chunk_generation SET n = n + 1, changed_at = julianday('now') WHERE id = 1")


def sidecar_changes(registry: Registry, doc_id: str, path: Path) -> tuple[dict[str, str | None], str]:
    """Fields of `path`'s sidecar that differ from what the sidecar last said (as recorded),
    and the sidecar's name; ({}, "") when there is none or nothing changed. Raises the
    loader's IngestError for a sidecar that is not valid JSON."""
    from policykb.ingest.metadata import load_sidecar, sidecar_paths

    given = load_sidecar(path)
    fields = {k: v for k, v in given.items() if k in EDITABLE and v is not None}
    if not fields:
        return {}, ""
    try:
        values = normalise_changes(fields)
    except MetadataError:
        values = {k: (str(v).strip() or None) if v is not None else None for k, v in fields.items()}
    said = hand_set(registry, doc_id, source="sidecar")
    changed = {k: v for k, v in values.items() if k not in said or said[k] != v}
    name = next((p.name for p in sidecar_paths(path) if p.is_file()), "")
    return changed, name


def left_out(registry: Registry, flt: DocumentFilter) -> dict[str, int]:
    """How many documents a date filter left out for having no date ("undated") and an
    issuer filter for having no issuer ("unattributed"), the filter's other conditions
    still applying; {} when the filter has neither condition or already includes them."""
    out: dict[str, int] = {}
    if (flt.date_from is not None or flt.date_to is not None) and not flt.include_undated:
        where, params = replace(flt, date_from=None, date_to=None).sql("d")
        out["undated"] = int(registry.rows(
            f"SELECT count(*) FROM documents d WHERE {where} AND d.date_int IS NULL", params)[0][0])
    if flt.issuer and not flt.include_unattributed:
        where, params = replace(flt, issuer=None).sql("d")
        out["unattributed"] = int(registry.rows(
            f"SELECT count(*) FROM documents d WHERE {where} AND d.issuer IS NULL", params)[0][0])
    return {k: v for k, v in out.items() if v}


def missing_metadata(registry: Registry, *, limit: int = 500) -> tuple[list[StoredDocument], dict[str, int]]:
    """Active documents lacking a date or an issuer, those lacking both first, then by
    title; with the counts {"undated", "unattributed", "total"}."""
    from policykb.registry import _DOC_COLUMNS, _doc_from_row

    counts = registry.rows(
        "SELECT sum(date_int IS NULL), sum(issuer IS NULL), sum(date_int IS NULL OR issuer IS NULL)"
        " FROM documents WHERE status = 'active'"
    )[0]
    rows = registry.rows(
        f"SELECT {_DOC_COLUMNS} FROM documents WHERE status = 'active' AND (date_int IS NULL OR issuer IS NULL)"
        " ORDER BY (date_int IS NULL) + (issuer IS NULL) DESC, title LIMIT ?",
        [limit],
    )
    return [_doc_from_row(r) for r in rows], {
        "undated": int(counts[0] or 0), "unattributed": int(counts[1] or 0), "total": int(counts[2] or 0)}
