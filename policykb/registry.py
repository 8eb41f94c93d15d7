"""The registry: one SQLite file per knowledge base, the source of truth.

Documents, their chunks, the keyword index (FTS5 over jieba tokens, in the same
transaction as the chunks), the embedding cache keyed by the hash of the embedded text,
the queue of chunks waiting for vectors, and the ingest log. Chroma can always be
rebuilt from here without calling the model again.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from policykb.migrations import migrate


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def date_to_int(date: str | None) -> int | None:
    """'2026-01-24' → 20260124; partial dates sort at the start of their period."""
    if not date:
        return None
    parts = date.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
    except ValueError:
        return None
    return year * 10000 + month * 100 + day


@dataclass(frozen=True)
class StoredChunk:
    rowid: int
    id: str
    doc_id: str
    ord: int
    text: str
    char_start: int
    char_end: int
    page: int | None
    section_path: tuple[str, ...]
    embed_hash: str
    vec_state: int


@dataclass(frozen=True)
class StoredDocument:
    id: str
    source_path: str
    filename: str
    format: str
    content_hash: str
    title: str | None
    doc_no: str | None
    issuer: str | None
    date: str | None
    doc_type: str | None
    region: str | None
    extra: dict[str, Any]
    status: str
    superseded_by: str | None
    version: int
    created_at: str
    updated_at: str
    recipe: str = ""
    chunk_count: int = 0
    pending_vectors: int = 0
    # Validity and version family (policykb/versions.py, decided by policykb/lineage.py).
    validity: str = "现行有效"
    family: str = ""
    validity_note: str | None = None
    effective_date: str | None = None
    validity_override: str | None = None
    family_override: str | None = None
    successor_override: str | None = None

    def metadata(self) -> dict[str, Any]:
        return {
            "doc_no": self.doc_no,
            "issuer": self.issuer,
            "date": self.date,
            "doc_type": self.doc_type,
            "region": self.region,
            **self.extra,
            "status": self.status,
            "superseded_by": self.superseded_by,
            "validity": self.validity,
            "validity_note": self.validity_note,
            "family": self.family,
            "effective_date": self.effective_date,
        }


_DOC_COLUMNS = (
    "id, source_path, filename, format, content_hash, title, doc_no, issuer, date, doc_type,"
    " region, extra_json, status, superseded_by, version, created_at, updated_at, recipe,"
    " validity, family, validity_note, effective_date, validity_override, family_override, successor_override"
)
_CHUNK_COLUMNS = (
    "rowid, id, doc_id, ord, text, char_start, char_end, page, section_path_json, embed_hash,"
    " vec_state"
)


def _doc_from_row(row: sqlite3.Row, chunk_count: int = 0, pending: int = 0) -> StoredDocument:
    return StoredDocument(
        id=row["id"],
        source_path=row["source_path"],
        filename=row["filename"],
        format=row["format"],
        content_hash=row["content_hash"],
        title=row["title"],
        doc_no=row["doc_no"],
        issuer=row["issuer"],
        date=row["date"],
        doc_type=row["doc_type"],
        region=row["region"],
        extra=json.loads(row["extra_json"] or "{}"),
        status=row["status"],
        superseded_by=row["superseded_by"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        recipe=row["recipe"],
        chunk_count=chunk_count,
        pending_vectors=pending,
        validity=row["validity"],
        family=row["family"],
        validity_note=row["validity_note"],
        effective_date=row["effective_date"],
        validity_override=row["validity_override"],
        family_override=row["family_override"],
        successor_override=row["successor_override"],
    )


def _chunk_from_row(row: sqlite3.Row) -> StoredChunk:
    return StoredChunk(
        rowid=row["rowid"],
        id=row["id"],
        doc_id=row["doc_id"],
        ord=row["ord"],
        text=row["text"],
        char_start=row["char_start"],
        char_end=row["char_end"],
        page=row["page"],
        section_path=tuple(json.loads(row["section_path_json"])),
        embed_hash=row["embed_hash"],
        vec_state=row["vec_state"],
    )


@dataclass(frozen=True)
class NewChunk:
    id: str
    ord: int
    text: str
    char_start: int
    char_end: int
    page: int | None
    section_path: tuple[str, ...]
    embed_hash: str
    tokens: str  # space-joined jieba tokens for FTS5


@dataclass(frozen=True)
class DocumentFilter:
    """The registry's filter, ready for SQL (dates as YYYYMMDD). A user's filters become
    one in policykb/filters.py (SearchFilters.to_registry) only; code below the service
    (digest selection, the retriever narrowing to documents) builds or narrows one itself."""
    issuer: str | None = None
    doc_type: str | None = None
    date_from: int | None = None
    date_to: int | None = None
    title_contains: str | None = None
    doc_ids: tuple[str, ...] | None = None
    include_superseded: bool = False
    # A document whose date or issuer is unknown fails a date or issuer filter; these keep
    # it in (the user asked to see what the filter would otherwise leave out).
    include_undated: bool = False
    include_unattributed: bool = False
    validity: str | None = None  # 现行有效 / 已修订 / 已废止 / 尚未生效
    family: str | None = None

    def sql(self, alias: str = "d") -> tuple[str, list[Any]]:
        """A WHERE fragment over documents; issuer and doc_type match as substrings because
        users type 组织部 for 中共江北省委组织部."""
        clauses: list[str] = []
        params: list[Any] = []
        if not self.include_superseded:
            clauses.append(f"{alias}.status = 'active'")
        if self.issuer:
            unknown = f" OR {alias}.issuer IS NULL" if self.include_unattributed else ""
            clauses.append(f"(instr({alias}.issuer, ?) > 0{unknown})")
            params.append(self.issuer)
        if self.doc_type:
            clauses.append(f"instr({alias}.doc_type, ?) > 0")
            params.append(self.doc_type)
        dated: list[str] = []
        if self.date_from is not None:
            dated.append(f"{alias}.date_int >= ?")
            params.append(self.date_from)
        if self.date_to is not None:
            dated.append(f"{alias}.date_int <= ?")
            params.append(self.date_to)
        if dated:
            unknown = f" OR {alias}.date_int IS NULL" if self.include_undated else ""
            clauses.append(f"(({' AND '.join(dated)}){unknown})")
        if self.title_contains:
            clauses.append(f"instr({alias}.title, ?) > 0")
            params.append(self.title_contains)
        if self.doc_ids is not None:
            clauses.append(f"{alias}.id IN ({','.join('?' * len(self.doc_ids)) or 'NULL'})")
            params.extend(self.doc_ids)
        if self.validity:
            clauses.append(f"{alias}.validity = ?")
            params.append(self.validity)
        if self.family:
            clauses.append(f"{alias}.family = ?")
            params.append(self.family)
        return (" AND ".join(clauses) or "1"), params

    @property
    def is_empty(self) -> bool:
        return self == DocumentFilter()


class Registry:
    """One SQLite connection shared by the threads of a process, guarded by a lock:
    writes are short, and WAL lets other processes read while we write."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=30
        )
        self._conn.row_factory = sqlite3.Row
        self._enter_wal()
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._lock = threading.RLock()
        self._last_counts: dict[str, int] | None = None
        self._count_cache: tuple[int, float] | None = None
        self._df_cache: dict[str, int] = {}
        self._df_time = 0.0
        with self._lock:
            migrate(self._conn)

    def _enter_wal(self) -> None:
        """Switch to WAL. Two processes opening a new library at once (two `policykb ingest`
        started together) race for it, and SQLite answers the loser 「database is locked」
        at once, without waiting out the busy timeout: try again for a while."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self._conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: a crash inside leaves the registry as it was before."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            self._count_cache, self._df_cache = None, {}
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """A read for modules that own their own tables (policykb/doc_metadata.py)."""
        return self._query(sql, params)

    # ---- documents -------------------------------------------------------------------

    def document_by_path(self, source_path: str) -> StoredDocument | None:
        rows = self._query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE source_path = ?", [source_path])
        return _doc_from_row(rows[0]) if rows else None

    def document_by_hash(self, content_hash: str) -> StoredDocument | None:
        rows = self._query(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE content_hash = ? LIMIT 1", [content_hash]
        )
        return _doc_from_row(rows[0]) if rows else None

    def document_by_reference(self, ref: str) -> StoredDocument | None:
        """The newest active document whose 文号 or title is exactly `ref`."""
        rows = self._query(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_no = ? OR title = ?"
            " ORDER BY status = 'active' DESC, date_int DESC LIMIT 1",
            [ref, ref],
        )
        return _doc_from_row(rows[0]) if rows else None

    def get_document(self, doc_id: str) -> StoredDocument | None:
        rows = self._query(
            f"SELECT {_DOC_COLUMNS}, (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) AS n,"
            " (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id AND c.vec_state = 0) AS p"
            " FROM documents d WHERE id = ?",
            [doc_id],
        )
        if not rows:
            return None
        return _doc_from_row(rows[0], rows[0]["n"], rows[0]["p"])

    def document_text(self, doc_id: str) -> str | None:
        rows = self._query("SELECT text FROM documents WHERE id = ?", [doc_id])
        return rows[0]["text"] if rows else None

    def catalog_state(self) -> int:
        """Changes whenever a document is added, replaced, deleted or edited (migration 7)."""
        return int(self._query("SELECT n FROM document_generation")[0][0])

    def catalog_rows(self) -> list[Any]:
        """What questions name a document by: title, issuer, region, date, 文号, source path
        and the first 200 characters (红头, 文号 line, 主送)."""
        return self._query(
            "SELECT id, title, issuer, region, date, doc_no, source_path, substr(text, 1, 200) AS opening"
            " FROM documents WHERE status != 'deleted'")

    def text_window(self, doc_id: str, start: int, end: int) -> tuple[int, str]:
        """(offset, text[offset:end]) with offset = max(start, 0), read without loading the
        whole document (SQLite's substr counts characters from 1)."""
        start = max(0, start)
        rows = self._query("SELECT substr(text, ?, ?) FROM documents WHERE id = ?", [start + 1, end - start, doc_id])
        return start, (rows[0][0] or "") if rows else ""

    def document_pages(self, doc_id: str) -> list[dict[str, int]]:
        rows = self._query("SELECT pages_json FROM documents WHERE id = ?", [doc_id])
        return json.loads(rows[0]["pages_json"]) if rows else []

    def document_ids(self, flt: DocumentFilter, limit: int) -> list[str]:
        """Ids of the documents that pass the filter (no per-document counts: a search
        filter needs only the ids)."""
        where, params = flt.sql("d")
        return [r[0] for r in self._query(f"SELECT d.id FROM documents d WHERE {where} LIMIT ?", [*params, limit])]

    def list_documents(
        self,
        flt: DocumentFilter = DocumentFilter(include_superseded=True),
        *,
        sort: str = "date_desc",
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[StoredDocument], int]:
        where, params = flt.sql("d")
        order = {
            "date_desc": "d.date_int IS NULL, d.date_int DESC, d.title",
            "date_asc": "d.date_int IS NULL, d.date_int ASC, d.title",
            "title": "d.title",
            "added_desc": "d.created_at DESC, d.title",
        }.get(sort, "d.date_int IS NULL, d.date_int DESC, d.title")
        total = self._query(f"SELECT count(*) FROM documents d WHERE {where}", params)[0][0]
        rows = self._query(
            f"SELECT {_DOC_COLUMNS},"
            " (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id) AS n,"
            " (SELECT count(*) FROM chunks c WHERE c.doc_id = d.id AND c.vec_state = 0) AS p"
            f" FROM documents d WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_doc_from_row(r, r["n"], r["p"]) for r in rows], total

    def put_document(
        self,
        *,
        doc_id: str,
        source_path: str,
        filename: str,
        fmt: str,
        content_hash: str,
        meta: dict[str, Any],
        text: str,
        pages: list[dict[str, int]],
        warnings: list[str],
        chunks: list[NewChunk],
        doc_tokens: str = "",
        recipe: str = "",
        keep_if_same: bool = False,
    ) -> str:
        """Insert or replace a document and all its chunks in one transaction.

        Returns "added" or "updated". Vectors of replaced chunks are queued for deletion
        from the vector store; new chunks wait for vectors (vec_state 0) but are keyword-
        searchable as soon as this commits. With `keep_if_same`, a stored document with the
        same content hash and recipe is left alone and "unchanged" returned: another
        process may have stored this very file since the caller looked.
        """
        now = now_iso()
        known = {"title", "doc_no", "issuer", "date", "doc_type", "region"}
        extra = {k: v for k, v in meta.items() if k not in known and v is not None}
        with self.transaction() as conn:
            old = conn.execute(
                "SELECT version, created_at, content_hash, recipe FROM documents WHERE id = ?", [doc_id]
            ).fetchone()
            if old and keep_if_same and old["content_hash"] == content_hash and old["recipe"] == recipe:
                return "unchanged"
            # A passage that comes back with the same id and the same embedded text keeps the
            # vector it has: deleting it from Chroma and upserting it again leaves some records
            # unreachable by query() (chromadb 1.5.9, issue #7758; a re-parsed library lost
            # passages at random per process).
            embedded = {r["id"]: r["embed_hash"] for r in conn.execute(
                "SELECT id, embed_hash FROM chunks WHERE doc_id = ? AND vec_state = 1", [doc_id])} if old else {}
            if old:
                self._delete_chunks(conn, doc_id)
                conn.execute(
                    "UPDATE documents SET source_path=?, filename=?, format=?, content_hash=?,"
                    " title=?, doc_no=?, issuer=?, date=?, date_int=?, doc_type=?, region=?,"
                    " extra_json=?, text=?, pages_json=?, warnings_json=?, version=version+1,"
                    " updated_at=?, recipe=? WHERE id=?",
                    [
                        source_path, filename, fmt, content_hash, meta.get("title"),
                        meta.get("doc_no"), meta.get("issuer"), meta.get("date"),
                        date_to_int(meta.get("date")), meta.get("doc_type"), meta.get("region"),
                        json.dumps(extra, ensure_ascii=False), text,
                        json.dumps(pages), json.dumps(warnings, ensure_ascii=False), now, recipe, doc_id,
                    ],
                )
            else:
                conn.execute(
                    "INSERT INTO documents (id, source_path, filename, format, content_hash, title,"
                    " doc_no, issuer, date, date_int, doc_type, region, extra_json, text, pages_json,"
                    " warnings_json, created_at, updated_at, recipe)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [
                        doc_id, source_path, filename, fmt, content_hash, meta.get("title"),
                        meta.get("doc_no"), meta.get("issuer"), meta.get("date"),
                        date_to_int(meta.get("date")), meta.get("doc_type"), meta.get("region"),
                        json.dumps(extra, ensure_ascii=False), text, json.dumps(pages),
                        json.dumps(warnings, ensure_ascii=False), now, now, recipe,
                    ],
                )
            conn.execute("DELETE FROM doc_fts WHERE doc_id = ?", [doc_id])
            conn.execute("INSERT INTO doc_fts (doc_id, tokens) VALUES (?, ?)", [doc_id, doc_tokens])
            for ch in chunks:
                cur = conn.execute(
                    "INSERT INTO chunks (id, doc_id, ord, text, char_start, char_end, page,"
                    " section_path_json, embed_hash) VALUES (?,?,?,?,?,?,?,?,?)",
                    [
                        ch.id, doc_id, ch.ord, ch.text, ch.char_start, ch.char_end, ch.page,
                        json.dumps(list(ch.section_path), ensure_ascii=False), ch.embed_hash,
                    ],
                )
                conn.execute(
                    "INSERT INTO chunk_fts (rowid, tokens) VALUES (?, ?)", [cur.lastrowid, ch.tokens]
                )
                # A chunk id that is being re-added must not be deleted by the queue later.
                conn.execute("DELETE FROM vector_deletes WHERE chunk_id = ?", [ch.id])
                if embedded.get(ch.id) == ch.embed_hash:
                    conn.execute("UPDATE chunks SET vec_state = 1 WHERE rowid = ?", [cur.lastrowid])
        return "updated" if old else "added"

    def _delete_chunks(self, conn: sqlite3.Connection, doc_id: str) -> None:
        rows = conn.execute("SELECT rowid, id, vec_state FROM chunks WHERE doc_id = ?", [doc_id]).fetchall()
        for row in rows:
            conn.execute("DELETE FROM chunk_fts WHERE rowid = ?", [row["rowid"]])
            if row["vec_state"]:
                conn.execute("INSERT OR IGNORE INTO vector_deletes (chunk_id) VALUES (?)", [row["id"]])
        conn.execute("DELETE FROM chunks WHERE doc_id = ?", [doc_id])

    def delete_document(self, doc_id: str) -> bool:
        with self.transaction() as conn:
            if not conn.execute("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone():
                return False
            self._delete_chunks(conn, doc_id)
            conn.execute("DELETE FROM doc_fts WHERE doc_id = ?", [doc_id])
            conn.execute("UPDATE documents SET superseded_by = NULL WHERE superseded_by = ?", [doc_id])
            conn.execute("UPDATE documents SET successor_override = NULL WHERE successor_override = ?", [doc_id])
            conn.execute(
                "UPDATE documents SET status = 'active' WHERE status = 'superseded'"
                " AND superseded_by IS NULL"
            )
            conn.execute("DELETE FROM documents WHERE id = ?", [doc_id])
        return True

    def set_superseded(self, old_id: str, new_id: str | None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "UPDATE documents SET status = ?, superseded_by = ?, successor_override = ?, validity = ?,"
                " updated_at = ? WHERE id = ?",
                ["superseded" if new_id else "active", new_id, new_id, "已修订" if new_id else "现行有效",
                 now_iso(), old_id],
            )

    def update_metadata(self, doc_id: str, fields: dict[str, Any]) -> None:
        allowed = {"title", "doc_no", "issuer", "date", "doc_type", "region"}
        sets = {k: v for k, v in fields.items() if k in allowed}
        if not sets:
            return
        if "date" in sets:
            sets["date_int"] = date_to_int(sets["date"])
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE documents SET {', '.join(f'{k} = ?' for k in sets)}, updated_at = ?"
                " WHERE id = ?",
                [*sets.values(), now_iso(), doc_id],
            )

    # ---- validity, families and references (policykb/lineage.py) --------------------

    def version_rows(self) -> list[sqlite3.Row]:
        """What validity is decided from, for every document (no texts)."""
        return self._query(
            "SELECT id, title, doc_no, date, date_int, effective_date, validity, family, superseded_by, status,"
            " validity_note, validity_override, family_override, successor_override FROM documents"
        )

    def apply_versions(self, changes: dict[str, tuple[str, str, str | None, str | None]]) -> None:
        """Store (validity, family, superseded_by, note) per document; the search switch
        `status` follows validity."""
        from policykb.versions import status_for

        with self.transaction() as conn:
            conn.executemany(
                "UPDATE documents SET validity = ?, family = ?, superseded_by = ?, validity_note = ?, status = ?"
                " WHERE id = ?",
                [(v, f, s, n, status_for(v), i) for i, (v, f, s, n) in changes.items()],
            )

    def set_version_fields(self, doc_id: str, fields: dict[str, Any]) -> None:
        """effective_date and the overrides (validity, family, successor) of one document."""
        allowed = {"effective_date", "validity_override", "family_override", "successor_override"}
        sets = {k: v for k, v in fields.items() if k in allowed}
        if sets:
            with self.transaction() as conn:
                conn.execute(f"UPDATE documents SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                             [*sets.values(), doc_id])

    def set_references(self, doc_id: str, refs: list[tuple[str, str, bool, int]]) -> None:
        """The mentions (text, kind, repeal, char_start) of one document, replacing its old ones."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM doc_references WHERE doc_id = ?", [doc_id])
            conn.executemany(
                "INSERT INTO doc_references (doc_id, ord, mention, kind, repeal, char_start) VALUES (?,?,?,?,?,?)",
                [(doc_id, i, m, k, int(r), c) for i, (m, k, r, c) in enumerate(refs)],
            )

    def reference_rows(self) -> list[sqlite3.Row]:
        return self._query("SELECT doc_id, ord, mention, kind, repeal, target_id FROM doc_references")

    def set_reference_targets(self, targets: list[tuple[str | None, str, int]]) -> None:
        with self.transaction() as conn:
            conn.executemany("UPDATE doc_references SET target_id = ? WHERE doc_id = ? AND ord = ?", targets)

    def references_from(self, doc_id: str) -> list[sqlite3.Row]:
        return self._query(
            "SELECT r.mention, r.kind, r.repeal, r.char_start, r.target_id, d.title, d.date, d.validity"
            " FROM doc_references r LEFT JOIN documents d ON d.id = r.target_id WHERE r.doc_id = ? ORDER BY r.ord",
            [doc_id],
        )

    def references_to(self, doc_id: str) -> list[sqlite3.Row]:
        return self._query(
            "SELECT r.doc_id, r.mention, r.repeal, r.char_start, d.title, d.date, d.validity"
            " FROM doc_references r JOIN documents d ON d.id = r.doc_id WHERE r.target_id = ?"
            " ORDER BY d.date_int DESC, d.title",
            [doc_id],
        )

    def family_names(self) -> list[str]:
        """Families with more than one version."""
        return [r[0] for r in self._query(
            "SELECT family FROM documents WHERE family != '' GROUP BY family HAVING count(*) > 1")]

    def family_members(self, family: str) -> list[StoredDocument]:
        """The versions of a family, oldest first."""
        if not family:
            return []
        rows = self._query(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE family = ? ORDER BY date_int IS NULL, date_int, title",
            [family],
        )
        return [_doc_from_row(r) for r in rows]

    # ---- chunks ----------------------------------------------------------------------

    def chunks_of(self, doc_id: str) -> list[StoredChunk]:
        rows = self._query(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE doc_id = ? ORDER BY ord", [doc_id])
        return [_chunk_from_row(r) for r in rows]

    def chunks_by_ids(self, ids: list[str]) -> dict[str, StoredChunk]:
        out: dict[str, StoredChunk] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            rows = self._query(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE id IN ({','.join('?' * len(part))})", part
            )
            out.update({r["id"]: _chunk_from_row(r) for r in rows})
        return out

    def documents_by_ids(self, ids: Iterable[str]) -> dict[str, StoredDocument]:
        ids = list(set(ids))
        if not ids:
            return {}
        rows = self._query(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE id IN ({','.join('?' * len(ids))})", ids
        )
        return {r["id"]: _doc_from_row(r) for r in rows}

    def keyword_search(
        self, match: str, flt: DocumentFilter, limit: int
    ) -> list[tuple[str, str, float]]:
        """BM25 (k1=1.2, b=0.75, FTS5's own) over jieba tokens. Returns (chunk_id, doc_id,
        score), best first, score higher-is-better.

        FTS5 ranks alone first (its fast path: no join per matching row), then the few
        winners are checked against the filter; only when the filter rejects too many does
        the slower joined query run."""
        if not match:
            return []
        fetch = limit + 20
        ranked = self._query(
            "SELECT rowid, -rank AS score FROM chunk_fts WHERE chunk_fts MATCH ? ORDER BY rank LIMIT ?",
            [match, fetch],
        )
        found = self.resolve_rowids([(r["rowid"], float(r["score"])) for r in ranked], flt)
        if len(found) >= min(limit, len(ranked)) or len(ranked) < fetch:
            return found[:limit]
        where, params = flt.sql("d")
        rows = self._query(
            "SELECT c.id AS id, c.doc_id AS doc_id, -bm25(chunk_fts) AS score FROM chunk_fts"
            " JOIN chunks c ON c.rowid = chunk_fts.rowid JOIN documents d ON d.id = c.doc_id"
            f" WHERE chunk_fts MATCH ? AND {where} ORDER BY bm25(chunk_fts) LIMIT ?",
            [match, *params, limit],
        )
        return [(r["id"], r["doc_id"], float(r["score"])) for r in rows]

    def resolve_rowids(self, ranked: list[tuple[int, float]], flt: DocumentFilter) -> list[tuple[str, str, float]]:
        """(chunk_id, doc_id, score) for ranked (rowid, score) pairs, in their order, keeping
        only the chunks that still exist and pass the filter."""
        if not ranked:
            return []
        where, params = flt.sql("d")
        rows = self._query(
            "SELECT c.rowid AS rowid, c.id AS id, c.doc_id AS doc_id FROM chunks c JOIN documents d ON d.id = c.doc_id"
            f" WHERE c.rowid IN ({','.join('?' * len(ranked))}) AND {where}",
            [*(rowid for rowid, _ in ranked), *params],
        )
        allowed = {r["rowid"]: (r["id"], r["doc_id"]) for r in rows}
        return [(*allowed[rowid], score) for rowid, score in ranked if rowid in allowed]

    def chunk_generation(self) -> tuple[int, float]:
        """(number of chunk writes ever, seconds since the last one), across processes."""
        row = self._query("SELECT n, (julianday('now') - changed_at) * 86400.0 FROM chunk_generation")[0]
        return int(row[0]), float(row[1])

    @contextmanager
    def chunk_token_rows(self) -> Iterator[tuple[int, Iterator[tuple[int, str, str]]]]:
        """(generation, rows of (rowid, doc_id, tokens)) read in one snapshot on a connection
        of its own: building an index from 200k rows takes seconds, and queries must not
        wait for it behind this connection's lock."""
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            conn.execute("BEGIN")
            generation = int(conn.execute("SELECT n FROM chunk_generation").fetchone()[0])
            yield generation, iter(conn.execute(
                "SELECT f.rowid, c.doc_id, f.tokens FROM chunk_fts f JOIN chunks c ON c.rowid = f.rowid"
            ))
        finally:
            conn.close()

    def chunk_tokens(self, chunk_ids: list[str]) -> dict[str, list[str]]:
        """The indexed tokens of these passages (for re-ranking a candidate set)."""
        if not chunk_ids:
            return {}
        rows = self._query(
            "SELECT c.id AS id, f.tokens AS tokens FROM chunks c JOIN chunk_fts f ON f.rowid = c.rowid"
            f" WHERE c.id IN ({','.join('?' * len(chunk_ids))})",
            chunk_ids,
        )
        return {r["id"]: r["tokens"].split() for r in rows}

    def document_keyword_search(self, match: str, flt: DocumentFilter, limit: int) -> list[str]:
        """Documents ranked by BM25 over their whole text, best first."""
        if not match:
            return []
        where, params = flt.sql("d")
        rows = self._query(
            "SELECT f.doc_id AS id FROM doc_fts f JOIN documents d ON d.id = f.doc_id"
            f" WHERE doc_fts MATCH ? AND {where} ORDER BY bm25(doc_fts) LIMIT ?",
            [match, *params, limit],
        )
        return [r["id"] for r in rows]

    def documents_missing_keyword_index(self) -> list[tuple[str, str | None, str]]:
        rows = self._query(
            "SELECT id, title, text FROM documents WHERE id NOT IN (SELECT doc_id FROM doc_fts)"
        )
        return [(r["id"], r["title"], r["text"]) for r in rows]

    def set_document_tokens(self, items: list[tuple[str, str]]) -> None:
        with self.transaction() as conn:
            for doc_id, tokens in items:
                conn.execute("DELETE FROM doc_fts WHERE doc_id = ?", [doc_id])
                conn.execute("INSERT INTO doc_fts (doc_id, tokens) VALUES (?, ?)", [doc_id, tokens])

    def allowed_chunk_ids(self, ids: list[str], flt: DocumentFilter) -> set[str]:
        """Which of these chunks pass the filter (vector hits are re-checked here, so a stale
        vector of a deleted or superseded document never reaches a user)."""
        if not ids:
            return set()
        where, params = flt.sql("d")
        rows = self._query(
            f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id"
            f" WHERE c.id IN ({','.join('?' * len(ids))}) AND {where}",
            [*ids, *params],
        )
        return {r["id"] for r in rows}

    def token_document_frequency(self, tokens: list[str]) -> dict[str, int]:
        """Passages containing each token: the idf behind ranking and answer checks.
        fts5vocab counts by reading a term's postings, so counts are remembered (common
        terms recur in every other question) until this process writes or a minute passes."""
        unique = sorted(set(tokens))
        now = time.monotonic()
        if now - self._df_time > 60.0:
            self._df_cache, self._df_time = {}, now
        wanted = [t for t in unique if t not in self._df_cache]
        if wanted:
            rows = self._query(
                f"SELECT term, doc FROM chunk_vocab WHERE term IN ({','.join('?' * len(wanted))})", wanted
            )
            found = {r["term"]: int(r["doc"]) for r in rows}
            self._df_cache.update({t: found.get(t, 0) for t in wanted})
        return {t: self._df_cache[t] for t in unique}

    def chunk_count(self) -> int:
        """Passages in the library. Asked on every query (idf) and a full index scan on a
        large library, so it is remembered for a few seconds, and forgotten at once when
        this process writes chunks."""
        now = time.monotonic()
        if self._count_cache is None or now - self._count_cache[1] > 5.0:
            self._count_cache = (int(self._query("SELECT count(*) FROM chunks")[0][0]), now)
        return self._count_cache[0]

    # ---- vectors: queue and cache ------------------------------------------------------

    def pending_chunks(self, limit: int) -> list[StoredChunk]:
        """Shortest first: batches of similar length waste no padding in the model."""
        rows = self._query(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE vec_state = 0 ORDER BY length(text), rowid LIMIT ?",
            [limit],
        )
        return [_chunk_from_row(r) for r in rows]

    def claim_pending(self, worker: str, limit: int, lease: float = 600.0) -> list[StoredChunk]:
        """Claim up to `limit` queued chunks nobody else holds (shortest first), for
        `lease` seconds: workers in any number of processes share the queue this way."""
        now = time.time()
        with self.transaction() as conn:
            conn.execute("DELETE FROM vector_claims WHERE until < ?", [now])
            rows = conn.execute(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE vec_state = 0 AND id NOT IN"
                " (SELECT chunk_id FROM vector_claims) ORDER BY length(text), rowid LIMIT ?",
                [limit],
            ).fetchall()
            conn.executemany("INSERT INTO vector_claims (chunk_id, worker, until) VALUES (?,?,?)",
                             [(r["id"], worker, now + lease) for r in rows])
        return [_chunk_from_row(r) for r in rows]

    def release_claims(self, worker: str, chunk_ids: list[str] | None = None) -> None:
        """Give back claims: those on `chunk_ids`, or all of `worker`'s."""
        with self.transaction() as conn:
            if chunk_ids is None:
                conn.execute("DELETE FROM vector_claims WHERE worker = ?", [worker])
            else:
                conn.executemany("DELETE FROM vector_claims WHERE chunk_id = ? AND worker = ?",
                                 [(i, worker) for i in chunk_ids])

    def claimed_elsewhere(self, worker: str) -> int:
        """Queued chunks other workers hold right now."""
        return int(self._query("SELECT count(*) FROM vector_claims WHERE worker != ? AND until >= ?",
                               [worker, time.time()])[0][0])

    def pending_count(self) -> int:
        return int(self._query("SELECT count(*) FROM chunks WHERE vec_state = 0")[0][0])

    def cached_vectors(self, hashes: list[str], model: str) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for start in range(0, len(hashes), 500):
            part = hashes[start : start + 500]
            rows = self._query(
                "SELECT embed_hash, vector FROM embeddings WHERE model = ? AND embed_hash IN"
                f" ({','.join('?' * len(part))})",
                [model, *part],
            )
            out.update({r["embed_hash"]: r["vector"] for r in rows})
        return out

    def store_vectors(self, model: str, vectors: dict[str, bytes]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings (embed_hash, model, vector) VALUES (?,?,?)",
                [(h, model, v) for h, v in vectors.items()],
            )

    def mark_vectors_done(self, chunk_ids: list[str]) -> None:
        with self.transaction() as conn:
            conn.executemany("UPDATE chunks SET vec_state = 1 WHERE id = ?", [(i,) for i in chunk_ids])

    def reset_vector_state(self) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE chunks SET vec_state = 0")
            conn.execute("DELETE FROM vector_deletes")
            conn.execute("DELETE FROM vector_claims")

    def pending_deletes(self, limit: int = 1000) -> list[str]:
        return [r[0] for r in self._query("SELECT chunk_id FROM vector_deletes LIMIT ?", [limit])]

    def clear_deletes(self, chunk_ids: list[str]) -> None:
        with self.transaction() as conn:
            conn.executemany("DELETE FROM vector_deletes WHERE chunk_id = ?", [(i,) for i in chunk_ids])

    # ---- log and stats ---------------------------------------------------------------

    def log(self, path: str, status: str, *, code: str | None = None, message: str | None = None,
            doc_id: str | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO ingest_log (at, path, status, code, message, doc_id) VALUES (?,?,?,?,?,?)",
                [now_iso(), path, status, code, message, doc_id],
            )

    def recent_log(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._query("SELECT * FROM ingest_log ORDER BY id DESC LIMIT ?", [limit])
        return [dict(r) for r in rows]

    def counts(self, wait: float = 0.5) -> dict[str, int]:
        """Documents, passages and passages waiting for vectors, for a health check. A long
        write (a 30 MB upload's passages) holds the connection for many seconds: after
        `wait` the last counts are returned instead, for a health check must not wait."""
        if self._last_counts is not None and not self._lock.acquire(timeout=wait):
            return dict(self._last_counts)
        if self._last_counts is None:
            self._lock.acquire()
        try:
            row = self._conn.execute(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM chunks),"
                " (SELECT count(*) FROM chunks WHERE vec_state = 0)").fetchone()
            self._last_counts = {"documents": row[0], "chunks": row[1], "pending_vectors": row[2]}
        finally:
            self._lock.release()
        return dict(self._last_counts)

    def stats(self) -> dict[str, Any]:
        row = self._query(
            "SELECT (SELECT count(*) FROM documents) AS documents,"
            " (SELECT count(*) FROM documents WHERE status = 'active') AS active,"
            " (SELECT count(*) FROM chunks) AS chunks,"
            " (SELECT count(*) FROM chunks WHERE vec_state = 0) AS pending,"
            " (SELECT coalesce(sum(length(text)), 0) FROM documents) AS chars"
        )[0]
        by_type = self._query(
            "SELECT coalesce(doc_type, '未识别') AS k, count(*) AS n FROM documents GROUP BY k ORDER BY n DESC"
        )
        by_issuer = self._query(
            "SELECT coalesce(issuer, '未识别') AS k, count(*) AS n FROM documents GROUP BY k ORDER BY n DESC LIMIT 30"
        )
        return {
            "documents": row["documents"],
            "active_documents": row["active"],
            "chunks": row["chunks"],
            "pending_vectors": row["pending"],
            "characters": row["chars"],
            "by_doc_type": {r["k"]: r["n"] for r in by_type},
            "by_issuer": {r["k"]: r["n"] for r in by_issuer},
        }

    def get_kv(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM kv WHERE key = ?", [key])
        return rows[0][0] if rows else None

    def set_kv(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", [key, value])
