"""Sealed rounds: partners settle what each brings to a venture without showing their hand first.

:class:`RoundsService` drives the sealed rounds of the JointVentureEscrow
(``contracts/interfaces/IJointVentureEscrow*.sol``): a member **opens** a round (asset, budget,
bond, beneficiary, invited partners, milestones, deadlines); each invited partner **commits** the
hash of its pledge and a secret salt (paying the bond, refundable); after the commit deadline each
**reveals** (the escrow checks the hash); after the reveal deadline anyone **settles**: if the
revealed pledges cover the budget, a venture is created in Funding with each kept partner's
cumulative-floor share of the budget weighted by its pledge (never more than its pledge; zero
pledges, non-revealers and partners expelled from the consortium are out); otherwise the round
fails. Revealers get their bond back; a non-revealer's bond goes to the revealers in equal parts.

What is visible when: during the commit phase only who committed and their hashes; pledges appear
as they are revealed; allocations (the venture's contributions) once settled.

The salt: 32 random bytes, returned to the caller in :class:`PledgeCommit`. With a
:class:`SaltStore` (the CLI always uses the project's one) it is also written to a private file
**before** the commitment is sent, and :meth:`RoundsService.reveal_pledge` reads it back. The
commitment is computed locally (:func:`pledge_commitment`): the pledge never reaches a node before
its reveal.

Every check below runs before anything is sent (wrong phase, not invited, no salt, another
amount...) and raises :class:`~coopetition.exceptions.InputError` with one line.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from ._domain import checks
from ._domain.escrow_records import when as _when
from ._domain.round_records import (
    PledgeCommit,
    PledgeReveal,
    RoundMilestone,
    RoundPartnerStatus,
    RoundPhase,
    RoundRef,
    SealedRound,
    phase_at,
)
from ._domain.round_salts import SaltRecord, SaltStore, new_salt, pledge_commitment
from ._domain.service import Service
from ._runtime import read_batch
from .bindings.joint_venture_escrow import (
    JointVentureEscrow,
    RoundOpenedEvent,
    RoundState,
    RoundTerms,
)
from .escrow import (
    DEFAULT_DEADLINE,
    DEFAULT_LONG_STOP,
    MAX_FUNDING_PERIOD,
    MAX_LONG_STOP,
    MAX_NAME_BYTES,
    Amountish,
    default_quorum,
)
from .exceptions import CoopetitionError, InputError, TransactionError

if TYPE_CHECKING:
    from web3 import Web3

    from ._seam import Sender, TxResult

__all__ = [
    "DEFAULT_COMMIT_BY",
    "DEFAULT_REVEAL_BY",
    "MAX_ROUND_PARTNERS",
    "PledgeCommit",
    "PledgeReveal",
    "RoundMilestone",
    "RoundPartnerStatus",
    "RoundPhase",
    "RoundRef",
    "RoundsService",
    "SaltRecord",
    "SaltStore",
    "SealedRound",
    "pledge_commitment",
]

MAX_ROUND_PARTNERS = 20
DEFAULT_COMMIT_BY = "2d"
DEFAULT_REVEAL_BY = "4d"
MAX_PLEDGE = 2**112
"""Pledges and budgets are below this (the contract's bound)."""
MAX_BOND = 2**96
_ZERO_WORD = b"\x00" * 32


class RoundsService(Service):
    """The sealed rounds of one deployed JointVentureEscrow; ``salts`` keeps the salts (optional)."""

    contract: JointVentureEscrow

    def __init__(self, contract: JointVentureEscrow, salts: SaltStore | None = None) -> None:
        super().__init__(contract)
        self.salts = salts

    @classmethod
    def at(cls, w3: Web3, address: str, sender: Sender | None = None, *, salts: SaltStore | None = None) -> RoundsService:
        """The rounds of the escrow deployed at ``address``."""
        return cls(JointVentureEscrow(w3, address, sender), salts)

    def with_salts(self, salts: SaltStore | None) -> RoundsService:
        """The same rounds, keeping salts in ``salts`` (e.g. ``conn.salt_store()``; ``None``: not kept)."""
        other = copy.copy(self)
        other.salts = salts
        return other

    # ---------------------------------------------------------------------------- opening

    def terms(
        self, name: str, *, budget: Amountish, partners: Sequence[str], beneficiary: str,
        milestones: Sequence[Amountish] = (), asset: str | None = None, bond: Amountish = 0,
        commit_by: str | int = DEFAULT_COMMIT_BY, reveal_by: str | int = DEFAULT_REVEAL_BY,
        funding_by: str | int = DEFAULT_DEADLINE, long_stop: str | int = DEFAULT_LONG_STOP,
        quorum: int | None = None,
    ) -> RoundTerms:
        """The terms of a new round, as :meth:`open_round` sends them. Every date is a duration from
        the latest block (``"2d"``) or an ISO date; ``milestones`` default to one of the whole budget;
        ``quorum`` (the venture's release quorum, capped at settle to the partners kept) defaults to a
        majority of the invited partners."""
        checks.text_bytes(name, "round name", minimum=0, maximum=MAX_NAME_BYTES)
        info = self._asset(asset)
        total = info.parse(budget)
        if not 0 < total < MAX_PLEDGE:
            raise InputError("the budget must be more than zero (and below 2**112 base units)")
        deposit = info.parse(bond)
        if deposit >= MAX_BOND:
            raise InputError("the bond must be below 2**96 base units")
        addresses = tuple(self._membership.address_of(ref, "partner") for ref in partners)
        if not 2 <= len(addresses) <= MAX_ROUND_PARTNERS:
            raise InputError(f"a round invites 2 to {MAX_ROUND_PARTNERS} partners, not {len(addresses)}")
        if len(set(addresses)) != len(addresses):
            raise InputError("a partner is invited twice: list each once")
        steps = tuple(info.parse(m) for m in milestones) or (total,)
        if not all(steps):
            raise InputError("a milestone must be more than zero")
        if sum(steps) > total:
            raise InputError(f"the milestones add up to {info.format(sum(steps))}, more than the budget "
                             f"{info.format(total)}")
        names = ("commit deadline", "reveal deadline", "funding deadline", "long-stop")
        dates = [self._deadline(v, what) for v, what in zip((commit_by, reveal_by, funding_by, long_stop), names,
                                                            strict=True)]
        for k in range(3):
            if dates[k + 1] <= dates[k]:
                raise InputError(f"the {names[k + 1]} ({_when(dates[k + 1])}) must come after the {names[k]} "
                                 f"({_when(dates[k])})")
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        for when, bound, what in ((dates[2], MAX_FUNDING_PERIOD, "funding deadline"), (dates[3], MAX_LONG_STOP,
                                                                                        "long-stop")):
            if when > now + bound:
                raise InputError(f"the {what} ({_when(when)}) is more than {bound // 86400} days from now: the "
                                 "escrow refuses it")
        q = checks.whole(default_quorum(len(addresses)) if quorum is None else quorum, "quorum", minimum=1)
        return RoundTerms(
            name=name, asset=info.address, budget=total, bond=deposit,
            beneficiary=self._membership.address_of(beneficiary, "beneficiary"), partners=addresses,
            milestones=steps, commit_deadline=dates[0], reveal_deadline=dates[1], funding_deadline=dates[2],
            long_stop=dates[3], quorum=q,
        )

    def open(self, terms: RoundTerms) -> RoundRef:
        """Open a round with ``terms`` (build them with :meth:`terms`); the sender must be a member."""
        tx = self.contract.open_round(terms)
        opened = RoundOpenedEvent.from_result(tx, self.address)
        return RoundRef(id=opened[0].round_id if opened else 0, tx=tx, commit_deadline=terms.commit_deadline,
                        reveal_deadline=terms.reveal_deadline)

    def open_round(self, name: str, **terms: object) -> RoundRef:
        """Open a round: the keyword arguments of :meth:`terms`."""
        return self.open(self.terms(name, **terms))  # type: ignore[arg-type]

    # ------------------------------------------------------------------------------ reads

    def round_count(self) -> int:
        return self.contract.round_count()

    def round(self, round_id: int) -> SealedRound:
        """Round ``round_id`` now (an unknown id raises :class:`InputError`)."""
        return self._read((_round_id(round_id),))[0]

    def rounds(self, *, after: int = 0, limit: int | None = None) -> tuple[SealedRound, ...]:
        """The rounds after id ``after``, oldest first, at most ``limit``; a constant number of round trips."""
        return self._read(checks.page(self.round_count(), after, limit))

    def _read(self, ids: Sequence[int]) -> tuple[SealedRound, ...]:
        c = self.contract
        with read_batch(self.w3) as batch:
            batch.prefetch([c.round_count, *(partial(read, r) for r in ids
                                             for read in (c.round, c.round_lists))])
            count = c.round_count()
            for r in ids:
                if r > count:
                    raise InputError(f"there is no round #{r} (rounds so far: {count})")
            batch.prefetch(partial(read, r, who) for r in ids for who in c.round_lists(r).partners
                           for read in (c.round_partner, c.bond_refundable))
            now = int(self.w3.eth.get_block("latest")["timestamp"])
            return tuple(self._round(r, now) for r in ids)

    def _round(self, rid: int, now: int) -> SealedRound:
        c = self.contract
        raw = c.round(rid)
        info = self._asset(raw.asset)
        phase = phase_at(settled=raw.finalized and raw.state == RoundState.SETTLED,
                         failed=raw.finalized and raw.state != RoundState.SETTLED,
                         commit_deadline=raw.commit_deadline, reveal_deadline=raw.reveal_deadline, now=now)
        settled = phase == RoundPhase.SETTLED
        lists = c.round_lists(rid)
        partners = []
        for k, who in enumerate(lists.partners):
            p = c.round_partner(rid, who)
            sealed = p.committed and not p.revealed and p.commitment != _ZERO_WORD
            partners.append(RoundPartnerStatus(
                address=who, index=k, committed=p.committed, revealed=p.revealed,
                commitment="0x" + p.commitment.hex() if sealed else None,
                pledge=p.pledge if p.revealed else None, allocation=p.allocation if settled else None,
                bond_withdrawn=p.bond_withdrawn, bond_refundable=c.bond_refundable(rid, who), asset=info,
            ))
        return SealedRound(
            id=rid, name=lists.name, asset=info, opener=raw.opener, beneficiary=raw.beneficiary,
            phase=phase, now=now, commit_deadline=raw.commit_deadline, reveal_deadline=raw.reveal_deadline,
            funding_deadline=raw.funding_deadline, long_stop=raw.long_stop, quorum=raw.quorum, budget=raw.budget,
            bond=raw.bond, committed=raw.committed_count, revealed=raw.revealed_count,
            revealed_total=None if phase == RoundPhase.COMMIT else raw.revealed_total,
            venture_id=raw.venture_id if phase == RoundPhase.SETTLED and raw.venture_id else None,
            milestones=tuple(RoundMilestone(k, amount, info) for k, amount in enumerate(lists.milestones)),
            partners=tuple(partners),
        )

    def salt_file(self, round_id: int, partner: str | None = None) -> SaltRecord | None:
        """The saved salt of ``partner`` (default: the sender) in round ``round_id``, if any."""
        if self.salts is None:
            return None
        return self.salts.load(self.address, _round_id(round_id), partner or self.sender_address)

    # ---------------------------------------------------------------------------- actions

    def commit_pledge(self, round_id: int, amount: Amountish, salt: bytes | None = None) -> PledgeCommit:
        """Commit the sender's sealed pledge of ``amount`` (paying the round's bond; an ERC-20 bond is
        approved first when the allowance is short). ``salt`` defaults to 32 fresh random bytes.

        With a salt store the salt is written to its file before the commitment is sent; if the send
        then fails the file stays (:class:`TransactionError` says where): a retry with the same
        amount reuses it, another amount is refused. In a dry run nothing is written."""
        rid = _round_id(round_id)
        r = self.round(rid)
        me = self.sender_address
        status = _invited(r, me)
        if r.phase != RoundPhase.COMMIT:
            raise InputError(f"round #{rid} takes commitments until {_when(r.commit_deadline)}: it is in its "
                             f"{r.phase.value} phase now")
        if status.committed:
            raise InputError(f"{me} already committed to round #{rid}: a commitment is final (reveal it after "
                             f"{_when(r.commit_deadline)})")
        pledge = r.asset.parse(amount)
        if not 0 <= pledge < MAX_PLEDGE:
            raise InputError(f"a pledge is at most 2**112 - 1 base units (the escrow would count "
                             f"{r.asset.format(pledge)} as that): pledge at most 2**112 - 1")
        where, reused = None, False
        saved = self.salts.load(self.address, rid, me) if self.salts is not None else None
        if saved is not None:
            where = self.salts.path(self.address, rid, me) if self.salts is not None else None
            if saved.pledge != pledge:
                raise InputError(
                    f"the salt file {where} holds a pledge of {r.asset.format(saved.pledge)} that was never "
                    f"committed; commit that amount to reuse it, or move the file away to pledge another")
            if salt is not None and salt != saved.salt:
                raise InputError(f"the salt file {where} holds another salt for this pledge: pass no salt to reuse it")
            salt, reused = saved.salt, True
        salt = new_salt() if salt is None else bytes(salt)
        chain_id = int(self.w3.eth.chain_id)
        commitment = pledge_commitment(chain_id=chain_id, escrow=self.address, round_id=rid, partner=me,
                                       pledge=pledge, salt=salt)
        self._check_bond(r, me)
        dry_run = bool(getattr(self.sender, "dry_run", False))
        if self.salts is not None and saved is None and not dry_run:
            where = self.salts.save(SaltRecord(chain_id=chain_id, escrow=self.address, round_id=rid, partner=me,
                                               pledge=pledge, salt=salt, commitment=commitment))
        try:
            tx = self._send_commit(r, me, commitment)
        except CoopetitionError as exc:
            if where is None:
                raise
            raise TransactionError(f"the commitment was not sent ({exc}); the salt is kept in {where}: retry "
                                   "with the same amount to reuse it") from exc
        return PledgeCommit(round_id=rid, partner=me, pledge=pledge, salt=salt, commitment="0x" + commitment.hex(),
                            salt_file=where, reused=reused, tx=tx)

    def _check_bond(self, r: SealedRound, me: str) -> None:
        if r.bond == 0:
            return
        held = (int(self.w3.eth.get_balance(me)) if r.asset.is_native  # type: ignore[arg-type]
                else self._token(r.asset).balance_of(me))
        if held < r.bond:
            raise InputError(f"{me} holds {r.asset.format(held)}, less than the bond of "
                             f"{r.asset.format(r.bond)} a commitment pays")

    def _send_commit(self, r: SealedRound, me: str, commitment: bytes) -> TxResult:
        if r.asset.is_native:
            return self.contract.commit_pledge(r.id, commitment, value=r.bond)
        if r.bond:
            sent = self._token(r.asset).approve_if_short(me, self.address, r.bond)
            if sent and sent[-1].dry_run:
                return sent[-1]  # the commitment cannot be simulated before the approval exists
        return self.contract.commit_pledge(r.id, commitment)

    def reveal_pledge(self, round_id: int, pledge: Amountish | None = None, salt: bytes | None = None) -> PledgeReveal:
        """Reveal the sender's pledge; ``pledge`` and ``salt`` are read from the salt store when not given.
        Refused before sending when they do not match the commitment on chain."""
        rid = _round_id(round_id)
        r = self.round(rid)
        me = self.sender_address
        status = _invited(r, me)
        if r.phase != RoundPhase.REVEAL:
            raise InputError(f"round #{rid} takes reveals after {_when(r.commit_deadline)} until "
                             f"{_when(r.reveal_deadline)}: it is in its {r.phase.value} phase now")
        if not status.committed:
            raise InputError(f"{me} did not commit to round #{rid}: there is nothing to reveal")
        if status.revealed:
            raise InputError(f"{me} already revealed its pledge to round #{rid}")
        value = None if pledge is None else r.asset.parse(pledge)
        if value is None or salt is None:
            where = self.salts.path(self.address, rid, me) if self.salts is not None else None
            saved = self.salts.load(self.address, rid, me) if self.salts is not None else None
            if saved is None:
                raise InputError(f"no salt file at {where}: pass the pledge and the salt of the commitment"
                                 if where else "pass the pledge and the salt returned by commit_pledge")
            if value is not None and value != saved.pledge:
                raise InputError(f"{r.asset.format(value)} is not the pledge committed ({where} holds "
                                 f"{r.asset.format(saved.pledge)})")
            value, salt = saved.pledge, saved.salt if salt is None else salt
        expected = pledge_commitment(chain_id=int(self.w3.eth.chain_id), escrow=self.address, round_id=rid,
                                     partner=me, pledge=value, salt=bytes(salt))
        if status.commitment != "0x" + expected.hex():
            raise InputError(f"this pledge and salt do not match {me}'s commitment to round #{rid} "
                             "(another amount or another salt?): the escrow would refuse the reveal")
        tx = self.contract.reveal_pledge(rid, value, bytes(salt))
        return PledgeReveal(round_id=rid, partner=me, pledge=value, tx=tx)

    def settle_round(self, round_id: int) -> TxResult:
        """Settle the round (anyone, after its reveal deadline, even if everyone revealed earlier): a
        venture, or a failed round."""
        rid = _round_id(round_id)
        r = self.round(rid)
        if r.phase in (RoundPhase.SETTLED, RoundPhase.FAILED):
            raise InputError(f"round #{rid} is already settled ({r.phase.value})")
        if r.phase != RoundPhase.SETTLING:
            raise InputError(f"round #{rid} settles after its reveal deadline {_when(r.reveal_deadline)} "
                             f"(it is in its {r.phase.value} phase now)")
        # The escrow takes the round's lists back as calldata and checks them against the hash it
        # recorded at open (cheaper than reading them from storage): pass them exactly as read.
        return self.contract.settle_round(rid, r.name, [p.address for p in r.partners],
                                          [int(m.amount) for m in r.milestones])

    def withdraw_bond(self, round_id: int, to: str | None = None) -> TxResult:
        """As a partner, take the bond due back (its own, plus any forfeited share), paid to ``to``."""
        rid = _round_id(round_id)
        me = self.sender_address
        self._bond_due(rid, me)
        target = me if to is None else self._membership.address_of(to, "recipient")
        return self.contract.withdraw_bond(rid, target)

    def push_bond(self, round_id: int, partner: str) -> TxResult:
        """Pay ``partner``'s bond due to that partner itself (anyone may)."""
        rid = _round_id(round_id)
        who = self._membership.address_of(partner, "partner")
        self._bond_due(rid, who)
        return self.contract.push_bond(rid, who)

    def _bond_due(self, rid: int, who: str) -> int:
        r = self.round(rid)
        status = _invited(r, who)
        if status.bond_refundable == 0:
            why = ("it was paid already" if status.bond_withdrawn else
                   f"bonds are paid after the reveal deadline {_when(r.reveal_deadline)}"
                   if r.phase in (RoundPhase.COMMIT, RoundPhase.REVEAL) else
                   "it committed no bond" if not status.committed or r.bond == 0 else
                   "it did not reveal: its bond went to the revealers")
            raise InputError(f"no bond to pay to {who} in round #{rid}: {why}")
        return status.bond_refundable


def _invited(r: SealedRound, who: str) -> RoundPartnerStatus:
    try:
        return r.partner(who)
    except InputError:
        raise InputError(f"{who} is not invited to round #{r.id} (invited: "
                         f"{', '.join(p.address for p in r.partners)})") from None


def _round_id(value: object) -> int:
    return checks.whole(value, "round id", minimum=1)
