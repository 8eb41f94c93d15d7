/* Sign-in page: posts name and password; the server answers with an HttpOnly session cookie. */
"use strict";

function nextUrl() {
  const next = new URLSearchParams(location.search).get("next") || "/";
  // Only a path on this server: never an open redirect to another site.
  return next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function showError(text) {
  const box = document.getElementById("login-error");
  box.textContent = text;
  box.hidden = !text;
}

async function signIn(event) {
  event.preventDefault();
  const button = document.getElementById("login-submit");
  button.disabled = true;
  showError("");
  try {
    const resp = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        name: document.getElementById("login-name").value.trim(),
        password: document.getElementById("login-password").value,
      }),
    });
    if (resp.ok) {
      localStorage.removeItem("policykb.apiKey");
      location.replace(nextUrl());
      return;
    }
    let message = `登录失败（${resp.status}）`;
    try { message = (await resp.json()).error.message || message; } catch (_) { /* not JSON */ }
    showError(message);
    document.getElementById("login-password").select();
  } catch (_) {
    showError("无法连接到知识库服务，请检查服务是否在运行");
  } finally {
    button.disabled = false;
  }
}

function useKey() {
  const key = document.getElementById("login-key").value.trim();
  if (!key) return;
  localStorage.setItem("policykb.apiKey", key);
  location.replace(nextUrl());
}

document.getElementById("login-form").addEventListener("submit", signIn);
document.getElementById("login-key-save").addEventListener("click", useKey);
