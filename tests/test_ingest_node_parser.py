"""The 公文 chunker as a llama-index NodeParser: nodes carry the section path and exact
offsets needed to open a citation in context."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from policykb.ingest import parse_file
from tests.docbuild import make_pdf

pytest.importorskip("llama_index.core")

TEXT = "二、重点任务\n（一）加强理论武装。" + "组织党员深入学习党的创新理论。" * 20 + "\n三、保障措施\n加强组织领导。"


def test_nodes_carry_section_path_and_offsets() -> None:
    from llama_index.core.schema import Document

    from policykb.ingest.node_parser import GongwenNodeParser

    doc = Document(text=TEXT, metadata={"title": "测试通知"})
    nodes = GongwenNodeParser(max_chars=150, min_chars=40).get_nodes_from_documents([doc])
    assert len(nodes) >= 3
    for node in nodes:
        md = node.metadata
        assert TEXT[md["char_start"] : md["char_end"]] == node.get_content()
        assert md["title"] == "测试通知"
        assert "char_start" in node.excluded_embed_metadata_keys
    assert nodes[0].metadata["section_path"] == "二、重点任务 › （一）加强理论武装"
    assert nodes[-1].metadata["section_path"] == "三、保障措施"


def test_parsed_pdf_to_nodes_keeps_pages(tmp_path: Path) -> None:
    from policykb.ingest.node_parser import GongwenNodeParser, to_document

    para = "各级党组织要认真落实第一议题制度，全面提高党员队伍素质，确保培训全覆盖。" * 3
    parsed = parse_file(make_pdf(tmp_path / "p.pdf", ["<t>关于轮训的通知\n一、要求\n" + para, "二、措施\n" + para]))
    nodes = GongwenNodeParser().get_nodes_from_documents([to_document(parsed)])
    assert [n.metadata["page"] for n in nodes] == [c.page for c in parsed.chunks]
    assert [n.metadata["section_path"] for n in nodes] == [" › ".join(c.section_path) for c in parsed.chunks]


def test_importing_ingest_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, ingest, ingest.pipeline, ingest.loaders, ingest.metadata, ingest.structure;"
        "bad = [m for m in ('llama_index', 'torch', 'chromadb', 'pypdf', 'docx', 'bs4') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stdout + result.stderr
