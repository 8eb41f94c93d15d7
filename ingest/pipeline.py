"""File → ParsedDocument: load, clean, chunk, read metadata. No database, no network."""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from policykb.ingest.clean import clean_pages
from policykb.ingest.loaders import DEFAULT_MAX_BYTES, SUFFIX_FORMATS, load_file
from policykb.ingest.metadata import apply_overrides, extract_metadata, load_sidecar
from policykb.ingest.structure import chunk_document
from policykb.ingest.types import Chunk, IngestError, ParsedDocument

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(SUFFIX_FORMATS)
SIDECAR_SUFFIX = ".meta.json"


def _supported_list() -> str:
    return "、".join(sorted(SUPPORTED_SUFFIXES))


def parse_file(
    path: str | Path,
    *,
    max_chars: int = 400,
    min_chars: int = 80,
    max_bytes: int = DEFAULT_MAX_BYTES,
    overrides: dict[str, Any] | None = None,
) -> ParsedDocument:
    """Parse one file into cleaned text, page spans, metadata and chunks.

    Metadata precedence: parsed from the text < sidecar ``FILE.meta.json`` < `overrides`.
    Raises IngestError (with a Chinese reason and a `code`) for anything unreadable.
    """
    path = Path(os.path.abspath(os.fspath(path)))  # absolute without resolving symlinks
    if not path.exists():
        raise IngestError(path, "文件不存在，请检查路径", code="not_found")
    if not path.is_file():
        raise IngestError(path, "这不是一个文件（可能是文件夹），请指定文件", code="not_a_file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise IngestError(path, f"不支持的文件类型：{shown}，支持 {_supported_list()}", code="unsupported")

    loaded = load_file(path, max_bytes=max_bytes)
    text, pages = clean_pages(loaded.pages)
    if not text.strip():
        raise IngestError(path, "文件中没有可导入的文字内容", code="empty")
    if not loaded.paged:
        pages = ()
    chunks = chunk_document(text, pages, max_chars=max_chars, min_chars=min_chars)
    meta = extract_metadata(text, path.name)
    text, chunks = hide_heading_marks(text, chunks)
    sidecar = load_sidecar(path)
    if sidecar:
        meta = apply_overrides(meta, sidecar)
    if overrides:
        meta = apply_overrides(meta, overrides)
    return ParsedDocument(
        source_path=str(path),
        format=loaded.format,
        text=text,
        meta=meta,
        chunks=chunks,
        pages=pages,
        warnings=loaded.warnings,
    )


def _is_candidate(path: Path) -> bool:
    """Whether a file found while walking a folder should be ingested."""
    name = path.name
    return (
        not name.startswith(".")
        and not name.lower().endswith(SIDECAR_SUFFIX)
        and path.suffix.lower() in SUPPORTED_SUFFIXES
    )


# Bump when parsing or chunking changes what a file turns into: stored documents made by
# an older version are parsed again on their next ingest even if the file is unchanged.
# 3: heading marks hidden; 4: tables as labelled rows, PDF layout from character positions;
# 5: metadata from real texts (issue 14).
PARSER_VERSION = 5

_HEADING_MARK = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")


def hide_heading_marks(text: str, chunks: Sequence[Chunk]) -> tuple[str, Sequence[Chunk]]:
    """The loaders mark headings as ``# …`` lines so that chunking knows them; once the
    chunks are cut, the marks would only leak into passages and answers as "### ". Each
    mark becomes as many spaces, so every offset stays valid, and a chunk that began on
    a mark begins at its first character instead."""
    if "#" not in text:
        return text, chunks
    plain = _HEADING_MARK.sub(lambda m: " " * len(m.group(0)), text)
    out = []
    for c in chunks:
        start = c.char_start + (len(plain[c.char_start:c.char_end]) - len(plain[c.char_start:c.char_end].lstrip()))
        end = c.char_start + len(plain[c.char_start:c.char_end].rstrip())
        if end <= start:
            continue
        out.append(replace(c, ord=len(out), text=plain[start:end], char_start=start, char_end=end))
    return plain, tuple(out)

IGNORE_FILE = ".policykbignore"


def _ignore_patterns(folder: Path) -> list[str]:
    """A folder's `.policykbignore` lists file-name patterns (one a line, # comments) to skip
    when the folder is ingested, e.g. its own README."""
    path = folder / IGNORE_FILE
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def iter_input_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into the files to ingest.

    Folders contribute supported, non-hidden files (sidecars and hidden folders skipped),
    sorted. A file named explicitly is returned whatever its suffix, and a missing path
    too, so that `parse_file` reports it to the user instead of it vanishing silently.
    """
    out: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path) -> None:
        if p not in seen:
            seen.add(p)
            out.append(p)

    for given in paths:
        p = Path(os.path.abspath(os.fspath(given)))
        if p.is_dir():
            found: list[Path] = []
            for root, dirs, files in os.walk(p):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                ignored = _ignore_patterns(Path(root))
                found.extend(
                    Path(root) / f for f in files
                    if _is_candidate(Path(root) / f) and not any(fnmatch.fnmatch(f, pat) for pat in ignored)
                )
            for f in sorted(found):
                add(f)
        else:
            add(p)
    return out
