"""What the consortium service returns and signs: proposals, decisions, signed approvals.

A *decision* is the EIP-712 ``Proposal`` struct members approve (``target``, ``value``, ``data``,
``descriptionHash``, ``expiry``, ``epoch``, ``nonce``): ``nonce`` 0 for a recorded proposal, the
consortium's ``decisionNonce`` for a one-shot decision executed from signatures. A
:class:`SignedApproval` carries a member's signature of one decision with everything needed to check
and submit it (the consortium, the chain id, the call itself), as JSON for a file or a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from eth_utils.address import to_checksum_address

from .._seam import TxResult
from .._units import Wei
from ..bindings.consortium import ProposalState, Signature
from ..exceptions import InputError
from .members import Member

__all__ = ["DOMAIN_NAME", "DOMAIN_VERSION", "ApprovalStatus", "Decision", "Proposal", "ProposalRef", "SignedApproval", "proposal_key", "recover",
           "typed_data"]

DOMAIN_NAME = "Consortium"
DOMAIN_VERSION = "2"
_PROPOSAL_FIELDS = [
    {"name": "target", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "data", "type": "bytes"},
    {"name": "descriptionHash", "type": "bytes32"},
    {"name": "expiry", "type": "uint64"},
    {"name": "epoch", "type": "uint64"},
    {"name": "nonce", "type": "uint64"},
]


@dataclass(frozen=True)
class Decision:
    """The call members approve, bound to a configuration epoch and (one-shot) a decision nonce."""

    target: str
    value: Wei
    data: bytes
    description_hash: bytes
    expiry: int
    epoch: int
    nonce: int = 0
    description: str = ""
    """The description as text when known (only its hash is signed)."""

    def message(self) -> dict[str, Any]:
        return {"target": self.target, "value": self.value, "data": self.data,
                "descriptionHash": self.description_hash, "expiry": self.expiry, "epoch": self.epoch,
                "nonce": self.nonce}


def typed_data(kind: str, chain_id: int, consortium: str, decision: Decision, *, name: str = DOMAIN_NAME,
               version: str = DOMAIN_VERSION) -> dict[str, Any]:
    """The full EIP-712 message of an ``Approval`` (or ``Objection``) of ``decision``, as the contract
    hashes it (the domain's ``name`` and ``version`` as the contract publishes them in ``eip712Domain``)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
            ],
            kind: [{"name": "proposal", "type": "Proposal"}],
            "Proposal": _PROPOSAL_FIELDS,
        },
        "primaryType": kind,
        "domain": {"name": name, "version": version, "chainId": chain_id,
                   "verifyingContract": consortium},
        "message": {"proposal": decision.message()},
    }


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def _unhex(value: object, what: str) -> bytes:
    if not isinstance(value, str) or value[:2] not in ("0x", "0X"):
        raise InputError(f"signature file: {what} must be 0x-hex text")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise InputError(f"signature file: {what} is not hex") from None


