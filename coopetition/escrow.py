"""Joint ventures as their partners think of them: terms, deposits, milestones, exits, refunds.

:class:`EscrowService` wraps the generated
:class:`~coopetition.bindings.joint_venture_escrow.JointVentureEscrow` binding with what a
back-office script or the CLI needs and the binding cannot know:

* amounts in human units (``"2.5 ether"``, ``"12000 USDC"`` read with the token's own decimals) or
  raw base units (``int``), deadlines and long-stop dates as durations (``"30d"``) or ISO dates
  measured from the chain's latest block;
* partners referred to by address or by consortium label; typed snapshots (:class:`Venture`, :class:`PartnerPosition`, :class:`MilestoneStatus`, each
  partner's ways out in words) and a venture's history, oldest first;
* ERC-20 deposits that approve the escrow first when the allowance is short.

Malformed input raises :class:`~coopetition.exceptions.InputError` with one line and sends nothing.
The contract's rules are left to it: the pipeline simulates before signing, so a refusal arrives as
the binding's typed exception and nothing is sent (:meth:`EscrowService.deposit` checks before an
ERC-20 approval).

The contract's rules worth knowing here (``contracts/interfaces/IJointVentureEscrow.sol``): a venture
is Funding until every contribution is paid, then Active (dissolution votes cast while funding are
cleared); a milestone approved by the quorum is *releasable* and becomes *released* (credited to the
beneficiary) when anyone releases it; the beneficiary pulls it to an address of its choice or anyone
pushes it to the beneficiary; releasing the last milestone completes the venture. **An exit always
exists**: the dissolution quorum is at most ``partners - quorum + 1`` (whoever can block a release can
dissolve: in a 2-of-2 either partner alone), the funding deadline is at most
:data:`MAX_FUNDING_PERIOD` after creation, and after the long-stop date (at most
:data:`MAX_LONG_STOP` after creation) any partner may cancel an Active venture. Refunds (Cancelled or
Completed) are pulled by the partner or pushed by anyone, and follow the remainder rule
:func:`refund_shares` reproduces: partner ``k`` (in creation order) keeps
``floor(R*C_k/T) - floor(R*C_(k-1)/T)`` of the released amount ``R``.

**The defaults never deadlock**: ``quorum`` defaults to a majority (``n // 2 + 1``), the dissolution
quorum to ``partners - quorum + 1`` (the contract's bound: exactly the smallest coalition that can
block a release), the funding deadline to :data:`DEFAULT_DEADLINE` and the long-stop to
:data:`DEFAULT_LONG_STOP` from now (after any valid funding deadline, within the five-year bound).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, TypeAlias

from ._domain import checks
from ._domain.activity import Activity, BlockSpan, stamped
from ._domain.asset import Asset
from ._domain.checks import ZERO_ADDRESS
from ._domain.escrow_events import VentureEvent, describe_event, venture_history, venture_rows
from ._domain.escrow_reads import held_in, prefetch_ventures, select_ventures
from ._domain.escrow_records import (
    MilestoneStatus,
    PartnerPosition,
    Venture,
    VentureRef,
    exit_routes,
    refund_shares,
)
from ._domain.service import Service
from ._runtime import read_batch
from ._seam import Sender, TxResult
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
    "DEFAULT_LONG_STOP",
    "ETH",
    "MAX_FUNDING_PERIOD",
    "MAX_LONG_STOP",
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
    "default_dissolution_quorum",
    "default_quorum",
    "describe_event",
    "refund_shares",
]

ETH = ZERO_ADDRESS
"""The asset address the contract uses for ether (the zero address; :meth:`Asset.ether`)."""

DEFAULT_DEADLINE = "30d"
"""Funding deadline used when none is given."""

DEFAULT_LONG_STOP = "730d"
"""Long-stop date used when none is given (two years from now): after any funding deadline the
contract accepts (at most :data:`MAX_FUNDING_PERIOD`), before its bound :data:`MAX_LONG_STOP`."""

MAX_PARTNERS = 100
MAX_MILESTONES = 100
MAX_NAME_BYTES = 64
MAX_FUNDING_PERIOD = 365 * 86400
"""The contract's bound: a funding deadline at most this many seconds after creation."""
MAX_LONG_STOP = 5 * 365 * 86400
"""The contract's bound: a long-stop date at most this many seconds after creation."""

Amountish: TypeAlias = int | str
"""An amount: base units (``int``) or human text (``"2.5 ether"``, ``"12000 USDC"``, ``"1000"``)."""


