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
