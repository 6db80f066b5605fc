"""The titles domain API (coopetition.titles) on the embedded chain: typed snapshots, prices in human
units, proposals for governed actions, event history, input refused with one line before anything is
sent — and the demo act."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _titles_env import (
    ACME,
    BOND,
    GLOBEX,
    INITECH,
    OUTSIDER,
    SHARES,
    TitlesWorld,
    restore,
    snapshot,
)
from mocks.mock_erc20 import MockERC20

from coopetition.bindings.title_exchange import (
    OfferStatus,
    PaymentKind,
    TitleExchangeInvalidPaymentClass,
    TitleExchangeNothingToWithdraw,
    TitleExchangeNotMaker,
    TitleExchangeNotMember,
    TitleExchangeOfferNotOpen,
    TitleExchangeSelfFill,
    TitleExchangeUnknownOffer,
    TitleExchangeZeroAmount,
)
from coopetition.bindings.title_registry import ERC1155InsufficientBalance, TitleRegistryNotMember
from coopetition.exceptions import InputError
from coopetition.titles import Price, TitlesService, payment_between, terms_hash

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


def test_classes_holdings_and_escrow_as_typed_records(world: TitlesWorld) -> None:
    service = world.service(ACME)
    assert [(c.id, c.name, c.issued) for c in service.classes()] == [
        (SHARES, "JV Hydrogen shares", 1500), (BOND, "Bond 2027", 600)]
    assert [(h.class_id, h.amount) for h in service.holdings("Globex")] == [(SHARES, 500), (BOND, 300)]
    assert service.balance(world.addr(ACME), SHARES) == 1000
    assert service.escrowed(SHARES) == 0
    assert "TitlesService(registry=" in repr(service)


def test_prices_in_ether_token_units_and_titles(world: TitlesWorld) -> None:
    service = world.service(ACME)
    assert service.price("2.5 ether") == Price.ether(25 * ETHER // 10)
    usdc = world.deploy_mock("MockERC20", ["USD Coin", "USDC", 6])
    token_price = service.price("12000.5 USDC", token=usdc)
    assert (token_price.kind, token_price.amount, token_price.token) == (PaymentKind.TOKEN, 12_000_500_000, usdc)
    assert token_price.describe() == "12000.5 USDC"
    titles_price = service.price(40, title_class=BOND)
    assert (titles_price.kind, titles_price.amount, titles_price.title_id) == (PaymentKind.TITLE, 40, BOND)
    with pytest.raises(InputError, match="does not match the asset"):
        service.price("12000 EUR", token=usdc)
    with pytest.raises(InputError, match="ERC-20"):
        service.price("1 X", token=world.addr(GLOBEX))
    with pytest.raises(InputError, match="not both"):
        service.price("1", token=usdc, title_class=BOND)


def test_offer_fill_cancel_withdraw_and_history_through_the_service(world: TitlesWorld) -> None:
    acme, globex = world.service(ACME), world.service(GLOBEX)
    ref = acme.offer(SHARES, 300, acme.price("3 ether"), partial=True, expiry="2d")
    offer = acme.get_offer(ref.id)
    assert (offer.maker, offer.remaining, offer.state, offer.counterparty) == (
        world.addr(ACME), 300, OfferStatus.OPEN, None)
    assert offer.expiry == ref.expiry and offer.is_live
    assert acme.payment_for(ref.id, 100) == ETHER
    globex.fill(ref.id, 100)
    assert acme.get_offer(ref.id).filled == 100
    assert acme.proceeds() == ETHER and acme.book()[0].id == ref.id
    acme.cancel(ref.id)
    assert acme.book() == () and acme.offers()[0].state is OfferStatus.CANCELLED
    acme.withdraw()
    kinds = [(h.kind, h.offer_id, h.amount, h.payment) for h in acme.history()]
    assert kinds == [("made", 1, 300, 0), ("filled", 1, 100, ETHER), ("cancelled", 1, 200, 0),
                     ("withdrawn", None, 0, ETHER)]
    assert [h.asset.symbol for h in acme.history()] == ["ETH"] * 4
    assert [h.kind for h in acme.history(offer_id=ref.id)] == ["made", "filled", "cancelled"]


def test_fill_with_a_token_approves_the_exchange_first(world: TitlesWorld) -> None:
    usdc = world.deploy_mock("MockERC20", ["USD Coin", "USDC", 6])
    MockERC20(world.env.w3, usdc, world.env.pipeline(GLOBEX)).mint(world.addr(GLOBEX), 10**12)
    acme, globex = world.service(ACME), world.service(GLOBEX)
    ref = acme.offer(SHARES, 10, acme.price("1000 USDC", token=usdc))
    with pytest.raises(InputError, match="approve it first"):
        globex.fill(ref.id, approve=False)
    globex.fill(ref.id)
    assert MockERC20(world.env.w3, usdc).balance_of(world.addr(ACME)) == 1000 * 10**6


def test_token_fill_resets_an_old_partial_allowance_to_zero_first(world: TitlesWorld) -> None:
    """USDT refuses to change a non-zero allowance into another: fill resets it to zero, then approves."""
    from _usdt import UsdtStyleSender

    from coopetition.bindings.title_exchange import TitleExchange
    from coopetition.bindings.title_registry import TitleRegistry

    usdt = world.deploy_mock("MockERC20", ["Tether USD", "USDT", 6])
    as_globex = MockERC20(world.env.w3, usdt, world.env.pipeline(GLOBEX))
    as_globex.mint(world.addr(GLOBEX), 10**12)
    as_globex.approve(world.exchange_address, 5)  # an old partial allowance
    acme = world.service(ACME)
    ref = acme.offer(SHARES, 10, acme.price("1000 USDT", token=usdt))
    guarded = UsdtStyleSender(world.env.pipeline(GLOBEX), world.env.w3)
    globex = TitlesService(TitleRegistry(world.env.w3, world.registry_address, guarded),
                           TitleExchange(world.env.w3, world.exchange_address, guarded))
    globex.fill(ref.id)
    assert guarded.approvals == [(usdt, 5, 0), (usdt, 0, 1000 * 10**6)]
    assert MockERC20(world.env.w3, usdt).balance_of(world.addr(ACME)) == 1000 * 10**6
    assert acme.get_offer(ref.id).price.describe() == "1000 USDT"


def test_fill_in_titles_and_transfer(world: TitlesWorld) -> None:
    acme, initech = world.service(ACME), world.service(INITECH)
    ref = acme.offer(SHARES, 10, acme.price(30, title_class=BOND), counterparty="Initech")
    assert acme.get_offer(ref.id).counterparty == world.addr(INITECH)
    initech.fill(ref.id)
    assert initech.balance(world.addr(INITECH), SHARES) == 10
    initech.transfer("Acme", SHARES, 4)
    assert acme.balance(world.addr(ACME), SHARES) == 994


def test_reclaim_after_expiry_through_the_service(world: TitlesWorld) -> None:
    acme = world.service(ACME)
    ref = acme.offer(SHARES, 10, acme.price("1 ether"), expiry="1h")
    with pytest.raises(InputError, match="not expired yet"):
        acme.reclaim(ref.id)
    world.env.time_travel(7200)
    assert acme.get_offer(ref.id).state is OfferStatus.EXPIRED
    with pytest.raises(InputError, match="reclaim it instead"):
        acme.cancel(ref.id)
    with pytest.raises(InputError, match="cannot be filled"):
        world.service(GLOBEX).fill(ref.id)
    acme.reclaim(ref.id)
    assert acme.get_offer(ref.id).state is OfferStatus.RECLAIMED


def test_governed_actions_become_proposals_that_execute(world: TitlesWorld) -> None:
    acme = world.service(ACME)
    created = acme.propose_create_class("Licence X", "the licence terms, v1", max_supply=100)
    assert created.id > 0
    globex, initech = world.service(GLOBEX).consortium, world.service(INITECH).consortium
    assert globex is not None and initech is not None
    assert globex.proposal(created.id).proposal_id == created.proposal_id
    globex.approve(created.id)
    initech.execute(created.id)  # the call comes back from the creation event
    assert acme.title_class(3).terms_hash == terms_hash("the licence terms, v1")
    issued = acme.propose_issue(3, "Initech", 12)
    signed = globex.sign_approval(issued.id)  # Globex signs off chain, Initech submits it
    initech.execute(issued.id, signatures=[signed])
    assert acme.balance(world.addr(INITECH), 3) == 12


def test_terms_hash_takes_documents_or_a_hash() -> None:
    digest = terms_hash(b"doc")
    assert len(digest) == 32 and terms_hash("doc") == digest
    assert terms_hash("0x" + "ab" * 32) == bytes.fromhex("ab" * 32)


def test_payment_between_refuses_impossible_fills() -> None:
    assert payment_between(10, 3, 0, 1) == 4
    with pytest.raises(InputError):
        payment_between(10, 3, 2, 1)
    with pytest.raises(InputError):
        payment_between(10, 3, 0, 4)


@pytest.mark.parametrize(
    ("who", "call", "fragment"),
    [
        (ACME, lambda s: s.offer(9, 1, Price.ether(1)), "no title class #9"),
        (ACME, lambda s: s.offer(SHARES, -1, Price.ether(1)), "at least 0"),
        (ACME, lambda s: s.offer(SHARES, 1, "1 ether"), "must be a Price"),
        (ACME, lambda s: s.offer(SHARES, 1, Price.ether(1), counterparty="Nobody"), "Nobody"),
        (ACME, lambda s: s.offer(SHARES, 1, Price.ether(1), counterparty="0x" + "aB" * 20), "EIP-55"),
        (ACME, lambda s: s.offer(SHARES, 1, Price.ether(1), expiry="yesterday"), "yesterday"),
        (ACME, lambda s: s.fill(0), "offer id must be at least 1"),
        (ACME, lambda s: s.cancel("x"), "offer id must be a whole number"),
        (ACME, lambda s: s.transfer("Nobody", SHARES, 1), "no member is labelled 'Nobody'"),
        (ACME, lambda s: s.propose_issue(SHARES, "Nobody", 1), "Nobody"),
        (ACME, lambda s: s.propose_issue(SHARES, "Globex", 0), "at least 1"),
        (ACME, lambda s: s.propose_create_class("", "terms", max_supply=0), "needs a name"),
        (ACME, lambda s: s.propose_create_class("x" * 65, "terms", max_supply=0), "at most 64"),
        (ACME, lambda s: s.propose_create_class("C", "t", max_supply=10, issue={"Acme": 11}), "exceeds the max"),
        (ACME, lambda s: s.propose_create_class("C", "t", max_supply=10, issue={"Nobody": 1}), "Nobody"),
        (ACME, lambda s: s.propose_issue(BOND, "Acme", 401), "at most 400 more"),
        (ACME, lambda s: s.balance("not-an-address", SHARES), "not-an-address"),
        (ACME, lambda s: s.price("1", token="ETH"), "needs an ERC-20 address"),
    ],
)
def test_bad_input_is_refused_before_sending(world: TitlesWorld, who: int, call: object, fragment: str) -> None:
    service = world.service(who)
    block = _block(world)
    with pytest.raises(InputError, match=fragment):
        call(service)  # type: ignore[operator]
    assert _block(world) == block


@pytest.mark.parametrize(
    ("who", "call", "error"),
    [
        (ACME, lambda s: s.offer(SHARES, 0, Price.ether(1)), TitleExchangeZeroAmount),
        (ACME, lambda s: s.offer(SHARES, 1, Price.ether(0)), TitleExchangeZeroAmount),
        (ACME, lambda s: s.offer(SHARES, 5000, Price.ether(1)), ERC1155InsufficientBalance),
        (ACME, lambda s: s.offer(SHARES, 1, Price.ether(1), counterparty="Acme"), TitleExchangeSelfFill),
        (ACME, lambda s: s.offer(SHARES, 1, Price(PaymentKind.TITLE, 1, title_id=SHARES)),
         TitleExchangeInvalidPaymentClass),
        (OUTSIDER, lambda s: s.offer(SHARES, 1, Price.ether(1)), TitleExchangeNotMember),
        (ACME, lambda s: s.fill(1), TitleExchangeUnknownOffer),
        (ACME, lambda s: s.history(offer_id=1), TitleExchangeUnknownOffer),
        (ACME, lambda s: s.transfer(world_outsider(), SHARES, 1), TitleRegistryNotMember),
        (ACME, lambda s: s.transfer("Globex", SHARES, 5000), ERC1155InsufficientBalance),
        (ACME, lambda s: s.withdraw(), TitleExchangeNothingToWithdraw),
    ],
)
def test_the_contracts_rules_come_back_as_their_typed_errors(
    world: TitlesWorld, who: int, call: object, error: type[Exception]
) -> None:
    """Rules of the contracts are not repeated in Python: the pipeline's simulation raises the
    contract's own typed error, with the values that explain it, before anything is signed."""
    service = world.service(who)
    block = _block(world)
    with pytest.raises(error) as err:
        call(service)  # type: ignore[operator]
    assert "\n" not in str(err.value)
    assert _block(world) == block


