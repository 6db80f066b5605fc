"""Shared R&D cost splitting as its participants think of it: pools, expenses, votes, settlement.

:class:`CostSharingService` wraps the generated :class:`~coopetition.bindings.cost_sharing.CostSharing`
binding with what a back-office script or the CLI needs and the binding cannot know:

* pools created from ``{participant: share}`` where shares are basis points (``5000``) or percentages
  (``"50%"``), checked to sum to exactly 10,000 basis points before anything is sent;
* amounts in human units of the pool's asset (``"1.5 ether"``, ``"12000 USDC"``) or base units;
* evidence documents hashed locally (:func:`hash_evidence`, SHA-256 of the file's bytes: the document
  never leaves the machine; anyone holding it can check it with ``sha256sum``);
* typed snapshots (:class:`Pool`, :class:`Expense`, :class:`Position`) and the pool's event history
  as :class:`HistoryEntry` records;
* :meth:`~CostSharingService.pay` approving the token first when the pool holds an ERC-20, and
  defaulting to the whole debt; :meth:`~CostSharingService.claim` defaulting to everything claimable now.

Malformed input raises :class:`~coopetition.exceptions.InputError` with one line and sends nothing.
Refusals by the contract arrive as the binding's typed exceptions (``CostSharingOverpayment``, ...).

The contract's remainder rule (see ``contracts/CostSharing.sol``): participant ``i`` of a pool owns the
basis-point interval ``[lower_i, upper_i)`` in the order given at creation and, after a total ``T`` has
been booked, owes ``floor(T*upper_i/10000) - floor(T*lower_i/10000)``. The amounts owed add up to
``T`` exactly, each within 1 wei of the exact share; :func:`split` computes the same numbers offline.
An expense must be at least ``ceil(10000 / smallest share)`` base units (:func:`min_amount`), so that
no participant's part of an expense is ever negative.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from eth_utils.address import is_address, to_checksum_address

from ._runtime import BoundContract
from ._seam import Sender, TxResult
from ._units import format_amount, parse_amount
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

TOTAL_SHARES = 10_000
"""Shares are basis points of this total."""
MAX_PARTICIPANTS = 200
"""Most participants the contract accepts in one pool."""
MAX_TEXT_BYTES = 64
"""Longest pool name and expense reference, in bytes of UTF-8."""

ZERO_ADDRESS = "0x" + "00" * 20
ETH = "ETH"


# ------------------------------------------------------------------------------- the arithmetic


def owed_after(total_booked: int, lower: int, share: int) -> int:
    """What a participant owning ``[lower, lower + share)`` basis points owes once ``total_booked``
    has been booked: ``floor(T*upper/10000) - floor(T*lower/10000)`` (the contract's remainder rule)."""
    return total_booked * (lower + share) // TOTAL_SHARES - total_booked * lower // TOTAL_SHARES


def min_amount(shares: Sequence[int]) -> int:
    """Smallest expense a pool with ``shares`` accepts: ``ceil(10000 / smallest share)``."""
    return -(-TOTAL_SHARES // min(shares))


def split(amount: int, shares: Sequence[int], *, booked_before: int = 0) -> tuple[int, ...]:
    """Each participant's part of an expense of ``amount`` booked on top of ``booked_before``, for
    ``shares`` (basis points, in pool order). The parts add up to ``amount`` exactly; each lies within
    ``[floor(amount*share/10000) - 1, floor(amount*share/10000) + 2]``, never negative when ``amount`` is at
    least :func:`min_amount`."""
    parts: list[int] = []
    lower = 0
    for share in shares:
        parts.append(owed_after(booked_before + amount, lower, share) - owed_after(booked_before, lower, share))
        lower += share
    return tuple(parts)


# ------------------------------------------------------------------------------------ records


@dataclass(frozen=True)
class Asset:
    """The asset of a pool: ETH (``address`` is the zero address) or an ERC-20."""

    address: str
    symbol: str
    decimals: int

    @property
    def is_ether(self) -> bool:
        return int(self.address, 16) == 0

    def format(self, value: int) -> str:
        """``value`` base units in human units, exactly (e.g. ``'1.5 ETH'``)."""
        return format_amount(value, symbol=self.symbol, decimals=self.decimals)

    def parse(self, text: str | int) -> int:
        """Base units of ``text`` (``'1.5 ether'``, ``'12000 USDC'``, or a whole number of base units)."""
        return parse_amount(text, symbol=self.symbol, decimals=self.decimals).value


@dataclass(frozen=True)
class PoolParticipant:
    address: str
    share_bps: int


@dataclass(frozen=True)
class Pool:
    """A cost pool now."""

    id: int
    name: str
    asset: Asset
    creator: str
    quorum: int
    participants: tuple[PoolParticipant, ...]
    created_at: int
    total_booked: int
    total_paid_in: int
    total_withdrawn: int

    @property
    def held(self) -> int:
        """What the pool holds: paid in minus withdrawn."""
        return self.total_paid_in - self.total_withdrawn

    def share_of(self, address: str) -> int:
        """Basis points of ``address``; 0 if it is not a participant."""
        wanted = str(to_checksum_address(address))
        return next((p.share_bps for p in self.participants if p.address == wanted), 0)


@dataclass(frozen=True)
class Position:
    """An account's position in a pool (participant or external payee), in base units."""

    account: str
    share_bps: int
    owed: int
    """Sum of its shares of the booked expenses."""
    credited: int
    """Sum of the booked expenses it is the payee of."""
    paid_in: int
    withdrawn: int
    debt: int
    """What it may still pay in."""
    credit: int
    """What it may still claim (as far as the pool holds it)."""

    @property
    def net(self) -> int:
        """Credit minus debt: positive when it is owed money, negative when it owes."""
        return self.credit - self.debt

    @property
    def cost(self) -> int:
        """What it bears once settled: its share of everything booked (``owed``)."""
        return self.owed


@dataclass(frozen=True)
class Expense:
    """An expense now."""

    id: int
    pool_id: int
    submitter: str
    payee: str
    amount: int
    evidence_hash: str
    """0x-prefixed 32-byte hex."""
    reference: str
    status: ExpenseStatus
    approvals: int
    rejections: int
    submitted_at: int
    booked_before: int
    """Pool's total booked just before this expense was booked (0 unless booked)."""


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


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a pool's history."""

    block_number: int
    log_index: int
    transaction_hash: str
    kind: str
    """``created``, ``submitted``, ``approved``, ``rejection``, ``rejected``, ``withdrawn``,
    ``booked``, ``paid`` or ``claimed``."""
    account: str | None
    expense_id: int | None
    amount: int | None


# --------------------------------------------------------------------------------- validation


def _address(value: str, what: str, *, allow_zero: bool = False) -> str:
    if not isinstance(value, str) or not is_address(value):
        raise InputError(f"{what} {value!r} is not an address: expected 0x followed by 40 hex digits")
    checked = str(to_checksum_address(value))
    if not allow_zero and int(checked, 16) == 0:
        raise InputError(f"{what} must not be the zero address")
    return checked


def _whole(value: int, what: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(f"{what} must be a whole number of at least {minimum}, got {value!r}")
    return value


def _text(value: str, what: str, *, minimum: int) -> str:
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    size = len(value.encode("utf-8"))
    if size < minimum or size > MAX_TEXT_BYTES:
        raise InputError(f"{what} {value!r} is {size} bytes long; it must be {minimum} to {MAX_TEXT_BYTES}")
    return value


def parse_share(value: str | int) -> int:
    """Basis points from ``5000``, ``"5000"``, ``"5000bps"`` or ``"50%"`` (up to two decimals: ``"33.34%"``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        bps = value
    elif isinstance(value, str):
        text = value.strip().lower()
        try:
            if text.endswith("%"):
                from decimal import Decimal, InvalidOperation

                try:
                    scaled = Decimal(text[:-1].strip()) * 100
                except InvalidOperation:
                    raise ValueError(text) from None
                if scaled != scaled.to_integral_value():
                    raise InputError(f"share {value!r} is finer than a basis point (0.01%)")
                bps = int(scaled)
            else:
                bps = int(text.removesuffix("bps").strip())
        except ValueError:
            raise InputError(f"cannot read share {value!r}: write basis points (5000) or a percentage (50%)") from None
    else:
        raise InputError(f"cannot read share {value!r}: write basis points (5000) or a percentage (50%)")
    if bps <= 0 or bps > TOTAL_SHARES:
        raise InputError(f"share {value!r} must be more than 0 and at most 100% ({TOTAL_SHARES} basis points)")
    return bps


def hash_evidence(path: str | Path) -> str:
    """SHA-256 of the file at ``path`` as 0x-hex (computed locally; the file is never sent)."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"evidence file {str(path)!r} does not exist or is not a file")
    digest = hashlib.sha256()
    with file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return "0x" + digest.hexdigest()


def parse_evidence_hash(value: str | bytes) -> str:
    """A 32-byte hash as 0x-hex, from 64 hex digits (with or without 0x) or 32 raw bytes; never zero."""
    if isinstance(value, bytes):
        raw = value
    else:
        text = str(value).strip().lower().removeprefix("0x")
        if len(text) != 64:
            raise InputError(f"evidence hash {value!r} must be 32 bytes: 64 hex digits")
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise InputError(f"evidence hash {value!r} is not hex") from None
    if len(raw) != 32:
        raise InputError(f"evidence hash must be 32 bytes, got {len(raw)}")
    if not any(raw):
        raise InputError("evidence hash must not be zero")
    return "0x" + raw.hex()


# ------------------------------------------------------------------------------------ ERC-20


class _Erc20(BoundContract):
    """The few ERC-20 calls the service needs (symbol, decimals, allowance, approve)."""

    contract_name: ClassVar[str] = "ERC20"

    def symbol(self) -> str:
        return str(self._call("symbol()", (), ("string",))[0])

    def decimals(self) -> int:
        return int(self._call("decimals()", (), ("uint8",))[0])

    def allowance(self, owner: str, spender: str) -> int:
        return int(self._call("allowance(address,address)", (owner, spender), ("uint256",))[0])

    def approve(self, spender: str, amount: int) -> TxResult:
        return self._transact("approve", "approve(address,uint256)", (spender, amount))


# -------------------------------------------------------------------------------- the service


class CostSharingService:
    """The domain API of one deployed CostSharing contract.

    Build it from a binding (``CostSharingService(CostSharing(w3, address, sender))``) or with
    :meth:`at`. Reads need no sender; every other method sends through the binding's sender.
    """

    def __init__(self, contract: CostSharing) -> None:
        self.contract = contract
        self._assets: dict[str, Asset] = {}

    @classmethod
    def at(cls, w3: Web3, address: str, sender: Sender | None = None) -> CostSharingService:
        return cls(CostSharing(w3, address, sender))

    def with_sender(self, sender: Sender | None) -> CostSharingService:
        """The same contract, sending through ``sender`` (e.g. another member's account)."""
        other = CostSharingService(self.contract.with_sender(sender))
        other._assets = self._assets
        return other

    def __repr__(self) -> str:
        return f"CostSharingService({self.address})"

    @property
    def address(self) -> str:
        return self.contract.address

    @property
    def _me(self) -> str:
        address = getattr(self.contract.sender, "address", None)
        if not isinstance(address, str):
            raise InputError("this action needs an account: connect with account=... (or --account)")
        return str(to_checksum_address(address))

    # ------------------------------------------------------------------------------- assets

    def asset_info(self, asset: str) -> Asset:
        """Symbol and decimals of ``asset`` (the zero address is ETH)."""
        checked = _address(asset, "asset", allow_zero=True)
        if checked not in self._assets:
            if int(checked, 16) == 0:
                info = Asset(checked, ETH, 18)
            else:
                token = _Erc20(self.contract.w3, checked)
                try:
                    info = Asset(checked, token.symbol(), token.decimals())
                except Exception:  # a token without the optional metadata: base units only
                    info = Asset(checked, "units", 0)
            self._assets[checked] = info
        return self._assets[checked]

    # -------------------------------------------------------------------------------- pools

    def create_pool(
        self,
        name: str,
        participants: Mapping[str, str | int] | Sequence[tuple[str, str | int]],
        *,
        quorum: int,
        asset: str | None = None,
        check_members: bool = True,
    ) -> PoolRef:
        """Create a pool of ``participants`` (address → share in basis points or ``"50%"``, in the
        order that fixes the remainder rule) paying in ``asset`` (``None`` or the zero address: ETH).

        Refuses, with one line and before sending: shares not summing to 100%, a zero share, the same
        address twice, a quorum outside 1..participants, a name of 0 or more than 64 bytes, and (with
        ``check_members``) a creator or participant who is not a member of the consortium.
        """
        _text(name, "pool name", minimum=1)
        pairs = list(participants.items()) if isinstance(participants, Mapping) else list(participants)
        if not pairs:
            raise InputError("a pool needs at least one participant")
        if len(pairs) > MAX_PARTICIPANTS:
            raise InputError(f"a pool has at most {MAX_PARTICIPANTS} participants, got {len(pairs)}")
        addresses: list[str] = []
        shares: list[int] = []
        for who, share in pairs:
            checked = _address(who, "participant")
            if checked in addresses:
                raise InputError(f"participant {checked} is given twice")
            addresses.append(checked)
            shares.append(parse_share(share))
        total = sum(shares)
        if total != TOTAL_SHARES:
            raise InputError(
                f"shares add up to {total} basis points ({total / 100:g}%); they must add up to exactly"
                f" {TOTAL_SHARES} (100%)"
            )
        _whole(quorum, "quorum", minimum=1)
        if quorum > len(addresses):
            raise InputError(f"quorum {quorum} is more than the {len(addresses)} participant(s)")
        asset_address = _address(asset or ZERO_ADDRESS, "asset", allow_zero=True)
        if int(asset_address, 16) != 0 and not self.contract.w3.eth.get_code(asset_address):  # type: ignore[arg-type]
            raise InputError(f"asset {asset_address} is not a contract on this network: give an ERC-20 or omit it for ETH")
        if check_members:
            self._check_members([self._me, *addresses])
        tx = self.contract.create_pool(name, asset_address, addresses, shares, quorum)
        created = PoolCreatedEvent.from_result(tx, self.address)
        return PoolRef(created[0].pool_id if created else 0, tx)

    def _check_members(self, addresses: Iterable[str]) -> None:
        from .bindings.consortium import Consortium

        consortium = Consortium(self.contract.w3, self.contract.consortium())
        for address in addresses:
            if not consortium.is_member(address):
                raise InputError(f"{address} is not a member of the consortium at {consortium.address}")

    def pool_count(self) -> int:
        return self.contract.pool_count()

    def pool(self, pool_id: int) -> Pool:
        """Pool ``pool_id`` now; :class:`InputError` if there is none."""
        pid = self._pool_id(pool_id)
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

    def _pool_id(self, pool_id: int) -> int:
        _whole(pool_id, "pool id", minimum=1)
        count = self.contract.pool_count()
        if pool_id > count:
            raise InputError(f"there is no pool {pool_id} (pools: 1 to {count})" if count else "there is no pool yet")
        return pool_id

    def amount(self, pool_id: int, value: str | int) -> int:
        """Base units of ``value`` in the asset of ``pool_id``."""
        return self.pool(pool_id).asset.parse(value)

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
        ``payee`` once booked. Give the evidence as a file (hashed locally) or as its hash."""
        pool = self.pool(pool_id)
        value = pool.asset.parse(amount)
        minimum = self.contract.min_amount(pool.id)
        if value < minimum:
            raise InputError(
                f"an expense of pool {pool.id} must be at least {pool.asset.format(minimum)} ({minimum} base units,"
                " so that every participant's part is at least one unit)"
            )
        who = _address(payee, "payee")
        if (evidence is None) == (evidence_hash is None):
            raise InputError("give the evidence either as a file or as its hash (exactly one)")
        digest = hash_evidence(evidence) if evidence is not None else parse_evidence_hash(evidence_hash or b"")
        _text(reference, "reference", minimum=0)
        me = self._me
        if pool.share_of(me) == 0:
            raise InputError(f"{me} is not a participant of pool {pool.id}: only participants submit expenses")
        used = self.contract.expense_by_evidence(pool.id, bytes.fromhex(digest[2:]))
        if used:
            raise InputError(f"evidence {digest} was already submitted to pool {pool.id} as expense {used}")
        tx = self.contract.submit_expense(pool.id, value, who, bytes.fromhex(digest[2:]), reference)
        submitted = ExpenseSubmittedEvent.from_result(tx, self.address)
        return ExpenseRef(submitted[0].expense_id if submitted else 0, digest, tx)

    def expense_count(self) -> int:
        return self.contract.expense_count()

    def expense(self, expense_id: int) -> Expense:
        """Expense ``expense_id`` now; :class:`InputError` if there is none."""
        eid = self._expense_id(expense_id)
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
        )

    def expenses(self, pool_id: int, *, status: ExpenseStatus | None = None) -> tuple[Expense, ...]:
        """The expenses of ``pool_id``, oldest first (found through its submission events)."""
        pid = self._pool_id(pool_id)
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

    def _expense_id(self, expense_id: int) -> int:
        _whole(expense_id, "expense id", minimum=1)
        count = self.contract.expense_count()
        if expense_id > count:
            raise InputError(
                f"there is no expense {expense_id} (expenses: 1 to {count})" if count else "there is no expense yet"
            )
        return expense_id

    def _pending(self, expense_id: int) -> Expense:
        exp = self.expense(expense_id)
        if exp.status is not ExpenseStatus.PENDING:
            raise InputError(f"expense {exp.id} is {exp.status.name.lower()}, no longer pending")
        return exp

    def _vote_check(self, expense_id: int) -> Expense:
        exp = self._pending(expense_id)
        me = self._me
        if self.contract.share_of(exp.pool_id, me) == 0:
            raise InputError(f"{me} is not a participant of pool {exp.pool_id}")
        vote = self.contract.vote_of(exp.id, me)
        if vote is not Vote.NONE:
            raise InputError(f"{me} already voted on expense {exp.id} ({vote.name.lower()})")
        return exp

    def approve(self, expense_id: int) -> TxResult:
        """Approve ``expense_id``; the approval reaching the quorum books it."""
        exp = self._vote_check(expense_id)
        return self.contract.approve_expense(exp.id)

    def reject(self, expense_id: int) -> TxResult:
        """Vote against ``expense_id``; rejected once the quorum can no longer be reached."""
        exp = self._vote_check(expense_id)
        return self.contract.reject_expense(exp.id)

    def withdraw_expense(self, expense_id: int) -> TxResult:
        """Withdraw ``expense_id`` (its submitter only, while pending)."""
        exp = self._pending(expense_id)
        if exp.submitter != self._me:
            raise InputError(f"only the submitter {exp.submitter} may withdraw expense {exp.id}")
        return self.contract.withdraw_expense(exp.id)

    # --------------------------------------------------------------------------- settlement

    def position(self, pool_id: int, account: str) -> Position:
        pid = self._pool_id(pool_id)
        who = _address(account, "account")
        raw = self.contract.position(pid, who)
        return Position(
            account=who, share_bps=self.contract.share_of(pid, who), owed=raw.owed, credited=raw.credited,
            paid_in=raw.paid_in, withdrawn=raw.withdrawn, debt=raw.debt, credit=raw.credit,
        )

    def balances(self, pool_id: int) -> tuple[Position, ...]:
        """Every participant's position, then every external payee's, in pool order."""
        pid = self._pool_id(pool_id)
        members = list(self.contract.participants_of(pid))
        payees = {e.payee for e in self.contract.events.expense_booked(pool_id=pid)} - set(members)
        return tuple(self.position(pid, a) for a in [*members, *sorted(payees)])

    def pay(self, pool_id: int, amount: str | int | None = None) -> TxResult:
        """Pay ``amount`` (default: the whole debt) of the sender's debt into ``pool_id``. In a token
        pool the contract is first approved for the amount when the allowance is short."""
        pool = self.pool(pool_id)
        me = self._me
        if pool.share_of(me) == 0:
            raise InputError(f"{me} is not a participant of pool {pool.id}")
        debt = self.contract.position(pool.id, me).debt
        value = debt if amount is None else pool.asset.parse(amount)
        if value <= 0:
            raise InputError(f"{me} owes nothing in pool {pool.id}" if amount is None else "amount must be more than zero")
        if value > debt:
            raise InputError(
                f"paying {pool.asset.format(value)} would overpay: {me} owes {pool.asset.format(debt)} in pool {pool.id}"
            )
        if pool.asset.is_ether:
            return self.contract.pay(pool.id, value, value=value)
        token = _Erc20(self.contract.w3, pool.asset.address, self.contract.sender)
        if token.allowance(me, self.address) < value:
            approval = token.approve(self.address, value)
            if approval.dry_run:
                return approval
        return self.contract.pay(pool.id, value)

    def claimable(self, pool_id: int, account: str) -> int:
        """What ``account`` can claim from ``pool_id`` right now: its credit, as far as the pool holds it."""
        pool = self.pool(pool_id)
        return min(self.position(pool.id, account).credit, pool.held)

    def claim(self, pool_id: int, amount: str | int | None = None, *, to: str | None = None) -> TxResult:
        """Withdraw ``amount`` (default: everything claimable now) of the sender's credit to ``to``
        (default: the sender)."""
        pool = self.pool(pool_id)
        me = self._me
        recipient = me if to is None else _address(to, "recipient")
        credit = self.contract.position(pool.id, me).credit
        value = min(credit, pool.held) if amount is None else pool.asset.parse(amount)
        if value <= 0:
            if amount is not None:
                raise InputError("amount must be more than zero")
            if credit:
                raise InputError(
                    f"pool {pool.id} holds nothing yet: {me}'s credit of {pool.asset.format(credit)} becomes"
                    " claimable as debtors pay in"
                )
            raise InputError(f"{me} has nothing to claim in pool {pool.id}")
        if value > credit:
            raise InputError(
                f"claiming {pool.asset.format(value)} is more than {me}'s credit of {pool.asset.format(credit)}"
                f" in pool {pool.id}"
            )
        if value > pool.held:
            raise InputError(
                f"pool {pool.id} holds only {pool.asset.format(pool.held)} until debtors pay in;"
                f" claim at most that now"
            )
        return self.contract.claim(pool.id, value, recipient)

    # ------------------------------------------------------------------------------ history

    def history(self, pool_id: int) -> tuple[HistoryEntry, ...]:
        """Everything that happened in ``pool_id``, in chain order."""
        pid = self._pool_id(pool_id)
        ev = self.contract.events
        entries: list[HistoryEntry] = []

        def add(e: Any, kind: str, account: str | None, expense_id: int | None, amount: int | None) -> None:
            entries.append(HistoryEntry(e.block_number, e.log_index, e.transaction_hash, kind, account, expense_id, amount))

        for c in ev.pool_created(pool_id=pid):
            add(c, "created", c.creator, None, None)
        submitted = ev.expense_submitted(pool_id=pid)
        ids = {s.expense_id for s in submitted}
        for s in submitted:
            add(s, "submitted", s.submitter, s.expense_id, s.amount)
        for a in ev.expense_approved():
            if a.expense_id in ids:
                add(a, "approved", a.participant, a.expense_id, None)
        for r in ev.rejection_recorded():
            if r.expense_id in ids:
                add(r, "rejection", r.participant, r.expense_id, None)
        for x in ev.expense_rejected(pool_id=pid):
            add(x, "rejected", None, x.expense_id, None)
        for w in ev.expense_withdrawn(pool_id=pid):
            add(w, "withdrawn", None, w.expense_id, None)
        for b in ev.expense_booked(pool_id=pid):
            add(b, "booked", b.payee, b.expense_id, b.amount)
        for p in ev.paid_in(pool_id=pid):
            add(p, "paid", p.account, None, p.amount)
        for c2 in ev.claimed(pool_id=pid):
            add(c2, "claimed", c2.account, None, c2.amount)
        entries.sort(key=lambda h: (h.block_number, h.log_index))
        return tuple(entries)


# Re-exported event types, so back-office code can type the results of a TxResult.
EVENT_TYPES = (
    ClaimedEvent, ExpenseApprovedEvent, ExpenseBookedEvent, ExpenseRejectedEvent, ExpenseSubmittedEvent,
    ExpenseWithdrawnEvent, PaidInEvent, PoolCreatedEvent, RejectionRecordedEvent,
)
