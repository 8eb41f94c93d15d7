"""Signing in through the page, in a real headless Chromium against a real `policykb serve`
whose installation has accounts: the page sends a visitor to the Chinese sign-in form,
keeps the session in an HttpOnly SameSite cookie, shows who is signed in, gives
administrators the audit view, and signs out."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import policykb_server
from tests.test_web_ui import ARGS, CHROMIUM, DESKTOP, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (/usr/bin/chromium); CI installs it"),
]
PASSWORD = "correct horse 1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from policykb.auth import AccessStore

    home: Path = tmp_path_factory.mktemp("browser-access") / "home"
    store = AccessStore.for_home(home)
    store.create_account("办公室管理员", PASSWORD, "admin")
    store.create_account("reader", PASSWORD, "reader")
    store.close()
    with policykb_server(home) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def sign_in(page, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("账户").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_sign_in_audit_view_and_sign_out(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Not signed in: the page sends the visitor to the sign-in form, remembering where to.
    page.goto(f"{server}/#library")
    page.wait_for_url("**/login?next=*")
    assert page.get_by_role("heading", name="登录").is_visible()
    sign_in(page, "办公室管理员", "wrong password")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "用户名或密码错误"
    shot(page, "login-error-1280")

    sign_in(page, "办公室管理员", PASSWORD)
    page.wait_for_url(f"{server}/#library")
    page.locator("#account-name").wait_for()
    assert page.locator("#account-name").inner_text() == "办公室管理员（管理员）"
    cookie = next(c for c in context.cookies() if c["name"] == "policykb_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "policykb_session" not in page.evaluate("document.cookie")

    # Administrators see the audit view: the failed and the successful sign-in are there.
    page.get_by_role("tab", name="审计").click()
    table = page.locator("#audit-results table")
    table.wait_for()
    rows = table.locator("tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert any("登录" in t and "拒绝" in t and "办公室管理员" in t for t in texts), texts
    assert any("登录" in t and "成功" in t for t in texts), texts
    page.locator("#audit-form select[name=outcome]").select_option("denied")
    page.get_by_role("button", name="查询").click()
    page.wait_for_function("!document.querySelector('#audit-results').innerText.includes('成功 200')")
    shot(page, "audit-1280")

    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/login")
    page.goto(f"{server}/#ask")
    page.wait_for_url("**/login?next=*")
    assert not [c for c in context.cookies() if c["name"] == "policykb_session"]
    assert not errors, errors
    context.close()


def test_a_reader_has_no_audit_view(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server}/login")
    sign_in(page, "reader", PASSWORD)
    page.wait_for_url(f"{server}/")
    page.locator("#account-name").wait_for()
    assert page.locator("#account-name").inner_text() == "reader（读者）"
    assert page.locator("#tab-audit").is_hidden()
    context.close()
