"""How the CLI shows a result: one JSON mapper for every command, one transaction report, one error.

The JSON conventions (``docs/cli-json.md`` has the schema of every command):

- keys are camelCase (``transactionHash``, ``fundingDeadline``), as JSON-RPC and hardhat-deploy;
- an amount (a dataclass field annotated :data:`coopetition._units.Wei`, or a :class:`Money`) is a
  decimal string of base units, with an ``<name>Formatted`` companion in the asset's units:
  ``"amount": "1333333333333333334", "amountFormatted": "1.333333333333333334 ETH"`` (JSON numbers
  lose precision past 2**53, in jq and in JavaScript);
- enum values are the member's name in lower case (``"active"``, ``"deadline_missed"``);
- bytes are ``0x``-hex; addresses EIP-55 checksummed; missing values ``null``;
- decoded event arguments in transaction reports are raw ABI values: integers as decimal strings;
- an error is one object on stdout, ``{"error": {"type": ..., "message": ...}}``.

Nothing here imports web3.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
import sys
import typing
from collections.abc import Mapping
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Protocol, get_args, get_origin

import click

from .._domain.asset import Money
from .._units import AMOUNT, Wei, format_amount

if TYPE_CHECKING:
    from .._seam import TxResult

__all__ = ["Money", "camel", "error_object", "next_page", "render", "report", "to_json", "transaction"]

_CAMEL = re.compile(r"_+([a-zA-Z0-9])")


class Emitter(Protocol):
    """What prints a result: :class:`coopetition.cli._context.CliContext`."""

    def emit(self, human: str | None, data: Any) -> None: ...


def camel(name: str) -> str:
    """``funding_deadline`` -> ``fundingDeadline``; camelCase stays as it is."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), name.strip("_"))


def _is_wei(hint: Any) -> bool:
    """Whether ``hint`` is ``Wei``, ``Wei | None`` or a sequence of ``Wei``."""
    if get_origin(hint) is Annotated:
        return AMOUNT in getattr(hint, "__metadata__", ())
    return any(_is_wei(arg) for arg in get_args(hint) if arg is not Ellipsis)


def _hints(owner: Any) -> dict[str, Any]:
    """Type hints with their ``Annotated`` extras; names a module imports only for type checking
    resolve field by field, and what cannot be resolved counts as not money."""
    try:
        return typing.get_type_hints(owner, localns={"Wei": Wei}, include_extras=True)
    except Exception:
        pass
    module = sys.modules.get(getattr(owner, "__module__", ""), None)
    scope = {**(vars(module) if module else {}), "Wei": Wei}
    found: dict[str, Any] = {}
    for name, text in getattr(owner, "__annotations__", {}).items():
        try:
            found[name] = eval(text, scope) if isinstance(text, str) else text
        except Exception:
            found[name] = Any
    return found


@cache
def _shape(cls: type) -> tuple[tuple[str, bool], ...]:
    """(attribute, holds money) for the fields of dataclass ``cls``, then for its public properties
    (derived values such as a venture's ``held``); money is what the type hints mark ``Wei``."""
    hints = _hints(cls)
    shape = [(f.name, _is_wei(hints.get(f.name))) for f in dataclasses.fields(cls) if not f.name.startswith("_")]
    seen = {name for name, _ in shape}
    for klass in cls.__mro__:
        for name, attr in vars(klass).items():
            if isinstance(attr, property) and attr.fget is not None and name not in seen and not name.startswith("_"):
                seen.add(name)
                shape.append((name, _is_wei(_hints(attr.fget).get("return"))))
    return tuple(shape)


def _formatted(value: Any, asset: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_formatted(v, asset) for v in value]
    if asset is not None and callable(getattr(asset, "format", None)):
        return str(asset.format(int(value)))
    return format_amount(int(value))


def _digits(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_digits(v) for v in value]
    return str(int(value))


def _put(out: dict[str, Any], key: str, value: Any, *, money: bool = False, asset: Any = None) -> None:
    """``out[key]`` = ``value`` as JSON; money as digits plus ``<key>Formatted``."""
    if isinstance(value, Money):
        money, asset, value = True, value.asset, value.value
    if money:
        out[key] = _digits(value)
        out[f"{key}Formatted"] = _formatted(value, asset)
    else:
        out[key] = to_json(value, asset=asset)