@dataclass(frozen=True)
class SignedApproval:
    """One member's EIP-712 signature of a decision, with the decision itself (JSON round-trip with
    :meth:`to_json` / :meth:`from_json`)."""

    consortium: str
    chain_id: int
    proposal_id: str
    """The decision's id (``hashProposal``), 0x-hex."""
    signer: str
    signature: bytes
    decision: Decision
    kind: str = "Approval"
    """``Approval`` or ``Objection``."""

    @property
    def one_shot(self) -> bool:
        """A decision to execute from signatures (not a recorded proposal)."""
        return self.decision.nonce != 0

    def to_signature(self) -> Signature:
        """The contract's ``Signature`` struct."""
        return Signature(self.signer, self.signature)

    def to_dict(self) -> dict[str, Any]:
        d = self.decision
        return {
            "kind": self.kind, "consortium": self.consortium, "chainId": self.chain_id,
            "proposalId": self.proposal_id, "signer": self.signer, "signature": _hex(self.signature),
            "decision": {"target": d.target, "value": str(d.value), "data": _hex(d.data),
                         "descriptionHash": _hex(d.description_hash), "description": d.description,
                         "expiry": d.expiry, "epoch": d.epoch, "nonce": d.nonce},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> SignedApproval:
        """Read :meth:`to_json`'s output; a malformed file raises :class:`InputError`."""
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise InputError(f"signature file is not JSON: {exc}") from None
        try:
            d = raw["decision"]
            decision = Decision(
                to_checksum_address(d["target"]), int(d["value"]), _unhex(d["data"], "data"),
                _unhex(d["descriptionHash"], "descriptionHash"), int(d["expiry"]), int(d["epoch"]),
                int(d["nonce"]), str(d.get("description", "")),
            )
            kind = str(raw.get("kind", "Approval"))
            if kind not in ("Approval", "Objection"):
                raise InputError(f"signature file: kind {kind!r} is neither Approval nor Objection")
            return cls(to_checksum_address(raw["consortium"]), int(raw["chainId"]), str(raw["proposalId"]),
                       to_checksum_address(raw["signer"]), _unhex(raw["signature"], "signature"), decision, kind)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"signature file: missing or malformed field ({exc})") from None


@dataclass(frozen=True)
class Proposal:
    """A recorded proposal as the chain sees it now."""

    id: int
    """Its number: the n-th proposal recorded by this consortium (1, 2, ...)."""
    proposal_id: str
    """The contract's id (``hashProposal``), 0x-hex."""
    proposer: str
    target: str
    value: Wei
    """Wei the call sends from the consortium's balance."""
    data: bytes
    description: str
    epoch: int
    expiry: int
    """Unix timestamp from which the proposal can no longer be approved or executed."""
    eta: int
    """Earliest execution time while queued (0 when not queued, or without a delay)."""
    state: ProposalState
    approvals: int
    """Approvals recorded on chain (from current members)."""
    quorum: int
    """Approvals needed (the proposal's threshold)."""
    objections: int
    approvers: tuple[str, ...]
    """Members whose approval is recorded on chain."""
    action: str
    """The call in words, e.g. ``addMember(0x..., 'Umbrella')``."""

    @property
    def is_open(self) -> bool:
        """Live: neither executed, cancelled, vetoed, superseded nor expired."""
        return self.state in (ProposalState.OPEN, ProposalState.APPROVED, ProposalState.QUEUED)

    @property
    def executable(self) -> bool:
        """Live with its threshold reached (and its delay over): anyone may execute it."""
        return self.state is ProposalState.APPROVED

    def decision(self, description_hash: bytes) -> Decision:
        return Decision(self.target, self.value, self.data, description_hash, self.expiry, self.epoch, 0,
                        self.description)


@dataclass(frozen=True)
class ProposalRef:
    """What a propose call did: the new proposal's number and id, its expiry and its transaction."""

    id: int
    proposal_id: str
    expiry: int
    tx: TxResult


@dataclass(frozen=True)
class ApprovalStatus:
    """Who approved a proposal: on chain, and by signatures not yet submitted."""

    proposal: Proposal
    on_chain: tuple[Member, ...]
    signed: tuple[Member, ...]
    """Members whose valid pending signatures were given (and who have not approved on chain)."""
    needed: int

    @property
    def enough(self) -> bool:
        return len(self.on_chain) + len(self.signed) >= self.needed


def recover(digest: bytes, signature: bytes) -> str | None:
    from eth_account import Account

    try:
        return str(Account._recover_hash(digest, signature=signature))
    except Exception:  # malformed: not a valid signature of anyone
        return None


def proposal_key(value: object) -> bytes:
    if isinstance(value, (bytes, bytearray)) and len(value) == 32:
        return bytes(value)
    if isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) == 66:
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise InputError(f"a proposal is its number or its 32-byte id, got {value!r}")
