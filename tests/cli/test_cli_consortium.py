"""The consortium as an admin drives it: `coopetition deploy` and `coopetition consortium ...`
through click's CliRunner against an anvil the test starts itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import AnvilNode, rpc

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition.cli import cli

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]


@pytest.fixture
def project(tmp_path: Path, anvil: AnvilNode) -> Path:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    return tmp_path


def run(project: Path, *args: str, account: str = "1") -> Result:
    return CliRunner().invoke(cli, ["--project", str(project), "--network", "dev", "--account", account, *args])


def contracts(result: Result) -> dict[str, dict[str, object]]:
    """The ``contracts`` list of ``deploy --json``, by contract name."""
    return {c["name"]: c for c in json.loads(result.stdout)["contracts"]}


def deploy(project: Path) -> Result:
    return run(project, "--json", "deploy", "--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}",
               "--member", f"Initech={ADDR[3]}", "--quorum", "2", account="0")


def test_deploy_records_the_suite_and_a_rerun_sends_nothing(project: Path, anvil: AnvilNode) -> None:
    first = deploy(project)
    assert first.exit_code == 0, first.output
    consortium = contracts(first)["Consortium"]
    assert consortium["newlyDeployed"] is True
    record = json.loads((project / "deployments" / "dev" / "Consortium.json").read_text())
    assert record["address"] == consortium["address"]
    assert (project / "deployments" / "dev" / ".chainId").read_text().strip() == "31337"
    block = rpc(anvil.url, "eth_blockNumber")
    again = deploy(project)
    assert again.exit_code == 0, again.output
    assert contracts(again)["Consortium"]["newlyDeployed"] is False
    assert rpc(anvil.url, "eth_blockNumber") == block


def test_admitting_a_member_by_proposal_and_quorum(project: Path) -> None:
    deployed = deploy(project)
    assert deployed.exit_code == 0, deployed.output
    proposed = run(project, "--json", "consortium", "propose", "add-member", "Umbrella", ADDR[4])
    assert proposed.exit_code == 0, proposed.output
    pid = json.loads(proposed.stdout)["proposalId"]
    assert pid == 1

    early = run(project, "consortium", "execute", str(pid))
    assert early.exit_code == 1
    assert early.stderr == "Error: Consortium: ConsortiumQuorumNotReached(proposal_id=1, approvals=1, quorum=2)\n"
    assert early.stdout == ""
    as_json = run(project, "--json", "consortium", "execute", str(pid))
    assert as_json.exit_code == 1 and as_json.stderr == ""
    assert json.loads(as_json.stdout) == {"error": {
        "type": "ConsortiumQuorumNotReached",
        "message": "Consortium: ConsortiumQuorumNotReached(proposal_id=1, approvals=1, quorum=2)"}}

    assert run(project, "consortium", "approve", str(pid), account="2").exit_code == 0
    executed = run(project, "consortium", "execute", str(pid), account="5")  # anyone may execute
    assert executed.exit_code == 0, executed.output

    shown = run(project, "--json", "consortium", "show")
    state = json.loads(shown.stdout)
    assert [m["label"] for m in state["members"]] == ["Acme", "Globex", "Initech", "Umbrella"]
    assert state["quorum"] == 2 and state["openProposals"] == []
    history = json.loads(run(project, "--json", "consortium", "proposals", "--all").stdout)
    assert [(p["id"], p["state"], p["action"], p["value"], p["valueFormatted"]) for p in history] == [
        (1, "executed", "addMember(0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65, 'Umbrella')", "0", "0 ETH")]
    table = run(project, "consortium", "show")
    assert "Umbrella" in table.output and "quorum 2 of 4" in table.output


def test_non_member_cannot_propose_and_nothing_is_sent(project: Path, anvil: AnvilNode) -> None:
    deployed = deploy(project)
    assert deployed.exit_code == 0, deployed.output
    block = rpc(anvil.url, "eth_blockNumber")
    result = run(project, "consortium", "propose", "set-quorum", "1", account="6")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "ConsortiumNotMember" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert rpc(anvil.url, "eth_blockNumber") == block


def test_dry_run_estimates_and_sends_nothing(project: Path, anvil: AnvilNode) -> None:
    deployed = deploy(project)
    assert deployed.exit_code == 0, deployed.output
    block = rpc(anvil.url, "eth_blockNumber")
    result = run(project, "consortium", "propose", "set-quorum", "3", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "nothing sent" in result.output
    assert rpc(anvil.url, "eth_blockNumber") == block
    assert json.loads(run(project, "--json", "consortium", "proposals", "--all").stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deploy", "--member", "Acme", "--quorum", "1"], "is not LABEL=ADDRESS"),
        (["deploy", "--member", "Acme=0x123", "--quorum", "1"], "is not an address"),
        (["deploy", "--member", f"Acme={ADDR[1]}", "--quorum", "2"], "quorum 2 is more than the 1 member(s)"),
        (["consortium", "propose", "add-member", "X", "0xnothex"], "is not an address"),
        (["consortium", "approve", "0"], "proposal id must be at least 1, got 0"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(project: Path, anvil: AnvilNode, args: list[str], message: str) -> None:
    block = rpc(anvil.url, "eth_blockNumber")
    result = run(project, *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("Error: ")
    assert message in result.stderr, result.stderr
    assert rpc(anvil.url, "eth_blockNumber") == block


def test_commands_before_deploy_say_what_to_do(project: Path) -> None:
    result = run(project, "consortium", "show")
    assert result.exit_code == 1
    assert "run `coopetition deploy`" in result.output


def test_node_down_says_to_start_the_devnet(tmp_path: Path) -> None:
    from conftest import free_port

    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "http://127.0.0.1:{free_port()}"\n')
    result = run(tmp_path, "consortium", "show")
    assert result.exit_code == 1
    assert "coopetition devnet start" in result.output
    assert len(result.output.strip().splitlines()) == 1
