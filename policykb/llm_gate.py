"""A bounded queue in front of the model: at most `concurrency` calls at once, at most
`queue` more waiting (each no longer than `wait` seconds); anything beyond is told at once
that the model is busy.

Without it a slow model held every server thread: 45 asks at 30 s each left `/api/health`
waiting 29.8 s. With it the calls waiting on the model are bounded, so health, search and
the page keep their threads, and an ask that cannot be served soon gets the extractive
answer with a 「大模型正忙，请稍后再试」 notice instead of a long wait.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

BUSY = "大模型正忙，请稍后再试"


class Busy(Exception):
    """No slot within the wait, or the queue is full."""


class ModelGate:
    def __init__(self, concurrency: int, queue: int, wait: float) -> None:
        self.concurrency = max(1, concurrency)
        self.queue = max(0, queue)
        self.wait = wait
        self._slots = threading.Semaphore(self.concurrency)
        self._lock = threading.Lock()
        self.running = 0
        self.waiting = 0
        self.refused = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the model's slots for the duration of a call; raises Busy."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self.waiting >= self.queue:
                    self.refused += 1
                    raise Busy(BUSY)
                self.waiting += 1
            try:
                got = self._slots.acquire(timeout=self.wait)
            finally:
                with self._lock:
                    self.waiting -= 1
            if not got:
                with self._lock:
                    self.refused += 1
                raise Busy(BUSY)
        with self._lock:
            self.running += 1
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
            self._slots.release()

    def status(self) -> dict[str, int]:
        with self._lock:
            return {"running": self.running, "waiting": self.waiting, "refused": self.refused,
                    "concurrency": self.concurrency, "queue": self.queue}
