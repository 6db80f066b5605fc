"""The escrow's reads for any number of ventures in a constant number of round trips: two Multicall3
batches (each venture, then its partners and milestones), served to the unchanged per-venture code."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial

from .._runtime import ReadBatch
from ..bindings.joint_venture_escrow import JointVentureEscrow

__all__ = ["prefetch_ventures"]


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