def world_outsider() -> str:
    from coopetition._chain.devnet import anvil_dev_accounts  # any well-known non-member address

    return str(anvil_dev_accounts()[9].address)


def test_fill_refuses_own_reserved_filled_and_partial_misuse(world: TitlesWorld) -> None:
    acme, globex, initech = world.service(ACME), world.service(GLOBEX), world.service(INITECH)
    ref = acme.offer(SHARES, 10, acme.price("1 ether"), counterparty="Globex")
    with pytest.raises(InputError, match="your own"):
        acme.fill(ref.id)
    with pytest.raises(InputError, match="reserved for"):
        initech.fill(ref.id)
    with pytest.raises(InputError, match="filled whole"):
        globex.fill(ref.id, 5)
    with pytest.raises(InputError, match="fewer than the 11 asked"):
        globex.fill(ref.id, 11)
    globex.fill(ref.id)
    with pytest.raises(InputError, match="is filled"):
        globex.fill(ref.id)
    with pytest.raises(TitleExchangeOfferNotOpen):
        acme.cancel(ref.id)
    with pytest.raises(TitleExchangeNotMaker):
        globex.cancel(acme.offer(SHARES, 1, acme.price("1 wei")).id)


def test_a_service_without_an_account_refuses_to_send(world: TitlesWorld) -> None:
    reader = TitlesService.at(world.env.w3, world.registry_address)
    assert reader.class_count() == 2
    with pytest.raises(InputError, match="needs an account"):
        reader.withdraw()
    with pytest.raises(InputError, match="needs the consortium"):
        reader.propose_issue(SHARES, world.addr(ACME), 1)


