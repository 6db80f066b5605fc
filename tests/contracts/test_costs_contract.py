"""The CostSharing contract on a real EVM (eth-tester), through the generated typed binding and the real
transaction pipeline: every function, every custom error, the remainder rule and netting."""

from __future__ import annotations

from fractions import Fraction

import pytest
from _consortium import Gov
from _costs import (
    ACME,
    DEPLOYER,
    ETHER,
    GLOBEX,
    INITECH,
    OUTSIDER,
    SUPPLIER,
    UMBRELLA,
    ZERO,
    Costs,
    evidence,
)

from coopetition.bindings.cost_sharing import (
    ClaimedEvent,
    CostSharingAlreadyVoted,
    CostSharingAmountTooSmall,
    CostSharingAssetNotContract,
    CostSharingClaimExceedsCredit,
    CostSharingDuplicateParticipant,
    CostSharingEvidenceAlreadyUsed,
    CostSharingExpenseNotPending,
    CostSharingInsufficientPoolFunds,
    CostSharingInvalidConsortium,
    CostSharingInvalidParticipantCount,
    CostSharingInvalidQuorum,
    CostSharingInvalidText,
    CostSharingLengthMismatch,
    CostSharingNotMember,
    CostSharingNotParticipant,
    CostSharingNotSubmitter,
    CostSharingOverpayment,
    CostSharingSharesNotTotal,
    CostSharingUnknownExpense,
    CostSharingUnknownPool,
    CostSharingWrongValue,
    CostSharingZeroAddress,
    CostSharingZeroAmount,
    CostSharingZeroEvidence,
    CostSharingZeroShare,
    ExpenseApprovedEvent,
    ExpenseBookedEvent,
    ExpenseRejectedEvent,
    ExpenseStatus,
    ExpenseSubmittedEvent,
    ExpenseWithdrawnEvent,
    PaidInEvent,
    ParticipantJoinedEvent,
    PoolCreatedEvent,
    RejectionRecordedEvent,
    Vote,
)


@pytest.fixture
def c() -> Costs:
    return Costs.start()


# ------------------------------------------------------------------------------ construction


def test_constructor_binds_the_consortium_and_gives_the_deployer_no_role(c: Costs) -> None:
    view = c.view
    assert view.consortium() == c.consortium
    assert (view.total_shares(), view.max_participants(), view.max_text_length()) == (10_000, 200, 64)
    assert view.pool_count() == 0 and view.expense_count() == 0
    with pytest.raises(CostSharingNotMember) as err:
        c.pool(by=DEPLOYER)
    assert err.value.account == c.addr(DEPLOYER)


def test_constructor_fails_when_the_consortium_is_not_a_contract(c: Costs) -> None:
    with pytest.raises(CostSharingInvalidConsortium) as err:
        c.env.deploy("CostSharing", [c.addr(OUTSIDER)])
    assert err.value.consortium == c.addr(OUTSIDER)


# ---------------------------------------------------------------------------------- pools


def test_create_pool_records_participants_shares_and_quorum(c: Costs) -> None:
    tx = c.as_(ACME).create_pool("Battery R&D", ZERO, [c.addr(ACME), c.addr(GLOBEX), c.addr(INITECH)],
                                 [5000, 3000, 2000], 2)
    (created,) = PoolCreatedEvent.from_result(tx)
    assert (created.pool_id, created.creator, created.asset, created.quorum, created.name) == (
        1, c.addr(ACME), ZERO, 2, "Battery R&D")
    joined = ParticipantJoinedEvent.from_result(tx)
    assert [(j.participant, j.share_bps) for j in joined] == [
        (c.addr(ACME), 5000), (c.addr(GLOBEX), 3000), (c.addr(INITECH), 2000)]
    info = c.view.pool_info(1)
    assert (info.asset, info.participant_count, info.quorum, info.creator, info.name) == (
        ZERO, 3, 2, c.addr(ACME), "Battery R&D")
    assert (info.total_booked, info.total_paid_in, info.total_withdrawn) == (0, 0, 0)
    assert c.view.participants_of(1) == (c.addr(ACME), c.addr(GLOBEX), c.addr(INITECH))
    assert c.view.share_of(1, c.addr(GLOBEX)) == 3000
    assert c.view.share_of(1, c.addr(UMBRELLA)) == 0
    assert c.view.pool_count() == 1
    assert c.view.held(1) == 0


