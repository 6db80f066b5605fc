"""The CostSharing contract (v2) on a real EVM (eth-tester), through the generated typed binding and the
real transaction pipeline: consent, the approval rule, expenses and evidence, disputes, settlement
periods, pro-rata collection, netting, closing, and every custom error."""

from __future__ import annotations

from dataclasses import astuple
from fractions import Fraction

import pytest
from _costs import (
    ACME,
    DAY,
    DEPLOYER,
    DURATION,
    ETHER,
    GLOBEX,
    HOUR,
    INITECH,
    OUTSIDER,
    PERIOD,
    SUPPLIER,
    UMBRELLA,
    WINDOW,
    ZERO,
    Costs,
    acceptance_typed_data,
    evidence,
)
from eth_abi import abi as eth_abi
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

from coopetition.bindings.cost_sharing import (
    ApprovalRecordedEvent,
    ClaimedEvent,
    CloseVotedEvent,
    CostSharing,
    CostSharingAcceptanceExpired,
    CostSharingAlreadyAccepted,
    CostSharingAlreadyVoted,
    CostSharingAmountTooLarge,
    CostSharingAssetNotContract,
    CostSharingClaimExceedsCollectable,
    CostSharingDisputeWindowClosed,
    CostSharingDuplicateParticipant,
    CostSharingEvidenceAlreadyBooked,
    CostSharingInvalidAcceptance,
    CostSharingInvalidApprovalBps,
    CostSharingInvalidConsortium,
    CostSharingInvalidParticipantCount,
    CostSharingInvalidPeriod,
    CostSharingInvalidQuorum,
    CostSharingInvalidText,
    CostSharingInvalidTiming,
    CostSharingLengthMismatch,
    CostSharingNotMember,
    CostSharingNotParticipant,
    CostSharingNotSubmitter,
    CostSharingOverpayment,
    CostSharingOwnClaim,
    CostSharingPeriodNotFinal,
    CostSharingPoolEnded,
    CostSharingPoolHasBookings,
    CostSharingSharesNotTotal,
    CostSharingTermsMismatch,
    CostSharingTooManyAcceptances,
    CostSharingUnknownExpense,
    CostSharingUnknownPool,
    CostSharingWrongExpenseStatus,
    CostSharingWrongPoolStatus,
    CostSharingWrongValue,
    CostSharingZeroAddress,
    CostSharingZeroAmount,
    CostSharingZeroEvidence,
    CostSharingZeroShare,
    ExpenseBookedEvent,
    ExpenseDisputedEvent,
    ExpenseRejectedEvent,
    ExpenseReversedEvent,
    ExpenseStatus,
    ExpenseSubmittedEvent,
    ExpenseWithdrawnEvent,
    PaidInEvent,
    ParticipantLeftEvent,
    PoolActivatedEvent,
    PoolClosedEvent,
    PoolDissolvedEvent,
    PoolProposedEvent,
    PoolStatus,
    RejectionRecordedEvent,
    SeatOfferedEvent,
    SignedAcceptance,
    TermsAcceptedEvent,
    VoteDiscardedEvent,
)

TERMS_TYPE = ("Terms(string name,address asset,address[] participants,uint16[] sharesBps,uint16 approvalBps,"
              "uint8 quorum,uint32 disputeWindow,uint32 settlementPeriod,uint32 duration)")


@pytest.fixture
def c() -> Costs:
    return Costs.start()


def owed(total: int, lower: int, share: int) -> int:
    """The cumulative-floor rule, written independently."""
    return total * (lower + share) // 10_000 - total * lower // 10_000


def terms_hash(t: object) -> bytes:
    """EIP-712 hashStruct(Terms), computed independently of the contract."""
    def packed(kind: str, values: tuple[object, ...]) -> bytes:
        return keccak(b"".join(eth_abi.encode([kind], [v]) for v in values))
    return keccak(eth_abi.encode(
        ["bytes32", "bytes32", "address", "bytes32", "bytes32", "uint16", "uint8", "uint32", "uint32", "uint32"],
        [keccak(text=TERMS_TYPE), keccak(text=t.name), t.asset, packed("address", t.participants),  # type: ignore[attr-defined]
         packed("uint16", t.shares_bps), t.approval_bps, t.quorum, t.dispute_window,  # type: ignore[attr-defined]
         t.settlement_period, t.duration],  # type: ignore[attr-defined]
    ))


# ------------------------------------------------------------------------------ construction


def test_constructor_binds_the_consortium_and_gives_the_deployer_no_role(c: Costs) -> None:
    view = c.view
    assert view.consortium() == c.consortium
    assert (view.total_shares(), view.max_participants(), view.max_text_length()) == (10_000, 50, 64)
    assert view.max_amount() == 2**96 - 1
    assert view.acceptance_typehash() == keccak(
        text="Acceptance(uint256 poolId,address participant,bytes32 termsHash,uint256 deadline)")
    assert view.pool_count() == 0 and view.expense_count() == 0
    with pytest.raises(CostSharingNotMember) as err:
        c.propose(c.terms(), by=DEPLOYER)
    assert err.value.account == c.addr(DEPLOYER)


def test_constructor_fails_when_the_consortium_is_not_a_contract(c: Costs) -> None:
    with pytest.raises(CostSharingInvalidConsortium) as err:
        c.env.deploy("CostSharing", [c.addr(OUTSIDER)])
    assert err.value.consortium == c.addr(OUTSIDER)


def test_eip712_domain_is_costsharing_version_2_bound_to_chain_and_contract(c: Costs) -> None:
    d = c.view.eip712_domain()
    assert (d.name, d.version, d.chain_id, d.verifying_contract) == ("CostSharing", "2", c.chain_id, c.address)


# ----------------------------------------------------------------------------------- consent


