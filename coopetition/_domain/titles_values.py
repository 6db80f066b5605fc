"""The title exchange's value types: a :class:`Price`, the exact payment of a partial fill, the hash
of a terms document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .._units import Wei
from ..bindings.title_exchange import PaymentKind
from ..exceptions import InputError
from .asset import ETHER, Asset
from .checks import ZERO_ADDRESS

__all__ = ["Price", "payment_between", "terms_hash", "titles_unit"]


def titles_unit(class_id: int | None) -> Asset:
    """The unit a payment in titles of ``class_id`` is counted in (whole titles, for display only:
    :attr:`Price.kind` says what is paid)."""
    return Asset(ZERO_ADDRESS, f"title(s) of class {class_id}", 0)


# ------------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class Price:
    """What a taker pays for all the titles of an offer."""

    kind: PaymentKind
    amount: Wei
    """Wei, token base units, or number of titles, in :attr:`asset`."""
    token: str | None = None
    """The ERC-20 for :attr:`PaymentKind.TOKEN`."""
    title_id: int | None = None
    """The class paid with for :attr:`PaymentKind.TITLE`."""
    asset: Asset = ETHER
    """Ether, the payment token, or whole titles of :attr:`title_id` (:func:`titles_unit`)."""

    def __post_init__(self) -> None:
        if self.kind is PaymentKind.TITLE and self.asset == ETHER:
            object.__setattr__(self, "asset", titles_unit(self.title_id))

    @classmethod
    def ether(cls, wei: int) -> Price:
        return cls(PaymentKind.ETHER, wei)

    def describe(self, amount: int | None = None) -> str:
        """``amount`` (default: the whole price) in human units."""
        return self.asset.format(self.amount if amount is None else amount)


def payment_between(price: int, total: int, filled_before: int, filled_after: int) -> int:
    """The payment of a fill moving an offer of ``total`` titles for ``price`` from ``filled_before`` to
    ``filled_after`` filled titles: ``ceil(after * price / total) - ceil(before * price / total)``,
    exactly as the contract computes it."""
    if not 0 <= filled_before <= filled_after <= total or total <= 0:
        raise InputError(f"cannot price a fill from {filled_before} to {filled_after} of {total} titles")
    return -((-filled_after * price) // total) - -((-filled_before * price) // total)


def terms_hash(document: bytes | str) -> bytes:
    """The hash recorded for a terms document: SHA-256 of its bytes (text is UTF-8 encoded).

    A 0x-prefixed 64-hex-digit string is taken as an already computed hash."""
    if isinstance(document, str):
        text = document.strip()
        if text[:2] in ("0x", "0X") and len(text) == 66:
            try:
                return bytes.fromhex(text[2:])
            except ValueError:
                pass
        document = document.encode("utf-8")
    if not isinstance(document, (bytes, bytearray)):
        raise InputError("a terms document must be bytes or text")
    return hashlib.sha256(bytes(document)).digest()
