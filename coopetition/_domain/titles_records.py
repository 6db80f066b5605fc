"""The titles service's return values: classes, holdings, offers and what an action did."""

from __future__ import annotations

from dataclasses import dataclass

from .._seam import TxResult
from ..bindings.title_exchange import OfferStatus
from .titles_values import Price

__all__ = ["Holding", "OfferRef", "TitleClassInfo", "TitleOffer"]


@dataclass(frozen=True)
class TitleClassInfo:
    """A class of titles."""

    id: int
    name: str
    terms_hash: bytes
    created_at: int
    issued: int
    max_supply: int
    """Most titles that may ever be issued; 0 means **no cap** (see :attr:`capped`)."""
    cap_nonce: int
    """Number of cap changes so far (a holder's consent names it)."""

    @property
    def capped(self) -> bool:
        return self.max_supply != 0

    @property
    def issuable(self) -> int | None:
        """Titles that may still be issued; ``None`` without a cap."""
        return self.max_supply - self.issued if self.capped else None


@dataclass(frozen=True)
class Holding:
    """Titles of one class held by one account."""

    holder: str
    class_id: int
    name: str
    amount: int


@dataclass(frozen=True)
class TitleOffer:
    """An offer as the chain sees it now."""

    id: int
    maker: str
    counterparty: str | None
    """The only member who may fill it; ``None`` for any member."""
    title_id: int
    title_amount: int
    filled: int
    price: Price
    expiry: int
    allow_partial: bool
    state: OfferStatus
    """``EXPIRED`` for an open offer at or past its expiry."""

    @property
    def remaining(self) -> int:
        return self.title_amount - self.filled

    @property
    def is_live(self) -> bool:
        """Open and not expired: it can be filled or cancelled."""
        return self.state is OfferStatus.OPEN


@dataclass(frozen=True)
class OfferRef:
    """What :meth:`TitlesService.offer` did: the new offer's id (0 on a dry run) and its transaction."""

    id: int
    expiry: int
    tx: TxResult
