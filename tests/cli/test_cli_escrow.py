"""``coopetition escrow ...`` as an admin types it, through click's CliRunner against an anvil the module
starts itself (the suite deployed with ``coopetition deploy``): human units, --json, --dry-run, one-line
errors with nothing sent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_env import ADDR, deployed_project, js, module_node, ok, run
from click.testing import Result
from conftest import AnvilNode, rpc

pytestmark = pytest.mark.anvil

ETHER = 10**18


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    yield from module_node()


@pytest.fixture(scope="module")
def project(node: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return deployed_project(tmp_path_factory.mktemp("escrow-cli"), node)


def create(project: Path, *extra: str, account: str = "1") -> int:
    data = js(run(project, "--json", "escrow", "create", "Battery JV", "--partner", "Acme=2 ether",
                  "--partner", "Globex=1 ether", "--milestone", "1 ether", "--milestone", "1.5 ether",
                  "--beneficiary", ADDR[4], "--deadline", "30d", "--quorum", "2", *extra, account=account))
    vid = data["ventureId"]
    assert isinstance(vid, int) and vid >= 1
    return vid


def test_a_venture_from_creation_to_refunds(project: Path, node: AnvilNode) -> None:
    vid = create(project)
    ok(run(project, "escrow", "deposit", str(vid), "1 ether"))
    ok(run(project, "escrow", "deposit", str(vid), "1 ether"))
    deposited = ok(run(project, "escrow", "deposit", str(vid), "1 ether", account="2"))
    assert f"deposit 1 ether into venture #{vid}" in deposited.output
    shown = js(run(project, "--json", "escrow", "show", str(vid), account="3"))
    assert shown["state"] == "active" and shown["deposited"] == str(3 * ETHER)
    assert shown["depositedFormatted"] == "3 ETH" and shown["held"] == str(3 * ETHER)
    assert [p["paid"] for p in shown["partners"]] == [str(2 * ETHER), str(ETHER)]  # type: ignore[index]

    ok(run(project, "escrow", "approve", str(vid), "0"))
    released = js(run(project, "--json", "escrow", "approve", str(vid), "0", "--release", account="2"))
    assert "MilestoneReleased" in [e["name"] for e in released["events"]]  # type: ignore[attr-defined]
    # two transactions sent, each reported with its own label, hash, block, gas, fee and nonce
    both = released["transactions"]
    assert [t["label"] for t in both] == ["JointVentureEscrow.approveMilestone",  # type: ignore[index]
                                          "JointVentureEscrow.releaseMilestone"]
    assert both[-1]["transactionHash"] == released["transactionHash"]  # type: ignore[index]
    assert both[1]["nonce"] == both[0]["nonce"] + 1 and both[0]["blockNumber"] < both[1]["blockNumber"]  # type: ignore[index]
    for t in both:  # type: ignore[attr-defined]
        receipt = rpc(node.url, "eth_getTransactionReceipt", [t["transactionHash"]])
        tx = rpc(node.url, "eth_getTransactionByHash", [t["transactionHash"]])
        assert t["gasUsed"] == int(receipt["gasUsed"], 16) and t["nonce"] == int(tx["nonce"], 16)
        assert t["fee"] == str(int(receipt["gasUsed"], 16) * int(receipt["effectiveGasPrice"], 16))
        assert t["feeFormatted"].endswith(" ETH")
    before = int(str(rpc(node.url, "eth_getBalance", [ADDR[5], "latest"])), 16)
    withdrawn = js(run(project, "--json", "escrow", "withdraw", str(vid), "--to", ADDR[5], account="4"))
    assert withdrawn["amount"] == str(ETHER) and withdrawn["amountFormatted"] == "1 ETH"
    assert int(str(rpc(node.url, "eth_getBalance", [ADDR[5], "latest"])), 16) - before == ETHER

    dissolved = js(run(project, "--json", "escrow", "dissolve", str(vid), account="2"))  # 2-of-2: 1 vote dissolves
    assert (dissolved["votes"], dissolved["needed"], dissolved["state"]) == (1, 1, "cancelled")
    refunded = js(run(project, "--json", "escrow", "refund", str(vid)))
    # released 1 ether of 3: Acme keeps floor(1*2/3 ether) of the release -> refund 2 - 0.666... ether
    assert refunded["amount"] == str(2 * ETHER - (ETHER * 2 * ETHER // (3 * ETHER)))
    assert refunded["amountFormatted"] == "1.333333333333333334 ETH"
    refunded2 = js(run(project, "--json", "escrow", "refund", str(vid), account="2"))
    assert int(str(refunded["amount"])) + int(str(refunded2["amount"])) == 2 * ETHER

    human = ok(run(project, "escrow", "show", str(vid), "--history", account="3")).output
    for text in ("Venture #", "cancelled", "Acme", "Globex", "Partners", "Milestones", "released",
                 "History:", "voted to dissolve", "refunded", "how it can get out", "long-stop"):
        assert text in human, text
    listed = ok(run(project, "escrow", "list", account="3")).output
    assert "Battery JV" in listed and "cancelled" in listed
    data = json.loads(ok(run(project, "--json", "escrow", "list", account="3")).stdout)
    assert any(v["id"] == vid and v["state"] == "cancelled" for v in data)


def test_list_pages_with_limit_and_after(project: Path) -> None:
    ids = [create(project) for _ in range(3)]
    page = json.loads(ok(run(project, "--json", "escrow", "list", "--after", str(ids[0]), "--limit", "1")).stdout)
    assert [v["id"] for v in page] == [ids[1]]
    human = ok(run(project, "escrow", "list", "--after", str(ids[0]), "--limit", "1")).output
    assert f"--after {ids[1]}" in human  # where the next page starts
    last = ok(run(project, "escrow", "list", "--after", str(ids[1]))).output
    assert "More ventures" not in last and "Battery JV" in last
    assert "No venture after" in ok(run(project, "escrow", "list", "--after", str(ids[2]))).output
    bad = run(project, "escrow", "list", "--limit", "0")
    assert bad.exit_code != 0 and "Error:" in bad.output and "Traceback" not in bad.output


def test_token_venture_reads_the_tokens_decimals(project: Path) -> None:
    from _escrow_support import TEST_ARTIFACTS
    from mocks.mock_erc20 import MockERC20

    from coopetition import connect
    from coopetition._artifacts import load_artifact
    from coopetition._chain.deployments import deploy_contract

    conn = connect("dev", 0, project=project)
    assert conn.sender is not None
    artifact = load_artifact("MockERC20", search=[TEST_ARTIFACTS])
    token = deploy_contract(conn.sender, conn.store, name="MockERC20", abi=artifact.abi, bytecode=artifact.bytecode,
                            args=["USD Coin", "USDC", 6], reset=True).address
    usdc = MockERC20(conn.w3, token, conn.sender)
    for who in (ADDR[1], ADDR[2]):
        usdc.mint(who, 50_000 * 10**6)
    vid = js(run(project, "--json", "escrow", "create", "Chip JV", "--asset", token, "--partner", "Acme=12000 USDC",
                 "--partner", "Globex=8000.5 USDC", "--milestone", "5000 USDC", "--beneficiary", ADDR[4]))["ventureId"]
    lines = ok(run(project, "escrow", "deposit", str(vid), "12000 USDC")).stdout.splitlines()  # approve, deposit
    assert lines[0].endswith(": 2 transactions") and len(lines) == 3
    assert lines[1].startswith("  ERC20.approve: tx 0x") and lines[2].startswith("  JointVentureEscrow.deposit: tx 0x")
    assert all(", fee " in line and ", nonce " in line for line in lines[1:])
    shown = js(run(project, "--json", "escrow", "show", str(vid)))
    assert shown["asset"] == {"address": token, "symbol": "USDC", "decimals": 6, "isNative": False}
    partners = shown["partners"]
    assert [p["owed"] for p in partners] == [str(12_000 * 10**6), "8000500000"]  # type: ignore[index]
    assert [p["owedFormatted"] for p in partners] == ["12000 USDC", "8000.5 USDC"]  # type: ignore[index]
    assert [p["paid"] for p in partners] == [str(12_000 * 10**6), "0"]  # type: ignore[index]
    assert usdc.balance_of(ADDR[1]) == 38_000 * 10**6
    human = ok(run(project, "escrow", "show", str(vid))).output
    assert "12000 USDC / 12000 USDC" in human and "0 USDC / 8000.5 USDC" in human
    bad = run(project, "escrow", "deposit", str(vid), "1 ether", account="2")
    assert bad.exit_code == 1 and "does not match the asset" in bad.stderr


def test_bad_input_is_one_line_and_sends_nothing(project: Path, node: AnvilNode) -> None:
    vid = create(project)
    block = rpc(node.url, "eth_blockNumber")
    cases = [
        (("escrow", "deposit", str(vid), "lots"), 1, "cannot read amount"),
        (("escrow", "deposit", str(vid), "5 ether"), 1, "more than"),
        (("escrow", "deposit", str(vid), "1 USDC"), 1, "does not match the asset"),
        (("escrow", "deposit", "999", "1 ether"), 1, "JointVentureEscrowUnknownVenture(venture_id=999)"),
        (("escrow", "approve", str(vid), "0"), 1, "JointVentureEscrowInvalidState"),
        (("escrow", "approve", str(vid), "7"), 1, "JointVentureEscrowInvalidState"),
        (("escrow", "refund", str(vid)), 1, "JointVentureEscrowInvalidState"),
        (("escrow", "unvote", str(vid)), 1, "JointVentureEscrowNotVoted"),
        (("escrow", "cancel-after-long-stop", str(vid)), 1, "JointVentureEscrowInvalidState"),
        (("escrow", "push", str(vid)), 1, "JointVentureEscrowNothingToWithdraw"),
        (("escrow", "push", str(vid), "--partner", "Globex"), 1, "JointVentureEscrowInvalidState"),
        (("escrow", "push", str(vid), "--partner", "0x123"), 1, "is not an address"),
        (("escrow", "create", "x", "--partner", "Acme=1 ether", "--milestone", "1",
          "--beneficiary", ADDR[4], "--long-stop", "later"), 1, "cannot read duration 'later'"),
        (("escrow", "create", "x", "--partner", "Acme=1 ether", "--milestone", "1",
          "--beneficiary", ADDR[4], "--long-stop", "1900d"), 1, "JointVentureEscrowInvalidLongStop"),
        (("escrow", "create", "x", "--partner", "Acme=1 ether", "--partner", "Globex=1 ether", "--milestone", "1",
          "--beneficiary", ADDR[4], "--dissolution-quorum", "2"), 1, "JointVentureEscrowInvalidDissolutionQuorum"),
        (("escrow", "withdraw", str(vid), "--to", "0x123"), 1, "is not an address"),
        (("escrow", "create", "x", "--partner", "Acme", "--milestone", "1", "--beneficiary", ADDR[4]), 1,
         "is not PARTNER=AMOUNT"),
        (("escrow", "create", "x", "--partner", "Acme=1 ether", "--milestone", "1",
          "--beneficiary", ADDR[4], "--deadline", "soon"), 1, "cannot read duration 'soon'"),
        (("escrow", "create", "x", "--partner", "Nobody=1 ether", "--milestone", "1",
          "--beneficiary", ADDR[4]), 1, "no member is labelled 'Nobody'"),
        (("escrow", "create", "x", "--partner", "Acme=1 ether", "--milestone", "2 ether",
          "--beneficiary", ADDR[4]), 1, "JointVentureEscrowMilestonesExceedTotal"),
    ]
    for args, code, message in cases:
        result = run(project, *args)
        assert result.exit_code == code, (args, result.output)
        assert message in result.stderr, (args, result.output)
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.output
    assert rpc(node.url, "eth_blockNumber") == block


def test_dry_run_sends_nothing(project: Path, node: AnvilNode) -> None:
    block = rpc(node.url, "eth_blockNumber")
    result = ok(run(project, "escrow", "create", "dry", "--partner", "Acme=1 ether", "--milestone", "1 ether",
                    "--beneficiary", ADDR[4], "--dry-run"))
    assert "dry run" in result.output
    vid = create(project)
    block = rpc(node.url, "eth_blockNumber")
    dry = js(run(project, "--json", "escrow", "deposit", str(vid), "1 ether", "--dry-run"))
    assert dry["dryRun"] is True
    assert rpc(node.url, "eth_blockNumber") == block


def readme_create(project: Path) -> tuple[int, Result]:
    """The README's `escrow create` line, word for word (the library's defaults)."""
    result = ok(run(project, "escrow", "create", "Battery JV", "--partner", "Acme=2 ether", "--partner",
                    "Globex=1 ether", "--milestone", "1 ether", "--milestone", "1.5 ether",
                    "--beneficiary", "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "--deadline", "30d"))
    vid = int(result.output.split("venture #")[1].split()[0])
    return vid, result


@pytest.mark.parametrize("dissolver", ["1", "2"], ids=["Acme", "Globex"])
def test_the_readme_venture_is_dissolved_by_either_partner_alone(project: Path, dissolver: str) -> None:
    vid, created = readme_create(project)
    assert "release by 2 of 2, dissolution by 1 of 2, long-stop 20" in created.output
    ok(run(project, "escrow", "deposit", str(vid), "2 ether"))
    ok(run(project, "escrow", "deposit", str(vid), "1 ether", account="2"))
    shown = js(run(project, "--json", "escrow", "show", str(vid)))
    assert (shown["quorum"], shown["dissolutionQuorum"], shown["dissolutionVotes"]) == (2, 1, 0)
    exits = [p["exits"] for p in shown["partners"]]  # type: ignore[index]
    assert all(e[0] == "vote to dissolve: 1 of 2 partners needed, 0 voted" for e in exits)
    assert all(e[1].endswith("any partner may cancel") for e in exits)
    human = ok(run(project, "escrow", "show", str(vid))).output
    assert "dissolution by 1 of 2" in human and "vote to dissolve: 1 of 2 partners needed" in human
    out = ok(run(project, "escrow", "dissolve", str(vid), account=dissolver)).output
    assert f"vote to dissolve venture #{vid} (cancelled)" in out
    shown = js(run(project, "--json", "escrow", "show", str(vid)))
    assert shown["state"] == "cancelled"
    assert [p["exits"] for p in shown["partners"]] == [["refund 2 ETH"], ["refund 1 ETH"]]  # type: ignore[index]


def test_unvote_and_push_payouts_by_a_third_party(project: Path, node: AnvilNode) -> None:
    vid = js(run(project, "--json", "escrow", "create", "Trio", "--partner", "Acme=1 ether", "--partner",
                 "Globex=1 ether", "--partner", "Initech=1 ether", "--milestone", "1.5 ether",
                 "--beneficiary", ADDR[4]))["ventureId"]
    for account in ("1", "2", "3"):
        ok(run(project, "escrow", "deposit", str(vid), "1 ether", account=account))
    voted = js(run(project, "--json", "escrow", "dissolve", str(vid)))
    assert (voted["votes"], voted["needed"], voted["state"]) == (1, 2, "active")  # 2 of 3: 3 - 2 + 1 = 2
    unvoted = js(run(project, "--json", "escrow", "unvote", str(vid)))
    assert "DissolutionVoteWithdrawn" in [e["name"] for e in unvoted["events"]]  # type: ignore[attr-defined]
    assert unvoted["votes"] == 0
    ok(run(project, "escrow", "approve", str(vid), "0", account="2"))
    ok(run(project, "escrow", "approve", str(vid), "0", "--release", account="3"))  # completed
    before = int(str(rpc(node.url, "eth_getBalance", [ADDR[4], "latest"])), 16)
    pushed = js(run(project, "--json", "escrow", "push", str(vid), account="6"))  # not a member, not the beneficiary
    assert (pushed["amount"], pushed["to"]) == (str(3 * ETHER // 2), ADDR[4])
    assert int(str(rpc(node.url, "eth_getBalance", [ADDR[4], "latest"])), 16) - before == 3 * ETHER // 2
    before = int(str(rpc(node.url, "eth_getBalance", [ADDR[3], "latest"])), 16)
    pushed = js(run(project, "--json", "escrow", "push", str(vid), "--partner", "Initech", account="6"))
    assert (pushed["amount"], pushed["amountFormatted"], pushed["to"]) == (str(ETHER // 2), "0.5 ETH", ADDR[3])
    assert int(str(rpc(node.url, "eth_getBalance", [ADDR[3], "latest"])), 16) - before == ETHER // 2


def test_after_the_long_stop_a_partner_cancels(project: Path, node: AnvilNode) -> None:
    vid = create(project, "--long-stop", "60d")
    ok(run(project, "escrow", "deposit", str(vid), "2 ether"))
    ok(run(project, "escrow", "deposit", str(vid), "1 ether", account="2"))
    early = run(project, "escrow", "cancel-after-long-stop", str(vid), account="2")
    assert early.exit_code == 1 and "JointVentureEscrowLongStopNotPassed" in early.stderr
    rpc(node.url, "evm_increaseTime", [61 * 86400])
    rpc(node.url, "evm_mine")
    shown = js(run(project, "--json", "escrow", "show", str(vid)))
    assert shown["partners"][0]["exits"][1].startswith("long-stop passed")  # type: ignore[index]
    ok(run(project, "escrow", "cancel-after-long-stop", str(vid), account="2"))
    shown = js(run(project, "--json", "escrow", "show", str(vid)))
    assert shown["state"] == "cancelled"
    assert [p["refundable"] for p in shown["partners"]] == [str(2 * ETHER), str(ETHER)]  # type: ignore[index]


def test_the_cli_defaults_are_the_librarys() -> None:
    from coopetition import escrow as library
    from coopetition.cli import escrow as command

    assert (command.DEFAULT_DEADLINE, command.DEFAULT_LONG_STOP) == (library.DEFAULT_DEADLINE,
                                                                     library.DEFAULT_LONG_STOP)
