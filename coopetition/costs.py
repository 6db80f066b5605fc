"""Shared R&D cost pools as their participants think of them: consent, expenses, votes, settlement.

:class:`CostSharingService` wraps the generated :class:`~coopetition.bindings.cost_sharing.CostSharing`
binding (v2) with what a back-office script or the CLI needs and the binding cannot know:

* **Consent.** :meth:`~CostSharingService.create_pool` proposes a pool with its terms (participants
  by address or member label with shares in basis points or ``"50%"``, the approval rule, dispute
  window, settlement period and duration); nobody owes anything until every participant accepted
  them, on chain (:meth:`~CostSharingService.join`) or by an EIP-712 signature
  (:meth:`~CostSharingService.sign_terms`, a :class:`SignedAcceptance` that serialises to JSON)
  which anyone, usually the creator, submits for everyone in one transaction
  (:meth:`~CostSharingService.submit_acceptances`). A participant can
  :meth:`~CostSharingService.leave` a pool that has nothing booked (the pool is void then).
* **Expenses** in human units of the pool's asset, with evidence hashed locally
  (:func:`hash_evidence`, SHA-256; the document never leaves the machine). An expense is booked by approvals of participants other than its payee holding more than the
  rule's part of their shares; a booked expense can be disputed and reversed by the same rule
  within the dispute window (:meth:`~CostSharingService.dispute`).
* **Settlement per period.** Expenses booked in one settlement period are settled together once the
  period and its dispute window have passed. Debtors :meth:`~CostSharingService.pay` their share;
  creditors :meth:`~CostSharingService.claim` their pro-rata part of what the period's debtors paid
  in, so the order of claims does not matter. A debtor who never pays keeps its debt on record; the
  rule can close the pool (:meth:`~CostSharingService.vote_close`); the shortfall stays shared pro rata.

Malformed input raises :class:`~coopetition.exceptions.InputError` with one line and sends nothing;
the contract's rules are left to it (the pipeline simulates first: a typed exception, nothing sent).

The remainder rule: participant ``i`` owns the basis-point interval ``[lower_i, upper_i)`` (creation
order) and owes ``floor(T*upper_i/10000) - floor(T*lower_i/10000)`` of a period's total ``T`` (:func:`split`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._domain import checks, costs_reads
from ._domain.activity import Activity, BlockSpan, stamped
from ._domain.asset import Asset
from ._domain.costs_history import HistoryEntry, pool_history, pool_rows
from ._domain.costs_inputs import (
    TOTAL_SHARES,
    hash_evidence,
    hash_reason,
    owed_after,
    parse_evidence_hash,
    parse_share,
    split,
)
from ._domain.costs_records import (
    Expense,
    ExpenseRef,
    Period,
    Pool,
    PoolParticipant,
    PoolRef,
    Position,
)
from ._domain.costs_signing import SignedAcceptance, read_acceptances, sign_acceptance
from ._domain.paging import scan
from ._domain.service import Service
from ._runtime import read_batch
from ._seam import Sender, TxResult
from .bindings.cost_sharing import (
    CostSharing,
    ExpenseStatus,
    ExpenseSubmittedEvent,
    PoolProposedEvent,
    PoolStatus,
    Terms,
)
from .bindings.cost_sharing import SignedAcceptance as _RawAcceptance
from .exceptions import InputError

if TYPE_CHECKING:
    from web3 import Web3

__all__ = [
    "MAX_PARTICIPANTS", "MAX_TEXT_BYTES", "TOTAL_SHARES", "Asset", "CostSharingService", "Expense", "ExpenseRef",
    "ExpenseStatus", "HistoryEntry", "Period", "Pool", "PoolParticipant", "PoolRef", "PoolStatus", "Position",
    "SignedAcceptance", "hash_evidence", "hash_reason", "owed_after", "parse_evidence_hash", "parse_share",
    "read_acceptances", "split",
]

MAX_PARTICIPANTS = 50
"""Most participants the contract accepts in one pool."""
MAX_TEXT_BYTES = 64
"""Longest pool name and expense reference, in bytes of UTF-8."""
_POSITION_FIELDS = ("owed", "paid", "debt", "credit", "entitlement", "withdrawn", "collectable")


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

    # ------------------------------------------------------------------------------ consent

    def create_pool(
        self,
        name: str,
        participants: Mapping[str, str | int] | Sequence[tuple[str, str | int]],
        *,
        approval: str | int = "50%",
        quorum: int = 2,
        dispute_window: str | int = "2d",
        settlement_period: str | int = "30d",
        duration: str | int = "360d",
        asset: str | None = None,
    ) -> PoolRef:
        """Propose a pool of ``participants`` (address or member label → share, in the order that
        fixes the remainder rule) paying in ``asset``. ``approval`` (basis points or ``"50%"``): an
        expense is booked once participants other than its payee holding more than this part of their
        shares approved it, at least ``quorum`` of them. A participating creator's seat is accepted
        by this call; every other participant must :meth:`join` or sign (:meth:`sign_terms`). The
        contract refuses, typed: bad shares, a duplicate, a quorum outside 2..n, non-members,
        timings out of range, an asset with no code."""
        checks.text_bytes(name, "pool name", maximum=MAX_TEXT_BYTES)
        pairs = list(participants.items()) if isinstance(participants, Mapping) else list(participants)
        addresses = tuple(self._membership.address_of(who, "participant") for who, _ in pairs)
        terms = Terms(
            name=name, asset=self.asset_info(asset).address, participants=addresses,
            shares_bps=tuple(parse_share(share) for _, share in pairs), approval_bps=parse_share(approval),
            quorum=checks.whole(quorum, "quorum", minimum=1, maximum=255),
            dispute_window=checks.duration(dispute_window, "dispute window"),
            settlement_period=checks.duration(settlement_period, "settlement period"),
            duration=checks.duration(duration, "duration"),
        )
        tx = self.contract.create_pool(terms)
        proposed = PoolProposedEvent.from_result(tx, self.address)
        if not proposed:
            creator = getattr(self.sender, "address", None)
            return PoolRef(0, "0x" + self.contract.hash_terms(terms).hex(),
                           tuple(a for a in addresses if a != creator), tx)
        pid = proposed[0].pool_id
        return PoolRef(pid, "0x" + bytes(proposed[0].terms_hash).hex(), self.pool(pid).pending, tx)

    def join(self, pool_id: int, *, terms_hash: str | bytes | None = None) -> TxResult:
        """Accept the terms of proposed pool ``pool_id`` on chain. ``terms_hash`` (default: the hash
        the pool was proposed with) is what the sender agrees to; a mismatch is the contract's
        ``CostSharingTermsMismatch``."""
        pid = _pool_id(pool_id)
        expected = self._terms_hash(pid, terms_hash)
        return self.contract.join_pool(pid, expected)

    def sign_terms(self, pool_id: int, *, deadline: str | int = "7d", signer: Any = None) -> SignedAcceptance:
        """The sender's (or ``signer``'s, an eth_account ``LocalAccount``) EIP-712 acceptance of
        ``pool_id``'s terms, valid until ``deadline`` (a duration from the chain's clock, or a date).
        Nothing is sent: hand the result (:meth:`SignedAcceptance.to_json`) to whoever submits it."""
        pid = _pool_id(pool_id)
        account = signer if signer is not None else getattr(self.sender, "account", None)
        if account is None or not hasattr(account, "sign_message"):
            raise InputError("signing needs a local account: pass --account, or connect with account=...")
        terms_hash = bytes(self.contract.pool_info(pid).terms_hash)
        return sign_acceptance(account, chain_id=int(self.w3.eth.chain_id), contract=self.address, pool_id=pid,
                               terms_hash=terms_hash, deadline=self._deadline(deadline, "deadline"))

    def submit_acceptances(self, pool_id: int, acceptances: Sequence[SignedAcceptance]) -> TxResult:
        """Record signed acceptances of ``pool_id`` in one transaction (those already given on chain
        are skipped by the contract). Refuses, before sending, a signature made for another pool,
        chain or contract: the contract would only say it is invalid."""
        pid = _pool_id(pool_id)
        chain_id = int(self.w3.eth.chain_id)
        for a in acceptances:
            if (a.pool_id, a.chain_id, a.contract.lower()) != (pid, chain_id, self.address.lower()):
                raise InputError(f"the acceptance of {a.participant} is for pool {a.pool_id} of {a.contract} on"
                                 f" chain {a.chain_id}, not pool {pid} of {self.address} on chain {chain_id}")
        raw = [_RawAcceptance(a.participant, a.deadline, bytes.fromhex(a.signature[2:])) for a in acceptances]
        return self.contract.submit_acceptances(pid, raw)

    def leave(self, pool_id: int) -> TxResult:
        """Leave (or decline) ``pool_id`` while nothing is booked in it; the pool is void afterwards."""
        return self.contract.leave_pool(_pool_id(pool_id))

    def vote_close(self, pool_id: int) -> TxResult:
        """Vote to close live ``pool_id``; once the rule is met nothing more is booked (settlement goes on)."""
        return self.contract.vote_close(_pool_id(pool_id))

    def _terms_hash(self, pool_id: int, given: str | bytes | None) -> bytes:
        if given is None:
            return bytes(self.contract.pool_info(pool_id).terms_hash)
        return bytes.fromhex(parse_evidence_hash(given)[2:])

    # -------------------------------------------------------------------------------- pools

    def pool_count(self) -> int:
        return self.contract.pool_count()

    def pool(self, pool_id: int) -> Pool:
        """Pool ``pool_id`` now (an unknown id raises the contract's ``CostSharingUnknownPool``)."""
        return self._pools([_pool_id(pool_id)])[0]

    def pools(self, *, after: int = 0, limit: int | None = None, participant: str | None = None) -> tuple[Pool, ...]:
        """The pools after id ``after``, oldest first, at most ``limit``; with ``participant`` (address or
        label) only the pools it has a seat in (a page: constant round trips)."""
        who = None if participant is None else self._membership.address_of(participant, "participant")
        with read_batch(self.w3):
            return self._pools(costs_reads.select_pools(self.contract, checks.page(self.pool_count(), after), limit, who))

    def _pools(self, ids: Sequence[int]) -> tuple[Pool, ...]:
        names, now = {e.pool_id: e.name for e in self.contract.events.pool_proposed()}, self._now()
        with read_batch(self.w3) as batch:
            costs_reads.prefetch_pools(batch, self.contract, ids, now)
            return tuple(self._pool(pid, names.get(pid, ""), now) for pid in ids)

    def _pool(self, pid: int, name: str, now: int) -> Pool:
        raw = self.contract.pool_info(pid)
        seats = []
        for address in self.contract.participants_of(pid):
            seat = self.contract.seat_of(pid, address)
            seats.append(PoolParticipant(address, seat.share, seat.accepted))
        periods = self._periods(pid, now) if raw.live_at else ()
        return Pool(
            id=pid, name=name, asset=self.asset_info(raw.asset), creator=raw.creator,
            status=raw.status, participants=tuple(seats), approval_bps=raw.approval_bps, quorum=raw.quorum,
            dispute_window=raw.dispute_window, settlement_period=raw.settlement_period, duration=raw.duration,
            terms_hash="0x" + bytes(raw.terms_hash).hex(), live_at=raw.live_at, ends_at=raw.ends_at,
            closed_at=raw.closed_at, booked_expenses=raw.booked,
            total_booked=sum(p.booked for p in periods), total_paid_in=sum(p.paid_in for p in periods),
        )

    def periods(self, pool_id: int) -> tuple[Period, ...]:
        """The settlement periods of live ``pool_id`` begun so far (none before it went live)."""
        return self._periods(_pool_id(pool_id), None)

    def _periods(self, pid: int, now: int | None) -> tuple[Period, ...]:
        raw = self.contract.pool_info(pid)
        if raw.live_at == 0:
            return ()
        begun = costs_reads.begun_periods(raw, self._now() if now is None else now)
        asset, c = self.asset_info(raw.asset), self.contract
        with read_batch(self.w3) as batch:
            costs_reads.prefetch_periods(batch, c, pid, begun)
            totals = [c.period_totals(pid, k) for k in range(begun)]
            return tuple(Period(k, raw.live_at + k * raw.settlement_period, c.period_opens_at(pid, k), t.booked,
                                t.paid, asset) for k, t in enumerate(totals))

    def amount(self, pool_id: int, value: str | int) -> int:
        """Base units of ``value`` in the asset of ``pool_id``."""
        return self._pool_asset(pool_id).parse(value)

    def _pool_asset(self, pool_id: int) -> Asset:
        return self.asset_info(self.contract.pool_info(_pool_id(pool_id)).asset)

    def _now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

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
        locally) or as its hash; one evidence hash is bookable once across all pools."""
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
        return self._expense(eid := _expense_id(expense_id), self.contract.events.expense_submitted(expense_id=eid))

    def _expense(self, eid: int, submitted: Sequence[ExpenseSubmittedEvent]) -> Expense:
        raw = self.contract.expense(eid)
        pool = self.contract.pool_info(raw.pool_id)
        seats = self.contract.participants_of(raw.pool_id)
        return Expense(
            id=eid, pool_id=raw.pool_id, submitter=raw.submitter, payee=raw.payee, amount=raw.amount,
            evidence_hash="0x" + bytes(raw.evidence_hash).hex(), reference=submitted[0].ref if submitted else "",
            status=raw.status, booked_at=raw.booked_at, period=raw.period,
            approvals=costs_reads.seats_in(seats, raw.approvals), approval_bps=raw.approval_weight,
            objections=costs_reads.seats_in(seats, raw.objections), objection_bps=raw.objection_weight,
            dispute_until=raw.booked_at + pool.dispute_window if raw.booked_at else 0,
            asset=self.asset_info(pool.asset),
        )

    def expenses(self, pool_id: int, *, status: ExpenseStatus | None = None, after: int = 0,
                 limit: int | None = None) -> tuple[Expense, ...]:
        """The expenses of ``pool_id`` with ids after ``after``, oldest first, at most ``limit``, only those
        in ``status`` when given (found through its submission events, read a window per batch)."""
        pid, floor = _pool_id(pool_id), checks.whole(after, "after")
        submitted = [e for e in self.contract.events.expense_submitted(pool_id=pid) if e.expense_id > floor]
        return costs_reads.select_expenses(self.contract, pid, submitted, limit, self._expense, status)

    def approve(self, expense_id: int) -> TxResult:
        """Approve ``expense_id``; the approval that meets the rule books it (never the payee's)."""
        return self.contract.approve_expense(_expense_id(expense_id))

    def reject(self, expense_id: int) -> TxResult:
        """Vote against pending ``expense_id``; rejected once approvals can no longer meet the rule."""
        return self.contract.reject_expense(_expense_id(expense_id))

    def withdraw_expense(self, expense_id: int) -> TxResult:
        """Withdraw ``expense_id`` (its submitter only, while pending)."""
        return self.contract.withdraw_expense(_expense_id(expense_id))

    def dispute(self, expense_id: int, reason: str | bytes) -> TxResult:
        """Dispute booked ``expense_id`` within its dispute window for ``reason`` (text, hashed with
        keccak-256, or a 32-byte hash); disputes meeting the rule reverse the booking."""
        return self.contract.dispute_expense(_expense_id(expense_id), bytes.fromhex(hash_reason(reason)[2:]))

    # --------------------------------------------------------------------------- settlement

    def position(self, pool_id: int, account: str, *, period: int | None = None) -> Position:
        """The position of ``account`` (address or member label) in ``period`` of ``pool_id``, or
        summed over every period begun (``period`` ``None``)."""
        pid = _pool_id(pool_id)
        who = self._membership.address_of(account, "account")
        return self._position(pid, who, period, None)

    def _position(self, pid: int, who: str, period: int | None, begun: Sequence[int] | None) -> Position:
        wanted = ([checks.whole(period, "period")] if period is not None
                  else begun if begun is not None else [p.index for p in self.periods(pid)])
        totals = dict.fromkeys(_POSITION_FIELDS, 0)
        for k in wanted:
            raw = self.contract.position(pid, k, who)
            for name in _POSITION_FIELDS:
                totals[name] += getattr(raw, name)
        seat = self.contract.seat_of(pid, who)
        return Position(account=who, period=period, share_bps=seat.share, accepted=seat.accepted,
                        asset=self._pool_asset(pid), **totals)

    def balances(self, pool_id: int, *, period: int | None = None, after: int = 0,
                 limit: int | None = None) -> tuple[Position, ...]:
        """Every participant's position, then every external payee's, in pool order: those after the
        first ``after``, at most ``limit`` of them (a page: constant round trips)."""
        pid = _pool_id(pool_id)
        accounts = list(scan(costs_reads.accounts_of(self.contract, pid)[checks.whole(after, "after"):], limit, list))
        begun = [p.index for p in self.periods(pid)] if period is None else [checks.whole(period, "period")]
        with read_batch(self.w3) as batch:
            costs_reads.prefetch_positions(batch, self.contract, pid, accounts, begun)
            return tuple(self._position(pid, a, period, begun) for a in accounts)

    def pay(self, pool_id: int, amount: str | int | None = None, *, period: int | None = None,
            debtor: str | None = None) -> TxResult:
        """Pay ``amount`` (default: all of it) of ``debtor``'s (default: the sender's) debt for
        ``period`` (default: the earliest opened period with a debt). In a token pool the contract is
        first approved for the amount when the allowance is short (a short non-zero allowance is
        reset to zero first, as USDT-style tokens require; a dry run simulates only the approval).

        Refuses, before sending, a payment above the debt: in a token pool the payment cannot be
        simulated before its approval exists, so an overpayment would first send a real approval."""
        pid = _pool_id(pool_id)
        asset = self._pool_asset(pid)
        me = self.sender_address
        who = me if debtor is None else self._membership.address_of(debtor, "debtor")
        k = self._period_for(pid, who, "debt", period)
        debt = self.contract.position(pid, k, who).debt
        value = debt if amount is None else asset.parse(amount)
        if value > debt:
            raise InputError(f"paying {asset.format(value)} would overpay: {who} owes {asset.format(debt)}"
                             f" in period {k} of pool {pid}")
        if asset.is_native:
            return self.contract.pay(pid, k, who, value, value=value)
        sent = self._token(asset).approve_if_short(me, self.address, value)
        if sent and sent[-1].dry_run:
            return sent[-1]  # the payment cannot be simulated before the approval exists
        return self.contract.pay(pid, k, who, value)

    def claim(self, pool_id: int, amount: str | int | None = None, *, period: int | None = None,
              to: str | None = None) -> TxResult:
        """Withdraw ``amount`` (default: all) of the sender's collectable part of ``period`` (default:
        the earliest opened period with something collectable) to ``to`` (default: the sender)."""
        pid = _pool_id(pool_id)
        me = self.sender_address
        recipient = me if to is None else self._membership.address_of(to, "recipient")
        k = self._period_for(pid, me, "collectable", period)
        value = (self.contract.position(pid, k, me).collectable if amount is None
                 else self._pool_asset(pid).parse(amount))
        return self.contract.claim(pid, k, value, recipient)

    def push(self, pool_id: int, creditor: str, *, period: int) -> TxResult:
        """Send ``creditor`` its whole collectable part of ``period`` (anyone may push it)."""
        pid = _pool_id(pool_id)
        return self.contract.push(pid, checks.whole(period, "period"), self._membership.address_of(creditor, "creditor"))

    def _period_for(self, pool_id: int, account: str, what: str, period: int | None) -> int:
        """``period``, or the earliest opened period where ``account`` has a ``what`` (``debt`` or
        ``collectable``). Without a period, says why nothing can move (nothing due, or not open
        yet) before sending: the contract cannot name the period for the caller."""
        if period is not None:
            return checks.whole(period, "period")
        now = self._now()
        later = None
        for p in self.periods(pool_id):
            if getattr(self.contract.position(pool_id, p.index, account), what):
                if p.opens_at <= now:
                    return p.index
                later = later or p
        if later is not None:
            raise InputError(f"period {later.index} of pool {pool_id} opens for payments and claims at"
                             f" {later.opens_at} (its end plus the dispute window)")
        noun = "owes nothing" if what == "debt" else "has nothing to collect"
        raise InputError(f"{account} {noun} in pool {pool_id}")

    # ------------------------------------------------------------------------------ history

    def history(self, pool_id: int) -> tuple[HistoryEntry, ...]:
        """Everything that happened in ``pool_id``, in chain order."""
        return pool_history(self.contract, _pool_id(pool_id), self._pool_asset(pool_id))

    def activity(self, pool_id: int | None = None, *, from_block: int = 0) -> tuple[Activity, ...]:
        """What happened in pool ``pool_id`` (every pool if ``None``) as :class:`Activity` rows with
        block times, read in block ranges from ``from_block`` to the head."""
        span = BlockSpan.upto_head(self.w3, from_block)
        pid = None if pool_id is None else _pool_id(pool_id)
        assets = costs_reads.pool_assets(self.contract, range(1, self.pool_count() + 1) if pid is None else (pid,),
                                         self.asset_info)
        return stamped(self.w3, pool_rows(pool_history(self.contract, pid, assets.__getitem__, span)))


def _pool_id(value: object) -> int:
    return checks.whole(value, "pool id", minimum=1)


def _expense_id(value: object) -> int:
    return checks.whole(value, "expense id", minimum=1)
