"""Every ``--json`` read command prints amounts as decimal strings (each with an ``<name>Formatted``
companion) and only camelCase keys, on a chain where every family holds real amounts of ether
(values above 2**53, which a JSON number would round).

The read commands are found by walking the click tree (every command that sends nothing), so a new
one fails here until it is run below."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _cli_env import ADDR, commands, data, deployed_project, module_node, ok, run
from conftest import AnvilNode, rpc

pytestmark = pytest.mark.anvil

CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
DIGITS = re.compile(r"^-?[0-9]+$")
EXACT = 2**53
ETHER = 10**18

NOT_READS = {"compile", "bindings", "demo", "deploy", "devnet start", "devnet stop", "devnet reset",
             "accounts new", "accounts import", "accounts remove", "costs sign-terms", "consortium sign",
             "attach", "titles quote", "titles cap sign"}
"""Commands that send nothing but are not chain reads (build tools, local files, the demo, signing)."""

# read command -> (arguments, the amount keys its output must show as strings)
READS: dict[str, tuple[tuple[str, ...], set[str]]] = {
    "consortium show": ((), {"value"}),  # of the open proposal
    "consortium members": ((), set()),
    "consortium proposals": (("--all",), {"value"}),
    "consortium history": ((), {"amount"}),  # the open proposal's value
    "costs history": (("1",), {"amount"}),
    "escrow history": (("1",), {"amount"}),
    "costs show": (("1",), {"totalBooked", "totalPaidIn", "outstanding"}),
    "costs balances": (("1",), {"owed", "paid", "debt", "credit", "entitlement", "withdrawn", "collectable", "net",
                                "outstanding"}),
    "costs expenses": (("1",), {"amount"}),
    "escrow show": (("1", "--history"), {"total", "deposited", "released", "held", "owed", "paid", "refundable"}),
    "escrow list": ((), {"total", "deposited", "held", "owed"}),
    "escrow round show": (("1",), {"budget", "bond", "revealedTotal", "pledge", "bondRefundable", "amount"}),
    "escrow round list": ((), {"budget", "bond", "revealedTotal", "pledge"}),
    "titles classes": ((), set()),
    "titles balance": (("Globex",), set()),
    "titles book": (("--all",), {"amount"}),
    "titles history": ((), {"amount"}),
    "titles cap show": (("1", "--max", "5000"), set()),
    "accounts list": ((), set()),
    "accounts balance": (("2",), {"balance"}),
    "devnet status": ((), set()),
    "verify": ((), set()),
}


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    yield from module_node()


@pytest.fixture(scope="module")
def project(node: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every family in use: a booked expense and a payment in a cost pool, a funded venture with a
    released milestone, a sealed round with a pledge revealed, a title class with titles issued and an offer partly filled."""
    root = deployed_project(tmp_path_factory.mktemp("json-output"), node)

    def do(*args: str, account: str = "1") -> Any:
        return data(root, *args, account=account)

    do("costs", "create", "R&D", "-p", "Acme=50%", "-p", "Globex=30%", "-p", "Initech=20%", "--quorum", "2",
       "--dispute-window", "1h", "--settlement-period", "1d", "--duration", "30d")
    do("costs", "join", "1", account="2")
    do("costs", "join", "1", account="3")
    do("costs", "submit", "1", "3.333333333333333333 ether", "--payee", ADDR[7], "--evidence-hash", "0x" + "11" * 32)
    do("costs", "approve", "1")
    do("costs", "approve", "1", account="2")  # Acme and Globex: more than half of the shares
    rpc(node.url, "evm_increaseTime", [86_400 + 3_600])  # the settlement period and its dispute window pass
    rpc(node.url, "evm_mine")
    do("costs", "pay", "1", account="2")
    do("escrow", "create", "JV", "--partner", "Acme=2 ether", "--partner", "Globex=1 ether",
       "--milestone", "1.5 ether", "--milestone", "1 ether", "--beneficiary", ADDR[4], "--quorum", "2")
    do("escrow", "deposit", "1", "2 ether")
    do("escrow", "deposit", "1", "1 ether", account="2")
    do("escrow", "approve", "1", "0")
    do("escrow", "approve", "1", "0", "--release", account="2")
    do("escrow", "round", "open", "Sealed JV", "--budget", "2 ether", "--bond", "0.1 ether", "--partner",
       "Acme,Globex", "--beneficiary", ADDR[4], "--commit-by", "10m", "--reveal-by", "1h")
    do("escrow", "round", "commit", "1", "1.5 ether")
    rpc(node.url, "evm_increaseTime", [601])  # into the reveal phase
    rpc(node.url, "evm_mine")
    do("escrow", "round", "reveal", "1")
    for proposal in (("titles", "create-class", "Shares", "--terms-hash", "0x" + "22" * 32),
                     ("titles", "issue", "1", "Acme", "1000")):
        pid = str(do(*proposal)["proposalId"])
        do("consortium", "approve", pid, account="2")
        do("consortium", "execute", pid, account="3")
    do("titles", "offer", "1", "300", "--price", "30 ether", "--partial")
    do("titles", "fill", "1", "100", account="2")
    do("consortium", "propose", "call", ADDR[5], "--value", "0.5 ether", "-m", "pay a supplier")  # stays open
    return root


