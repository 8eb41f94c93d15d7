"""Checks for files that arrive over HTTP: a safe name, a size cap, and a type that the
content confirms (a renamed .exe or a text file called .pdf is refused, not guessed at).

Files given on the command line are trusted more: `ingest` reads them by their real type
with a warning. An upload comes from a browser, so its name must tell the truth.
"""
from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policykb.ingest.loaders import BY_SUFFIX, FORMATS, IMAGE_NAMES, MAX_UNZIPPED_BYTES, sniff_format
from policykb.ingest.types import IngestError

_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*]")
_KIND_NAMES = {**{f.key: f.name for f in FORMATS.values()}, "zip": "压缩包", "ole": "旧版 Office 文件",
               "docx_broken": "损坏的 Word 文件", **{k: f"{v}图片" for k, v in IMAGE_NAMES.items()}}


def safe_filename(name: str) -> str:
    """Keep the user's (often Chinese) name, but never a path, a control character, a
    leading dot or dash, or more than about 110 characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("", name).strip().lstrip(".-").strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.strip()[:100] or "upload"
    suffix = re.sub(r"\s", "", suffix)[:10]
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(name: str, data: bytes, max_bytes: int) -> None:
    """Raise IngestError (Chinese reason, stable code) unless `data` may be ingested as `name`."""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    declared = BY_SUFFIX.get(suffix)
    if declared is None:
        allowed = "、".join(sorted({s.lstrip(".") for s in BY_SUFFIX}))
        raise IngestError(name, f"不支持的文件类型：{suffix or '无扩展名'}（支持 {allowed}）",
                          code="unsupported_type")
    if len(data) > max_bytes:
        raise IngestError(name, f"文件超过上传上限 {max_bytes / 2**20:.0f} MB，请拆分后再上传", code="too_large")
    if not data.strip():
        raise IngestError(name, "文件内容为空", code="empty")
    real = sniff_format(data)
    if real == "zip_bomb":
        raise IngestError(name, f"压缩内容解压后超过 {MAX_UNZIPPED_BYTES // 2**20} MB（疑似压缩炸弹），已拒绝",
                          code="zip_bomb")
    if declared.sniffed:
        if real not in declared.sniffed:
            expected = declared.upload_expects or f"{declared.name}（可能是改了扩展名的其他文件）"
            raise IngestError(name, f"文件扩展名是 {suffix}，但内容不是{expected}，请上传原始文件",
                              code="type_mismatch")
    elif real is not None:
        shown = _KIND_NAMES.get(real, "二进制文件")
        raise IngestError(
            name, f"文件扩展名是 {suffix}，但内容是{shown}，请使用正确的扩展名后再上传", code="type_mismatch"
        )


PREVIOUS = ".previous"  # the earlier version of a file being replaced by an upload


def recover_uploads(folder: Path, stored: Callable[[str], Any], digest: Callable[[Path], str],
                    keep: frozenset[str] = frozenset()) -> list[str]:
    """Clean `folder` after a crash. `stored(path)` is the registry's document for a path
    (with `content_hash`) or None; `digest(path)` a file's content hash.

    - ``NAME.previous`` with NAME registered at the backup's hash: the replacement never
      went in, so the backup goes back in place; otherwise the backup is stale and goes.
    - any other file with no registry row was never registered: it goes.
    - files in `keep` (uploads still being read by OCR, policykb/ocr_jobs.py) and their
      backups stay as they are.
    """
    done: list[str] = []
    folder = Path(os.path.abspath(folder))  # as the registry stores paths
    for backup in sorted(folder.glob("*" + PREVIOUS)):
        target = backup.with_name(backup.name[: -len(PREVIOUS)])
        if str(target) in keep:
            continue
        doc = stored(str(target))
        if doc is not None and doc.content_hash == digest(backup):
            backup.replace(target)
            done.append(f"restored {target.name}")
        else:
            backup.unlink(missing_ok=True)
            done.append(f"removed stale {backup.name}")
    for path in sorted(folder.iterdir()):
        if path.is_file() and str(path) not in keep and not path.name.endswith(PREVIOUS) and stored(str(path)) is None:
            path.unlink(missing_ok=True)
            done.append(f"removed unregistered {path.name}")
    return done
