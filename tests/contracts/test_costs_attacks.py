"""Attacks on CostSharing v2, driven as the attacker would: through the generated typed bindings and the
real transaction pipeline on the embedded EVM.

The three findings of the review (issue 12) and the next attacks of the same kind:

1. debts written for others without their consent (and its cousins: replayed or forged acceptances,
   a payee voting through a shell, one approval binding everyone, expelled members' votes);
2. a default falling on whoever claims last (front-running, claiming in slices, claiming before a
   reversal, diluting a settled period);
3. evidence hashes squatted or booked twice (throw-away submissions, pending squats, a second pool);

then the classic ones: re-entrant payees and tokens, reverting receivers, fee-on-transfer, no-return
and false-returning tokens, forced ether, one pool reaching into another's funds.
"""

from __future__ import annotations

from dataclasses import astuple

import pytest
from _costs import (
    ACME,
    DAY,
    DEPLOYER,
    ETHER,
    GLOBEX,
    INITECH,
    OUTSIDER,
    SHARES,
    SUPPLIER,
    TEST_ARTIFACTS,
    UMBRELLA,
    ZERO,
    Costs,
    acceptance_typed_data,
    evidence,
)
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak
from mocks.cost_sharing_payee_mock import CostSharingPayeeMock, Mode
from mocks.cost_sharing_reentrant_token import CostSharingReentrantToken
from mocks.cost_sharing_test_wallet import CostSharingTestWallet
from mocks.false_return_token import FalseReturnToken
from mocks.fee_on_transfer_token import FeeOnTransferToken
from mocks.force_send import ForceSend
from mocks.mock_erc20 import MockERC20
from mocks.no_return_token import NoReturnToken

from coopetition._artifacts import load_artifact
from coopetition.bindings.cost_sharing import (
    CostSharing,
    CostSharingClaimExceedsCollectable,
    CostSharingEtherTransferFailed,
    CostSharingEvidenceAlreadyBooked,
    CostSharingInvalidAcceptance,
    CostSharingInvalidQuorum,
    CostSharingNotMember,
    CostSharingOwnClaim,
    CostSharingPeriodNotFinal,
    CostSharingTransferShortfall,
    CostSharingWrongPoolStatus,
    ExpenseStatus,
    PoolStatus,
    ReentrancyGuardReentrantCall,
    SafeERC20FailedOperation,
    SignedAcceptance,
)

ATTACKER = ACME


@pytest.fixture
def c() -> Costs:
    return Costs.start()


# ===================================================================== 1. debts without consent


def test_a_member_cannot_write_debts_for_others_they_did_not_accept(c: Costs) -> None:
    """The review's proof of concept: Acme names Globex and Initech, then books an expense to itself."""
    acme = c.as_(ATTACKER)
    with pytest.raises(CostSharingInvalidQuorum):  # quorum 1 is refused outright
        c.propose(c.terms(quorum=1), by=ATTACKER)
    pid = c.propose(c.terms(), by=ATTACKER)
    with pytest.raises(CostSharingWrongPoolStatus) as err:  # nothing can be submitted before consent
        acme.submit_expense(pid, 499_900 * ETHER, c.addr(ATTACKER), evidence(1), "INV-FAKE")
    assert err.value.status == PoolStatus.PROPOSED
    for victim in (GLOBEX, INITECH):
        assert c.view.seat_of(pid, c.addr(victim)).accepted is False
    c.as_(GLOBEX).leave_pool(pid)  # and a named member can decline: the pool is void
    assert c.view.pool_info(pid).status == PoolStatus.DISSOLVED


def test_in_a_live_pool_the_payee_cannot_book_its_own_expense(c: Costs) -> None:
    pid = c.pool()
    eid = c.submit(pid, 499_900 * ETHER, c.addr(ATTACKER), by=ATTACKER)
    with pytest.raises(CostSharingOwnClaim):
        c.as_(ATTACKER).approve_expense(eid)
    c.as_(GLOBEX).reject_expense(eid)  # 3000 of the others' 5000 against: approvals are out of reach
    assert c.view.expense(eid).status == ExpenseStatus.REJECTED
    assert c.view.position(pid, 0, c.addr(GLOBEX)).owed == 0


