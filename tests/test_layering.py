"""The architecture's one direction of dependence, read from the source with `ast`:

    fleet  <-  policies  <-  events  <-  runs

fleet imports none of policies/events/runs (and no SimPy, no pandas); policies none of events/runs
(and no SimPy); events nothing of runs; and no import cycle between any two files of the four
packages. Every import counts, at module level or inside a function, and so does a dynamic import
of a literal name (`importlib.import_module("...")`, `__import__("...")`).

Inside `runs/` the rooms go one way too (docs/architecture.md):

    api  <-  studies  <-  trust, look  <-  study  <-  commands  <-  entry

`api` is the files at the top of runs/ that one replication and its result need (api, folders,
atomic, jsonio); `study` is the facade `runs.compare`/`runs.sweep`; `entry` is `runs/__init__.py`
(the public names, loaded lazily) and `runs/__main__.py`. trust and look do not import each other.
`runs/examples/` holds user-style code and imports nothing of runs.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("fleet", "policies", "events", "runs")
FORBIDDEN = {
    "fleet": {"policies", "events", "runs", "simpy", "pandas"},
    "policies": {"events", "runs", "simpy"},
    "events": {"runs"},
    "runs": set(),
}


RUNS_API = {"runs.api", "runs.folders", "runs.atomic", "runs.jsonio", "runs.pages"}
ROOM_MAY_IMPORT = {
    "api": {"api"},
    "studies": {"api", "studies"},
    "trust": {"api", "studies", "trust"},
    "look": {"api", "studies", "look"},
    "study": {"api", "studies", "look", "study"},
    "commands": {"api", "studies", "trust", "look", "study", "commands"},
    "entry": {"api", "studies", "trust", "look", "study", "commands", "entry"},
    "examples": set(),
}


def room(name: str) -> str | None:
    """The room of a module of runs/ (None for an unknown top-level file, which must be placed)."""
    parts = name.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return "entry"
    if parts[1] in ("studies", "trust", "look", "commands", "examples"):
        return parts[1]
    if parts[1] in ("study", "robust", "sensitivity"):     # studies that write their own reports
        return "study"
    return "api" if ".".join(parts[:2]) in RUNS_API else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files = {}
    for pkg in PACKAGES:
        for path in sorted((REPO / pkg).rglob("*.py")):
            files[module_name(path)] = path
    return files


FILES = source_files()


def imported_names(name: str, path: Path) -> list[tuple[str, int]]:
    """(absolute dotted name, line) of every import in the file, `from a import b` giving a.b too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)] if node.level > 1 else here
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            out.append((stem, node.lineno))
            out += [(f"{stem}.{alias.name}", node.lineno) for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__"):
                out.append((node.args[0].value, node.lineno))
    return out


def top(name: str) -> str:
    return name.split(".")[0]


def test_every_package_has_files():
    for pkg in PACKAGES:
        assert any(top(m) == pkg for m in FILES), pkg
    assert len(FILES) >= 20


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_what_it_may(package):
    bad = []
    for name, path in FILES.items():
        if top(name) != package:
            continue
        for imported, line in imported_names(name, path):
            if top(imported) in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(REPO)}:{line} imports {imported}")
    assert not bad, "\n".join(bad)


def import_graph() -> nx.DiGraph:
    """Files of the four packages and which of them each one imports (parents are not implied:
    `import a.b` is an edge to a.b only)."""
    g = nx.DiGraph()
    g.add_nodes_from(FILES)
    for name, path in FILES.items():
        for imported, _ in imported_names(name, path):
            if imported in FILES and imported != name:
                g.add_edge(name, imported)
    return g


def test_import_graph_is_acyclic():
    g = import_graph()
    # sanity: the graph holds the known dependences, so an empty graph cannot pass by accident
    assert g.has_edge("events.engine", "events.world")
    assert g.has_edge("runs.api", "events.engine")
    assert g.number_of_edges() > 30
    if not nx.is_directed_acyclic_graph(g):
        cycle = nx.find_cycle(g)
        pytest.fail("import cycle: " + " -> ".join(a for a, _ in cycle) + f" -> {cycle[-1][1]}")


def test_graph_edges_respect_the_layer_order():
    """No file imports a file of a later package (the same rule, seen on the file graph)."""
    rank = {p: i for i, p in enumerate(PACKAGES)}
    g = import_graph()
    bad = [(a, b) for a, b in g.edges if rank[top(b)] > rank[top(a)]]
    assert not bad, bad


def test_every_runs_file_is_in_a_room():
    """A new file of runs/ goes into a room (docs/architecture.md says which), not beside the API."""
    loose = [name for name in FILES if top(name) == "runs" and room(name) is None]
    assert not loose, f"put these in a room of runs/ (studies, trust, look, commands): {loose}"


def test_runs_rooms_import_one_way():
    bad = []
    for name, path in FILES.items():
        if top(name) != "runs" or room(name) is None:
            continue
        for imported, line in imported_names(name, path):
            if top(imported) == "runs" and room(imported) not in ROOM_MAY_IMPORT[room(name)]:
                bad.append(f"{path.relative_to(REPO)}:{line} ({room(name)}) imports {imported} ({room(imported)})")
    assert not bad, "\n".join(bad)


def test_rooms_checker_sees_an_upward_import():
    """The room rule itself: a studies file importing look, or a room importing the lazy facade, fails."""
    assert room("runs.look.report") == "look" and room("runs.api") == "api" and room("runs") == "entry"
    assert "look" not in ROOM_MAY_IMPORT[room("runs.studies.store")]
    assert "entry" not in ROOM_MAY_IMPORT[room("runs.trust.validate")]
    assert room("runs.optimise") is None


def test_checker_sees_function_level_and_relative_imports(tmp_path):
    """The reader itself: imports inside functions, relative and dynamic ones are all found."""
    pkg = tmp_path / "fleet"
    pkg.mkdir()
    f = pkg / "x.py"
    f.write_text("def f():\n    import simpy\n    from . import state\n    from .state import Status\n"
                 "    import importlib\n    importlib.import_module('runs.api')\n")
    names = {n for n, _ in imported_names("fleet.x", f)}
    assert {"simpy", "fleet", "fleet.state", "fleet.state.Status", "runs.api"} <= names
