"""Holders' consents to a change of a title class's cap (``TitleRegistry.setMaxSupply``): the EIP-712
message and signing it with eth_account.

Raising a class's cap (or removing it) needs, besides the consortium's quorum, the consent of holders of
more than half of the titles issued. A consent is a signature of
``CapChange(uint256 classId,uint256 maxSupply,uint64 capNonce,uint64 deadline)`` in the domain
``TitleRegistry`` version ``2`` of the chain and registry (or the same recorded on chain with
``consentToMaxSupply``). ``capNonce`` counts the class's cap changes, so a consent serves once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..bindings.title_registry import HolderConsent

__all__ = ["CapConsent", "cap_change_typed_data", "sign_cap_consent"]


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
