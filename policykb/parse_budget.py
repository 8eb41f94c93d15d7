"""One file's parse in a worker process, with a time and a memory budget.

A hostile or broken file can make a parser recurse without end, run for minutes, eat all
memory or crash the interpreter. Parsing in a worker process bounds all of that to the
one file: the worker is killed when the file's time is up, its address space is capped,
and whatever goes wrong comes back as that file's `IngestError`, so the batch goes on. It
also keeps a large parse from holding the server's GIL while health and search answer.

Workers are plain `python -m policykb.parse_budget` processes that stay up and parse one
file after another (a few milliseconds of overhead per file), talking pickled
(path, options) → result frames over their stdin and stdout. Not `multiprocessing`: its
spawn and forkserver modes re-import the caller's main script, which breaks any script
that calls `ingest` at top level, and fork copies a server's threads.
"""
from __future__ import annotations

import atexit
import logging
import os
import queue
import subprocess
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from policykb.ingest.types import IngestError, ParsedDocument

log = logging.getLogger("policykb.ingest")

TIMEOUT = "解析超时（超过 {seconds:g} 秒），文件可能过于复杂或已损坏，已跳过"
TOO_BIG = "解析此文件所需内存超过上限（{mb} MB），文件可能过于复杂或是压缩炸弹，已跳过"
CRASHED = "解析此文件时出错（{what}），已跳过，其他文件不受影响"
START_TIMEOUT = 120.0  # a cold start on a busy machine imports the parsers slowly

_PRELOAD = ("bs4", "lxml.etree", "pypdf", "docx", "charset_normalizer")


class WorkerUnavailable(RuntimeError):
    """No worker process could be started (the caller may parse in-process instead)."""


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        # The worker imports what this process imports, from where it imports it.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "policykb.parse_budget", str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True, env=env,
        )
        from policykb.index.priority import lower_child

        lower_child(self.proc.pid)  # in the server, parsing and OCR yield to queries
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.to_child = Connection(os.dup(self.proc.stdin.fileno()), readable=False)
        self.from_child = Connection(os.dup(self.proc.stdout.fileno()), writable=False)
        self.proc.stdin.close()
        self.proc.stdout.close()
        try:
            if not self.from_child.poll(START_TIMEOUT) or self.from_child.recv() != "ready":
                raise EOFError
        except (EOFError, OSError):
            self.kill()
            raise WorkerUnavailable(f"parse worker did not start (exit code {self.proc.returncode})") from None

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for conn in (self.to_child, self.from_child):
            conn.close()


class _Pool:
    """Idle workers by memory cap; at most `size` parses at once."""

    def __init__(self, size: int) -> None:
        self.slots = threading.BoundedSemaphore(size)
        self.idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self.all: set[_Worker] = set()
        self.lock = threading.Lock()

    def take(self, memory_mb: int) -> _Worker:
        kept = []
        worker = None
        while worker is None:
            try:
                w = self.idle.get_nowait()
            except queue.Empty:
                break
            if w.memory_mb == memory_mb and w.proc.poll() is None:
                worker = w
            else:
                kept.append(w)
        for w in kept:
            self.idle.put(w)
        if worker is None:
            worker = _Worker(memory_mb)
            with self.lock:
                self.all.add(worker)
        return worker

    def give_back(self, worker: _Worker) -> None:
        self.idle.put(worker)

    def discard(self, worker: _Worker) -> None:
        worker.kill()
        with self.lock:
            self.all.discard(worker)

    def close(self) -> None:
        with self.lock:
            workers, self.all = list(self.all), set()
        for w in workers:
            try:
                w.kill()
            except OSError:
                pass


# Parses running at once, whatever the number of uploading clients: each may take a core.
_pool = _Pool(max(2, os.cpu_count() or 2))
atexit.register(_pool.close)


def parse_in_worker(path: str | Path, *, timeout: float, memory_mb: int, **kwargs: Any) -> ParsedDocument:
    """`parse_file(path, **kwargs)` in a worker process; IngestError for anything that
    goes wrong: the file's own error, a timeout (code "timeout"), memory exhausted
    ("too_complex") or a crash ("parse_error"). WorkerUnavailable when no worker starts."""
    with _pool.slots:
        worker = _pool.take(memory_mb)
        try:
            worker.to_child.send((str(path), kwargs))
            if not worker.from_child.poll(timeout):
                _pool.discard(worker)
                log.warning("parse of %s killed after %.0f s", path, timeout)
                raise IngestError(path, TIMEOUT.format(seconds=timeout), code="timeout")
            kind, payload = worker.from_child.recv()
        except (EOFError, OSError):  # died without a word: killed for memory, or a segfault
            code = worker.proc.poll()
            _pool.discard(worker)
            log.warning("parse worker died on %s (exit code %s)", path, code)
            raise IngestError(path, CRASHED.format(what=f"解析进程意外退出，代码 {code}"),
                              code="parse_error") from None
        if kind == "error" and payload[1] == "too_complex":
            _pool.discard(worker)  # after a MemoryError its heap is suspect
        else:
            _pool.give_back(worker)
    if kind == "ok":
        return payload
    if kind == "error":
        reason, code = payload
        raise IngestError(path, reason, code=code)
    log.warning("parse of %s failed: %s", path, payload)
    raise IngestError(path, CRASHED.format(what=payload.split(":")[0]), code="parse_error")


# ---- the worker side --------------------------------------------------------------------


def _parse_one(path: str, kwargs: dict[str, Any], memory_mb: int) -> tuple[str, Any]:
    from policykb.ingest.pipeline import parse_file

    try:
        return "ok", parse_file(path, **kwargs)
    except IngestError as exc:
        return "error", (exc.reason, exc.code)
    except MemoryError:
        return "error", (TOO_BIG.format(mb=memory_mb), "too_complex")
    except Exception as exc:  # noqa: BLE001 - anything else is this file's problem
        return "crash", f"{type(exc).__name__}: {str(exc)[:200]}"


def _serve(memory_mb: int) -> None:
    import importlib
    import resource

    if memory_mb > 0:
        limit = memory_mb * 2**20
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass  # a platform without it: the time budget still holds
    requests = Connection(0, writable=False)
    replies = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # a library's stray print goes to stderr, not into the reply frames
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    importlib.import_module("policykb.ingest.pipeline")
    replies.send("ready")
    while True:
        try:
            path, kwargs = requests.recv()
        except (EOFError, OSError):
            return  # the parent closed the pipe or exited
        result = _parse_one(path, kwargs, memory_mb)
        try:
            replies.send(result)
        except MemoryError:
            replies.send(("error", (TOO_BIG.format(mb=memory_mb), "too_complex")))


if __name__ == "__main__":
    _serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
