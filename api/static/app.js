/* 政策知识库 web page: plain JavaScript, no build step, no network beyond this server. */
"use strict";

// ---------------------------------------------------------------- helpers

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** Build an element: h("div.card#x", {onclick}, child, "text", …). */
function h(tag, attrs, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || "div");
  for (const r of rest) {
    if (r[0] === ".") el.classList.add(r.slice(1));
    else el.id = r.slice(1);
  }
  if (attrs !== null && attrs !== undefined && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k in el && k !== "list" && k !== "type") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function clear(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const spinner = (text) => h("div.empty", h("span.spinner"), text);
const note = (kind, text) => h(`div.note.${kind}`, text);

function toast(text, ms = 2600) {
  const t = $("#toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, ms);
}

function formValues(root) {
  const out = {};
  for (const el of $$("input[name], select[name]", root)) {
    const v = el.type === "checkbox" ? (el.checked ? "true" : "") : el.value.trim();
    if (v) out[el.name] = v;
  }
  return out;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function apiHeaders(extra = {}) {
  const key = localStorage.getItem("policykb.apiKey");
  return key ? { ...extra, "X-API-Key": key } : extra;
}

async function errorFrom(resp) {
  let code = `http_${resp.status}`;
  let message = `请求失败（${resp.status}）`;
  try {
    const body = await resp.json();
    if (body && body.error) ({ code, message } = body.error);
  } catch (_) { /* not JSON */ }
  if (resp.status === 401) askForKey();
  return new ApiError(resp.status, code, message);
}

function askForKey() {
  // Not signed in (or the stored key was revoked): the sign-in page, then back here.
  if (askForKey.sent) return;
  askForKey.sent = true;
  localStorage.removeItem("policykb.apiKey");
  location.assign("/login?next=" + encodeURIComponent(location.pathname + location.hash));
}

async function api(path, { method = "GET", body, query } = {}) {
  let url = path;
  query = withKb(query);  // the chosen library (kbs.js)
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
    if ([...q].length) url += "?" + q;
  }
  const init = { method, headers: apiHeaders() };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(url, init);
  } catch (_) {
    throw new ApiError(0, "network", "无法连接到知识库服务，请检查服务是否在运行");
  }
  if (!resp.ok) throw await errorFrom(resp);
  return resp.json();
}

function filtersOf(root) {
  const v = formValues(root);
  const f = {};
  for (const k of ["issuer", "doc_type", "date_from", "date_to"]) if (v[k]) f[k] = v[k];
  if (v.include_superseded) f.include_superseded = true;  // also 已修订 / 已废止 texts (versions.js)
  return Object.keys(f).length ? f : null;
}

// ---------------------------------------------------------------- document metadata

function metaLine(m) {
  const parts = [];
  if (m.doc_no) parts.push(h("span.m-no", m.doc_no));
  if (m.issuer) parts.push(h("span.m-issuer", m.issuer));
  if (m.date) parts.push(h("span.m-date", formatDate(m.date)));
  if (m.doc_type) parts.push(h("span.m-type", m.doc_type));
  if (m.page) parts.push(h("span.m-page", `第 ${m.page} 页`));
  if (m.validity) parts.push(validityBadge(m));
  if (m.kb) parts.push(h("span.badge.kb", { title: "所属知识库" }, m.kb));
  return h("div.doc-meta", parts);
}

function formatDate(d) {
  const m = /^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$/.exec(d || "");
  if (!m) return d || "";
  return `${m[1]}年` + (m[2] ? `${+m[2]}月` : "") + (m[3] ? `${+m[3]}日` : "");
}

const pathText = (path) => (path || []).join(" › ");
const titleOf = (x) => x.title || x.filename || "（无标题）";

function hitMeta(hit) {
  return { ...(hit.metadata || {}), page: hit.page };
}

// ---------------------------------------------------------------- tabs

const TABS = ["ask", "search", "library", "digest", "excerpts", "verify"];
const tabLoaded = {};

function showTab(name) {
  if (!TABS.includes(name)) name = "ask";
  for (const t of TABS) {
    $(`#panel-${t}`).hidden = t !== name;
    $(`#tab-${t}`).setAttribute("aria-selected", String(t === name));
  }
  if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
  if (name === "library") loadLibrary();
  if (name === "audit" && window.loadAudit) window.loadAudit();  // account.js
  if (!tabLoaded[name]) {
    tabLoaded[name] = true;
    const first = { ask: "#ask-q", search: "#search-q", verify: "#verify-text" }[name];
    if (first && window.innerWidth > 640) $(first).focus();
  }
}

// ---------------------------------------------------------------- filter options

async function loadOptions() {
  try {
    const s = await api("/api/stats");
    const issuers = Object.keys(s.by_issuer || {}).filter((k) => k !== "未识别");
    const types = Object.keys(s.by_doc_type || {}).filter((k) => k !== "未识别");
    clear($("#issuer-options"), issuers.map((i) => h("option", { value: i })));
    clear($("#type-options"), types.map((t) => h("option", { value: t })));
    for (const sel of $$(".doc-type-select")) {
      const keep = sel.value;
      clear(sel, h("option", { value: "" }, "全部文种"), types.map((t) => h("option", { value: t }, t)));
      sel.value = keep;
    }
    showStatus(s);
    return s;
  } catch (e) {
    $("#kb-status").textContent = e.message;
    return null;
  }
}

function showStatus(s) {
  const pending = s.pending_vectors ? ` · 向量化中 ${s.pending_vectors} 段` : "";
  $("#kb-status").textContent = `${s.documents} 篇文档${pending}`;
}

// ---------------------------------------------------------------- ask

const askState = { citations: [] };

/** Render an answer string: [n] markers become buttons that open the passage; sentences in
 *  `unsupported` are flagged. During streaming (`live`) markers are plain text. */
function renderAnswerText(el, text, citations, unsupported, live, highlights) {
  // 0: plain, 1: the sentence that answers (marked), 2: unsupported (flagged)
  const flagged = new Array(text.length).fill(0);
  for (const [a, b] of highlights || []) flagged.fill(1, Math.max(0, a), Math.min(text.length, b));
  for (const s of unsupported || []) {
    for (const cand of [s, s.replace(/\[\d+\]/g, "").trim()]) {
      const at = cand ? text.indexOf(cand) : -1;
      if (at >= 0) { flagged.fill(2, at, at + cand.length); break; }
    }
  }
  const byN = new Map((citations || []).map((c) => [c.n, c]));
  const out = [];
  const re = /\[(\d+)\]/g;
  let last = 0;
  let m;
  const pushText = (from, to) => {
    let i = from;
    while (i < to) {
      let j = i;
      while (j < to && flagged[j] === flagged[i]) j++;
      const piece = text.slice(i, j);
      out.push(flagged[i] === 2 ? h("mark.unsupported", { title: "此句未得到所引原文的支持，请核实" }, piece)
        : flagged[i] === 1 ? h("mark.answer", { title: "回答问题的句子" }, piece) : piece);
      i = j;
    }
  };
  while ((m = re.exec(text))) {
    pushText(last, m.index);
    const n = Number(m[1]);
    const c = byN.get(n);
    if (c && !live) {
      out.push(h("button.cite", {
        type: "button", dataset: { n: String(n) }, title: `${titleOf(c)}${c.section_path?.length ? " · " + pathText(c.section_path) : ""}`,
        "aria-label": `引用 ${n}：${titleOf(c)}`, onclick: () => openPassage(c, focusOf(text, n, highlights)),
      }, `[${n}]`));
    } else {
      out.push(h("span.cite", `[${n}]`));
    }
    last = re.lastIndex;
  }
  pushText(last, text.length);
  clear(el, out);
}

function renderAnswer(ans) {
  askState.citations = ans.citations || [];
  const out = $("#ask-out");
  const answerer = { extractive: "原文摘录", llm: "大模型生成" }[ans.answerer] || ans.answerer || "";
  const head = h("div.answer-head",
    ans.found ? h("span.badge.ok", "已找到依据") : h("span.badge", "未找到依据"),
    answerer && h("span.badge", { title: "回答方式" }, answerer),
    ans.citations?.length ? h("span", `引用 ${ans.citations.length} 处原文`) : null,
    ans.unsupported?.length ? h("span.badge.warn", `${ans.unsupported.length} 句待核实`) : null,
  );
  const textEl = h("div.answer-text#answer-text");
  if (!ans.found) textEl.classList.add("not-found");
  renderAnswerText(textEl, ans.answer || "", ans.citations, ans.unsupported, false, ans.highlights);
  const notes = [];
  if (ans.notice) notes.push(note("info", ans.notice));
  if (ans.unsupported?.length) {
    notes.push(note("warn", "标有“待核实”的句子没有在所引原文中找到支持，使用前请对照原文核实。"));
  }
  if (ans.pending_vectors) notes.push(note("info", `有 ${ans.pending_vectors} 个段落仍在向量化，暂只能按关键词检索到。`));
  const sources = (ans.citations || []).map((c) => h("li", c.row ? { class: "has-row" } : {}, h("button.source", {
    type: "button", dataset: { n: String(c.n) }, onclick: () => openPassage(c, focusOf(ans.answer, c.n, ans.highlights)),
  },
  h("span.n", `[${c.n}]`),
  h("span.t", titleOf(c)),
  metaLine(hitMeta(c)),
  c.section_path?.length ? h("span.path", pathText(c.section_path)) : null,
  ), c.row ? rowTable(c.row, c.row_column) : null));
  // Refused, yet not plainly outside the library: the passages nearest to the question, for
  // the reader to judge, never presented as the answer's basis.
  const related = (!ans.found ? ans.related || [] : []).map((r) => h("li", h("button.source", {
    type: "button", onclick: () => openPassage(r),
  },
  h("span.t", titleOf(r)),
  metaLine(hitMeta(r)),
  r.section_path?.length ? h("span.path", pathText(r.section_path)) : null,
  h("span.excerpt", (r.text || "").replace(/\s+/g, " ").trim()),
  )));
  clear(out, h("div.card.answer-card#answer", head, notes, textEl,
    sources.length ? [h("div.sources-title", "引用原文（点击查看上下文）"), h("ol.sources#citations", sources)] : null,
    related.length ? [h("div.sources-title", "可能相关的段落（未能确认其回答了问题，仅供查阅）"),
      h("ul.sources.related#related", related)] : null));
}

async function ask(ev) {
  ev.preventDefault();
  const question = $("#ask-q").value.trim();
  if (!question) return;
  const btn = $("#ask-go");
  btn.disabled = true;
  const out = $("#ask-out");
  const textEl = h("div.answer-text.streaming#answer-text");
  clear(out, h("div.card.answer-card#answer",
    h("div.answer-head", h("span.spinner"), "正在检索并组织答案…"), textEl));
  let streamed = "";
  const flaggedLive = [];
  let done = null;
  try {
    const resp = await fetch(withKbUrl("/api/ask?stream=true"), {
      method: "POST",
      headers: apiHeaders({ "Content-Type": "application/json", Accept: "text/event-stream" }),
      body: JSON.stringify({ question, filters: filtersOf($("[data-filters=ask]")) }),
    });
    if (!resp.ok) throw await errorFrom(resp);
    for await (const { event, data } of sseEvents(resp)) {
      if (event === "delta") {
        // Each sentence arrives once its citations were checked; one they do not support
        // is marked at once, never shown as if it held.
        streamed += data.text || "";
        if (data.supported === false && (data.text || "").trim()) flaggedLive.push(data.text.trim());
        renderAnswerText(textEl, streamed, [], flaggedLive, true);
      } else if (event === "done") {
        done = data;
      } else if (event === "error") {
        throw new ApiError(500, data.code, data.message);
      }
    }
    if (!done) throw new ApiError(0, "stream", "回答未完整返回，请重试");
    renderAnswer(done);
  } catch (e) {
    clear(out, note("err", e.message || "提问失败，请重试"));
  } finally {
    btn.disabled = false;
  }
}

/** Parse a fetch Response body as server-sent events. */
async function* sseEvents(resp) {
  const reader = resp.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut).replace(/^\r?\n\r?\n/, "");
      let event = "message";
      const data = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
    if (done) return;
  }
}

