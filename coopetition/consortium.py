"""The consortium as its members think of it: members, quorum, proposals, approvals.

:class:`ConsortiumService` wraps the generated :class:`~coopetition.bindings.consortium.Consortium`
binding with what a back-office script or the CLI needs and the binding cannot know:

* typed snapshots (:class:`Member`, :class:`Proposal` with its :class:`ProposalState`, the number of
  approvals that count and a readable :attr:`Proposal.action`);
* expiries written as durations (``"7d"``, ``"36h"``, ``3600`` seconds) or ISO dates, measured from
  the chain's latest block (not the local clock, which an embedded or devnet chain does not follow);
* proposal helpers that build the calldata for the consortium's own administration
  (:meth:`~ConsortiumService.propose_add_member`, :meth:`~ConsortiumService.propose_remove_member`,
  :meth:`~ConsortiumService.propose_set_quorum`, several at once with
  :meth:`~ConsortiumService.propose_batch`), so nobody hand-encodes calldata;
* members referred to by address or by label.

Malformed input raises :class:`~coopetition.exceptions.InputError` with one line and sends nothing.
Refusals by the contract arrive as the binding's typed exceptions (``ConsortiumNotMember``,
``ConsortiumQuorumNotReached``, ...), raised by the transaction pipeline's simulation before
anything is signed.

Contract rules worth knowing here (see ``contracts/Consortium.sol``): the proposer's approval is
recorded with the proposal; approvals count only from current members (a removed member's approvals
stop counting at once, and a re-admitted member must approve again); a proposal is live while the
latest block's timestamp is below its expiry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_abi import abi as eth_abi
from eth_utils.address import to_checksum_address

from ._abi import function_signature, selector, split_types
from ._domain import checks
from ._domain.members import Member, Members
from ._domain.service import Service
from ._seam import Sender, TxResult
from ._units import Wei
from .bindings.consortium import ABI, Consortium, ProposalCreatedEvent, ProposalState
from .exceptions import InputError

if TYPE_CHECKING:
    from web3 import Web3

__all__ = [
    "DEFAULT_EXPIRY",
    "MAX_LABEL_BYTES",
    "ConsortiumService",
    "Member",
    "Proposal",
    "ProposalRef",
    "ProposalState",
    "constructor_args",
    "describe_call",
    "validate_label",
]

DEFAULT_EXPIRY = "7d"
"""Expiry used when a proposal helper is given none."""

MAX_LABEL_BYTES = 32
"""Longest member label the contract accepts, in bytes of UTF-8."""


@dataclass(frozen=True)
class Proposal:
    """A proposal as the chain sees it now."""

    id: int
    proposer: str
    target: str
    value: Wei
    """Wei the call sends from the consortium's balance."""
    data: bytes
    description: str
    created_at: int
    expiry: int
    """Unix timestamp from which the proposal can no longer be approved or executed."""
    state: ProposalState
    approvals: int
    """Approvals from current members that count now."""
    quorum: int
    """Approvals needed now."""
    action: str
    """The call in words, e.g. ``addMember(0x..., 'Umbrella')``."""

    @property
    def is_open(self) -> bool:
        """Live: neither executed, cancelled nor expired (whether or not it has its quorum)."""
        return self.state in (ProposalState.OPEN, ProposalState.APPROVED)

    @property
    def executable(self) -> bool:
        """Live with its quorum reached: anyone may execute it."""
        return self.state is ProposalState.APPROVED


@dataclass(frozen=True)
class ProposalRef:
    """What :meth:`ConsortiumService.propose` did: the new proposal's id and its transaction."""

    id: int
    expiry: int
    tx: TxResult


# --------------------------------------------------------------------------------- validation


def validate_label(label: str) -> str:
    """``label`` if the contract would accept it (1 to 32 bytes of UTF-8, not only blanks), else
    :class:`InputError`."""
    if isinstance(label, str) and label and not label.strip():
        raise InputError("a member label must not be empty: give 1 to 32 bytes of text")
    return checks.text_bytes(label, "member label", maximum=MAX_LABEL_BYTES)


