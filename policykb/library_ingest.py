"""Putting files into the library: a file (given on the command line or uploaded over
HTTP) is read (OCR of scanned pages first), parsed within its budget, cut into passages and
registered, searchable by keyword at once; its vectors follow from the queue
(index/worker.py). Also the upload flow around it: the uploads folder, the backup of a
replaced version, background OCR of uploaded scans (policykb/ocr_jobs.py) and the clean-up
after a crash. Parsing itself is ingest/ (pure functions); the checks on an upload's name
and content are policykb/uploads.py. `KnowledgeBase.ingest*` delegate here.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.config import Settings
from policykb.errors import KnowledgeBaseError
from policykb.registry import NewChunk, StoredDocument
from policykb.results import FileResult, IngestReport

if TYPE_CHECKING:
    from policykb.ingest.types import ParsedDocument
    from policykb.service import KnowledgeBase, ProgressFn

log = logging.getLogger("policykb.ingest")


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



def recipe(settings: Settings) -> str:
    """How files are cut into passages; a stored document cut differently is redone."""
    from policykb.ingest.pipeline import PARSER_VERSION

    s = settings
    return f"{PARSER_VERSION}:{s.chunk_max_chars}:{s.chunk_min_chars}" + (":ctx" if s.embed_context else "")


# ---- files into the library ----------------------------------------------------------

def ingest(
    kb: KnowledgeBase,
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
        result = ingest_file(kb, path, overrides=overrides, on_ocr=on_ocr)
        report.files.append(result)
        if on_file:
            on_file(result)
    kb.refresh_versions()
    if kb.worker is not None:
        kb.worker.wake()
    if not kb.keyword_index.background:
        # A one-shot ingest leaves the large-library index current on disk, so the next
        # query (any process) loads it; the server instead rebuilds once writes pause.
        kb.keyword_index.refresh()
    if wait:
        stats = kb.embed_pending(on_progress=on_vectors)
        report.vectors_embedded = stats.chunks
    report.pending_vectors = kb.registry.pending_count()
    return report


def ingest_file(kb: KnowledgeBase, path: Path, *, overrides: dict[str, Any] | None = None,
                display_name: str | None = None,
                on_ocr: Callable[[str, int, int], None] | None = None) -> FileResult:
    """One file: unchanged, duplicate, metadata-only update, or parsed and registered;
    whatever goes wrong is this file's FileResult, never an exception."""
    from policykb.ingest import IngestError

    path = Path(path).expanduser().absolute()
    shown = display_name or str(path)
    try:
        if not path.is_file():
            raise IngestError(path, "文件不存在或不是普通文件", code="not_found")
        content_hash = file_hash(path)
        existing = kb.registry.document_by_path(str(path))
        if (existing and existing.content_hash == content_hash and existing.recipe == kb.recipe
                and not overrides):
            # The text is as stored; a changed sidecar still applies, as metadata alone.
            changed = apply_sidecar(kb, existing, path)
            if changed:
                from policykb.doc_metadata import LABELS

                msg = f"元数据已按元数据文件更新（{'、'.join(LABELS[f] for f in changed)}），未重新分段或向量化"
                kb.registry.log(str(path), "updated", message=msg, doc_id=existing.id)
                return FileResult(shown, "updated", doc_id=existing.id, title=kb.get_document(existing.id).title,
                                  chunks=len(kb.registry.chunks_of(existing.id)), message=msg)
            return FileResult(shown, "unchanged", doc_id=existing.id, title=existing.title,
                              chunks=len(kb.registry.chunks_of(existing.id)))
        twin = kb.registry.document_by_hash(content_hash)
        if twin and twin.source_path != str(path):
            msg = f"内容与已入库文档《{twin.title or twin.filename}》（{twin.id}）完全相同，已跳过"
            kb.registry.log(str(path), "duplicate", message=msg, doc_id=twin.id)
            return FileResult(shown, "duplicate", doc_id=twin.id, title=twin.title, message=msg)
        started = time.perf_counter()
        read_scans(kb, path, shown, on_ocr)
        parsed = parse(kb, path, overrides)
        result = register(kb, parsed, content_hash, overrides or {})
        result.path = shown
        result.seconds_to_searchable = time.perf_counter() - started
        return result
    except IngestError as exc:
        kb.registry.log(str(path), "failed", code=exc.code, message=exc.reason)
        return FileResult(shown, "failed", code=exc.code, message=exc.reason)
    except OSError as exc:
        reason = f"无法读取文件：{exc.strerror or exc}"
        kb.registry.log(str(path), "failed", code="io_error", message=reason)
        return FileResult(shown, "failed", code="io_error", message=reason)
    except Exception as exc:  # noqa: BLE001 - one file's surprise never stops the batch
        log.exception("ingest of %s failed", path)
        reason = f"导入此文件时出错（{type(exc).__name__}），已跳过，其他文件不受影响"
        kb.registry.log(str(path), "failed", code="internal_error", message=reason)
        return FileResult(shown, "failed", code="internal_error", message=reason)


