"""The model client against a real HTTP server speaking the OpenAI chat-completions
protocol (tests/llm_standin.py), through both client libraries: whatever the server does,
the caller gets text or one typed LLMError with a reason it can show."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from policykb.llm import LLM, LLMConfig, LLMError
from tests.llm_standin import MODEL, BrokenStream, Fail, Malformed, Reply, StandIn

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [{"role": "system", "content": "系统"}, {"role": "user", "content": "问题"}]


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    server = StandIn().start()
    yield server
    server.stop()


@pytest.fixture(params=["llama-index", "openai"])
def llm(request: pytest.FixtureRequest, standin: StandIn) -> LLM:
    standin.reset()
    return LLM(LLMConfig(base_url=standin.url, model=MODEL, timeout=1.0, client=request.param))


def test_a_completion_comes_back_as_text_and_the_request_carries_our_settings(llm: LLM, standin: StandIn):
    standin.script(Reply("终审由本单位分管领导负责[1]。"))
    assert llm.chat(MESSAGES) == "终审由本单位分管领导负责[1]。"
    sent = standin.requests[-1]
    assert sent["model"] == MODEL and sent["messages"] == MESSAGES
    assert sent["temperature"] == 0.1 and sent["max_tokens"] == 1024
    assert llm.name == f"llm:{MODEL}"


def test_a_streamed_completion_arrives_in_pieces(llm: LLM, standin: StandIn):
    standin.script(Reply("终审由本单位分管领导负责[1]。", chunk_chars=4))
    pieces = list(llm.stream(MESSAGES))
    assert len(pieces) > 1 and "".join(pieces) == "终审由本单位分管领导负责[1]。"
    assert standin.requests[-1]["stream"] is True


def test_a_reasoning_model_s_thinking_is_not_part_of_the_answer(llm: LLM, standin: StandIn):
    standin.script(Reply("<think>先找终审的段落。</think>终审由分管领导负责[1]。", chunk_chars=3))
    assert "".join(llm.stream(MESSAGES)) == "终审由分管领导负责[1]。"
    standin.script(Reply("<think>想一想</think>\n终审由分管领导负责[1]。"))
    assert llm.chat(MESSAGES) == "终审由分管领导负责[1]。"


@pytest.mark.parametrize("behaviour, kind, reason", [
    (Fail(500), "http", "HTTP 500"),
    (Fail(401, "invalid api key"), "http", "HTTP 401"),
    (Malformed(), "bad_response", "无法解析"),
    (Reply("太慢了", delay=2.5), "timeout", "超时"),
    (Reply(""), "empty", "空回答"),
])
def test_every_failure_is_one_typed_error(llm: LLM, standin: StandIn, behaviour, kind, reason):
    standin.script(behaviour)
    with pytest.raises(LLMError) as err:
        llm.chat(MESSAGES)
    assert err.value.kind == kind and reason in err.value.reason


@pytest.mark.parametrize("behaviour, kind", [
    (Fail(500), "http"),
    (Malformed(), "bad_response"),
    (BrokenStream("终审由本单位"), "bad_response"),  # cut off: no finish_reason
    (Reply("慢慢说", chunk_delay=2.5), "timeout"),  # silent between chunks
])
def test_a_stream_that_goes_wrong_raises_the_same_error(llm: LLM, standin: StandIn, behaviour, kind):
    standin.script(behaviour)
    with pytest.raises(LLMError) as err:
        list(llm.stream(MESSAGES))
    assert err.value.kind == kind


def test_nobody_listening_is_a_connection_error():
    from tests.conftest import free_port

    for client in ("llama-index", "openai"):
        dead = LLM(LLMConfig(base_url=f"http://127.0.0.1:{free_port()}/v1", model=MODEL, timeout=2, client=client))
        with pytest.raises(LLMError) as err:
            dead.chat(MESSAGES)
        assert err.value.kind == "connection" and "无法连接" in err.value.reason


def test_the_endpoint_lists_its_models(llm: LLM):
    assert llm.models() == [MODEL]


def _doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykb", "doctor", *args], cwd=ROOT, text=True,
                          capture_output=True, timeout=60, env={**os.environ, **env})


def test_doctor_shows_the_configuration_and_whether_the_model_answers(standin: StandIn, tmp_path: Path):
    standin.reset()
    standin.script(Reply("正常"))
    env = {"POLICYKB_HOME": str(tmp_path), "POLICYKB_LLM_BASE_URL": standin.url, "POLICYKB_LLM_MODEL": MODEL,
           "POLICYKB_LLM_API_KEY": "secret-key", "POLICYKB_LLM_CLIENT": "openai"}
    done = _doctor(env)
    assert done.returncode == 0, done.stderr
    for shown in (standin.url, MODEL, "openai", "已设置", "正常", "大模型服务可用"):
        assert shown in done.stdout
    assert "secret-key" not in done.stdout

    standin.script(Fail(503))
    report = json.loads(_doctor({**env, "POLICYKB_LLM_CLIENT": "llama-index"}, "--json").stdout)
    assert report["ok"] is False and report["llm"]["models"] == [MODEL]
    assert "HTTP 503" in report["llm"]["message"] and report["llm"]["api_key"] == "***"

    offline = _doctor({"POLICYKB_HOME": str(tmp_path), "POLICYKB_LLM_BASE_URL": ""})
    assert offline.returncode == 0 and "未配置大模型服务" in offline.stdout


def test_query_rewriting_returns_one_line_or_the_question_itself(llm: LLM, standin: StandIn):
    from policykb.answer.generative import rewrite_query

    standin.script(Reply("“村党组织书记 集中培训 学时要求”\n（说明：把村支书换成规范说法）"))
    assert rewrite_query(llm, "村支书一年要培训多久？") == "村党组织书记 集中培训 学时要求"
    assert "村支书一年要培训多久？" in standin.requests[-1]["messages"][1]["content"]
    standin.script(Fail(500))
    assert rewrite_query(llm, "村支书一年要培训多久？") == "村支书一年要培训多久？"


def test_the_digest_prompt_is_checked_like_an_answer(llm: LLM, standin: StandIn):
    from policykb.answer.generative import write_cited
    from tests.test_llm_checks import weigh

    points = ["村（社区）党组织书记每人每年参加县级以上集中培训不少于40学时。", "新任村党组织书记任职后6个月内完成任职培训。"]
    standin.script(Reply("书记每年参加集中培训不少于40学时[1]。新任书记须在6个月内完成任职培训[2]。书记须赴京培训[3]。"))
    checked = write_cited(llm, "digest", points, weigh, title="关于开展集中轮训的通知", doc_no="江组发〔2026〕3号",
                          issuer="中共江北省委组织部", date="2026-01-24",
                          points="\n".join(f"[{i}] {p}" for i, p in enumerate(points, 1)))
    prompt = standin.requests[-1]["messages"][1]["content"]
    assert "江组发〔2026〕3号" in prompt and "[2] 新任村党组织书记" in prompt and "解读" in prompt
    assert checked.cited == [1, 2] and checked.dropped_markers == [3]
    assert checked.unsupported == ["书记须赴京培训。"]


def test_the_endpoint_can_come_from_the_settings_file(standin: StandIn, tmp_path: Path):
    from click.testing import CliRunner

    from policykb.cli import main

    standin.reset()
    config = tmp_path / "config.toml"
    config.write_text(f'llm_base_url = "{standin.url}"\nllm_model = "{MODEL}"\nllm_timeout = 5\n'
                      'llm_client = "openai"\n', encoding="utf-8")
    env = {"POLICYKB_HOME": str(tmp_path), "POLICYKB_CONFIG": str(config), "POLICYKB_LLM_BASE_URL": None,
           "POLICYKB_LLM_MODEL": None, "POLICYKB_LLM_CLIENT": None}
    result = CliRunner().invoke(main, ["doctor", "--json", "--no-call"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["llm"]["base_url"] == standin.url and report["llm"]["client"] == "openai"
    assert report["llm"]["timeout"] == 5 and report["llm"]["models"] == [MODEL]
    assert standin.requests == []  # --no-call: only the model list was asked for
