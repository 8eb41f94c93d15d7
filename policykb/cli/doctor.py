"""`policykb doctor`: what is configured, and does the model endpoint answer?"""
from __future__ import annotations

import sys
import time
from typing import Any

import click

from policykb.cli.common import kb_option, print_json


def _check_prompts() -> dict[str, Any]:
    from policykb.prompts import PromptError, load_prompt, placeholders, prompts_dir

    out: dict[str, Any] = {"dir": str(prompts_dir()), "ok": True, "templates": {}}
    for name in ("system", "answer", "digest", "rewrite"):
        try:
            load_prompt(name)
            out["templates"][name] = placeholders(name)
        except PromptError as exc:
            out["templates"][name] = str(exc)
            out["ok"] = False
    return out


def _check_llm(settings: Any, call: bool) -> dict[str, Any]:
    from policykb.llm import LLM, LLMError

    info: dict[str, Any] = {
        "configured": bool(settings.llm_base_url),
        "base_url": settings.llm_base_url, "model": settings.llm_model, "client": settings.llm_client,
        "api_key": "***" if settings.llm_api_key else None, "timeout": settings.llm_timeout,
        "temperature": settings.llm_temperature, "max_tokens": settings.llm_max_tokens,
        "max_retries": settings.llm_max_retries,
    }
    if not settings.llm_base_url:
        info["ok"] = True
        info["message"] = "未配置大模型服务，问答使用离线摘录式回答"
        return info
    llm = LLM.from_settings(settings)
    try:
        models = llm.models()
        info["models"] = models
        if models and settings.llm_model not in models:
            info["warning"] = f"服务上没有名为 {settings.llm_model} 的模型（可用：{'、'.join(models[:10])}）"
    except LLMError as exc:
        info["models_error"] = exc.reason  # some gateways do not list models; the call decides
    if call:
        started = time.perf_counter()
        try:
            reply = llm.chat([{"role": "user", "content": "请只回复两个字：正常"}])
            info["reply"] = reply[:100]
            info["seconds"] = round(time.perf_counter() - started, 2)
        except LLMError as exc:
            info["ok"] = False
            info["message"] = f"大模型服务不可用：{exc.reason}"
            return info
    elif "models_error" in info:
        info["ok"] = False
        info["message"] = f"大模型服务不可用：{info['models_error']}"
        return info
    info["ok"] = True
    info["message"] = "大模型服务可用，问答由大模型生成并核查引用"
    return info


def _check_kb(settings: Any, kb: str | None) -> dict[str, Any]:
    name = kb or settings.kb
    path = settings.kb_dir(name)
    out: dict[str, Any] = {"name": name, "dir": str(path), "exists": (path / "registry.sqlite").is_file()}
    if out["exists"]:
        from policykb.service import KnowledgeBase

        knowledge = KnowledgeBase(settings, kb=name)
        try:
            out.update(knowledge.counts())  # documents, chunks, pending_vectors
            out["keyword_index"] = {**knowledge.keyword_index.status(),
                                    "above": settings.keyword_index_above}
        finally:
            knowledge.close()
    return out


@click.command()
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.option("--no-call", is_flag=True, help="只查询模型列表，不发送测试问答")
@kb_option
def doctor(as_json: bool, no_call: bool, kb: str | None) -> None:
    """检查配置：数据目录、知识库、提示词模板、大模型服务是否可用。"""
    from policykb.config import load_settings

    settings = load_settings()
    report = {
        "home": str(settings.home),
        "embedding_model": settings.embedding_model,
        "vector_store": settings.chroma_url or str(settings.chroma_dir()),
        "kb": _check_kb(settings, kb),
        "prompts": _check_prompts(),
        "llm": _check_llm(settings, call=not no_call),
        "ocr": _check_ocr(),
    }
    ok = report["prompts"]["ok"] and report["llm"]["ok"]
    if as_json:
        print_json({"ok": ok, **report})
    else:
        _print(report)
    if not ok:
        sys.exit(1)


def _check_ocr() -> dict[str, Any]:
    """Whether scans and photos can be read (ingest/ocr.py), without loading the models."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("rapidocr-onnxruntime")
    except PackageNotFoundError:
        return {"ok": False, "engine": None,
                "message": "未安装 rapidocr-onnxruntime：扫描件与图片无法导入（OFD 与文字版 PDF 不受影响）"}
    return {"ok": True, "engine": f"rapidocr-onnxruntime {found}",
            "message": f"rapidocr-onnxruntime {found}（PP-OCRv4，离线）：扫描版 PDF、PNG/JPG/TIFF、OFD 图像页自动识别"}


def _print(r: dict[str, Any]) -> None:
    def line(label: str, value: Any, good: bool | None = None) -> None:
        mark = "" if good is None else ("[正常] " if good else "[失败] ")
        click.echo(label + " " * (12 - 2 * len(label)) + f"{mark}{value}")  # CJK: two columns each

    line("数据目录", r["home"])
    k = r["kb"]
    if k["exists"]:
        line("知识库", f"{k['name']}：{k['documents']} 份文档，{k['chunks']} 个段落，"
                      f"{k['pending_vectors']} 段待向量化")
        ki = k["keyword_index"]
        if k["chunks"] < ki["above"]:
            line("关键词索引", f"文库不足 {ki['above']:,} 段，直接使用 SQLite FTS5")
        elif ki["current"]:
            line("关键词索引", f"内存索引，{ki['passages']:,} 段，与登记库一致", True)
        else:
            line("关键词索引", "内存索引已过期，检索暂用 SQLite FTS5（服务会在写入停止后重建；"
                              "或运行 policykb reindex）")
    else:
        line("知识库", f"{k['name']}：尚未建立（policykb ingest 导入文件后自动建立）")
    line("嵌入模型", r["embedding_model"])
    o = r["ocr"]
    line("文字识别", o["message"], o["ok"])
    line("向量库", r["vector_store"])
    p = r["prompts"]
    line("提示词", p["dir"], p["ok"])
    for name, value in p["templates"].items():
        click.echo(f"{'':<12}{name}: " + ("{" + "} {".join(value) + "}" if isinstance(value, list) and value
                                            else ("（无变量）" if isinstance(value, list) else value)))
    m = r["llm"]
    if not m["configured"]:
        line("大模型", m["message"])
        click.echo(f"{'':<12}配置方法：环境变量 POLICYKB_LLM_BASE_URL、POLICYKB_LLM_MODEL、POLICYKB_LLM_API_KEY，"
                   "或设置文件 config.toml 中的 llm_base_url 等")
        return
    line("大模型", f"{m['base_url']} · 模型 {m['model']} · 客户端 {m['client']}", m["ok"])
    click.echo(f"{'':<12}密钥 {'已设置' if m['api_key'] else '未设置'} · 超时 {m['timeout']:g} 秒 · "
               f"temperature {m['temperature']} · max_tokens {m['max_tokens']} · 重试 {m['max_retries']} 次")
    if "models" in m:
        click.echo(f"{'':<12}可用模型：{'、'.join(m['models']) or '（空）'}")
    if m.get("warning"):
        click.secho(f"{'':<12}{m['warning']}", fg="yellow")
    if "seconds" in m:
        click.echo(f"{'':<12}测试问答 {m['seconds']} 秒：{m['reply']}")
    click.secho(f"{'':<12}{m['message']}", fg=None if m["ok"] else "red")
