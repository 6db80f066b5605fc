"""More than one company: records keyed by the chain (any URL of it finds them), `attach` for a
company that did not deploy, and `verify` against the shipped artifacts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _cli_env import ADDR, chain_state, deployed_project, module_node, ok, run
from click.testing import CliRunner
from conftest import AnvilNode, rpc

from coopetition.cli import cli

SUITE = ["Consortium", "TitleRegistry", "CostSharing", "JointVentureEscrow"]


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    yield from module_node()


@pytest.fixture(scope="module")
def founder(node: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The company that deployed the suite (Acme, Globex, Initech; quorum 2)."""
    return deployed_project(tmp_path_factory.mktemp("founder"), node)


def _records(project: Path) -> dict[str, Any]:
    folder = project / "deployments" / "dev"
    return {n: json.loads((folder / f"{n}.json").read_text()) for n in SUITE}


def _company(tmp_path: Path, node: AnvilNode) -> Path:
    """Another company's back office: same node, no deployments/ folder."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    return tmp_path


def test_any_url_of_the_same_chain_finds_the_records(node: AnvilNode, founder: Path) -> None:
    head = ["--project", str(founder), "--network", node.url]  # a URL, not the name `dev`
    result = CliRunner().invoke(cli, [*head, "--json", "consortium", "members"])
    assert result.exit_code == 0, result.output
    assert [m["label"] for m in json.loads(result.stdout)["members"]] == ["Acme", "Globex", "Initech"]
    assert sorted(p.name for p in (founder / "deployments").iterdir()) == ["dev"]  # no second folder


def test_attach_records_the_suite_of_another_company_from_the_chain(
    node: AnvilNode, founder: Path, tmp_path: Path
) -> None:
    company = _company(tmp_path, node)
    missing = run(company, "consortium", "members")
    assert missing.exit_code == 1 and "coopetition attach --consortium" in missing.stderr
    theirs = _records(founder)
    before = chain_state(node)

    result = ok(run(company, "--json", "attach", "--consortium", theirs["Consortium"]["address"], account=None))

    assert chain_state(node) == before  # attaching sends nothing
    assert json.loads(result.stdout)["verified"] is True
    ours = _records(company)
    for name in SUITE:
        assert ours[name]["address"] == theirs[name]["address"]
        assert ours[name]["transactionHash"] == theirs[name]["transactionHash"]
        assert ours[name]["args"] == theirs[name]["args"]
        assert ours[name]["attached"] is True and ours[name]["numDeployments"] == 1
    members = json.loads(ok(run(company, "--json", "consortium", "members")).stdout)["members"]
    assert [m["label"] for m in members] == ["Acme", "Globex", "Initech"]
    verified = ok(run(company, "verify", account=None))
    assert verified.stdout.strip().splitlines()[-1].startswith("verified: the suite of consortium")
    assert ok(run(company, "--json", "attach", "--consortium", theirs["Consortium"]["address"]))  # idempotent


def test_attach_refuses_an_address_that_is_not_a_consortium(node: AnvilNode, founder: Path, tmp_path: Path) -> None:
    company = _company(tmp_path, node)
    escrow = _records(founder)["JointVentureEscrow"]["address"]
    result = run(company, "attach", "--consortium", escrow)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {escrow} is not this project's Consortium: its runtime code is not the shipped Consortium "
        "artifact's (another contract, or another build)"
    )
    assert not (company / "deployments").exists()


def test_verify_names_a_satellite_of_another_consortium_and_code_that_is_not_ours(
    node: AnvilNode, founder: Path, tmp_path: Path
) -> None:
    other = deployed_project_for(tmp_path / "other", node)
    company = _company(tmp_path / "company", node)
    theirs = _records(founder)
    ok(run(company, "attach", "--consortium", theirs["Consortium"]["address"]))
    folder = company / "deployments" / "dev"
    # a registry bound to another consortium, and the escrow's address recorded as the cost pools
    (folder / "TitleRegistry.json").write_text(json.dumps(_records(other)["TitleRegistry"]))
    costs = json.loads((folder / "CostSharing.json").read_text())
    costs["address"] = theirs["JointVentureEscrow"]["address"]
    (folder / "CostSharing.json").write_text(json.dumps(costs))

    result = run(company, "verify")

    assert result.exit_code == 1
    error = result.stderr.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("Error: verification failed: ")
    registry = _records(other)["TitleRegistry"]["address"]
    assert (f"TitleRegistry at {registry}: it points at consortium {_records(other)['Consortium']['address']}, "
            f"not at {theirs['Consortium']['address']}") in error[0]
    assert (f"CostSharing at {theirs['JointVentureEscrow']['address']}: its runtime code is not the shipped "
            "CostSharing artifact's") in error[0]
    assert "JointVentureEscrow" not in error[0].replace(f"CostSharing at {theirs['JointVentureEscrow']['address']}", "")
    data = run(company, "--json", "verify")
    assert data.exit_code == 1
    checks = {c["name"]: c for c in json.loads(data.stdout)["contracts"]}
    assert checks["Consortium"]["problem"] is None and checks["JointVentureEscrow"]["problem"] is None
    assert checks["CostSharing"]["codeMatches"] is False and checks["TitleRegistry"]["codeMatches"] is True


def deployed_project_for(root: Path, node: AnvilNode) -> Path:
    """A second, unrelated suite on the same chain (Acme and Globex, quorum 2), deployed by dev account 4."""
    root.mkdir(parents=True)
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    ok(run(root, "deploy", "--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}", "--quorum", "2",
           account="4"))
    return root


def test_code_comparison_masks_only_the_immutables(node: AnvilNode, founder: Path) -> None:
    from coopetition._artifacts import load_artifact
    from coopetition._verify import runtime_matches

    address = _records(founder)["TitleRegistry"]["address"]
    code = bytes.fromhex(str(rpc(node.url, "eth_getCode", [address, "latest"]))[2:])
    shipped = load_artifact("TitleRegistry").deployed_bytecode
    assert code != bytes.fromhex(shipped[2:])  # the immutables (consortium, exchange) are filled in
    assert runtime_matches(code, shipped)
    for offset in (0, len(code) // 2, len(code) - 5):  # the start, the middle, the metadata hash
        tampered = bytearray(code)
        tampered[offset] ^= 0x01
        assert not runtime_matches(bytes(tampered), shipped), offset
    assert not runtime_matches(code + b"\x00", shipped)


def test_attach_takes_the_satellites_addresses_when_given(node: AnvilNode, founder: Path, tmp_path: Path) -> None:
    company = _company(tmp_path, node)
    theirs = {n: r["address"] for n, r in _records(founder).items()}
    ok(run(company, "attach", "--consortium", theirs["Consortium"], "--title-registry", theirs["TitleRegistry"],
           "--cost-sharing", theirs["CostSharing"], "--escrow", theirs["JointVentureEscrow"]))
    assert {n: r["address"] for n, r in _records(company).items()} == theirs

    swapped = _company(tmp_path / "swapped", node)
    result = run(swapped, "attach", "--consortium", theirs["Consortium"], "--escrow", theirs["CostSharing"])
    assert result.exit_code == 1 and result.stderr.strip() == (
        f"Error: JointVentureEscrow at {theirs['CostSharing']}: its runtime code is not the shipped "
        "JointVentureEscrow artifact's (another contract, or another build)"
    )
    assert not (swapped / "deployments").exists()  # nothing recorded unless every contract passes
