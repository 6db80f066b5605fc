"""Test support for the Consortium contract (v2): EIP-712 signed approvals and a governance driver.

:func:`sign_decision` is the reference for the Python side: it builds the typed data exactly as the
contract hashes it (``ConsortiumSignatures``) and signs it with eth-account::

    typed = typed_data("Approval", chain_id, consortium, decision)     # or "Objection"
    signature = account.sign_message(encode_typed_data(full_message=typed)).signature

A decision's id is ``Consortium.hash_proposal(target, value, data, description_hash, expiry, epoch,
nonce)`` (``nonce`` 0 for a recorded proposal, ``decision_nonce()`` for ``execute_with_signatures``), which
equals ``hash_struct("Proposal", decision)``; the digest signed is ``approval_digest(id)``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eth_abi import abi as eth_abi
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from coopetition.bindings.consortium import Consortium, ProposalCreatedEvent, Signature

if TYPE_CHECKING:
    from _embedded import EmbeddedEnv
    from eth_account.signers.local import LocalAccount

    from coopetition._seam import TxResult

TEST_ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DOMAIN_NAME = "Consortium"
DOMAIN_VERSION = "2"
PROPOSAL_FIELDS = [
    {"name": "target", "type": "address"},
    {"name": "value", "type": "uint256"},
    {"name": "data", "type": "bytes"},
    {"name": "descriptionHash", "type": "bytes32"},
    {"name": "expiry", "type": "uint64"},
    {"name": "epoch", "type": "uint64"},
    {"name": "nonce", "type": "uint64"},
]
PROPOSAL_TYPEHASH = keccak(
    text="Proposal(address target,uint256 value,bytes data,bytes32 descriptionHash,uint64 expiry,uint64 epoch,uint64 nonce)"
)
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HOUR = 3600
DAY = 86_400
ZERO = "0x" + "00" * 20
_SERIAL = itertools.count(1)


@dataclass(frozen=True)
class Decision:
    """The EIP-712 ``Proposal`` struct: what members approve."""

    target: str
    value: int
    data: bytes
    description_hash: bytes
    expiry: int
    epoch: int
    nonce: int = 0

    def message(self) -> dict[str, Any]:
        return {"target": self.target, "value": self.value, "data": self.data,
                "descriptionHash": self.description_hash, "expiry": self.expiry, "epoch": self.epoch,
                "nonce": self.nonce}

    def id(self, view: Consortium | None = None) -> bytes:
        """The decision's id: ``view.hash_proposal(...)`` on chain, or the same EIP-712 struct hash here."""
        if view is not None:
            return view.hash_proposal(self.target, self.value, self.data, self.description_hash, self.expiry,
                                      self.epoch, self.nonce)
        return keccak(eth_abi.encode(
            ["bytes32", "address", "uint256", "bytes32", "bytes32", "uint64", "uint64", "uint64"],
            [PROPOSAL_TYPEHASH, self.target, self.value, keccak(self.data), self.description_hash, self.expiry,
             self.epoch, self.nonce],
        ))


def typed_data(kind: str, chain_id: int, consortium: str, decision: Decision) -> dict[str, Any]:
    """The full EIP-712 message of an ``Approval`` or ``Objection`` of ``decision``."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
            ],
            kind: [{"name": "proposal", "type": "Proposal"}],
            "Proposal": PROPOSAL_FIELDS,
        },
        "primaryType": kind,
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id,
                   "verifyingContract": consortium},
        "message": {"proposal": decision.message()},
    }


def sign_decision(account: LocalAccount, chain_id: int, consortium: str, decision: Decision,
                  kind: str = "Approval") -> bytes:
    """``account``'s 65-byte signature (``r ‖ s ‖ v``) of an ``Approval`` (or ``Objection``) of ``decision``."""
    signed = account.sign_message(encode_typed_data(full_message=typed_data(kind, chain_id, consortium, decision)))
    return bytes(signed.signature)


