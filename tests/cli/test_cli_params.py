"""The CLI's parameter types (coopetition/cli/params.py) on a throwaway command: what each accepts,
what it returns, and that a malformed value is one ``Error:`` line on stderr with exit code 1 once
it goes through the CLI's top (the root group's error mapping)."""

from __future__ import annotations

import json
from typing import Any

import click
import pytest
from click.testing import CliRunner

from coopetition.cli import LazyGroup
from coopetition.cli.params import (
    ACCOUNT,
    ACCOUNT_NAME,
    ADDRESS,
    AMOUNT,
    ASSET,
    COUNT,
    DEADLINE,
    HASH32,
    HEXDATA,
    ID,
    INDEX,
    LABEL,
    MEMBER,
    SHARE,
    CliType,
    KeyValue,
)

CHECKSUMMED = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
WRONG_CHECKSUM = "0xF39fd6e51aad88F6F4ce6aB8827279cffFb92266"


def probe(kind: click.ParamType) -> click.Group:
    """A root group like the CLI's with one command echoing what ``kind`` made of its argument."""

    @click.group(cls=LazyGroup)
    @click.option("--json", "json_", is_flag=True)
    def root(json_: bool) -> None:
        pass

    @root.command("echo")
    @click.argument("value", type=kind)
    def echo(value: Any) -> None:
        click.echo(repr(value))

    return root


def run(kind: click.ParamType, *values: str, json_mode: bool = False) -> Any:
    return CliRunner().invoke(probe(kind), [*(["--json"] if json_mode else []), "echo", "--", *values])


@pytest.mark.parametrize(("kind", "given", "expected"), [
    (ADDRESS, CHECKSUMMED.lower(), CHECKSUMMED),
    (ADDRESS, "0x" + CHECKSUMMED[2:].upper(), CHECKSUMMED),
    (ADDRESS, CHECKSUMMED, CHECKSUMMED),
    (MEMBER, "Acme", "Acme"),
    (MEMBER, CHECKSUMMED.lower(), CHECKSUMMED),
    (ACCOUNT, "3", "3"),
    (ACCOUNT, "ops-key", "ops-key"),
    (ACCOUNT, CHECKSUMMED.lower(), CHECKSUMMED),
    (ASSET, "eth", "ETH"),
    (ASSET, CHECKSUMMED.lower(), CHECKSUMMED),
    (AMOUNT, "1.5 ether", "1.5 ether"),
    (AMOUNT, "12000 USDC", "12000 USDC"),
    (AMOUNT, "1_000", "1_000"),
    (DEADLINE, "1d12h", "1d12h"),
    (DEADLINE, "2027-01-31", "2027-01-31"),
    (ID, "7", 7),
    (COUNT, "1_000", 1000),
    (INDEX, "0", 0),
    (SHARE, "50%", 5000),
    (SHARE, "2000", 2000),
    (LABEL, "Umbrella", "Umbrella"),
    (HASH32, "0x" + "AB" * 32, "0x" + "ab" * 32),
    (HEXDATA, "0x", "0x"),
    (HEXDATA, "0xa9059cbb", "0xa9059cbb"),
    (ACCOUNT_NAME, "ops-2.main_1", "ops-2.main_1"),
    (KeyValue(LABEL, ADDRESS, metavar="LABEL=ADDRESS"), f"Acme={CHECKSUMMED.lower()}", ("Acme", CHECKSUMMED)),
    (KeyValue(MEMBER, AMOUNT, metavar="PARTNER=AMOUNT"), "Acme=2 ether", ("Acme", "2 ether")),
    (KeyValue(MEMBER, SHARE, metavar="MEMBER=SHARE"), "Globex=30%", ("Globex", 3000)),
])
def test_a_good_value_is_returned_normalised(kind: click.ParamType, given: str, expected: Any) -> None:
    result = run(kind, given)
    assert result.exit_code == 0, result.output
    assert result.stdout == repr(expected) + "\n"