// ---------------------------------------------------------------- document viewer (drawer)

const textCache = new Map();
let lastFocus = null;

function openDrawer() {
  lastFocus = document.activeElement;
  $("#drawer").hidden = false;
  $("#drawer-backdrop").hidden = false;
  document.body.style.overflow = "hidden";
  $("#drawer-close").focus({ preventScroll: true });
}

function closeDrawer() {
  $("#drawer").hidden = true;
  $("#drawer-backdrop").hidden = true;
  document.body.style.overflow = "";
  if (lastFocus && document.contains(lastFocus)) lastFocus.focus({ preventScroll: true });
}

function setDrawerHead(title, meta, path) {
  $("#drawer-title").textContent = title;
  $("#drawer-meta").replaceWith(Object.assign(metaLine(meta), { id: "drawer-meta" }));
  const p = $("#drawer-path");
  p.className = path ? "drawer-path path" : "drawer-path";
  p.textContent = path || "";
}

async function documentText(docId) {
  if (!textCache.has(docId)) {
    const p = api(`/api/documents/${encodeURIComponent(docId)}/text`);
    textCache.set(docId, p);
    p.catch(() => textCache.delete(docId));
  }
  return textCache.get(docId);
}

/** Where `needle` occurs in text[from, to), ignoring whitespace (PDF lines break inside
 *  sentences) and a differing final punctuation mark; null when it does not. */
