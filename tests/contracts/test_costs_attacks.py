"""Attacks on CostSharing: re-entrant payee, reverting receiver, fee-on-transfer, no-return and
false-returning tokens, forced ether, and one pool reaching into another's funds."""

from __future__ import annotations

import pytest
from _costs import ACME, DEPLOYER, ETHER, GLOBEX, INITECH, OUTSIDER, SUPPLIER, TEST_ARTIFACTS, Costs
from mocks.cost_sharing_payee_mock import CostSharingPayeeMock, Mode
from mocks.false_return_token import FalseReturnToken
from mocks.fee_on_transfer_token import FeeOnTransferToken
from mocks.force_send import ForceSend
from mocks.mock_erc20 import MockERC20
from mocks.no_return_token import NoReturnToken

from coopetition._artifacts import load_artifact
from coopetition.bindings.cost_sharing import (
    CostSharingEtherTransferFailed,
    CostSharingInsufficientPoolFunds,
    CostSharingTransferShortfall,
    ReentrancyGuardReentrantCall,
    SafeERC20FailedOperation,
)

SHARES = ((ACME, 5000), (GLOBEX, 3000), (INITECH, 2000))


@pytest.fixture
def c() -> Costs:
    return Costs.start()


def settle_debts(c: Costs, pid: int, *, token: bool = False) -> None:
    for who, _ in SHARES:
        debt = c.view.position(pid, c.addr(who)).debt
        if debt:
            c.as_(who).pay(pid, debt, value=0 if token else debt)


def payee_mock(c: Costs) -> CostSharingPayeeMock:
    address = c.deploy_test("CostSharingPayeeMock", [c.address])
    return CostSharingPayeeMock(c.env.w3, address, c.env.pipeline(OUTSIDER))


# ----------------------------------------------------------------------------- re-entrancy


@pytest.mark.parametrize("mode", [Mode.REENTER_CLAIM, Mode.REENTER_PAY])
def test_a_reentrant_payee_is_paid_once_and_its_reentry_is_refused(c: Costs, mode: Mode) -> None:
    mock = payee_mock(c)
    pid = c.pool(SHARES)
    c.book(pid, 1000, mock.address)
    settle_debts(c, pid)
    mock.set_mode(mode)
    mock.claim(pid, 400, "0x" + "00" * 20)
    assert c.env.balance(mock.address) == 400
    assert mock.reentries() == 1
    assert mock.last_reentry_succeeded() is False
    assert mock.last_reentry_data()[:4] == ReentrancyGuardReentrantCall.selector
    pos = c.view.position(pid, mock.address)
    assert (pos.withdrawn, pos.credit) == (400, 600)
    assert c.view.held(pid) == 600
    assert c.env.balance(c.address) == 600


# ----------------------------------------------------------------------- reverting receiver


def test_a_reverting_receiver_fails_only_its_own_claim_and_can_claim_elsewhere(c: Costs) -> None:
    mock = payee_mock(c)
    pid = c.pool(SHARES)
    c.book(pid, 600, mock.address)
    c.book(pid, 400, c.addr(SUPPLIER))
    settle_debts(c, pid)
    mock.set_mode(Mode.REVERT)
    with pytest.raises(CostSharingEtherTransferFailed) as err:
        mock.claim(pid, 600, "0x" + "00" * 20)
    assert (err.value.to, err.value.amount) == (mock.address, 600)
    assert c.view.position(pid, mock.address).credit == 600
    # the other payee is not blocked
    c.as_(SUPPLIER).claim(pid, 400, c.addr(SUPPLIER))
    # and the refusing contract can still be paid at another address
    before = c.env.balance(c.addr(OUTSIDER))
    mock.with_sender(c.env.pipeline(DEPLOYER)).claim(pid, 600, c.addr(OUTSIDER))
    assert c.env.balance(c.addr(OUTSIDER)) - before == 600
    assert c.view.held(pid) == 0


# ------------------------------------------------------------------------------------ tokens


def token_pool(c: Costs, token: str, mint: object) -> int:
    pid = c.pool(SHARES, asset=token)
    for who, _ in SHARES:
        mint(c.addr(who), 10**9)  # type: ignore[operator]
    return pid