def read_scans(kb: KnowledgeBase, path: Path, shown: str, on_ocr: Callable[[str, int, int], None] | None,
               stop: threading.Event | None = None) -> None:
    """Recognise the scanned pages of `path` here, page by page into the OCR cache,
    before the parse: the parse worker's time budget is for parsing, not for minutes
    of OCR, and a crash midway resumes at the next page (ingest/ocr.py)."""
    from policykb.ingest.ocr import prepare

    if path.suffix.lower() not in (".pdf", ".ofd", ".png", ".jpg", ".jpeg", ".tif", ".tiff"):
        return
    prepare(path, kb.ocr_dir, on_page=(lambda done, total: on_ocr(shown, done, total)) if on_ocr else None,
            max_bytes=kb.settings.max_file_mb * 2**20, stop=stop)


def parse(kb: KnowledgeBase, path: Path, overrides: dict[str, Any] | None) -> "ParsedDocument":
    """Parse within the file's time and memory budget (policykb/parse_budget.py)."""
    s = kb.settings
    kwargs: dict[str, Any] = dict(max_chars=s.chunk_max_chars, min_chars=s.chunk_min_chars,
                                  max_bytes=s.max_file_mb * 2**20, overrides=overrides,
                                  ocr_cache=str(kb.ocr_dir))
    if s.parse_isolated:
        from policykb.parse_budget import WorkerUnavailable, parse_in_worker

        try:
            return parse_in_worker(path, timeout=s.parse_timeout, memory_mb=s.parse_memory_mb, **kwargs)
        except WorkerUnavailable:
            log.warning("no parse worker could be started: parsing %s in-process, without a budget", path)
    from policykb.ingest import parse_file

    return parse_file(path, **kwargs)


def register(kb: KnowledgeBase, parsed: "ParsedDocument", content_hash: str, overrides: dict[str, Any]) -> FileResult:
    from policykb.index.worker import embed_hash, embed_input

    doc_id = doc_id_for(parsed.source_path)
    meta = parsed.meta
    fields: dict[str, Any] = {
        "title": meta.title, "doc_no": meta.doc_no, "issuer": meta.issuer, "date": meta.date,
        "doc_type": meta.doc_type, "region": meta.region, **meta.extra,
    }
    # Hand-set values (edits, a sidecar, an upload form's fields) outlive re-extraction.
    fields.update(hand_set_for(kb, doc_id, parsed, overrides))
    effective = fields.pop("effective_date", None)  # a column of its own (lineage)
    chunk_tokens, doc_tokens = keyword_tokens(fields["title"], ((c.section_path, c.text) for c in parsed.chunks))
    chunks = []
    for ch, tokens in zip(parsed.chunks, chunk_tokens):
        h = embed_hash(embed_input(fields["title"], ch.section_path, ch.text, kb.settings.embed_context))
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
    status = kb.registry.put_document(
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
        recipe=kb.recipe,
        keep_if_same=not overrides,  # another process may have stored this file meanwhile
    )
    message = "；".join(parsed.warnings) or None
    from policykb import lineage

    lineage.record_text_facts(kb.registry, doc_id, parsed.text, fields["title"], fields["doc_no"])
    if effective:  # the parser's 施行日期 is the text's own article ("本办法自…"); the
        # whole-text rule of record_text_facts stands where the parser found none
        kb.registry.set_version_fields(doc_id, {"effective_date": effective})
    lineage.record_given(kb.registry, doc_id, {**meta.extra, **overrides})
    supersedes = overrides.get("supersedes") or meta.extra.get("supersedes")
    if supersedes:
        old = kb.find_document(str(supersedes))
        if old and old.id != doc_id:
            kb.registry.set_superseded(old.id, doc_id)
            message = ((message + "；") if message else "") + f"已替代《{old.title}》"
    kb.registry.log(parsed.source_path, status, message=message, doc_id=doc_id)
    return FileResult(parsed.source_path, status, doc_id=doc_id, title=fields["title"],
                      chunks=len(chunks), message=message)


def apply_sidecar(kb: KnowledgeBase, doc: StoredDocument, path: Path) -> list[str]:
    """Record what a changed sidecar now says as edits and store it; the fields whose
    stored value changed."""
    from policykb import doc_metadata as dm

    changes, name = dm.sidecar_changes(kb.registry, doc.id, path)
    if not changes:
        return []
    current = {f: getattr(doc, f) for f in dm.EDITABLE}
    dm.record(kb.registry, doc.id, changes, {}, source="sidecar", editor=f"元数据文件 {name}")
    changed = {f: v for f, v in changes.items() if v != current.get(f)}
    dm.store(kb.registry, doc.id, changed)
    if changed:
        kb.refresh_versions()  # title and date place a document among its versions
    return list(changed)


