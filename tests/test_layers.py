"""Imports flow down the data flow: each package imports only from floors below its own.

The floors are the layout's order (the README's Layout): the settlement model
at the bottom, then geography and mission operations, the chain, the store,
verification, the ledger book, conditions, the simulator, scale-out and
reports, the service, the main job and the CLI on top. Packages on one floor
are peers and import neither way. A package or top-level module not on a floor
fails here until it is given one.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import accord

FLOORS: tuple[frozenset[str], ...] = tuple(
    frozenset(floor.split())
    for floor in (
        "accord limits columns",
        "agreement",
        "plans",
        "negotiate geo",
        "ops",
        "ledger",
        "store",
        "verify",
        "book",
        "conditions",
        "sim scale report",
        "service",
        "lifecycle",
        "cli",
    )
)
ROOT = Path(accord.__file__).parent


def unit_of(path: Path) -> str:
    """The package (or top-level module) a source file belongs to; `accord` for the root."""
    parts = path.relative_to(ROOT).parts
    if len(parts) == 1:
        return "accord" if parts[0] == "__init__.py" else parts[0].removesuffix(".py")
    return parts[0]


def imported_units(tree: ast.AST) -> set[str]:
    """The accord packages and top-level modules a module imports."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "accord":
                found |= {alias.name for alias in node.names if alias.name != "__version__"}
            elif node.module.startswith("accord."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("accord.")}
    return found


def import_graph() -> dict[tuple[str, str], list[str]]:
    """Each (importer, imported) pair of units and the files that make it."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        unit = unit_of(path)
        for target in imported_units(ast.parse(path.read_text(encoding="utf-8"))):
            if target != unit:
                edges[unit, target].append(str(path.relative_to(ROOT)))
    return edges


def violations(
    edges: dict[tuple[str, str], list[str]], floors: tuple[frozenset[str], ...] = FLOORS
) -> list[str]:
    """Every import that does not flow down, and every unit that has no floor."""
    level = {unit: number for number, floor in enumerate(floors) for unit in floor}
    problems = []
    for (importer, imported), files in sorted(edges.items()):
        for unit in (importer, imported):
            if unit not in level:
                problems.append(f"{unit} is on no floor (imported in {files[0]})")
        if importer in level and imported in level and level[imported] >= level[importer]:
            problems.append(f"{importer} imports {imported}, not below it: {', '.join(files)}")
    return sorted(set(problems))


def test_imports_only_flow_down() -> None:
    assert violations(import_graph()) == []


def test_every_package_is_on_a_floor() -> None:
    units = {unit_of(path) for path in ROOT.rglob("*.py")}
    placed = set().union(*FLOORS)
    assert units - placed == set()
    assert placed - units == set(), "a floor names a package that is gone"


def test_an_import_up_or_sideways_or_from_nowhere_is_caught() -> None:
    edges = {
        ("store", "verify"): ["store/x.py"],
        ("geo", "negotiate"): ["geo/y.py"],
        ("verify", "extras"): ["verify/z.py"],
        ("verify", "store"): ["verify/ok.py"],
    }
    assert violations(edges) == [
        "extras is on no floor (imported in verify/z.py)",
        "geo imports negotiate, not below it: geo/y.py",
        "store imports verify, not below it: store/x.py",
    ]


def test_the_graph_sees_both_import_forms() -> None:
    tree = ast.parse(
        "import accord.geo.line\nfrom accord import book\nfrom accord.ops import Teams"
    )
    assert imported_units(tree) == {"geo", "book", "ops"}
