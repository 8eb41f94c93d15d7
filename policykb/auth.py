"""Who may use the library: accounts for people (argon2 password hashes, lock-out after
repeated failures, sessions), API keys for programs (stored as SHA-256 of a random secret),
each with a role and the knowledge bases it may use.

Everything lives in one SQLite file per installation (`$POLICYKB_HOME/access.sqlite`), not in
a knowledge base's registry: one account reaches several libraries, and the libraries a
principal may use is part of the principal. The audit trail (policykb/audit.py) shares the
file so that an account change and its audit entry commit together.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROLES = ("reader", "editor", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
ROLE_NAMES = {"reader": "读者", "editor": "编辑", "admin": "管理员"}

MAX_FAILURES = 5            # failed sign-ins in a row before the account locks
LOCK_SECONDS = 15 * 60
SESSION_SECONDS = 12 * 3600
MIN_PASSWORD = 8
KEY_PREFIX = "pkb_"

# Numbered like the registry's migrations; applied on open, never edited.
SCHEMA: list[str] = [
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
        kbs_json TEXT NOT NULL DEFAULT '[]',       -- [] = every knowledge base
        disabled INTEGER NOT NULL DEFAULT 0,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until REAL NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        last_login TEXT
    );
    CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('reader', 'editor', 'admin')),
        kbs_json TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL DEFAULT '',
        revoked_at TEXT,
        last_used TEXT
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        expires_at REAL NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        via TEXT NOT NULL,          -- account | key | env-key | cli | anonymous | unknown
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        kb TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL,      -- ok | denied | failed
        status INTEGER,
        ip TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_at ON audit(at);
    CREATE INDEX audit_who ON audit(who, at);
    -- Append-only: an entry can be neither changed nor removed through SQL.
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
    """,
]


class AuthError(Exception):
    """A refusal with a Chinese message, a stable code and the HTTP status it maps to."""

    def __init__(self, message: str, code: str = "unauthorized", status: int = 401) -> None:
        super().__init__(message)
        self.code, self.status = code, status


