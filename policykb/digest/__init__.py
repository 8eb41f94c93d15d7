"""The quarterly 《政策解读汇编》: select a quarter's documents, group them by topic, take
each one's key points with citations, and export the result to .docx or Markdown.

    topics.py     topic catalogue (default list; setting `digest_topics` for a file)
    select.py     quarter → documents from the registry; undated ones listed apart
    keypoints.py  document chunks → 3–8 cited key points (pure)
    classify.py   document → best topic (keywords + passage/description similarity)
    interpret.py  optional LLM interpretation, checked like answers
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
