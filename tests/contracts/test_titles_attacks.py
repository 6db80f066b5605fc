"""Attacks on the title exchange: re-entrant ERC-1155 receivers on fill and cancel, a receiver that
reverts, fee-on-transfer / no-return / false-returning payment tokens, ether forced in by
selfdestruct, and attempts to move escrowed titles through the exchange's operator power."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _titles_env import ACME, BOND, GLOBEX, INITECH, SHARES, TitlesWorld, restore, snapshot
from mocks.false_return_token import FalseReturnToken
from mocks.fee_on_transfer_token import FeeOnTransferToken
from mocks.mock_erc20 import MockERC20
from mocks.no_return_token import NoReturnToken
from mocks.titles_reentrant_receiver import TitlesReentrantReceiver
from mocks.titles_reverting_receiver import (
    TitlesRevertingReceiver,
    TitlesRevertingReceiverRejected,
)

from coopetition.bindings.title_exchange import (
    OfferStatus,
    PaymentKind,
    ReentrancyGuardReentrantCall,
    SafeERC20FailedOperation,
    TitleExchange,
    TitleExchangePaymentShort,
)
from coopetition.bindings.title_registry import ERC1155MissingApprovalForAll, TitleRegistry
from coopetition.exceptions import ContractCustomError, ContractRevertError

ETHER = 10**18
pytestmark = pytest.mark.filterwarnings("ignore:SELFDESTRUCT opcode:DeprecationWarning")
REENTRANCY_SELECTOR = ReentrancyGuardReentrantCall.selector


@pytest.fixture(scope="module")
def base() -> TitlesWorld:
    return TitlesWorld.start()


@pytest.fixture
def world(base: TitlesWorld) -> Iterator[TitlesWorld]:
    snap = snapshot(base)
    yield base
    restore(base, snap)


def _reentrant_member(world: TitlesWorld, *, shares: int = 0) -> TitlesReentrantReceiver:
    """A TitlesReentrantReceiver admitted as member "Mallory", holding ``shares`` class-1 titles and 10 ether."""
    address = world.deploy_mock("TitlesReentrantReceiver", [])
    world.add_member(address, "Mallory")
    if shares:
        world.govern(TitleRegistry.encode_issue(SHARES, address, shares))
    world.env.send_ether(0, address, 10 * ETHER)
    return TitlesReentrantReceiver(world.env.w3, address, world.env.pipeline(0))


def _offer_as(world: TitlesWorld, actor: TitlesReentrantReceiver | TitlesRevertingReceiver, **kw: object) -> int:
    actor.execute(world.exchange_address, TitleExchange.encode_make_offer(world.terms(**kw)), 0)  # type: ignore[arg-type]
    offer_id = world.exchange().offer_count()
    assert world.exchange().offer(offer_id).maker == actor.address
    return offer_id


# --------------------------------------------------------------------- re-entrancy


def test_reentrant_taker_cannot_fill_again_from_its_receipt_hook(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world)
    oid = world.make_offer(ACME, amount=100, price=ETHER, partial=True)
    mallory.arm(world.exchange_address, TitleExchange.encode_fill(oid, 10), ETHER // 10, True)
    # OpenZeppelin's error is declared by several contracts: match it by signature, not by binding class.
    with pytest.raises(ContractCustomError, match=r"ReentrancyGuardReentrantCall\(\)"):
        mallory.execute(world.exchange_address, TitleExchange.encode_fill(oid, 10), ETHER // 10)
    offer = world.exchange().offer(oid)
    assert offer.filled == 0 and world.balance(mallory.address, SHARES) == 0
    assert world.balance(world.exchange_address, SHARES) == 100


def test_reentrant_taker_whose_reentry_is_swallowed_fills_exactly_once(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world)
    oid = world.make_offer(ACME, amount=100, price=ETHER, partial=True)
    mallory.arm(world.exchange_address, TitleExchange.encode_fill(oid, 10), ETHER // 10, False)
    mallory.execute(world.exchange_address, TitleExchange.encode_fill(oid, 10), ETHER // 10)
    assert mallory.reentry_attempts() == 1 and mallory.reentry_failed()
    assert mallory.reentry_error()[:4] == REENTRANCY_SELECTOR
    assert world.exchange().offer(oid).filled == 10
    assert world.balance(mallory.address, SHARES) == 10
    assert world.exchange().proceeds(world.addr(ACME)) == ETHER // 10


def test_reentrant_maker_cannot_cancel_twice_from_its_receipt_hook(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world, shares=50)
    oid = _offer_as(world, mallory, amount=50)
    mallory.arm(world.exchange_address, TitleExchange.encode_cancel(oid), 0, True)
    # OpenZeppelin's error is declared by several contracts: match it by signature, not by binding class.
    with pytest.raises(ContractCustomError, match=r"ReentrancyGuardReentrantCall\(\)"):
        mallory.execute(world.exchange_address, TitleExchange.encode_cancel(oid), 0)
    assert world.exchange().offer_state(oid) is OfferStatus.OPEN
    mallory.arm(world.exchange_address, TitleExchange.encode_cancel(oid), 0, False)
    mallory.execute(world.exchange_address, TitleExchange.encode_cancel(oid), 0)
    assert mallory.reentry_failed() and mallory.reentry_error()[:4] == REENTRANCY_SELECTOR
    assert world.balance(mallory.address, SHARES) == 50
    assert world.balance(world.exchange_address, SHARES) == 0
    assert world.exchange().offer_state(oid) is OfferStatus.CANCELLED


def test_reentrant_maker_cannot_fill_another_offer_while_its_cancel_returns_titles(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world, shares=50)
    own = _offer_as(world, mallory, amount=50)
    other = world.make_offer(GLOBEX, amount=10, price=ETHER)
    mallory.arm(world.exchange_address, TitleExchange.encode_fill(other, 10), ETHER, False)
    mallory.execute(world.exchange_address, TitleExchange.encode_cancel(own), 0)
    assert mallory.reentry_failed()
    assert world.exchange().offer_state(other) is OfferStatus.OPEN


def test_reentrant_maker_paid_in_titles_cannot_reenter_during_the_payment_leg(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world, shares=50)
    oid = _offer_as(world, mallory, amount=50, kind=PaymentKind.TITLE, payment_title_id=BOND, price=20)
    mallory.arm(world.exchange_address, TitleExchange.encode_cancel(oid), 0, True)
    # OpenZeppelin's error is declared by several contracts: match it by signature, not by binding class.
    with pytest.raises(ContractCustomError, match=r"ReentrancyGuardReentrantCall\(\)"):
        world.exchange(INITECH).fill(oid, 50)
    assert world.balance(INITECH, BOND) == 300 and world.balance(mallory.address, SHARES) == 0


def test_reentrant_maker_withdrawing_ether_gets_it_once(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world, shares=50)
    oid = _offer_as(world, mallory, amount=50, price=ETHER)
    world.exchange(GLOBEX).fill(oid, 50, value=ETHER)
    before = world.env.balance(mallory.address)
    mallory.execute(world.exchange_address, TitleExchange.encode_withdraw(), 0)
    assert world.env.balance(mallory.address) == before + ETHER
    assert world.exchange().total_proceeds() == 0 and world.env.balance(world.exchange_address) == 0


# --------------------------------------------------------------------- reverting receivers


def _reverting_member(world: TitlesWorld, *, shares: int = 0) -> TitlesRevertingReceiver:
    address = world.deploy_mock("TitlesRevertingReceiver", [])
    world.add_member(address, "Refuser")
    refuser = TitlesRevertingReceiver(world.env.w3, address, world.env.pipeline(0))
    if shares:
        refuser.set_rejecting(False)
        world.govern(TitleRegistry.encode_issue(SHARES, address, shares))
        refuser.set_rejecting(True)
    return refuser


def test_a_taker_refusing_titles_reverts_only_its_own_fill(world: TitlesWorld) -> None:
    refuser = _reverting_member(world)
    oid = world.make_offer(ACME, amount=10, price=ETHER)
    with pytest.raises(TitlesRevertingReceiverRejected):
        refuser.execute(world.exchange_address, TitleExchange.encode_fill(oid, 10), ETHER, value=ETHER)
    assert world.exchange().offer(oid).filled == 0
    world.exchange(GLOBEX).fill(oid, 10, value=ETHER)
    assert world.balance(GLOBEX, SHARES) == 510


def test_a_maker_refusing_ether_cannot_block_fills_and_withdraws_once_it_accepts(world: TitlesWorld) -> None:
    refuser = _reverting_member(world, shares=20)
    oid = _offer_as(world, refuser, amount=20, price=2 * ETHER, partial=True)
    world.exchange(GLOBEX).fill(oid, 10, value=ETHER)
    world.exchange(INITECH).fill(oid, 10, value=ETHER)
    assert world.exchange().proceeds(refuser.address) == 2 * ETHER
    with pytest.raises(TitlesRevertingReceiverRejected):
        refuser.execute(world.exchange_address, TitleExchange.encode_withdraw(), 0)
    assert world.exchange().proceeds(refuser.address) == 2 * ETHER
    refuser.set_rejecting(False)
    refuser.execute(world.exchange_address, TitleExchange.encode_withdraw(), 0)
    assert world.env.balance(refuser.address) == 2 * ETHER


def test_a_maker_refusing_its_returned_titles_keeps_them_escrowed_until_it_accepts(world: TitlesWorld) -> None:
    refuser = _reverting_member(world, shares=20)
    oid = _offer_as(world, refuser, amount=20)
    with pytest.raises(TitlesRevertingReceiverRejected):
        refuser.execute(world.exchange_address, TitleExchange.encode_cancel(oid), 0)
    assert world.exchange().offer_state(oid) is OfferStatus.OPEN
    assert world.balance(world.exchange_address, SHARES) == 20
    refuser.set_rejecting(False)
    refuser.execute(world.exchange_address, TitleExchange.encode_cancel(oid), 0)
    assert world.balance(refuser.address, SHARES) == 20


# --------------------------------------------------------------------- payment tokens


def test_fee_on_transfer_payment_reverts_the_whole_fill(world: TitlesWorld) -> None:
    fot = world.deploy_mock("FeeOnTransferToken", ["Fee", "FEE", 18, 100])
    token = FeeOnTransferToken(world.env.w3, fot, world.env.pipeline(GLOBEX))
    token.mint(world.addr(GLOBEX), 1000 * ETHER)
    token.approve(world.exchange_address, 1000 * ETHER)
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TOKEN, token=fot, price=100 * ETHER)
    with pytest.raises(TitleExchangePaymentShort) as err:
        world.exchange(GLOBEX).fill(oid, 100)
    assert (err.value.token, err.value.expected, err.value.received) == (fot, 100 * ETHER, 99 * ETHER)
    assert token.balance_of(world.addr(ACME)) == 0
    assert world.balance(world.exchange_address, SHARES) == 100
    assert world.exchange().offer(oid).filled == 0
    token.set_fee_bps(0)
    world.exchange(GLOBEX).fill(oid, 100)
    assert token.balance_of(world.addr(ACME)) == 100 * ETHER


def test_no_return_token_payment_works_through_safe_erc20(world: TitlesWorld) -> None:
    nrt = world.deploy_mock("NoReturnToken", ["Tether-like", "USDT", 6])
    token = NoReturnToken(world.env.w3, nrt, world.env.pipeline(GLOBEX))
    token.mint(world.addr(GLOBEX), 10**12)
    token.approve(world.exchange_address, 10**12)
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TOKEN, token=nrt, price=5 * 10**9, partial=True)
    world.exchange(GLOBEX).fill(oid, 40)
    assert token.balance_of(world.addr(ACME)) == 2 * 10**9
    assert world.balance(GLOBEX, SHARES) == 540


def test_no_return_token_without_allowance_reverts_and_moves_nothing(world: TitlesWorld) -> None:
    nrt = world.deploy_mock("NoReturnToken", ["Tether-like", "USDT", 6])
    NoReturnToken(world.env.w3, nrt, world.env.pipeline(GLOBEX)).mint(world.addr(GLOBEX), 10**12)
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TOKEN, token=nrt, price=10**9)
    with pytest.raises(ContractRevertError):  # the token's own revert (no allowance)
        world.exchange(GLOBEX).fill(oid, 100)
    assert world.balance(world.exchange_address, SHARES) == 100


def test_false_returning_token_payment_is_refused(world: TitlesWorld) -> None:
    frt = world.deploy_mock("FalseReturnToken", ["False", "FLS", 18])
    token = FalseReturnToken(world.env.w3, frt, world.env.pipeline(GLOBEX))
    token.mint(world.addr(GLOBEX), 100 * ETHER)
    token.approve(world.exchange_address, 100 * ETHER)
    token.set_failing(True)
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TOKEN, token=frt, price=10 * ETHER)
    with pytest.raises(SafeERC20FailedOperation) as err:
        world.exchange(GLOBEX).fill(oid, 100)
    assert err.value.token == frt
    assert token.balance_of(world.addr(ACME)) == 0 and world.balance(GLOBEX, SHARES) == 500
    token.set_failing(False)
    world.exchange(GLOBEX).fill(oid, 100)
    assert token.balance_of(world.addr(ACME)) == 10 * ETHER


# --------------------------------------------------------------------- forced ether, operator power


def test_forced_ether_changes_no_accounting(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=10, price=ETHER)
    world.deploy_mock("ForceSend", [world.exchange_address], value=3 * ETHER)
    assert world.env.balance(world.exchange_address) == 3 * ETHER
    assert world.exchange().total_proceeds() == 0
    world.exchange(GLOBEX).fill(oid, 10, value=ETHER)
    assert world.exchange().proceeds(world.addr(ACME)) == ETHER
    world.exchange(ACME).withdraw()
    assert world.env.balance(world.exchange_address) == 3 * ETHER  # stranded, owed to nobody
    assert world.exchange().total_proceeds() == 0


def test_nobody_can_pull_escrowed_titles_through_the_registry(world: TitlesWorld) -> None:
    world.make_offer(ACME, amount=100)
    for who in (ACME, GLOBEX):
        with pytest.raises(ERC1155MissingApprovalForAll):
            world.registry(who).safe_transfer_from(world.exchange_address, world.addr(who), SHARES, 100, b"")
    assert world.balance(world.exchange_address, SHARES) == 100


def test_the_exchange_operator_power_cannot_move_a_third_partys_titles(world: TitlesWorld) -> None:
    """The exchange only moves titles of msg.sender: an offer by Acme never touches Globex's titles."""
    usdc = world.deploy_mock("MockERC20", ["USD Coin", "USDC", 6])
    MockERC20(world.env.w3, usdc, world.env.pipeline(GLOBEX)).mint(world.addr(GLOBEX), 10**9)
    before = world.balance(GLOBEX, SHARES)
    world.make_offer(ACME, amount=1000)  # all of Acme's shares
    from coopetition.bindings.title_registry import ERC1155InsufficientBalance

    with pytest.raises(ERC1155InsufficientBalance):
        world.make_offer(ACME, amount=1)
    assert world.balance(GLOBEX, SHARES) == before