@dataclass(frozen=True)
class Principal:
    """Whoever makes a request: an account, a key, the configured POLICYKB_API_KEY, the
    command line, or nobody while the installation has no accounts (open mode)."""

    name: str
    via: str
    role: str
    kbs: tuple[str, ...] = ()       # () = every knowledge base
    id: str = ""
    open: bool = field(default=False)

    def may(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def may_use(self, kb: str) -> bool:
        return not self.kbs or kb in self.kbs


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_loopback(host: str) -> bool:
    """Whether `serve --host` only listens on this machine."""
    import ipaddress

    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_hash(secret: str) -> str:
    # Keys and session tokens are 256-bit random: a fast hash is enough (no dictionary to
    # attack), and it lets a request be checked with one indexed lookup.
    return hashlib.sha256(secret.encode()).hexdigest()


def check_role(role: str) -> str:
    if role not in ROLE_RANK:
        raise AuthError(f"未知角色：{role}（可选 reader、editor、admin）", "bad_role", 400)
    return role


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or any(c.isspace() or ord(c) < 32 for c in name):
        raise AuthError("名称须为 1–64 个字符，不含空格", "bad_name", 400)
    return name


def check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise AuthError(f"密码至少 {MIN_PASSWORD} 个字符", "weak_password", 400)
    if len(password) > 256:
        raise AuthError("密码过长（最多 256 个字符）", "bad_password", 400)
    return password


def _kbs(value: str) -> tuple[str, ...]:
    return tuple(json.loads(value or "[]"))


class AccessStore:
    """Accounts, keys, sessions and the audit table of one installation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.lock = threading.RLock()
        self._hasher: Any = None
        self._dummy: str | None = None
        self._migrate()

    @property
    def hasher(self) -> Any:
        # Loaded on first use: the audit trail and key checks need no password hashing.
        if self._hasher is None:
            from argon2 import PasswordHasher

            self._hasher = PasswordHasher()
        return self._hasher

    def _dummy_hash(self) -> str:
        # Verifying against this when the name is unknown keeps the time of a failed
        # sign-in the same whether or not the account exists.
        if self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_hex(8))
        return self._dummy

    @classmethod
    def for_home(cls, home: Path) -> "AccessStore":
        return cls(Path(home) / "access.sqlite")

    def _migrate(self) -> None:
        with self.lock:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(SCHEMA[version:], start=version + 1):
                try:
                    self.db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")
                except Exception:
                    if self.db.in_transaction:
                        self.db.rollback()
                    raise

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------------ state

    def is_closed(self) -> bool:
        """True once any account or unrevoked key exists: from then on every request must
        carry valid credentials."""
        with self.lock:
            row = self.db.execute(
                "SELECT EXISTS(SELECT 1 FROM accounts) OR EXISTS(SELECT 1 FROM api_keys WHERE revoked_at IS NULL)"
            ).fetchone()
        return bool(row[0])

    def has_accounts(self) -> bool:
        with self.lock:
            return bool(self.db.execute("SELECT EXISTS(SELECT 1 FROM accounts)").fetchone()[0])

    # ------------------------------------------------------------------ accounts

    def create_account(self, name: str, password: str, role: str, kbs: list[str] | tuple[str, ...] = ()) -> dict:
        name, role = check_name(name), check_role(role)
        pw_hash = self.hasher.hash(check_password(password))
        with self.lock:
            try:
                self.db.execute(
                    "INSERT INTO accounts (name, password_hash, role, kbs_json, created_at) VALUES (?, ?, ?, ?, ?)",
                    (name, pw_hash, role, json.dumps(list(kbs), ensure_ascii=False), now_iso()),
                )
            except sqlite3.IntegrityError as exc:
                raise AuthError(f"账户 {name} 已存在", "exists", 409) from exc
        return self.get_account(name)

    def get_account(self, name: str) -> dict:
        with self.lock:
            row = self.db.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AuthError(f"账户不存在：{name}", "not_found", 404)
        return self._account(row)

    @staticmethod
    def _account(row: sqlite3.Row) -> dict:
        return {"name": row["name"], "role": row["role"], "kbs": list(_kbs(row["kbs_json"])),
                "disabled": bool(row["disabled"]), "locked": row["locked_until"] > time.time(),
                "created_at": row["created_at"], "last_login": row["last_login"]}

    def list_accounts(self) -> list[dict]:
        with self.lock:
            rows = self.db.execute("SELECT * FROM accounts ORDER BY name").fetchall()
        return [self._account(r) for r in rows]

    def update_account(self, name: str, *, role: str | None = None, kbs: list[str] | None = None,
                       disabled: bool | None = None, password: str | None = None,
                       unlock: bool = False) -> dict:
        account = self.get_account(name)
        demoted = (role is not None and role != "admin") or bool(disabled)
        if account["role"] == "admin" and not account["disabled"] and demoted and self._active_admins() <= 1:
            raise AuthError("不能停用或降级最后一个管理员账户：请先为其他账户授予管理员角色", "last_admin", 409)
        sets: list[str] = []
        args: list[Any] = []
        if role is not None:
            sets.append("role = ?")
            args.append(check_role(role))
        if kbs is not None:
            sets.append("kbs_json = ?")
            args.append(json.dumps(list(kbs), ensure_ascii=False))
        if disabled is not None:
            sets.append("disabled = ?")
            args.append(int(disabled))
        if password is not None:
            sets.append("password_hash = ?")
            args.append(self.hasher.hash(check_password(password)))
        if unlock or password is not None:
            sets.append("failures = 0, locked_until = 0")
        if not sets:
            return account
        with self.lock:
            self.db.execute("BEGIN")
            self.db.execute(f"UPDATE accounts SET {', '.join(sets)} WHERE name = ?", (*args, name))
            if disabled or password is not None or role is not None or kbs is not None:
                # A changed account signs in again: old sessions carry old rights.
                self.db.execute("DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE name = ?)",
                                (name,))
            self.db.execute("COMMIT")
        return self.get_account(name)

    def _active_admins(self) -> int:
        with self.lock:
            return self.db.execute("SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND disabled = 0").fetchone()[0]

    def sign_in(self, name: str, password: str) -> Principal:
        """Check a password; count failures and lock the account after MAX_FAILURES."""
        from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

        wrong = AuthError("用户名或密码错误", "bad_credentials", 401)
        with self.lock:
            row = self.db.execute("SELECT * FROM accounts WHERE name = ?", ((name or "").strip(),)).fetchone()
        if row is None:
            try:
                self.hasher.verify(self._dummy_hash(), password or "")
            except VerificationError:
                pass
            raise wrong
        now = time.time()
        if row["locked_until"] > now:
            minutes = max(1, round((row["locked_until"] - now) / 60))
            raise AuthError(f"连续登录失败次数过多，账户已锁定，请约 {minutes} 分钟后再试或联系管理员解锁",
                            "account_locked", 429)
        try:
            self.hasher.verify(row["password_hash"], password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            failures = row["failures"] + 1
            locked_until = now + LOCK_SECONDS if failures >= MAX_FAILURES else 0
            with self.lock:
                self.db.execute("UPDATE accounts SET failures = ?, locked_until = ? WHERE id = ?",
                                (0 if locked_until else failures, locked_until, row["id"]))
            if locked_until:
                raise AuthError(f"连续 {MAX_FAILURES} 次登录失败，账户已锁定 {LOCK_SECONDS // 60} 分钟",
                                "account_locked", 429)
            raise wrong
        if row["disabled"]:
            raise AuthError("账户已停用，请联系管理员", "account_disabled", 403)
        updates = "failures = 0, locked_until = 0, last_login = ?"
        args: list[Any] = [now_iso()]
        if self.hasher.check_needs_rehash(row["password_hash"]):
            updates += ", password_hash = ?"
            args.append(self.hasher.hash(password))
        with self.lock:
            self.db.execute(f"UPDATE accounts SET {updates} WHERE id = ?", (*args, row["id"]))
        return Principal(row["name"], "account", row["role"], _kbs(row["kbs_json"]), str(row["id"]))

    # ------------------------------------------------------------------ sessions

    def start_session(self, principal: Principal) -> str:
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.db.execute("DELETE FROM sessions WHERE expires_at < ?", (time.time(),))
            self.db.execute("INSERT INTO sessions VALUES (?, ?, ?)",
                            (token_hash(token), int(principal.id), time.time() + SESSION_SECONDS))
        return token

    def session(self, token: str) -> Principal | None:
        with self.lock:
            row = self.db.execute(
                "SELECT a.* FROM sessions s JOIN accounts a ON a.id = s.account_id "
                "WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0",
                (token_hash(token), time.time()),
            ).fetchone()
        if row is None:
            return None
        return Principal(row["name"], "account", row["role"], _kbs(row["kbs_json"]), str(row["id"]))

    def end_session(self, token: str) -> None:
        with self.lock:
            self.db.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))

    # ------------------------------------------------------------------ keys

    def create_key(self, name: str, role: str, kbs: list[str] | tuple[str, ...] = (),
                   created_by: str = "") -> tuple[dict, str]:
        """A new key: its record and the secret, which is shown this once and never stored."""
        name, role = check_name(name), check_role(role)
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        key_id = secrets.token_hex(4)
        with self.lock:
            self.db.execute(
                "INSERT INTO api_keys (id, name, key_hash, role, kbs_json, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key_id, name, token_hash(secret), role, json.dumps(list(kbs), ensure_ascii=False), now_iso(),
                 created_by),
            )
        return self.get_key(key_id), secret

    def get_key(self, key_id: str) -> dict:
        with self.lock:
            row = self.db.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if row is None:
            raise AuthError(f"访问密钥不存在：{key_id}", "not_found", 404)
        return self._key(row)

    @staticmethod
    def _key(row: sqlite3.Row) -> dict:
        return {"id": row["id"], "name": row["name"], "role": row["role"], "kbs": list(_kbs(row["kbs_json"])),
                "created_at": row["created_at"], "created_by": row["created_by"], "revoked_at": row["revoked_at"],
                "last_used": row["last_used"]}

    def list_keys(self, include_revoked: bool = True) -> list[dict]:
        sql = "SELECT * FROM api_keys" + ("" if include_revoked else " WHERE revoked_at IS NULL")
        with self.lock:
            rows = self.db.execute(sql + " ORDER BY created_at, id").fetchall()
        return [self._key(r) for r in rows]

    def revoke_key(self, key_id: str) -> dict:
        key = self.get_key(key_id)
        if key["revoked_at"] is None:
            with self.lock:
                self.db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", (now_iso(), key_id))
        return self.get_key(key_id)

    def key(self, secret: str) -> Principal | None:
        if not secret.startswith(KEY_PREFIX):
            return None
        with self.lock:
            row = self.db.execute("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                                  (token_hash(secret),)).fetchone()
            if row is not None and (row["last_used"] or "")[:16] != now_iso()[:16]:
                # At most one write a minute per key: last_used is for people, not a log.
                self.db.execute("UPDATE api_keys SET last_used = ? WHERE id = ?", (now_iso(), row["id"]))
        if row is None:
            return None
        return Principal(row["name"], "key", row["role"], _kbs(row["kbs_json"]), row["id"])