function findLoose(text, from, to, needle) {
  const want = needle.replace(/\[\d+\]/g, "").replace(/\s+/g, "").replace(/[。；，、！？;,.!?]+$/, "");
  if (want.length < 4) return null;
  let compact = "";
  const at = [];
  for (let i = from; i < to; i++) {
    if (!/\s/.test(text[i])) { compact += text[i]; at.push(i); }
  }
  const k = compact.indexOf(want);
  return k < 0 ? null : [at[k], at[k + want.length - 1] + 1];
}

/** Show the whole document with [start, end) highlighted, and inside it the `focus`
 *  ranges (the sentences that were quoted) highlighted more strongly. */
function renderDocText(doc, start, end, focus = []) {
  const text = doc.text;
  const pre = h("div.doc-text#doc-text");
  const pages = (doc.pages || []).filter((p) => p.char_start > 0);
  // Page breaks (PDFs) are marked where they fall; the passage is one <mark>.
  const cuts = new Set([0, text.length]);
  for (const p of pages) cuts.add(p.char_start);
  if (start !== null) { cuts.add(start); cuts.add(end); }
  for (const [a, b] of focus) { cuts.add(a); cuts.add(b); }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  const pageAt = new Map(pages.map((p) => [p.char_start, p.number]));
  const inFocus = (a, b) => focus.some(([fa, fb]) => a >= fa && b <= fb);
  let mark = null;
  let firstFocus = null;
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i];
    const b = points[i + 1];
    const pageMark = pageAt.has(a) ? h("span.page-mark", `第 ${pageAt.get(a)} 页`) : null;
    const piece = text.slice(a, b);
    if (start !== null && a >= start && b <= end) {
      if (!mark) { mark = h("mark#passage"); pre.append(mark); }
      if (pageMark) mark.append(pageMark);
      if (inFocus(a, b)) {
        const f = h("span.focus", piece);
        firstFocus = firstFocus || f;
        mark.append(f);
      } else {
        mark.append(piece);
      }
    } else {
      if (pageMark) pre.append(pageMark);
      pre.append(piece);
    }
  }
  return { pre, mark, focus: firstFocus };
}

/** The sentences of an answer that carry the marker [n]. */
/** What to make stand out in a cited passage: the sentence the answer marks as answering
 *  (an extractive answer quotes a whole provision), else the sentences carrying [n]. */
function focusOf(answer, n, highlights) {
  const marked = (highlights || []).map(([a, b]) => (answer || "").slice(a, b).trim()).filter(Boolean);
  return marked.length ? marked : citedSentences(answer, n);
}

function citedSentences(answer, n) {
  const out = [];
  const re = /\[(\d+)\]/g;
  let last = 0;
  let sentence = "";
  let m;
  while ((m = re.exec(answer || ""))) {
    const s = answer.slice(last, m.index).trim();
    if (s) sentence = s;
    if (Number(m[1]) === n && sentence) out.push(sentence);
    last = re.lastIndex;
  }
  return out;
}

/** A cited table row as the table shows it: the column headers above, the values below,
 *  the column the answer comes from marked. */
function rowTable(pairs, column) {
  const cls = (label) => (label === column ? "answered" : "");
  return h("table.row-table",
    h("thead", h("tr", pairs.map(([label]) => h("th", { class: cls(label), scope: "col" }, label)))),
    h("tbody", h("tr", pairs.map(([label, value]) => h("td", { class: cls(label) }, value)))));
}

/** Open a passage inside its document. `quoted` are sentences to find in it and stress;
 *  `ranges` are [start, end) offsets in the document's text to stress as they are. */
async function openPassage(hit, quoted = [], ranges = []) {
  setDrawerHead(titleOf(hit), hitMeta(hit), pathText(hit.section_path));
  const body = $("#drawer-body");
  clear(body, spinner("正在打开原文…"));
  openDrawer();
  try {
    const doc = await documentText(hit.doc_id);
    setDrawerHead(titleOf(doc), { ...doc, page: hit.page }, pathText(hit.section_path));
    const focus = quoted.map((q) => findLoose(doc.text, hit.char_start, hit.char_end, q)).filter(Boolean);
    const spans = ranges.filter(([a, b]) => a >= 0 && b > a && b <= doc.text.length);
    focus.push(...spans);
    // A stressed range may run past the passage's edge: the passage then reaches round it.
    const start = Math.min(hit.char_start, ...spans.map(([a]) => a));
    const end = Math.max(hit.char_end, ...spans.map(([, b]) => b));
    const { pre, mark, focus: first } = renderDocText(doc, start, end, focus);
    const scan = scanImage(doc, hit.page);
    clear(body, hit.row ? rowTable(hit.row, hit.row_column) : null, scan ? h("div.scan-view", scan, pre) : pre);
    const target = first || mark;
    if (target) requestAnimationFrame(() => target.scrollIntoView({ block: "center" }));
  } catch (e) {
    clear(body, note("err", e.message));
  }
}

/** The scanned page a passage was read from (OCR), to check the text against; null
 *  for typed pages. */
function scanImage(doc, page) {
  if (!page || !(doc.scanned_pages || []).includes(page)) return null;
  const src = `/api/documents/${encodeURIComponent(doc.id)}/pages/${page}/image`;
  return h("figure.scan-page", h("a", { href: src, target: "_blank", rel: "noopener" },
    h("img", { src, alt: `第 ${page} 页扫描图像`, loading: "lazy" })),
  h("figcaption", `第 ${page} 页原件图像（文字由 OCR 识别，请对照核实）`));
}

