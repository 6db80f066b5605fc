"""Sealed rounds as their partners read them: the phase by the chain's clock, who committed, who
revealed, pledges only once revealed, allocations only once settled; and what an action returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from .._seam import TxResult
from .._units import Wei
from ..exceptions import InputError
from . import checks
from .asset import Asset

__all__ = ["PledgeCommit", "PledgeReveal", "RoundMilestone", "RoundPartnerStatus", "RoundPhase", "RoundRef", "SealedRound",
           "phase_at"]


class RoundPhase(Enum):
    """Where a round stands at a given time."""

    COMMIT = "commit"
    """Until the commit deadline (inclusive): invited partners commit hashes; nothing else is visible."""
    REVEAL = "reveal"
    """After the commit deadline, until the reveal deadline (inclusive): partners reveal."""
    SETTLING = "settling"
    """The reveal phase is over and nobody settled yet: anyone may settle."""
    SETTLED = "settled"
    """Settled into a venture (:attr:`SealedRound.venture_id`)."""
    FAILED = "failed"
    """Settled without a venture: the revealed pledges fell short of the budget."""


def phase_at(*, settled: bool, failed: bool, commit_deadline: int, reveal_deadline: int, now: int) -> RoundPhase:
    """The phase of a round whose stored outcome and deadlines these are, at time ``now``."""
    if settled:
        return RoundPhase.SETTLED
    if failed:
        return RoundPhase.FAILED
    if now <= commit_deadline:
        return RoundPhase.COMMIT
    if now <= reveal_deadline:
        return RoundPhase.REVEAL
    return RoundPhase.SETTLING


@dataclass(frozen=True)
class RoundMilestone:
    """A milestone the venture will have."""

    index: int
    amount: Wei
    asset: Asset


@dataclass(frozen=True)
class RoundPartnerStatus:
    """An invited partner of a round, as visible on chain now."""

    address: str
    index: int
    """Position in the round's invitation order, from 0."""
    committed: bool
    revealed: bool
    commitment: str | None
    """The committed hash (``0x`` + 64 hex digits) while not revealed; ``None`` before a commit and
    after the reveal (the contract may reuse the word for the pledge)."""
    pledge: Wei | None
    """``None`` until the partner revealed: nothing of a pledge is on chain before."""
    allocation: Wei | None
    """Its contribution to the venture, ``None`` unless the round settled into one (0: left out)."""
    bond_withdrawn: bool
    bond_refundable: Wei
    """What :meth:`RoundsService.withdraw_bond` would pay it now (0 when nothing)."""
    asset: Asset


@dataclass(frozen=True)
class SealedRound:
    """A sealed round now (amounts in base units of :attr:`asset`)."""

    id: int
    name: str
    asset: Asset
    opener: str
    beneficiary: str
    phase: RoundPhase
    now: int
    """The latest block's timestamp the phase was read at."""
    commit_deadline: int
    reveal_deadline: int
    funding_deadline: int
    long_stop: int
    quorum: int
    budget: Wei
    bond: Wei
    committed: int
    revealed: int
    revealed_total: Wei | None
    """Sum of the revealed pledges (``None`` during the commit phase)."""
    venture_id: int | None
    """The venture the round settled into; ``None`` otherwise."""
    milestones: tuple[RoundMilestone, ...]
    partners: tuple[RoundPartnerStatus, ...]

    def partner(self, address: str) -> RoundPartnerStatus:
        """The status of invited partner ``address``; :class:`InputError` if it is not invited."""
        wanted = checks.address(address, "partner")
        for p in self.partners:
            if p.address == wanted:
                return p
        raise InputError(f"{wanted} is not invited to round #{self.id}")


@dataclass(frozen=True)
class RoundRef:
    """What :meth:`RoundsService.open_round` did: the new round's id (0 in a dry run) and its transaction."""

    id: int
    tx: TxResult
    commit_deadline: int
    reveal_deadline: int


@dataclass(frozen=True)
class PledgeCommit:
    """A sealed pledge sent: what the partner must keep to reveal it (the salt is left out of ``repr``)."""

    round_id: int
    partner: str
    pledge: Wei
    salt: bytes = field(repr=False)
    commitment: str
    """The hash sent (``0x`` + 64 hex digits)."""
    salt_file: Path | None
    """Where the salt was saved (``None`` when the caller keeps it)."""
    reused: bool
    """True when an existing salt file for the same pledge was reused (a retry after a failed send)."""
    tx: TxResult


@dataclass(frozen=True)
class PledgeReveal:
    """A pledge revealed."""

    round_id: int
    partner: str
    pledge: Wei
    tx: TxResult
