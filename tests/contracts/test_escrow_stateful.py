"""A Hypothesis state machine over the JointVentureEscrow (v2) on anvil (a node the test starts and stops): random partners create,
fund, approve, release, withdraw (pulled by the beneficiary or pushed by anyone), vote and unvote a
dissolution, cancel after the long-stop date, refund (pulled or pushed), release reserves and let
deadlines pass, in ETH and in an ERC-20, with amounts of a few wei so that every rounding case of the
cumulative-floor rule comes up.

A model predicts the outcome of every action (success, or exactly which custom error), and after
every step:

* **every wei deposited is either released to the beneficiary, refunded, or still claimable by exactly
  one party**: deposited = withdrawn + refunded + withdrawable (the beneficiary's) + the sum over the
  partners not yet refunded of what each would take back (its paid minus its part of what was
  released), and these amounts are what really moved (fresh recipients, exact balance deltas);
* the escrow's balance of each asset equals what it owes over all ventures (nothing forced in here),
  and the reserve books cover it (``reserved(asset) >=`` owed, each venture's reserve >= what it owes);
* each milestone is paid at most once; states only move forward; votes cast while funding are gone
  after activation; each refund happens at most once and is exactly the rule's amount.

When an example ends, every venture is driven to its end (dissolved if needed), everyone takes its
money and every reserve is released: nothing may stay behind, in the venture or in the books.

The default run executes at least 3,000 steps (counted and asserted); ``-m slow`` at least 20,000. For
the step budget the steps go through the tests' lean client of the node (tests/_embedded.py: no
middleware, no proxy look-up, a fixed gas price, the direct sender), each example starts from a snapshot
of the set-up, and every block is mined exactly one second after the one before (a transaction runs at
the latest block's time + 1, as the model assumes), except the time jumps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from _embedded import LeanClient
from _escrow_support import EscrowWorld, SimulatingSender, escrow_on_anvil, run_examples
from eth_account import Account
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)
from mocks.escrow_lens import EscrowLens
from mocks.mock_erc20 import MockERC20

from coopetition.bindings.joint_venture_escrow import (
    JointVentureEscrow,
    JointVentureEscrowAlreadyApproved,
    JointVentureEscrowAlreadyRefunded,
    JointVentureEscrowAlreadyVoted,
    JointVentureEscrowDeadlineNotPassed,
    JointVentureEscrowDepositExceedsOwed,
    JointVentureEscrowInvalidState,
    JointVentureEscrowLongStopNotPassed,
    JointVentureEscrowMilestoneAlreadyReleased,
    JointVentureEscrowNothingToRefund,
    JointVentureEscrowNothingToRelease,
    JointVentureEscrowNothingToWithdraw,
    JointVentureEscrowNotPartner,
    JointVentureEscrowNotVoted,
    JointVentureEscrowQuorumNotReached,
    JointVentureEscrowZeroDeposit,
    State,
    VentureCreatedEvent,
    VentureTerms,
)
from coopetition.exceptions import ContractCustomError

ETH = "0x" + "00" * 20


def refund_shares(contributions: list[int], released: int) -> tuple[int, ...]:
    """The cumulative-floor rule, independently of the contract (see tests/test_escrow_contract.py)."""
    total, before, out = sum(contributions), 0, []
    for owed in contributions:
        out.append(released * (before + owed) // total - released * before // total)
        before += owed
    return tuple(out)


N_MEMBERS = 5  # members 0..3 are partners, 4 the beneficiary; dev account 9 is an outsider
BENEFICIARY = 4
OUTSIDER = 9
DEADLINE_IN = 150_000  # two time jumps
LONG_STOP_IN = 150_000  # after the funding deadline: three jumps after creation in all
JUMP = 100_000
FORWARD = {State.FUNDING: {State.FUNDING, State.ACTIVE, State.CANCELLED},
           State.ACTIVE: {State.ACTIVE, State.COMPLETED, State.CANCELLED},
           State.COMPLETED: {State.COMPLETED}, State.CANCELLED: {State.CANCELLED}}


@dataclass
class Shared:
    world: EscrowWorld
    lean: LeanClient
    token: str
    lens: EscrowLens
    snapshot: str
    """Snapshot after the set-up: every example starts from it, so the chain stays short."""
    steps: int = 0
    expected_held: dict[str, int] = field(default_factory=dict)
    """What the escrow must hold per asset over every venture of every example, from the models."""

    @classmethod
    def set_up(cls, world: EscrowWorld, lean: LeanClient) -> Shared:
        token = world.deploy_test("MockERC20", ["USD Coin", "USDC", 6])
        for i in range(N_MEMBERS - 1):
            world.token(token, i).mint(world.address(i), 10**30)
            world.token(token, i).approve(world.escrow_address, 2**256 - 1)
        lens = EscrowLens(lean.w3, world.deploy_test("EscrowLens", []), None)
        return cls(world, lean, token, lens, str(lean.rpc("evm_snapshot")), expected_held={ETH: 0, token: 0})


@dataclass
class Model:
    id: int
    asset: str
    partners: list[int]
    owed: list[int]
    milestones: list[int]
    quorum: int
    dissolution_quorum: int
    deadline: int
    long_stop: int
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
    reserve: int = 0

    def __post_init__(self) -> None:
        self.paid = [0] * len(self.partners)
        self.approvals = [set() for _ in self.milestones]
        self.released_ms = [False] * len(self.milestones)
        self.reserve = sum(self.owed)

    def expired(self, now: int) -> bool:
        return self.state == State.FUNDING and now >= self.deadline

    def effective(self, now: int) -> State:
        return State.CANCELLED if self.expired(now) else self.state

    def refund_of(self, k: int) -> int:
        if self.released == 0:
            return self.paid[k]
        return self.paid[k] - refund_shares(self.owed, self.released)[k]

    def owes(self, now: int) -> int:
        """What the venture owes: the beneficiary's unpaid credit plus every refund not yet taken."""
        return self.released - self.withdrawn + sum(
            self.refund_of(k) for k in range(len(self.partners)) if k not in self.refunded)


