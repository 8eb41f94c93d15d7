"""The digest as Markdown: the same structure as the .docx (title, quarter, contents, topic
headings, entries, undated documents, sources), for intranet wikis and diffing."""
from __future__ import annotations

from pathlib import Path

from policykb.digest.build import Digest
from policykb.digest.labels import (
    cell_text,
    cn_date,
    citation_groups,
    entry_heading,
    meta_fields,
    overview_lines,
    overview_table,
    point_text,
    topic_heading,
)

UNDATED_HEADING = "未标注日期的文件"
SOURCES_HEADING = "引文出处"
CONTENTS_HEADING = "目录"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_markdown(digest: Digest) -> str:
    topics = digest.non_empty_topics
    lines: list[str] = [f"# {digest.title}", ""]
    scope = f"收录{cn_date(digest.period[0])}至{cn_date(digest.period[1])}印发的政策文件 {digest.document_count} 件"
    flt = "，".join(f"{k}：{v}" for k, v in (("发文机关", digest.filters.get("issuer")),
                                          ("文种", digest.filters.get("doc_type"))) if v)
    lines += [f"> {digest.label} · {scope}{'（' + flt + '）' if flt else ''}，按主题编排。"
              f"编印时间：{digest.generated_at[:10]}。", ""]

    lines += [f"## {CONTENTS_HEADING}", ""]
    for ti, topic in enumerate(topics, 1):
        lines.append(f"- {topic_heading(ti, topic.name)}")
        for di, entry in enumerate(topic.documents, 1):
            lines.append(f"  - {entry_heading(di, entry.title, entry.filename)}")
    if digest.undated:
        lines.append(f"- {UNDATED_HEADING}")
    lines.append(f"- {SOURCES_HEADING}")
    lines.append("")
    if not topics:
        lines += ["本季度没有收录到标注了日期的文件。", ""]

    for ti, topic in enumerate(topics, 1):
        lines += [f"## {topic_heading(ti, topic.name)}", ""]
        for label, text in overview_lines(topic):
            lines += [f"**{label}**：{text}", ""]
        table = overview_table(topic)
        if table:
            lines += [f"*{table['caption']}*", "", "| " + " | ".join(table["columns"]) + " |",
                      "|" + "---|" * len(table["columns"])]
            for row in table["rows"]:
                lines.append("| " + " | ".join(cell_text(c).replace("|", "｜") for c in row) + " |")
            lines.append("")
        for di, entry in enumerate(topic.documents, 1):
            lines += [f"### {entry_heading(di, entry.title, entry.filename)}", ""]
            lines += ["　".join(f"**{k}**：{v}" for k, v in meta_fields(entry)), ""]
            if entry.key_points:
                lines += ["**主要内容**", ""]
                for pi, kp in enumerate(entry.key_points, 1):
                    lines.append(f"{pi}. {point_text(kp)}[{kp.citation['n']}]")
                lines.append("")
            else:
                lines += ["（未能从原文中提取要点，请查阅原文。）", ""]
            if entry.interpretation:
                lines += [f"**政策解读**：{_one_line(entry.interpretation)}", ""]

    if digest.undated:
        lines += [f"## {UNDATED_HEADING}", "",
                  "以下文件未能确定成文日期，未编入本季度各主题，请核实日期后补充元数据再重新生成。", "",
                  "| 序号 | 标题 | 文件 | 说明 |", "|---|---|---|---|"]
        for i, u in enumerate(digest.undated, 1):
            cells = [str(i), u.title or "（无标题）", u.filename, u.reason]
            lines.append("| " + " | ".join(c.replace("|", "｜") for c in cells) + " |")
        lines.append("")

    lines += [f"## {SOURCES_HEADING}", ""]
    citations = digest.citations()
    for head, items in citation_groups(citations):
        lines += [head, ""]
        lines += [f"- [{n}] {where}" for n, where in items]
        lines.append("")
    if not citations:
        lines += ["（无）", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(digest: Digest, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(digest), encoding="utf-8")
    return path
