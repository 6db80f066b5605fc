"""The demo compiles only when there is something to compile: from an installed package (no
contracts/ folder) and from a fresh clone (artifacts whose content hash matches the sources) it
uses the shipped artifacts and never looks for a compiler, so it needs no Node."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import REPO

import coopetition._compiler as compiler
from coopetition._demo import _compile_step
from coopetition._project import find_project
from coopetition.cli import cli
from coopetition.exceptions import CompilerNotFoundError


@pytest.fixture
def no_compiler(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """No Node and no solc on PATH; any attempt to compile is recorded (and finds no compiler)."""
    attempts: list[str] = []

    def refuse(*_args: Any, **_kw: Any) -> Any:
        attempts.append("compile")
        raise CompilerNotFoundError("no compiler in this test")

    monkeypatch.setattr(compiler, "compile_project", refuse)
    monkeypatch.setattr(compiler, "find_compiler", refuse)
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return attempts


def test_demo_without_a_contracts_folder_uses_the_shipped_artifacts(no_compiler: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "back-office"
    folder.mkdir()
    result = CliRunner().invoke(cli, ["--project", str(folder), "demo"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "No contracts/ folder here: using the compiled artifacts shipped in the package."
    assert lines[-1].startswith("Demo finished in ")
    assert no_compiler == [] and not (folder / "deployments").exists()


def _clone(tmp_path: Path) -> Path:
    """What a fresh clone holds: the sources, the committed artifacts, the npm packages; no build cache."""
    root = tmp_path / "clone"
    shutil.copytree(REPO / "contracts", root / "contracts")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")  # its compiler profiles
    shutil.copytree(REPO / "coopetition" / "artifacts", root / "coopetition" / "artifacts")
    shutil.copytree(REPO / "tests" / "artifacts", root / "tests" / "artifacts")
    (root / "node_modules").symlink_to((REPO / "node_modules").resolve())
    return root


def test_a_fresh_clone_does_not_recompile_when_the_artifacts_match_the_sources(
    no_compiler: list[str], tmp_path: Path
) -> None:
    root = _clone(tmp_path)
    lines: list[str] = []
    _compile_step(lines.append, True, find_project(root))
    assert len(lines) == 1 and lines[0].startswith("The shipped artifacts match the sources (content hash, ")
    assert no_compiler == []

    source = root / "contracts" / "Consortium.sol"
    source.write_text(source.read_text() + "\n// an edit\n")
    lines.clear()
    _compile_step(lines.append, True, find_project(root))
    assert no_compiler == ["compile"]  # changed sources are compiled
    assert lines == ["No Solidity compiler here: using the compiled artifacts shipped in the package."]


def test_demo_from_an_installed_wheel_without_node(tmp_path: Path) -> None:
    """Build the wheel, install it alone into a folder, run its demo from a folder with no project,
    with nothing on PATH (no Node, no solc): it runs on the artifacts inside the wheel."""
    import os
    import subprocess
    import sys

    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        "node_modules", ".git", ".venv*", ".coopetition", "deployments", "tests", "bench", "build", "*.egg-info",
        "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
    ))
    wheels, site, here, empty = (tmp_path / n for n in ("wheels", "site", "here", "empty-path"))
    for folder in (here, empty):
        folder.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = wheels.glob("coopetition-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COOPETITION_PROJECT")}
    env.update(PYTHONPATH=str(site), PATH=str(empty))
    result = subprocess.run([sys.executable, "-m", "coopetition", "demo"], cwd=here, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "No contracts/ folder here: using the compiled artifacts shipped in the package."
    assert lines[-1].startswith("Demo finished in ")
    imported = subprocess.run([sys.executable, "-c", "import coopetition; print(coopetition.__file__)"],
                              cwd=here, env=env, capture_output=True, text=True, check=True)
    assert imported.stdout.strip().startswith(str(site))  # the wheel's package, not the source tree
