"""A bounded queue for searches and asks: at most `search_concurrency` run at once, at most
`search_queue` wait behind them (for up to `search_queue_wait` s); anyone beyond gets a 503
「系统繁忙，请稍后再试」 at once instead of an ever-longer wait. A pure ASGI middleware on
the event loop: waiting costs no thread, and a streamed answer holds its slot until it ends.
The requests admitted are counted in index/priority.QUERIES, which background embedding
yields to."""
from __future__ import annotations

import asyncio
import json
from typing import Any, Awaitable, Callable

from policykb.index.priority import QUERIES

BUSY_MESSAGE = "系统繁忙，请稍后再试"
GATED = {("POST", "/api/search"), ("POST", "/api/ask")}

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class AdmissionGate:
    def __init__(self, app: Any, concurrency: int, queue: int, wait: float) -> None:
        self.app = app
        self.concurrency = max(1, concurrency)
        self.queue = max(0, queue)
        self.wait = wait
        self._slots: asyncio.Semaphore | None = None
        self.waiting = 0
        self.running = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"].rstrip("/")) not in GATED:
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made on the server's own event loop
            self._slots = asyncio.Semaphore(self.concurrency)
        if self.running >= self.concurrency and self.waiting >= self.queue:
            await self._busy(send)
            return
        self.waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=self.wait)
        except asyncio.TimeoutError:
            self.waiting -= 1
            await self._busy(send)
            return
        self.waiting -= 1
        self.running += 1
        QUERIES.enter()
        try:
            await self.app(scope, receive, send)
        finally:
            QUERIES.leave()
            self.running -= 1
            self._slots.release()

    async def _busy(self, send: Send) -> None:
        self.refused += 1
        body = json.dumps({"error": {"code": "busy", "message": BUSY_MESSAGE}}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"retry-after", b"1")]})
        await send({"type": "http.response.body", "body": body})


def install(app: Any, concurrency: int, queue: int, wait: float) -> None:
    app.add_middleware(AdmissionGate, concurrency=concurrency, queue=queue, wait=wait)
