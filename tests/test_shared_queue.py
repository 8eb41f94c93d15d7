"""Issue 19: two workers on one library (two `ingest` runs, a server and `embed`) share the
vector queue through claims in the registry, and a file stored by one of them meanwhile is
reported unchanged by the other, not 「已更新」."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT, make_kb

DOCS = {
    f"关于做好第{n}项工作的通知.txt": f"关于做好第{n}项工作的通知\n\n" + "".join(
        f"{k}、各地要按照第{n}项工作的第{k}条要求，认真组织实施，确保取得实效。\n\n" for k in "一二三四五")
    for n in range(1, 4)
}


def _write(folder: Path) -> Path:
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_two_workers_embed_each_queued_passage_once(tmp_path: Path) -> None:
    src = _write(tmp_path / "src")
    first = make_kb(tmp_path / "home", embedding_batch_size=2)
    second = make_kb(tmp_path / "home", embedding_batch_size=2)
    try:
        first.ingest([src], wait=False)
        total = first.registry.pending_count()
        assert total >= 6
        first.store, second.store  # noqa: B018 - open Chroma one at a time (its client cache is not thread-safe)
        stats = {}
        go = threading.Barrier(2)

        def work(name: str, kb) -> None:  # type: ignore[no-untyped-def]
            go.wait()
            stats[name] = kb.embed_pending()

        threads = [threading.Thread(target=work, args=(n, kb)) for n, kb in (("a", first), ("b", second))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert stats["a"].chunks + stats["b"].chunks == total  # nobody's batch done twice
        assert first.registry.pending_count() == 0
        assert first.store.count() == total
    finally:
        first.close()
        second.close()


def test_a_claim_is_a_lease_that_a_killed_worker_cannot_keep(fresh_kb, tmp_path: Path) -> None:
    fresh_kb.ingest([_write(tmp_path / "src")], wait=False)
    reg = fresh_kb.registry
    mine = reg.claim_pending("killed", 4, lease=600)
    others = reg.claim_pending("other", 100)
    assert len(mine) == 4 and not {c.id for c in mine} & {c.id for c in others}
    reg.release_claims("other")
    reg.release_claims("killed")
    expired = reg.claim_pending("killed", 4, lease=-1)  # as if its lease had run out
    assert {c.id for c in reg.claim_pending("heir", 4)} == {c.id for c in expired}


def test_a_file_stored_by_another_process_meanwhile_is_unchanged_not_updated(tmp_path: Path) -> None:
    src = _write(tmp_path / "src")
    path = sorted(src.iterdir())[0]
    first = make_kb(tmp_path / "home")
    second = make_kb(tmp_path / "home")
    try:
        # The second process looked (nothing stored yet) and parsed; the first stores it.
        from policykb.library_ingest import file_hash, parse, register

        parsed = parse(second, path, None)
        assert first.ingest_file(path).status == "added"
        result = register(second, parsed, file_hash(path), {})
        assert result.status == "unchanged"
        assert first.registry.get_document(result.doc_id).version == 1
    finally:
        first.close()
        second.close()


@pytest.mark.slow
def test_two_ingest_processes_on_one_library(tmp_path: Path) -> None:
    """The issue's run: two `policykb ingest` of the same folder at once."""
    src = _write(tmp_path / "src")
    home = tmp_path / "home"
    env = {**os.environ, "POLICYKB_HOME": str(home), "POLICYKB_EMBEDDING_BATCH_SIZE": "2"}
    procs = [subprocess.Popen([sys.executable, "-m", "policykb", "ingest", str(src), "--json"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
             for _ in range(2)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        reports.append(json.loads(out))
    for name in DOCS:  # each file stored once; the other run saw it unchanged
        statuses = sorted(f["status"] for r in reports for f in r["files"] if f["path"].endswith(name))
        assert statuses == ["added", "unchanged"], (name, statuses)
    kb = make_kb(home)
    try:
        total = kb.registry.chunk_count()
        assert sum(r["vectors_embedded"] for r in reports) == total  # no passage embedded twice
        assert kb.registry.pending_count() == 0 and kb.store.count() == total
    finally:
        kb.close()


def test_many_openers_of_a_new_library_at_once_all_get_in(tmp_path: Path) -> None:
    """Two `policykb ingest` started together once failed with 「database is locked」: the
    switch to WAL does not wait out SQLite's busy timeout, so the loser of the race retries."""
    from policykb.registry import Registry

    failures: list[str] = []

    def open_and_close(path: Path) -> None:
        try:
            Registry(path).close()
        except Exception as exc:  # noqa: BLE001 - any failure to open is what this test looks for
            failures.append(repr(exc))

    for attempt in range(60):
        path = tmp_path / f"lib{attempt}" / "registry.sqlite"
        threads = [threading.Thread(target=open_and_close, args=(path,)) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures, failures[:3]


@pytest.mark.slow
def test_processes_opening_a_new_vector_store_at_once_all_get_in(tmp_path: Path) -> None:
    """The other half of the same race: both processes create Chroma's tables, and the loser
    failed with 「table collections already exists」. Four processes, four new stores."""
    code = "import sys; from policykb.index.vector_store import _client; _client(None, sys.argv[1])"
    errors = []
    for attempt in range(4):
        store = tmp_path / f"lib{attempt}" / "chroma"
        procs = [subprocess.Popen([sys.executable, "-c", code, str(store)], stderr=subprocess.PIPE, text=True,
                                  cwd=ROOT) for _ in range(4)]
        for p in procs:
            _, err = p.communicate(timeout=120)
            if p.returncode:
                errors.append(err.strip().splitlines()[-1] if err.strip() else f"exit {p.returncode}")
    assert not errors, errors[:2]