def test_create_pool_proposes_it_and_accepts_only_the_creators_seat(c: Costs) -> None:
    terms = c.terms(name="Battery R&D")
    tx = c.as_(ACME).create_pool(terms)
    (proposed,) = PoolProposedEvent.from_result(tx)
    assert (proposed.pool_id, proposed.creator, proposed.asset, proposed.name) == (1, c.addr(ACME), ZERO, "Battery R&D")
    assert proposed.terms_hash == terms_hash(terms) == c.view.hash_terms(terms)
    assert [(s.participant, s.share_bps) for s in SeatOfferedEvent.from_result(tx)] == [
        (c.addr(ACME), 5000), (c.addr(GLOBEX), 3000), (c.addr(INITECH), 2000)]
    (accepted,) = TermsAcceptedEvent.from_result(tx)
    assert (accepted.participant, accepted.signed) == (c.addr(ACME), False)
    info = c.view.pool_info(1)
    assert (info.status, info.creator, info.asset, info.participant_count) == (PoolStatus.PROPOSED, c.addr(ACME), ZERO, 3)
    assert (info.approval_bps, info.quorum, info.dispute_window, info.settlement_period, info.duration) == (
        5000, 2, WINDOW, PERIOD, DURATION)
    assert (info.live_at, info.ends_at, info.accepted, info.booked) == (0, 0, 0b001, 0)
    assert c.view.participants_of(1) == (c.addr(ACME), c.addr(GLOBEX), c.addr(INITECH))
    seat = c.view.seat_of(1, c.addr(GLOBEX))
    assert (seat.seated, seat.index, seat.share, seat.lower, seat.accepted) == (True, 1, 3000, 5000, False)
    assert c.view.seat_of(1, c.addr(UMBRELLA)).seated is False


def test_a_proposed_pool_binds_nobody_until_every_participant_joined(c: Costs) -> None:
    pid = c.propose(c.terms())
    with pytest.raises(CostSharingWrongPoolStatus) as err:
        c.submit(pid, 100, c.addr(SUPPLIER))
    assert (err.value.pool_id, err.value.status) == (pid, PoolStatus.PROPOSED)
    with pytest.raises(CostSharingWrongPoolStatus):
        c.view.period_opens_at(pid, 0)
    c.join(pid, GLOBEX)
    assert c.view.pool_info(pid).status == PoolStatus.PROPOSED
    tx = c.as_(INITECH).join_pool(pid, c.view.pool_info(pid).terms_hash)
    (live,) = PoolActivatedEvent.from_result(tx)
    assert live.live_at == c.env.now() and live.ends_at == live.live_at + DURATION
    info = c.view.pool_info(pid)
    assert (info.status, info.live_at, info.ends_at, info.accepted) == (PoolStatus.LIVE, live.live_at, live.ends_at, 0b111)
    c.submit(pid, 100, c.addr(SUPPLIER))


def test_a_member_may_propose_a_pool_it_takes_no_part_in(c: Costs) -> None:
    pid = c.propose(c.terms(((GLOBEX, 6000), (INITECH, 4000))), by=UMBRELLA)
    assert c.view.pool_info(pid).accepted == 0
    c.join(pid, GLOBEX)
    c.join(pid, INITECH)
    assert c.view.pool_info(pid).status == PoolStatus.LIVE


def test_join_fails_with_other_terms_twice_for_outsiders_and_for_expelled_members(c: Costs) -> None:
    pid = c.propose(c.terms())
    with pytest.raises(CostSharingTermsMismatch) as err:
        c.as_(GLOBEX).join_pool(pid, b"\x11" * 32)
    assert (err.value.pool_id, err.value.expected, err.value.given) == (pid, c.view.pool_info(pid).terms_hash, b"\x11" * 32)
    with pytest.raises(CostSharingAlreadyAccepted):
        c.join(pid, ACME)
    with pytest.raises(CostSharingNotParticipant):
        c.join(pid, UMBRELLA)
    c.expel(INITECH)
    with pytest.raises(CostSharingNotMember) as gone:
        c.join(pid, INITECH)
    assert gone.value.account == c.addr(INITECH)
    with pytest.raises(CostSharingUnknownPool):
        c.as_(GLOBEX).join_pool(99, b"\x00" * 32)


def test_join_fails_once_the_pool_is_live(c: Costs) -> None:
    pid = c.pool()
    with pytest.raises(CostSharingWrongPoolStatus) as err:
        c.join(pid, GLOBEX)
    assert err.value.status == PoolStatus.LIVE


BAD_TERMS = [
    ({"shares": ((ACME, 10_000),)}, CostSharingInvalidParticipantCount, {"count": 1, "min": 2, "max": 50}),
    ({"approval_bps": 0}, CostSharingInvalidApprovalBps, {"approval_bps": 0}),
    ({"approval_bps": 10_000}, CostSharingInvalidApprovalBps, {"approval_bps": 10_000}),
    ({"quorum": 1}, CostSharingInvalidQuorum, {"quorum": 1, "participants": 3}),
    ({"quorum": 4}, CostSharingInvalidQuorum, {"quorum": 4, "participants": 3}),
    ({"window": HOUR - 1}, CostSharingInvalidTiming, {"which": 0, "value": HOUR - 1, "min": HOUR, "max": 90 * DAY}),
    ({"window": 90 * DAY + 1}, CostSharingInvalidTiming, {"which": 0, "value": 90 * DAY + 1}),
    ({"period": DAY - 1}, CostSharingInvalidTiming, {"which": 1, "value": DAY - 1, "min": DAY, "max": 366 * DAY}),
    ({"period": 367 * DAY, "duration": 400 * DAY}, CostSharingInvalidTiming, {"which": 1}),
    ({"duration": PERIOD - 1}, CostSharingInvalidTiming, {"which": 2, "value": PERIOD - 1, "min": PERIOD}),
    ({"duration": 3661 * DAY}, CostSharingInvalidTiming, {"which": 2, "max": 3660 * DAY}),
    ({"name": ""}, CostSharingInvalidText, {"length": 0, "min": 1, "max": 64}),
    ({"name": "n" * 65}, CostSharingInvalidText, {"length": 65}),
    ({"shares": ((ACME, 5000), (GLOBEX, 4000))}, CostSharingSharesNotTotal, {"total": 9000}),
    ({"shares": ((ACME, 6000), (GLOBEX, 5000))}, CostSharingSharesNotTotal, {"total": 11_000}),
    ({"shares": ((ACME, 10_000), (GLOBEX, 0))}, CostSharingZeroShare, {}),
    ({"shares": ((ACME, 5000), (ACME, 5000))}, CostSharingDuplicateParticipant, {}),
    ({"shares": ((ACME, 5000), (OUTSIDER, 5000))}, CostSharingNotMember, {}),
    ({"shares": ((ACME, 5000), (ZERO, 5000))}, CostSharingZeroAddress, {}),
]


