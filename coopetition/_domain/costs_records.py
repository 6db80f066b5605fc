"""The typed snapshots of the cost-sharing service: pools, seats, expenses, periods, positions."""

from __future__ import annotations

from dataclasses import dataclass

from .._seam import TxResult
from .._units import Wei
from ..bindings.cost_sharing import ExpenseStatus, PoolStatus
from .asset import Asset

__all__ = ["Expense", "ExpenseRef", "Period", "Pool", "PoolParticipant", "PoolRef", "Position"]


@dataclass(frozen=True)
class PoolParticipant:
    """A seat in a pool: its share (basis points) and whether it accepted the terms."""

    address: str
    share_bps: int
    accepted: bool


@dataclass(frozen=True)
class Pool:
    """A cost pool now. Totals are over the settlement periods begun so far, in base units of :attr:`asset`."""

    id: int
    name: str
    asset: Asset
    creator: str
    status: PoolStatus
    participants: tuple[PoolParticipant, ...]
    approval_bps: int
    """The rule: approvals by participants other than the payee holding more than this part of their shares."""
    quorum: int
    """...from at least this many of them."""
    dispute_window: int
    settlement_period: int
    duration: int
    terms_hash: str
    live_at: int
    ends_at: int
    closed_at: int
    booked_expenses: int
    total_booked: Wei
    total_paid_in: Wei

    @property
    def pending(self) -> tuple[str, ...]:
        """Participants who have not accepted the terms yet (the pool goes live once this is empty)."""
        return tuple(p.address for p in self.participants if not p.accepted)

    @property
    def outstanding(self) -> Wei:
        """Booked but not paid in yet (debts on record)."""
        return self.total_booked - self.total_paid_in

    def share_of(self, address: str) -> int:
        """Basis points of ``address``; 0 if it is not a participant."""
        return next((p.share_bps for p in self.participants if p.address.lower() == address.lower()), 0)


@dataclass(frozen=True)
class Period:
    """One settlement period of a live pool."""

    index: int
    starts_at: int
    opens_at: int
    """When payments and claims open (the period's end plus the dispute window)."""
    booked: Wei
    paid_in: Wei
    asset: Asset


@dataclass(frozen=True)
class Position:
    """An account's position in one settlement period (``period``) or summed over every period begun
    (``period`` is ``None``), in base units of :attr:`asset`.

    ``collectable`` is the creditor's pro-rata part of what debtors paid in, not yet withdrawn:
    ``floor(credit * paid_in / booked) - withdrawn`` per period."""

    account: str
    period: int | None
    share_bps: int
    accepted: bool
    owed: Wei
    paid: Wei
    debt: Wei
    credit: Wei
    entitlement: Wei
    withdrawn: Wei
    collectable: Wei
    asset: Asset

    @property
    def net(self) -> Wei:
        """Credit still to collect minus debt still to pay (positive: owed money)."""
        return (self.credit - self.withdrawn) - self.debt


@dataclass(frozen=True)
class Expense:
    """An expense now (amounts in base units of :attr:`asset`)."""

    id: int
    pool_id: int
    submitter: str
    payee: str
    amount: Wei
    evidence_hash: str
    """0x-prefixed 32-byte hex."""
    reference: str
    """As emitted at submission (the contract stores only a digest of it)."""
    status: ExpenseStatus
    booked_at: int
    period: int
    approvals: tuple[str, ...]
    approval_bps: int
    objections: tuple[str, ...]
    """Rejections while pending; disputes once booked."""
    objection_bps: int
    dispute_until: int
    """End of the dispute window (0 unless booked)."""
    asset: Asset


@dataclass(frozen=True)
class PoolRef:
    """What :meth:`~coopetition.costs.CostSharingService.create_pool` did (``id`` 0 on a dry run)."""

    id: int
    terms_hash: str
    must_accept: tuple[str, ...]
    """Participants who still have to accept the terms (join, or sign)."""
    tx: TxResult


@dataclass(frozen=True)
class ExpenseRef:
    """What :meth:`~coopetition.costs.CostSharingService.submit` did (``id`` 0 on a dry run)."""

    id: int
    evidence_hash: str
    tx: TxResult
