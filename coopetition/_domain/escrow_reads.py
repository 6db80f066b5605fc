"""The escrow's reads for any number of ventures in a constant number of round trips: two Multicall3
batches (each venture, then its partners and milestones), served to the unchanged per-venture code."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial

from .._runtime import ReadBatch, read_batch
from ..bindings.joint_venture_escrow import JointVentureEscrow, State
from .paging import scan

__all__ = ["held_in", "prefetch_ventures", "select_ventures"]


def _inner(c: JointVentureEscrow, ids: Sequence[int]) -> Iterator[Callable[[], object]]:
    for v in ids:
        try:  # answered from the first batch
            raw, addresses = c.venture(v), c.partners(v)
        except Exception:
            continue
        for who in addresses:
            yield partial(c.partner, v, who)
            yield partial(c.refundable, v, who)
        for i in range(raw.milestone_count):
            yield partial(c.milestone, v, i)
            yield from (partial(c.has_approved, v, i, who) for who in addresses)


def prefetch_ventures(batch: ReadBatch, c: JointVentureEscrow, ids: Sequence[int]) -> None:
    """Fetch everything :meth:`EscrowService.venture` reads for ``ids``, in two batches."""
    reads = (c.venture, c.venture_state, c.dissolution_votes, c.partners, c.held_for, c.venture_name)
    batch.prefetch(partial(read, v) for v in ids for read in reads)
    batch.prefetch(_inner(c, ids))


def select_ventures(c: JointVentureEscrow, ids: Sequence[int], limit: object, state: State | None,
                    partner: str | None) -> tuple[int, ...]:
    """The first ``limit`` of ``ids`` in ``state`` with ``partner`` among their partners (each filter
    when given): the state and partners of a window of ventures read per batch."""
    if state is None and partner is None:
        return scan(ids, limit, list)
    who = None if partner is None else partner.lower()

    def keep(v: int) -> bool:
        return state in (None, c.venture_state(v)) and (who is None or who in (a.lower() for a in c.partners(v)))

    with read_batch(c.w3) as batch:
        def read(window: Sequence[int]) -> list[int]:
            batch.prefetch(partial(r, v) for v in window for r in (c.venture_state, c.partners))
            return list(window)

        return scan(ids, limit, read, keep)


def held_in(c: JointVentureEscrow, ids: Sequence[int], asset: str) -> int:
    """What ventures ``ids`` in ``asset`` hold together (one batch of reads)."""
    with read_batch(c.w3) as batch:
        batch.prefetch(partial(read, v) for v in ids for read in (c.venture, c.held_for))
        return sum(c.held_for(v) for v in ids if c.venture(v).asset == asset)
