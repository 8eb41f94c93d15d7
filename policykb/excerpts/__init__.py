"""The thematic 论述摘编: every key statement on one topic from the library's speeches and
articles, each followed by its source （《在…上的讲话》，2020年1月8日）, grouped by
sub-theme in date order, exported to .docx or Markdown.

    topic.py      a topic's words and related terms (thesaurus `@` lines); how much a
                  statement is about it (pure)
    substance.py  statement of substance or narration / greeting / news lead (pure)
    cluster.py    sub-themes from the excerpts' shared words (pure)
    build.py      ExcerptRequest → Excerpts: candidates, repeats merged, groups, edits
    export_docx.py, export_md.py
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from policykb.excerpts.build import Excerpts


def write_excerpts(excerpts: "Excerpts", path: str | Path) -> Path:
    """Write `excerpts` to `path`, .docx or .md by its extension."""
    from policykb.digest import export_format

    if export_format(path) == "docx":
        from policykb.excerpts.export_docx import write_docx

        return write_docx(excerpts, path)
    from policykb.excerpts.export_md import write_markdown

    return write_markdown(excerpts, path)
