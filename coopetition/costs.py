"""Shared R&D cost splitting as its participants think of it: pools, expenses, votes, settlement.

:class:`CostSharingService` wraps the generated :class:`~coopetition.bindings.cost_sharing.CostSharing`
binding with what a back-office script or the CLI needs and the binding cannot know:

* pools created from ``{participant: share}`` (participants by address or member label) where shares
  are basis points (``5000``) or percentages (``"50%"``);
* amounts in human units of the pool's asset (``"1.5 ether"``, ``"12000 USDC"``) or base units;
* evidence documents hashed locally (:func:`hash_evidence`, SHA-256 of the file's bytes: the document
  never leaves the machine; anyone holding it can check it with ``sha256sum``);
* typed snapshots (:class:`Pool`, :class:`Expense`, :class:`Position`) and the pool's event history
  as :class:`HistoryEntry` records;
* :meth:`~CostSharingService.pay` approving the token first when the pool holds an ERC-20, and
  defaulting to the whole debt; :meth:`~CostSharingService.claim` defaulting to everything claimable now.

Malformed input (an address, a share, an amount, an evidence hash, a label nobody has) raises
:class:`~coopetition.exceptions.InputError` with one line and sends nothing. The contract's rules
(shares summing to 100%, members only, the minimum expense, votes, overpaying, ...) are left to it:
the pipeline simulates before signing, so a refusal arrives as the binding's typed exception
(``CostSharingSharesNotTotal``, ``CostSharingAlreadyVoted``, ...) and nothing is sent.

The contract's remainder rule (see ``contracts/CostSharing.sol``): participant ``i`` of a pool owns the
basis-point interval ``[lower_i, upper_i)`` in the order given at creation and, after a total ``T`` has
been booked, owes ``floor(T*upper_i/10000) - floor(T*lower_i/10000)``. The amounts owed add up to
``T`` exactly, each within 1 wei of the exact share; :func:`split` computes the same numbers offline.
An expense must be at least ``ceil(10000 / smallest share)`` base units (:func:`min_amount`), so that
no participant's part of an expense is ever negative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._domain import checks
from ._domain.asset import Asset
from ._domain.costs_history import HistoryEntry, pool_history
from ._domain.costs_inputs import (
    TOTAL_SHARES,
    hash_evidence,
    min_amount,
    owed_after,
    parse_evidence_hash,
    parse_share,
    split,
)
from ._domain.service import Service
from ._seam import Sender, TxResult
from ._units import Wei
from .bindings.cost_sharing import (
    ClaimedEvent,
    CostSharing,
    ExpenseApprovedEvent,
    ExpenseBookedEvent,
    ExpenseRejectedEvent,
    ExpenseStatus,
    ExpenseSubmittedEvent,
    ExpenseWithdrawnEvent,
    PaidInEvent,
    PoolCreatedEvent,
    RejectionRecordedEvent,
    Vote,
)
from .exceptions import InputError

if TYPE_CHECKING:
    from web3 import Web3

__all__ = [
    "MAX_PARTICIPANTS",
    "MAX_TEXT_BYTES",
    "TOTAL_SHARES",
    "Asset",
    "CostSharingService",
    "Expense",
    "ExpenseRef",
    "ExpenseStatus",
    "HistoryEntry",
    "Pool",
    "PoolParticipant",
    "PoolRef",
    "Position",
    "Vote",
    "hash_evidence",
    "min_amount",
    "owed_after",
    "parse_evidence_hash",
    "parse_share",
    "split",
]

MAX_PARTICIPANTS = 200
"""Most participants the contract accepts in one pool."""
MAX_TEXT_BYTES = 64
"""Longest pool name and expense reference, in bytes of UTF-8."""


# ------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class PoolParticipant:
    address: str
    share_bps: int


@dataclass(frozen=True)
class Pool:
    """A cost pool now (amounts in base units of :attr:`asset`)."""

    id: int
    name: str
    asset: Asset
    creator: str
    quorum: int
    participants: tuple[PoolParticipant, ...]
    created_at: int
    total_booked: Wei
    total_paid_in: Wei
    total_withdrawn: Wei

    @property
    def held(self) -> Wei:
        """What the pool holds: paid in minus withdrawn."""
        return self.total_paid_in - self.total_withdrawn

    def share_of(self, address: str) -> int:
        """Basis points of ``address``; 0 if it is not a participant."""
        wanted = checks.address(address, "account", allow_zero=True)
        return next((p.share_bps for p in self.participants if p.address == wanted), 0)


@dataclass(frozen=True)
class Position:
    """An account's position in a pool (participant or external payee), in base units of :attr:`asset`."""

    account: str
    share_bps: int
    owed: Wei
    """Sum of its shares of the booked expenses."""
    credited: Wei
    """Sum of the booked expenses it is the payee of."""
    paid_in: Wei
    withdrawn: Wei
    debt: Wei
    """What it may still pay in."""
    credit: Wei
    """What it may still claim (as far as the pool holds it)."""
    asset: Asset

    @property
    def net(self) -> Wei:
        """Credit minus debt: positive when it is owed money, negative when it owes."""
        return self.credit - self.debt

    @property
    def cost(self) -> Wei:
        """What it bears once settled: its share of everything booked (``owed``)."""
        return self.owed


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
    status: ExpenseStatus
    approvals: int
    rejections: int
    submitted_at: int
    booked_before: Wei
    """Pool's total booked just before this expense was booked (0 unless booked)."""
    asset: Asset


