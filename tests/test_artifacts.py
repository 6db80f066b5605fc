"""Loading artifacts, and the committed artifacts staying current with contracts/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coopetition._artifacts import (
    GENERATED_MARKER,
    Artifact,
    list_artifacts,
    load_artifact,
    read_artifact,
    render_artifact,
)
from coopetition._compiler import check_artifacts, compile_project
from coopetition._project import find_project
from coopetition.exceptions import ArtifactError

REPO = Path(__file__).resolve().parents[1]
PACKAGE_ARTIFACTS = REPO / "coopetition" / "artifacts"
TEST_ARTIFACTS = REPO / "tests" / "artifacts"
STALE_HINT = "committed artifacts are stale against contracts/: run `make compile`"


def sample(name: str = "Widget") -> dict[str, object]:
    return {
        "_generated": GENERATED_MARKER,
        "abi": [{"type": "function", "name": "ping", "inputs": [], "outputs": [], "stateMutability": "view"}],
        "bytecode": "0x6080",
        "compiler": {"settings": {"evmVersion": "cancun"}, "version": "0.8.37+commit.f401782d"},
        "contractName": name,
        "deployedBytecode": "0x6080",
        "deployedLinkReferences": {},
        "devdoc": {"kind": "dev"},
        "enums": {"Widget.Mode": ["Off", "On"]},
        "linkReferences": {},
        "metadata": "{}",
        "methodIdentifiers": {"ping()": "5c36b186"},
        "solcInputHash": "ab" * 32,
        "sourceName": f"contracts/{name}.sol",
        "userdoc": {"kind": "user"},
    }


def test_load_artifact_reads_every_field(tmp_path: Path) -> None:
    (tmp_path / "Widget.json").write_text(render_artifact(sample()))
    artifact = load_artifact("Widget", search=[tmp_path / "elsewhere", tmp_path])
    assert artifact == Artifact(
        contract_name="Widget",
        source_name="contracts/Widget.sol",
        abi=({"type": "function", "name": "ping", "inputs": [], "outputs": [], "stateMutability": "view"},),
        bytecode="0x6080",
        deployed_bytecode="0x6080",
        metadata="{}",
        devdoc={"kind": "dev"},
        userdoc={"kind": "user"},
        enums={"Widget.Mode": ("Off", "On")},
        compiler_version="0.8.37+commit.f401782d",
        compiler_settings={"evmVersion": "cancun"},
        solc_input_hash="ab" * 32,
        method_identifiers={"ping()": "5c36b186"},
    )
    assert artifact.path == tmp_path / "Widget.json"
    assert artifact.deployable


def test_load_artifact_fails_in_one_line_when_missing(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError) as info:
        load_artifact("Nope", search=[tmp_path])
    assert "\n" not in str(info.value)
    assert "'Nope'" in str(info.value) and "coopetition compile" in str(info.value)


def test_load_artifact_fails_on_a_missing_key(tmp_path: Path) -> None:
    data = sample()
    del data["bytecode"]
    (tmp_path / "Widget.json").write_text(json.dumps(data))
    with pytest.raises(ArtifactError, match="lacks the key 'bytecode'"):
        load_artifact("Widget", search=[tmp_path])


def test_read_artifact_fails_on_invalid_json(tmp_path: Path) -> None:
    (tmp_path / "Broken.json").write_text("{not json")
    with pytest.raises(ArtifactError, match="cannot read the artifact"):
        read_artifact(tmp_path / "Broken.json")


FIXTURES = REPO / "tests" / "fixtures" / "bindings"


def test_every_flavour_reads_into_the_same_contract(tmp_path: Path) -> None:
    foundry = read_artifact(FIXTURES / "Fixture.foundry.json")
    ours_shape = json.loads((FIXTURES / "Fixture.json").read_text())
    hardhat_path = tmp_path / "Fixture.hardhat.json"
    hardhat_path.write_text(json.dumps({
        "_format": "hh-sol-artifact-1",
        "contractName": "Fixture",
        "sourceName": "tests/fixtures/bindings/Fixture.sol",
        "abi": ours_shape["abi"],
        "bytecode": ours_shape["bytecode"],
        "deployedBytecode": ours_shape["deployedBytecode"],
        "linkReferences": {},
        "deployedLinkReferences": {},
    }))
    hardhat = read_artifact(hardhat_path)
    bare_path = tmp_path / "Fixture.json"
    bare_path.write_text(json.dumps(ours_shape["abi"]))
    bare = read_artifact(bare_path)
    assert (foundry.flavour, hardhat.flavour, bare.flavour) == ("foundry", "hardhat", "abi")
    assert foundry.abi == hardhat.abi == bare.abi
    assert foundry.contract_name == hardhat.contract_name == bare.contract_name == "Fixture"
    assert foundry.source_name == hardhat.source_name == "tests/fixtures/bindings/Fixture.sol"
    assert foundry.bytecode == hardhat.bytecode and foundry.deployable and hardhat.deployable
    assert foundry.compiler_version.startswith("0.8.37+commit.")
    assert foundry.enums == {"Fixture.Status": ("Pending", "Active", "Closed")}
    assert foundry.label == "tests/fixtures/bindings/Fixture.sol:Fixture"
    assert not bare.deployable and bare.source_name == "" and bare.label == "Fixture.json"
    assert not any(a.generated for a in (foundry, hardhat, bare))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"contractName": "X"}', "no ABI"),
        ('{"abi": 5}', "ABI must be a list"),
        ('"text"', "expected a JSON object"),
        ('{"abi": "[oops"}', "string that is not JSON"),
    ],
)
def test_foreign_artifacts_that_are_not_artifacts_fail_in_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "Bad.json").write_text(content)
    with pytest.raises(ArtifactError, match=message) as info:
        read_artifact(tmp_path / "Bad.json")
    assert "\n" not in str(info.value)


def test_a_solidity_source_is_not_an_artifact(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="compile it"):
        read_artifact(FIXTURES / "Fixture.sol")


def test_interfaces_are_not_deployable(tmp_path: Path) -> None:
    data = sample("IWidget")
    data["bytecode"] = data["deployedBytecode"] = "0x"
    (tmp_path / "IWidget.json").write_text(render_artifact(data))
    assert not load_artifact("IWidget", search=[tmp_path]).deployable


def test_list_artifacts_names_the_json_files(tmp_path: Path) -> None:
    for name in ("B", "A"):
        (tmp_path / f"{name}.json").write_text(render_artifact(sample(name)))
    assert list_artifacts(search=[tmp_path]) == ["A", "B"]


def test_package_artifacts_are_the_default() -> None:
    shipped = sorted(p.stem for p in PACKAGE_ARTIFACTS.glob("*.json"))
    assert list_artifacts() == shipped
    for name in shipped:
        artifact = load_artifact(name)
        assert artifact.contract_name == name
        assert artifact.compiler_version.startswith("0.8.37+commit.")
        assert not artifact.source_name.startswith("contracts/test/")


def _repo_has_contracts() -> bool:
    return any((REPO / "contracts").rglob("*.sol"))


@pytest.mark.skipif(not _repo_has_contracts(), reason="no contracts yet")
def test_committed_artifacts_match_the_contract_sources() -> None:
    problems = check_artifacts(find_project(REPO))  # with its compiler profiles (pyproject.toml)
    assert problems == [], f"{STALE_HINT}: " + "; ".join(problems)


@pytest.mark.skipif(not _repo_has_contracts(), reason="no contracts yet")
def test_committed_artifacts_are_byte_identical_to_a_fresh_compile(tmp_path: Path) -> None:
    if shutil.which("node") is None or not (REPO / "node_modules" / "solc").is_dir():
        pytest.skip("needs Node and the npm toolchain: run `npm ci`")
    compile_project(
        find_project(REPO),
        artifacts_dir=tmp_path / "package",
        test_artifacts_dir=tmp_path / "tests",
        use_cache=False,
    )
    for fresh_dir, committed_dir in ((tmp_path / "package", PACKAGE_ARTIFACTS),
                                     (tmp_path / "tests", TEST_ARTIFACTS)):
        fresh = {p.name: p.read_bytes() for p in fresh_dir.glob("*.json")}
        committed = {
            p.name: p.read_bytes()
            for p in committed_dir.glob("*.json")
            if json.loads(p.read_bytes()).get("_generated") == GENERATED_MARKER
        }
        assert sorted(fresh) == sorted(committed), STALE_HINT
        for name in fresh:
            assert fresh[name] == committed[name], f"{committed_dir.name}/{name}: {STALE_HINT}"