async function openFullText(docId) {
  const body = $("#drawer-body");
  clear(body, spinner("正在打开原文…"));
  openDrawer();
  try {
    const doc = await documentText(docId);
    setDrawerHead(titleOf(doc), doc, "");
    clear(body, renderDocText(doc, null, null).pre);
    body.scrollTop = 0;
  } catch (e) {
    clear(body, note("err", e.message));
  }
}

// ---------------------------------------------------------------- search

/** Text with the query's words marked. */
function highlighted(text, terms) {
  const words = [...new Set((terms || []).filter((t) => t && t.trim().length >= 2))]
    .sort((a, b) => b.length - a.length)
    .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!words.length) return [text];
  const re = new RegExp(`(${words.join("|")})`, "g");
  return text.split(re).map((part, i) => (i % 2 ? h("mark.term", part) : part));
}

function hitCard(hit, terms, { similar = true } = {}) {
  const similarBox = h("div.similar-box");
  similarBox.hidden = true;
  const card = h("li.hit", { dataset: { chunk: hit.chunk_id } },
    h("h3.hit-title", h("button", { type: "button", onclick: () => openPassage(hit) }, titleOf(hit))),
    metaLine(hitMeta(hit)),
    hit.section_path?.length ? h("div.path", pathText(hit.section_path)) : null,
    h("div.hit-text.clamped", highlighted(hit.text, terms)),
    h("div.hit-actions",
      h("button.small", { type: "button", onclick: () => openPassage(hit) }, "查看原文"),
      similar ? h("button.small.similar-btn", { type: "button", onclick: (e) => toggleSimilar(hit, similarBox, e.currentTarget) }, "更多相似") : null,
    ),
    similarBox,
  );
  return card;
}

async function toggleSimilar(hit, box, btn) {
  if (!box.hidden) { box.hidden = true; btn.textContent = "更多相似"; return; }
  box.hidden = false;
  btn.textContent = "收起相似";
  if (box.dataset.loaded) return;
  clear(box, spinner("正在查找相似段落…"));
  try {
    const r = await api(`/api/passages/${encodeURIComponent(hit.chunk_id)}/similar`, { query: { top_k: 5 } });
    box.dataset.loaded = "1";
    clear(box,
      h("div.result-head", h("span", `与此段相似的 ${r.results.length} 个段落（优先列出其他文件）`)),
      r.results.length ? h("ul.hits", r.results.map((x) => hitCard(x, [], { similar: false }))) : h("div.empty", "没有找到相似段落"));
  } catch (e) {
    clear(box, note("err", e.message));
  }
}

async function search(ev) {
  if (ev) ev.preventDefault();
  const query = $("#search-q").value.trim();
  if (!query) return;
  const out = $("#search-out");
  const btn = $("#search-go");
  btn.disabled = true;
  clear(out, spinner("正在检索…"));
  if (ev) for (const k of Object.keys(searchInclude)) delete searchInclude[k];  // a new search starts strict
  try {
    const f = filtersOf($("[data-filters=search]"));
    const r = await api("/api/search", { method: "POST", body: { query, top_k: 20, filters: f ? { ...f, ...searchInclude } : null, kbs: searchKbs() } });
    clear(out,
      h("div.result-head", h("span#result-count", `找到 ${r.results.length} 个相关段落`),
        f ? h("span", "已按筛选条件过滤") : null),
      r.pending_vectors ? note("info", `有 ${r.pending_vectors} 个段落仍在向量化，当前结果以关键词匹配为主。`) : null,
      leftOutNote(r.left_out),
      r.results.length
        ? h("ol.hits#hits", r.results.map((hit) => hitCard(hit, r.terms)))
        : h("div.empty", f ? "没有符合条件的结果，试试放宽筛选条件" : "没有找到相关内容，换个说法试试"));
  } catch (e) {
    clear(out, note("err", e.message));
  } finally {
    btn.disabled = false;
  }
}

// ---------------------------------------------------------------- library

const lib = { offset: 0, limit: 20, timer: null, loading: false, readingTimer: null };

async function loadStats() {
  const s = await loadOptions();
  if (!s) return null;
  clear($("#lib-stats"),
    h("div.stat", h("b", s.documents), h("span", "文档")),
    h("div.stat", h("b", s.chunks), h("span", "段落")),
    h("div.stat", h("b", Math.round((s.characters || 0) / 1000) + "k"), h("span", "字数")),
    h(`div.stat${s.pending_vectors ? ".pending" : ""}`, h("b", s.pending_vectors),
      h("span", s.pending_vectors ? "待向量化（可先按关键词检索）" : "待向量化")),
  );
  if (s.pending_vectors) {
    // Vectors are made by a background worker: say so if it is stuck.
    api("/api/status").then((st) => {
      const err = st.worker && st.worker.last_error;
      const box = $("#lib-stats");
      $$(".note", box).forEach((n) => n.remove());
      if (err) box.append(note("warn", `后台向量化出错：${err}（文档仍可按关键词检索）`));
    }).catch(() => {});
  }
  clearTimeout(lib.timer);
  if (s.pending_vectors && !$("#panel-library").hidden) {
    lib.timer = setTimeout(() => loadLibrary({ quiet: true }), 2500);
  }
  return s;
}

function statusBadge(d) {
  if (d.validity && d.validity !== "现行有效") return validityBadge(d);
  if (d.status === "superseded" || d.superseded_by) return h("span.badge", "已被替代");
  if (d.status && d.status !== "active") return h("span.badge", d.status);
  if (d.pending_vectors) return h("span.badge.warn", { title: "已可按关键词检索，语义向量正在后台生成" }, `向量化中 ${d.pending_vectors}/${d.chunk_count}`);
  return h("span.badge.ok", "可检索");
}

