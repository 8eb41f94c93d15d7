"""Data produced by ingestion: pure values, no I/O.

Every offset (`char_start`, `char_end`, page spans) indexes into `ParsedDocument.text`,
the cleaned text we store, so a citation can always be shown in context.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class IngestError(Exception):
    """A file that cannot be ingested. `reason` is a Chinese sentence for the user."""

    def __init__(self, path: str | Path, reason: str, code: str = "bad_file") -> None:
        self.path = str(path)
        self.reason = reason
        self.code = code
        super().__init__(f"{self.path}: {reason}")


@dataclass(frozen=True)
class DocMeta:
    title: str | None = None
    doc_no: str | None = None  # 发文字号, e.g. 晋组发〔2026〕3号
    issuer: str | None = None
    date: str | None = None  # ISO: YYYY-MM-DD, or YYYY-MM / YYYY when only that is known
    doc_type: str | None = None  # 通知, 意见, 办法, 规定, 条例, 要点, 讲话, 报告, 方案, 决定, 案例 …
    region: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Chunk:
    ord: int  # position within the document, 0-based
    text: str  # == document.text[char_start:char_end]
    char_start: int
    char_end: int
    section_path: tuple[str, ...]  # headings from the top, e.g. ("二、重点任务", "（三）加强基层党建")
    page: int | None = None  # 1-based page of char_start, PDFs only


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    char_start: int
    char_end: int


@dataclass(frozen=True)
class ParsedDocument:
    source_path: str  # absolute path of the ingested file
    format: str  # txt | md | pdf | docx | html
    text: str  # extracted and cleaned text
    meta: DocMeta
    chunks: tuple[Chunk, ...]
    pages: tuple[Page, ...] = ()
    warnings: tuple[str, ...] = ()
