"""File → ParsedDocument: load, clean, chunk, read metadata. No database, no network."""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from policykb.ingest.clean import clean_pages
from policykb.ingest.loaders import BY_SUFFIX, DEFAULT_MAX_BYTES, load_file
from policykb.ingest.metadata import apply_overrides, extract_metadata, load_sidecar
from policykb.ingest.structure import chunk_document
from policykb.ingest.types import Chunk, IngestError, ParsedDocument

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(BY_SUFFIX)
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
    ocr_cache: str | None = None,
) -> ParsedDocument:
    """Parse one file into cleaned text, page spans, metadata and chunks.

    Metadata precedence: parsed from the text < sidecar ``FILE.meta.json`` < `overrides`.
    Raises IngestError (with a Chinese reason and a `code`) for anything unreadable.
    Scanned pages are read by OCR; `ocr_cache` is where recognised pages are kept.
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

    loaded = load_file(path, max_bytes=max_bytes, ocr_cache=ocr_cache)
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


# Bump when parsing or chunking changes what a file turns into: stored documents made by
# an older version are parsed again on their next ingest even if the file is unchanged.
# 3: heading marks hidden; 4: tables as labelled rows, PDF layout from character positions;
# 5: metadata from real texts (issue 14); 6: scans, images and OFD read (issue 17);
# 7: unnumbered headings above 第X条 and wrapped 第X章 titles (issue 13); 8: words the segmenter
# split off a single character (公租房, 保障房, 个税) kept whole (index/policy_terms.txt).
PARSER_VERSION = 8

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


@dataclass(frozen=True)
class Skipped:
    """A file (or hidden folder) a folder walk passed over, and why, for the report."""

    path: str
    reason: str


def _skip_reason(path: Path, ignored: list[str]) -> str | None:
    """Why a file found in a folder is not ingested, or None when it is."""
    name = path.name
    if name.lower().endswith(SIDECAR_SUFFIX) or name == IGNORE_FILE:
        return None  # read along with the file it describes: not passed over
    if name.startswith("."):
        return "隐藏文件，已跳过"
    if any(fnmatch.fnmatch(name, pat) for pat in ignored):
        return f"按 {IGNORE_FILE} 的规则忽略"
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        shown = path.suffix.lower() or "（无扩展名）"
        return f"不支持的文件类型：{shown}"
    return ""


def iter_input_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively) into the files to ingest (see `walk_inputs`)."""
    return walk_inputs(paths)[0]


def walk_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[Skipped]]:
    """Expand files and folders (recursively) into the files to ingest, and the files
    passed over with the reason.

    Folders contribute supported, non-hidden files (sidecars and hidden folders skipped),
    sorted. A file named explicitly is returned whatever its suffix, and a missing path
    too, so that `parse_file` reports it to the user instead of it vanishing silently.
    """
    skipped: list[Skipped] = []
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
            passed: list[Skipped] = []
            for root, dirs, files in os.walk(p):
                passed += [Skipped(str(Path(root) / d), "隐藏文件夹，已跳过") for d in dirs if d.startswith(".")]
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                ignored = _ignore_patterns(Path(root))
                for f in files:
                    reason = _skip_reason(Path(root) / f, ignored)
                    if reason == "":
                        found.append(Path(root) / f)
                    elif reason:
                        passed.append(Skipped(str(Path(root) / f), reason))
            for f in sorted(found):
                add(f)
            skipped += sorted(passed, key=lambda s: s.path)
        else:
            add(p)
    return out, skipped
