"""Pages of a list read with filters applied on the way, in a number of round trips that does not grow
with the list: the ids are read a window of :data:`WINDOW` at a time (one Multicall3 batch each), the
window is filtered, and the next window is read only while the page is not full."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from .checks import whole

__all__ = ["WINDOW", "scan"]

K = TypeVar("K")
T = TypeVar("T")

WINDOW = 1000
"""Ids read per batch while filtering (a page with a filter that matches rarely reads one window per
thousand ids it skips; without a filter only the page itself is read)."""


def scan(ids: Sequence[K], limit: object, read: Callable[[Sequence[K]], Sequence[T]],
         keep: Callable[[T], bool] | None = None, *, window: int = WINDOW) -> tuple[T, ...]:
    """The items ``read`` gives for ``ids`` (in order) that ``keep`` accepts, at most ``limit`` (None:
    all). ``read`` gets a window of ids at a time; without ``keep`` only the first ``limit`` are read."""
    most = None if limit is None else whole(limit, "limit", minimum=1)
    if keep is None:
        return tuple(read(ids if most is None else ids[:most]))
    found: list[T] = []
    for start in range(0, len(ids), window):
        for item in read(ids[start:start + window]):
            if keep(item):
                found.append(item)
                if most is not None and len(found) == most:
                    return tuple(found)
    return tuple(found)
