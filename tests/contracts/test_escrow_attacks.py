"""Attacks on the JointVentureEscrow, each driven the way the attacker would (an attacker contract or
token from contracts/test/, through the typed wrappers, on a real EVM), and each now harmless.

The five findings of issue 11:

1. a silent partner in a 2-of-2 froze the other partner's money for good (EscrowSilentPartner);
2. an ERC-777-style hook token re-entered on the last deposit and turned Cancelled back into Active
   (EscrowHookToken + the EscrowTestActor's `tokensToSend` hook);
3. a token with a second entry address (TUSD legacy style) let `sweepSurplus` drain the deposits
   (EscrowDoubleEntryToken / EscrowLegacyEntry);
4. dissolution votes cast while funding stayed armed after activation (EscrowTestActor votes early);
5. a beneficiary contract that cannot call `withdraw` stranded its money (EscrowPassiveBeneficiary).

And the older ones, still covered: a reentrant partner and beneficiary, a reverting receiver, a
fee-on-transfer token (now refused), tokens returning no value or `false`, ether forced in, tokens
sent directly. In every case nothing is lost, nothing is paid twice, nothing stays stuck, and the
reserve books cover what the contract owes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _consortium import govern
from _escrow_support import ETH, ETHER, EscrowWorld
from eth_account import Account
from mocks.escrow_double_entry_token import EscrowDoubleEntryToken
from mocks.escrow_hook_token import EscrowHookToken
from mocks.escrow_passive_beneficiary import EscrowPassiveBeneficiary
from mocks.escrow_silent_partner import EscrowSilentPartner
from mocks.escrow_test_actor import EscrowTestActor, EscrowTestActorRefused
from mocks.false_return_token import FalseReturnToken
from mocks.fee_on_transfer_token import FeeOnTransferToken
from mocks.no_return_token import NoReturnToken

from coopetition._abi import selector
from coopetition.bindings.joint_venture_escrow import (
    AssetTransferAmountMismatch,
    CancelReason,
    JointVentureEscrow,
    JointVentureEscrowInvalidDissolutionQuorum,
    JointVentureEscrowNotVoted,
    JointVentureEscrowQuorumNotReached,
    JointVentureEscrowSweepTouchedHeld,
    SafeERC20FailedOperation,
    State,
    SurplusSweptEvent,
    VentureTerms,
)

ACCEPT, REVERT, REENTER = 0, 1, 2
REENTRANT_CALL = selector("ReentrancyGuardReentrantCall()")


@pytest.fixture(scope="module")
def world() -> Iterator[EscrowWorld]:
    yield EscrowWorld.start(4, n_actors=2, member_contracts=("EscrowSilentPartner",))


def fresh() -> str:
    return str(Account.create().address)


def actor(world: EscrowWorld, i: int, by: int = 0) -> EscrowTestActor:
    return EscrowTestActor(world.w3, world.actors[i], world.pipeline(by))


def actor_deposits(world: EscrowWorld, i: int, vid: int, amount: int) -> None:
    actor(world, i).act(world.escrow_address, JointVentureEscrow.encode_deposit(vid, amount), amount, value=amount)


def check_books(world: EscrowWorld, asset: str = ETH) -> None:
    """The escrow reserves at least what its ventures owe in ``asset`` and holds at least that."""
    esc = world.escrow(None)
    owed = sum(esc.held_for(v) for v in range(1, esc.venture_count() + 1) if esc.venture(v).asset == asset)
    assert esc.reserved(asset) >= owed
    held = world.env.balance(world.escrow_address) if asset == ETH else world.token(asset).balance_of(world.escrow_address)
    assert held >= owed


def governance_sweep(world: EscrowWorld, asset: str, to: str) -> int:
    """The consortium (quorum 1) proposes and executes ``sweepSurplus(asset, to)``; its block number."""
    tx = govern(world.env, world.consortium_address, JointVentureEscrow.encode_sweep_surplus(asset, to),
                target=world.escrow_address, description="sweep")
    return tx.block_number


# ------------------------------------------------------------- finding 1: the silent partner


def test_a_silent_partner_in_a_two_of_two_cannot_hold_the_other_hostage(world: EscrowWorld) -> None:
    silent = world.contracts["EscrowSilentPartner"]
    # the library's default quorum for two partners is 2 of 2; the v1 configuration (dissolution at the
    # same 2 of 2) is refused: whoever can block a release must be able to leave
    v1_terms = world.terms([0, silent], [ETHER, ETHER], [ETHER], quorum=2, dissolution_quorum=2)
    with pytest.raises(JointVentureEscrowInvalidDissolutionQuorum) as err:
        world.escrow(0).create_venture(v1_terms)
    assert (err.value.dissolution_quorum, err.value.max) == (2, 1)
    vid = world.create(world.terms([0, silent], [ETHER, ETHER], [ETHER], quorum=2))
    EscrowSilentPartner(world.w3, silent, world.pipeline(2)).fund(world.escrow_address, vid, value=ETHER)
    world.fund(vid)
    assert world.escrow(None).venture_state(vid) == State.ACTIVE
    # from here on the partner never answers: no release can reach the quorum
    world.escrow(0).approve_milestone(vid, 0)
    with pytest.raises(JointVentureEscrowQuorumNotReached):
        world.escrow(0).release_milestone(vid, 0)
    # ...but the other partner dissolves alone, takes its money back, and anyone pushes the silent one's
    world.escrow(0).vote_dissolution(vid)
    assert world.escrow(None).venture_state(vid) == State.CANCELLED
    before = world.env.balance(world.address(0))
    world.escrow(0).refund(vid, world.address(0))
    assert world.env.balance(world.address(0)) > before  # 1 ether less the gas
    silent_before = world.env.balance(silent)
    world.escrow(3).push_refund(vid, silent)
    assert world.env.balance(silent) - silent_before == ETHER
    assert world.escrow(None).held_for(vid) == 0
    check_books(world)


def test_a_partner_that_never_pays_cannot_hold_deposits_past_a_bounded_deadline(world: EscrowWorld) -> None:
    silent = world.contracts["EscrowSilentPartner"]
    vid = world.create(world.terms([0, silent], [ETHER, ETHER], [ETHER], quorum=2, deadline_in=7 * 86400))
    world.fund(vid)  # member 0 pays; the silent partner never does
    world.env.time_travel(7 * 86400)
    assert world.escrow(None).venture_state(vid) == State.CANCELLED
    to = fresh()
    world.escrow(0).refund(vid, to)
    assert world.env.balance(to) == ETHER
    # and the deadline itself could not have been set 49 years out (tests/test_escrow_contract.py)


# ------------------------------------------------------------- finding 2: the hook token


def test_a_token_hook_cannot_reenter_the_last_deposit_to_cancel_and_reactivate(world: EscrowWorld) -> None:
    token = world.deploy_test("EscrowHookToken", [])
    hook = EscrowHookToken(world.w3, token, world.pipeline(0))
    a = world.actors[0]
    hook.mint(world.address(0), 100)
    hook.mint(a, 100)
    vid = world.create(world.terms([0, a], [100, 100], [50], asset=token, quorum=1, dissolution_quorum=1))
    world.fund(vid)  # member 0 pays first; the actor's deposit is the last one
    mock = actor(world, 0)
    mock.act(token, EscrowHookToken.encode_register_hook(True), 0)
    mock.act(token, EscrowHookToken.encode_approve(world.escrow_address, 100), 0)
    # v1: the hook's dissolution vote (quorum 1) cancelled the venture, then deposit wrote Active over it
    mock.configure(REENTER, world.escrow_address, JointVentureEscrow.encode_vote_dissolution(vid))
    tx = mock.act(world.escrow_address, JointVentureEscrow.encode_deposit(vid, 100), 0)
    assert mock.reentry_attempted() and not mock.reentry_succeeded()
    assert mock.reentry_return_data() == REENTRANT_CALL
    events = world.escrow(None).events
    block = tx.block_number
    assert len(events.venture_activated(from_block=block, to_block=block)) == 1
    assert not events.venture_cancelled(from_block=block, to_block=block)
    v = world.escrow(None).venture(vid)
    assert (v.state, v.dissolution_votes) == (State.ACTIVE, 0)
    assert hook.balance_of(world.escrow_address) == 200
    # the exit still works, once, with `>=`
    mock.configure(ACCEPT, ETH, b"")
    world.escrow(0).vote_dissolution(vid)
    assert world.escrow(None).venture(vid).state == State.CANCELLED
    world.escrow(0).refund(vid, world.address(0))
    mock.act(world.escrow_address, JointVentureEscrow.encode_refund(vid, a), 0)
    assert hook.balance_of(world.address(0)) == hook.balance_of(a) == 100
    check_books(world, token)


# ------------------------------------------------------------- finding 3: the second entry point


def test_a_second_token_address_cannot_sweep_the_deposits() -> None:
    world = EscrowWorld.start(3)  # its own books: only this test's ventures are reserved
    token = world.deploy_test("EscrowDoubleEntryToken", [])
    dbl = EscrowDoubleEntryToken(world.w3, token, world.pipeline(0))
    legacy = dbl.legacy()
    for i in (0, 1):
        dbl.mint(world.address(i), 1000)
    vid = world.create(world.terms([0, 1], [600, 400], [500], asset=token, quorum=1))
    world.fund(vid)
    dbl.mint(world.escrow_address, 5)  # stray tokens sent directly: surplus
    assert dbl.balance_of(world.escrow_address) == 1005
    # v1 computed balanceOf(legacy) - held[legacy] = 1005 - 0 and sent it all away through the legacy entry
    with pytest.raises(JointVentureEscrowSweepTouchedHeld) as err:
        governance_sweep(world, legacy, fresh())
    assert (err.value.asset, err.value.balance, err.value.expected) == (token, 0, 1005)
    assert dbl.balance_of(world.escrow_address) == 1005
    # through the real address only the 5 stray units go
    dest = fresh()
    block = governance_sweep(world, token, dest)
    swept = world.escrow(None).events.surplus_swept(from_block=block, to_block=block)[0]
    assert (swept.asset, swept.amount) == (token, 5)
    assert dbl.balance_of(dest) == 5 and dbl.balance_of(world.escrow_address) == 1000
    # and the partners still get every unit back
    world.escrow(0).vote_dissolution(vid)
    world.escrow(1).vote_dissolution(vid)
    for i in (0, 1):
        world.escrow(i).refund(vid, world.address(i))
        assert dbl.balance_of(world.address(i)) == 1000


# ------------------------------------------------------------- finding 4: stale votes


def test_votes_cast_while_funding_do_not_cancel_an_active_venture(world: EscrowWorld) -> None:
    a = world.actors[1]
    vid = world.create(world.terms([0, 1, a], [ETHER, ETHER, ETHER], [ETHER], quorum=2))  # dissolve at 2
    mock = actor(world, 1)
    mock.act(world.escrow_address, JointVentureEscrow.encode_vote_dissolution(vid), 0)  # armed early
    world.fund(vid)
    actor_deposits(world, 1, vid, ETHER)
    assert world.escrow(None).venture_state(vid) == State.ACTIVE
    assert world.escrow(None).venture(vid).dissolution_votes == 0
    assert not world.escrow(None).partner(vid, a).voted_dissolution
    # v1: this one later vote met the quorum with the stale one and cancelled the venture
    world.escrow(0).vote_dissolution(vid)
    assert world.escrow(None).venture_state(vid) == State.ACTIVE
    with pytest.raises(JointVentureEscrowNotVoted):  # the stale vote is gone, nothing to withdraw
        mock.act(world.escrow_address, JointVentureEscrow.encode_withdraw_vote(vid), 0)
    world.escrow(0).withdraw_vote(vid)  # and a vote of this round can be taken back
    assert world.escrow(None).venture(vid).dissolution_votes == 0


# ------------------------------------------------------------- finding 5: the passive beneficiary


def test_a_beneficiary_contract_that_cannot_call_withdraw_is_paid_by_a_push(world: EscrowWorld) -> None:
    passive = world.deploy_test("EscrowPassiveBeneficiary", [])
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER, ETHER // 2], quorum=1, beneficiary=passive))
    world.fund(vid)
    for i in (0, 1):
        world.escrow(0).approve_milestone(vid, i)
        world.escrow(0).release_milestone(vid, i)
    assert world.escrow(None).venture(vid).withdrawable == ETHER + ETHER // 2
    tx = world.escrow(3).push_withdrawal(vid)  # any member or outsider
    received = EscrowPassiveBeneficiary(world.w3, passive, None).events.received(
        from_block=tx.block_number, to_block=tx.block_number)
    assert [(r.from_, r.amount) for r in received] == [(world.escrow_address, ETHER + ETHER // 2)]
    assert world.env.balance(passive) == ETHER + ETHER // 2
    assert world.escrow(None).venture(vid).withdrawable == 0
    for i in (0, 1):
        world.escrow(3).push_refund(vid, world.address(i))
    assert world.escrow(None).held_for(vid) == 0
    check_books(world)


# ------------------------------------------------------------------------------- reentrancy


def test_reentrant_partner_cannot_take_its_refund_twice(world: EscrowWorld) -> None:
    a = world.actors[0]
    vid = world.create(world.terms([0, a], [ETHER, 2 * ETHER], [ETHER], quorum=1, dissolution_quorum=1))
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
    # the push path is guarded the same way
    actor(world, 0).configure(REENTER, world.escrow_address, JointVentureEscrow.encode_push_refund(vid, a))
    world.escrow(0).push_refund(vid, world.address(0))
    actor(world, 0).configure(ACCEPT, ETH, b"")
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
    assert world.escrow(None).venture(vid).withdrawable == 0
    # a pushed payout re-entering to release the next milestone is blocked too
    world.escrow(1).approve_milestone(vid, 1)
    actor(world, 1).configure(REENTER, world.escrow_address, JointVentureEscrow.encode_release_milestone(vid, 1))
    world.escrow(1).release_milestone(vid, 1)
    world.escrow(2).push_withdrawal(vid)
    assert world.env.balance(b) - before == ETHER + ETHER // 2
    actor(world, 1).configure(ACCEPT, ETH, b"")
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
    with pytest.raises(EscrowTestActorRefused) as err:  # the receiver's own error, bubbled up
        actor(world, 0).act(world.escrow_address, JointVentureEscrow.encode_withdraw(vid, a), 0)
    assert err.value.value == ETHER
    with pytest.raises(EscrowTestActorRefused):
        actor(world, 0).act(world.escrow_address, JointVentureEscrow.encode_refund(vid, a), 0)
    with pytest.raises(EscrowTestActorRefused):  # a push to it fails the same way
        actor(world, 1, by=2).act(world.escrow_address, JointVentureEscrow.encode_push_withdrawal(vid), 0)
    assert world.escrow(None).venture(vid).withdrawable == ETHER  # nothing changed
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


def test_fee_on_transfer_token_is_refused(world: EscrowWorld) -> None:
    token = world.deploy_test("FeeOnTransferToken", ["Fee", "FEE", 18, 100])  # 1 % burned per transfer
    fee = FeeOnTransferToken(world.w3, token, world.pipeline(0))
    for i in (0, 1):
        fee.mint(world.address(i), 1000)
        FeeOnTransferToken(world.w3, token, world.pipeline(i)).approve(world.escrow_address, 10**30)
    vid = world.create(world.terms([0, 1], [500, 300], [400], quorum=1, asset=token))
    with pytest.raises(AssetTransferAmountMismatch) as err:
        world.escrow(0).deposit(vid, 500)  # 495 would arrive
    assert (err.value.token, err.value.expected, err.value.received) == (token, 500, 495)
    assert world.escrow(None).partner(vid, world.address(0)).paid == 0
    assert fee.balance_of(world.escrow_address) == 0
    world.escrow(0).deposit(vid, 5)  # the fee rounds down to 0 on 5 units: exactly 5 arrive
    assert world.escrow(None).partner(vid, world.address(0)).paid == 5
    check_books(world, token)


def test_token_returning_no_value_works_end_to_end(world: EscrowWorld) -> None:
    token = world.deploy_test("NoReturnToken", ["Tether", "USDT", 6])
    nrt = NoReturnToken(world.w3, token, world.pipeline(0))
    for i in (0, 1):
        nrt.mint(world.address(i), 10**9)
        NoReturnToken(world.w3, token, world.pipeline(i)).approve(world.escrow_address, 10**9)
    vid = world.create(world.terms([0, 1], [3 * 10**6, 10**6], [10**6, 10**6], quorum=1, dissolution_quorum=1,
                                   asset=token, beneficiary=world.address(3)))
    world.escrow(0).deposit(vid, 3 * 10**6)
    world.escrow(1).deposit(vid, 10**6)
    world.escrow(0).approve_milestone(vid, 0)
    world.escrow(0).release_milestone(vid, 0)
    world.escrow(3).withdraw(vid, world.address(3))
    assert nrt.balance_of(world.address(3)) == 10**6
    world.escrow(1).vote_dissolution(vid)
    world.escrow(0).refund(vid, world.address(0))
    world.escrow(2).push_refund(vid, world.address(1))
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
    vid = world.create(world.terms([0, 1], [100, 100], [50], quorum=1, dissolution_quorum=1, asset=token))
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
def test_forced_ether_is_never_credited_and_only_governance_can_sweep_it() -> None:
    world = EscrowWorld.start(3)  # its own books
    vid = world.create(world.terms([0, 1], [ETHER, ETHER], [ETHER], quorum=1, dissolution_quorum=1))
    world.fund(vid)
    forcer = world.deploy_test("ForceSend", [world.escrow_address], value=3 * ETHER + 7)
    assert world.env.balance(forcer) == 0  # all of it went in, without calling the escrow
    assert world.env.balance(world.escrow_address) == 5 * ETHER + 7
    assert world.escrow(None).reserved(ETH) == 2 * ETHER  # credited to nobody
    # while the venture holds its deposits only the forced ether is surplus
    dest = fresh()
    block = governance_sweep(world, ETH, dest)
    swept = world.escrow(None).events.surplus_swept(from_block=block, to_block=block)[0]
    assert isinstance(swept, SurplusSweptEvent)
    assert (swept.asset, swept.to, swept.amount) == (ETH, dest, 3 * ETHER + 7)
    # refunds stay exact: the surplus was not shared out, the deposits not touched
    world.escrow(0).vote_dissolution(vid)
    for i in (0, 1):
        to = fresh()
        world.escrow(i).refund(vid, to)
        assert world.env.balance(to) == ETHER
    world.escrow(2).release_reserve(vid)
    assert world.escrow(None).reserved(ETH) == 0 == world.env.balance(world.escrow_address)


def test_tokens_sent_directly_are_surplus_not_credit(world: EscrowWorld) -> None:
    token = world.deploy_test("MockERC20", ["USD Coin", "USDC", 6])
    usdc = world.token(token, 0)
    usdc.mint(world.escrow_address, 555)
    assert world.escrow(None).reserved(token) == 0
    dest = fresh()
    governance_sweep(world, token, dest)
    assert usdc.balance_of(dest) == 555


def test_the_readme_two_partner_example_can_be_dissolved_by_either_partner(world: EscrowWorld) -> None:
    """Issue 11's acceptance line: two partners with the library's defaults (quorum n // 2 + 1 = 2,
    dissolution quorum n - quorum + 1 = 1)."""
    for leaver in (0, 1):
        terms: VentureTerms = world.terms([0, 1], [2 * ETHER, ETHER], [ETHER, 2 * ETHER])
        assert (terms.quorum, terms.dissolution_quorum) == (2, 1)
        vid = world.create(terms)
        world.fund(vid)
        world.escrow(leaver).vote_dissolution(vid)
        events = world.escrow(None).events.venture_cancelled(from_block=world.w3.eth.block_number)
        assert events[0].reason == CancelReason.DISSOLVED
        for i in (0, 1):
            world.escrow(i).refund(vid, world.address(i))
        assert world.escrow(None).held_for(vid) == 0
