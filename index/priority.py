"""Queries first: how background work (the vector worker) gives the CPU to searches.

Two levers, both measured by bench/load.py (a lone search while documents are embedded):
- the background thread's passages are embedded in a thread of the lowest scheduling
  priority (Linux `nice` is per thread, and the model's OpenMP threads it starts inherit
  it), so the kernel runs queries first. Only the model runs there: the worker's registry
  writes keep the normal priority, because a starved thread holding the registry's lock
  would make every search wait for it;
- between batches it waits until no search or ask has been in flight for `quiet` seconds
  (`QUERIES`, counted by the HTTP admission gate, api/admission.py), for at most `max_wait`
  so it is never starved: one user searching back to back leaves gaps of a few ms between
  requests, and a batch started in such a gap would slow the next search.
"""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

BACKGROUND_NICE = 19  # the lowest priority: embedding can always wait


class Activity:
    """How many queries are being served right now, process-wide."""

    def __init__(self) -> None:
        self._n = 0
        self._last = 0.0  # monotonic time the last query left
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def enter(self) -> None:
        with self._lock:
            self._n += 1

    def leave(self) -> None:
        with self._lock:
            self._n -= 1
            self._last = time.monotonic()
            if self._n <= 0:
                self._n = 0
                self._idle.notify_all()

    @property
    def in_flight(self) -> int:
        return self._n

    def wait_idle(self, max_wait: float, quiet: float = 0.0) -> bool:
        """Block until no query has been in flight for `quiet` seconds (True) or `max_wait`
        passed (False)."""
        deadline = time.monotonic() + max_wait
        with self._lock:
            while True:
                now = time.monotonic()
                calm = quiet - (now - self._last)
                if self._n == 0 and calm <= 0:
                    return True
                left = deadline - now
                if left <= 0:
                    return False
                self._idle.wait(min(left, calm) if self._n == 0 else left)


QUERIES = Activity()
_mode = threading.local()


def mark_background() -> None:
    """The calling thread does background work: its model calls run at low priority."""
    _mode.background = True


def in_background() -> bool:
    return bool(getattr(_mode, "background", False))


_low: ThreadPoolExecutor | None = None
_low_lock = threading.Lock()


def low_priority() -> ThreadPoolExecutor:
    """One thread, at the lowest priority, for the background's model calls."""
    global _low
    with _low_lock:
        if _low is None:
            _low = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policykb-background-model",
                                      initializer=lower_this_thread)
        return _low


def lower_this_thread(increment: int = BACKGROUND_NICE) -> bool:
    """Raise the calling thread's nice value (Linux: per thread; elsewhere the process's).
    Never fails the caller: a platform without it just keeps the normal priority."""
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + increment))
    except (AttributeError, OSError):
        return False
    try:  # Linux SCHED_IDLE: runs only when nothing else wants the CPU (any user may choose it)
        os.sched_setscheduler(tid, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        pass
    return True


# Set by the HTTP server (api/app.py): its parse workers (OCR included) are background work
# too. A command-line `ingest` keeps them at its own priority: there nobody waits on a query.
LOWER_CHILDREN = False


def lower_child(pid: int, increment: int = 10) -> None:
    """Raise a child process's nice value when this process serves queries."""
    if not LOWER_CHILDREN:
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, pid) + increment))
    except (AttributeError, OSError):
        pass
