"""The library's documents, one by one: listing, reading (text, passages, pages, page
images), hand edits of metadata, deletion, and each document's place among the others
(validity, versions, citations, 新旧对照). The rules live in policykb/doc_metadata.py,
policykb/lineage.py and policykb/compare.py; this module applies them to the library and
turns a missing document into the user's error. `KnowledgeBase` delegates here.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb.errors import KnowledgeBaseError
from policykb.filters import FilterInput, SearchFilters
from policykb.registry import StoredChunk, StoredDocument

if TYPE_CHECKING:
    from policykb.compare import Comparison
    from policykb.service import KnowledgeBase


# ---- reading -----------------------------------------------------------------------------

def list_documents(kb: KnowledgeBase, filters: FilterInput = None, *, title: str | None = None,
                   sort: str = "date_desc", limit: int = 50, offset: int = 0) -> tuple[list[StoredDocument], int]:
    """A page of the library's documents (superseded ones included) and the total count.
    The library lists what it holds: no narrowing to given documents, and a document
    without a date or issuer fails a date or issuer filter."""
    given = SearchFilters.from_any(filters)
    shown = replace(given, doc_ids=None, include_superseded=True, include_undated=False, include_unattributed=False)
    return kb.registry.list_documents(shown.to_registry(title_contains=title), sort=sort, limit=limit, offset=offset)


def get_document(kb: KnowledgeBase, doc_id: str) -> StoredDocument:
    doc = kb.registry.get_document(doc_id)
    if doc is None:
        raise KnowledgeBaseError(f"文档不存在：{doc_id}", code="not_found", status=404)
    return doc


def document_chunks(kb: KnowledgeBase, doc_id: str) -> list[StoredChunk]:
    get_document(kb, doc_id)
    return kb.registry.chunks_of(doc_id)


def document_text(kb: KnowledgeBase, doc_id: str) -> str:
    text = kb.registry.document_text(doc_id)
    if text is None:
        raise KnowledgeBaseError(f"文档不存在：{doc_id}", code="not_found", status=404)
    return text


def document_pages(kb: KnowledgeBase, doc_id: str) -> list[dict[str, int]]:
    """Where each page of the original file starts and ends in the text: [{"number",
    "char_start", "char_end"}]; [] for a format without pages or an unknown document."""
    return kb.registry.document_pages(doc_id)


def reading_jobs(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Uploads still being read by OCR in the background, for the library listing."""
    return [{"filename": j["display_name"], "pages_done": j["pages_done"], "pages_total": j["pages_total"],
             "state": j["state"], "label": j["label"]} for j in kb.ocr_jobs.jobs()]


def scanned_pages(kb: KnowledgeBase, doc_id: str) -> list[int]:
    """The pages of a document whose text was read by OCR from an image."""
    from policykb.page_images import scanned_pages as read_by_ocr

    doc = get_document(kb, doc_id)
    return read_by_ocr(doc.source_path, doc.format)


def page_image(kb: KnowledgeBase, doc_id: str, page: int) -> bytes:
    """Page `page` of the document's original file as PNG (policykb/page_images.py)."""
    from policykb.ingest import IngestError
    from policykb.page_images import page_png

    doc = get_document(kb, doc_id)
    try:
        return page_png(doc.source_path, doc.format, page)
    except IngestError as exc:
        raise KnowledgeBaseError(exc.reason, code=exc.code, status=404) from None


def find_document(kb: KnowledgeBase, ref: str) -> StoredDocument | None:
    """A document by id, 文号 or exact title (how users name the one being replaced)."""
    return kb.registry.get_document(ref) or kb.registry.document_by_reference(ref)


def document_by_ref(kb: KnowledgeBase, ref: str) -> StoredDocument:
    """A document by id, 文号 or exact title, or a not-found error."""
    doc = find_document(kb, ref)
    if doc is None:
        raise KnowledgeBaseError(f"文档不存在：{ref}", code="not_found", status=404)
    return get_document(kb, doc.id)


# ---- changing ----------------------------------------------------------------------------

