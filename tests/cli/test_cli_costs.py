"""`coopetition costs ...` as an admin drives it, through click's CliRunner against an anvil the test
starts itself (the suite deployed with `coopetition deploy`)."""

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


def create_pool(project: Path) -> int:
    created = ok(run(project, "--json", "costs", "create", "Battery R&D", "-p", "Acme=50%", "-p", "Globex=30%",
                     "-p", f"{ADDR[3]}=2000", "--quorum", "2"))
    return int(json.loads(created.stdout)["poolId"])


def test_a_programme_from_creation_to_settlement_by_netting(project: Path, tmp_path: Path) -> None:
    pid = create_pool(project)
    assert pid == 1
    shown = json.loads(ok(run(project, "--json", "costs", "show", "1")).stdout)
    assert [(p["label"], p["shareBps"]) for p in shown["participants"]] == [
        ("Acme", 5000), ("Globex", 3000), ("Initech", 2000)]
    assert shown["asset"]["symbol"] == "ETH" and shown["quorum"] == 2

    invoice = tmp_path / "invoice-17.pdf"
    invoice.write_bytes(b"%PDF-1.7 lab equipment, 3 ether")
    submitted = json.loads(ok(run(project, "--json", "costs", "submit", "1", "3 ether", "--payee", SUPPLIER,
                                  "--evidence", str(invoice), "--ref", "INV-17")).stdout)
    assert submitted["expenseId"] == 1
    assert submitted["evidenceHash"] == "0x" + hashlib.sha256(invoice.read_bytes()).hexdigest()
    approved = ok(run(project, "costs", "approve", "1"))
    assert "expense #1 approved; now pending" in approved.output
    booked = ok(run(project, "costs", "approve", "1", account="2"))
    assert "now booked" in booked.output

    # Acme paid a 1 ether invoice to the supplier itself
    ok(run(project, "costs", "submit", "1", "1 ether", "--payee", "Acme", "--evidence-hash", "0x" + "ab" * 32))
    ok(run(project, "costs", "approve", "2", account="2"))
    ok(run(project, "costs", "approve", "2", account="3"))

    balances = json.loads(ok(run(project, "--json", "costs", "balances", "1")).stdout)
    rows = {p["label"] or p["account"]: p for p in balances["positions"]}
    ether = 10**18
    acme = rows["Acme"]
    assert (acme["owed"], acme["credited"], acme["net"]) == (str(2 * ether), str(ether), str(-ether))
    assert acme["netFormatted"] == "-1 ETH"
    assert rows["Globex"]["net"] == str(-12 * ether // 10)
    assert rows["Initech"]["net"] == str(-8 * ether // 10)
    assert rows[SUPPLIER]["net"] == str(3 * ether)

    paid = ok(run(project, "costs", "pay", "1", account="2"))  # the whole debt by default
    assert "paid 1.2 ETH into pool #1" in paid.output
    ok(run(project, "costs", "pay", "1", "0.8 ether", account="3"))
    ok(run(project, "costs", "pay", "1", account="1"))
    claimed = ok(run(project, "costs", "claim", "1", account="7"))
    assert "claimed 3 ETH from pool #1" in claimed.output

    table = ok(run(project, "costs", "balances", "1")).output
    assert table.count("settled") == 4 and "Acme" in table and "50%" in table
    final = json.loads(ok(run(project, "--json", "costs", "balances", "1")).stdout)
    costs = {p["label"]: int(p["credited"]) + int(p["paidIn"]) - int(p["withdrawn"])
             for p in final["positions"] if p["label"]}
    assert costs == {"Acme": 2 * ether, "Globex": 12 * ether // 10, "Initech": 8 * ether // 10}
    listed = ok(run(project, "costs", "expenses", "1")).output
    assert "INV-17" in listed and "booked" in listed


def test_bad_input_is_one_line_and_sends_nothing(project: Path, anvil: AnvilNode) -> None:
    block = rpc(anvil.url, "eth_blockNumber")
    bad = run(project, "costs", "create", "X", "-p", "Acme=50%", "-p", "Globex=40%", "--quorum", "1")
    assert bad.exit_code == 1
    assert bad.stderr == "Error: CostSharing: CostSharingSharesNotTotal(total=9000)\n"
    assert run(project, "costs", "create", "X", "-p", "Acme", "--quorum", "1").exit_code == 1
    nobody = run(project, "costs", "create", "X", "-p", "Nobody=100%", "--quorum", "1")
    assert nobody.exit_code == 1 and "no member is labelled 'Nobody'" in nobody.output
    assert rpc(anvil.url, "eth_blockNumber") == block

    pid = create_pool(project)
    block = rpc(anvil.url, "eth_blockNumber")
    both = run(project, "costs", "submit", str(pid), "1 ether", "--payee", SUPPLIER, "--evidence-hash",
               "0x" + "11" * 32, "--evidence", __file__)
    assert both.exit_code == 1 and "exactly one of --evidence" in both.output
    unit = run(project, "costs", "submit", str(pid), "1 USDC", "--payee", SUPPLIER, "--evidence-hash", "0x" + "11" * 32)
    assert unit.exit_code == 1 and "does not match the asset" in unit.output
    outsider = run(project, "costs", "submit", str(pid), "1 ether", "--payee", SUPPLIER, "--evidence-hash",
                   "0x" + "11" * 32, account="6")
    assert outsider.exit_code == 1 and "CostSharingNotParticipant(pool_id=1" in outsider.stderr
    unknown = run(project, "costs", "balances", "9")
    assert unknown.exit_code == 1 and "CostSharingUnknownPool(pool_id=9)" in unknown.stderr
    nothing = run(project, "costs", "pay", str(pid))
    assert nothing.exit_code == 1 and "owes nothing" in nothing.output
    assert rpc(anvil.url, "eth_blockNumber") == block

    ok(run(project, "costs", "submit", str(pid), "1 ether", "--payee", SUPPLIER, "--evidence-hash", "0x" + "11" * 32))
    again = run(project, "costs", "submit", str(pid), "2 ether", "--payee", SUPPLIER, "--evidence-hash",
                "0x" + "11" * 32, account="2")
    assert again.exit_code == 1 and "CostSharingEvidenceAlreadyUsed(pool_id=1" in again.stderr
    ok(run(project, "costs", "approve", "1"))
    double = run(project, "costs", "approve", "1")
    assert double.exit_code == 1 and "CostSharingAlreadyVoted(expense_id=1" in double.stderr
    ok(run(project, "costs", "approve", "1", account="2"))
    over = run(project, "costs", "pay", str(pid), "0.6 ether")
    assert over.exit_code == 1 and "would overpay" in over.output
    early = run(project, "costs", "claim", str(pid), account="7")
    assert early.exit_code == 1 and "holds nothing yet" in early.output
    ok(run(project, "costs", "pay", str(pid), "0.5 ether"))
    greedy = run(project, "costs", "claim", str(pid), "2 ether", account="7")
    assert greedy.exit_code == 1 and "CostSharingClaimExceedsCredit(pool_id=1" in greedy.stderr


def test_dry_run_withdraw_and_reject(project: Path, anvil: AnvilNode) -> None:
    pid = create_pool(project)
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
    rejected = ok(run(project, "costs", "reject", "2", account="3"))
    assert "now rejected" in rejected.output
    listed = json.loads(ok(run(project, "--json", "costs", "expenses", str(pid))).stdout)
    assert [(e["id"], e["status"]) for e in listed] == [(1, "withdrawn"), (2, "rejected")]
    only = json.loads(ok(run(project, "--json", "costs", "expenses", str(pid), "--status", "rejected")).stdout)
    assert [e["id"] for e in only] == [2]
    assert "no expenses booked" in ok(run(project, "costs", "expenses", str(pid), "--status", "booked")).output