def test_a_shell_payee_still_needs_a_second_approver(c: Costs) -> None:
    """Acme holds 90% and sends an expense to an outsider it controls: its own approval is not enough."""
    pid = c.pool(((ATTACKER, 9000), (GLOBEX, 1000)))
    eid = c.submit(pid, 100 * ETHER, c.addr(OUTSIDER), by=ATTACKER)
    c.as_(ATTACKER).approve_expense(eid)
    assert c.view.expense(eid).status == ExpenseStatus.PENDING
    c.as_(GLOBEX).reject_expense(eid)
    assert c.view.expense(eid).status == ExpenseStatus.REJECTED


def test_an_acceptance_signed_for_one_pool_cannot_be_replayed_for_another(c: Costs) -> None:
    honest = c.propose(c.terms(), by=GLOBEX)
    signed = c.signed(honest, INITECH)
    trap = c.propose(c.terms(), by=ATTACKER)  # the very same terms, another pool
    with pytest.raises(CostSharingInvalidAcceptance):
        c.as_(ATTACKER).submit_acceptances(trap, [signed])
    assert c.view.seat_of(trap, c.addr(INITECH)).accepted is False


def test_an_acceptance_signed_for_one_contract_cannot_be_replayed_on_another(c: Costs) -> None:
    pid = c.propose(c.terms(), by=GLOBEX)
    signed = c.signed(pid, INITECH)
    other_address = c.env.deploy("CostSharing", [c.consortium], by=DEPLOYER)
    other = CostSharing(c.env.w3, other_address, c.env.pipeline(ATTACKER))
    other.create_pool(c.terms())  # same pool id, same terms hash, another verifying contract
    with pytest.raises(CostSharingInvalidAcceptance):
        other.submit_acceptances(pid, [signed])


def test_a_wallet_signature_cannot_be_replayed_for_another_wallet_of_the_same_owner(c: Costs) -> None:
    """Two naive ERC-1271 wallets of one owner accept each other's signatures; the signed struct names
    the participant, so the owner's acceptance for wallet A is not one for wallet B."""
    owner = Account.from_key(keccak(text="one owner, two wallets"))
    wallet_a = c.deploy_test("CostSharingTestWallet", [owner.address])
    wallet_b = c.deploy_test("CostSharingTestWallet", [owner.address])
    c.admit(wallet_a, "Wallet A")
    c.admit(wallet_b, "Wallet B", by=(ACME, GLOBEX, INITECH))
    pid = c.propose(c.terms(((ATTACKER, 5000), (wallet_a, 2500), (wallet_b, 2500))), by=ATTACKER)
    deadline = c.env.now() + DAY
    th = c.view.pool_info(pid).terms_hash
    typed = acceptance_typed_data(c.chain_id, c.address, pid, wallet_a, th, deadline)
    signature = bytes(owner.sign_message(encode_typed_data(full_message=typed)).signature)
    with pytest.raises(CostSharingInvalidAcceptance):
        c.as_(ATTACKER).submit_acceptances(pid, [SignedAcceptance(wallet_b, deadline, signature)])
    c.as_(ATTACKER).submit_acceptances(pid, [SignedAcceptance(wallet_a, deadline, signature)])
    assert [c.view.seat_of(pid, w).accepted for w in (wallet_a, wallet_b)] == [True, False]
    assert CostSharingTestWallet(c.env.w3, wallet_b).owner() == owner.address


def test_expelled_members_cannot_vote_nor_have_their_old_votes_counted(c: Costs) -> None:
    pid = c.pool(((ATTACKER, 4000), (GLOBEX, 3000), (INITECH, 3000)))
    eid = c.submit(pid, 100 * ETHER, c.addr(OUTSIDER), by=GLOBEX)
    c.as_(ATTACKER).approve_expense(eid)
    c.expel(ATTACKER, by=(GLOBEX, INITECH))  # the consortium expels Acme
    with pytest.raises(CostSharingNotMember):
        c.as_(ATTACKER).reject_expense(eid)
    c.as_(GLOBEX).approve_expense(eid)  # 7000 bps before the check, 3000 after: not booked
    e = c.view.expense(eid)
    assert (e.status, e.approval_weight) == (ExpenseStatus.PENDING, 3000)


