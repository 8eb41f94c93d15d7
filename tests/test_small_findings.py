"""Issue 19's smaller findings: uploads left behind by a killed server, control characters
on the terminal, 404s in the OpenAPI schema."""
from __future__ import annotations

from pathlib import Path

from policykb.cli.common import printable

DOC = "关于开展主题学习的通知\n\n各级党组织要认真组织主题学习，确保取得实效。\n"


def test_uploads_left_by_a_killed_server_are_cleaned_up_on_start(fresh_kb) -> None:
    kept = fresh_kb.ingest_upload("通知.txt", DOC.encode())
    assert kept.status == "added"
    folder = fresh_kb.uploads_dir
    target = folder / "通知.txt"
    # Killed after writing a new upload, before registering it.
    (folder / "孤儿.txt").write_text("从未登记的上传", encoding="utf-8")
    # Killed while replacing 通知.txt: the earlier version moved aside, the new one half written.
    target.replace(folder / "通知.txt.previous")
    target.write_bytes("半截".encode())
    # Killed after a replacement was registered, before its backup was removed.
    other = fresh_kb.ingest_upload("另一份.txt", DOC.replace("主题", "专题").encode())
    (folder / "另一份.txt.previous").write_text("旧版本", encoding="utf-8")

    done = fresh_kb.recover_uploads()
    assert sorted(p.name for p in folder.iterdir()) == ["另一份.txt", "通知.txt"], done
    assert target.read_text(encoding="utf-8") == DOC  # the registered version is back
    assert fresh_kb.get_document(kept.doc_id) and fresh_kb.get_document(other.doc_id)
    assert fresh_kb.recover_uploads() == []  # nothing left to do


def test_control_characters_reach_the_terminal_escaped() -> None:
    assert printable("控制\x1b[31m字符\x07.txt") == "控制\\x1b[31m字符\\x07.txt"
    assert printable("名\u202etxt.exe") == "名\\u202etxt.exe"
    assert printable("普通 文件名《通知》.txt") == "普通 文件名《通知》.txt"


def test_routes_with_a_path_parameter_document_their_404(tmp_path: Path) -> None:
    from policykb.api.app import create_app
    from policykb.config import Settings

    spec = create_app(Settings(home=tmp_path), background_worker=False).openapi()
    with_params = [(p, m, op) for p, ops in spec["paths"].items() if "{" in p for m, op in ops.items()]
    assert len(with_params) >= 5
    for path, method, op in with_params:
        assert "404" in op["responses"], (method, path)
        schema = op["responses"]["404"]["content"]["application/json"]["schema"]
        assert schema["$ref"].endswith("/ErrorResponse"), (method, path)


def test_health_counts_do_not_wait_for_a_long_write(fresh_kb) -> None:
    """A 30 MB upload writes its passages in one transaction: health answers meanwhile."""
    import threading

    assert fresh_kb.ingest_upload("通知.txt", DOC.encode()).status == "added"
    before = fresh_kb.registry.counts()
    assert before["documents"] == 1
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with fresh_kb.registry.transaction():
            holding.set()
            release.wait(30)

    writer = threading.Thread(target=long_write)
    writer.start()
    holding.wait(10)
    try:
        assert fresh_kb.registry.counts(wait=0.05) == before  # the last counts, not a wait
    finally:
        release.set()
        writer.join()
