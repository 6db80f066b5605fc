"""What a CLI command shows while a transaction waits for its receipt and confirmations.

The pipeline tells one callback each state change (:class:`~coopetition._chain.receipts.TxProgress`);
:func:`progress_for` is the callback every command installs (:func:`coopetition.cli._connect.open_connection`).
On a terminal (stderr is a tty) a spinner shows the label, the hash prefix and ``confirmations k/n``;
otherwise one plain line per change goes to stderr (``sent``, ``mined in block B``, ``k/n
confirmations``). Nothing is ever written to stdout, so ``--json`` output stays one JSON document.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .._chain.receipts import ProgressCallback, TxProgress

__all__ = ["describe", "plain_lines", "progress_for", "spinner"]


def describe(event: TxProgress) -> str | None:
    """The plain line for ``event`` (``None`` for ``done``, which changes nothing people see)."""
    short = event.transaction_hash[:10] + "…"
    if event.stage == "sent":
        return f"{event.label}: sent {event.transaction_hash}, waiting to be mined"
    if event.stage == "mined":
        return f"{event.label} {short}: mined in block {event.block_number}"
    if event.stage == "confirmed":
        return f"{event.label} {short}: {event.confirmations}/{event.required} confirmations"
    return None


def plain_lines(event: TxProgress) -> None:
    """One line on stderr per state change."""
    line = describe(event)
    if line is not None:
        click.echo(line, err=True)


def spinner() -> ProgressCallback:
    """A rich status spinner on stderr, started at ``sent``, updated at each change, stopped at ``done``."""
    from rich.console import Console

    console = Console(stderr=True)
    status: list[Any] = []

    def show(event: TxProgress) -> None:
        if event.stage == "done":
            while status:
                status.pop().stop()
            return
        short = event.transaction_hash[:10] + "…"
        if event.stage == "sent":
            text = f"{event.label} {short}: waiting to be mined"
        else:
            text = f"{event.label} {short}: mined in block {event.block_number}, " \
                   f"confirmations {event.confirmations}/{event.required}"
        if status:
            status[0].update(text)
        else:
            status.append(console.status(text, spinner="dots"))
            status[0].start()

    return show


def progress_for(*, terminal: bool | None = None) -> ProgressCallback:
    """The spinner on a terminal (``terminal`` defaults to whether stderr is one), else plain lines."""
    return spinner() if (sys.stderr.isatty() if terminal is None else terminal) else plain_lines
