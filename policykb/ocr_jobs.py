"""Scans uploaded to the server, read by OCR in the background.

OCR takes a second or more a page here, so a 12-page scan would hold its upload request
for a minute. In the server an uploaded file that needs OCR is instead listed at once as
a job 「识别中 3/12 页」 (table ``ocr_jobs``), and one thread reads the jobs' pages, oldest
job first. Each recognised page is committed to the OCR cache before the next is
rendered (ingest/ocr.py), and the job's row counts the pages done; a server killed midway
finds its jobs on start and resumes each at the next page. When all pages are read the file
is ingested as any other (parse, register, keyword-searchable, vectors queued) and its job
row goes; a file that then fails keeps its row, state 'failed', with the reason.

The command line needs none of this: `policykb ingest` reads scans inline with a bar.
"""
from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policykb import library_ingest

if TYPE_CHECKING:
    from policykb.service import KnowledgeBase

log = logging.getLogger("policykb.ingest")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def describe(job: dict[str, Any]) -> str:
    if job["state"] == "failed":
        return f"识别失败：{job['message'] or ''}".rstrip("：")
    if not job["pages_total"]:
        return "等待识别"
    return f"识别中 {job['pages_done']}/{job['pages_total']} 页"


class OcrJobs:
    def __init__(self, kb: "KnowledgeBase") -> None:
        self.kb = kb
        self.registry = kb.registry
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- the table ---------------------------------------------------------------

    def add(self, path: Path, display: str, pages: int, overrides: dict[str, Any] | None,
            backup: Path | None) -> None:
        with self.registry.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO ocr_jobs (source_path, display_name, pages_done, pages_total, state,"
                " message, overrides_json, backup_path, created_at, updated_at)"
                " VALUES (?, ?, 0, ?, 'reading', NULL, ?, ?, ?, ?)",
                (str(path), display, pages, json.dumps(overrides or {}, ensure_ascii=False),
                 str(backup) if backup else None, _now(), _now()),
            )
        self._wake.set()

    def _progress(self, path: str, done: int, total: int) -> None:
        with self.registry.transaction() as conn:
            conn.execute("UPDATE ocr_jobs SET pages_done=?, pages_total=?, updated_at=? WHERE source_path=?",
                         (done, total, _now(), path))

    def _finish(self, path: str, failed: str | None) -> None:
        with self.registry.transaction() as conn:
            if failed is None:
                conn.execute("DELETE FROM ocr_jobs WHERE source_path=?", (path,))
            else:
                conn.execute("UPDATE ocr_jobs SET state='failed', message=?, updated_at=? WHERE source_path=?",
                             (failed, _now(), path))

    def jobs(self, *, include_failed: bool = True) -> list[dict[str, Any]]:
        rows = self.registry.rows(
            "SELECT source_path, display_name, pages_done, pages_total, state, message, backup_path,"
            " overrides_json, created_at, updated_at FROM ocr_jobs ORDER BY created_at, source_path")
        out = []
        # A failure stays listed for a day (it is in the ingest log for good), then goes.
        shown_since = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(timespec="seconds")
        for r in rows:
            job = dict(r)
            if job["state"] == "failed" and (not include_failed or job["updated_at"] < shown_since):
                continue
            job["label"] = describe(job)
            out.append(job)
        return out

    def paths(self) -> set[str]:
        return {j["source_path"] for j in self.jobs()}

    def dismiss(self, path: str) -> None:
        with self.registry.transaction() as conn:
            conn.execute("DELETE FROM ocr_jobs WHERE source_path=?", (path,))

    # ---- the thread --------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._wake.set()  # jobs left by a server that stopped midway resume now
        self._thread = threading.Thread(target=self._run, name="policykb-ocr", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=5)
            self._wake.clear()
            while not self._stop.is_set():
                waiting = [j for j in self.jobs() if j["state"] == "reading"]
                if not waiting:
                    break
                try:
                    self._read(waiting[0])
                except Exception as exc:  # noqa: BLE001 - one job's surprise never stops the others
                    log.exception("OCR job %s failed", waiting[0]["source_path"])
                    self._finish(waiting[0]["source_path"], f"识别时出错（{type(exc).__name__}）")

    def _read(self, job: dict[str, Any]) -> None:
        path = Path(job["source_path"])
        if not path.is_file():
            self._finish(str(path), "文件已不存在")
            return
        library_ingest.read_scans(self.kb, path, job["display_name"],
                                  lambda _shown, done, total: self._progress(str(path), done, total),
                                  stop=self._stop)
        if self._stop.is_set():
            return  # resumed at the next page on the next start
        overrides = json.loads(job["overrides_json"] or "{}") or None
        backup = Path(job["backup_path"]) if job["backup_path"] else None
        result = self.kb.ingest_file(path, overrides=overrides, display_name=job["display_name"])
        library_ingest.settle_upload(self.kb, path, backup, result)
        self._finish(str(path), result.message if result.status == "failed" else None)
