from __future__ import annotations

import click

from policykb.cli.common import fail, filter_options, filters_from, kb_option, open_kb, print_json, printable


@click.group()
def docs() -> None:
    """文档管理。"""


def _doc_dict(doc) -> dict:  # type: ignore[no-untyped-def]
    from dataclasses import asdict

    return asdict(doc)


@docs.command("list")
@click.option("--title", default=None, help="标题包含")
@click.option("--sort", type=click.Choice(["date_desc", "date_asc", "title", "added_desc"]), default="date_desc")
@click.option("--limit", default=100, show_default=True)
@click.option("--validity", type=click.Choice(["现行有效", "已修订", "已废止", "尚未生效"]), default=None,
              help="时效性")
@click.option("--family", default=None, help="版本族（如 中国共产党纪律处分条例）")
@click.option("--json", "as_json", is_flag=True)
@filter_options
@kb_option
def list_(title: str | None, sort: str, limit: int, validity: str | None, family: str | None, as_json: bool,
          issuer: str | None, doc_type: str | None, date_from: str | None, date_to: str | None, kb: str | None) -> None:
    """列出文档（可按发文机关、文种、日期、时效性、版本族筛选）。"""
    knowledge = open_kb(kb)
    flt = filters_from(issuer, doc_type, date_from, date_to, validity=validity, family=family)
    items, total = knowledge.list_documents(flt, title=title, sort=sort, limit=limit)
    if as_json:
        print_json({"total": total, "documents": [_doc_dict(d) for d in items]})
        return
    for d in items:
        flags = f"〔{d.validity}〕" if d.validity != "现行有效" else ""
        pending = f" 待向量化{d.pending_vectors}" if d.pending_vectors else ""
        click.echo(printable(f"{d.id}  {d.date or '----------':10}  {d.doc_type or '-':4}  《{d.title}》{flags} "
                             f"{d.doc_no or ''}  {d.chunk_count}段{pending}"))
    click.echo(f"共 {total} 篇")


@docs.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@kb_option
def show(doc_id: str, as_json: bool, kb: str | None) -> None:
    """显示文档元数据与分段。"""
    from policykb.service import KnowledgeBaseError

    knowledge = open_kb(kb)
    try:
        doc = knowledge.get_document(doc_id)
        chunks = knowledge.document_chunks(doc_id)
    except KnowledgeBaseError as exc:
        fail(str(exc))
    if as_json:
        from dataclasses import asdict

        print_json({"document": _doc_dict(doc), "chunks": [asdict(c) for c in chunks],
                    "edits": [asdict(e) for e in knowledge.document_edits(doc_id)]})
        return
    edits = knowledge.document_edits(doc_id)
    hand = {e.field for e in edits}
    for field, label, value in [("title", "标题", doc.title), ("doc_no", "文号", doc.doc_no),
                                ("issuer", "发文机关", doc.issuer), ("date", "日期", doc.date),
                                ("doc_type", "文种", doc.doc_type), ("", "文件", doc.source_path),
                                ("", "时效性", doc.validity), ("", "说明", doc.validity_note),
                                ("", "施行日期", doc.effective_date), ("", "版本族", doc.family),
                                ("", "分段", doc.chunk_count), ("", "待向量化", doc.pending_vectors)]:
        mark = "（人工修改）" if field in hand else ""
        click.echo(printable(f"{label}：{value if value not in (None, '') else '—'}{mark}"))
    for e in edits:
        click.echo(printable(f"  修改记录 {e.at} {e.editor}（{e.source}）{e.field}：{e.old_value or '—'} → {e.new_value or '—'}"))
    for c in chunks:
        path = " › ".join(c.section_path)
        click.echo(printable(f"  [{c.ord}] {path} ({c.char_start}-{c.char_end}{'，第%d页' % c.page if c.page else ''}) {c.text[:40]}…"))


def _who() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "命令行"


@docs.command()
@click.argument("doc_id")
@click.option("--title", default=None, help="标题")
@click.option("--doc-no", default=None, help="发文字号，如 江组发〔2026〕3号")
@click.option("--issuer", default=None, help="发文机关（多个用、分隔）")
@click.option("--date", default=None, help="成文日期：2026-01-24、2026年1月24日、2026-01 或 2026")
@click.option("--doc-type", default=None, help="文种，如 通知、意见、办法")
@click.option("--region", default=None, help="地区")
@click.option("--by", "editor", default=None, help="修改人（默认当前系统用户）")
@click.option("--json", "as_json", is_flag=True)
@kb_option
def edit(doc_id: str, title: str | None, doc_no: str | None, issuer: str | None, date: str | None,
         doc_type: str | None, region: str | None, editor: str | None, as_json: bool, kb: str | None) -> None:
    """修改文档元数据（记录修改人与时间；重新导入不会覆盖）。传空字符串 "" 清除该项。"""
    from policykb.service import KnowledgeBaseError

    given = {"title": title, "doc_no": doc_no, "issuer": issuer, "date": date, "doc_type": doc_type,
             "region": region}
    changes = {k: v for k, v in given.items() if v is not None}
    knowledge = open_kb(kb)
    try:
        doc, changed = knowledge.edit_document(doc_id, changes, editor=editor or _who(), source="cli")
    except KnowledgeBaseError as exc:
        fail(str(exc), 2)
    if as_json:
        print_json({"document": _doc_dict(doc), "changed": changed})
        return
    from policykb.doc_metadata import LABELS

    if not changed:
        click.echo(f"《{doc.title}》的元数据没有变化")
        return
    for field in changed:
        click.echo(f"{LABELS[field]}：{getattr(doc, field) or '（已清除）'}")
    click.echo(f"已修改《{doc.title}》（{doc_id}）{len(changed)} 项")


