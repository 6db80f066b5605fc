"""A cost pool's history: every event of the pool as one :class:`HistoryEntry`, in chain order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._units import Wei
from ..bindings.cost_sharing import CostSharing
from .asset import Asset

__all__ = ["HistoryEntry", "pool_history"]


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a pool's history."""

    block_number: int
    log_index: int
    transaction_hash: str
    kind: str
    """``created``, ``submitted``, ``approved``, ``rejection``, ``rejected``, ``withdrawn``,
    ``booked``, ``paid`` or ``claimed``."""
    account: str | None
    expense_id: int | None
    amount: Wei | None
    asset: Asset
    """The pool's asset, which :attr:`amount` is counted in."""


def pool_history(contract: CostSharing, pool_id: int, asset: Asset) -> tuple[HistoryEntry, ...]:
    """Everything that happened in ``pool_id``, in chain order."""
    ev = contract.events
    entries: list[HistoryEntry] = []

    def add(e: Any, kind: str, account: str | None, expense_id: int | None, amount: int | None) -> None:
        entries.append(HistoryEntry(e.block_number, e.log_index, e.transaction_hash, kind, account, expense_id,
                                    amount, asset))

    for c in ev.pool_created(pool_id=pool_id):
        add(c, "created", c.creator, None, None)
    submitted = ev.expense_submitted(pool_id=pool_id)
    ids = {s.expense_id for s in submitted}
    for s in submitted:
        add(s, "submitted", s.submitter, s.expense_id, s.amount)
    for a in ev.expense_approved():
        if a.expense_id in ids:
            add(a, "approved", a.participant, a.expense_id, None)
    for r in ev.rejection_recorded():
        if r.expense_id in ids:
            add(r, "rejection", r.participant, r.expense_id, None)
    for x in ev.expense_rejected(pool_id=pool_id):
        add(x, "rejected", None, x.expense_id, None)
    for w in ev.expense_withdrawn(pool_id=pool_id):
        add(w, "withdrawn", None, w.expense_id, None)
    for b in ev.expense_booked(pool_id=pool_id):
        add(b, "booked", b.payee, b.expense_id, b.amount)
    for p in ev.paid_in(pool_id=pool_id):
        add(p, "paid", p.account, None, p.amount)
    for c2 in ev.claimed(pool_id=pool_id):
        add(c2, "claimed", c2.account, None, c2.amount)
    entries.sort(key=lambda h: (h.block_number, h.log_index))
    return tuple(entries)
