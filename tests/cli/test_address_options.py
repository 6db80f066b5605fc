"""Every address option and argument of every command refuses a wrong mixed-case EIP-55 checksum
with the same one-line message, exit code 1, and nothing sent.

The parameters are found by walking the click tree from the root group, so an option added later is
tested without anyone listing it: any parameter whose type is the address type (or the member,
account or asset types built on it, or a KEY=VALUE pair with an address side)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from _cli_env import (
    CHECKSUM_MESSAGE,
    WRONG_CHECKSUM,
    Command,
    argv_with,
    chain_state,
    commands,
    deployed_project,
    holds_address,
    module_node,
    run,
    with_wrong_checksum,
)
from conftest import AnvilNode

pytestmark = pytest.mark.anvil

ADDRESS_PARAMS = [
    pytest.param(cmd, param, id=f"{cmd.name} {param.opts[0] if isinstance(param, click.Option) else param.name}")
    for cmd in commands() for param in cmd.command.params if holds_address(param.type)
]


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    yield from module_node()


@pytest.fixture(scope="module")
def project(node: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return deployed_project(tmp_path_factory.mktemp("address-options"), node)


def test_the_walk_finds_the_address_options_of_every_family() -> None:
    found = {p.id for p in ADDRESS_PARAMS}
    for expected in ("coopetition --account", "costs submit --payee", "costs create --participant",
                     "escrow create --partner", "escrow create --beneficiary", "titles offer --to",
                     "titles offer --token", "deploy --member", "consortium propose add-member address",
                     "accounts balance ref", "titles balance holder", "escrow refund --to", "costs create --asset"):
        assert expected in found, (expected, sorted(found))
    assert len(found) >= 20


FREE_TEXT = {
    ("costs create", "name"), ("escrow create", "name"), ("escrow round open", "name"), ("titles create-class", "name"),
    ("consortium propose add-member", "description"), ("consortium propose remove-member", "description"),
    ("consortium propose set-quorum", "description"), ("consortium propose call", "description"),
    ("consortium propose cancel", "description"),
    ("consortium sign", "description"),
    ("titles create-class", "description"), ("titles issue", "description"), ("costs submit", "reference"),
    ("titles cap propose", "description"),
    ("costs dispute", "reason"),
    ("compile", "solc_path"), ("coopetition", "network"),
    ("titles take", "order"), ("titles cancel-quote", "quote"),
}
"""Parameters that are free text (names, descriptions, references, a path, a network name or URL; a signed
quote as a file or its JSON, read by ``SignedOrder.from_json`` with its own one-line errors)."""


def test_no_parameter_escapes_the_vocabulary_as_untyped_text() -> None:
    """An address (or any value with a syntax) typed as plain text would escape the checks above:
    every untyped parameter must be free text, listed here on purpose."""
    untyped = {(cmd.name, p.name) for cmd in commands() for p in cmd.command.params
               if isinstance(p.type, click.types.StringParamType)}
    assert untyped == FREE_TEXT


@pytest.mark.parametrize(("cmd", "param"), ADDRESS_PARAMS)
def test_a_wrong_checksum_is_refused_in_one_line_and_nothing_is_sent(
    project: Path, node: AnvilNode, cmd: Command, param: click.Parameter
) -> None:
    argv = argv_with(cmd, param, with_wrong_checksum(param.type))
    assert WRONG_CHECKSUM in " ".join(argv)
    before = chain_state(node)
    result = run(project, *argv, account=None if not cmd.path else "1")
    assert result.exit_code == 1, (argv, result.output)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    hint, _, message = lines[0].removeprefix("Error: Invalid value for ").partition(": ")
    assert lines[0].startswith("Error: Invalid value for '") and hint.startswith("'"), lines[0]
    assert message == CHECKSUM_MESSAGE
    assert chain_state(node) == before
