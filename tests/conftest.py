"""Shared fixtures: one demo knowledge base ingested per session with the real model and a
real embedded Chroma; a real HTTP server on loopback over a copy of it."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

ROOT = Path(__file__).resolve().parents[1]
# A user's clone has no ../shared: tests that read it skip with this reason. CI also runs
# the suite with POLICYKB_TEST_SHARED pointing nowhere to prove that they do.
SHARED = Path(os.environ.get("POLICYKB_TEST_SHARED") or ROOT.parent / "shared")
SHARED_REASON = f"the reference corpus {SHARED} is absent (a user's clone has no ../shared)"
needs_shared = pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason=SHARED_REASON)
CORPUS = ROOT / "corpus"
POLICY = SHARED / "corpus" / "policy"
NCP = SHARED / "corpus" / "ncp" / "docs"
NCP_QA = SHARED / "eval" / "ncp_dev_qa.jsonl"
OUTPUT = ROOT / "test-output"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_kb(home: Path, kb: str = "default", **settings):  # type: ignore[no-untyped-def]
    from policykb.config import Settings
    from policykb.service import KnowledgeBase

    return KnowledgeBase(Settings(home=home, **settings), kb=kb)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo-home")


@pytest.fixture(scope="session")
def demo_kb(demo_home: Path):  # type: ignore[no-untyped-def]
    """The demo corpus, ingested once: every test that only reads shares it."""
    kb = make_kb(demo_home)
    report = kb.ingest([CORPUS])
    assert not report.failed, [f.message for f in report.failed]
    yield kb
    kb.close()


@pytest.fixture
def fresh_kb(tmp_path: Path):  # type: ignore[no-untyped-def]
    kb = make_kb(tmp_path / "home")
    yield kb
    kb.close()


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(url)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def policykb_server(home: Path, **env_extra: str) -> Iterator[str]:
    """`policykb serve` in its own process on a free loopback port; yields its base URL.
    Its log is written beside `home` (server.log) for a failing test to read."""
    port = free_port()
    env = {**os.environ, "POLICYKB_HOME": str(home), "PYTHONUNBUFFERED": "1", **env_extra}
    with open(home.parent / "server.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "policykb", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_http(url + "/api/health", proc)
            yield url
        finally:
            stop(proc)


@pytest.fixture(scope="session")
def live_server(demo_kb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real server over a copy of the demo home (embedded Chroma belongs to one process
    at a time)."""
    home = tmp_path_factory.mktemp("server-home") / "home"
    shutil.copytree(demo_kb.settings.home, home)
    with policykb_server(home) as url:
        yield url


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` on loopback (or the one CI started, POLICYKB_TEST_CHROMA_URL)."""
    given = os.environ.get("POLICYKB_TEST_CHROMA_URL")
    if given:
        yield given
        return
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        pytest.skip("chroma CLI not installed")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "chroma.log", "w")
    proc = subprocess.Popen([str(exe), "run", "--path", str(path / "data"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url + "/api/v2/heartbeat", proc, timeout=60)
        yield url
    finally:
        stop(proc)
        log.close()
