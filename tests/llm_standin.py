"""A scripted stand-in for an OpenAI-compatible model server, for tests.

A real HTTP server on 127.0.0.1 (random port, own thread) that speaks the parts of the
protocol our clients use: GET /v1/models and POST /v1/chat/completions, plain JSON or
`stream=true` server-sent events. Each completion request takes the next behaviour from a
queue (`standin.script(...)`); with the queue empty it plays `standin.default`. Every
request body is kept in `standin.requests` for assertions.

Behaviours:
    Reply(text or fn(request) -> text, delay=0, chunk_delay=0)
    Fail(status=500)                    an error status with an OpenAI-style error body
    Malformed()                         200 with a body that is not JSON (or, streaming,
                                        a data: line that is not JSON)
    BrokenStream(text)                  streams `text`, then drops the connection
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Union

MODEL = "standin-qwen"

Text = Union[str, Callable[[dict[str, Any]], str]]


@dataclass
class Reply:
    text: Text
    delay: float = 0.0  # before the response starts
    chunk_delay: float = 0.0  # between streamed chunks
    chunk_chars: int = 6


@dataclass
class Fail:
    status: int = 500
    message: str = "internal error"


@dataclass
class Malformed:
    pass


@dataclass
class BrokenStream:
    text: str


Behaviour = Union[Reply, Fail, Malformed, BrokenStream]

_PASSAGE = re.compile(r'<资料 编号="(\d+)">\n(.*?)\n</资料>', re.DOTALL)


def passages(request: dict[str, Any]) -> dict[int, str]:
    """The numbered passages in a request's prompt: {n: text (without the source line)}."""
    user = next(m["content"] for m in reversed(request["messages"]) if m["role"] == "user")
    out = {}
    for m in _PASSAGE.finditer(user):
        lines = m.group(2).split("\n", 1)
        out[int(m.group(1))] = lines[1] if len(lines) > 1 else lines[0]
    return out


def first_sentence(text: str) -> str:
    m = re.search(r"[^。！？\n]{6,}[。！？]", text)
    return (m.group(0) if m else text[:60]).strip()


def quoting(n: int = 1) -> Callable[[dict[str, Any]], str]:
    """A good answer: the first sentence of passage n, cited [n] (before the full stop)."""
    def answer(request: dict[str, Any]) -> str:
        s = first_sentence(passages(request)[n])
        return s[:-1] + f"[{n}]" + s[-1]
    return answer


class StandIn:
    def __init__(self) -> None:
        self.queue: deque[Behaviour] = deque()
        self.default: Behaviour = Reply(quoting(1))
        self.requests: list[dict[str, Any]] = []
        self.model_requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # ---- control ----------------------------------------------------------------------

    def script(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self.queue.extend(behaviours)

    def reset(self) -> None:
        with self._lock:
            self.queue.clear()
            self.requests.clear()
            self.default = Reply(quoting(1))

    def next(self) -> Behaviour:
        with self._lock:
            return self.queue.popleft() if self.queue else self.default

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "StandIn":
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # a streamed body ends when the connection closes

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/") == "/v1/models":
                    standin.model_requests += 1
                    self._json(200, {"object": "list", "data": [
                        {"id": MODEL, "object": "model", "created": 0, "owned_by": "standin"}]})
                else:
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

            def do_POST(self) -> None:
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                with standin._lock:
                    standin.requests.append(body)
                try:
                    standin._respond(self, body, standin.next())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _json(self, status: int, data: Any) -> None:
                raw = json.dumps(data, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # ---- the protocol ------------------------------------------------------------------

    def _respond(self, h: Any, request: dict[str, Any], b: Behaviour) -> None:
        stream = bool(request.get("stream"))
        if isinstance(b, Fail):
            h._json(b.status, {"error": {"message": b.message, "type": "server_error", "code": b.status}})
            return
        if isinstance(b, Malformed):
            if stream:
                self._sse_head(h)
                h.wfile.write(b"data: {\"id\": \"x\", \"choices\": [{\"delta\": {\"content\": \n\n")
                h.wfile.flush()
                return
            raw = b'{"id": "chatcmpl-x", "choices": [{"message": {"content": "\xe6\x9c\xaa'
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(raw)))
            h.end_headers()
            h.wfile.write(raw)
            return
        if isinstance(b, BrokenStream):
            self._sse_head(h)
            h.wfile.write(self._chunk(b.text))
            h.wfile.flush()
            h.connection.shutdown(2)  # no [DONE], no finish_reason: the stream just stops
            return
        text = b.text(request) if callable(b.text) else b.text
        if b.delay:
            time.sleep(b.delay)
        if not stream:
            h._json(200, {
                "id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()),
                "model": request.get("model", MODEL),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })
            return
        self._sse_head(h)
        h.wfile.write(self._chunk("", role=True))
        for i in range(0, len(text), b.chunk_chars):
            if b.chunk_delay:
                time.sleep(b.chunk_delay)
            h.wfile.write(self._chunk(text[i:i + b.chunk_chars]))
            h.wfile.flush()
        h.wfile.write(self._chunk(None, finish=True))
        h.wfile.write(b"data: [DONE]\n\n")
        h.wfile.flush()

    @staticmethod
    def _sse_head(h: Any) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.end_headers()

    @staticmethod
    def _chunk(text: str | None, *, role: bool = False, finish: bool = False) -> bytes:
        delta: dict[str, Any] = {}
        if role:
            delta["role"] = "assistant"
        if text is not None:
            delta["content"] = text
        data = {
            "id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if finish else None}],
        }
        return b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n"
