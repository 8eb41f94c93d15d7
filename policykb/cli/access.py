"""`policykb users`, `policykb keys` and `policykb audit`: accounts, API keys and the audit
trail of the installation ($POLICYKB_HOME/access.sqlite). Changes made here are recorded in
the trail as done by the operating-system user, via the command line."""
from __future__ import annotations

import getpass
import sys
from typing import Any

import click

from policykb.cli.common import fail, print_json

ROLE = click.Choice(["reader", "editor", "admin"])
kbs_option = click.option("--kb", "kbs", multiple=True, help="可使用的知识库（可重复）；不给则全部")


def _open() -> tuple[Any, Any]:
    from policykb.audit import AuditTrail
    from policykb.auth import AccessStore
    from policykb.config import load_settings

    store = AccessStore.for_home(load_settings().home)
    return store, AuditTrail(store)


def _operator() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "cli"


def _change(action: str, target: str, run: Any) -> Any:
    """Run a change and record it, refused or not."""
    from policykb.auth import AuthError

    store, trail = _open()
    try:
        result = run(store)
    except AuthError as exc:
        trail.record(_operator(), "cli", action, target=target, outcome="failed", detail=str(exc))
        fail(str(exc))
    trail.record(_operator(), "cli", action, target=target)
    return result


# Commands whose use the trail records, as the actions the HTTP API records for the same work.
_COMMAND_ACTIONS = {("ingest",): "upload", ("docs", "delete"): "delete", ("docs", "edit"): "edit",
                    ("search",): "search", ("ask",): "ask",
                    ("verify",): "verify", ("digest",): "export"}


def _command_call(argv: list[str]) -> tuple[tuple[str, ...], dict[str, Any], list[str]]:
    """(command path, parameter values, positional argument names) of a command line, parsed
    by click itself without running anything."""
    from policykb.cli import main

    path: list[str] = []
    cmd: click.Command = main
    rest = list(argv)
    while isinstance(cmd, click.Group):
        words = [a for a in rest if not a.startswith("-")]
        if not words:
            return tuple(path), {}, []
        sub = cmd.get_command(click.Context(cmd), words[0])
        if sub is None:
            return tuple(path), {}, []
        path.append(words[0])
        rest = rest[rest.index(words[0]) + 1:]
        cmd = sub
    with cmd.make_context(" ".join(path), rest, resilient_parsing=True) as ctx:
        params = dict(ctx.params)
    return tuple(path), params, [p.name for p in cmd.params if isinstance(p, click.Argument) and p.name]


