"""One asset type for every service: ether (the native coin) or an ERC-20 token.

The contracts name ether by the zero address; so does :class:`Asset`. On input, one rule names
ether: ``None``, ``"ETH"``/``"eth"``/``"ether"`` (any case) and the zero address all mean the native
coin (:func:`names_native`); anything else must be a token address (checked by
:func:`~coopetition._domain.checks.address`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .._units import format_amount, parse_amount
from ..exceptions import InputError
from .checks import ZERO_ADDRESS

__all__ = ["ETHER", "NATIVE_NAMES", "Asset", "Money", "names_native"]

NATIVE_NAMES: Final = frozenset({"eth", "ether"})
"""Words that name the native coin on input (case-insensitive)."""


@dataclass(frozen=True)
class Asset:
    """What an amount is counted in: ether (``address`` is the zero address) or an ERC-20 with its
    symbol and decimals. Amounts are always in the asset's base units (wei for ether)."""

    address: str
    symbol: str
    decimals: int

    @classmethod
    def ether(cls) -> Asset:
        """The native coin: zero address, ``ETH``, 18 decimals."""
        return cls(ZERO_ADDRESS, "ETH", 18)

    @property
    def is_native(self) -> bool:
        """Whether this is ether (the zero address), not a token."""
        return int(self.address, 16) == 0

    def format(self, value: int) -> str:
        """``value`` base units for humans, exactly (no float): ``'2.5 ETH'``, ``'12000 USDC'``."""
        return format_amount(value, symbol=self.symbol, decimals=self.decimals)

    def parse(self, text: str | int) -> int:
        """Base units of ``text``: ``'1.5 ether'``, ``'12000 USDC'`` (the token's own symbol, scaled
        by its decimals) or a whole number of base units (an ``int`` is base units already)."""
        if isinstance(text, bool) or not isinstance(text, (str, int)):
            raise InputError(f"cannot read amount {text!r}: write e.g. '1.5 ether', '12000 USDC' or base units")
        return parse_amount(text, symbol=self.symbol, decimals=self.decimals).value


ETHER: Final = Asset.ether()


def names_native(ref: object) -> bool:
    """Whether ``ref`` names ether on input: ``None``, ``"ETH"``/``"ether"`` (any case) or the zero
    address (in any case)."""
    if ref is None:
        return True
    if not isinstance(ref, str):
        return False
    text = ref.strip()
    return text.lower() in NATIVE_NAMES or text.lower() == ZERO_ADDRESS


@dataclass(frozen=True)
class Money:
    """An amount in base units of ``asset`` (anything with ``format(value) -> str``; ether when
    ``None``), for values that are not a ``Wei`` field of a dataclass: ``--json`` prints it
    like a ``Wei`` field, a decimal string with a formatted companion."""

    value: int
    asset: Any = None
