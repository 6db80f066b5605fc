"""A cost pool's history: every event of the pool as one :class:`HistoryEntry`, in chain order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._units import Wei
from ..bindings.cost_sharing import CostSharing
from .activity import BlockSpan, Row
from .asset import Asset

__all__ = ["HistoryEntry", "pool_history", "pool_rows"]


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a pool's history."""

    block_number: int
    log_index: int
    transaction_hash: str
    kind: str
    """``proposed``, ``accepted`` (``detail`` ``signed`` or ``on chain``), ``live``, ``left``,
    ``dissolved``, ``close-vote``, ``closed``, ``submitted``, ``approved``, ``rejection``,
    ``rejected``, ``withdrawn``, ``booked``, ``disputed`` (``detail``: the reason's hash),
    ``reversed``, ``paid`` or ``claimed``."""
    account: str | None
    expense_id: int | None
    period: int | None
    amount: Wei | None
    detail: str
    asset: Asset
    """The pool's asset, which :attr:`amount` is counted in."""
    pool_id: int
    """The pool it happened in."""


def pool_history(contract: CostSharing, pool_id: int | None, asset: Asset | Callable[[int], Asset],
                 span: BlockSpan | None = None) -> tuple[HistoryEntry, ...]:
    """Everything that happened in ``pool_id`` (in every pool if ``None``), in chain order, read over
    ``span`` (default every block): one eth_getLogs per event kind and block range, whatever the number
    of pools. ``asset`` is the pool's asset, or a function from pool id to asset."""
    ev = contract.events
    logs = (span or BlockSpan.upto_head(contract.w3)).logs
    asset_of = asset if callable(asset) else (lambda _pool: asset)
    entries: list[HistoryEntry] = []

    def add(e: Any, kind: str, account: str | None = None, expense_id: int | None = None,
            amount: int | None = None, *, period: int | None = None, detail: str = "", pool: int | None = None) -> None:
        where = e.pool_id if pool is None else pool
        entries.append(HistoryEntry(e.block_number, e.log_index, e.transaction_hash, kind, account, expense_id,
                                    period, amount, detail, asset_of(where), where))

    for p in logs(ev.pool_proposed, pool_id=pool_id):
        add(p, "proposed", p.creator, detail=p.name)
    for a in logs(ev.terms_accepted, pool_id=pool_id):
        add(a, "accepted", a.participant, detail="signed" if a.signed else "on chain")
    for live in logs(ev.pool_activated, pool_id=pool_id):
        add(live, "live")
    for left in logs(ev.participant_left, pool_id=pool_id):
        add(left, "left", left.participant)
    for d in logs(ev.pool_dissolved, pool_id=pool_id):
        add(d, "dissolved")
    for v in logs(ev.close_voted, pool_id=pool_id):
        add(v, "close-vote", v.participant)
    for c in logs(ev.pool_closed, pool_id=pool_id):
        add(c, "closed")
    submitted = logs(ev.expense_submitted, pool_id=pool_id)
    pools = {s.expense_id: s.pool_id for s in submitted}  # the events keyed by expense only
    for s in submitted:
        add(s, "submitted", s.submitter, s.expense_id, s.amount, detail=s.ref)
    for r in logs(ev.approval_recorded):
        if r.expense_id in pools:
            add(r, "approved", r.participant, r.expense_id, pool=pools[r.expense_id])
    for j in logs(ev.rejection_recorded):
        if j.expense_id in pools:
            add(j, "rejection", j.participant, j.expense_id, pool=pools[j.expense_id])
    for x in logs(ev.expense_rejected, pool_id=pool_id):
        add(x, "rejected", None, x.expense_id)
    for w in logs(ev.expense_withdrawn, pool_id=pool_id):
        add(w, "withdrawn", None, w.expense_id)
    for b in logs(ev.expense_booked, pool_id=pool_id):
        add(b, "booked", b.payee, b.expense_id, b.amount, period=b.period)
    for q in logs(ev.expense_disputed):
        if q.expense_id in pools:
            add(q, "disputed", q.participant, q.expense_id, detail="0x" + bytes(q.reason).hex(),
                pool=pools[q.expense_id])
    for rv in logs(ev.expense_reversed, pool_id=pool_id):
        add(rv, "reversed", rv.payee, rv.expense_id, rv.amount, period=rv.period)
    for pi in logs(ev.paid_in, pool_id=pool_id):
        add(pi, "paid", pi.debtor, None, pi.amount, period=pi.period, detail=f"by {pi.payer}")
    for cl in logs(ev.claimed, pool_id=pool_id):
        add(cl, "claimed", cl.account, None, cl.amount, period=cl.period, detail=f"to {cl.to}")
    entries.sort(key=lambda h: (h.block_number, h.log_index))
    return tuple(entries)


def pool_rows(entries: tuple[HistoryEntry, ...]) -> list[Row]:
    """``entries`` described in words, amounts in their pool's asset."""
    rows: list[Row] = []
    for h in entries:
        words = [f"pool #{h.pool_id}:", h.kind]
        if h.expense_id is not None:
            words.append(f"expense #{h.expense_id}")
        if h.amount is not None:
            words.append(h.asset.format(h.amount))
        if h.period is not None:
            words.append(f"period {h.period}")
        if h.detail:
            words.append(f"({h.detail})")
        rows.append((h, h.kind, h.account, " ".join(words), h.amount, h.asset))
    return rows
