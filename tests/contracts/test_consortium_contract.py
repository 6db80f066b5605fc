"""The Consortium contract on a real EVM (eth-tester), driven through the generated typed binding and
the real transaction pipeline: every function, every custom error, and the governance rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from _embedded import EmbeddedEnv
from eth_utils.address import to_checksum_address

from coopetition.bindings.consortium import (
    ApprovalRevokedEvent,
    Consortium,
    ConsortiumAlreadyApproved,
    ConsortiumAlreadyExecuted,
    ConsortiumAlreadyMember,
    ConsortiumExecutionFailed,
    ConsortiumInsufficientBalance,
    ConsortiumInvalidExpiry,
    ConsortiumInvalidLabel,
    ConsortiumInvalidQuorum,
    ConsortiumLabelTaken,
    ConsortiumLengthMismatch,
    ConsortiumNotApproved,
    ConsortiumNotMember,
    ConsortiumNotProposer,
    ConsortiumOnlySelf,
    ConsortiumProposalCancelled,
    ConsortiumProposalExpired,
    ConsortiumQuorumNotReached,
    ConsortiumRemovalBelowQuorum,
    ConsortiumTargetHasNoCode,
    ConsortiumUnknownProposal,
    ConsortiumZeroAddress,
    EtherReceivedEvent,
    Member,
    MemberAddedEvent,
    MemberRemovedEvent,
    ProposalApprovedEvent,
    ProposalCancelledEvent,
    ProposalCreatedEvent,
    ProposalExecutedEvent,
    ProposalState,
    QuorumChangedEvent,
    ReentrancyGuardReentrantCall,
)

DEPLOYER, ACME, GLOBEX, INITECH, UMBRELLA, OUTSIDER = 0, 1, 2, 3, 4, 5
LABELS = {ACME: "Acme", GLOBEX: "Globex", INITECH: "Initech", UMBRELLA: "Umbrella"}
HOUR = 3600
ZERO = "0x" + "00" * 20


@dataclass
class Suite:
    env: EmbeddedEnv
    address: str

    def as_(self, index: int) -> Consortium:
        """The binding, sending as account ``index``."""
        return Consortium(self.env.w3, self.address, self.env.pipeline(index))

    @property
    def view(self) -> Consortium:
        return Consortium(self.env.w3, self.address)

    def addr(self, index: int) -> str:
        return self.env.address(index)

    def propose(self, by: int, data: bytes, *, target: str | None = None, value: int = 0,
                description: str = "test", ttl: int = HOUR) -> int:
        result = self.as_(by).propose(target or self.address, value, data, description, self.env.now() + ttl)
        return ProposalCreatedEvent.from_result(result)[0].proposal_id

    def pass_(self, data: bytes, *, target: str | None = None, value: int = 0) -> int:
        """Propose as Acme, approve as Globex (quorum 2): an approved, unexecuted proposal."""
        pid = self.propose(ACME, data, target=target, value=value)
        self.as_(GLOBEX).approve(pid)
        return pid

    def govern(self, data: bytes) -> None:
        """Propose, reach the current quorum with the first members, execute."""
        view = self.view
        members = list(view.members())
        first = next(i for i in range(1, 10) if self.addr(i) in members)
        pid = self.propose(first, data)
        approvals = 1
        for i in range(1, 10):
            if approvals >= view.quorum():
                break
            if i != first and self.addr(i) in members:
                self.as_(i).approve(pid)
                approvals += 1
        self.as_(OUTSIDER).execute(pid)


@pytest.fixture
def env() -> EmbeddedEnv:
    return EmbeddedEnv.start()


def deploy(env: EmbeddedEnv, members: list[str], labels: list[str], quorum: int) -> str:
    return env.deploy("Consortium", [members, labels, quorum], by=DEPLOYER)


@pytest.fixture
def suite(env: EmbeddedEnv) -> Suite:
    """Acme, Globex and Initech, quorum 2, deployed by an account that is not a member."""
    address = deploy(env, [env.address(ACME), env.address(GLOBEX), env.address(INITECH)],
                     ["Acme", "Globex", "Initech"], 2)
    return Suite(env, address)


# ------------------------------------------------------------------------------- construction


def test_constructor_records_members_labels_and_quorum(suite: Suite) -> None:
    view = suite.view
    assert view.quorum() == 2
    assert view.member_count() == 3
    assert view.members() == (suite.addr(ACME), suite.addr(GLOBEX), suite.addr(INITECH))
    assert view.member_list() == (
        Member(suite.addr(ACME), "Acme"), Member(suite.addr(GLOBEX), "Globex"),
        Member(suite.addr(INITECH), "Initech"),
    )
    assert view.is_member(suite.addr(GLOBEX))
    assert not view.is_member(suite.addr(DEPLOYER))
    assert view.member_label(suite.addr(INITECH)) == "Initech"
    assert view.member_label(suite.addr(OUTSIDER)) == ""
    assert view.member_by_label("Globex") == suite.addr(GLOBEX)
    assert view.member_by_label("Nobody") == ZERO
    assert view.max_label_length() == 32
    assert view.proposal_count() == 0


def test_constructor_emits_member_added_and_quorum_changed(suite: Suite) -> None:
    added = suite.view.events.member_added()
    assert [(e.account, e.label) for e in added] == [
        (suite.addr(ACME), "Acme"), (suite.addr(GLOBEX), "Globex"), (suite.addr(INITECH), "Initech")
    ]
    assert [(e.old_quorum, e.new_quorum) for e in suite.view.events.quorum_changed()] == [(0, 2)]


def test_constructor_fails_when_lengths_differ(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumLengthMismatch) as err:
        deploy(env, [env.address(1), env.address(2)], ["A"], 1)
    assert (err.value.members, err.value.labels) == (2, 1)


def test_constructor_fails_with_zero_address_member(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumZeroAddress):
        deploy(env, [env.address(1), ZERO], ["A", "B"], 1)


def test_constructor_fails_with_duplicate_member(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumAlreadyMember) as err:
        deploy(env, [env.address(1), env.address(1)], ["A", "B"], 1)
    assert err.value.account == env.address(1)


@pytest.mark.parametrize("label", ["", "x" * 33, "é" * 17])
def test_constructor_fails_with_label_empty_or_over_32_bytes(env: EmbeddedEnv, label: str) -> None:
    with pytest.raises(ConsortiumInvalidLabel) as err:
        deploy(env, [env.address(1)], [label], 1)
    assert err.value.label == label


def test_constructor_accepts_label_of_exactly_32_bytes(env: EmbeddedEnv) -> None:
    address = deploy(env, [env.address(1)], ["é" * 16], 1)
    assert Consortium(env.w3, address).member_label(env.address(1)) == "é" * 16


def test_constructor_fails_with_duplicate_label(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumLabelTaken) as err:
        deploy(env, [env.address(1), env.address(2)], ["Acme", "Acme"], 1)
    assert (err.value.label, err.value.member) == ("Acme", env.address(1))


@pytest.mark.parametrize(("members", "quorum"), [(2, 0), (2, 3), (0, 1)])
def test_constructor_fails_with_quorum_outside_one_to_member_count(
    env: EmbeddedEnv, members: int, quorum: int
) -> None:
    with pytest.raises(ConsortiumInvalidQuorum) as err:
        deploy(env, [env.address(1 + i) for i in range(members)], [f"M{i}" for i in range(members)], quorum)
    assert (err.value.quorum, err.value.member_count) == (quorum, members)


# --------------------------------------------------------------------------------- proposing


def test_propose_records_the_proposal_and_the_proposers_approval(suite: Suite) -> None:
    data = Consortium.encode_set_quorum(3)
    expiry = suite.env.now() + HOUR
    result = suite.as_(ACME).propose(suite.address, 0, data, "raise the quorum", expiry)
    (created,) = ProposalCreatedEvent.from_result(result)
    (approved,) = ProposalApprovedEvent.from_result(result)
    assert (created.proposal_id, created.proposer, created.target) == (1, suite.addr(ACME), suite.address)
    assert (created.value, created.data, created.description, created.expiry) == (0, data, "raise the quorum", expiry)
    assert (approved.proposal_id, approved.member, approved.approvals) == (1, suite.addr(ACME), 1)

    view = suite.view
    stored = view.proposal(1)
    assert stored.proposer == suite.addr(ACME)
    assert stored.target == suite.address
    assert (stored.value, stored.data, stored.description, stored.expiry) == (0, data, "raise the quorum", expiry)
    assert (stored.executed, stored.cancelled) == (False, False)
    assert stored.created_at == suite.env.w3.eth.get_block(result.block_number)["timestamp"]
    assert view.proposal_count() == 1
    assert view.proposal_state(1) is ProposalState.OPEN
    assert view.approval_count(1) == 1
    assert view.has_approved(1, suite.addr(ACME))
    assert not view.has_approved(1, suite.addr(GLOBEX))


def test_propose_fails_for_a_non_member(suite: Suite) -> None:
    with pytest.raises(ConsortiumNotMember) as err:
        suite.as_(OUTSIDER).propose(suite.address, 0, b"", "x", suite.env.now() + HOUR)
    assert err.value.account == suite.addr(OUTSIDER)
    assert suite.view.proposal_count() == 0


def test_propose_fails_with_zero_target(suite: Suite) -> None:
    with pytest.raises(ConsortiumZeroAddress):
        suite.as_(ACME).propose(ZERO, 1, b"", "burn", suite.env.now() + HOUR)


@pytest.mark.parametrize("offset", [0, -1, -HOUR])
def test_propose_fails_with_expiry_not_in_the_future(suite: Suite, offset: int) -> None:
    expiry = suite.env.now() + offset
    with pytest.raises(ConsortiumInvalidExpiry) as err:
        suite.as_(ACME).propose(suite.address, 0, b"", "x", expiry)
    assert err.value.expiry == expiry
    assert err.value.timestamp >= expiry


# ---------------------------------------------------------------------------------- approving


def test_approve_counts_and_reaches_quorum(suite: Suite) -> None:
    pid = suite.propose(ACME, Consortium.encode_set_quorum(3))
    result = suite.as_(GLOBEX).approve(pid)
    (event,) = ProposalApprovedEvent.from_result(result)
    assert (event.proposal_id, event.member, event.approvals) == (pid, suite.addr(GLOBEX), 2)
    assert suite.view.approval_count(pid) == 2
    assert suite.view.proposal_state(pid) is ProposalState.APPROVED
    suite.as_(INITECH).approve(pid)
    assert suite.view.approval_count(pid) == 3


def test_approve_twice_fails(suite: Suite) -> None:
    pid = suite.propose(ACME, Consortium.encode_set_quorum(3))
    suite.as_(GLOBEX).approve(pid)
    with pytest.raises(ConsortiumAlreadyApproved) as err:
        suite.as_(GLOBEX).approve(pid)
    assert (err.value.proposal_id, err.value.member) == (pid, suite.addr(GLOBEX))
    with pytest.raises(ConsortiumAlreadyApproved):
        suite.as_(ACME).approve(pid)  # the proposer's approval was recorded with the proposal
    assert suite.view.approval_count(pid) == 2


def test_approve_fails_for_a_non_member(suite: Suite) -> None:
    pid = suite.propose(ACME, Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumNotMember):
        suite.as_(OUTSIDER).approve(pid)


@pytest.mark.parametrize("pid", [0, 2, 2**256 - 1])
def test_unknown_proposal_is_refused_by_every_function(suite: Suite, pid: int) -> None:
    suite.propose(ACME, Consortium.encode_set_quorum(3))
    calls: list[Callable[[], object]] = [
        lambda: suite.as_(GLOBEX).approve(pid),
        lambda: suite.as_(GLOBEX).revoke(pid),
        lambda: suite.as_(GLOBEX).cancel(pid),
        lambda: suite.as_(GLOBEX).execute(pid),
        lambda: suite.view.proposal(pid),
        lambda: suite.view.proposal_state(pid),
        lambda: suite.view.approval_count(pid),
    ]
    for call in calls:
        with pytest.raises(ConsortiumUnknownProposal) as err:
            call()
        assert err.value.proposal_id == pid
    assert not suite.view.has_approved(pid, suite.addr(ACME))


# ----------------------------------------------------------------------------------- revoking


def test_revoke_withdraws_an_approval(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(3))
    result = suite.as_(GLOBEX).revoke(pid)
    (event,) = ApprovalRevokedEvent.from_result(result)
    assert (event.proposal_id, event.member, event.approvals) == (pid, suite.addr(GLOBEX), 1)
    assert not suite.view.has_approved(pid, suite.addr(GLOBEX))
    assert suite.view.proposal_state(pid) is ProposalState.OPEN
    with pytest.raises(ConsortiumQuorumNotReached):
        suite.as_(OUTSIDER).execute(pid)
    suite.as_(GLOBEX).approve(pid)  # may approve again after revoking
    assert suite.view.approval_count(pid) == 2


def test_revoke_fails_without_an_approval(suite: Suite) -> None:
    pid = suite.propose(ACME, Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumNotApproved) as err:
        suite.as_(GLOBEX).revoke(pid)
    assert (err.value.proposal_id, err.value.member) == (pid, suite.addr(GLOBEX))


def test_revoke_fails_for_a_non_member(suite: Suite) -> None:
    pid = suite.propose(ACME, Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumNotMember):
        suite.as_(OUTSIDER).revoke(pid)


def test_proposer_may_revoke_its_own_approval(suite: Suite) -> None:
    pid = suite.propose(ACME, Consortium.encode_set_quorum(3))
    suite.as_(ACME).revoke(pid)
    assert suite.view.approval_count(pid) == 0


# ---------------------------------------------------------------------------------- executing


def test_execute_fails_below_quorum(suite: Suite) -> None:
    pid = suite.propose(ACME, Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumQuorumNotReached) as err:
        suite.as_(ACME).execute(pid)
    assert (err.value.proposal_id, err.value.approvals, err.value.quorum) == (pid, 1, 2)
    assert suite.view.quorum() == 2


def test_execute_by_anyone_once_quorum_is_reached(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(3))
    result = suite.as_(OUTSIDER).execute(pid)
    (executed,) = ProposalExecutedEvent.from_result(result)
    assert (executed.proposal_id, executed.executor) == (pid, suite.addr(OUTSIDER))
    (changed,) = QuorumChangedEvent.from_result(result)
    assert (changed.old_quorum, changed.new_quorum) == (2, 3)
    assert suite.view.quorum() == 3
    assert suite.view.proposal_state(pid) is ProposalState.EXECUTED
    assert suite.view.proposal(pid).executed


def test_execute_twice_fails(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(1))
    suite.as_(OUTSIDER).execute(pid)
    with pytest.raises(ConsortiumAlreadyExecuted) as err:
        suite.as_(OUTSIDER).execute(pid)
    assert err.value.proposal_id == pid
    for action in (suite.as_(INITECH).approve, suite.as_(GLOBEX).revoke, suite.as_(ACME).cancel):
        with pytest.raises(ConsortiumAlreadyExecuted):
            action(pid)


def test_expired_proposal_cannot_be_executed_approved_revoked_or_cancelled(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(1))
    expiry = suite.view.proposal(pid).expiry
    suite.env.time_travel(expiry - suite.env.now())  # exactly at the expiry: already expired
    assert suite.env.now() == expiry
    assert suite.view.proposal_state(pid) is ProposalState.EXPIRED
    with pytest.raises(ConsortiumProposalExpired) as err:
        suite.as_(OUTSIDER).execute(pid)
    assert (err.value.proposal_id, err.value.expiry) == (pid, expiry)
    for action in (suite.as_(INITECH).approve, suite.as_(GLOBEX).revoke, suite.as_(ACME).cancel):
        with pytest.raises(ConsortiumProposalExpired):
            action(pid)
    assert suite.view.quorum() == 2


def test_proposal_is_executable_until_just_before_its_expiry(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(1))
    expiry = suite.view.proposal(pid).expiry
    suite.env.time_travel(expiry - suite.env.now() - 5)
    suite.as_(OUTSIDER).execute(pid)
    assert suite.view.quorum() == 1


def test_execute_fails_when_setting_quorum_above_member_count(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(4))
    with pytest.raises(ConsortiumInvalidQuorum) as err:
        suite.as_(OUTSIDER).execute(pid)
    assert (err.value.quorum, err.value.member_count) == (4, 3)
    # a failed execution changes nothing: the proposal stays approved and unexecuted
    assert suite.view.proposal_state(pid) is ProposalState.APPROVED
    assert suite.view.quorum() == 2


def test_execute_fails_when_setting_quorum_to_zero(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(0))
    with pytest.raises(ConsortiumInvalidQuorum) as err:
        suite.as_(OUTSIDER).execute(pid)
    assert (err.value.quorum, err.value.member_count) == (0, 3)


def test_removing_a_member_below_quorum_fails(suite: Suite) -> None:
    suite.govern(Consortium.encode_set_quorum(3))
    pid = suite.propose(ACME, Consortium.encode_remove_member(suite.addr(INITECH)))
    suite.as_(GLOBEX).approve(pid)
    suite.as_(INITECH).approve(pid)
    with pytest.raises(ConsortiumRemovalBelowQuorum) as err:
        suite.as_(OUTSIDER).execute(pid)
    assert (err.value.account, err.value.member_count_after, err.value.quorum) == (suite.addr(INITECH), 2, 3)
    assert suite.view.member_count() == 3


def test_lowering_quorum_and_removing_in_one_multicall_proposal(suite: Suite) -> None:
    suite.govern(Consortium.encode_set_quorum(3))
    batch = Consortium.encode_multicall(
        [Consortium.encode_set_quorum(2), Consortium.encode_remove_member(suite.addr(INITECH))]
    )
    pid = suite.propose(ACME, batch)
    suite.as_(GLOBEX).approve(pid)
    suite.as_(INITECH).approve(pid)
    result = suite.as_(OUTSIDER).execute(pid)
    assert [e.account for e in MemberRemovedEvent.from_result(result)] == [suite.addr(INITECH)]
    assert (suite.view.quorum(), suite.view.member_count()) == (2, 2)


def test_multicall_proposal_is_atomic(suite: Suite) -> None:
    batch = Consortium.encode_multicall(
        [Consortium.encode_add_member(suite.addr(UMBRELLA), "Umbrella"), Consortium.encode_set_quorum(9)]
    )
    pid = suite.pass_(batch)
    with pytest.raises(ConsortiumInvalidQuorum):
        suite.as_(OUTSIDER).execute(pid)
    assert not suite.view.is_member(suite.addr(UMBRELLA))


def test_adding_a_member_by_proposal(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_add_member(suite.addr(UMBRELLA), "Umbrella"))
    result = suite.as_(OUTSIDER).execute(pid)
    (added,) = MemberAddedEvent.from_result(result)
    assert (added.account, added.label) == (suite.addr(UMBRELLA), "Umbrella")
    view = suite.view
    assert view.is_member(suite.addr(UMBRELLA))
    assert view.member_count() == 4
    assert view.member_by_label("Umbrella") == suite.addr(UMBRELLA)
    assert view.quorum() == 2  # admitting does not change the quorum
    suite.as_(UMBRELLA).propose(suite.address, 0, Consortium.encode_set_quorum(3), "x", suite.env.now() + HOUR)


@pytest.mark.parametrize(
    ("make", "error", "fields"),
    [
        (lambda s: Consortium.encode_add_member(s.addr(GLOBEX), "Other"), ConsortiumAlreadyMember,
         lambda s: {"account": s.addr(GLOBEX)}),
        (lambda s: Consortium.encode_add_member(ZERO, "Zero"), ConsortiumZeroAddress, lambda s: {}),
        (lambda s: Consortium.encode_add_member(s.addr(UMBRELLA), "Globex"), ConsortiumLabelTaken,
         lambda s: {"label": "Globex", "member": s.addr(GLOBEX)}),
        (lambda s: Consortium.encode_add_member(s.addr(UMBRELLA), ""), ConsortiumInvalidLabel,
         lambda s: {"label": ""}),
        (lambda s: Consortium.encode_remove_member(s.addr(OUTSIDER)), ConsortiumNotMember,
         lambda s: {"account": s.addr(OUTSIDER)}),
    ],
    ids=["already-member", "zero-address", "label-taken", "empty-label", "remove-non-member"],
)
def test_governed_action_refusals_bubble_up_from_execute(
    suite: Suite, make: Callable[[Suite], bytes], error: type[Exception], fields: Callable[[Suite], dict[str, object]]
) -> None:
    pid = suite.pass_(make(suite))
    with pytest.raises(error) as err:
        suite.as_(OUTSIDER).execute(pid)
    for name, value in fields(suite).items():
        assert getattr(err.value, name) == value
    assert suite.view.proposal_state(pid) is ProposalState.APPROVED


def test_execute_fails_on_a_target_without_code(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(1), target=suite.addr(OUTSIDER))
    with pytest.raises(ConsortiumTargetHasNoCode) as err:
        suite.as_(OUTSIDER).execute(pid)
    assert (err.value.proposal_id, err.value.target) == (pid, suite.addr(OUTSIDER))


def test_execute_fails_without_revert_data(suite: Suite) -> None:
    pid = suite.pass_(bytes.fromhex("deadbeef"))  # no such function and no fallback: empty revert
    with pytest.raises(ConsortiumExecutionFailed) as err:
        suite.as_(OUTSIDER).execute(pid)
    assert err.value.proposal_id == pid


def test_execute_cannot_reenter(suite: Suite) -> None:
    inner = suite.pass_(Consortium.encode_set_quorum(1))
    outer = suite.pass_(Consortium.encode_execute(inner))
    with pytest.raises(ReentrancyGuardReentrantCall):
        suite.as_(OUTSIDER).execute(outer)
    suite.as_(OUTSIDER).execute(inner)  # still executable on its own
    assert suite.view.quorum() == 1


def test_consortium_receives_and_spends_ether_by_proposal(suite: Suite) -> None:
    env = suite.env
    env.send_ether(OUTSIDER, suite.address, 10**18)
    (received,) = suite.view.events.ether_received()
    assert isinstance(received, EtherReceivedEvent)
    assert (received.sender, received.amount) == (suite.addr(OUTSIDER), 10**18)
    payee = suite.addr(UMBRELLA)
    before = env.balance(payee)
    pid = suite.pass_(b"", target=payee, value=3 * 10**17)
    suite.as_(ACME).execute(pid)
    assert env.balance(payee) - before == 3 * 10**17
    assert env.balance(suite.address) == 7 * 10**17


def test_execute_fails_when_the_consortium_holds_too_little_ether(suite: Suite) -> None:
    pid = suite.pass_(b"", target=suite.addr(UMBRELLA), value=10**18)
    with pytest.raises(ConsortiumInsufficientBalance) as err:
        suite.as_(OUTSIDER).execute(pid)
    assert (err.value.proposal_id, err.value.balance, err.value.value) == (pid, 0, 10**18)


# --------------------------------------------------------------------------------- cancelling


def test_cancel_by_proposer(suite: Suite) -> None:
    pid = suite.pass_(Consortium.encode_set_quorum(1))
    result = suite.as_(ACME).cancel(pid)
    assert [e.proposal_id for e in ProposalCancelledEvent.from_result(result)] == [pid]
    assert suite.view.proposal_state(pid) is ProposalState.CANCELLED
    assert suite.view.proposal(pid).cancelled
    for action in (suite.as_(OUTSIDER).execute, suite.as_(INITECH).approve, suite.as_(GLOBEX).revoke,
                   suite.as_(ACME).cancel):
        with pytest.raises(ConsortiumProposalCancelled) as err:
            action(pid)
        assert err.value.proposal_id == pid


def test_cancel_fails_for_anyone_but_the_proposer(suite: Suite) -> None:
    pid = suite.propose(ACME, Consortium.encode_set_quorum(1))
    with pytest.raises(ConsortiumNotProposer) as err:
        suite.as_(GLOBEX).cancel(pid)
    assert (err.value.proposal_id, err.value.caller, err.value.proposer) == (pid, suite.addr(GLOBEX), suite.addr(ACME))


# ----------------------------------------------------------------------------- self-governance


@pytest.mark.parametrize("caller", [DEPLOYER, ACME, OUTSIDER])
def test_governed_functions_refuse_direct_calls(suite: Suite, caller: int) -> None:
    bound = suite.as_(caller)
    attempts: list[Callable[[], object]] = [
        lambda: bound.add_member(suite.addr(UMBRELLA), "Umbrella"),
        lambda: bound.remove_member(suite.addr(GLOBEX)),
        lambda: bound.set_quorum(1),
        lambda: bound.multicall([Consortium.encode_set_quorum(1)]),
    ]
    for attempt in attempts:
        with pytest.raises(ConsortiumOnlySelf) as err:
            attempt()
        assert err.value.caller == suite.addr(caller)
    assert (suite.view.quorum(), suite.view.member_count()) == (2, 3)


# ------------------------------------------------------------------ removed members' approvals


def test_removed_members_approvals_stop_counting(suite: Suite) -> None:
    pending = suite.pass_(Consortium.encode_set_quorum(1))  # approved by Acme and Globex
    assert suite.view.approval_count(pending) == 2
    suite.govern(Consortium.encode_remove_member(suite.addr(GLOBEX)))

    view = suite.view
    assert not view.is_member(suite.addr(GLOBEX))
    assert view.member_label(suite.addr(GLOBEX)) == ""
    assert view.member_by_label("Globex") == ZERO
    assert view.approval_count(pending) == 1
    assert not view.has_approved(pending, suite.addr(GLOBEX))
    assert view.proposal_state(pending) is ProposalState.OPEN
    with pytest.raises(ConsortiumQuorumNotReached) as err:
        suite.as_(OUTSIDER).execute(pending)
    assert (err.value.approvals, err.value.quorum) == (1, 2)
    with pytest.raises(ConsortiumNotMember):
        suite.as_(GLOBEX).approve(pending)
    with pytest.raises(ConsortiumNotMember):
        suite.as_(GLOBEX).revoke(pending)
    suite.as_(INITECH).approve(pending)
    suite.as_(OUTSIDER).execute(pending)
    assert view.quorum() == 1


def test_readmitted_member_must_approve_again(suite: Suite) -> None:
    pending = suite.pass_(Consortium.encode_set_quorum(1))
    suite.govern(Consortium.encode_remove_member(suite.addr(GLOBEX)))
    suite.govern(Consortium.encode_add_member(suite.addr(GLOBEX), "Globex Again"))

    view = suite.view
    assert view.member_label(suite.addr(GLOBEX)) == "Globex Again"
    assert view.approval_count(pending) == 1  # the approval from the earlier membership stays void
    assert not view.has_approved(pending, suite.addr(GLOBEX))
    suite.as_(GLOBEX).approve(pending)
    assert view.approval_count(pending) == 2
    suite.as_(OUTSIDER).execute(pending)


def test_raising_the_quorum_reopens_approved_proposals(suite: Suite) -> None:
    pending = suite.pass_(Consortium.encode_add_member(suite.addr(UMBRELLA), "Umbrella"))
    assert suite.view.proposal_state(pending) is ProposalState.APPROVED
    suite.govern(Consortium.encode_set_quorum(3))
    assert suite.view.proposal_state(pending) is ProposalState.OPEN
    with pytest.raises(ConsortiumQuorumNotReached):
        suite.as_(OUTSIDER).execute(pending)


def test_approvals_count_across_more_than_256_admissions(env: EmbeddedEnv) -> None:
    """Membership indices from 256 on live in a second bitmap word: counting must read both words.

    Setup (257 admissions) goes through the direct sender to keep this test at a few seconds."""
    filler = [to_checksum_address(f"0x{i:040x}") for i in range(0x1000, 0x1000 + 198)]
    address = env.deploy("Consortium", [[env.address(1), env.address(2), *filler],
                                        ["First", "Second", *(f"F{i}" for i in range(198))], 2], direct=True)
    fast = [Consortium(env.w3, address, env.direct(i)) for i in range(4)]
    more = [to_checksum_address(f"0x{i:040x}") for i in range(0x2000, 0x2000 + 56)]
    calls = [Consortium.encode_add_member(a, f"M{j}") for j, a in enumerate(more)]
    calls.append(Consortium.encode_add_member(env.address(3), "Late"))  # membership index 257
    result = fast[1].propose(address, 0, Consortium.encode_multicall(calls), "admit 57", env.now() + HOUR)
    pid = ProposalCreatedEvent.from_result(result)[0].proposal_id
    fast[2].approve(pid)
    fast[1].execute(pid)

    suite = Suite(env, address)
    view = suite.view
    assert view.member_count() == 257
    pid = suite.propose(3, Consortium.encode_set_quorum(1))  # approved by index 257 (second word)
    assert view.approval_count(pid) == 1
    assert view.has_approved(pid, env.address(3))
    suite.as_(1).approve(pid)  # index 1 (first word)
    assert view.approval_count(pid) == 2
    assert view.proposal_state(pid) is ProposalState.APPROVED
    removal = suite.propose(1, Consortium.encode_remove_member(env.address(3)))
    suite.as_(2).approve(removal)
    suite.as_(OUTSIDER).execute(removal)
    assert view.approval_count(pid) == 1
    assert view.proposal_state(pid) is ProposalState.OPEN


# ----------------------------------------------------------------------------------------- gas


def test_gas_of_propose_approve_execute_stays_within_budget(suite: Suite) -> None:
    """Regression bound for the figures in the gas report (eth-tester, optimizer on, 200 runs)."""
    data = Consortium.encode_set_quorum(3)
    proposed = suite.as_(ACME).propose(suite.address, 0, data, "raise the quorum to 3", suite.env.now() + HOUR)
    approved = suite.as_(GLOBEX).approve(1)
    executed = suite.as_(OUTSIDER).execute(1)
    assert proposed.gas_used < 230_000
    assert approved.gas_used < 45_000
    assert executed.gas_used < 70_000
