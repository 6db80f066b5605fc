"""How a CLI command gets a :class:`~coopetition._session.Connection`.

Every sending command takes ``--dry-run`` (via :func:`sending_options`) and honours the global
``--network``, ``--account``, ``--json`` and ``--yes``. On a non-dev network a confirmation prompt
shows what is about to be sent, unless ``--yes``; without a terminal and without ``--yes`` nothing
is sent.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ..exceptions import TransactionError
from ._context import CliContext, pass_cli
from .accounts import hidden_prompt
from .params import DEADLINE, ID

if TYPE_CHECKING:
    from .._chain.txdata import TxPreview
    from .._session import Connection, Suite

F = TypeVar("F", bound=Callable[..., Any])


def sending_options(func: F) -> F:
    """``--dry-run`` for every command that sends a transaction."""
    return click.option(
        "--dry-run", is_flag=True,
        help="Simulate and estimate gas only; send nothing.",
    )(func)


def proposal_options(func: F) -> F:
    """``--expiry`` and ``--description`` for every command that creates a consortium proposal."""
    func = click.option("--description", "-m", default=None, help="Why (stored on chain with the proposal).")(func)
    return click.option("--expiry", type=DEADLINE, default="7d", show_default=True,
                        help="How long the proposal stays open: 90m, 36h, 7d, or an ISO date.")(func)


def id_command(group: click.Group, name: str, doc: str, argument: str,
               run: Callable[[CliContext, int, bool], None]) -> click.Command:
    """A sending command ``<group> <name> ID`` (the id named ``argument``, e.g. ``proposal_id``)
    that calls ``run(cli, id, dry_run)``."""

    @group.command(name, help=doc)
    @click.argument(argument, type=ID)
    @sending_options
    @pass_cli
    def command(cli: CliContext, /, dry_run: bool, **ids: int) -> None:
        run(cli, ids[argument], dry_run)

    return command


def service_action(group: click.Group, family: str, method: str, *, noun: str, verb: str, doc: str,
                   name: str | None = None) -> click.Command:
    """A sending command ``<group> <name> ID`` that calls ``suite.<family>.<method>(ID)`` and reports
    ``<noun> #ID <verb>`` (JSON: the transaction and ``<noun>Id``)."""
    from .output import report

    def run(cli: CliContext, item_id: int, dry_run: bool) -> None:
        service = getattr(open_suite(cli, dry_run=dry_run), family)
        result = getattr(service, method)(item_id)
        report(cli, f"{noun} #{item_id} {verb}", result, {f"{noun}Id": item_id})

    return id_command(group, name or method, doc, f"{noun}_id", run)


def _confirm_factory(cli: CliContext) -> Callable[[TxPreview], bool]:
    def confirm(preview: TxPreview) -> bool:
        if not sys.stdin.isatty():
            raise TransactionError(
                f"not sending on network {preview.network} without confirmation: pass --yes"
            )
        return click.confirm(f"Send {preview.describe()}?", default=False, err=True)

    return confirm


def open_connection(cli: CliContext, *, dry_run: bool = False, read_only: bool = False) -> Connection:
    """Connect per the global options; the default network is ``dev``."""
    from .._session import connect
    from .progress import progress_for

    network = cli.network or "dev"
    conn = connect(
        network, cli.account, project=cli.project, dry_run=dry_run, read_only=read_only,
        prompt=hidden_prompt,
        confirm=None if cli.yes else _confirm_factory(cli), progress=progress_for(),
    )
    if conn.sender is not None:
        cli.senders.append(conn.sender)
    return conn


def open_suite(cli: CliContext, *, dry_run: bool = False, read_only: bool = False) -> Suite:
    """The deployed contract suite on the connection the global options describe: every group
    takes its service from it (``open_suite(cli).escrow``) and, when it needs it, the connection
    (``.connection``)."""
    return open_connection(cli, dry_run=dry_run, read_only=read_only).suite()


def member_labels(conn: Connection) -> dict[str, str]:
    """address -> consortium label, to show people names; empty when the consortium cannot be read
    (labels are a nicety: a read never fails for them)."""
    try:
        return {m.address: m.label for m in conn.suite().consortium.members()}
    except Exception:
        return {}
