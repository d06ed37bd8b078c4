"""The engine's modules depend on each other in one direction: no import cycle in kvengine.

Every ``import`` and ``from ... import`` statement of every module under ``kvengine/`` is read
from the source (including imports inside functions and under ``TYPE_CHECKING``: a cycle
hidden there is still a cycle for a reader), resolved to the kvengine module it names, and the
resulting graph must have no cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "kvengine"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """``{module: {kvengine modules it imports}}`` for every module of ``package``."""
    paths = {module_name(p): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".")
                    base = base[: len(base) - node.level + (1 if is_package else 0)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                # "from pkg import mod" names the module pkg.mod; "from mod import name" mod
                targets = [
                    f"{source}.{a.name}" if f"{source}.{a.name}" in paths else source
                    for a in node.names
                ]
            for target in targets:
                if target in paths and target != name:
                    graph[name].add(target)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as ``[a, b, ..., a]``, or None (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_kvengine_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "kvengine.store" in graph and "kvengine.commands.registry" in graph
    assert "kvengine.commands.registry" in graph["kvengine.store"]  # edges are really read
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_sees_a_cycle() -> None:
    graph = import_graph()
    graph["kvengine.keyspace"].add("kvengine.store")  # as if keyspace imported the store
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1]
    assert "kvengine.store" in cycle and "kvengine.keyspace" in cycle


def test_commands_use_no_private_name_of_the_store() -> None:
    for path in (PACKAGE / "commands").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "store"
            ):
                assert not node.attr.startswith("_"), f"{path.name}: store.{node.attr}"
