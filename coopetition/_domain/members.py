"""Member views over the consortium binding: label <-> address, is_member.

Every service resolves names here: a reference starting with ``0x`` is read as an address (checked
by :func:`~coopetition._domain.checks.address`), anything else as a member label looked up in the
consortium. Whether an address must be a member is the contract's rule, not this module's, except
where :meth:`Members.member` is asked for a current member explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..bindings.consortium import Consortium
from ..exceptions import InputError
from .checks import address

if TYPE_CHECKING:
    from web3 import Web3

__all__ = ["Member", "Members"]


@dataclass(frozen=True)
class Member:
    """A current member of the consortium."""

    address: str
    label: str


def _is_address_ref(ref: object) -> bool:
    return isinstance(ref, str) and ref.strip()[:2] in ("0x", "0X")


class Members:
    """Read-only views of the membership of one consortium."""

    def __init__(self, consortium: Consortium) -> None:
        self.contract = consortium

    @classmethod
    def at(cls, w3: Web3, consortium: str) -> Members:
        return cls(Consortium(w3, consortium))

    def __repr__(self) -> str:
        return f"Members({self.contract.address})"

    def all(self) -> tuple[Member, ...]:
        """Current members with their labels, in the contract's order."""
        return tuple(Member(m.account, m.label) for m in self.contract.member_list())

    def labels(self) -> dict[str, str]:
        """Current members' labels by address."""
        return {m.address: m.label for m in self.all()}

    def is_member(self, account: str, what: str = "account") -> bool:
        return self.contract.is_member(address(account, what))

    def address_of(self, ref: str, what: str = "member") -> str:
        """The address ``ref`` names: an address (any account, member or not) or a member's label."""
        if _is_address_ref(ref):
            return address(ref, what)
        if not isinstance(ref, str) or not ref.strip():
            raise InputError(f"{what} {ref!r} is neither an address nor a member label")
        found = self.contract.member_by_label(ref)
        if int(found, 16) == 0:
            known = ", ".join(m.label for m in self.all())
            raise InputError(f"no member is labelled {ref!r} (members: {known})")
        return found

    def member(self, ref: str, what: str = "member") -> Member:
        """The current member with address or label ``ref``; :class:`InputError` if there is none."""
        if _is_address_ref(ref):
            account = address(ref, what)
            if not self.contract.is_member(account):
                raise InputError(f"{account} is not a member of the consortium at {self.contract.address}")
            return Member(account, self.contract.member_label(account))
        return Member(self.address_of(ref, what), ref)
