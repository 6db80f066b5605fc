"""A bad value of every option type, as a user would mistype it: exit code 1, exactly one line on
stderr starting with ``Error:`` and nothing on stdout, or with ``--json`` exactly one JSON error object
on stdout and nothing on stderr; and nothing sent (block number and every dev account's nonce
unchanged). A command or option that does not exist keeps click's exit code 2, in one line too.

A test walks the click tree and fails when a parameter type is used that no case here covers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from _cli_env import ADDR, WRONG_CHECKSUM, chain_state, commands, deployed_project, module_node, run
from conftest import AnvilNode

from coopetition.cli.params import CliType, KeyValue, ListOf

pytestmark = pytest.mark.anvil

HASH = "0x" + "11" * 32
LONG = "x" * 33

# (words after the global options, the parameter kinds the case covers, a fragment of the message)
CASES: list[tuple[tuple[str, ...], tuple[str, ...], str]] = [
    (("consortium", "propose", "add-member", "Umbrella", "0x123"), ("address",), "is not an address"),
    (("titles", "offer", "1", "10", "--price", "1 ether", "--token", WRONG_CHECKSUM), ("address",),
     "wrong EIP-55 checksum"),
    (("consortium", "propose", "call", "0x" + "00" * 20), ("address",), "zero address"),
    (("costs", "submit", "1", "1 ether", "--payee", "0xnothex", "--evidence-hash", HASH), ("member",),
     "is not an address"),
    (("titles", "balance", LONG), ("member",), "33 bytes"),
    (("--account", WRONG_CHECKSUM, "consortium", "members"), ("account",), "wrong EIP-55 checksum"),
    (("costs", "create", "X", "-p", "Acme=100%", "--quorum", "1", "--asset", "USDC"), ("asset",),
     "is not an address"),
    (("escrow", "deposit", "1", "-1"), ("amount",), "'-1' starts a negative number"),
    (("escrow", "deposit", "1", "--", "-1 ether"), ("amount",), "amount '-1 ether' is negative"),
    (("escrow", "create", "X", "--partner", "Acme=1 ether", "--milestone", "-1 ether", "--beneficiary", ADDR[4]),
     ("amount",), "amount '-1 ether' is negative"),
    (("costs", "pay", "1", "lots"), ("amount",), "cannot read amount 'lots'"),
    (("consortium", "propose", "call", ADDR[4], "--value", "1.5"), ("amount",), "has decimals but no unit"),
    (("titles", "offer", "1", "10", "--price", "1 2 ether"), ("amount",), "cannot read amount"),
    (("consortium", "propose", "set-quorum", "2", "--expiry", "soon"), ("duration|date",),
     "cannot read duration 'soon'"),
    (("escrow", "create", "X", "--partner", "Acme=1 ether", "--milestone", "1 ether", "--beneficiary", ADDR[4],
      "--deadline", "2027-13-45"), ("duration|date",), "cannot read date"),
    (("escrow", "create", "X", "--partner", "Acme=1 ether", "--milestone", "1 ether", "--beneficiary", ADDR[4],
      "--long-stop", "never"), ("duration|date",), "cannot read duration 'never'"),
    (("escrow", "push", "1", "--partner", "0xnope"), ("member",), "is not an address"),
    (("costs", "create", "X", "-p", "Acme=50%", "-p", "Globex=50%", "--settlement-period", "monthly"), ("duration",),
     "settlement period: cannot read duration 'monthly'"),
    (("deploy", "--member", f"Acme={ADDR[1]}", "--quorum", "1", "--delay", "soon"), ("duration",),
     "cannot read duration 'soon'"),
    (("consortium", "approve", "abc"), ("id",), "proposal id must be a whole number, got 'abc'"),
    (("costs", "balances", "0"), ("id",), "pool id must be at least 1, got 0"),
    (("titles", "history", "--offer", "1.5"), ("id",), "offer id must be a whole number"),
    (("devnet", "start", "--chain-id", "0"), ("id",), "chain id must be at least 1"),
    (("deploy", "--member", f"Acme={ADDR[1]}", "--quorum", "0"), ("count",), "quorum must be at least 1, got 0"),
    (("consortium", "propose", "set-quorum", "0"), ("count",), "quorum must be at least 1, got 0"),
    (("titles", "transfer", "Globex", "1", "ten"), ("count",), "amount must be a whole number, got 'ten'"),
    (("escrow", "approve", "1", "first"), ("index",), "milestone must be a whole number, got 'first'"),
    (("devnet", "start", "--port", "70000"), ("port",), "port must be at most 65535, got 70000"),
    (("costs", "create", "X", "-p", "Acme=150%", "--quorum", "1"), ("share",), "at most 100%"),
    (("costs", "create", "X", "-p", "Acme=half", "--quorum", "1"), ("share",), "cannot read share 'half'"),
    (("consortium", "propose", "add-member", LONG, ADDR[4]), ("label",), "33 bytes"),
    (("costs", "submit", "1", "1 ether", "--payee", "Acme", "--evidence-hash", "0x12"), ("hash",),
     "is not 0x followed by 64 hex digits"),
    (("consortium", "propose", "call", ADDR[4], "--data", "0xabc"), ("calldata",), "whole bytes"),
    (("accounts", "new", "0xabc"), ("name",), "invalid account name"),
    (("accounts", "remove", "12"), ("name",), "invalid account name"),
    (("deploy", "--member", "Acme", "--quorum", "1"), ("LABEL=ADDRESS",), "'Acme' is not LABEL=ADDRESS"),
    (("deploy", "--member", "Acme=0x123", "--quorum", "1"), ("LABEL=ADDRESS",), "is not an address"),
    (("escrow", "create", "X", "--partner", "Acme 1 ether", "--milestone", "1 ether", "--beneficiary", ADDR[4]),
     ("PARTNER=AMOUNT",), "'Acme 1 ether' is not PARTNER=AMOUNT"),
    (("costs", "create", "X", "-p", "Acme", "--quorum", "1"), ("MEMBER=SHARE",), "'Acme' is not MEMBER=SHARE"),
    (("escrow", "round", "open", "X", "--budget", "1 ether", "--partner", "Acme,,Globex", "--beneficiary", ADDR[4]),
     ("member[,member...]",), "has an empty item"),
    (("escrow", "round", "open", "X", "--budget", "1 ether", "--partner", "Acme,0x123", "--beneficiary", ADDR[4]),
     ("member[,member...]",), "is not an address"),
    (("costs", "expenses", "1", "--status", "open"), ("Choice",), "'open' is not one of"),
    (("titles", "create-class", "X", "--terms", "/nonexistent/terms.pdf"), ("Path",), "does not exist"),
    (("titles", "create-class", "X", "--terms-hash", HASH, "--max-supply", "lots"), ("max supply",),
     "max supply must be a whole number, got 'lots'"),
    (("titles", "create-class", "X", "--terms-hash", HASH, "--issue", "Acme"), ("MEMBER=AMOUNT",),
     "'Acme' is not MEMBER=AMOUNT"),
    (("titles", "create-class", "X", "--terms-hash", HASH, "--issue", "Acme=0"), ("MEMBER=AMOUNT",),
     "must be at least 1"),
    (("titles", "create-class", "X", "--terms-hash", HASH, "--max-supply", "10", "--issue", "Acme=11"), (),
     "exceeds the max supply 10"),
    (("titles", "create-class", "X", "--terms-hash", HASH, "--issue", "Acme=1", "--issue", "Acme=2"), (),
     "given twice"),
    (("titles", "quote", "1", "10", "--price", "1 ether", "--nonce", "x"), ("nonce",),
     "nonce must be a whole number, got 'x'"),
    (("titles", "quote", "9", "10", "--price", "1 ether"), (), "no title class #9"),
    (("titles", "take", "/nonexistent/order.json"), (), "quote file '/nonexistent/order.json' does not exist"),
    (("titles", "take", "{not json"), (), "is not JSON"),
    (("titles", "take", '{"format": "other"}'), (), "is not a signed title order"),
    (("titles", "cancel-quote", "/nonexistent/order.json"), (), "does not exist"),
    (("titles", "fill", "1", "--max-payment", "lots"), ("amount",), "cannot read amount 'lots'"),
    (("titles", "withdraw", "--to", "0x123"), ("address",), "is not an address"),
    (("devnet", "start", "--block-time", "0"), ("FloatRange",), "--block-time"),
    (("consortium", "approve"), ("usage",), "Missing argument 'PROPOSAL_ID'"),
    (("costs", "create", "X", "--quorum", "1"), ("usage",), "Missing option '--participant'"),
    (("consortium", "members", "extra"), ("usage",), "unexpected extra argument"),
    (("escrow", "create", "X", "--partner"), ("usage",), "requires an argument"),
]


def kind(param_type: click.ParamType) -> str:
    return param_type.name if isinstance(param_type, CliType) else type(param_type).__name__


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    yield from module_node()


@pytest.fixture(scope="module")
def project(node: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return deployed_project(tmp_path_factory.mktemp("bad-values"), node)


def test_every_parameter_type_in_the_tree_has_a_bad_value_case() -> None:
    used: set[str] = set()
    for cmd in commands():
        for param in cmd.command.params:
            if isinstance(param.type, (click.types.BoolParamType, click.types.StringParamType)):
                continue  # flags, and free text (test_address_options checks which those are)
            used.add(kind(param.type))
            if isinstance(param.type, KeyValue):
                used |= {kind(param.type.key), kind(param.type.value)}
            if isinstance(param.type, ListOf):
                used.add(kind(param.type.item))
    covered = {k for _, kinds, _ in CASES for k in kinds}
    assert used <= covered, sorted(used - covered)


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize(("words", "kinds", "fragment"), CASES, ids=[" ".join(c[0])[:60] for c in CASES])
def test_a_bad_value_is_one_error_and_nothing_is_sent(
    project: Path, node: AnvilNode, words: tuple[str, ...], kinds: tuple[str, ...], fragment: str, as_json: bool
) -> None:
    before = chain_state(node)
    account = None if words[0] == "--account" else "1"
    result = run(project, *(["--json"] if as_json else []), *words, account=account)
    assert result.exit_code == 1, result.output
    if as_json:
        assert result.stderr == ""
        error = json.loads(result.stdout)
        assert list(error) == ["error"] and sorted(error["error"]) == ["message", "type"]
        assert error["error"]["type"] == ("UsageError" if kinds == ("usage",) else "InputError")
        assert fragment in error["error"]["message"], error
        assert "\n" not in error["error"]["message"]
    else:
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert fragment in lines[0], lines[0]
    assert chain_state(node) == before


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize(("words", "fragment"), [
    (("consortium", "bogus"), "No such command 'bogus'"),
    (("bogus",), "No such command 'bogus'"),
    (("costs", "pay", "1", "--bogus"), "No such option '--bogus'"),
    (("--bogus", "consortium", "members"), "No such option '--bogus'"),
])
def test_an_unknown_command_or_option_keeps_exit_code_2(
    project: Path, node: AnvilNode, words: tuple[str, ...], fragment: str, as_json: bool
) -> None:
    before = chain_state(node)
    result = run(project, *(["--json"] if as_json else []), *words)
    assert result.exit_code == 2
    if as_json:
        assert result.stderr == ""
        assert json.loads(result.stdout)["error"]["type"] == "UsageError"
        assert fragment in json.loads(result.stdout)["error"]["message"]
    else:
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {fragment}"), result.stderr
    assert chain_state(node) == before


def test_a_library_error_with_json_is_one_object_named_after_the_error(project: Path, node: AnvilNode) -> None:
    before = chain_state(node)
    result = run(project, "--json", "consortium", "execute", "99")
    assert result.exit_code == 1 and result.stderr == ""
    error = json.loads(result.stdout)["error"]
    # proposals are numbered from the consortium's creation events: #99 is refused before anything is sent
    assert error == {"type": "InputError", "message": "no proposal #99: the consortium has 0 proposal(s)"}
    assert chain_state(node) == before


def test_a_group_without_its_command_shows_its_help_with_exit_code_2(project: Path) -> None:
    text = run(project, "escrow")
    assert text.exit_code == 2 and text.stdout == ""
    assert text.stderr.startswith("Usage: ") and "Commands:" in text.stderr
    as_json = run(project, "--json", "escrow")
    assert as_json.exit_code == 2 and as_json.stderr == ""
    assert json.loads(as_json.stdout) == {"error": {"type": "UsageError",
                                                    "message": "missing command (see 'coopetition escrow --help')"}}
