"""A plain `pip install` of the built wheel, as an intranet administrator would: the
design card's folders arrive as policykb.api / policykb.index / policykb.ingest, the prompt
templates travel as package data, and the installed command answers a question with a
model behind the prompts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from tests.llm_standin import MODEL, Reply, StandIn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding only the policykb wheel; its dependencies come from the test
    venv through a .pth line, so nothing is downloaded and the checkout is not on the path."""
    root = tmp_path_factory.mktemp("install")
    wheels = root / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(wheels.glob("policykb-*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # every site-packages this test runs with (a venv may itself reach another through a .pth)
    deps = dict.fromkeys([sysconfig.get_path("purelib"), *(p for p in sys.path if p.endswith("site-packages"))])
    (site / "test-dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, timeout=300)
    return venv


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    server = StandIn()
    server.start()
    yield server
    server.stop()


def test_the_wheel_installs_one_namespace_with_its_templates(installed: Path) -> None:
    site = next((installed / "lib").glob("python*/site-packages"))
    top = {p.name for p in site.iterdir()}
    assert not top & {"api", "index", "ingest", "prompts"}, top
    for part in ("api/static/index.html", "index/policy_terms.txt", "templates/answer.txt",
                 "templates/system.txt", "ingest/pipeline.py"):
        assert (site / "policykb" / part).is_file(), part


def test_the_installed_command_answers_with_the_packaged_prompts(installed: Path, standin: StandIn,
                                                                 tmp_path: Path) -> None:
    standin.reset()
    standin.default = Reply("终审由本单位分管领导负责[1]。")
    env = {**os.environ, "POLICYKB_HOME": str(tmp_path / "home"), "POLICYKB_LLM_BASE_URL": standin.url,
           "POLICYKB_LLM_MODEL": MODEL, "PYTHONPATH": ""}
    env.pop("POLICYKB_PROMPTS_DIR", None)
    policykb = str(installed / "bin" / "policykb")
    source = CORPUS / "关于严格落实三审三校制度进一步加强宣传内容质量管理的通知.txt"
    done = subprocess.run([policykb, "ingest", str(source)], cwd=tmp_path, env=env, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([policykb, "ask", "“三审三校”中的终审由谁负责？", "--json"], cwd=tmp_path, env=env,
                          text=True, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["found"] and answer["answerer"] != "extractive", answer
    assert "终审" in answer["answer"] and answer["citations"]
    # the model saw our system prompt and template, read from the installed package
    sent = standin.requests[-1]["messages"]
    assert sent[0]["role"] == "system" and len(sent[0]["content"]) > 20
