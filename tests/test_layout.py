"""The package's layout holds: imports run one way, so each stage can be read (and replaced) on its own."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "generator" / "sitebot"


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each sitebot module → the sitebot modules it imports (at the top or inside a function)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
                candidates = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
                # `from .x import name`: name may be a module or an attribute of x.
                found |= {c if c in modules else c.rpartition(".")[0] for c in candidates}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("sitebot")}
        graph[name] = (found & modules.keys()) - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_back() -> None:
    assert _cycles(_imports()) == []


def test_the_stages_depend_only_on_earlier_ones() -> None:
    # Leaf modules import only each other; each stage imports only the leaves and the stages named
    # here. A stage reaching further up is a layering error.
    leaves = {"errors", "checks", "version", "templates", "stale", "cachefile"}
    allowed = {"text": set(), "index": set(), "crawl": {"text"}, "bot": set(), "bundle": {"index", "text"}}
    leaves = {f"sitebot.{m}" for m in leaves}
    allowed = {f"sitebot.{stage}": {f"sitebot.{m}" for m in ok} | leaves for stage, ok in allowed.items()}
    wrong = []
    for module, targets in _imports().items():
        for leaf in leaves:
            if module == leaf or module.startswith(leaf + "."):
                wrong += [f"{module} → {t}" for t in targets if t not in leaves or t == module]
        for stage, ok in allowed.items():
            if module == stage or module.startswith(stage + "."):
                wrong += [
                    f"{module} → {t}"
                    for t in targets
                    if not t.startswith(stage) and not any(t == o or t.startswith(o + ".") for o in ok)
                ]
    assert wrong == []
