"""`coopetition titles ...` as an admin drives it, through click's CliRunner against an anvil the test
starts itself: deploy, create a class and issue titles by proposal, offer, fill, cancel, withdraw,
the book and the history — and bad input failing with one line, sending nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli_env import ADDR, data, deployed_project, one_line_error, passed, run
from conftest import AnvilNode, rpc

pytestmark = pytest.mark.anvil

ACME, GLOBEX, INITECH, OUTSIDER = "1", "2", "3", "5"


@pytest.fixture
def traded(tmp_path: Path, anvil: AnvilNode) -> Path:
    """Deployed suite; class 1 "JV Hydrogen shares" with 1,000 titles issued to Acme."""
    project = deployed_project(tmp_path, anvil)
    terms = tmp_path / "terms.pdf"
    terms.write_bytes(b"JV Hydrogen shareholders' agreement v3")
    passed(project, data(project, "titles", "create-class", "JV Hydrogen shares", "--terms", str(terms),
                         "--max-supply", "5000", "--issue", "Acme=1000"))
    return project


def test_classes_and_balances_after_governed_creation_and_issue(traded: Path) -> None:
    import hashlib

    classes = data(traded, "titles", "classes")
    assert [(c["id"], c["name"], c["issued"], c["maxSupply"]) for c in classes] == [
        (1, "JV Hydrogen shares", 1000, 5000)]
    assert classes[0]["termsHash"] == "0x" + hashlib.sha256(b"JV Hydrogen shareholders' agreement v3").hexdigest()
    assert data(traded, "titles", "balance", "Acme")["holdings"] == [
        {"holder": ADDR[1], "classId": 1, "name": "JV Hydrogen shares", "amount": 1000}]
    assert data(traded, "titles", "balance", account=GLOBEX)["holdings"] == []
    table = run(traded, "titles", "classes")
    assert "JV Hydrogen shares" in table.output and "1000" in table.output


def test_offer_partial_fill_cancel_and_withdraw(traded: Path) -> None:
    made = data(traded, "titles", "offer", "1", "300", "--price", "3 ether", "--partial", "--expiry", "2d")
    assert made["offerId"] == 1
    book = data(traded, "titles", "book")
    assert [(o["id"], o["remaining"], o["price"]["amountFormatted"], o["allowPartial"]) for o in book] == [
        (1, 300, "3 ETH", True)]
    assert book[0]["price"]["amount"] == str(3 * 10**18) and book[0]["price"]["kind"] == "ether"
    human = run(traded, "titles", "book")
    assert "Acme" in human.output and "300/300 JV Hydrogen shares" in human.output

    filled = data(traded, "titles", "fill", "1", "100", account=GLOBEX)
    assert filled["payment"] == str(10**18) and filled["paymentFormatted"] == "1 ETH" and filled["amount"] == 100
    assert data(traded, "titles", "balance", account=GLOBEX)["holdings"][0]["amount"] == 100

    cancelled = data(traded, "titles", "cancel", "1")
    assert cancelled["offerId"] == 1
    assert data(traded, "titles", "balance", "Acme")["holdings"][0]["amount"] == 900
    assert data(traded, "titles", "book") == []
    assert data(traded, "titles", "book", "--all")[0]["state"] == "cancelled"

    withdrawn = data(traded, "titles", "withdraw")
    assert withdrawn["amount"] == str(10**18) and withdrawn["amountFormatted"] == "1 ETH"
    rows = data(traded, "titles", "history")
    assert [(r["kind"], r["actorLabel"], r["what"], r.get("amountFormatted")) for r in rows] == [
        ("made", "Acme", "made offer #1 (300 titles)", None),
        ("filled", "Globex", "filled offer #1 (100 titles, paid 1 ETH)", "1 ETH"),
        ("cancelled", "Acme", "cancelled offer #1 (200 titles)", None),
        ("withdrawn", "Acme", "withdrew 1 ETH of proceeds", "1 ETH")]
    words = [line.split("  ", 2)[2] for line in run(traded, "titles", "history").output.splitlines()]
    assert words == ["Acme: made offer #1 (300 titles)", "Globex: filled offer #1 (100 titles, paid 1 ETH)",
                     "Acme: cancelled offer #1 (200 titles)", "Acme: withdrew 1 ETH of proceeds"]
    table = run(traded, "titles", "history", "--csv").output.splitlines()
    assert table[0].startswith("blockNumber,time,actor,actorLabel,kind,what,amount") and len(table) == 5


def test_offer_to_a_named_member_and_a_wrong_taker_is_refused(traded: Path, anvil: AnvilNode) -> None:
    data(traded, "titles", "offer", "1", "10", "--price", "0.5 ether", "--to", "Initech")
    block = rpc(anvil.url, "eth_blockNumber")
    one_line_error(run(traded, "titles", "fill", "1", account=GLOBEX), "reserved for")
    assert rpc(anvil.url, "eth_blockNumber") == block
    data(traded, "titles", "fill", "1", account=INITECH)
    assert data(traded, "titles", "balance", "Initech")["holdings"][0]["amount"] == 10


def test_a_non_member_taker_gets_the_contract_error_and_nothing_is_sent(traded: Path, anvil: AnvilNode) -> None:
    data(traded, "titles", "offer", "1", "10", "--price", "1 ether")
    block = rpc(anvil.url, "eth_blockNumber")
    one_line_error(run(traded, "titles", "fill", "1", account=OUTSIDER), "TitleExchangeNotMember")
    assert rpc(anvil.url, "eth_blockNumber") == block


def test_transfer_between_members_and_to_an_outsider(traded: Path, anvil: AnvilNode) -> None:
    data(traded, "titles", "transfer", "Globex", "1", "25")
    assert data(traded, "titles", "balance", "Globex")["holdings"][0]["amount"] == 25
    block = rpc(anvil.url, "eth_blockNumber")
    one_line_error(run(traded, "titles", "transfer", ADDR[5], "1", "1"), "TitleRegistryNotMember")
    assert rpc(anvil.url, "eth_blockNumber") == block


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("offer", "1", "10", "--price", "3 bananas"), "does not match the asset"),
        (("offer", "1", "10", "--price", "1 ether", "--expiry", "soon"), "soon"),
        (("offer", "1", "5000", "--price", "1 ether"), "ERC1155InsufficientBalance"),
        (("offer", "9", "1", "--price", "1 ether"), "no title class #9"),
        (("offer", "1", "ten", "--price", "1 ether"), "amount must be a whole number, got 'ten'"),
        (("fill", "42"), "TitleExchangeUnknownOffer(offer_id=42)"),
        (("cancel", "1"), "TitleExchangeUnknownOffer(offer_id=1)"),
        (("issue", "1", "Nobody", "5"), "Nobody"),
        (("issue", "1", "Acme", "4001"), "at most 4000 more"),
        (("fill", "1", "--max-payment", "1 ether"), "TitleExchangeUnknownOffer(offer_id=1)"),
        (("create-class", "X"), "--terms"),
        (("create-class", "X", "--terms-hash", "0x12"), "64 hex digits"),
    ],
)
def test_bad_input_fails_with_one_line_and_sends_nothing(
    traded: Path, anvil: AnvilNode, args: tuple[str, ...], fragment: str
) -> None:
    block = rpc(anvil.url, "eth_blockNumber")
    one_line_error(run(traded, "titles", *args), fragment)
    assert rpc(anvil.url, "eth_blockNumber") == block


def test_dry_run_offer_sends_nothing(traded: Path, anvil: AnvilNode) -> None:
    block = rpc(anvil.url, "eth_blockNumber")
    dry = data(traded, "titles", "offer", "1", "10", "--price", "1 ether", "--dry-run")
    assert dry["dryRun"] is True and dry["offerId"] == 0 and dry["gasUsed"] > 0
    assert rpc(anvil.url, "eth_blockNumber") == block
    assert data(traded, "titles", "book") == []


def test_create_class_with_first_titles_in_one_proposal_and_no_cap_is_loud(traded: Path) -> None:
    result = run(traded, "titles", "create-class", "Bond", "--terms-hash", "0x" + "22" * 32,
                 "--issue", "Globex=300", "--issue", "Initech=200")
    assert result.exit_code == 0, result.output
    assert "WARNING: NO CAP" in result.stderr and "NO CAP" in result.stdout
    proposal = data(traded, "consortium", "proposals")[-1]
    passed(traded, {"proposalId": proposal["id"]})
    assert data(traded, "titles", "balance", "Initech")["holdings"][0]["amount"] == 200
    assert "NO CAP" in run(traded, "titles", "classes").output


def test_quote_take_and_cancel_quotes(traded: Path, tmp_path: Path, anvil: AnvilNode) -> None:
    order = tmp_path / "order.json"
    block = rpc(anvil.url, "eth_blockNumber")
    signed = data(traded, "titles", "quote", "1", "300", "--price", "3 ether", "--to", "Globex", "--expires", "2h",
                  "-o", str(order))
    assert rpc(anvil.url, "eth_blockNumber") == block  # signing sends nothing
    assert signed["nonce"] == "0" and signed["taker"] == ADDR[2] and signed["priceFormatted"] == "3 ETH"
    assert json.loads(order.read_text())["signature"] == signed["signature"]
    one_line_error(run(traded, "titles", "take", str(order), account=INITECH), "reserved for")
    taken = data(traded, "titles", "take", str(order), "--amount", "300", "--max-payment", "3.1 ether",
                 account=GLOBEX)
    assert taken["payment"] == str(3 * 10**18) and taken["amount"] == 300 and taken["nonce"] == "0"
    assert data(traded, "titles", "balance", "Globex")["holdings"][0]["amount"] == 300
    one_line_error(run(traded, "titles", "take", str(order), account=GLOBEX), "taken or cancelled already")

    other = tmp_path / "other.json"
    data(traded, "titles", "quote", "1", "10", "--price", "1 ether", "--partial", "-o", str(other))
    data(traded, "titles", "cancel-quote", str(other))
    one_line_error(run(traded, "titles", "take", str(other), account=INITECH), "taken or cancelled already")
    printed = run(traded, "titles", "quote", "1", "10", "--price", "1 ether", "--nonce", "7")
    assert printed.exit_code == 0 and '"nonce": "7"' in printed.stdout
    # by default: every nonce up to the first unused one (what this command would hand out next)...
    assert data(traded, "titles", "cancel-all-quotes")["below"] == "3"
    # ...an explicit --nonce above it needs --below
    assert data(traded, "titles", "cancel-all-quotes", "--below", "8")["below"] == "8"
    one_line_error(run(traded, "titles", "cancel-quote", "7"), "already taken or cancelled")
