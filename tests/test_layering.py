"""Each concern keeps to its home (README, "How it works"): routers and CLI commands call
`KnowledgeBase` only, and index/ (the vector worker, the stores) knows nothing of the
registry module that happens to feed it."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _modules(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py"))


def test_routers_and_commands_never_reach_into_the_registry() -> None:
    reaches = [f"{p.relative_to(ROOT)}:{node.lineno}"
               for p in _modules("api", "policykb/cli")
               for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
               if isinstance(node, ast.Attribute) and node.attr == "registry"]
    assert reaches == []


def test_index_imports_nothing_of_the_registry_module() -> None:
    imports = []
    for p in _modules("index"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            imports += [f"{p.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n == "policykb.registry"]
    assert imports == []


def test_bm25_is_computed_in_one_module() -> None:
    """idf and the term score live in index/keyword/bm25.py; anything else that ranks or
    weighs by keywords calls it (or FTS5's bm25(), which computes the same)."""
    formula = ("+ 0.5) / (", "k1 + 1", "K1 + 1", "- b + b *", "- B + B *")
    home = ROOT / "index" / "keyword" / "bm25.py"
    copies = [f"{p.relative_to(ROOT)}:{i}" for p in _modules("api", "index", "ingest", "policykb", "bench")
              if p != home for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
              if any(f in line for f in formula)]
    assert copies == []