def test_a_member_may_create_a_pool_it_does_not_take_part_in(c: Costs) -> None:
    pid = c.pool(((GLOBEX, 6000), (INITECH, 4000)), by=UMBRELLA)
    assert c.view.pool_info(pid).creator == c.addr(UMBRELLA)
    assert c.view.share_of(pid, c.addr(UMBRELLA)) == 0


@pytest.mark.parametrize("shares", [((ACME, 5000), (GLOBEX, 4000)), ((ACME, 6000), (GLOBEX, 5000)),
                                    ((ACME, 9999),)])
def test_create_pool_fails_when_shares_do_not_sum_to_10000(c: Costs, shares: tuple[tuple[int, int], ...]) -> None:
    with pytest.raises(CostSharingSharesNotTotal) as err:
        c.pool(shares, quorum=1)
    assert err.value.total == sum(s for _, s in shares)


def test_create_pool_fails_on_a_zero_share(c: Costs) -> None:
    with pytest.raises(CostSharingZeroShare) as err:
        c.pool(((ACME, 10_000), (GLOBEX, 0)), quorum=1)
    assert err.value.participant == c.addr(GLOBEX)


def test_create_pool_fails_on_a_duplicate_participant(c: Costs) -> None:
    with pytest.raises(CostSharingDuplicateParticipant) as err:
        c.pool(((ACME, 5000), (ACME, 5000)), quorum=1)
    assert err.value.participant == c.addr(ACME)


def test_create_pool_fails_when_a_participant_is_not_a_member(c: Costs) -> None:
    with pytest.raises(CostSharingNotMember) as err:
        c.pool(((ACME, 5000), (OUTSIDER, 5000)), quorum=1)
    assert err.value.account == c.addr(OUTSIDER)


def test_create_pool_fails_on_the_zero_address(c: Costs) -> None:
    with pytest.raises(CostSharingZeroAddress):
        c.as_(ACME).create_pool("x", ZERO, [c.addr(ACME), ZERO], [5000, 5000], 1)


def test_create_pool_fails_with_no_participant_or_too_many(c: Costs) -> None:
    with pytest.raises(CostSharingInvalidParticipantCount) as err:
        c.as_(ACME).create_pool("x", ZERO, [], [], 1)
    assert (err.value.count, err.value.max) == (0, 200)
    many = [f"0x{i:040x}" for i in range(1, 202)]
    with pytest.raises(CostSharingInvalidParticipantCount) as err:
        c.as_(ACME).create_pool("x", ZERO, many, [1] * 201, 1)
    assert err.value.count == 201


def test_create_pool_fails_when_lengths_differ(c: Costs) -> None:
    with pytest.raises(CostSharingLengthMismatch) as err:
        c.as_(ACME).create_pool("x", ZERO, [c.addr(ACME), c.addr(GLOBEX)], [10_000], 1)
    assert (err.value.participants, err.value.shares) == (2, 1)


@pytest.mark.parametrize("quorum", [0, 4])
def test_create_pool_fails_when_the_quorum_is_out_of_range(c: Costs, quorum: int) -> None:
    with pytest.raises(CostSharingInvalidQuorum) as err:
        c.pool(quorum=quorum)
    assert (err.value.quorum, err.value.participants) == (quorum, 3)


@pytest.mark.parametrize("name", ["", "n" * 65])
def test_create_pool_fails_on_an_empty_or_long_name(c: Costs, name: str) -> None:
    with pytest.raises(CostSharingInvalidText) as err:
        c.pool(name=name)
    assert (err.value.length, err.value.min, err.value.max) == (len(name), 1, 64)


