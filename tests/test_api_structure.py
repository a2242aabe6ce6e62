"""The shape of ``experiments/`` (issue 10): no import cycles, no file over 400 lines, argparse only in run.py."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "experiments"
#: Longest a module may grow before it is split by concept (STYLE.md).
MAX_LINES = 400


def _imports(path: Path) -> set[str]:
    """Modules of ``experiments`` that ``path`` imports anywhere (top level or inside functions)."""
    found = set()
    submodules = {p.stem for p in PACKAGE.glob("*.py")}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("experiments.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "experiments":
            if node.module == "experiments":
                found |= {f"experiments.{a.name}" for a in node.names if a.name in submodules}
            else:
                found.add(node.module)
    return found


def test_no_import_cycles_inside_experiments():
    graph = {f"experiments.{p.stem}": _imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            assert state.get(nxt) != "open", "import cycle: " + " -> ".join([*path[path.index(nxt):], nxt])
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert len(graph) > 20  # the walk saw the package


def test_a_cycle_would_be_found(tmp_path):
    """The checker itself: two modules importing each other inside functions are seen."""
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from experiments.b import g\n", encoding="utf-8")
    assert _imports(a) == {"experiments.b"}


def test_no_module_over_400_lines():
    long = {str(p.relative_to(REPO)): n for p in [*PACKAGE.glob("*.py"), REPO / "run.py"] if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_argparse_only_in_the_command_line():
    users = [p.name for p in PACKAGE.glob("*.py") if "argparse" in {a.name for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))) if isinstance(n, ast.Import) for a in n.names}]
    assert users == []
