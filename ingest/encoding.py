"""Decode text files whose encoding nobody wrote down.

Intranet files come as UTF-8 (with or without BOM), UTF-16 from some Windows tools, and
GB18030/GBK from Chinese-locale Notepad. We detect rather than assume: strict UTF-8
first (it almost never decodes anything else by accident), then strict GB18030 (a
superset of GBK and GB2312), then charset_normalizer as a last resort.
"""
from __future__ import annotations

import codecs
import re
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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    """NUL bytes or many control characters: an image, an archive, an executable."""
    if "\x00" in text:
        return True
    sample = text[:20000]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 200)


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as a NUL in every other byte of ASCII-heavy text."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    for ratio, codec in ((odd_nuls, "utf-16-le"), (even_nuls, "utf-16-be")):
        if ratio > 0.3 and (even_nuls if codec == "utf-16-le" else odd_nuls) < 0.05:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def detect_and_decode(data: bytes, path: str | Path) -> tuple[str, str]:
    """Return (text, encoding name). Raises IngestError for binary or empty content."""
    text: str | None = None
    encoding = ""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text, encoding = data.decode(codec), codec
            except UnicodeDecodeError:
                text = None
            break
    if text is None and b"\x00" in data[:4000]:
        text = _utf16_without_bom(data)
        encoding = "utf-16" if text is not None else ""
        if text is None:
            raise IngestError(path, NOT_TEXT, code="not_text")
    if text is None:
        for codec in ("utf-8", "gb18030"):
            try:
                text, encoding = data.decode(codec), codec
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        from charset_normalizer import from_bytes  # only for the rare undecidable file

        best = from_bytes(data).best()
        if best is None:
            raise IngestError(path, NOT_TEXT, code="not_text")
        text, encoding = str(best), best.encoding
    if _looks_binary(text):
        raise IngestError(path, NOT_TEXT, code="not_text")
    if not text.strip():
        raise IngestError(path, EMPTY, code="empty")
    return text, encoding


def decode_text(data: bytes, path: str | Path) -> str:
    """Decode the bytes of a text file, detecting UTF-8/UTF-16/GB18030 (module doc)."""
    return detect_and_decode(data, path)[0]
