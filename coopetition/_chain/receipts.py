"""Waiting for a receipt, and a mined receipt as a :class:`~coopetition._seam.TxResult`.

:func:`await_receipt` polls for the receipt (first after 1/16 of the poll interval, doubling up to
it) and then for ``confirmations`` more blocks, telling one
``progress`` callback each state change as a :class:`TxProgress` (``sent``, ``mined``, ``confirmed``
k/n, and always ``done`` last, also when waiting fails). The library installs no callback (silent);
the CLI installs a spinner on a terminal or a plain line per change (:mod:`coopetition.cli.progress`).

:func:`result_from_receipt` decodes the logs with the ABI of the contract that emitted them (the
called or created contract, or one registered with the pipeline); logs of unknown contracts keep
their raw ``topics``/``data``."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, cast

from eth_utils.address import to_checksum_address

from .._abi import decode_log
from .._seam import DecodedEvent, PendingCall, TxResult
from ..exceptions import TransactionError
from .failures import hex_str, timeout_error
from .providers import in_batches

if TYPE_CHECKING:
    from web3 import Web3

__all__ = ["ProgressCallback", "TxProgress", "await_receipt", "call_label", "mined_receipts", "result_from_receipt"]


@dataclass(frozen=True)
class TxProgress:
    """One state change of a transaction being waited for.

    ``stage`` is ``sent`` (broadcast, waiting to be mined), ``mined`` (in ``block_number``),
    ``confirmed`` (``confirmations`` of ``required`` blocks on top of it) or ``done`` (waiting is
    over, successfully or not: always the last one)."""

    stage: Literal["sent", "mined", "confirmed", "done"]
    label: str
    transaction_hash: str
    block_number: int | None = None
    confirmations: int = 0
    required: int = 0


ProgressCallback = Callable[[TxProgress], None]
"""What the pipeline calls with each :class:`TxProgress` (``connect(progress=...)``)."""


def call_label(call: PendingCall | None) -> str:
    """``Contract.function`` or ``deploy Contract``: how a transaction is named to people."""
    if call is None:
        return "transaction"
    return f"deploy {call.contract}" if not call.address else f"{call.contract}.{call.function.split('(')[0]}"


def mined_receipts(w3: Web3, hashes: Sequence[str], *, timeout: float, poll_interval: float) -> list[Any] | None:
    """The receipts of ``hashes`` (one sender's consecutive nonces) in JSON-RPC batches, or ``None``
    when the provider cannot batch, there are fewer than two, or the last is not mined within
    ``timeout`` (then each is waited for). While the last is pending only it is asked for: once it
    is mined, so is every lower nonce of its sender."""
    from web3.exceptions import TransactionNotFound

    if len(hashes) < 2 or not hasattr(w3.provider, "make_batch_request"):
        return None
    deadline, pause = time.monotonic() + timeout, poll_interval / 16
    while True:
        try:
            return in_batches(w3, [partial(w3.eth.get_transaction_receipt, cast(Any, h)) for h in hashes])
        except TransactionNotFound:
            pass
        while True:
            try:
                w3.eth.get_transaction_receipt(cast(Any, hashes[-1]))
                break
            except TransactionNotFound:
                if time.monotonic() >= deadline:
                    return None
                time.sleep(pause)
                pause = min(2 * pause, poll_interval)


def await_receipt(
    w3: Web3, tx_hash: str, *, label: str, confirmations: int, timeout: float, poll_interval: float,
    progress: ProgressCallback | None = None, mined: Any = None,
) -> Any:
    """The receipt of ``tx_hash`` (``mined`` if it was already read) once it has ``confirmations``
    blocks on top of it (read again after them, in case its block was replaced). Raises
    :class:`TransactionError` on time-out or when the transaction disappeared (reorganisation)."""
    from web3.exceptions import TransactionNotFound

    def tell(stage: Any, **kw: Any) -> None:
        if progress is not None:
            progress(TxProgress(stage, label, tx_hash, required=confirmations, **kw))

    deadline = time.monotonic() + timeout
    try:
        tell("sent")
        receipt: Any = mined
        pause = poll_interval / 16  # a dev node mines within milliseconds: ask again soon, then back off
        while receipt is None:
            try:
                receipt = w3.eth.get_transaction_receipt(cast(Any, tx_hash))
            except TransactionNotFound:
                if time.monotonic() >= deadline:
                    raise timeout_error(tx_hash, timeout) from None
                time.sleep(pause)
                pause = min(2 * pause, poll_interval)
        mined = int(receipt["blockNumber"])
        tell("mined", block_number=mined)
        if not confirmations:
            return receipt
        seen = 0
        while True:
            have = min(confirmations, int(w3.eth.block_number) - mined)
            if have > seen:
                seen = have
                tell("confirmed", block_number=mined, confirmations=have)
            if have >= confirmations:
                break
            if time.monotonic() >= deadline:
                raise timeout_error(tx_hash, timeout, confirmations=confirmations, mined_in=mined)
            time.sleep(poll_interval)
        try:
            return w3.eth.get_transaction_receipt(cast(Any, tx_hash))
        except TransactionNotFound:
            raise TransactionError(
                f"transaction {tx_hash} disappeared from the chain while waiting for "
                f"{confirmations} confirmations (reorganisation); check it and retry"
            ) from None
    finally:
        tell("done")

AbiTable = Mapping[str, tuple[str, Sequence[Mapping[str, Any]]]]
"""Checksummed address -> (contract name, ABI)."""


def result_from_receipt(
    receipt: Mapping[str, Any], tx_hash: str, call: PendingCall | None, abis: AbiTable
) -> TxResult:
    contract_address = receipt.get("contractAddress")
    own: set[str] = set()
    if call is not None and call.address:
        own.add(to_checksum_address(call.address))
    if contract_address:
        own.add(to_checksum_address(contract_address))
    events = tuple(
        _decode_receipt_log(log, own, call, tx_hash, abis) for log in receipt.get("logs", ())
    )
    return TxResult(
        transaction_hash=tx_hash,
        block_number=int(receipt["blockNumber"]),
        gas_used=int(receipt["gasUsed"]),
        effective_gas_price=int(receipt.get("effectiveGasPrice") or 0),
        status=int(receipt["status"]),
        sender=to_checksum_address(receipt["from"]),
        to=to_checksum_address(receipt["to"]) if receipt.get("to") else None,
        contract_address=to_checksum_address(contract_address) if contract_address else None,
        events=events,
    )


def _decode_receipt_log(
    log: Any, own: set[str], call: PendingCall | None, tx_hash: str, abis: AbiTable
) -> DecodedEvent:
    address = to_checksum_address(log["address"])
    abi: Sequence[Mapping[str, Any]] = ()
    if address in own and call is not None:
        abi = call.abi
    elif address in abis:
        abi = abis[address][1]
    decoded = _decode_event(abi, log)
    if decoded is None:
        name, args = "unknown", {
            "topics": tuple(hex_str(t) for t in log["topics"]),
            "data": hex_str(log["data"]),
        }
    else:
        name, args = decoded
    return DecodedEvent(
        name=name,
        address=address,
        args=args,
        log_index=int(log["logIndex"]),
        block_number=int(log["blockNumber"]),
        transaction_hash=tx_hash,
    )


def _decode_event(abi: Sequence[Mapping[str, Any]], log: Any) -> tuple[str, dict[str, Any]] | None:
    """The first event of ``abi`` that ``log`` decodes as (see :func:`coopetition._abi.decode_log`)."""
    for entry in abi:
        if entry.get("type") == "event":
            decoded = decode_log(entry, log)
            if decoded is not None:
                return decoded.name, dict(decoded.args)
    return None