@dataclass(frozen=True)
class PoolRef:
    """What :meth:`CostSharingService.create_pool` did (``id`` is 0 on a dry run)."""

    id: int
    tx: TxResult


@dataclass(frozen=True)
class ExpenseRef:
    """What :meth:`CostSharingService.submit` did (``id`` is 0 on a dry run)."""

    id: int
    evidence_hash: str
    tx: TxResult


# -------------------------------------------------------------------------------- the service


class CostSharingService(Service):
    """The domain API of one deployed CostSharing contract.

    Build it from a binding (``CostSharingService(CostSharing(w3, address, sender))``) or with
    :meth:`at`. Reads need no sender; every other method sends through the binding's sender.
    """

    contract: CostSharing

    def __init__(self, contract: CostSharing) -> None:
        super().__init__(contract)

    @classmethod
    def at(cls, w3: Web3, address: str, sender: Sender | None = None) -> CostSharingService:
        return cls(CostSharing(w3, address, sender))

    def asset_info(self, asset: str | None) -> Asset:
        """Symbol and decimals of ``asset`` (``None``, ``"ETH"`` or the zero address: ether)."""
        return self._asset(asset)

    # -------------------------------------------------------------------------------- pools

    def create_pool(
        self,
        name: str,
        participants: Mapping[str, str | int] | Sequence[tuple[str, str | int]],
        *,
        quorum: int,
        asset: str | None = None,
    ) -> PoolRef:
        """Create a pool of ``participants`` (address or member label → share in basis points or
        ``"50%"``, in the order that fixes the remainder rule) paying in ``asset`` (``None``,
        ``"ETH"`` or the zero address: ether; else an ERC-20 address). The contract refuses, in the
        simulation and typed: shares not summing to 100%, the same participant twice, a quorum above
        the participants, a creator or participant who is not a member, an asset with no code."""
        checks.text_bytes(name, "pool name", maximum=MAX_TEXT_BYTES)
        pairs = list(participants.items()) if isinstance(participants, Mapping) else list(participants)
        addresses = [self._membership.address_of(who, "participant") for who, _ in pairs]
        shares = [parse_share(share) for _, share in pairs]
        checks.whole(quorum, "quorum", minimum=1)
        asset_address = self.asset_info(asset).address
        tx = self.contract.create_pool(name, asset_address, addresses, shares, quorum)
        created = PoolCreatedEvent.from_result(tx, self.address)
        return PoolRef(created[0].pool_id if created else 0, tx)

    def pool_count(self) -> int:
        return self.contract.pool_count()

    def pool(self, pool_id: int) -> Pool:
        """Pool ``pool_id`` now (an unknown id raises the contract's ``CostSharingUnknownPool``)."""
        pid = _pool_id(pool_id)
        raw = self.contract.pool_info(pid)
        members = self.contract.participants_of(pid)
        return Pool(
            id=pid,
            name=raw.name,
            asset=self.asset_info(raw.asset),
            creator=raw.creator,
            quorum=raw.quorum,
            participants=tuple(PoolParticipant(a, self.contract.share_of(pid, a)) for a in members),
            created_at=raw.created_at,
            total_booked=raw.total_booked,
            total_paid_in=raw.total_paid_in,
            total_withdrawn=raw.total_withdrawn,
        )

    def pools(self) -> tuple[Pool, ...]:
        """Every pool, oldest first."""
        return tuple(self.pool(i) for i in range(1, self.pool_count() + 1))

    def amount(self, pool_id: int, value: str | int) -> int:
        """Base units of ``value`` in the asset of ``pool_id``."""
        return self._pool_asset(pool_id).parse(value)

    def _pool_asset(self, pool_id: int) -> Asset:
        return self.asset_info(self.contract.pool_info(_pool_id(pool_id)).asset)

    # ----------------------------------------------------------------------------- expenses

    def submit(
        self,
        pool_id: int,
        amount: str | int,
        payee: str,
        *,
        evidence: str | Path | None = None,
        evidence_hash: str | bytes | None = None,
        reference: str = "",
    ) -> ExpenseRef:
        """Submit an expense of ``amount`` (human units of the pool's asset, or base units) owed to
        ``payee`` (an address or a member label) once booked. Give the evidence as a file (hashed
        locally) or as its hash."""
        pid = _pool_id(pool_id)
        value = self._pool_asset(pid).parse(amount)
        who = self._membership.address_of(payee, "payee")
        if (evidence is None) == (evidence_hash is None):
            raise InputError("give the evidence either as a file or as its hash (exactly one)")
        digest = hash_evidence(evidence) if evidence is not None else parse_evidence_hash(evidence_hash or b"")
        checks.text_bytes(reference, "reference", minimum=0, maximum=MAX_TEXT_BYTES)
        tx = self.contract.submit_expense(pid, value, who, bytes.fromhex(digest[2:]), reference)
        submitted = ExpenseSubmittedEvent.from_result(tx, self.address)
        return ExpenseRef(submitted[0].expense_id if submitted else 0, digest, tx)

    def expense_count(self) -> int:
        return self.contract.expense_count()

    def expense(self, expense_id: int) -> Expense:
        """Expense ``expense_id`` now (an unknown id raises the contract's ``CostSharingUnknownExpense``)."""
        eid = _expense_id(expense_id)
        raw = self.contract.expense(eid)
        return Expense(
            id=eid,
            pool_id=raw.pool_id,
            submitter=raw.submitter,
            payee=raw.payee,
            amount=raw.amount,
            evidence_hash="0x" + bytes(raw.evidence_hash).hex(),
            reference=raw.ref,
            status=ExpenseStatus(raw.status),
            approvals=raw.approvals,
            rejections=raw.rejections,
            submitted_at=raw.submitted_at,
            booked_before=raw.booked_before,
            asset=self._pool_asset(raw.pool_id),
        )

    def expenses(self, pool_id: int, *, status: ExpenseStatus | None = None) -> tuple[Expense, ...]:
        """The expenses of ``pool_id``, oldest first (found through its submission events)."""
        pid = _pool_id(pool_id)
        self.contract.pool_info(pid)  # an unknown pool raises the contract's typed error
        ids = [e.expense_id for e in self.contract.events.expense_submitted(pool_id=pid)]
        found = (self.expense(i) for i in ids)
        return tuple(e for e in found if status is None or e.status is status)

    def split_of(self, expense_id: int) -> dict[str, int]:
        """Each participant's share of booked expense ``expense_id`` (adds up to its amount exactly)."""
        exp = self.expense(expense_id)
        if exp.status is not ExpenseStatus.BOOKED:
            raise InputError(f"expense {exp.id} is {exp.status.name.lower()}, not booked: nobody owes a share of it")
        members = self.contract.participants_of(exp.pool_id)
        return {a: self.contract.share_of_expense(exp.id, a) for a in members}

    def approve(self, expense_id: int) -> TxResult:
        """Approve ``expense_id``; the approval reaching the quorum books it."""
        return self.contract.approve_expense(_expense_id(expense_id))

    def reject(self, expense_id: int) -> TxResult:
        """Vote against ``expense_id``; rejected once the quorum can no longer be reached."""
        return self.contract.reject_expense(_expense_id(expense_id))

    def withdraw_expense(self, expense_id: int) -> TxResult:
        """Withdraw ``expense_id`` (its submitter only, while pending)."""
        return self.contract.withdraw_expense(_expense_id(expense_id))

    # --------------------------------------------------------------------------- settlement

    def position(self, pool_id: int, account: str) -> Position:
        """The position of ``account`` (address or member label) in ``pool_id``."""
        pid = _pool_id(pool_id)
        who = self._membership.address_of(account, "account")
        raw = self.contract.position(pid, who)
        return Position(
            account=who, share_bps=self.contract.share_of(pid, who), owed=raw.owed, credited=raw.credited,
            paid_in=raw.paid_in, withdrawn=raw.withdrawn, debt=raw.debt, credit=raw.credit,
            asset=self._pool_asset(pid),
        )

    def balances(self, pool_id: int) -> tuple[Position, ...]:
        """Every participant's position, then every external payee's, in pool order."""
        pid = _pool_id(pool_id)
        members = list(self.contract.participants_of(pid))
        payees = {e.payee for e in self.contract.events.expense_booked(pool_id=pid)} - set(members)
        return tuple(self.position(pid, a) for a in [*members, *sorted(payees)])

    def pay(self, pool_id: int, amount: str | int | None = None) -> TxResult:
        """Pay ``amount`` (default: the whole debt) of the sender's debt into ``pool_id``. In a token
        pool the contract is first approved for the amount when the allowance is short (a short
        non-zero allowance is reset to zero first, as USDT-style tokens require; in a dry run only
        the approval is simulated).

        Refuses, before sending, a payment above the debt: in a token pool the payment cannot be
        simulated before its approval exists, so without this check an overpayment would first send
        (and pay for) a real approval; ether pools get the same answer."""
        pool = self.pool(pool_id)
        me = self.sender_address
        debt = self.contract.position(pool.id, me).debt
        if amount is None and debt == 0:
            raise InputError(f"{me} owes nothing in pool {pool.id}")
        value = debt if amount is None else pool.asset.parse(amount)
        if value > debt:
            raise InputError(
                f"paying {pool.asset.format(value)} would overpay: {me} owes {pool.asset.format(debt)} in pool {pool.id}"
            )
        if pool.asset.is_native:
            return self.contract.pay(pool.id, value, value=value)
        sent = self._token(pool.asset).approve_if_short(me, self.address, value)
        if sent and sent[-1].dry_run:
            return sent[-1]  # the payment cannot be simulated before the approval exists
        return self.contract.pay(pool.id, value)

    def claimable(self, pool_id: int, account: str) -> int:
        """What ``account`` can claim from ``pool_id`` right now: its credit, as far as the pool holds it."""
        pool = self.pool(pool_id)
        return min(self.position(pool.id, account).credit, pool.held)

    def claim(self, pool_id: int, amount: str | int | None = None, *, to: str | None = None) -> TxResult:
        """Withdraw ``amount`` (default: everything claimable now) of the sender's credit to ``to``
        (address or member label; default: the sender). Without an amount, a sender with nothing
        claimable is told why (no credit, or a pool still waiting for its debtors) before sending."""
        pool = self.pool(pool_id)
        me = self.sender_address
        recipient = me if to is None else self._membership.address_of(to, "recipient")
        if amount is not None:
            return self.contract.claim(pool.id, pool.asset.parse(amount), recipient)
        credit = self.contract.position(pool.id, me).credit
        if credit == 0:
            raise InputError(f"{me} has nothing to claim in pool {pool.id}")
        if pool.held == 0:
            raise InputError(
                f"pool {pool.id} holds nothing yet: {me}'s credit of {pool.asset.format(credit)} becomes"
                " claimable as debtors pay in"
            )
        return self.contract.claim(pool.id, min(credit, pool.held), recipient)

    # ------------------------------------------------------------------------------ history

    def history(self, pool_id: int) -> tuple[HistoryEntry, ...]:
        """Everything that happened in ``pool_id``, in chain order."""
        return pool_history(self.contract, _pool_id(pool_id), self._pool_asset(pool_id))


def _pool_id(value: object) -> int:
    return checks.whole(value, "pool id", minimum=1)


def _expense_id(value: object) -> int:
    return checks.whole(value, "expense id", minimum=1)


# Re-exported event types, so back-office code can type the results of a TxResult.
EVENT_TYPES = (
    ClaimedEvent, ExpenseApprovedEvent, ExpenseBookedEvent, ExpenseRejectedEvent, ExpenseSubmittedEvent,
    ExpenseWithdrawnEvent, PaidInEvent, PoolCreatedEvent, RejectionRecordedEvent,
)