def test_a_booking_obtained_by_deceit_is_reversed_before_anything_is_paid(c: Costs) -> None:
    pid = c.pool(((ATTACKER, 4000), (GLOBEX, 3000), (INITECH, 3000)))
    eid = c.book(pid, 100 * ETHER, c.addr(OUTSIDER), by=ATTACKER)  # Globex approved in good faith
    with pytest.raises(CostSharingPeriodNotFinal):
        c.as_(OUTSIDER).claim(pid, 0, 1, c.addr(OUTSIDER))
    c.as_(GLOBEX).dispute_expense(eid, keccak(text="the invoice is forged"))
    c.as_(INITECH).dispute_expense(eid, keccak(text="confirmed"))
    assert c.view.expense(eid).status == ExpenseStatus.REVERSED
    c.open_period(pid)
    assert c.view.position(pid, 0, c.addr(GLOBEX)).owed == 0
    assert c.view.position(pid, 0, c.addr(OUTSIDER)).credit == 0


# ============================================================== 2. a default on the last claimer


def _defaulted(c: Costs) -> int:
    """Period 0: supplier 600, outsider 400 booked; Globex (300 owed) never pays: 700 paid in."""
    pid = c.pool()
    c.book(pid, 600, c.addr(SUPPLIER))
    c.book(pid, 400, c.addr(OUTSIDER))
    c.open_period(pid)
    c.settle_debts(pid, skip=(GLOBEX,))
    return pid


def test_a_creditor_cannot_front_run_the_others_out_of_their_part(c: Costs) -> None:
    """The review's proof of concept: the first claimer took everything, the last got nothing."""
    pid = _defaulted(c)
    with pytest.raises(CostSharingClaimExceedsCollectable) as err:
        c.as_(SUPPLIER).claim(pid, 0, 700, c.addr(SUPPLIER))  # all that was paid in
    assert err.value.collectable == 420
    c.as_(SUPPLIER).claim(pid, 0, 420, c.addr(SUPPLIER))
    c.as_(OUTSIDER).claim(pid, 0, 280, c.addr(OUTSIDER))  # the last claimer gets its whole part
    assert c.env.balance(c.address) == 0
    # the shortfall (300) falls 60 / 40 on the two creditors, and Globex's debt stays on record
    assert c.view.position(pid, 0, c.addr(GLOBEX)).debt == 300


def test_claiming_in_slices_collects_no_more_than_the_pro_rata_part(c: Costs) -> None:
    pid = _defaulted(c)
    taken = 0
    for _ in range(7):
        c.as_(SUPPLIER).claim(pid, 0, 60, c.addr(SUPPLIER))
        taken += 60
    with pytest.raises(CostSharingClaimExceedsCollectable):
        c.as_(SUPPLIER).claim(pid, 0, 1, c.addr(SUPPLIER))
    assert taken == 420
    assert c.view.position(pid, 0, c.addr(OUTSIDER)).collectable == 280


def test_a_later_booking_cannot_dilute_a_period_that_has_opened(c: Costs) -> None:
    pid = _defaulted(c)
    c.as_(SUPPLIER).claim(pid, 0, 420, c.addr(SUPPLIER))
    late = c.book(pid, 10 * ETHER, c.addr(SUPPLIER), by=ATTACKER)  # lands in the current period
    assert c.view.expense(late).period == 1
    assert c.view.position(pid, 0, c.addr(OUTSIDER)).collectable == 280
    assert astuple(c.view.period_totals(pid, 0)) == (1000, 700)


