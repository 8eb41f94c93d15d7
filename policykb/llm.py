"""A chat model behind any OpenAI-compatible endpoint (vLLM, Ollama, Xinference, a
provider's /v1): one small class, two client libraries.

`llm_client = "llama-index"` (default) speaks through llama-index's `OpenAILike`;
`"openai"` through the `openai` package directly. Both are imported on first use. Every
failure (timeout, refused connection, HTTP error, a body that is not a completion)
becomes `LLMError`, whose `reason` is a short Chinese phrase for the user's notice.
Retries are off by default: the extractive answerer is the fallback, not a second wait.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from policykb.config import Settings

Messages = list[dict[str, str]]  # [{"role": "system" | "user" | "assistant", "content": …}]


class LLMError(RuntimeError):
    """The model could not give an answer. `kind`: timeout | connection | http |
    bad_response | empty | config | busy (too many calls queued, policykb/llm_gate.py)."""

    def __init__(self, reason: str, kind: str = "bad_response", status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.status = status
        self.detail: str | None = None  # for logs, not for users


@dataclass(frozen=True)
class LLMConfig:
    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    temperature: float = 0.1
    max_tokens: int = 1024
    client: str = "llama-index"
    max_retries: int = 0
    concurrency: int = 4
    queue: int = 8
    queue_wait: float = 15.0
    stream_timeout: float = 180.0

    @classmethod
    def from_settings(cls, s: "Settings") -> "LLMConfig":
        if not s.llm_base_url:
            raise LLMError("未配置大模型服务地址（POLICYKB_LLM_BASE_URL）", kind="config")
        return cls(
            base_url=s.llm_base_url.rstrip("/"), model=s.llm_model, api_key=s.llm_api_key,
            timeout=s.llm_timeout, temperature=s.llm_temperature, max_tokens=s.llm_max_tokens,
            client=s.llm_client, max_retries=s.llm_max_retries, concurrency=s.llm_concurrency,
            queue=s.llm_queue, queue_wait=s.llm_queue_wait, stream_timeout=s.llm_stream_timeout,
        )


_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL)


def strip_think(text: str) -> str:
    """Reasoning models (DeepSeek-R1, Qwen3) may put their reasoning in <think>…</think>."""
    return _THINK.sub("", text).strip()


class ThinkFilter:
    """The streaming form of `strip_think`: feed deltas, get the visible part of each."""

    def __init__(self) -> None:
        self.buf = ""
        self.inside = False

    def feed(self, delta: str) -> str:
        self.buf += delta
        out = ""
        while self.buf:
            tag = "</think>" if self.inside else "<think>"
            i = self.buf.find(tag)
            if i >= 0:
                if not self.inside:
                    out += self.buf[:i]
                self.buf = self.buf[i + len(tag):]
                self.inside = not self.inside
                continue
            # keep a possible partial tag at the end for the next delta
            keep = next((k for k in range(len(tag) - 1, 0, -1) if self.buf.endswith(tag[:k])), 0)
            if not self.inside:
                out += self.buf[: len(self.buf) - keep]
            self.buf = self.buf[len(self.buf) - keep:] if keep else ""
            break
        return out


def _finish_reason(chunk: Any) -> str | None:
    choices = getattr(chunk, "choices", None)
    if chunk is None:
        return "unknown"  # a client that hides the raw chunk: nothing to check
    return next((ch.finish_reason for ch in choices or [] if getattr(ch, "finish_reason", None)), None)


def _translate(exc: BaseException, config: LLMConfig) -> LLMError:
    import httpx
    import openai

    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, (openai.APITimeoutError, httpx.TimeoutException)):
        return LLMError(f"请求超时（{config.timeout:g} 秒）", kind="timeout")
    if isinstance(exc, openai.APIStatusError):
        return LLMError(f"服务返回错误 HTTP {exc.status_code}", kind="http", status=exc.status_code)
    if isinstance(exc, (openai.APIConnectionError, httpx.TransportError)):
        return LLMError(f"无法连接 {config.base_url}", kind="connection")
    err = LLMError("返回内容无法解析", kind="bad_response")
    err.detail = f"{type(exc).__name__}: {exc}"[:300]
    return err


class LLM:
    """`chat(messages) -> str`, `stream(messages) -> deltas`, `models() -> ids`."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self._client: Any = None
        self._lock = threading.Lock()
        from policykb.llm_gate import ModelGate

        self.gate = ModelGate(config.concurrency, config.queue, config.queue_wait)

    @classmethod
    def from_settings(cls, settings: "Settings") -> "LLM":
        return cls(LLMConfig.from_settings(settings))

    @property
    def name(self) -> str:
        return f"llm:{self.config.model}"

    # ---- the two client libraries ----------------------------------------------------

    def _get(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._make()
        return self._client

    def _make(self) -> Any:
        c = self.config
        key = c.api_key or "EMPTY"  # local servers ignore it; the clients insist on one
        if c.client == "openai":
            import openai

            return openai.OpenAI(base_url=c.base_url, api_key=key, timeout=c.timeout, max_retries=c.max_retries)
        if c.client == "llama-index":
            from llama_index.llms.openai_like import OpenAILike

            return OpenAILike(
                model=c.model, api_base=c.base_url, api_key=key, timeout=c.timeout,
                max_retries=c.max_retries, temperature=c.temperature, max_tokens=c.max_tokens,
                is_chat_model=True, is_function_calling_model=False, context_window=32768,
            )
        raise LLMError(f"未知的 llm_client：{c.client}（可选 llama-index、openai）", kind="config")

    def _chat_messages(self, messages: Messages) -> Any:
        from llama_index.core.llms import ChatMessage

        return [ChatMessage(role=m["role"], content=m["content"]) for m in messages]

    # ---- calls -------------------------------------------------------------------------

    @contextmanager
    def _slot(self) -> Iterator[None]:
        from policykb.llm_gate import Busy

        try:
            with self.gate.slot():
                yield
        except Busy as exc:
            raise LLMError(str(exc), kind="busy") from None

    def chat(self, messages: Messages) -> str:
        with self._slot():
            return self._chat(messages)

    def _chat(self, messages: Messages) -> str:
        c = self.config
        try:
            client = self._get()
            if c.client == "openai":
                resp = client.chat.completions.create(
                    model=c.model, messages=messages, temperature=c.temperature, max_tokens=c.max_tokens,
                )
                if isinstance(resp, str) or not getattr(resp, "choices", None):
                    raise LLMError("返回内容无法解析（没有 choices）")
                text = resp.choices[0].message.content
            else:
                text = client.chat(self._chat_messages(messages)).message.content
        except Exception as exc:  # noqa: BLE001 - every client failure is one typed error
            raise _translate(exc, c) from exc
        text = strip_think(text or "")
        if not text:
            raise LLMError("返回了空回答", kind="empty")
        return text

    def stream(self, messages: Messages) -> Iterator[str]:
        """Visible deltas as they arrive; raises LLMError (possibly after some deltas),
        also when the whole answer takes longer than `stream_timeout`."""
        with self._slot():
            deadline = time.monotonic() + self.config.stream_timeout
            for delta in self._stream(messages):
                if time.monotonic() > deadline:
                    raise LLMError(f"回答超时（超过 {self.config.stream_timeout:g} 秒）", kind="timeout")
                yield delta

    def _stream(self, messages: Messages) -> Iterator[str]:
        c = self.config
        think = ThinkFilter()
        got = False
        finished: str | None = None
        try:
            client = self._get()
            if c.client == "openai":
                chunks = client.chat.completions.create(
                    model=c.model, messages=messages, temperature=c.temperature, max_tokens=c.max_tokens,
                    stream=True,
                )
                pairs = ((ch, ch.choices[0].delta.content if getattr(ch, "choices", None) else "") for ch in chunks)
            else:
                pairs = ((r.raw, r.delta) for r in client.stream_chat(self._chat_messages(messages)))
            for raw, delta in pairs:
                finished = finished or _finish_reason(raw)
                visible = think.feed(delta or "")
                if visible:
                    got = True
                    yield visible
        except Exception as exc:  # noqa: BLE001
            raise _translate(exc, c) from exc
        if finished is None:
            # The connection closed before the model said it was done: a cut-off answer.
            raise LLMError("回答中途中断", kind="bad_response")
        if not got:
            raise LLMError("返回了空回答", kind="empty")

    def models(self) -> list[str]:
        """Model ids the endpoint serves (GET /models): the cheap "does it answer?" check."""
        import httpx

        c = self.config
        headers = {"Authorization": f"Bearer {c.api_key}"} if c.api_key else {}
        try:
            resp = httpx.get(f"{c.base_url}/models", headers=headers, timeout=min(c.timeout, 10.0))
            resp.raise_for_status()
            return [str(m.get("id")) for m in resp.json().get("data", [])]
        except httpx.HTTPStatusError as exc:
            raise LLMError(f"服务返回错误 HTTP {exc.response.status_code}", kind="http",
                           status=exc.response.status_code) from exc
        except httpx.TimeoutException as exc:
            raise LLMError(f"请求超时（{min(c.timeout, 10.0):g} 秒）", kind="timeout") from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"无法连接 {c.base_url}", kind="connection") from exc
        except (ValueError, AttributeError) as exc:
            raise LLMError("返回内容无法解析（/models）") from exc


_cache: dict[LLMConfig, LLM] = {}
_cache_lock = threading.Lock()


def llm_for(settings: "Settings") -> LLM:
    """One client per configuration per process (the HTTP connection pool is reused)."""
    config = LLMConfig.from_settings(settings)
    with _cache_lock:
        if config not in _cache:
            _cache[config] = LLM(config)
        return _cache[config]
