"""Compiler discovery, compilation into artifacts, the content-hash cache and compile errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from coopetition._compiler import (
    SOLC_VERSION,
    CompileResult,
    SolcCompiler,
    bridge_script,
    check_artifacts,
    compile_project,
    find_compiler,
)
from coopetition._project import Project
from coopetition.exceptions import CompilationError, CompilerError, CompilerNotFoundError

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "tests" / "fixtures" / "compiler" / "project"
NODE = shutil.which("node")

needs_solcjs = pytest.mark.skipif(
    NODE is None or not (REPO / "node_modules" / "solc").is_dir(),
    reason="needs Node and the npm toolchain: run `npm ci`",
)


def make_project(where: Path, sources: dict[str, str] | None = None) -> Project:
    """A project at ``where``: the fixture contracts (or ``sources``) and the repo's node_modules."""
    where.mkdir(parents=True, exist_ok=True)
    if sources is None:
        shutil.copytree(FIXTURE / "contracts", where / "contracts")
    else:
        for name, text in sources.items():
            path = where / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    (where / "node_modules").symlink_to(REPO / "node_modules")
    return Project(where.resolve())


def fake_solc(path: Path, version: str = SOLC_VERSION, *, log: Path | None = None) -> Path:
    """A shell script that answers --version like solc ``version`` and runs the real bridge otherwise."""
    record = f'echo "$@" >> "{log}"\n' if log else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        f"{record}"
        'if [ "$1" = "--version" ]; then\n'
        "  echo 'solc, the solidity compiler commandline interface'\n"
        f"  echo 'Version: {version}+commit.f401782d.Linux.g++'\n"
        "  exit 0\n"
        "fi\n"
        f"COOPETITION_SOLCJS='{REPO / 'node_modules' / 'solc'}' exec '{NODE}' '{bridge_script()}' \"$@\"\n"
    )
    path.chmod(0o755)
    return path


