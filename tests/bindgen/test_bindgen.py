"""The typed-binding generator (coopetition._bindgen) and ``coopetition bindings``.

Generation runs on the committed fixture artifact (tests/fixtures/bindings/Fixture.json, compiled
once from Fixture.sol by compile_fixture.cjs) and on the same contract in the other artifact
flavours users bring: Hardhat, Foundry (with its AST) and a bare ABI list.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from eth_utils.crypto import keccak

from coopetition._abi import decode_revert
from coopetition._artifacts import read_artifact
from coopetition._bindgen import (
    HEADER_PREFIX,
    check_bindings,
    generate_all,
    generate_binding,
    module_name,
    package_artifacts_dir,
    package_bindings_dir,
    write_bindings,
)
from coopetition.cli import cli
from coopetition.exceptions import BindingError, ContractCustomError

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bindings"
ARTIFACT = FIXTURES / "Fixture.json"
FOUNDRY = FIXTURES / "Fixture.foundry.json"


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def artifact() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ARTIFACT.read_text())
    return data


def hardhat_artifact() -> dict[str, Any]:
    a = artifact()
    return {
        "_format": "hh-sol-artifact-1",
        "contractName": "HardhatFixture",
        "sourceName": "contracts/Fixture.sol",
        "abi": a["abi"],
        "bytecode": a["bytecode"],
        "deployedBytecode": a["deployedBytecode"],
        "linkReferences": {},
        "deployedLinkReferences": {},
    }


@pytest.fixture(scope="module")
def text() -> str:
    return generate_binding(ARTIFACT)


@pytest.fixture(scope="module")
def mod(tmp_path_factory: pytest.TempPathFactory, text: str) -> ModuleType:
    path = tmp_path_factory.mktemp("gen") / "fixture_gen.py"
    path.write_text(text)
    return load(path, "fixture_gen")


def sig(func: Any) -> str:
    return str(inspect.signature(func)).replace("'", "")


# ------------------------------------------------------------------------------- module structure


def test_first_line_names_the_source_and_the_regenerate_command(text: str) -> None:
    first = text.splitlines()[0]
    assert first.startswith(HEADER_PREFIX)
    assert "tests/fixtures/bindings/Fixture.sol:Fixture" in first
    assert "coopetition bindings" in first and first.endswith("Do not edit.")


def test_generation_is_deterministic(text: str) -> None:
    assert generate_binding(ARTIFACT) == text
    assert generate_binding(artifact(), source_label="x") == generate_binding(artifact(), source_label="x")


def test_module_exports_one_class_per_contract_struct_enum_event_and_error(mod: ModuleType) -> None:
    assert set(mod.__all__) == {
        "ABI", "ERRORS", "Fixture", "FixtureEvents",
        "Point", "Shape", "Status",
        "BoundsResult", "EchoResult", "StatsResult",
        "DepositedEvent", "MovedEvent", "ShapeAddedEvent", "StatusChangedEvent", "TaggedEvent",
        "FixtureBadPoint", "FixtureBadStatus", "FixtureEmpty", "FixtureNotOwner", "FixtureTooLarge",
    }
    assert tuple(artifact()["abi"]) == mod.ABI


def test_structs_are_frozen_dataclasses_with_nested_types(mod: ModuleType) -> None:
    shape_fields = {f.name: f.type for f in dataclasses.fields(mod.Shape)}
    assert shape_fields == {
        "label": "str", "origin": "Point", "vertices": "tuple[Point, ...]",
        "status": "Status", "owner": "str", "tag": "bytes",
    }
    point = mod.Point(1, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3
    assert mod.Point.from_abi((4, 5)) == mod.Point(4, 5)
    assert mod.Point.from_abi({"x": 4, "y": 5}) == mod.Point(4, 5)


def test_enum_is_an_intenum_with_the_solidity_members(mod: ModuleType) -> None:
    assert issubclass(mod.Status, enum.IntEnum)
    assert [(m.name, m.value) for m in mod.Status] == [("PENDING", 0), ("ACTIVE", 1), ("CLOSED", 2)]


def test_method_signatures_are_typed(mod: ModuleType) -> None:
    f = mod.Fixture
    assert sig(f.get_shape) == "(self, id_: int, *, block_identifier: BlockIdentifier = latest) -> Shape"
    assert sig(f.bounds) == "(self, id_: int, *, block_identifier: BlockIdentifier = latest) -> BoundsResult"
    assert sig(f.labels) == (
        "(self, ids: Sequence[int], *, block_identifier: BlockIdentifier = latest) -> tuple[str, ...]"
    )
    assert sig(f.corners) == "(self, *, block_identifier: BlockIdentifier = latest) -> tuple[tuple[int, ...], ...]"
    assert sig(f.status_of) == "(self, id_: int, *, block_identifier: BlockIdentifier = latest) -> Status"
    assert sig(f.add_shape) == "(self, shape: Shape) -> TxResult"
    assert sig(f.set_status) == "(self, id_: int, status: Status) -> TxResult"
    assert sig(f.fail_bare) == "(self, *, block_identifier: BlockIdentifier = latest) -> None"
    # Python keywords/builtins and the leading underscore of `_to` are handled
    assert sig(f.transfer) == "(self, from_: str, to: str, value_: int, id_: int) -> TxResult"
    assert sig(f.encode_transfer) == "(from_: str, to: str, value_: int, id_: int) -> bytes"
    assert sig(f.encode_deploy_args) == "(initial: int) -> bytes"


def test_overloads_get_predictable_type_suffixed_names(mod: ModuleType) -> None:
    f = mod.Fixture
    assert sig(f.deposit_noargs) == "(self, *, value: int = 0) -> TxResult"
    assert sig(f.deposit_address) == "(self, beneficiary: str, *, value: int = 0) -> TxResult"
    assert sig(f.find_uint256) == "(self, id_: int, *, block_identifier: BlockIdentifier = latest) -> str"
    assert sig(f.find_string_uint256) == (
        "(self, label: str, limit: int, *, block_identifier: BlockIdentifier = latest) -> tuple[int, ...]"
    )
    assert not hasattr(f, "deposit") and not hasattr(f, "find")


def test_only_payable_functions_take_a_value(mod: ModuleType) -> None:
    assert "value" in inspect.signature(mod.Fixture.deposit_address).parameters
    assert "value" not in inspect.signature(mod.Fixture.add_shape).parameters


def test_several_return_values_become_a_result_dataclass(mod: ModuleType) -> None:
    assert [f.name for f in dataclasses.fields(mod.BoundsResult)] == ["min", "max", "count"]
    assert [f.name for f in dataclasses.fields(mod.StatsResult)] == ["out0", "out1", "out2"]
    assert mod.BoundsResult.__dataclass_params__.frozen


def test_events_are_dataclasses_with_log_position_and_a_typed_query(mod: ModuleType) -> None:
    assert [f.name for f in dataclasses.fields(mod.ShapeAddedEvent)] == [
        "id", "owner", "label", "status", "block_number", "transaction_hash", "log_index", "address",
    ]
    assert sig(mod.FixtureEvents.shape_added) == (
        "(self, *, from_block: BlockIdentifier = 0, to_block: BlockIdentifier = latest,"
        " id_: int | None = None, owner: str | None = None) -> list[ShapeAddedEvent]"
    )
    # an indexed string is filterable by value; the event carries its hash
    assert "tag: str | bytes | None = None" in sig(mod.FixtureEvents.tagged)
    assert dict((f.name, f.type) for f in dataclasses.fields(mod.TaggedEvent))["tag"] == "bytes"


def test_custom_errors_are_registered_exception_classes(mod: ModuleType) -> None:
    err = mod.FixtureTooLarge
    assert issubclass(err, ContractCustomError)
    assert err.error_name == "FixtureTooLarge"
    assert err.signature == "FixtureTooLarge(uint256,uint256)"
    assert err.selector == keccak(text=err.signature)[:4]
    assert err.arg_names == ("value", "max")
    assert set(mod.ERRORS) == {
        mod.FixtureBadPoint, mod.FixtureBadStatus, mod.FixtureEmpty, mod.FixtureNotOwner, mod.FixtureTooLarge,
    }
    from eth_abi.abi import encode

    data = mod.FixtureBadPoint.selector + encode(["(int64,int64)", "string"], [(-1, 2), "why"])
    decoded = decode_revert(data, contract="Fixture")
    assert isinstance(decoded, mod.FixtureBadPoint)
    assert decoded.at == mod.Point(-1, 2) and decoded.why == "why"


def test_natspec_becomes_docstrings(mod: ModuleType) -> None:
    doc = mod.Fixture.add_shape.__doc__
    assert doc is not None
    assert doc.startswith("Add a shape.")
    assert "Copies the vertices one by one." in doc
    assert "shape: The shape to store" in doc and "id: The new shape's id." in doc
    assert "Binding generator fixture" in (mod.Fixture.__doc__ or "")
    assert "Who called." in (mod.FixtureNotOwner.__doc__ or "")


# ----------------------------------------------------------------------------- foreign artifacts


def test_hardhat_artifact_without_enum_names_types_enums_as_int(tmp_path: Path) -> None:
    path = tmp_path / "HardhatFixture.json"
    path.write_text(json.dumps(hardhat_artifact()))
    text = generate_binding(path)
    assert "contracts/Fixture.sol:HardhatFixture" in text.splitlines()[0]
    (tmp_path / "hh.py").write_text(text)
    module = load(tmp_path / "hh.py", "hh_fixture")
    assert not hasattr(module, "Status")
    assert sig(module.HardhatFixture.status_of).endswith("-> int")
    assert "Fixture.Status" in (module.__doc__ or "")  # says which enum lost its names
    assert module.Shape.__dataclass_fields__["status"].type == "int"


def test_foundry_artifact_gets_enum_names_from_its_ast_and_docs_from_metadata(tmp_path: Path) -> None:
    text = generate_binding(FOUNDRY)
    (tmp_path / "ff.py").write_text(text)
    module = load(tmp_path / "ff.py", "foundry_fixture")
    assert [m.name for m in module.Status] == ["PENDING", "ACTIVE", "CLOSED"]
    assert hasattr(module, "Fixture")  # name from the metadata's compilation target
    assert "Add a shape." in (module.Fixture.add_shape.__doc__ or "")


def test_bare_abi_list_is_named_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "MyVault.abi.json"
    path.write_text(json.dumps(artifact()["abi"]))
    (written,) = write_bindings([path], tmp_path / "out")
    assert written.name == "my_vault.py"
    module = load(written, "bare_vault")
    assert hasattr(module, "MyVault") and hasattr(module, "FixtureTooLarge")


def test_awkward_names_are_made_valid_python(tmp_path: Path) -> None:
    abi = [
        {"type": "function", "name": "events", "stateMutability": "view",
         "inputs": [{"name": "", "type": "uint256"}, {"name": "self", "type": "address"}],
         "outputs": [{"name": "", "type": "tuple", "components": [
             {"name": "lambda", "type": "bool"}, {"name": "", "type": "bytes32[3]"}]}]},
        {"type": "function", "name": "class", "stateMutability": "nonpayable",
         "inputs": [{"name": "type", "type": "uint8"}], "outputs": []},
        {"type": "event", "name": "Moved", "anonymous": False,
         "inputs": [{"name": "address", "type": "address", "indexed": True}]},
        {"type": "error", "name": "Odd", "inputs": [{"name": "data", "type": "bytes"}]},
    ]
    path = tmp_path / "Weird.json"
    path.write_text(json.dumps(abi))
    (written,) = write_bindings([path], tmp_path)
    module = load(written, "weird_binding")
    assert sig(module.Weird.events_).startswith("(self, arg0: int, self_: str, *")
    assert sig(module.Weird.class_) == "(self, type_: int) -> TxResult"
    assert [f.name for f in dataclasses.fields(module.Tuple)] == ["lambda_", "field1"]
    assert "address_" in module.MovedEvent.__dataclass_fields__
    assert module.Odd.arg_names == ("data_",)


TRICKY_DOCS: dict[str, Any] = {
    "contractName": "Tricky",
    "abi": [{"type": "function", "name": "owed", "stateMutability": "view",
             "inputs": [{"name": "a", "type": "uint256"}], "outputs": [{"name": "", "type": "uint256"}]}],
    "userdoc": {"notice": "Pays the \u201cpartner\u2019s\u201d share \u2212 fees \u00b7 rounded \"\"\" C:\\path \u00e9t\u00e9",
                "methods": {"owed(uint256)": {"notice": "word " * 60 + 'ends with a quote "'}}},
    "devdoc": {"methods": {"owed(uint256)": {"params": {"a": "amount " * 30}}}},
}


def test_natspec_text_is_kept_but_written_safely(tmp_path: Path) -> None:
    path = tmp_path / "tricky.py"
    path.write_text(generate_binding(TRICKY_DOCS))
    assert path.read_text().isascii()
    module = load(path, "tricky_docs")
    doc = module.Tricky.__doc__ or ""
    assert "Pays the \"partner's\" share - fees \u00b7 rounded" in doc
    assert '"""' in doc and "C:\\path" in doc and "\u00e9t\u00e9" in doc
    method_doc = module.Tricky.owed.__doc__ or ""
    assert " ".join(method_doc.split()).startswith(("word " * 60).strip())
    assert all(len(line) <= 100 for line in path.read_text().splitlines() if "word" in line or "amount" in line)


