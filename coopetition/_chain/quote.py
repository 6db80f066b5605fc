"""Everything a send must know before signing, in one JSON-RPC round trip.

:func:`quote_send` asks the node, in one batch, for the gas estimate of the call, the latest block
(base fee, gas limit), the priority fee, the sender's balance and its pending transaction count.
An estimate that succeeds has executed the call against the node's state, so it is the simulation
too: a separate ``eth_call`` is needed only when the estimate fails, to recover and decode the
revert (the pipeline then takes its step-by-step path, :meth:`TransactionPipeline.prepare`, which
raises exactly the errors it always did). Providers that cannot batch (eth-tester, the WebSocket
provider) and state overrides also take that path: ``quote_send`` returns ``None``.

The requests go to the provider directly, below web3's middleware: the answers are read here
(hex quantities), and no ``eth_chainId`` validation is added (the chain id is pinned at connect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._seam import PendingCall
from .failures import CONNECTION_ERRORS, hex_str
from .fees import FeeQuote, quote_fees

if TYPE_CHECKING:
    from web3 import Web3

__all__ = ["SendQuote", "quote_send"]


@dataclass(frozen=True)
class SendQuote:
    """The node's answers for one send, read in one round trip."""

    estimate: int
    block_gas_limit: int | None
    fees: FeeQuote
    balance: int
    pending_nonce: int


def _quantity(answer: Any) -> int | None:
    result = answer.get("result") if isinstance(answer, dict) and "error" not in answer else None
    return int(result, 16) if isinstance(result, str) else None


def quote_send(w3: Web3, sender: str, call: PendingCall) -> SendQuote | None:
    """One batch: estimate, latest block, priority fee, balance, pending nonce. ``None`` when the
    provider cannot batch, the node refused the batch, or the estimate failed (the caller then
    simulates to say why)."""
    batch = getattr(w3.provider, "make_batch_request", None)
    if batch is None:
        return None
    fields: dict[str, Any] = {"from": sender, "value": hex(call.value), "data": hex_str(call.data)}
    if call.address:
        fields["to"] = call.address
    try:
        answers = batch([
            ("eth_estimateGas", [fields]),
            ("eth_getBlockByNumber", ["latest", False]),
            ("eth_maxPriorityFeePerGas", []),
            ("eth_getBalance", [sender, "latest"]),
            ("eth_getTransactionCount", [sender, "pending"]),
        ])
    except CONNECTION_ERRORS:
        raise
    except Exception:  # a node that refuses batches: ask step by step
        return None
    if not isinstance(answers, list) or len(answers) != 5:
        return None
    estimate, block_answer, tip_answer, balance_answer, nonce_answer = answers
    block = block_answer.get("result") if isinstance(block_answer, dict) else None
    numbers = (_quantity(estimate), _quantity(balance_answer), _quantity(nonce_answer))
    if not isinstance(block, dict) or None in numbers:
        return None
    gas, balance, nonce = (int(n) for n in numbers if n is not None)
    latest = {} if block.get("baseFeePerGas") is None else {"baseFeePerGas": int(block["baseFeePerGas"], 16)}
    fees = quote_fees(w3, latest_block=latest, priority_fee=_quantity(tip_answer))
    limit = block.get("gasLimit")
    return SendQuote(
        estimate=gas,
        block_gas_limit=int(limit, 16) if isinstance(limit, str) else None,
        fees=fees,
        balance=balance,
        pending_nonce=nonce,
    )
