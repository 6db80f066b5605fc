"""The CLI starts without the chain's heavy libraries: ``--help``, ``--version`` and the help of the
read commands import neither web3 nor what it pulls in (eth_utils with pydantic, eth_abi,
eth_account), nor rich; a read command imports web3 (it needs it) but not the test-only libraries.
Checked in a fresh interpreter per command (timings are measured in bench/, section startup)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _cli_env import deployed_project, module_node

HEAVY = ("web3", "eth_utils", "eth_abi", "eth_account", "pydantic", "rich", "hypothesis", "eth_tester")


def _imported(*argv: str) -> list[str]:
    code = (
        "import json, sys\n"
        "from coopetition.cli import main\n"
        f"try:\n    main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("argv", [
    ("--help",), ("--version",), ("escrow", "--help"), ("escrow", "list", "--help"), ("titles", "book", "--help"),
    ("costs", "balances", "--help"), ("consortium", "proposals", "--help"),
])
def test_help_and_version_import_no_chain_library(argv: tuple[str, ...]) -> None:
    assert _imported(*argv) == []


def test_a_bad_option_value_is_refused_before_web3_is_imported() -> None:
    assert _imported("escrow", "list", "--state", "sleeping") == []


@pytest.mark.anvil
def test_a_read_command_imports_web3_but_no_test_library(tmp_path: Path) -> None:
    for node in module_node():
        root = deployed_project(tmp_path, node)
        found = _imported("--project", str(root), "--network", "dev", "escrow", "list")
        assert "web3" in found  # the check sees what a read imports
        assert "hypothesis" not in found and "eth_tester" not in found, found