def test_create_pool_fails_when_the_asset_is_not_a_contract(c: Costs) -> None:
    with pytest.raises(CostSharingAssetNotContract) as err:
        c.pool(asset=c.addr(OUTSIDER))
    assert err.value.asset == c.addr(OUTSIDER)


def test_views_fail_on_an_unknown_pool(c: Costs) -> None:
    for read in (c.view.pool_info, c.view.participants_of, c.view.held):
        with pytest.raises(CostSharingUnknownPool) as err:
            read(7)
        assert err.value.pool_id == 7
    with pytest.raises(CostSharingUnknownPool):
        c.view.position(7, c.addr(ACME))


# ------------------------------------------------------------------------------- expenses


def test_submit_expense_records_it_pending_with_its_evidence(c: Costs) -> None:
    pid = c.pool()
    tx = c.as_(GLOBEX).submit_expense(pid, 900, c.addr(SUPPLIER), evidence(42), "INV-42")
    (sub,) = ExpenseSubmittedEvent.from_result(tx)
    assert (sub.expense_id, sub.pool_id, sub.submitter, sub.payee, sub.amount, sub.evidence_hash, sub.ref) == (
        1, pid, c.addr(GLOBEX), c.addr(SUPPLIER), 900, evidence(42), "INV-42")
    e = c.view.expense(1)
    assert (e.pool_id, e.submitter, e.payee, e.amount, e.evidence_hash, e.ref) == (
        pid, c.addr(GLOBEX), c.addr(SUPPLIER), 900, evidence(42), "INV-42")
    assert (e.status, e.approvals, e.rejections, e.booked_before) == (ExpenseStatus.PENDING, 0, 0, 0)
    assert e.submitted_at == c.env.now()
    assert c.view.expense_count() == 1
    assert c.view.expense_by_evidence(pid, evidence(42)) == 1
    assert c.view.expense_by_evidence(pid, evidence(43)) == 0
    assert c.view.share_of_expense(1, c.addr(ACME)) == 0  # not booked yet


def test_submit_fails_for_a_non_participant(c: Costs) -> None:
    pid = c.pool()
    for who in (UMBRELLA, OUTSIDER):
        with pytest.raises(CostSharingNotParticipant) as err:
            c.submit(pid, 1, c.addr(SUPPLIER), by=who)
        assert (err.value.pool_id, err.value.account) == (pid, c.addr(who))


def test_submit_fails_for_a_participant_no_longer_member(c: Costs) -> None:
    pid = c.pool()
    gov = Gov(c.env, c.consortium)
    proposal = gov.propose(ACME, gov.removal(c.addr(INITECH)), description="remove")
    gov.as_(GLOBEX).approve(proposal)
    gov.execute(proposal)
    with pytest.raises(CostSharingNotMember) as err:
        c.submit(pid, 1, c.addr(SUPPLIER), by=INITECH)
    assert err.value.account == c.addr(INITECH)
    # a company that left still votes, pays and claims in its pools
    eid = c.submit(pid, 100, c.addr(SUPPLIER), by=ACME)
    c.as_(INITECH).approve_expense(eid)


def test_submit_fails_on_unknown_pool_zero_amount_zero_payee_zero_evidence_long_reference(c: Costs) -> None:
    pid = c.pool()
    acme = c.as_(ACME)
    with pytest.raises(CostSharingUnknownPool):
        acme.submit_expense(9, 10, c.addr(SUPPLIER), evidence(1), "")
    with pytest.raises(CostSharingAmountTooSmall) as small:
        acme.submit_expense(pid, 0, c.addr(SUPPLIER), evidence(1), "")
    assert (small.value.amount, small.value.minimum) == (0, 5)
    with pytest.raises(CostSharingZeroAddress):
        acme.submit_expense(pid, 10, ZERO, evidence(1), "")
    with pytest.raises(CostSharingZeroEvidence):
        acme.submit_expense(pid, 10, c.addr(SUPPLIER), b"\0" * 32, "")
    with pytest.raises(CostSharingInvalidText) as err:
        acme.submit_expense(pid, 10, c.addr(SUPPLIER), evidence(1), "r" * 65)
    assert (err.value.length, err.value.min, err.value.max) == (65, 0, 64)
    assert c.view.expense_count() == 0