async function loadLibrary({ quiet = false } = {}) {
  const out = $("#lib-out");
  if (!quiet && !out.childElementCount) clear(out, spinner("正在加载文库…"));
  const v = formValues($("#lib-form"));
  try {
    const [r] = await Promise.all([
      api("/api/documents", { query: { ...v, limit: lib.limit, offset: lib.offset } }),
      loadStats(),
      renderMissing(),
    ]);
    if (r.total && lib.offset >= r.total) { lib.offset = 0; return loadLibrary({ quiet }); }
    const filtered = Object.keys(v).some((k) => k !== "sort");
    const reading = r.reading || [];
    if (!r.documents.length && !reading.length) {
      clear(out, h("div.empty", filtered ? "没有符合条件的文档" : "文库还是空的：把文件拖到上方即可导入"));
      return;
    }
    // Scans still being read by OCR in the background: listed first, refreshed until done.
    clearTimeout(lib.readingTimer);
    if (reading.some((j) => j.state === "reading")) lib.readingTimer = setTimeout(() => loadLibrary({ quiet: true }), 3000);
    const readingRows = reading.map((j) => h("tr.reading-row",
      h("td.title-cell", { "data-label": "标题" }, h("span", j.filename)),
      h("td"), h("td"), h("td"), h("td"),
      h("td.nowrap", { "data-label": "状态" }, h(j.state === "failed" ? "span.badge.err" : "span.badge.warn", j.label)),
      h("td"),
    ));
    const rows = readingRows.concat(r.documents.map((d) => h("tr", { dataset: { id: d.id } },
      h("td.title-cell", { "data-label": "标题" },
        h("button", { type: "button", onclick: () => openDetails(d.id) }, titleOf(d)),
        h("span.sub", d.filename)),
      h("td.nowrap", { "data-label": "文号" }, d.doc_no || ""),
      h("td", { "data-label": "发文机关" }, d.issuer || ""),
      h("td.nowrap", { "data-label": "日期" }, d.date ? formatDate(d.date) : ""),
      h("td.nowrap", { "data-label": "文种" }, d.doc_type || ""),
      h("td.nowrap", { "data-label": "状态" }, statusBadge(d)),
      h("td.actions",
        h("button.small", { type: "button", onclick: () => openDetails(d.id) }, "详情"),
        " ",
        h("button.small.delete-btn", { type: "button", onclick: () => confirmDelete(d) }, "删除")),
    )));
    const from = r.offset + 1;
    const to = r.offset + r.documents.length;
    clear(out,
      h("table.doc-table#doc-table",
        h("thead", h("tr", ["标题", "文号", "发文机关", "日期", "文种", "状态", ""].map((t) => h("th", t)))),
        h("tbody", rows)),
      h("div.pager",
        h("span#lib-count", `共 ${r.total} 篇，第 ${from}–${to} 篇`),
        h("span.btns",
          h("button.small", { type: "button", disabled: r.offset === 0, onclick: () => { lib.offset = Math.max(0, lib.offset - lib.limit); loadLibrary(); } }, "上一页"),
          h("button.small", { type: "button", disabled: to >= r.total, onclick: () => { lib.offset += lib.limit; loadLibrary(); } }, "下一页"))));
  } catch (e) {
    clear(out, note("err", e.message));
  }
}

async function openDetails(docId) {
  setDrawerHead("文档详情", {}, "");
  const body = $("#drawer-body");
  clear(body, spinner("正在加载…"));
  openDrawer();
  try {
    const d = await api(`/api/documents/${encodeURIComponent(docId)}`);
    setDrawerHead(titleOf(d), d, "");
    const row = (k, v) => (v ? [h("dt", k), h("dd", v)] : null);
    const pending = d.chunks.filter((c) => !c.vectorized).length;
    clear(body,
      h("div.drawer-actions",
        h("button.primary", { type: "button", onclick: () => openFullText(d.id) }, "查看全文"),
        h("button.danger", { type: "button", onclick: () => confirmDelete(d) }, "删除")),
      h("dl.detail-list",
        row("标题", titleOf(d)), row("文号", d.doc_no), row("发文机关", d.issuer), row("日期", d.date && formatDate(d.date)),
        row("文种", d.doc_type), row("地区", d.region), row("文件名", d.filename), row("格式", (d.format || "").toUpperCase()),
        row("段落", `${d.chunk_count} 段` + (pending ? `（${pending} 段待向量化，已可按关键词检索）` : "（均已向量化）")),
        d.pages?.length ? row("页数", `${d.pages.length} 页`) : null,
        row("时效性", d.validity ? d.validity + (d.validity_note ? `（${d.validity_note}）` : "") : (d.superseded_by ? "已被替代" : "有效")),
        row("版本", `第 ${d.version} 版`), row("入库时间", (d.created_at || "").replace("T", " ").replace(/\+.*$/, "")),
        row("编号", d.id)),
      metadataEditor(d),
      d.sections.length ? [h("h3", "章节结构"), h("ol.sections", d.sections.map((s) => h("li", s)))] : null);
    appendLineage(body, d);
  } catch (e) {
    clear(body, note("err", e.message));
  }
}

function confirmDelete(d) {
  const dlg = $("#confirm-dialog");
  $("#confirm-text").textContent = `确定从知识库中删除《${titleOf(d)}》吗？删除后将无法检索到它，如需恢复可重新上传。`;
  dlg.returnValue = "";
  dlg.onclose = async () => {
    if (dlg.returnValue !== "ok") return;
    try {
      await api(`/api/documents/${encodeURIComponent(d.id)}`, { method: "DELETE" });
      textCache.delete(d.id);
      if (!$("#drawer").hidden) closeDrawer();
      toast(`已删除《${titleOf(d)}》`);
      loadLibrary({ quiet: true });
    } catch (e) {
      toast(`删除失败：${e.message}`, 4000);
    }
  };
  dlg.showModal();
  $("#confirm-cancel").focus();
}

// ---- upload

const STATUS_TEXT = {
  added: (f) => `已入库，${f.chunks} 个段落，可立即检索`,
  updated: (f) => `已更新为新版本，${f.chunks} 个段落`,
  unchanged: () => "文件未变化，无需重复导入",
  duplicate: (f) => f.message || "与已入库文档内容相同，已跳过",
  reading: () => "扫描件正在后台识别文字（OCR），进度见文库列表",
};

function uploadFiles(fileList) {
  const files = Array.from(fileList || []);
  if (!files.length) return;
  const meta = formValues($("#upload-meta"));
  const list = $("#upload-list");
  const jobs = files.map((file) => {
    const bar = h("i");
    const msg = h("span.msg", "等待上传…");
    const item = h("li.upload-item", { dataset: { name: file.name } },
      h("span.name", { title: file.name }, file.name), h("div.progress", bar), msg);
    list.prepend(item);
    return { file, item, bar, msg };
  });
  // Two at a time: each file gets its own request, progress and result.
  let next = 0;
  let running = 0;
  return new Promise((resolve) => {
    const pump = () => {
      if (next >= jobs.length && running === 0) { loadLibrary({ quiet: true }); resolve(); return; }
      while (running < 2 && next < jobs.length) {
        const job = jobs[next++];
        running++;
        uploadOne(job, meta).finally(() => { running--; pump(); });
      }
    };
    pump();
  });
}

