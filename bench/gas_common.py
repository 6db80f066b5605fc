"""The one table shape every gas report of ``make bench`` uses (bench/gas_<family>.py).

A family module measures its operations and returns :class:`GasRow` values (or rows in its own shape:
``(operation, gas, baseline, baseline_gas, note)`` tuples, mappings or dataclasses with those fields
— :func:`as_gas_rows` reads them all). bench/run.py turns them into one table per family:

| operation | gas | baseline | baseline gas | difference | note |

This module imports nothing of bench/run.py (run.py imports it), so it can be used from tests too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coopetition import Connection

__all__ = [
    "REPO", "TEST_ARTIFACTS", "GasRow", "GasTable", "as_gas_rows", "deploy", "fresh_connection", "markdown_table",
    "ratio", "raw_send",
]


@dataclass(frozen=True)
class GasRow:
    """Gas used by one transaction (or a documented sum of transactions), with its baseline if any."""

    operation: str
    gas: int
    baseline: str = ""
    """What it is compared with, e.g. ``"Safe 1.4.1 execTransaction (2 signatures)"``; empty if nothing."""
    baseline_gas: int | None = None
    note: str = ""

    @property
    def difference(self) -> int | None:
        """``gas - baseline_gas`` (negative: cheaper than the baseline), or None without a baseline."""
        return None if self.baseline_gas is None else self.gas - self.baseline_gas


@dataclass(frozen=True)
class GasTable:
    """A family's gas report: its rows plus free text shown above the table and raw details."""

    key: str
    title: str
    rows: tuple[GasRow, ...]
    intro: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


_NAME_KEYS = ("operation", "name", "metric", "what", "op")
_GAS_KEYS = ("gas", "gas_used", "value", "gasUsed")
_BASELINE_KEYS = ("baseline", "baseline_name", "compared_with")
_BASELINE_GAS_KEYS = ("baseline_gas", "baseline_gas_used", "baselineGas")
_NOTE_KEYS = ("note", "notes", "comment")


def _pick(data: Mapping[str, Any], keys: Sequence[str], default: Any = None) -> Any:
    for key in keys:
        if key in data and data[key] is not None:
            return data[key]
    return default


def _as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    return int(value)


def as_gas_rows(items: Iterable[Any]) -> tuple[GasRow, ...]:
    """Rows of any reasonable shape as :class:`GasRow`.

    Accepts :class:`GasRow`; ``(operation, gas[, baseline[, baseline_gas[, note]]])`` tuples;
    mappings and dataclasses with fields named ``operation``/``name``, ``gas``/``gas_used``,
    ``baseline``, ``baseline_gas``, ``note``. Raises ``TypeError``/``ValueError`` on anything else.
    """
    rows: list[GasRow] = []
    for item in items:
        if isinstance(item, GasRow):
            rows.append(item)
            continue
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            item = dataclasses.asdict(item)
        if isinstance(item, Mapping):
            name = _pick(item, _NAME_KEYS)
            gas = _pick(item, _GAS_KEYS)
            if name is None or gas is None:
                raise ValueError(f"gas row without an operation name or gas: {item!r}")
            rows.append(GasRow(
                str(name), int(gas), str(_pick(item, _BASELINE_KEYS, "")),
                _as_int(_pick(item, _BASELINE_GAS_KEYS)), str(_pick(item, _NOTE_KEYS, "")),
            ))
            continue
        if isinstance(item, (tuple, list)) and 2 <= len(item) <= 5:
            name, gas, *rest = item
            baseline = str(rest[0] or "") if len(rest) > 0 else ""
            baseline_gas = _as_int(rest[1]) if len(rest) > 1 else None
            note = str(rest[2] or "") if len(rest) > 2 else ""
            rows.append(GasRow(str(name), int(gas), baseline, baseline_gas, note))
            continue
        raise TypeError(f"cannot read a gas row from {item!r}")
    return tuple(rows)


def ratio(gas: int, baseline_gas: int) -> str:
    """``"x1.23"``: how many times the baseline ``gas`` is."""
    return f"x{gas / baseline_gas:.2f}" if baseline_gas else ""


def _fmt(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def markdown_table(rows: Sequence[GasRow]) -> list[str]:
    """The rows as Markdown table lines (gas with thousands separators, difference signed)."""
    lines = [
        "| operation | gas | baseline | baseline gas | difference | note |",
        "| --- | ---: | --- | ---: | ---: | --- |",
    ]
    for row in rows:
        diff = row.difference
        diff_text = "" if diff is None else f"{diff:+,} ({ratio(row.gas, row.baseline_gas or 0)})"
        cells = [row.operation, _fmt(row.gas), row.baseline, _fmt(row.baseline_gas), diff_text, row.note]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return lines


# ------------------------------------------------------------------------- setup for the measures

REPO = Path(__file__).resolve().parents[1]
TEST_ARTIFACTS = REPO / "tests" / "artifacts"
"""Artifacts of contracts/test/ (mocks and gas baselines), compiled by `coopetition compile`."""


def fresh_connection() -> Connection:
    """A new embedded chain, signing as dev account 0: every measure starts from the same state."""
    from coopetition import connect

    return connect("embedded", 0)


def deploy(conn: Connection, name: str, args: Sequence[Any], *, test: bool = False) -> str:
    """Deploy artifact ``name`` (from tests/artifacts when ``test``) through the real pipeline."""
    from coopetition._artifacts import load_artifact
    from coopetition._chain.deployments import deploy_contract

    artifact = load_artifact(name, search=[TEST_ARTIFACTS]) if test else load_artifact(name)
    assert conn.sender is not None
    return deploy_contract(conn.sender, conn.store, name=name, abi=artifact.abi, bytecode=artifact.bytecode,
                           args=list(args), reset=True).address


def raw_send(conn: Connection, sender: str, to: str, data: bytes, value: int = 0, *, gas: int = 5_000_000) -> None:
    """Setup only: send without simulation or estimate (a fixed gas limit) and check it succeeded."""
    tx_hash = conn.w3.eth.send_transaction(
        {"from": sender, "to": to, "data": "0x" + data.hex(), "value": value, "gas": gas}  # type: ignore[typeddict-item]
    )
    assert conn.w3.eth.get_transaction_receipt(tx_hash)["status"] == 1, "setup transaction reverted"
