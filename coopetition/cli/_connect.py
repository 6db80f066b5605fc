"""How a CLI command gets a :class:`~coopetition._session.Connection`, and how it shows a result.

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
from ._context import CliContext

if TYPE_CHECKING:
    from .._chain.tx import TxPreview
    from .._seam import TxResult
    from .._session import Connection

F = TypeVar("F", bound=Callable[..., Any])


def sending_options(func: F) -> F:
    """``--dry-run`` for every command that sends a transaction."""
    return click.option(
        "--dry-run", is_flag=True,
        help="Simulate and estimate gas only; send nothing.",
    )(func)


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

    network = cli.network or "dev"
    return connect(
        network, cli.account, project=cli.project, dry_run=dry_run, read_only=read_only,
        prompt=lambda text: str(click.prompt(text, hide_input=True, err=True)),
        confirm=None if cli.yes else _confirm_factory(cli),
    )


def tx_summary(result: TxResult) -> dict[str, Any]:
    return {
        "transactionHash": result.transaction_hash,
        "blockNumber": result.block_number,
        "gasUsed": result.gas_used,
        "status": result.status,
        "dryRun": result.dry_run,
        "events": [{"name": e.name, "args": dict(e.args)} for e in result.events],
    }


def report_tx(cli: CliContext, what: str, result: TxResult, extra: dict[str, Any] | None = None) -> None:
    data = {**tx_summary(result), **(extra or {})}
    if result.dry_run:
        human = f"dry run: {what} would use about {result.gas_used:,} gas; nothing sent"
    else:
        human = (
            f"{what}: tx {result.transaction_hash} in block {result.block_number}, "
            f"gas {result.gas_used:,}"
        )
    cli.emit(human, data)
