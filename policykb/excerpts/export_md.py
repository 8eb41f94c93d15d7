"""The 论述摘编 as Markdown: title, scope, contents, sub-theme headings (一、…), each excerpt
followed by its sources in parentheses."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from policykb.digest.labels import cn_date, topic_heading

if TYPE_CHECKING:
    from policykb.excerpts.build import Excerpts


def scope_line(excerpts: "Excerpts") -> str:
    f = excerpts.filters
    parts = []
    if f.get("date_from") or f.get("date_to"):
        parts.append(f"{cn_date(f.get('date_from')) if f.get('date_from') else '不限'}—"
                     f"{cn_date(f.get('date_to')) if f.get('date_to') else '不限'}")
    if f.get("doc_type"):
        parts.append(f"文种：{f['doc_type']}")
    if f.get("issuer"):
        parts.append(f"发文机关：{f['issuer']}")
    c = excerpts.counts
    parts.append(f"收录论述 {c.get('excerpts', 0)} 条，出自 {c.get('documents', 0)} 篇讲话和文章")
    return "；".join(parts)


def render_markdown(excerpts: "Excerpts") -> str:
    lines = [f"# {excerpts.title}", "", f"> {scope_line(excerpts)}", ""]
    if excerpts.groups:
        lines += ["## 目录", ""]
        lines += [f"- {topic_heading(i, g.name)}（{len(g.excerpts)} 条）" for i, g in enumerate(excerpts.groups, 1)]
        lines.append("")
    else:
        lines += ["未找到关于这一主题的论述。", ""]
    for i, g in enumerate(excerpts.groups, 1):
        lines += [f"## {topic_heading(i, g.name)}", ""]
        for e in g.excerpts:
            lines += [f"{e.text}{e.citation()}", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(excerpts: "Excerpts", path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(excerpts), encoding="utf-8")
    return path
