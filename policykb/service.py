"""The service layer: the one place that combines registry, indexes and models.

CLI commands, HTTP routes and Python users all call `KnowledgeBase`; none of them holds
logic of its own.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.config import Settings, load_settings
from policykb.filters import SearchFilters
from policykb.registry import DocumentFilter, NewChunk, Registry, StoredChunk, StoredDocument
from policykb.results import NOT_FOUND, Answer, FileResult, Hit, IngestReport, SearchResult

if TYPE_CHECKING:
    from policykb.index.embedding import Embedder
    from policykb.index.vector_store import VectorStore
    from policykb.index.worker import WorkerStats
    from policykb.compare import Comparison
    from policykb.digest.build import Digest
    from policykb.excerpts.build import Excerpts
    from policykb.evaluate import EvalQuestion, EvalReport
    from policykb.verify import VerifyReport
    from policykb.answer.gate import GateSignals
    from policykb.answer.selection import Question as SelectionQuestion
    from policykb.ingest.types import ParsedDocument

log = logging.getLogger("policykb.ingest")

_KB_NAME = re.compile(r"^[\w\-\u4e00-\u9fff]{1,64}$")

ProgressFn = Callable[[int, int], None]


class KnowledgeBaseError(ValueError):
    """A request the user can fix; `code` is stable for the API, the message is Chinese."""

    def __init__(self, message: str, code: str = "bad_request", status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


def doc_id_for(source_path: str) -> str:
    return hashlib.sha1(source_path.encode("utf-8")).hexdigest()[:12]


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def keyword_tokens(title: str | None, chunks: Iterable[tuple[tuple[str, ...], str]]) -> tuple[list[str], str]:
    """What BM25 indexes: for each chunk, the document title, its headings and its text
    (the title and headings help a question that names the document or section find its
    passages); for the whole document, the title and the text of all its chunks, which
    cover every non-space character of the document. Each piece is tokenised once."""
    from policykb.index.tokenize import tokenize

    title_tokens = tokenize(title or "")
    headings: dict[str, list[str]] = {}
    per_chunk: list[str] = []
    document = list(title_tokens)
    for section_path, text in chunks:
        text_tokens = tokenize(text)
        path_tokens = [t for h in section_path for t in headings.setdefault(h, tokenize(h))]
        per_chunk.append(" ".join([*title_tokens, *path_tokens, *text_tokens]))
        document.extend(text_tokens)
    return per_chunk, " ".join(document)


class KnowledgeBase:
    # Answer gate and extractive answer parameters (tuned by bench/retrieval.py).
    FOUND_MIN_COVERAGE = 0.55
    ASK_PASSAGES = 5
    # The answer chooses among this many passages (policykb/answer/selection.py): the
    # passage that answers is often below the first (「第十条 …不得提供香烟和高档酒水」 at rank 11).
    ASK_CANDIDATES = 15

    def __init__(self, settings: Settings | None = None, kb: str | None = None) -> None:
        self.settings = settings or load_settings()
        self.name = kb or self.settings.kb
        if not _KB_NAME.match(self.name):
            raise KnowledgeBaseError(f"知识库名称无效：{self.name}（只能包含中文、字母、数字、-、_）")
        self.dir = self.settings.kb_dir(self.name)
        self.registry = Registry(self.dir / "registry.sqlite")
        self._embedder: Embedder | None = None
        self._store: VectorStore | None = None
        self._init_lock = threading.Lock()
        self._embed_lock = threading.Lock()
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="policykb-query")
        self.worker = None  # set by start_worker()
        from policykb.ocr_jobs import OcrJobs

        self.ocr_jobs = OcrJobs(self)  # uploads read by OCR in the server's background
        from policykb.keyword_index import KeywordIndex

        self.keyword_index = KeywordIndex(self.registry, self.dir / "keyword-index",
                                          min_passages=self.settings.keyword_index_above,
                                          quiet_seconds=self.settings.keyword_index_quiet_seconds)
        self._backfill_document_index()
        from policykb import lineage

        lineage.backfill(self.registry)  # validity and citations for documents stored before they existed
        from policykb.retrieval.hybrid import Retriever
        from policykb.retrieval.thesaurus import Thesaurus, default_file

        self.retriever = Retriever(self)
        self.thesaurus = Thesaurus(default_file(), self.settings.thesaurus or self.settings.home / "thesaurus.txt")

    def _backfill_document_index(self) -> None:
        """Registries written before the whole-document index existed get it on open."""
        missing = self.registry.documents_missing_keyword_index()
        if missing:
            from policykb.index.tokenize import index_text

            self.registry.set_document_tokens([(i, index_text(f"{t or ''} {text}")) for i, t, text in missing])

    # ---- lazily loaded heavy parts -----------------------------------------------------

    @property
    def embedder(self) -> "Embedder":
        if self._embedder is None:
            with self._init_lock:
                if self._embedder is None:
                    from policykb.index.embedding import load_embedder

                    self._embedder = load_embedder(self.settings.embedding_model)
        return self._embedder

    @property
    def store(self) -> "VectorStore":
        if self._store is None:
            embedder = self.embedder
            with self._init_lock:
                if self._store is None:
                    from policykb.index.vector_store import VectorStore

                    self._store = VectorStore(
                        embedder,
                        self.name,
                        chroma_url=self.settings.chroma_url,
                        persist_dir=str(self.settings.chroma_dir()),
                    )
        return self._store

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        self.ocr_jobs.stop()
        self.keyword_index.close()
        self._background.shutdown(wait=False)
        self.registry.close()

    # ---- ingest ----------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        wait: bool = True,
        overrides: dict[str, Any] | None = None,
        on_file: Callable[[FileResult], None] | None = None,
        on_vectors: ProgressFn | None = None,
        on_ocr: Callable[[str, int, int], None] | None = None,
        on_skip: Callable[[str, str], None] | None = None,
    ) -> IngestReport:
        """Parse and register every file (each searchable by keyword as soon as it is
        committed), then, with `wait`, embed what is pending. A bad file is reported and
        skipped; the rest of the batch goes in. Files a folder holds but that are not
        read (hidden, ignored, of an unsupported type) are named in `report.skipped`.
        `on_ocr(path, pages_done, pages_total)` follows the reading of scanned pages."""
        from policykb.ingest import walk_inputs

        report = IngestReport()
        files, skipped = walk_inputs([Path(p) for p in paths])
        for s in skipped:
            report.skipped.append({"path": s.path, "reason": s.reason})
            if on_skip:
                on_skip(s.path, s.reason)
        for path in files:
            result = self.ingest_file(path, overrides=overrides, on_ocr=on_ocr)
            report.files.append(result)
            if on_file:
                on_file(result)
        self.refresh_versions()
        if self.worker is not None:
            self.worker.wake()
        if not self.keyword_index.background:
            # A one-shot ingest leaves the large-library index current on disk, so the next
            # query (any process) loads it; the server instead rebuilds once writes pause.
            self.keyword_index.refresh()
        if wait:
            stats = self.embed_pending(on_progress=on_vectors)
            report.vectors_embedded = stats.chunks
        report.pending_vectors = self.registry.pending_count()
        return report

    def ingest_file(self, path: Path, *, overrides: dict[str, Any] | None = None,
                    display_name: str | None = None,
                    on_ocr: Callable[[str, int, int], None] | None = None) -> FileResult:
        from policykb.ingest import IngestError

        path = Path(path).expanduser().absolute()
        shown = display_name or str(path)
        try:
            if not path.is_file():
                raise IngestError(path, "文件不存在或不是普通文件", code="not_found")
            content_hash = file_hash(path)
            existing = self.registry.document_by_path(str(path))
            if (existing and existing.content_hash == content_hash and existing.recipe == self.recipe
                    and not overrides):
                # The text is as stored; a changed sidecar still applies, as metadata alone.
                changed = self._apply_sidecar(existing, path)
                if changed:
                    from policykb.doc_metadata import LABELS

                    msg = f"元数据已按元数据文件更新（{'、'.join(LABELS[f] for f in changed)}），未重新分段或向量化"
                    self.registry.log(str(path), "updated", message=msg, doc_id=existing.id)
                    return FileResult(shown, "updated", doc_id=existing.id, title=self.get_document(existing.id).title,
                                      chunks=len(self.registry.chunks_of(existing.id)), message=msg)
                return FileResult(shown, "unchanged", doc_id=existing.id, title=existing.title,
                                  chunks=len(self.registry.chunks_of(existing.id)))
            twin = self.registry.document_by_hash(content_hash)
            if twin and twin.source_path != str(path):
                msg = f"内容与已入库文档《{twin.title or twin.filename}》（{twin.id}）完全相同，已跳过"
                self.registry.log(str(path), "duplicate", message=msg, doc_id=twin.id)
                return FileResult(shown, "duplicate", doc_id=twin.id, title=twin.title, message=msg)
            started = time.perf_counter()
            self._read_scans(path, shown, on_ocr)
            parsed = self._parse(path, overrides)
            result = self._register(parsed, content_hash, overrides or {})
            result.path = shown
            result.seconds_to_searchable = time.perf_counter() - started
            return result
        except IngestError as exc:
            self.registry.log(str(path), "failed", code=exc.code, message=exc.reason)
            return FileResult(shown, "failed", code=exc.code, message=exc.reason)
        except OSError as exc:
            reason = f"无法读取文件：{exc.strerror or exc}"
            self.registry.log(str(path), "failed", code="io_error", message=reason)
            return FileResult(shown, "failed", code="io_error", message=reason)
        except Exception as exc:  # noqa: BLE001 - one file's surprise never stops the batch
            log.exception("ingest of %s failed", path)
            reason = f"导入此文件时出错（{type(exc).__name__}），已跳过，其他文件不受影响"
            self.registry.log(str(path), "failed", code="internal_error", message=reason)
            return FileResult(shown, "failed", code="internal_error", message=reason)

    @property
    def ocr_dir(self) -> Path:
        return self.dir / "ocr"

    def _read_scans(self, path: Path, shown: str, on_ocr: Callable[[str, int, int], None] | None,
                    stop: threading.Event | None = None) -> None:
        """Recognise the scanned pages of `path` here, page by page into the OCR cache,
        before the parse: the parse worker's time budget is for parsing, not for minutes
        of OCR, and a crash midway resumes at the next page (ingest/ocr.py)."""
        from policykb.ingest.ocr import prepare

        if path.suffix.lower() not in (".pdf", ".ofd", ".png", ".jpg", ".jpeg", ".tif", ".tiff"):
            return
        prepare(path, self.ocr_dir, on_page=(lambda done, total: on_ocr(shown, done, total)) if on_ocr else None,
                max_bytes=self.settings.max_file_mb * 2**20, stop=stop)

    def _parse(self, path: Path, overrides: dict[str, Any] | None) -> "ParsedDocument":
        """Parse within the file's time and memory budget (policykb/parse_budget.py)."""
        s = self.settings
        kwargs: dict[str, Any] = dict(max_chars=s.chunk_max_chars, min_chars=s.chunk_min_chars,
                                      max_bytes=s.max_file_mb * 2**20, overrides=overrides,
                                      ocr_cache=str(self.ocr_dir))
        if s.parse_isolated:
            from policykb.parse_budget import WorkerUnavailable, parse_in_worker

            try:
                return parse_in_worker(path, timeout=s.parse_timeout, memory_mb=s.parse_memory_mb, **kwargs)
            except WorkerUnavailable:
                log.warning("no parse worker could be started: parsing %s in-process, without a budget", path)
        from policykb.ingest import parse_file

        return parse_file(path, **kwargs)

    @property
    def uploads_dir(self) -> Path:
        return self.dir / "uploads"

    def ingest_upload(self, filename: str, data: bytes, *,
                      overrides: dict[str, Any] | None = None) -> FileResult:
        """One file sent over HTTP: sanitise its name, check size and that the content is
        what the name says, keep it under the knowledge base's uploads folder and ingest it.
        A file uploaded again under the same name replaces its earlier version; a failed or
        duplicate upload leaves the earlier version in place."""
        from policykb.ingest import IngestError
        from policykb.uploads import PREVIOUS, check_upload, safe_filename

        name = safe_filename(filename)
        try:
            check_upload(name, data, self.settings.max_upload_mb * 2**20)
        except IngestError as exc:
            self.registry.log(name, "failed", code=exc.code, message=exc.reason)
            return FileResult(name, "failed", code=exc.code, message=exc.reason)
        self.uploads_dir.mkdir(parents=True, exist_ok=True)
        target = self.uploads_dir / name
        if str(target.absolute()) in self.ocr_jobs.paths():
            return FileResult(name, "failed", code="busy", message="同名文件正在识别中，请等识别完成后再上传")
        backup = target.with_name(target.name + PREVIOUS)
        if target.exists():
            target.replace(backup)
        target.write_bytes(data)
        if self.ocr_jobs.running:
            queued = self._queue_scan(target, name, overrides, backup)
            if queued is not None:
                return queued
        result = self.ingest_file(target, overrides=overrides, display_name=name)
        self._settle_upload(target, backup, result)
        return result

    def _queue_scan(self, target: Path, name: str, overrides: dict[str, Any] | None,
                    backup: Path) -> FileResult | None:
        """A scan uploaded to the server is read in the background (policykb/ocr_jobs.py):
        listed at once as 「识别中 0/N 页」; None when the file needs no OCR."""
        from policykb.ingest.ocr import available, scan_sources

        try:
            _, sources = scan_sources(target, max_bytes=self.settings.max_file_mb * 2**20)
        except Exception:  # noqa: BLE001 - the inline ingest names the file's problem
            return None
        if not sources or not available():
            return None
        self.ocr_jobs.add(target.absolute(), name, len(sources), overrides,
                          backup if backup.exists() else None)
        msg = f"识别中 0/{len(sources)} 页，识别完成后自动入库"
        self.registry.log(str(target.absolute()), "reading", message=msg)
        return FileResult(name, "reading", message=msg)

    def _settle_upload(self, target: Path, backup: Path | None, result: FileResult) -> None:
        """After an upload's ingest: a failed or duplicate upload leaves the earlier
        version in place; a good one drops the backup."""
        if result.status in ("failed", "duplicate"):  # keep nothing new, restore what was there
            target.unlink(missing_ok=True)
            if backup is not None and backup.exists():
                backup.replace(target)
        else:
            if backup is not None:
                backup.unlink(missing_ok=True)
            self.refresh_versions()
        if self.worker is not None:
            self.worker.wake()

    def recover_uploads(self) -> list[str]:
        """Put the uploads folder right after a crash (the server calls this on start): an
        upload killed before it was registered is removed, and a replacement killed midway
        gives way to the earlier version it was replacing. Returns what was done, for the log."""
        from policykb.uploads import recover_uploads

        if not self.uploads_dir.is_dir():
            return []
        done = recover_uploads(self.uploads_dir, self.registry.document_by_path, file_hash,
                               keep=frozenset(self.ocr_jobs.paths()))
        for line in done:
            log.info("uploads: %s", line)
        return done

    def _register(self, parsed: "ParsedDocument", content_hash: str, overrides: dict[str, Any]) -> FileResult:
        from policykb.index.worker import embed_hash, embed_input

        doc_id = doc_id_for(parsed.source_path)
        meta = parsed.meta
        fields: dict[str, Any] = {
            "title": meta.title, "doc_no": meta.doc_no, "issuer": meta.issuer, "date": meta.date,
            "doc_type": meta.doc_type, "region": meta.region, **meta.extra,
        }
        # Hand-set values (edits, a sidecar, an upload form's fields) outlive re-extraction.
        fields.update(self._hand_set_for(doc_id, parsed, overrides))
        effective = fields.pop("effective_date", None)  # a column of its own (lineage)
        chunk_tokens, doc_tokens = keyword_tokens(fields["title"], ((c.section_path, c.text) for c in parsed.chunks))
        chunks = []
        for ch, tokens in zip(parsed.chunks, chunk_tokens):
            h = embed_hash(embed_input(fields["title"], ch.section_path, ch.text, self.settings.embed_context))
            chunks.append(
                NewChunk(
                    id=f"{doc_id}-{ch.ord:04d}-{h[:6]}",
                    ord=ch.ord,
                    text=ch.text,
                    char_start=ch.char_start,
                    char_end=ch.char_end,
                    page=ch.page,
                    section_path=tuple(ch.section_path),
                    embed_hash=h,
                    tokens=tokens,
                )
            )
        status = self.registry.put_document(
            doc_id=doc_id,
            source_path=parsed.source_path,
            filename=Path(parsed.source_path).name,
            fmt=parsed.format,
            content_hash=content_hash,
            meta=fields,
            text=parsed.text,
            pages=[{"number": p.number, "char_start": p.char_start, "char_end": p.char_end} for p in parsed.pages],
            warnings=list(parsed.warnings),
            chunks=chunks,
            doc_tokens=doc_tokens,
            recipe=self.recipe,
            keep_if_same=not overrides,  # another process may have stored this file meanwhile
        )
        message = "；".join(parsed.warnings) or None
        from policykb import lineage

        lineage.record_text_facts(self.registry, doc_id, parsed.text, fields["title"], fields["doc_no"])
        if effective:  # the parser's 施行日期 is the text's own article ("本办法自…"); the
            # whole-text rule of record_text_facts stands where the parser found none
            self.registry.set_version_fields(doc_id, {"effective_date": effective})
        lineage.record_given(self.registry, doc_id, {**meta.extra, **overrides})
        supersedes = overrides.get("supersedes") or meta.extra.get("supersedes")
        if supersedes:
            old = self.find_document(str(supersedes))
            if old and old.id != doc_id:
                self.registry.set_superseded(old.id, doc_id)
                message = ((message + "；") if message else "") + f"已替代《{old.title}》"
        self.registry.log(parsed.source_path, status, message=message, doc_id=doc_id)
        return FileResult(parsed.source_path, status, doc_id=doc_id, title=fields["title"],
                          chunks=len(chunks), message=message)

    def _apply_sidecar(self, doc: StoredDocument, path: Path) -> list[str]:
        """Record what a changed sidecar now says as edits and store it; the fields whose
        stored value changed."""
        from policykb import doc_metadata as dm

        changes, name = dm.sidecar_changes(self.registry, doc.id, path)
        if not changes:
            return []
        current = {f: getattr(doc, f) for f in dm.EDITABLE}
        dm.record(self.registry, doc.id, changes, {}, source="sidecar", editor=f"元数据文件 {name}")
        changed = {f: v for f, v in changes.items() if v != current.get(f)}
        dm.store(self.registry, doc.id, changed)
        if changed:
            self.refresh_versions()  # title and date place a document among its versions
        return list(changed)

    def _hand_set_for(self, doc_id: str, parsed: "ParsedDocument", overrides: dict[str, Any]) -> dict[str, Any]:
        """The values people set for this document: a changed sidecar and an upload form's
        fields are recorded as edits first; then the latest edit of each field."""
        from policykb import doc_metadata as dm

        stored = self.registry.get_document(doc_id)
        current = {f: getattr(stored, f) for f in dm.EDITABLE} if stored else {}
        changes, name = dm.sidecar_changes(self.registry, doc_id, Path(parsed.source_path))
        if changes:
            dm.record(self.registry, doc_id, changes, {}, source="sidecar", editor=f"元数据文件 {name}")
        given = {k: v for k, v in overrides.items() if k in dm.EDITABLE and v not in (None, "")}
        if given:
            try:
                dm.record(self.registry, doc_id, dm.normalise_changes(given), current, source="upload",
                          editor=str(overrides.get("editor") or "上传表单"))
            except dm.MetadataError as exc:
                raise KnowledgeBaseError(str(exc), code="bad_metadata") from exc
        return dm.hand_set(self.registry, doc_id)

    def edit_document(self, doc_id: str, changes: dict[str, Any], *, editor: str, source: str = "api"
                      ) -> tuple[StoredDocument, list[str]]:
        """Change a document's metadata by hand: (the document, the fields that changed).
        Each change is recorded with `editor` and the time; the value then survives
        re-ingest and re-extraction. "" clears a field. Passages and vectors are untouched."""
        from policykb import doc_metadata as dm

        doc = self.get_document(doc_id)
        if not changes:
            raise KnowledgeBaseError("没有要修改的字段（可修改：标题、文号、发文机关、日期、文种、地区）", code="no_changes")
        try:
            values = dm.normalise_changes(changes)
            current = {f: getattr(doc, f) for f in dm.EDITABLE}
            changed = dm.record(self.registry, doc_id, values, current, source=source, editor=editor)
        except dm.MetadataError as exc:
            raise KnowledgeBaseError(str(exc), code="bad_metadata") from exc
        dm.store(self.registry, doc_id, {f: values[f] for f in changed})
        if changed:
            self.refresh_versions()  # title and date place a document among its versions
        return self.get_document(doc_id), changed

    def document_edits(self, doc_id: str) -> list[Any]:
        """The recorded metadata edits of a document, oldest first (who, when, old → new)."""
        from policykb.doc_metadata import edits_of

        self.get_document(doc_id)
        return edits_of(self.registry, doc_id)

    def documents_missing_metadata(self, *, limit: int = 500) -> tuple[list[StoredDocument], dict[str, int]]:
        """Active documents with no date or no issuer (what a date or issuer filter cannot
        find), with the counts {"undated": n, "unattributed": m, "total": k}."""
        from policykb.doc_metadata import missing_metadata

        return missing_metadata(self.registry, limit=limit)

    @property
    def recipe(self) -> str:
        """How files are cut into passages; a stored document cut differently is redone."""
        from policykb.ingest.pipeline import PARSER_VERSION

        s = self.settings
        return f"{PARSER_VERSION}:{s.chunk_max_chars}:{s.chunk_min_chars}" + (":ctx" if s.embed_context else "")

    def find_document(self, ref: str) -> StoredDocument | None:
        """A document by id, 文号 or exact title (how users name the one being replaced)."""
        return self.registry.get_document(ref) or self.registry.document_by_reference(ref)

    # ---- vectors -----------------------------------------------------------------------

    def embed_pending(self, *, on_progress: ProgressFn | None = None, stop: Any = None,
                      max_chunks: int | None = None) -> "WorkerStats":
        """Drain the vector queue (or until `stop.is_set()`); safe to interrupt anywhere."""
        from policykb.index.worker import WorkerStats, apply_deletes, drain

        stats = WorkerStats()
        with self._embed_lock:
            if self.registry.pending_count() == 0 and not self.registry.pending_deletes(1):
                return stats
            store = self.store
            apply_deletes(self.registry, store)
            drain(self.registry, store, self.embedder, self.settings.embedding_batch_size, stats,
                  stop=stop, max_chunks=max_chunks, on_progress=on_progress,
                  with_context=self.settings.embed_context)
        return stats

    def rebuild_vectors(self, on_progress: ProgressFn | None = None) -> "WorkerStats":
        """Rebuild Chroma from the registry; cached vectors make this cheap."""
        self.store.reset()
        self.registry.reset_vector_state()
        return self.embed_pending(on_progress=on_progress)

    def rebuild_keyword_index(self) -> dict[str, Any] | None:
        """Rebuild the large-library keyword index now; None when the library is small
        enough for FTS5 alone (below `keyword_index_above` passages)."""
        if self.keyword_index.refresh(force=True) is None:
            return None
        return self.keyword_index.last_build

    def pause_worker(self) -> None:
        if self.worker is None:
            raise KnowledgeBaseError("后台向量化未运行（仅服务模式下可用）", code="no_worker", status=409)
        self.worker.pause()

    def resume_worker(self) -> None:
        if self.worker is None:
            raise KnowledgeBaseError("后台向量化未运行（仅服务模式下可用）", code="no_worker", status=409)
        self.worker.resume()

    def start_worker(self) -> None:
        """The server's background work: vectors for queued passages, and, on a large
        library, the keyword index rebuilt after writes pause (policykb/keyword_index.py)."""
        from policykb.index.worker import VectorWorker

        self.keyword_index.background = True
        if self.worker is None:
            self.worker = VectorWorker(lambda halt: self.embed_pending(stop=halt).chunks)
        self.worker.start()
        self.ocr_jobs.start()

    # ---- search ----------------------------------------------------------------------

    def search(self, query: str, *, top_k: int = 10,
               filters: SearchFilters | dict[str, Any] | None = None, mode: str = "hybrid") -> SearchResult:
        """Hybrid retrieval (policykb/retrieval/hybrid.py), plus how many documents a date or
        issuer filter left out for having no date or issuer (policykb/doc_metadata.py)."""
        from policykb.doc_metadata import left_out

        result = self.retriever.search(query, top_k=top_k, filters=filters, mode=mode)
        result.left_out = left_out(self.registry, SearchFilters.from_any(filters).to_registry())
        return result

    def similar(self, chunk_id: str, *, top_k: int = 10,
                filters: SearchFilters | dict[str, Any] | None = None) -> SearchResult:
        """"More like this": passages near this one, from other documents first."""
        chunk = self.registry.chunks_by_ids([chunk_id]).get(chunk_id)
        if chunk is None:
            raise KnowledgeBaseError(f"段落不存在：{chunk_id}", code="not_found", status=404)
        flt = SearchFilters.from_any(filters).to_registry()
        vector = self.store.get_vector(chunk_id) if chunk.vec_state else None
        if vector is None:
            from policykb.index.embedding import blob_to_vector

            cached = self.registry.cached_vectors([chunk.embed_hash], self.embedder.name)
            if cached:
                vector = blob_to_vector(cached[chunk.embed_hash])
        if vector is None:  # not embedded yet: fall back to its words (which find itself first)
            result = self.search(chunk.text[:200], top_k=top_k + 1, filters=filters, mode="keyword")
            result.results = [h for h in result.results if h.chunk_id != chunk_id][:top_k]
            result.mode, result.terms = "similar", []
            return result
        raw = self.store.query(vector, (top_k + 1) * 3)
        allowed = self.registry.allowed_chunk_ids([cid for cid, _ in raw], flt)
        ranked = [(cid, sim) for cid, sim in raw if cid in allowed and cid != chunk_id]
        others = [r for r in ranked if not r[0].startswith(chunk.doc_id)] + [r for r in ranked if r[0].startswith(chunk.doc_id)]
        ranked = others[:top_k]
        hits = self.retriever.hits([c for c, _ in ranked], dict(ranked),
                                   {c: {"vector_similarity": round(s, 4)} for c, s in ranked})
        return SearchResult(query=chunk.text[:50], results=hits, pending_vectors=self.registry.pending_count(), mode="similar")

    # ---- answers ---------------------------------------------------------------------

    def question_weights(self, question: str) -> dict[str, float]:
        from policykb.index.keyword import query_tokens
        from policykb.answer.relevance import idf_weights

        from policykb.text import QUESTION_WORDS, content_part

        tokens = [t for t in query_tokens(question) if t not in QUESTION_WORDS] or query_tokens(question)
        df = self.registry.token_document_frequency(tokens)
        # A token the library has never seen is often the question's phrasing glued onto a
        # word (「最多能」, 「能配」): keep only its content, if any (policykb/text.py).
        trimmed = [t if df.get(t) else content_part(t) for t in tokens]
        tokens = list(dict.fromkeys(t for t in trimmed if t and t not in QUESTION_WORDS)) or tokens
        # A single character (「公」 of 公租房) is found inside any word: no evidence alone.
        tokens = [t for t in tokens if len(t) > 1 or not t.isalpha() or t.isascii()] or tokens
        df = self.registry.token_document_frequency(tokens)
        return idf_weights(tokens, df, max(self.registry.chunk_count(), 1))

    def ask(self, question: str, *, filters: SearchFilters | dict[str, Any] | None = None) -> Answer:
        """An answer from the top passages, every sentence cited. With an LLM configured
        (llm_base_url) the model writes it and the citations are checked; if the model
        fails, the extractive answer serves with a notice. When retrieval finds nothing
        relevant the answer is NOT_FOUND and no model is called."""
        listed = self._listing_answer(question, filters)
        if listed is not None:
            return listed
        filters = self._named_version_filters(question, filters)
        context = self._answer_context(question, filters)
        if isinstance(context, Answer):
            return context
        hits, weights, pending = context
        notice = None
        if self.settings.llm_base_url:
            from policykb.answer import generative
            from policykb.llm import LLMError, llm_for

            try:
                return generative.answer(llm_for(self.settings), question, hits, self.question_weights,
                                         pending_vectors=pending)
            except LLMError as exc:
                notice = generative.fallback_notice(exc)
        return self._extractive_answer(question, hits, weights, pending, notice)

    def question_alternatives(self, question: str, weights: dict[str, float]) -> dict[str, list[str]]:
        """For each colloquial term of the question, the official words it stands for
        (policykb/retrieval/thesaurus.py): 「烟酒」 is covered by 「香烟」 or 「酒水」."""
        return self.thesaurus.alternatives(question, list(weights))

    def answer_question(self, question: str, weights: dict[str, float]) -> "SelectionQuestion":
        """What the passage selector (policykb/answer/selection.py) knows of a question."""
        from policykb.answer.extractive import ASKS_QUANTITY, period_words
        from policykb.answer.selection import ASKS_DATE, Question

        qa = self.retriever.analyse(question)
        return Question(weights=weights, alternatives=self.question_alternatives(question, weights),
                        intent=qa.intent, wants_number=bool(ASKS_QUANTITY.search(question)),
                        period=period_words(question), scope=frozenset(qa.answer_scope or ()),
                        wants_date=bool(ASKS_DATE.search(question)))

    def answer_order(self, question: str, hits: list[Hit], weights: dict[str, float]) -> list[Hit]:
        """Passages in the order an answer should read them: the passage to quote first, as
        the fitted selector weighs retrieval's ranks, closeness in meaning, coverage of the
        question and the form of the answer asked for (policykb/answer/selection.py)."""
        from policykb.answer.selection import ranked

        with_vectors = any(h.match.get("vector_similarity") is not None for h in hits)
        order = ranked(self.answer_question(question, weights), hits, [self._evidence_text(h) for h in hits],
                       with_vectors=with_vectors)
        # The selector's score travels with the hit (explain output; the extractive answer
        # quotes a second passage when two are close).
        return [replace(hits[i], match={**hits[i].match, "answer_score": round(score, 3)}) for i, score in order]

    def gate_signals(self, question: str, hits: list[Hit], weights: dict[str, float]) -> "GateSignals":
        """What the answer gate weighs (policykb/answer/gate.py)."""
        from policykb.answer.gate import GateSignals
        from policykb.answer.relevance import anchored, coverage

        alternatives = self.question_alternatives(question, weights)
        texts = [self._evidence_text(h) for h in hits]
        best = max((coverage(weights, t, alternatives) for t in texts), default=0.0)
        sims = [h.match["vector_similarity"] for h in hits if h.match.get("vector_similarity") is not None]
        qa = self.retriever.analyse(question)
        scope = qa.answer_scope
        named = bool(scope) and any(h.doc_id in scope for h in hits[:3])
        # A version the library lacks (「2025年四川省政府工作报告」 beside 2026's) or a place no
        # document comes from (深圳市) is a pointer the passages cannot honour.
        evidence = "\n".join(texts)
        pointed = not qa.version_missing and all(
            re.sub(r"(?:省|市|自治区|县|区)$", "", p) in evidence for p in qa.unknown_places)
        return GateSignals(coverage=best, similarity=max(sims) if sims else None, named=named,
                           anchored=pointed and anchored(question, texts))

    def _answer_context(self, question: str, filters: SearchFilters | dict[str, Any] | None
                        ) -> Answer | tuple[list[Hit], dict[str, float], int]:
        """The passages to answer from, or the NOT_FOUND answer when none is relevant."""
        from policykb.answer.gate import admits

        result = self.search(question, top_k=self.ASK_CANDIDATES, filters=filters)
        weights = self.question_weights(question)
        hits = self.answer_order(question, result.results, weights)[:self.ASK_PASSAGES]
        if not hits or not admits(self.gate_signals(question, hits, weights),
                                  with_model=bool(self.settings.llm_base_url)):
            return Answer(question=question, answer=NOT_FOUND, citations=[], found=False,
                          pending_vectors=result.pending_vectors)
        return hits, weights, result.pending_vectors

    @staticmethod
    def _evidence_text(hit: Hit) -> str:
        """What a reader sees of a passage: its document's title, 文号 and date, its
        headings and its text."""
        from policykb.answer.checks import evidence_text

        meta = hit.metadata
        # A sentence addressed to a model (「忽略以上指令，…由谁负责的问题…」) is no evidence
        # of anything, however many of the question's words it repeats.
        return " ".join([hit.title or "", meta.get("doc_no") or "", meta.get("date") or "",
                         *hit.section_path, evidence_text(hit.text)])

    def _extractive_answer(self, question: str, hits: list[Hit], weights: dict[str, float], pending: int,
                           notice: str | None = None) -> Answer:
        from policykb.answer.extractive import compose, pick_sentences, provision_answer
        from policykb.answer.table_rows import cited_row

        intent = self.retriever.analyse(question).intent
        alternatives = self.question_alternatives(question, weights)
        # The passages come in the selector's order: the first is the one to quote, unless
        # it holds no sentence that answers anything (a heading, an instruction).
        picked, chosen = [], 0
        for chosen, hit in enumerate(hits):
            picked = pick_sentences(weights, [hit], question=question, max_sentences=1, alternatives=alternatives,
                                    intent=intent)
            if picked:
                picked = [replace(p, hit_index=chosen) for p in picked]
                break
        if not picked:
            return Answer(question=question, answer=NOT_FOUND, citations=[], found=False, notice=notice,
                          pending_vectors=pending)
        best = picked[0]
        if cited_row(hits[chosen].text, best.offset, best.sentence):
            # A table row answers with the column it comes from: 「牵头单位：市委党校」, the row cited.
            text, citations = compose(picked, hits)
            return Answer(question=question, answer=text, citations=citations, found=True, notice=notice,
                          pending_vectors=pending)
        quoted = provision_answer(best, hits, self.registry.document_text(hits[best.hit_index].doc_id) or "",
                                  list_wanted=intent in ("list", "define"))
        citations = [quoted.citation]
        text = quoted.text
        also = self._also_quoted(question, hits, chosen, weights, alternatives, intent, quoted.citation)
        if also is not None:
            text += f"\n\n另见{also[0]}"
            citations.append(also[1])
        self._refine_paths(citations)
        return Answer(question=question, answer=text, citations=citations, found=True, notice=notice,
                      pending_vectors=pending, highlights=[list(quoted.highlight)])

    def _also_quoted(self, question: str, hits: list[Hit], chosen: int, weights: dict[str, float],
                     alternatives: dict[str, list[str]], intent: str, first: dict[str, Any]
                     ) -> tuple[str, dict[str, Any]] | None:
        """When the selector was unsure, the runner-up's answering sentence, introduced by
        whose it is: 「《…》第十四条：…[2]」. None when the first passage stood clear, or
        the runner-up is the provision already quoted."""
        from policykb.answer.extractive import pick_sentences
        from policykb.answer.provision import cite_label, provision_at
        from policykb.answer.selection import also_quoted

        top = hits[chosen].match.get("answer_score")
        for i, hit in enumerate(hits):
            if i == chosen or top is None or hit.match.get("answer_score") is None:
                continue
            if not also_quoted(top, hit.match["answer_score"]):
                return None  # hits are in the selector's order: the rest are further still
            if hit.doc_id == first["doc_id"] and hit.char_start < first["char_end"] and hit.char_end > first["char_start"]:
                continue  # the same provision, quoted already
            picked = pick_sentences(weights, [hit], question=question, max_sentences=1, alternatives=alternatives,
                                    intent=intent)
            if not picked or len(picked[0].sentence) < 8:  # a heading or a table cell says nothing alone
                continue
            p = picked[0]
            s0 = hit.char_start + p.offset
            document = self.registry.document_text(hit.doc_id) or ""
            label = cite_label(hit.title, provision_at(document, s0, s0 + len(p.sentence))) if document else ""
            sentence = p.sentence if p.sentence[-1] in "。！？；" else p.sentence + "。"
            article = re.match(r"^第.{1,8}?条", label.rsplit("》", 1)[-1])
            if article and sentence.startswith(article.group(0)):  # 「第十四条：第十四条 …」
                sentence = sentence[len(article.group(0)):].lstrip(" 　")
            citation = {**hit.to_dict(), "n": 2, "cited_offsets": [s0]}
            return f"{label}：{sentence}[2]" if label else f"{sentence}[2]", citation
        return None

    def ask_stream(self, question: str, *, filters: SearchFilters | dict[str, Any] | None = None
                   ) -> Iterator[tuple[str, Any]]:
        """Events for streaming clients: ("delta", {"text", "supported"}) pieces of the
        answer, each sentence only once its citations were checked (generative.stream:
        a sentence its passages do not support comes marked `supported: false`), then
        ("done", full answer dict with citations), the one to keep: if the model fails
        midway it is the extractive answer with a notice. The extractive answer is ready
        at once, so it streams sentence by sentence."""
        def pieces(answer: Answer) -> Iterator[tuple[str, Any]]:
            for piece in re.findall(r"[^\]]*\]|[^\]]+$", answer.answer) or [answer.answer]:
                yield "delta", {"text": piece, "supported": piece.strip() not in answer.unsupported}
            yield "done", answer.to_dict()

        listed = self._listing_answer(question, filters)
        if listed is not None:
            yield from pieces(listed)
            return
        filters = self._named_version_filters(question, filters)
        if not self.settings.llm_base_url:
            yield from pieces(self.ask(question, filters=filters))
            return
        from policykb.answer import generative
        from policykb.llm import LLMError, llm_for

        context = self._answer_context(question, filters)
        if isinstance(context, Answer):
            yield from pieces(context)
            return
        hits, weights, pending = context
        streamed = False
        try:
            for event in generative.stream(llm_for(self.settings), question, hits, self.question_weights,
                                           pending_vectors=pending):
                streamed = streamed or event[0] == "delta"
                yield event
            return
        except LLMError as exc:
            answer = self._extractive_answer(question, hits, weights, pending, generative.fallback_notice(exc))
        if streamed:  # the model's text is on screen already: the done event replaces it
            yield "done", answer.to_dict()
        else:
            yield from pieces(answer)

    # ---- digest ----------------------------------------------------------------------

    def digest(self, quarter: str, *, topics: list[str] | str | None = None, issuer: str | None = None,
               doc_type: str | None = None, interpret: bool = True) -> "Digest":
        """The quarter's 《政策解读汇编》: documents dated in `quarter` ('2026Q1') grouped by
        topic, each with key points cited to its passages; undated documents listed apart."""
        from policykb.digest.build import compile_digest
        from policykb.digest.select import QuarterError
        from policykb.digest.topics import TopicError

        try:
            return compile_digest(self, quarter, topics, issuer, doc_type, interpret=interpret)
        except (QuarterError, TopicError) as exc:
            raise KnowledgeBaseError(str(exc), code="bad_digest_request") from exc

    def excerpts(self, topic: str, *, date_from: str | None = None, date_to: str | None = None,
                 doc_type: str | None = None, issuer: str | None = None, max_excerpts: int | None = None,
                 mode: str = "hybrid", groups: dict[str, dict[str, str]] | None = None) -> "Excerpts":
        """The thematic 论述摘编 (policykb/excerpts): every statement of substance on `topic`
        in the documents that pass the filters, repeats merged with all their sources, grouped
        by sub-theme in date order; `groups` carries the editor's renames and moves."""
        from policykb.excerpts.build import DEFAULT_MAX, ExcerptRequest, ExcerptsError, compile_excerpts
        from policykb.filters import FilterError

        request = ExcerptRequest(topic=topic, date_from=date_from, date_to=date_to, doc_type=doc_type, issuer=issuer,
                                 max_excerpts=max_excerpts or DEFAULT_MAX, mode=mode, groups=groups or {})
        try:
            return compile_excerpts(self, request)
        except (ExcerptsError, FilterError) as exc:
            raise KnowledgeBaseError(str(exc), code="bad_excerpts_request") from exc

    def digest_layout(self) -> dict[str, Any]:
        """The editor's 汇编 layout: {"moves": {doc_id: group}, "renames": {…}, "order": […]}."""
        from policykb.digest.layout import load_layout

        return load_layout(self.registry).to_dict()

    def change_digest_layout(self, *, move: tuple[str, str] | None = None, unmove: str | None = None,
                             rename: tuple[str, str] | None = None, order: list[str] | None = None,
                             reset: bool = False) -> dict[str, Any]:
        """Move a document to a group (by id, 文号 or title), put it back (unmove), rename a
        group, set the groups' order, or reset; kept for every later digest."""
        from policykb.digest.layout import Layout, LayoutError, change, load_layout, save_layout

        layout = Layout() if reset else load_layout(self.registry)
        try:
            if move:
                move = (self._layout_doc(move[0]), move[1])
            if unmove:
                unmove = self._layout_doc(unmove)
            layout = change(layout, move=move, unmove=unmove, rename=rename, order=order)
        except LayoutError as exc:
            raise KnowledgeBaseError(str(exc), code="bad_layout") from exc
        save_layout(self.registry, layout)
        return layout.to_dict()

    def _layout_doc(self, ref: str) -> str:
        doc = self.registry.get_document(ref) or self.registry.document_by_reference(ref)
        if doc is None:
            raise KnowledgeBaseError(f"文档不存在：{ref}（可用文档编号、文号或标题）", code="not_found", status=404)
        return doc.id

    def _refine_paths(self, citations: list[dict[str, Any]]) -> None:
        """Point each citation at the finest heading over the sentences it supports."""
        from policykb.ingest.structure import section_path_at

        texts: dict[str, str] = {}
        for c in citations:
            offsets = c.pop("cited_offsets", None)
            if not offsets:
                continue
            text = texts.setdefault(c["doc_id"], self.registry.document_text(c["doc_id"]) or "")
            paths = [section_path_at(text, o) for o in offsets]
            common = paths[0]
            for p in paths[1:]:
                common = tuple(a for a, b in zip(common, p) if a == b)
            if len(common) > len(c["section_path"]) and tuple(common[: len(c["section_path"])]) == tuple(c["section_path"]):
                c["section_path"] = list(common)

    # ---- quotation check (三审三校) ---------------------------------------------------

    MAX_DRAFT_CHARS = 50_000
    VERIFY_CANDIDATES = 20  # bench/verify.py: 5 found 94 of 100 exact quotations, 20 all

    def verify(self, draft: str, *, filters: SearchFilters | dict[str, Any] | None = None) -> "VerifyReport":
        """Each quotation and policy-like sentence of a draft: exact, close (with the
        differences) or not found, with the passage it stands on (policykb/verify.py)."""
        from policykb import verify as quotes

        draft = draft or ""
        if not draft.strip():
            raise KnowledgeBaseError("待核对的文稿不能为空", code="empty_draft")
        if len(draft) > self.MAX_DRAFT_CHARS:
            raise KnowledgeBaseError(f"文稿过长（{len(draft):,} 字），请分段核对（每次不超过 {self.MAX_DRAFT_CHARS:,} 字）",
                                     code="draft_too_long", status=413)
        items = []
        for claim in quotes.claims(draft):
            best = None
            reach = len(claim.text)  # read that far beyond each chunk: a quotation may cross its edge
            for hit in self.search(claim.text, top_k=self.VERIFY_CANDIDATES, filters=filters).results:
                offset, window = self.registry.text_window(hit.doc_id, hit.char_start - reach, hit.char_end + reach)
                found = quotes.align(claim.text, window)
                if found is None:
                    continue
                # Among equally good sources, the document the draft names comes first.
                named = bool(claim.cites) and quotes.same_title(claim.cites, hit.title or "")
                if best is None or (found.similarity, named) > (best[0].similarity, best[4]):
                    best = (found, hit, offset, window, named)
                if found.similarity == 1.0 and (named or not claim.cites):
                    break
            status = best[0].status if best else quotes.NOT_FOUND
            source = None
            if best is not None and status != quotes.NOT_FOUND:
                found, hit, offset, window, _ = best
                source = {**hit.to_dict(), "quote": window[found.start:found.end],
                          "quote_start": offset + found.start, "quote_end": offset + found.end,
                          "cited_offsets": [offset + found.start]}
                self._refine_paths([source])
            items.append(quotes.QuoteCheck(
                text=claim.text, start=claim.start, end=claim.end, kind=claim.kind, status=status,
                similarity=best[0].similarity if best else 0.0, source=source,
                differences=best[0].differences if source else [],
            ))
        return quotes.VerifyReport(items)

    # ---- measuring against the users' own questions ----------------------------------

    def evaluate(self, questions: "list[EvalQuestion]", *, mode: str = "hybrid", ask: bool = True,
                 on_progress: ProgressFn | None = None) -> "EvalReport":
        """Recall@1/5/10 and MRR@10 of search over the answerable questions and, with
        `ask`, how many of them the answer gate answers and how many of the unanswerable
        ones it refuses (policykb/evaluate.py)."""
        from policykb.evaluate import EvalReport, rank_of, retrieval_metrics

        ranks: list[int | None] = []
        kinds: dict[str, list[int | None]] = {}
        answered = refused = 0
        misses = []
        for done, q in enumerate(questions, 1):
            if q.answer is not None:
                hits = self.search(q.question, top_k=10, mode=mode).results
                rank = rank_of(q.answer, [h.text for h in hits])
                ranks.append(rank)
                kinds.setdefault(q.kind or "", []).append(rank)
                if rank is None:
                    misses.append({"question": q.question, "answer": q.answer,
                                   "top": [{"title": h.title, "text": h.text[:120]} for h in hits[:3]]})
            if ask:
                found = self.ask(q.question).found
                answered += found and q.answer is not None
                refused += not found and q.answer is None
            if on_progress:
                on_progress(done, len(questions))
        n_unanswerable = len(questions) - len(ranks)
        return EvalReport(
            questions=len(questions),
            retrieval=retrieval_metrics(ranks),
            by_kind={k: retrieval_metrics(v) for k, v in sorted(kinds.items()) if k},
            answered=round(answered / len(ranks), 3) if ask and ranks else None,
            refused=round(refused / n_unanswerable, 3) if ask and n_unanswerable else None,
            misses=misses,
        )

    # ---- library ---------------------------------------------------------------------

    def list_documents(self, filters: SearchFilters | dict[str, Any] | None = None, *, title: str | None = None,
                       sort: str = "date_desc", limit: int = 50, offset: int = 0) -> tuple[list[StoredDocument], int]:
        sf = SearchFilters.from_any(filters)
        flt = sf.to_registry()
        flt = DocumentFilter(
            issuer=flt.issuer, doc_type=flt.doc_type, date_from=flt.date_from, date_to=flt.date_to,
            title_contains=title or None, include_superseded=True, validity=flt.validity, family=flt.family,
        )
        return self.registry.list_documents(flt, sort=sort, limit=limit, offset=offset)

    def get_document(self, doc_id: str) -> StoredDocument:
        doc = self.registry.get_document(doc_id)
        if doc is None:
            raise KnowledgeBaseError(f"文档不存在：{doc_id}", code="not_found", status=404)
        return doc

    def document_chunks(self, doc_id: str) -> list[StoredChunk]:
        self.get_document(doc_id)
        return self.registry.chunks_of(doc_id)

    def document_text(self, doc_id: str) -> str:
        text = self.registry.document_text(doc_id)
        if text is None:
            raise KnowledgeBaseError(f"文档不存在：{doc_id}", code="not_found", status=404)
        return text

    def reading_jobs(self) -> list[dict[str, Any]]:
        """Uploads still being read by OCR in the background, for the library listing."""
        return [{"filename": j["display_name"], "pages_done": j["pages_done"], "pages_total": j["pages_total"],
                 "state": j["state"], "label": j["label"]} for j in self.ocr_jobs.jobs()]

    def scanned_pages(self, doc_id: str) -> list[int]:
        """The pages of a document whose text was read by OCR from an image."""
        from policykb.page_images import scanned_pages

        doc = self.get_document(doc_id)
        return scanned_pages(doc.source_path, doc.format)

    def page_image(self, doc_id: str, page: int) -> bytes:
        """Page `page` of the document's original file as PNG (policykb/page_images.py)."""
        from policykb.ingest import IngestError
        from policykb.page_images import page_png

        doc = self.get_document(doc_id)
        try:
            return page_png(doc.source_path, doc.format, page)
        except IngestError as exc:
            raise KnowledgeBaseError(exc.reason, code=exc.code, status=404) from None

    def delete_document(self, doc_id: str) -> StoredDocument:
        doc = self.get_document(doc_id)
        self.registry.delete_document(doc_id)
        self.refresh_versions()
        self.registry.log(doc.source_path, "deleted", doc_id=doc_id)
        if doc.format in ("pdf", "image", "ofd"):
            from policykb.ingest.ocr import OcrCache

            OcrCache(self.ocr_dir).drop(OcrCache.key_for_hash(doc.content_hash))
        source = Path(doc.source_path)
        if source.parent == self.uploads_dir:  # our own copy of an upload, not a user's file
            source.unlink(missing_ok=True)
        if self.worker is not None:
            self.worker.wake()
        elif self._store is not None or self.registry.pending_deletes(1):
            from policykb.index.worker import apply_deletes

            apply_deletes(self.registry, self.store)
        return doc

    def stats(self) -> dict[str, Any]:
        return {"kb": self.name, **self.registry.stats()}

    def status(self) -> dict[str, Any]:
        worker = self.worker
        return {
            "kb": self.name,
            "pending_vectors": self.registry.pending_count(),
            "chunks": self.registry.chunk_count(),
            "embedding_model": self.settings.embedding_model,
            "vector_store": self.settings.chroma_url or str(self.settings.chroma_dir()),
            "worker": None if worker is None else {
                "running": worker.running, "paused": worker.paused, "busy": worker.busy,
                "last_error": worker.last_error,
            },
            "keyword_index": self.keyword_index.status(),
            "llm": self._llm_status(),
            "ocr_jobs": [{"path": j["display_name"], "pages_done": j["pages_done"], "pages_total": j["pages_total"],
                          "state": j["state"], "label": j["label"]} for j in self.ocr_jobs.jobs()],
        }

    def _llm_status(self) -> dict[str, Any] | None:
        """Model calls running, queued and refused as busy (policykb/llm_gate.py)."""
        if not self.settings.llm_base_url:
            return None
        from policykb.llm import llm_for

        return llm_for(self.settings).gate.status()

    # ---- validity, versions, citations, comparison, listing --------------------------
    # (policykb/lineage.py, policykb/compare.py, policykb/answer/listing.py hold the logic)

    def refresh_versions(self) -> int:
        """Decide validity, version families and citation targets again for the library
        (after ingest and delete; cheap: no texts are read)."""
        from policykb import lineage

        return lineage.refresh(self.registry)

    def document_lineage(self, doc_id: str) -> dict[str, Any]:
        """Validity, versions, 本文引用 / 被引用 and unresolved citations of a document."""
        from policykb import lineage

        return lineage.document_lineage(self.registry, self.get_document(doc_id))

    def document_versions(self, doc_id: str) -> list[StoredDocument]:
        """The versions of a document's family, oldest first."""
        from policykb import lineage

        return lineage.family_of(self.registry, self.get_document(doc_id))

    def set_validity(self, doc_id: str, *, validity: str | None = None, family: str | None = None,
                     superseded_by: str | None = None, clear: bool = False) -> StoredDocument:
        """A hand edit that wins over detection: validity, family or successor (id, 文号 or
        title); `clear` hands the document back to detection."""
        from policykb import lineage

        doc = self.get_document(doc_id)
        successor = None
        if superseded_by:
            found = self.find_document(superseded_by)
            if found is None or found.id == doc.id:
                raise KnowledgeBaseError(f"找不到替代它的文档：{superseded_by}", code="not_found", status=404)
            successor = found.id
        try:
            lineage.record_hand_edit(self.registry, doc.id, validity=validity, family=family,
                                     successor=successor, clear=clear)
        except ValueError as exc:
            raise KnowledgeBaseError(str(exc), code="bad_validity") from exc
        self.refresh_versions()
        return self.get_document(doc_id)

    def compare(self, old_id: str, new_id: str) -> "Comparison":
        """新旧对照 of two documents, article by article (policykb/compare.py)."""
        from policykb.compare import compare_texts

        old, new = self.document_by_ref(old_id), self.document_by_ref(new_id)
        if old.id == new.id:
            raise KnowledgeBaseError("请选择两个不同的文档进行对照", code="same_document")
        return compare_texts(self.document_text(old.id), self.document_text(new.id))

    def document_by_ref(self, ref: str) -> StoredDocument:
        """A document by id, 文号 or exact title, or a not-found error."""
        doc = self.find_document(ref)
        if doc is None:
            raise KnowledgeBaseError(f"文档不存在：{ref}", code="not_found", status=404)
        return self.get_document(doc.id)

    def _listing_answer(self, question: str, filters: SearchFilters | dict[str, Any] | None) -> Answer | None:
        """「2026年一季度印发了哪些文件」「…有哪些版本」: the complete list from the registry
        (policykb/answer/listing.py); None for any other question."""
        from policykb.answer.listing import answer_listing

        return answer_listing(self, question, filters)

    def _named_version_filters(self, question: str, filters: SearchFilters | dict[str, Any] | None
                               ) -> SearchFilters | dict[str, Any] | None:
        """「2018年版纪律处分条例…」 names an old version: answer from it, not from the
        current one (policykb/lineage.py). Filters naming documents already are kept."""
        from dataclasses import replace

        from policykb import lineage

        given = SearchFilters.from_any(filters)
        if given.doc_ids is not None:
            return filters
        named = lineage.named_version_filter(self.registry, question)
        if named is None:
            return filters
        return replace(given, doc_ids=tuple(named["doc_ids"]), include_superseded=True)
