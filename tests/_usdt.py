"""A USDT-style approval rule for tests: a :class:`~coopetition._seam.Sender` wrapper that refuses,
like USDT's ``approve``, to change a non-zero allowance into another non-zero one.

Wrap a pipeline with it and hand it to a service: every ``approve(address,uint256)`` the service
sends is checked against the token's current allowance before it reaches the chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coopetition._domain.erc20 import ERC20
from coopetition._seam import PendingCall, Sender, TxResult


class NonZeroToNonZeroApproval(AssertionError):
    """An approval from a non-zero allowance to another non-zero one was about to be sent."""


@dataclass
class UsdtStyleSender:
    inner: Sender
    w3: Any
    approvals: list[tuple[str, int, int]] = field(default_factory=list)
    """(token, allowance before, allowance asked) of every approval sent."""

    @property
    def address(self) -> str:
        return str(self.inner.address)  # type: ignore[attr-defined]

    @property
    def dry_run(self) -> bool:
        return bool(getattr(self.inner, "dry_run", False))

    def send(self, call: PendingCall) -> TxResult:
        if call.function == "approve(address,uint256)":
            spender, value = call.args
            before = ERC20(self.w3, call.address).allowance(self.address, spender)
            if before != 0 and value != 0:
                raise NonZeroToNonZeroApproval(f"approve {before} -> {value} on {call.address}")
            self.approvals.append((call.address, before, value))
        return self.inner.send(call)
