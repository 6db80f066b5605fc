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

Malformed input raises :class:`~coopetition.exceptions.InputError` with one line and sends nothing.
Refusals by the contract (wrong state, already approved, ...) arrive as the binding's typed
exceptions (``JointVentureEscrowInvalidState``, ...), raised by the transaction pipeline's
simulation before anything is signed.

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
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from eth_utils.address import is_address, to_checksum_address

from ._runtime import BoundContract
from ._seam import Sender, TxResult
from ._units import format_amount, parse_amount, parse_deadline
from .bindings.joint_venture_escrow import (
    CancelReason,
    ContributionSetEvent,
    DepositedEvent,
    DissolutionVotedEvent,
    JointVentureEscrow,
    MilestoneApprovedEvent,
    MilestoneReleasableEvent,
    MilestoneReleasedEvent,
    MilestoneSetEvent,
    MilestoneState,
    RefundedEvent,
    State,
    VentureActivatedEvent,
    VentureCancelledEvent,
    VentureCompletedEvent,
    VentureCreatedEvent,
    VentureTerms,
    WithdrawnEvent,
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
    "AssetInfo",
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

ETH = "0x" + "00" * 20
"""The asset address the contract uses for ether."""

DEFAULT_DEADLINE = "30d"
"""Funding deadline used when none is given."""

MAX_PARTNERS = 100
MAX_MILESTONES = 100
MAX_NAME_BYTES = 64

Amountish: TypeAlias = int | str
"""An amount: base units (``int``) or human text (``"2.5 ether"``, ``"12000 USDC"``, ``"1000"``)."""

VentureEvent: TypeAlias = (
    VentureCreatedEvent
    | ContributionSetEvent
    | MilestoneSetEvent
    | DepositedEvent
    | VentureActivatedEvent
    | MilestoneApprovedEvent
    | MilestoneReleasableEvent
    | MilestoneReleasedEvent
    | VentureCompletedEvent
    | WithdrawnEvent
    | DissolutionVotedEvent
    | VentureCancelledEvent
    | RefundedEvent
)
"""One typed record of a venture's history (the binding's event dataclasses)."""


# ------------------------------------------------------------------------------------- records


@dataclass(frozen=True)
class AssetInfo:
    """What a venture is funded in: ETH (``address == ETH``) or an ERC-20 with its symbol and decimals."""

    address: str
    symbol: str
    decimals: int

    @property
    def is_eth(self) -> bool:
        return self.address == ETH

    def format(self, value: int) -> str:
        """``value`` base units for humans, exactly: ``'2.5 ETH'``, ``'12000 USDC'``."""
        return format_amount(value, symbol=self.symbol, decimals=self.decimals)

    def parse(self, amount: Amountish) -> int:
        """Base units of ``amount`` (an ``int`` is taken as base units already)."""
        if isinstance(amount, bool):
            raise InputError(f"cannot read amount {amount!r}")
        return parse_amount(amount, symbol=self.symbol, decimals=self.decimals).value


@dataclass(frozen=True)
class PartnerPosition:
    """A partner's position in a venture, in base units."""

    address: str
    index: int
    """Position in the creation order (the remainder rule's order), from 0."""
    owed: int
    paid: int
    owed_before: int
    """Sum of the contributions of the partners listed before this one."""
    refunded: bool
    voted_dissolution: bool
    refundable: int
    """What :meth:`EscrowService.refund` would pay it now (0 when not refundable now)."""

    @property
    def remaining(self) -> int:
        """What it still owes."""
        return self.owed - self.paid


@dataclass(frozen=True)
class MilestoneStatus:
    """A milestone of a venture."""

    index: int
    amount: int
    approvals: int
    state: MilestoneState
    approvers: tuple[str, ...]
    """Partners who approved it, in the venture's partner order."""


@dataclass(frozen=True)
class Venture:
    """A venture as the chain sees it now (amounts in base units of :attr:`asset`)."""

    id: int
    name: str
    asset: AssetInfo
    beneficiary: str
    creator: str
    state: State
    """Effective state: a Funding venture past its deadline reads as Cancelled."""
    stored_state: State
    funding_deadline: int
    quorum: int
    total: int
    """Sum of the contributions owed."""
    deposited: int
    released: int
    """Credited to the beneficiary by released milestones."""
    withdrawn: int
    """Taken out by the beneficiary."""
    refunded: int
    milestone_total: int
    dissolution_votes: int
    partners: tuple[PartnerPosition, ...]
    milestones: tuple[MilestoneStatus, ...]

    @property
    def held(self) -> int:
        """What the escrow holds for this venture: deposited - withdrawn - refunded."""
        return self.deposited - self.withdrawn - self.refunded

    @property
    def withdrawable(self) -> int:
        """What the beneficiary may withdraw now."""
        return self.released - self.withdrawn

    def partner(self, address: str) -> PartnerPosition:
        """The position of partner ``address``; :class:`InputError` if it is not a partner."""
        wanted = _address(address, "partner")
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


# ------------------------------------------------------------------------------- validation


def _address(value: object, what: str, *, allow_zero: bool = False) -> str:
    if not isinstance(value, str) or not is_address(value):
        raise InputError(f"{what} {value!r} is not an address: expected 0x followed by 40 hex digits")
    checked = str(to_checksum_address(value))
    if not allow_zero and checked == ETH:
        raise InputError(f"{what} must not be the zero address")
    return checked


def _venture_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"venture ids are whole numbers from 1, got {value!r}")
    return value


