"""Per-account nonce reservation, safe under threads and tolerant of other processes.

Within one process, every :class:`~coopetition._chain.tx.TransactionPipeline` for the same chain and
account shares one :class:`NonceManager` (the module default, unless one is passed in), so threads
sending at once get distinct, contiguous nonces: a lock guards, per ``(chain id, address)``, the
set of nonces reserved but not yet broadcast (the local cursor is one past the highest of them).

Across processes (several back-office scripts signing with the same key) there is no shared lock.
The approach is to re-read the node's pending transaction count (``eth_getTransactionCount(addr,
"pending")``) on *every* reservation and take ``max(local cursor, pending count)``: as soon as
another process's transaction reaches the node's pool, this process skips past its nonce. The
remaining window (two processes reserving the same nonce before either has broadcast) is closed
by recovery, not prevention: the node answers the loser with "nonce too low" or "replacement
transaction underpriced", and the pipeline drops that nonce, calls :meth:`NonceManager.resync` and
signs again with a fresh reservation, a few times at most. (The same recovery covers an RPC
endpoint behind a load balancer whose pending count lags a just-accepted transaction.)

A nonce reserved but never broadcast (the node refused the transaction for another reason) is
handed back with :meth:`NonceManager.release`; the next reservation reuses the lowest released
nonce so no gap is left behind that would stall every later transaction.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from eth_utils.address import to_checksum_address

if TYPE_CHECKING:
    from web3 import Web3

__all__ = ["NonceManager", "default_nonce_manager"]


class _Slot:
    __slots__ = ("inflight", "released", "sent_high")

    def __init__(self) -> None:
        self.inflight: set[int] = set()
        self.released: set[int] = set()
        self.sent_high: int | None = None


class NonceManager:
    """Hands out nonces per ``(chain id, address)``; see the module docstring for the approach.

    While reservations are in flight the local cursor is one past the highest nonce reserved or
    sent by this process. When none is in flight every transaction this process signed has been
    accepted by the node, so the node's pending count alone is trusted: the manager follows a node
    that forgot its pool (a devnet restarted from saved state, or reset) instead of signing beyond
    a gap that would never be mined.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[tuple[int, str], _Slot] = {}

    def _slot(self, chain_id: int, address: str) -> _Slot:
        key = (chain_id, to_checksum_address(address))
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = _Slot()
        return slot

    @staticmethod
    def _pending_count(w3: Web3, address: str) -> int:
        return int(w3.eth.get_transaction_count(to_checksum_address(address), "pending"))

    def reserve(self, w3: Web3, address: str, *, chain_id: int | None = None, pending: int | None = None) -> int:
        """The nonce to sign with: a released one, else ``max(local cursor, node's pending count)``.
        ``pending`` is that count if the caller has just read it (the pipeline reads it in the same
        round trip as the gas estimate); otherwise it is asked for here."""
        cid = int(w3.eth.chain_id) if chain_id is None else chain_id
        with self._lock:
            slot = self._slot(cid, address)
            if pending is None:
                pending = self._pending_count(w3, address)
            slot.released = {n for n in slot.released if n >= pending and n not in slot.inflight}
            if slot.released:
                nonce = min(slot.released)
                slot.released.discard(nonce)
            elif slot.inflight:
                high = max(slot.inflight)
                if slot.sent_high is not None:
                    high = max(high, slot.sent_high)
                nonce = max(high + 1, pending)
            else:
                nonce = pending
                slot.sent_high = None
            slot.inflight.add(nonce)
            return nonce

    def sent(self, address: str, nonce: int, *, chain_id: int) -> None:
        """The transaction with this nonce reached the node: from now on its pending count covers it."""
        with self._lock:
            slot = self._slot(chain_id, address)
            slot.inflight.discard(nonce)
            slot.sent_high = nonce if slot.sent_high is None else max(slot.sent_high, nonce)

    def discard(self, address: str, nonce: int, *, chain_id: int) -> None:
        """Drop a reservation the node refused as already used ("nonce too low"); never reuse it."""
        with self._lock:
            self._slot(chain_id, address).inflight.discard(nonce)

    def release(self, address: str, nonce: int, *, chain_id: int) -> None:
        """Give back a nonce that was reserved but never reached the node (reused first)."""
        with self._lock:
            slot = self._slot(chain_id, address)
            slot.inflight.discard(nonce)
            above = [n for n in slot.inflight if n > nonce]
            if above or (slot.sent_high is not None and slot.sent_high > nonce):
                slot.released.add(nonce)  # a hole below other transactions: fill it first

    def resync(self, w3: Web3, address: str, *, chain_id: int | None = None) -> int:
        """Drop released nonces the node has moved past (after "nonce too low"); returns its pending count.

        Nonces other threads of this process hold but have not broadcast yet stay reserved.
        """
        cid = int(w3.eth.chain_id) if chain_id is None else chain_id
        with self._lock:
            slot = self._slot(cid, address)
            pending = self._pending_count(w3, address)
            slot.released = {n for n in slot.released if n >= pending}
            return pending


_DEFAULT = NonceManager()


def default_nonce_manager() -> NonceManager:
    """The process-wide manager every pipeline uses unless given its own."""
    return _DEFAULT
