"""Fee quotes: EIP-1559 when the chain has a base fee, legacy ``gasPrice`` otherwise.

Free-gas consortium chains (base fee 0 and gas price 0, or no base fee and gas price 0) are
first-class: the quote may be all zeros, and a transaction signed with it is still valid there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web3 import Web3

__all__ = ["DEFAULT_PRIORITY_FEE", "FeeQuote", "quote_fees"]

DEFAULT_PRIORITY_FEE = 1_000_000_000
"""Tip used when the node does not implement ``eth_maxPriorityFeePerGas`` and reports no gas price."""


@dataclass(frozen=True)
class FeeQuote:
    """What to offer per unit of gas."""

    eip1559: bool
    max_fee_per_gas: int
    """The most paid per gas: ``maxFeePerGas`` (EIP-1559) or ``gasPrice`` (legacy)."""
    max_priority_fee_per_gas: int | None = None
    base_fee_per_gas: int | None = None

    @property
    def model(self) -> str:
        return "eip1559" if self.eip1559 else "legacy"

    def tx_fields(self) -> dict[str, int]:
        if self.eip1559:
            return {
                "maxFeePerGas": self.max_fee_per_gas,
                "maxPriorityFeePerGas": self.max_priority_fee_per_gas or 0,
            }
        return {"gasPrice": self.max_fee_per_gas}


def _priority_fee(w3: Web3, base_fee: int) -> int:
    try:
        return int(w3.eth.max_priority_fee)
    except Exception:  # method missing on some nodes (older Besu/Quorum): derive it from eth_gasPrice
        try:
            return max(int(w3.eth.gas_price) - base_fee, 0)
        except Exception:
            return 0 if base_fee == 0 else DEFAULT_PRIORITY_FEE


def quote_fees(w3: Web3, *, latest_block: Any = None, priority_fee: int | None = None) -> FeeQuote:
    """EIP-1559 ``maxFee = 2 x baseFee + tip`` (survives six full blocks of base-fee growth), else legacy.

    ``latest_block`` and ``priority_fee`` (``eth_maxPriorityFeePerGas``) may come from a batch the
    caller already made (:mod:`coopetition._chain.quote`); what is missing is asked for here."""
    block = latest_block if latest_block is not None else w3.eth.get_block("latest")
    base_fee = block.get("baseFeePerGas") if hasattr(block, "get") else None
    if base_fee is None:
        return FeeQuote(eip1559=False, max_fee_per_gas=int(w3.eth.gas_price))
    base = int(base_fee)
    if base == 0 and int(w3.eth.gas_price) == 0:
        # free-gas chain: nodes may still suggest a 1 gwei tip (anvil does), which would make an
        # unfunded consortium account unable to send anything
        return FeeQuote(eip1559=True, max_fee_per_gas=0, max_priority_fee_per_gas=0, base_fee_per_gas=0)
    tip = priority_fee if priority_fee is not None else _priority_fee(w3, base)
    return FeeQuote(
        eip1559=True,
        max_fee_per_gas=2 * base + tip,
        max_priority_fee_per_gas=tip,
        base_fee_per_gas=base,
    )
