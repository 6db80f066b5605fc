"""Attacks on the JointVentureEscrow and hostile assets: a reentrant beneficiary and partner, a
reverting receiver, a fee-on-transfer token, a token returning no value, a token returning false, and
ETH forced into the contract. In every case nothing is lost, nothing is credited twice, and nothing
stays stuck: the accounting always equals what the contract really holds for the ventures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _consortium import govern
from _escrow_support import ETHER, EscrowWorld
from eth_account import Account
from mocks.escrow_test_actor import EscrowTestActor
from mocks.false_return_token import FalseReturnToken
from mocks.fee_on_transfer_token import FeeOnTransferToken
from mocks.no_return_token import NoReturnToken

from coopetition._abi import selector
from coopetition.bindings.joint_venture_escrow import (
    DepositedEvent,
    JointVentureEscrow,
    JointVentureEscrowDepositExceedsOwed,
    JointVentureEscrowEtherTransferFailed,
    JointVentureEscrowZeroDeposit,
    SafeERC20FailedOperation,
    State,
    SurplusSweptEvent,
)
from coopetition.escrow import ETH

ACCEPT, REVERT, REENTER = 0, 1, 2
REENTRANT_CALL = selector("ReentrancyGuardReentrantCall()")


@pytest.fixture(scope="module")
def world() -> Iterator[EscrowWorld]:
    yield EscrowWorld.start(4, n_actors=2)


def fresh() -> str:
    return str(Account.create().address)


def actor(world: EscrowWorld, i: int, by: int = 0) -> EscrowTestActor:
    return EscrowTestActor(world.w3, world.actors[i], world.pipeline(by))


def actor_deposits(world: EscrowWorld, i: int, vid: int, amount: int) -> None:
    actor(world, i).act(world.escrow_address, JointVentureEscrow.encode_deposit(vid, amount), amount, value=amount)


def check_books(world: EscrowWorld, asset: str = ETH) -> None:
    """The escrow holds at least what it owes, and owes what its ventures' books say."""
    esc = world.escrow(None)
    owed = sum(esc.held_for(v) for v in range(1, esc.venture_count() + 1) if esc.venture(v).asset == asset)
    assert esc.total_held(asset) == owed
    if asset == ETH:
        assert world.env.balance(world.escrow_address) >= owed
    else:
        assert world.token(asset).balance_of(world.escrow_address) >= owed


# ------------------------------------------------------------------------------- reentrancy


def test_reentrant_partner_cannot_take_its_refund_twice(world: EscrowWorld) -> None:
    a = world.actors[0]
    vid = world.create(world.terms([0, a], [ETHER, 2 * ETHER], [ETHER], quorum=1))
    world.fund(vid)  # member 0
    actor_deposits(world, 0, vid, 2 * ETHER)
    assert world.escrow(None).venture(vid).state == State.ACTIVE
    world.escrow(0).vote_dissolution(vid)
    refund_call = JointVentureEscrow.encode_refund(vid, a)
    actor(world, 0).configure(REENTER, world.escrow_address, refund_call)
    before = world.env.balance(a)
    actor(world, 0).act(world.escrow_address, refund_call, 0)
    mock = actor(world, 0)
    assert mock.reentry_attempted() and not mock.reentry_succeeded()
    assert mock.reentry_return_data() == REENTRANT_CALL
    assert world.env.balance(a) - before == 2 * ETHER  # paid exactly once
    assert world.escrow(None).partner(vid, a).refunded
    world.escrow(0).refund(vid, world.address(0))
    assert world.escrow(None).held_for(vid) == 0
    check_books(world)


def test_reentrant_beneficiary_cannot_withdraw_twice_or_refund_through_the_hook(world: EscrowWorld) -> None:
    b = world.actors[1]
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER, ETHER // 2], quorum=1, beneficiary=b))
    world.fund(vid)
    world.escrow(0).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)
    withdraw_call = JointVentureEscrow.encode_withdraw(vid, b)
    actor(world, 1).configure(REENTER, world.escrow_address, withdraw_call)
    before = world.env.balance(b)
    actor(world, 1).act(world.escrow_address, withdraw_call, 0)
    assert actor(world, 1).reentry_return_data() == REENTRANT_CALL
    assert world.env.balance(b) - before == ETHER
    assert world.escrow(None).withdrawable(vid) == 0
    # the hook now tries the next release through a second milestone, also blocked while paying
    world.escrow(1).approve_milestone(vid, 1)
    world.escrow(1).release_milestone(vid, 1)
    actor(world, 1).configure(REENTER, world.escrow_address, JointVentureEscrow.encode_withdraw(vid, b))
    actor(world, 1).act(world.escrow_address, withdraw_call, 0)
    assert world.env.balance(b) - before == ETHER + ETHER // 2
    check_books(world)