function uploadOne({ file, item, bar, msg }, meta) {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append("files", file, file.name);
    for (const [k, v] of Object.entries(meta)) form.append(k, v);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", withKbUrl("/api/documents"));
    for (const [k, v] of Object.entries(apiHeaders())) xhr.setRequestHeader(k, v);
    msg.textContent = "正在上传…";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) {
        const pct = Math.round((e.loaded / e.total) * 100);
        bar.style.width = pct * 0.9 + "%";
        msg.textContent = pct < 100 ? `正在上传… ${pct}%` : "正在解析与建立索引…";
      }
    };
    xhr.upload.onload = () => { bar.style.width = "90%"; msg.textContent = "正在解析与建立索引…"; };
    const fail = (text) => {
      item.classList.add("failed");
      bar.style.width = "100%";
      msg.textContent = `导入失败：${text}`;
      resolve();
    };
    xhr.onerror = () => fail("网络错误，无法连接到服务");
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
      if (xhr.status === 401) askForKey();
      if (xhr.status < 200 || xhr.status >= 300) {
        fail(body?.error?.message || `服务返回错误（${xhr.status}）`);
        return;
      }
      const f = body.files[0];
      bar.style.width = "100%";
      if (f.status === "failed") { fail(f.message || "无法读取该文件"); return; }
      item.classList.add(f.status === "added" || f.status === "updated" ? "done" : "skipped");
      item.dataset.docId = f.doc_id || "";
      const title = f.title ? `《${f.title}》` : "";
      msg.textContent = title + (STATUS_TEXT[f.status] || (() => f.status))(f) + (f.message && f.status !== "duplicate" ? `（${f.message}）` : "");
      resolve();
    };
    xhr.send(form);
  });
}

function setupUpload() {
  const dz = $("#dropzone");
  const input = $("#file-input");
  dz.addEventListener("click", () => input.click());
  dz.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); } });
  input.addEventListener("change", () => { uploadFiles(input.files); input.value = ""; });
  for (const t of ["dragenter", "dragover"]) {
    dz.addEventListener(t, (e) => { e.preventDefault(); dz.classList.add("over"); });
  }
  for (const t of ["dragleave", "drop"]) dz.addEventListener(t, () => dz.classList.remove("over"));
  dz.addEventListener("drop", (e) => { e.preventDefault(); uploadFiles(e.dataTransfer.files); });
  // A file dropped anywhere else must not navigate away from the page.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
}

// ---------------------------------------------------------------- digest

const quarterOf = (d) => [d.getFullYear(), Math.floor(d.getMonth() / 3) + 1];

/** Quarters from the newest document's (or today's) back to the oldest document's, at
 *  least the last eight; the newest quarter that has documents is chosen. */
async function quarterOptions() {
  const sel = $("#dg-quarter");
  let [y, q] = quarterOf(new Date());
  let newest = null;
  let oldest = null;
  try {
    const [a, b] = await Promise.all([
      api("/api/documents", { query: { sort: "date_desc", limit: 1 } }),
      api("/api/documents", { query: { sort: "date_asc", limit: 1 } }),
    ]);
    const parse = (r) => (r.documents[0]?.date ? quarterOf(new Date(r.documents[0].date.slice(0, 7) + "-01")) : null);
    newest = parse(a);
    oldest = parse(b);
  } catch (_) { /* the list still offers recent quarters */ }
  const key = ([yy, qq]) => yy * 4 + qq;
  if (newest && key(newest) > key([y, q])) [y, q] = newest;
  const stop = Math.min(key([y, q]) - 7, oldest ? key(oldest) : Infinity, key([y, q]) - 7);
  const opts = [];
  for (let k = key([y, q]); k >= Math.max(stop, key([y, q]) - 60); k--) {
    const yy = Math.floor((k - 1) / 4);
    const qq = k - yy * 4;
    opts.push(h("option", { value: `${yy}Q${qq}` }, `${yy}年第${"一二三四"[qq - 1]}季度`));
  }
  clear(sel, opts);
  if (newest) sel.value = `${newest[0]}Q${newest[1]}`;
}

async function makeDigest(ev) {
  ev?.preventDefault();
  const out = $("#digest-out");
  const v = formValues($("#digest-form"));
  const topics = (v.topics || "").split(/[,，、;；\s]+/).map((t) => t.trim()).filter(Boolean);
  const btn = $("#dg-go");
  btn.disabled = true;
  clear(out, spinner("正在整理本季度文件并生成汇编…"));
  try {
    const d = await api("/api/digest", {
      method: "POST",
      body: { quarter: v.quarter, topics: topics.length ? topics : null, issuer: v.issuer || null, doc_type: v.doc_type || null },
    });
    renderDigest(d);
  } catch (e) {
    if (e.status === 404 && e.code === "http_404") {
      clear(out, note("info", "汇编功能暂未开放：当前服务尚未提供汇编接口，请联系管理员升级后再试。"));
    } else {
      clear(out, note("err", e.message));
    }
  } finally {
    btn.disabled = false;
  }
}

/** The editor's layout: move a document, rename or reorder a group; kept for every rebuild. */
async function changeLayout(body) {
  try {
    await api("/api/digest/layout", { method: "POST", body });
    await makeDigest();
  } catch (e) {
    $("#digest-out").prepend(note("err", e.message));
  }
}

function moveControl(doc, groups, current) {
  const sel = h("select.dg-move", { "aria-label": "移至分组", title: "移至其他分组（重新生成时保留）" },
    h("option", { value: "" }, "移至…"),
    groups.filter((g) => g !== current).map((g) => h("option", { value: g }, g)),
    h("option", { value: "__new" }, "新建分组…"));
  sel.addEventListener("change", () => {
    let group = sel.value;
    if (group === "__new") group = (window.prompt("新分组名称") || "").trim();
    if (group) changeLayout({ move: { doc: doc.doc_id, group } });
  });
  return sel;
}

