"""Signed private orders (TitleExchangeOrders) on a real EVM, through the generated bindings and
orders signed with eth_account by the library's own EIP-712 code: both legs atomic, partial fills
with the exact cumulative rounding, the taker's bound, nonces (one order, all below a floor), and
refusals of replay on another chain or exchange, reuse after a fill, forged and malleable signatures."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator

import pytest
from _titles_env import (
    ACME,
    ETHER,
    GLOBEX,
    HOUR,
    INITECH,
    OUTSIDER,
    SHARES,
    TitlesWorld,
    restore,
    snapshot,
)
from mocks.mock_erc20 import MockERC20

from coopetition.bindings.title_exchange import (
    OrderCancelledEvent,
    OrderFilledEvent,
    OrdersCancelledBelowEvent,
    TitleExchangeInvalidSignature,
    TitleExchangeMakerNotMember,
    TitleExchangeNonceFloorNotRaised,
    TitleExchangeNonceRangeTooLarge,
    TitleExchangeNonceUsed,
    TitleExchangeNotMember,
    TitleExchangeOrderExpired,
    TitleExchangeOrderOverfill,
    TitleExchangeOrderPartialFillNotAllowed,
    TitleExchangePaymentAboveMax,
    TitleExchangeSelfFill,
    TitleExchangeWrongTaker,
    TitleExchangeWrongValue,
    TitleExchangeZeroAmount,
)
from coopetition.bindings.title_registry import ERC1155InsufficientBalance
from coopetition.titles import payment_between

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


@pytest.fixture(scope="module")
def base() -> TitlesWorld:
    return TitlesWorld.start()


@pytest.fixture
def world(base: TitlesWorld) -> Iterator[TitlesWorld]:
    snap = snapshot(base)
    yield base
    restore(base, snap)


def test_a_signed_erc20_order_moves_both_legs_in_one_transaction(world: TitlesWorld) -> None:
    usdc = world.usdc()
    token = MockERC20(world.env.w3, usdc)
    order = world.sign(ACME, amount=300, price=12_000 * 10**6, asset=usdc, taker=world.addr(GLOBEX))
    before = (token.balance_of(world.addr(ACME)), token.balance_of(world.addr(GLOBEX)))
    result = world.take(GLOBEX, order)
    event = OrderFilledEvent.from_result(result)[0]
    assert (event.maker, event.taker, event.nonce, event.amount, event.payment, event.filled) == (
        world.addr(ACME), world.addr(GLOBEX), 0, 300, 12_000 * 10**6, 300)
    assert event.order_hash == world.exchange().hash_order(order.order())
    assert world.balance(ACME, SHARES) == 700 and world.balance(GLOBEX, SHARES) == 800
    assert token.balance_of(world.addr(ACME)) == before[0] + 12_000 * 10**6
    assert token.balance_of(world.addr(GLOBEX)) == before[1] - 12_000 * 10**6
    assert world.balance(world.exchange_address, SHARES) == 0  # nothing was escrowed
    assert world.exchange().nonce_used(world.addr(ACME), 0)


def test_a_signed_ether_order_credits_the_maker_and_refunds_the_excess(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, price=ETHER)
    before = world.env.balance(world.addr(INITECH))
    result = world.take(INITECH, order, value=ETHER + 777)
    assert world.env.balance(world.addr(INITECH)) == before - ETHER - result.gas_used * result.effective_gas_price
    assert world.exchange().proceeds(world.addr(ACME)) == ETHER == world.env.balance(world.exchange_address)
    with pytest.raises(TitleExchangeWrongValue) as err:
        world.take(INITECH, world.sign(ACME, amount=10, price=ETHER, nonce=1), value=ETHER - 1)
    assert err.value.args_values == (ETHER, ETHER - 1)
    usdc = world.usdc()
    with pytest.raises(TitleExchangeWrongValue):  # ether with a token order
        world.take(INITECH, world.sign(ACME, amount=10, price=5, asset=usdc, nonce=2), value=1)


def test_partial_fills_of_a_signed_order_pay_the_cumulative_ceiling_and_sum_to_the_price(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=3, price=10, partial=True)
    paid = []
    for taker in (GLOBEX, INITECH, GLOBEX):
        due = world.exchange().quote_order(order.order(), 1).payment
        result = world.take(taker, order, 1, max_payment=due, value=due)
        paid.append(OrderFilledEvent.from_result(result)[0].payment)
    assert paid == [4, 3, 3] and world.exchange().proceeds(world.addr(ACME)) == 10
    assert world.exchange().nonce_used(world.addr(ACME), 0)
    with pytest.raises(TitleExchangeNonceUsed):
        world.take(GLOBEX, order, 1, value=4)


@pytest.mark.parametrize("cuts", [(1, 2), (7,), (1, 98, 99), (50,)])
def test_any_split_of_a_signed_order_sums_to_its_price(world: TitlesWorld, cuts: tuple[int, ...]) -> None:
    order = world.sign(ACME, amount=100, price=10**18 + 7, partial=True)
    paid = 0
    for before, after in itertools.pairwise((0, *cuts, 100)):
        due = payment_between(order.price, 100, before, after)
        q = world.exchange().quote_order(order.order(), after - before)
        assert (q.payment, q.remaining) == (due, 100 - before)
        world.take(GLOBEX, order, after - before, max_payment=due, value=due)
        paid += due
    assert paid == order.price == world.exchange().proceeds(world.addr(ACME))


def test_a_front_run_of_one_title_cannot_make_the_victims_bounded_fill_revert(world: TitlesWorld) -> None:
    """Finding 3 on signed orders: the victim quoted 2 of 3 titles (7 wei), a front-runner takes 1; the
    victim's fill with a bound of 7 and 7 wei sent still settles (now 6 wei, 1 refunded)."""
    order = world.sign(ACME, amount=3, price=10, partial=True)
    due = world.exchange().quote_order(order.order(), 2).payment
    assert due == 7
    world.take(INITECH, order, 1, value=4)  # the front-run
    result = world.take(GLOBEX, order, 2, max_payment=due, value=due)
    assert OrderFilledEvent.from_result(result)[0].payment == 6


