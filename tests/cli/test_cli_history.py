"""`coopetition consortium history`, `escrow history [VENTURE]` and `costs history [POOL]` through
CliRunner against an anvil the test starts: block, time, actor label, words, amounts in units; one
``--json`` shape (amounts as decimal strings + ``amountFormatted``) and ``--csv``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import AnvilNode, rpc

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition._domain.activity import BlockSpan
from coopetition.cli import cli
from coopetition.cli.history import CSV_COLUMNS

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]
KEYS = {"blockNumber", "time", "timestamp", "kind", "actor", "actorLabel", "what", "asset", "transactionHash",
        "logIndex"}
AMOUNT = {"amount", "amountFormatted"}
"""Only on rows that move or book an amount."""


def run(project: Path, *args: str, account: str = "1") -> Result:
    result = CliRunner().invoke(cli, ["--project", str(project), "--network", "dev", "--account", account, *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def project(tmp_path: Path, anvil: AnvilNode) -> Path:
    (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{anvil.url}"\n')
    run(tmp_path, "deploy", "--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}", "--quorum", "2",
        account="0")
    return tmp_path


def rows(project: Path, *command: str) -> list[dict[str, object]]:
    data = json.loads(run(project, "--json", *command).stdout)
    assert isinstance(data, list)
    for row in data:
        assert set(row) - KEYS == (AMOUNT if "amount" in row else set()) and set(row) >= KEYS, row
    return data


def test_every_family_tells_its_history(project: Path, anvil: AnvilNode) -> None:
    run(project, "consortium", "propose", "set-quorum", "1")
    run(project, "consortium", "approve", "1", account="2")
    vid = json.loads(run(project, "--json", "escrow", "create", "Battery JV", "--partner", "Acme=2 ether",
                         "--partner", "Globex=1 ether", "--milestone", "3 ether", "--beneficiary", ADDR[4],
                         "--deadline", "30d", "--quorum", "1").stdout)["ventureId"]
    run(project, "escrow", "deposit", str(vid), "1.5 ether")
    pid = json.loads(run(project, "--json", "costs", "create", "R&D", "-p", "Acme=50%", "-p", "Globex=50%",
                         "--dispute-window", "1h", "--settlement-period", "1d", "--duration", "30d").stdout)["poolId"]
    run(project, "costs", "join", str(pid), account="2")

    consortium = rows(project, "consortium", "history")
    kinds = [r["kind"] for r in consortium]
    assert kinds.count("MemberAdded") == 2 and "QuorumChanged" in kinds
    created = next(r for r in consortium if r["kind"] == "ProposalCreated")
    assert created["actorLabel"] == "Acme" and str(created["what"]).startswith("proposal #1 created")
    approved = [r for r in consortium if r["kind"] == "ProposalApproved"]
    assert [r["actorLabel"] for r in approved][-1] == "Globex"
    blocks = [int(str(r["blockNumber"])) for r in consortium]
    assert blocks == sorted(blocks)
    assert all(isinstance(r["timestamp"], int) and r["timestamp"] > 0 for r in consortium)  # type: ignore[operator]

    escrow = rows(project, "escrow", "history", str(vid))
    deposit = next(r for r in escrow if r["kind"] == "Deposited")
    assert deposit["amount"] == str(15 * 10**17) and deposit["amountFormatted"] == "1.5 ETH"
    assert deposit["actorLabel"] == "Acme" and "deposited 1.5 ETH" in str(deposit["what"])
    assert rows(project, "escrow", "history") == escrow  # every venture: only this one so far
    human = run(project, "escrow", "history", str(vid)).stdout.splitlines()
    assert len(human) == len(escrow) and any(" UTC  Acme: venture #1: " in line for line in human)

    pool = rows(project, "costs", "history", str(pid))
    assert [r["kind"] for r in pool][:1] == ["proposed"]
    joins = [r for r in pool if r["kind"] == "accepted"]
    assert {r["actorLabel"] for r in joins} >= {"Globex"} and any(r["kind"] == "live" for r in pool)

    table = list(csv.DictReader(io.StringIO(run(project, "costs", "history", "--csv").stdout)))
    assert [r["kind"] for r in table] == [r["kind"] for r in pool]
    assert tuple(table[0]) == CSV_COLUMNS and table[0]["actorLabel"] == "Acme"

    head = int(rpc(anvil.url, "eth_blockNumber"), 16)
    assert rows(project, "consortium", "history", "--from-block", str(head + 1)) == []

    # ranges of one block each find exactly what one range over every block finds
    from coopetition import connect
    from coopetition._domain.consortium_history import consortium_rows
    from coopetition._domain.escrow_events import venture_history

    suite = connect("dev", project=project, read_only=True).suite()
    whole, single = BlockSpan(0, head), BlockSpan(0, head, step=1)
    assert len(list(single.ranges())) == head + 1
    assert consortium_rows(suite.consortium.contract, single) == consortium_rows(suite.consortium.contract, whole)
    assert venture_history(suite.escrow.contract, None, span=single) == venture_history(suite.escrow.contract, None)


def test_a_block_span_covers_every_block_once() -> None:
    assert list(BlockSpan(0, 9, step=4).ranges()) == [(0, 3), (4, 7), (8, 9)]
    assert list(BlockSpan(5, 5, step=4).ranges()) == [(5, 5)]
    assert list(BlockSpan(6, 5).ranges()) == []
