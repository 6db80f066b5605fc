"""Joint ventures as their partners think of them: terms, deposits, milestones, dissolution, refunds.

:class:`EscrowService` wraps the generated
:class:`~coopetition.bindings.joint_venture_escrow.JointVentureEscrow` binding with what a
back-office script or the CLI needs and the binding cannot know:

* amounts in human units (``"2.5 ether"``, ``"12000 USDC"`` read with the token's own decimals) or
  raw base units (``int``), deadlines as durations (``"30d"``) or ISO dates measured from the chain's
  latest block;
* partners referred to by address or by consortium label;
* typed snapshots (:class:`Venture` with its :class:`PartnerPosition` and :class:`MilestoneStatus`
  records) and a venture's history as the binding's typed event records, oldest first;
* ERC-20 deposits that approve the escrow first when the allowance is short.

Malformed input (an address, an amount, a deadline, a label nobody has) raises
:class:`~coopetition.exceptions.InputError` with one line and sends nothing. The rules of the
contract (a member as partner, positive contributions, milestones within the total, a quorum within
the partners, the venture's state, ...) are left to it: the transaction pipeline simulates before
signing, so a refusal arrives as the binding's typed exception (``JointVentureEscrowInvalidQuorum``,
``JointVentureEscrowInvalidState``, ...) and nothing is sent. :meth:`EscrowService.deposit` is the
exception: it checks before an ERC-20 approval (see there).

The contract's rules worth knowing here (``contracts/JointVentureEscrow.sol`` has them in full):
a venture is Funding until every contribution is paid, then Active; a milestone approved by the
quorum is *releasable* and becomes *released* (credited to the beneficiary, who withdraws) when
anyone releases it; releasing the last milestone completes the venture; a missed deadline or a
quorum dissolution vote cancels it. Refunds (Cancelled or Completed) follow the remainder rule
:func:`refund_shares` reproduces: partner ``k`` (in creation order) keeps
``floor(R*C_k/T) - floor(R*C_(k-1)/T)`` of the released amount ``R``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from ._domain import checks
from ._domain.asset import Asset
from ._domain.checks import ZERO_ADDRESS
from ._domain.escrow_events import VentureEvent, describe_event, venture_history
from ._domain.service import Service
from ._seam import Sender, TxResult
from ._units import Wei
from .bindings.joint_venture_escrow import (
    CancelReason,
    JointVentureEscrow,
    MilestoneReleasableEvent,
    MilestoneState,
    State,
    VentureCreatedEvent,
    VentureTerms,
)
from .exceptions import InputError

if TYPE_CHECKING:
    from web3 import Web3

__all__ = [
    "DEFAULT_DEADLINE",
    "ETH",
    "MAX_MILESTONES",
    "MAX_NAME_BYTES",
    "MAX_PARTNERS",
    "Asset",
    "CancelReason",
    "EscrowService",
    "MilestoneState",
    "MilestoneStatus",
    "PartnerPosition",
    "State",
    "Venture",
    "VentureEvent",
    "VentureRef",
    "describe_event",
    "refund_shares",
]

ETH = ZERO_ADDRESS
"""The asset address the contract uses for ether (the zero address; :meth:`Asset.ether`)."""

DEFAULT_DEADLINE = "30d"
"""Funding deadline used when none is given."""

MAX_PARTNERS = 100
MAX_MILESTONES = 100
MAX_NAME_BYTES = 64

Amountish: TypeAlias = int | str
"""An amount: base units (``int``) or human text (``"2.5 ether"``, ``"12000 USDC"``, ``"1000"``)."""


# ------------------------------------------------------------------------------------- records


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
    refundable: Wei
    """What :meth:`EscrowService.refund` would pay it now (0 when not refundable now)."""
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
    quorum: int
    total: Wei
    """Sum of the contributions owed."""
    deposited: Wei
    released: Wei
    """Credited to the beneficiary by released milestones."""
    withdrawn: Wei
    """Taken out by the beneficiary."""
    refunded: Wei
    milestone_total: Wei
    dissolution_votes: int
    partners: tuple[PartnerPosition, ...]
    milestones: tuple[MilestoneStatus, ...]

    @property
    def held(self) -> Wei:
        """What the escrow holds for this venture: deposited - withdrawn - refunded."""
        return self.deposited - self.withdrawn - self.refunded

    @property
    def withdrawable(self) -> Wei:
        """What the beneficiary may withdraw now."""
        return self.released - self.withdrawn

    def partner(self, address: str) -> PartnerPosition:
        """The position of partner ``address``; :class:`InputError` if it is not a partner."""
        wanted = checks.address(address, "partner")
        for p in self.partners:
            if p.address == wanted:
                return p
        raise InputError(f"{wanted} is not a partner of venture #{self.id}")


@dataclass(frozen=True)
class VentureRef:
    """What :meth:`EscrowService.create` did: the new venture's id (0 in a dry run) and its transaction."""

    id: int
    tx: TxResult


# -------------------------------------------------------------------------------- arithmetic


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


# -------------------------------------------------------------------------------- the service


