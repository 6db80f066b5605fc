"""A mined receipt as a :class:`~coopetition._seam.TxResult`: its logs decoded with the ABI of the
contract that emitted them (the called or created contract, or one registered with the pipeline);
logs of unknown contracts keep their raw ``topics``/``data``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eth_utils.address import to_checksum_address

from .._abi import decode_log
from .._seam import DecodedEvent, PendingCall, TxResult
from .failures import hex_str

__all__ = ["result_from_receipt"]

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