def test_a_participant_creditor_cannot_net_more_than_its_part(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(ATTACKER), by=ATTACKER)  # Acme paid the supplier; owes 500 itself
    c.book(pid, 1000, c.addr(SUPPLIER))
    c.open_period(pid)
    c.as_(INITECH).pay(pid, 0, c.addr(INITECH), 400, value=400)  # Globex (600) defaults
    # Acme pays its 1000 and is entitled to 1000 * 1400 / 2000 = 700: it sends 300
    c.as_(ATTACKER).settle(pid, 0, c.addr(ATTACKER), value=300)
    assert c.view.position(pid, 0, c.addr(ATTACKER)).withdrawn == 700
    assert c.view.position(pid, 0, c.addr(SUPPLIER)).collectable == 700  # the same 70%


# ===================================================================== 3. evidence squatting


def test_a_throw_away_submission_cannot_burn_an_invoice(c: Costs) -> None:
    """The review's proof of concept: submit the invoice hash, withdraw, and the real one reverts."""
    pid = c.pool()
    squat = c.submit(pid, 5, c.addr(OUTSIDER), by=GLOBEX, n=77)
    c.as_(GLOBEX).withdraw_expense(squat)
    real = c.book(pid, 1000, c.addr(SUPPLIER), by=ACME, n=77)
    assert c.view.booked_evidence(evidence(77)) == real


def test_a_pending_squat_reserves_nothing_and_can_never_be_booked_after_the_real_one(c: Costs) -> None:
    pid = c.pool()
    squat = c.submit(pid, 5, c.addr(OUTSIDER), by=GLOBEX, n=78)  # left pending on purpose
    real = c.book(pid, 1000, c.addr(SUPPLIER), by=ACME, n=78)
    c.as_(ACME).approve_expense(squat)
    with pytest.raises(CostSharingEvidenceAlreadyBooked) as err:
        c.as_(INITECH).approve_expense(squat)
    assert (err.value.pool_id, err.value.expense_id) == (pid, real)


def test_the_same_invoice_cannot_be_charged_in_a_second_pool(c: Costs) -> None:
    first = c.pool()
    booked = c.book(first, 1000, c.addr(SUPPLIER), n=79)
    second = c.pool(((ATTACKER, 5000), (UMBRELLA, 5000)))
    with pytest.raises(CostSharingEvidenceAlreadyBooked) as err:
        c.submit(second, 1000, c.addr(SUPPLIER), by=ATTACKER, n=79)
    assert (err.value.evidence_hash, err.value.pool_id, err.value.expense_id) == (evidence(79), first, booked)


def test_a_squat_needs_a_booking_which_names_the_squatters_pool(c: Costs) -> None:
    """What is left: two colluding members can book a hash first in a pool of their own. They cannot do
    it alone or unseen: the victims' submission is refused naming the colluders' pool and expense,
    and the colluders owe the amount to the payee they chose between themselves."""
    sham = c.pool(((ATTACKER, 5000), (UMBRELLA, 5000)))
    squat = c.book(sham, 1, c.addr(UMBRELLA), by=UMBRELLA, n=80)
    victims = c.pool(((GLOBEX, 5000), (INITECH, 5000)), by=GLOBEX)
    with pytest.raises(CostSharingEvidenceAlreadyBooked) as err:
        c.submit(victims, 1000, c.addr(SUPPLIER), by=GLOBEX, n=80)
    assert (err.value.pool_id, err.value.expense_id) == (sham, squat)


# ======================================================================= classic attacks


def payee_mock(c: Costs) -> CostSharingPayeeMock:
    address = c.deploy_test("CostSharingPayeeMock", [c.address])
    return CostSharingPayeeMock(c.env.w3, address, c.env.pipeline(OUTSIDER))


@pytest.mark.parametrize("mode", [Mode.REENTER_CLAIM, Mode.REENTER_PAY])
def test_a_reentrant_payee_is_paid_once_and_its_reentry_is_refused(c: Costs, mode: Mode) -> None:
    mock = payee_mock(c)
    pid = c.pool()
    c.book(pid, 1000, mock.address)
    c.open_period(pid)
    c.settle_debts(pid)
    mock.set_mode(mode)
    mock.claim(pid, 0, 400, ZERO)
    assert c.env.balance(mock.address) == 400
    assert (mock.reentries(), mock.last_reentry_succeeded()) == (1, False)
    assert mock.last_reentry_data()[:4] == ReentrancyGuardReentrantCall.selector
    pos = c.view.position(pid, 0, mock.address)
    assert (pos.withdrawn, pos.collectable) == (400, 600)
    assert c.env.balance(c.address) == 600


