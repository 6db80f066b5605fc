"""The base class of the four domain services: the sender, ``with_sender``, ``address``, ``w3``,
deadlines measured on the chain's clock, and cached asset and member look-ups."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, ClassVar, Self

from ..exceptions import InputError
from .checks import deadline as _deadline
from .checks import is_address_text
from .erc20 import ERC20, read_asset
from .members import Members

if TYPE_CHECKING:
    from web3 import Web3

    from .._runtime import BoundContract
    from .._seam import Sender
    from .asset import Asset

__all__ = ["MAX_TIMESTAMP", "Service"]

MAX_TIMESTAMP = 2**64 - 1
"""Latest timestamp the contracts store (``uint64``)."""


class Service:
    """A service over its main binding :attr:`contract` (every binding it holds is listed in
    :attr:`_bindings` and rebound by :meth:`with_sender`)."""

    _bindings: ClassVar[tuple[str, ...]] = ("contract",)

    def __init__(self, contract: BoundContract) -> None:
        self.contract = contract
        self._assets: dict[str, Asset] = {}
        self._members: Members | None = None

    def with_sender(self, sender: Sender | None) -> Self:
        """The same contracts, sending through ``sender`` (e.g. another member's account)."""
        other = copy.copy(self)  # shares the asset and member caches: both are read-only facts
        for name in self._bindings:
            bound = getattr(self, name)
            setattr(other, name, None if bound is None else bound.with_sender(sender))
        return other

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address})"

    @property
    def address(self) -> str:
        return self.contract.address

    @property
    def w3(self) -> Web3:
        return self.contract.w3

    @property
    def sender(self) -> Sender | None:
        return self.contract.sender

    @property
    def sender_address(self) -> str:
        """The account this service sends from; :class:`InputError` when it has none."""
        found: Any = getattr(self.sender, "address", None)
        if not is_address_text(found):
            raise InputError("this needs an account to send from: pass --account, or connect with account=...")
        return str(self.contract.w3.to_checksum_address(found))

    # ------------------------------------------------------------------- shared look-ups

    @property
    def _membership(self) -> Members:
        """The member views of the consortium this contract consults."""
        if self._members is None:
            self._members = Members.at(self.w3, self._consortium_address())
        return self._members

    def _consortium_address(self) -> str:
        return str(self.contract.consortium())  # type: ignore[attr-defined]

    def _asset(self, ref: object, what: str = "asset") -> Asset:
        """The asset ``ref`` names (ether or an ERC-20; metadata read once and cached)."""
        key = ref.strip().lower() if isinstance(ref, str) else repr(ref)
        if key not in self._assets:
            self._assets[key] = read_asset(self.w3, ref, what=what)
        return self._assets[key]

    def _token(self, asset: Asset) -> ERC20:
        """The ERC-20 client of ``asset``, sending through this service's sender."""
        return ERC20(self.w3, asset.address, self.sender)

    def _deadline(self, value: object, what: str) -> int:
        """Absolute timestamp for a duration (``"30d"``, seconds) or an ISO date, measured from the
        latest block's timestamp (not the local clock, which a dev chain does not follow)."""
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        when = _deadline(value, now=now, what=what)
        if when > MAX_TIMESTAMP:
            raise InputError(f"{what} {when} is too far in the future")
        return when