def to_json(value: Any, *, asset: Any = None) -> Any:
    """``value`` (dataclasses, mappings, sequences, enums, bytes, :class:`Money`) as plain JSON data.

    ``Wei`` fields are formatted in the ``asset`` field of their dataclass, else in the ``asset`` of
    the dataclass that holds them (a venture's partners are in the venture's asset), else in ether."""
    if value is None or isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, Enum):
        return value.name.lower()
    if isinstance(value, int):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex()
    out: dict[str, Any] = {}
    if isinstance(value, Money):
        _put(out, "amount", value)
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        asset = getattr(value, "asset", None) or asset
        for name, money in _shape(type(value)):
            _put(out, camel(name), getattr(value, name), money=money, asset=asset)
        return out
    if isinstance(value, Mapping):
        for key, item in value.items():
            _put(out, camel(str(key)), item, asset=asset)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json(v, asset=asset) for v in value]
    return str(value)  # paths, decimals and the like


def _abi_value(value: Any) -> Any:
    """A decoded event argument: integers as decimal strings (uint256 outgrows JSON numbers)."""
    if isinstance(value, Enum):
        return value.name.lower()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [_abi_value(v) for v in value]
    if isinstance(value, Mapping):
        return {camel(str(k)): _abi_value(v) for k, v in value.items()}
    return to_json(value)


def transaction(result: TxResult) -> dict[str, Any]:
    """The JSON of a transaction (or of a dry run: ``dryRun`` true, ``gasUsed`` the estimate)."""
    out: dict[str, Any] = {
        "transactionHash": result.transaction_hash or None,
        "blockNumber": result.block_number,
        "gasUsed": result.gas_used,
        "status": result.status,
        "dryRun": result.dry_run,
        "sender": result.sender,
        "to": result.to,
        "contractAddress": result.contract_address,
        "events": [
            {"name": e.name, "address": e.address, "logIndex": e.log_index, "args": _abi_value(dict(e.args))}
            for e in result.events
        ],
    }
    _put(out, "effectiveGasPrice", Money(result.effective_gas_price))
    return out


def render(data: Any) -> str:
    """``data`` as the indented JSON the CLI prints."""
    return json.dumps(to_json(data), indent=2, sort_keys=True)


def sent_by(cli: Any, result: TxResult) -> list[TxResult]:
    """Every transaction the command sent (its pipelines' records), ending with ``result``; just
    ``result`` when it did not come from them."""
    sent = [r for sender in getattr(cli, "senders", ()) for r in getattr(sender, "sent", ())]
    return sent if result in sent else [result]


def _line(r: TxResult) -> str:
    nonce = "" if r.nonce is None else f", nonce {r.nonce}"
    return (f"tx {r.transaction_hash} in block {r.block_number}, gas {r.gas_used:,}, "
            f"fee {format_amount(r.fee)}{nonce}")


def report(cli: Emitter, what: str, result: TxResult, extra: Mapping[str, Any] | None = None) -> None:
    """Show a sent (or dry-run) transaction: the one place every sending command reports through.

    Every transaction the command sent gets its own line (label, hash, block, gas used, fee paid,
    nonce) and an entry of the JSON list ``transactions``; the top-level keys are ``result``'s.
    ``extra`` adds command-specific keys (ids, amounts as :class:`Money`) beside the transaction's."""
    sent = sent_by(cli, result)
    if result.dry_run:
        human = f"dry run: {what} would use about {result.gas_used:,} gas; nothing sent"
    elif len(sent) == 1:
        human = f"{what}: {_line(result)}"
    else:
        human = "\n".join([f"{what}: {len(sent)} transactions", *(f"  {r.label}: {_line(r)}" for r in sent)])
    listed = [{"label": r.label or what, "nonce": r.nonce, **transaction(r), **to_json({"fee": Money(r.fee)})}
              for r in sent]
    cli.emit(human, {**transaction(result), "transactions": listed, **to_json(dict(extra or {}))})


def error_object(kind: str, message: str) -> str:
    """The one JSON error object: ``{"error": {"type": kind, "message": message}}``."""
    return json.dumps({"error": {"type": kind, "message": message}}, indent=2, sort_keys=True)


