"""Every click parameter type of the CLI: the syntax of what a consortium admin types.

Syntax is checked here, at the edge, before anything connects to a chain; names (member labels) are
resolved by the domain service, and state rules are left to the contract. The types reuse the
library's input checks (:mod:`coopetition._domain.checks`), so a value refused here is refused with
the same words when a script passes it to the library. Each type calls ``self.fail`` with one line;
the top of the CLI prints it as ``Error: Invalid value for '--opt': ...`` and exits 1.

=============  ===================================================================================
type           accepts
=============  ===================================================================================
ADDRESS        ``0x`` + 40 hex digits; mixed case must be a correct EIP-55 checksum (all lower or
               all upper case is accepted); returned checksummed; never the zero address
MEMBER         an ADDRESS, or a member label (``Acme``) passed on as text for the service to resolve;
               anything starting with ``0x`` is read as an address
ACCOUNT        a keystore name, a dev account index (``0``..``9``) or an ADDRESS
ASSET          ``ETH`` (any case) for ether, or the ERC-20's ADDRESS
AMOUNT         ``1.5 ether``, ``12000 USDC``, ``250 gwei`` or whole base units (``1000``); not
               negative; the unit is matched to the asset later, by the service
DEADLINE       a duration from now (``90m``, ``36h``, ``30d``, ``1d12h``, seconds) or an ISO date
               (``2027-01-31``, ``2027-01-31T12:00:00Z``); resolved against chain time later
DELAY          a duration (``2d``, ``36h``, seconds) or ``0`` for none
ID             a whole number from 1 (proposal, pool, expense, venture, class, offer ids)
COUNT          a whole number from 1 (a quorum, a number of titles)
INDEX          a whole number from 0 (a milestone)
SUPPLY         a whole number from 0 (a title class's max supply; 0: no cap)
NONCE          a whole number from 0 (a signed quote's nonce)
SHARE          basis points (``5000``) or a percentage (``50%``)
LABEL          a member label: 1 to 32 bytes of UTF-8
HASH32         ``0x`` + 64 hex digits
HEXDATA        ``0x`` + an even number of hex digits (calldata)
ACCOUNT_NAME   a keystore name
KeyValue       ``KEY=VALUE`` with a type for each side: ``--member LABEL=ADDRESS``,
               ``--partner MEMBER=AMOUNT``, ``--participant MEMBER=SHARE``
ListOf         ``A,B,C``: a comma-separated list, each item read by one type (``--partner Acme,Globex``;
               repeat the option to add more)
=============  ===================================================================================

Every type has an ``example``: a valid value, used in messages and by the tests that walk the
command tree. Nothing here imports web3 at module import time.
"""

from __future__ import annotations

from typing import Any, TypeVar

import click

from ..exceptions import InputError

__all__ = [
    "ACCOUNT",
    "ACCOUNT_NAME",
    "ADDRESS",
    "AMOUNT",
    "ASSET",
    "COUNT",
    "DEADLINE",
    "DURATION",
    "HASH32",
    "HEXDATA",
    "ID",
    "INDEX",
    "LABEL",
    "MEMBER",
    "NONCE",
    "SHARE",
    "SUPPLY",
    "AccountNameType",
    "AccountType",
    "AddressType",
    "AmountType",
    "AssetType",
    "CliType",
    "DeadlineType",
    "HexType",
    "KeyValue",
    "LabelType",
    "ListOf",
    "MemberType",
    "ShareType",
    "WholeType",
]

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


class CliType(click.ParamType[T]):
    """Base of the CLI's types: ``check`` does the work and raises :class:`InputError`, which
    becomes ``self.fail`` (one line, with the option's name in front)."""

    example: str = ""

    def check(self, text: str, what: str) -> T:
        """``text`` read; ``what`` names it in messages (e.g. ``"quorum"``)."""
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> T:
        if not isinstance(value, str):
            return value  # type: ignore[no-any-return]  # a default or an already converted value
        what = param.human_readable_name.lower().replace("_", " ") if param is not None else self.name
        try:
            return self.check(value.strip(), what)
        except InputError as exc:
            self.fail(str(exc), param, ctx)


class AddressType(CliType[str]):
    """An Ethereum address, returned EIP-55 checksummed; a wrong mixed-case checksum is refused."""

    name = "address"
    example = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

    def check(self, text: str, what: str) -> str:
        from .._domain.checks import address

        return address(text, "address")


class MemberType(AddressType):
    """A member: an address (checked as :class:`AddressType`) or a label the service resolves."""

    name = "member"
    example = "Acme"

    def check(self, text: str, what: str) -> str:
        if text[:2].lower() == "0x":
            return super().check(text, what)
        return LABEL.check(text, "member label")


class AccountType(AddressType):
    """Who signs: a keystore name, a dev account index, or an address (checked)."""

    name = "account"
    example = "1"

    def check(self, text: str, what: str) -> str:
        if text[:2].lower() == "0x":
            return super().check(text, what)
        if not text:
            raise InputError("the account must not be empty: give a keystore name, an address or a dev index")
        return text


class AssetType(AddressType):
    """``ETH`` for ether (returned as ``"ETH"``), else an ERC-20 token address."""

    name = "asset"
    example = "ETH"

    def check(self, text: str, what: str) -> str:
        return "ETH" if text.upper() == "ETH" else super().check(text, what)


