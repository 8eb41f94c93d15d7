"""The quarterly 《政策解读汇编》: select a quarter's documents, group them by topic, take
each one's key points with citations, and export the result to .docx or Markdown.

    topics.py     topic catalogue (default list; setting `digest_topics` for a file)
    select.py     quarter → documents from the registry; undated ones listed apart
    statements.py document chunks → statements of substance by structure (pure; shared
                  with the 论述摘编)
    keypoints.py  document chunks → 3–12 cited key points (pure)
    grouping.py   document → department topic it is mainly about, else its broad kind
    layout.py     the editor's moves, renames and order, kept in the registry
    overview.py   a group's 综述: targets table, shared and distinct measures, cited (pure)
    documents.py  display titles, regions, section/paragraph locators (pure)
    classify.py   keyword / vector topic scores (kept for callers; grouping decides)
    interpret.py  optional LLM interpretation and per-group 导读, checked like answers
    build.py      the Digest dataclasses and compile_digest()
    export_docx.py, export_md.py
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policykb.digest.build import Digest

FORMATS = ("docx", "md")


class ExportError(ValueError):
    """An output path whose format we cannot write; the message is Chinese."""


def export_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix == "markdown":
        suffix = "md"
    if suffix not in FORMATS:
        raise ExportError(f"不支持的导出格式：{Path(path).name}（文件扩展名应为 .docx 或 .md）")
    return suffix


def write_digest(digest: "Digest", path: str | Path) -> Path:
    """Write `digest` to `path`, .docx or .md by its extension."""
    fmt = export_format(path)
    if fmt == "docx":
        from policykb.digest.export_docx import write_docx

        return write_docx(digest, path)
    from policykb.digest.export_md import write_markdown

    return write_markdown(digest, path)