function overviewBlock(t, citations) {
  const ov = t.overview || {};
  if (!ov.sentences?.length && !ov.table && !ov.guide) return null;
  let guide = null;
  if (ov.guide) {
    guide = h("p.digest-overview", h("strong", "导读："));
    const g = h("span");
    renderAnswerText(g, ov.guide, citations, [], false);
    guide.append(g);
  }
  const p = h("p.digest-overview", h("strong", "综述："));
  const span = h("span");
  if (ov.sentences?.length) renderAnswerText(span, ov.sentences.map((s) => s.text + s.refs.map((n) => `[${n}]`).join("")).join("；") + "。", citations, [], false);
  p.append(span);
  const tb = ov.table;
  const table = tb ? h("table.digest-table", h("caption", tb.caption),
    h("thead", h("tr", tb.columns.map((c) => h("th", c)))),
    h("tbody", tb.rows.map((row) => h("tr", row.map((cell) => {
      const td = h("td");
      renderAnswerText(td, cell.text + (cell.n ? `[${cell.n}]` : ""), citations, [], false);
      return td;
    }))))) : null;
  return h("div", guide, ov.sentences?.length ? p : null, table);
}

function digestDoc(doc, groups, current) {
  return h("article.card.digest-doc",
    h("h4", doc.title || doc.filename || "（无标题）", doc.moved ? h("span.muted", "（编辑移入）") : null),
    metaLine(doc),
    groups ? moveControl(doc, groups, current) : null,
    doc.reason ? h("div.muted", doc.reason) : null,
    doc.key_points?.length ? h("ol", doc.key_points.map((kp) => {
      const li = h("li");
      const cites = kp.citation ? [kp.citation] : [];
      const body = kp.detail ? kp.text + (/[。！？；：]$/.test(kp.text) ? "" : "：") + kp.detail : kp.text;
      const text = kp.citation && !/\[\d+\]/.test(body) ? `${body}[${kp.citation.n}]` : body;
      renderAnswerText(li, text, cites, [], false);
      return li;
    })) : null,
    doc.interpretation ? h("div.interp", h("strong", "解读："), doc.interpretation) : null);
}

function renderDigest(d) {
  const out = $("#digest-out");
  const topics = d.topics || [];
  const count = topics.reduce((n, t) => n + (t.documents?.length || 0), 0);
  const undated = d.undated?.length || 0;
  const dl = d.downloads || {};
  // Groups with documents, plus the chosen topics (so a document can be moved into one).
  const shown = topics.filter((t) => t.documents?.length);
  const names = topics.map((t) => t.name);
  const citations = shown.flatMap((t) => t.documents.flatMap((doc) => (doc.key_points || []).map((kp) => kp.citation)));
  clear(out,
    h("div.result-head", h("span#digest-summary", `${d.title || d.label || d.quarter || ""}：共收录 ${count} 篇文件` +
      (undated ? `，另有 ${undated} 篇未标明日期` : ""))),
    dl.docx || dl.md ? h("div.downloads",
      dl.docx ? h("a", { href: dl.docx, download: "" }, "下载 Word（.docx）") : null,
      dl.md ? h("a", { href: dl.md, download: "" }, "下载 Markdown") : null) : null,
    count || undated ? null : h("div.empty", "该季度没有符合条件的文件"),
    shown.map((t, i) => h("section.digest-topic",
      h("h3", t.name,
        h("button.dg-rename", { type: "button", title: "重命名分组", onclick: () => {
          const name = (window.prompt("分组新名称", t.name) || "").trim();
          if (name && name !== t.name) changeLayout({ rename: { old: t.name, new: name } });
        } }, "改名"),
        i > 0 ? h("button.dg-up", { type: "button", title: "上移", onclick: () => {
          const order = shown.map((x) => x.name);
          [order[i - 1], order[i]] = [order[i], order[i - 1]];
          changeLayout({ order });
        } }, "上移") : null),
      t.description ? h("p.muted", t.description) : null,
      overviewBlock(t, citations),
      t.documents?.length ? t.documents.map((doc) => digestDoc(doc, names, t.name)) : h("div.muted", "本季度该分组没有文件"))),
    d.undated?.length ? h("section.digest-topic", h("h3", "未标明日期的文件"), d.undated.map((doc) => digestDoc(doc))) : null);
}

// ---------------------------------------------------------------- 引文核对

const VERIFY_STATUS = {
  exact: { cls: "ok", label: "一致" },
  close: { cls: "warn", label: "有出入" },
  not_found: { cls: "err", label: "未找到" },
};
const statusOf = (item) => VERIFY_STATUS[item.status] || VERIFY_STATUS.not_found;

/** `text` with each of `pieces` marked where it occurs, in order; a piece that could stand
 *  in more than one place is left unmarked rather than marked in the wrong one. */
function markedPieces(text, pieces, cls) {
  const out = [];
  let pos = 0;
  for (const p of pieces) {
    if (!p) continue;
    const at = text.indexOf(p, pos);
    if (at < 0 || text.indexOf(p, at + 1) >= 0) continue;
    if (at > pos) out.push(text.slice(pos, at));
    out.push(h(`mark.${cls}`, p));
    pos = at + p.length;
  }
  out.push(text.slice(pos));
  return out;
}

function differenceLine(d) {
  const q = (cls, t) => ["「", h(`span.${cls}`, t), "」"];
  if (d.op === "changed") return h("li", "文稿", q("d-draft", d.draft), " → 原文", q("d-src", d.source));
  if (d.op === "missing") return h("li", "漏引", q("d-src", d.source));
  if (d.op === "added") return h("li", "多出", q("d-draft", d.draft));
  return h("li", `${d.op}：`, d.draft || "", " / ", d.source || "");
}

/** 《title》 · 文号 · 发文机关 · 日期 · 章节 › 条目 · 第 n 页 */
function sourceLine(src) {
  const m = src.metadata || {};
  const parts = [
    m.doc_no && h("span.m-no", m.doc_no),
    m.issuer && h("span.m-issuer", m.issuer),
    m.date && h("span.m-date", formatDate(m.date)),
    src.section_path?.length && h("span.m-path", pathText(src.section_path)),
    src.page && h("span.m-page", `第 ${src.page} 页`),
  ].filter(Boolean);
  return h("span.src-line", h("strong.src-title", `《${titleOf(src)}》`), parts.map((p) => [h("span.sep", { "aria-hidden": "true" }, " · "), p]));
}

