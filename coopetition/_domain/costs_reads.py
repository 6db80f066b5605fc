"""The cost pools' reads for any number of pools, expenses and positions in a constant number of
round trips: Multicall3 batches served to the unchanged per-item code (see :class:`~coopetition._runtime.ReadBatch`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from .._runtime import ReadBatch, read_batch
from ..bindings.cost_sharing import CostSharing, ExpenseStatus, ExpenseSubmittedEvent
from .paging import scan

if TYPE_CHECKING:
    from .asset import Asset
    from .costs_records import Expense

__all__ = ["accounts_of", "begun_periods", "pool_assets", "prefetch_expenses", "prefetch_periods", "prefetch_pools",
           "prefetch_positions", "seats_in", "select_expenses", "select_pools"]


def begun_periods(raw: Any, now: int) -> int:
    """How many settlement periods of a pool with ``pool_info`` ``raw`` have begun at ``now``."""
    if raw.live_at == 0:
        return 0
    count = -(-raw.duration // raw.settlement_period)
    return int(min(count, max(0, now - raw.live_at) // raw.settlement_period + 1))


def _inner(c: CostSharing, ids: Sequence[int], now: int) -> Iterator[Callable[[], object]]:
    for pid in ids:
        try:  # answered from the first batch
            raw, seats = c.pool_info(pid), c.participants_of(pid)
        except Exception:
            continue
        yield from (partial(c.seat_of, pid, a) for a in seats)
        for k in range(begun_periods(raw, now)):
            yield partial(c.period_totals, pid, k)
            yield partial(c.period_opens_at, pid, k)


def prefetch_pools(batch: ReadBatch, c: CostSharing, ids: Sequence[int], now: int) -> None:
    """Fetch everything :meth:`CostSharingService.pool` reads for ``ids`` at ``now``, in two batches."""
    batch.prefetch(partial(read, pid) for pid in ids for read in (c.pool_info, c.participants_of))
    batch.prefetch(_inner(c, ids, now))


def prefetch_positions(batch: ReadBatch, c: CostSharing, pool_id: int, accounts: Sequence[str],
                       periods: Sequence[int]) -> None:
    """Fetch the positions of ``accounts`` in ``periods`` of ``pool_id`` and their seats, in one batch."""
    batch.prefetch([partial(c.pool_info, pool_id),
                    *(partial(c.seat_of, pool_id, a) for a in accounts),
                    *(partial(c.position, pool_id, k, a) for a in accounts for k in periods)])


def prefetch_expenses(batch: ReadBatch, c: CostSharing, pool_id: int, ids: Sequence[int]) -> None:
    """Fetch what :meth:`CostSharingService.expense` reads for ``ids`` of ``pool_id``, in one batch."""
    batch.prefetch([partial(c.pool_info, pool_id), partial(c.participants_of, pool_id),
                    *(partial(c.expense, eid) for eid in ids)])


def prefetch_periods(batch: ReadBatch, c: CostSharing, pool_id: int, begun: int) -> None:
    """Fetch the totals and opening times of the first ``begun`` periods of ``pool_id``, in one batch."""
    batch.prefetch(partial(read, pool_id, k) for k in range(begun) for read in (c.period_totals, c.period_opens_at))


def select_pools(c: CostSharing, ids: Sequence[int], limit: object, participant: str | None) -> tuple[int, ...]:
    """The first ``limit`` of ``ids`` with a seat for ``participant`` (when given): the seats of a
    window of pools read per batch."""
    if participant is None:
        return scan(ids, limit, list)
    who = participant.lower()
    with read_batch(c.w3) as batch:
        def read(window: Sequence[int]) -> list[int]:
            batch.prefetch(partial(c.participants_of, pid) for pid in window)
            return list(window)

        return scan(ids, limit, read, lambda pid: who in (a.lower() for a in c.participants_of(pid)))


def select_expenses(c: CostSharing, pool_id: int, submitted: Sequence[ExpenseSubmittedEvent], limit: object,
                    snapshot: Callable[[int, list[ExpenseSubmittedEvent]], Expense],
                    status: ExpenseStatus | None) -> tuple[Expense, ...]:
    """The first ``limit`` expenses of ``pool_id`` submitted as ``submitted`` that are in ``status``
    (when given), a window read per batch; an unknown pool raises the contract's typed error."""
    with read_batch(c.w3) as batch:
        def read(window: Sequence[ExpenseSubmittedEvent]) -> list[Expense]:
            prefetch_expenses(batch, c, pool_id, [e.expense_id for e in window])
            return [snapshot(e.expense_id, [e]) for e in window]

        if not submitted:
            c.pool_info(pool_id)
        return scan(submitted, limit, read, None if status is None else lambda e: e.status is status)


def pool_assets(c: CostSharing, ids: Sequence[int], asset_info: Callable[[str], Asset]) -> dict[int, Asset]:
    """Each pool's asset, the pools read in one batch (not a read each)."""
    with read_batch(c.w3) as batch:
        batch.prefetch(partial(c.pool_info, p) for p in ids)
        return {p: asset_info(c.pool_info(p).asset) for p in ids}


def accounts_of(c: CostSharing, pool_id: int) -> list[str]:
    """The accounts with a position in ``pool_id``: its participants in pool order, then the external
    payees of its booked expenses (sorted)."""
    members = list(c.participants_of(pool_id))
    return [*members, *sorted({e.payee for e in c.events.expense_booked(pool_id=pool_id)} - set(members))]


def seats_in(seats: Sequence[str], bitmap: int) -> tuple[str, ...]:
    """The participants (in pool order ``seats``) whose bits are set in a vote ``bitmap``."""
    return tuple(a for i, a in enumerate(seats) if bitmap >> i & 1)
