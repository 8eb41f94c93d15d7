/* 时效与版本: validity badges, a document's versions and citations, and the 新旧对照 view.
   Loaded after app.js and uses its helpers (h, clear, api, …). */
"use strict";

const VALIDITY_CLASS = { "现行有效": "ok", "已修订": "warn", "已废止": "err", "尚未生效": "" };

/** A badge for a text that is not simply in force: 已修订 / 已废止 / 尚未生效, with why. */
function validityBadge(m) {
  if (!m || !m.validity || m.validity === "现行有效") return null;
  const cls = VALIDITY_CLASS[m.validity] ? `.${VALIDITY_CLASS[m.validity]}` : "";
  return h(`span.badge.validity${cls}`, { title: m.validity_note || m.validity, dataset: { validity: m.validity } },
    m.validity_note ? `${m.validity}：${m.validity_note}` : m.validity);
}

const refText = (r) => (r.kind === "title" ? `《${r.mention}》` : r.mention);

/** Versions, 本文引用, 被引用 and unresolved citations, appended to the details drawer. */
async function appendLineage(body, doc) {
  const box = h("section.lineage#lineage", spinner("正在加载时效与版本…"));
  body.append(box);
  try {
    const l = await api(`/api/documents/${encodeURIComponent(doc.id)}/lineage`);
    const current = l.versions.find((v) => v.current && !v.this);
    const versionRows = l.versions.map((v) => h("li", { dataset: { id: v.id } },
      h("span.v-label", v.label), " ",
      v.this ? h("b", titleOf(v)) : h("button.linkish", { type: "button", onclick: () => openDetails(v.id) }, titleOf(v)), " ",
      h(`span.badge${VALIDITY_CLASS[v.validity] ? "." + VALIDITY_CLASS[v.validity] : ""}`, v.validity), " ",
      v.this ? null : h("button.small.compare-btn", { type: "button", onclick: () => openCompare(...order(v, doc, l.versions)) }, "新旧对照")));
    const cite = (c) => h("li",
      c.doc_id ? h("button.linkish", { type: "button", onclick: () => openDetails(c.doc_id) }, refText(c)) : refText(c),
      c.doc_id && c.validity && c.validity !== "现行有效" ? [" ", h("span.badge.warn", c.validity)] : null,
      c.repeal ? [" ", h("span.badge.err", "本文宣布废止")] : null);
    clear(box,
      h("h3", "时效性"),
      h("p.validity-line#validity-line",
        h(`span.badge${VALIDITY_CLASS[l.validity] ? "." + VALIDITY_CLASS[l.validity] : ""}`, l.validity),
        l.validity_note ? ` ${l.validity_note}` : "",
        l.effective_date ? `（施行日期：${formatDate(l.effective_date)}）` : "",
        current ? [" ", h("button.small", { type: "button", onclick: () => openCompare(doc.id, current.id) }, "与现行版本对照")] : null),
      l.versions.length > 1 ? [h("h3", `历史版本（${l.versions.length}）`), h("ol.versions#versions", versionRows)] : null,
      h("h3", `本文引用（${l.cites.length}）`),
      l.cites.length ? h("ul.refs#cites", l.cites.map(cite)) : h("div.empty.small", "未引用库中其他文件"),
      l.unresolved.length ? [h("h3", `库中未找到的引用（${l.unresolved.length}）`), h("ul.refs.unresolved#unresolved", l.unresolved.map(cite))] : null,
      h("h3", `被引用（${l.cited_by.length}）`),
      l.cited_by.length
        ? h("ul.refs#cited-by", l.cited_by.map((c) => h("li",
          h("button.linkish", { type: "button", onclick: () => openDetails(c.doc_id) }, `《${c.title || c.doc_id}》`),
          c.repeals ? [" ", h("span.badge.err", "废止本文")] : null)))
        : h("div.empty.small", "库中没有文件引用本文"));
  } catch (e) {
    clear(box, note("err", e.message));
  }
}

/** (older id, newer id) for comparing two versions of one family. */
function order(v, doc, versions) {
  const at = (id) => versions.findIndex((x) => x.id === id);
  return at(v.id) < at(doc.id) ? [v.id, doc.id] : [doc.id, v.id];
}

/** The article-by-article comparison in the drawer, with the .docx export. */
async function openCompare(oldId, newId) {
  setDrawerHead("新旧对照", {}, "");
  const body = $("#drawer-body");
  clear(body, spinner("正在逐条比对…"));
  openDrawer();
  try {
    const r = await api("/api/compare", { query: { old: oldId, new: newId } });
    setDrawerHead(`新旧对照：${titleOf(r.new_document)}`, {}, `原：${titleOf(r.old_document)}${r.old_document.date ? "（" + formatDate(r.old_document.date) + "）" : ""}`
      + ` → 现：${titleOf(r.new_document)}${r.new_document.date ? "（" + formatDate(r.new_document.date) + "）" : ""}`);
    const only = h("input", { type: "checkbox", id: "compare-only-changes" });
    const rows = r.pairs.map((p) => h("tr", { dataset: { change: p.change } },
      h("td", p.old ? sideText(p.old, p.differences, "old", p.change) : ""),
      h("td", p.new ? sideText(p.new, p.differences, "new", p.change) : ""),
      h("td.nowrap", h(`span.badge.change-${{ 未变: "same", 修改: "mod", 新增: "add", 删除: "del" }[p.change]}`, p.change),
        p.old && p.new && p.old.label !== p.new.label ? h("div.sub", `${p.old.label}→${p.new.label}`) : null)));
    const table = h("table.doc-table.compare-table#compare-table",
      h("thead", h("tr", ["原条文", "修订后条文", "说明"].map((t) => h("th", t)))), h("tbody", rows));
    only.addEventListener("change", () => {
      for (const tr of $$("tbody tr", table)) tr.hidden = only.checked && tr.dataset.change === "未变";
    });
    const c = r.counts;
    clear(body,
      h("div.drawer-actions",
        h("span#compare-counts", `修改 ${c["修改"]} 条 · 新增 ${c["新增"]} 条 · 删除 ${c["删除"]} 条 · 未变 ${c["未变"]} 条`),
        h("label.inline", only, " 只看有变化的条文"),
        h("button.primary#compare-docx", { type: "button", onclick: () => downloadCompare(oldId, newId) }, "导出对照表（Word）")),
      table);
  } catch (e) {
    clear(body, note("err", e.message));
  }
}

/** An article with its changed words marked (struck out on the old side, marked on the new). */
function sideText(side, differences, which, change) {
  const out = [h("b", side.label), " "];
  if (change !== "修改") return [...out, side.text];
  const spans = differences.filter((d) => d[which]).map((d) => [d[`${which}_start`], d[`${which}_start`] + d[which].length]);
  let pos = 0;
  for (const [s, e] of spans) {
    if (s > pos) out.push(side.text.slice(pos, s));
    out.push(h(which === "old" ? "del.d-old" : "ins.d-new", side.text.slice(s, e)));
    pos = Math.max(pos, e);
  }
  out.push(side.text.slice(pos));
  return out;
}

async function downloadCompare(oldId, newId) {
  const q = new URLSearchParams({ old: oldId, new: newId, format: "docx" });
  const resp = await fetch(withKbUrl(`/api/compare?${q}`), { headers: apiHeaders() });
  if (!resp.ok) { toast((await errorFrom(resp)).message, 4000); return; }
  const url = URL.createObjectURL(await resp.blob());
  const a = h("a", { href: url, download: "新旧条文对照表.docx" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
