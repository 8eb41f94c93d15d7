"""The same administrator story on both vector stores: embedded Chroma and a real
`chroma run` server. Only the setting differs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, make_kb

FILES = ["关于严格落实三审三校制度进一步加强宣传内容质量管理的通知.txt", "2026年全省组织工作要点.md"]


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def kb(request, tmp_path):  # type: ignore[no-untyped-def]
    settings = {}
    if request.param == "server":
        settings["chroma_url"] = request.getfixturevalue("chroma_server")
    knowledge = make_kb(tmp_path / "home", kb=f"modes{tmp_path.name[-6:].replace('_', '')}", **settings)
    yield knowledge
    knowledge.close()


def test_ingest_update_delete_and_rebuild_keep_vectors_in_step(kb, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    files = [Path(shutil.copy(CORPUS / n, src / n)) for n in FILES]
    kb.ingest(files)
    assert kb.store.count() == kb.registry.chunk_count()
    if kb.settings.chroma_url:
        assert not (kb.settings.home / "chroma").exists(), "no local vector store in server mode"
    hits = kb.search("宣传稿件终审由谁负责", mode="vector", top_k=3).results
    assert hits and "三审三校" in hits[0].title

    notice = files[0]
    notice.write_text(notice.read_text(encoding="utf-8").replace("新闻出版处", "融媒体指导处"), encoding="utf-8")
    kb.ingest([notice])
    assert kb.store.count() == kb.registry.chunk_count(), "replaced passages leave no stale vectors"

    doc = next(d for d in kb.list_documents()[0] if "工作要点" in (d.title or ""))
    kb.delete_document(doc.id)
    assert kb.store.count() == kb.registry.chunk_count()

    stats = kb.rebuild_vectors()
    assert stats.encoded_texts == 0, "a rebuild reuses the cached vectors"
    assert kb.store.count() == kb.registry.chunk_count()
    assert kb.ask("“三审三校”中的终审由谁负责？").found


def test_the_vector_index_searches_as_widely_as_the_setting_says(kb, tmp_path):
    # Chroma's default ef_search (100) misses true nearest passages (bench/vector_recall.py):
    # every library's collection searches with Settings.vector_ef_search, old ones included.
    from policykb.config import Settings
    from policykb.index.vector_store import VectorStore

    store = kb.store
    assert store._collection.configuration["hnsw"]["ef_search"] == Settings(home=tmp_path).vector_ef_search
    reopened = VectorStore(kb.embedder, kb.name, chroma_url=kb.settings.chroma_url,
                           persist_dir=str(kb.settings.chroma_dir()), ef_search=123)
    assert reopened._collection.configuration["hnsw"]["ef_search"] == 123
    assert kb.store._collection.get(limit=1) is not None  # the first handle still works


def test_a_re_parsed_library_keeps_the_vectors_of_unchanged_passages(kb, tmp_path, monkeypatch):
    # A new parser version re-parses every file; passages that come back the same keep their
    # vectors in place. Deleting and upserting them made some records unreachable by query()
    # in chromadb 1.5.9 (its issue #7758), at random from process to process.
    import policykb.ingest.pipeline as pipeline

    src = tmp_path / "in"
    src.mkdir()
    files = [Path(shutil.copy(CORPUS / n, src / n)) for n in FILES]
    kb.ingest(files)
    before = kb.store.count()
    monkeypatch.setattr(pipeline, "PARSER_VERSION", pipeline.PARSER_VERSION + 100)
    report = kb.ingest(files, wait=False)
    assert [f.status for f in report.files] == ["updated"] * len(files)
    assert kb.registry.pending_count() == 0, "nothing to embed or write again"
    assert kb.store.count() == before == kb.registry.chunk_count()
    for chunk_id in [c.id for d in kb.list_documents()[0] for c in kb.registry.chunks_of(d.id)][:20]:
        vector = kb.store.get_vector(chunk_id)
        assert vector is not None and kb.store.query(vector, 1)[0][0] == chunk_id
