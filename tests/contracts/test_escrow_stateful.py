"""A Hypothesis state machine over the JointVentureEscrow on eth-tester: random partners create,
fund, approve, release, withdraw, dissolve, refund and let deadlines pass, in ETH and in an ERC-20,
with amounts of a few wei so that every rounding case of the remainder rule comes up.

A model predicts the outcome of every action (success, or exactly which custom error), and the
invariants of issue 5 are checked after every step:

* deposited = released + refunded + held (held for partners = deposited - released - refunded >= 0),
  and deposited / withdrawn / refunded equal what really moved (fresh recipient addresses);
* the escrow's balance of each asset equals what it owes over all ventures (nothing forced in here);
* each milestone is paid at most once (released = sum of the released milestones);
* states only move forward;
* each refund happens at most once and is exactly the remainder rule's amount.

When an example ends, every venture is driven to its end (dissolved if needed) and everyone takes
their money: the venture must then hold nothing: nothing is stuck.

The default run executes at least 1,000 steps (counted and asserted); ``-m slow`` runs a longer one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from _escrow_support import EscrowWorld
from eth_account import Account
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from coopetition.bindings.joint_venture_escrow import (
    JointVentureEscrowAlreadyApproved,
    JointVentureEscrowAlreadyRefunded,
    JointVentureEscrowAlreadyVoted,
    JointVentureEscrowDeadlineNotPassed,
    JointVentureEscrowDepositExceedsOwed,
    JointVentureEscrowInvalidState,
    JointVentureEscrowMilestoneAlreadyReleased,
    JointVentureEscrowNothingToRefund,
    JointVentureEscrowNothingToWithdraw,
    JointVentureEscrowNotPartner,
    JointVentureEscrowQuorumNotReached,
    JointVentureEscrowZeroDeposit,
    State,
    VentureTerms,
)
from coopetition.escrow import ETH, refund_shares
from coopetition.exceptions import ContractCustomError

N_MEMBERS = 5  # members 0..3 are partners, 4 the beneficiary; dev account 9 is an outsider
BENEFICIARY = 4
OUTSIDER = 9
DEADLINE_IN = 50_000
FORWARD = {State.FUNDING: {State.FUNDING, State.ACTIVE, State.CANCELLED},
           State.ACTIVE: {State.ACTIVE, State.COMPLETED, State.CANCELLED},
           State.COMPLETED: {State.COMPLETED}, State.CANCELLED: {State.CANCELLED}}


@dataclass
class Shared:
    world: EscrowWorld
    token: str
    steps: int = 0
    expected_held: dict[str, int] = field(default_factory=dict)
    """What the escrow must hold per asset over every venture of every example, from the models."""


_SHARED: Shared | None = None


def shared() -> Shared:
    global _SHARED
    if _SHARED is None:
        world = EscrowWorld.start(N_MEMBERS, fast=True)
        token = world.deploy_test("MockERC20", ["USD Coin", "USDC", 6])
        for i in range(N_MEMBERS - 1):
            world.token(token, i).mint(world.address(i), 10**30)
            world.token(token, i).approve(world.escrow_address, 2**256 - 1)
        _SHARED = Shared(world, token, expected_held={ETH: 0, token: 0})
    return _SHARED


@dataclass
class Model:
    id: int
    asset: str
    partners: list[int]
    owed: list[int]
    milestones: list[int]
    quorum: int
    deadline: int
    paid: list[int] = field(default_factory=list)
    approvals: list[set[int]] = field(default_factory=list)
    released_ms: list[bool] = field(default_factory=list)
    state: State = State.FUNDING
    votes: set[int] = field(default_factory=set)
    refunded: set[int] = field(default_factory=set)
    released: int = 0
    withdrawn: int = 0
    refunded_total: int = 0
    deposited: int = 0

    def __post_init__(self) -> None:
        self.paid = [0] * len(self.partners)
        self.approvals = [set() for _ in self.milestones]
        self.released_ms = [False] * len(self.milestones)

    def expired(self, now: int) -> bool:
        return self.state == State.FUNDING and now >= self.deadline

    def effective(self, now: int) -> State:
        return State.CANCELLED if self.expired(now) else self.state

    def refund_of(self, k: int) -> int:
        if self.released == 0:
            return self.paid[k]
        return self.paid[k] - refund_shares(self.owed, self.released)[k]


class EscrowMachine(RuleBasedStateMachine):
    ventures = Bundle("ventures")

    def __init__(self) -> None:
        super().__init__()
        self.s = shared()
        self.w = self.s.world
        self.models: dict[int, Model] = {}
        self.seen: dict[int, State] = {}
        self.touched: int | None = None

    # ----------------------------------------------------------------------------- helpers

    def now(self) -> int:
        return self.w.env.now()

    def held_by_escrow(self, asset: str) -> int:
        if asset == ETH:
            return self.w.env.balance(self.w.escrow_address)
        return int(self.w.token(self.s.token).balance_of(self.w.escrow_address))

    def received(self, asset: str, address: str) -> int:
        if asset == ETH:
            return self.w.env.balance(address)
        return int(self.w.token(self.s.token).balance_of(address))

    def expect(self, error: type[ContractCustomError] | None, action: Callable[[], Any]) -> Any:
        self.s.steps += 1
        if error is None:
            return action()
        with pytest.raises(error):
            action()
        return None

    # ------------------------------------------------------------------------------- rules

    @precondition(lambda self: len(self.models) < 4)
    @rule(
        target=ventures,
        n=st.integers(1, 4),
        owed=st.lists(st.integers(1, 40), min_size=4, max_size=4),
        milestone_parts=st.lists(st.integers(1, 30), min_size=1, max_size=4),
        quorum_pick=st.integers(1, 4),
        in_token=st.booleans(),
    )
    def create(self, n: int, owed: list[int], milestone_parts: list[int], quorum_pick: int, in_token: bool) -> int:
        owed = owed[:n]
        total = sum(owed)
        milestones: list[int] = []
        for part in milestone_parts:  # keep the milestones within the total
            if sum(milestones) + part <= total:
                milestones.append(part)
        if not milestones:
            milestones = [total]
        asset = self.s.token if in_token else ETH
        deadline = self.now() + DEADLINE_IN
        terms = VentureTerms("sm", asset, self.w.address(BENEFICIARY), tuple(self.w.address(i) for i in range(n)),
                             tuple(owed), tuple(milestones), deadline, min(quorum_pick, n))
        vid = self.w.create(terms, by=n - 1)
        self.s.steps += 1
        self.models[vid] = Model(vid, asset, list(range(n)), owed, milestones, min(quorum_pick, n), deadline)
        self.touched = vid
        self.seen[vid] = State.FUNDING
        return vid

    @rule(vid=ventures, k=st.integers(0, 4), amount=st.integers(0, 45))
    def deposit(self, vid: int, k: int, amount: int) -> None:
        m = self.models[vid]
        self.touched = vid
        esc = self.w.escrow(k if k < 4 else OUTSIDER)
        error: type[ContractCustomError] | None = None
        if m.state != State.FUNDING or m.expired(self.now() + 1):
            error = JointVentureEscrowInvalidState
        elif k not in m.partners:
            error = JointVentureEscrowNotPartner
        elif amount == 0:
            error = JointVentureEscrowZeroDeposit
        elif m.paid[k] + amount > m.owed[k]:
            error = JointVentureEscrowDepositExceedsOwed
        if k >= 4:
            esc = self.w.escrow(OUTSIDER)
        value = amount if m.asset == ETH else 0
        self.expect(error, lambda: esc.deposit(vid, amount, value=value))
        if error is None:
            m.paid[k] += amount
            m.deposited += amount
            self.s.expected_held[m.asset] += amount
            if m.paid == m.owed:
                m.state = State.ACTIVE

    @rule(vid=ventures, k=st.integers(0, 3), index=st.integers(0, 3))
    def approve(self, vid: int, k: int, index: int) -> None:
        m = self.models[vid]
        self.touched = vid
        index %= len(m.milestones)
        error: type[ContractCustomError] | None = None
        if m.state != State.ACTIVE:
            error = JointVentureEscrowInvalidState
        elif k not in m.partners:
            error = JointVentureEscrowNotPartner
        elif m.released_ms[index]:
            error = JointVentureEscrowMilestoneAlreadyReleased
        elif k in m.approvals[index]:
            error = JointVentureEscrowAlreadyApproved
        self.expect(error, lambda: self.w.escrow(k).approve_milestone(vid, index))
        if error is None:
            m.approvals[index].add(k)

    @rule(vid=ventures, index=st.integers(0, 3))
    def release(self, vid: int, index: int) -> None:
        m = self.models[vid]
        self.touched = vid
        index %= len(m.milestones)
        error: type[ContractCustomError] | None = None
        if m.state != State.ACTIVE:
            error = JointVentureEscrowInvalidState
        elif m.released_ms[index]:
            error = JointVentureEscrowMilestoneAlreadyReleased
        elif len(m.approvals[index]) < m.quorum:
            error = JointVentureEscrowQuorumNotReached
        self.expect(error, lambda: self.w.escrow(OUTSIDER).release_milestone(vid, index))
        if error is None:
            m.released_ms[index] = True
            m.released += m.milestones[index]
            if all(m.released_ms):
                m.state = State.COMPLETED

    @rule(vid=ventures)
    def withdraw(self, vid: int) -> None:
        m = self.models[vid]
        self.touched = vid
        amount = m.released - m.withdrawn
        to = str(Account.create().address)
        self.expect(JointVentureEscrowNothingToWithdraw if amount == 0 else None,
                    lambda: self.w.escrow(BENEFICIARY).withdraw(vid, to))
        assert self.received(m.asset, to) == amount
        m.withdrawn += amount
        self.s.expected_held[m.asset] -= amount

    @rule(vid=ventures, k=st.integers(0, 3))
    def vote(self, vid: int, k: int) -> None:
        m = self.models[vid]
        self.touched = vid
        error: type[ContractCustomError] | None = None
        if m.effective(self.now() + 1) not in (State.FUNDING, State.ACTIVE):
            error = JointVentureEscrowInvalidState
        elif k not in m.partners:
            error = JointVentureEscrowNotPartner
        elif k in m.votes:
            error = JointVentureEscrowAlreadyVoted
        self.expect(error, lambda: self.w.escrow(k).vote_dissolution(vid))
        if error is None:
            m.votes.add(k)
            if len(m.votes) == m.quorum:
                m.state = State.CANCELLED

    @rule(vid=ventures, k=st.integers(0, 3))
    def refund(self, vid: int, k: int) -> None:
        m = self.models[vid]
        self.touched = vid
        state = m.effective(self.now() + 1)
        error: type[ContractCustomError] | None = None
        amount = 0
        if state not in (State.CANCELLED, State.COMPLETED):
            error = JointVentureEscrowInvalidState
        elif k not in m.partners:
            error = JointVentureEscrowNotPartner
        elif k in m.refunded:
            error = JointVentureEscrowAlreadyRefunded
        else:
            amount = m.refund_of(k)
            if amount == 0:
                error = JointVentureEscrowNothingToRefund
        to = str(Account.create().address)
        self.expect(error, lambda: self.w.escrow(k).refund(vid, to))
        assert self.received(m.asset, to) == (amount if error is None else 0)
        if error is None:
            m.state = state
            m.refunded.add(k)
            m.refunded_total += amount
            self.s.expected_held[m.asset] -= amount

    @rule(vid=ventures)
    def cancel_expired(self, vid: int) -> None:
        m = self.models[vid]
        self.touched = vid
        error: type[ContractCustomError] | None = None
        if m.state != State.FUNDING:
            error = JointVentureEscrowInvalidState
        elif not m.expired(self.now() + 1):
            error = JointVentureEscrowDeadlineNotPassed
        self.expect(error, lambda: self.w.escrow(OUTSIDER).cancel_expired(vid))
        if error is None:
            m.state = State.CANCELLED

    @rule(jump=st.sampled_from([0, 2 * DEADLINE_IN]))
    def let_time_pass(self, jump: int) -> None:
        self.s.steps += 1
        if jump:
            self.w.env.time_travel(jump)
            self.touched = None
            for vid in self.models:  # every venture's effective state may have changed
                self.check_venture(vid, self.now())

    # -------------------------------------------------------------------------- invariants

    @invariant()
    def books_balance(self) -> None:
        """After every step: the escrow's ether is exactly what the models say it owes (nothing is
        forced in here), and the books of the venture the step touched (a venture's books change only
        when it is touched; a time jump checks every venture)."""
        assert self.w.env.balance(self.w.escrow_address) == self.s.expected_held[ETH]
        if self.touched is not None:
            self.check_venture(self.touched, self.now())

    def check_venture(self, vid: int, now: int) -> None:
        esc = self.w.escrow(None)
        m = self.models[vid]
        v = esc.venture(vid)
        assert esc.total_held(m.asset) == self.s.expected_held[m.asset] == self.held_by_escrow(m.asset)
        held_for_partners = v.deposited - v.released - v.refunded
        assert held_for_partners >= 0 and v.withdrawn <= v.released
        assert v.deposited == v.released + v.refunded + held_for_partners
        assert (v.deposited, v.released, v.withdrawn, v.refunded) == (
            m.deposited, m.released, m.withdrawn, m.refunded_total)
        assert v.released == sum(a for a, done in zip(m.milestones, m.released_ms, strict=True) if done)
        assert v.milestones_released == sum(m.released_ms)
        assert v.refunded_partners == len(m.refunded)
        assert v.state == m.state or (m.state == State.CANCELLED and v.state == State.FUNDING and m.expired(now))
        assert v.state in FORWARD[self.seen[vid]], f"venture {vid}: {self.seen[vid]!r} -> {v.state!r}"
        self.seen[vid] = v.state

    def teardown(self) -> None:
        """Drive every venture to its end; everyone takes its money; nothing may stay behind."""
        esc = self.w.escrow(None)
        for vid, m in self.models.items():
            assert esc.venture_state(vid) == m.effective(self.now())
            if m.effective(self.now() + 1) in (State.FUNDING, State.ACTIVE):
                for k in m.partners:
                    if k not in m.votes and esc.venture_state(vid) in (State.FUNDING, State.ACTIVE):
                        self.w.escrow(k).vote_dissolution(vid)
            if m.released > m.withdrawn:
                self.w.escrow(BENEFICIARY).withdraw(vid, self.w.address(BENEFICIARY))
            for k in m.partners:
                if k not in m.refunded and esc.refundable(vid, self.w.address(k)) > 0:
                    self.w.escrow(k).refund(vid, self.w.address(k))
            assert esc.held_for(vid) == 0, f"venture {vid} keeps {esc.held_for(vid)} after everyone took theirs"
            self.s.expected_held[m.asset] -= m.deposited - m.withdrawn - m.refunded_total
        for asset in (ETH, self.s.token):
            assert self.held_by_escrow(asset) == esc.total_held(asset) == self.s.expected_held[asset]


def _run(max_examples: int, steps: int) -> tuple[int, float]:
    s = shared()
    start_steps, started = s.steps, time.monotonic()
    run_state_machine_as_test(
        EscrowMachine,
        settings=settings(max_examples=max_examples, stateful_step_count=steps, deadline=None,
                          suppress_health_check=list(HealthCheck), derandomize=True),
    )
    return s.steps - start_steps, time.monotonic() - started


def test_escrow_invariants_hold_over_a_thousand_steps() -> None:
    steps, seconds = _run(max_examples=21, steps=50)
    print(f"escrow state machine: {steps} steps in {seconds:.1f} s")
    assert steps >= 1000


@pytest.mark.slow
def test_escrow_invariants_hold_over_many_more_steps() -> None:
    steps, _ = _run(max_examples=120, steps=80)
    assert steps >= 5000
