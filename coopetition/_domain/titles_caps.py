"""Holders' consents to a change of a title class's cap (``TitleRegistry.setMaxSupply``): the EIP-712
message and signing it with eth_account.

Raising a class's cap (or removing it) needs, besides the consortium's quorum, the consent of holders of
more than half of the titles issued. A consent is a signature of
``CapChange(uint256 classId,uint256 maxSupply,uint64 capNonce,uint64 deadline)`` in the domain
``TitleRegistry`` version ``2`` of the chain and registry (or the same recorded on chain with
``consentToMaxSupply``). ``capNonce`` counts the class's cap changes, so a consent serves once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..bindings.title_registry import HolderConsent, TitleRegistry
from ..exceptions import InputError
from .checks import whole

__all__ = ["CapChanges", "CapConsent", "cap_change_typed_data", "sign_cap_consent"]


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


class CapChanges:
    """The cap half of :class:`~coopetition.titles.TitlesService` (a mixin: it uses the service's
    registry binding, consortium service and look-ups)."""

    if TYPE_CHECKING:  # provided by the service
        from ..consortium import ConsortiumService, ProposalRef
        from .titles_records import TitleClassInfo

        @property
        def registry(self) -> TitleRegistry: ...
        @property
        def sender(self) -> Any: ...

        def title_class(self, class_id: int) -> TitleClassInfo: ...
        def _consortium(self) -> ConsortiumService: ...
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
            weight = sum(self.registry.balance_of(c.holder, info.id) for c in chosen)
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
