"""The brownie recipe as the README gives it: ``make brownie-check`` builds ``.venv-brownie`` (eth-brownie
1.22.2 + this project, brownie's pins as constraints) and runs tools/brownie_check.py there: a brownie
script drives the suite through ``connect_web3`` over brownie's own ``web3`` on anvil, then checks that
none of brownie's pins moved. Slow (a venv of ~90 packages the first time): run with ``-m slow``."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ANVIL_BIN, REPO

pytestmark = [pytest.mark.slow, pytest.mark.anvil]


def _index_reachable(tmp: Path) -> str | None:
    """None when pip can fetch eth-brownie 1.22.2 (what the recipe installs), else pip's last line."""
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
         "-d", str(tmp), "eth-brownie==1.22.2"],
        capture_output=True, text=True, timeout=300,
    )
    if probe.returncode == 0:
        return None
    lines = (probe.stderr or probe.stdout).strip().splitlines()
    return lines[-1] if lines else f"pip exited {probe.returncode}"


def test_make_brownie_check_runs_a_brownie_script_over_the_wrappers(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("`make` is not installed")
    if not ANVIL_BIN.exists():
        pytest.skip("anvil is not installed: run `npm ci` in the project")
    unreachable = _index_reachable(tmp_path)
    if unreachable is not None:
        pytest.skip(f"pip cannot reach the package index to install eth-brownie 1.22.2: {unreachable}")

    run = subprocess.run(["make", "--no-print-directory", "brownie-check"], cwd=REPO,
                         capture_output=True, text=True, timeout=1200)
    out = run.stdout
    assert run.returncode == 0, f"make brownie-check failed ({run.returncode}):\n{out}\n{run.stderr}"
    lines = [line for line in out.splitlines() if line.startswith(("ok ", "FAIL"))]
    assert not [line for line in lines if line.startswith("FAIL")]
    steps = [line[5:].split(":", 1)[0] for line in lines]
    for expected in ("brownie web3 connected", "connect_web3 wraps brownie's web3", "suite deployed",
                     "proposed", "approved", "executed", "read back", "anvil stopped",
                     "web3 still pinned", "eth-typing still pinned", "hexbytes still pinned",
                     "rlp still pinned", "every other pin of brownie holds"):
        assert expected in steps, f"step {expected!r} missing from:\n{out}"
    assert "brownie.network.web3.Web3" in out and "members ['Acme', 'Globex', 'Umbrella']" in out
    assert out.rstrip().endswith("brownie-check passed")
