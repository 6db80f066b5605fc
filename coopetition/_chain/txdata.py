"""The values the transaction pipeline hands out between its steps: the preview a confirmation
prompt shows, the prepared (simulated, estimated, priced) transaction, the signed one; and the
address a deployment will get."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import rlp  # type: ignore[import-untyped]  # rlp ships no py.typed
from eth_utils.address import to_canonical_address, to_checksum_address
from eth_utils.crypto import keccak

from .._seam import PendingCall
from .._units import Wei
from ..exceptions import SendInterrupted
from .failures import ether, per_gas
from .fees import FeeQuote

__all__ = ["PreparedTx", "SignedTx", "TxPreview", "create_address", "interrupted"]


@dataclass(frozen=True)
class TxPreview:
    """What is about to be sent, for a confirmation prompt."""

    network: str
    sender: str
    to: str | None
    """Target address; ``None`` for a deployment."""
    contract: str
    function: str
    args: tuple[Any, ...]
    value: Wei
    gas: int
    """Gas limit (estimate x margin)."""
    fee_model: str
    """``"eip1559"`` or ``"legacy"``."""
    max_fee_per_gas: Wei
    max_priority_fee_per_gas: Wei | None
    max_cost: Wei
    """The most this can cost in wei: ``value + gas x max_fee_per_gas``."""

    def describe(self) -> str:
        """One line for a prompt."""
        target = f"{self.contract} at {self.to}" if self.to else f"new {self.contract}"
        call = "deploy" if self.function == "constructor" else self.function
        args = ", ".join(map(str, self.args))
        return (
            f"{call}({args}) on {target} from {self.sender} on {self.network}: "
            f"value {ether(self.value)}, gas {self.gas}, max fee {per_gas(self.max_fee_per_gas)}/gas, "
            f"at most {ether(self.max_cost)}"
        )


@dataclass(frozen=True)
class PreparedTx:
    """A call that passed simulation, with its gas limit and fees, ready to sign."""

    call: PendingCall
    gas_estimate: int
    gas: int
    fees: FeeQuote
    preview: TxPreview
    pending_nonce: int | None = None
    """The node's pending transaction count for the sender, read with the estimate (if it was)."""


@dataclass(frozen=True)
class SignedTx:
    """A signed transaction (not necessarily sent yet)."""

    call: PendingCall
    transaction_hash: str
    raw_transaction: str
    """``0x``-prefixed signed transaction, so it can be re-broadcast exactly as it was."""
    nonce: int
    sender: str
    chain_id: int
    gas: int
    contract_address: str | None
    """For a deployment, the address the contract will have (sender and nonce fix it)."""


def create_address(sender: str, nonce: int) -> str:
    """The address of a contract created by ``sender``'s transaction with ``nonce`` (CREATE):
    the last 20 bytes of ``keccak(rlp([sender, nonce]))``."""
    return to_checksum_address(keccak(rlp.encode([to_canonical_address(sender), nonce]))[12:])


@contextmanager
def interrupted(tx_hash: str, nonce: int, sender: str, *, resumable: bool) -> Iterator[None]:
    """Ctrl-C in here (broadcasting a signed transaction, or waiting for its receipt) becomes
    :class:`~coopetition.exceptions.SendInterrupted`, which says what was sent and what a rerun does."""
    try:
        yield
    except SendInterrupted:
        raise
    except KeyboardInterrupt:
        raise SendInterrupted(tx_hash, nonce, sender, resumable=resumable) from None
