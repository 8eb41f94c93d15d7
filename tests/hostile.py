"""Hostile files, built by the tests, with the outcome each must have when ingested from
a folder on the command line and when uploaded over HTTP (issue 19's battery).

Each is a `Hostile(name, data, cli, api)` whose outcome is `Outcome(status, code, hint)`:
the file's status, its error code when it fails, and a phrase its message must contain.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from docbuild import make_pdf

BODY = ("关于加强基层党组织建设的通知\n\n各级党组织要认真落实“三会一课”制度，严格组织生活，"
        "切实提高党员队伍整体素质。\n\n一、总体要求\n坚持问题导向，推动基层党建工作提质增效。\n")
DEEP = 20_000
DEEP_SENTENCE = "深层嵌套网页中的正文依然可以被读取。"


@dataclass(frozen=True)
class Outcome:
    status: str  # added | failed
    code: str | None = None
    hint: str | None = None  # a phrase the file's message contains


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    cli: Outcome
    api: Outcome


def zip_bomb() -> bytes:
    """A .docx whose document.xml inflates to 300 MB (about 300 KB on disk)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"\0" * 2**20
            for _ in range(300):
                fh.write(block)
    return buf.getvalue()


def fake_docx() -> bytes:
    """A zip called .docx with no Word document inside."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "这不是 Word 文件")
    return buf.getvalue()


def deep_html() -> bytes:
    return ("<html><head><title>深层嵌套</title></head><body>" + "<div>" * DEEP + f"<p>{DEEP_SENTENCE}</p>"
            + "</div>" * DEEP + "</body></html>").encode()


def truncated_pdf(tmp: Path) -> bytes:
    data = make_pdf(tmp / "whole.pdf", [BODY] * 3).read_bytes()
    return data[: len(data) // 2]


def battery(tmp: Path) -> list[Hostile]:
    text = BODY.encode() * 20
    middle = len(text) // 2
    added = Outcome("added")
    dropped = Outcome("added", hint="已删去")
    long_name = "关于" + "长" * 23 + "x" * 171 + ".txt"  # 200 characters, 250 bytes in UTF-8
    return [
        Hostile("压缩炸弹.docx", zip_bomb(), Outcome("failed", "zip_bomb", "压缩炸弹"), Outcome("failed", "zip_bomb", "压缩炸弹")),
        Hostile("深层嵌套.html", deep_html(), added, added),
        Hostile("含空字节.txt", text[:middle] + b"\0" * 100 + text[middle:], dropped, dropped),
        Hostile("坏结尾.txt", text + b"\xff\xfe\xfa", dropped, dropped),
        Hostile("utf16.txt", BODY.encode("utf-16"), Outcome("added", hint="utf-16"), Outcome("added", hint="utf-16")),
        Hostile("图片.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 8,
                Outcome("failed", "not_text", "PNG"), Outcome("failed", "type_mismatch", "PNG")),
        Hostile("截断.pdf", truncated_pdf(tmp), Outcome("failed", "corrupt"), Outcome("failed", "corrupt")),
        Hostile("假的.docx", fake_docx(), Outcome("failed", "corrupt"), Outcome("failed", "type_mismatch")),
        Hostile(long_name, BODY.encode() + "长文件名".encode(), added, added),
        Hostile("控制\x1b[31m字符\x07.txt", BODY.encode() + "控制字符".encode(), added, added),
    ]


def on_disk_name(name: str) -> str:
    """What a file system takes: at most 255 bytes."""
    while len(name.encode()) > 255:
        name = name[:-5] + name[-4:]
    return name
