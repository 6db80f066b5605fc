"""The shape of the house: no import circle in the package, no module over 450 lines except the
generated bindings, and the layers import one way (down)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coopetition"
MAX_LINES = 450


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str, path: Path) -> set[str]:
    """Every module of the package that ``module`` imports: at the top, under TYPE_CHECKING or
    inside a function (a lazy import still ties the two modules together)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _package_of(module, path)
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            for alias in node.names:
                candidate = f"{origin}.{alias.name}"
                targets.add(candidate if candidate in MODULES else origin)
    return {t for t in targets if t in MODULES and t != module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _find_circle() -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (circle := visit(nxt)):
                return circle
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state and (circle := visit(module)):
            return circle
    return None


def test_the_package_has_no_import_circle() -> None:
    circle = _find_circle()
    assert circle is None, "import circle: " + " -> ".join(circle or [])


def test_the_circle_finder_finds_a_circle() -> None:
    GRAPH["coopetition._units"].add("coopetition._session")
    try:
        circle = _find_circle()
    finally:
        GRAPH["coopetition._units"].discard("coopetition._session")
    assert circle is not None and circle[0] == circle[-1]


@pytest.mark.parametrize(
    "module", [m for m in MODULES if not m.startswith("coopetition.bindings.")]
)
def test_no_module_is_over_450_lines(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(PACKAGE.parent)}: {lines} lines"


WINGS = ("coopetition._chain", "coopetition._compiler", "coopetition._bindgen", "coopetition._domain")
UPPER = ("coopetition.cli", "coopetition._demo", "coopetition._session")


@pytest.mark.parametrize("wing", WINGS)
def test_wings_never_import_the_cli_the_demo_or_the_session(wing: str) -> None:
    offenders = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items() if module == wing or module.startswith(wing + ".")
        for target in targets if target.startswith(UPPER)
    )
    assert not offenders, offenders


def test_only_the_entry_point_imports_the_cli() -> None:
    offenders = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        if not module.startswith("coopetition.cli") and module != "coopetition.__main__"
        for target in targets if target.startswith("coopetition.cli")
    )
    assert not offenders, offenders


def test_every_folder_of_the_package_is_a_regular_package() -> None:
    folders = {p.parent for p in PACKAGE.rglob("*.py")}
    missing = sorted(str(f.relative_to(PACKAGE.parent)) for f in folders if not (f / "__init__.py").exists())
    assert not missing, f"folders without __init__.py (a namespace package by accident): {missing}"
