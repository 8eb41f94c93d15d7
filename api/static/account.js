/* Who is signed in (top bar), sign-out, and the audit view for administrators. Loaded after
   app.js and uses its helpers (api, h, clear, formValues, apiHeaders, TABS). */
"use strict";

TABS.push("audit");

const ROLE_NAMES = { reader: "读者", editor: "编辑", admin: "管理员" };
const VIA = { account: "账户", key: "密钥", "env-key": "配置密钥", cli: "命令行", anonymous: "未启用登录", unknown: "未识别" };
const OUTCOMES = { ok: "成功", denied: "拒绝", failed: "失败" };
const ACTIONS = {
  login: "登录", logout: "退出", search: "检索", ask: "问答", verify: "引文核对", read: "阅读文档", upload: "上传",
  edit: "修改", delete: "删除", export: "导出", admin: "管理操作", "account.create": "创建账户",
  "account.update": "修改账户", "key.create": "创建密钥", "key.revoke": "吊销密钥", request: "访问",
};

async function loadMe() {
  let me;
  try {
    me = await api("/api/auth/me");
  } catch (_) {
    return;  // 401: app.js sends the page to the sign-in form
  }
  if (!me.open) {
    clear($("#account-chip"),
      h("span#account-name", `${me.name}（${ROLE_NAMES[me.role] || me.role}）`),
      h("button#logout", { type: "button", onclick: signOut }, "退出"));
    $("#account-chip").hidden = false;
  }
  if (me.role === "admin") $("#tab-audit").hidden = false;
}

async function signOut() {
  try { await fetch("/api/auth/logout", { method: "POST" }); } catch (_) { /* signing out anyway */ }
  localStorage.removeItem("policykb.apiKey");
  location.assign("/login");
}

function localTime(at) {
  const d = new Date(at);
  return isNaN(d) ? at : d.toLocaleString("zh-CN", { hour12: false });
}

async function loadAudit(event) {
  if (event) event.preventDefault();
  const out = $("#audit-results");
  clear(out, spinner("正在读取审计记录…"));
  try {
    const data = await api("/api/audit", { query: { ...formValues($("#audit-form")), limit: 500 } });
    if (!data.events.length) {
      clear(out, h("div.empty", "没有符合条件的记录"));
      return;
    }
    const rows = data.events.map((e) => h("tr",
      h("td.nowrap", localTime(e.at)),
      h("td", e.who, h("div.form-hint", VIA[e.via] || e.via)),
      h("td.nowrap", ACTIONS[e.action] || e.action),
      h("td", e.target || "—"),
      h(`td.nowrap.outcome-${e.outcome}`, OUTCOMES[e.outcome] || e.outcome, e.status ? ` ${e.status}` : ""),
      h("td.nowrap", e.ip || "—")));
    clear(out, h("p.form-hint", `共 ${data.events.length} 条（最新在前）`), h("div.audit-table-wrap",
      h("table.doc-table.audit-table",
        h("thead", h("tr", ["时间", "操作者", "操作", "对象", "结果", "来源"].map((t) => h("th", t)))),
        h("tbody", rows))));
  } catch (e) {
    clear(out, note("err", e.message));
  }
}
window.loadAudit = loadAudit;

async function exportAudit() {
  const q = new URLSearchParams(formValues($("#audit-form")));
  const resp = await fetch("/api/audit.csv?" + q, { headers: apiHeaders() });
  if (!resp.ok) {
    toast((await errorFrom(resp)).message);
    return;
  }
  const url = URL.createObjectURL(await resp.blob());
  const a = h("a", { href: url, download: "审计记录.csv" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

document.addEventListener("DOMContentLoaded", () => {
  $("#audit-form").addEventListener("submit", loadAudit);
  $("#audit-csv").addEventListener("click", exportAudit);
  loadMe();
});