def edit_document(kb: KnowledgeBase, doc_id: str, changes: dict[str, Any], *, editor: str, source: str = "api"
                  ) -> tuple[StoredDocument, list[str]]:
    """Change a document's metadata by hand: (the document, the fields that changed).
    Each change is recorded with `editor` and the time; the value then survives
    re-ingest and re-extraction. "" clears a field. Passages and vectors are untouched."""
    from policykb import doc_metadata as dm

    doc = get_document(kb, doc_id)
    if not changes:
        raise KnowledgeBaseError("没有要修改的字段（可修改：标题、文号、发文机关、日期、文种、地区）", code="no_changes")
    try:
        values = dm.normalise_changes(changes)
        current = {f: getattr(doc, f) for f in dm.EDITABLE}
        changed = dm.record(kb.registry, doc_id, values, current, source=source, editor=editor)
    except dm.MetadataError as exc:
        raise KnowledgeBaseError(str(exc), code="bad_metadata") from exc
    dm.store(kb.registry, doc_id, {f: values[f] for f in changed})
    if changed:
        refresh_versions(kb)  # title and date place a document among its versions
    return get_document(kb, doc_id), changed


def document_edits(kb: KnowledgeBase, doc_id: str) -> list[Any]:
    """The recorded metadata edits of a document, oldest first (who, when, old → new)."""
    from policykb.doc_metadata import edits_of

    get_document(kb, doc_id)
    return edits_of(kb.registry, doc_id)


def documents_missing_metadata(kb: KnowledgeBase, *, limit: int = 500) -> tuple[list[StoredDocument], dict[str, int]]:
    """Active documents with no date or no issuer (what a date or issuer filter cannot
    find), with the counts {"undated": n, "unattributed": m, "total": k}."""
    from policykb.doc_metadata import missing_metadata

    return missing_metadata(kb.registry, limit=limit)


def delete_document(kb: KnowledgeBase, doc_id: str) -> StoredDocument:
    doc = get_document(kb, doc_id)
    kb.registry.delete_document(doc_id)
    refresh_versions(kb)
    kb.registry.log(doc.source_path, "deleted", doc_id=doc_id)
    if doc.format in ("pdf", "image", "ofd"):
        from policykb.ingest.ocr import OcrCache

        OcrCache(kb.ocr_dir).drop(OcrCache.key_for_hash(doc.content_hash))
    source = Path(doc.source_path)
    if source.parent == kb.uploads_dir:  # our own copy of an upload, not a user's file
        source.unlink(missing_ok=True)
    if kb.worker is not None:
        kb.worker.wake()
    elif kb.store_loaded or kb.registry.pending_deletes(1):
        from policykb.index.worker import apply_deletes

        apply_deletes(kb.registry, kb.store)
    return doc


# ---- validity, versions, citations, comparison --------------------------------------------

def refresh_versions(kb: KnowledgeBase) -> int:
    """Decide validity, version families and citation targets again for the library
    (after ingest and delete; cheap: no texts are read)."""
    from policykb import lineage

    return lineage.refresh(kb.registry)


def document_lineage(kb: KnowledgeBase, doc_id: str) -> dict[str, Any]:
    """Validity, versions, 本文引用 / 被引用 and unresolved citations of a document."""
    from policykb import lineage

    return lineage.document_lineage(kb.registry, get_document(kb, doc_id))


def document_versions(kb: KnowledgeBase, doc_id: str) -> list[StoredDocument]:
    """The versions of a document's family, oldest first."""
    from policykb import lineage

    return lineage.family_of(kb.registry, get_document(kb, doc_id))


def set_validity(kb: KnowledgeBase, doc_id: str, *, validity: str | None = None, family: str | None = None,
                 superseded_by: str | None = None, clear: bool = False) -> StoredDocument:
    """A hand edit that wins over detection: validity, family or successor (id, 文号 or
    title); `clear` hands the document back to detection."""
    from policykb import lineage

    doc = get_document(kb, doc_id)
    successor = None
    if superseded_by:
        found = find_document(kb, superseded_by)
        if found is None or found.id == doc.id:
            raise KnowledgeBaseError(f"找不到替代它的文档：{superseded_by}", code="not_found", status=404)
        successor = found.id
    try:
        lineage.record_hand_edit(kb.registry, doc.id, validity=validity, family=family,
                                 successor=successor, clear=clear)
    except ValueError as exc:
        raise KnowledgeBaseError(str(exc), code="bad_validity") from exc
    refresh_versions(kb)
    return get_document(kb, doc_id)


def compare(kb: KnowledgeBase, old_id: str, new_id: str) -> "Comparison":
    """新旧对照 of two documents, article by article (policykb/compare.py)."""
    from policykb.compare import compare_texts

    old, new = document_by_ref(kb, old_id), document_by_ref(kb, new_id)
    if old.id == new.id:
        raise KnowledgeBaseError("请选择两个不同的文档进行对照", code="same_document")
    return compare_texts(document_text(kb, old.id), document_text(kb, new.id))
