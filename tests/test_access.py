"""Accounts, keys, roles, limits and the audit trail, against a real `policykb serve`.

The role table is generated from the app's own routes: each /api operation is called
without credentials, with a wrong key, and with a reader, editor and admin key, and must
answer 401 / 403 / allowed exactly as api/security.py RULES says. A route added without a
rule fails test_every_route_has_a_rule."""
from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port, policykb_server

ROLES = ("reader", "editor", "admin")
PASSWORD = "correct horse 1"
LEGACY_KEY = "legacy-secret-key"


def _store(home: Path):  # type: ignore[no-untyped-def]
    from policykb.auth import AccessStore

    return AccessStore.for_home(home)


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A server over an empty library with an admin account, a reader account, one key per
    role, a key for another library and a revoked key; tight limits so they can be hit."""
    home = tmp_path_factory.mktemp("access") / "home"
    store = _store(home)
    store.create_account("admin", PASSWORD, "admin")
    store.create_account("读者甲", PASSWORD, "reader")
    store.create_account("locked-out", PASSWORD, "reader")
    keys = {role: store.create_key(f"{role}-bot", role)[1] for role in ROLES}
    keys["other_kb"] = store.create_key("other-kb-bot", "admin", ["另一个库"])[1]
    revoked, keys["revoked"] = store.create_key("old-bot", "admin")
    store.revoke_key(revoked["id"])
    keys["burst"] = store.create_key("burst-bot", "reader")[1]
    store.close()
    env = {"POLICYKB_RATE_LIMIT_PER_MINUTE": "100", "POLICYKB_MAX_REQUEST_MB": "1",
           "POLICYKB_MAX_JSON_KB": "64", "POLICYKB_MAX_UPLOAD_FILES": "2", "POLICYKB_API_KEY": LEGACY_KEY}
    with policykb_server(home, **env) as url:
        with httpx.Client(base_url=url, timeout=30) as admin:
            # No vectors needed here: keep the background worker from loading the model.
            admin.post("/api/status/pause", headers=bearer(keys["admin"])).raise_for_status()
        yield {"url": url, "home": home, "keys": keys}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def raw_post(url: str, path: str, key: str, length: int) -> tuple[int, str]:
    """Headers announcing `length` bytes of multipart body, and no body at all."""
    import socket

    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
                      "Content-Type: multipart/form-data; boundary=x\r\n"
                      f"Content-Length: {length}\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 10:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def operations() -> list[tuple[str, str]]:
    from policykb.api.app import create_app
    from policykb.api.security import api_operations
    from policykb.config import Settings

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(home=Path(tmp)), background_worker=False)
        ops = api_operations(app)
        app.state.access.close()
    return ops


OPERATIONS = operations()


def test_every_route_has_a_rule() -> None:
    from policykb.api.security import RULES

    missing = [op for op in OPERATIONS if op not in RULES]
    stale = [op for op in RULES if op not in OPERATIONS]
    assert not missing, f"routes without an access rule in api/security.py RULES: {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


def call(client: httpx.Client, method: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """The operation with placeholder ids and an empty body: refusals come before the body
    is validated, and an allowed call stops at validation (422) or not-found (404), so the
    table changes nothing in the library."""
    url = re.sub(r"\{[^}]+\}", "nope", path)
    body = {} if method in ("POST", "PATCH", "PUT") else None
    return client.request(method, url, json=body, headers=headers or {})


@pytest.mark.parametrize("method,path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_each_role_against_each_endpoint(secured: dict, method: str, path: str) -> None:
    from policykb.api.security import RULES
    from policykb.auth import ROLE_RANK

    need, _ = RULES[(method, path)]
    keys = secured["keys"]
    with httpx.Client(base_url=secured["url"], timeout=30) as client:
        anonymous = call(client, method, path)
        if need is None:
            assert anonymous.status_code not in (401, 403) and anonymous.status_code < 500, anonymous.text
            return
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.json()["error"]["code"] == "unauthorized"
        for wrong in (bearer("pkb_not-a-key"), bearer(keys["revoked"]), {"X-API-Key": "wrong"}):
            assert call(client, method, path, wrong).status_code == 401
        other = call(client, method, path, bearer(keys["other_kb"]))
        assert other.status_code == 403 and other.json()["error"]["code"] == "forbidden_kb"
        for role in ROLES:
            r = call(client, method, path, bearer(keys[role]))
            if ROLE_RANK[role] < ROLE_RANK[need]:
                assert r.status_code == 403, (role, r.text)
                assert r.json()["error"]["code"] == "forbidden" and "权限不足" in r.json()["error"]["message"]
            else:
                assert r.status_code not in (401, 403, 429) and r.status_code < 500, (role, r.status_code, r.text)
        # The configured POLICYKB_API_KEY keeps working in X-API-Key, as an administrator.
        legacy = call(client, method, path, {"X-API-Key": LEGACY_KEY})
        assert legacy.status_code not in (401, 403) and legacy.status_code < 500, legacy.text


def test_sign_in_sets_an_httponly_samesite_session(secured: dict) -> None:
    with httpx.Client(base_url=secured["url"], timeout=30) as client:
        assert client.get("/api/stats").status_code == 401
        r = client.post("/api/auth/login", json={"name": "读者甲", "password": PASSWORD})
        assert r.status_code == 200 and r.json()["role"] == "reader"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        assert client.get("/api/stats").status_code == 200
        assert client.get("/api/auth/me").json()["name"] == "读者甲"
        assert client.get("/api/audit").status_code == 403
        client.post("/api/auth/logout").raise_for_status()
        client.cookies.clear()
        assert client.get("/api/stats").status_code == 401


def test_repeated_failures_lock_the_account(secured: dict) -> None:
    from policykb.auth import MAX_FAILURES

    with httpx.Client(base_url=secured["url"], timeout=30) as client:
        for _ in range(MAX_FAILURES - 1):
            r = client.post("/api/auth/login", json={"name": "locked-out", "password": "wrong password"})
            assert r.status_code == 401 and r.json()["error"]["message"] == "用户名或密码错误"
        r = client.post("/api/auth/login", json={"name": "locked-out", "password": "wrong password"})
        assert r.status_code == 429 and r.json()["error"]["code"] == "account_locked"
        # Locked: even the right password is refused, until an administrator unlocks.
        r = client.post("/api/auth/login", json={"name": "locked-out", "password": PASSWORD})
        assert r.status_code == 429 and "锁定" in r.json()["error"]["message"]
        unlock = client.patch("/api/accounts/locked-out", json={"unlock": True}, headers=bearer(secured["keys"]["admin"]))
        assert unlock.status_code == 200 and unlock.json()["locked"] is False
        assert client.post("/api/auth/login", json={"name": "locked-out", "password": PASSWORD}).status_code == 200
        # An unknown name answers exactly like a wrong password.
        r = client.post("/api/auth/login", json={"name": "nobody", "password": PASSWORD})
        assert r.status_code == 401 and r.json()["error"]["message"] == "用户名或密码错误"


def test_limits_are_clear_4xx(secured: dict) -> None:
    keys = secured["keys"]
    editor = bearer(keys["editor"])
    with httpx.Client(base_url=secured["url"], timeout=30) as client:
        # Size from Content-Length, refused before the body is read: the answer comes
        # although only the headers were sent.
        status, body = raw_post(secured["url"], "/api/documents", keys["editor"], 5 * 2**20)
        assert status == 413 and "上限" in json.loads(body)["error"]["message"]

        # A body without Content-Length (chunked) is cut off once it passes the cap.
        def chunks() -> Iterator[bytes]:
            for _ in range(200):
                yield b" " * 8192

        r = client.post("/api/search", headers={**editor, "Content-Type": "application/json"}, content=chunks())
        assert r.status_code == 413 and r.json()["error"]["message"].startswith("请求内容超过上限")
        files = [("files", (f"{i}.txt", "关于开展学习的通知\n\n内容。".encode(), "text/plain")) for i in range(3)]
        r = client.post("/api/documents", headers=editor, files=files)
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_many_files"
        r = client.post("/api/search", headers=editor, json={"query": "培训" * 1500})
        assert r.status_code == 422 and "query" in r.json()["error"]["message"]
        r = client.post("/api/search", headers=editor, json={"query": "培训", "top_k": 1000})
        assert r.status_code == 422 and "top_k" in r.json()["error"]["message"]
        # Per-key rate: a burst gets 429 with Retry-After (100 a minute here).
        codes = [client.get("/api/auth/me", headers=bearer(keys["burst"])) for _ in range(230)]
        limited = [r for r in codes if r.status_code == 429]
        assert limited and all(r.status_code in (200, 429) for r in codes)
        assert limited[0].json()["error"]["code"] == "rate_limited" and int(limited[0].headers["retry-after"]) > 0


def test_actions_and_refusals_are_audited(secured: dict) -> None:
    keys = secured["keys"]
    with httpx.Client(base_url=secured["url"], timeout=60) as client:
        client.post("/api/status/pause", headers=bearer(keys["admin"])).raise_for_status()  # no model needed
        client.post("/api/auth/login", json={"name": "admin", "password": "not it"})
        r = client.post("/api/documents", headers=bearer(keys["editor"]), data={"doc_type": "通知"},
                        files=[("files", ("审计测试通知.txt", "关于审计测试的通知\n\n各单位：请做好审计留痕工作。".encode(),
                                          "text/plain"))])
        assert r.status_code == 200, r.text
        doc_id = r.json()["files"][0]["doc_id"]
        hits = client.post("/api/search", headers=bearer(keys["reader"]), json={"query": "审计留痕", "mode": "keyword"})
        assert hits.status_code == 200 and hits.json()["results"]
        assert client.delete(f"/api/documents/{doc_id}", headers=bearer(keys["reader"])).status_code == 403
        assert client.delete(f"/api/documents/{doc_id}", headers=bearer(keys["editor"])).status_code == 200
        created = client.post("/api/keys", headers=bearer(keys["admin"]), json={"name": "报表程序", "role": "reader"})
        assert created.status_code == 200 and created.json()["key"].startswith("pkb_")
        assert client.delete(f"/api/keys/{created.json()['id']}", headers=bearer(keys["admin"])).status_code == 200
        assert client.get("/api/stats").status_code == 401

        events = client.get("/api/audit", params={"limit": 500}, headers=bearer(keys["admin"])).json()["events"]
        seen = {(e["who"], e["action"], e["target"], e["outcome"]) for e in events}
        assert ("admin", "login", "admin", "denied") in seen
        assert ("editor-bot", "upload", "审计测试通知.txt", "ok") in seen
        assert ("reader-bot", "search", "审计留痕", "ok") in seen
        assert ("reader-bot", "delete", doc_id, "denied") in seen
        assert ("editor-bot", "delete", doc_id, "ok") in seen
        assert ("admin-bot", "key.create", "报表程序", "ok") in seen, [e for e in events if e["action"].startswith("key")]
        assert ("admin-bot", "key.revoke", created.json()["id"], "ok") in seen
        assert ("-", "request", "GET /api/stats", "denied") in seen
        assert all(e["at"].endswith("Z") and e["kb"] in ("", "default") for e in events)

        only = client.get("/api/audit", params={"who": "editor-bot", "action": "delete"},
                          headers=bearer(keys["admin"])).json()["events"]
        assert only and {e["who"] for e in only} == {"editor-bot"} and {e["action"] for e in only} == {"delete"}
        csv = client.get("/api/audit.csv", params={"who": "reader-bot"}, headers=bearer(keys["admin"]))
        assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
        lines = csv.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("序号,时间（UTC）,操作者") and any("审计留痕" in line for line in lines[1:])
        assert client.get("/api/audit", params={"since": "yesterday-ish"},
                          headers=bearer(keys["admin"])).status_code == 400

    # The CLI reads the same trail; the table refuses changes to it.
    out = subprocess.run([sys.executable, "-m", "policykb", "audit", "--who", "editor-bot", "--json"],
                         env={"POLICYKB_HOME": str(secured["home"]), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    cli_events = json.loads(out.stdout)["events"]
    assert {e["action"] for e in cli_events} >= {"upload", "delete"}
    db = sqlite3.connect(secured["home"] / "access.sqlite")
    for sql in ("UPDATE audit SET who = 'someone else'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            db.execute(sql)
    db.close()


def test_keys_and_users_from_the_command_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from policykb.cli import main

    home = tmp_path / "home"
    runner = CliRunner()

    def cli(*args: str, stdin: str = ""):  # type: ignore[no-untyped-def]
        return runner.invoke(main, list(args), input=stdin, env={"POLICYKB_HOME": str(home)})

    # Nothing protected yet: serving beyond this machine is refused unless --insecure.
    refused = cli("serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert refused.exit_code == 1 and "--insecure" in refused.stderr and "users create" in refused.stderr
    made = cli("users", "create", "局办管理员", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    assert cli("users", "create", "x", "--password-stdin", stdin="short\n").exit_code == 1
    key = cli("keys", "create", "--name", "同步程序", "--role", "editor", "--kb", "default", "--json")
    assert key.exit_code == 0, key.output
    data = json.loads(key.stdout)
    assert set(data) == {"id", "key", "name", "role"} and data["role"] == "editor" and data["key"].startswith("pkb_")
    listed = cli("keys", "list", "--json")
    assert data["key"] not in listed.stdout and json.loads(listed.stdout)["keys"][0]["kbs"] == ["default"]
    # Stored hashed: the secret appears nowhere in the database file; the password neither.
    raw = (home / "access.sqlite").read_bytes()
    assert data["key"].encode() not in raw and PASSWORD.encode() not in raw
    row = sqlite3.connect(home / "access.sqlite").execute("SELECT password_hash FROM accounts").fetchone()
    assert row[0].startswith("$argon2id$")
    assert cli("keys", "revoke", data["id"]).exit_code == 0
    assert json.loads(cli("keys", "list", "--json").stdout)["keys"][0]["revoked_at"]
    users = json.loads(cli("users", "list", "--json").stdout)["accounts"]
    assert [(u["name"], u["role"]) for u in users] == [("局办管理员", "admin")]
    trail = json.loads(cli("audit", "--json").stdout)["events"]
    assert [e["action"] for e in trail][::-1] == ["account.create", "account.create", "key.create", "key.revoke"]
    assert trail[-2]["outcome"] == "failed" and all(e["via"] == "cli" for e in trail)


def test_document_commands_are_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `main` records after a command, from the command line as click parses it."""
    from policykb.cli.access import _open, record_command

    monkeypatch.setenv("POLICYKB_HOME", str(tmp_path / "home"))
    record_command(["search", "--mode", "keyword", "-k", "3", "培训 学时", "--kb", "组工"], 0)
    record_command(["docs", "delete", "-y", "abc123"], 1)
    record_command(["ingest", "--no-wait", "a.txt", "b.pdf"], 0)
    record_command(["docs", "list"], 0)
    record_command(["search", "--help"], 0)
    store, trail = _open()
    got = [(e["action"], e["target"], e["kb"], e["outcome"]) for e in trail.events()][::-1]
    store.close()
    assert got == [("search", "培训 学时", "组工", "ok"), ("delete", "abc123", "default", "failed"),
                   ("upload", "a.txt b.pdf", "default", "ok")]