def show_error(kind: str, message: str, *, as_json: bool) -> None:
    """Print an error: one ``Error: ...`` line on stderr, or the JSON error object on stdout."""
    if as_json:
        click.echo(error_object(kind, message))
    else:
        click.echo(f"Error: {message}", err=True)


# ------------------------------------------------------------------------------ for people


def when(timestamp: int) -> str:
    """A UNIX timestamp as people read it: ``2027-01-31 12:00 UTC``."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def print_table(table: Any) -> None:
    """Print a rich table (or text); to a pipe or a file, wide enough not to wrap the rows."""
    from rich.console import Console

    console = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
    plain = plain_table(table, console.width) if not isinstance(table, str) else None
    if plain is None:
        console.print(table)
    else:
        click.echo(plain)


_MARKUP = re.compile(r"\[|:\S*?:|\n")
"""What rich would read as markup or an emoji code in a cell (such a table is left to rich)."""


def plain_table(table: Any, width: int) -> str | None:
    """The text rich prints for ``table`` without styles, built directly when the table is plain (the
    default box, text cells, left or right justified, narrow enough for ``width`` not to wrap), else
    None. rich lays a table out cell by cell: seconds for a list of a thousand rows."""
    from rich import box
    from rich.cells import cell_len

    if (table.box is not box.HEAVY_HEAD or not table.show_header or table.show_footer or table.show_lines
            or not table.show_edge or table.caption or table.expand or table.width or table.min_width
            or table.padding != (0, 1, 0, 1) or table.collapse_padding or not table.pad_edge or table.leading
            or table.row_styles or not isinstance(table.title, str | None)):
        return None
    columns = table.columns
    if not columns or any(c.justify not in ("left", "right") or c.width or c.min_width or c.max_width or c.ratio
                          or c.style or c.footer for c in columns):
        return None
    cells = [[c.header, *c._cells] for c in columns]
    if any(not isinstance(x, str) or _MARKUP.search(x) for column in cells for x in column):
        return None
    sizes = [[cell_len(x) for x in column] for column in cells]
    widths = [max(column) for column in sizes]
    total = sum(widths) + 3 * len(widths) + 1
    if total > width or cell_len(table.title or "") > total:
        return None

    def line(row: int, left: str, middle: str, right: str) -> str:
        parts = []
        for column, size, w, c in zip(cells, sizes, widths, columns, strict=True):
            pad = " " * (w - size[row])
            parts.append(f" {pad}{column[row]} " if c.justify == "right" else f" {column[row]}{pad} ")
        return left + middle.join(parts) + right

    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * (w + 2) for w in widths) + right

    out = []
    if table.title:
        gap = total - cell_len(table.title)
        out.append(" " * (gap // 2) + table.title + " " * (gap - gap // 2))
    out += [rule("┏", "━", "┳", "┓"), line(0, "┃", "┃", "┃"), rule("┡", "━", "╇", "┩")]
    out += [line(r, "│", "│", "│") for r in range(1, len(cells[0]))]
    out.append(rule("└", "─", "┴", "┘"))
    return "\n".join(out)


def report_proposal(cli: Emitter, what: str, ref: Any, *, hint: str = "") -> None:
    """Report a created proposal (a ``ProposalRef``: ``id``, ``expiry``, ``tx``)."""
    label = what if ref.tx.dry_run else f"proposal #{ref.id} ({what}) created, expires {when(ref.expiry)}{hint}"
    report(cli, label, ref.tx, {"proposalId": ref.id, "expiry": ref.expiry})


def next_page(what: str, command: str, after: int, limit: int, **filters: object) -> None:
    """Print the command that shows the next page: ``command --after AFTER`` with ``--limit`` unless it
    is the default and the ``filters`` given (``None`` and False left out, True as a bare flag,
    ``title_id`` as ``--title-id``)."""
    from .params import LIST_PAGE

    words = [f"coopetition {command}", f"--after {after}", *([f"--limit {limit}"] if limit != LIST_PAGE else [])]
    for name, value in filters.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        text = str(value.name.lower() if isinstance(value, Enum) else value)
        words.append(flag if value is True else f"{flag} {shlex.quote(text)}")
    click.echo(f"More {what}: `{' '.join(words)}`.")
