"""An administrator's story: add files, re-add them, change one, feed it bad files; nothing
stored is ever lost and nothing is embedded twice."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

from conftest import CORPUS, make_kb
from docbuild import make_corrupt_pdf, make_encrypted_pdf, make_pdf, make_scanned_pdf

GOOD = [
    "2026年全省组织工作要点.md",
    "关于严格落实三审三校制度进一步加强宣传内容质量管理的通知.txt",
]


def copy_corpus(dst: Path, names: list[str]) -> list[Path]:
    dst.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(CORPUS / n, dst / n)) for n in names]


def test_reingesting_unchanged_files_does_nothing(fresh_kb, tmp_path):
    files = copy_corpus(tmp_path / "in", GOOD)
    first = fresh_kb.ingest(files)
    assert [f.status for f in first.files] == ["added", "added"]
    chunks = fresh_kb.registry.chunk_count()
    again = fresh_kb.ingest(files)
    assert [f.status for f in again.files] == ["unchanged", "unchanged"]
    assert again.vectors_embedded == 0
    assert fresh_kb.registry.chunk_count() == chunks


def test_a_changed_file_replaces_its_passages(fresh_kb, tmp_path):
    (path,) = copy_corpus(tmp_path / "in", GOOD[1:])
    fresh_kb.ingest([path])
    doc_id = fresh_kb.list_documents()[0][0].id
    original = path.read_text(encoding="utf-8")
    assert "新闻出版处" in original
    path.write_text(original.replace("新闻出版处", "融媒体指导处"), encoding="utf-8")
    report = fresh_kb.ingest([path])
    assert report.files[0].status == "updated"
    assert report.files[0].doc_id == doc_id
    assert any("融媒体指导处" in h.text for h in fresh_kb.search("融媒体指导处", mode="keyword").results)
    stale = fresh_kb.search("新闻出版处", mode="keyword", top_k=50).results
    assert all("新闻出版处" not in h.text for h in stale)
    vector_ids = {h.chunk_id for h in fresh_kb.search("审校制度", mode="vector", top_k=50).results}
    assert vector_ids <= {c.id for c in fresh_kb.document_chunks(doc_id)}, "old vectors are gone"


def test_bad_files_are_reported_and_the_rest_of_the_batch_goes_in(fresh_kb, tmp_path):
    (stored,) = copy_corpus(tmp_path / "old", GOOD[:1])
    fresh_kb.ingest([stored])
    before = fresh_kb.registry.chunk_count()

    batch = tmp_path / "batch"
    batch.mkdir()
    make_corrupt_pdf(batch / "损坏.pdf")
    make_encrypted_pdf(batch / "加密.pdf", "机密内容")
    make_scanned_pdf(batch / "扫描件.pdf")
    (batch / "空文件.txt").write_bytes(b"")
    (batch / "其实是图片.txt").write_bytes(bytes(range(256)) * 20)
    (batch / "伪装成PDF.pdf").write_text("这不是PDF文件。", encoding="utf-8")
    make_pdf(batch / "-- 好文件 '$(rm -rf)' .pdf", ["关于加强机关食堂管理的通知\n各单位：机关食堂应当严格执行节约用餐制度。"])
    (batch / "gbk.txt").write_bytes("关于推进政务公开的意见\n一、总体要求\n各地要主动公开政策文件。".encode("gb18030"))

    report = fresh_kb.ingest([batch])
    by_name = {Path(f.path).name: f for f in report.files}
    failed = {n for n, f in by_name.items() if f.status == "failed"}
    assert failed >= {"损坏.pdf", "加密.pdf", "扫描件.pdf", "空文件.txt", "其实是图片.txt"}
    for name in failed:
        assert by_name[name].message and by_name[name].code, name
    assert by_name["-- 好文件 '$(rm -rf)' .pdf"].status == "added"
    assert by_name["gbk.txt"].status == "added"
    assert "加密" in by_name["加密.pdf"].message
    assert "OCR" in by_name["扫描件.pdf"].message or "扫描" in by_name["扫描件.pdf"].message
    assert fresh_kb.search("机关食堂节约用餐").results
    assert fresh_kb.search("主动公开政策文件").results
    assert fresh_kb.registry.chunk_count() > before
    assert fresh_kb.search("第一议题", mode="keyword").results, "what was stored before is still there"


def test_a_document_is_keyword_searchable_before_its_vectors_exist(fresh_kb, tmp_path):
    files = copy_corpus(tmp_path / "in", GOOD[1:])
    report = fresh_kb.ingest(files, wait=False)
    assert report.pending_vectors > 0
    result = fresh_kb.search("三审三校 终审")
    assert result.results and result.pending_vectors == report.pending_vectors
    assert fresh_kb.ask("“三审三校”中的终审由谁负责？").found
    fresh_kb.embed_pending()
    assert fresh_kb.search("三审三校 终审", mode="vector").results
    assert fresh_kb.registry.pending_count() == 0


def test_a_killed_worker_resumes_without_embedding_anything_twice(tmp_path):
    home = tmp_path / "home"
    files = copy_corpus(tmp_path / "in", GOOD)
    kb = make_kb(home, embedding_batch_size=4)
    kb.ingest(files, wait=False)
    total = kb.registry.pending_count()
    stop = threading.Event()
    first = kb.embed_pending(max_chunks=5, stop=stop)
    assert 0 < first.chunks < total
    kb.close()  # the process dies here; the queue is in the registry

    restarted = make_kb(home, embedding_batch_size=4)
    assert restarted.registry.pending_count() == total - first.chunks
    second = restarted.embed_pending()
    assert restarted.registry.pending_count() == 0
    distinct = len({c.embed_hash for d in restarted.list_documents()[0] for c in restarted.document_chunks(d.id)})
    assert first.encoded_texts + second.encoded_texts == distinct
    assert restarted.store.count() == total
    restarted.close()


def test_identical_passages_are_embedded_once(fresh_kb, tmp_path):
    boiler = "各地各部门要加强组织领导，压实工作责任，确保各项任务落到实处。对工作中遇到的重要情况和问题，请及时报告。"
    a = tmp_path / "甲.txt"
    b = tmp_path / "乙.txt"
    a.write_text(f"关于做好甲项工作的通知\n一、甲项工作\n请认真做好甲项工作的各项安排部署，按时报送进展情况。\n二、工作要求\n{boiler}", encoding="utf-8")
    b.write_text(f"关于做好乙项工作的通知\n一、乙项工作\n请认真做好乙项工作的统筹推进，定期开展督促检查。\n二、工作要求\n{boiler}", encoding="utf-8")
    report = fresh_kb.ingest([a, b], wait=False)
    chunks = sum(f.chunks for f in report.files)
    stats = fresh_kb.embed_pending()
    assert stats.chunks == chunks
    assert stats.encoded_texts < chunks  # the shared 工作要求 passage once


def test_deleting_a_document_removes_it_everywhere(fresh_kb, tmp_path):
    files = copy_corpus(tmp_path / "in", GOOD)
    fresh_kb.ingest(files)
    doc = next(d for d in fresh_kb.list_documents()[0] if "三审三校" in (d.title or ""))
    fresh_kb.delete_document(doc.id)
    assert all(h.doc_id != doc.id for h in fresh_kb.search("三审三校", top_k=20).results)
    assert fresh_kb.store.count() == fresh_kb.registry.chunk_count()


def test_new_chunk_settings_recut_unchanged_files_and_reuse_vectors(tmp_path):
    files = copy_corpus(tmp_path / "in", GOOD[:1])
    home = tmp_path / "home"
    first = make_kb(home)
    first.ingest(files)
    first.close()
    recut = make_kb(home, chunk_max_chars=250, chunk_min_chars=50)
    report = recut.ingest(files)
    assert report.files[0].status == "updated", "a different cut is not 'unchanged'"
    assert max(len(c.text) for c in recut.document_chunks(report.files[0].doc_id)) <= 250
    again = recut.ingest(files)
    assert again.files[0].status == "unchanged"
    recut.close()


def test_a_revised_regulation_supersedes_the_old_one(fresh_kb, tmp_path):
    old = tmp_path / "旧办法.txt"
    new = tmp_path / "新办法.txt"
    old.write_text("江北省机关会议费管理办法\n江财行〔2019〕8号\n第一条 会议住宿费每人每天不超过300元。\n", encoding="utf-8")
    new.write_text("江北省机关会议费管理办法（2026年修订）\n江财行〔2026〕2号\n第一条 会议住宿费每人每天不超过380元。\n",
                   encoding="utf-8")
    (tmp_path / "新办法.txt.meta.json").write_text('{"supersedes": "江财行〔2019〕8号"}', encoding="utf-8")
    fresh_kb.ingest([old])
    report = fresh_kb.ingest([new])
    assert "已替代" in (report.files[0].message or "")
    texts = [h.text for h in fresh_kb.search("会议住宿费标准").results]
    assert any("380元" in t for t in texts) and not any("300元" in t for t in texts)
    history = fresh_kb.search("会议住宿费标准", filters={"include_superseded": True}).results
    assert any("300元" in h.text and h.metadata["status"] == "superseded" for h in history)
    listed = {d.doc_no: d for d in fresh_kb.list_documents()[0]}
    assert listed["江财行〔2019〕8号"].superseded_by == listed["江财行〔2026〕2号"].id