def test_open_until_the_first_account(tmp_path: Path) -> None:
    """No account and no key: the API stays open on loopback as before, but accounts and
    keys are not handed out over HTTP (the first admin comes from the command line)."""
    home = tmp_path / "home"
    home.mkdir()
    with policykb_server(home) as url, httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/api/stats").status_code == 200
        assert client.get("/api/auth/me").json()["open"] is True
        r = client.post("/api/keys", json={"name": "x", "role": "admin"})
        assert r.status_code == 403 and "policykb users create" in r.json()["error"]["message"]
        store = _store(home)
        store.create_account("first", PASSWORD, "admin")
        store.close()
        assert client.get("/api/stats").status_code == 401
        assert client.get("/api/health").status_code == 401


def test_the_last_administrator_stays(tmp_path: Path) -> None:
    from policykb.auth import AuthError

    store = _store(tmp_path)
    store.create_account("一号", PASSWORD, "admin")
    for change in ({"role": "reader"}, {"disabled": True}):
        with pytest.raises(AuthError, match="最后一个管理员"):
            store.update_account("一号", **change)
    store.create_account("二号", PASSWORD, "admin")
    assert store.update_account("一号", role="editor")["role"] == "editor"
    with pytest.raises(AuthError, match="已存在"):
        store.create_account("二号", PASSWORD, "reader")
    store.close()