class AmountType(CliType[str]):
    """An amount as a person writes it; returned as text, read against the asset by the service."""

    name = "amount"
    example = "1 ether"

    def check(self, text: str, what: str) -> str:
        from .._units import _AMOUNT, parse_amount  # the library's own syntax of an amount

        if text.startswith("-"):
            raise InputError(f"amount {text!r} is negative: amounts are zero or more")
        match = _AMOUNT.match(text)
        if not match:
            raise InputError(
                f"cannot read amount {text!r}: write e.g. '1.5 ether', '12000 USDC' or whole base units"
            )
        if match.group(2) is None:
            parse_amount(text)  # a bare number is base units: it must be whole
        return text


class DeadlineType(CliType[str]):
    """A duration from now or an ISO date, returned as text (the service reads chain time)."""

    name = "duration|date"
    example = "7d"

    def check(self, text: str, what: str) -> str:
        from .._domain.checks import deadline

        deadline(text, now=0, what=what)
        return text


class DurationType(CliType[int]):
    """A duration (``2d``, ``36h``, seconds), returned in seconds; ``0`` only where ``zero`` allows it."""

    name = "duration"
    example = "2d"

    def __init__(self, *, zero: bool = False) -> None:
        self.zero = zero

    def check(self, text: str, what: str) -> int:
        from .._domain.checks import duration

        return 0 if self.zero and text.strip() == "0" else duration(text, what)


class WholeType(CliType[int]):
    """A whole number in ``[minimum, maximum]``."""

    def __init__(self, name: str, *, minimum: int, maximum: int | None = None) -> None:
        self.name = name
        self.minimum = minimum
        self.maximum = maximum
        self.example = str(max(minimum, 1))

    def check(self, text: str, what: str) -> int:
        from .._domain.checks import whole

        return whole(text.replace("_", ""), what, minimum=self.minimum, maximum=self.maximum)


class ShareType(CliType[int]):
    """A participant's share: basis points (``5000``) or a percentage (``50%``); returned in bps."""

    name = "share"
    example = "100%"

    def check(self, text: str, what: str) -> int:
        from ..costs import parse_share

        return parse_share(text)


class LabelType(CliType[str]):
    """A member label: 1 to 32 bytes of UTF-8 (what the consortium contract stores)."""

    name = "label"
    example = "Acme"

    def check(self, text: str, what: str) -> str:
        from .._domain.checks import text_bytes

        return text_bytes(text, what, minimum=1, maximum=32)


class HexType(CliType[str]):
    """``0x`` and hex digits: exactly ``size`` bytes, or any whole number of bytes when ``None``."""

    def __init__(self, name: str, *, size: int | None) -> None:
        self.name = name
        self.size = size
        self.example = "0x" + "ab" * (size or 0)

    def check(self, text: str, what: str) -> str:
        digits = text[2:] if text[:2].lower() == "0x" else None
        shape = f"0x followed by {2 * self.size} hex digits" if self.size else "0x followed by hex digits (whole bytes)"
        if (digits is None or len(digits) % 2 or (self.size is not None and len(digits) != 2 * self.size)
                or any(c not in "0123456789abcdefABCDEF" for c in digits)):
            raise InputError(f"{what} {text!r} is not {shape}")
        return "0x" + digits.lower()


class AccountNameType(CliType[str]):
    """A keystore name: 1-64 letters, digits, '_', '-', '.', not only digits, not starting with 0x."""

    name = "name"
    example = "ops"

    def check(self, text: str, what: str) -> str:
        from .._chain.accounts import _check_name

        return _check_name(text)


class KeyValue(CliType[tuple[K, V]]):
    """``KEY=VALUE``, each side read by its own type (split at the first ``=``)."""

    def __init__(self, key: CliType[K], value: CliType[V], *, metavar: str) -> None:
        self.key = key
        self.value = value
        self.name = metavar
        self.example = f"{key.example}={value.example}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[K, V]:
        if isinstance(value, tuple):
            return value
        left, sep, right = str(value).partition("=")
        if not sep or not left.strip() or not right.strip():
            self.fail(f"{value!r} is not {self.name}: write e.g. {self.example!r}", param, ctx)
        return self.key.convert(left, param, ctx), self.value.convert(right, param, ctx)


class ListOf(CliType[tuple[T, ...]]):
    """``A,B,C``: items separated by commas, each read by ``item``; an empty item is refused."""

    def __init__(self, item: CliType[T]) -> None:
        self.item = item
        self.name = f"{item.name}[,{item.name}...]"
        self.example = item.example

    def check(self, text: str, what: str) -> tuple[T, ...]:
        parts = [part.strip() for part in text.split(",")]
        if not all(parts):
            raise InputError(f"{what} {text!r} has an empty item: separate the items with single commas")
        return tuple(self.item.check(part, what) for part in parts)


ADDRESS = AddressType()
MEMBER = MemberType()
ACCOUNT = AccountType()
ASSET = AssetType()
AMOUNT = AmountType()
DEADLINE = DeadlineType()
DURATION = DurationType()
DELAY = DurationType(zero=True)
ID = WholeType("id", minimum=1)
COUNT = WholeType("count", minimum=1)
LIST_PAGE = 100
"""Items a list command shows unless given ``--limit`` (a page is read in a constant number of round trips)."""
INDEX = WholeType("index", minimum=0)
SUPPLY = WholeType("max supply", minimum=0)
NONCE = WholeType("nonce", minimum=0)
SHARE = ShareType()
LABEL = LabelType()
HASH32 = HexType("hash", size=32)
HEXDATA = HexType("calldata", size=None)
ACCOUNT_NAME = AccountNameType()
