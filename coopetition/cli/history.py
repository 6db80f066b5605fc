"""The one way a family's ``history`` command shows :class:`~coopetition._domain.activity.Activity` rows:
a line each (block, time, actor label, what happened), ``--json`` (a list, one shape for every family)
or ``--csv`` (a header line, then one row each)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._connect import member_labels
from ._context import CliContext
from .output import to_json, when
from .params import INDEX

if TYPE_CHECKING:
    from .._domain.activity import Activity
    from .._session import Connection

__all__ = ["CSV_COLUMNS", "history_options", "show_history"]

F = TypeVar("F", bound=Callable[..., Any])

CSV_COLUMNS = ("blockNumber", "time", "actor", "actorLabel", "kind", "what", "amount", "amountFormatted",
               "transactionHash", "logIndex")


def history_options(func: F) -> F:
    """``--from-block`` and ``--csv``, shared by every ``history`` command."""
    func = click.option("--csv", "as_csv", is_flag=True, help="Print comma-separated rows with a header line.")(func)
    return click.option("--from-block", type=INDEX, default=0, show_default=True,
                        help="Read events from this block on.")(func)


def show_history(cli: CliContext, conn: Connection, rows: Sequence[Activity], *, as_csv: bool) -> None:
    """Print ``rows`` as the CLI's mode asks (``--json``, ``--csv`` or lines for people)."""
    labels = member_labels(conn)
    data = []
    for row in rows:
        item = to_json(row)
        if row.amount is None:  # no amount moved: no amount keys (an amount is always a digit string)
            del item["amount"], item["amountFormatted"]
        item["actorLabel"] = labels.get(row.actor or "", None)
        item["time"] = when(row.timestamp)
        data.append(item)
    if cli.json:
        cli.emit(None, data)
    elif as_csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
        click.echo(out.getvalue(), nl=False)
    else:
        lines = [f"block {r.block_number}  {when(r.timestamp)}  {labels.get(r.actor or '', r.actor or '-')}: {r.what}"
                 for r in rows]
        cli.emit("\n".join(lines) or "Nothing yet", None)