@pytest.mark.parametrize(("change", "error", "fields"), BAD_TERMS)
def test_create_pool_refuses_bad_terms(c: Costs, change: dict[str, object], error: type, fields: dict[str, int]) -> None:
    with pytest.raises(error) as err:
        c.propose(c.terms(**change))  # type: ignore[arg-type]
    for name, value in fields.items():
        assert getattr(err.value, name) == value, name
    assert c.view.pool_count() == 0


def test_create_pool_refuses_too_many_participants_mismatched_lengths_and_a_non_contract_asset(c: Costs) -> None:
    many = c.terms()
    many = type(many)(many.name, ZERO, tuple(f"0x{i:040x}" for i in range(1, 52)), (1,) * 51, 5000, 2, WINDOW,
                      PERIOD, DURATION)
    with pytest.raises(CostSharingInvalidParticipantCount) as err:
        c.as_(ACME).create_pool(many)
    assert err.value.count == 51
    t = c.terms()
    with pytest.raises(CostSharingLengthMismatch) as mismatch:
        c.as_(ACME).create_pool(type(t)(t.name, ZERO, t.participants, (5000, 5000), 5000, 2, WINDOW, PERIOD, DURATION))
    assert (mismatch.value.participants, mismatch.value.shares) == (3, 2)
    with pytest.raises(CostSharingAssetNotContract) as asset:
        c.propose(c.terms(asset=c.addr(OUTSIDER)))
    assert asset.value.asset == c.addr(OUTSIDER)


def test_signed_acceptances_submitted_by_anyone_make_the_pool_live(c: Costs) -> None:
    pid = c.propose(c.terms())
    signed = [c.signed(pid, GLOBEX), c.signed(pid, INITECH)]
    tx = c.as_(OUTSIDER).submit_acceptances(pid, signed)
    assert [(a.participant, a.signed) for a in TermsAcceptedEvent.from_result(tx)] == [
        (c.addr(GLOBEX), True), (c.addr(INITECH), True)]
    assert len(PoolActivatedEvent.from_result(tx)) == 1
    assert c.view.pool_info(pid).status == PoolStatus.LIVE


def test_the_python_snippet_signs_the_digest_the_contract_checks(c: Costs) -> None:
    """The snippet of the report: eth_account's encode_typed_data over the Acceptance message."""
    pid = c.propose(c.terms())
    account = Account.from_key(c.key(GLOBEX))
    deadline = c.env.now() + DAY
    typed = acceptance_typed_data(c.chain_id, c.address, pid, account.address, c.view.pool_info(pid).terms_hash, deadline)
    message = encode_typed_data(full_message=typed)
    signed = account.sign_message(message)
    assert bytes(signed.message_hash) == c.view.acceptance_digest(pid, account.address, deadline)
    c.as_(ACME).submit_acceptances(pid, [SignedAcceptance(account.address, deadline, bytes(signed.signature))])
    assert c.view.seat_of(pid, account.address).accepted is True


def test_submitted_acceptances_skip_those_already_given(c: Costs) -> None:
    pid = c.propose(c.terms())
    signed = c.signed(pid, GLOBEX)
    c.join(pid, GLOBEX)  # joined on chain in between: the batch still goes through
    tx = c.as_(ACME).submit_acceptances(pid, [signed, c.signed(pid, ACME), c.signed(pid, INITECH)])
    assert [a.participant for a in TermsAcceptedEvent.from_result(tx)] == [c.addr(INITECH)]


def test_submitted_acceptances_fail_when_expired_forged_for_another_pool_or_by_an_outsider(c: Costs) -> None:
    pid = c.propose(c.terms())
    other = c.propose(c.terms(name="other"))
    expired = c.signed(pid, GLOBEX, deadline=c.env.now() - 1)
    with pytest.raises(CostSharingAcceptanceExpired) as err:
        c.as_(ACME).submit_acceptances(pid, [expired])
    assert (err.value.pool_id, err.value.participant, err.value.deadline) == (pid, c.addr(GLOBEX), expired.deadline)
    for_other = c.signed(other, GLOBEX)
    with pytest.raises(CostSharingInvalidAcceptance) as bad:
        c.as_(ACME).submit_acceptances(pid, [for_other])
    assert (bad.value.pool_id, bad.value.participant) == (pid, c.addr(GLOBEX))
    by_initech = c.signed(pid, INITECH)
    forged = SignedAcceptance(c.addr(GLOBEX), by_initech.deadline, by_initech.signature)  # Initech signs for Globex
    with pytest.raises(CostSharingInvalidAcceptance):
        c.as_(ACME).submit_acceptances(pid, [forged])
    with pytest.raises(CostSharingInvalidAcceptance):
        c.as_(ACME).submit_acceptances(pid, [SignedAcceptance(c.addr(GLOBEX), by_initech.deadline, b"\x01" * 65)])
    with pytest.raises(CostSharingNotParticipant):
        c.as_(ACME).submit_acceptances(pid, [c.signed(pid, UMBRELLA)])
    with pytest.raises(CostSharingTooManyAcceptances) as many:
        c.as_(ACME).submit_acceptances(pid, [by_initech] * 51)
    assert (many.value.count, many.value.max) == (51, 50)
    c.expel(INITECH)
    with pytest.raises(CostSharingNotMember):
        c.as_(ACME).submit_acceptances(pid, [by_initech])
    assert c.view.pool_info(pid).accepted == 0b001


def test_a_smart_wallet_member_accepts_by_erc1271_signature(c: Costs) -> None:
    owner = Account.from_key(keccak(text="wallet owner"))
    wallet = c.deploy_test("CostSharingTestWallet", [owner.address])
    c.admit(wallet, "Wallet Corp")
    pid = c.propose(c.terms(((ACME, 6000), (wallet, 4000)), quorum=2))
    deadline = c.env.now() + DAY
    typed = acceptance_typed_data(c.chain_id, c.address, pid, wallet, c.view.pool_info(pid).terms_hash, deadline)
    signature = bytes(owner.sign_message(encode_typed_data(full_message=typed)).signature)
    c.as_(OUTSIDER).submit_acceptances(pid, [SignedAcceptance(wallet, deadline, signature)])
    assert c.view.pool_info(pid).status == PoolStatus.LIVE


