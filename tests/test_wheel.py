"""The built package is self-contained: with no Node, no solc and no project around it, it deploys
and uses every contract from the artifacts it ships (issue 2, point 4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(work / "dist"), str(REPO)],
        check=True, capture_output=True, cwd=work,
    )
    wheels = list((work / "dist").glob("coopetition-*.whl"))
    assert len(wheels) == 1, wheels
    site = work / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheels[0])],
        check=True, capture_output=True, cwd=work,
    )
    return site


def _run(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/nonexistent",  # no node, no solc on PATH
        "PYTHONPATH": str(site),
        "HOME": str(cwd),
        "SOLCX_BINARY_PATH": str(cwd / "no-solcx"),
        "COOPETITION_PROJECT": str(cwd),
    }
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_wheel_ships_artifacts_and_runs_every_contract_without_node_or_solc(installed: Path, tmp_path: Path) -> None:
    names = sorted(p.stem for p in (installed / "coopetition" / "artifacts").glob("*.json"))
    assert {"Consortium", "JointVentureEscrow", "CostSharing", "TitleRegistry", "TitleExchange"} <= set(names)
    assert (installed / "coopetition" / "py.typed").exists()
    where = _run(installed, tmp_path, "-c", "import coopetition; print(coopetition.__file__)")
    assert where.stdout.strip().startswith(str(installed)), where.stdout + where.stderr
    demo = _run(installed, tmp_path, "-m", "coopetition", "demo", "--no-compile")
    assert demo.returncode == 0, demo.stderr[-3000:]
    for act in ("Act 1: the consortium", "joint venture in escrow", "shared R&D costs", "titles change hands"):
        assert act in demo.stdout
    assert "Members now: Acme, Globex, Initech, Umbrella" in demo.stdout


def test_compile_without_any_compiler_is_one_line_naming_both_ways(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "A.sol").write_text("// SPDX-License-Identifier: MIT\npragma solidity 0.8.37;\ncontract A {}\n")
    result = _run(installed, tmp_path, "-m", "coopetition", "compile")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "npm" in lines[0] and "solc" in lines[0]