class _Erc20(BoundContract):
    """The few ERC-20 calls the service needs."""

    contract_name: ClassVar[str] = "ERC20"

    def symbol(self) -> str:
        return str(self._call("symbol()", (), ("string",))[0])

    def decimals(self) -> int:
        return int(self._call("decimals()", (), ("uint8",))[0])

    def balance_of(self, owner: str) -> int:
        return int(self._call("balanceOf(address)", (owner,), ("uint256",))[0])

    def allowance(self, owner: str, spender: str) -> int:
        return int(self._call("allowance(address,address)", (owner, spender), ("uint256",))[0])

    def approve(self, spender: str, amount: int) -> TxResult:
        return self._transact("approve", "approve(address,uint256)", (spender, amount))


class _Members(BoundContract):
    """The consortium's membership views (the escrow consults the same)."""

    contract_name: ClassVar[str] = "Consortium"

    def is_member(self, account: str) -> bool:
        return bool(self._call("isMember(address)", (account,), ("bool",))[0])

    def member_by_label(self, label: str) -> str:
        return str(to_checksum_address(self._call("memberByLabel(string)", (label,), ("address",))[0]))


# -------------------------------------------------------------------------------- the service


class EscrowService:
    """The domain API of one deployed JointVentureEscrow.

    Build it from a binding (``EscrowService(JointVentureEscrow(w3, address, sender))``) or with
    :meth:`at`. Reads need no sender; every action sends through the binding's sender.
    """

    def __init__(self, contract: JointVentureEscrow) -> None:
        self.contract = contract
        self._assets: dict[str, AssetInfo] = {}

    @classmethod
    def at(cls, w3: Web3, address: str, sender: Sender | None = None) -> EscrowService:
        """The escrow deployed at ``address``."""
        return cls(JointVentureEscrow(w3, address, sender))

    def with_sender(self, sender: Sender | None) -> EscrowService:
        """The same escrow, sending through ``sender`` (e.g. another partner's account)."""
        return EscrowService(self.contract.with_sender(sender))

    def __repr__(self) -> str:
        return f"EscrowService({self.address})"

    @property
    def address(self) -> str:
        return self.contract.address

    @property
    def w3(self) -> Web3:
        return self.contract.w3

    @property
    def sender_address(self) -> str | None:
        """The account actions are sent from (``None`` without a sender)."""
        found = getattr(self.contract.sender, "address", None)
        return str(to_checksum_address(found)) if isinstance(found, str) and is_address(found) else None

    # ------------------------------------------------------------------------------- assets

    def asset(self, asset: str | None) -> AssetInfo:
        """The asset ``asset`` names: ``None``, ``"ETH"`` or the zero address for ether, else an
        ERC-20 address (its symbol and decimals are read from the token)."""
        if asset is None or (isinstance(asset, str) and asset.strip().upper() in ("ETH", "ETHER")):
            return AssetInfo(ETH, "ETH", 18)
        checked = _address(asset, "asset", allow_zero=True)
        if checked == ETH:
            return AssetInfo(ETH, "ETH", 18)
        if checked not in self._assets:
            if not self.w3.eth.get_code(checked):  # type: ignore[arg-type]
                raise InputError(f"asset {checked} has no code on this network: is it an ERC-20 address?")
            token = _Erc20(self.w3, checked)
            try:
                symbol, decimals = token.symbol(), token.decimals()
            except Exception:
                raise InputError(f"asset {checked} does not answer symbol()/decimals(): is it an ERC-20?") from None
            self._assets[checked] = AssetInfo(checked, symbol, decimals)
        return self._assets[checked]

    def _consortium(self) -> _Members:
        return _Members(self.w3, self.contract.consortium())

    def _partner_address(self, ref: str, members: _Members) -> str:
        if isinstance(ref, str) and is_address(ref):
            return _address(ref, "partner")
        if not isinstance(ref, str) or not ref.strip():
            raise InputError(f"partner {ref!r} is neither an address nor a member label")
        found = members.member_by_label(ref)
        if found == ETH:
            raise InputError(f"no consortium member is labelled {ref!r}")
        return found

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
        """Validated terms of a new venture, exactly as :meth:`create` would send them.

        ``partners`` maps a partner (address or consortium label) to its contribution; their order
        is the remainder rule's order. ``quorum`` defaults to a majority of the partners.
        """
        if not isinstance(name, str):
            raise InputError("a venture name must be text")
        if len(name.encode("utf-8")) > MAX_NAME_BYTES:
            raise InputError(f"venture name {name!r} is longer than {MAX_NAME_BYTES} bytes")
        info = self.asset(asset)
        members = self._consortium()
        pairs = list(partners.items()) if isinstance(partners, Mapping) else list(partners)
        if not pairs:
            raise InputError("a venture needs at least one partner")
        if len(pairs) > MAX_PARTNERS:
            raise InputError(f"a venture has at most {MAX_PARTNERS} partners, got {len(pairs)}")
        addresses: list[str] = []
        amounts: list[int] = []
        for ref, amount in pairs:
            who = self._partner_address(ref, members)
            if who in addresses:
                raise InputError(f"partner {who} is given twice")
            if not members.is_member(who):
                raise InputError(f"partner {who} is not a member of the consortium")
            value = info.parse(amount)
            if value <= 0:
                raise InputError(f"partner {ref}'s contribution must be more than zero")
            addresses.append(who)
            amounts.append(value)
        total = sum(amounts)
        if total >= 2**128:
            raise InputError(f"the contributions add up to {total} base units, more than the contract can hold")
        if not milestones:
            raise InputError("a venture needs at least one milestone")
        if len(milestones) > MAX_MILESTONES:
            raise InputError(f"a venture has at most {MAX_MILESTONES} milestones, got {len(milestones)}")
        steps = [info.parse(m) for m in milestones]
        for i, value in enumerate(steps):
            if value <= 0:
                raise InputError(f"milestone {i} must pay more than zero")
        if sum(steps) > total:
            raise InputError(
                f"the milestones add up to {info.format(sum(steps))}, more than the contributions"
                f" ({info.format(total)})"
            )
        if quorum is None:
            quorum = len(addresses) // 2 + 1
        if isinstance(quorum, bool) or not isinstance(quorum, int) or not 1 <= quorum <= len(addresses):
            raise InputError(f"quorum {quorum!r} must be between 1 and the number of partners ({len(addresses)})")
        who_pays = _address(beneficiary, "beneficiary")
        when = self.deadline_timestamp(deadline)
        return VentureTerms(
            name=name, asset=info.address, beneficiary=who_pays, partners=tuple(addresses),
            contributions=tuple(amounts), milestones=tuple(steps), funding_deadline=when, quorum=quorum,
        )

    def deadline_timestamp(self, deadline: str | int) -> int:
        """Absolute deadline for a duration (``"30d"``, ``3600`` seconds) or an ISO date, measured
        from the latest block's timestamp (not the local clock)."""
        if isinstance(deadline, bool):
            raise InputError(f"cannot read deadline {deadline!r}: write e.g. '30d' or 2027-01-31")
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        when = parse_deadline(deadline, now=now)
        if when >= 2**64:
            raise InputError(f"deadline {when} is too far in the future")
        return when

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
        """Venture ``venture_id`` now; :class:`InputError` if there is no such venture."""
        vid = self._existing(venture_id)
        raw = self.contract.venture(vid)
        info = self.asset(raw.asset)
        addresses = self.contract.partners(vid)
        positions = []
        for k, who in enumerate(addresses):
            p = self.contract.partner(vid, who)
            positions.append(PartnerPosition(
                address=who, index=k, owed=p.owed, paid=p.paid, owed_before=p.owed_before,
                refunded=p.refunded, voted_dissolution=p.voted_dissolution,
                refundable=self.contract.refundable(vid, who),
            ))
        steps = []
        for i in range(raw.milestone_count):
            m = self.contract.milestone(vid, i)
            approvers = tuple(a for a in addresses if self.contract.has_approved(vid, i, a))
            steps.append(MilestoneStatus(i, m.amount, m.approvals, m.state, approvers))
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
        """Every event of venture ``venture_id``, oldest first, as typed records."""
        vid = self._existing(venture_id)
        ev = self.contract.events
        found: list[VentureEvent] = []
        found.extend(ev.venture_created(from_block=from_block, venture_id=vid))
        found.extend(ev.contribution_set(from_block=from_block, venture_id=vid))
        found.extend(ev.milestone_set(from_block=from_block, venture_id=vid))
        found.extend(ev.deposited(from_block=from_block, venture_id=vid))
        found.extend(ev.venture_activated(from_block=from_block, venture_id=vid))
        found.extend(ev.milestone_approved(from_block=from_block, venture_id=vid))
        found.extend(ev.milestone_releasable(from_block=from_block, venture_id=vid))
        found.extend(ev.milestone_released(from_block=from_block, venture_id=vid))
        found.extend(ev.venture_completed(from_block=from_block, venture_id=vid))
        found.extend(ev.withdrawn(from_block=from_block, venture_id=vid))
        found.extend(ev.dissolution_voted(from_block=from_block, venture_id=vid))
        found.extend(ev.venture_cancelled(from_block=from_block, venture_id=vid))
        found.extend(ev.refunded(from_block=from_block, venture_id=vid))
        return tuple(sorted(found, key=lambda e: (e.block_number, e.log_index)))

    # ----------------------------------------------------------------------------- actions

    def deposit(self, venture_id: int, amount: Amountish, *, approve: bool = True) -> TxResult:
        """Pay ``amount`` towards the sender's contribution. For an ERC-20 venture the escrow is
        first approved for ``amount`` when the allowance is short (unless ``approve=False``; a short
        non-zero allowance is first reset to zero, as USDT-style tokens require). In a dry run with a
        short allowance only the approval is simulated (the deposit needs it to exist).
        Refuses, before sending: no sender, a non-partner, zero, more than still owed, a short
        token balance. A fee-on-transfer token credits what arrives: pay the rest in a second deposit."""
        vid = self._existing(venture_id)
        raw = self.contract.venture(vid)
        info = self.asset(raw.asset)
        value = info.parse(amount)
        me = self._require_sender()
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
        if info.is_eth:
            return self.contract.deposit(vid, value, value=value)
        token = _Erc20(self.w3, info.address, self.contract.sender)
        balance = token.balance_of(me)
        if balance < value:
            raise InputError(f"{me} holds {info.format(balance)}, less than the {info.format(value)} to deposit")
        allowance = token.allowance(me, self.address) if approve else value
        if allowance < value:
            if allowance > 0:  # USDT-style tokens refuse to change a non-zero allowance: reset it first
                reset = token.approve(self.address, 0)
                if reset.dry_run:
                    return reset
            approval = token.approve(self.address, value)
            if approval.dry_run:
                return approval  # the deposit cannot be simulated before the approval exists
        return self.contract.deposit(vid, value)

    def approve_milestone(self, venture_id: int, index: int, *, release: bool = False) -> TxResult:
        """Approve milestone ``index`` as the sender; with ``release=True`` also release it when this
        approval reaches the quorum (returns the last transaction sent)."""
        vid = self._existing(venture_id)
        idx = self._milestone_index(vid, index)
        tx = self.contract.approve_milestone(vid, idx)
        if release and not tx.dry_run and MilestoneReleasableEvent.from_result(tx, self.address):
            return self.contract.release_milestone(vid, idx)
        return tx

    def release_milestone(self, venture_id: int, index: int) -> TxResult:
        """Release milestone ``index`` (it must have reached the quorum): its amount is credited to
        the beneficiary. Anyone may do it."""
        vid = self._existing(venture_id)
        return self.contract.release_milestone(vid, self._milestone_index(vid, index))

    def withdraw(self, venture_id: int, to: str | None = None) -> TxResult:
        """As the beneficiary, take out everything released, paid to ``to`` (default: the sender)."""
        vid = self._existing(venture_id)
        me = self._require_sender()
        return self.contract.withdraw(vid, _address(to, "recipient") if to is not None else me)

    def vote_dissolution(self, venture_id: int) -> TxResult:
        """Vote, as a partner, to dissolve the venture; at the quorum it is cancelled."""
        return self.contract.vote_dissolution(self._existing(venture_id))

    def refund(self, venture_id: int, to: str | None = None) -> TxResult:
        """As a partner of a cancelled or completed venture, take the refund, paid to ``to``
        (default: the sender)."""
        vid = self._existing(venture_id)
        me = self._require_sender()
        return self.contract.refund(vid, _address(to, "recipient") if to is not None else me)

    def cancel_expired(self, venture_id: int) -> TxResult:
        """Write down the cancellation of a venture whose funding deadline passed unfunded."""
        return self.contract.cancel_expired(self._existing(venture_id))

    # ----------------------------------------------------------------------------- helpers

    def _existing(self, venture_id: int) -> int:
        vid = _venture_id(venture_id)
        count = self.contract.venture_count()
        if vid > count:
            raise InputError(f"there is no venture #{vid}: the escrow has {count} venture(s)")
        return vid

    def _milestone_index(self, vid: int, index: int) -> int:
        count = self.contract.venture(vid).milestone_count
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            raise InputError(f"venture #{vid} has milestones 0 to {count - 1}, not {index!r}")
        return index

    def _require_sender(self) -> str:
        me = self.sender_address
        if me is None:
            raise InputError("this action sends a transaction: connect with an account")
        return me


