"""The layers of STYLE.md, read from the imports (AST), so an upward arrow or a cycle fails the suite.

    cli.py            may import everything
    print_service/    the web print service; nothing imports it (only cli.py may)
    sync/             talks to Omnidesk; never imports print_service; the sandbox apart from the engine
    omnidesk_macros/  templates and letters; imports no sync, click, httpx, web framework or print_service

Every import counts, also those inside functions and under TYPE_CHECKING: an import dodged into a
function is still an arrow, and a cycle dodged that way is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import REPO, build_file_tree

PACKAGES = ("omnidesk_macros", "sync", "print_service")
WEB_SERVICE = "print_service"
FORBIDDEN_IN_LIBRARY = ("sync", "click", "httpx", "starlette", "uvicorn", "fastapi", WEB_SERVICE)
SANDBOX = "sync.sandbox"
# Who may wire the fake Omnidesk: the command line and the demo (tests and benchmarks are not scanned).
SANDBOX_USERS = ("cli", "sync.demo")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path, path: Path, known: set[str]) -> set[str]:
    """Every module ``path`` imports (absolute names); ``from pkg import mod`` counts as ``pkg.mod``."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    files = [root / "cli.py"] if (root / "cli.py").is_file() else []
    for package in PACKAGES:
        files += sorted((root / package).rglob("*.py")) if (root / package).is_dir() else []
    known = {module_name(root, f) for f in files}
    return {module_name(root, f): imports_of(root, f, known) for f in files}


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def rule_violations(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if within(module, "omnidesk_macros") and any(within(target, f) for f in FORBIDDEN_IN_LIBRARY):
                found.append(f"{module} imports {target}: omnidesk_macros must not know it")
            if within(module, "sync") and within(target, WEB_SERVICE):
                found.append(f"{module} imports {target}: sync must not know the web service")
            if within(target, WEB_SERVICE) and not within(module, WEB_SERVICE) and module != "cli":
                found.append(f"{module} imports {target}: only cli.py starts the web service")
            if (within(target, SANDBOX) and not within(module, SANDBOX) and module not in SANDBOX_USERS):
                found.append(f"{module} imports {target}: only cli.py and sync.demo wire the sandbox")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (or a module importing itself), as a list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan; the graphs are a few hundred nodes, recursion is fine
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_layers_hold() -> None:
    assert rule_violations(import_graph(REPO)) == []


def test_there_are_no_import_cycles() -> None:
    assert cycles(import_graph(REPO)) == []


def test_the_graph_sees_the_packages_and_their_imports() -> None:
    graph = import_graph(REPO)
    assert "omnidesk_macros.errors" in graph["sync.requester"]
    assert "sync.sandbox" in graph["cli"] or any(within(t, "sync.sandbox") for t in graph["cli"])


def tree(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    return import_graph(build_file_tree(tmp_path, {"omnidesk_macros/__init__.py": "", "sync/__init__.py": "",
                                                    "sync/sandbox/__init__.py": "", **files}))


@pytest.mark.parametrize(("files", "expected"), [
    ({"omnidesk_macros/a.py": "def f():\n    from sync import client\n", "sync/client.py": ""},
     "omnidesk_macros.a imports sync.client: omnidesk_macros must not know it"),
    ({"omnidesk_macros/a.py": "import httpx\n"}, "omnidesk_macros.a imports httpx: omnidesk_macros must not know it"),
    ({"sync/plan.py": "from .sandbox import server\n", "sync/sandbox/server.py": ""},
     "sync.plan imports sync.sandbox.server: only cli.py and sync.demo wire the sandbox"),
    ({"sync/plan.py": "import print_service.app\n", "print_service/__init__.py": "", "print_service/app.py": ""},
     "sync.plan imports print_service.app: sync must not know the web service"),
])
def test_the_rules_catch_an_upward_import(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    assert expected in rule_violations(tree(tmp_path, files))


def test_a_cycle_dodged_into_a_function_is_still_a_cycle(tmp_path: Path) -> None:
    graph = tree(tmp_path, {
        "omnidesk_macros/loader.py": "def load():\n    from .validate import check\n",
        "omnidesk_macros/validate.py": "from .loader import load\n",
        "omnidesk_macros/other.py": "from . import loader\n",
    })
    assert cycles(graph) == [["omnidesk_macros.loader", "omnidesk_macros.validate"]]

