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


def _run(code: str) -> list[object]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


BLS_LOADED = "sorted(m for m in sys.modules if m.startswith('py_ecc.') and 'bls' in m)"


@pytest.mark.anvil
def test_a_read_command_does_not_load_the_bls_modules(tmp_path: Path) -> None:
    """web3 imports eth-keyfile, which imports py_ecc's BLS12-381 modules (0.2-0.3 s); through the
    entry point they are stand-ins until used, and a read does not use them."""
    for node in module_node():
        root = deployed_project(tmp_path, node)
        argv = ["--project", str(root), "--network", "dev", "escrow", "list"]
        loaded = _run("import json, sys\nfrom coopetition.cli import main\n"
                      f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
                      f"print(json.dumps(['web3' in sys.modules, {BLS_LOADED}]))\n")
        assert loaded == [True, []]
    # the same import without the entry point loads them: the check can fail
    assert _run(f"import json, sys, web3\nprint(json.dumps([{BLS_LOADED}]))")[0] != []


def test_the_bls_stand_ins_behave_as_the_real_modules() -> None:
    """Keystores still encrypt and decrypt, the BLS functions give the real answers (loading the real
    modules on first use), the stand-in's constant is py_ecc's, and a later import of a BLS submodule
    (the embedded chain's precompiles) gets the real package."""
    real = _run("import json\nfrom py_ecc.bls import G2ProofOfPossession as G\n"
                "from py_ecc.bls12_381 import curve_order\n"
                "print(json.dumps([G.SkToPk(7).hex(), str(curve_order)]))")
    code = (
        "import json, sys\nfrom coopetition.cli._deferred_bls import BLS12_381_ORDER, defer\ndefer()\n"
        "from eth_account import Account\n"
        "key = b'\\x11' * 32\nstore = Account.encrypt(key, 'pw', iterations=2)\n"
        "same = bytes(Account.decrypt(store, 'pw')) == key\n"
        f"before = {BLS_LOADED}\n"
        "from py_ecc.bls import G2ProofOfPossession as G\nfrom py_ecc.bls12_381 import curve_order\n"
        "pk = G.SkToPk(7).hex()\n"
        f"print(json.dumps([same, before, pk, str(BLS12_381_ORDER), str(curve_order), {BLS_LOADED} != []]))\n"
    )
    same, before, pk, constant, order, loaded = _run(code)
    assert same is True and before == []
    assert [pk, constant] == real and order == real[1] and loaded is True
    evm = _run("import json, sys\nfrom coopetition.cli._deferred_bls import defer\ndefer()\nimport web3\n"
               "import eth.vm.forks\nfrom py_ecc.bls.hash_to_curve import hash_to_G2\n"
               "print(json.dumps([callable(hash_to_G2), sys.modules['py_ecc.bls'].__file__ is not None]))")
    assert evm == [True, True]
