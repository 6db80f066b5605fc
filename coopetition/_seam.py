"""The seam between generated bindings and the chain layer.

Generated binding classes never sign or send anything themselves: every state-changing method builds a
:class:`PendingCall` and hands it to a :class:`Sender`. The chain layer's transaction pipeline is the
production ``Sender`` (simulate -> estimate -> sign -> send -> wait -> decode); tests may plug others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

__all__ = ["DecodedEvent", "PendingCall", "Sender", "TxResult"]


@dataclass(frozen=True)
class PendingCall:
    """A state-changing contract call, fully encoded, waiting to be sent."""

    contract: str
    """Contract name (e.g. ``"Consortium"``), used in messages and to decode errors."""
    address: str
    """Checksummed address of the target contract; empty for a deployment."""
    function: str
    """Canonical signature, e.g. ``"approve(uint256)"``; ``"constructor"`` for a deployment."""
    args: tuple[Any, ...]
    data: bytes
    """ABI-encoded calldata (or init code plus constructor arguments for a deployment)."""
    value: int = 0
    abi: tuple[Mapping[str, Any], ...] = field(default=(), repr=False, compare=False)
    """ABI of the target, so the sender can decode events and custom errors."""


@dataclass(frozen=True)
class DecodedEvent:
    """One log of a receipt, decoded against the ABI it came from."""

    name: str
    address: str
    args: Mapping[str, Any]
    log_index: int
    block_number: int
    transaction_hash: str


@dataclass(frozen=True)
class TxResult:
    """What a sent and mined transaction did."""

    transaction_hash: str
    block_number: int
    gas_used: int
    effective_gas_price: int
    status: int
    sender: str
    to: str | None
    contract_address: str | None
    events: tuple[DecodedEvent, ...] = ()
    dry_run: bool = False
    """True when only simulated and estimated (``--dry-run``): nothing was sent, ``gas_used`` is the estimate."""
    nonce: int | None = None
    """The sender's nonce the transaction used (``None`` for a dry run or when not known)."""
    label: str = ""
    """What was called, ``Contract.function`` (``deploy Contract``), when the pipeline sent it."""

    @property
    def fee(self) -> int:
        """What the transaction paid for gas, in wei (``gas_used`` x ``effective_gas_price``)."""
        return self.gas_used * self.effective_gas_price

    def events_named(self, name: str) -> tuple[DecodedEvent, ...]:
        return tuple(e for e in self.events if e.name == name)


@runtime_checkable
class Sender(Protocol):
    """Anything that can send a :class:`PendingCall` and report what happened."""

    def send(self, call: PendingCall) -> TxResult: ...