def test_leave_while_nothing_is_booked_dissolves_the_pool(c: Costs) -> None:
    proposed = c.propose(c.terms())
    tx = c.as_(GLOBEX).leave_pool(proposed)  # declines
    assert ParticipantLeftEvent.from_result(tx)[0].participant == c.addr(GLOBEX)
    assert PoolDissolvedEvent.from_result(tx)[0].pool_id == proposed
    assert c.view.pool_info(proposed).status == PoolStatus.DISSOLVED
    with pytest.raises(CostSharingWrongPoolStatus):
        c.join(proposed, INITECH)
    live = c.pool()
    pending = c.submit(live, 100, c.addr(SUPPLIER))
    c.as_(INITECH).leave_pool(live)
    with pytest.raises(CostSharingWrongPoolStatus):
        c.as_(GLOBEX).approve_expense(pending)
    with pytest.raises(CostSharingWrongPoolStatus):
        c.as_(ACME).leave_pool(live)
    with pytest.raises(CostSharingNotParticipant):
        c.as_(UMBRELLA).leave_pool(c.pool())


def test_leave_fails_once_something_is_booked_and_works_again_after_its_reversal(c: Costs) -> None:
    pid = c.pool()
    eid = c.book(pid, 1000, c.addr(SUPPLIER))
    with pytest.raises(CostSharingPoolHasBookings) as err:
        c.as_(INITECH).leave_pool(pid)
    assert (err.value.pool_id, err.value.booked) == (pid, 1)
    c.as_(GLOBEX).dispute_expense(eid, b"\x01" * 32)
    c.as_(ACME).dispute_expense(eid, b"\x02" * 32)
    assert c.view.expense(eid).status == ExpenseStatus.REVERSED
    c.as_(INITECH).leave_pool(pid)
    assert c.view.pool_info(pid).status == PoolStatus.DISSOLVED


# ---------------------------------------------------------------------------------- the rule


def test_the_rule_needs_more_than_half_of_the_other_shares_from_at_least_two_of_them(c: Costs) -> None:
    pid = c.pool()  # 50 / 30 / 20
    assert tuple(astuple(c.view.approval_threshold(pid, c.addr(SUPPLIER)))) == (5001, 2)
    assert tuple(astuple(c.view.approval_threshold(pid, c.addr(ACME)))) == (2501, 2)  # others: 3000 + 2000
    assert tuple(astuple(c.view.approval_threshold(pid, c.addr(GLOBEX)))) == (3501, 2)
    assert tuple(astuple(c.view.approval_threshold(pid, ZERO))) == (5001, 2)  # closing: everybody votes
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(GLOBEX).approve_expense(eid)
    tx = c.as_(INITECH).approve_expense(eid)  # 5000 bps: not more than half
    assert (ApprovalRecordedEvent.from_result(tx)[0].weight, ExpenseBookedEvent.from_result(tx)) == (5000, ())
    tx = c.as_(ACME).approve_expense(eid)
    assert ExpenseBookedEvent.from_result(tx)[0].expense_id == eid


def test_the_payee_never_votes_on_its_own_expense(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 1000, c.addr(ACME))  # Acme paid the supplier itself
    for vote in (c.as_(ACME).approve_expense, c.as_(ACME).reject_expense):
        with pytest.raises(CostSharingOwnClaim) as err:
            vote(eid)
        assert (err.value.expense_id, err.value.participant) == (eid, c.addr(ACME))
    c.as_(GLOBEX).approve_expense(eid)
    assert c.view.expense(eid).status == ExpenseStatus.PENDING
    c.as_(INITECH).approve_expense(eid)
    assert c.view.expense(eid).status == ExpenseStatus.BOOKED


def test_one_approval_never_binds_the_others_even_with_most_of_the_shares(c: Costs) -> None:
    pid = c.pool(((ACME, 9000), (GLOBEX, 1000)))
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(ACME).approve_expense(eid)  # 9000 bps, but one approver
    assert c.view.expense(eid).status == ExpenseStatus.PENDING
    c.as_(GLOBEX).approve_expense(eid)
    assert c.view.expense(eid).status == ExpenseStatus.BOOKED


def test_a_unanimity_rule_needs_every_other_participant(c: Costs) -> None:
    pid = c.pool(approval_bps=9999, quorum=3)
    assert tuple(astuple(c.view.approval_threshold(pid, c.addr(SUPPLIER)))) == (10_000, 3)
    assert tuple(astuple(c.view.approval_threshold(pid, c.addr(INITECH)))) == (8000, 2)
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(ACME).approve_expense(eid)
    c.as_(GLOBEX).approve_expense(eid)
    assert c.view.expense(eid).status == ExpenseStatus.PENDING
    tx = c.as_(INITECH).reject_expense(eid)
    assert ExpenseRejectedEvent.from_result(tx)[0].expense_id == eid


def test_rejections_reject_once_approvals_are_out_of_reach(c: Costs) -> None:
    pid = c.pool(((ACME, 2500), (GLOBEX, 2500), (INITECH, 2500), (UMBRELLA, 2500)), quorum=2)
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    tx = c.as_(GLOBEX).reject_expense(eid)
    (r,) = RejectionRecordedEvent.from_result(tx)
    assert (r.expense_id, r.participant, r.weight) == (eid, c.addr(GLOBEX), 2500)
    assert ExpenseRejectedEvent.from_result(tx) == ()  # 7500 left can still exceed 5000
    tx = c.as_(INITECH).reject_expense(eid)  # 5000 left: not more than half
    assert ExpenseRejectedEvent.from_result(tx)[0].pool_id == pid
    assert c.view.expense(eid).status == ExpenseStatus.REJECTED
    with pytest.raises(CostSharingWrongExpenseStatus) as err:
        c.as_(ACME).approve_expense(eid)
    assert (err.value.expense_id, err.value.status) == (eid, ExpenseStatus.REJECTED)


