"""The solc-js bridge behaves like native solc on the command line, driven through py-solc-x."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import solcx
from packaging.version import Version
from solcx.exceptions import SolcError, UnknownOption, UnknownValue
from solcx.wrapper import get_solc_version, solc_wrapper

from coopetition._compiler import bridge_script

REPO = Path(__file__).resolve().parents[2]
SOLCJS = REPO / "node_modules" / "solc"
NODE = shutil.which("node")
FIXTURE = REPO / "tests" / "fixtures" / "compiler" / "project"

pytestmark = pytest.mark.skipif(
    NODE is None or not SOLCJS.is_dir(), reason="needs Node and the npm toolchain: run `npm ci`"
)

ERC1155_SOURCE = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

contract Medal is ERC1155 {
    constructor() ERC1155("ipfs://medal/{id}") {}
}
"""


@pytest.fixture(scope="module")
def bridge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plain wrapper that runs the bridge for every argument (no --version shortcut)."""
    path = tmp_path_factory.mktemp("bridge") / "solc"
    path.write_text(
        f"#!/bin/sh\nCOOPETITION_SOLCJS='{SOLCJS}' exec '{NODE}' '{bridge_script()}' \"$@\"\n"
    )
    path.chmod(0o755)
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "Medal.sol").write_text(ERC1155_SOURCE)
    (tmp_path / "node_modules").symlink_to(REPO / "node_modules")
    return tmp_path


def test_version_prints_two_lines_like_native_solc(bridge: Path) -> None:
    out = subprocess.run([str(bridge), "--version"], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "solc, the solidity compiler commandline interface"
    assert re.fullmatch(r"Version: 0\.8\.37\+commit\.[0-9a-f]{8}\.Linux\.g\+\+", lines[1])
    assert len(lines) == 2


def test_py_solc_x_parses_the_bridge_version(bridge: Path) -> None:
    assert get_solc_version(bridge) == Version("0.8.37")
    assert str(get_solc_version(bridge, with_commit_hash=True)) == "0.8.37+commit.f401782d"


def test_standard_json_compiles_an_openzeppelin_erc1155_through_py_solc_x(
    bridge: Path, project: Path
) -> None:
    source = project / "contracts" / "Medal.sol"
    data = {
        "language": "Solidity",
        "sources": {"contracts/Medal.sol": {"content": source.read_text()}},
        "settings": {
            "remappings": ["@openzeppelin/=node_modules/@openzeppelin/"],
            "optimizer": {"enabled": True, "runs": 200},
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    # OpenZeppelin is not in the input: the bridge's import callback reads it under --base-path
    output = solcx.compile_standard(
        data, base_path=project, allow_paths=[project], solc_binary=bridge
    )
    medal = output["contracts"]["contracts/Medal.sol"]["Medal"]
    assert {e.get("name") for e in medal["abi"]} >= {"safeTransferFrom", "balanceOf", "TransferSingle"}
    assert medal["evm"]["bytecode"]["object"].startswith("6080")
    assert "node_modules/@openzeppelin/contracts/token/ERC1155/ERC1155.sol" in output["sources"]


def test_standard_json_reads_imports_from_include_paths(bridge: Path, tmp_path: Path) -> None:
    (tmp_path / "libs" / "shapes").mkdir(parents=True)
    (tmp_path / "libs" / "shapes" / "Square.sol").write_text(
        "pragma solidity 0.8.37;\nlibrary Square { function squared(uint256 x) internal pure returns (uint256) "
        "{ return x * x; } }\n"
    )
    data = {
        "language": "Solidity",
        "sources": {
            "main/Area.sol": {
                "content": 'pragma solidity 0.8.37;\nimport "shapes/Square.sol";\n'
                "contract Area { function f() external pure returns (uint256) { return Square.squared(3); } }\n"
            }
        },
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    proc = subprocess.run(
        [str(bridge), "--standard-json", "--base-path", str(tmp_path / "main"),
         "--include-path", str(tmp_path / "nothing"), "--include-path", str(tmp_path / "libs")],
        input=json.dumps(data), capture_output=True, text=True, check=True,
    )
    output = json.loads(proc.stdout)
    assert [e for e in output.get("errors", []) if e["severity"] == "error"] == []
    assert "shapes/Square.sol" in output["sources"]


def test_standard_json_reports_a_missing_import_as_a_compiler_error(bridge: Path, tmp_path: Path) -> None:
    data = {
        "language": "Solidity",
        "sources": {"A.sol": {"content": 'pragma solidity 0.8.37;\nimport "./Missing.sol";\ncontract A {}\n'}},
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    with pytest.raises(SolcError, match=r"Missing\.sol"):
        solcx.compile_standard(data, base_path=tmp_path, solc_binary=bridge)


def test_combined_json_with_files_and_remappings_through_py_solc_x(bridge: Path, project: Path) -> None:
    contracts = solcx.compile_files(
        [project / "contracts" / "Medal.sol"],
        output_values=["abi", "bin", "bin-runtime", "metadata", "hashes", "userdoc", "devdoc"],
        import_remappings=["@openzeppelin/=node_modules/@openzeppelin/"],
        base_path=project,
        allow_paths=[project],
        optimize=True,
        solc_binary=bridge,
    )
    medal = contracts["contracts/Medal.sol:Medal"]
    assert medal["bin"].startswith("6080")
    assert medal["bin-runtime"].startswith("6080")
    assert medal["hashes"]["balanceOf(address,uint256)"] == "00fdd58e"
    assert json.loads(medal["metadata"])["settings"]["optimizer"] == {"enabled": True, "runs": 200}
    assert "node_modules/@openzeppelin/contracts/token/ERC1155/IERC1155.sol:IERC1155" in contracts


def test_combined_json_fields_are_read_from_help_like_native_solc(bridge: Path, project: Path) -> None:
    # without output_values py-solc-x parses `--help` for the fields the compiler offers
    contracts = solcx.compile_files(
        [project / "contracts" / "Medal.sol"],
        import_remappings=["@openzeppelin/=node_modules/@openzeppelin/"],
        base_path=project,
        solc_binary=bridge,
    )
    medal = contracts["contracts/Medal.sol:Medal"]
    assert {"abi", "asm", "bin", "srcmap-runtime", "storage-layout", "ast"} <= set(medal)


def test_output_larger_than_64_kib_survives_a_pipe(bridge: Path, project: Path) -> None:
    proc = subprocess.run(
        [str(bridge), "--combined-json", "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,asm",
         "@openzeppelin/=node_modules/@openzeppelin/", "contracts/Medal.sol"],
        cwd=project, capture_output=True, check=True,
    )
    assert len(proc.stdout) > 10 * 65536
    combined = json.loads(proc.stdout)
    assert combined["version"].startswith("0.8.37+commit.")
    assert "contracts/Medal.sol" in combined["sourceList"]
    assert combined["sources"]["contracts/Medal.sol"]["AST"]["nodeType"] == "SourceUnit"


def test_standard_json_output_larger_than_64_kib_survives_a_pipe(bridge: Path) -> None:
    sources = {
        str(p.relative_to(FIXTURE)): {"content": p.read_text()}
        for p in sorted((FIXTURE / "contracts").rglob("*.sol"))
        if "test" not in p.parts
    }
    data = {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "remappings": ["@openzeppelin/=node_modules/@openzeppelin/"],
            "outputSelection": {"*": {"*": ["*"], "": ["ast"]}},
        },
    }
    proc = subprocess.run(
        [str(bridge), "--standard-json", "--base-path", str(REPO)],
        input=json.dumps(data).encode(), capture_output=True, check=True,
    )
    assert len(proc.stdout) > 65536
    output = json.loads(proc.stdout)
    assert "Badge" in output["contracts"]["contracts/Badge.sol"]


def test_combined_json_fails_with_the_compilers_message_on_a_syntax_error(
    bridge: Path, tmp_path: Path
) -> None:
    (tmp_path / "Bad.sol").write_text("pragma solidity 0.8.37;\ncontract Bad { uint256 x = ; }\n")
    proc = subprocess.run(
        [str(bridge), "--combined-json", "abi", "Bad.sol"], cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "ParserError: Expected primary expression." in proc.stderr
    assert "Bad.sol:2:" in proc.stderr


def test_unknown_option_is_refused_like_native_solc(bridge: Path) -> None:
    with pytest.raises(UnknownOption):
        solc_wrapper(solc_binary=bridge, no_such_flag=True)


def test_unknown_combined_json_field_is_refused_like_native_solc(bridge: Path, project: Path) -> None:
    with pytest.raises(UnknownValue):
        solc_wrapper(
            solc_binary=bridge, combined_json="abi,nonsense", source_files=[project / "contracts" / "Medal.sol"]
        )
