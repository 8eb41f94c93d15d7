"""A bounded schemathesis run over the OpenAPI schema of a real server on loopback: no
request it generates may get a 5xx. Bounded: a few examples per operation, the explicit
examples and the fuzzing phase, a fixed seed, and a hard 40 s limit on the whole run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import make_kb, policykb_server

DOCS = {
    "关于严格落实三审三校制度的通知.txt": "关于严格落实三审三校制度的通知\n\n一、终审由本单位分管领导负责。\n\n二、三审环节不得交叉替代。\n",
    "关于开展主题学习的通知.txt": "关于开展主题学习的通知\n\n各级党组织要认真组织主题学习，确保取得实效。\n",
}


@pytest.mark.slow
def test_generated_requests_never_get_a_server_error(tmp_path: Path) -> None:
    pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install -e '.[test]')")
    src = tmp_path / "src"
    src.mkdir()
    for name, text in DOCS.items():
        (src / name).write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    kb = make_kb(home)
    try:
        assert not kb.ingest([src], wait=False).failed
    finally:
        kb.close()
    with policykb_server(home) as url:
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json", "--checks", "not_a_server_error", "--max-examples", "4",
             "--phases", "examples,fuzzing", "--request-timeout", "20", "--seed", "19", "--no-shrink",
             "--workers", "1"],
            capture_output=True, text=True, timeout=40, cwd=tmp_path,
        )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout.split("SUMMARY")[-1]
