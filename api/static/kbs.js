/* Several knowledge bases: the library chosen in the top bar goes with every request
   (?kb=NAME); the search form can search all libraries at once. Uses app.js's helpers. */
"use strict";

const kbState = { names: [], current: localStorage.getItem("policykb.kb") || "" };

function withKb(query) {
  return kbState.current ? { ...(query || {}), kb: kbState.current } : query;
}

function withKbUrl(url) {
  if (!kbState.current) return url;
  return url + (url.includes("?") ? "&" : "?") + "kb=" + encodeURIComponent(kbState.current);
}

async function setupKbs() {
  let r;
  try {
    r = await api("/api/kbs");
  } catch (_) {
    return;  // an older server: one library
  }
  kbState.names = r.kbs;
  if (kbState.current && !r.kbs.includes(kbState.current)) {
    localStorage.removeItem("policykb.kb");
    location.reload();
    return;
  }
  if (r.kbs.length < 2) return;
  const select = h("select#kb-select", { "aria-label": "知识库", title: "选择知识库" },
    r.kbs.map((name) => h("option", { value: name === r.default ? "" : name }, name === r.default ? `${name}（默认）` : name)));
  select.value = kbState.current;
  select.addEventListener("change", () => {
    if (select.value) localStorage.setItem("policykb.kb", select.value);
    else localStorage.removeItem("policykb.kb");
    location.reload();
  });
  $("#kb-status").before(select);
  const all = h("label.inline", h("input", { type: "checkbox", name: "all_kbs", id: "f-all-kbs" }), ` 同时检索全部 ${r.kbs.length} 个知识库`);
  $("[data-filters=search]").append(all);
}

/** The libraries a search should cover: all of them when the box is ticked. */
function searchKbs() {
  const box = $("#f-all-kbs");
  return box && box.checked ? kbState.names : null;
}
