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

    key = json.loads(run(project, "--json", "consortium", "proposals").stdout)[0]["proposalId"]
    early = run(project, "consortium", "execute", str(pid))
    assert early.exit_code == 1
    refusal = f"Consortium: ConsortiumThresholdNotReached(proposal_id={key}, approvals=1, threshold=2)"
    assert early.stderr == f"Error: {refusal}\n"
    assert early.stdout == ""
    as_json = run(project, "--json", "consortium", "execute", str(pid))
    assert as_json.exit_code == 1 and as_json.stderr == ""
    assert json.loads(as_json.stdout) == {"error": {"type": "ConsortiumThresholdNotReached", "message": refusal}}

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


def test_a_quorum_cancels_a_proposal_its_proposer_no_longer_can(project: Path) -> None:
    assert deploy(project).exit_code == 0
    assert run(project, "consortium", "propose", "set-quorum", "3").exit_code == 0  # #1, by Acme
    assert run(project, "consortium", "approve", "1", account="2").exit_code == 0  # threshold reached
    alone = run(project, "consortium", "cancel", "1")
    assert alone.exit_code == 1
    assert alone.stderr.startswith("Error: Consortium: ConsortiumCancelAfterThreshold(") and "approvals=2, threshold=2" in alone.stderr
    proposed = run(project, "--json", "consortium", "propose", "cancel", "1", account="2")  # #2, by Globex
    assert proposed.exit_code == 0, proposed.output
    assert json.loads(proposed.stdout)["proposalId"] == 2
    assert run(project, "consortium", "approve", "2", account="3").exit_code == 0
    assert run(project, "consortium", "execute", "2", account="5").exit_code == 0
    history = json.loads(run(project, "--json", "consortium", "proposals", "--all").stdout)
    assert [(p["id"], p["state"]) for p in history] == [(1, "cancelled"), (2, "executed")]
    assert history[1]["action"] == f"cancelProposal({history[0]['proposalId']})"
    unknown = run(project, "consortium", "propose", "cancel", "9")
    assert unknown.exit_code == 1 and unknown.stderr.startswith("Error: ") and len(unknown.stderr.splitlines()) == 1


def test_two_members_sign_and_a_third_executes_with_the_files(project: Path, anvil: AnvilNode) -> None:
    assert deploy(project).exit_code == 0
    proposed = run(project, "--json", "consortium", "propose", "set-quorum", "3", account="3")  # Initech
    pid = str(json.loads(proposed.stdout)["proposalId"])
    assert run(project, "consortium", "revoke", pid, account="3").exit_code == 0  # nobody on chain now
    block = rpc(anvil.url, "eth_blockNumber")
    acme, globex = project / "acme.json", project / "globex.json"
    assert run(project, "consortium", "sign", pid, "-o", str(acme), account="1").exit_code == 0
    printed = run(project, "consortium", "sign", pid, account="2")  # no -o: the JSON on stdout
    assert printed.exit_code == 0, printed.output
    globex.write_text(printed.stdout)
    assert json.loads(printed.stdout)["signer"] == ADDR[2]
    assert rpc(anvil.url, "eth_blockNumber") == block  # signing sends nothing
    shown = json.loads(run(project, "--json", "consortium", "show", "--signature", str(acme),
                           "--signature", str(globex)).stdout)
    assert shown["openProposals"][0]["approvers"] == []
    assert shown["pendingSignatures"] == [{"proposalId": int(pid), "signers": ["Acme", "Globex"]}]
    table = run(project, "consortium", "show", "--signature", str(acme)).output
    assert "Acme" in table and "1/2" in table
    executed = run(project, "--json", "consortium", "execute", pid, "--signature", str(acme), "--signature",
                   str(globex), account="5")
    assert executed.exit_code == 0, executed.output
    assert json.loads(executed.stdout)["gasUsed"] > 0
    assert json.loads(run(project, "--json", "consortium", "members").stdout)["quorum"] == 3


def test_mixed_on_chain_and_signed_and_a_one_shot_payment(project: Path, anvil: AnvilNode) -> None:
    assert deploy(project).exit_code == 0
    pid = str(json.loads(run(project, "--json", "consortium", "propose", "set-quorum", "3").stdout)["proposalId"])
    globex = project / "globex.json"
    assert run(project, "consortium", "sign", pid, "-o", str(globex), account="2").exit_code == 0
    shown = json.loads(run(project, "--json", "consortium", "show", "--signature", str(globex)).stdout)
    assert shown["openProposals"][0]["approvers"] == [ADDR[1]]  # Acme on chain
    assert shown["pendingSignatures"] == [{"proposalId": int(pid), "signers": ["Globex"]}]
    assert run(project, "consortium", "execute", pid, "--signature", str(globex), account="4").exit_code == 0
    # a one-shot decision: three signatures (quorum 3 now), never proposed
    consortium = json.loads((project / "deployments" / "dev" / "Consortium.json").read_text())["address"]
    rpc(anvil.url, "eth_sendTransaction", [{"from": ADDR[0], "to": consortium, "value": hex(10**18)}])
    before = int(rpc(anvil.url, "eth_getBalance", [ADDR[7], "latest"]), 16)
    first = project / "acme-pay.json"
    made = run(project, "consortium", "sign", "--target", ADDR[7], "--value", "1 ether", "-m", "audit",
               "-o", str(first), account="1")
    assert made.exit_code == 0, made.output
    files = [first]
    for account in ("2", "3"):
        path = project / f"pay-{account}.json"
        assert run(project, "consortium", "sign", "--cosign", str(first), "-o", str(path), account=account).exit_code == 0
        files.append(path)
    args = [a for f in files for a in ("--signature", str(f))]
    paid = run(project, "consortium", "execute", *args, account="6")
    assert paid.exit_code == 0, paid.output
    assert "executed with 3 signature(s)" in paid.output
    assert int(rpc(anvil.url, "eth_getBalance", [ADDR[7], "latest"]), 16) == before + 10**18


def test_quorum_one_of_several_needs_the_explicit_flag(project: Path) -> None:
    founders = ["--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}", "--quorum", "1"]
    refused = run(project, "deploy", *founders, account="0")
    assert refused.exit_code == 1 and "--allow-single-approval" in refused.stderr
    allowed = run(project, "--json", "deploy", *founders, "--allow-single-approval", "--delay", "1h", account="0")
    assert allowed.exit_code == 0, allowed.output
    assert "any one member decides alone" in allowed.stderr
    assert json.loads(allowed.stdout)["delay"] == 3600
    shown = run(project, "consortium", "show").output
    assert "execution delay 3600 s" in shown


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