def walk(value: Any, path: str = "$") -> Iterator[tuple[str, str, Any, dict[str, Any]]]:
    """(path, key, value, the object holding it) for every key of every object in ``value``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key, item, value
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk(item, f"{path}[{i}]")


def numbers(value: Any) -> Iterator[int | float]:
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from numbers(item)


def test_every_read_command_is_checked() -> None:
    reads = {c.name for c in commands() if c.path and not any(p.name == "dry_run" for p in c.command.params)}
    assert reads - NOT_READS == set(READS)


@pytest.mark.parametrize("name", sorted(READS))
def test_amounts_are_strings_and_keys_are_camel_case(project: Path, name: str) -> None:
    args, amount_keys = READS[name]
    if name == "accounts list":
        from coopetition._chain.accounts import create_keystore

        create_keystore("ops", "pw")  # in this test's own COOPETITION_HOME
    output = data(project, *name.split(), *args, account="1")
    assert output not in (None, [], {}), "the state should give every read command something to show"
    seen: set[str] = set()
    for path, key, value, holder in walk(output):
        assert CAMEL.match(key), f"{name}: key {path} is not camelCase"
        if key.endswith("Formatted"):
            base = key.removesuffix("Formatted")
            assert base in holder, f"{name}: {path} has no {base}"
            if holder[base] is None:  # an amount not known yet (a sealed pledge): null, and so its companion
                assert value is None, f"{name}: {path} = {value!r} beside a null amount"
                continue
            assert isinstance(holder[base], str) and DIGITS.match(holder[base]), f"{name}: {path[:-9]} = {holder[base]!r}"
            assert isinstance(value, str) and " " in value, f"{name}: {path} = {value!r}"
            seen.add(base)
    big = [n for n in numbers(output) if abs(n) >= EXACT]
    assert not big, f"{name}: numbers JSON cannot hold exactly: {big}"
    assert amount_keys <= seen, f"{name}: amounts not shown as strings: {sorted(amount_keys - seen)}"


def test_formatted_amounts_are_exact(project: Path) -> None:
    expense = data(project, "costs", "expenses", "1")[0]  # type: ignore[index]
    assert expense["amount"] == "3333333333333333333"
    assert expense["amountFormatted"] == "3.333333333333333333 ETH"
    venture = data(project, "escrow", "show", "1")
    assert venture["released"] == str(3 * ETHER // 2) and venture["releasedFormatted"] == "1.5 ETH"  # type: ignore[index]
    assert venture["state"] == "active" and venture["milestones"][0]["state"] == "released"  # type: ignore[index]
    fill = [r for r in data(project, "titles", "history") if r["kind"] == "filled"]  # type: ignore[union-attr]
    assert [(r["amount"], r["amountFormatted"]) for r in fill] == [(str(10 * ETHER), "10 ETH")]


def test_a_transaction_report_has_one_shape(project: Path) -> None:
    dry = data(project, "consortium", "propose", "set-quorum", "3", "--dry-run")
    assert dry["dryRun"] is True and dry["transactionHash"] is None and dry["gasUsed"] > 0  # type: ignore[index]
    sent = data(project, "consortium", "propose", "set-quorum", "3")
    assert {"transactionHash", "blockNumber", "gasUsed", "status", "dryRun", "sender", "to", "contractAddress",
            "events", "effectiveGasPrice", "effectiveGasPriceFormatted", "proposalId", "expiry"} <= set(sent)  # type: ignore[arg-type]
    event = sent["events"][0]  # type: ignore[index]
    assert event["name"] == "ProposalCreated" and sorted(event) == ["address", "args", "logIndex", "name"]
    assert all(not isinstance(v, int) or isinstance(v, bool) for v in event["args"].values())
    text = ok(run(project, "consortium", "approve", str(sent["proposalId"]), account="2")).stdout  # type: ignore[index]
    assert text.startswith(f"proposal #{sent['proposalId']} approved: tx 0x")  # type: ignore[index]
    assert ", fee 0." in text and " ETH, nonce " in text
    (only,) = sent["transactions"]  # type: ignore[index]
    assert only["label"] == "Consortium.propose" and only["transactionHash"] == sent["transactionHash"]  # type: ignore[index]
    assert isinstance(only["nonce"], int) and only["fee"] == str(sent["gasUsed"] * int(sent["effectiveGasPrice"]))  # type: ignore[index]
