"""``coopetition compile`` as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from coopetition._compiler import SOLC_VERSION, bridge_script
from coopetition.cli import cli

REPO = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")

needs_node = pytest.mark.skipif(
    NODE is None or not (REPO / "node_modules" / "solc").is_dir(),
    reason="needs Node and the npm toolchain: run `npm ci`",
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No explicit solc, no py-solc-x binaries, and only ``node`` on PATH."""
    monkeypatch.delenv("COOPETITION_SOLC", raising=False)
    monkeypatch.delenv("COOPETITION_PROJECT", raising=False)
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "solcx"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if NODE:
        (bin_dir / "node").symlink_to(NODE)
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def project(root: Path, sources: dict[str, str]) -> Path:
    for name, text in sources.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / "node_modules").symlink_to(REPO / "node_modules")
    return root


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--project", str(root), "compile", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


SIMPLE = {"contracts/Greeter.sol": "pragma solidity 0.8.37;\ncontract Greeter { string public hi = 'hi'; }\n"}


@needs_node
def test_compile_then_nothing_to_do(tmp_path: Path, env: Path) -> None:
    root = project(tmp_path / "p", SIMPLE)
    code, out, _ = run(root)
    assert code == 0
    assert out.startswith("Compiled 1 contracts with solc 0.8.37+commit.f401782d (solc-js")
    assert "wrote   coopetition/artifacts/Greeter.json" in out
    code, out, _ = run(root)
    assert code == 0
    assert out.startswith("Nothing to compile: 1 artifacts are up to date")