# -------------------------------------------------------------------------- reverting receiver


def test_reverting_receiver_changes_nothing_and_can_be_paid_elsewhere(world: EscrowWorld) -> None:
    a = world.actors[0]
    vid = world.create(world.terms([0, a], [ETHER, ETHER], [ETHER], quorum=1, beneficiary=a))
    world.fund(vid)
    actor_deposits(world, 0, vid, ETHER)
    world.escrow(0).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)  # completes: 1 ether for the beneficiary, 1 ether back
    actor(world, 0).configure(REVERT, ETH, b"")
    with pytest.raises(JointVentureEscrowEtherTransferFailed) as err:
        actor(world, 0).act(world.escrow_address, JointVentureEscrow.encode_withdraw(vid, a), 0)
    assert (err.value.to, err.value.amount) == (a, ETHER)
    with pytest.raises(JointVentureEscrowEtherTransferFailed):
        actor(world, 0).act(world.escrow_address, JointVentureEscrow.encode_refund(vid, a), 0)
    assert world.escrow(None).withdrawable(vid) == ETHER  # nothing changed
    assert world.escrow(None).refundable(vid, a) == ETHER // 2
    elsewhere = fresh()
    actor(world, 0).act(world.escrow_address, JointVentureEscrow.encode_withdraw(vid, elsewhere), 0)
    actor(world, 0).act(world.escrow_address, JointVentureEscrow.encode_refund(vid, elsewhere), 0)
    assert world.env.balance(elsewhere) == ETHER + ETHER // 2
    world.escrow(0).refund(vid, world.address(0))
    assert world.escrow(None).held_for(vid) == 0
    check_books(world)
    actor(world, 0).configure(ACCEPT, ETH, b"")


# ------------------------------------------------------------------------------- odd tokens


def test_fee_on_transfer_token_credits_only_what_arrived(world: EscrowWorld) -> None:
    token = world.deploy_test("FeeOnTransferToken", ["Fee", "FEE", 18, 100])  # 1 % burned per transfer
    fee = FeeOnTransferToken(world.w3, token, world.pipeline(0))
    for i in (0, 1):
        fee.mint(world.address(i), 1000)
        FeeOnTransferToken(world.w3, token, world.pipeline(i)).approve(world.escrow_address, 10**30)
    vid = world.create(world.terms([0, 1], [500, 300], [400], quorum=1, asset=token))
    tx = world.escrow(0).deposit(vid, 500)
    assert DepositedEvent.from_result(tx)[0].credited == 495
    assert world.escrow(None).partner(vid, world.address(0)).paid == 495
    with pytest.raises(JointVentureEscrowDepositExceedsOwed) as err:
        world.escrow(0).deposit(vid, 100)  # 99 would arrive, 5 are owed
    assert (err.value.credited, err.value.remaining) == (99, 5)
    world.escrow(0).deposit(vid, 5)  # fee rounds down to 0 on 5 units
    world.escrow(1).deposit(vid, 300)
    world.escrow(1).deposit(vid, 3)
    v = world.escrow(None).venture(vid)
    assert (v.state, v.deposited) == (State.ACTIVE, 800)
    assert fee.balance_of(world.escrow_address) == 800
    check_books(world, token)
    fee.set_fee_bps(10_000)  # everything burned: nothing arrives, nothing is credited
    vid2 = world.create(world.terms([0, 1], [10, 10], [10], asset=token))
    with pytest.raises(JointVentureEscrowZeroDeposit):
        world.escrow(0).deposit(vid2, 10)
    fee.set_fee_bps(100)
    world.escrow(0).vote_dissolution(vid)
    world.escrow(0).refund(vid, world.address(0))
    world.escrow(1).refund(vid, world.address(1))
    assert world.escrow(None).held_for(vid) == 0
    assert fee.balance_of(world.escrow_address) == 0  # outgoing fees are paid by the sender: nothing short
    check_books(world, token)


def test_token_returning_no_value_works_end_to_end(world: EscrowWorld) -> None:
    token = world.deploy_test("NoReturnToken", ["Tether", "USDT", 6])
    nrt = NoReturnToken(world.w3, token, world.pipeline(0))
    for i in (0, 1):
        nrt.mint(world.address(i), 10**9)
        NoReturnToken(world.w3, token, world.pipeline(i)).approve(world.escrow_address, 10**9)
    vid = world.create(world.terms([0, 1], [3 * 10**6, 10**6], [10**6, 10**6], quorum=1,
                                   asset=token, beneficiary=world.address(3)))
    world.escrow(0).deposit(vid, 3 * 10**6)
    world.escrow(1).deposit(vid, 10**6)
    world.escrow(0).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)
    world.escrow(3).withdraw(vid, world.address(3))
    assert nrt.balance_of(world.address(3)) == 10**6
    world.escrow(1).vote_dissolution(vid)
    world.escrow(0).refund(vid, world.address(0))
    world.escrow(1).refund(vid, world.address(1))
    # R = 1e6 of T = 4e6: parts 750000 and 250000
    assert nrt.balance_of(world.address(0)) == 10**9 - 750_000
    assert nrt.balance_of(world.address(1)) == 10**9 - 250_000
    assert nrt.balance_of(world.escrow_address) == 0
    check_books(world, token)