def test_a_reverting_receiver_fails_only_its_own_claim_and_can_claim_elsewhere(c: Costs) -> None:
    mock = payee_mock(c)
    pid = c.pool()
    c.book(pid, 600, mock.address)
    c.book(pid, 400, c.addr(SUPPLIER))
    c.open_period(pid)
    c.settle_debts(pid)
    mock.set_mode(Mode.REVERT)
    with pytest.raises(CostSharingEtherTransferFailed) as err:
        mock.claim(pid, 0, 600, ZERO)
    assert (err.value.to, err.value.amount) == (mock.address, 600)
    with pytest.raises(CostSharingEtherTransferFailed):  # pushing to it fails the same way, harmlessly
        c.as_(OUTSIDER).push(pid, 0, mock.address)
    c.as_(SUPPLIER).claim(pid, 0, 400, c.addr(SUPPLIER))  # the other payee is not blocked
    before = c.env.balance(c.addr(OUTSIDER))
    mock.with_sender(c.env.pipeline(DEPLOYER)).claim(pid, 0, 600, c.addr(OUTSIDER))
    assert c.env.balance(c.addr(OUTSIDER)) - before == 600
    assert c.env.balance(c.address) == 0


def test_a_reentrant_token_cannot_pay_or_claim_twice(c: Costs) -> None:
    address = c.deploy_test("CostSharingReentrantToken", [])
    token = CostSharingReentrantToken(c.env.w3, address, c.env.pipeline(DEPLOYER))
    pid = c.pool(asset=address)
    c.book(pid, 1000, c.addr(SUPPLIER))
    c.open_period(pid)
    for who, _ in SHARES:
        token.mint(c.addr(who), 10**6)
        token.with_sender(c.env.pipeline(who)).approve(c.address, 10**6)
    token.arm(c.address, CostSharing.encode_claim(pid, 0, 1, c.addr(SUPPLIER)))
    c.settle_debts(pid, token=True)
    assert token.reentries() == 3 and token.last_reentry_succeeded() is False
    assert token.last_reentry_data()[:4] == ReentrancyGuardReentrantCall.selector
    token.arm(c.address, CostSharing.encode_pay(pid, 0, c.addr(ACME), 1))
    c.as_(SUPPLIER).claim(pid, 0, 1000, c.addr(SUPPLIER))
    assert token.last_reentry_succeeded() is False
    assert token.balance_of(c.address) == 0 and token.balance_of(c.addr(SUPPLIER)) == 1000


def _token_pool(c: Costs, token: str, mint: object) -> int:
    pid = c.pool(asset=token)
    for who, _ in SHARES:
        mint(c.addr(who), 10**9)  # type: ignore[operator]
    return pid


def test_fee_on_transfer_tokens_are_refused_so_accounting_stays_exact(c: Costs) -> None:
    address = c.deploy_test("FeeOnTransferToken", ["Fee", "FEE", 6, 100])
    token = FeeOnTransferToken(c.env.w3, address, c.env.pipeline(DEPLOYER))
    pid = _token_pool(c, address, token.mint)
    c.book(pid, 1000, c.addr(SUPPLIER))
    c.open_period(pid)
    token.with_sender(c.env.pipeline(ACME)).approve(c.address, 500)
    with pytest.raises(CostSharingTransferShortfall) as err:
        c.as_(ACME).pay(pid, 0, c.addr(ACME), 500)
    assert (err.value.token, err.value.expected, err.value.received) == (address, 500, 495)
    assert c.view.position(pid, 0, c.addr(ACME)).paid == 0
    token.set_fee_bps(0)
    c.as_(ACME).pay(pid, 0, c.addr(ACME), 500)
    assert token.balance_of(c.address) == 500


