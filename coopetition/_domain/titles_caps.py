"""Holders' consents to a change of a title class's cap (``TitleRegistry.setMaxSupply``): the EIP-712
message and signing it with eth_account.

Raising a class's cap (or removing it) needs, besides the consortium's quorum, the consent of holders of
more than half of the titles issued. A consent is a signature of
``CapChange(uint256 classId,uint256 maxSupply,uint64 capNonce,uint64 deadline)`` in the domain
``TitleRegistry`` version ``2`` of the chain and registry (or the same recorded on chain with
``consentToMaxSupply``). ``capNonce`` counts the class's cap changes, so a consent serves once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..bindings.title_registry import HolderConsent, TitleRegistry
from ..exceptions import InputError
from .checks import address, whole

if TYPE_CHECKING:
    from .._seam import TxResult

__all__ = ["CONSENT_FORMAT", "CapChanges", "CapConsent", "CapConsentRef", "CapTally", "cap_change_typed_data",
           "sign_cap_consent"]

CONSENT_FORMAT = "coopetition-cap-consent/1"
"""The ``format`` tag of a consent's JSON."""


@dataclass(frozen=True)
class CapConsent:
    """``holder``'s consent to cap :attr:`max_supply` (0: no cap) for class :attr:`class_id`, change
    number :attr:`cap_nonce`, until :attr:`deadline`; an empty :attr:`signature` refers to a consent
    recorded on chain."""

    class_id: int
    max_supply: int
    cap_nonce: int
    deadline: int
    holder: str
    signature: bytes = b""

    def holder_consent(self) -> HolderConsent:
        """The ``HolderConsent`` ``setMaxSupply`` takes."""
        return HolderConsent(self.holder, self.signature)

    def to_json(self, *, chain_id: int, registry: str) -> str:
        """The JSON a holder hands to the proposer (camelCase; the cap as a decimal string; ``signature``
        ``0x`` for a consent recorded on chain)."""
        return json.dumps({
            "format": CONSENT_FORMAT, "chainId": chain_id, "registry": registry, "classId": self.class_id,
            "maxSupply": str(self.max_supply), "capNonce": self.cap_nonce, "deadline": self.deadline,
            "holder": self.holder, "signature": "0x" + self.signature.hex(),
        }, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, chain_id: int, registry: str, source: str = "consent") -> CapConsent:
        """Read what :meth:`to_json` wrote for this chain and registry; anything else raises
        :class:`InputError` (one line)."""
        try:
            raw = json.loads(text)
        except ValueError:
            raise InputError(f"{source} is not JSON: give the file `titles cap sign` or `cap consent` wrote") from None
        if not isinstance(raw, dict) or raw.get("format") != CONSENT_FORMAT:
            raise InputError(f"{source} is not a cap consent (no \"format\": \"{CONSENT_FORMAT}\")")
        try:
            if whole(raw["chainId"], "chainId") != chain_id or address(raw["registry"], "registry").lower() != registry.lower():
                raise InputError(f"{source} is for another chain or registry: ask the holder to sign for this one")
            signature = str(raw["signature"])
            if not signature.startswith("0x"):
                raise InputError("signature must be 0x-hex")
            try:
                signed = bytes.fromhex(signature[2:])
            except ValueError:
                raise InputError("signature must be 0x-hex") from None
            return cls(whole(raw["classId"], "classId", minimum=1),
                       whole(raw["maxSupply"], "maxSupply", maximum=2**256 - 1),
                       whole(raw["capNonce"], "capNonce", maximum=2**64 - 1),
                       whole(raw["deadline"], "deadline", maximum=2**64 - 1), address(raw["holder"], "holder"), signed)
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None
        except KeyError as exc:
            raise InputError(f"{source} is not a cap consent: it has no {exc}") from None


@dataclass(frozen=True)
class CapConsentRef:
    """A consent recorded on chain (``consentToMaxSupply``): the consent to hand to the proposer (no
    signature) and the transaction."""

    consent: CapConsent
    tx: TxResult


@dataclass(frozen=True)
class CapTally:
    """A class's cap and supply, and what the given consents to a new cap weigh now."""

    class_id: int
    max_supply: int
    """The current cap (0: no cap)."""
    issued: int
    cap_nonce: int
    proposed: int | None
    """The cap the consents are for (``None``: none asked about)."""
    needs_consent: bool
    """Whether the change to :attr:`proposed` needs holders' consents (raising or removing the cap)."""
    consenting: int
    """Titles held now by the distinct holders whose consents are valid for this change."""
    counted: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]
    """(holder, why) for each consent that does not count."""

    @property
    def needed(self) -> int:
        """The least weight that passes: more than half of the titles issued (0 when no consent is needed)."""
        return self.issued // 2 + 1 if self.needs_consent and self.issued else 0

    @property
    def enough(self) -> bool:
        return self.consenting >= self.needed


