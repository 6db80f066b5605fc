"""The consortium as its members think of it: members, quorum, proposals, approvals.

:class:`ConsortiumService` wraps the generated :class:`~coopetition.bindings.consortium.Consortium`
binding with what a back-office script or the CLI needs and the binding cannot know:

* typed snapshots (:class:`Member`, :class:`Proposal` with its :class:`ProposalState`, its approvals on
  chain and a readable :attr:`Proposal.action`); proposals are numbered 1, 2, ... in the order the
  consortium recorded them (the contract's id is a hash, :attr:`Proposal.proposal_id`), and each
  proposal's call is read back from its creation event, so nobody keeps calldata to execute it;
* EIP-712 signed approvals (:meth:`~ConsortiumService.sign_approval` -> :class:`SignedApproval`, a JSON
  file or message) submitted with :meth:`~ConsortiumService.execute` in one transaction, also for a
  one-shot decision that was never proposed;
* expiries written as durations (``"7d"``, ``"36h"``, ``3600`` seconds) or ISO dates, measured from
  the chain's latest block (not the local clock, which an embedded or devnet chain does not follow);
* ``propose_add_member/remove_member/set_quorum/cancel/batch`` build the calldata of the consortium's
  own administration, so nobody hand-encodes it; members are referred to by address or by label.

Malformed input raises :class:`~coopetition.exceptions.InputError` with one line and sends nothing.
Refusals by the contract arrive as the binding's typed exceptions, raised by the pipeline's simulation.

Contract rules worth knowing here (see ``contracts/Consortium.sol``): the proposer's approval is
recorded with the proposal; proposals and signatures belong to the configuration epoch they were made
in (any membership or quorum change supersedes them for good); one-shot decisions carry the
consortium's decision nonce, so they execute in order; with an execution delay an approved proposal
is queued and ``members - quorum + 1`` objections veto it; a proposal is live while the latest block's
timestamp is below its expiry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from ._domain import checks
from ._domain.activity import Activity, BlockSpan, stamped
from ._domain.consortium_calls import calldata as _calldata
from ._domain.consortium_calls import describe_call, select_proposals
from ._domain.consortium_history import consortium_rows
from ._domain.consortium_records import (
    ApprovalStatus,
    Decision,
    Proposal,
    ProposalRef,
    SignedApproval,
    typed_data,
)
from ._domain.consortium_records import proposal_key as _proposal_key
from ._domain.consortium_records import recover as _recover
from ._domain.members import Member, Members
from ._domain.service import Service
from ._seam import Sender, TxResult
from .bindings.consortium import Consortium, ProposalCreatedEvent, ProposalState
from .exceptions import InputError

if TYPE_CHECKING:
    from web3 import Web3

__all__ = [
    "DEFAULT_EXPIRY", "MAX_LABEL_BYTES", "ApprovalStatus", "ConsortiumService", "Decision", "Member", "Proposal",
    "ProposalRef", "ProposalState", "SignedApproval", "constructor_args", "describe_call", "validate_label",
]

DEFAULT_EXPIRY = "7d"
"""Expiry used when a proposal helper is given none."""

MAX_LABEL_BYTES = 32
"""Longest member label the contract accepts, in bytes of UTF-8."""

ProposalRefLike = int | bytes | str
"""A proposal: its number (1, 2, ...), or its id as 32 bytes or 0x-hex."""

_ZERO = "0x" + "00" * 20


# --------------------------------------------------------------------------------- validation


def validate_label(label: str) -> str:
    """``label`` if the contract would accept it (1 to 32 bytes of UTF-8, not only blanks), else
    :class:`InputError`."""
    if isinstance(label, str) and label and not label.strip():
        raise InputError("a member label must not be empty: give 1 to 32 bytes of text")
    return checks.text_bytes(label, "member label", maximum=MAX_LABEL_BYTES)


def constructor_args(
    members: Mapping[str, str] | Sequence[tuple[str, str]], quorum: int, *, delay: int = 0,
    allow_single_approval: bool = False,
) -> tuple[list[str], list[str], int, int, bool]:
    """Validated constructor arguments ``(addresses, labels, quorum, delay, allow_single_approval)``
    of a new Consortium.

    ``members`` maps label → address (or is a sequence of ``(label, address)`` pairs, as the CLI's
    ``--member LABEL=ADDRESS`` gives them). Refuses, with one line: no members, a malformed or zero
    address, the same address or label twice, a label the contract would refuse, a quorum outside
    1..number of members, a quorum of 1 with two or more members unless ``allow_single_approval``,
    and a negative delay.
    """
    pairs = list(members.items()) if isinstance(members, Mapping) else list(members)
    if not pairs:
        raise InputError("a consortium needs at least one member")
    addresses: list[str] = []
    labels: list[str] = []
    for label, address in pairs:
        validate_label(label)
        checked = checks.address(address, f"member {label!r}:")
        if label in labels:
            raise InputError(f"label {label!r} is given twice: labels must be unique")
        if checked in addresses:
            other = labels[addresses.index(checked)]
            raise InputError(f"{checked} is given twice (as {other!r} and {label!r})")
        addresses.append(checked)
        labels.append(label)
    checks.whole(quorum, "quorum", minimum=1)
    if quorum > len(addresses):
        raise InputError(f"quorum {quorum} is more than the {len(addresses)} member(s)")
    if quorum == 1 and len(addresses) >= 2 and not allow_single_approval:
        raise InputError(f"quorum 1 lets any one of the {len(addresses)} members decide alone: "
                         "allow it explicitly (--allow-single-approval) or raise the quorum")
    checks.whole(delay, "delay (seconds)")
    return addresses, labels, quorum, delay, bool(allow_single_approval)


# -------------------------------------------------------------------------------- the service


class ConsortiumService(Service):
    """The domain API of one deployed Consortium.

    Build it from a binding (``ConsortiumService(Consortium(w3, address, sender))``) or with
    :meth:`at`. Reads need no sender; proposing, approving, revoking, objecting, cancelling and
    executing send through the binding's :class:`~coopetition._seam.Sender` (the transaction
    pipeline); signing uses the sender's account (or the ``account`` given), and sends nothing.
    """

    contract: Consortium

    def __init__(self, contract: Consortium) -> None:
        super().__init__(contract)
        self._members = Members(contract.with_sender(None))

    @classmethod
    def at(cls, w3: Web3, address: str, sender: Sender | None = None) -> ConsortiumService:
        """The consortium deployed at ``address``."""
        return cls(Consortium(w3, address, sender))

    def _consortium_address(self) -> str:
        return self.address

    # ------------------------------------------------------------------------------ reads

    def members(self) -> tuple[Member, ...]:
        """Current members with their labels, in the contract's order."""
        return self._membership.all()

    def member_count(self) -> int:
        return self.contract.member_count()

    def quorum(self) -> int:
        """Approvals from current members needed to execute a decision."""
        return self.contract.quorum()

    def epoch(self) -> int:
        """The configuration epoch: proposals and signatures of an earlier one are void."""
        return self.contract.epoch()

    def delay(self) -> int:
        """Seconds an approved proposal waits before execution (0: none)."""
        return self.contract.execution_delay()

    def decision_nonce(self) -> int:
        """The nonce the next one-shot decision carries."""
        return self.contract.decision_nonce()

    def is_member(self, address: str) -> bool:
        return self._membership.is_member(address)

    def member(self, ref: str) -> Member:
        """The current member with address or label ``ref``; :class:`InputError` if there is none."""
        return self._membership.member(ref)

    # ---------------------------------------------------------------------------- proposals

    def _created(self) -> list[ProposalCreatedEvent]:
        """Creation events of recorded proposals (nonce 0), oldest first: their order numbers them."""
        return [e for e in self.contract.events.proposal_created() if e.nonce == 0]

    def _event(self, ref: ProposalRefLike) -> tuple[int, ProposalCreatedEvent]:
        created = self._created()
        if not isinstance(ref, bytes) and not (isinstance(ref, str) and ref[:2] in ("0x", "0X")):
            number = checks.whole(ref, "proposal id", minimum=1)
            if number > len(created):
                raise InputError(f"no proposal #{number}: the consortium has {len(created)} proposal(s)")
            return number, created[number - 1]
        key = _proposal_key(ref)
        for number, event in enumerate(created, start=1):
            if event.proposal_id == key:
                return number, event
        raise InputError(f"no proposal has id 0x{key.hex()}")

    def activity(self, *, from_block: int = 0) -> tuple[Activity, ...]:
        """What happened in the consortium (members, quorum, proposals, approvals) as :class:`Activity`
        rows with block times, read in block ranges from ``from_block`` to the head."""
        return stamped(self.w3, consortium_rows(self.contract, BlockSpan.upto_head(self.w3, from_block)))

    def proposal_count(self) -> int:
        """Proposals recorded so far (one-shot decisions excluded)."""
        return len(self._created())

    def proposal(self, ref: ProposalRefLike) -> Proposal:
        """Proposal ``ref`` (its number or its id) now."""
        return self._snapshot(*self._event(ref))

    def _snapshot(self, number: int, e: ProposalCreatedEvent) -> Proposal:
        info = self.contract.proposal(e.proposal_id)
        return Proposal(
            id=number, proposal_id="0x" + e.proposal_id.hex(), proposer=e.proposer, target=e.target,
            value=e.value, data=e.data, description=e.description, epoch=e.epoch, expiry=e.expiry,
            eta=info.eta, state=info.state, approvals=info.approvals, quorum=info.threshold,
            objections=info.objections, approvers=self.contract.approvers(e.proposal_id),
            action=describe_call(self.address, e.target, e.value, e.data),
        )

    def proposals(self, *, open_only: bool = False, state: ProposalState | None = None, after: int = 0,
                  limit: int | None = None) -> tuple[Proposal, ...]:
        """The recorded proposals numbered after ``after``, oldest first, at most ``limit``; with ``open_only``
        the live ones, with ``state`` those in it (the logs, then one batch per window of proposals)."""
        created = list(enumerate(self._created(), start=1))[checks.whole(after, "after"):]
        return select_proposals(self.contract, created, limit, self._snapshot, open_only=open_only, state=state)

    def approvers(self, ref: ProposalRefLike) -> tuple[Member, ...]:
        """Current members whose approval of ``ref`` is recorded on chain."""
        labels = self._membership.labels()
        return tuple(Member(a, labels.get(a, "")) for a in self.proposal(ref).approvers)

    def has_approved(self, ref: ProposalRefLike, member: str) -> bool:
        """Whether ``member`` (address or label) has an approval of ``ref`` recorded on chain."""
        _, e = self._event(ref)
        return self.contract.has_approved(e.proposal_id, self._membership.address_of(member))

    def expiry_timestamp(self, expiry: str | int) -> int:
        """Absolute expiry for a duration (``"7d"``, ``"1d12h"``, ``3600`` seconds) or ISO date,
        measured from the latest block's timestamp."""
        return self._deadline(expiry, "expiry")

    def propose(
        self, target: str, calldata: bytes | str, description: str, expiry: str | int = DEFAULT_EXPIRY,
        value: int = 0,
    ) -> ProposalRef:
        """Propose that the consortium call ``target`` with ``calldata`` (bytes or 0x-hex) and
        ``value`` wei; the proposer's approval is recorded with it."""
        checked = checks.address(target, "target")
        data = _calldata(calldata)
        checks.whole(value, "value (wei)")
        if not isinstance(description, str):
            raise InputError("description must be text")
        if not data and not value:
            raise InputError("a proposal needs calldata, a value, or both: this one would do nothing")
        when = self.expiry_timestamp(expiry)
        tx = self.contract.propose(checked, value, data, description, when)
        created = ProposalCreatedEvent.from_result(tx, self.address)
        if not created:  # a dry run: nothing was created
            return ProposalRef(id=0, proposal_id="", expiry=when, tx=tx)
        number, _ = self._event(created[0].proposal_id)
        return ProposalRef(id=number, proposal_id="0x" + created[0].proposal_id.hex(), expiry=when, tx=tx)

    def add_member_call(self, address: str, label: str) -> bytes:
        """``addMember`` calldata, refused before anyone votes when the address is a member or the
        label is taken (for good: labels are identities)."""
        checked = checks.address(address, "new member")
        validate_label(label)
        if self.contract.is_member(checked):
            raise InputError(f"{checked} is already a member ({self.contract.member_label(checked)!r})")
        holder = self.contract.label_holder(label)
        if int(holder, 16) != 0:
            raise InputError(f"label {label!r} is already used by {holder}")
        return Consortium.encode_add_member(checked, label)

    def remove_member_call(self, member: str) -> bytes:
        """``removeMember(previous, account)`` calldata for ``member`` (address or label), with the
        member before it in the contract's list."""
        account = self.member(member).address
        members = self.contract.members()
        position = self.contract.member_position(account)
        previous = members[position] if 0 < position < len(members) else _ZERO
        return Consortium.encode_remove_member(previous, account)

    def propose_add_member(
        self, address: str, label: str, *, description: str | None = None, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose admitting ``address`` as ``label`` (refused at once if either is taken)."""
        data = self.add_member_call(address, label)
        return self.propose(self.address, data,
                            description if description is not None else f"Admit {label} ({checks.address(address, 'new member')})",
                            expiry)

    def propose_remove_member(
        self, member: str, *, description: str | None = None, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose removing ``member`` (address or label). A removal needs ``min(quorum, members-1)``
        approvals (the removed member need not approve); below the quorum it waits the removal delay."""
        target = self.member(member)
        return self.propose(self.address, self.remove_member_call(member),
                            description if description is not None else f"Remove {target.label} ({target.address})",
                            expiry)

    def propose_set_quorum(
        self, quorum: int, *, description: str | None = None, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose changing the quorum to ``quorum`` (at least 1; the contract checks the rest)."""
        checks.whole(quorum, "quorum", minimum=1)
        return self.propose(self.address, Consortium.encode_set_quorum(quorum),
                            description if description is not None else f"Set the quorum to {quorum}", expiry)

    def propose_cancel(
        self, ref: ProposalRefLike, *, description: str | None = None, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose cancelling open proposal ``ref``: a quorum can end any, whatever its approvals."""
        number, e = self._event(ref)
        return self.propose(self.address, Consortium.encode_cancel_proposal(e.proposal_id), description or f"Cancel #{number}", expiry)

    def propose_batch(
        self, calls: Sequence[bytes], description: str, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose several calls to the consortium itself, executed atomically in order (a ``multicall``)."""
        if not calls:
            raise InputError("a batch needs at least one call")
        return self.propose(
            self.address, Consortium.encode_multicall([_calldata(c) for c in calls]), description, expiry
        )

    def approve(self, ref: ProposalRefLike) -> TxResult:
        """Approve proposal ``ref`` on chain as the sender's account."""
        return self.contract.approve(self._event(ref)[1].proposal_id)

    def revoke(self, ref: ProposalRefLike) -> TxResult:
        """Withdraw the sender's approval of ``ref``."""
        return self.contract.revoke(self._event(ref)[1].proposal_id)

    def cancel(self, ref: ProposalRefLike) -> TxResult:
        """Cancel ``ref`` (its proposer only, below its threshold)."""
        return self.contract.cancel(self._event(ref)[1].proposal_id)

    def object(self, ref: ProposalRefLike, *, signatures: Sequence[SignedApproval] = ()) -> TxResult:
        """Object to ``ref`` during its delay: as the sender, or with members' signed objections."""
        _, e = self._event(ref)
        if not signatures:
            return self.contract.object(e.proposal_id)
        return self.contract.object_with_signatures(
            e.proposal_id, [s.to_signature() for s in self._matching(signatures, e.proposal_id, "Objection")])

    def execute(self, ref: ProposalRefLike | None = None, *,
                signatures: Sequence[SignedApproval] = ()) -> TxResult:
        """Execute proposal ``ref`` (anyone may), its call read back from its creation event, with the
        signed approvals given added to those on chain, in one transaction. Without ``ref``, the
        signatures' one-shot decision is executed from them alone."""
        if ref is None:
            if not signatures:
                raise InputError("execute needs a proposal or signatures")
            if not signatures[0].one_shot:
                ref = signatures[0].proposal_id
            else:
                return self._execute_one_shot(signatures)
        _, e = self._event(ref)
        signed = self._matching(signatures, e.proposal_id, "Approval")
        return self.contract.execute(e.proposal_id, e.target, e.value, e.data, e.description_hash,
                                     [s.to_signature() for s in signed])

    def _execute_one_shot(self, signatures: Sequence[SignedApproval]) -> TxResult:
        d = signatures[0].decision
        signed = self._matching(signatures, _proposal_key(signatures[0].proposal_id), "Approval")
        return self.contract.execute_with_signatures(d.target, d.value, d.data, d.description_hash, d.expiry,
                                                     d.nonce, [s.to_signature() for s in signed])

    def _matching(self, signatures: Iterable[SignedApproval], key: bytes, kind: str) -> list[SignedApproval]:
        out = []
        for s in signatures:
            if _proposal_key(s.proposal_id) != key or s.kind != kind:
                raise InputError(f"{s.signer}'s signature is of {s.kind} {s.proposal_id}, "
                                 f"not of an {kind} of 0x{key.hex()}")
            if s.consortium != self.address:
                raise InputError(f"{s.signer}'s signature is for the consortium at {s.consortium}")
            out.append(s)
        return out

    # ---------------------------------------------------------------------------- signatures

    def decision(self, ref: ProposalRefLike | None = None, *, target: str | None = None,
                 calldata: bytes | str = b"", value: int = 0, description: str = "",
                 expiry: str | int = DEFAULT_EXPIRY) -> Decision:
        """The decision of proposal ``ref``; without ``ref``, a one-shot decision of ``target``,
        ``calldata`` and ``value`` with the current epoch and decision nonce."""
        if ref is not None:
            _, e = self._event(ref)
            return Decision(e.target, e.value, e.data, e.description_hash, e.expiry, e.epoch, 0, e.description)
        if target is None:
            raise InputError("a one-shot decision needs a target")
        data = _calldata(calldata)
        checks.whole(value, "value (wei)")
        if not data and not value:
            raise InputError("a decision needs calldata, a value, or both: this one would do nothing")
        return Decision(checks.address(target, "target"), value, data, keccak(text=description),
                        self.expiry_timestamp(expiry), self.epoch(), self.decision_nonce(), description)

    def sign_approval(self, what: ProposalRefLike | Decision | SignedApproval | None = None, *,
                      target: str | None = None, calldata: bytes | str = b"", value: int = 0,
                      description: str = "", expiry: str | int = DEFAULT_EXPIRY, kind: str = "Approval",
                      account: Any = None) -> SignedApproval:
        """Sign an EIP-712 ``Approval`` (or ``Objection``) with the connection's account (or
        ``account``): of proposal ``what``, of the decision another member signed (``what`` a
        :class:`SignedApproval`), of a :class:`Decision`, or of a new one-shot decision (``target``,
        ``calldata``, ``value``). Sends nothing."""
        if isinstance(what, SignedApproval):
            decision = what.decision
        elif isinstance(what, Decision):
            decision = what
        else:
            decision = self.decision(what, target=target, calldata=calldata, value=value,
                                     description=description, expiry=expiry)
        signer = account if account is not None else getattr(self.sender, "account", None)
        if signer is None:
            raise InputError("signing needs an account: connect with account=... (or --account)")
        domain = self.contract.eip712_domain()
        message = typed_data(kind, domain.chain_id, domain.verifying_contract, decision,
                             name=domain.name, version=domain.version)
        signed = signer.sign_message(encode_typed_data(full_message=message))
        key = self.contract.hash_proposal(decision.target, decision.value, decision.data, decision.description_hash,
                                          decision.expiry, decision.epoch, decision.nonce)
        return SignedApproval(self.address, domain.chain_id, "0x" + key.hex(), str(signer.address),
                              bytes(signed.signature), decision, kind)

    def approval_status(self, ref: ProposalRefLike, signatures: Sequence[SignedApproval] = ()) -> ApprovalStatus:
        """Approvals of ``ref`` on chain, and those of the signatures given that would count on top
        (current members, a valid signature of this proposal, not approved on chain already)."""
        p = self.proposal(ref)
        labels = self._membership.labels()
        on_chain = tuple(Member(a, labels.get(a, "")) for a in p.approvers)
        key = _proposal_key(p.proposal_id)
        digest = self.contract.approval_digest(key)
        signed: list[Member] = []
        for s in self._matching(signatures, key, "Approval"):
            fresh = s.signer in labels and s.signer not in p.approvers and all(m.address != s.signer for m in signed)
            if fresh and _recover(digest, s.signature) == s.signer:
                signed.append(Member(s.signer, labels[s.signer]))
        return ApprovalStatus(p, on_chain, tuple(signed), p.quorum)
