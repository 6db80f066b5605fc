"""Shared set-up and the independent model of the sealed negotiation rounds (issue 17) for the round
tests: a round's terms, commit/reveal helpers that keep each partner's salt, exact time control, and
the allocation and bond rules written again in Python (not read from the contract)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from _escrow_support import ETH, ETHER, EscrowWorld, SimulatingSender
from eth_abi import abi as eth_abi
from eth_utils import keccak

from coopetition.bindings.joint_venture_escrow import (
    JointVentureEscrow,
    RoundOpenedEvent,
    RoundSettledEvent,
    RoundTerms,
)

U112 = 2**112 - 1
BOND = 10**16

__all__ = ["BOND", "ETH", "ETHER", "U112", "RoundPlay", "allocate", "bond_refunds", "commitment", "split"]


def commitment(chain_id: int, escrow: str, round_id: int, partner: str, pledge: int, salt: bytes) -> bytes:
    """keccak256(abi.encode(chainid, escrow, roundId, partner, pledge, salt)), computed in Python."""
    return keccak(eth_abi.encode(["uint256", "address", "uint256", "address", "uint256", "bytes32"],
                                 [chain_id, escrow, round_id, partner, pledge, salt]))


def split(amount: int, weights: Sequence[int]) -> list[int]:
    """The cumulative-floor rule: part k = floor(R*C_k/T) - floor(R*C_(k-1)/T)."""
    total, before, out = sum(weights), 0, []
    for w in weights:
        out.append(amount * (before + w) // total - amount * before // total)
        before += w
    return out


def allocate(order: Sequence[str], revealed: Mapping[str, int], members: set[str], budget: int,
             expired: bool = False) -> list[tuple[str, int]]:
    """The allocation rule of IJointVentureEscrowRounds: the kept partners (revealed, pledge > 0 after
    the 2**112 - 1 cap, still members) in invitation order; [] when the round fails; else the split of
    the budget weighted by the pledges, dropping zero shares and splitting again."""
    kept = [(a, min(revealed[a], U112)) for a in order if a in revealed and min(revealed[a], U112) > 0 and a in members]
    if expired or sum(w for _, w in kept) < budget:
        return []
    while True:
        shares = split(budget, [w for _, w in kept])
        if all(shares):
            return [(a, s) for (a, _), s in zip(kept, shares, strict=True)]
        kept = [k for k, s in zip(kept, shares, strict=True) if s]


def bond_refunds(bond: int, committed: Sequence[str], revealed_in_order: Sequence[str]) -> dict[str, int]:
    """Each committed partner's bond refund: revealers get their bond and an equal (cumulative-floor, by
    reveal order) part of the non-revealers' bonds; if nobody revealed, everyone gets its own back."""
    if not revealed_in_order:
        return {a: bond for a in committed}
    forfeited = bond * (len(committed) - len(revealed_in_order))
    parts = split(forfeited, [1] * len(revealed_in_order))
    out = {a: 0 for a in committed}
    for a, part in zip(revealed_in_order, parts, strict=True):
        out[a] = bond + part
    return out