@pytest.fixture
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No explicit solc, an empty py-solc-x folder, and a PATH holding only ``node``."""
    monkeypatch.delenv("COOPETITION_SOLC", raising=False)
    monkeypatch.setenv("SOLCX_BINARY_PATH", str(tmp_path / "solcx"))
    (tmp_path / "solcx").mkdir()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if NODE is not None:
        (bin_dir / "node").symlink_to(NODE)
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


# -------------------------------------------------------------------------------------------------
# discovery


def test_find_compiler_uses_the_explicit_path_first(tmp_path: Path, isolated_env: Path) -> None:
    fake_solc(tmp_path / "solcx" / f"solc-v{SOLC_VERSION}")
    explicit = fake_solc(tmp_path / "mine" / "solc")
    found = find_compiler(make_project(tmp_path / "p"), solc=explicit)
    assert found == SolcCompiler("explicit", explicit.resolve(), f"{SOLC_VERSION}+commit.f401782d")


def test_find_compiler_reads_coopetition_solc_from_the_environment(
    tmp_path: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit = fake_solc(tmp_path / "env" / "solc")
    monkeypatch.setenv("COOPETITION_SOLC", str(explicit))
    assert find_compiler(make_project(tmp_path / "p")).kind == "explicit"


def test_find_compiler_looks_up_an_explicit_bare_name_on_path(tmp_path: Path, isolated_env: Path) -> None:
    named = fake_solc(isolated_env / "solc-0.8.37")
    found = find_compiler(make_project(tmp_path / "p"), solc="solc-0.8.37")
    assert (found.kind, found.path) == ("explicit", named.resolve())


def test_find_compiler_rejects_an_explicit_solc_of_another_version(
    tmp_path: Path, isolated_env: Path
) -> None:
    explicit = fake_solc(tmp_path / "old" / "solc", version="0.8.20")
    with pytest.raises(CompilerError, match=r"is solc 0\.8\.20.*pin 0\.8\.37"):
        find_compiler(make_project(tmp_path / "p"), solc=explicit)


def test_find_compiler_fails_when_the_explicit_solc_does_not_exist(
    tmp_path: Path, isolated_env: Path
) -> None:
    with pytest.raises(CompilerNotFoundError, match="does not exist"):
        find_compiler(make_project(tmp_path / "p"), solc=tmp_path / "nope" / "solc")


def test_find_compiler_takes_the_native_solc_installed_for_py_solc_x(
    tmp_path: Path, isolated_env: Path
) -> None:
    native = fake_solc(tmp_path / "solcx" / f"solc-v{SOLC_VERSION}")
    fake_solc(isolated_env / "solc")  # also on PATH: the py-solc-x one must win
    found = find_compiler(make_project(tmp_path / "p"))
    assert (found.kind, found.path) == ("solcx", native)


def test_find_compiler_takes_a_solc_on_path_with_the_pinned_version(
    tmp_path: Path, isolated_env: Path
) -> None:
    on_path = fake_solc(isolated_env / "solc")
    found = find_compiler(make_project(tmp_path / "p"))
    assert (found.kind, found.path) == ("path", on_path)


@needs_solcjs
def test_find_compiler_skips_a_solc_on_path_of_another_version(
    tmp_path: Path, isolated_env: Path
) -> None:
    fake_solc(isolated_env / "solc", version="0.8.19")
    project = make_project(tmp_path / "p")
    found = find_compiler(project)
    assert found.kind == "solcjs"
    assert found.path == project.state_dir / "bin" / "solc"


@needs_solcjs
def test_find_compiler_falls_back_to_solcjs_through_an_executable_launcher(
    tmp_path: Path, isolated_env: Path
) -> None:
    project = make_project(tmp_path / "p")
    found = find_compiler(project)
    assert found.kind == "solcjs"
    assert found.version == f"{SOLC_VERSION}+commit.f401782d"
    assert os.access(found.path, os.X_OK)
    out = subprocess.run([str(found.path), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[1] == f"Version: {found.version}.Linux.g++"
    # a second discovery reuses the launcher without rewriting it
    before = found.path.stat().st_mtime_ns
    assert find_compiler(project) == found
    assert found.path.stat().st_mtime_ns == before


def test_find_compiler_fails_with_one_line_naming_both_remedies(
    tmp_path: Path, isolated_env: Path
) -> None:
    (isolated_env / "node").unlink()  # no node, no solc anywhere
    with pytest.raises(CompilerNotFoundError) as info:
        find_compiler(make_project(tmp_path / "p"))
    message = str(info.value)
    assert "\n" not in message
    assert "npm ci" in message and "--solc" in message and "COOPETITION_SOLC" in message


def test_find_compiler_fails_without_node_modules(tmp_path: Path, isolated_env: Path) -> None:
    project = Project((tmp_path / "bare").resolve())
    (project.root / "contracts").mkdir(parents=True)
    with pytest.raises(CompilerNotFoundError, match="npm ci"):
        find_compiler(project)


# -------------------------------------------------------------------------------------------------
# compiling a project


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, CompileResult]]:
    if NODE is None or not (REPO / "node_modules" / "solc").is_dir():
        pytest.skip("needs Node and the npm toolchain: run `npm ci`")
    project = make_project(tmp_path_factory.mktemp("compiled") / "proj")
    yield project, compile_project(project)


def read(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text())
    assert isinstance(data, dict)
    return data


def test_compile_writes_one_artifact_per_contract(compiled: tuple[Project, CompileResult]) -> None:
    project, result = compiled
    assert not result.cached
    assert result.compiler is not None and result.compiler.version == f"{SOLC_VERSION}+commit.f401782d"
    assert result.contracts == ("Badge", "Counter", "IBadge", "MockSplitter")
    main = sorted(p.name for p in (project.root / "coopetition" / "artifacts").iterdir())
    assert main == ["Badge.json", "Counter.json", "IBadge.json"]
    assert sorted(p.name for p in (project.root / "tests" / "artifacts").iterdir()) == ["MockSplitter.json"]


def test_artifact_has_the_documented_keys_and_format(compiled: tuple[Project, CompileResult]) -> None:
    project, _ = compiled
    path = project.root / "coopetition" / "artifacts" / "Badge.json"
    text = path.read_text()
    assert text.startswith('{\n  "_generated": "by `coopetition compile`; do not edit",\n')
    assert text.endswith("}\n")
    data = read(path)
    assert list(data) == sorted(data)
    assert set(data) >= {
        "abi", "bytecode", "compiler", "contractName", "deployedBytecode", "deployedLinkReferences",
        "devdoc", "enums", "linkReferences", "metadata", "solcInputHash", "sourceName", "userdoc",
    }
    assert data["contractName"] == "Badge"
    assert data["sourceName"] == "contracts/Badge.sol"
    assert str(data["bytecode"]).startswith("0x6080")
    assert str(data["deployedBytecode"]).startswith("0x6080")
    compiler = data["compiler"]
    assert isinstance(compiler, dict)
    assert compiler["version"] == "0.8.37+commit.f401782d"
    settings = compiler["settings"]
    assert settings["optimizer"] == {"enabled": True, "runs": 200}
    assert settings["evmVersion"] == "cancun"
    assert settings["remappings"] == ["@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"]
    metadata = json.loads(str(data["metadata"]))
    assert metadata["settings"]["compilationTarget"] == {"contracts/Badge.sol": "Badge"}
    assert "node_modules/@openzeppelin/contracts/token/ERC1155/ERC1155.sol" in metadata["sources"]
    userdoc = data["userdoc"]
    assert isinstance(userdoc, dict) and "mint(uint256,uint256)" in userdoc["methods"]


def test_artifact_enums_include_file_level_and_contract_enums(
    compiled: tuple[Project, CompileResult],
) -> None:
    project, _ = compiled
    data = read(project.root / "coopetition" / "artifacts" / "Badge.json")
    enums = data["enums"]
    assert isinstance(enums, dict)
    assert enums["Badge.Phase"] == ["Minting", "Frozen"]
    assert enums["Tier"] == ["Bronze", "Silver", "Gold"]
    # every enum named in the ABI is resolvable from the artifact
    abi = data["abi"]
    assert isinstance(abi, list)
    used = {
        p["internalType"].removeprefix("enum ")
        for entry in abi
        for p in [*entry.get("inputs", []), *entry.get("outputs", [])]
        if p.get("internalType", "").startswith("enum ")
    }
    assert used == {"Badge.Phase", "Tier"}
    assert used <= set(enums)


def test_artifacts_contain_no_absolute_path(compiled: tuple[Project, CompileResult]) -> None:
    project, _ = compiled
    for path in (project.root / "coopetition" / "artifacts").glob("*.json"):
        text = path.read_text()
        assert str(project.root) not in text
        assert str(REPO) not in text
        assert "/tmp" not in text


def test_test_contracts_compile_separately_against_openzeppelin_4(
    compiled: tuple[Project, CompileResult],
) -> None:
    project, _ = compiled
    mock = read(project.root / "tests" / "artifacts" / "MockSplitter.json")
    badge = read(project.root / "coopetition" / "artifacts" / "Badge.json")
    assert mock["sourceName"] == "contracts/test/MockSplitter.sol"
    assert mock["compiler"]["settings"]["remappings"] == [  # type: ignore[index]
        "@openzeppelin/contracts-v4/=node_modules/@openzeppelin/contracts-v4/"
    ]
    # the test unit has its own input, so editing a mock never touches shipped artifacts
    assert mock["solcInputHash"] != badge["solcInputHash"]


def test_compile_is_deterministic_across_locations(
    compiled: tuple[Project, CompileResult], tmp_path: Path
) -> None:
    project, _ = compiled
    elsewhere = make_project(tmp_path / "somewhere" / "else")
    compile_project(elsewhere)
    for sub in ("coopetition/artifacts", "tests/artifacts"):
        ours = {p.name: p.read_bytes() for p in (project.root / sub).glob("*.json")}
        theirs = {p.name: p.read_bytes() for p in (elsewhere.root / sub).glob("*.json")}
        assert ours == theirs


def test_unchanged_tree_compiles_nothing_and_spawns_no_process(
    compiled: tuple[Project, CompileResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, first = compiled

    def no_process(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was spawned: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    monkeypatch.setattr(subprocess, "run", no_process)
    monkeypatch.setattr(os, "posix_spawn", no_process)
    result = compile_project(project)
    assert result.cached
    assert result.compiler == first.compiler  # recorded by the compile that wrote the artifacts
    assert result.contracts == ("Badge", "Counter", "IBadge", "MockSplitter")
    assert result.written == ()


def test_explicit_solc_compiles_and_is_recorded_by_the_cache(tmp_path: Path, isolated_env: Path) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    log = tmp_path / "calls.log"
    solc = fake_solc(tmp_path / "mine" / "solc", log=log)
    project = make_project(tmp_path / "p", {"contracts/A.sol": "pragma solidity 0.8.37;\ncontract A {}\n"})
    first = compile_project(project, solc=solc)
    assert first.compiler is not None and first.compiler.kind == "explicit"
    assert "--standard-json" in log.read_text()
    calls = log.read_text()
    second = compile_project(project, solc=solc)
    assert second.cached
    assert log.read_text() == calls  # the recording solc was not called again
    third = compile_project(project, solc=solc, force=True)
    assert not third.cached and third.unchanged == first.written
    assert log.read_text() != calls


def test_cache_misses_when_a_source_changes_and_survives_a_touch(
    tmp_path: Path, isolated_env: Path
) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    solc = fake_solc(tmp_path / "mine" / "solc")
    project = make_project(tmp_path / "p", {"contracts/A.sol": "pragma solidity 0.8.37;\ncontract A {}\n"})
    compile_project(project, solc=solc)
    source = project.root / "contracts" / "A.sol"
    source.touch()
    assert compile_project(project, solc=solc).cached
    source.write_text("pragma solidity 0.8.37;\ncontract A { uint256 public x; }\n")
    changed = compile_project(project, solc=solc)
    assert not changed.cached
    assert changed.written == (project.root / "coopetition" / "artifacts" / "A.json",)


def test_cache_misses_when_an_artifact_was_deleted(tmp_path: Path, isolated_env: Path) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    solc = fake_solc(tmp_path / "mine" / "solc")
    project = make_project(tmp_path / "p", {"contracts/A.sol": "pragma solidity 0.8.37;\ncontract A {}\n"})
    compile_project(project, solc=solc)
    artifact = project.root / "coopetition" / "artifacts" / "A.json"
    artifact.unlink()
    again = compile_project(project, solc=solc)
    assert not again.cached and artifact.is_file()


def test_compile_removes_artifacts_of_deleted_contracts_but_not_foreign_files(
    tmp_path: Path, isolated_env: Path
) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    solc = fake_solc(tmp_path / "mine" / "solc")
    project = make_project(
        tmp_path / "p",
        {
            "contracts/A.sol": "pragma solidity 0.8.37;\ncontract A {}\n",
            "contracts/B.sol": "pragma solidity 0.8.37;\ncontract B {}\n",
        },
    )
    compile_project(project, solc=solc)
    out = project.root / "coopetition" / "artifacts"
    (out / "Handmade.json").write_text('{"abi": []}\n')
    (project.root / "contracts" / "B.sol").unlink()
    result = compile_project(project, solc=solc)
    assert result.removed == (out / "B.json",)
    assert sorted(p.name for p in out.iterdir()) == ["A.json", "Handmade.json"]


def test_syntax_error_raises_the_compilers_message_with_file_and_line(
    tmp_path: Path, isolated_env: Path
) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    solc = fake_solc(tmp_path / "mine" / "solc")
    project = make_project(
        tmp_path / "p",
        {"contracts/Bad.sol": "pragma solidity 0.8.37;\n\ncontract Bad {\n    uint256 x = ;\n}\n"},
    )
    with pytest.raises(CompilationError) as info:
        compile_project(project, solc=solc)
    assert str(info.value) == "contracts/Bad.sol:4:17: ParserError: Expected primary expression."


def test_several_errors_are_counted_in_one_line(tmp_path: Path, isolated_env: Path) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    solc = fake_solc(tmp_path / "mine" / "solc")
    project = make_project(
        tmp_path / "p",
        {
            "contracts/A.sol": "pragma solidity 0.8.37;\ncontract A { function f() public { y = 1; z = 2; } }\n",
        },
    )
    with pytest.raises(CompilationError) as info:
        compile_project(project, solc=solc)
    message = str(info.value)
    assert message.startswith("contracts/A.sol:2:36: DeclarationError: Undeclared identifier.")
    assert message.endswith("(and 1 more error)")
    assert "\n" not in message


def test_missing_import_is_reported_at_the_import(tmp_path: Path, isolated_env: Path) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    solc = fake_solc(tmp_path / "mine" / "solc")
    project = make_project(
        tmp_path / "p",
        {"contracts/A.sol": 'pragma solidity 0.8.37;\nimport "./Gone.sol";\ncontract A {}\n'},
    )
    with pytest.raises(CompilationError, match=r"^contracts/A\.sol:2:1: .*contracts/Gone\.sol"):
        compile_project(project, solc=solc)


def test_warnings_are_returned_but_do_not_fail(tmp_path: Path, isolated_env: Path) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    solc = fake_solc(tmp_path / "mine" / "solc")
    project = make_project(
        tmp_path / "p",
        {"contracts/W.sol": "pragma solidity 0.8.37;\ncontract W { function f() public pure { uint256 unused; } }\n"},
    )
    result = compile_project(project, solc=solc)
    assert result.contracts == ("W",)
    assert any(w.startswith("contracts/W.sol:2:") and "Warning: Unused local variable" in w
               for w in result.warnings)


def test_duplicate_contract_names_are_refused(tmp_path: Path, isolated_env: Path) -> None:
    if NODE is None:
        pytest.skip("needs Node")
    solc = fake_solc(tmp_path / "mine" / "solc")
    project = make_project(
        tmp_path / "p",
        {
            "contracts/a/Same.sol": "pragma solidity 0.8.37;\ncontract Same {}\n",
            "contracts/b/Same.sol": "pragma solidity 0.8.37;\ncontract Same { uint256 x; }\n",
        },
    )
    with pytest.raises(CompilerError, match="two contracts are named Same"):
        compile_project(project, solc=solc)


def test_compile_fails_when_there_are_no_sources(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", {"contracts/README.md": "nothing yet\n"})
    with pytest.raises(CompilerError, match=r"no Solidity sources"):
        compile_project(project)


# -------------------------------------------------------------------------------------------------
# staleness


def test_check_artifacts_reports_a_changed_source_without_a_compiler(
    compiled: tuple[Project, CompileResult], tmp_path: Path
) -> None:
    project, _ = compiled
    assert check_artifacts(project) == []
    copy = Project((tmp_path / "copy").resolve())
    shutil.copytree(project.root, copy.root, symlinks=True)
    badge = copy.root / "contracts" / "Counter.sol"
    badge.write_text(badge.read_text().replace("value + 1", "value + 2"))
    (copy.root / "contracts" / "New.sol").write_text("pragma solidity 0.8.37;\ncontract Brand {}\n")
    problems = check_artifacts(copy)
    assert "no artifact for contract Brand" in problems[0]
    assert any("Badge was compiled from other sources" in p for p in problems)


# -------------------------------------------------------------------------------------------------
# EVM compatibility of the chosen settings (cancun: PUSH0, MCOPY, transient storage)


def test_compiled_bytecode_runs_on_the_embedded_evm(compiled: tuple[Project, CompileResult]) -> None:
    project, _ = compiled
    web3 = pytest.importorskip("web3")
    data = read(project.root / "coopetition" / "artifacts" / "Badge.json")
    w3 = web3.Web3(web3.EthereumTesterProvider())
    _exercise_badge(w3, data)


@pytest.mark.anvil
def test_compiled_bytecode_runs_on_anvil(compiled: tuple[Project, CompileResult], anvil: object) -> None:
    project, _ = compiled
    web3 = pytest.importorskip("web3")
    data = read(project.root / "coopetition" / "artifacts" / "Badge.json")
    w3 = web3.Web3(web3.HTTPProvider(anvil.url))  # type: ignore[attr-defined]
    _exercise_badge(w3, data)


def _exercise_badge(w3: object, data: dict[str, object]) -> None:
    eth = w3.eth  # type: ignore[attr-defined]
    sender = eth.accounts[0]
    factory = eth.contract(abi=data["abi"], bytecode=data["bytecode"])
    receipt = eth.wait_for_transaction_receipt(factory.constructor().transact({"from": sender}))
    assert receipt.status == 1
    badge = eth.contract(address=receipt.contractAddress, abi=data["abi"])
    minted = eth.wait_for_transaction_receipt(badge.functions.mint(7, 3).transact({"from": sender}))
    assert minted.status == 1
    assert badge.functions.balanceOf(sender, 7).call() == 3
    assert badge.functions.tierOf(12).call() == 2
    assert badge.functions.counted().call() == 42
    assert eth.get_code(receipt.contractAddress).hex().removeprefix("0x") == str(
        data["deployedBytecode"]
    ).removeprefix("0x")
