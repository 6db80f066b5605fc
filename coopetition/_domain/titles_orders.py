"""Signed private orders of the title exchange: the EIP-712 message, signing with eth_account, and the
JSON a maker hands to its counterparty (a file or a string, exchanged however the members like).

The message is
``Order(address maker,uint256 titleId,uint256 amount,address asset,uint256 price,address taker,uint64 expiry,uint256 nonce,bool partialFills)``
in the domain ``TitleExchange`` version ``2`` of the chain and the exchange; the contract checks it with
ECDSA (or ERC-1271 for a smart-wallet maker) in ``fillOrder``. Nothing of an order is on chain until it
is filled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..bindings.title_exchange import Order
from ..exceptions import InputError
from .checks import ZERO_ADDRESS
from .checks import address as _address
from .checks import whole as _whole

__all__ = ["ORDER_FORMAT", "SignedOrder", "order_typed_data", "sign_order"]

ORDER_FORMAT = "coopetition-title-order/2"
"""The ``format`` tag of an order's JSON."""

_ORDER_FIELDS = [
    {"name": "maker", "type": "address"}, {"name": "titleId", "type": "uint256"},
    {"name": "amount", "type": "uint256"}, {"name": "asset", "type": "address"},
    {"name": "price", "type": "uint256"}, {"name": "taker", "type": "address"},
    {"name": "expiry", "type": "uint64"}, {"name": "nonce", "type": "uint256"},
    {"name": "partialFills", "type": "bool"},
]
_UINT256 = 2**256 - 1
_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


@dataclass(frozen=True)
class SignedOrder:
    """A maker's signed offer of :attr:`amount` titles of class :attr:`title_id` for :attr:`price`
    (base units of :attr:`asset`, ``None`` for ether) to :attr:`taker` (``None``: any member), until
    :attr:`expiry`, valid on chain :attr:`chain_id` at exchange :attr:`exchange` only."""

    maker: str
    title_id: int
    amount: int
    asset: str | None
    price: int
    taker: str | None
    expiry: int
    nonce: int
    partial_fills: bool
    signature: str
    """0x-hex (65 bytes for an EOA maker)."""
    chain_id: int
    exchange: str

    def order(self) -> Order:
        """The order as the contract takes it."""
        return Order(self.maker, self.title_id, self.amount, self.asset or ZERO_ADDRESS, self.price,
                     self.taker or ZERO_ADDRESS, self.expiry, self.nonce, self.partial_fills)

    @property
    def signature_bytes(self) -> bytes:
        return bytes.fromhex(self.signature[2:])

    def submitted_signature(self) -> bytes:
        """The signature as a taker submits it: the 64-byte ERC-2098 form ``r ‖ vs`` of the maker's own
        65-byte ECDSA signature (the same signature, 32 bytes of calldata less: about 140 gas), and any
        other signature (a smart-wallet maker's ERC-1271 one) exactly as signed."""
        raw = self.signature_bytes
        if len(raw) != 65 or raw[64] not in (27, 28) or int.from_bytes(raw[32:64], "big") > _HALF_N:
            return raw
        from eth_account import Account
        from eth_account.messages import encode_typed_data

        message = encode_typed_data(full_message=order_typed_data(self.chain_id, self.exchange, self.order()))
        try:
            signer = Account.recover_message(message, signature=raw)
        except Exception:  # not an ECDSA signature of this order: leave it to ERC-1271
            return raw
        if signer.lower() != self.maker.lower():
            return raw
        vs = int.from_bytes(raw[32:64], "big") | ((raw[64] - 27) << 255)
        return raw[:32] + vs.to_bytes(32, "big")

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this order (camelCase; amounts, price and nonce as decimal strings)."""
        return {
            "format": ORDER_FORMAT, "chainId": self.chain_id, "exchange": self.exchange, "maker": self.maker,
            "titleId": str(self.title_id), "amount": str(self.amount), "asset": self.asset or ZERO_ADDRESS,
            "price": str(self.price), "taker": self.taker or ZERO_ADDRESS, "expiry": self.expiry,
            "nonce": str(self.nonce), "partialFills": self.partial_fills, "signature": self.signature,
        }

    def to_json(self) -> str:
        """The JSON text of this order (what ``titles quote -o`` writes)."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = "order") -> SignedOrder:
        """Read what :meth:`to_json` wrote; malformed text raises :class:`InputError` (one line)."""
        try:
            raw = json.loads(text)
        except ValueError as exc:
            raise InputError(f"{source} is not JSON ({exc}): give the file `titles quote -o` wrote") from None
        if not isinstance(raw, dict) or raw.get("format") != ORDER_FORMAT:
            raise InputError(f"{source} is not a signed title order (no \"format\": \"{ORDER_FORMAT}\")")
        try:
            asset = _address(raw["asset"], "asset", allow_zero=True)
            taker = _address(raw["taker"], "taker", allow_zero=True)
            return cls(
                maker=_address(raw["maker"], "maker"), title_id=_whole(raw["titleId"], "titleId", minimum=1),
                amount=_whole(raw["amount"], "amount", minimum=1, maximum=_UINT256),
                asset=None if int(asset, 16) == 0 else asset,
                price=_whole(raw["price"], "price", minimum=1, maximum=_UINT256),
                taker=None if int(taker, 16) == 0 else taker,
                expiry=_whole(raw["expiry"], "expiry", maximum=2**64 - 1),
                nonce=_whole(raw["nonce"], "nonce", maximum=_UINT256),
                partial_fills=_flag(raw["partialFills"]), signature=_hex(raw["signature"]),
                chain_id=_whole(raw["chainId"], "chainId", minimum=1), exchange=_address(raw["exchange"], "exchange"),
            )
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None
        except KeyError as exc:
            raise InputError(f"{source} is not a signed title order: it has no {exc}") from None


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"partialFills must be true or false, not {value!r}")
    return value