def test_the_takers_bound_is_enforced(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=3, price=10, partial=True)
    with pytest.raises(TitleExchangePaymentAboveMax) as err:
        world.take(GLOBEX, order, 1, max_payment=3, value=4)
    assert err.value.args_values == (4, 3)


def test_whole_only_orders_refuse_parts_and_overfills_are_refused(world: TitlesWorld) -> None:
    with pytest.raises(TitleExchangeOrderPartialFillNotAllowed) as err:
        world.take(GLOBEX, world.sign(ACME, amount=10), 5, value=ETHER)
    assert err.value.args_values == (5, 10)
    order = world.sign(ACME, amount=10, price=10, partial=True, nonce=1)
    world.take(GLOBEX, order, 6, value=6)
    with pytest.raises(TitleExchangeOrderOverfill) as over:
        world.take(GLOBEX, order, 5, value=5)
    assert over.value.args_values == (5, 4)
    with pytest.raises(TitleExchangeZeroAmount):
        world.take(GLOBEX, order, 0)


def test_a_filled_order_cannot_be_replayed(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, price=ETHER)
    world.take(GLOBEX, order, value=ETHER)
    for taker in (GLOBEX, INITECH):
        with pytest.raises(TitleExchangeNonceUsed) as err:
            world.take(taker, order, value=ETHER)
        assert err.value.args_values == (world.addr(ACME), 0)
    assert world.balance(ACME, SHARES) == 990


def test_an_order_signed_for_another_chain_or_exchange_is_refused(world: TitlesWorld) -> None:
    with pytest.raises(TitleExchangeInvalidSignature) as err:
        world.take(GLOBEX, world.sign(ACME, amount=10, chain_id=4242), value=ETHER)
    assert err.value.args_values[0] == world.addr(ACME)
    from coopetition.bindings.title_registry import TitleRegistry

    other = TitleRegistry(world.env.w3, world.env.deploy("TitleRegistry", [world.consortium_address])).exchange()
    with pytest.raises(TitleExchangeInvalidSignature):
        world.take(GLOBEX, world.sign(ACME, amount=10, exchange=other), value=ETHER)


def test_changed_terms_or_a_forged_signature_are_refused(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, price=ETHER)
    for change in ({"price": 1}, {"amount": 11}, {"taker": world.addr(GLOBEX)}, {"expiry": order.expiry + 1},
                   {"title_id": 2}, {"partial_fills": True}):
        with pytest.raises(TitleExchangeInvalidSignature):
            world.take(GLOBEX, dataclasses.replace(order, **change), value=ETHER)  # type: ignore[arg-type]
    by_globex = world.sign(GLOBEX, amount=10, price=1)
    with pytest.raises(TitleExchangeInvalidSignature):  # Globex's signature on an order naming Acme
        world.take(INITECH, dataclasses.replace(by_globex, maker=world.addr(ACME)), value=1)
    assert world.balance(ACME, SHARES) == 1000


def test_a_malleable_high_s_signature_is_refused(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, price=ETHER)
    raw = order.signature_bytes
    r, s, v = raw[:32], int.from_bytes(raw[32:64], "big"), raw[64]
    flipped = r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])  # the same point: 27 <-> 28
    with pytest.raises(TitleExchangeInvalidSignature):
        world.take(GLOBEX, dataclasses.replace(order, signature="0x" + flipped.hex()), value=ETHER)
    world.take(GLOBEX, order, value=ETHER)  # the canonical one works


