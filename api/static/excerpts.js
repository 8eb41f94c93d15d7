// 论述摘编 tab: POST /api/excerpts, the excerpts by sub-theme with their sources, download
// links; the editor renames a sub-theme or moves an excerpt, and the page asks again with
// those edits (they travel with the request, see api/routers/excerpts.py).
"use strict";

const excerptEdits = { rename: {}, assign: {} };

async function makeExcerpts(ev) {
  ev?.preventDefault();
  const out = $("#excerpts-out");
  const v = formValues($("#excerpts-form"));
  if (!(v.topic || "").trim()) return;
  const btn = $("#ex-go");
  btn.disabled = true;
  clear(out, spinner("正在查找这一主题的论述…"));
  try {
    const d = await api("/api/excerpts", {
      method: "POST",
      body: {
        topic: v.topic.trim(), date_from: v.date_from || null, date_to: v.date_to || null,
        doc_type: v.doc_type || null, issuer: v.issuer || null, max: v.max ? Number(v.max) : null,
        groups: excerptEdits,
      },
    });
    renderExcerpts(d);
  } catch (e) {
    clear(out, note("err", e.message));
  } finally {
    btn.disabled = false;
  }
}

function excerptMove(e, names, current) {
  const sel = h("select.ex-move", { "aria-label": "移至分组", title: "移至其他分组" },
    h("option", { value: "" }, "移至…"),
    names.filter((n) => n !== current).map((n) => h("option", { value: n }, n)),
    h("option", { value: "__new" }, "新建分组…"));
  sel.addEventListener("change", () => {
    let group = sel.value;
    if (group === "__new") group = (window.prompt("新分组名称") || "").trim();
    if (group) { excerptEdits.assign[e.id] = group; makeExcerpts(); }
  });
  return sel;
}

function renderExcerpts(d) {
  const out = $("#excerpts-out");
  const groups = d.groups || [];
  const names = groups.map((g) => g.name);
  const c = d.counts || {};
  const dl = d.downloads || {};
  clear(out,
    h("div.result-head", h("span#excerpts-summary",
      `${d.title}：收录论述 ${c.excerpts || 0} 条，出自 ${c.documents || 0} 篇` + (c.merged ? `（合并重复 ${c.merged} 处）` : ""))),
    dl.docx || dl.md ? h("div.downloads",
      dl.docx ? h("a", { href: dl.docx, download: "" }, "下载 Word（.docx）") : null,
      dl.md ? h("a", { href: dl.md, download: "" }, "下载 Markdown") : null) : null,
    groups.length ? null : h("div.empty", "没有找到关于这一主题的论述"),
    groups.map((g) => h("section.digest-topic.excerpt-group",
      h("h3", g.name,
        h("button.ex-rename", { type: "button", title: "重命名分组", onclick: () => {
          const name = (window.prompt("分组新名称", g.name) || "").trim();
          if (name && name !== g.name) { excerptEdits.rename[g.auto_name] = name; makeExcerpts(); }
        } }, "改名")),
      g.excerpts.map((e) => h("p.excerpt", e.text, h("span.ex-cite", e.citation), excerptMove(e, names, g.name))))));
}

document.addEventListener("DOMContentLoaded", () => {
  $("#excerpts-form").addEventListener("submit", (ev) => {
    excerptEdits.rename = {};
    excerptEdits.assign = {};
    makeExcerpts(ev);
  });
});