def high_s(signature: bytes) -> bytes:
    """The malleable twin of a valid signature: ``s' = n - s``, ``v`` flipped (same signer for ecrecover)."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])


def description_hash(description: str) -> bytes:
    return keccak(text=description)


@dataclass
class Gov:
    """A deployed Consortium on an embedded chain; members are dev accounts by index."""

    env: EmbeddedEnv
    address: str
    fast: bool = False

    @classmethod
    def deploy(cls, env: EmbeddedEnv, members: Sequence[int | str], labels: Sequence[str], quorum: int, *,
               delay: int = 0, single: bool = False, by: int = 0, fast: bool = False) -> Gov:
        addresses = [m if isinstance(m, str) else env.address(m) for m in members]
        address = env.deploy("Consortium", [addresses, list(labels), quorum, delay, single], by=by, direct=fast)
        return cls(env, address, fast)

    def as_(self, index: int) -> Consortium:
        sender = self.env.direct(index) if self.fast else self.env.pipeline(index)
        return Consortium(self.env.w3, self.address, sender)

    @property
    def view(self) -> Consortium:
        return Consortium(self.env.w3, self.address)

    @property
    def chain_id(self) -> int:
        return int(self.env.w3.eth.chain_id)

    def addr(self, index: int) -> str:
        return self.env.address(index)

    def removal(self, account: str) -> bytes:
        """``removeMember`` calldata for ``account`` with the right ``previous`` (see :func:`removal`)."""
        return removal(self.view, account)

    def decision(self, data: bytes = b"", *, target: str | None = None, value: int = 0,
                 description: str = "test", ttl: int = HOUR, nonce: int = 0) -> Decision:
        """A decision of the current epoch (``nonce`` 0: to be recorded)."""
        return Decision(target or self.address, value, data, description_hash(description), self.env.now() + ttl,
                        self.view.epoch(), nonce)

    def one_shot(self, data: bytes = b"", **kwargs: Any) -> Decision:
        """A decision for ``execute_with_signatures``: the current epoch and decision nonce."""
        return replace(self.decision(data, **kwargs), nonce=self.view.decision_nonce())

    def signature(self, index: int, decision: Decision, kind: str = "Approval") -> Signature:
        account = self.env.accounts[index]
        return Signature(account.address, sign_decision(account, self.chain_id, self.address, decision, kind))

    def signatures(self, indexes: Iterable[int], decision: Decision, kind: str = "Approval") -> list[Signature]:
        return [self.signature(i, decision, kind) for i in indexes]

    def propose(self, by: int, data: bytes = b"", *, target: str | None = None, value: int = 0,
                description: str = "test", ttl: int = HOUR) -> bytes:
        """``by`` proposes on chain; the new proposal's id."""
        result = self.as_(by).propose(target or self.address, value, data, description, self.env.now() + ttl)
        return ProposalCreatedEvent.from_result(result)[0].proposal_id

    def created(self, proposal_id: bytes) -> ProposalCreatedEvent:
        (event,) = [e for e in self.view.events.proposal_created() if e.proposal_id == proposal_id]
        return event

    def decision_of(self, proposal_id: bytes) -> Decision:
        """The decision of a created proposal, from its creation event."""
        e = self.created(proposal_id)
        return Decision(e.target, e.value, e.data, e.description_hash, e.expiry, e.epoch, e.nonce)

    def execute(self, proposal_id: bytes, *, by: int = 0, signatures: Sequence[Signature] = ()) -> TxResult:
        """Execute a recorded proposal with its call as emitted at creation."""
        e = self.created(proposal_id)
        return self.as_(by).execute(proposal_id, e.target, e.value, e.data, e.description_hash, list(signatures))

    def execute_signed(self, decision: Decision, signers: Iterable[int], *, by: int = 0) -> TxResult:
        return self.as_(by).execute_with_signatures(
            decision.target, decision.value, decision.data, decision.description_hash, decision.expiry,
            decision.nonce, self.signatures(signers, decision),
        )

    def govern(self, data: bytes, *, target: str | None = None, value: int = 0, by: int | None = None,
               description: str = "test") -> TxResult:
        """Propose (the first current member, or ``by``), approve on chain up to the threshold, execute (as
        dev account 0, usually not a member). Needs no delay on the decision."""
        view = self.view
        members = list(view.members())
        index = {self.addr(i): i for i in range(len(self.env.accounts))}
        order = [index[m] for m in members if m in index]
        first = by if by is not None else order[0]
        target = target or self.address
        pid = self.propose(first, data, target=target, value=value, description=f"{description} #{next(_SERIAL)}")
        need = view.threshold_for(target, data)
        for i in order:
            if view.proposal(pid).approvals >= need:
                break
            if i != first:
                self.as_(i).approve(pid)
        return self.execute(pid)


def removal(view: Consortium, account: str) -> bytes:
    """``removeMember(previous, account)`` calldata: ``previous`` is the member at the next position (the one
    before ``account`` in the contract's list), or zero when ``account`` holds the last position."""
    members = view.members()
    position = view.member_position(account)
    previous = members[position] if 0 < position < len(members) else ZERO
    return Consortium.encode_remove_member(previous, account)


def deploy_test(env: EmbeddedEnv, name: str, args: Sequence[Any], *, by: int = 0) -> str:
    """Deploy contract ``name`` of contracts/test/ (tests/artifacts/) as account ``by``; its address."""
    from coopetition._artifacts import load_artifact
    from coopetition._chain.deployments import DeploymentStore, deploy_contract

    artifact = load_artifact(name, search=[TEST_ARTIFACTS])
    return deploy_contract(env.pipeline(by), DeploymentStore(None, "embedded"), name=name, abi=artifact.abi,
                           bytecode=artifact.bytecode, args=list(args), reset=True).address


def govern(env: EmbeddedEnv, consortium: str, data: bytes, *, target: str | None = None, value: int = 0,
           description: str = "test") -> TxResult:
    """Pass and execute one decision of an existing consortium through the on-chain path."""
    return Gov(env, consortium).govern(data, target=target, value=value, description=description)