def test_generated_modules_pass_mypy_strict_and_ruff(tmp_path: Path, text: str) -> None:
    pkg = tmp_path / "gen"
    pkg.mkdir()
    (pkg / "fixture.py").write_text(text)
    (pkg / "hardhat_fixture.py").write_text(generate_binding(hardhat_artifact()))
    (pkg / "foundry_fixture.py").write_text(generate_binding(FOUNDRY))
    bare = tmp_path / "Bare.json"
    bare.write_text(json.dumps(artifact()["abi"]))
    (pkg / "bare.py").write_text(generate_binding(bare))
    (pkg / "tricky.py").write_text(generate_binding(TRICKY_DOCS))
    files = sorted(str(p) for p in pkg.glob("*.py"))
    env = {**os.environ, "MYPYPATH": str(REPO)}
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary", "--cache-dir",
         str(tmp_path / ".mypy_cache"), *files],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), *files],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


# -------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"contractName": "X"}', "no ABI"),
        ('{"abi": 5}', "ABI must be a list"),
        ('"just a string"', "expected a JSON object"),
        ('[{"type": "function", "name": "f", "inputs": [{"name": "a", "type": "uint7"}], "outputs": []}]',
         "unsupported ABI type"),
    ],
)
def test_bad_artifacts_give_one_line_binding_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "Bad.json"
    path.write_text(content)
    with pytest.raises(BindingError) as caught:
        generate_binding(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_module_names_are_snake_case() -> None:
    assert module_name("JointVentureEscrow") == "joint_venture_escrow"
    assert module_name("ERC20") == "erc20"
    assert module_name("RDCostPool") == "rd_cost_pool"


# ------------------------------------------------------------------------------------------- CLI


def test_cli_generates_a_module_per_artifact(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["bindings", str(ARTIFACT), "-o", str(out)])
    assert result.exit_code == 0, result.output
    written = (out / "fixture.py").read_text()
    header, _, body = written.partition("\n")
    assert body == generate_binding(ARTIFACT).partition("\n")[2]
    assert "regenerate with `coopetition bindings " in header
    assert header.endswith(f"Fixture.json -o {out}`. Do not edit.")
    assert "fixture.py" in result.output


def test_cli_walks_a_foundry_out_folder_and_skips_non_artifacts(tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    (out_dir / "Fixture.sol").mkdir(parents=True)
    (out_dir / "Fixture.sol" / "Fixture.json").write_text(FOUNDRY.read_text())
    (out_dir / "build-info").mkdir()
    (out_dir / "build-info" / "abc.json").write_text('{"input": {}}')
    (out_dir / "notes.json").write_text('{"hello": 1}')
    result = CliRunner().invoke(cli, ["bindings", str(out_dir), "-o", str(tmp_path / "py")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "py").iterdir()) == ["fixture.py"]


def test_cli_bad_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{oops")
    result = CliRunner().invoke(cli, ["bindings", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("Error: ") and "not valid JSON" in result.output
    assert not (tmp_path / "o").exists()  # nothing written


def test_cli_missing_file_and_solidity_source_are_explained(tmp_path: Path) -> None:
    missing = CliRunner().invoke(cli, ["bindings", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "no such file" in missing.output
    source = CliRunner().invoke(cli, ["bindings", str(FIXTURES / "Fixture.sol"), "-o", str(tmp_path)])
    assert source.exit_code == 1 and "compile it" in source.output


def test_cli_without_paths_or_with_paths_and_all_is_refused() -> None:
    nothing = CliRunner().invoke(cli, ["bindings"])
    assert nothing.exit_code == 1 and "--all" in nothing.output
    both = CliRunner().invoke(cli, ["bindings", "--all", str(ARTIFACT)])
    assert both.exit_code == 1 and "no PATH" in both.output


def test_cli_check_reports_drift_in_an_output_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["bindings", str(ARTIFACT), "-o", str(tmp_path)]).exit_code == 0
    ok = runner.invoke(cli, ["bindings", "--check", str(ARTIFACT), "-o", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    (tmp_path / "fixture.py").write_text("# edited by hand\n")
    drift = runner.invoke(cli, ["bindings", "--check", str(ARTIFACT), "-o", str(tmp_path)])
    assert drift.exit_code == 1 and "fixture.py" in drift.output


def test_generate_all_and_check_find_missing_changed_and_orphaned_modules(tmp_path: Path) -> None:
    arts, binds = tmp_path / "artifacts", tmp_path / "bindings"
    arts.mkdir()
    (arts / "Fixture.json").write_text(ARTIFACT.read_text())
    assert check_bindings(arts, binds) == ["fixture.py (missing)"]
    written, removed = generate_all(arts, binds)
    assert [p.name for p in written] == ["fixture.py"] and removed == []
    assert check_bindings(arts, binds) == []
    (binds / "fixture.py").write_text((binds / "fixture.py").read_text() + "# drift\n")
    (binds / "gone.py").write_text(f"{HEADER_PREFIX} from x; regenerate with y. Do not edit.\n")
    (binds / "handwritten.py").write_text("x = 1\n")
    assert check_bindings(arts, binds) == ["fixture.py (differs from artifacts/)", "gone.py (no artifact)"]
    generate_all(arts, binds)
    assert check_bindings(arts, binds) == []
    assert (binds / "handwritten.py").exists() and not (binds / "gone.py").exists()


# ------------------------------------------------------------------------------------------ drift


def test_committed_bindings_match_the_shipped_artifacts() -> None:
    artifacts = sorted(package_artifacts_dir().glob("*.json"))
    if not artifacts:
        pytest.skip("no artifacts shipped yet (run `make compile` then `make bindings`)")
    drifted = check_bindings()
    assert drifted == [], f"bindings drifted: {drifted}; run `make bindings`"
    result = CliRunner().invoke(cli, ["bindings", "--all", "--check"])
    assert result.exit_code == 0, result.output
    bound = set()
    for path in artifacts:
        artifact = read_artifact(path)
        name = module_name(artifact.contract_name) + ".py"
        if artifact.deployable and not artifact.library:
            assert (package_bindings_dir() / name).read_text() == generate_binding(path)
            bound.add(name)
        else:  # interfaces, abstract bases and libraries: their types live in the contracts built on them
            assert not (package_bindings_dir() / name).exists(), name
    assert bound == {"consortium.py", "cost_sharing.py", "joint_venture_escrow.py", "multicall3.py",
                     "title_exchange.py", "title_registry.py"}


def test_committed_test_mock_bindings_match_the_test_artifacts(monkeypatch: pytest.MonkeyPatch) -> None:
    repo = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["bindings", "tests/artifacts", "-o", "tests/mocks", "--check"])
    assert result.exit_code == 0, f"{result.output}run `make bindings`"
