"""政策知识库: a knowledge base over Chinese policy documents with cited answers.

The Python API is `policykb.service.KnowledgeBase`; the CLI and the HTTP API are thin
skins over it.
"""
from __future__ import annotations

import os

# Hard offline rules, set before any library that might phone home is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"