def test_a_participant_votes_once_and_outsiders_never(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(GLOBEX).approve_expense(eid)
    for vote in (c.as_(GLOBEX).approve_expense, c.as_(GLOBEX).reject_expense):
        with pytest.raises(CostSharingAlreadyVoted) as err:
            vote(eid)
        assert (err.value.subject, err.value.participant) == (eid, c.addr(GLOBEX))
    for who in (UMBRELLA, OUTSIDER):
        with pytest.raises(CostSharingNotParticipant):
            c.as_(who).approve_expense(eid)


def test_expelled_members_lose_their_votes_even_those_already_cast(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(GLOBEX).approve_expense(eid)
    c.expel(GLOBEX, by=(ACME, INITECH))
    with pytest.raises(CostSharingNotMember):
        c.as_(GLOBEX).reject_expense(eid)
    tx = c.as_(ACME).approve_expense(eid)  # 8000 bps counted, but Globex's 3000 are discarded
    (discarded,) = VoteDiscardedEvent.from_result(tx)
    assert (discarded.pool_id, discarded.expense_id, discarded.participant) == (pid, eid, c.addr(GLOBEX))
    assert ExpenseBookedEvent.from_result(tx) == ()
    e = c.view.expense(eid)
    assert (e.status, e.approvals, e.approval_weight) == (ExpenseStatus.PENDING, 0b001, 5000)
    c.as_(INITECH).approve_expense(eid)
    assert c.view.expense(eid).status == ExpenseStatus.BOOKED
    # the expelled member's debt stays: it accepted the terms
    assert c.view.position(pid, 0, c.addr(GLOBEX)).owed == 300


# ---------------------------------------------------------------------------------- expenses


def test_submit_expense_stores_a_digest_of_the_reference_and_emits_it(c: Costs) -> None:
    pid = c.pool()
    tx = c.as_(GLOBEX).submit_expense(pid, 900, c.addr(SUPPLIER), evidence(42), "INV-42")
    (sub,) = ExpenseSubmittedEvent.from_result(tx)
    assert (sub.expense_id, sub.pool_id, sub.submitter, sub.payee, sub.amount, sub.evidence_hash, sub.ref) == (
        1, pid, c.addr(GLOBEX), c.addr(SUPPLIER), 900, evidence(42), "INV-42")
    e = c.view.expense(1)
    assert (e.pool_id, e.payee, e.amount, e.evidence_hash, e.submitter) == (
        pid, c.addr(SUPPLIER), 900, evidence(42), c.addr(GLOBEX))
    assert e.ref_digest == keccak(text="INV-42")[:20]
    assert (e.status, e.booked_at, e.approvals, e.objections) == (ExpenseStatus.PENDING, 0, 0, 0)
    assert c.view.booked_evidence(evidence(42)) == 0  # pending: reserves nothing


def test_submit_expense_refuses_bad_input(c: Costs) -> None:
    pid = c.pool()
    acme = c.as_(ACME)
    with pytest.raises(CostSharingZeroAmount):
        acme.submit_expense(pid, 0, c.addr(SUPPLIER), evidence(1), "")
    with pytest.raises(CostSharingAmountTooLarge) as big:
        acme.submit_expense(pid, 2**96, c.addr(SUPPLIER), evidence(1), "")
    assert (big.value.amount, big.value.max) == (2**96, 2**96 - 1)
    with pytest.raises(CostSharingZeroAddress):
        acme.submit_expense(pid, 10, ZERO, evidence(1), "")
    with pytest.raises(CostSharingZeroEvidence):
        acme.submit_expense(pid, 10, c.addr(SUPPLIER), b"\0" * 32, "")
    with pytest.raises(CostSharingInvalidText) as text:
        acme.submit_expense(pid, 10, c.addr(SUPPLIER), evidence(1), "r" * 65)
    assert (text.value.length, text.value.min, text.value.max) == (65, 0, 64)
    with pytest.raises(CostSharingNotParticipant):
        c.submit(pid, 10, c.addr(SUPPLIER), by=UMBRELLA)
    with pytest.raises(CostSharingUnknownPool):
        acme.submit_expense(9, 10, c.addr(SUPPLIER), evidence(1), "")
    assert c.view.expense_count() == 0


def test_withdraw_expense_by_its_submitter_only(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 100, c.addr(SUPPLIER), by=GLOBEX)
    with pytest.raises(CostSharingNotSubmitter) as err:
        c.as_(ACME).withdraw_expense(eid)
    assert (err.value.expense_id, err.value.caller, err.value.submitter) == (eid, c.addr(ACME), c.addr(GLOBEX))
    tx = c.as_(GLOBEX).withdraw_expense(eid)
    assert ExpenseWithdrawnEvent.from_result(tx)[0].pool_id == pid
    assert c.view.expense(eid).status == ExpenseStatus.WITHDRAWN
    with pytest.raises(CostSharingWrongExpenseStatus):
        c.as_(GLOBEX).withdraw_expense(eid)
    booked = c.book(pid, 100, c.addr(SUPPLIER))
    with pytest.raises(CostSharingWrongExpenseStatus) as done:
        c.as_(ACME).withdraw_expense(booked)
    assert done.value.status == ExpenseStatus.BOOKED


def test_unknown_expenses_and_pools_fail_everywhere(c: Costs) -> None:
    for call in (c.as_(ACME).approve_expense, c.as_(ACME).reject_expense, c.as_(ACME).withdraw_expense,
                 c.view.expense):
        with pytest.raises(CostSharingUnknownExpense) as err:
            call(5)
        assert err.value.expense_id == 5
    for read in (c.view.pool_info, c.view.participants_of, c.as_(ACME).vote_close, c.as_(ACME).leave_pool):
        with pytest.raises(CostSharingUnknownPool):
            read(7)


def test_a_booking_lands_in_the_period_it_was_booked_in(c: Costs) -> None:
    pid = c.pool()  # 50 / 30 / 20
    first = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(GLOBEX).approve_expense(first)
    tx = c.as_(ACME).approve_expense(first)
    (b,) = ExpenseBookedEvent.from_result(tx)
    assert (b.expense_id, b.pool_id, b.payee, b.amount, b.period) == (first, pid, c.addr(SUPPLIER), 1000, 0)
    assert c.view.expense(first).booked_at == c.env.now()
    assert c.view.booked_evidence(evidence(1)) == first
    c.env.time_travel(PERIOD)
    second = c.book(pid, 700, c.addr(ACME))
    assert (c.view.expense(second).period, c.view.pool_info(pid).booked) == (1, 2)
    assert tuple(astuple(c.view.period_totals(pid, 0))) == (1000, 0)
    assert tuple(astuple(c.view.period_totals(pid, 1))) == (700, 0)
    assert [c.view.position(pid, 0, c.addr(i)).owed for i in (ACME, GLOBEX, INITECH)] == [500, 300, 200]
    assert [c.view.position(pid, 1, c.addr(i)).owed for i in (ACME, GLOBEX, INITECH)] == [350, 210, 140]
    assert c.view.position(pid, 1, c.addr(ACME)).credit == 700
    live_at = c.view.pool_info(pid).live_at
    assert c.view.period_opens_at(pid, 0) == live_at + PERIOD + WINDOW
    assert c.view.period_opens_at(pid, 1) == live_at + 2 * PERIOD + WINDOW
    with pytest.raises(CostSharingInvalidPeriod) as err:
        c.view.period_opens_at(pid, 12)  # 360 days of 30: periods 0..11
    assert (err.value.period, err.value.count) == (12, 12)


def test_the_shares_owed_add_up_to_each_periods_total_exactly(c: Costs) -> None:
    shares = ((ACME, 3333), (GLOBEX, 3333), (INITECH, 3334))
    pid = c.pool(shares)
    total = 0
    for amount in (7, 4, 10_001, 999_999_999_999, 5, 2 * ETHER + 1, 13, 2**96 - 1):
        c.book(pid, amount, c.addr(SUPPLIER))
        total += amount
        owed_now = [c.view.position(pid, 0, c.addr(i)).owed for i, _ in shares]
        lower = 0
        for (_, bps), o in zip(shares, owed_now, strict=True):
            assert o == owed(total, lower, bps)
            assert abs(Fraction(o) - Fraction(total * bps, 10_000)) < 1
            lower += bps
        assert sum(owed_now) == total


# ---------------------------------------------------------------------------------- evidence


def test_an_evidence_hash_is_booked_once_across_all_pools(c: Costs) -> None:
    first = c.pool()
    second = c.pool(((GLOBEX, 5000), (UMBRELLA, 5000)), by=GLOBEX)
    in_second = c.submit(second, 500, c.addr(SUPPLIER), by=GLOBEX, n=7)  # pending in both pools: fine
    booked = c.book(first, 500, c.addr(SUPPLIER), n=7)
    with pytest.raises(CostSharingEvidenceAlreadyBooked) as err:
        c.submit(second, 500, c.addr(SUPPLIER), by=GLOBEX, n=7)
    assert (err.value.evidence_hash, err.value.pool_id, err.value.expense_id) == (evidence(7), first, booked)
    c.as_(GLOBEX).approve_expense(in_second)
    with pytest.raises(CostSharingEvidenceAlreadyBooked) as late:  # the booking is refused too
        c.as_(UMBRELLA).approve_expense(in_second)
    assert (late.value.pool_id, late.value.expense_id) == (first, booked)
    assert c.view.expense(in_second).status == ExpenseStatus.PENDING
    with pytest.raises(CostSharingEvidenceAlreadyBooked):
        c.submit(first, 500, c.addr(SUPPLIER), by=GLOBEX, n=7)


@pytest.mark.parametrize("fate", ["pending", "withdrawn", "rejected", "reversed"])
def test_an_expense_that_is_not_booked_leaves_its_hash_free(c: Costs, fate: str) -> None:
    pid = c.pool()
    eid = c.submit(pid, 100, c.addr(SUPPLIER), n=9)
    if fate == "withdrawn":
        c.as_(ACME).withdraw_expense(eid)
    elif fate == "rejected":
        c.as_(GLOBEX).reject_expense(eid)
        c.as_(INITECH).reject_expense(eid)
    elif fate == "reversed":
        c.approve_until_booked(eid)
        c.as_(GLOBEX).dispute_expense(eid, b"\x01" * 32)
        c.as_(ACME).dispute_expense(eid, b"\x01" * 32)
    assert c.view.booked_evidence(evidence(9)) == 0
    again = c.book(pid, 100, c.addr(SUPPLIER), by=GLOBEX, n=9)
    assert c.view.booked_evidence(evidence(9)) == again


# ---------------------------------------------------------------------------------- disputes


def test_a_dispute_by_the_rule_within_the_window_reverses_the_booking(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 400, c.addr(SUPPLIER))
    eid = c.book(pid, 1000, c.addr(ACME))
    tx = c.as_(GLOBEX).dispute_expense(eid, b"\xaa" * 32)
    (d,) = ExpenseDisputedEvent.from_result(tx)
    assert (d.expense_id, d.participant, d.reason, d.weight, d.timestamp) == (
        eid, c.addr(GLOBEX), b"\xaa" * 32, 3000, c.env.now())
    assert ExpenseReversedEvent.from_result(tx) == ()
    tx = c.as_(INITECH).dispute_expense(eid, b"\xbb" * 32)
    (r,) = ExpenseReversedEvent.from_result(tx)
    assert (r.expense_id, r.pool_id, r.payee, r.amount, r.period) == (eid, pid, c.addr(ACME), 1000, 0)
    assert c.view.expense(eid).status == ExpenseStatus.REVERSED
    assert tuple(astuple(c.view.period_totals(pid, 0))) == (400, 0)
    assert c.view.position(pid, 0, c.addr(ACME)).credit == 0
    assert [c.view.position(pid, 0, c.addr(i)).owed for i in (ACME, GLOBEX, INITECH)] == [200, 120, 80]
    assert c.view.pool_info(pid).booked == 1


def test_a_dispute_fails_after_the_window_by_the_payee_twice_or_on_a_pending_expense(c: Costs) -> None:
    pid = c.pool()
    eid = c.book(pid, 1000, c.addr(GLOBEX), by=GLOBEX)
    with pytest.raises(CostSharingOwnClaim):
        c.as_(GLOBEX).dispute_expense(eid, b"\x01" * 32)
    c.as_(ACME).dispute_expense(eid, b"\x01" * 32)  # 5000 of the others' 7000, but one voter of 2
    assert c.view.expense(eid).status == ExpenseStatus.BOOKED
    with pytest.raises(CostSharingAlreadyVoted):
        c.as_(ACME).dispute_expense(eid, b"\x02" * 32)
    pending = c.submit(pid, 10, c.addr(SUPPLIER))
    with pytest.raises(CostSharingWrongExpenseStatus):
        c.as_(ACME).dispute_expense(pending, b"\x01" * 32)
    closes = c.view.expense(eid).booked_at + WINDOW
    c.env.time_travel(WINDOW)
    with pytest.raises(CostSharingDisputeWindowClosed) as err:
        c.as_(INITECH).dispute_expense(eid, b"\x01" * 32)
    assert (err.value.expense_id, err.value.closed_at) == (eid, closes)


def test_rejections_do_not_count_as_disputes_once_booked(c: Costs) -> None:
    pid = c.pool(((ACME, 2500), (GLOBEX, 2500), (INITECH, 2500), (UMBRELLA, 2500)))
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(UMBRELLA).reject_expense(eid)
    for who in (ACME, GLOBEX, INITECH):
        c.as_(who).approve_expense(eid)
    e = c.view.expense(eid)
    assert (e.status, e.objections, e.objection_weight) == (ExpenseStatus.BOOKED, 0, 0)
    c.as_(UMBRELLA).dispute_expense(eid, b"\x01" * 32)  # may dispute what it rejected
    assert c.view.expense(eid).objection_weight == 2500


# -------------------------------------------------------------------------------- settlement


def test_pay_and_claim_wait_until_the_period_and_its_disputes_are_final(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    opens = c.view.period_opens_at(pid, 0)
    with pytest.raises(CostSharingPeriodNotFinal) as err:
        c.as_(GLOBEX).pay(pid, 0, c.addr(GLOBEX), 100, value=100)
    assert (err.value.pool_id, err.value.period, err.value.opens_at) == (pid, 0, opens)
    with pytest.raises(CostSharingPeriodNotFinal):
        c.as_(SUPPLIER).claim(pid, 0, 1, c.addr(SUPPLIER))
    c.open_period(pid)
    tx = c.as_(GLOBEX).pay(pid, 0, c.addr(GLOBEX), 100, value=100)
    (p,) = PaidInEvent.from_result(tx)
    assert (p.pool_id, p.debtor, p.period, p.payer, p.amount) == (pid, c.addr(GLOBEX), 0, c.addr(GLOBEX), 100)
    pos = c.view.position(pid, 0, c.addr(GLOBEX))
    assert (pos.owed, pos.paid, pos.debt, pos.credit) == (300, 100, 200, 0)
    assert tuple(astuple(c.view.period_totals(pid, 0))) == (1000, 100)
    assert c.env.balance(c.address) == 100


def test_anyone_may_pay_a_participants_debt_but_never_more_than_it(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    c.open_period(pid)
    tx = c.as_(OUTSIDER).pay(pid, 0, c.addr(INITECH), 150, value=150)
    assert PaidInEvent.from_result(tx)[0].payer == c.addr(OUTSIDER)
    with pytest.raises(CostSharingOverpayment) as err:
        c.as_(INITECH).pay(pid, 0, c.addr(INITECH), 51, value=51)
    assert (err.value.pool_id, err.value.period, err.value.debtor, err.value.amount, err.value.debt) == (
        pid, 0, c.addr(INITECH), 51, 50)
    with pytest.raises(CostSharingZeroAmount):
        c.as_(ACME).pay(pid, 0, c.addr(ACME), 0)
    with pytest.raises(CostSharingWrongValue) as value:
        c.as_(ACME).pay(pid, 0, c.addr(ACME), 100, value=99)
    assert (value.value.sent, value.value.expected) == (99, 100)
    with pytest.raises(CostSharingNotParticipant):
        c.as_(SUPPLIER).pay(pid, 0, c.addr(SUPPLIER), 1, value=1)
    with pytest.raises(CostSharingInvalidPeriod):
        c.as_(ACME).pay(pid, 99, c.addr(ACME), 1, value=1)


def test_claims_are_pro_rata_of_what_debtors_paid_and_their_order_does_not_matter(c: Costs) -> None:
    results = []
    for order in ((SUPPLIER, OUTSIDER), (OUTSIDER, SUPPLIER)):
        d = Costs.start()
        pid = d.pool()  # 50 / 30 / 20
        d.book(pid, 600, d.addr(SUPPLIER))
        d.book(pid, 400, d.addr(OUTSIDER))
        d.open_period(pid)
        d.settle_debts(pid, skip=(GLOBEX,))  # Globex (300) never pays: 700 of 1000 paid in
        for who in order:
            part = d.view.position(pid, 0, d.addr(who)).collectable
            d.as_(who).claim(pid, 0, part, d.addr(who))
        results.append([d.view.position(pid, 0, d.addr(w)).withdrawn for w in (SUPPLIER, OUTSIDER)])
        assert d.env.balance(d.address) == 0
    assert results[0] == results[1] == [420, 280]  # 60% and 40% of 700


def test_a_claim_fails_beyond_the_collectable_part_and_when_malformed(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    c.open_period(pid)
    c.as_(ACME).pay(pid, 0, c.addr(ACME), 500, value=500)
    with pytest.raises(CostSharingClaimExceedsCollectable) as err:
        c.as_(SUPPLIER).claim(pid, 0, 501, c.addr(SUPPLIER))
    assert (err.value.pool_id, err.value.period, err.value.account, err.value.amount, err.value.collectable) == (
        pid, 0, c.addr(SUPPLIER), 501, 500)
    with pytest.raises(CostSharingClaimExceedsCollectable):
        c.as_(OUTSIDER).claim(pid, 0, 1, c.addr(OUTSIDER))
    with pytest.raises(CostSharingZeroAmount):
        c.as_(SUPPLIER).claim(pid, 0, 0, c.addr(SUPPLIER))
    with pytest.raises(CostSharingZeroAddress):
        c.as_(SUPPLIER).claim(pid, 0, 1, ZERO)
    before = c.env.balance(c.addr(OUTSIDER))
    tx = c.as_(SUPPLIER).claim(pid, 0, 300, c.addr(OUTSIDER))  # to an address of its choice
    (cl,) = ClaimedEvent.from_result(tx)
    assert (cl.pool_id, cl.account, cl.period, cl.to, cl.amount) == (pid, c.addr(SUPPLIER), 0, c.addr(OUTSIDER), 300)
    assert c.env.balance(c.addr(OUTSIDER)) - before == 300
    pos = c.view.position(pid, 0, c.addr(SUPPLIER))
    assert (pos.credit, pos.entitlement, pos.withdrawn, pos.collectable) == (1000, 500, 300, 200)


def test_anyone_may_push_a_payees_part_to_it(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    c.open_period(pid)
    with pytest.raises(CostSharingZeroAmount):
        c.as_(OUTSIDER).push(pid, 0, c.addr(SUPPLIER))
    c.settle_debts(pid)
    before = c.env.balance(c.addr(SUPPLIER))
    tx = c.as_(OUTSIDER).push(pid, 0, c.addr(SUPPLIER))
    assert ClaimedEvent.from_result(tx)[0].to == c.addr(SUPPLIER)
    assert c.env.balance(c.addr(SUPPLIER)) - before == 1000


def test_settle_nets_a_participant_that_is_also_a_payee(c: Costs) -> None:
    pid = c.pool()  # 50 / 30 / 20
    c.book(pid, 1000, c.addr(ACME))  # Acme paid the supplier 1000 itself
    c.book(pid, 400, c.addr(GLOBEX), by=GLOBEX)  # Globex paid 400 itself
    c.open_period(pid)
    # Globex owes 420 and is credited 400: after paying 420 in, it is entitled to 400·420/1400 = 120
    globex = c.as_(GLOBEX)
    with pytest.raises(CostSharingWrongValue) as err:
        globex.settle(pid, 0, c.addr(GLOBEX))
    assert err.value.expected == 300
    tx = globex.settle(pid, 0, c.addr(GLOBEX), value=300)
    assert PaidInEvent.from_result(tx)[0].amount == 420
    assert ClaimedEvent.from_result(tx)[0].amount == 120
    c.as_(INITECH).pay(pid, 0, c.addr(INITECH), 280, value=280)
    # Acme owes 700 and is credited 1000: after paying 700 it is entitled to 1000 of 1400 paid
    before = c.env.balance(c.addr(OUTSIDER))
    c.as_(ACME).settle(pid, 0, c.addr(OUTSIDER))
    assert c.env.balance(c.addr(OUTSIDER)) - before == 300
    c.as_(GLOBEX).settle(pid, 0, c.addr(GLOBEX))  # the rest of Globex's part: 400 - 120
    for who, cost in ((ACME, 700), (GLOBEX, 420), (INITECH, 280)):
        pos = c.view.position(pid, 0, c.addr(who))
        assert (pos.debt, pos.collectable) == (0, 0)
        assert pos.credit + pos.paid - pos.withdrawn == cost  # each bears exactly its share
    assert c.env.balance(c.address) == 0
    with pytest.raises(CostSharingZeroAmount):
        c.as_(ACME).settle(pid, 0, c.addr(ACME))


def test_a_debtor_who_never_pays_keeps_its_debt_and_a_late_payment_raises_every_part(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 600, c.addr(SUPPLIER))
    c.book(pid, 400, c.addr(OUTSIDER))
    c.open_period(pid)
    c.settle_debts(pid, skip=(ACME,))  # Acme's 500 unpaid
    c.as_(SUPPLIER).claim(pid, 0, 300, c.addr(SUPPLIER))  # its 60% of 500
    assert c.view.position(pid, 0, c.addr(SUPPLIER)).collectable == 0
    assert c.view.position(pid, 0, c.addr(ACME)).debt == 500
    c.env.time_travel(400 * DAY)  # long after the pool's end, the debt is still on record
    c.as_(ACME).pay(pid, 0, c.addr(ACME), 500, value=500)
    assert c.view.position(pid, 0, c.addr(SUPPLIER)).collectable == 300
    assert c.view.position(pid, 0, c.addr(OUTSIDER)).collectable == 400


def test_the_rule_closes_the_pool_and_settlement_goes_on(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    pending = c.submit(pid, 50, c.addr(SUPPLIER))
    tx = c.as_(GLOBEX).vote_close(pid)
    assert (CloseVotedEvent.from_result(tx)[0].weight, PoolClosedEvent.from_result(tx)) == (3000, ())
    with pytest.raises(CostSharingAlreadyVoted) as err:
        c.as_(GLOBEX).vote_close(pid)
    assert err.value.subject == pid
    tx = c.as_(INITECH).vote_close(pid)  # 5000: not more than half
    assert PoolClosedEvent.from_result(tx) == ()
    tx = c.as_(ACME).vote_close(pid)
    assert PoolClosedEvent.from_result(tx)[0].closed_at == c.env.now()
    info = c.view.pool_info(pid)
    assert (info.status, info.closed_at, info.close_votes, info.close_weight) == (
        PoolStatus.CLOSED, c.env.now(), 0b111, 10_000)
    with pytest.raises(CostSharingWrongPoolStatus):
        c.as_(GLOBEX).approve_expense(pending)
    with pytest.raises(CostSharingWrongPoolStatus):
        c.submit(pid, 50, c.addr(SUPPLIER))
    c.as_(GLOBEX).reject_expense(pending)  # votes against still count
    c.open_period(pid)
    c.settle_debts(pid)
    c.as_(SUPPLIER).claim(pid, 0, 1000, c.addr(SUPPLIER))


def test_the_long_stop_ends_bookings(c: Costs) -> None:
    pid = c.pool(period=30 * DAY, duration=30 * DAY)
    eid = c.submit(pid, 100, c.addr(SUPPLIER))
    c.env.time_travel(30 * DAY)
    ends = c.view.pool_info(pid).ends_at
    assert c.view.pool_info(pid).status == PoolStatus.CLOSED
    with pytest.raises(CostSharingPoolEnded) as err:
        c.as_(GLOBEX).approve_expense(eid)
    assert (err.value.pool_id, err.value.ends_at) == (pid, ends)
    with pytest.raises(CostSharingPoolEnded):
        c.submit(pid, 100, c.addr(SUPPLIER))
    with pytest.raises(CostSharingInvalidPeriod) as period:
        c.view.period_opens_at(pid, 1)  # one period of 30 days
    assert period.value.count == 1


def test_multicall_batches_votes_and_cannot_carry_ether_into_pay(c: Costs) -> None:
    pid = c.pool()
    first = c.submit(pid, 100, c.addr(SUPPLIER))
    second = c.submit(pid, 200, c.addr(SUPPLIER))
    encode = CostSharing.encode_approve_expense
    for who in (ACME, GLOBEX):
        c.as_(who).multicall([encode(first), encode(second)])
    assert [c.view.expense(e).status for e in (first, second)] == [ExpenseStatus.BOOKED] * 2
    c.open_period(pid)
    with pytest.raises(CostSharingWrongValue) as err:
        c.as_(ACME).multicall([CostSharing.encode_pay(pid, 0, c.addr(ACME), 150)])
    assert (err.value.sent, err.value.expected) == (0, 150)