@pytest.mark.parametrize(("kind", "given", "fragment"), [
    (ADDRESS, "0x1234", "is not an address"),
    (ADDRESS, CHECKSUMMED[2:], "is not an address"),
    (ADDRESS, "0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266", "is not an address"),
    (ADDRESS, WRONG_CHECKSUM, "wrong EIP-55 checksum"),
    (ADDRESS, "0x" + "00" * 20, "zero address"),
    (MEMBER, WRONG_CHECKSUM, "wrong EIP-55 checksum"),
    (MEMBER, "0xnothex", "is not an address"),
    (MEMBER, "x" * 33, "33 bytes"),
    (ACCOUNT, WRONG_CHECKSUM, "wrong EIP-55 checksum"),
    (ASSET, WRONG_CHECKSUM, "wrong EIP-55 checksum"),
    (ASSET, "USDC", "is not an address"),
    (AMOUNT, "-1 ether", "negative"),
    (AMOUNT, "lots", "cannot read amount"),
    (AMOUNT, "1.5", "no unit"),
    (AMOUNT, "1 2 ether", "cannot read amount"),
    (DEADLINE, "soon", "soon"),
    (DEADLINE, "0", "positive"),
    (DEADLINE, "2027-13-45", "cannot read date"),
    (ID, "0", "at least 1"),
    (ID, "abc", "whole number"),
    (ID, "1.5", "whole number"),
    (COUNT, "0", "at least 1"),
    (INDEX, "x", "whole number"),
    (SHARE, "0%", "more than 0"),
    (SHARE, "150%", "at most 100%"),
    (SHARE, "half", "cannot read share"),
    (LABEL, "x" * 33, "33 bytes"),
    (HASH32, "0x12", "64 hex digits"),
    (HASH32, "ab" * 32, "64 hex digits"),
    (HEXDATA, "0xabc", "whole bytes"),
    (HEXDATA, "0xzz", "hex digits"),
    (ACCOUNT_NAME, "0xabc", "account name"),
    (ACCOUNT_NAME, "12", "account name"),
    (ACCOUNT_NAME, "a/b", "account name"),
    (KeyValue(MEMBER, AMOUNT, metavar="PARTNER=AMOUNT"), "Acme 1 ether", "is not PARTNER=AMOUNT"),
    (KeyValue(MEMBER, AMOUNT, metavar="PARTNER=AMOUNT"), "Acme=", "is not PARTNER=AMOUNT"),
    (KeyValue(MEMBER, AMOUNT, metavar="PARTNER=AMOUNT"), f"{WRONG_CHECKSUM}=1 ether", "wrong EIP-55 checksum"),
    (KeyValue(MEMBER, AMOUNT, metavar="PARTNER=AMOUNT"), "Acme=-1 ether", "negative"),
    (KeyValue(LABEL, ADDRESS, metavar="LABEL=ADDRESS"), "Acme=0x123", "is not an address"),
])
def test_a_bad_value_is_one_error_line_and_exit_1(kind: click.ParamType, given: str, fragment: str) -> None:
    result = run(kind, given)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: Invalid value for 'VALUE': "), result.stderr
    assert fragment in lines[0]


def test_with_json_a_bad_value_is_one_error_object_on_stdout() -> None:
    result = run(ID, "abc", json_mode=True)
    assert result.exit_code == 1 and result.stderr == ""
    assert json.loads(result.stdout) == {"error": {
        "type": "InputError", "message": "Invalid value for 'VALUE': value must be a whole number, got 'abc'"}}


def test_every_type_has_a_valid_example() -> None:
    import coopetition.cli.params as params

    kinds = [v for v in vars(params).values() if isinstance(v, CliType)]
    assert len(kinds) >= 14
    for kind in kinds:
        assert kind.example, kind.name
        assert run(kind, kind.example).exit_code == 0, kind.name
