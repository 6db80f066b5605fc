"""One shape for every family's history: :class:`Activity` rows, read with eth_getLogs over block ranges.

:class:`BlockSpan` splits ``[first, last]`` into ranges of at most :data:`LOG_RANGE` blocks (nodes cap
one ``eth_getLogs``); :func:`stamped` adds each row's block time: from the logs where the node puts ``blockTimestamp`` in
them (anvil, recent geth), else the blocks read in JSON-RPC batches (one round trip per 500 blocks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from web3 import Web3

from .._chain.providers import in_batches
from .._runtime import known_block_times
from .._units import Wei
from .asset import Asset

__all__ = ["LOG_RANGE", "Activity", "BlockSpan", "Row", "kind_of", "stamped"]

LOG_RANGE = 10_000
"""The most blocks one ``eth_getLogs`` covers."""

E = TypeVar("E")


@dataclass(frozen=True)
class Activity:
    """One thing that happened, as people read it."""

    block_number: int
    timestamp: int
    """The block's time (UNIX seconds)."""
    kind: str
    """The event's name (``Deposited``, ``ProposalApproved``, ...)."""
    actor: str | None
    """Who did it (the address the event names), if anyone."""
    what: str
    """What happened, in words (amounts in the asset's units)."""
    amount: Wei | None
    """The amount moved or booked, in :attr:`asset`, if any."""
    asset: Asset
    transaction_hash: str
    log_index: int


@dataclass(frozen=True)
class BlockSpan:
    """Blocks ``first`` to ``last`` (inclusive), read in ranges of at most ``step`` blocks."""

    first: int
    last: int
    step: int = LOG_RANGE

    @classmethod
    def upto_head(cls, w3: Web3, first: int = 0, step: int = LOG_RANGE) -> BlockSpan:
        return cls(first, int(w3.eth.block_number), step)

    def ranges(self) -> Iterable[tuple[int, int]]:
        start = self.first
        while start <= self.last:
            end = min(start + self.step - 1, self.last)
            yield start, end
            start = end + 1

    def logs(self, query: Callable[..., Sequence[E]], **filters: Any) -> list[E]:
        """``query`` (a binding's ``contract.events.<name>``) over every range, oldest first."""
        found: list[E] = []
        for start, end in self.ranges():
            found.extend(query(from_block=start, to_block=end, **filters))
        return found


Row = tuple[Any, str, str | None, str, "int | None", Asset]
"""(event, kind, actor, words, amount, asset) before its block time is known."""


def kind_of(event: Any) -> str:
    """A binding event's name: ``DepositedEvent`` -> ``Deposited``."""
    return type(event).__name__.removesuffix("Event")


def stamped(w3: Web3, rows: Iterable[Row]) -> tuple[Activity, ...]:
    """The rows as :class:`Activity`, with block times, in chain order."""
    ordered = sorted(rows, key=lambda r: (r[0].block_number, r[0].log_index))
    times = known_block_times(w3)  # from the logs themselves where the node gives them
    missing = sorted({event.block_number for event, *_rest in ordered} - times.keys())
    blocks = in_batches(w3, [partial(w3.eth.get_block, n) for n in missing])
    times.update((n, int(block["timestamp"])) for n, block in zip(missing, blocks, strict=True))
    return tuple(
        Activity(e.block_number, times[e.block_number], kind, actor, what, amount, asset, e.transaction_hash,
                 e.log_index)
        for e, kind, actor, what, amount, asset in ordered
    )
