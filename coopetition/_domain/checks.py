"""The one set of input checks the services (and the CLI's types) share.

Each check returns the normalised value or raises :class:`~coopetition.exceptions.InputError` with a
one-line message that names the input (``what``) and says what to write instead.
"""

from __future__ import annotations

import re
from typing import Final

from .._units import parse_deadline, parse_duration
from ..exceptions import InputError

__all__ = ["ZERO_ADDRESS", "address", "deadline", "duration", "is_address_text", "page", "text_bytes", "whole"]

ZERO_ADDRESS: Final = "0x0000000000000000000000000000000000000000"

_HEX40 = re.compile(r"^0x[0-9a-fA-F]{40}$")


def is_address_text(value: object) -> bool:
    """Whether ``value`` has the shape of an address (0x and 40 hex digits), checksum not verified."""
    return isinstance(value, str) and bool(_HEX40.match(value.strip()))


def address(value: object, what: str, *, allow_zero: bool = False) -> str:
    """``value`` as an EIP-55 checksummed address.

    All-lowercase or all-uppercase hex is accepted and checksummed; mixed case must carry a correct
    EIP-55 checksum (a wrong one usually means a typo, and nobody controls a mistyped address). The
    zero address is refused unless ``allow_zero``.
    """
    # imported here: --help and the start of the CLI need no eth_utils
    from eth_utils.address import to_checksum_address

    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not _HEX40.match(text):
        raise InputError(f"{what} {value!r} is not an address: write 0x followed by 40 hex digits")
    checksummed = str(to_checksum_address(text))
    digits = text[2:]
    if digits != digits.lower() and digits != digits.upper() and checksummed != text:
        raise InputError(
            f"{what} {text} has a wrong EIP-55 checksum (mixed case): check it for a typo, "
            "or write it all in lower case"
        )
    if not allow_zero and int(checksummed, 16) == 0:
        raise InputError(f"{what} must not be the zero address: give a real address")
    return checksummed


def whole(value: object, what: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """``value`` as an ``int`` in ``[minimum, maximum]``; a string of decimal digits is accepted."""
    number: int
    if isinstance(value, bool):
        raise InputError(f"{what} must be a whole number, got {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise InputError(f"{what} must be a whole number, got {value!r}")
    if number < minimum:
        raise InputError(f"{what} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise InputError(f"{what} must be at most {maximum}, got {number}")
    return number


def page(count: int, after: object = 0, limit: object = None) -> range:
    """The ids ``1..count`` after id ``after`` (0: from the first), at most ``limit`` of them (None: all)."""
    ids = range(whole(after, "after", minimum=0) + 1, count + 1)
    return ids if limit is None else ids[: whole(limit, "limit", minimum=1)]


def text_bytes(value: object, what: str, *, minimum: int = 1, maximum: int = 32) -> str:
    """``value`` if it is text of ``minimum`` to ``maximum`` bytes once UTF-8 encoded."""
    if not isinstance(value, str):
        raise InputError(f"{what} must be text, got {value!r}")
    size = len(value.encode("utf-8"))
    if size > maximum:
        raise InputError(f"{what} {value!r} is {size} bytes long in UTF-8: at most {maximum} are allowed")
    if size < minimum:
        if size == 0:
            raise InputError(f"{what} must not be empty: give {minimum} to {maximum} bytes of text")
        raise InputError(f"{what} {value!r} is {size} bytes long in UTF-8: at least {minimum} are needed")
    return value


def duration(value: object, what: str) -> int:
    """Seconds in ``value`` (``"30d"``, ``"1d12h"``, ``3600``), positive."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"{what} must be a duration such as '30d', got {value!r}")
    try:
        return parse_duration(value)
    except InputError as exc:
        raise InputError(f"{what}: {exc}") from None


def deadline(value: object, *, now: int, what: str) -> int:
    """An absolute UNIX timestamp after ``now``: a duration from ``now`` or an ISO-8601 date/datetime."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InputError(f"{what} must be a duration such as '30d' or a date such as 2027-01-31, got {value!r}")
    try:
        return parse_deadline(value, now=now)
    except InputError as exc:
        raise InputError(f"{what}: {exc}") from None
