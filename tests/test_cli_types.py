"""click parameter types: malformed input is one line from ``self.fail``, exit code 2."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from coopetition.cli._types import ACCOUNT_NAME, ADDRESS


@click.command()
@click.argument("who", type=ADDRESS)
def show(who: str) -> None:
    click.echo(who)


@click.command()
@click.argument("name", type=ACCOUNT_NAME)
def named(name: str) -> None:
    click.echo(name)


@pytest.mark.parametrize("given", ["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                                   "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266",
                                   "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"])
def test_address_is_checksummed(given: str) -> None:
    result = CliRunner().invoke(show, [given])
    assert result.exit_code == 0 and result.output == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\n"


@pytest.mark.parametrize(("given", "fragment"), [
    ("0x1234", "is not an address"),
    ("f39fd6e51aad88f6f4ce6ab8827279cfffb92266", "is not an address"),
    ("0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266", "is not an address"),
    ("0xF39fd6e51aad88F6F4ce6aB8827279cffFb92266", "wrong EIP-55 checksum"),
])
def test_malformed_address_fails_in_one_line(given: str, fragment: str) -> None:
    result = CliRunner().invoke(show, [given])
    assert result.exit_code == 2 and fragment in result.output and "Traceback" not in result.output
    assert result.output.splitlines()[-1].startswith("Error: Invalid value for 'WHO'")


@pytest.mark.parametrize("given", ["", "0xabc", "12", "a/b", "x" * 65, "-dash"])
def test_bad_account_name_fails(given: str) -> None:
    assert CliRunner().invoke(named, ["--", given]).exit_code == 2


def test_good_account_name_passes() -> None:
    assert CliRunner().invoke(named, ["ops-2.main_1"]).output == "ops-2.main_1\n"
