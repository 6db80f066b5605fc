"""The titles service's v2 operations on the embedded chain: a class created with its cap and first
titles in one proposal, signed private quotes (sign -> JSON -> take), bounded fills, payout
addresses, and the one-line refusals before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from _titles_env import ACME, BOND, GLOBEX, INITECH, SHARES, TitlesWorld, restore, snapshot
from mocks.mock_erc20 import MockERC20

from coopetition import SignedOrder
from coopetition.exceptions import InputError

ETHER = 10**18


@pytest.fixture(scope="module")
def base() -> TitlesWorld:
    return TitlesWorld.start()


@pytest.fixture
def world(base: TitlesWorld) -> Iterator[TitlesWorld]:
    snap = snapshot(base)
    yield base
    restore(base, snap)


def _block(world: TitlesWorld) -> int:
    return int(world.env.w3.eth.block_number)


def test_create_class_with_cap_and_first_titles_is_one_proposal(world: TitlesWorld) -> None:
    acme = world.service(ACME)
    ref = acme.propose_create_class("Licence Y", "terms", max_supply=2000, issue={"Acme": 1000, "Globex": 500})
    globex = world.service(GLOBEX).consortium
    assert globex is not None
    globex.approve(ref.id)
    globex.execute(ref.id)
    info = acme.title_class(3)
    assert (info.name, info.issued, info.max_supply, info.capped, info.issuable) == ("Licence Y", 1500, 2000, True,
                                                                                      500)
    assert acme.balance("Globex", 3) == 500 and acme.balance("Acme", 3) == 1000
    assert not acme.title_class(SHARES).capped and acme.title_class(SHARES).issuable is None


def test_a_quote_is_signed_off_chain_serialised_and_taken_in_one_transaction(world: TitlesWorld) -> None:
    usdc = world.usdc(holders=(GLOBEX,))
    acme, globex = world.service(ACME), world.service(GLOBEX)
    block = _block(world)
    quote = acme.quote(SHARES, 300, acme.price("12000 USDC", token=usdc), to="Globex", expires="2h")
    assert _block(world) == block  # nothing sent
    text = quote.to_json()
    raw = json.loads(text)
    assert raw["amount"] == "300" and raw["price"] == "12000000000" and raw["taker"] == world.addr(GLOBEX)
    again = SignedOrder.from_json(text)
    assert again == quote
    assert globex.quote_status(again) == (300, 12_000 * 10**6)
    globex.take(again)
    assert globex.balance("Globex", SHARES) == 800
    assert MockERC20(world.env.w3, usdc).balance_of(world.addr(ACME)) == 12_000 * 10**6
    assert globex.quote_status(again) == (0, 0)
    with pytest.raises(InputError, match="taken or cancelled already"):
        globex.take(again)


def test_quotes_take_consecutive_unused_nonces_and_can_be_cancelled(world: TitlesWorld) -> None:
    acme, globex = world.service(ACME), world.service(GLOBEX)
    price = acme.price("1 ether")
    first, second = (acme.quote(SHARES, 10, price) for _ in range(2))
    assert (first.nonce, second.nonce) == (0, 1)
    acme.cancel_quote(first)
    with pytest.raises(InputError, match="taken or cancelled already"):
        globex.take(first)
    with pytest.raises(InputError, match="already taken or cancelled"):
        acme.cancel_quote(first.nonce)
    third = acme.quote(SHARES, 10, price, nonce=40)
    acme.cancel_all_quotes()
    for q in (second, third):
        assert globex.quote_status(q) == (0, 0)
    assert world.exchange().nonce_floor(world.addr(ACME)) == 41
    fresh = acme.quote(SHARES, 10, price)
    assert fresh.nonce == 41
    globex.take(fresh)


def test_a_partial_quote_is_taken_in_parts_with_a_bound(world: TitlesWorld) -> None:
    acme, globex, initech = world.service(ACME), world.service(GLOBEX), world.service(INITECH)
    quote = acme.quote(SHARES, 3, acme.price("10 wei"), partial=True)
    initech.take(quote, 1)  # 4 wei
    with pytest.raises(InputError, match="more than the max payment 2"):
        globex.take(quote, 1, max_payment=2)
    globex.take(quote, 2, max_payment=7)  # 6 wei due, 1 refunded
    assert acme.proceeds() == 10


def test_take_refuses_before_sending(world: TitlesWorld) -> None:
    acme, globex, initech = world.service(ACME), world.service(GLOBEX), world.service(INITECH)
    quote = acme.quote(SHARES, 10, acme.price("1 ether"), to="Globex")
    block = _block(world)
    import dataclasses

    for service, order, fragment in [
        (acme, quote, "your own"),
        (initech, quote, "reserved for"),
        (globex, dataclasses.replace(quote, chain_id=1), "for chain 1"),
        (globex, dataclasses.replace(quote, exchange=world.addr(ACME)), "for the exchange"),
    ]:
        with pytest.raises(InputError, match=fragment):
            service.take(order)
    with pytest.raises(InputError, match="taken whole"):
        globex.take(quote, 5)
    with pytest.raises(InputError, match="in titles"):
        acme.quote(SHARES, 1, acme.price(1, title_class=BOND))
    with pytest.raises(InputError, match="to yourself"):
        acme.quote(SHARES, 1, acme.price("1 ether"), to="Acme")
    assert _block(world) == block  # nothing sent
    world.env.time_travel(3 * 3600)
    with pytest.raises(InputError, match="expired"):
        globex.take(quote)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("not json", "is not JSON"), ("{}", "not a signed title order"),
     ('{"format": "coopetition-title-order/2"}', "has no"),
     (None, "signature must be 0x-hex")],
)
def test_a_malformed_quote_is_one_line(world: TitlesWorld, text: str | None, fragment: str) -> None:
    if text is None:
        good = json.loads(world.service(ACME).quote(SHARES, 1, world.service(ACME).price("1 wei")).to_json())
        text = json.dumps({**good, "signature": "zz"})
    with pytest.raises(InputError, match=fragment):
        SignedOrder.from_json(text)


def test_bounded_fill_and_payout_addresses_of_the_book(world: TitlesWorld) -> None:
    acme, globex, initech = world.service(ACME), world.service(GLOBEX), world.service(INITECH)
    ref = acme.offer(SHARES, 3, acme.price("10 wei"), partial=True)
    initech.fill(ref.id, 1)
    with pytest.raises(InputError, match="more than the max payment"):
        globex.fill(ref.id, 1, max_payment=2)
    globex.fill(ref.id, 1, max_payment=5)  # 3 due; 2 back
    acme.cancel(ref.id, to="Initech")
    assert initech.balance("Initech", SHARES) == 2  # 1 bought + 1 returned to Initech
    before = world.env.balance(world.addr(INITECH))
    acme.withdraw(to=world.addr(INITECH))
    assert world.env.balance(world.addr(INITECH)) == before + 7


def test_the_cap_changes_through_the_service_with_holders_consent(world: TitlesWorld) -> None:
    """Bonds: Globex 300 and Initech 300 of 600, cap 1,000. Lowering is free; raising needs both here
    (each holds exactly half)."""
    acme, globex, initech = world.service(ACME), world.service(GLOBEX), world.service(INITECH)
    gov_globex = globex.consortium
    assert gov_globex is not None

    def passed(ref: object) -> None:
        gov_globex.approve(ref.id)  # type: ignore[attr-defined]
        gov_globex.execute(ref.id)  # type: ignore[attr-defined]

    passed(acme.propose_max_supply(BOND, 800))
    assert acme.title_class(BOND).max_supply == 800
    one = initech.sign_cap_consent(BOND, 5000, deadline="2030-01-01")
    with pytest.raises(InputError, match="more than half of the 600 titles: the consents given weigh 300"):
        acme.propose_max_supply(BOND, 5000, [one])
    other = globex.sign_cap_consent(BOND, 5000, deadline="2030-01-01")
    passed(acme.propose_max_supply(BOND, 5000, [one, other]))
    assert acme.title_class(BOND).max_supply == 5000
    with pytest.raises(InputError, match="another class, cap or cap change"):  # used up: the cap nonce moved on
        acme.propose_max_supply(BOND, 6000, [one, other])
    with pytest.raises(InputError, match="below them"):
        acme.propose_max_supply(BOND, 10)
