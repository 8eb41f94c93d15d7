"""Prompt templates: plain files in prompts/, loaded by name.

The folder is `$POLICYKB_PROMPTS_DIR` when set, else the installed `policykb.templates`
package (the checkout's `prompts/` folder, shipped as package data). `{name}` placeholders are filled in one pass, so a
passage that happens to contain `{question}` is never expanded; other braces stay as
written.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SUFFIXES = (".txt", ".md")


class PromptError(LookupError):
    """A template that is missing, or a placeholder left without a value."""


def prompts_dir() -> Path:
    env = os.environ.get("POLICYKB_PROMPTS_DIR")
    if env:
        return Path(env).expanduser()
    import policykb.templates

    return Path(policykb.templates.__file__).resolve().parent


def load_prompt(name: str) -> str:
    folder = prompts_dir()
    if not re.fullmatch(r"[\w\-]+", name):
        raise PromptError(f"提示词模板名称无效：{name}")
    for suffix in _SUFFIXES:
        path = folder / f"{name}{suffix}"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip() + "\n"
    raise PromptError(f"找不到提示词模板 {name}.txt（目录 {folder}；可用环境变量 POLICYKB_PROMPTS_DIR 指定）")


def placeholders(name: str) -> list[str]:
    return list(dict.fromkeys(_PLACEHOLDER.findall(load_prompt(name))))


def render(name: str, **values: object) -> str:
    template = load_prompt(name)
    missing = [p for p in dict.fromkeys(_PLACEHOLDER.findall(template)) if p not in values]
    if missing:
        raise PromptError(f"提示词模板 {name} 缺少变量：{', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)
