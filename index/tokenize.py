"""Chinese tokenisation for keyword search: jieba with a policy-term dictionary.

jieba's first load costs ~0.5-2.6 s, so it is loaded once per process, on first use.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

from policykb.text import fold

_lock = threading.Lock()
_tokenizer = None

_TERMS = Path(__file__).with_name("policy_terms.txt")

# Question words and function words: they carry no topic and make BM25 match everything.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 或 是 在 对 为 以 于 由 将 把 被 从 向 等 之 其 这 那 就 也 都 而 并 且 又
    有 有关 关于 按照 根据 进行 开展 工作 相关 一些 一个 各 各类 各项 以及 如何 怎么 怎样 怎么样
    什么 哪些 哪个 哪里 哪 多少 几 吗 呢 吧 啊 请问 请 问 是否 能否 可以 能 会 要 需要 应该
    应当 可 该 该如何 具体 主要 包括 方面 情况 问题 要求 规定 内容 提出 明确 谁 何 何时
    什么样 为什么 多长 多久 多长时间 时间 时候 哪些方面 哪几 如果 我 我们 你 您 他们 本 此 上 下 中 内 外 后 前 时 年 月 日 个 条 项
    """.split()
)

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)


def _get():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                tok.load_userdict(str(_TERMS))
                _tokenizer = tok
    return _tokenizer


def tokenize(text: str, *, sub_words: bool = True) -> list[str]:
    """Tokens, stopwords and punctuation removed. With `sub_words` (search mode) a long
    word also yields its parts (绍兴市 → 绍兴, 绍兴市), so the index matches either form."""
    tok = _get()
    out: list[str] = []
    words = tok.cut_for_search(fold(text)) if sub_words else tok.cut(fold(text))
    for word in words:
        word = word.strip()
        if not word or word in STOPWORDS or _PUNCT.match(word):
            continue
        out.append(word)
    return out


def index_text(text: str) -> str:
    """The space-joined token string stored in the FTS5 table."""
    return " ".join(tokenize(text))


def add_terms(terms: list[str]) -> None:
    """Domain terms from the user (e.g. a local 文号 prefix) become single tokens."""
    tok = _get()
    for term in terms:
        tok.add_word(term, freq=20)
