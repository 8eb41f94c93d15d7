"""Decode text files whose encoding nobody wrote down.

Intranet files come as UTF-8 (with or without BOM), UTF-16 from some Windows tools, and
GB18030/GBK from Chinese-locale Notepad. We detect rather than assume: strict UTF-8
first (it almost never decodes anything else by accident), then strict GB18030 (a
superset of GBK and GB2312), then the one of them that reads all but a few bytes, then
charset_normalizer as a last resort. A few bad bytes (NULs, a torn last character) do not
make a file binary: they are dropped with a warning.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from policykb.ingest.types import IngestError

NOT_TEXT = "文件内容不是文本（可能是二进制文件或扩展名错误）"
EMPTY = "文件内容为空"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What a decoder could not read (U+FFFD) and control characters no text contains.
_BAD = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f\ufffd]")
# Text has at most this share of bad characters. Binary files have far more: random or
# compressed bytes 25% (GB18030) to 55% (UTF-8), executables and databases over 80%;
# a text file with a hundred NULs or a torn last character a fraction of a percent.
MAX_BAD_SHARE = 0.10


@dataclass(frozen=True)
class Decoded:
    text: str  # with the bad characters removed
    encoding: str
    removed: int = 0  # undecodable bytes and control characters dropped

    @property
    def warning(self) -> str | None:
        if not self.removed:
            return None
        return f"文件中有 {self.removed} 处无法识别的字节或控制字符（按 {self.encoding} 解码），已删去，其余文字照常导入"


def _bad_share(text: str) -> float:
    return len(_BAD.findall(text)) / max(len(text), 1)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as a NUL in every other byte of ASCII-heavy text."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    for ratio, codec in ((odd_nuls, "utf-16-le"), (even_nuls, "utf-16-be")):
        if ratio > 0.3 and (even_nuls if codec == "utf-16-le" else odd_nuls) < 0.05:
            return data.decode(codec, errors="replace")
    return None


def _decode(data: bytes) -> tuple[str, str] | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    if b"\x00" in data[:4000]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text, "utf-16"
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    # Not clean in either: the one that reads all but a few bytes (a torn last character,
    # a damaged stretch) wins; UTF-8 first, as GB18030 reads UTF-8 bytes as other Hanzi.
    for codec in ("utf-8", "gb18030"):
        text = data.decode(codec, errors="replace")
        if _bad_share(text) <= MAX_BAD_SHARE:
            return text, codec
    from charset_normalizer import from_bytes  # only for the rare undecidable file

    best = from_bytes(data).best()
    return (str(best), best.encoding) if best is not None else None


def decode_report(data: bytes, path: str | Path) -> Decoded:
    """Decode a text file (module doc), keeping what decodes. Text is decided by the
    share of characters that decode to something readable: up to MAX_BAD_SHARE bad ones
    are dropped and counted (`Decoded.warning`); more, and it is not text. Raises
    IngestError for binary or empty content."""
    found = _decode(data)
    if found is None:
        raise IngestError(path, NOT_TEXT, code="not_text")
    text, encoding = found
    if _bad_share(text) > MAX_BAD_SHARE:
        raise IngestError(path, NOT_TEXT, code="not_text")
    cleaned, removed = _BAD.subn("", text)
    if not cleaned.strip():
        raise IngestError(path, EMPTY, code="empty")
    return Decoded(cleaned, encoding, removed)


def detect_and_decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Return (text, encoding name). Raises IngestError for binary or empty content."""
    decoded = decode_report(data, path)
    return decoded.text, decoded.encoding


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode the bytes of a text file, detecting UTF-8/UTF-16/GB18030 (module doc)."""
    return decode_report(data, path).text
