/* Metadata by hand on the page: the 文库's list of documents missing a date or issuer with
   inline editing, an edit form and history in the details drawer, and the search notice
   for documents a filter left out. Uses the helpers of app.js (h, api, toast, …). */
"use strict";

const EDIT_FIELDS = [["title", "标题"], ["doc_no", "文号"], ["issuer", "发文机关"], ["date", "日期"], ["doc_type", "文种"]];

/** Who is editing: asked once, remembered in this browser. */
function editorName() {
  return (localStorage.getItem("policykb-editor") || "").trim();
}

function editorInput() {
  return h("label.editor-name", "修改人",
    h("input#editor-name", { value: editorName(), placeholder: "姓名（记入修改记录）", maxLength: 100,
      oninput: (e) => localStorage.setItem("policykb-editor", e.target.value.trim()) }));
}

async function saveMetadata(docId, changes) {
  const body = { ...changes, source: "page" };
  if (editorName()) body.editor = editorName();
  return api(`/api/documents/${encodeURIComponent(docId)}`, { method: "PATCH", body });
}

// ---------------------------------------------------------------- 文库: missing date or issuer

async function renderMissing() {
  const box = $("#lib-missing");
  if (!box) return;
  let r;
  try {
    r = await api("/api/metadata/missing", { query: { limit: 200 } });
  } catch (e) {
    clear(box, note("err", e.message));
    return;
  }
  if (!r.counts.total) { clear(box); return; }
  const open = box.querySelector("details")?.open ?? false;
  const rows = r.documents.map((d) => {
    const date = h("input", { name: "date", value: d.date || "", placeholder: "如 2026-01-24", "aria-label": `《${titleOf(d)}》的日期` });
    const issuer = h("input", { name: "issuer", value: d.issuer || "", placeholder: "如 中共江北省委组织部",
      list: "issuer-options", "aria-label": `《${titleOf(d)}》的发文机关` });
    const btn = h("button.small.primary", { type: "button" }, "保存");
    btn.addEventListener("click", async () => {
      const changes = {};
      if (date.value.trim() !== (d.date || "")) changes.date = date.value.trim();
      if (issuer.value.trim() !== (d.issuer || "")) changes.issuer = issuer.value.trim();
      if (!Object.keys(changes).length) { toast("没有修改"); return; }
      btn.disabled = true;
      try {
        const res = await saveMetadata(d.id, changes);
        toast(`已保存《${titleOf(res.document)}》`);
        renderMissing();
        loadLibrary({ quiet: true });
      } catch (e) {
        toast(`保存失败：${e.message}`, 4000);
        btn.disabled = false;
      }
    });
    return h("tr", { dataset: { id: d.id } },
      h("td.title-cell", { "data-label": "标题" }, h("button", { type: "button", onclick: () => openDetails(d.id) }, titleOf(d)),
        h("span.sub", d.filename)),
      h("td", { "data-label": "日期" }, date),
      h("td", { "data-label": "发文机关" }, issuer),
      h("td.actions", btn));
  });
  const details = h("details.card.missing-card", { open },
    h("summary#missing-summary", `${r.counts.total} 篇文档缺少日期或发文机关（无日期 ${r.counts.undated} 篇，无发文机关 ${r.counts.unattributed} 篇）：按日期或机关筛选时找不到它们，可在此补全`),
    editorInput(),
    h("table.doc-table#missing-table",
      h("thead", h("tr", ["标题", "日期", "发文机关", ""].map((t) => h("th", t)))),
      h("tbody", rows)),
    r.counts.total > r.documents.length ? h("p.form-hint", `仅显示前 ${r.documents.length} 篇`) : null);
  clear(box, details);
}

// ---------------------------------------------------------------- details drawer: edit + history

function metadataEditor(d) {
  const inputs = {};
  const form = h("form.meta-edit#meta-edit",
    h("h3", "修改元数据"),
    h("div.filters", EDIT_FIELDS.map(([k, label]) => h("label", label,
      inputs[k] = h("input", { name: k, value: d[k] || "", list: k === "issuer" ? "issuer-options" : null })))),
    editorInput(),
    h("div.form-row.end", h("button.primary#meta-save", { type: "submit" }, "保存修改")),
    h("div#meta-history"));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const changes = {};
    for (const [k] of EDIT_FIELDS) if (inputs[k].value.trim() !== (d[k] || "")) changes[k] = inputs[k].value.trim();
    if (!Object.keys(changes).length) { toast("没有修改"); return; }
    try {
      const res = await saveMetadata(d.id, changes);
      Object.assign(d, res.document);
      toast(`已保存 ${res.changed.length} 项修改`);
      setDrawerHead(titleOf(d), d, "");
      loadHistory(d.id);
      loadLibrary({ quiet: true });
    } catch (e) {
      toast(`保存失败：${e.message}`, 4000);
    }
  });
  loadHistory(d.id);
  return form;
}

async function loadHistory(docId) {
  try {
    const r = await api(`/api/documents/${encodeURIComponent(docId)}/edits`);
    const box = $("#meta-history");
    if (!box) return;
    const label = Object.fromEntries([...EDIT_FIELDS, ["region", "地区"]]);
    clear(box, r.edits.length ? [h("h4", "修改记录"), h("ul.edit-history", r.edits.slice().reverse().map((e) =>
      h("li", `${(e.at || "").replace("T", " ").replace(/\+.*$/, "")} ${e.editor}：${label[e.field] || e.field} `,
        h("s", e.old_value || "（空）"), " → ", h("b", e.new_value || "（空）"))))] : null);
  } catch (e) { /* the form still works without its history */ }
}

// ---------------------------------------------------------------- search: what a filter left out

const searchInclude = {};

function leftOutNote(leftOut) {
  const parts = [];
  if (leftOut?.undated) parts.push([`${leftOut.undated} 篇未标注日期`, "include_undated"]);
  if (leftOut?.unattributed) parts.push([`${leftOut.unattributed} 篇未标注发文机关`, "include_unattributed"]);
  if (!parts.length) return null;
  return h("div.note.warn#left-out",
    `筛选条件排除了 ${parts.map((p) => p[0]).join("、")}的文件。`,
    h("button.small#include-left-out", { type: "button", onclick: () => {
      for (const [, flag] of parts) searchInclude[flag] = true;
      search();
    } }, "一并检索"),
    " ",
    h("a", { href: "#library" }, "去文库补全"));
}
