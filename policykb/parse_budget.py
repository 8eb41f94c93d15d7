"""One file's parse in a child process, with a time and a memory budget.

A hostile or broken file can make a parser recurse without end, run for minutes, eat all
memory or crash the interpreter. Parsing it in a child process bounds all of that to the
one file: the child is killed when its time is up, its address space is capped, and
whatever goes wrong comes back as that file's `IngestError`, so the batch goes on. It
also keeps a large parse from holding the server's GIL while health and search answer.

Children come from a forkserver with the parsers preloaded: a few milliseconds per file
instead of a fresh interpreter, and never a fork of the server's threads.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from policykb.ingest.types import IngestError, ParsedDocument

log = logging.getLogger("policykb.ingest")

TIMEOUT = "解析超时（超过 {seconds:g} 秒），文件可能过于复杂或已损坏，已跳过"
TOO_BIG = "解析此文件所需内存超过上限（{mb} MB），文件可能过于复杂或是压缩炸弹，已跳过"
CRASHED = "解析此文件时出错（{what}），已跳过，其他文件不受影响"

_PRELOAD = ["policykb.ingest.pipeline", "bs4", "lxml.etree", "pypdf", "docx", "charset_normalizer"]
_context_lock = threading.Lock()
_context: Any = None
# Parses running at once, whatever the number of uploading clients: each may take a core.
_slots = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


def _mp_context() -> Any:
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _context = ctx
        return _context


def _child(conn: Connection, path: str, kwargs: dict[str, Any], memory_mb: int) -> None:
    """Runs in the child: parse, send back the document or the error, exit."""
    import resource

    if memory_mb > 0:
        limit = memory_mb * 2**20
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass  # a platform without it: the time budget still holds
    from policykb.ingest.pipeline import parse_file

    try:
        conn.send(("ok", parse_file(path, **kwargs)))
    except IngestError as exc:
        conn.send(("error", (exc.reason, exc.code)))
    except MemoryError:
        conn.send(("error", (TOO_BIG.format(mb=memory_mb), "too_complex")))
    except BaseException as exc:  # noqa: BLE001 - anything else is this file's problem
        conn.send(("crash", f"{type(exc).__name__}: {str(exc)[:200]}"))
    finally:
        conn.close()


def parse_in_child(path: str | Path, *, timeout: float, memory_mb: int, **kwargs: Any) -> ParsedDocument:
    """`parse_file(path, **kwargs)` in a child process; IngestError for anything that
    goes wrong: the file's own error, a timeout (code "timeout"), memory exhausted
    ("too_complex") or a crash ("parse_error")."""
    with _slots:
        return _parse(path, timeout, memory_mb, kwargs)


def _parse(path: str | Path, timeout: float, memory_mb: int, kwargs: dict[str, Any]) -> ParsedDocument:
    ctx = _mp_context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, str(path), kwargs, memory_mb), daemon=True,
                       name="policykb-parse")
    proc.start()
    send.close()
    try:
        if not receive.poll(timeout):
            proc.kill()
            log.warning("parse of %s killed after %.0f s", path, timeout)
            raise IngestError(path, TIMEOUT.format(seconds=timeout), code="timeout")
        try:
            kind, payload = receive.recv()
        except (EOFError, OSError):  # died without a word: killed for memory, or a segfault
            proc.join(5)
            log.warning("parse of %s died (exit code %s)", path, proc.exitcode)
            raise IngestError(path, CRASHED.format(what=f"解析进程意外退出，代码 {proc.exitcode}"),
                              code="parse_error") from None
    finally:
        receive.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join(1)
    if kind == "ok":
        return payload
    if kind == "error":
        reason, code = payload
        raise IngestError(path, reason, code=code)
    log.warning("parse of %s failed: %s", path, payload)
    raise IngestError(path, CRASHED.format(what=payload.split(":")[0]), code="parse_error")
