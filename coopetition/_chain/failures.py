"""What went wrong with a transaction, in one line: revert data dug out of whatever web3, eth-tester
or a node raised (decoded into the contract's typed error), node refusals, a node that does not
answer, funds short, timeouts, and a failed receipt replayed to recover its revert.

The transaction pipeline (:mod:`coopetition._chain.tx`) raises what these functions build; the ABI
decoding itself is :mod:`coopetition._abi`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

from eth_abi import abi as eth_abi

from .._abi import ERROR_STRING_SELECTOR, decode_revert, revert_data
from .._seam import PendingCall
from .._units import format_amount
from ..exceptions import (
    CoopetitionError,
    InsufficientFundsError,
    TransactionError,
    TransactionFailedError,
)
from .fees import quote_fees

if TYPE_CHECKING:
    from web3 import Web3

__all__ = [
    "CONNECTION_ERRORS",
    "NonceRejected",
    "call_failure",
    "error_text",
    "ether",
    "hex_str",
    "insufficient_funds",
    "one_line",
    "per_gas",
    "refusal",
    "replay_failure",
    "revert_data_from",
    "timeout_error",
    "unreachable_message",
]


def ether(value: int) -> str:
    """An amount of wei for a message: ``1.5 ETH``."""
    return format_amount(value)


def per_gas(value: int) -> str:
    """A price per gas for a message, in gwei (``2 gwei``): ether figures there are unreadable."""
    return format_amount(value, symbol="gwei", decimals=9)


def hex_str(value: Any) -> str:
    """``0x``-prefixed hex of bytes, or of a hex string with or without the prefix."""
    if isinstance(value, str):
        return value if value.startswith("0x") else "0x" + value
    return "0x" + bytes(value).hex()


def one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def error_text(exc: BaseException) -> str:
    """The message of a web3 / node error (a JSON-RPC error's ``message`` when it has one)."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    if exc.args and isinstance(exc.args[0], dict):
        return str(exc.args[0].get("message", exc.args[0]))
    return str(exc)


def _connection_errors() -> tuple[type[BaseException], ...]:
    from web3.exceptions import ProviderConnectionError

    errors: list[type[BaseException]] = [OSError, ProviderConnectionError]
    try:
        from requests.exceptions import ConnectionError as RequestsConnectionError
        from requests.exceptions import Timeout as RequestsTimeout

        errors += [RequestsConnectionError, RequestsTimeout]
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


CONNECTION_ERRORS = _connection_errors()
"""What a node that does not answer raises (the pipeline maps them to NodeUnreachableError)."""


class NonceRejected(Exception):
    """The node refused the nonce (taken by another sender): resync and sign again."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def revert_data_from(exc: BaseException) -> bytes | None:
    """The revert data carried by an exception from web3 or eth-tester; ``None`` if it is not a revert.

    :func:`coopetition._abi.revert_data` reads the data wherever web3 or eth-tester put it.
    On top of that the pipeline treats as reverts: an eth-tester ``TransactionFailed`` whose message
    is the bare reason of ``Error(string)`` (re-encoded as such) or a bare ``Revert``, and any error
    that says it reverted without carrying data (``b""``: a revert without a reason).
    """
    data = revert_data(exc)
    if data is not None:
        return data
    if type(exc).__name__ == "TransactionFailed":  # eth-tester (embedded)
        reason = str(exc.args[0]) if exc.args else ""
        if reason in ("", "Revert", "revert"):
            return b""
        return ERROR_STRING_SELECTOR + eth_abi.encode(["string"], [reason])
    from web3.exceptions import ContractLogicError

    if isinstance(exc, ContractLogicError):
        return b""
    text = error_text(exc).lower()
    if "revert" in text:
        inner = exc.args[0].get("data") if exc.args and isinstance(exc.args[0], dict) else None
        if isinstance(inner, str) and inner.startswith("0x"):
            return bytes.fromhex(inner[2:])
        return b""
    return None


def refusal(text: str) -> Literal["known", "nonce", "funds"] | None:
    """What a node's refusal of ``eth_sendRawTransaction`` means: the very transaction is already
    known, the nonce is taken, the sender cannot pay, or something else (``None``)."""
    low = text.lower()
    if "already known" in low or "known transaction" in low or "already imported" in low:
        return "known"
    if (
        "nonce too low" in low
        or "nonce is too low" in low
        or "replacement" in low
        or "invalid transaction nonce" in low
        or "nonce has already been used" in low
    ):
        return "nonce"
    if "insufficient funds" in low or "insufficient balance" in low:
        return "funds"
    return None


def _what(call: PendingCall) -> str:
    if not call.address:
        return f"deploy {call.contract}"
    return f"call {call.contract}.{call.function.split('(')[0]}"


def call_failure(
    exc: BaseException, call: PendingCall, *, w3: Web3, sender: str, network: str
) -> BaseException:
    """The error to raise for a failed ``eth_call`` / ``eth_estimateGas`` of ``call``: the decoded
    revert, funds short, or one line with the node's message (a connection error is returned as
    it is, to be re-raised)."""
    if isinstance(exc, CONNECTION_ERRORS):
        return exc
    data = revert_data_from(exc)
    if data is not None:
        return decode_revert(data, contract=call.contract, abi=call.abi)
    text = error_text(exc)
    if "insufficient funds" in text.lower() or "cannot afford" in text.lower():
        balance = int(w3.eth.get_balance(cast(Any, sender)))
        fees = quote_fees(w3)
        return InsufficientFundsError(
            f"{sender} has {ether(balance)} but needs value {ether(call.value)} "
            f"plus gas at up to {per_gas(fees.max_fee_per_gas)}/gas to {_what(call)} on "
            f"{network}; nothing was sent"
        )
    what = "deployment" if not call.address else call.function
    return TransactionError(f"simulating {call.contract}.{what} failed: {one_line(text)}")


def insufficient_funds(
    sender: str, balance: int, value: int, gas: int, price: int, call: PendingCall, network: str
) -> InsufficientFundsError:
    """``sender`` cannot pay ``value`` plus ``gas`` at ``price``, with the figures."""
    need = value + gas * price
    parts = [f"value {ether(value)}"]
    if gas:
        parts.append(f"gas {gas} * {per_gas(price)}")
    return InsufficientFundsError(
        f"{sender} has {ether(balance)} but needs {ether(need)} "
        f"({' + '.join(parts)}) to {_what(call)} on {network}; nothing was sent"
    )


def timeout_error(
    tx_hash: str, timeout: float, *, confirmations: int = 0, mined_in: int | None = None
) -> TransactionError:
    if mined_in is None:
        return TransactionError(
            f"transaction {tx_hash} was sent but not mined within {timeout:g} s; "
            f"it may still be: check it later by its hash"
        )
    return TransactionError(
        f"transaction {tx_hash} was mined in block {mined_in} but did not get "
        f"{confirmations} confirmations within {timeout:g} s; check it later by its hash"
    )


def replay_failure(
    w3: Web3, receipt: Mapping[str, Any], tx_hash: str, call: PendingCall | None
) -> CoopetitionError:
    """A mined transaction with status 0: replay it at its block (and the one before) to recover
    the revert and decode it; else say it ran out of gas or could not be reproduced."""
    tx = w3.eth.get_transaction(cast(Any, tx_hash))
    replay: dict[str, Any] = {"from": tx["from"], "value": int(tx["value"]), "data": hex_str(tx["input"])}
    if tx.get("to"):
        replay["to"] = tx["to"]
    replay["gas"] = int(tx["gas"])
    block = int(receipt["blockNumber"])
    for at in (block, max(block - 1, 0)):
        try:
            w3.eth.call(cast(Any, replay), at)
        except Exception as exc:
            if isinstance(exc, CONNECTION_ERRORS):
                raise
            data = revert_data_from(exc)
            if data is not None:
                return decode_revert(
                    data,
                    contract=call.contract if call else None,
                    abi=call.abi if call else None,
                )
    used, limit = int(receipt["gasUsed"]), int(tx["gas"])
    why = "it ran out of gas" if used >= limit else "the revert could not be reproduced"
    return TransactionFailedError(
        f"transaction {tx_hash} failed in block {block} (status 0, gas used {used} of {limit}): {why}"
    )


def unreachable_message(w3: Web3, network: str) -> str:
    endpoint = getattr(w3.provider, "endpoint_uri", None) or "its URL"
    hint = (
        ": start it with `coopetition devnet start`"
        if network == "dev"
        else ": check the URL and that the node is running"
    )
    return f"no node answers at {endpoint} (network {network}){hint}"
