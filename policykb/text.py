"""Chinese text, for every part of the project: width folding, sentence ends and spans,
Chinese numerals both ways, and the words that say how a question is asked. Pure
functions, no imports from the rest of the project (ingest, index and policykb all use it).

Sentence splitting comes in the variants callers need, each a parameter of one pattern:
whether ；ends a sentence, whether the ASCII forms !?; count, whether a run of stops (？！)
ends it as one, which closing quotes and brackets after the stop belong to it, and whether
an ellipsis (……) ends it. A line break always ends a sentence.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Literal, overload

# Closing quotes and brackets that follow a stop belong to the sentence (…。” is one).
CLOSERS = "”’」』）)》〕】\"'"


def fold(text: str, *, lower: bool = True) -> str:
    """NFKC (full-width letters and digits to half-width) and, unless `lower` is False,
    lower case."""
    text = unicodedata.normalize("NFKC", text)
    return text.lower() if lower else text


# --------------------------------------------------------------------------- sentences


def stop_chars(*, semicolon: bool = True, ascii: bool = True) -> str:
    """The characters that end a sentence: 。！？, with ；unless `semicolon` is False, and
    their ASCII forms unless `ascii` is False."""
    chars = "。！？" + ("；" if semicolon else "")
    if ascii:
        chars += "!?" + (";" if semicolon else "")
    return chars


def sentence_end(*, semicolon: bool = True, ascii: bool = True, runs: bool = True, closers: str = CLOSERS,
                 ellipsis: bool = False) -> str:
    """Regular-expression source for where a sentence ends (a line break aside): one stop,
    or a run of them when `runs`, or an ellipsis when `ellipsis`; then any `closers`."""
    stop = f"[{re.escape(stop_chars(semicolon=semicolon, ascii=ascii))}]" + ("+" if runs else "")
    if ellipsis:
        stop = f"(?:{stop}|…+)"
    return stop + (f"[{re.escape(closers)}]*" if closers else "")


@cache
def sentence_pattern(*, semicolon: bool = True, ascii: bool = True, runs: bool = True, closers: str = CLOSERS,
                     ellipsis: bool = False) -> re.Pattern[str]:
    """A sentence: text that holds no stop and no line break, then its end if it has one
    (`sentence_end`). Leading and trailing spaces are part of the match."""
    body = re.escape(stop_chars(semicolon=semicolon, ascii=ascii) + ("…" if ellipsis else ""))
    end = sentence_end(semicolon=semicolon, ascii=ascii, runs=runs, closers=closers, ellipsis=ellipsis)
    return re.compile(f"[^{body}\\n]+(?:{end})?")


def sentences(text: str, *, semicolon: bool = True, ascii: bool = True, runs: bool = True,
              closers: str = CLOSERS) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, whitespace trimmed, in order."""
    out = []
    pattern = sentence_pattern(semicolon=semicolon, ascii=ascii, runs=runs, closers=closers)
    for m in pattern.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def sentence_texts(text: str, *, semicolon: bool = True, ascii: bool = True, runs: bool = True,
                   closers: str = CLOSERS) -> list[str]:
    """The sentences of `text` as strings, whitespace trimmed, empty ones left out."""
    return [text[s:e] for s, e in sentences(text, semicolon=semicolon, ascii=ascii, runs=runs, closers=closers)]


# --------------------------------------------------------------------------- numerals