class EscrowService(Service):
    """The domain API of one deployed JointVentureEscrow.

    Build it from a binding (``EscrowService(JointVentureEscrow(w3, address, sender))``) or with
    :meth:`at`. Reads need no sender; every action sends through the binding's sender.
    """

    contract: JointVentureEscrow

    def __init__(self, contract: JointVentureEscrow) -> None:
        super().__init__(contract)

    @classmethod
    def at(cls, w3: Web3, address: str, sender: Sender | None = None) -> EscrowService:
        """The escrow deployed at ``address``."""
        return cls(JointVentureEscrow(w3, address, sender))

    def asset(self, asset: str | None) -> Asset:
        """The asset ``asset`` names: ``None``, ``"ETH"`` or the zero address for ether, else an
        ERC-20 address (its symbol and decimals are read from the token)."""
        return self._asset(asset)

    # ---------------------------------------------------------------------------- creating

    def terms(
        self,
        name: str,
        *,
        partners: Mapping[str, Amountish] | Sequence[tuple[str, Amountish]],
        milestones: Sequence[Amountish],
        beneficiary: str,
        asset: str | None = None,
        deadline: str | int = DEFAULT_DEADLINE,
        quorum: int | None = None,
    ) -> VentureTerms:
        """The terms of a new venture, exactly as :meth:`create` would send them.

        ``partners`` maps a partner (address or consortium label) to its contribution; their order
        is the remainder rule's order. ``beneficiary`` is an address or a label. ``quorum`` defaults
        to a majority of the partners. Here only the inputs are read (addresses, labels, amounts in
        the asset's units, the deadline); the contract's rules are checked by its simulation.
        """
        checks.text_bytes(name, "venture name", minimum=0, maximum=MAX_NAME_BYTES)
        info = self.asset(asset)
        pairs = list(partners.items()) if isinstance(partners, Mapping) else list(partners)
        addresses = tuple(self._membership.address_of(ref, "partner") for ref, _ in pairs)
        amounts = tuple(info.parse(amount) for _, amount in pairs)
        steps = tuple(info.parse(m) for m in milestones)
        if quorum is None:
            quorum = len(addresses) // 2 + 1
        return VentureTerms(
            name=name, asset=info.address, beneficiary=self._membership.address_of(beneficiary, "beneficiary"),
            partners=addresses, contributions=amounts, milestones=steps,
            funding_deadline=self.deadline_timestamp(deadline), quorum=checks.whole(quorum, "quorum", minimum=1),
        )

    def deadline_timestamp(self, deadline: str | int) -> int:
        """Absolute deadline for a duration (``"30d"``, ``3600`` seconds) or an ISO date, measured
        from the latest block's timestamp (not the local clock)."""
        return self._deadline(deadline, "deadline")

    def create(self, terms: VentureTerms) -> VentureRef:
        """Create a venture with ``terms`` (build them with :meth:`terms`)."""
        tx = self.contract.create_venture(terms)
        created = VentureCreatedEvent.from_result(tx, self.address)
        return VentureRef(id=created[0].venture_id if created else 0, tx=tx)

    def create_venture(
        self,
        name: str,
        *,
        partners: Mapping[str, Amountish] | Sequence[tuple[str, Amountish]],
        milestones: Sequence[Amountish],
        beneficiary: str,
        asset: str | None = None,
        deadline: str | int = DEFAULT_DEADLINE,
        quorum: int | None = None,
    ) -> Venture:
        """Create a venture and return it as the chain now sees it (see :meth:`terms` for the
        arguments). In a dry run nothing is created: :class:`InputError` tells so."""
        ref = self.create(
            self.terms(name, partners=partners, milestones=milestones, beneficiary=beneficiary,
                       asset=asset, deadline=deadline, quorum=quorum)
        )
        if ref.id == 0:
            raise InputError("dry run: the venture was simulated, not created (use create() for the preview)")
        return self.venture(ref.id)

    # ------------------------------------------------------------------------------- reads

    def venture_count(self) -> int:
        return self.contract.venture_count()

    def venture(self, venture_id: int) -> Venture:
        """Venture ``venture_id`` now (an unknown id raises the contract's ``JointVentureEscrowUnknownVenture``)."""
        vid = _venture_id(venture_id)
        raw = self.contract.venture(vid)
        info = self.asset(raw.asset)
        addresses = self.contract.partners(vid)
        positions = []
        for k, who in enumerate(addresses):
            p = self.contract.partner(vid, who)
            positions.append(PartnerPosition(
                address=who, index=k, owed=p.owed, paid=p.paid, owed_before=p.owed_before,
                refunded=p.refunded, voted_dissolution=p.voted_dissolution,
                refundable=self.contract.refundable(vid, who), asset=info,
            ))
        steps = []
        for i in range(raw.milestone_count):
            m = self.contract.milestone(vid, i)
            approvers = tuple(a for a in addresses if self.contract.has_approved(vid, i, a))
            steps.append(MilestoneStatus(i, m.amount, m.approvals, m.state, approvers, info))
        return Venture(
            id=vid, name=self.contract.venture_name(vid), asset=info, beneficiary=raw.beneficiary,
            creator=raw.creator, state=self.contract.venture_state(vid), stored_state=raw.state,
            funding_deadline=raw.funding_deadline, quorum=raw.quorum, total=raw.total,
            deposited=raw.deposited, released=raw.released, withdrawn=raw.withdrawn,
            refunded=raw.refunded, milestone_total=raw.milestone_total,
            dissolution_votes=raw.dissolution_votes, partners=tuple(positions), milestones=tuple(steps),
        )

    def ventures(self) -> tuple[Venture, ...]:
        """Every venture, oldest first."""
        return tuple(self.venture(v) for v in range(1, self.venture_count() + 1))

    def total_held(self, asset: str | None = None) -> int:
        """What the escrow owes, over all ventures, in ``asset`` (default ETH)."""
        return self.contract.total_held(self.asset(asset).address)

    def history(self, venture_id: int, *, from_block: int = 0) -> tuple[VentureEvent, ...]:
        """Every event of venture ``venture_id``, oldest first, as typed records (an unknown id
        raises the contract's ``JointVentureEscrowUnknownVenture``)."""
        vid = _venture_id(venture_id)
        self.contract.venture(vid)
        return venture_history(self.contract, vid, from_block=from_block)

    # ----------------------------------------------------------------------------- actions

    def deposit(self, venture_id: int, amount: Amountish, *, approve: bool = True) -> TxResult:
        """Pay ``amount`` towards the sender's contribution. For an ERC-20 venture the escrow is
        first approved for ``amount`` when the allowance is short (unless ``approve=False``; a short
        non-zero allowance is first reset to zero, as USDT-style tokens require). In a dry run with a
        short allowance only the approval is simulated (the deposit needs it to exist).

        Refuses, before sending: a non-partner, zero, more than still owed, a short token balance.
        These repeat the contract on purpose: an ERC-20 deposit cannot be simulated before its
        approval exists, so without them a doomed deposit would first send (and pay for) a real
        approval; ether deposits get the same answers. A fee-on-transfer token credits what arrives:
        pay the rest in a second deposit."""
        vid = _venture_id(venture_id)
        raw = self.contract.venture(vid)
        info = self.asset(raw.asset)
        value = info.parse(amount)
        me = self.sender_address
        position = self.contract.partner(vid, me)
        if position.owed == 0:
            raise InputError(f"{me} is not a partner of venture #{vid}")
        if value <= 0:
            raise InputError("a deposit must be more than zero")
        remaining = position.owed - position.paid
        if value > remaining:
            raise InputError(
                f"{info.format(value)} is more than {me} still owes to venture #{vid} ({info.format(remaining)})"
            )
        if info.is_native:
            return self.contract.deposit(vid, value, value=value)
        token = self._token(info)
        balance = token.balance_of(me)
        if balance < value:
            raise InputError(f"{me} holds {info.format(balance)}, less than the {info.format(value)} to deposit")
        if approve:
            sent = token.approve_if_short(me, self.address, value)
            if sent and sent[-1].dry_run:
                return sent[-1]  # the deposit cannot be simulated before the approval exists
        return self.contract.deposit(vid, value)

    def approve_milestone(self, venture_id: int, index: int, *, release: bool = False) -> TxResult:
        """Approve milestone ``index`` as the sender; with ``release=True`` also release it when this
        approval reaches the quorum (returns the last transaction sent)."""
        vid, idx = _venture_id(venture_id), _milestone_index(index)
        tx = self.contract.approve_milestone(vid, idx)
        if release and not tx.dry_run and MilestoneReleasableEvent.from_result(tx, self.address):
            return self.contract.release_milestone(vid, idx)
        return tx

    def release_milestone(self, venture_id: int, index: int) -> TxResult:
        """Release milestone ``index`` (it must have reached the quorum): its amount is credited to
        the beneficiary. Anyone may do it."""
        return self.contract.release_milestone(_venture_id(venture_id), _milestone_index(index))

    def withdraw(self, venture_id: int, to: str | None = None) -> TxResult:
        """As the beneficiary, take out everything released, paid to ``to`` (address or member label;
        default: the sender)."""
        vid = _venture_id(venture_id)
        return self.contract.withdraw(vid, self._recipient(to))

    def vote_dissolution(self, venture_id: int) -> TxResult:
        """Vote, as a partner, to dissolve the venture; at the quorum it is cancelled."""
        return self.contract.vote_dissolution(_venture_id(venture_id))

    def refund(self, venture_id: int, to: str | None = None) -> TxResult:
        """As a partner of a cancelled or completed venture, take the refund, paid to ``to`` (address
        or member label; default: the sender)."""
        vid = _venture_id(venture_id)
        return self.contract.refund(vid, self._recipient(to))

    def cancel_expired(self, venture_id: int) -> TxResult:
        """Write down the cancellation of a venture whose funding deadline passed unfunded."""
        return self.contract.cancel_expired(_venture_id(venture_id))

    def _recipient(self, to: str | None) -> str:
        return self.sender_address if to is None else self._membership.address_of(to, "recipient")


def _venture_id(value: object) -> int:
    return checks.whole(value, "venture id", minimum=1)


def _milestone_index(value: object) -> int:
    return checks.whole(value, "milestone index")
