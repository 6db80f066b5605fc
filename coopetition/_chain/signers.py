"""Any signer object as the account the transaction pipeline signs with.

Accepted: an object holding a private key (``.key`` or ``.private_key``: bytes or hex, as eth-account's
and brownie's accounts do), which becomes an eth-account ``LocalAccount``; or an object with an
``address`` and a ``sign_transaction(tx)`` method returning a signed transaction (``raw_transaction``
or the older ``rawTransaction``, and ``hash``). Anything else is one :class:`AccountError` line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from eth_utils.address import is_address, to_checksum_address
from eth_utils.crypto import keccak

from ..exceptions import AccountError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

__all__ = ["ACCEPTED", "as_signer"]

ACCEPTED = ("an eth-account LocalAccount, an object with a private key (.key or .private_key), "
            "or one with .address and .sign_transaction(tx)")


class _Signed:
    def __init__(self, raw: bytes) -> None:
        self.raw_transaction = raw
        self.hash = keccak(raw)


class _ExternalSigner:
    """An object that signs transactions itself (a hardware wallet, a KMS client, ...)."""

    def __init__(self, address: str, inner: Any) -> None:
        self.address = address
        self._inner = inner

    def sign_transaction(self, tx: dict[str, Any]) -> _Signed:
        signed = self._inner.sign_transaction(tx)
        raw = getattr(signed, "raw_transaction", None) or getattr(signed, "rawTransaction", None)
        if raw is None and isinstance(signed, (bytes, bytearray, str)):
            raw = signed
        if raw is None:
            raise AccountError(f"{type(self._inner).__name__}.sign_transaction returned {type(signed).__name__}, "
                               "not a signed transaction (no raw_transaction)")
        return _Signed(bytes.fromhex(raw[2:] if raw[:2] in ("0x", "0X") else raw) if isinstance(raw, str)
                       else bytes(raw))


def _key_of(obj: Any) -> Any:
    for name in ("key", "private_key"):
        try:
            value = getattr(obj, name, None)
        except Exception:  # a property that refuses (a locked account): not a key holder
            value = None
        if isinstance(value, (bytes, bytearray, str)) and value:
            return value
    return None


def as_signer(obj: object) -> LocalAccount:
    """``obj`` as an account the pipeline signs with; :class:`AccountError` naming what is accepted."""
    from eth_account import Account

    key = _key_of(obj)
    if key is not None:
        try:
            return cast("LocalAccount", Account.from_key(key))
        except Exception as exc:
            raise AccountError(f"the signer's private key is not usable ({type(exc).__name__}): "
                               f"pass {ACCEPTED}") from None
    address = getattr(obj, "address", None)
    if callable(getattr(obj, "sign_transaction", None)) and isinstance(address, str) and is_address(address):
        return cast("LocalAccount", _ExternalSigner(to_checksum_address(address), obj))
    raise AccountError(f"cannot sign with a {type(obj).__name__}: pass {ACCEPTED}")