@docs.command()
@click.option("--limit", default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@kb_option
def missing(limit: int, as_json: bool, kb: str | None) -> None:
    """列出缺少日期或发文机关的文档（按日期、机关筛选时会被排除）。"""
    knowledge = open_kb(kb)
    items, counts = knowledge.documents_missing_metadata(limit=limit)
    if as_json:
        print_json({"counts": counts, "documents": [_doc_dict(d) for d in items]})
        return
    for d in items:
        lacks = "、".join(w for w, v in (("日期", d.date), ("发文机关", d.issuer)) if not v)
        click.echo(f"{d.id}  缺{lacks:8}  《{d.title}》  {d.filename}")
    click.echo(f"共 {counts['total']} 篇缺少元数据（无日期 {counts['undated']} 篇，无发文机关 {counts['unattributed']} 篇）；"
               "用 policykb docs edit ID --date … --issuer … 补全")


@docs.command()
@click.argument("doc_id")
@click.option("--yes", "-y", is_flag=True, help="不再确认")
@kb_option
def delete(doc_id: str, yes: bool, kb: str | None) -> None:
    """删除文档（登记库、关键词索引与向量）。"""
    from policykb.service import KnowledgeBaseError

    knowledge = open_kb(kb)
    try:
        doc = knowledge.get_document(doc_id)
        if not yes and not click.confirm(f"确定删除《{doc.title}》？", default=False):
            return
        knowledge.delete_document(doc_id)
    except KnowledgeBaseError as exc:
        fail(str(exc))
    click.echo(printable(f"已删除《{doc.title}》（{doc_id}）"))


@docs.command()
@click.argument("doc_id")
@click.option("--set", "validity", type=click.Choice(["现行有效", "已修订", "已废止", "尚未生效"]), default=None,
              help="人工设定时效性（优先于自动识别）")
@click.option("--family", default=None, help="人工设定版本族")
@click.option("--superseded-by", default=None, help="替代它的文档（ID、文号或标题）")
@click.option("--clear", is_flag=True, help="清除人工设定，交还自动识别")
@click.option("--json", "as_json", is_flag=True)
@kb_option
def validity(doc_id: str, validity: str | None, family: str | None, superseded_by: str | None, clear: bool,
             as_json: bool, kb: str | None) -> None:
    """时效性、历史版本、本文引用与被引用；可人工设定。"""
    from policykb.service import KnowledgeBaseError

    knowledge = open_kb(kb)
    try:
        if validity or family is not None or superseded_by or clear:
            knowledge.set_validity(doc_id, validity=validity, family=family, superseded_by=superseded_by, clear=clear)
        doc = knowledge.get_document(doc_id)
        info = knowledge.document_lineage(doc_id)
    except KnowledgeBaseError as exc:
        fail(str(exc))
    if as_json:
        print_json(info)
        return
    click.echo(f"《{doc.title}》：{info['validity']}" + (f"（{info['validity_note']}）" if info["validity_note"] else ""))
    if info["versions"]:
        click.echo(f"历史版本（{info['family']}）：")
        for v in info["versions"]:
            mark = "→" if v["this"] else " "
            click.echo(f"  {mark} {v['id']}  {v['label']:10}  {v['validity']}  《{v['title']}》")
    for head, items in (("本文引用", info["cites"]), ("未找到的引用", info["unresolved"])):
        if items:
            click.echo(f"{head}：")
            for c in items:
                target = f" → {c['doc_id']}〔{c['validity']}〕" if c["doc_id"] else ""
                click.echo(f"  {'《' + c['mention'] + '》' if c['kind'] == 'title' else c['mention']}{target}"
                           + ("（废止）" if c["repeal"] else ""))
    if info["cited_by"]:
        click.echo("被引用：")
        for c in info["cited_by"]:
            click.echo(f"  {c['doc_id']}  《{c['title']}》" + ("（废止本文）" if c["repeals"] else ""))