def cap_change_typed_data(chain_id: int, registry: str, class_id: int, max_supply: int, cap_nonce: int,
                          deadline: int) -> dict[str, Any]:
    """The EIP-712 message (for eth_account's ``encode_typed_data(full_message=...)``)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
            ],
            "CapChange": [
                {"name": "classId", "type": "uint256"}, {"name": "maxSupply", "type": "uint256"},
                {"name": "capNonce", "type": "uint64"}, {"name": "deadline", "type": "uint64"},
            ],
        },
        "primaryType": "CapChange",
        "domain": {"name": "TitleRegistry", "version": "2", "chainId": chain_id, "verifyingContract": registry},
        "message": {"classId": class_id, "maxSupply": max_supply, "capNonce": cap_nonce, "deadline": deadline},
    }


def sign_cap_consent(signer: Any, *, chain_id: int, registry: str, class_id: int, max_supply: int, cap_nonce: int,
                     deadline: int) -> CapConsent:
    """``signer`` (an eth_account ``LocalAccount``) signs its consent. Sends nothing."""
    from eth_account.messages import encode_typed_data

    data = cap_change_typed_data(chain_id, registry, class_id, max_supply, cap_nonce, deadline)
    signed = signer.sign_message(encode_typed_data(full_message=data))
    return CapConsent(class_id, max_supply, cap_nonce, deadline, str(signer.address), bytes(signed.signature))


if TYPE_CHECKING:
    from .consortium_records import ProposalRef

    class _Proposer(Protocol):
        """The consortium service, as far as a cap change uses it."""

        def propose(self, target: str, calldata: bytes | str, description: str,
                    expiry: str | int = ...) -> ProposalRef: ...


class CapChanges:
    """The cap half of :class:`~coopetition.titles.TitlesService` (a mixin: it uses the service's
    registry binding, consortium service and look-ups)."""

    if TYPE_CHECKING:  # provided by the service
        from .titles_records import TitleClassInfo

        @property
        def registry(self) -> TitleRegistry: ...
        @property
        def sender(self) -> Any: ...
        @property
        def sender_address(self) -> str: ...

        def title_class(self, class_id: int) -> TitleClassInfo: ...
        def _consortium(self) -> _Proposer: ...
        def _deadline(self, value: object, what: str) -> int: ...

    def sign_cap_consent(self, class_id: int, max_supply: int, *, deadline: str | int = "7d",
                         account: Any = None) -> CapConsent:
        """As a holder of ``class_id``, sign (with the connection's account, or ``account``) your consent to
        its cap becoming ``max_supply`` (0: no cap), valid until ``deadline`` and for the class's next cap
        change only. Sends nothing: hand it to whoever proposes the change."""
        info = self.title_class(class_id)
        cap = whole(max_supply, "max supply", maximum=2**256 - 1)
        signer = account if account is not None else getattr(self.sender, "account", None)
        if signer is None:
            raise InputError("signing needs an account: connect with account=... (or --account)")
        chain_id = int(self.registry.w3.eth.chain_id)
        return sign_cap_consent(signer, chain_id=chain_id, registry=self.registry.address, class_id=info.id,
                                max_supply=cap, cap_nonce=info.cap_nonce, deadline=self._deadline(deadline, "deadline"))

    def consent_to_max_supply(self, class_id: int, max_supply: int, *, deadline: str | int = "7d") -> CapConsentRef:
        """Record on chain your consent to the cap of ``class_id`` becoming ``max_supply`` (0: no cap),
        for the class's next cap change, until ``deadline``; the consent to hand to the proposer (it
        carries no signature: the registry looks it up)."""
        info = self.title_class(class_id)
        cap = whole(max_supply, "max supply", maximum=2**256 - 1)
        when = self._deadline(deadline, "deadline")
        tx = self.registry.consent_to_max_supply(info.id, cap, when)
        return CapConsentRef(CapConsent(info.id, cap, info.cap_nonce, when, self.sender_address), tx)

    def cap_tally(self, class_id: int, max_supply: int | None = None, consents: Sequence[CapConsent] = ()) -> CapTally:
        """The cap, supply and cap change number of ``class_id`` and, for a change to ``max_supply``,
        what ``consents`` weigh now: each holder once, its balance now, a signature only if it is the
        holder's ECDSA signature of this change (a smart wallet's ERC-1271 one is checked at execution),
        a consent without signature only if recorded on chain."""
        info = self.title_class(class_id)
        if max_supply is None:
            return CapTally(info.id, info.max_supply, info.issued, info.cap_nonce, None, False, 0, (), ())
        cap = whole(max_supply, "max supply", maximum=2**256 - 1)
        needs = info.capped and (cap == 0 or cap > info.max_supply)
        counted: list[str] = []
        refused: list[tuple[str, str]] = []
        weight = 0
        for c in sorted(consents, key=lambda c: int(c.holder, 16)):
            why = self._consent_refusal(info.id, cap, info.cap_nonce, c, counted)
            if why:
                refused.append((c.holder, why))
                continue
            counted.append(c.holder)
            weight += self.registry.balance_of(c.holder, info.id)
        return CapTally(info.id, info.max_supply, info.issued, info.cap_nonce, cap, needs, weight, tuple(counted),
                        tuple(refused))

    def _consent_refusal(self, class_id: int, cap: int, cap_nonce: int, c: CapConsent, seen: Sequence[str]) -> str:
        if c.class_id != class_id or c.max_supply != cap or c.cap_nonce != cap_nonce:
            return "for another class, cap or cap change"
        if c.holder in seen:
            return "given twice"
        if c.deadline < int(self.registry.w3.eth.get_block("latest")["timestamp"]):
            return "past its deadline"
        if not c.signature:
            recorded = self.registry.has_consented(class_id, cap, c.deadline, c.holder)
            return "" if recorded else "not recorded on chain"
        from eth_account import Account
        from eth_account.messages import encode_typed_data

        data = cap_change_typed_data(int(self.registry.w3.eth.chain_id), self.registry.address, class_id, cap,
                                     cap_nonce, c.deadline)
        try:
            signer = Account.recover_message(encode_typed_data(full_message=data), signature=c.signature)
        except Exception:  # malformed: not an ECDSA signature
            signer = ""
        if signer.lower() == c.holder.lower() or self._wallet_accepts(class_id, cap, c):
            return ""
        return "the signature is not the holder's"

    def _wallet_accepts(self, class_id: int, cap: int, c: CapConsent) -> bool:
        """Whether ``c.holder`` is a contract whose ERC-1271 ``isValidSignature`` accepts the consent."""
        from eth_abi import abi as eth_abi

        w3 = self.registry.w3
        if not w3.eth.get_code(c.holder):  # type: ignore[arg-type]
            return False
        digest = self.registry.cap_change_digest(class_id, cap, c.deadline)
        data = bytes.fromhex("1626ba7e") + eth_abi.encode(["bytes32", "bytes"], [digest, c.signature])
        try:
            answer = bytes(w3.eth.call({"to": c.holder, "data": data}))
        except Exception:  # a wallet that reverts does not accept
            return False
        return answer[:4] == bytes.fromhex("1626ba7e")

    def propose_max_supply(self, class_id: int, max_supply: int, consents: Sequence[CapConsent] = (), *,
                           description: str | None = None, expiry: str | int = "7d") -> ProposalRef:
        """Propose changing the cap of ``class_id`` to ``max_supply`` (0: no cap). Lowering it to no less
        than the supply needs no consent; raising or removing it needs ``consents`` of holders of more
        than half of the titles issued (checked now against current balances, and again by the
        registry when the proposal executes, before the consents' common deadline)."""
        consortium = self._consortium()
        info = self.title_class(class_id)
        cap = whole(max_supply, "max supply", maximum=2**256 - 1)
        if cap == info.max_supply:
            raise InputError(f"class #{info.id} is capped at {cap} already")
        if cap and cap < info.issued:
            raise InputError(f"class #{info.id} has {info.issued} titles issued: a cap of {cap} is below them")
        raising = info.capped and (cap == 0 or cap > info.max_supply)
        chosen = sorted(consents, key=lambda c: int(c.holder, 16))
        deadlines = {c.deadline for c in chosen}
        if any(c.class_id != info.id or c.max_supply != cap or c.cap_nonce != info.cap_nonce for c in chosen):
            raise InputError("a consent is for another class, cap or cap change: ask the holder to sign this one")
        if len(deadlines) > 1:
            raise InputError("the consents name different deadlines: they must all sign the same one")
        if raising and info.issued:
            tally = self.cap_tally(info.id, cap, chosen)
            for holder, why in tally.refused:
                raise InputError(f"the consent of {holder} does not count ({why}): leave it out or ask for a new one")
            weight = tally.consenting
            if weight * 2 <= info.issued:
                raise InputError(f"raising the cap needs holders of more than half of the {info.issued} titles: "
                                 f"the consents given weigh {weight}")
        deadline = deadlines.pop() if deadlines else self._deadline(expiry, "deadline")
        what = "no cap" if cap == 0 else f"a cap of {cap}"
        return consortium.propose(
            self.registry.address,
            TitleRegistry.encode_set_max_supply(info.id, cap, deadline, [c.holder_consent() for c in chosen]),
            description if description is not None else f"Change the cap of class #{info.id} to {what}", expiry,
        )
