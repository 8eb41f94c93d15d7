"""Compiled files the page downloads (the 汇编, the 摘编): written under a token into the
knowledge base's folder, kept for a day, served back by token. One home for what the
digest and excerpts routers both do."""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policykb.api.errors import ApiError
from policykb.api.schemas import NOT_FOUND_RESPONSE

KEEP_SECONDS = 24 * 3600
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
# What a request's `format` asks to be written.
FORMATS = {"all": ("docx", "md"), "docx": ("docx",), "md": ("md",), "json": ()}
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA["docx"]: {}, "text/markdown": {}}}, **NOT_FOUND_RESPONSE}


def prune(folder: Path) -> None:
    """Files older than KEEP_SECONDS go; one another request removes first is no error."""
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*"):
        try:
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


def publish(folder: Path, token: str, choice: str, write: Callable[[Path], Any], url: str
            ) -> dict[str, str | None]:
    """Write the formats `choice` asks for as folder/token.fmt; their download links."""
    downloads: dict[str, str | None] = {"docx": None, "md": None}
    formats = FORMATS[choice]
    if formats:
        folder.mkdir(parents=True, exist_ok=True)
        prune(folder)
        for fmt in formats:
            write(folder / f"{token}.{fmt}")
            downloads[fmt] = f"{url}/{token}.{fmt}"
    return downloads


def stored(folder: Path, filename: str, token: re.Pattern[str], missing: str) -> tuple[Path, str, re.Match[str]]:
    """The file a download link names, its format and its token's match; 404 with
    `missing` for a name that is not one of ours or a file already pruned."""
    name, _, fmt = filename.rpartition(".")
    m = token.match(name)
    if not m or fmt not in MEDIA:
        raise ApiError(404, "not_found", missing)
    path = folder / f"{name}.{fmt}"
    if not path.is_file():
        raise ApiError(404, "not_found", missing)
    return path, fmt, m
