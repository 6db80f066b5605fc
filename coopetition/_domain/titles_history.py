"""The title exchange's history: every event as one :class:`TitleActivity`, in chain order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .._units import Wei
from ..bindings.title_exchange import (
    OfferCancelledEvent,
    OfferFilledEvent,
    OfferMadeEvent,
    OfferReclaimedEvent,
    ProceedsWithdrawnEvent,
    TitleExchange,
)
from .asset import ETHER, Asset

__all__ = ["OfferEvents", "TitleActivity", "exchange_history"]

OfferEvents = (OfferMadeEvent, OfferFilledEvent, OfferCancelledEvent, OfferReclaimedEvent, ProceedsWithdrawnEvent)
"""The exchange's event types, for callers that filter a TxResult themselves."""


@dataclass(frozen=True)
class TitleActivity:
    """One event of the exchange's history."""

    kind: str
    """``made``, ``filled``, ``cancelled``, ``reclaimed`` or ``withdrawn``."""
    offer_id: int | None
    account: str
    """The maker (made, cancelled, reclaimed, withdrawn) or the taker (filled)."""
    amount: int
    """Titles offered, filled or returned (0 for a withdrawal)."""
    payment: Wei
    """What a fill paid, or the ether a withdrawal took out (0 otherwise), in :attr:`asset`."""
    asset: Asset
    """What :attr:`payment` is counted in: the offer's payment asset, ether for a withdrawal."""
    block_number: int
    transaction_hash: str
    log_index: int


def exchange_history(
    exchange: TitleExchange, facts: Callable[[int], tuple[str, Asset]], *, from_block: int = 0,
    offer_id: int | None = None,
) -> tuple[TitleActivity, ...]:
    """The exchange's events (optionally of one offer), in chain order. ``facts(offer_id)`` gives an
    offer's maker and payment asset."""
    ev = exchange.events
    records: list[TitleActivity] = []
    for m in ev.offer_made(from_block=from_block, offer_id=offer_id):
        records.append(TitleActivity("made", m.offer_id, m.maker, m.title_amount, 0, facts(m.offer_id)[1],
                                     m.block_number, m.transaction_hash, m.log_index))
    for f in ev.offer_filled(from_block=from_block, offer_id=offer_id):
        records.append(TitleActivity("filled", f.offer_id, f.taker, f.amount, f.payment, facts(f.offer_id)[1],
                                     f.block_number, f.transaction_hash, f.log_index))
    for c in ev.offer_cancelled(from_block=from_block, offer_id=offer_id):
        maker, asset = facts(c.offer_id)
        records.append(TitleActivity("cancelled", c.offer_id, maker, c.returned, 0, asset,
                                     c.block_number, c.transaction_hash, c.log_index))
    for r in ev.offer_reclaimed(from_block=from_block, offer_id=offer_id):
        maker, asset = facts(r.offer_id)
        records.append(TitleActivity("reclaimed", r.offer_id, maker, r.returned, 0, asset,
                                     r.block_number, r.transaction_hash, r.log_index))
    if offer_id is None:
        for w in ev.proceeds_withdrawn(from_block=from_block):
            records.append(TitleActivity("withdrawn", None, w.maker, 0, w.amount, ETHER,
                                         w.block_number, w.transaction_hash, w.log_index))
    return tuple(sorted(records, key=lambda r: (r.block_number, r.log_index)))
