"""Chinese text, one home: width folding, sentence splitting and Chinese numerals.

Pure functions used by ingest, retrieval, answers, verify and the digest, so that 「２０２６」
and 「2026」, 「第一百零三条」 and 「第103条」 compare the same everywhere.
"""
from __future__ import annotations

import re
import unicodedata

# A sentence ends at 。！？； (or their ASCII forms) or a line break; closing quotes and
# brackets that follow the stop belong to the sentence.
_SENTENCE = re.compile(r"[^。！？；!?;\n]+(?:[。！？；!?;]+[”’」』）)》〕】\"']*)?")

CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
             "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "〇零一二两三四五六七八九十百千万"


def fold(text: str) -> str:
    """NFKC (full-width letters and digits to half-width) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, whitespace trimmed, in order."""
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentences(text)]


def cn_to_int(run: str) -> int | None:
    """二〇二六 → 2026, 七十二 → 72, 一百零三 → 103, 十 → 10, 3 → 3; None when not a number."""
    run = run.strip()
    if run.isdigit():
        return int(fold(run))
    if not run or any(c not in CN_DIGITS and c not in CN_UNITS and c != "万" for c in run):
        return None
    if not any(c in CN_UNITS or c == "万" for c in run):
        return int("".join(str(CN_DIGITS[c]) for c in run))
    total, section, digit = 0, 0, None
    for c in run:
        if c in CN_DIGITS:
            digit = CN_DIGITS[c]
        elif c == "万":
            total += (section + (digit or 0)) * 10000
            section, digit = 0, None
        else:
            section += (1 if digit is None else digit) * CN_UNITS[c]
            digit = None
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """103 → 一百零三, 12 → 十二, 20 → 二十 (as articles are numbered: 第一百零三条)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = digits[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + digits[rest]
        return head + (("一" + int_to_cn(rest)) if rest < 20 else int_to_cn(rest))
    return str(n)
