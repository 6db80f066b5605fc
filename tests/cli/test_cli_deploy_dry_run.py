"""`deploy --dry-run` on a network with nothing deployed estimates every contract of the suite: each
one is simulated with the code of those before it at their predicted addresses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _cli_env import ADDR, chain_state, ok, run
from conftest import AnvilNode

from coopetition._chain.txdata import create_address

FOUNDERS = ["--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}", "--member", f"Initech={ADDR[3]}",
            "--quorum", "2"]
ORDER = ["Consortium", "TitleRegistry", "CostSharing", "JointVentureEscrow"]


def test_dry_run_on_a_fresh_network_estimates_every_contract_at_its_predicted_address(
    anvil: AnvilNode, tmp_path: Path
) -> None:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    before = chain_state(anvil)

    result = ok(run(tmp_path, "--json", "deploy", *FOUNDERS, "--dry-run", account="0"))

    assert chain_state(anvil) == before and not (tmp_path / "deployments").exists()  # nothing sent or written
    planned = json.loads(result.stdout)["contracts"]
    assert [c["name"] for c in planned] == ORDER
    assert [c["address"] for c in planned] == [create_address(ADDR[0], n) for n in range(4)]
    assert all(c["gasUsed"] > 100_000 and not c["newlyDeployed"] for c in planned)
    lines = result.stderr.strip().splitlines()
    assert [line.split()[:3] for line in lines] == [[n, "would", "deploy"] for n in ORDER]

    deployed = json.loads(ok(run(tmp_path, "--json", "deploy", *FOUNDERS, account="0")).stdout)["contracts"]
    assert [c["address"] for c in deployed] == [c["address"] for c in planned]
    for estimate, actual in zip(planned, deployed, strict=True):
        # the estimate covers what the deployment used, and is close to it
        assert actual["gasUsed"] <= estimate["gasUsed"] <= actual["gasUsed"] * 1.1, (estimate, actual)

    again = ok(run(tmp_path, "deploy", *FOUNDERS, "--dry-run", account="0"))
    assert [line.split()[:2] for line in again.stderr.strip().splitlines()] == [[n, "unchanged"] for n in ORDER]


def test_dry_run_on_the_embedded_chain_rehearses_the_suite_on_a_snapshot_and_leaves_nothing(tmp_path: Path) -> None:
    from coopetition import connect

    deployer = str(connect("embedded", account=0).address)  # the embedded chain's account 0
    result = ok(run(tmp_path, "--json", "--network", "embedded", "deploy", *FOUNDERS, "--dry-run", account="0"))
    planned = json.loads(result.stdout)["contracts"]
    assert [c["name"] for c in planned] == ORDER
    assert [c["address"] for c in planned] == [create_address(deployer, n) for n in range(4)]
    assert all(c["gasUsed"] > 100_000 and not c["newlyDeployed"] and not c["transactionHash"] for c in planned)
    assert [line.split()[:3] for line in result.stderr.strip().splitlines()] == [[n, "would", "deploy"] for n in ORDER]


def test_library_dry_run_on_embedded_reverts_the_chain_and_the_real_deploy_matches_it() -> None:
    """Through the library: the rehearsal leaves no block, no nonce and no record behind on its
    connection, and a real deployment lands at the addresses with the gas it reported."""
    from coopetition import SuiteMember, connect, deploy_suite

    dry = connect("embedded", account=0, dry_run=True)
    members = [SuiteMember("Acme", ADDR[1]), SuiteMember("Globex", ADDR[2]), SuiteMember("Initech", ADDR[3])]
    me = str(dry.address)
    block, nonce = dry.w3.eth.block_number, dry.w3.eth.get_transaction_count(me)
    planned = deploy_suite(dry, members, 2).contracts
    assert (dry.w3.eth.block_number, dry.w3.eth.get_transaction_count(me)) == (block, nonce)
    assert not dry.store.names() and all(len(dry.w3.eth.get_code(c.address)) == 0 for c in planned)
    assert dry.sender is not None and not dry.sender.sent  # the connection's own pipeline sent nothing

    # a fresh embedded chain is the same chain: the real deployment lands where the rehearsal said,
    # with exactly the gas it reported
    deployed = deploy_suite(connect("embedded", account=0), members, 2).contracts
    assert [(c.name, c.address, c.gas_used) for c in deployed] == [(c.name, c.address, c.gas_used) for c in planned]
    assert all(c.newly_deployed and not c.dry_run for c in deployed)


def test_a_rehearsal_that_fails_halfway_still_reverts_the_embedded_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    from coopetition import DeploymentError, SuiteMember, connect, deploy_suite
    from coopetition._chain import deployments

    real_deploy = deployments.deploy_contract
    calls: list[str] = []

    def failing_third(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["name"])
        if len(calls) == 3:
            raise DeploymentError("the third deployment failed")
        return real_deploy(*args, **kwargs)

    monkeypatch.setattr(deployments, "deploy_contract", failing_third)
    dry = connect("embedded", account=0, dry_run=True)
    me = str(dry.address)
    block, nonce = dry.w3.eth.block_number, dry.w3.eth.get_transaction_count(me)
    with pytest.raises(DeploymentError, match="third"):
        deploy_suite(dry, [SuiteMember("Acme", ADDR[1]), SuiteMember("Globex", ADDR[2])], 2)
    assert calls == ORDER[:3]
    assert (dry.w3.eth.block_number, dry.w3.eth.get_transaction_count(me)) == (block, nonce)
    assert len(dry.w3.eth.get_code(create_address(me, 0))) == 0