def record_command(argv: list[str], code: int) -> None:
    """Record a document command run from the command line (who: the system user). Never
    fails the command: whoever runs it can reach the files anyway."""
    words = [a for a in argv if not a.startswith("-")]
    if not (_COMMAND_ACTIONS.get(tuple(words[:2])) or _COMMAND_ACTIONS.get(tuple(words[:1]))):
        return
    if "--help" in argv or "-h" in argv:
        return
    try:
        from policykb.config import load_settings

        path, params, arguments = _command_call(argv)
        action = _COMMAND_ACTIONS.get(path)
        if not action:
            return
        values = [params.get(name) for name in arguments]
        target = " ".join(" ".join(v) if isinstance(v, (tuple, list)) else str(v) for v in values if v)
        store, trail = _open()
        trail.record(_operator(), "cli", action, target=target, kb=params.get("kb") or load_settings().kb,
                     outcome="ok" if code == 0 else "failed", detail=f"exit {code}" if code else "")
        store.close()
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        click.echo(f"警告：未能写入审计记录：{exc}", err=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


# ---------------------------------------------------------------------- users


@click.group()
def users() -> None:
    """账户管理（登录网页的人）。第一个管理员在这里创建。"""


@users.command("create")
@click.argument("name")
@click.option("--role", type=ROLE, default="reader", show_default=True)
@kbs_option
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（脚本用）")
@click.option("--json", "as_json", is_flag=True)
def users_create(name: str, role: str, kbs: tuple[str, ...], password_stdin: bool, as_json: bool) -> None:
    """创建账户，如：policykb users create 张三 --role admin"""
    password = _password(password_stdin)
    account = _change("account.create", name, lambda s: s.create_account(name, password, role, kbs))
    if as_json:
        print_json(account)
    else:
        click.echo(f"已创建账户 {account['name']}（{role}）")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
def users_list(as_json: bool) -> None:
    """列出账户。"""
    accounts = _open()[0].list_accounts()
    if as_json:
        print_json({"accounts": accounts})
        return
    for a in accounts:
        flags = "".join(["（已停用）" if a["disabled"] else "", "（已锁定）" if a["locked"] else ""])
        click.echo(f"{a['name']}  {a['role']:6}  {','.join(a['kbs']) or '全部知识库'}  "
                   f"最近登录 {a['last_login'] or '—'}{flags}")
    click.echo(f"共 {len(accounts)} 个账户")


@users.command("set")
@click.argument("name")
@click.option("--role", type=ROLE, default=None)
@kbs_option
@click.option("--all-kbs", is_flag=True, help="可使用全部知识库")
@click.option("--disable/--enable", "disabled", default=None, help="停用或启用账户")
@click.option("--unlock", is_flag=True, help="解除登录失败锁定")
def users_set(name: str, role: str | None, kbs: tuple[str, ...], all_kbs: bool, disabled: bool | None,
              unlock: bool) -> None:
    """修改账户的角色、知识库、停用状态，或解锁。"""
    new_kbs = [] if all_kbs else (list(kbs) if kbs else None)
    _change("account.update", name, lambda s: s.update_account(name, role=role, kbs=new_kbs, disabled=disabled,
                                                                unlock=unlock))
    click.echo(f"已更新账户 {name}")


@users.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（脚本用）")
def users_passwd(name: str, password_stdin: bool) -> None:
    """重设账户密码（同时解除锁定，原有登录失效）。"""
    password = _password(password_stdin)
    _change("account.update", name, lambda s: s.update_account(name, password=password))
    click.echo(f"已重设 {name} 的密码")


# ---------------------------------------------------------------------- keys


@click.group()
def keys() -> None:
    """访问密钥（程序调用接口用）：create / list / revoke。"""


@keys.command("create")
@click.option("--name", required=True, help="密钥名称（记录在审计中）")
@click.option("--role", type=ROLE, default="reader", show_default=True)
@kbs_option
@click.option("--json", "as_json", is_flag=True, help='输出 {"id", "key", "name", "role"}')
def keys_create(name: str, role: str, kbs: tuple[str, ...], as_json: bool) -> None:
    """创建密钥。密钥只显示这一次，登记库只保存其散列值。"""
    record, secret = _change("key.create", name, lambda s: s.create_key(name, role, kbs, created_by=_operator()))
    if as_json:
        print_json({"id": record["id"], "key": secret, "name": record["name"], "role": record["role"]})
        return
    click.echo(f"已创建密钥 {record['id']}（{name}，{role}）。请立即保存，之后无法再次查看：")
    click.echo(secret)


@keys.command("list")
@click.option("--json", "as_json", is_flag=True)
def keys_list(as_json: bool) -> None:
    """列出密钥（不含密钥本身）。"""
    items = _open()[0].list_keys()
    if as_json:
        print_json({"keys": items})
        return
    for k in items:
        state = f"已吊销 {k['revoked_at']}" if k["revoked_at"] else f"最近使用 {k['last_used'] or '—'}"
        click.echo(f"{k['id']}  {k['name']}  {k['role']:6}  {','.join(k['kbs']) or '全部知识库'}  {state}")
    click.echo(f"共 {len(items)} 个密钥")


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """吊销密钥（立即失效）。"""
    key = _change("key.revoke", key_id, lambda s: s.revoke_key(key_id))
    click.echo(f"已吊销密钥 {key['id']}（{key['name']}）")


# ---------------------------------------------------------------------- audit


@click.command()
@click.option("--since", default=None, help="起始时间：2026-12-01、2026-12-01T08:00、24h、7d")
@click.option("--who", default=None, help="操作者（账户或密钥名称）")
@click.option("--action", default=None, help="操作，如 login、search、upload、key")
@click.option("--outcome", type=click.Choice(["ok", "denied", "failed"]), default=None)
@click.option("--limit", default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help='输出 {"events": [...]}')
@click.option("--csv", "as_csv", is_flag=True, help="输出 CSV（可用 Excel 打开）")
def audit(since: str | None, who: str | None, action: str | None, outcome: str | None, limit: int, as_json: bool,
          as_csv: bool) -> None:
    """审计记录：谁在何时做了什么、对象与结果（最新在前）。"""
    from policykb.audit import ACTION_NAMES, SinceError, to_csv

    try:
        events = _open()[1].events(since=since, who=who, action=action, outcome=outcome, limit=limit)
    except SinceError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from exc
    if as_json:
        print_json({"events": events})
        return
    if as_csv:
        click.echo(to_csv(events).lstrip("\ufeff"), nl=False)
        return
    outcomes = {"ok": "成功", "denied": "拒绝", "failed": "失败"}
    for e in events:
        click.echo(f"{e['at']}  {e['who']}（{e['via']}）  {ACTION_NAMES.get(e['action'], e['action'])}  "
                   f"{e['target'] or '-'}  {outcomes.get(e['outcome'], e['outcome'])}"
                   f"{' ' + str(e['status']) if e['status'] else ''}")
    click.echo(f"共 {len(events)} 条")
