"""Registry schema, as numbered migrations applied on open. Never edit a released one:
add a new one at the end."""
from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: documents, chunks, keyword index, embedding cache, vector queue, ingest log
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        source_path TEXT NOT NULL UNIQUE,
        filename TEXT NOT NULL,
        format TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        title TEXT, doc_no TEXT, issuer TEXT, date TEXT, date_int INTEGER,
        doc_type TEXT, region TEXT, extra_json TEXT NOT NULL DEFAULT '{}',
        text TEXT NOT NULL,
        pages_json TEXT NOT NULL DEFAULT '[]',
        warnings_json TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL DEFAULT 'active',      -- active | superseded
        superseded_by TEXT,
        version INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX documents_content_hash ON documents(content_hash);
    CREATE INDEX documents_date ON documents(date_int);
    CREATE TABLE chunks (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        text TEXT NOT NULL,
        char_start INTEGER NOT NULL,
        char_end INTEGER NOT NULL,
        page INTEGER,
        section_path_json TEXT NOT NULL,
        embed_hash TEXT NOT NULL,       -- hash of the exact text sent to the model
        vec_state INTEGER NOT NULL DEFAULT 0   -- 0 waiting for its vector, 1 in the vector store
    );
    CREATE INDEX chunks_doc ON chunks(doc_id, ord);
    CREATE INDEX chunks_pending ON chunks(vec_state) WHERE vec_state = 0;
    CREATE VIRTUAL TABLE chunk_fts USING fts5(tokens, tokenize = 'unicode61 remove_diacritics 0');
    CREATE TABLE embeddings (
        embed_hash TEXT NOT NULL,
        model TEXT NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (embed_hash, model)
    ) WITHOUT ROWID;
    CREATE TABLE vector_deletes (chunk_id TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE ingest_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        path TEXT NOT NULL,
        status TEXT NOT NULL,     -- added | updated | unchanged | duplicate | failed | deleted
        code TEXT,
        message TEXT,
        doc_id TEXT
    );
    CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: whole-document keyword index: a question often names the document (a city, an
    # agency) in words that only its opening carries, not the passage with the answer.
    # Filled by the service (jieba runs in Python), including for documents already stored.
    """
    CREATE VIRTUAL TABLE doc_fts USING fts5(doc_id UNINDEXED, tokens, tokenize = 'unicode61 remove_diacritics 0');
    """,
    # 3: how a document was cut (parser version + chunk sizes): an unchanged file is parsed
    # again when the parser improves or the chunk settings change.
    """
    ALTER TABLE documents ADD COLUMN recipe TEXT NOT NULL DEFAULT '';
    """,
    # 4: per-term passage counts straight from the FTS index (idf for the answer gate)
    # instead of counting matches, which grows with the library.
    """
    CREATE VIRTUAL TABLE chunk_vocab USING fts5vocab(chunk_fts, 'row');
    """,
    # 5: a counter bumped by every chunk written or removed, by any process: the in-memory
    # keyword index (policykb/keyword_index.py) is valid only for the count it was built at.
    """
    CREATE TABLE chunk_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n INTEGER NOT NULL,
        changed_at REAL NOT NULL
    );
    INSERT INTO chunk_generation VALUES (1, 0, julianday('now'));
    CREATE TRIGGER chunks_generation_insert AFTER INSERT ON chunks BEGIN
        UPDATE chunk_generation SET n = n + 1, changed_at = julianday('now') WHERE id = 1;
    END;
    CREATE TRIGGER chunks_generation_delete AFTER DELETE ON chunks BEGIN
        UPDATE chunk_generation SET n = n + 1, changed_at = julianday('now') WHERE id = 1;
    END;
    """,
    # 6: every search checks its hits' documents against the filter, and status sits after
    # the document's full text in the row, so each check read the text's overflow pages. A
    # covering index answers the check alone (200k passages: resolving 220 keyword hits
    # 2.94 -> 1.09 ms p50, bench/keyword_index.py).
    """
    CREATE INDEX documents_filter ON documents(id, status, issuer, doc_type, date_int, title);
    """,
    # 7: the catalog questions are matched against (policykb/retrieval/catalog.py) is
    # rebuilt when any document row changes; a counter kept by triggers says so without
    # reading the documents table (whose rows hold the full text).
    """
    CREATE TABLE document_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
    INSERT INTO document_generation VALUES (1, 0);
    CREATE TRIGGER documents_generation_insert AFTER INSERT ON documents BEGIN
        UPDATE document_generation SET n = n + 1 WHERE id = 1;
    END;
    CREATE TRIGGER documents_generation_update AFTER UPDATE ON documents BEGIN
        UPDATE document_generation SET n = n + 1 WHERE id = 1;
    END;
    CREATE TRIGGER documents_generation_delete AFTER DELETE ON documents BEGIN
        UPDATE document_generation SET n = n + 1 WHERE id = 1;
    END;
    """,
    # 8: validity (时效性) and version families (policykb/versions.py), decided for the whole
    # library after each change; what a sidecar or a person says is kept apart so that the
    # detection can run again without losing it. Links given before this existed were all
    # given by hand (`supersedes`). The documents a text cites (《…》 and 文号), resolved to
    # library documents after each change (policykb/citations.py).
    """
    ALTER TABLE documents ADD COLUMN validity TEXT NOT NULL DEFAULT '现行有效';
    ALTER TABLE documents ADD COLUMN family TEXT NOT NULL DEFAULT '';
    ALTER TABLE documents ADD COLUMN validity_note TEXT;
    ALTER TABLE documents ADD COLUMN effective_date TEXT;
    ALTER TABLE documents ADD COLUMN validity_override TEXT;
    ALTER TABLE documents ADD COLUMN family_override TEXT;
    ALTER TABLE documents ADD COLUMN successor_override TEXT;
    UPDATE documents SET successor_override = superseded_by, validity = '已修订'
        WHERE status = 'superseded' AND superseded_by IS NOT NULL;
    CREATE INDEX documents_family ON documents(family, date_int);
    CREATE TABLE doc_references (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        ord INTEGER NOT NULL,
        mention TEXT NOT NULL,          -- the title inside 《》 or the 文号, as written
        kind TEXT NOT NULL,             -- title | doc_no
        repeal INTEGER NOT NULL DEFAULT 0,  -- named in a 「…同时废止」 sentence
        char_start INTEGER NOT NULL,
        target_id TEXT,                 -- the library document it names; NULL = unresolved
        PRIMARY KEY (doc_id, ord)
    ) WITHOUT ROWID;
    CREATE INDEX doc_references_target ON doc_references(target_id);
    """,
    # 9: claims on queued chunks, so that any number of workers (two `ingest` runs, a
    # server and an `embed`) share the vector queue instead of each embedding all of it.
    # A claim is a lease: a worker killed midway leaves claims that expire and are taken.
    """
    CREATE TABLE vector_claims (
        chunk_id TEXT PRIMARY KEY,
        worker TEXT NOT NULL,
        until REAL NOT NULL
    );
    CREATE INDEX vector_claims_worker ON vector_claims(worker);
    """,
    # 10: the 汇编 editor's choices (a document moved to another group, groups renamed and
    # reordered), kept across rebuilds of the digest (policykb/digest/layout.py).
    """
    CREATE TABLE digest_layout (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # 11: metadata edited by hand (CLI, API, the 文库 page, a changed sidecar file): one row per
    # field changed, with who and when. The latest row of a field is its hand-set value,
    # which re-extraction never overwrites (policykb/doc_metadata.py).
    """
    CREATE TABLE metadata_edits (
        id INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL,
        field TEXT NOT NULL,
        old_value TEXT,
        new_value TEXT,
        source TEXT NOT NULL,      -- cli | api | page | sidecar | upload
        editor TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX metadata_edits_doc ON metadata_edits(doc_id, field, id);
    """,
    # 12: uploads waiting for OCR in the server's background (policykb/ocr_jobs.py): listed
    # at once with their pages read so far; a restarted server resumes them.
    """
    CREATE TABLE ocr_jobs (
        source_path TEXT PRIMARY KEY,
        display_name TEXT NOT NULL,
        pages_done INTEGER NOT NULL DEFAULT 0,
        pages_total INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'reading',     -- reading | failed
        message TEXT,
        overrides_json TEXT NOT NULL DEFAULT '{}',
        backup_path TEXT,                           -- the earlier version an upload replaces
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
]


def migrate(conn: sqlite3.Connection) -> None:
    while (version := conn.execute("PRAGMA user_version").fetchone()[0]) < len(MIGRATIONS):
        number = version + 1
        try:
            conn.executescript(f"BEGIN; {MIGRATIONS[version]}; PRAGMA user_version = {number}; COMMIT;")
        except Exception:
            if conn.in_transaction:
                conn.rollback()
            # Two processes opening a new library at once: the other one applied it first.
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                continue
            raise
