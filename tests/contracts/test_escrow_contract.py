"""The JointVentureEscrow contract (v2, issue 11) on a real EVM (eth-tester), driven through the
generated typed binding and the real transaction pipeline: every function, every custom error, the life
cycle, the exits (dissolution quorum, funding deadline, long-stop date, vote withdrawal), push and pull
payouts, the reserve books and the cumulative-floor split, checked to the wei."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import pytest
from _consortium import Gov
from _escrow_support import ETHER, EscrowWorld
from eth_account import Account
from eth_tester.exceptions import TransactionFailed

from coopetition.bindings.joint_venture_escrow import (
    CancelReason,
    ContributionSetEvent,
    DepositedEvent,
    DissolutionVotedEvent,
    DissolutionVoteWithdrawnEvent,
    FailedCall,
    JointVentureEscrow,
    JointVentureEscrowAlreadyApproved,
    JointVentureEscrowAlreadyRefunded,
    JointVentureEscrowAlreadyVoted,
    JointVentureEscrowAssetNotContract,
    JointVentureEscrowDeadlineNotPassed,
    JointVentureEscrowDepositExceedsOwed,
    JointVentureEscrowDuplicatePartner,
    JointVentureEscrowInvalidConsortium,
    JointVentureEscrowInvalidDissolutionQuorum,
    JointVentureEscrowInvalidFundingDeadline,
    JointVentureEscrowInvalidLongStop,
    JointVentureEscrowInvalidMilestoneCount,
    JointVentureEscrowInvalidName,
    JointVentureEscrowInvalidPartnerCount,
    JointVentureEscrowInvalidQuorum,
    JointVentureEscrowInvalidState,
    JointVentureEscrowLengthMismatch,
    JointVentureEscrowLongStopNotPassed,
    JointVentureEscrowMilestoneAlreadyReleased,
    JointVentureEscrowMilestonesExceedTotal,
    JointVentureEscrowNoSurplus,
    JointVentureEscrowNotBeneficiary,
    JointVentureEscrowNothingToRefund,
    JointVentureEscrowNothingToRelease,
    JointVentureEscrowNothingToWithdraw,
    JointVentureEscrowNotMember,
    JointVentureEscrowNotPartner,
    JointVentureEscrowNotVoted,
    JointVentureEscrowOnlyConsortium,
    JointVentureEscrowQuorumNotReached,
    JointVentureEscrowTotalTooLarge,
    JointVentureEscrowUnknownMilestone,
    JointVentureEscrowUnknownVenture,
    JointVentureEscrowWrongValue,
    JointVentureEscrowZeroBeneficiary,
    JointVentureEscrowZeroContribution,
    JointVentureEscrowZeroDeposit,
    JointVentureEscrowZeroMilestone,
    JointVentureEscrowZeroPartner,
    JointVentureEscrowZeroRecipient,
    MilestoneApprovedEvent,
    MilestoneReleasableEvent,
    MilestoneReleasedEvent,
    MilestoneSetEvent,
    MilestoneState,
    RefundedEvent,
    ReserveReleasedEvent,
    State,
    VentureActivatedEvent,
    VentureCancelledEvent,
    VentureCompletedEvent,
    VentureCreatedEvent,
    VentureTerms,
    WithdrawnEvent,
)
from coopetition.exceptions import CoopetitionError

ETH = "0x" + "00" * 20
DAY = 86400
MAX_FUNDING_PERIOD = 365 * DAY
MAX_LONG_STOP = 5 * 365 * DAY
U112 = 2**112 - 1


def votes(esc: JointVentureEscrow, vid: int) -> tuple[int, int]:
    """(votes needed to dissolve, votes standing) of venture ``vid``."""
    result = esc.dissolution_votes(vid)
    return result.needed, result.standing


def refund_shares(contributions: list[int] | tuple[int, ...], released: int) -> tuple[int, ...]:
    """The cumulative-floor rule, written independently of the contract: part k of ``released`` is
    floor(R*C_k/T) - floor(R*C_(k-1)/T)."""
    total, before, out = sum(contributions), 0, []
    for owed in contributions:
        out.append(released * (before + owed) // total - released * before // total)
        before += owed
    return tuple(out)


OUTSIDER = 9  # a dev account that is not a consortium member


@pytest.fixture(scope="module")
def world() -> Iterator[EscrowWorld]:
    # members 0..5; dev account 9 is funded but not a member
    yield EscrowWorld.start(6)


def fresh_address() -> str:
    return str(Account.create().address)


def outsider_escrow(world: EscrowWorld) -> JointVentureEscrow:
    return JointVentureEscrow(world.w3, world.escrow_address, world.env.pipeline(OUTSIDER))


def active_venture(world: EscrowWorld, contributions: tuple[int, ...] = (ETHER, 2 * ETHER, 3 * ETHER),
                   milestones: tuple[int, ...] = (ETHER, 2 * ETHER, 2 * ETHER), quorum: int = 2,
                   beneficiary: int = 5, dissolution_quorum: int | None = None) -> int:
    partners = list(range(len(contributions)))
    vid = world.create(world.terms(partners, contributions, milestones, quorum=quorum,
                                   beneficiary=world.address(beneficiary), dissolution_quorum=dissolution_quorum))
    world.fund(vid)
    return vid


# ------------------------------------------------------------------------------------ deploy


def test_constructor_refuses_a_consortium_without_code(world: EscrowWorld) -> None:
    for address in (ETH, world.address(0)):
        with pytest.raises(JointVentureEscrowInvalidConsortium) as err:
            world.env.deploy("JointVentureEscrow", [address])
        assert err.value.consortium == address


def test_constants_and_consortium_are_readable(world: EscrowWorld) -> None:
    esc = world.escrow(None)
    assert esc.consortium() == world.consortium_address
    assert (esc.max_partners(), esc.max_milestones(), esc.max_name_length()) == (100, 100, 64)
    assert (esc.max_funding_period(), esc.max_long_stop()) == (MAX_FUNDING_PERIOD, MAX_LONG_STOP)


def test_plain_ether_sent_to_the_escrow_is_refused(world: EscrowWorld) -> None:
    before = world.env.balance(world.escrow_address)
    with pytest.raises(TransactionFailed):  # no receive(): a plain transfer reverts
        world.env.send_ether(0, world.escrow_address, 1)
    assert world.env.balance(world.escrow_address) == before


# ------------------------------------------------------------------------------------ create


def test_create_records_terms_partners_and_milestones(world: EscrowWorld) -> None:
    esc = world.escrow(1)
    before = esc.venture_count()
    terms = world.terms([0, 1, 2], [ETHER, 2 * ETHER, 3 * ETHER], [ETHER, 4 * ETHER], quorum=2, name="Battery JV")
    tx = esc.create_venture(terms)
    created = VentureCreatedEvent.from_result(tx)[0]
    vid = created.venture_id
    assert vid == before + 1 == esc.venture_count()
    assert (created.creator, created.total, created.quorum, created.name) == (world.address(1), 6 * ETHER, 2, "Battery JV")
    assert (created.long_stop, created.dissolution_quorum) == (terms.long_stop, 2)  # 3 - 2 + 1
    assert [(e.partner, e.index, e.amount) for e in ContributionSetEvent.from_result(tx)] == [
        (world.address(0), 0, ETHER), (world.address(1), 1, 2 * ETHER), (world.address(2), 2, 3 * ETHER)]
    assert [(e.index, e.amount) for e in MilestoneSetEvent.from_result(tx)] == [(0, ETHER), (1, 4 * ETHER)]
    v = esc.venture(vid)
    assert (v.asset, v.beneficiary, v.creator, v.state) == (ETH, terms.beneficiary, world.address(1), State.FUNDING)
    assert (v.partner_count, v.quorum, v.milestone_count, v.total, v.milestone_total) == (3, 2, 2, 6 * ETHER, 5 * ETHER)
    assert (v.funding_deadline, v.long_stop, v.dissolution_quorum) == (terms.funding_deadline, terms.long_stop, 2)
    assert (v.reserve, v.dissolution_votes, v.withdrawn, v.withdrawable) == (6 * ETHER, 0, 0, 0)
    assert votes(esc, vid) == (2, 0)
    assert esc.venture_name(vid) == "Battery JV"
    assert esc.partners(vid) == terms.partners
    p2 = esc.partner(vid, world.address(2))
    assert (p2.owed, p2.paid, p2.owed_before, p2.index, p2.refunded, p2.voted_dissolution) == (
        3 * ETHER, 0, 3 * ETHER, 2, False, False)
    assert esc.partner(vid, world.address(4)).owed == 0
    m1 = esc.milestone(vid, 1)
    assert (m1.amount, m1.approvals, m1.state) == (4 * ETHER, 0, MilestoneState.PENDING)
    assert esc.venture_state(vid) == State.FUNDING
    assert esc.held_for(vid) == 0 and esc.venture(vid).withdrawable == 0


def test_create_fails_when_caller_is_not_a_member(world: EscrowWorld) -> None:
    with pytest.raises(JointVentureEscrowNotMember) as err:
        outsider_escrow(world).create_venture(world.terms([0, 1], [1, 1], [1]))
    assert err.value.account == world.env.address(OUTSIDER)


def test_create_fails_when_a_partner_is_not_a_member(world: EscrowWorld) -> None:
    stranger = world.env.address(OUTSIDER)
    with pytest.raises(JointVentureEscrowNotMember) as err:
        world.escrow(0).create_venture(world.terms([0, stranger], [1, 1], [1]))
    assert err.value.account == stranger


@pytest.mark.parametrize(
    ("change", "error", "args"),
    [
        ({"beneficiary": ETH}, JointVentureEscrowZeroBeneficiary, ()),
        ({"partners": ("P0", ETH)}, JointVentureEscrowZeroPartner, (1,)),
        ({"asset": "P1"}, JointVentureEscrowAssetNotContract, ("P1",)),
        ({"contributions": (1,)}, JointVentureEscrowLengthMismatch, (2, 1)),
        ({"partners": (), "contributions": ()}, JointVentureEscrowInvalidPartnerCount, (0, 100)),
        ({"contributions": (1, 0)}, JointVentureEscrowZeroContribution, ("P1",)),
        ({"milestones": ()}, JointVentureEscrowInvalidMilestoneCount, (0, 100)),
        ({"milestones": (1,) * 101, "contributions": (100, 100)}, JointVentureEscrowInvalidMilestoneCount, (101, 100)),
        ({"milestones": (1, 0)}, JointVentureEscrowZeroMilestone, (1,)),
        ({"milestones": (2, 1)}, JointVentureEscrowMilestonesExceedTotal, (3, 2)),
        ({"quorum": 0}, JointVentureEscrowInvalidQuorum, (0, 2)),
        ({"quorum": 3}, JointVentureEscrowInvalidQuorum, (3, 2)),
        ({"dissolution_quorum": 0}, JointVentureEscrowInvalidDissolutionQuorum, (0, 2)),
        ({"quorum": 2, "dissolution_quorum": 2}, JointVentureEscrowInvalidDissolutionQuorum, (2, 1)),  # 2-of-2
        ({"funding_deadline": 0}, JointVentureEscrowInvalidFundingDeadline, None),
        ({"long_stop": 0}, JointVentureEscrowInvalidLongStop, None),
        ({"name": "x" * 65}, JointVentureEscrowInvalidName, (65, 64)),
        ({"contributions": (2**112, 1)}, JointVentureEscrowTotalTooLarge, (2**112, U112)),
        ({"contributions": (U112, 1), "milestones": (1,)}, JointVentureEscrowTotalTooLarge, (2**112, U112)),
    ],
)
def test_create_refuses_invalid_terms(world: EscrowWorld, change: dict[str, object],
                                      error: type[CoopetitionError], args: tuple[object, ...] | None) -> None:
    base = world.terms([0, 1], [1, 1], [1], quorum=1)
    named = {"P0": world.address(0), "P1": world.address(1)}
    if "partners" in change:
        change = {**change, "partners": tuple(named.get(str(p), p) for p in change["partners"])}  # type: ignore[attr-defined]
    if "asset" in change:
        change = {**change, "asset": named[str(change["asset"])]}
    fields = {**base.__dict__, **change}
    with pytest.raises(error) as err:
        world.escrow(0).create_venture(VentureTerms(**fields))  # type: ignore[arg-type]
    if args is not None:
        expected = tuple(named.get(a, a) if isinstance(a, str) else a for a in args)
        assert err.value.args_values == expected  # type: ignore[attr-defined]


def test_create_fails_when_a_partner_is_listed_twice(world: EscrowWorld) -> None:
    with pytest.raises(JointVentureEscrowDuplicatePartner) as err:
        world.escrow(0).create_venture(world.terms([0, 1, 0], [1, 1, 1], [1]))
    assert err.value.partner == world.address(0)


def test_create_refuses_too_many_partners(world: EscrowWorld) -> None:
    partners = tuple(fresh_address() for _ in range(101))
    terms = world.terms([0], [1], [1], quorum=1)
    with pytest.raises(JointVentureEscrowInvalidPartnerCount) as err:
        world.escrow(0).create_venture(VentureTerms(**{**terms.__dict__, "partners": partners,
                                                       "contributions": (1,) * 101}))
    assert (err.value.count, err.value.max) == (101, 100)


def test_create_bounds_the_funding_deadline_and_the_long_stop(world: EscrowWorld) -> None:
    terms = world.terms([0], [1], [1], quorum=1)
    now = world.env.now()  # the next block is mined at least one second later

    def create(**change: int) -> None:
        world.escrow(0).create_venture(VentureTerms(**{**terms.__dict__, **change}))

    with pytest.raises(JointVentureEscrowInvalidFundingDeadline) as err:
        create(funding_deadline=now)
    assert err.value.deadline == now and err.value.latest == err.value.timestamp + MAX_FUNDING_PERIOD
    with pytest.raises(JointVentureEscrowInvalidFundingDeadline) as err:
        create(funding_deadline=now + 10 * MAX_FUNDING_PERIOD, long_stop=now + 10 * MAX_FUNDING_PERIOD + 1)
    with pytest.raises(JointVentureEscrowInvalidLongStop) as err2:
        create(long_stop=terms.funding_deadline)  # must come after the funding deadline
    assert (err2.value.long_stop, err2.value.funding_deadline) == (terms.funding_deadline, terms.funding_deadline)
    with pytest.raises(JointVentureEscrowInvalidLongStop) as err2:
        create(long_stop=now + 49 * 365 * DAY)  # issue 11: money locked 49 years
    assert now <= err2.value.latest - MAX_LONG_STOP <= now + 3600
    create(funding_deadline=now + MAX_FUNDING_PERIOD - 5, long_stop=now + MAX_LONG_STOP - 5)  # the bounds hold


def test_unknown_venture_ids_are_refused_everywhere(world: EscrowWorld) -> None:
    esc = world.escrow(0)
    missing = esc.venture_count() + 1
    for call in (lambda: esc.venture(0), lambda: esc.venture(missing), lambda: esc.deposit(missing, 1, value=1),
                 lambda: esc.partners(missing), lambda: esc.refund(missing, world.address(0)),
                 lambda: esc.approve_milestone(missing, 0), lambda: esc.venture_name(missing),
                 lambda: esc.venture_state(missing), lambda: esc.cancel_expired(missing),
                 lambda: esc.release_milestone(missing, 0), lambda: esc.withdraw(missing, world.address(0)),
                 lambda: esc.push_withdrawal(missing), lambda: esc.push_refund(missing, world.address(0)),
                 lambda: esc.vote_dissolution(missing), lambda: esc.withdraw_vote(missing),
                 lambda: esc.cancel_after_long_stop(missing), lambda: esc.release_reserve(missing),
                 lambda: esc.held_for(missing), lambda: esc.dissolution_votes(missing)):
        with pytest.raises(JointVentureEscrowUnknownVenture):
            call()


# ----------------------------------------------------------------------------------- deposit


def test_deposits_in_several_payments_activate_the_venture_when_complete(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1], [3 * ETHER, ETHER], [4 * ETHER], quorum=1))
    esc0, esc1 = world.escrow(0), world.escrow(1)
    tx = esc0.deposit(vid, ETHER, value=ETHER)
    ev = DepositedEvent.from_result(tx)[0]
    assert (ev.partner, ev.amount, ev.paid) == (world.address(0), ETHER, ETHER)
    esc0.deposit(vid, 2 * ETHER, value=2 * ETHER)
    assert esc0.venture(vid).state == State.FUNDING
    assert esc0.venture(vid).funded_partners == 1
    tx = esc1.deposit(vid, ETHER, value=ETHER)
    assert VentureActivatedEvent.from_result(tx)[0].venture_id == vid
    v = esc0.venture(vid)
    assert (v.state, v.funded_partners) == (State.ACTIVE, 2)
    assert esc0.held_for(vid) == 4 * ETHER


def test_deposit_refuses_more_than_owed(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER]))
    world.escrow(0).deposit(vid, ETHER // 2, value=ETHER // 2)
    with pytest.raises(JointVentureEscrowDepositExceedsOwed) as err:
        world.escrow(0).deposit(vid, ETHER, value=ETHER)
    assert (err.value.partner, err.value.amount, err.value.remaining) == (world.address(0), ETHER, ETHER // 2)


def test_deposit_refuses_zero_wrong_value_and_non_partners(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER]))
    with pytest.raises(JointVentureEscrowZeroDeposit):
        world.escrow(0).deposit(vid, 0)
    with pytest.raises(JointVentureEscrowWrongValue) as err:
        world.escrow(0).deposit(vid, ETHER, value=ETHER - 1)
    assert (err.value.value, err.value.amount) == (ETHER - 1, ETHER)
    with pytest.raises(JointVentureEscrowNotPartner) as err2:
        world.escrow(3).deposit(vid, ETHER, value=ETHER)
    assert err2.value.account == world.address(3)


def test_deposit_refuses_ether_for_a_token_venture(world: EscrowWorld) -> None:
    token = world.deploy_test("MockERC20", ["USD Coin", "USDC", 6])
    vid = world.create(world.terms([0, 1], [100, 100], [100], asset=token))
    with pytest.raises(JointVentureEscrowWrongValue):
        world.escrow(0).deposit(vid, 100, value=100)


def test_deposit_fails_once_active_or_after_the_deadline(world: EscrowWorld) -> None:
    vid = active_venture(world)
    with pytest.raises(JointVentureEscrowInvalidState) as err:
        world.escrow(0).deposit(vid, 1, value=1)
    assert err.value.state == State.ACTIVE
    late = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER], deadline_in=100))
    world.env.time_travel(101)
    with pytest.raises(JointVentureEscrowInvalidState) as err:
        world.escrow(0).deposit(late, 1, value=1)
    assert err.value.state == State.CANCELLED


# ----------------------------------------------------------------------------- cancellation


def test_cancel_expired_needs_the_deadline_to_have_passed(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER], deadline_in=1000))
    with pytest.raises(JointVentureEscrowDeadlineNotPassed) as err:
        world.escrow(4).cancel_expired(vid)
    assert err.value.deadline == world.escrow(None).venture(vid).funding_deadline
    world.env.time_travel(1000)
    assert world.escrow(None).venture_state(vid) == State.CANCELLED
    assert world.escrow(None).venture(vid).state == State.FUNDING  # not written down yet
    tx = world.escrow(4).cancel_expired(vid)  # anyone may
    assert VentureCancelledEvent.from_result(tx)[0].reason == CancelReason.DEADLINE_MISSED
    assert world.escrow(None).venture(vid).state == State.CANCELLED
    with pytest.raises(JointVentureEscrowInvalidState):
        world.escrow(4).cancel_expired(vid)


def test_unfunded_venture_refunds_exactly_what_each_partner_paid(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1, 2], [ETHER, ETHER, ETHER], [ETHER], deadline_in=500))
    world.escrow(0).deposit(vid, 123_456_789, value=123_456_789)
    world.escrow(1).deposit(vid, ETHER, value=ETHER)
    world.env.time_travel(500)
    assert world.escrow(None).refundable(vid, world.address(0)) == 123_456_789
    to = fresh_address()
    tx = world.escrow(0).refund(vid, to)  # writes the cancellation on its way
    assert VentureCancelledEvent.from_result(tx)[0].reason == CancelReason.DEADLINE_MISSED
    assert RefundedEvent.from_result(tx)[0].amount == 123_456_789
    assert world.env.balance(to) == 123_456_789
    with pytest.raises(JointVentureEscrowNothingToRefund) as err:
        world.escrow(2).refund(vid, world.address(2))  # paid nothing
    assert err.value.partner == world.address(2)
    world.escrow(1).refund(vid, world.address(1))
    assert world.escrow(None).held_for(vid) == 0


def test_dissolution_vote_cancels_at_quorum_and_votes_count_once(world: EscrowWorld) -> None:
    vid = active_venture(world, quorum=2)
    tx = world.escrow(0).vote_dissolution(vid)
    assert DissolutionVotedEvent.from_result(tx)[0].votes == 1
    assert world.escrow(0).partner(vid, world.address(0)).voted_dissolution
    with pytest.raises(JointVentureEscrowAlreadyVoted):
        world.escrow(0).vote_dissolution(vid)
    with pytest.raises(JointVentureEscrowNotPartner):
        world.escrow(4).vote_dissolution(vid)
    tx = world.escrow(1).vote_dissolution(vid)
    assert VentureCancelledEvent.from_result(tx)[0].reason == CancelReason.DISSOLVED
    assert world.escrow(None).venture(vid).state == State.CANCELLED
    with pytest.raises(JointVentureEscrowInvalidState) as err:
        world.escrow(2).vote_dissolution(vid)
    assert err.value.state == State.CANCELLED


def test_dissolution_while_funding_refunds_deposits(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER], quorum=1, dissolution_quorum=1))
    world.escrow(0).deposit(vid, 7, value=7)
    world.escrow(1).vote_dissolution(vid)
    assert world.escrow(None).refundable(vid, world.address(0)) == 7
    with pytest.raises(JointVentureEscrowInvalidState):
        world.escrow(1).deposit(vid, 1, value=1)


# ------------------------------------------------------------------------------ milestones


def test_milestone_needs_quorum_then_releases_once_and_beneficiary_withdraws(world: EscrowWorld) -> None:
    vid = active_venture(world, quorum=2, beneficiary=5)
    esc = world.escrow(0)
    tx = esc.approve_milestone(vid, 1)
    assert MilestoneApprovedEvent.from_result(tx)[0].approvals == 1
    assert not MilestoneReleasableEvent.from_result(tx)
    with pytest.raises(JointVentureEscrowAlreadyApproved) as err:
        esc.approve_milestone(vid, 1)
    assert (err.value.index, err.value.partner) == (1, world.address(0))
    with pytest.raises(JointVentureEscrowQuorumNotReached) as err2:
        world.escrow(4).release_milestone(vid, 1)
    assert (err2.value.approvals, err2.value.quorum) == (1, 2)
    tx = world.escrow(2).approve_milestone(vid, 1)
    assert MilestoneReleasableEvent.from_result(tx)[0].index == 1
    assert world.escrow(None).milestone(vid, 1).state == MilestoneState.RELEASABLE
    assert world.escrow(None).has_approved(vid, 1, world.address(2))
    assert not world.escrow(None).has_approved(vid, 1, world.address(1))
    tx = world.escrow(4).release_milestone(vid, 1)  # anyone may release
    released = MilestoneReleasedEvent.from_result(tx)[0]
    assert (released.amount, released.beneficiary) == (2 * ETHER, world.address(5))
    with pytest.raises(JointVentureEscrowMilestoneAlreadyReleased):
        world.escrow(4).release_milestone(vid, 1)
    with pytest.raises(JointVentureEscrowMilestoneAlreadyReleased):
        world.escrow(1).approve_milestone(vid, 1)
    assert world.escrow(None).venture(vid).withdrawable == 2 * ETHER
    with pytest.raises(JointVentureEscrowNotBeneficiary) as err3:
        world.escrow(0).withdraw(vid, world.address(0))
    assert err3.value.beneficiary == world.address(5)
    to = fresh_address()
    tx = world.escrow(5).withdraw(vid, to)
    assert WithdrawnEvent.from_result(tx)[0].amount == 2 * ETHER
    assert world.env.balance(to) == 2 * ETHER
    with pytest.raises(JointVentureEscrowNothingToWithdraw):
        world.escrow(5).withdraw(vid, to)
    with pytest.raises(JointVentureEscrowZeroRecipient):
        world.escrow(5).withdraw(vid, ETH)


def test_milestone_actions_need_an_active_venture_a_partner_and_a_known_index(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER]))
    with pytest.raises(JointVentureEscrowInvalidState) as err:
        world.escrow(0).approve_milestone(vid, 0)
    assert err.value.state == State.FUNDING
    with pytest.raises(JointVentureEscrowInvalidState):
        world.escrow(0).release_milestone(vid, 0)
    world.fund(vid)
    with pytest.raises(JointVentureEscrowNotPartner):
        world.escrow(3).approve_milestone(vid, 0)
    with pytest.raises(JointVentureEscrowUnknownMilestone) as err2:
        world.escrow(0).approve_milestone(vid, 1)
    assert (err2.value.index, err2.value.count) == (1, 1)
    with pytest.raises(JointVentureEscrowUnknownMilestone):
        world.escrow(0).release_milestone(vid, 5)
    with pytest.raises(JointVentureEscrowUnknownMilestone):
        world.escrow(None).milestone(vid, 1)
    with pytest.raises(JointVentureEscrowUnknownMilestone):
        world.escrow(None).has_approved(vid, 1, world.address(0))


def test_releasing_the_last_milestone_completes_and_refunds_the_unallocated_rest(world: EscrowWorld) -> None:
    # T = 31 wei, milestones 4 + 6 = 10: the 21 wei not allocated go back by the remainder rule
    vid = active_venture(world, contributions=(7, 11, 13), milestones=(4, 6), quorum=1)
    for i in (0, 1):
        world.escrow(0).approve_milestone(vid, i)
    world.escrow(0).release_milestone(vid, 0)
    tx = world.escrow(0).release_milestone(vid, 1)
    assert VentureCompletedEvent.from_result(tx)[0].venture_id == vid
    assert world.escrow(None).venture(vid).state == State.COMPLETED
    with pytest.raises(JointVentureEscrowInvalidState):
        world.escrow(0).vote_dissolution(vid)
    # parts of R=10: floor(10*7/31)=2, floor(10*18/31)-2=3, floor(10*31/31)-5=5 -> refunds 5, 8, 8
    assert refund_shares([7, 11, 13], 10) == (2, 3, 5)
    got = []
    for i in range(3):
        to = fresh_address()
        world.escrow(i).refund(vid, to)
        got.append(world.env.balance(to))
    assert got == [5, 8, 8] and sum(got) == 31 - 10
    world.escrow(5).withdraw(vid, world.address(5))
    assert world.escrow(None).held_for(vid) == 0


def test_completed_venture_that_used_everything_has_nothing_to_refund(world: EscrowWorld) -> None:
    vid = active_venture(world, contributions=(5, 5), milestones=(10,), quorum=1)
    world.escrow(1).approve_milestone(vid, 0)
    world.escrow(1).release_milestone(vid, 0)
    assert world.escrow(None).refundable(vid, world.address(0)) == 0
    with pytest.raises(JointVentureEscrowNothingToRefund):
        world.escrow(0).refund(vid, world.address(0))


# -------------------------------------------------------------------------------- refunds


def test_refund_needs_a_cancelled_or_completed_venture(world: EscrowWorld) -> None:
    vid = active_venture(world)
    with pytest.raises(JointVentureEscrowInvalidState) as err:
        world.escrow(0).refund(vid, world.address(0))
    assert err.value.state == State.ACTIVE
    assert world.escrow(None).refundable(vid, world.address(0)) == 0


@pytest.mark.parametrize(
    ("contributions", "milestones", "released_count"),
    [
        ((ETHER, 2 * ETHER, 3 * ETHER), (ETHER, 2 * ETHER, 2 * ETHER), 1),  # R = 1 ether: 1/6 ether parts
        ((1, 1, 1), (1, 1), 1),  # R = 1 wei among three: parts 0, 0, 1
        ((1, 1, 1), (1, 1, 1), 2),  # R = 2 wei: parts 0, 1, 1
        ((10**18 + 1, 3, 10**6 + 7), (999_999_999_999, 5, 1), 2),
        ((2**111 - 1, 2**111 - 3), (2**110 + 11, 2**109 - 1), 1),  # near the 2**112 limit
    ],
)
def test_dissolution_refunds_follow_the_remainder_rule_to_the_wei(
    world: EscrowWorld, contributions: tuple[int, ...], milestones: tuple[int, ...], released_count: int
) -> None:
    big = sum(contributions) > 10**24  # more than the dev accounts' ether: use a 0-decimals token
    if big:
        token = world.deploy_test("MockERC20", ["Big", "BIG", 0])
        for i in range(len(contributions)):
            world.token(token, i).mint(world.address(i), contributions[i])
        vid = world.create(world.terms(list(range(len(contributions))), list(contributions), list(milestones),
                                       quorum=1, dissolution_quorum=1, asset=token))
    else:
        vid = world.create(world.terms(list(range(len(contributions))), list(contributions), list(milestones),
                                       quorum=1, dissolution_quorum=1))
    world.fund(vid)
    for i in range(released_count):
        world.escrow(0).approve_milestone(vid, i)
        world.escrow(0).release_milestone(vid, i)
    released = sum(milestones[:released_count])
    world.escrow(0).vote_dissolution(vid)
    parts = refund_shares(contributions, released)
    assert sum(parts) == released
    for k, owed in enumerate(contributions):
        exact = Fraction(released * owed, sum(contributions))
        assert abs(parts[k] - exact) < 1  # each part is the pro-rata share rounded down or up
    got = []
    for k in reversed(range(len(contributions))):  # claim order does not matter
        to = fresh_address()
        assert world.escrow(None).refundable(vid, world.address(k)) == contributions[k] - parts[k]
        if contributions[k] == parts[k]:  # its whole contribution went to the beneficiary
            with pytest.raises(JointVentureEscrowNothingToRefund):
                world.escrow(k).refund(vid, to)
        else:
            world.escrow(k).refund(vid, to)
        got.append(world.token(token).balance_of(to) if big else world.env.balance(to))
    got.reverse()
    assert got == [c - p for c, p in zip(contributions, parts, strict=True)]
    assert sum(got) == sum(contributions) - released
    assert world.escrow(None).held_for(vid) == world.escrow(None).venture(vid).withdrawable == released
    with pytest.raises(JointVentureEscrowAlreadyRefunded):
        world.escrow(0).refund(vid, world.address(0))
    with pytest.raises(JointVentureEscrowNotPartner):
        world.escrow(4).refund(vid, world.address(4))
    with pytest.raises(JointVentureEscrowZeroRecipient):
        world.escrow(1).refund(vid, ETH)


def test_beneficiary_keeps_released_money_after_a_dissolution(world: EscrowWorld) -> None:
    vid = active_venture(world, quorum=1, beneficiary=5, dissolution_quorum=1)
    world.escrow(0).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)
    world.escrow(1).approve_milestone(vid, 1)  # releasable, but not released before the dissolution
    world.escrow(2).vote_dissolution(vid)
    with pytest.raises(JointVentureEscrowInvalidState):
        world.escrow(0).release_milestone(vid, 1)
    assert world.escrow(None).venture(vid).withdrawable == ETHER
    world.escrow(5).withdraw(vid, world.address(5))
    for i in range(3):
        world.escrow(i).refund(vid, world.address(i))
    assert world.escrow(None).held_for(vid) == 0


# ------------------------------------------------------------------------------ governance


def test_sweep_surplus_is_for_the_consortium_only_and_needs_a_surplus(world: EscrowWorld) -> None:
    with pytest.raises(JointVentureEscrowOnlyConsortium) as err:
        world.escrow(0).sweep_surplus(ETH, world.address(0))
    assert err.value.caller == world.address(0)
    # through a proposal (quorum 1): no surplus yet
    gov = Gov(world.env, world.consortium_address)
    data = JointVentureEscrow.encode_sweep_surplus(ETH, world.address(0))
    pid = gov.propose(0, data, target=world.escrow_address, description="sweep")
    with pytest.raises(JointVentureEscrowNoSurplus) as err2:
        gov.execute(pid)
    assert err2.value.balance <= err2.value.reserved == world.escrow(None).reserved(ETH)
    data = JointVentureEscrow.encode_sweep_surplus(ETH, ETH)
    pid = gov.propose(0, data, target=world.escrow_address, description="sweep to zero")
    with pytest.raises(JointVentureEscrowZeroRecipient):
        gov.execute(pid)


def test_a_venture_reserves_its_total_until_its_reserve_is_released(world: EscrowWorld) -> None:
    esc = world.escrow(None)
    reserved_before = esc.reserved(ETH)
    vid = active_venture(world, quorum=1, dissolution_quorum=1)  # 6 ether, milestones 1 + 2 + 2
    assert esc.reserved(ETH) == reserved_before + 6 * ETHER
    assert esc.reserved(fresh_address()) == 0
    with pytest.raises(JointVentureEscrowNothingToRelease) as err:  # Active: owes everything not withdrawn
        world.escrow(4).release_reserve(vid)
    assert err.value.reserve == 6 * ETHER
    world.escrow(0).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)
    world.escrow(5).withdraw(vid, world.address(5))
    tx = world.escrow(4).release_reserve(vid)  # anyone may: the withdrawn ether is owed to nobody
    ev = ReserveReleasedEvent.from_result(tx)[0]
    assert (ev.venture_id, ev.asset, ev.amount, ev.reserve) == (vid, ETH, ETHER, 5 * ETHER)
    assert esc.reserved(ETH) == reserved_before + 5 * ETHER == reserved_before + esc.held_for(vid)
    world.escrow(1).vote_dissolution(vid)
    world.escrow(1).refund(vid, world.address(1))  # 2 ether - floor(1 ether * 3/6) + floor(1 ether * 1/6)
    world.escrow(4).release_reserve(vid)
    assert esc.venture(vid).reserve == esc.held_for(vid) == 5 * ETHER - (2 * ETHER - ETHER // 3 - 1)
    for i in (0, 2):
        world.escrow(4).push_refund(vid, world.address(i))
    world.escrow(4).release_reserve(vid)
    assert esc.venture(vid).reserve == esc.held_for(vid) == 0
    assert esc.reserved(ETH) == reserved_before
    with pytest.raises(JointVentureEscrowNothingToRelease):
        world.escrow(4).release_reserve(vid)
    funding = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER]))
    with pytest.raises(JointVentureEscrowInvalidState) as err2:  # a funding venture may still receive its total
        world.escrow(4).release_reserve(funding)
    assert err2.value.state == State.FUNDING


# --------------------------------------------------------------------------------- the exits


def test_either_partner_of_a_two_of_two_can_dissolve_alone(world: EscrowWorld) -> None:
    for leaver in (0, 1):
        vid = active_venture(world, contributions=(ETHER, ETHER), milestones=(ETHER,), quorum=2)
        assert votes(world.escrow(None), vid) == (1, 0)  # 2 - 2 + 1
        tx = world.escrow(leaver).vote_dissolution(vid)
        assert VentureCancelledEvent.from_result(tx)[0].reason == CancelReason.DISSOLVED
        for i in (0, 1):
            world.escrow(i).refund(vid, world.address(i))
        assert world.escrow(None).held_for(vid) == 0


def test_a_dissolution_vote_can_be_withdrawn_and_cast_again(world: EscrowWorld) -> None:
    vid = active_venture(world, quorum=1)  # dissolution quorum 3 - 1 + 1 = 3
    esc0 = world.escrow(0)
    with pytest.raises(JointVentureEscrowNotVoted) as err:
        esc0.withdraw_vote(vid)
    assert err.value.partner == world.address(0)
    esc0.vote_dissolution(vid)
    world.escrow(1).vote_dissolution(vid)
    tx = esc0.withdraw_vote(vid)
    ev = DissolutionVoteWithdrawnEvent.from_result(tx)[0]
    assert (ev.partner, ev.votes) == (world.address(0), 1)
    assert not world.escrow(None).partner(vid, world.address(0)).voted_dissolution
    assert votes(world.escrow(None), vid) == (3, 1)
    with pytest.raises(JointVentureEscrowNotVoted):
        esc0.withdraw_vote(vid)
    with pytest.raises(JointVentureEscrowNotPartner):
        world.escrow(4).withdraw_vote(vid)
    world.escrow(2).vote_dissolution(vid)
    assert world.escrow(None).venture_state(vid) == State.ACTIVE  # 2 of 3
    tx = esc0.vote_dissolution(vid)  # a vote cast again counts again
    assert VentureCancelledEvent.from_result(tx)[0].reason == CancelReason.DISSOLVED
    with pytest.raises(JointVentureEscrowInvalidState):
        world.escrow(1).withdraw_vote(vid)


def test_votes_cast_while_funding_are_cleared_at_activation(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1, 2], [ETHER, ETHER, ETHER], [ETHER], quorum=1, dissolution_quorum=2))
    world.escrow(0).vote_dissolution(vid)
    assert votes(world.escrow(None), vid) == (2, 1)
    world.fund(vid)
    assert votes(world.escrow(None), vid) == (2, 0)
    assert not world.escrow(None).partner(vid, world.address(0)).voted_dissolution
    with pytest.raises(JointVentureEscrowNotVoted):  # the old vote is gone, not withdrawable
        world.escrow(0).withdraw_vote(vid)
    world.escrow(1).vote_dissolution(vid)
    assert world.escrow(None).venture_state(vid) == State.ACTIVE
    tx = world.escrow(0).vote_dissolution(vid)  # a fresh vote of the new round
    assert VentureCancelledEvent.from_result(tx)[0].reason == CancelReason.DISSOLVED


def test_any_partner_may_cancel_after_the_long_stop_date(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1], [ETHER, 3 * ETHER], [2 * ETHER, ETHER], quorum=2,
                                   deadline_in=100, long_stop_in=1000))
    with pytest.raises(JointVentureEscrowInvalidState) as err:
        world.escrow(0).cancel_after_long_stop(vid)
    assert err.value.state == State.FUNDING
    world.fund(vid)
    for i in (0, 1):
        world.escrow(i).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)
    with pytest.raises(JointVentureEscrowLongStopNotPassed) as err2:
        world.escrow(1).cancel_after_long_stop(vid)
    assert err2.value.long_stop == world.escrow(None).venture(vid).long_stop
    world.env.time_travel(1100)
    assert world.escrow(None).venture_state(vid) == State.ACTIVE  # it does not end by itself
    with pytest.raises(JointVentureEscrowNotPartner):
        world.escrow(4).cancel_after_long_stop(vid)
    tx = world.escrow(1).cancel_after_long_stop(vid)
    assert VentureCancelledEvent.from_result(tx)[0].reason == CancelReason.LONG_STOP_PASSED
    with pytest.raises(JointVentureEscrowInvalidState):
        world.escrow(0).cancel_after_long_stop(vid)
    parts = refund_shares([ETHER, 3 * ETHER], 2 * ETHER)
    for i, owed in enumerate((ETHER, 3 * ETHER)):
        to = fresh_address()
        world.escrow(i).refund(vid, to)
        assert world.env.balance(to) == owed - parts[i]
    assert world.escrow(None).held_for(vid) == world.escrow(None).venture(vid).withdrawable == 2 * ETHER


# ------------------------------------------------------------------------------ push payouts


def test_anyone_may_push_a_payout_to_its_recorded_owner(world: EscrowWorld) -> None:
    vid = active_venture(world, quorum=1, beneficiary=5)
    world.escrow(0).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)
    before = world.balance(5)
    tx = outsider_escrow(world).push_withdrawal(vid)
    ev = WithdrawnEvent.from_result(tx)[0]
    assert (ev.beneficiary, ev.to, ev.amount) == (world.address(5), world.address(5), ETHER)
    assert world.balance(5) - before == ETHER
    with pytest.raises(JointVentureEscrowNothingToWithdraw):
        outsider_escrow(world).push_withdrawal(vid)
    with pytest.raises(JointVentureEscrowInvalidState):  # refunds only once the venture ended
        outsider_escrow(world).push_refund(vid, world.address(0))
    world.escrow(0).vote_dissolution(vid)
    world.escrow(1).vote_dissolution(vid)
    world.escrow(2).vote_dissolution(vid)
    before = world.balance(2)
    tx = outsider_escrow(world).push_refund(vid, world.address(2))
    ev2 = RefundedEvent.from_result(tx)[0]
    assert (ev2.partner, ev2.to) == (world.address(2), world.address(2))
    assert world.balance(2) - before == ev2.amount == 3 * ETHER - ETHER // 2
    with pytest.raises(JointVentureEscrowAlreadyRefunded):
        outsider_escrow(world).push_refund(vid, world.address(2))
    with pytest.raises(JointVentureEscrowNotPartner):
        outsider_escrow(world).push_refund(vid, world.address(4))
    world.escrow(0).refund(vid, world.address(0))  # pull with `to` still works beside push
    world.escrow(1).refund(vid, world.address(1))
    assert world.escrow(None).held_for(vid) == 0


def test_a_payout_to_an_address_that_cannot_receive_fails_and_changes_nothing(world: EscrowWorld) -> None:
    token = world.deploy_test("MockERC20", ["No receive", "NR", 18])  # a contract without receive()
    vid = active_venture(world, quorum=1, beneficiary=5)
    world.escrow(0).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)
    with pytest.raises(FailedCall):
        world.escrow(5).withdraw(vid, token)
    assert world.escrow(None).venture(vid).withdrawable == ETHER
    world.escrow(5).withdraw(vid, world.address(5))


def test_every_custom_error_of_the_escrow_is_exercised_by_a_test() -> None:
    """A guard for this file and the attack tests (the ventures' and the sealed rounds'): each error in
    the ABI is named in one of them."""
    from pathlib import Path

    from coopetition.bindings.joint_venture_escrow import ABI

    here = Path(__file__).resolve().parent
    files = ("test_escrow_contract.py", "test_escrow_attacks.py", "test_rounds_contract.py", "test_rounds_attacks.py")
    text = "".join((here / name).read_text() for name in files if (here / name).exists())
    # Address.sendValue's InsufficientBalance cannot happen: every payout is backed by the reserve
    # books (the stateful test checks balance >= owed after every step).
    unreachable = {"InsufficientBalance"}
    names = {str(e["name"]) for e in ABI if e.get("type") == "error"} - unreachable
    missing = sorted(n for n in names if n not in text)
    assert not missing, f"custom errors without a test: {missing}"