@dataclass
class RoundPlay:
    """One round in an :class:`EscrowWorld`: its id and terms, and the pledges and salts committed."""

    world: EscrowWorld
    round_id: int
    terms: RoundTerms
    salts: dict[str, bytes] = field(default_factory=dict)
    pledges: dict[str, int] = field(default_factory=dict)

    @classmethod
    def open(cls, world: EscrowWorld, partners: Sequence[int | str], *, budget: int = 3 * ETHER, bond: int = BOND,
             asset: str = ETH, milestones: Sequence[int] | None = None, commit_in: int = 1000,
             reveal_for: int = 1000, funding_for: int = 3600, quorum: int = 2, by: int = 0,
             name: str = "sealed", beneficiary: str | None = None) -> RoundPlay:
        terms = cls.make_terms(world, partners, budget=budget, bond=bond, asset=asset, milestones=milestones,
                               commit_in=commit_in, reveal_for=reveal_for, funding_for=funding_for,
                               quorum=quorum, name=name, beneficiary=beneficiary)
        tx = world.escrow(by).open_round(terms)
        return cls(world, RoundOpenedEvent.from_result(tx)[0].round_id, terms)

    @staticmethod
    def make_terms(world: EscrowWorld, partners: Sequence[int | str], *, budget: int = 3 * ETHER,
                   bond: int = BOND, asset: str = ETH, milestones: Sequence[int] | None = None,
                   commit_in: int = 1000, reveal_for: int = 1000, funding_for: int = 3600, quorum: int = 2,
                   name: str = "sealed", beneficiary: str | None = None) -> RoundTerms:
        now = world.env.now()
        commit = now + commit_in
        return RoundTerms(
            name=name, asset=asset, budget=budget, bond=bond,
            beneficiary=beneficiary or world.address(len(world.members) - 1),
            partners=tuple(world.address(p) for p in partners),
            milestones=tuple(milestones) if milestones is not None else (budget // 3, budget - budget // 3),
            commit_deadline=commit, reveal_deadline=commit + reveal_for,
            funding_deadline=commit + reveal_for + funding_for, long_stop=commit + reveal_for + funding_for + 86400,
            quorum=quorum,
        )

    # ------------------------------------------------------------------------------ actions

    def hash_for(self, who: int | str, pledge: int, salt: bytes) -> bytes:
        chain_id = int(self.world.w3.eth.chain_id)
        return commitment(chain_id, self.world.escrow_address, self.round_id, self.world.address(who), pledge, salt)

    def commit(self, who: int, pledge: int, *, value: int | None = None, salt: bytes | None = None) -> Any:
        salt = salt or os.urandom(32)
        address = self.world.address(who)
        self.salts[address], self.pledges[address] = salt, pledge
        bond = self.terms.bond if self.terms.asset == ETH else 0
        return self.world.escrow(who).commit_pledge(self.round_id, self.hash_for(who, pledge, salt),
                                                    value=bond if value is None else value)

    def reveal(self, who: int, pledge: int | None = None, salt: bytes | None = None) -> Any:
        address = self.world.address(who)
        return self.world.escrow(who).reveal_pledge(
            self.round_id, self.pledges[address] if pledge is None else pledge, salt or self.salts[address])

    def lists(self) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
        """What settleRound takes back after the round id: the name, partners and milestones as opened."""
        return self.terms.name, tuple(self.terms.partners), tuple(self.terms.milestones)

    def settle(self, by: int = 0) -> int:
        tx = self.world.escrow(by).settle_round(self.round_id, *self.lists())
        settled = RoundSettledEvent.from_result(tx)
        return settled[0].venture_id if settled else 0

    # ------------------------------------------------------------------------------ time

    def next_block_at(self, timestamp: int) -> None:
        """Mine a block at ``timestamp - 1``: the next transaction is mined at ``timestamp`` (eth-tester
        mines each one a second after the latest block), a call or simulation still runs at ``timestamp - 1``."""
        self.clock_at(timestamp - 1)

    def clock_at(self, timestamp: int) -> None:
        """Mine a block at ``timestamp``: calls and simulations run at ``timestamp``, the next transaction at ``timestamp + 1``."""
        now = self.world.env.now()
        assert timestamp > now, "the clock only moves forward"
        self.world.env.time_travel(timestamp - now)

    def after_commit(self) -> None:
        self.clock_at(self.terms.commit_deadline + 1)

    def after_reveal(self) -> None:
        self.clock_at(self.terms.reveal_deadline + 1)

    def direct(self, who: int) -> JointVentureEscrow:
        """The escrow sending as dev account ``who`` without a simulation (the transaction runs one second
        after the latest block, whatever a simulation at the latest block would say)."""
        return JointVentureEscrow(self.world.w3, self.world.escrow_address, self.world.env.direct(who))

    # ------------------------------------------------------------------------------ reads

    @property
    def escrow(self) -> JointVentureEscrow:
        return self.world.escrow(None)

    def simulate(self, who: int | str) -> JointVentureEscrow:
        """The escrow sending as ``who`` through one ``eth_call`` only (for calls that must revert)."""
        address = self.world.env.address(who) if isinstance(who, int) and who >= len(self.world.members) \
            else self.world.address(who)
        return JointVentureEscrow(self.world.w3, self.world.escrow_address, SimulatingSender(self.world.w3, address))