def hand_set_for(kb: KnowledgeBase, doc_id: str, parsed: "ParsedDocument", overrides: dict[str, Any]) -> dict[str, Any]:
    """The values people set for this document: a changed sidecar and an upload form's
    fields are recorded as edits first; then the latest edit of each field."""
    from policykb import doc_metadata as dm

    stored = kb.registry.get_document(doc_id)
    current = {f: getattr(stored, f) for f in dm.EDITABLE} if stored else {}
    changes, name = dm.sidecar_changes(kb.registry, doc_id, Path(parsed.source_path))
    if changes:
        dm.record(kb.registry, doc_id, changes, {}, source="sidecar", editor=f"元数据文件 {name}")
    given = {k: v for k, v in overrides.items() if k in dm.EDITABLE and v not in (None, "")}
    if given:
        try:
            dm.record(kb.registry, doc_id, dm.normalise_changes(given), current, source="upload",
                      editor=str(overrides.get("editor") or "上传表单"))
        except dm.MetadataError as exc:
            raise KnowledgeBaseError(str(exc), code="bad_metadata") from exc
    return dm.hand_set(kb.registry, doc_id)


# ---- uploads ---------------------------------------------------------------------------

def ingest_upload(kb: KnowledgeBase, filename: str, data: bytes, *,
                  overrides: dict[str, Any] | None = None) -> FileResult:
    """One file sent over HTTP: sanitise its name, check size and that the content is
    what the name says, keep it under the knowledge base's uploads folder and ingest it.
    A file uploaded again under the same name replaces its earlier version; a failed or
    duplicate upload leaves the earlier version in place."""
    from policykb.ingest import IngestError
    from policykb.uploads import PREVIOUS, check_upload, safe_filename

    name = safe_filename(filename)
    try:
        check_upload(name, data, kb.settings.max_upload_mb * 2**20)
    except IngestError as exc:
        kb.registry.log(name, "failed", code=exc.code, message=exc.reason)
        return FileResult(name, "failed", code=exc.code, message=exc.reason)
    kb.uploads_dir.mkdir(parents=True, exist_ok=True)
    target = kb.uploads_dir / name
    if str(target.absolute()) in kb.ocr_jobs.paths():
        return FileResult(name, "failed", code="busy", message="同名文件正在识别中，请等识别完成后再上传")
    backup = target.with_name(target.name + PREVIOUS)
    if target.exists():
        target.replace(backup)
    target.write_bytes(data)
    if kb.ocr_jobs.running:
        queued = queue_scan(kb, target, name, overrides, backup)
        if queued is not None:
            return queued
    result = ingest_file(kb, target, overrides=overrides, display_name=name)
    settle_upload(kb, target, backup, result)
    return result


def queue_scan(kb: KnowledgeBase, target: Path, name: str, overrides: dict[str, Any] | None,
               backup: Path) -> FileResult | None:
    """A scan uploaded to the server is read in the background (policykb/ocr_jobs.py):
    listed at once as 「识别中 0/N 页」; None when the file needs no OCR."""
    from policykb.ingest.ocr import available, scan_sources

    try:
        _, sources = scan_sources(target, max_bytes=kb.settings.max_file_mb * 2**20)
    except Exception:  # noqa: BLE001 - the inline ingest names the file's problem
        return None
    if not sources or not available():
        return None
    kb.ocr_jobs.add(target.absolute(), name, len(sources), overrides,
                    backup if backup.exists() else None)
    msg = f"识别中 0/{len(sources)} 页，识别完成后自动入库"
    kb.registry.log(str(target.absolute()), "reading", message=msg)
    return FileResult(name, "reading", message=msg)


def settle_upload(kb: KnowledgeBase, target: Path, backup: Path | None, result: FileResult) -> None:
    """After an upload's ingest: a failed or duplicate upload leaves the earlier
    version in place; a good one drops the backup."""
    if result.status in ("failed", "duplicate"):  # keep nothing new, restore what was there
        target.unlink(missing_ok=True)
        if backup is not None and backup.exists():
            backup.replace(target)
    else:
        if backup is not None:
            backup.unlink(missing_ok=True)
        kb.refresh_versions()
    if kb.worker is not None:
        kb.worker.wake()


def recover_uploads(kb: KnowledgeBase) -> list[str]:
    """Put the uploads folder right after a crash (the server calls this on start): an
    upload killed before it was registered is removed, and a replacement killed midway
    gives way to the earlier version it was replacing. Returns what was done, for the log."""
    from policykb.uploads import recover_uploads as recover_folder

    if not kb.uploads_dir.is_dir():
        return []
    done = recover_folder(kb.uploads_dir, kb.registry.document_by_path, file_hash,
                          keep=frozenset(kb.ocr_jobs.paths()))
    for line in done:
        log.info("uploads: %s", line)
    return done
