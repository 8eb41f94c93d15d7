"""Issue 19: two workers on one library (two `ingest` runs, a server and `embed`) share the
vector queue through claims in the registry, and a file stored by one of them meanwhile is
reported unchanged by the other, not 「已更新」."""
from __future__ import annotations

import threading
from pathlib import Path

from conftest import make_kb

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
        parsed = second._parse(path, None)
        from policykb.service import file_hash

        assert first.ingest_file(path).status == "added"
        result = second._register(parsed, file_hash(path), {})
        assert result.status == "unchanged"
        assert first.registry.get_document(result.doc_id).version == 1
    finally:
        first.close()
        second.close()
