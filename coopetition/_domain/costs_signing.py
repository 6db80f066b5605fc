"""Signed acceptances of a cost pool's terms: the EIP-712 message, signing with eth_account, and the
JSON file a participant hands to whoever submits the acceptances (the creator, usually).

The message is ``Acceptance(uint256 poolId,address participant,bytes32 termsHash,uint256 deadline)``
in the domain ``CostSharing`` version ``2`` of the chain and contract; the contract checks it with
ECDSA (or ERC-1271 for a smart-wallet member) in ``submitAcceptances``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exceptions import InputError
from .checks import address as _address

__all__ = ["SignedAcceptance", "acceptance_typed_data", "read_acceptances", "sign_acceptance"]


@dataclass(frozen=True)
class SignedAcceptance:
    """A participant's signature accepting the terms of pool :attr:`pool_id` until :attr:`deadline`."""

    pool_id: int
    participant: str
    terms_hash: str
    """0x-hex of the EIP-712 struct hash of the terms signed."""
    deadline: int
    signature: str
    """0x-hex (65 bytes for an EOA)."""
    chain_id: int
    contract: str

    def to_json(self) -> str:
        """The JSON text of this acceptance (camelCase keys; what ``costs sign-terms -o`` writes)."""
        return json.dumps({"poolId": self.pool_id, "participant": self.participant, "termsHash": self.terms_hash,
                           "deadline": self.deadline, "signature": self.signature, "chainId": self.chain_id,
                           "contract": self.contract}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = "acceptance") -> SignedAcceptance:
        """Read what :meth:`to_json` wrote; malformed text raises :class:`InputError`."""
        try:
            raw = json.loads(text)
            return cls(
                pool_id=int(raw["poolId"]), participant=_address(raw["participant"], "participant"),
                terms_hash=_hex(raw["termsHash"], 32, "termsHash"), deadline=int(raw["deadline"]),
                signature=_hex(raw["signature"], None, "signature"), chain_id=int(raw["chainId"]),
                contract=_address(raw["contract"], "contract"),
            )
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{source} is not a signed acceptance ({type(exc).__name__}: {exc})") from None


def _hex(value: Any, size: int | None, what: str) -> str:
    text = str(value).lower()
    if not text.startswith("0x"):
        raise InputError(f"{what} must be 0x-hex")
    raw = bytes.fromhex(text[2:])
    if size is not None and len(raw) != size:
        raise InputError(f"{what} must be {size} bytes")
    return "0x" + raw.hex()


def acceptance_typed_data(chain_id: int, contract: str, pool_id: int, participant: str, terms_hash: bytes,
                          deadline: int) -> dict[str, Any]:
    """The EIP-712 message (for eth_account's ``encode_typed_data(full_message=...)``)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
            ],
            "Acceptance": [
                {"name": "poolId", "type": "uint256"}, {"name": "participant", "type": "address"},
                {"name": "termsHash", "type": "bytes32"}, {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Acceptance",
        "domain": {"name": "CostSharing", "version": "2", "chainId": chain_id, "verifyingContract": contract},
        "message": {"poolId": pool_id, "participant": participant, "termsHash": terms_hash, "deadline": deadline},
    }


def sign_acceptance(signer: Any, *, chain_id: int, contract: str, pool_id: int, terms_hash: bytes,
                    deadline: int) -> SignedAcceptance:
    """``signer`` (an eth_account ``LocalAccount``) signs its acceptance of ``pool_id``'s terms."""
    from eth_account.messages import encode_typed_data

    participant = str(signer.address)
    data = acceptance_typed_data(chain_id, contract, pool_id, participant, terms_hash, deadline)
    signed = signer.sign_message(encode_typed_data(full_message=data))
    return SignedAcceptance(pool_id, participant, "0x" + terms_hash.hex(), deadline,
                            "0x" + bytes(signed.signature).hex(), chain_id, contract)


def read_acceptances(paths: list[str | Path]) -> tuple[SignedAcceptance, ...]:
    """The signed acceptances in the JSON files ``paths``."""
    found: list[SignedAcceptance] = []
    for path in paths:
        file = Path(path)
        if not file.is_file():
            raise InputError(f"signature file {str(path)!r} does not exist or is not a file")
        found.append(SignedAcceptance.from_json(file.read_text(encoding="utf-8"), source=str(path)))
    return tuple(found)
