"""Hypothesis stateful test of the Consortium contract against a Python model.

Random members (and non-members) propose admissions, removals and quorum changes, approve, revoke,
cancel and execute them while time passes and proposals expire. After every step the chain must
agree with the model, and the invariants hold:

* 1 ≤ quorum ≤ number of members;
* the members on chain are the model's members;
* each proposal's approval count is the number of approvals from current members under their
  current membership (a removed member's approvals stop counting; a re-admitted one starts afresh);
* a proposal executes at most once, and only live with its quorum;
* every refusal is the custom error the model predicts, with its arguments.

Transactions go through the generated binding with the direct eth-tester sender (one EVM execution
per transaction) to keep the default run well under a minute; the contract tests cover the real
pipeline. The default run takes at least 1,000 steps in total (asserted); ``-m slow`` runs many more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from _embedded import EmbeddedEnv
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from coopetition.bindings.consortium import (
    Consortium,
    ConsortiumAlreadyApproved,
    ConsortiumAlreadyExecuted,
    ConsortiumAlreadyMember,
    ConsortiumInvalidQuorum,
    ConsortiumNotApproved,
    ConsortiumNotMember,
    ConsortiumNotProposer,
    ConsortiumProposalCancelled,
    ConsortiumProposalExpired,
    ConsortiumQuorumNotReached,
    ConsortiumRemovalBelowQuorum,
    ProposalCreatedEvent,
    ProposalState,
)
from coopetition.exceptions import ContractCustomError

HOUR = 3600
CANDIDATES = (1, 2, 3, 4, 5, 6)  # accounts that may be or become members
FOUNDERS = (1, 2, 3)
OUTSIDER = 7  # never a member; may still execute
ACTORS = (*CANDIDATES, OUTSIDER)


def label(account: int) -> str:
    return f"Co{account}"


@dataclass
class ModelProposal:
    id: int
    kind: str  # "add" | "remove" | "quorum"
    arg: int  # account index, or the new quorum
    proposer: int
    expiry: int
    approvals: set[int] = field(default_factory=set)  # membership indices
    executed: bool = False
    cancelled: bool = False


class StepCounter:
    steps = 0


class ConsortiumMachine(RuleBasedStateMachine):
    """One fresh Consortium per example, on one embedded chain per test run."""

    env: EmbeddedEnv  # set by the test before running

    def __init__(self) -> None:
        super().__init__()
        env = self.env
        self.address = env.deploy(
            "Consortium", [[env.address(a) for a in FOUNDERS], [label(a) for a in FOUNDERS], 2], direct=True
        )
        self.bound = {a: Consortium(env.w3, self.address, env.direct(a)) for a in ACTORS}
        # reads carry a `from` (the sender's address), which spares eth-tester an eth_accounts per call
        self.view = Consortium(env.w3, self.address, env.direct(OUTSIDER))
        self.members: dict[int, int] = {a: i + 1 for i, a in enumerate(FOUNDERS)}  # account -> index
        self.last_index = len(FOUNDERS)
        self.quorum = 2
        self.proposals: list[ModelProposal] = []
        # proposals to compare after this step: state of `touched`, approval count of `recounted`,
        # stored flags of `picked` (time changes states only; executions change counts too)
        self.touched: set[int] = set()
        self.recounted: set[int] = set()
        self.picked: set[int] = set()

    # ------------------------------------------------------------------------------ helpers

    def now(self) -> int:
        return self.env.now()

    def live_error(self, p: ModelProposal) -> ContractCustomError | None:
        """The error every proposal action raises on a proposal that is not live (checked first)."""
        if p.executed:
            return ConsortiumAlreadyExecuted(p.id)
        if p.cancelled:
            return ConsortiumProposalCancelled(p.id)
        if self.now() >= p.expiry:
            return ConsortiumProposalExpired(p.id, p.expiry)
        return None

    def counted(self, p: ModelProposal) -> int:
        return len(p.approvals & set(self.members.values()))

    def state(self, p: ModelProposal) -> ProposalState:
        if p.executed:
            return ProposalState.EXECUTED
        if p.cancelled:
            return ProposalState.CANCELLED
        if self.now() >= p.expiry:
            return ProposalState.EXPIRED
        return ProposalState.APPROVED if self.counted(p) >= self.quorum else ProposalState.OPEN

    def expect(self, error: ContractCustomError | None, action: Any) -> Any:
        """Run ``action``; it must raise exactly ``error`` (type and arguments), or succeed if None."""
        StepCounter.steps += 1
        if error is None:
            return action()
        with pytest.raises(type(error)) as raised:
            action()
        assert raised.value.args_values == error.args_values, (raised.value, error)
        return None

    def pick(self, index: int) -> ModelProposal:
        p = self.proposals[index % len(self.proposals)]
        self.touched.add(p.id)
        self.recounted.add(p.id)
        self.picked.add(p.id)
        return p

    # -------------------------------------------------------------------------------- rules

    @rule(
        who=st.sampled_from(ACTORS),
        kind=st.sampled_from(["add", "remove", "quorum"]),
        account=st.sampled_from(CANDIDATES),
        new_quorum=st.integers(0, 7),
        hours=st.integers(1, 48),
    )
    def propose(self, who: int, kind: str, account: int, new_quorum: int, hours: int) -> None:
        if kind == "add":
            data = Consortium.encode_add_member(self.env.address(account), label(account))
        elif kind == "remove":
            data = Consortium.encode_remove_member(self.env.address(account))
        else:
            data = Consortium.encode_set_quorum(new_quorum)
        expiry = self.now() + hours * HOUR
        error = None if who in self.members else ConsortiumNotMember(self.env.address(who))
        result = self.expect(
            error, lambda: self.bound[who].propose(self.address, 0, data, f"{kind} {account}", expiry)
        )
        if result is None:
            return
        pid = ProposalCreatedEvent.from_result(result)[0].proposal_id
        assert pid == len(self.proposals) + 1
        arg = new_quorum if kind == "quorum" else account
        self.proposals.append(ModelProposal(pid, kind, arg, who, expiry, {self.members[who]}))
        self.touched.add(pid)
        self.recounted.add(pid)
        self.picked.add(pid)

    @precondition(lambda self: self.proposals)
    @rule(who=st.sampled_from(ACTORS), index=st.integers(0, 10**6))
    def approve(self, who: int, index: int) -> None:
        p = self.pick(index)
        error: ContractCustomError | None
        if who not in self.members:
            error = ConsortiumNotMember(self.env.address(who))
        else:
            error = self.live_error(p)
            if error is None and self.members[who] in p.approvals:
                error = ConsortiumAlreadyApproved(p.id, self.env.address(who))
        self.expect(error, lambda: self.bound[who].approve(p.id))
        if error is None:
            p.approvals.add(self.members[who])

    @precondition(lambda self: self.proposals)
    @rule(who=st.sampled_from(ACTORS), index=st.integers(0, 10**6))
    def revoke(self, who: int, index: int) -> None:
        p = self.pick(index)
        error: ContractCustomError | None
        if who not in self.members:
            error = ConsortiumNotMember(self.env.address(who))
        else:
            error = self.live_error(p)
            if error is None and self.members[who] not in p.approvals:
                error = ConsortiumNotApproved(p.id, self.env.address(who))
        self.expect(error, lambda: self.bound[who].revoke(p.id))
        if error is None:
            p.approvals.discard(self.members[who])

    @precondition(lambda self: self.proposals)
    @rule(who=st.sampled_from(ACTORS), index=st.integers(0, 10**6), by_proposer=st.booleans())
    def cancel(self, who: int, index: int, by_proposer: bool) -> None:
        p = self.pick(index)
        caller = p.proposer if by_proposer else who
        error = self.live_error(p)
        if error is None and caller != p.proposer:
            error = ConsortiumNotProposer(p.id, self.env.address(caller), self.env.address(p.proposer))
        self.expect(error, lambda: self.bound[caller].cancel(p.id))
        if error is None:
            p.cancelled = True

    @precondition(lambda self: self.proposals)
    @rule(who=st.sampled_from(ACTORS), index=st.integers(0, 10**6))
    def execute(self, who: int, index: int) -> None:
        p = self.pick(index)
        error = self.live_error(p)
        if error is None and self.counted(p) < self.quorum:
            error = ConsortiumQuorumNotReached(p.id, self.counted(p), self.quorum)
        if error is None:
            error = self.action_error(p)
        self.expect(error, lambda: self.bound[who].execute(p.id))
        if error is not None:
            return
        p.executed = True
        if p.kind == "add":
            self.last_index += 1
            self.members[p.arg] = self.last_index
        elif p.kind == "remove":
            del self.members[p.arg]
        else:
            self.quorum = p.arg
        # membership or quorum changed: every count and state may have moved
        self.touched.update(q.id for q in self.proposals)
        self.recounted.update(q.id for q in self.proposals)

    def action_error(self, p: ModelProposal) -> ContractCustomError | None:
        """The error the governed call itself raises (bubbled up by execute), if any."""
        address = self.env.address(p.arg) if p.kind != "quorum" else ""
        if p.kind == "add":
            return ConsortiumAlreadyMember(address) if p.arg in self.members else None
        if p.kind == "remove":
            if p.arg not in self.members:
                return ConsortiumNotMember(address)
            after = len(self.members) - 1
            return ConsortiumRemovalBelowQuorum(address, after, self.quorum) if after < self.quorum else None
        if p.arg == 0 or p.arg > len(self.members):
            return ConsortiumInvalidQuorum(p.arg, len(self.members))
        return None

    @rule(hours=st.integers(1, 24))
    def time_passes(self, hours: int) -> None:
        StepCounter.steps += 1
        self.env.time_travel(hours * HOUR)
        self.touched.update(q.id for q in self.proposals)

    # --------------------------------------------------------------------------- invariants

    @invariant()
    def quorum_and_members_match_the_model(self) -> None:
        quorum, members = self.view.quorum(), self.view.members()
        assert quorum == self.quorum
        assert 1 <= quorum <= len(members)
        assert set(members) == {self.env.address(a) for a in self.members}

    @invariant()
    def touched_proposals_match_the_model(self) -> None:
        for pid in sorted(self.touched):
            p = self.proposals[pid - 1]
            assert self.view.proposal_state(pid) is self.state(p)
            if pid in self.recounted:
                assert self.view.approval_count(pid) == self.counted(p)
            if pid in self.picked:
                stored = self.view.proposal(pid)
                assert (stored.executed, stored.cancelled) == (p.executed, p.cancelled)
        self.touched.clear()
        self.recounted.clear()
        self.picked.clear()

    def teardown(self) -> None:
        """At the end: every proposal and every approval flag agrees with the model."""
        if not hasattr(self, "view"):
            return
        assert self.view.proposal_count() == len(self.proposals)
        assert self.view.member_count() == len(self.members)
        current = set(self.members.values())
        for p in self.proposals:
            for account in ACTORS:
                index = self.members.get(account)
                expected = index is not None and index in p.approvals and index in current
                assert self.view.has_approved(p.id, self.env.address(account)) == expected


def _run(max_examples: int, steps: int) -> int:
    ConsortiumMachine.env = EmbeddedEnv.start()
    StepCounter.steps = 0
    run_state_machine_as_test(
        ConsortiumMachine,
        settings=settings(
            max_examples=max_examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            derandomize=False,
        ),
    )
    return StepCounter.steps


def test_consortium_invariants_hold_over_random_governance() -> None:
    steps = _run(max_examples=42, steps=35)
    assert steps >= 1000, f"only {steps} steps ran; raise max_examples or stateful_step_count"


@pytest.mark.slow
def test_consortium_invariants_hold_over_long_random_governance() -> None:
    steps = _run(max_examples=200, steps=50)
    assert steps >= 5_000