def _hex(value: Any) -> str:
    text = str(value).lower()
    try:
        if not text.startswith("0x"):
            raise ValueError
        raw = bytes.fromhex(text[2:])
    except ValueError:
        raise InputError("signature must be 0x-hex") from None
    if not raw:
        raise InputError("signature is empty")
    return "0x" + raw.hex()


def order_typed_data(chain_id: int, exchange: str, order: Order) -> dict[str, Any]:
    """The EIP-712 message of ``order`` (for eth_account's ``encode_typed_data(full_message=...)``)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"},
            ],
            "Order": _ORDER_FIELDS,
        },
        "primaryType": "Order",
        "domain": {"name": "TitleExchange", "version": "2", "chainId": chain_id, "verifyingContract": exchange},
        "message": {
            "maker": order.maker, "titleId": order.title_id, "amount": order.amount, "asset": order.asset,
            "price": order.price, "taker": order.taker, "expiry": order.expiry, "nonce": order.nonce,
            "partialFills": order.partial_fills,
        },
    }


def sign_order(signer: Any, *, chain_id: int, exchange: str, title_id: int, amount: int, price: int,
               asset: str | None, taker: str | None, expiry: int, nonce: int, partial_fills: bool) -> SignedOrder:
    """``signer`` (an eth_account ``LocalAccount``) signs an order of its own titles. Sends nothing."""
    from eth_account.messages import encode_typed_data

    maker = str(signer.address)
    order = Order(maker, title_id, amount, asset or ZERO_ADDRESS, price, taker or ZERO_ADDRESS, expiry, nonce,
                  partial_fills)
    signed = signer.sign_message(encode_typed_data(full_message=order_typed_data(chain_id, exchange, order)))
    return SignedOrder(maker, title_id, amount, asset, price, taker, expiry, nonce, partial_fills,
                       "0x" + bytes(signed.signature).hex(), chain_id, exchange)
