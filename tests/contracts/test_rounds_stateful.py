"""A state machine (hypothesis) over the sealed rounds of the JointVentureEscrow (issue 17), on a real EVM
(an anvil node the test starts and stops).

Random rounds (2..4 partners, budgets, bonds with odd wei, quorums), random commits (pledges of zero, of
a few wei, of ether, above 2**112), correct and wrong reveals, settlements, bond pulls and pushes, in any
order and at any time; every action the model says must fail is checked to fail with exactly the
predicted error (simulated, nothing sent). After every step, to the wei:

- the escrow holds exactly the bonds paid in and not yet paid out;
- ``reserved(ETH)`` is exactly the open rounds' bond exposure plus the settled rounds' committed bonds
  not yet paid out plus the created ventures' totals;
- the round acted on has the model's counters and effective state (every round at the end).

A settled round's venture (partners in order, contributions, quorum, dissolution quorum) is the
allocation rule applied to the revealed pledges (``allocate`` in tests/_rounds_support.py, written
independently of the contract), and each bond refund is ``bond_refunds``. At the end every bond is
pushed out and every venture's reserve released: nothing may stay behind.

The default run executes at least 3,000 steps (counted and asserted); ``-m slow`` at least 20,000. For
the step budget the steps go through the tests' lean client of the node (tests/_embedded.py: no
middleware, no proxy look-up, a fixed gas price, the direct sender), the invariant reads the balance,
the reserve, the clock and the round in one JSON-RPC batch, each example starts from a snapshot of the
deployment, and every block is mined exactly one second after the one before (anvil's block timestamp
interval), as the phase logic below assumes, except the ``wait`` rule's jumps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from _embedded import LeanClient
from _escrow_support import EscrowWorld, SimulatingSender, escrow_on_anvil, run_examples
from _rounds_support import U112, allocate, bond_refunds, commitment
from eth_abi import abi as eth_abi
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from coopetition._seam import TxResult
from coopetition.bindings.joint_venture_escrow import (
    JointVentureEscrow,
    JointVentureEscrowRoundAlreadyCommitted,
    JointVentureEscrowRoundAlreadyRevealed,
    JointVentureEscrowRoundAlreadySettled,
    JointVentureEscrowRoundBondAlreadyWithdrawn,
    JointVentureEscrowRoundCommitmentMismatch,
    JointVentureEscrowRoundNoBond,
    JointVentureEscrowRoundNotCommitted,
    JointVentureEscrowRoundNotInvited,
    JointVentureEscrowRoundWrongPhase,
    Round,
    RoundOpenedEvent,
    RoundSettledEvent,
    RoundState,
    RoundTerms,
)
from coopetition.exceptions import ContractCustomError

ETH = "0x" + "00" * 20
ETHER = 10**18
N_MEMBERS = 5  # members 0..3 may be partners, 4 is the beneficiary; dev account 9 is an outsider
BENEFICIARY = 4
OUTSIDER = 9
COMMIT_IN, REVEAL_FOR, FUNDING_FOR = 2_500, 2_500, 10_000
JUMP = 1_000
ROUND = "(address,address,address,uint64,uint64,uint64,uint64,uint32,uint32,uint32,uint32,uint8,uint256,uint256,uint256,uint256,bool)"
"""What ``round(uint256)`` returns (the generated binding's output type), decoded from the invariant's batch."""


@dataclass
class Shared:
    """One deployment on one anvil node for every example of a run (each starts from ``snapshot``)."""

    world: EscrowWorld
    lean: LeanClient
    snapshot: str
    steps: int = 0


@dataclass
class RoundModel:
    id: int
    terms: RoundTerms
    partners: list[int]
    committed: dict[int, tuple[int, bytes]] = field(default_factory=dict)
    revealed: list[int] = field(default_factory=list)
    withdrawn: set[int] = field(default_factory=set)
    finalized: bool = False
    venture_id: int = 0

    def phase(self, t: int) -> RoundState | None:
        if t <= self.terms.commit_deadline:
            return RoundState.COMMIT
        if t <= self.terms.reveal_deadline:
            return RoundState.REVEAL
        return None

    def allocation(self, w: EscrowWorld, t: int) -> list[tuple[str, int]]:
        pledges = {w.address(k): self.committed[k][0] for k in self.revealed}
        return allocate([w.address(k) for k in self.partners], pledges, {m.address for m in w.members},
                        self.terms.budget, expired=t >= self.terms.funding_deadline)

    def lists(self) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
        """What settleRound takes back: the name, partners and milestones the round was opened with."""
        return self.terms.name, tuple(self.terms.partners), tuple(self.terms.milestones)

    def refunds(self, w: EscrowWorld) -> dict[str, int]:
        return bond_refunds(self.terms.bond, [w.address(k) for k in self.committed],
                            [w.address(k) for k in self.revealed])


class RoundsMachine(RuleBasedStateMachine):
    s: Shared

    def __init__(self) -> None:
        super().__init__()
        self.w = self.s.world
        self.lean = self.s.lean
        self.s.snapshot = self.lean.back_to(self.s.snapshot)
        self.view = JointVentureEscrow(self.lean.w3, self.w.escrow_address)
        self.rounds: list[RoundModel] = []
        self.venture_totals = 0
        self.bonds_in = 0
        self.bonds_out = 0
        self.chain_id = int(self.lean.w3.eth.chain_id)
        self.touched: RoundModel | None = None

    # ----------------------------------------------------------------------------- helpers

    def now(self) -> int:
        return self.lean.now()

    def balance(self, address: str) -> int:
        return self.lean.balance(address)

    def esc(self, who: int, error: type[ContractCustomError] | None = None) -> JointVentureEscrow:
        address = self.w.env.address(who) if who >= len(self.w.members) else self.w.address(who)
        sender = SimulatingSender(self.lean.w3, address) if error is not None else self.lean.sender(address)
        return JointVentureEscrow(self.lean.w3, self.w.escrow_address, sender)

    def settle_round(self, esc: JointVentureEscrow, r: RoundModel) -> TxResult:
        """Every settlement of the machine (the rule's, simulated or sent, and the teardown's) goes here."""
        return esc.settle_round(r.id, *r.lists())

    def expect(self, error: type[ContractCustomError] | None, action: Callable[[JointVentureEscrow], Any],
               who: int) -> Any:
        """Send ``action`` as ``who`` (it must succeed), or simulate it: it must revert with ``error``."""
        self.s.steps += 1
        if error is None:
            return action(self.esc(who))
        with pytest.raises(error):
            action(self.esc(who, error))
        return None

    def stable(self, r: RoundModel) -> RoundState | bool | None:
        """The phase in which a simulation (latest block) and a transaction (one second later) both run,
        or False on a boundary (the step is skipped)."""
        t = self.now()
        return r.phase(t) if r.phase(t) == r.phase(t + 1) else False

    def pick(self, data: st.DataObject) -> RoundModel | None:
        if not self.rounds:
            return None
        self.touched = self.rounds[data.draw(st.integers(0, len(self.rounds) - 1))]
        return self.touched

    # ------------------------------------------------------------------------------- rules

    @rule(data=st.data(), n=st.integers(2, 4), budget=st.sampled_from([10, 3 * ETHER, 7 * ETHER + 13]),
          bond=st.sampled_from([0, 7, 10**16 + 1]), quorum=st.integers(1, 4))
    def open_round(self, data: st.DataObject, n: int, budget: int, bond: int, quorum: int) -> None:
        if len(self.rounds) >= 4:
            return
        partners = data.draw(st.permutations(range(4)))[:n]
        now = self.now()
        commit = now + COMMIT_IN
        terms = RoundTerms(name=f"r{len(self.rounds)}", asset=ETH, budget=budget, bond=bond,
                           beneficiary=self.w.address(BENEFICIARY), partners=tuple(self.w.address(k) for k in partners),
                           milestones=(max(1, budget // 2),), commit_deadline=commit,
                           reveal_deadline=commit + REVEAL_FOR, funding_deadline=commit + REVEAL_FOR + FUNDING_FOR,
                           long_stop=commit + REVEAL_FOR + FUNDING_FOR + 1, quorum=quorum)
        tx = self.expect(None, lambda e: e.open_round(terms), partners[0])
        rid = RoundOpenedEvent.from_result(tx)[0].round_id
        self.rounds.append(RoundModel(rid, terms, list(partners)))
        self.touched = self.rounds[-1]

    @rule(data=st.data(), who=st.integers(0, 4),
          pledge=st.sampled_from([0, 1, 3, ETHER, 2 * ETHER + 1, 5 * ETHER, U112, 2**200]))
    def commit(self, data: st.DataObject, who: int, pledge: int) -> None:
        r = self.pick(data)
        if r is None or (phase := self.stable(r)) is False:
            return
        salt = data.draw(st.binary(min_size=32, max_size=32))
        c = commitment(self.chain_id, self.w.escrow_address, r.id, self.w.address(who), pledge, salt)
        error: type[ContractCustomError] | None = None
        if phase != RoundState.COMMIT:
            error = JointVentureEscrowRoundWrongPhase
        elif who not in r.partners:
            error = JointVentureEscrowRoundNotInvited
        elif who in r.committed:
            error = JointVentureEscrowRoundAlreadyCommitted
        self.expect(error, lambda e: e.commit_pledge(r.id, c, value=r.terms.bond), who)
        if error is None:
            r.committed[who] = (pledge, salt)
            self.bonds_in += r.terms.bond

    @rule(data=st.data(), who=st.integers(0, 4), wrong=st.booleans())
    def reveal(self, data: st.DataObject, who: int, wrong: bool) -> None:
        r = self.pick(data)
        if r is None or (phase := self.stable(r)) is False:
            return
        pledge, salt = r.committed.get(who, (1, b"\0" * 32))
        if wrong:
            salt = bytes([salt[0] ^ 1]) + salt[1:]
        error: type[ContractCustomError] | None = None
        if phase != RoundState.REVEAL:
            error = JointVentureEscrowRoundWrongPhase
        elif who not in r.partners:
            error = JointVentureEscrowRoundNotInvited
        elif who not in r.committed:
            error = JointVentureEscrowRoundNotCommitted
        elif who in r.revealed:
            error = JointVentureEscrowRoundAlreadyRevealed
        elif wrong:
            error = JointVentureEscrowRoundCommitmentMismatch
        self.expect(error, lambda e: e.reveal_pledge(r.id, pledge, salt), who)
        if error is None:
            r.revealed.append(who)

    @rule(data=st.data(), who=st.sampled_from([0, 3, OUTSIDER]))
    def settle(self, data: st.DataObject, who: int) -> None:
        r = self.pick(data)
        if r is None or (phase := self.stable(r)) is False:
            return
        t = self.now() + 1
        if t in (r.terms.funding_deadline, r.terms.funding_deadline + 1):
            return  # the simulation and the transaction would disagree on the funding deadline
        error: type[ContractCustomError] | None = None
        if phase is not None:
            error = JointVentureEscrowRoundWrongPhase
        elif r.finalized:
            error = JointVentureEscrowRoundAlreadySettled
        tx = self.expect(error, lambda e: self.settle_round(e, r), who)
        if error is not None:
            return
        expected = r.allocation(self.w, t)
        r.finalized = True
        settled = RoundSettledEvent.from_result(tx)
        esc = self.view
        if not expected:
            assert not settled and esc.round(r.id).state == RoundState.FAILED
            return
        vid = settled[0].venture_id
        r.venture_id = vid
        n = len(expected)
        quorum = min(r.terms.quorum, n)
        assert [(a, esc.partner(vid, a).owed) for a in esc.partners(vid)] == expected
        v = esc.venture(vid)
        assert (v.total, v.quorum, v.dissolution_quorum, v.creator) == (
            r.terms.budget, quorum, n - quorum + 1, self.w.address(r.partners[0]))
        self.venture_totals += r.terms.budget

    @rule(data=st.data(), who=st.integers(0, 4), push=st.booleans())
    def bond(self, data: st.DataObject, who: int, push: bool) -> None:
        r = self.pick(data)
        if r is None or (phase := self.stable(r)) is False:
            return
        address = self.w.address(who)
        amount = r.refunds(self.w).get(address, 0)
        error: type[ContractCustomError] | None = None
        if phase is not None:
            error = JointVentureEscrowRoundWrongPhase
        elif who not in r.partners:
            error = JointVentureEscrowRoundNotInvited
        elif who not in r.committed:
            error = JointVentureEscrowRoundNotCommitted
        elif who in r.withdrawn:
            error = JointVentureEscrowRoundBondAlreadyWithdrawn
        elif amount == 0:
            error = JointVentureEscrowRoundNoBond
        to = self.w.env.address(8)
        before = self.balance(address if push else to)
        if push:
            self.expect(error, lambda e: e.push_bond(r.id, address), OUTSIDER)
        else:
            self.expect(error, lambda e: e.withdraw_bond(r.id, to), who)
        if error is None:
            r.withdrawn.add(who)
            self.bonds_out += amount
            if not push:  # (a push's gas is paid by the outsider, so the partner receives exactly it)
                assert self.balance(to) == before + amount
            else:
                assert self.balance(address) == before + amount

    @rule(seconds=st.sampled_from([JUMP, 2 * JUMP, 3 * JUMP]))
    def wait(self, seconds: int) -> None:
        self.s.steps += 1
        self.lean.time_travel(seconds)

    # -------------------------------------------------------------------------- invariants

    def exposure(self) -> int:
        total = 0
        for r in self.rounds:
            paid = sum(r.refunds(self.w)[self.w.address(k)] for k in r.withdrawn)
            if r.finalized:
                total += r.terms.bond * len(r.committed) - paid
            else:
                total += r.terms.bond * len(r.partners) - paid
        return total

    def read(self, rounds: list[RoundModel]) -> tuple[int, int, int, list[Round]]:
        """The escrow's ether, ``reserved(ETH)``, the latest block's timestamp and ``rounds``' views, in one
        JSON-RPC batch (one round trip, all at the same block)."""
        w3, escrow = self.lean.w3, self.w.escrow_address
        calls = [JointVentureEscrow._encode("reserved(address)", (ETH,))]
        calls += [JointVentureEscrow._encode("round(uint256)", (r.id,)) for r in rounds]
        with w3.batch_requests() as batch:
            batch.add(w3.eth.get_balance(escrow))  # type: ignore[arg-type]
            batch.add(w3.eth.get_block("latest"))
            for data in calls:
                batch.add(w3.eth.call({"to": escrow, "data": "0x" + data.hex()}))  # type: ignore[typeddict-item]
            balance, block, reserved, *views = batch.execute()
        return (int(balance), int(eth_abi.decode(["uint256"], bytes(reserved))[0]), int(block["timestamp"]),
                [Round.from_abi(eth_abi.decode([ROUND], bytes(v))[0]) for v in views])

    @invariant()
    def books_balance_to_the_wei_and_the_round_touched_matches_the_model(self) -> None:
        balance, reserved, t, views = self.read([self.touched] if self.touched is not None else [])
        assert balance == self.bonds_in - self.bonds_out
        assert reserved == self.exposure() + self.venture_totals
        if self.touched is not None:
            self.check_round(self.touched, views[0], t)

    def check_round(self, r: RoundModel, view: Round, t: int) -> None:
        """The round's counters and its effective state at time ``t`` are the model's."""
        assert (view.committed_count, view.revealed_count, view.finalized) == (
            len(r.committed), len(r.revealed), r.finalized)
        phase = r.phase(t)
        if phase is None:
            settled = bool(r.venture_id) if r.finalized else bool(r.allocation(self.w, t))
            phase = RoundState.SETTLED if settled else RoundState.FAILED
        assert view.state == phase

    def teardown(self) -> None:
        """Settle every round, push every bond, release every venture's reserve: nothing stays."""
        _, _, t, views = self.read(self.rounds)
        for r, view in zip(self.rounds, views, strict=True):
            self.check_round(r, view, t)
        latest = max((r.terms.funding_deadline for r in self.rounds), default=0)
        if latest:
            self.lean.time_travel(max(1, latest + 2 - self.now()))
        esc = self.view
        for r in self.rounds:
            if not r.finalized:
                self.settle_round(self.esc(OUTSIDER), r)
                r.finalized = True
            for k in r.committed:
                if esc.bond_refundable(r.id, self.w.address(k)) > 0:
                    self.esc(OUTSIDER).push_bond(r.id, self.w.address(k))
            vid = esc.round(r.id).venture_id
            if vid and esc.venture(vid).reserve > 0:
                self.esc(OUTSIDER).release_reserve(vid)
        assert self.balance(self.w.escrow_address) == esc.reserved(ETH) == 0


def _run(max_examples: int, steps: int) -> tuple[int, float]:
    with escrow_on_anvil(N_MEMBERS) as (world, lean):
        s = RoundsMachine.s = Shared(world, lean, str(lean.rpc("evm_snapshot")))
        seconds = run_examples(RoundsMachine, max_examples, steps)
        return s.steps, seconds


@pytest.mark.anvil
def test_round_invariants_hold_over_three_thousand_steps() -> None:
    steps, seconds = _run(max_examples=60, steps=250)
    print(f"rounds state machine: {steps} steps in {seconds:.1f} s")
    assert steps >= 3000


@pytest.mark.slow
@pytest.mark.anvil
def test_round_invariants_hold_over_twenty_thousand_steps() -> None:
    steps, seconds = _run(max_examples=220, steps=250)
    print(f"rounds state machine: {steps} steps in {seconds:.1f} s")
    assert steps >= 20_000