@needs_node
def test_compile_json_mode_reports_what_it_did(tmp_path: Path, env: Path) -> None:
    root = project(tmp_path / "p", SIMPLE)
    result = CliRunner().invoke(cli, ["--json", "--project", str(root), "compile"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["cached"] is False
    assert data["compiler"]["kind"] == "solcjs"
    assert data["contracts"] == ["Greeter"]
    assert data["written"] == ["coopetition/artifacts/Greeter.json"]
    again = json.loads(CliRunner().invoke(cli, ["--json", "--project", str(root), "compile", "--force"]).stdout)
    assert again["cached"] is False and again["unchanged"] == ["coopetition/artifacts/Greeter.json"]


@needs_node
def test_syntax_error_prints_the_compiler_message_and_exits_1(tmp_path: Path, env: Path) -> None:
    root = project(tmp_path / "p", {
        "contracts/Bad.sol": "pragma solidity 0.8.37;\n\ncontract Bad {\n    uint256 x = ;\n}\n",
    })
    code, out, err = run(root)
    assert code == 1
    assert err == "Error: contracts/Bad.sol:4:17: ParserError: Expected primary expression.\n"
    assert "Traceback" not in out + err
    assert not (root / "coopetition" / "artifacts").exists()


@needs_node
def test_warnings_are_shown_and_do_not_fail(tmp_path: Path, env: Path) -> None:
    root = project(tmp_path / "p", {
        "contracts/W.sol": "pragma solidity 0.8.37;\ncontract W { function f() public pure { uint256 unused; } }\n",
    })
    code, _, err = run(root)
    assert code == 0
    assert "contracts/W.sol:2:41: Warning: Unused local variable." in err


def test_no_compiler_anywhere_is_one_line_naming_both_remedies(tmp_path: Path, env: Path) -> None:
    (env / "node").unlink(missing_ok=True)
    root = project(tmp_path / "p", SIMPLE)
    code, out, err = run(root)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"Error: no Solidity compiler {SOLC_VERSION} found: run `npm ci`")
    assert "--solc PATH or COOPETITION_SOLC" in err


def test_explicit_solc_that_does_not_exist_is_one_line(tmp_path: Path, env: Path) -> None:
    root = project(tmp_path / "p", SIMPLE)
    code, _, err = run(root, "--solc", str(tmp_path / "missing-solc"))
    assert code == 1
    assert err == f"Error: the solc given by --solc/COOPETITION_SOLC does not exist: {tmp_path / 'missing-solc'}\n"


@needs_node
def test_which_prints_the_chosen_compiler(tmp_path: Path, env: Path) -> None:
    root = project(tmp_path / "p", SIMPLE)
    code, out, _ = run(root, "--which")
    assert code == 0
    assert out == f"{root.resolve() / '.coopetition' / 'bin' / 'solc'}\n"


@needs_node
def test_check_fails_when_artifacts_are_stale(tmp_path: Path, env: Path) -> None:
    root = project(tmp_path / "p", SIMPLE)
    assert run(root)[0] == 0
    assert run(root, "--check")[0] == 0
    (root / "contracts" / "Greeter.sol").write_text(
        "pragma solidity 0.8.37;\ncontract Greeter { string public hi = 'hello'; }\n"
    )
    code, _, err = run(root, "--check")
    assert code == 1
    assert err.startswith("Error: artifacts are stale: artifact Greeter was compiled from other sources")
    assert err.rstrip().endswith("run `make compile`")


@needs_node
def test_noop_compile_loads_neither_web3_nor_solcx(tmp_path: Path, env: Path) -> None:
    root = project(tmp_path / "p", SIMPLE)
    assert run(root)[0] == 0
    probe = (
        "import sys\n"
        "from coopetition.cli import main\n"
        "try:\n"
        f"    main(['--project', {str(root)!r}, 'compile'])\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print(sorted(m for m in ('web3', 'solcx', 'eth_tester', 'requests') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["Nothing to compile: 1 artifacts are up to date"
                                       f"{out.stdout.splitlines()[0].split('up to date', 1)[1]}", "[]"]


def test_bridge_is_shipped_as_package_data() -> None:
    assert bridge_script().is_file()
    assert bridge_script().read_text().startswith("#!/usr/bin/env node")


TWO = {
    "contracts/Hot.sol": "pragma solidity 0.8.37;\ncontract Hot { uint256 public n; function bump() external { ++n; } }\n",
    "contracts/Cold.sol": "pragma solidity 0.8.37;\ncontract Cold { uint256 public n; function bump() external { ++n; } }\n",
}
PROFILE = '[[compiler.profiles]]\nname = "hot"\nsources = ["contracts/Hot.sol"]\noptimizer_runs = 1000000\nvia_ir = true\n'


@needs_node
def test_a_compiler_profile_compiles_its_sources_with_its_own_settings_and_check_knows_it(
    tmp_path: Path, env: Path
) -> None:
    root = project(tmp_path / "p", {**TWO, "coopetition.toml": PROFILE})
    code, _, err = run(root)
    assert code == 0, err
    settings = {name: json.loads((root / "coopetition" / "artifacts" / f"{name}.json").read_text())["compiler"]["settings"]
                for name in ("Hot", "Cold")}
    assert settings["Hot"]["optimizer"]["runs"] == 1_000_000 and settings["Hot"]["viaIR"] is True
    assert settings["Cold"]["optimizer"]["runs"] == 200 and "viaIR" not in settings["Cold"]
    assert run(root, "--check")[0] == 0  # two units, one folder: neither unit's artifacts look stale
    (root / "coopetition.toml").write_text(PROFILE.replace("1000000", "999"))
    code, _, err = run(root, "--check")
    assert code == 1 and "artifact Hot was compiled from other sources" in err and "Cold" not in err


@pytest.mark.parametrize(("profile", "message"), [
    ('[compiler]\nprofiles = "hot"\n', "compiler.profiles in the project configuration must be an array of tables"),
    ('[[compiler.profiles]]\nname = "hot"\nsources = []\n', "compiler profile 'hot': sources must be a non-empty list"),
    ('[[compiler.profiles]]\nname = "hot"\nsources = ["contracts/Nope.sol"]\n',
     "compiler profile 'hot': contracts/Nope.sol is not a contract source outside the test folder"),
    ('[[compiler.profiles]]\nname = "hot"\nsources = ["contracts/Hot.sol"]\noptimizer_runs = 0\n',
     "compiler profile 'hot': optimizer_runs must be a whole number from 1 to 4294967295"),
    ('[[compiler.profiles]]\nname = "hot"\nsources = ["contracts/Hot.sol"]\nvia_ir = "yes"\n',
     "compiler profile 'hot': via_ir must be true or false"),
    ('[[compiler.profiles]]\nname = "hot"\nsources = ["contracts/Hot.sol"]\nruns = 5\n',
     "compiler profile 'hot': unknown key 'runs' (use sources, optimizer_runs, via_ir)"),
    ('[[compiler.profiles]]\nname = "a"\nsources = ["contracts/Hot.sol"]\n'
     '[[compiler.profiles]]\nname = "b"\nsources = ["contracts/Hot.sol"]\n',
     "compiler profile 'b': contracts/Hot.sol is already in compiler profile 'a'"),
    ('[[compiler.profiles]]\nname = "test"\nsources = ["contracts/Hot.sol"]\n',
     "compiler profile 'test': name must be a word other than main and test"),
])
def test_a_wrong_compiler_profile_is_one_error_line_and_compiles_nothing(
    tmp_path: Path, env: Path, profile: str, message: str
) -> None:
    root = project(tmp_path / "p", {**TWO, "coopetition.toml": profile})
    code, out, err = run(root)
    assert code != 0 and err.startswith(f"Error: {message}") and err.count("\n") == 1, err
    assert "Traceback" not in out + err
    assert not (root / "coopetition" / "artifacts").exists()


@needs_node
def test_an_edit_recompiles_only_the_units_whose_input_changed(
    tmp_path: Path, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coopetition._compiler import build

    root = project(tmp_path / "p", {**TWO, "coopetition.toml": PROFILE})
    assert run(root)[0] == 0
    compiled: list[str] = []
    real = build._run_solc
    monkeypatch.setattr(build, "_run_solc", lambda compiler, unit: (compiled.append(unit.name), real(compiler, unit))[1])
    cold = root / "contracts" / "Cold.sol"
    cold.write_text(cold.read_text().replace("++n;", "n += 2;"))
    code, out, err = run(root)
    assert code == 0, err
    assert compiled == ["main"]  # the IR unit of Hot.sol did not change
    assert "wrote   coopetition/artifacts/Cold.json" in out and "wrote   coopetition/artifacts/Hot.json" not in out
    assert run(root, "--check")[0] == 0
    compiled.clear()
    assert run(root, "--force")[0] == 0
    assert sorted(compiled) == ["hot", "main"]