def test_demo_act_sells_fills_partially_and_reclaims(capsys: pytest.CaptureFixture[str]) -> None:
    from coopetition import connect
    from coopetition._demo import DemoMember
    from coopetition._demo.titles import demo_act
    from coopetition._session import SuiteMember, deploy_suite

    conn = connect("embedded", 0)
    accounts = conn.chain.dev_accounts()
    members = [DemoMember(label, accounts[i + 1], conn.as_account(accounts[i + 1]))
               for i, label in enumerate(("Acme", "Globex", "Initech"))]
    deploy_suite(conn, [SuiteMember(m.label, m.address) for m in members], 2)
    lines: list[str] = []
    summary = demo_act(conn, members, lines.append)
    text = "\n".join(lines)
    assert "Acme signs a private quote off chain: 300 JV shares (30 % of its 1000) to Globex only" in text
    assert "Globex takes the quote" in text and "on the public book" in text
    gas = summary["gas"]
    assert f"(gas {gas['signedQuote']:,})" in text and f"(gas {gas['publicBook']:,})" in text  # type: ignore[index]
    assert "pays exactly 0.375 ETH" in text and "is expired" in text and "licences are back" in text
    holdings = summary["holdings"]
    assert holdings["Acme"]["JV Hydrogen shares"] == 700  # type: ignore[index]
    assert holdings["Globex"]["JV Hydrogen shares"] == 600  # type: ignore[index]
    assert holdings["Initech"] == {"JV Hydrogen shares": 75, "Electrolyser patent licence": 10}  # type: ignore[index]