def test_no_return_tokens_settle_normally(c: Costs) -> None:
    address = c.deploy_test("NoReturnToken", ["NoRet", "NRT", 6])
    token = NoReturnToken(c.env.w3, address, c.env.pipeline(DEPLOYER))
    pid = _token_pool(c, address, token.mint)
    c.book(pid, 1000, c.addr(SUPPLIER))
    c.open_period(pid)
    for who, _ in SHARES:
        token.with_sender(c.env.pipeline(who)).approve(c.address, 10**9)
    c.settle_debts(pid, token=True)
    c.as_(SUPPLIER).claim(pid, 0, 1000, c.addr(SUPPLIER))
    assert (token.balance_of(c.addr(SUPPLIER)), token.balance_of(c.address)) == (1000, 0)


def test_false_returning_tokens_revert_pay_and_claim(c: Costs) -> None:
    address = c.deploy_test("FalseReturnToken", ["False", "FLS", 6])
    token = FalseReturnToken(c.env.w3, address, c.env.pipeline(DEPLOYER))
    pid = _token_pool(c, address, token.mint)
    c.book(pid, 1000, c.addr(SUPPLIER))
    c.open_period(pid)
    with pytest.raises(SafeERC20FailedOperation) as err:  # no allowance: transferFrom returns false
        c.as_(ACME).pay(pid, 0, c.addr(ACME), 500)
    assert err.value.token == address
    token.with_sender(c.env.pipeline(ACME)).approve(c.address, 500)
    c.as_(ACME).pay(pid, 0, c.addr(ACME), 500)
    token.set_failing(True)
    with pytest.raises(SafeERC20FailedOperation):
        c.as_(SUPPLIER).claim(pid, 0, 500, c.addr(SUPPLIER))
    assert c.view.position(pid, 0, c.addr(SUPPLIER)).withdrawn == 0


def test_forced_ether_is_never_counted_or_claimable(c: Costs) -> None:
    pid = c.pool()
    c.book(pid, 1000, c.addr(SUPPLIER))
    artifact = load_artifact("ForceSend", search=[TEST_ARTIFACTS])
    data = artifact.bytecode + ForceSend.encode_deploy_args(c.address).hex()
    tx = c.env.w3.eth.send_transaction(
        {"from": c.addr(OUTSIDER), "data": data, "value": ETHER, "gas": 500_000}  # type: ignore[typeddict-item]
    )
    assert c.env.w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
    c.open_period(pid)
    with pytest.raises(CostSharingClaimExceedsCollectable):
        c.as_(SUPPLIER).claim(pid, 0, 1, c.addr(SUPPLIER))
    c.settle_debts(pid)
    c.as_(SUPPLIER).claim(pid, 0, 1000, c.addr(SUPPLIER))
    assert c.env.balance(c.address) == ETHER  # stuck, never anybody's part


def test_a_pool_cannot_pay_out_another_pools_funds_of_the_same_token(c: Costs) -> None:
    address = c.deploy_test("MockERC20", ["Test USD", "TUSD", 6])
    token = MockERC20(c.env.w3, address, c.env.pipeline(DEPLOYER))
    first = _token_pool(c, address, token.mint)
    second = c.pool(asset=address)
    for who, _ in SHARES:
        token.with_sender(c.env.pipeline(who)).approve(c.address, 10**9)
    c.book(first, 1000, c.addr(SUPPLIER))
    c.book(second, 5000, c.addr(OUTSIDER))
    c.open_period(second)  # the later of the two
    c.settle_debts(second, token=True)
    assert token.balance_of(c.address) == 5000
    with pytest.raises(CostSharingClaimExceedsCollectable) as err:
        c.as_(SUPPLIER).claim(first, 0, 1000, c.addr(SUPPLIER))
    assert (err.value.pool_id, err.value.collectable) == (first, 0)
    with pytest.raises(CostSharingClaimExceedsCollectable):  # nor another period of its own pool
        c.as_(OUTSIDER).claim(second, 1, 1, c.addr(OUTSIDER))