function verifyCard(item, n) {
  const st = statusOf(item);
  const src = item.source;
  const diffs = item.differences || [];
  const claimText = markedPieces(item.text, diffs.filter((d) => d.op !== "missing").map((d) => d.draft), "diff-draft");
  const card = h(`li.verify-item.${st.cls}#verify-item-${n}`, { tabindex: "-1", dataset: { status: item.status } },
    h("div.verify-item-head",
      h("span.verify-n", String(n)),
      h(`span.badge.${st.cls}`, item.label || st.label),
      h("span.muted", item.kind === "quote" ? "引号内引文" : "引述政策的句子"),
      item.status === "close" && item.similarity ? h("span.muted", `相似度 ${Math.round(item.similarity * 100)}%`) : null),
    h("div.claim-text", item.kind === "quote" ? ["“", claimText, "”"] : claimText),
    diffs.length ? h("ul.diffs", { "aria-label": "与原文的差异" }, diffs.map(differenceLine)) : null,
    src
      ? h("button.verify-source", {
        type: "button", title: "在原文中查看", "aria-label": `在原文中查看：《${titleOf(src)}》`,
        onclick: () => openPassage(src, [], [[src.quote_start, src.quote_end]]),
      },
      h("span.src-label", "出处"),
      sourceLine(src),
      src.quote ? h("span.src-quote", h("span.src-label", "原文"),
        markedPieces(src.quote, diffs.filter((d) => d.op !== "added").map((d) => d.source), "diff-src")) : null,
      h("span.src-open", "点击查看原文上下文 ›"))
      : h("div.no-source", "知识库中未找到出处"),
  );
  return card;
}

/** The draft with each checked claim marked by its status, numbered like the cards. */
function annotatedDraft(draft, items) {
  const out = [];
  let pos = 0;
  items.forEach((item, i) => {
    if (item.start < pos || item.end > draft.length || item.end <= item.start) return;
    const st = statusOf(item);
    const claim = draft.slice(item.start, item.end);
    out.push(draft.slice(pos, item.start));
    // The number is an inline span, not a <button> (an inline block), and is kept on the line
    // of the claim's last character: a line must not start with it or with the closing
    // quotation mark or full stop after it.
    const toCard = () => {
      const card = $(`#verify-item-${i + 1}`);
      card.scrollIntoView({ block: "center" });
      card.focus({ preventScroll: true });
    };
    const number = h("span.claim-n", {
      role: "button", tabindex: "0", "aria-label": `第 ${i + 1} 处：${item.label || st.label}，查看核对结果`,
      onclick: toCard,
      onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toCard(); } },
    }, String(i + 1));
    out.push(h(`mark.claim.${st.cls}`, { title: item.label || st.label },
      claim.slice(0, -1), h("span.nobr", claim.slice(-1), number)));
    pos = item.end;
  });
  out.push(draft.slice(pos));
  return h("div.verify-draft-text#verify-draft", out);
}

function renderVerify(draft, r) {
  const items = [...(r.items || [])].sort((a, b) => a.start - b.start);
  const c = r.counts || {};
  const count = (k) => c[k] ?? items.filter((i) => i.status === k).length;
  const out = $("#verify-out");
  if (!items.length) {
    clear(out, h("div.empty#verify-summary", "文稿中没有找到需要核对的引文或引述政策的句子"));
    return;
  }
  const sum = (k) => h(`span.sum.${VERIFY_STATUS[k].cls}`, `${VERIFY_STATUS[k].label} ${count(k)}`);
  clear(out,
    h("div.result-head", h("span#verify-summary", `共 ${items.length} 处：`, sum("exact"), "，", sum("close"), "，", sum("not_found"))),
    count("not_found") ? note("warn", "未找到出处的引文，请向撰稿人核实来源，或确认相关文件已导入知识库。") : null,
    h("div.verify-layout",
      h("section.card.verify-draft", { "aria-label": "文稿标注" },
        h("div.sources-title", "文稿标注"), annotatedDraft(draft, items)),
      h("section.verify-results", { "aria-label": "核对结果" },
        h("div.sources-title", "逐处核对结果（点击出处查看原文）"),
        h("ol.verify-items#verify-items", items.map((item, i) => verifyCard(item, i + 1))))));
  // The form can fill the screen: bring the results up.
  out.scrollIntoView({ block: "start" });
}

async function verifyDraft(ev) {
  if (ev) ev.preventDefault();
  const draft = $("#verify-text").value;
  if (!draft.trim()) return;
  const out = $("#verify-out");
  const btn = $("#verify-go");
  btn.disabled = true;
  clear(out, spinner("正在逐处比对知识库原文…"));
  try {
    const r = await api("/api/verify", { method: "POST", body: { text: draft, filters: filtersOf($("[data-filters=verify]")) } });
    renderVerify(draft, r);
  } catch (e) {
    if (e.status === 404 && e.code === "http_404") {
      clear(out, note("info", "引文核对功能暂未开放：当前服务尚未提供核对接口，请联系管理员升级后再试。"));
    } else {
      clear(out, note("err", e.message || "核对失败，请重试"));
    }
  } finally {
    btn.disabled = false;
  }
}

// ---------------------------------------------------------------- start

function debounce(fn, ms) {
  let t;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

function init() {
  for (const b of $$(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  window.addEventListener("hashchange", () => showTab(location.hash.slice(1)));
  $("#ask-form").addEventListener("submit", ask);
  $("#ask-q").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey || !e.shiftKey) && !e.isComposing) {
      e.preventDefault();
      $("#ask-form").requestSubmit();
    }
  });
  $("#search-form").addEventListener("submit", search);
  for (const el of $$("[data-filters=search] select, [data-filters=search] input[type=date]")) {
    el.addEventListener("change", () => { if ($("#search-q").value.trim()) search(); });
  }
  const reload = debounce(() => { lib.offset = 0; loadLibrary(); }, 250);
  $("#lib-form").addEventListener("input", reload);
  $("#lib-form").addEventListener("submit", (e) => { e.preventDefault(); reload(); });
  $("#digest-form").addEventListener("submit", makeDigest);
  $("#verify-form").addEventListener("submit", verifyDraft);
  $("#verify-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.isComposing) {
      e.preventDefault();
      $("#verify-form").requestSubmit();
    }
  });
  $("#drawer-close").addEventListener("click", closeDrawer);
  $("#drawer-backdrop").addEventListener("click", closeDrawer);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && !$("#drawer").hidden) closeDrawer(); });
  setupUpload();
  setupKbs();
  quarterOptions();
  loadOptions();
  showTab(location.hash.slice(1) || "ask");
}

document.addEventListener("DOMContentLoaded", init);
