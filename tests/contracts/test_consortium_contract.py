"""The Consortium contract (v2) on a real EVM (eth-tester), driven through the generated typed binding and
the real transaction pipeline: membership, labels and epochs, recorded proposals, execution, thresholds,
delay and veto. Signatures are in test_consortium_signatures.py, the attacks in test_consortium_attacks.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from _consortium import DAY, HOUR, Gov, description_hash
from _embedded import EmbeddedEnv
from eth_utils.address import to_checksum_address

from coopetition.bindings.consortium import (
    ApprovalRevokedEvent,
    Consortium,
    ConsortiumAlreadyApproved,
    ConsortiumAlreadyMember,
    ConsortiumAlreadyObjected,
    ConsortiumCallMismatch,
    ConsortiumCancelAfterThreshold,
    ConsortiumDelayNotElapsed,
    ConsortiumDelayRequired,
    ConsortiumExecutionFailed,
    ConsortiumInsufficientBalance,
    ConsortiumInvalidDelay,
    ConsortiumInvalidExpiry,
    ConsortiumInvalidLabel,
    ConsortiumInvalidPrevious,
    ConsortiumInvalidQuorum,
    ConsortiumLabelTaken,
    ConsortiumLastMember,
    ConsortiumLengthMismatch,
    ConsortiumNotApproved,
    ConsortiumNotMember,
    ConsortiumNotProposer,
    ConsortiumNotQueued,
    ConsortiumOnlySelf,
    ConsortiumProposalExists,
    ConsortiumProposalNotLive,
    ConsortiumSingleApprovalNotAllowed,
    ConsortiumTargetHasNoCode,
    ConsortiumThresholdNotReached,
    ConsortiumTooManyMembers,
    ConsortiumUnknownProposal,
    ConsortiumZeroAddress,
    EtherReceivedEvent,
    Member,
    MemberAddedEvent,
    MemberRemovedEvent,
    ProposalApprovedEvent,
    ProposalCancelledEvent,
    ProposalCreatedEvent,
    ProposalDequeuedEvent,
    ProposalExecutedEvent,
    ProposalObjectedEvent,
    ProposalQueuedEvent,
    ProposalState,
    ProposalVetoedEvent,
    QuorumChangedEvent,
    ReentrancyGuardReentrantCall,
)

DEPLOYER, ACME, GLOBEX, INITECH, UMBRELLA, OUTSIDER = 0, 1, 2, 3, 4, 5
ZERO = "0x" + "00" * 20


@pytest.fixture
def env() -> EmbeddedEnv:
    return EmbeddedEnv.start()


@pytest.fixture
def gov(env: EmbeddedEnv) -> Gov:
    """Acme, Globex and Initech, quorum 2, no delay, deployed by an account that is not a member."""
    return Gov.deploy(env, [ACME, GLOBEX, INITECH], ["Acme", "Globex", "Initech"], 2)


@pytest.fixture
def delayed(env: EmbeddedEnv) -> Gov:
    """The same members with a one-day execution delay."""
    return Gov.deploy(env, [ACME, GLOBEX, INITECH], ["Acme", "Globex", "Initech"], 2, delay=DAY)


def passed(gov: Gov, data: bytes, *, approver: int = GLOBEX, **kwargs: object) -> bytes:
    """Proposed by Acme, approved by Globex (quorum 2): an approved, unexecuted proposal."""
    pid = gov.propose(ACME, data, **kwargs)  # type: ignore[arg-type]
    gov.as_(approver).approve(pid)
    return pid


def not_live(err: pytest.ExceptionInfo[ConsortiumProposalNotLive], pid: bytes, state: ProposalState) -> None:
    assert (err.value.proposal_id, err.value.state) == (pid, state)


# ------------------------------------------------------------------------------- construction


def test_constructor_records_members_labels_quorum_epoch_and_nonce(gov: Gov) -> None:
    view = gov.view
    assert (view.quorum(), view.member_count(), view.epoch(), view.decision_nonce()) == (2, 3, 1, 1)
    assert (view.execution_delay(), view.single_approval_allowed()) == (0, False)
    assert view.members() == (gov.addr(ACME), gov.addr(GLOBEX), gov.addr(INITECH))
    assert view.member_list() == (
        Member(gov.addr(ACME), "Acme"), Member(gov.addr(GLOBEX), "Globex"), Member(gov.addr(INITECH), "Initech"),
    )
    assert [view.member_position(gov.addr(i)) for i in (ACME, GLOBEX, INITECH, OUTSIDER)] == [1, 2, 3, 0]
    assert view.is_member(gov.addr(GLOBEX)) and not view.is_member(gov.addr(DEPLOYER))
    assert (view.member_label(gov.addr(INITECH)), view.member_label(gov.addr(OUTSIDER))) == ("Initech", "")
    assert (view.member_by_label("Globex"), view.member_by_label("Nobody")) == (gov.addr(GLOBEX), ZERO)
    assert (view.label_holder("Acme"), view.label_holder("Nobody")) == (gov.addr(ACME), ZERO)
    assert (view.max_members(), view.max_label_length()) == (128, 32)
    assert (view.max_lifetime(), view.max_delay(), view.removal_delay()) == (90 * DAY, 30 * DAY, 7 * DAY)
    assert view.objection_threshold() == 2


def test_constructor_emits_member_added_and_quorum_changed_in_epoch_1(gov: Gov) -> None:
    added = gov.view.events.member_added()
    assert [(e.account, e.label, e.epoch) for e in added] == [
        (gov.addr(ACME), "Acme", 1), (gov.addr(GLOBEX), "Globex", 1), (gov.addr(INITECH), "Initech", 1)
    ]
    assert [(e.old_quorum, e.new_quorum, e.epoch) for e in gov.view.events.quorum_changed()] == [(0, 2, 1)]


def test_constructor_fails_when_lengths_differ(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumLengthMismatch) as err:
        Gov.deploy(env, [1, 2], ["A"], 2)
    assert (err.value.members, err.value.labels) == (2, 1)


def test_constructor_fails_with_zero_address_or_duplicate_member(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumZeroAddress):
        Gov.deploy(env, [1, ZERO], ["A", "B"], 2)
    with pytest.raises(ConsortiumAlreadyMember) as err:
        Gov.deploy(env, [1, 1], ["A", "B"], 2)
    assert err.value.account == env.address(1)


@pytest.mark.parametrize("label", ["", "x" * 33, "é" * 17])
def test_constructor_fails_with_label_empty_or_over_32_bytes(env: EmbeddedEnv, label: str) -> None:
    with pytest.raises(ConsortiumInvalidLabel) as err:
        Gov.deploy(env, [1], [label], 1)
    assert err.value.label == label


@pytest.mark.parametrize("label", ["é" * 16, "x" * 32, "ten bytes!", "eleven byte", "\x00leading zero"])
def test_labels_of_any_length_up_to_32_bytes_round_trip(env: EmbeddedEnv, label: str) -> None:
    gov = Gov.deploy(env, [1, 2], [label, "B"], 2)
    assert gov.view.member_label(env.address(1)) == label
    assert gov.view.member_list()[0] == Member(env.address(1), label)
    assert gov.view.member_by_label(label) == env.address(1)


def test_constructor_fails_with_duplicate_label(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumLabelTaken) as err:
        Gov.deploy(env, [1, 2], ["Acme", "Acme"], 2)
    assert (err.value.label, err.value.holder) == ("Acme", env.address(1))


@pytest.mark.parametrize(("members", "quorum"), [(2, 0), (2, 3), (0, 1)])
def test_constructor_fails_with_quorum_outside_one_to_member_count(env: EmbeddedEnv, members: int, quorum: int) -> None:
    with pytest.raises(ConsortiumInvalidQuorum) as err:
        Gov.deploy(env, list(range(1, 1 + members)), [f"M{i}" for i in range(members)], quorum)
    assert (err.value.quorum, err.value.member_count) == (quorum, members)


def test_quorum_of_one_with_several_members_needs_the_founders_explicit_choice(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumSingleApprovalNotAllowed) as err:
        Gov.deploy(env, [1, 2, 3], ["A", "B", "C"], 1)
    assert err.value.member_count == 3
    gov = Gov.deploy(env, [1, 2, 3], ["A", "B", "C"], 1, single=True)
    assert (gov.view.quorum(), gov.view.single_approval_allowed()) == (1, True)
    assert Gov.deploy(env, [1], ["Solo"], 1).view.quorum() == 1  # one member: 1 is the only quorum


def test_constructor_fails_with_a_delay_over_30_days(env: EmbeddedEnv) -> None:
    with pytest.raises(ConsortiumInvalidDelay) as err:
        Gov.deploy(env, [1, 2], ["A", "B"], 2, delay=30 * DAY + 1)
    assert (err.value.delay, err.value.max_delay) == (30 * DAY + 1, 30 * DAY)
    assert Gov.deploy(env, [1, 2], ["A", "B"], 2, delay=30 * DAY).view.execution_delay() == 30 * DAY


def test_constructor_fails_with_more_than_128_members(env: EmbeddedEnv) -> None:
    many = [to_checksum_address(f"0x{i:040x}") for i in range(0x1000, 0x1000 + 129)]
    with pytest.raises(ConsortiumTooManyMembers) as err:
        env.deploy("Consortium", [many, [f"M{i}" for i in range(129)], 2, 0, False], direct=True)
    assert err.value.max_members == 128


# ------------------------------------------------------------------------- governed membership


def test_governed_functions_refuse_direct_calls(gov: Gov) -> None:
    for caller in (DEPLOYER, ACME, OUTSIDER):
        bound = gov.as_(caller)
        attempts: list[Callable[[], object]] = [
            lambda b=bound: b.add_member(gov.addr(UMBRELLA), "Umbrella"),  # type: ignore[misc]
            lambda b=bound: b.remove_member(gov.addr(ACME), gov.addr(GLOBEX)),  # type: ignore[misc]
            lambda b=bound: b.set_quorum(3),  # type: ignore[misc]
            lambda b=bound: b.multicall([Consortium.encode_set_quorum(3)]),  # type: ignore[misc]
            lambda b=bound: b.cancel_proposal(b"\x01" * 32),  # type: ignore[misc]
        ]
        for attempt in attempts:
            with pytest.raises(ConsortiumOnlySelf) as err:
                attempt()
            assert err.value.caller == gov.addr(caller)
    assert (gov.view.quorum(), gov.view.member_count(), gov.view.epoch()) == (2, 3, 1)


def test_adding_a_member_starts_a_new_epoch_and_keeps_the_quorum(gov: Gov) -> None:
    result = gov.govern(Consortium.encode_add_member(gov.addr(UMBRELLA), "Umbrella"))
    (added,) = MemberAddedEvent.from_result(result)
    assert (added.account, added.label, added.epoch) == (gov.addr(UMBRELLA), "Umbrella", 2)
    view = gov.view
    assert (view.member_count(), view.quorum(), view.epoch()) == (4, 2, 2)
    assert view.member_position(gov.addr(UMBRELLA)) == 4
    assert view.member_by_label("Umbrella") == gov.addr(UMBRELLA)
    gov.propose(UMBRELLA, Consortium.encode_set_quorum(3))  # the newcomer may propose


def test_removing_a_member_moves_the_last_member_into_its_position(gov: Gov) -> None:
    gov.govern(Consortium.encode_add_member(gov.addr(UMBRELLA), "Umbrella Corporation"))
    result = gov.govern(gov.removal(gov.addr(GLOBEX)))
    (removed,) = MemberRemovedEvent.from_result(result)
    assert (removed.account, removed.label, removed.epoch) == (gov.addr(GLOBEX), "Globex", 3)
    view = gov.view
    assert view.members() == (gov.addr(ACME), gov.addr(UMBRELLA), gov.addr(INITECH))
    assert [view.member_position(gov.addr(i)) for i in (ACME, GLOBEX, INITECH, UMBRELLA)] == [1, 0, 3, 2]
    assert view.member_list()[1] == Member(gov.addr(UMBRELLA), "Umbrella Corporation")
    assert (view.is_member(gov.addr(GLOBEX)), view.member_label(gov.addr(GLOBEX))) == (False, "")
    assert (view.member_by_label("Globex"), view.label_holder("Globex")) == (ZERO, gov.addr(GLOBEX))


@pytest.mark.parametrize("who", [ACME, GLOBEX, INITECH])
def test_any_member_can_be_removed_from_the_list(gov: Gov, who: int) -> None:
    gov.govern(gov.removal(gov.addr(who)))
    rest = [i for i in (ACME, GLOBEX, INITECH) if i != who]
    assert sorted(gov.view.members()) == sorted(gov.addr(i) for i in rest)
    assert sorted(gov.view.member_position(gov.addr(i)) for i in rest) == [1, 2]


@pytest.mark.parametrize("position", [1, 2, 3, 4, 5])
def test_removal_at_any_position_keeps_positions_dense(env: EmbeddedEnv, position: int) -> None:
    gov = Gov.deploy(env, [1, 2, 3, 4, 5], ["A", "B", "C", "D", "E"], 3)
    before = list(gov.view.members())
    gone = before[position - 1]
    gov.govern(gov.removal(gone))
    after = list(gov.view.members())
    expected = before[:4]
    if position != 5:
        expected[position - 1] = before[4]  # the last position's holder fills the gap
    assert after == expected
    assert [gov.view.member_position(a) for a in after] == [1, 2, 3, 4]
    gov.govern(gov.removal(after[0]))  # and the list is still consistent for the next removal
    assert sorted(gov.view.members()) == sorted(a for a in expected if a != after[0])


def test_removal_needs_the_member_before_the_removed_one(gov: Gov) -> None:
    for previous, account in [(ZERO, gov.addr(ACME)), (gov.addr(ACME), gov.addr(GLOBEX)),
                              (gov.addr(OUTSIDER), gov.addr(GLOBEX)), (gov.addr(GLOBEX), gov.addr(INITECH))]:
        pid = passed(gov, Consortium.encode_remove_member(previous, account), description=f"{previous} {account}")
        with pytest.raises(ConsortiumInvalidPrevious) as err:
            gov.execute(pid)
        assert (err.value.previous, err.value.account) == (previous, account)
    assert gov.view.member_count() == 3


def test_a_removed_members_label_is_never_given_to_another_address(gov: Gov) -> None:
    gov.govern(gov.removal(gov.addr(GLOBEX)))
    pid = passed(gov, Consortium.encode_add_member(gov.addr(UMBRELLA), "Globex"), approver=INITECH)
    with pytest.raises(ConsortiumLabelTaken) as err:
        gov.execute(pid, by=OUTSIDER)
    assert (err.value.label, err.value.holder) == ("Globex", gov.addr(GLOBEX))


def test_the_same_address_readmitted_may_take_its_label_back_or_a_new_one(gov: Gov) -> None:
    gov.govern(gov.removal(gov.addr(GLOBEX)))
    gov.govern(Consortium.encode_add_member(gov.addr(GLOBEX), "Globex"))
    assert gov.view.member_by_label("Globex") == gov.addr(GLOBEX)
    gov.govern(gov.removal(gov.addr(GLOBEX)))
    gov.govern(Consortium.encode_add_member(gov.addr(GLOBEX), "Globex International"))
    view = gov.view
    assert view.member_label(gov.addr(GLOBEX)) == "Globex International"
    assert view.member_by_label("Globex") == ZERO  # not its label now, but still its own:
    assert view.label_holder("Globex") == gov.addr(GLOBEX)
    pid = passed(gov, Consortium.encode_add_member(gov.addr(UMBRELLA), "Globex"))
    with pytest.raises(ConsortiumLabelTaken):
        gov.execute(pid)


def test_removal_lowers_a_quorum_above_the_new_member_count(gov: Gov) -> None:
    gov.govern(Consortium.encode_set_quorum(3))
    pid = gov.propose(ACME, gov.removal(gov.addr(INITECH)), ttl=8 * DAY)
    gov.as_(GLOBEX).approve(pid)
    gov.env.time_travel(7 * DAY)  # a removal below the quorum waits (see the delay tests)
    result = gov.execute(pid)
    changed = QuorumChangedEvent.from_result(result)
    assert [(e.old_quorum, e.new_quorum) for e in changed] == [(3, 2)]
    assert (gov.view.quorum(), gov.view.member_count()) == (2, 2)


def test_the_last_member_cannot_be_removed(env: EmbeddedEnv) -> None:
    gov = Gov.deploy(env, [ACME], ["Acme"], 1)
    pid = gov.propose(ACME, gov.removal(gov.addr(ACME)))
    with pytest.raises(ConsortiumLastMember) as err:
        gov.execute(pid)
    assert err.value.account == gov.addr(ACME)


@pytest.mark.parametrize("single", [False, True])
def test_admission_into_a_one_member_consortium_raises_quorum_1_unless_chosen(env: EmbeddedEnv, single: bool) -> None:
    gov = Gov.deploy(env, [ACME], ["Acme"], 1, single=single)
    result = gov.govern(Consortium.encode_add_member(gov.addr(GLOBEX), "Globex"))
    assert gov.view.quorum() == (1 if single else 2)
    assert [(e.old_quorum, e.new_quorum) for e in QuorumChangedEvent.from_result(result)] == ([] if single else [(1, 2)])


def test_set_quorum_starts_a_new_epoch_even_when_unchanged(gov: Gov) -> None:
    result = gov.govern(Consortium.encode_set_quorum(2))
    (changed,) = QuorumChangedEvent.from_result(result)
    assert (changed.old_quorum, changed.new_quorum, changed.epoch) == (2, 2, 2)
    assert gov.view.epoch() == 2


@pytest.mark.parametrize(
    ("quorum", "error"), [(0, ConsortiumInvalidQuorum), (4, ConsortiumInvalidQuorum), (1, ConsortiumSingleApprovalNotAllowed)]
)
def test_set_quorum_refusals_bubble_up_from_execute(gov: Gov, quorum: int, error: type[Exception]) -> None:
    pid = passed(gov, Consortium.encode_set_quorum(quorum))
    with pytest.raises(error):
        gov.execute(pid)
    assert gov.view.proposal_state(pid) is ProposalState.APPROVED  # a failed execution changes nothing
    assert (gov.view.quorum(), gov.view.epoch()) == (2, 1)


@pytest.mark.parametrize(
    ("make", "error", "fields"),
    [
        (lambda g: Consortium.encode_add_member(g.addr(GLOBEX), "Other"), ConsortiumAlreadyMember,
         lambda g: {"account": g.addr(GLOBEX)}),
        (lambda g: Consortium.encode_add_member(ZERO, "Zero"), ConsortiumZeroAddress, lambda g: {}),
        (lambda g: Consortium.encode_add_member(g.addr(UMBRELLA), "Globex"), ConsortiumLabelTaken,
         lambda g: {"label": "Globex", "holder": g.addr(GLOBEX)}),
        (lambda g: Consortium.encode_add_member(g.addr(UMBRELLA), ""), ConsortiumInvalidLabel, lambda g: {"label": ""}),
        (lambda g: g.removal(g.addr(OUTSIDER)), ConsortiumNotMember,
         lambda g: {"account": g.addr(OUTSIDER)}),
    ],
    ids=["already-member", "zero-address", "label-taken", "empty-label", "remove-non-member"],
)
def test_governed_action_refusals_bubble_up_from_execute(
    gov: Gov, make: Callable[[Gov], bytes], error: type[Exception], fields: Callable[[Gov], dict[str, object]]
) -> None:
    pid = passed(gov, make(gov))
    with pytest.raises(error) as err:
        gov.execute(pid, by=OUTSIDER)
    for name, value in fields(gov).items():
        assert getattr(err.value, name) == value
    assert gov.view.proposal_state(pid) is ProposalState.APPROVED


def test_lowering_the_quorum_and_removing_in_one_multicall_proposal(gov: Gov) -> None:
    batch = Consortium.encode_multicall([Consortium.encode_set_quorum(2), gov.removal(gov.addr(INITECH))])
    result = gov.govern(batch)
    assert [e.account for e in MemberRemovedEvent.from_result(result)] == [gov.addr(INITECH)]
    assert (gov.view.quorum(), gov.view.member_count(), gov.view.epoch()) == (2, 2, 3)


def test_multicall_proposal_is_atomic(gov: Gov) -> None:
    batch = Consortium.encode_multicall([Consortium.encode_add_member(gov.addr(UMBRELLA), "Umbrella"),
                                         Consortium.encode_set_quorum(9)])
    pid = passed(gov, batch)
    with pytest.raises(ConsortiumInvalidQuorum):
        gov.execute(pid)
    assert not gov.view.is_member(gov.addr(UMBRELLA))


# ---------------------------------------------------------------------------------- proposing


def test_propose_records_a_hash_only_proposal_with_the_proposers_approval(gov: Gov) -> None:
    data = Consortium.encode_set_quorum(3)
    expiry = gov.env.now() + HOUR
    result = gov.as_(ACME).propose(gov.address, 0, data, "raise the quorum", expiry)
    (created,) = ProposalCreatedEvent.from_result(result)
    (approved,) = ProposalApprovedEvent.from_result(result)
    pid = created.proposal_id
    assert pid == gov.view.hash_proposal(gov.address, 0, data, description_hash("raise the quorum"), expiry, 1, 0)
    assert (created.proposer, created.target, created.value, created.data) == (gov.addr(ACME), gov.address, 0, data)
    assert (created.description, created.description_hash) == ("raise the quorum", description_hash("raise the quorum"))
    assert (created.expiry, created.epoch, created.nonce) == (expiry, 1, 0)
    assert (approved.proposal_id, approved.member, approved.approvals) == (pid, gov.addr(ACME), 1)
    info = gov.view.proposal(pid)
    assert (info.state, info.proposer, info.epoch, info.expiry, info.eta) == (ProposalState.OPEN, gov.addr(ACME), 1, expiry, 0)
    assert (info.threshold, info.approvals, info.objections) == (2, 1, 0)
    assert gov.view.approvers(pid) == (gov.addr(ACME),)
    assert gov.view.has_approved(pid, gov.addr(ACME)) and not gov.view.has_approved(pid, gov.addr(GLOBEX))


def test_propose_fails_for_a_non_member_or_a_zero_target(gov: Gov) -> None:
    with pytest.raises(ConsortiumNotMember) as err:
        gov.as_(OUTSIDER).propose(gov.address, 0, b"", "x", gov.env.now() + HOUR)
    assert err.value.account == gov.addr(OUTSIDER)
    with pytest.raises(ConsortiumZeroAddress):
        gov.as_(ACME).propose(ZERO, 1, b"", "burn", gov.env.now() + HOUR)


@pytest.mark.parametrize("offset", [0, -1, 90 * DAY + 1])
def test_propose_fails_with_expiry_not_in_the_next_90_days(gov: Gov, offset: int) -> None:
    expiry = gov.env.now() + offset
    with pytest.raises(ConsortiumInvalidExpiry) as err:
        gov.as_(ACME).propose(gov.address, 0, b"", "x", expiry)
    assert err.value.expiry == expiry
    assert err.value.latest - err.value.earliest == 90 * DAY


def test_propose_accepts_an_expiry_of_exactly_90_days(gov: Gov) -> None:
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3), ttl=90 * DAY - 1)
    assert gov.view.proposal_state(pid) is ProposalState.OPEN


def test_the_same_call_description_and_expiry_is_one_proposal(gov: Gov) -> None:
    expiry = gov.env.now() + HOUR
    data = Consortium.encode_set_quorum(3)
    result = gov.as_(ACME).propose(gov.address, 0, data, "same", expiry)
    pid = ProposalCreatedEvent.from_result(result)[0].proposal_id
    with pytest.raises(ConsortiumProposalExists) as err:
        gov.as_(GLOBEX).propose(gov.address, 0, data, "same", expiry)
    assert err.value.proposal_id == pid
    gov.as_(GLOBEX).propose(gov.address, 0, data, "same, again", expiry)  # another description: another one


# ---------------------------------------------------------------------------------- approving


def test_approve_counts_and_reaches_the_threshold(gov: Gov) -> None:
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3))
    result = gov.as_(GLOBEX).approve(pid)
    (event,) = ProposalApprovedEvent.from_result(result)
    assert (event.proposal_id, event.member, event.approvals) == (pid, gov.addr(GLOBEX), 2)
    assert gov.view.proposal_state(pid) is ProposalState.APPROVED
    gov.as_(INITECH).approve(pid)
    assert gov.view.proposal(pid).approvals == 3
    assert set(gov.view.approvers(pid)) == {gov.addr(ACME), gov.addr(GLOBEX), gov.addr(INITECH)}


def test_approve_twice_or_as_a_non_member_fails(gov: Gov) -> None:
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumAlreadyApproved) as err:
        gov.as_(ACME).approve(pid)  # the proposer's approval was recorded with the proposal
    assert (err.value.proposal_id, err.value.member) == (pid, gov.addr(ACME))
    with pytest.raises(ConsortiumNotMember):
        gov.as_(OUTSIDER).approve(pid)


def test_unknown_proposal_is_refused_by_every_function(gov: Gov) -> None:
    pid = b"\x42" * 32
    calls: list[Callable[[], object]] = [
        lambda: gov.as_(GLOBEX).approve(pid),
        lambda: gov.as_(GLOBEX).revoke(pid),
        lambda: gov.as_(GLOBEX).object(pid),
        lambda: gov.as_(GLOBEX).cancel(pid),
        lambda: gov.as_(GLOBEX).execute(pid, gov.address, 0, b"", b"\x00" * 32, []),
        lambda: gov.view.proposal(pid),
        lambda: gov.view.proposal_state(pid),
        lambda: gov.view.approvers(pid),
        lambda: gov.view.objectors(pid),
    ]
    for call in calls:
        with pytest.raises(ConsortiumUnknownProposal) as err:
            call()
        assert err.value.proposal_id == pid
    assert not gov.view.has_approved(pid, gov.addr(ACME))


def test_revoke_withdraws_an_approval(gov: Gov) -> None:
    pid = passed(gov, Consortium.encode_set_quorum(3))
    result = gov.as_(GLOBEX).revoke(pid)
    (event,) = ApprovalRevokedEvent.from_result(result)
    assert (event.proposal_id, event.member, event.approvals) == (pid, gov.addr(GLOBEX), 1)
    assert gov.view.proposal_state(pid) is ProposalState.OPEN
    with pytest.raises(ConsortiumThresholdNotReached) as err:
        gov.execute(pid)
    assert (err.value.approvals, err.value.threshold) == (1, 2)
    with pytest.raises(ConsortiumNotApproved):
        gov.as_(GLOBEX).revoke(pid)
    gov.as_(GLOBEX).approve(pid)  # may approve again
    gov.as_(ACME).revoke(pid)  # the proposer too may revoke
    assert gov.view.approvers(pid) == (gov.addr(GLOBEX),)


# ---------------------------------------------------------------------------------- executing


def test_execute_by_anyone_once_the_threshold_is_reached(gov: Gov) -> None:
    pid = passed(gov, Consortium.encode_set_quorum(3))
    result = gov.execute(pid, by=OUTSIDER)
    (executed,) = ProposalExecutedEvent.from_result(result)
    assert (executed.proposal_id, executed.executor, executed.signers) == (pid, gov.addr(OUTSIDER), ())
    assert gov.view.quorum() == 3
    assert gov.view.proposal_state(pid) is ProposalState.EXECUTED


def test_execute_fails_below_the_threshold(gov: Gov) -> None:
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumThresholdNotReached) as err:
        gov.execute(pid, by=ACME)
    assert (err.value.proposal_id, err.value.approvals, err.value.threshold) == (pid, 1, 2)


def test_execute_checks_the_call_against_the_id(gov: Gov) -> None:
    data = Consortium.encode_set_quorum(3)
    pid = passed(gov, data, description="raise")
    wrong = [
        (gov.address, 0, Consortium.encode_set_quorum(1), description_hash("raise")),
        (gov.address, 1, data, description_hash("raise")),
        (gov.addr(OUTSIDER), 0, data, description_hash("raise")),
        (gov.address, 0, data, description_hash("other")),
    ]
    for target, value, call, dh in wrong:
        with pytest.raises(ConsortiumCallMismatch) as err:
            gov.as_(OUTSIDER).execute(pid, target, value, call, dh, [])
        assert err.value.proposal_id == pid
    gov.as_(OUTSIDER).execute(pid, gov.address, 0, data, description_hash("raise"), [])


def test_an_executed_proposal_is_no_longer_live(gov: Gov) -> None:
    pid = passed(gov, Consortium.encode_add_member(gov.addr(UMBRELLA), "Umbrella"))
    gov.execute(pid)
    for action in (lambda: gov.execute(pid), lambda: gov.as_(INITECH).approve(pid),
                   lambda: gov.as_(GLOBEX).revoke(pid), lambda: gov.as_(ACME).cancel(pid)):
        with pytest.raises(ConsortiumProposalNotLive) as err:
            action()
        not_live(err, pid, ProposalState.EXECUTED)


def test_a_proposal_expires_at_its_expiry(gov: Gov) -> None:
    pid = passed(gov, Consortium.encode_set_quorum(3))
    expiry = gov.view.proposal(pid).expiry
    gov.env.time_travel(expiry - gov.env.now())
    assert gov.view.proposal_state(pid) is ProposalState.EXPIRED
    for action in (lambda: gov.execute(pid), lambda: gov.as_(INITECH).approve(pid),
                   lambda: gov.as_(GLOBEX).revoke(pid), lambda: gov.as_(INITECH).object(pid)):
        with pytest.raises(ConsortiumProposalNotLive) as err:
            action()
        not_live(err, pid, ProposalState.EXPIRED)


def test_a_proposal_is_executable_until_just_before_its_expiry(gov: Gov) -> None:
    pid = passed(gov, Consortium.encode_set_quorum(3))
    gov.env.time_travel(gov.view.proposal(pid).expiry - gov.env.now() - 5)
    gov.execute(pid)
    assert gov.view.quorum() == 3


def test_execute_fails_on_a_target_without_code(gov: Gov) -> None:
    pid = passed(gov, Consortium.encode_set_quorum(1), target=gov.addr(OUTSIDER))
    with pytest.raises(ConsortiumTargetHasNoCode) as err:
        gov.execute(pid)
    assert (err.value.proposal_id, err.value.target) == (pid, gov.addr(OUTSIDER))


def test_execute_fails_without_revert_data(gov: Gov) -> None:
    pid = passed(gov, bytes.fromhex("deadbeef"))  # no such function and no fallback: empty revert
    with pytest.raises(ConsortiumExecutionFailed) as err:
        gov.execute(pid)
    assert err.value.proposal_id == pid


def test_execute_cannot_reenter(gov: Gov) -> None:
    inner = passed(gov, Consortium.encode_set_quorum(3))
    e = gov.created(inner)
    reenter = Consortium.encode_execute(inner, e.target, e.value, e.data, e.description_hash, [])
    outer = passed(gov, reenter)
    with pytest.raises(ReentrancyGuardReentrantCall):
        gov.execute(outer)
    gov.execute(inner)  # still executable on its own
    assert gov.view.quorum() == 3


def test_the_consortium_receives_and_spends_ether(gov: Gov) -> None:
    env = gov.env
    env.send_ether(OUTSIDER, gov.address, 10**18)
    (received,) = gov.view.events.ether_received()
    assert isinstance(received, EtherReceivedEvent)
    assert (received.sender, received.amount) == (gov.addr(OUTSIDER), 10**18)
    payee = gov.addr(UMBRELLA)
    before = env.balance(payee)
    gov.execute(passed(gov, b"", target=payee, value=3 * 10**17))
    assert env.balance(payee) - before == 3 * 10**17
    assert env.balance(gov.address) == 7 * 10**17


def test_execute_fails_when_the_consortium_holds_too_little_ether(gov: Gov) -> None:
    pid = passed(gov, b"", target=gov.addr(UMBRELLA), value=10**18)
    with pytest.raises(ConsortiumInsufficientBalance) as err:
        gov.execute(pid)
    assert (err.value.proposal_id, err.value.balance, err.value.value) == (pid, 0, 10**18)


# --------------------------------------------------------------------------------- cancelling


def test_the_proposer_cancels_below_the_threshold(gov: Gov) -> None:
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3))
    result = gov.as_(ACME).cancel(pid)
    assert [e.proposal_id for e in ProposalCancelledEvent.from_result(result)] == [pid]
    assert gov.view.proposal_state(pid) is ProposalState.CANCELLED
    for action in (lambda: gov.execute(pid), lambda: gov.as_(INITECH).approve(pid), lambda: gov.as_(ACME).cancel(pid)):
        with pytest.raises(ConsortiumProposalNotLive) as err:
            action()
        not_live(err, pid, ProposalState.CANCELLED)
    e = gov.created(pid)
    with pytest.raises(ConsortiumProposalExists):  # the id stays spent
        gov.as_(ACME).propose(e.target, e.value, e.data, e.description, e.expiry)


def test_the_proposer_alone_cannot_cancel_once_the_threshold_is_reached(gov: Gov) -> None:
    pid = passed(gov, Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumCancelAfterThreshold) as err:
        gov.as_(ACME).cancel(pid)
    assert (err.value.approvals, err.value.threshold) == (2, 2)


@pytest.mark.parametrize("caller", [GLOBEX, OUTSIDER])
def test_nobody_but_the_proposer_cancels(gov: Gov, caller: int) -> None:
    pid = gov.propose(ACME, Consortium.encode_set_quorum(3))
    with pytest.raises(ConsortiumNotProposer) as err:
        gov.as_(caller).cancel(pid)
    assert (err.value.proposal_id, err.value.caller) == (pid, gov.addr(caller))


def test_a_quorum_cancels_any_open_proposal_by_a_signed_decision(delayed: Gov) -> None:
    """Past its threshold and queued, by a member who is not its proposer: two signatures end it."""
    gov = delayed
    pid = gov.propose(ACME, b"", target=gov.addr(UMBRELLA), value=1, ttl=3 * DAY)
    gov.as_(GLOBEX).approve(pid)  # threshold reached: the proposer alone can no longer cancel
    assert gov.view.proposal_state(pid) is ProposalState.QUEUED
    decision = gov.one_shot(Consortium.encode_cancel_proposal(pid), ttl=2 * DAY)
    with pytest.raises(ConsortiumDelayRequired):  # a cancellation is a decision like any other
        gov.execute_signed(decision, [GLOBEX, INITECH], by=OUTSIDER)
    cancel = gov.propose(INITECH, Consortium.encode_cancel_proposal(pid), ttl=2 * DAY)
    gov.as_(GLOBEX).approve(cancel)
    gov.env.time_travel(DAY)
    result = gov.execute(cancel, by=OUTSIDER)
    assert [e.proposal_id for e in ProposalCancelledEvent.from_result(result)] == [pid]
    assert gov.view.proposal_state(pid) is ProposalState.CANCELLED
    with pytest.raises(ConsortiumProposalNotLive) as err:
        gov.execute(pid)
    not_live(err, pid, ProposalState.CANCELLED)


def test_a_quorum_cancels_at_once_without_a_delay_and_not_twice(gov: Gov) -> None:
    pid = passed(gov, Consortium.encode_set_quorum(3))
    result = gov.execute_signed(gov.one_shot(Consortium.encode_cancel_proposal(pid)), [INITECH, GLOBEX], by=OUTSIDER)
    assert [e.proposal_id for e in ProposalCancelledEvent.from_result(result)] == [pid]
    assert gov.view.proposal_state(pid) is ProposalState.CANCELLED
    with pytest.raises(ConsortiumProposalNotLive):  # bubbles up from the decision's call
        gov.execute_signed(gov.one_shot(Consortium.encode_cancel_proposal(pid), description="again"), [ACME, GLOBEX])


# ------------------------------------------------------------------------ configuration epochs


def test_any_configuration_change_supersedes_open_proposals(gov: Gov) -> None:
    pending = passed(gov, b"", target=gov.addr(UMBRELLA), value=1)
    other = gov.propose(INITECH, Consortium.encode_set_quorum(3))
    gov.govern(Consortium.encode_set_quorum(2))  # unchanged value, new epoch
    for pid in (pending, other):
        assert gov.view.proposal_state(pid) is ProposalState.SUPERSEDED
        assert gov.view.approvers(pid) == ()
        assert gov.view.proposal(pid).proposer == ZERO
        for action in (lambda p=pid: gov.execute(p), lambda p=pid: gov.as_(GLOBEX).approve(p),  # type: ignore[misc]
                       lambda p=pid: gov.as_(INITECH).cancel(p)):  # type: ignore[misc]
            with pytest.raises(ConsortiumProposalNotLive) as err:
                action()
            not_live(err, pid, ProposalState.SUPERSEDED)
    assert not gov.view.has_approved(pending, gov.addr(ACME))


def test_the_same_call_may_be_proposed_again_in_the_new_epoch(gov: Gov) -> None:
    data = Consortium.encode_add_member(gov.addr(UMBRELLA), "Umbrella")
    old = gov.propose(ACME, data)
    gov.govern(Consortium.encode_set_quorum(3))
    e = gov.created(old)
    new = gov.propose(ACME, data, description="test")
    assert new != old and gov.created(new).epoch == e.epoch + 1


# -------------------------------------------------------------------------------- thresholds


def test_thresholds_for_calls(gov: Gov) -> None:
    view = gov.view
    removal = gov.removal(gov.addr(GLOBEX))
    assert view.threshold_for(gov.address, removal) == 2  # min(quorum 2, 3 - 1)
    assert view.threshold_for(gov.address, Consortium.encode_set_quorum(3)) == 2
    assert view.threshold_for(gov.address, Consortium.encode_multicall([removal])) == 2
    gov.govern(Consortium.encode_set_quorum(3))
    assert view.threshold_for(gov.address, removal) == 2  # min(quorum 3, 3 - 1): no approval from Globex needed
    assert view.threshold_for(gov.address, Consortium.encode_multicall([removal])) == 3  # only the exact call
    assert view.threshold_for(gov.addr(OUTSIDER), removal) == 3  # only on this contract
    assert view.delay_for(gov.address, removal) == 7 * DAY  # below the quorum: it waits
    assert view.delay_for(gov.address, Consortium.encode_set_quorum(2)) == 0


# ---------------------------------------------------------------------------- delay and veto


def test_an_approved_proposal_waits_the_delay(delayed: Gov) -> None:
    pid = delayed.propose(ACME, Consortium.encode_set_quorum(3), ttl=2 * DAY)
    result = delayed.as_(GLOBEX).approve(pid)
    (queued,) = ProposalQueuedEvent.from_result(result)
    assert queued.eta == delayed.env.w3.eth.get_block(result.block_number)["timestamp"] + DAY
    info = delayed.view.proposal(pid)
    assert (info.state, info.eta) == (ProposalState.QUEUED, queued.eta)
    with pytest.raises(ConsortiumDelayNotElapsed) as err:
        delayed.execute(pid)
    assert (err.value.proposal_id, err.value.eta) == (pid, queued.eta)
    delayed.env.time_travel(queued.eta - delayed.env.now())
    assert delayed.view.proposal_state(pid) is ProposalState.APPROVED
    delayed.execute(pid)
    assert delayed.view.quorum() == 3


def test_with_a_delay_the_expiry_must_leave_room_for_it(delayed: Gov) -> None:
    expiry = delayed.env.now() + DAY
    with pytest.raises(ConsortiumInvalidExpiry) as err:
        delayed.as_(ACME).propose(delayed.address, 0, b"", "x", expiry)
    assert err.value.earliest >= expiry


def test_a_revocation_below_the_threshold_dequeues_and_the_wait_restarts(delayed: Gov) -> None:
    pid = delayed.propose(ACME, Consortium.encode_set_quorum(3), ttl=3 * DAY)
    delayed.as_(GLOBEX).approve(pid)
    delayed.env.time_travel(DAY - 60)
    result = delayed.as_(GLOBEX).revoke(pid)
    assert [e.proposal_id for e in ProposalDequeuedEvent.from_result(result)] == [pid]
    assert delayed.view.proposal(pid).eta == 0
    delayed.env.time_travel(120)
    with pytest.raises(ConsortiumThresholdNotReached):
        delayed.execute(pid)
    delayed.as_(INITECH).approve(pid)
    with pytest.raises(ConsortiumDelayNotElapsed):  # a new full day
        delayed.execute(pid)
    delayed.env.time_travel(DAY)
    delayed.execute(pid)


def test_a_third_approval_keeps_the_queue_and_revoking_it_too(delayed: Gov) -> None:
    pid = delayed.propose(ACME, Consortium.encode_set_quorum(3), ttl=2 * DAY)
    delayed.as_(GLOBEX).approve(pid)
    eta = delayed.view.proposal(pid).eta
    result = delayed.as_(INITECH).approve(pid)
    assert ProposalQueuedEvent.from_result(result) == ()
    result = delayed.as_(INITECH).revoke(pid)
    assert ProposalDequeuedEvent.from_result(result) == ()
    assert delayed.view.proposal(pid).eta == eta


def test_signatures_given_to_execute_do_not_skip_the_queue(delayed: Gov) -> None:
    pid = delayed.propose(ACME, Consortium.encode_set_quorum(3), ttl=2 * DAY)
    e = delayed.created(pid)
    sig = delayed.signature(GLOBEX, delayed.decision_of(pid))
    with pytest.raises(ConsortiumNotQueued) as err:
        delayed.as_(OUTSIDER).execute(pid, e.target, e.value, e.data, e.description_hash, [sig])
    assert err.value.proposal_id == pid


def test_objections_veto_a_queued_proposal(delayed: Gov) -> None:
    pid = delayed.propose(ACME, b"", target=delayed.addr(ACME), value=1, ttl=2 * DAY)
    delayed.as_(GLOBEX).approve(pid)
    assert delayed.view.objection_threshold() == 2  # 3 - 2 + 1
    result = delayed.as_(INITECH).object(pid)
    (objected,) = ProposalObjectedEvent.from_result(result)
    assert (objected.member, objected.objections) == (delayed.addr(INITECH), 1)
    assert ProposalVetoedEvent.from_result(result) == ()
    with pytest.raises(ConsortiumAlreadyObjected):
        delayed.as_(INITECH).object(pid)
    with pytest.raises(ConsortiumNotMember):
        delayed.as_(OUTSIDER).object(pid)
    result = delayed.as_(GLOBEX).object(pid)  # a member may change its mind
    (vetoed,) = ProposalVetoedEvent.from_result(result)
    assert (vetoed.proposal_id, vetoed.objections) == (pid, 2)
    assert delayed.view.proposal_state(pid) is ProposalState.VETOED
    assert set(delayed.view.objectors(pid)) == {delayed.addr(GLOBEX), delayed.addr(INITECH)}
    assert delayed.view.has_objected(pid, delayed.addr(INITECH))
    delayed.env.time_travel(DAY)
    with pytest.raises(ConsortiumProposalNotLive) as err:
        delayed.execute(pid)
    not_live(err, pid, ProposalState.VETOED)


@pytest.mark.parametrize(("members", "quorum", "objections"), [(3, 2, 2), (5, 2, 2), (5, 4, 2), (4, 4, 1), (5, 3, 3)])
def test_objection_threshold_is_min_of_quorum_and_members_minus_quorum_plus_one(
    env: EmbeddedEnv, members: int, quorum: int, objections: int
) -> None:
    gov = Gov.deploy(env, list(range(1, 1 + members)), [f"M{i}" for i in range(members)], quorum)
    assert gov.view.objection_threshold() == objections


def test_without_a_delay_a_quorum_of_objections_cancels_an_open_proposal(gov: Gov) -> None:
    pid = gov.propose(ACME, b"", target=gov.addr(ACME), value=1)
    gov.as_(GLOBEX).object(pid)
    gov.as_(INITECH).object(pid)
    assert gov.view.proposal_state(pid) is ProposalState.VETOED