class EscrowMachine(RuleBasedStateMachine):
    ventures = Bundle("ventures")
    s: Shared

    def __init__(self) -> None:
        super().__init__()
        self.w = self.s.world
        self.lean = self.s.lean
        # Each example starts from the set-up (the previous one drove everything to zero anyway);
        # transactions go through senders whose nonces the node tracks (see esc()).
        self.s.snapshot = self.lean.back_to(self.s.snapshot)
        self.view = JointVentureEscrow(self.lean.w3, self.w.escrow_address)
        self.token = MockERC20(self.lean.w3, self.s.token)
        self.s.expected_held = dict.fromkeys(self.s.expected_held, 0)
        self.models: dict[int, Model] = {}
        self.seen: dict[int, State] = {}
        self.touched: int | None = None
        self.changed = False
        self.rules_run = 0

    # ----------------------------------------------------------------------------- helpers

    def now(self) -> int:
        return self.lean.now()

    def held_by_escrow(self, asset: str) -> int:
        return self.received(asset, self.w.escrow_address)

    def received(self, asset: str, address: str) -> int:
        if asset == ETH:
            return self.lean.balance(address)
        return int(self.token.balance_of(address))

    def esc(self, who: int, error: type[ContractCustomError] | None = None) -> JointVentureEscrow:
        """The escrow sending as ``who``. When the model predicts ``error``, the call is only simulated
        (one ``eth_call``, its revert decoded into the typed error; nothing is sent, so nothing can
        change); else it is sent straight (one EVM execution; an unexpected revert still raises)."""
        address = self.w.env.address(who) if who >= len(self.w.members) else self.w.address(who)
        sender = SimulatingSender(self.lean.w3, address) if error is not None else self.lean.sender(address)
        return JointVentureEscrow(self.lean.w3, self.w.escrow_address, sender)

    def expect(self, error: type[ContractCustomError] | None, action: Callable[[], Any]) -> Any:
        """Run ``action``; it must succeed, or revert with exactly ``error``. A predicted revert is
        caught by the pipeline's simulation, so no transaction is sent and nothing changes."""
        self.s.steps += 1
        self.changed = error is None
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
        dissolution_drop=st.sampled_from([0, 0, 0, 1, 2]),
        in_token=st.booleans(),
    )
    def create(self, n: int, owed: list[int], milestone_parts: list[int], quorum_pick: int,
               dissolution_drop: int, in_token: bool) -> int:
        owed = owed[:n]
        total = sum(owed)
        milestones: list[int] = []
        for part in milestone_parts:  # keep the milestones within the total
            if sum(milestones) + part <= total:
                milestones.append(part)
        if not milestones:
            milestones = [total]
        asset = self.s.token if in_token else ETH
        quorum = min(quorum_pick, n)
        dissolution = max(1, n - quorum + 1 - dissolution_drop)  # every blocking coalition can exit
        deadline = self.now() + DEADLINE_IN
        long_stop = deadline + LONG_STOP_IN
        terms = VentureTerms("sm", asset, self.w.address(BENEFICIARY), tuple(self.w.address(i) for i in range(n)),
                             tuple(owed), tuple(milestones), deadline, long_stop, quorum, dissolution)
        tx = self.esc(n - 1).create_venture(terms)
        vid = VentureCreatedEvent.from_result(tx)[0].venture_id
        self.s.steps += 1
        self.changed = True
        self.models[vid] = Model(vid, asset, list(range(n)), owed, milestones, quorum, dissolution, deadline,
                                 long_stop)
        self.touched = vid
        self.seen[vid] = State.FUNDING
        return vid

    @rule(vid=ventures)
    def fund(self, vid: int) -> None:
        """Every partner pays what it still owes (one deposit step each), the way ventures get Active."""
        m = self.models[vid]
        for k in m.partners:
            if m.owed[k] > m.paid[k]:
                self.deposit(vid, k, -1)

    @rule(vid=ventures, index=st.integers(0, 3))
    def push_milestone_through(self, vid: int, index: int) -> None:
        """Partners approve milestone ``index`` until the quorum (one approve step each), then it is
        released: the way milestones get paid."""
        m = self.models[vid]
        index %= len(m.milestones)
        for k in m.partners:
            if len(m.approvals[index]) >= m.quorum or m.state != State.ACTIVE:
                break
            if k not in m.approvals[index]:
                self.approve(vid, k, index)
        self.release(vid, index)

    @rule(vid=ventures, k=st.integers(0, 4), amount=st.integers(-2, 45))
    def deposit(self, vid: int, k: int, amount: int) -> None:
        """``amount < 0``: what partner ``k`` still owes (if it is one)."""
        m = self.models[vid]
        if amount < 0:
            amount = m.owed[k] - m.paid[k] if k < len(m.partners) else 1
        self.touched = vid
        error: type[ContractCustomError] | None = None
        if m.state != State.FUNDING or m.expired(self.now() + 1):
            error = JointVentureEscrowInvalidState
        elif k not in m.partners:
            error = JointVentureEscrowNotPartner
        elif amount == 0:
            error = JointVentureEscrowZeroDeposit
        elif m.paid[k] + amount > m.owed[k]:
            error = JointVentureEscrowDepositExceedsOwed
        value = amount if m.asset == ETH else 0
        self.expect(error, lambda: self.esc(k if k < 4 else OUTSIDER, error).deposit(vid, amount, value=value))
        if error is None:
            m.paid[k] += amount
            m.deposited += amount
            self.s.expected_held[m.asset] += amount
            if m.paid == m.owed:
                m.state = State.ACTIVE
                m.votes = set()  # a new voting round

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
        self.expect(error, lambda: self.esc(k, error).approve_milestone(vid, index))
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
        self.expect(error, lambda: self.esc(OUTSIDER, error).release_milestone(vid, index))
        if error is None:
            m.released_ms[index] = True
            m.released += m.milestones[index]
            if all(m.released_ms):
                m.state = State.COMPLETED

    @rule(vid=ventures, push=st.booleans())
    def withdraw(self, vid: int, push: bool) -> None:
        m = self.models[vid]
        self.touched = vid
        amount = m.released - m.withdrawn
        error = JointVentureEscrowNothingToWithdraw if amount == 0 else None
        if push:  # anyone pushes it to the recorded beneficiary
            to = self.w.address(BENEFICIARY)
            before = self.received(m.asset, to)
            self.expect(error, lambda: self.esc(OUTSIDER, error).push_withdrawal(vid))
            assert self.received(m.asset, to) - before == (0 if error else amount)
        else:  # the beneficiary pulls it to an address of its choice
            to = str(Account.create().address)
            self.expect(error, lambda: self.esc(BENEFICIARY, error).withdraw(vid, to))
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
        self.expect(error, lambda: self.esc(k, error).vote_dissolution(vid))
        if error is None:
            m.votes.add(k)
            if len(m.votes) >= m.dissolution_quorum:
                m.state = State.CANCELLED

    @rule(vid=ventures, k=st.integers(0, 3))
    def unvote(self, vid: int, k: int) -> None:
        m = self.models[vid]
        self.touched = vid
        error: type[ContractCustomError] | None = None
        if m.effective(self.now() + 1) not in (State.FUNDING, State.ACTIVE):
            error = JointVentureEscrowInvalidState
        elif k not in m.partners:
            error = JointVentureEscrowNotPartner
        elif k not in m.votes:
            error = JointVentureEscrowNotVoted
        self.expect(error, lambda: self.esc(k, error).withdraw_vote(vid))
        if error is None:
            m.votes.discard(k)

    @rule(vid=ventures, k=st.integers(0, 4))
    def cancel_after_long_stop(self, vid: int, k: int) -> None:
        m = self.models[vid]
        self.touched = vid
        error: type[ContractCustomError] | None = None
        if m.state != State.ACTIVE:
            error = JointVentureEscrowInvalidState
        elif self.now() + 1 < m.long_stop:
            error = JointVentureEscrowLongStopNotPassed
        elif k not in m.partners:
            error = JointVentureEscrowNotPartner
        self.expect(error, lambda: self.esc(k if k < 4 else OUTSIDER, error).cancel_after_long_stop(vid))
        if error is None:
            m.state = State.CANCELLED

    @rule(vid=ventures)
    def release_reserve(self, vid: int) -> None:
        m = self.models[vid]
        self.touched = vid
        owes = m.owes(self.now() + 1)
        error: type[ContractCustomError] | None = None
        if m.effective(self.now() + 1) == State.FUNDING:
            error = JointVentureEscrowInvalidState
        elif owes >= m.reserve:
            error = JointVentureEscrowNothingToRelease
        self.expect(error, lambda: self.esc(OUTSIDER, error).release_reserve(vid))
        if error is None:
            m.reserve = owes

    @rule(vid=ventures, k=st.integers(0, 3), push=st.booleans())
    def refund(self, vid: int, k: int, push: bool) -> None:
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
        if push:  # anyone pushes it to the recorded partner
            to = self.w.address(k)
            before = self.received(m.asset, to)
            self.expect(error, lambda: self.esc(OUTSIDER, error).push_refund(vid, to))
        else:  # the partner pulls it to an address of its choice
            to, before = str(Account.create().address), 0
            self.expect(error, lambda: self.esc(k, error).refund(vid, to))
        assert self.received(m.asset, to) - before == (amount if error is None else 0)
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
        self.expect(error, lambda: self.esc(OUTSIDER, error).cancel_expired(vid))
        if error is None:
            m.state = State.CANCELLED

    @precondition(lambda self: self.rules_run % 5 == 4)  # time passes now and then, not every other step
    @rule()
    def let_time_pass(self) -> None:
        self.s.steps += 1
        self.changed = False
        self.lean.time_travel(JUMP)
        self.touched = None
        for vid in self.models:  # every venture's effective state may have changed
            self.check_venture(vid, self.now())

    # -------------------------------------------------------------------------- invariants

    @invariant()
    def books_balance(self) -> None:
        self.rules_run += 1  # (invariants run after every rule: this example's own rule count)
        self._books_balance()

    def _books_balance(self) -> None:
        """After every step: the escrow's ether is exactly what the models say it owes (nothing is
        forced in here), and the books of the venture the step touched (a venture's books change only
        when it is touched; a time jump checks every venture)."""
        assert self.lean.balance(self.w.escrow_address) == self.s.expected_held[ETH]
        if self.touched is not None and self.changed:
            self.check_venture(self.touched, self.now())

    def check_venture(self, vid: int, now: int) -> None:
        m = self.models[vid]
        snap = self.s.lens.snapshot(self.w.escrow_address, vid, [self.w.address(k) for k in m.partners])
        v, positions = snap.venture, snap.positions
        assert snap.balance == self.s.expected_held[m.asset] <= snap.reserved
        # every wei deposited: released to the beneficiary (withdrawn), refunded, or claimable by one party
        assert [p.paid for p in positions] == m.paid
        assert [p.refunded for p in positions] == [k in m.refunded for k in m.partners]
        deposited = sum(p.paid for p in positions)
        parts = refund_shares(m.owed, v.released) if v.released else (0,) * len(m.partners)
        claimable = [0 if p.refunded else p.paid - parts[k] for k, p in enumerate(positions)]
        assert deposited == m.deposited == v.withdrawn + m.refunded_total + v.withdrawable + sum(claimable)
        assert snap.held_for == v.withdrawable + sum(claimable) == m.owes(now) <= v.reserve == m.reserve
        if snap.effective_state in (State.CANCELLED, State.COMPLETED):
            assert list(snap.refundable) == claimable
        else:
            assert not any(snap.refundable)
        assert (v.released, v.withdrawn) == (m.released, m.withdrawn)
        assert v.released == sum(a for a, done in zip(m.milestones, m.released_ms, strict=True) if done)
        assert v.milestones_released == sum(m.released_ms)
        if v.state != State.CANCELLED:  # votes are fresh: only this round's count
            assert v.dissolution_votes == len(m.votes)
            assert [p.voted_dissolution for p in positions] == [k in m.votes for k in m.partners]
        assert v.state == m.state or (m.state == State.CANCELLED and v.state == State.FUNDING and m.expired(now))
        assert snap.effective_state == m.effective(now)
        assert v.state in FORWARD[self.seen[vid]], f"venture {vid}: {self.seen[vid]!r} -> {v.state!r}"
        self.seen[vid] = v.state

    def teardown(self) -> None:
        """Drive every venture to its end; everyone takes its money; every reserve is released;
        nothing may stay behind."""
        esc = self.view
        for vid, m in self.models.items():
            assert esc.venture_state(vid) == m.effective(self.now())
            for k in m.partners:
                if esc.venture_state(vid) not in (State.FUNDING, State.ACTIVE):
                    break
                if not esc.partner(vid, self.w.address(k)).voted_dissolution:
                    self.esc(k).vote_dissolution(vid)
            if esc.venture(vid).withdrawable > 0:
                self.esc(OUTSIDER).push_withdrawal(vid)
            for k in m.partners:
                if esc.refundable(vid, self.w.address(k)) > 0:
                    self.esc(OUTSIDER).push_refund(vid, self.w.address(k))
            assert esc.held_for(vid) == 0, f"venture {vid} keeps {esc.held_for(vid)} after everyone took theirs"
            if esc.venture(vid).reserve > 0:
                self.esc(OUTSIDER).release_reserve(vid)
            assert esc.venture(vid).reserve == 0
            self.s.expected_held[m.asset] -= m.deposited - m.withdrawn - m.refunded_total
        for asset in (ETH, self.s.token):
            assert self.held_by_escrow(asset) == esc.reserved(asset) == self.s.expected_held[asset] == 0


def _run(max_examples: int, steps: int) -> tuple[int, float]:
    with escrow_on_anvil(N_MEMBERS) as (world, lean):
        s = EscrowMachine.s = Shared.set_up(world, lean)
        seconds = run_examples(EscrowMachine, max_examples, steps)
        return s.steps, seconds


@pytest.mark.anvil
def test_escrow_invariants_hold_over_three_thousand_steps() -> None:
    steps, seconds = _run(max_examples=16, steps=250)
    print(f"escrow state machine: {steps} steps in {seconds:.1f} s")
    assert steps >= 3000


@pytest.mark.slow
@pytest.mark.anvil
def test_escrow_invariants_hold_over_twenty_thousand_steps() -> None:
    steps, seconds = _run(max_examples=115, steps=250)
    print(f"escrow state machine: {steps} steps in {seconds:.1f} s")
    assert steps >= 20_000