def describe_event(event: VentureEvent, asset: AssetInfo) -> str:
    """One line saying what ``event`` did, amounts in ``asset``'s units."""
    if isinstance(event, VentureCreatedEvent):
        return f"created {event.name!r} by {event.creator}: total {asset.format(event.total)}, quorum {event.quorum}"
    if isinstance(event, ContributionSetEvent):
        return f"partner {event.index} {event.partner} owes {asset.format(event.amount)}"
    if isinstance(event, MilestoneSetEvent):
        return f"milestone {event.index} pays {asset.format(event.amount)}"
    if isinstance(event, DepositedEvent):
        return f"{event.partner} deposited {asset.format(event.credited)} (paid {asset.format(event.paid)})"
    if isinstance(event, VentureActivatedEvent):
        return "fully funded: Active"
    if isinstance(event, MilestoneApprovedEvent):
        return f"{event.partner} approved milestone {event.index} ({event.approvals} approval(s))"
    if isinstance(event, MilestoneReleasableEvent):
        return f"milestone {event.index} reached the quorum: releasable"
    if isinstance(event, MilestoneReleasedEvent):
        return f"milestone {event.index} released: {asset.format(event.amount)} to {event.beneficiary}"
    if isinstance(event, VentureCompletedEvent):
        return "every milestone released: Completed"
    if isinstance(event, WithdrawnEvent):
        return f"beneficiary withdrew {asset.format(event.amount)} to {event.to}"
    if isinstance(event, DissolutionVotedEvent):
        return f"{event.partner} voted to dissolve ({event.votes} vote(s))"
    if isinstance(event, VentureCancelledEvent):
        reason = "deadline missed" if event.reason == CancelReason.DEADLINE_MISSED else "dissolved by vote"
        return f"cancelled: {reason}"
    return f"{event.partner} refunded {asset.format(event.amount)} to {event.to}"
