"""The escrow's typed snapshots (a venture, its partners and milestones), the remainder rule, and the
words that tell each partner how it can get out of a venture now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from .._seam import TxResult
from .._units import Wei
from ..bindings.joint_venture_escrow import MilestoneState, State
from ..exceptions import InputError
from . import checks
from .asset import Asset

__all__ = ["MilestoneStatus", "PartnerPosition", "Venture", "VentureRef", "exit_routes", "refund_shares"]


@dataclass(frozen=True)
class PartnerPosition:
    """A partner's position in a venture, in base units of :attr:`asset`."""

    address: str
    index: int
    """Position in the creation order (the remainder rule's order), from 0."""
    owed: Wei
    paid: Wei
    owed_before: Wei
    """Sum of the contributions of the partners listed before this one."""
    refunded: bool
    voted_dissolution: bool
    """Whether it has a dissolution vote standing in the current round (votes reset at activation)."""
    refundable: Wei
    """What :meth:`EscrowService.refund` would pay it now (0 when not refundable now)."""
    exits: tuple[str, ...]
    """How it can get out now, in words (``"vote to dissolve: 1 of 2 partners needed, 0 voted"``,
    ``"after 2028-12-01 10:00 UTC any partner may cancel"``, ``"refund 1.2 ETH"``)."""
    asset: Asset

    @property
    def remaining(self) -> Wei:
        """What it still owes."""
        return self.owed - self.paid


@dataclass(frozen=True)
class MilestoneStatus:
    """A milestone of a venture."""

    index: int
    amount: Wei
    approvals: int
    state: MilestoneState
    approvers: tuple[str, ...]
    """Partners who approved it, in the venture's partner order."""
    asset: Asset


@dataclass(frozen=True)
class Venture:
    """A venture as the chain sees it now (amounts in base units of :attr:`asset`)."""

    id: int
    name: str
    asset: Asset
    beneficiary: str
    creator: str
    state: State
    """Effective state: a Funding venture past its deadline reads as Cancelled."""
    stored_state: State
    funding_deadline: int
    """Timestamp: unfunded by then, the venture is cancelled and every partner refunds what it paid."""
    long_stop: int
    """Timestamp: once passed, any partner may cancel the Active venture (refunds pro rata)."""
    quorum: int
    """Partner approvals that release a milestone."""
    dissolution_quorum: int
    """Partner votes that dissolve the venture (at most partners - quorum + 1)."""
    dissolution_votes: int
    """Dissolution votes standing in the current round."""
    total: Wei
    """Sum of the contributions owed."""
    deposited: Wei
    """What the partners paid in, together."""
    released: Wei
    """Credited to the beneficiary by released milestones."""
    withdrawn: Wei
    """Paid out to the beneficiary (pulled or pushed)."""
    withdrawable: Wei
    """Released, not yet paid to the beneficiary."""
    refunded: Wei
    """Paid back to partners."""
    held: Wei
    """What the venture owes now (the contract's ``heldFor``): the beneficiary's unpaid credit plus
    every refund not yet taken; while Active, everything not yet paid out."""
    milestone_total: Wei
    partners: tuple[PartnerPosition, ...]
    milestones: tuple[MilestoneStatus, ...]

    def partner(self, address: str) -> PartnerPosition:
        """The position of partner ``address``; :class:`InputError` if it is not a partner."""
        wanted = checks.address(address, "partner")
        for p in self.partners:
            if p.address == wanted:
                return p
        raise InputError(f"{wanted} is not a partner of venture #{self.id}")


@dataclass(frozen=True)
class VentureRef:
    """What :meth:`EscrowService.create` did: the new venture's id (0 in a dry run), its transaction,
    and the exits it was created with (the dissolution threshold and the long-stop date)."""

    id: int
    tx: TxResult
    dissolution_quorum: int
    long_stop: int


def refund_shares(contributions: Sequence[int], released: int) -> tuple[int, ...]:
    """Each partner's part of ``released`` under the contract's remainder rule (fully funded venture):
    ``r_k = floor(R*C_k/T) - floor(R*C_(k-1)/T)``; the parts add up to ``released`` exactly.
    A partner's refund is its contribution minus its part."""
    total = sum(contributions)
    if total <= 0 or not 0 <= released <= total:
        raise InputError("refund_shares needs positive contributions and 0 <= released <= their sum")
    parts: list[int] = []
    before = 0
    for owed in contributions:
        through = before + owed
        parts.append(released * through // total - released * before // total)
        before = through
    return tuple(parts)


def when(timestamp: int) -> str:
    """A timestamp as people read it: ``2027-01-31 12:00 UTC``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def exit_routes(*, state: State, stored_state: State, partners: int, needed: int, standing: int,
                voted: bool, funding_deadline: int, long_stop: int, now: int, paid: int,
                refunded: bool, refundable: int, asset: Asset) -> tuple[str, ...]:
    """How a partner with this position can get out of the venture now, in words (see
    :attr:`PartnerPosition.exits`)."""
    if state in (State.CANCELLED, State.COMPLETED):
        if refunded:
            return ("refunded",)
        if refundable:
            late = " (the venture is cancelled on the way)" if stored_state == State.FUNDING else ""
            return (f"refund {asset.format(refundable)}{late}",)
        return ("nothing to refund",)
    vote = (f"voted to dissolve: {standing} of {needed} needed so far (unvote withdraws it)" if voted
            else f"vote to dissolve: {needed} of {partners} partners needed, {standing} voted")
    if state == State.FUNDING:
        back = f"refund {asset.format(paid)}" if paid else "nothing to refund"
        return (vote, f"unfunded after {when(funding_deadline)}: cancelled, {back}")
    if now >= long_stop:
        return (vote, f"long-stop passed ({when(long_stop)}): any partner may cancel now")
    return (vote, f"after {when(long_stop)} any partner may cancel")
