"""What the CLI contract tests share: the click tree walked from the root group, valid example values
for every parameter, and an anvil (started on a free port by the test module itself) with the suite
deployed through ``coopetition deploy`` as an admin would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from click.testing import CliRunner, Result
from conftest import AnvilNode, rpc, start_anvil

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition.cli import cli
from coopetition.cli.params import AddressType, CliType, KeyValue

ADDR = [a.address for a in anvil_dev_accounts()]
SENDER = "1"
"""The dev account every command signs as (Acme)."""
WRONG_CHECKSUM = "0x" + ADDR[4][2:].swapcase()
"""Dev account 4 with every letter's case flipped: valid hex, wrong EIP-55 checksum."""
CHECKSUM_MESSAGE = (
    f"address {WRONG_CHECKSUM} has a wrong EIP-55 checksum (mixed case): check it for a typo, "
    "or write it all in lower case"
)
SAFE_SUBCOMMAND = ("consortium", "members")
"""A read command to run after the root group's options."""


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    """Words after ``coopetition`` (empty for the root group itself)."""
    command: click.Command

    @property
    def name(self) -> str:
        return " ".join(self.path) or "coopetition"


def commands() -> list[Command]:
    """The root group and every command below it, found by walking the click tree."""
    ctx = click.Context(cli)
    found = [Command((), cli)]

    def walk(group: click.Group, path: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            assert sub is not None, name
            if isinstance(sub, click.Group):
                found.extend([Command((*path, name), sub)] if sub.params else [])
                walk(sub, (*path, name))
            else:
                found.append(Command((*path, name), sub))

    walk(cli, ())
    return found


def holds_address(kind: click.ParamType) -> bool:
    """Whether values of ``kind`` are (or contain) an address that the EIP-55 check applies to."""
    if isinstance(kind, KeyValue):
        return holds_address(kind.key) or holds_address(kind.value)
    return isinstance(kind, AddressType)


def example(param: click.Parameter) -> str:
    """A valid value for ``param``."""
    kind = param.type
    if isinstance(kind, CliType):
        return kind.example
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, click.Path):
        return __file__
    return "x"


def with_wrong_checksum(kind: click.ParamType) -> str:
    """A value of ``kind`` that is valid but for one address with a wrong checksum."""
    if isinstance(kind, KeyValue):
        key = with_wrong_checksum(kind.key) if holds_address(kind.key) else kind.key.example
        value = kind.value.example if holds_address(kind.key) else with_wrong_checksum(kind.value)
        return f"{key}={value}"
    return WRONG_CHECKSUM


def argv_with(cmd: Command, target: click.Parameter, value: str) -> list[str]:
    """Command-line words running ``cmd`` with ``value`` for ``target`` and an example value for
    every other required parameter (a root option is followed by a read command)."""
    words: list[str] = []
    for param in cmd.command.params:
        given = value if param is target else (example(param) if param.required else None)
        if given is None:
            continue
        if isinstance(param, click.Option):
            words += [param.opts[0], given]
        else:
            words += ["--", given] if given.startswith("-") else [given]
    return [*cmd.path, *words] if cmd.path else [*words, *SAFE_SUBCOMMAND]


def run(project: Path, *args: str, account: str | None = SENDER) -> Result:
    head = ["--project", str(project), "--network", "dev", *(["--account", account] if account else [])]
    return CliRunner(env={"COLUMNS": "200"}).invoke(cli, [*head, *args])


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def data(project: Path, *args: str, account: str | None = SENDER) -> Any:
    """The ``--json`` output of a command that must succeed."""
    return json.loads(ok(run(project, "--json", *args, account=account)).stdout)


def js(result: Result) -> dict[str, object]:
    """The JSON object a successful ``--json`` run printed."""
    out = json.loads(ok(result).stdout)
    assert isinstance(out, dict)
    return out


def one_line_error(result: Result, *fragments: str) -> None:
    """The command failed with exit code 1 and one ``Error:`` line on stderr holding every fragment."""
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def passed(project: Path, proposal: dict[str, Any]) -> None:
    """Globex (2) approves and Initech (3) executes the proposal Acme made (a quorum of 2 in
    :func:`deployed_project`)."""
    pid = str(proposal["proposalId"])
    data(project, "consortium", "approve", pid, account="2")
    data(project, "consortium", "execute", pid, account="3")


def chain_state(node: AnvilNode) -> tuple[object, ...]:
    """Block number and every dev account's nonce: unchanged means nothing was sent."""
    nonces = tuple(rpc(node.url, "eth_getTransactionCount", [a, "latest"]) for a in ADDR)
    return (rpc(node.url, "eth_blockNumber"), *nonces)


def deployed_project(root: Path, node: AnvilNode) -> Path:
    """A project on ``node`` with the suite deployed for Acme (1), Globex (2) and Initech (3), quorum 2
    (by dev account 0, as an admin would)."""
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
    deployed = data(root, "deploy", "--member", f"Acme={ADDR[1]}", "--member", f"Globex={ADDR[2]}",
                    "--member", f"Initech={ADDR[3]}", "--quorum", "2", account="0")
    assert "JointVentureEscrow" in [c["name"] for c in deployed["contracts"]]
    return root


def module_node() -> Iterator[AnvilNode]:
    node = start_anvil()
    try:
        yield node
    finally:
        node.stop()
