"""The one ERC-20 client of the services: metadata, balance, allowance, approve-if-short.

:meth:`ERC20.approve_if_short` is the only way a service raises an allowance. When an old non-zero
allowance is below what is needed it is first reset to zero, then set: USDT and other tokens refuse
to change one non-zero allowance into another (the approve race mitigation), so an approval from
non-zero to non-zero is never sent. It is dry-run aware: in a dry run the first simulated approval
is returned and nothing after it is simulated (the action needing the allowance cannot be simulated
before the allowance exists).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from .._runtime import BoundContract
from .._seam import TxResult
from ..exceptions import InputError
from .asset import ETHER, Asset, names_native
from .checks import address

if TYPE_CHECKING:
    from web3 import Web3

__all__ = ["ERC20", "read_asset"]


def _entry(kind: str, name: str, inputs: str = "", outputs: str = "", mutability: str = "view") -> dict[str, Any]:
    def params(text: str) -> list[dict[str, Any]]:
        return [{"name": n, "type": t} for t, n in (p.split(":") for p in text.split(",") if p)]

    entry: dict[str, Any] = {"type": kind, "name": name, "inputs": params(inputs)}
    if kind == "function":
        entry.update(outputs=params(outputs), stateMutability=mutability)
    if kind == "event":
        for param in entry["inputs"]:
            param["indexed"] = param["name"] in ("owner", "spender", "from", "to")
        entry["anonymous"] = False
    return entry


_ABI: tuple[Mapping[str, Any], ...] = (
    _entry("function", "symbol", outputs="string:"),
    _entry("function", "decimals", outputs="uint8:"),
    _entry("function", "balanceOf", "address:account", "uint256:"),
    _entry("function", "allowance", "address:owner,address:spender", "uint256:"),
    _entry("function", "approve", "address:spender,uint256:value", "bool:", "nonpayable"),
    _entry("event", "Approval", "address:owner,address:spender,uint256:value"),
    _entry("event", "Transfer", "address:from,address:to,uint256:value"),
    _entry("error", "ERC20InsufficientBalance", "address:sender,uint256:balance,uint256:needed"),
    _entry("error", "ERC20InsufficientAllowance", "address:spender,uint256:allowance,uint256:needed"),
    _entry("error", "ERC20InvalidApprover", "address:approver"),
    _entry("error", "ERC20InvalidSpender", "address:spender"),
)


class ERC20(BoundContract):
    """An ERC-20 token at an address (reads need no sender; :meth:`approve` sends through it)."""

    contract_name: ClassVar[str] = "ERC20"
    abi: ClassVar[tuple[Mapping[str, Any], ...]] = _ABI

    def with_sender(self, sender: Any) -> ERC20:
        return ERC20(self.w3, self.address, sender)

    def symbol(self) -> str:
        return str(self._call("symbol()", (), ("string",))[0])

    def decimals(self) -> int:
        return int(self._call("decimals()", (), ("uint8",))[0])

    def balance_of(self, owner: str) -> int:
        return int(self._call("balanceOf(address)", (owner,), ("uint256",))[0])

    def allowance(self, owner: str, spender: str) -> int:
        return int(self._call("allowance(address,address)", (owner, spender), ("uint256",))[0])

    def approve(self, spender: str, amount: int) -> TxResult:
        return self._transact("approve", "approve(address,uint256)", (spender, amount))

    def approve_if_short(self, owner: str, spender: str, amount: int) -> tuple[TxResult, ...]:
        """Let ``spender`` take ``amount`` of ``owner``'s tokens: the approvals sent, in order (none
        when the allowance already covers it). A short non-zero allowance is reset to zero first.
        In a dry run the last result is the first simulated approval: stop there."""
        current = self.allowance(owner, spender)
        if current >= amount:
            return ()
        sent: list[TxResult] = []
        if current > 0:
            sent.append(self.approve(spender, 0))
            if sent[-1].dry_run:
                return tuple(sent)
        sent.append(self.approve(spender, amount))
        return tuple(sent)


def read_asset(w3: Web3, ref: object, *, what: str = "asset") -> Asset:
    """The :class:`Asset` that ``ref`` names: ether for ``None``, ``"ETH"`` or the zero address
    (:func:`~coopetition._domain.asset.names_native`), else the ERC-20 at that address with the
    symbol and decimals read from the token. A token without readable metadata counts in base units
    (symbol ``units``, 0 decimals); an address without code is refused."""
    if names_native(ref):
        return ETHER
    token = address(ref, what)
    if not w3.eth.get_code(token):  # type: ignore[arg-type]
        raise InputError(f"{what} {token} has no code on this network: give an ERC-20's address, or ETH")
    contract = ERC20(w3, token)
    try:
        return Asset(token, contract.symbol(), contract.decimals())
    except Exception:  # a token without the optional metadata: base units only
        return Asset(token, "units", 0)