def test_token_returning_false_is_never_taken_for_a_payment(world: EscrowWorld) -> None:
    token = world.deploy_test("FalseReturnToken", ["Liar", "LIE", 18])
    frt = FalseReturnToken(world.w3, token, world.pipeline(0))
    for i in (0, 1):
        frt.mint(world.address(i), 1000)
    vid = world.create(world.terms([0, 1], [100, 100], [50], quorum=1, asset=token))
    # no allowance: the token answers false instead of reverting
    with pytest.raises(SafeERC20FailedOperation) as err:
        world.escrow(0).deposit(vid, 100)
    assert err.value.token == token
    assert world.escrow(None).partner(vid, world.address(0)).paid == 0
    for i in (0, 1):
        FalseReturnToken(world.w3, token, world.pipeline(i)).approve(world.escrow_address, 1000)
    frt.set_failing(True)
    with pytest.raises(SafeERC20FailedOperation):
        world.escrow(0).deposit(vid, 100)
    frt.set_failing(False)
    world.escrow(0).deposit(vid, 100)
    world.escrow(1).deposit(vid, 100)
    world.escrow(0).vote_dissolution(vid)
    frt.set_failing(True)
    with pytest.raises(SafeERC20FailedOperation):
        world.escrow(0).refund(vid, world.address(0))
    assert world.escrow(None).refundable(vid, world.address(0)) == 100  # still owed, not lost
    frt.set_failing(False)
    world.escrow(0).refund(vid, world.address(0))
    world.escrow(1).refund(vid, world.address(1))
    assert frt.balance_of(world.address(0)) == frt.balance_of(world.address(1)) == 1000
    check_books(world, token)


# --------------------------------------------------------------------------------- forced ETH


@pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")
def test_forced_ether_is_never_credited_and_only_governance_can_sweep_it(world: EscrowWorld) -> None:
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER], quorum=1))
    world.fund(vid)
    held = world.escrow(None).total_held(ETH)
    balance = world.env.balance(world.escrow_address)
    forcer = world.deploy_test("ForceSend", [world.escrow_address], value=3 * ETHER + 7)
    assert world.env.balance(forcer) == 0  # all of it went in, without calling the escrow
    assert world.env.balance(world.escrow_address) == balance + 3 * ETHER + 7
    assert world.escrow(None).total_held(ETH) == held  # credited to nobody
    # refunds stay exact: the surplus is not shared out
    world.escrow(0).vote_dissolution(vid)
    for i in (0, 1):
        to = fresh()
        world.escrow(i).refund(vid, to)
        assert world.env.balance(to) == ETHER
    surplus = world.env.balance(world.escrow_address) - world.escrow(None).total_held(ETH)
    assert surplus >= 3 * ETHER + 7
    # only the consortium sweeps it, to where a proposal says
    dest = fresh()
    tx = govern(world.env, world.consortium_address, JointVentureEscrow.encode_sweep_surplus(ETH, dest),
                target=world.escrow_address, description="sweep forced ETH")
    # the consortium's receipt decodes its own events: read the escrow's from the chain
    swept = world.escrow(None).events.surplus_swept(from_block=tx.block_number, to_block=tx.block_number)[0]
    assert isinstance(swept, SurplusSweptEvent)
    assert (swept.asset, swept.to, swept.amount) == (ETH, dest, surplus)
    assert world.env.balance(dest) == surplus
    assert world.env.balance(world.escrow_address) == world.escrow(None).total_held(ETH)
    check_books(world)


def test_tokens_sent_directly_are_surplus_not_credit(world: EscrowWorld) -> None:
    token = world.deploy_test("MockERC20", ["USD Coin", "USDC", 6])
    usdc = world.token(token, 0)
    usdc.mint(world.escrow_address, 555)
    assert world.escrow(None).total_held(token) == 0
    dest = fresh()
    govern(world.env, world.consortium_address, JointVentureEscrow.encode_sweep_surplus(token, dest),
           target=world.escrow_address, description="sweep USDC")
    assert usdc.balance_of(dest) == 555