@pytest.mark.parametrize("fate", ["pending", "booked", "rejected", "withdrawn"])
def test_an_evidence_hash_cannot_be_submitted_twice_to_a_pool_whatever_became_of_it(c: Costs, fate: str) -> None:
    pid = c.pool()
    eid = c.submit(pid, 100, c.addr(SUPPLIER), n=7)
    if fate == "booked":
        c.as_(ACME).approve_expense(eid)
        c.as_(GLOBEX).approve_expense(eid)
    elif fate == "rejected":
        c.as_(GLOBEX).reject_expense(eid)
        c.as_(INITECH).reject_expense(eid)
    elif fate == "withdrawn":
        c.as_(ACME).withdraw_expense(eid)
    with pytest.raises(CostSharingEvidenceAlreadyUsed) as err:
        c.submit(pid, 100, c.addr(SUPPLIER), by=GLOBEX, n=7)
    assert (err.value.pool_id, err.value.evidence_hash, err.value.expense_id) == (pid, evidence(7), eid)
    # another pool may carry the same document
    other = c.pool()
    c.submit(other, 100, c.addr(SUPPLIER), n=7)


def test_withdraw_expense_by_its_submitter_ends_it(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 100, c.addr(SUPPLIER), by=GLOBEX)
    tx = c.as_(GLOBEX).withdraw_expense(eid)
    (w,) = ExpenseWithdrawnEvent.from_result(tx)
    assert (w.expense_id, w.pool_id) == (eid, pid)
    assert c.view.expense(eid).status == ExpenseStatus.WITHDRAWN
    with pytest.raises(CostSharingExpenseNotPending) as err:
        c.as_(ACME).approve_expense(eid)
    assert (err.value.expense_id, err.value.status) == (eid, ExpenseStatus.WITHDRAWN)


def test_withdraw_expense_fails_for_anyone_but_the_submitter(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 100, c.addr(SUPPLIER), by=GLOBEX)
    with pytest.raises(CostSharingNotSubmitter) as err:
        c.as_(ACME).withdraw_expense(eid)
    assert (err.value.expense_id, err.value.caller, err.value.submitter) == (eid, c.addr(ACME), c.addr(GLOBEX))


def test_withdraw_expense_fails_once_booked(c: Costs) -> None:
    pid = c.pool()
    eid = c.book(pid, 100, c.addr(SUPPLIER))
    with pytest.raises(CostSharingExpenseNotPending) as err:
        c.as_(ACME).withdraw_expense(eid)
    assert err.value.status == ExpenseStatus.BOOKED


def test_unknown_expense_fails_everywhere(c: Costs) -> None:
    c.pool()
    for call in (c.as_(ACME).approve_expense, c.as_(ACME).reject_expense, c.as_(ACME).withdraw_expense,
                 c.view.expense):
        with pytest.raises(CostSharingUnknownExpense) as err:
            call(5)
        assert err.value.expense_id == 5
    with pytest.raises(CostSharingUnknownExpense):
        c.view.share_of_expense(5, c.addr(ACME))


# -------------------------------------------------------------------------------- voting