def constructor_args(
    members: Mapping[str, str] | Sequence[tuple[str, str]], quorum: int
) -> tuple[list[str], list[str], int]:
    """Validated constructor arguments ``(addresses, labels, quorum)`` of a new Consortium.

    ``members`` maps label → address (or is a sequence of ``(label, address)`` pairs, as the CLI's
    ``--member LABEL=ADDRESS`` gives them). Refuses, with one line: no members, a malformed or zero
    address, the same address or label twice, a label the contract would refuse, and a quorum
    outside 1..number of members.
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
    return addresses, labels, quorum


# ------------------------------------------------------------------------- reading calldata

_FUNCTIONS: dict[bytes, Mapping[str, Any]] = {
    selector(function_signature(entry)): entry for entry in ABI if entry.get("type") == "function"
}


def _render_value(typ: str, value: Any) -> str:
    if typ == "address":
        return str(to_checksum_address(value))
    if typ == "string":
        return repr(str(value))
    if typ == "bytes" or typ.startswith("bytes"):
        return "0x" + bytes(value).hex()
    return str(value)


def describe_call(consortium: str, target: str, value: int, data: bytes) -> str:
    """A proposal's call in words.

    Calls to the consortium itself are decoded (``setQuorum(3)``, ``multicall[addMember(...);
    setQuorum(3)]``); a plain transfer reads ``send N wei to 0x...``; anything else names the
    selector and the target.
    """
    data = bytes(data)
    if not data:
        return f"send {value} wei to {target}"
    if to_checksum_address(target) == to_checksum_address(consortium) and len(data) >= 4:
        entry = _FUNCTIONS.get(data[:4])
        if entry is not None:
            signature = function_signature(entry)
            types = split_types(signature)
            try:
                args = eth_abi.decode(types, data[4:])
            except Exception:  # malformed arguments: fall through to the raw description
                args = None
            if args is not None:
                name = str(entry["name"])
                if name == "multicall":
                    inner = "; ".join(describe_call(consortium, consortium, 0, bytes(d)) for d in args[0])
                    return f"multicall[{inner}]"
                rendered = ", ".join(_render_value(t, a) for t, a in zip(types, args, strict=True))
                text = f"{name}({rendered})"
                return text if not value else f"{text} with {value} wei"
    head = f"call 0x{data[:4].hex()} ({len(data)} bytes) on {target}"
    return head if not value else f"{head} with {value} wei"


# -------------------------------------------------------------------------------- the service


class ConsortiumService(Service):
    """The domain API of one deployed Consortium.

    Build it from a binding (``ConsortiumService(Consortium(w3, address, sender))``) or with
    :meth:`at`. Reads need no sender; proposing, approving, revoking, cancelling and executing send
    through the binding's :class:`~coopetition._seam.Sender` (the transaction pipeline).
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

    # ------------------------------------------------------------------------------ members

    def members(self) -> tuple[Member, ...]:
        """Current members with their labels, in the contract's order."""
        return self._membership.all()

    def member_count(self) -> int:
        return self.contract.member_count()

    def quorum(self) -> int:
        """Approvals from current members needed to execute a proposal."""
        return self.contract.quorum()

    def is_member(self, address: str) -> bool:
        return self._membership.is_member(address)

    def member(self, ref: str) -> Member:
        """The current member with address or label ``ref``; :class:`InputError` if there is none."""
        return self._membership.member(ref)

    # ---------------------------------------------------------------------------- proposals

    def proposal_count(self) -> int:
        return self.contract.proposal_count()

    def proposal(self, proposal_id: int) -> Proposal:
        """Proposal ``proposal_id`` now (an unknown id raises the contract's ``ConsortiumUnknownProposal``)."""
        pid = _proposal_id(proposal_id)
        raw = self.contract.proposal(pid)
        return Proposal(
            id=pid,
            proposer=raw.proposer,
            target=raw.target,
            value=raw.value,
            data=raw.data,
            description=raw.description,
            created_at=raw.created_at,
            expiry=raw.expiry,
            state=self.contract.proposal_state(pid),
            approvals=self.contract.approval_count(pid),
            quorum=self.contract.quorum(),
            action=describe_call(self.address, raw.target, raw.value, raw.data),
        )

    def proposals(self, *, open_only: bool = False) -> tuple[Proposal, ...]:
        """Every proposal, oldest first; with ``open_only`` only the live ones (open or approved)."""
        found = (self.proposal(pid) for pid in range(1, self.proposal_count() + 1))
        return tuple(p for p in found if p.is_open or not open_only)

    def approvers(self, proposal_id: int) -> tuple[Member, ...]:
        """Current members whose approval of ``proposal_id`` counts now."""
        pid = self._known(proposal_id)
        return tuple(m for m in self.members() if self.contract.has_approved(pid, m.address))

    def has_approved(self, proposal_id: int, member: str) -> bool:
        """Whether ``member`` (address or label) has an approval of ``proposal_id`` that counts."""
        return self.contract.has_approved(self._known(proposal_id), self._membership.address_of(member))

    def _known(self, proposal_id: int) -> int:
        """``proposal_id`` once the contract knows it (``hasApproved`` alone answers False for an
        unknown id; ``approvalCount`` raises the typed ``ConsortiumUnknownProposal``)."""
        pid = _proposal_id(proposal_id)
        self.contract.approval_count(pid)
        return pid

    def expiry_timestamp(self, expiry: str | int) -> int:
        """Absolute expiry for a duration (``"7d"``, ``"1d12h"``, ``3600`` seconds) or ISO date,
        measured from the latest block's timestamp."""
        return self._deadline(expiry, "expiry")

    def propose(
        self,
        target: str,
        calldata: bytes | str,
        description: str,
        expiry: str | int = DEFAULT_EXPIRY,
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
            return ProposalRef(id=0, expiry=when, tx=tx)
        return ProposalRef(id=created[0].proposal_id, expiry=when, tx=tx)

    def propose_add_member(
        self, address: str, label: str, *, description: str | None = None, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose admitting ``address`` as ``label``.

        Refuses, before proposing, an address that is already a member and a label already in use:
        the contract would refuse them only when the proposal executes, after the members voted."""
        checked = checks.address(address, "new member")
        validate_label(label)
        if self.contract.is_member(checked):
            raise InputError(f"{checked} is already a member ({self.contract.member_label(checked)!r})")
        holder = self.contract.member_by_label(label)
        if int(holder, 16) != 0:
            raise InputError(f"label {label!r} is already used by member {holder}")
        return self.propose(
            self.address,
            Consortium.encode_add_member(checked, label),
            description if description is not None else f"Admit {label} ({checked})",
            expiry,
        )

    def propose_remove_member(
        self, member: str, *, description: str | None = None, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose removing ``member`` (address or label). The contract refuses, at execution, a
        removal that would leave fewer members than the quorum: lower the quorum first, or in the
        same proposal with :meth:`propose_batch`."""
        target = self.member(member)
        return self.propose(
            self.address,
            Consortium.encode_remove_member(target.address),
            description if description is not None else f"Remove {target.label} ({target.address})",
            expiry,
        )

    def propose_set_quorum(
        self, quorum: int, *, description: str | None = None, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose changing the quorum to ``quorum``. It must be at least 1; a quorum above the
        member count at execution time is refused by the contract then (members admitted by
        proposals executed earlier count)."""
        checks.whole(quorum, "quorum", minimum=1)
        return self.propose(
            self.address,
            Consortium.encode_set_quorum(quorum),
            description if description is not None else f"Set the quorum to {quorum}",
            expiry,
        )

    def propose_batch(
        self, calls: Sequence[bytes], description: str, expiry: str | int = DEFAULT_EXPIRY
    ) -> ProposalRef:
        """Propose several calls to the consortium itself, executed atomically in order (a
        ``multicall``), e.g. ``[Consortium.encode_set_quorum(2), Consortium.encode_remove_member(x)]``."""
        if not calls:
            raise InputError("a batch needs at least one call")
        return self.propose(
            self.address, Consortium.encode_multicall([_calldata(c) for c in calls]), description, expiry
        )

    def approve(self, proposal_id: int) -> TxResult:
        """Approve ``proposal_id`` as the sender's account."""
        return self.contract.approve(_proposal_id(proposal_id))

    def revoke(self, proposal_id: int) -> TxResult:
        """Withdraw the sender's approval of ``proposal_id``."""
        return self.contract.revoke(_proposal_id(proposal_id))

    def cancel(self, proposal_id: int) -> TxResult:
        """Cancel ``proposal_id`` (its proposer only)."""
        return self.contract.cancel(_proposal_id(proposal_id))

    def execute(self, proposal_id: int) -> TxResult:
        """Execute ``proposal_id`` once its quorum is reached (anyone may)."""
        return self.contract.execute(_proposal_id(proposal_id))


def _proposal_id(value: object) -> int:
    return checks.whole(value, "proposal id", minimum=1)


def _calldata(value: bytes | str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        text = value[2:] if value[:2] in ("0x", "0X") else value
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise InputError(f"calldata {value!r} is not hex") from None
    raise InputError(f"calldata must be bytes or 0x-hex text, got {type(value).__name__}")