def default_quorum(partners: int) -> int:
    """The release quorum used when none is given: a majority, ``partners // 2 + 1``."""
    return partners // 2 + 1


def default_dissolution_quorum(partners: int, quorum: int) -> int:
    """The dissolution quorum used when none is given: ``partners - quorum + 1``, the smallest
    coalition that can block a release (the contract's upper bound), so whoever can block a release
    can dissolve the venture (in a 2-of-2 either partner alone). At least 1."""
    return max(1, partners - quorum + 1)


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
        long_stop: str | int = DEFAULT_LONG_STOP,
        quorum: int | None = None,
        dissolution_quorum: int | None = None,
    ) -> VentureTerms:
        """The terms of a new venture, exactly as :meth:`create` would send them.

        ``partners`` maps a partner (address or consortium label) to its contribution; their order
        is the remainder rule's order. ``beneficiary`` is an address or a label. ``deadline`` (funding)
        and ``long_stop`` are durations from the latest block or ISO dates.

        The defaults never deadlock: ``quorum`` defaults to a majority (:func:`default_quorum`),
        ``dissolution_quorum`` to ``partners - quorum + 1`` (:func:`default_dissolution_quorum`: whoever
        can block a release can dissolve), ``long_stop`` to :data:`DEFAULT_LONG_STOP` (after any valid
        funding deadline, within the contract's five-year bound). Here only the inputs are read
        (addresses, labels, amounts in the asset's units, dates); the contract's rules (the bounds of
        both quorums and both dates among them) are checked by its simulation.
        """
        checks.text_bytes(name, "venture name", minimum=0, maximum=MAX_NAME_BYTES)
        info = self.asset(asset)
        pairs = list(partners.items()) if isinstance(partners, Mapping) else list(partners)
        addresses = tuple(self._membership.address_of(ref, "partner") for ref, _ in pairs)
        amounts = tuple(info.parse(amount) for _, amount in pairs)
        steps = tuple(info.parse(m) for m in milestones)
        quorum = checks.whole(default_quorum(len(addresses)) if quorum is None else quorum, "quorum", minimum=1)
        if dissolution_quorum is None:
            dissolution_quorum = default_dissolution_quorum(len(addresses), quorum)
        return VentureTerms(
            name=name, asset=info.address, beneficiary=self._membership.address_of(beneficiary, "beneficiary"),
            partners=addresses, contributions=amounts, milestones=steps,
            funding_deadline=self.deadline_timestamp(deadline), long_stop=self._deadline(long_stop, "long-stop"),
            quorum=quorum, dissolution_quorum=checks.whole(dissolution_quorum, "dissolution quorum", minimum=1),
        )

    def deadline_timestamp(self, deadline: str | int) -> int:
        """Absolute deadline for a duration (``"30d"``, ``3600`` seconds) or an ISO date, measured
        from the latest block's timestamp (not the local clock)."""
        return self._deadline(deadline, "deadline")

    def create(self, terms: VentureTerms) -> VentureRef:
        """Create a venture with ``terms`` (build them with :meth:`terms`)."""
        tx = self.contract.create_venture(terms)
        created = VentureCreatedEvent.from_result(tx, self.address)
        return VentureRef(id=created[0].venture_id if created else 0, tx=tx,
                          dissolution_quorum=terms.dissolution_quorum, long_stop=terms.long_stop)

    def create_venture(
        self,
        name: str,
        *,
        partners: Mapping[str, Amountish] | Sequence[tuple[str, Amountish]],
        milestones: Sequence[Amountish],
        beneficiary: str,
        asset: str | None = None,
        deadline: str | int = DEFAULT_DEADLINE,
        long_stop: str | int = DEFAULT_LONG_STOP,
        quorum: int | None = None,
        dissolution_quorum: int | None = None,
    ) -> Venture:
        """Create a venture and return it as the chain now sees it (see :meth:`terms` for the
        arguments and the defaults that never deadlock). In a dry run nothing is created:
        :class:`InputError` tells so."""
        ref = self.create(self.terms(
            name, partners=partners, milestones=milestones, beneficiary=beneficiary, asset=asset,
            deadline=deadline, long_stop=long_stop, quorum=quorum, dissolution_quorum=dissolution_quorum,
        ))
        if ref.id == 0:
            raise InputError("dry run: the venture was simulated, not created (use create() for the preview)")
        return self.venture(ref.id)

    # ------------------------------------------------------------------------------- reads

    def venture_count(self) -> int:
        return self.contract.venture_count()

    def venture(self, venture_id: int) -> Venture:
        """Venture ``venture_id`` now, with each partner's ways out (an unknown id raises the
        contract's ``JointVentureEscrowUnknownVenture``)."""
        return self._read((_venture_id(venture_id),))[0]

    def ventures(self, *, after: int = 0, limit: int | None = None, state: State | None = None,
                 partner: str | None = None) -> tuple[Venture, ...]:
        """The ventures after id ``after`` (default: from the first), oldest first, at most ``limit``; only
        those in ``state``, and of ``partner`` (address or label), when given. Constant round trips a page."""
        who = None if partner is None else self._membership.address_of(partner, "partner")
        with read_batch(self.w3):
            return self._read(select_ventures(self.contract, checks.page(self.venture_count(), after), limit, state, who))

    def _read(self, ids: Sequence[int]) -> tuple[Venture, ...]:
        with read_batch(self.w3) as batch:
            prefetch_ventures(batch, self.contract, ids)
            now = int(self.w3.eth.get_block("latest")["timestamp"])
            return tuple(self._venture(v, now) for v in ids)

    def _venture(self, vid: int, now: int) -> Venture:
        c = self.contract
        raw = c.venture(vid)
        info = self.asset(raw.asset)
        state = c.venture_state(vid)
        votes = c.dissolution_votes(vid)
        addresses = c.partners(vid)
        positions = []
        for k, who in enumerate(addresses):
            p = c.partner(vid, who)
            refundable = c.refundable(vid, who)
            exits = exit_routes(
                state=state, stored_state=raw.state, partners=len(addresses), needed=votes.needed,
                standing=votes.standing, voted=p.voted_dissolution, funding_deadline=raw.funding_deadline,
                long_stop=raw.long_stop, now=now, paid=p.paid, refunded=p.refunded, refundable=refundable,
                asset=info,
            )
            positions.append(PartnerPosition(
                address=who, index=k, owed=p.owed, paid=p.paid, owed_before=p.owed_before, refunded=p.refunded,
                voted_dissolution=p.voted_dissolution, refundable=refundable, exits=exits, asset=info,
            ))
        steps = []
        for i in range(raw.milestone_count):
            m = c.milestone(vid, i)
            approvers = tuple(a for a in addresses if c.has_approved(vid, i, a))
            steps.append(MilestoneStatus(i, m.amount, m.approvals, m.state, approvers, info))
        deposited = sum(p.paid for p in positions)
        held = c.held_for(vid)
        return Venture(
            id=vid, name=c.venture_name(vid), asset=info, beneficiary=raw.beneficiary, creator=raw.creator,
            state=state, stored_state=raw.state, funding_deadline=raw.funding_deadline, long_stop=raw.long_stop,
            quorum=raw.quorum, dissolution_quorum=votes.needed, dissolution_votes=votes.standing,
            total=raw.total, deposited=deposited, released=raw.released, withdrawn=raw.withdrawn,
            withdrawable=raw.withdrawable, refunded=deposited - raw.withdrawn - held, held=held,
            milestone_total=raw.milestone_total, partners=tuple(positions), milestones=tuple(steps),
        )

    def dissolution_votes(self, venture_id: int) -> tuple[int, int]:
        """``(needed, standing)``: the votes that dissolve venture ``venture_id`` and those cast."""
        votes = self.contract.dissolution_votes(_venture_id(venture_id))
        return votes.needed, votes.standing

    def reserved(self, asset: str | None = None) -> int:
        """What the ventures in ``asset`` (default ETH) reserve together: an upper bound of what
        they owe (a venture lowers its reserve with :meth:`release_reserve`)."""
        return self.contract.reserved(self.asset(asset).address)

    def total_held(self, asset: str | None = None) -> int:
        """What the escrow owes now, over all ventures in ``asset`` (default ETH): the sum of each
        venture's :attr:`Venture.held` (one batch of reads)."""
        return held_in(self.contract, range(1, self.venture_count() + 1), self.asset(asset).address)

    def history(self, venture_id: int, *, from_block: int = 0) -> tuple[VentureEvent, ...]:
        """Every event of venture ``venture_id``, oldest first, as typed records (an unknown id
        raises the contract's ``JointVentureEscrowUnknownVenture``)."""
        vid = _venture_id(venture_id)
        self.contract.venture(vid)
        return venture_history(self.contract, vid, from_block=from_block)

    def activity(self, venture_id: int | None = None, *, from_block: int = 0) -> tuple[Activity, ...]:
        """What happened in venture ``venture_id`` (every venture if ``None``) as :class:`Activity`
        rows with block times, read in block ranges from ``from_block`` to the head."""
        vid = None if venture_id is None else _venture_id(venture_id)
        if vid is not None:
            self.contract.venture(vid)
        events = venture_history(self.contract, vid, span=BlockSpan.upto_head(self.contract.w3, from_block))
        ids = sorted({e.venture_id for e in events})
        with read_batch(self.w3) as batch:  # every venture's asset in one batch, not a read each
            batch.prefetch(partial(self.contract.venture, v) for v in ids)
            assets = {v: self._asset(self.contract.venture(v).asset) for v in ids}
        return stamped(self.contract.w3, venture_rows(events, assets.__getitem__))

    # ----------------------------------------------------------------------------- actions

    def deposit(self, venture_id: int, amount: Amountish, *, approve: bool = True) -> TxResult:
        """Pay ``amount`` towards the sender's contribution. For an ERC-20 venture the escrow is
        first approved for ``amount`` when the allowance is short (unless ``approve=False``; a short
        non-zero allowance is first reset to zero, as USDT-style tokens require). In a dry run with a
        short allowance only the approval is simulated (the deposit needs it to exist).

        Refuses, before sending: a non-partner, zero, more than still owed, a short token balance.
        These repeat the contract on purpose: an ERC-20 deposit cannot be simulated before its
        approval exists, so without them a doomed deposit would first send (and pay for) a real
        approval; ether deposits get the same answers. A fee-on-transfer token is refused by the
        contract (exactly the amount must arrive)."""
        vid = _venture_id(venture_id)
        me = self.sender_address
        with read_batch(self.w3) as batch:  # both reads in one round trip
            batch.prefetch((partial(self.contract.venture, vid), partial(self.contract.partner, vid, me)))
            raw, position = self.contract.venture(vid), self.contract.partner(vid, me)
        value = (info := self.asset(raw.asset)).parse(amount)
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
        """As the beneficiary, take out everything released (pull), paid to ``to`` (address or member
        label; default: the sender)."""
        vid = _venture_id(venture_id)
        return self.contract.withdraw(vid, self._recipient(to))

    def push_withdrawal(self, venture_id: int) -> TxResult:
        """Pay everything released and not yet paid to the venture's recorded beneficiary (push).
        Anyone may do it: for a beneficiary contract that cannot call :meth:`withdraw`."""
        return self.contract.push_withdrawal(_venture_id(venture_id))

    def vote_dissolution(self, venture_id: int) -> TxResult:
        """Vote, as a partner, to dissolve the venture (Funding or Active); at the dissolution quorum
        it is cancelled and every partner refunds. Votes cast while funding are cleared at activation."""
        return self.contract.vote_dissolution(_venture_id(venture_id))

    dissolve = vote_dissolution

    def withdraw_vote(self, venture_id: int) -> TxResult:
        """Withdraw the sender's standing dissolution vote (unvote)."""
        return self.contract.withdraw_vote(_venture_id(venture_id))

    def cancel_after_long_stop(self, venture_id: int) -> TxResult:
        """As a partner, cancel an Active venture whose long-stop date has passed: no more releases,
        every partner refunds its share of what was not released."""
        return self.contract.cancel_after_long_stop(_venture_id(venture_id))

    def cancel_expired(self, venture_id: int) -> TxResult:
        """Write down the cancellation of a venture whose funding deadline passed unfunded (anyone)."""
        return self.contract.cancel_expired(_venture_id(venture_id))

    def refund(self, venture_id: int, to: str | None = None) -> TxResult:
        """As a partner of a cancelled or completed venture, take the refund (pull), paid to ``to``
        (address or member label; default: the sender)."""
        vid = _venture_id(venture_id)
        return self.contract.refund(vid, self._recipient(to))

    def push_refund(self, venture_id: int, partner: str) -> TxResult:
        """Pay ``partner``'s refund (address or member label) to that partner itself (push). Anyone
        may do it."""
        vid = _venture_id(venture_id)
        return self.contract.push_refund(vid, self._membership.address_of(partner, "partner"))

    def release_reserve(self, venture_id: int) -> TxResult:
        """Lower the venture's reserve to what it still owes (anyone, once it stopped funding)."""
        return self.contract.release_reserve(_venture_id(venture_id))

    def _recipient(self, to: str | None) -> str:
        return self.sender_address if to is None else self._membership.address_of(to, "recipient")


def _venture_id(value: object) -> int:
    return checks.whole(value, "venture id", minimum=1)


def _milestone_index(value: object) -> int:
    return checks.whole(value, "milestone index")