_DIGITS = "零一二三四五六七八九"
# ○, O and ０ stand in for 〇 in typed dates ("二O二O年"); 两 is 二 before a unit.
_CN_DIGITS = {c: i for i, c in enumerate(_DIGITS)} | {"〇": 0, "○": 0, "O": 0, "Ｏ": 0, "０": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def cn_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (1..99; other numbers stay Arabic)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


@overload
def cn_int(text: str, *, date_part: Literal[True]) -> int: ...
@overload
def cn_int(text: str, *, date_part: bool = False) -> int | None: ...


def cn_int(text: str, *, date_part: bool = False) -> int | None:
    """The value of a Chinese numeral: 二〇二六 → 2026 (digit by digit, Arabic digits kept:
    二00五 → 2005), 七十二 → 72, 一百二十 → 120, 两万 → 20000, 十 → 10; None for "".

    `date_part`: a month or a day, as a date is parsed: Arabic digits, or
    [digit]十[digit]; anything else reads 0 (〇五, 一二), so it makes no date."""
    if date_part:
        if all(ch.isdigit() for ch in text):
            return int(text)
        if "十" in text:
            tens, _, units = text.partition("十")
            return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(units, 0) if units else 0)
        return _CN_DIGITS.get(text, 0)
    if not any(c in _CN_UNITS for c in text):
        if len(text) > 1 or text in _CN_DIGITS:
            return int("".join(str(_CN_DIGITS.get(c, c)) for c in text))
        return None
    total, section, digit = 0, 0, None
    for c in text:
        if c in _CN_DIGITS:
            digit = _CN_DIGITS[c]
        elif c == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
    return total + section + (digit or 0)


# --------------------------------------------------------------------------- questions

# Words that say how a question is asked, not what it is about: they carry no evidence
# that a passage answers it (「公务接待能不能上烟酒」 is about 公务接待 and 烟酒).
QUESTION_WORDS = frozenset("""
能不能 不能 能否 可不可以 可以 可否 是否 要不要 需不需要 需要 算不算 算 行不行 准不准 让不让 允许 允不允许
吗 呢 吧 啊 呀 么 嘛 什么 怎么 怎么样 怎样 如何 为什么 为何 哪些 哪个 哪里 哪儿 哪 哪几 几 多少 多久 多长
多大 多高 几个 几种 几类 几项 几次 几天 几年 几条 最多 最少 至少 一般 到底 究竟 具体 请问 一下 有没有 有无
是不是 会不会 有哪些 包括 包括哪些 包含 都有 还能 还 能 会 得 要 该 应该 咋 咋办 怎么办 怎么处理 怎么处分
谁 由谁 何时 什么时候 哪天 哪年 规定 的 了 和 与 及 或 在 对 把 被 给 从 是 有 我 我们 你 他 她 它 这 那 这个 那个
长时间 多长时间 哪几种 哪几项 哪几类 有几种 啥 咋样
""".split())

# Characters that glue a question's phrasing onto its words when the segmenter meets a
# phrase it does not know: 「最多能」, 「能配」, 「天内要」, 「年版」, 「劝烟算」.
_FUNCTION_CHARS = frozenset("能要就会可该得是算对把被给的了吗呢吧么啊呀哪几多少最些个种还都也又再才咋啥内")


# An article of a regulation begins 「第十条」; its passages carry it first or as their heading.
ARTICLE = re.compile(r"^第[一二三四五六七八九十百千零〇两\d]{1,6}条")


def is_article(text: str, section_path: tuple[str, ...] | list[str] = ()) -> bool:
    """Is this passage an article (第X条) of a regulation, by its text or its last heading?"""
    return bool(ARTICLE.match(text.lstrip())) or any(ARTICLE.match(p) for p in section_path[-1:])


# A list question that counts what it wants without naming it (「处分有哪几种」, 「分为几类」,
# 「都有哪些种类」) asks for the 种类 a text enumerates (「处分的种类为：」): the word the
# question's phrasing stands for, which QUESTION_WORDS would otherwise drop with it.
_KINDS_ASKED = re.compile(r"(?:哪几|哪些|几)(?:种|类)(?:类|别)?(?=[？?。，,！!呢啊]|$)|哪些种类|什么种类")


def implied_terms(question: str) -> list[str]:
    """Content words a question's phrasing stands for."""
    return ["种类"] if _KINDS_ASKED.search(question) else []


def content_part(token: str) -> str:
    """What a token the library has never seen says once the question's glue is trimmed
    from its ends: 「能配」 → 「配」, 「哪些项目」 → 「项目」, 「最多能」 → 「」. A real word the
    library lacks (「取暖费」, 「遗体」) has no glue and stays whole: it is what the
    question is about, and its absence is what an answer gate must see."""
    start, end = 0, len(token)
    while start < end and token[start] in _FUNCTION_CHARS:
        start += 1
    while end > start and token[end - 1] in _FUNCTION_CHARS:
        end -= 1
    return token[start:end]