def test_fee_on_transfer_tokens_are_refused_so_accounting_stays_exact(c: Costs) -> None:
    address = c.deploy_test("FeeOnTransferToken", ["Fee", "FEE", 6, 100])
    token = FeeOnTransferToken(c.env.w3, address, c.env.pipeline(DEPLOYER))
    pid = token_pool(c, address, token.mint)
    c.book(pid, 1000, c.addr(SUPPLIER))
    token.with_sender(c.env.pipeline(ACME)).approve(c.address, 500)
    with pytest.raises(CostSharingTransferShortfall) as err:
        c.as_(ACME).pay(pid, 500)
    assert (err.value.token, err.value.expected, err.value.received) == (address, 500, 495)
    assert c.view.position(pid, c.addr(ACME)).paid_in == 0
    # without a fee the same token settles normally
    token.set_fee_bps(0)
    c.as_(ACME).pay(pid, 500)
    assert token.balance_of(c.address) == 500


def test_no_return_tokens_settle_normally(c: Costs) -> None:
    address = c.deploy_test("NoReturnToken", ["NoRet", "NRT", 6])
    token = NoReturnToken(c.env.w3, address, c.env.pipeline(DEPLOYER))
    pid = token_pool(c, address, token.mint)
    c.book(pid, 1000, c.addr(SUPPLIER))
    for who, _ in SHARES:
        token.with_sender(c.env.pipeline(who)).approve(c.address, 10**9)
    settle_debts(c, pid, token=True)
    assert token.balance_of(c.address) == 1000
    c.as_(SUPPLIER).claim(pid, 1000, c.addr(SUPPLIER))
    assert token.balance_of(c.addr(SUPPLIER)) == 1000
    assert token.balance_of(c.address) == 0


def test_false_returning_tokens_revert_pay_and_claim(c: Costs) -> None:
    address = c.deploy_test("FalseReturnToken", ["False", "FLS", 6])
    token = FalseReturnToken(c.env.w3, address, c.env.pipeline(DEPLOYER))
    pid = token_pool(c, address, token.mint)
    c.book(pid, 1000, c.addr(SUPPLIER))
    with pytest.raises(SafeERC20FailedOperation) as err:  # no allowance: transferFrom returns false
        c.as_(ACME).pay(pid, 500)
    assert err.value.token == address
    token.with_sender(c.env.pipeline(ACME)).approve(c.address, 500)
    c.as_(ACME).pay(pid, 500)
    token.set_failing(True)
    with pytest.raises(SafeERC20FailedOperation):
        c.as_(SUPPLIER).claim(pid, 500, c.addr(SUPPLIER))
    assert c.view.position(pid, c.addr(SUPPLIER)).withdrawn == 0
    assert c.view.held(pid) == 500


# ----------------------------------------------------------------------------- forced ether


def test_forced_ether_is_never_counted_or_claimable(c: Costs) -> None:
    pid = c.pool(SHARES)
    c.book(pid, 1000, c.addr(SUPPLIER))
    artifact = load_artifact("ForceSend", search=[TEST_ARTIFACTS])
    data = artifact.bytecode + ForceSend.encode_deploy_args(c.address).hex()
    tx = c.env.w3.eth.send_transaction(
        {"from": c.addr(OUTSIDER), "data": data, "value": ETHER, "gas": 500_000}  # type: ignore[typeddict-item]
    )
    assert c.env.w3.eth.wait_for_transaction_receipt(tx)["status"] == 1
    assert c.env.balance(c.address) == ETHER
    assert c.view.held(pid) == 0
    with pytest.raises(CostSharingInsufficientPoolFunds):
        c.as_(SUPPLIER).claim(pid, 1, c.addr(SUPPLIER))
    settle_debts(c, pid)
    c.as_(SUPPLIER).claim(pid, 1000, c.addr(SUPPLIER))
    assert c.view.held(pid) == 0
    assert c.env.balance(c.address) == ETHER  # stuck, never anybody's credit


# ------------------------------------------------------------------------------- isolation


def test_a_pool_cannot_pay_out_another_pools_funds_of_the_same_token(c: Costs) -> None:
    address = c.deploy_test("MockERC20", ["Test USD", "TUSD", 6])
    token = MockERC20(c.env.w3, address, c.env.pipeline(DEPLOYER))
    first = token_pool(c, address, token.mint)
    second = c.pool(SHARES, asset=address)
    for who, _ in SHARES:
        token.with_sender(c.env.pipeline(who)).approve(c.address, 10**9)
    c.book(first, 1000, c.addr(SUPPLIER))
    c.book(second, 5000, c.addr(OUTSIDER))
    settle_debts(c, second, token=True)
    assert token.balance_of(c.address) == 5000
    with pytest.raises(CostSharingInsufficientPoolFunds) as err:
        c.as_(SUPPLIER).claim(first, 1000, c.addr(SUPPLIER))
    assert (err.value.pool_id, err.value.held) == (first, 0)