def test_parties_are_checked(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, price=ETHER, taker=world.addr(GLOBEX))
    with pytest.raises(TitleExchangeWrongTaker) as err:
        world.take(INITECH, order, value=ETHER)
    assert err.value.args_values == (world.addr(INITECH), world.addr(GLOBEX))
    with pytest.raises(TitleExchangeNotMember):
        world.take(OUTSIDER, world.sign(ACME, amount=10, nonce=1), value=ETHER)
    with pytest.raises(TitleExchangeSelfFill):
        world.take(ACME, world.sign(ACME, amount=10, nonce=2), value=ETHER)


def test_an_expired_order_is_refused_at_its_expiry_exactly(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, ttl=HOUR)
    world.env.time_travel(order.expiry - world.env.now())
    with pytest.raises(TitleExchangeOrderExpired):
        world.take(GLOBEX, order, value=ETHER)


def test_an_expelled_makers_signed_orders_are_refused(world: TitlesWorld) -> None:
    order = world.sign(GLOBEX, amount=10, price=ETHER)
    world.remove_member(world.addr(GLOBEX))
    with pytest.raises(TitleExchangeMakerNotMember) as err:
        world.take(INITECH, order, value=ETHER)
    assert err.value.args_values[0] == world.addr(GLOBEX)


def test_titles_come_from_the_makers_own_balance_or_nothing_moves(world: TitlesWorld) -> None:
    usdc = world.usdc()
    order = world.sign(INITECH, title_id=SHARES, amount=1, price=5, asset=usdc)  # Initech holds no shares
    with pytest.raises(ERC1155InsufficientBalance):
        world.take(GLOBEX, order)
    assert MockERC20(world.env.w3, usdc).balance_of(world.addr(INITECH)) == 10**12
    assert not world.exchange().nonce_used(world.addr(INITECH), 0)


def test_cancel_one_order_and_all_below_a_nonce(world: TitlesWorld) -> None:
    ex = world.exchange(ACME)
    first, second, later = (world.sign(ACME, amount=1, price=1, nonce=n) for n in (3, 700, 900))
    event = OrderCancelledEvent.from_result(ex.cancel_order(3))[0]
    assert (event.maker, event.nonce) == (world.addr(ACME), 3)
    with pytest.raises(TitleExchangeNonceUsed):
        world.take(GLOBEX, first, value=1)
    with pytest.raises(TitleExchangeNonceUsed):
        ex.cancel_order(3)
    below = OrdersCancelledBelowEvent.from_result(ex.cancel_orders_below(800))[0]
    assert below.nonce == 800 and world.exchange().nonce_floor(world.addr(ACME)) == 800
    assert all(world.exchange().nonce_used(world.addr(ACME), n) for n in (0, 255, 256, 700, 799))
    assert not world.exchange().nonce_used(world.addr(ACME), 800)
    with pytest.raises(TitleExchangeNonceUsed):
        world.take(GLOBEX, second, value=1)
    with pytest.raises(TitleExchangeNonceFloorNotRaised) as err:
        ex.cancel_orders_below(800)
    assert err.value.args_values == (800, 800)
    world.take(GLOBEX, later, value=1)


def test_raising_the_floor_is_bounded_per_call(world: TitlesWorld) -> None:
    ex = world.exchange(ACME)
    limit = world.exchange().max_cancel_words() * 256
    with pytest.raises(TitleExchangeNonceRangeTooLarge):
        ex.cancel_orders_below(limit + 1)
    ex.cancel_orders_below(limit)
    assert world.exchange().nonce_used(world.addr(ACME), limit - 1)


def test_another_makers_nonces_are_untouched(world: TitlesWorld) -> None:
    world.exchange(GLOBEX).cancel_orders_below(10)
    world.take(INITECH, world.sign(ACME, amount=1, price=1, nonce=5), value=1)


def test_the_digest_the_library_signs_is_the_exchanges(world: TitlesWorld) -> None:
    from eth_account.messages import _hash_eip191_message, encode_typed_data

    from coopetition._domain.titles_orders import order_typed_data

    order = world.sign(ACME, amount=5, price=9, partial=True, nonce=12)
    data = order_typed_data(world.env.w3.eth.chain_id, world.exchange_address, order.order())
    assert _hash_eip191_message(encode_typed_data(full_message=data)) == world.exchange().order_digest(order.order())
    domain = world.exchange().eip712_domain()
    assert (domain.name, domain.version, domain.verifying_contract) == ("TitleExchange", "2", world.exchange_address)