def test_approval_below_quorum_counts_and_books_nothing(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    tx = c.as_(INITECH).approve_expense(eid)
    (a,) = ExpenseApprovedEvent.from_result(tx)
    assert (a.expense_id, a.participant, a.approvals) == (eid, c.addr(INITECH), 1)
    assert ExpenseBookedEvent.from_result(tx) == ()
    assert c.view.expense(eid).status == ExpenseStatus.PENDING
    assert c.view.vote_of(eid, c.addr(INITECH)) == Vote.APPROVED
    assert c.view.vote_of(eid, c.addr(ACME)) == Vote.NONE
    assert c.view.pool_info(pid).total_booked == 0


def test_approval_at_quorum_books_the_expense_and_credits_the_payee(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(ACME).approve_expense(eid)
    tx = c.as_(GLOBEX).approve_expense(eid)
    (b,) = ExpenseBookedEvent.from_result(tx)
    assert (b.expense_id, b.pool_id, b.payee, b.amount, b.booked_before) == (eid, pid, c.addr(SUPPLIER), 1000, 0)
    e = c.view.expense(eid)
    assert (e.status, e.approvals, e.booked_before) == (ExpenseStatus.BOOKED, 2, 0)
    assert c.view.pool_info(pid).total_booked == 1000
    supplier = c.view.position(pid, c.addr(SUPPLIER))
    assert (supplier.owed, supplier.credited, supplier.credit, supplier.debt) == (0, 1000, 1000, 0)
    owed = [c.view.position(pid, c.addr(i)).owed for i in (ACME, GLOBEX, INITECH)]
    assert owed == [500, 300, 200]
    assert [c.view.share_of_expense(eid, c.addr(i)) for i in (ACME, GLOBEX, INITECH)] == [500, 300, 200]
    assert c.view.position(pid, c.addr(ACME)).debt == 500


def test_approve_fails_when_booked_twice(c: Costs) -> None:
    pid = c.pool()
    eid = c.book(pid, 1000, c.addr(SUPPLIER))
    with pytest.raises(CostSharingExpenseNotPending) as err:
        c.as_(INITECH).approve_expense(eid)
    assert (err.value.expense_id, err.value.status) == (eid, ExpenseStatus.BOOKED)
    assert c.view.pool_info(pid).total_booked == 1000


def test_approve_fails_on_a_double_approval(c: Costs) -> None:
    pid = c.pool(quorum=3)
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(ACME).approve_expense(eid)
    with pytest.raises(CostSharingAlreadyVoted) as err:
        c.as_(ACME).approve_expense(eid)
    assert (err.value.expense_id, err.value.participant) == (eid, c.addr(ACME))
    with pytest.raises(CostSharingAlreadyVoted):
        c.as_(ACME).reject_expense(eid)


def test_vote_fails_for_a_non_participant(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    for vote in (c.as_(UMBRELLA).approve_expense, c.as_(OUTSIDER).reject_expense):
        with pytest.raises(CostSharingNotParticipant) as err:
            vote(eid)
        assert err.value.pool_id == pid


def test_rejections_reject_once_the_quorum_is_out_of_reach(c: Costs) -> None:
    pid = c.pool()  # 3 participants, quorum 2: two rejections decide
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    tx = c.as_(GLOBEX).reject_expense(eid)
    (r,) = RejectionRecordedEvent.from_result(tx)
    assert (r.expense_id, r.participant, r.rejections) == (eid, c.addr(GLOBEX), 1)
    assert ExpenseRejectedEvent.from_result(tx) == ()
    assert c.view.vote_of(eid, c.addr(GLOBEX)) == Vote.REJECTED
    tx = c.as_(INITECH).reject_expense(eid)
    (x,) = ExpenseRejectedEvent.from_result(tx)
    assert (x.expense_id, x.pool_id) == (eid, pid)
    assert c.view.expense(eid).status == ExpenseStatus.REJECTED
    with pytest.raises(CostSharingExpenseNotPending) as err:
        c.as_(ACME).approve_expense(eid)
    assert err.value.status == ExpenseStatus.REJECTED
    assert c.view.pool_info(pid).total_booked == 0


def test_with_unanimity_one_rejection_rejects(c: Costs) -> None:
    pid = c.pool(quorum=3)
    eid = c.submit(pid, 1000, c.addr(SUPPLIER))
    c.as_(ACME).approve_expense(eid)
    c.as_(INITECH).reject_expense(eid)
    assert c.view.expense(eid).status == ExpenseStatus.REJECTED


# ------------------------------------------------------------------------- remainder rule


def test_remainder_wei_go_to_the_participants_whose_boundary_crosses_them(c: Costs) -> None:
    pid = c.pool()  # 50 / 30 / 20: boundaries at 50% and 80% of the running total
    eid = c.book(pid, 7, c.addr(SUPPLIER))  # exact parts 3.5 / 2.1 / 1.4
    assert [c.view.share_of_expense(eid, c.addr(i)) for i in (ACME, GLOBEX, INITECH)] == [3, 2, 2]
    eid2 = c.book(pid, 7, c.addr(SUPPLIER))  # total 14: floor(7) - 3, floor(11.2) - 7 - 2, 14 - 11 - 2
    assert [c.view.share_of_expense(eid2, c.addr(i)) for i in (ACME, GLOBEX, INITECH)] == [4, 2, 1]
    owed = [c.view.position(pid, c.addr(i)).owed for i in (ACME, GLOBEX, INITECH)]
    assert owed == [7, 4, 3]  # exact 7 / 4.2 / 2.8: each within 1 wei, summing to 14


def test_submit_fails_below_the_pool_minimum_amount(c: Costs) -> None:
    pid = c.pool()  # smallest share 20%: minimum ceil(10000 / 2000) = 5
    assert c.view.min_amount(pid) == 5
    with pytest.raises(CostSharingAmountTooSmall) as err:
        c.submit(pid, 4, c.addr(SUPPLIER))
    assert (err.value.amount, err.value.minimum) == (4, 5)
    c.submit(pid, 5, c.addr(SUPPLIER))
    tiny = c.pool(((ACME, 9999), (GLOBEX, 1)), quorum=1)
    assert c.view.min_amount(tiny) == 10_000
    with pytest.raises(CostSharingUnknownPool):
        c.view.min_amount(99)


def test_shares_owed_sum_exactly_to_each_amount_and_stay_within_one_wei_of_the_exact_share(c: Costs) -> None:
    shares = ((ACME, 3333), (GLOBEX, 3333), (INITECH, 3334))
    pid = c.pool(shares)
    total = 0
    assert c.view.min_amount(pid) == 4
    for amount in (7, 4, 10_001, 999_999_999_999, 5, 2 * ETHER + 1, 13):
        eid = c.book(pid, amount, c.addr(SUPPLIER))
        parts = [c.view.share_of_expense(eid, c.addr(i)) for i, _ in shares]
        assert sum(parts) == amount
        for (_, bps), part in zip(shares, parts, strict=True):
            assert amount * bps // 10_000 - 1 <= part <= amount * bps // 10_000 + 2
        total += amount
        owed = [c.view.position(pid, c.addr(i)).owed for i, _ in shares]
        assert sum(owed) == total
        for (_, bps), o in zip(shares, owed, strict=True):
            assert abs(Fraction(o) - Fraction(total * bps, 10_000)) < 1
    assert c.view.share_of_expense(1, c.addr(UMBRELLA)) == 0  # not a participant


def test_huge_totals_do_not_overflow_the_split(c: Costs) -> None:
    pid = c.pool()
    big = 2**255 // 10_000 * 3
    eid = c.book(pid, big, c.addr(SUPPLIER))
    assert sum(c.view.share_of_expense(eid, c.addr(i)) for i in (ACME, GLOBEX, INITECH)) == big


# ---------------------------------------------------------------------------- settlement


def test_pay_reduces_the_debt_and_fills_the_pool(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    tx = c.as_(GLOBEX).pay(pid, 100, value=100)
    (p,) = PaidInEvent.from_result(tx)
    assert (p.pool_id, p.account, p.amount, p.debt_after) == (pid, c.addr(GLOBEX), 100, 200)
    pos = c.view.position(pid, c.addr(GLOBEX))
    assert (pos.owed, pos.paid_in, pos.debt, pos.credit) == (300, 100, 200, 0)
    assert c.view.held(pid) == 100
    assert c.view.pool_info(pid).total_paid_in == 100
    assert c.env.balance(c.address) == 100


def test_pay_fails_on_overpayment(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    with pytest.raises(CostSharingOverpayment) as err:
        c.as_(INITECH).pay(pid, 201, value=201)
    assert (err.value.pool_id, err.value.account, err.value.amount, err.value.debt) == (pid, c.addr(INITECH), 201, 200)
    c.as_(INITECH).pay(pid, 200, value=200)
    with pytest.raises(CostSharingOverpayment) as err:
        c.as_(INITECH).pay(pid, 1, value=1)
    assert err.value.debt == 0


def test_pay_fails_for_a_non_participant_zero_amount_wrong_value_unknown_pool(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    with pytest.raises(CostSharingNotParticipant):
        c.as_(UMBRELLA).pay(pid, 1, value=1)
    with pytest.raises(CostSharingZeroAmount):
        c.as_(ACME).pay(pid, 0)
    with pytest.raises(CostSharingWrongValue) as err:
        c.as_(ACME).pay(pid, 100, value=99)
    assert (err.value.sent, err.value.expected) == (99, 100)
    with pytest.raises(CostSharingUnknownPool):
        c.as_(ACME).pay(9, 1, value=1)


def test_pay_in_a_token_pool_refuses_ether(c: Costs) -> None:
    token = c.deploy_test("MockERC20", ["Test USD", "TUSD", 6])
    pid = c.pool(asset=token)
    c.book(pid, 1000, c.addr(SUPPLIER))
    with pytest.raises(CostSharingWrongValue) as err:
        c.as_(ACME).pay(pid, 10, value=10)
    assert (err.value.sent, err.value.expected) == (10, 0)


def test_claim_pays_the_credit_out_as_the_pool_fills(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    with pytest.raises(CostSharingInsufficientPoolFunds) as err:
        c.as_(SUPPLIER).claim(pid, 1, c.addr(SUPPLIER))
    assert (err.value.pool_id, err.value.amount, err.value.held) == (pid, 1, 0)
    c.as_(ACME).pay(pid, 500, value=500)
    before = c.env.balance(c.addr(OUTSIDER))
    tx = c.as_(SUPPLIER).claim(pid, 400, c.addr(OUTSIDER))
    (cl,) = ClaimedEvent.from_result(tx)
    assert (cl.pool_id, cl.account, cl.to, cl.amount, cl.credit_after) == (pid, c.addr(SUPPLIER), c.addr(OUTSIDER), 400, 600)
    assert c.env.balance(c.addr(OUTSIDER)) - before == 400
    assert c.view.held(pid) == 100
    pos = c.view.position(pid, c.addr(SUPPLIER))
    assert (pos.withdrawn, pos.credit) == (400, 600)
    with pytest.raises(CostSharingInsufficientPoolFunds) as err:
        c.as_(SUPPLIER).claim(pid, 101, c.addr(SUPPLIER))
    assert err.value.held == 100


def test_claim_fails_when_claiming_more_than_the_credit(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    for who, amt in ((ACME, 500), (GLOBEX, 300), (INITECH, 200)):
        c.as_(who).pay(pid, amt, value=amt)
    with pytest.raises(CostSharingClaimExceedsCredit) as err:
        c.as_(SUPPLIER).claim(pid, 1001, c.addr(SUPPLIER))
    assert (err.value.pool_id, err.value.account, err.value.amount, err.value.credit) == (
        pid, c.addr(SUPPLIER), 1001, 1000)
    with pytest.raises(CostSharingClaimExceedsCredit) as err:
        c.as_(ACME).claim(pid, 1, c.addr(ACME))  # a participant who paid its debt has no credit
    assert err.value.credit == 0
    with pytest.raises(CostSharingClaimExceedsCredit):
        c.as_(OUTSIDER).claim(pid, 1, c.addr(OUTSIDER))


def test_claim_fails_on_zero_amount_zero_recipient_unknown_pool(c: Costs) -> None:
    pid = c.pool()
    with pytest.raises(CostSharingZeroAmount):
        c.as_(SUPPLIER).claim(pid, 0, c.addr(SUPPLIER))
    with pytest.raises(CostSharingZeroAddress):
        c.as_(SUPPLIER).claim(pid, 1, ZERO)
    with pytest.raises(CostSharingUnknownPool):
        c.as_(SUPPLIER).claim(4, 1, c.addr(SUPPLIER))


def test_netting_a_participant_who_paid_the_supplier_settles_only_the_difference(c: Costs) -> None:
    pid = c.pool()  # 50 / 30 / 20
    c.book(pid, 1000, c.addr(ACME))  # Acme paid the supplier 1000 itself
    acme = c.view.position(pid, c.addr(ACME))
    assert (acme.owed, acme.credited, acme.debt, acme.credit) == (500, 1000, 0, 500)
    c.book(pid, 400, c.addr(GLOBEX), by=GLOBEX)  # Globex paid 400 itself
    globex = c.view.position(pid, c.addr(GLOBEX))
    assert (globex.owed, globex.credited, globex.debt, globex.credit) == (420, 400, 20, 0)
    initech = c.view.position(pid, c.addr(INITECH))
    assert (initech.owed, initech.debt) == (280, 280)
    acme = c.view.position(pid, c.addr(ACME))
    assert (acme.owed, acme.credit) == (700, 300)
    assert acme.owed + globex.owed + initech.owed == 1400
    c.as_(GLOBEX).pay(pid, 20, value=20)
    c.as_(INITECH).pay(pid, 280, value=280)
    c.as_(ACME).claim(pid, 300, c.addr(ACME))
    finals = [c.view.position(pid, c.addr(i)) for i in (ACME, GLOBEX, INITECH)]
    assert all(p.debt == 0 and p.credit == 0 for p in finals)
    # each bears exactly its share: what it paid to suppliers + paid in - withdrawn
    assert [p.credited + p.paid_in - p.withdrawn for p in finals] == [700, 420, 280]
    assert c.view.held(pid) == 0


def test_settlement_gives_the_same_result_in_any_order(c: Costs) -> None:
    results = []
    for order in ((ACME, GLOBEX, INITECH), (INITECH, GLOBEX, ACME)):
        d = Costs.start()
        pid = d.pool()
        d.book(pid, 777, d.addr(SUPPLIER))
        d.book(pid, 333, d.addr(GLOBEX), by=GLOBEX)
        for who in order:
            debt = d.view.position(pid, d.addr(who)).debt
            if debt:
                d.as_(who).pay(pid, debt, value=debt)
        for who in (SUPPLIER, GLOBEX)[:: 1 if order[0] == ACME else -1]:
            credit = d.view.position(pid, d.addr(who)).credit
            if credit:
                d.as_(who).claim(pid, credit, d.addr(who))
        results.append([d.view.position(pid, d.addr(i)) for i in (ACME, GLOBEX, INITECH, SUPPLIER)])
    assert results[0] == results[1]


def test_multicall_batches_votes_and_cannot_carry_ether_into_pay(c: Costs) -> None:
    pid = c.pool()
    first = c.submit(pid, 100, c.addr(SUPPLIER))
    second = c.submit(pid, 200, c.addr(SUPPLIER))
    encode = c.view.encode_approve_expense
    for who in (ACME, GLOBEX):
        c.as_(who).multicall([encode(first), encode(second)])
    assert [c.view.expense(e).status for e in (first, second)] == [ExpenseStatus.BOOKED] * 2
    assert c.view.pool_info(pid).total_booked == 300
    with pytest.raises(CostSharingWrongValue) as err:  # multicall is not payable: no value reaches pay
        c.as_(ACME).multicall([c.view.encode_pay(pid, 150)])
    assert (err.value.sent, err.value.expected) == (0, 150)
