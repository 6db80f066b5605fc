"""`coopetition costs ...` as an admin drives it, through click's CliRunner against an anvil the test
starts itself (the suite deployed with `coopetition deploy`): consent by join and by a signed
acceptance the creator submits, expenses voted by the others, a dispute, leave, settlement per period
with pro-rata collection."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import AnvilNode, rpc

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition.cli import cli

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]
SUPPLIER = ADDR[7]
ETHER = 10**18
TIMING = ("--dispute-window", "1h", "--settlement-period", "1d", "--duration", "30d")


@pytest.fixture
def project(tmp_path: Path, anvil: AnvilNode) -> Path:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    deployed = run(tmp_path, "--json", "deploy", "--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}",
                   "--member", f"Initech={ADDR[3]}", "--quorum", "2", account="0")
    assert deployed.exit_code == 0, deployed.output
    assert "CostSharing" in [c["name"] for c in json.loads(deployed.stdout)["contracts"]]
    return tmp_path


def run(project: Path, *args: str, account: str = "1") -> Result:
    return CliRunner().invoke(cli, ["--project", str(project), "--network", "dev", "--account", account, *args])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def propose(project: Path) -> dict[str, object]:
    created = ok(run(project, "--json", "costs", "create", "Battery R&D", "-p", "Acme=50%", "-p", "Globex=30%",
                     "-p", f"{ADDR[3]}=2000", *TIMING))
    return dict(json.loads(created.stdout))


def live_pool(project: Path) -> int:
    pid = int(propose(project)["poolId"])  # type: ignore[call-overload]
    ok(run(project, "costs", "join", str(pid), account="2"))
    ok(run(project, "costs", "join", str(pid), account="3"))
    return pid


def later(anvil: AnvilNode, seconds: int) -> None:
    rpc(anvil.url, "evm_increaseTime", [seconds])
    rpc(anvil.url, "evm_mine")


def test_a_programme_from_consent_to_pro_rata_settlement(project: Path, tmp_path: Path, anvil: AnvilNode) -> None:
    created = ok(run(project, "costs", "create", "Battery R&D", "-p", "Acme=50%", "-p", "Globex=30%",
                     "-p", f"{ADDR[3]}=2000", *TIMING)).output
    assert "pool #1 'Battery R&D' proposed: Acme 50%, Globex 30%, Initech 20% in ETH" in created
    assert "more than 50% of the other participants' shares, at least 2 of them" in created
    assert "Globex, Initech must each run `coopetition costs join 1`" in created
    assert "not accepted yet: Globex, Initech" in ok(run(project, "costs", "balances", "1")).output
    shown = json.loads(ok(run(project, "--json", "costs", "show", "1")).stdout)
    assert [(p["label"], p["shareBps"], p["accepted"]) for p in shown["participants"]] == [
        ("Acme", 5000, True), ("Globex", 3000, False), ("Initech", 2000, False)]
    assert shown["status"] == "proposed" and shown["pending"] == [ADDR[2], ADDR[3]]

    assert "joined pool #1; now proposed" in ok(run(project, "costs", "join", "1", account="2")).output
    signature = tmp_path / "initech.json"
    signed = ok(run(project, "costs", "sign-terms", "1", "-o", str(signature), account="3")).output
    assert f"{ADDR[3]} signed the terms of pool #1" in signed
    assert json.loads(signature.read_text())["participant"] == ADDR[3]
    submitted = ok(run(project, "costs", "submit-terms", "1", "--signatures", str(signature))).output
    assert "acceptances of pool #1 recorded; live" in submitted
    assert "every participant accepted" in ok(run(project, "costs", "balances", "1")).output

    invoice = tmp_path / "invoice-17.pdf"
    invoice.write_bytes(b"%PDF-1.7 lab equipment, 3 ether")
    expense = json.loads(ok(run(project, "--json", "costs", "submit", "1", "3 ether", "--payee", SUPPLIER,
                                "--evidence", str(invoice), "--ref", "INV-17")).stdout)
    assert expense["expenseId"] == 1
    assert expense["evidenceHash"] == "0x" + hashlib.sha256(invoice.read_bytes()).hexdigest()
    assert "expense #1 approved; now pending" in ok(run(project, "costs", "approve", "1")).output
    booked = json.loads(ok(run(project, "--json", "costs", "approve", "1", account="2")).stdout)
    assert (booked["status"], booked["expenseStatus"]) == (1, "booked")  # the receipt's status is kept
    # Acme paid a 1 ether invoice itself: the two others decide, Acme's vote would not count
    ok(run(project, "costs", "submit", "1", "1 ether", "--payee", "Acme", "--evidence-hash", "0x" + "ab" * 32))
    own = run(project, "costs", "approve", "2")
    assert own.exit_code == 1 and "CostSharingOwnClaim(expense_id=2" in own.stderr
    ok(run(project, "costs", "approve", "2", account="2"))
    ok(run(project, "costs", "approve", "2", account="3"))

    early = run(project, "costs", "pay", "1", account="2")
    assert early.exit_code == 1 and "opens for payments and claims" in early.stderr
    later(anvil, 86_400 + 3_600)
    rows = {p["label"] or p["account"]: p
            for p in json.loads(ok(run(project, "--json", "costs", "balances", "1")).stdout)["positions"]}
    assert (rows["Acme"]["owed"], rows["Acme"]["credit"]) == (str(2 * ETHER), str(ETHER))
    assert rows["Globex"]["debt"] == str(12 * ETHER // 10) and rows["Initech"]["debt"] == str(8 * ETHER // 10)
    assert rows[SUPPLIER]["credit"] == str(3 * ETHER) and rows[SUPPLIER]["collectable"] == "0"

    assert "paid 1.2 ETH into pool #1" in ok(run(project, "costs", "pay", "1", account="2")).output
    # with only Globex paid in, each creditor may collect its pro-rata part of it already
    part = json.loads(ok(run(project, "--json", "costs", "balances", "1")).stdout)["positions"]
    collectable = {p["account"]: int(p["collectable"]) for p in part}
    assert collectable[SUPPLIER] == 3 * collectable[ADDR[1]] == 9 * ETHER // 10
    ok(run(project, "costs", "pay", "1", "0.8 ether", account="3"))
    ok(run(project, "costs", "pay", "1", account="1"))
    assert "collected 3 ETH from pool #1" in ok(run(project, "costs", "claim", "1", account="7")).output
    assert "collected 1 ETH from pool #1" in ok(run(project, "costs", "claim", "1")).output

    final = json.loads(ok(run(project, "--json", "costs", "balances", "1")).stdout)
    costs = {p["label"]: int(p["credit"]) + int(p["paid"]) - int(p["withdrawn"])
             for p in final["positions"] if p["label"]}
    assert costs == {"Acme": 2 * ETHER, "Globex": 12 * ETHER // 10, "Initech": 8 * ETHER // 10}
    assert final["outstanding"] == "0"
    listed = ok(run(project, "costs", "expenses", "1")).output
    assert "INV-17" in listed and "booked" in listed


def test_bad_input_is_one_line_and_sends_nothing(project: Path, anvil: AnvilNode, tmp_path: Path) -> None:
    block = rpc(anvil.url, "eth_blockNumber")
    bad = run(project, "costs", "create", "X", "-p", "Acme=50%", "-p", "Globex=40%")
    assert bad.exit_code == 1
    assert bad.stderr == "Error: CostSharing: CostSharingSharesNotTotal(total=9000)\n"
    alone = run(project, "costs", "create", "X", "-p", "Acme=50%", "-p", "Globex=50%", "--quorum", "1")
    assert alone.exit_code == 1 and "CostSharingInvalidQuorum(quorum=1, participants=2)" in alone.stderr
    nobody = run(project, "costs", "create", "X", "-p", "Nobody=100%")
    assert nobody.exit_code == 1 and "no member is labelled 'Nobody'" in nobody.output
    assert rpc(anvil.url, "eth_blockNumber") == block

    proposed = int(propose(project)["poolId"])  # type: ignore[call-overload]
    block = rpc(anvil.url, "eth_blockNumber")
    binding = run(project, "costs", "submit", str(proposed), "1 ether", "--payee", SUPPLIER, "--evidence-hash",
                  "0x" + "11" * 32)
    assert binding.exit_code == 1 and "CostSharingWrongPoolStatus(pool_id=1" in binding.stderr
    other = run(project, "costs", "join", str(proposed), "--terms-hash", "0x" + "99" * 32, account="2")
    assert other.exit_code == 1 and "CostSharingTermsMismatch(pool_id=1" in other.stderr
    missing = run(project, "costs", "submit-terms", str(proposed), "--signatures", str(tmp_path / "none.json"))
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    assert rpc(anvil.url, "eth_blockNumber") == block

    pid = live_pool(project)
    signature = tmp_path / "late.json"
    ok(run(project, "costs", "sign-terms", str(proposed), "-o", str(signature), account="2"))
    wrong = run(project, "costs", "submit-terms", str(pid), "--signatures", str(signature))
    assert wrong.exit_code == 1 and f"is for pool {proposed}" in wrong.stderr
    block = rpc(anvil.url, "eth_blockNumber")
    both = run(project, "costs", "submit", str(pid), "1 ether", "--payee", SUPPLIER, "--evidence-hash",
               "0x" + "11" * 32, "--evidence", __file__)
    assert both.exit_code == 1 and "exactly one of --evidence" in both.output
    unit = run(project, "costs", "submit", str(pid), "1 USDC", "--payee", SUPPLIER, "--evidence-hash", "0x" + "11" * 32)
    assert unit.exit_code == 1 and "does not match the asset" in unit.output
    outsider = run(project, "costs", "submit", str(pid), "1 ether", "--payee", SUPPLIER, "--evidence-hash",
                   "0x" + "11" * 32, account="6")
    assert outsider.exit_code == 1 and f"CostSharingNotParticipant(pool_id={pid}" in outsider.stderr
    unknown = run(project, "costs", "balances", "9")
    assert unknown.exit_code == 1 and "CostSharingUnknownPool(pool_id=9)" in unknown.stderr
    nothing = run(project, "costs", "pay", str(pid))
    assert nothing.exit_code == 1 and "owes nothing" in nothing.output
    assert rpc(anvil.url, "eth_blockNumber") == block

    ok(run(project, "costs", "submit", str(pid), "1 ether", "--payee", SUPPLIER, "--evidence-hash", "0x" + "11" * 32))
    ok(run(project, "costs", "approve", "1"))
    double = run(project, "costs", "approve", "1")
    assert double.exit_code == 1 and "CostSharingAlreadyVoted(subject=1" in double.stderr
    ok(run(project, "costs", "approve", "1", account="2"))
    squat = run(project, "costs", "submit", str(pid), "2 ether", "--payee", SUPPLIER, "--evidence-hash",
                "0x" + "11" * 32, account="2")
    assert squat.exit_code == 1 and f"CostSharingEvidenceAlreadyBooked(evidence_hash=0x{'11' * 32}" in squat.stderr
    stuck = run(project, "costs", "leave", str(pid), account="3")
    assert stuck.exit_code == 1 and f"CostSharingPoolHasBookings(pool_id={pid}, booked=1)" in stuck.stderr
    later(anvil, 86_400 + 3_600)
    over = run(project, "costs", "pay", str(pid), "0.6 ether")
    assert over.exit_code == 1 and "would overpay" in over.output
    early = run(project, "costs", "claim", str(pid), account="7")
    assert early.exit_code == 1 and "has nothing to collect" in early.output
    ok(run(project, "costs", "pay", str(pid), "0.5 ether"))
    greedy = run(project, "costs", "claim", str(pid), "2 ether", account="7")
    assert greedy.exit_code == 1 and f"CostSharingClaimExceedsCollectable(pool_id={pid}" in greedy.stderr


def test_dispute_leave_dry_run_withdraw_and_reject(project: Path, anvil: AnvilNode) -> None:
    declined = int(propose(project)["poolId"])  # type: ignore[call-overload]
    assert f"pool #{declined} left" in ok(run(project, "costs", "leave", str(declined), account="3")).output
    assert json.loads(ok(run(project, "--json", "costs", "show", str(declined))).stdout)["status"] == "dissolved"

    pid = live_pool(project)
    block = rpc(anvil.url, "eth_blockNumber")
    dry = ok(run(project, "costs", "submit", str(pid), "5 ether", "--payee", SUPPLIER, "--evidence-hash",
                 "0x" + "22" * 32, "--dry-run"))
    assert dry.output.startswith("dry run: submit expense would use about")
    assert rpc(anvil.url, "eth_blockNumber") == block
    ok(run(project, "costs", "submit", str(pid), "5 ether", "--payee", SUPPLIER, "--evidence-hash", "0x" + "22" * 32))
    ok(run(project, "costs", "submit", str(pid), "1 ether", "--payee", SUPPLIER, "--evidence-hash", "0x" + "33" * 32))
    not_mine = run(project, "costs", "withdraw-expense", "1", account="2")
    assert not_mine.exit_code == 1 and "CostSharingNotSubmitter(expense_id=1" in not_mine.stderr
    assert "expense #1 withdrawn" in ok(run(project, "costs", "withdraw-expense", "1")).output
    ok(run(project, "costs", "reject", "2", account="2"))
    assert "now rejected" in ok(run(project, "costs", "reject", "2", account="3")).output

    # a booking the other two dispute within the window is reversed
    ok(run(project, "costs", "submit", str(pid), "4 ether", "--payee", "Acme", "--evidence-hash", "0x" + "44" * 32))
    ok(run(project, "costs", "approve", "3", account="2"))
    ok(run(project, "costs", "approve", "3", account="3"))
    assert "now booked" in ok(run(project, "costs", "dispute", "3", "--reason", "never delivered", account="2")).output
    assert "now reversed" in ok(run(project, "costs", "dispute", "3", "--reason", "duplicate", account="3")).output
    listed = json.loads(ok(run(project, "--json", "costs", "expenses", str(pid))).stdout)
    assert [(e["id"], e["status"]) for e in listed] == [(1, "withdrawn"), (2, "rejected"), (3, "reversed")]
    only = json.loads(ok(run(project, "--json", "costs", "expenses", str(pid), "--status", "rejected")).stdout)
    assert [e["id"] for e in only] == [2]
    assert "no expenses booked" in ok(run(project, "costs", "expenses", str(pid), "--status", "booked")).output
    # nothing booked any more: a participant may leave again
    assert f"pool #{pid} left" in ok(run(project, "costs", "leave", str(pid), account="2")).output
