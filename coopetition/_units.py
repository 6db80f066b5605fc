"""Human units for amounts and durations.

Amounts: ``"1.5 ether"``, ``"250 gwei"``, ``"12000 USDC"`` (scaled by the token's decimals), a bare
integer (raw base units, i.e. wei), or ``"1_000"``. Decimals beyond the unit's precision are refused
rather than rounded: money is never silently truncated.

Durations: ``"90s"``, ``"15m"``, ``"12h"``, ``"30d"``, ``"2w"``, combinations such as ``"1d12h"``,
bare seconds, or an ISO-8601 date/datetime (``2027-01-31`` or ``2027-01-31T12:00:00Z``) taken as an
absolute deadline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Final

from .exceptions import InputError

__all__ = ["AMOUNT", "ETHER_UNITS", "Amount", "Wei", "format_amount", "parse_amount", "parse_deadline", "parse_duration"]

ETHER_UNITS: dict[str, int] = {"wei": 0, "kwei": 3, "mwei": 6, "gwei": 9, "szabo": 12, "finney": 15, "ether": 18, "eth": 18}

_AMOUNT = re.compile(r"^\s*([0-9][0-9_]*(?:\.[0-9_]+)?|\.[0-9]+)\s*([A-Za-z][A-Za-z0-9.\-]*)?\s*$")
_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|s)", re.IGNORECASE)
_SECONDS = {"w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}


AMOUNT: Final = "amount"
"""Marker carried by :data:`Wei` so the JSON mapper knows a field holds money in base units."""

Wei = Annotated[int, AMOUNT]
"""An amount in the base units of its asset (wei for ether). Annotate dataclass fields with it:
``--json`` prints such fields as decimal strings (JSON numbers lose precision past 2**53) beside a
formatted companion, using the ``asset`` field of the same object when there is one."""


@dataclass(frozen=True)
class Amount:
    """A parsed amount in base units, with the unit the user wrote (``None`` for raw base units)."""

    value: int
    unit: str | None


def parse_amount(text: str | int, *, symbol: str | None = None, decimals: int = 18) -> Amount:
    """Parse ``text`` into base units.

    ``symbol``/``decimals`` describe the asset being paid: for ETH, ether units (``ether``, ``gwei``,
    ``wei``) apply; for an ERC-20, its symbol (case-insensitive) scales by ``decimals``. A bare number
    is always raw base units and must be an integer.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise InputError(f"amount {text} is negative: amounts must be zero or more")
        return Amount(text, None)
    match = _AMOUNT.match(str(text))
    if not match:
        raise InputError(
            f"cannot read amount {text!r}: write e.g. '1.5 ether', '12000 USDC' or a whole number of base units"
        )
    number, unit = match.group(1).replace("_", ""), match.group(2)
    try:
        quantity = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the regex already guarantees a number
        raise InputError(f"cannot read amount {text!r}") from None
    if unit is None:
        if quantity != quantity.to_integral_value():
            raise InputError(f"amount {text!r} has decimals but no unit: add one, e.g. '{number} ether'")
        return Amount(int(quantity), None)
    scale = _scale_for(unit, symbol, decimals)
    scaled = quantity.scaleb(scale)
    if scaled != scaled.to_integral_value():
        raise InputError(f"amount {text!r} has more decimals than {unit} allows ({scale})")
    return Amount(int(scaled), unit)


def _scale_for(unit: str, symbol: str | None, decimals: int) -> int:
    lowered = unit.lower()
    if symbol is not None and lowered == symbol.lower():
        return decimals
    if symbol is None and lowered in ETHER_UNITS:
        return ETHER_UNITS[lowered]
    if symbol is not None and symbol.upper() == "ETH" and lowered in ETHER_UNITS:
        return ETHER_UNITS[lowered]
    expected = f"'{symbol}'" if symbol else "ether, gwei or wei"
    raise InputError(f"unit {unit!r} does not match the asset: use {expected}")


def format_amount(value: int, *, symbol: str = "ETH", decimals: int = 18, places: int | None = None) -> str:
    """Render base units for humans, exactly (no float): ``format_amount(15 * 10**17) == '1.5 ETH'``."""
    quantity = Decimal(value).scaleb(-decimals)
    text = f"{quantity:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if places is not None:
        text = f"{quantity:.{places}f}"
    return f"{text} {symbol}"


def parse_duration(text: str | int) -> int:
    """Seconds in ``text`` (``"30d"``, ``"1d12h"``, ``"3600"``)."""
    if isinstance(text, int) and not isinstance(text, bool):
        if text <= 0:
            raise InputError(f"duration {text} must be positive")
        return text
    raw = str(text).strip()
    if raw.isdigit():
        return parse_duration(int(raw))
    parts = _DURATION_PART.findall(raw)
    if not parts or _DURATION_PART.sub("", raw).strip():
        raise InputError(f"cannot read duration {text!r}: write e.g. '90s', '12h', '30d', '2w' or '1d12h'")
    seconds = sum(int(n) * _SECONDS[u.lower()] for n, u in parts)
    if seconds <= 0:
        raise InputError(f"duration {text!r} must be positive")
    return seconds


def parse_deadline(text: str | int, *, now: int) -> int:
    """An absolute UNIX timestamp from a duration after ``now`` or an ISO-8601 date/datetime."""
    raw = str(text).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", raw):
        try:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"cannot read date {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        stamp = int(when.timestamp())
        if stamp <= now:
            raise InputError(f"deadline {raw} is in the past")
        return stamp
    return now + parse_duration(text)
