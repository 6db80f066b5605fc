"""TitleRegistry and TitleExchange on a real EVM (eth-tester), through the generated typed bindings and
the real transaction pipeline: every function, every custom error, the membership rule, the
rounding rule of partial fills."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from _titles_env import (
    ACME,
    ANY,
    BOND,
    BOND_CAP,
    DEPLOYER,
    GLOBEX,
    HOUR,
    INITECH,
    OUTSIDER,
    SHARES,
    UMBRELLA,
    ZERO,
    TitlesWorld,
    restore,
    snapshot,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from mocks.mock_erc20 import MockERC20

from coopetition.bindings.title_exchange import (
    OfferCancelledEvent,
    OfferFilledEvent,
    OfferMadeEvent,
    OfferReclaimedEvent,
    OfferStatus,
    PaymentKind,
    ProceedsWithdrawnEvent,
    SafeCastOverflowedUintDowncast,
    TitleExchange,
    TitleExchangeInvalidExpiry,
    TitleExchangeInvalidPaymentClass,
    TitleExchangeMakerNotMember,
    TitleExchangeNothingToWithdraw,
    TitleExchangeNotMaker,
    TitleExchangeNotMember,
    TitleExchangeOfferExpired,
    TitleExchangeOfferNotExpired,
    TitleExchangeOfferNotOpen,
    TitleExchangeOverfill,
    TitleExchangePartialFillNotAllowed,
    TitleExchangePaymentAboveMax,
    TitleExchangeSelfFill,
    TitleExchangeTokenNotContract,
    TitleExchangeUnexpectedPaymentClass,
    TitleExchangeUnexpectedPaymentToken,
    TitleExchangeUnexpectedTransfer,
    TitleExchangeUnknownOffer,
    TitleExchangeWrongCounterparty,
    TitleExchangeWrongValue,
    TitleExchangeZeroAmount,
)
from coopetition.bindings.title_registry import (
    ERC1155InsufficientBalance,
    TitleRegistry,
    TitleRegistryInvalidConsortium,
    TitleRegistryInvalidName,
    TitleRegistryLengthMismatch,
    TitleRegistryMaxSupplyExceeded,
    TitleRegistryNotMember,
    TitleRegistryOnlyConsortium,
    TitleRegistryUnknownClass,
    TitleRegistryZeroAmount,
)
from coopetition.exceptions import ContractRevertError
from coopetition.titles import payment_between

ETHER = 10**18


@pytest.fixture(scope="module")
def base() -> TitlesWorld:
    return TitlesWorld.start()


@pytest.fixture
def world(base: TitlesWorld) -> Iterator[TitlesWorld]:
    snap = snapshot(base)
    yield base
    restore(base, snap)


# ------------------------------------------------------------------------------ registry


def test_registry_deploys_its_exchange_bound_to_it_and_the_consortium(world: TitlesWorld) -> None:
    reg, ex = world.registry(), world.exchange()
    assert reg.consortium() == world.consortium_address
    assert ex.titles() == world.registry_address
    assert ex.consortium() == world.consortium_address
    assert reg.max_name_length() == 64


def test_registry_refuses_a_consortium_without_code(world: TitlesWorld) -> None:
    with pytest.raises(TitleRegistryInvalidConsortium) as err:
        world.env.deploy("TitleRegistry", [world.addr(ACME)])
    assert err.value.args_values[0] == world.addr(ACME)


def test_classes_and_issues_come_from_a_consortium_proposal(world: TitlesWorld) -> None:
    reg = world.registry()
    assert reg.class_count() == 2
    shares = reg.title_class(SHARES)
    assert (shares.name, shares.terms_hash, shares.issued, shares.max_supply) == (
        "JV Hydrogen shares", b"\x11" * 32, 1500, 0)
    assert reg.issued(BOND) == 600 and reg.issued(99) == 0 and reg.max_supply(BOND) == BOND_CAP
    assert reg.balance_of(world.addr(ACME), SHARES) == 1000
    assert reg.balance_of_batch([world.addr(GLOBEX)] * 2, [SHARES, BOND]) == (500, 300)
    result = world.govern(TitleRegistry.encode_create_class_and_issue(
        "Licence X", b"\x33" * 32, 10, [world.addr(INITECH), world.addr(ACME)], [7, 3]))
    created = reg.events.class_created(from_block=result.block_number)
    assert [(c.class_id, c.name, c.terms_hash, c.max_supply) for c in created] == [(3, "Licence X", b"\x33" * 32, 10)]
    issued = reg.events.titles_issued(from_block=result.block_number)
    assert [(i.class_id, i.to, i.amount) for i in issued] == [(3, world.addr(INITECH), 7), (3, world.addr(ACME), 3)]
    single = reg.events.transfer_single(from_block=result.block_number)[0]
    assert (single.operator, single.from_, single.to, single.value) == (
        world.consortium_address, ZERO, world.addr(INITECH), 7)
    assert reg.title_class(3).issued == 10


def test_a_class_may_be_created_without_titles_and_issued_later(world: TitlesWorld) -> None:
    world.govern(TitleRegistry.encode_create_class_and_issue("Empty", b"\x44" * 32, 0, [], []))
    assert world.registry().title_class(3).issued == 0
    world.govern(TitleRegistry.encode_issue(3, world.addr(ACME), 5))
    assert world.balance(ACME, 3) == 5


@pytest.mark.parametrize("who", [DEPLOYER, ACME, OUTSIDER])
def test_create_class_and_issue_fail_unless_called_by_the_consortium(world: TitlesWorld, who: int) -> None:
    with pytest.raises(TitleRegistryOnlyConsortium) as err:
        world.registry(who).create_class_and_issue("Rogue", b"\x00" * 32, 0, [], [])
    assert err.value.args_values[0] == world.addr(who)
    with pytest.raises(TitleRegistryOnlyConsortium):
        world.registry(who).issue(SHARES, world.addr(who), 1)
    with pytest.raises(TitleRegistryOnlyConsortium):
        world.registry(who).set_max_supply(BOND, 0, world.env.now() + HOUR, [])
    with pytest.raises(TitleRegistryOnlyConsortium):
        world.registry(who).multicall([TitleRegistry.encode_issue(SHARES, world.addr(ACME), 1)])


@pytest.mark.parametrize("name", ["", "x" * 65])
def test_create_class_fails_on_an_empty_or_long_name(world: TitlesWorld, name: str) -> None:
    with pytest.raises(TitleRegistryInvalidName) as err:
        world.govern(TitleRegistry.encode_create_class_and_issue(name, b"\x00" * 32, 0, [], []))
    assert err.value.args_values[0] == name


def test_create_class_accepts_a_64_byte_name(world: TitlesWorld) -> None:
    world.govern(TitleRegistry.encode_create_class_and_issue("x" * 64, b"\x00" * 32, 0, [], []))
    assert world.registry().title_class(3).name == "x" * 64


def test_create_class_and_issue_refuses_mismatched_lists_and_moves_nothing(world: TitlesWorld) -> None:
    with pytest.raises(TitleRegistryLengthMismatch) as err:
        world.govern(TitleRegistry.encode_create_class_and_issue(
            "Odd", b"\x00" * 32, 0, [world.addr(ACME), world.addr(GLOBEX)], [1]))
    assert err.value.args_values == (2, 1)
    assert world.registry().class_count() == 2


def test_create_class_and_issue_refuses_more_than_the_cap_atomically(world: TitlesWorld) -> None:
    with pytest.raises(TitleRegistryMaxSupplyExceeded) as err:
        world.govern(TitleRegistry.encode_create_class_and_issue(
            "Capped", b"\x00" * 32, 100, [world.addr(ACME), world.addr(GLOBEX)], [60, 41]))
    assert err.value.args_values == (3, 60, 41, 100)
    assert world.registry().class_count() == 2 and world.balance(ACME, 3) == 0


@pytest.mark.parametrize("class_id", [0, 3])
def test_issue_fails_for_an_unknown_class(world: TitlesWorld, class_id: int) -> None:
    with pytest.raises(TitleRegistryUnknownClass) as err:
        world.govern(TitleRegistry.encode_issue(class_id, world.addr(ACME), 1))
    assert err.value.args_values[0] == class_id
    with pytest.raises(TitleRegistryUnknownClass):
        world.registry().title_class(class_id)


def test_issue_fails_for_zero_titles(world: TitlesWorld) -> None:
    with pytest.raises(TitleRegistryZeroAmount):
        world.govern(TitleRegistry.encode_issue(SHARES, world.addr(ACME), 0))
    with pytest.raises(TitleRegistryZeroAmount):
        world.govern(TitleRegistry.encode_create_class_and_issue("Z", b"\x00" * 32, 0, [world.addr(ACME)], [0]))


def test_issue_to_a_non_member_fails(world: TitlesWorld) -> None:
    with pytest.raises(TitleRegistryNotMember) as err:
        world.govern(TitleRegistry.encode_issue(SHARES, world.addr(OUTSIDER), 5))
    assert err.value.args_values[0] == world.addr(OUTSIDER)
    with pytest.raises(TitleRegistryNotMember):
        world.govern(TitleRegistry.encode_create_class_and_issue("N", b"\x00" * 32, 0, [world.addr(OUTSIDER)], [5]))


def test_issue_to_the_exchange_is_refused_by_the_exchange(world: TitlesWorld) -> None:
    with pytest.raises(TitleExchangeUnexpectedTransfer):
        world.govern(TitleRegistry.encode_issue(SHARES, world.exchange_address, 5))


def test_members_transfer_titles_to_members(world: TitlesWorld) -> None:
    world.registry(ACME).safe_transfer_from(world.addr(ACME), world.addr(INITECH), SHARES, 40, b"")
    world.registry(GLOBEX).safe_batch_transfer_from(
        world.addr(GLOBEX), world.addr(INITECH), [SHARES, BOND], [10, 20], b""
    )
    assert world.balance(INITECH, SHARES) == 50
    assert world.balance(INITECH, BOND) == 320


def test_transfer_to_a_non_member_fails(world: TitlesWorld) -> None:
    with pytest.raises(TitleRegistryNotMember) as err:
        world.registry(ACME).safe_transfer_from(world.addr(ACME), world.addr(OUTSIDER), SHARES, 1, b"")
    assert err.value.args_values[0] == world.addr(OUTSIDER)
    with pytest.raises(TitleRegistryNotMember):
        world.registry(ACME).safe_batch_transfer_from(world.addr(ACME), world.addr(OUTSIDER), [SHARES], [1], b"")


def test_direct_transfer_to_the_exchange_is_refused(world: TitlesWorld) -> None:
    with pytest.raises(TitleExchangeUnexpectedTransfer) as err:
        world.registry(ACME).safe_transfer_from(world.addr(ACME), world.exchange_address, SHARES, 1, b"")
    assert err.value.args_values == (world.registry_address, world.addr(ACME))
    with pytest.raises(TitleExchangeUnexpectedTransfer):
        world.registry(ACME).safe_batch_transfer_from(
            world.addr(ACME), world.exchange_address, [SHARES], [1], b""
        )


def test_the_exchange_is_every_holders_operator_and_others_need_approval(world: TitlesWorld) -> None:
    reg = world.registry(ACME)
    assert reg.is_approved_for_all(world.addr(ACME), world.exchange_address)
    assert not reg.is_approved_for_all(world.addr(ACME), world.addr(GLOBEX))
    reg.set_approval_for_all(world.addr(GLOBEX), True)
    assert reg.is_approved_for_all(world.addr(ACME), world.addr(GLOBEX))
    world.registry(GLOBEX).safe_transfer_from(world.addr(ACME), world.addr(GLOBEX), SHARES, 5, b"")
    assert world.balance(GLOBEX, SHARES) == 505


def test_can_hold_uri_and_interfaces(world: TitlesWorld) -> None:
    reg = world.registry()
    assert reg.can_hold(world.addr(ACME)) and reg.can_hold(world.exchange_address)
    assert not reg.can_hold(world.addr(OUTSIDER))
    assert reg.uri(SHARES) == ""
    assert reg.supports_interface(bytes.fromhex("d9b67a26"))  # ERC-1155
    assert world.exchange().supports_interface(bytes.fromhex("4e2312e0"))  # ERC1155Receiver


def test_a_removed_member_keeps_its_titles_may_send_them_out_but_receives_none(world: TitlesWorld) -> None:
    oid = world.make_offer(GLOBEX, amount=50)
    world.remove_member(world.addr(GLOBEX))
    assert world.balance(GLOBEX, SHARES) == 450
    world.registry(GLOBEX).safe_transfer_from(world.addr(GLOBEX), world.addr(ACME), SHARES, 50, b"")
    assert world.balance(ACME, SHARES) == 1050
    with pytest.raises(TitleRegistryNotMember):
        world.registry(ACME).safe_transfer_from(world.addr(ACME), world.addr(GLOBEX), SHARES, 1, b"")
    # its open offer can no longer be filled by it as a taker, but it can take its titles back
    with pytest.raises(TitleExchangeNotMember):
        world.exchange(GLOBEX).fill(world.make_offer(ACME, amount=1), 1, ANY, value=ETHER)
    world.exchange(GLOBEX).cancel(oid, world.addr(GLOBEX))
    assert world.balance(GLOBEX, SHARES) == 450


def test_an_open_offer_of_a_removed_member_no_longer_fills_and_its_titles_go_back(world: TitlesWorld) -> None:
    """Finding 5: the expelled member's offer stops filling; anyone may push its titles back to it at once."""
    oid = world.make_offer(GLOBEX, amount=50, price=5 * ETHER)
    world.remove_member(world.addr(GLOBEX))
    with pytest.raises(TitleExchangeMakerNotMember) as err:
        world.exchange(INITECH).fill(oid, 50, ANY, value=5 * ETHER)
    assert err.value.args_values[0] == world.addr(GLOBEX)
    assert world.balance(INITECH, SHARES) == 0 and world.exchange().proceeds(world.addr(GLOBEX)) == 0
    with pytest.raises(TitleExchangeNotMaker):  # a third party may only push them to the maker
        world.exchange(INITECH).reclaim(oid, world.addr(INITECH))
    result = world.exchange(INITECH).reclaim(oid, world.addr(GLOBEX))  # before the expiry: the maker left
    event = OfferReclaimedEvent.from_result(result)[0]
    assert (event.returned, event.to) == (50, world.addr(GLOBEX))
    assert world.balance(GLOBEX, SHARES) == 500


def test_a_removed_maker_reclaims_to_a_member_of_its_choice(world: TitlesWorld) -> None:
    oid = world.make_offer(GLOBEX, amount=50)
    world.remove_member(world.addr(GLOBEX))
    with pytest.raises(TitleExchangeNotMember):
        world.exchange(GLOBEX).reclaim(oid, world.addr(OUTSIDER))
    world.exchange(GLOBEX).reclaim(oid, world.addr(INITECH))
    assert world.balance(INITECH, SHARES) == 50


def test_a_new_member_can_receive_titles(world: TitlesWorld) -> None:
    world.add_member(world.addr(UMBRELLA), "Umbrella")
    world.registry(ACME).safe_transfer_from(world.addr(ACME), world.addr(UMBRELLA), SHARES, 3, b"")
    assert world.balance(UMBRELLA, SHARES) == 3


# ----------------------------------------------------------------------------- offers


def test_make_offer_escrows_the_titles_and_records_the_offer(world: TitlesWorld) -> None:
    ex = world.exchange(ACME)
    terms = world.terms(amount=300, price=3 * ETHER, counterparty=world.addr(GLOBEX), partial=True)
    result = ex.make_offer(terms)
    made = OfferMadeEvent.from_result(result)[0]
    assert (made.offer_id, made.maker, made.counterparty, made.title_amount, made.price) == (
        1, world.addr(ACME), world.addr(GLOBEX), 300, 3 * ETHER)
    assert made.payment_kind is PaymentKind.ETHER and made.allow_partial
    assert world.balance(ACME, SHARES) == 700
    assert world.balance(world.exchange_address, SHARES) == 300
    offer = ex.offer(1)
    assert (offer.maker, offer.title_id, offer.title_amount, offer.filled, offer.status) == (
        world.addr(ACME), SHARES, 300, 0, OfferStatus.OPEN)
    assert offer.expiry == terms.expiry
    assert ex.offer_count() == 1 and ex.offer_state(1) is OfferStatus.OPEN


def test_make_offer_fails_for_a_non_member(world: TitlesWorld) -> None:
    with pytest.raises(TitleExchangeNotMember) as err:
        world.make_offer(OUTSIDER)
    assert err.value.args_values[0] == world.addr(OUTSIDER)


def test_make_offer_fails_for_a_non_member_counterparty(world: TitlesWorld) -> None:
    with pytest.raises(TitleExchangeNotMember) as err:
        world.make_offer(ACME, counterparty=world.addr(OUTSIDER))
    assert err.value.args_values[0] == world.addr(OUTSIDER)


def test_make_offer_fails_when_the_counterparty_is_the_maker(world: TitlesWorld) -> None:
    with pytest.raises(TitleExchangeSelfFill):
        world.make_offer(ACME, counterparty=world.addr(ACME))


@pytest.mark.parametrize("field", ["amount", "price"])
def test_make_offer_fails_for_zero_titles_or_zero_price(world: TitlesWorld, field: str) -> None:
    with pytest.raises(TitleExchangeZeroAmount):
        world.make_offer(ACME, **{field: 0})


def test_make_offer_fails_with_an_expiry_not_in_the_future(world: TitlesWorld) -> None:
    with pytest.raises(TitleExchangeInvalidExpiry) as err:
        world.make_offer(ACME, ttl=0)
    assert err.value.args_values[0] <= err.value.args_values[1]


def test_make_offer_fails_without_the_titles(world: TitlesWorld) -> None:
    with pytest.raises(ERC1155InsufficientBalance):
        world.make_offer(INITECH, title_id=SHARES, amount=1)


def test_make_offer_fails_for_a_class_id_beyond_96_bits(world: TitlesWorld) -> None:
    with pytest.raises(SafeCastOverflowedUintDowncast):
        world.make_offer(ACME, title_id=2**96)


@pytest.mark.parametrize(
    ("kind", "token", "payment_title_id", "error", "args"),
    [
        (PaymentKind.ETHER, "token", 0, TitleExchangeUnexpectedPaymentToken, (PaymentKind.ETHER, "token")),
        (PaymentKind.ETHER, ZERO, 2, TitleExchangeUnexpectedPaymentClass, (PaymentKind.ETHER, 2)),
        (PaymentKind.TOKEN, ZERO, 0, TitleExchangeTokenNotContract, (ZERO,)),
        (PaymentKind.TOKEN, "token", 2, TitleExchangeUnexpectedPaymentClass, (PaymentKind.TOKEN, 2)),
        (PaymentKind.TITLE, "token", 2, TitleExchangeUnexpectedPaymentToken, (PaymentKind.TITLE, "token")),
        (PaymentKind.TITLE, ZERO, 0, TitleExchangeInvalidPaymentClass, (0, SHARES)),
        (PaymentKind.TITLE, ZERO, SHARES, TitleExchangeInvalidPaymentClass, (SHARES, SHARES)),
    ],
)
def test_make_offer_fails_with_a_named_error_when_payment_fields_do_not_fit_the_kind(
    world: TitlesWorld, kind: PaymentKind, token: str, payment_title_id: int, error: type, args: tuple[object, ...]
) -> None:
    address = world.deploy_mock("MockERC20", ["USD Coin", "USDC", 6]) if token == "token" else token
    with pytest.raises(error) as err:
        world.make_offer(ACME, kind=kind, token=address, payment_title_id=payment_title_id)
    assert err.value.args_values == tuple(address if a == "token" else a for a in args)  # type: ignore[attr-defined]


def test_make_offer_fails_for_a_price_beyond_160_bits_or_an_amount_beyond_96(world: TitlesWorld) -> None:
    with pytest.raises(SafeCastOverflowedUintDowncast):
        world.make_offer(ACME, price=2**160)
    world.govern(TitleRegistry.encode_issue(SHARES, world.addr(ACME), 2**96))
    with pytest.raises(SafeCastOverflowedUintDowncast):
        world.make_offer(ACME, amount=2**96)


# ------------------------------------------------------------------------------- fills


def test_whole_fill_for_ether_moves_both_legs_and_credits_the_maker(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=300, price=3 * ETHER)
    result = world.exchange(GLOBEX).fill(oid, 300, ANY, value=3 * ETHER)
    filled = OfferFilledEvent.from_result(result)[0]
    assert (filled.offer_id, filled.taker, filled.amount, filled.payment, filled.remaining) == (
        oid, world.addr(GLOBEX), 300, 3 * ETHER, 0)
    assert world.balance(GLOBEX, SHARES) == 800
    assert world.balance(world.exchange_address, SHARES) == 0
    assert world.exchange().offer_state(oid) is OfferStatus.FILLED
    assert world.exchange().proceeds(world.addr(ACME)) == 3 * ETHER
    assert world.exchange().total_proceeds() == 3 * ETHER
    assert world.env.balance(world.exchange_address) == 3 * ETHER


def test_withdraw_pays_the_maker_its_ether_once(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=10, price=ETHER)
    world.exchange(GLOBEX).fill(oid, 10, ANY, value=ETHER)
    before = world.env.balance(world.addr(ACME))
    result = world.exchange(ACME).withdraw(world.addr(ACME))
    event = ProceedsWithdrawnEvent.from_result(result)[0]
    assert (event.maker, event.amount) == (world.addr(ACME), ETHER)
    assert world.env.balance(world.addr(ACME)) == before + ETHER - result.gas_used * result.effective_gas_price
    assert world.exchange().proceeds(world.addr(ACME)) == 0 and world.exchange().total_proceeds() == 0
    with pytest.raises(TitleExchangeNothingToWithdraw) as err:
        world.exchange(ACME).withdraw(world.addr(ACME))
    assert err.value.args_values[0] == world.addr(ACME)


def test_fill_for_an_erc20_pays_the_maker_directly(world: TitlesWorld) -> None:
    usdc = world.deploy_mock("MockERC20", ["USD Coin", "USDC", 6])
    token = MockERC20(world.env.w3, usdc, world.env.pipeline(GLOBEX))
    token.mint(world.addr(GLOBEX), 50_000 * 10**6)
    token.approve(world.exchange_address, 12_000 * 10**6)
    oid = world.make_offer(ACME, amount=300, kind=PaymentKind.TOKEN, token=usdc, price=12_000 * 10**6)
    world.exchange(GLOBEX).fill(oid, 300, ANY)
    assert token.balance_of(world.addr(ACME)) == 12_000 * 10**6
    assert token.balance_of(world.exchange_address) == 0
    assert world.balance(GLOBEX, SHARES) == 800


def test_fill_for_an_erc20_fails_without_allowance_and_moves_nothing(world: TitlesWorld) -> None:
    usdc = world.deploy_mock("MockERC20", ["USD Coin", "USDC", 6])
    MockERC20(world.env.w3, usdc, world.env.pipeline(GLOBEX)).mint(world.addr(GLOBEX), 10**12)
    oid = world.make_offer(ACME, amount=300, kind=PaymentKind.TOKEN, token=usdc, price=10**9)
    with pytest.raises(ContractRevertError):
        world.exchange(GLOBEX).fill(oid, 300, ANY)
    assert world.balance(world.exchange_address, SHARES) == 300
    assert world.exchange().offer(oid).filled == 0


def test_fill_for_other_titles_swaps_both_classes(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TITLE, payment_title_id=BOND, price=40)
    world.exchange(INITECH).fill(oid, 100, ANY)
    assert world.balance(ACME, BOND) == 40 and world.balance(INITECH, BOND) == 260
    assert world.balance(INITECH, SHARES) == 100 and world.balance(ACME, SHARES) == 900


def test_fill_for_titles_fails_when_the_taker_lacks_them(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TITLE, payment_title_id=BOND, price=400)
    with pytest.raises(ERC1155InsufficientBalance):
        world.exchange(INITECH).fill(oid, 100, ANY)
    assert world.balance(world.exchange_address, SHARES) == 100


def test_fill_for_titles_fails_when_the_maker_was_removed(world: TitlesWorld) -> None:
    oid = world.make_offer(GLOBEX, amount=100, kind=PaymentKind.TITLE, payment_title_id=BOND, price=40)
    world.remove_member(world.addr(GLOBEX))
    with pytest.raises(TitleExchangeMakerNotMember) as err:
        world.exchange(INITECH).fill(oid, 100, ANY)
    assert err.value.args_values[0] == world.addr(GLOBEX)


def test_fill_fails_for_a_non_member_taker(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME)
    with pytest.raises(TitleExchangeNotMember) as err:
        world.exchange(OUTSIDER).fill(oid, 100, ANY, value=ETHER)
    assert err.value.args_values[0] == world.addr(OUTSIDER)


def test_fill_fails_for_the_wrong_counterparty(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, counterparty=world.addr(GLOBEX))
    with pytest.raises(TitleExchangeWrongCounterparty) as err:
        world.exchange(INITECH).fill(oid, 100, ANY, value=ETHER)
    assert err.value.args_values == (oid, world.addr(INITECH), world.addr(GLOBEX))
    world.exchange(GLOBEX).fill(oid, 100, ANY, value=ETHER)
    assert world.balance(GLOBEX, SHARES) == 600


def test_fill_fails_for_the_maker_itself(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME)
    with pytest.raises(TitleExchangeSelfFill) as err:
        world.exchange(ACME).fill(oid, 100, ANY, value=ETHER)
    assert err.value.args_values[0] == oid


def test_fill_fails_once_expired_and_the_expiry_is_exact(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, ttl=HOUR)
    expiry = world.exchange().offer(oid).expiry
    world.env.time_travel(expiry - world.env.now())  # the next block is at the expiry exactly
    assert world.exchange().offer_state(oid) is OfferStatus.EXPIRED
    with pytest.raises(TitleExchangeOfferExpired) as err:
        world.exchange(GLOBEX).fill(oid, 100, ANY, value=ETHER)
    assert err.value.args_values == (oid, expiry)


def test_fill_fails_beyond_the_remaining_titles(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=100, partial=True)
    world.exchange(GLOBEX).fill(oid, 60, ANY, value=6 * ETHER // 10)
    with pytest.raises(TitleExchangeOverfill) as err:
        world.exchange(INITECH).fill(oid, 41, ANY, value=ETHER)
    assert err.value.args_values == (oid, 41, 40)


def test_a_filled_offer_cannot_fill_twice(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME)
    world.exchange(GLOBEX).fill(oid, 100, ANY, value=ETHER)
    with pytest.raises(TitleExchangeOfferNotOpen) as err:
        world.exchange(INITECH).fill(oid, 100, ANY, value=ETHER)
    assert err.value.args_values == (oid, OfferStatus.FILLED)


def test_fill_fails_for_zero_titles(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, partial=True)
    with pytest.raises(TitleExchangeZeroAmount):
        world.exchange(GLOBEX).fill(oid, 0, ANY)


def test_partial_fill_fails_on_an_all_or_nothing_offer(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=100, partial=False)
    with pytest.raises(TitleExchangePartialFillNotAllowed) as err:
        world.exchange(GLOBEX).fill(oid, 50, ANY, value=ETHER // 2)
    assert err.value.args_values == (oid, 50, 100)


@pytest.mark.parametrize("sent", [ETHER - 1, 0])
def test_fill_fails_when_less_than_the_ether_price_is_sent(world: TitlesWorld, sent: int) -> None:
    oid = world.make_offer(ACME, price=ETHER)
    with pytest.raises(TitleExchangeWrongValue) as err:
        world.exchange(GLOBEX).fill(oid, 100, ANY, value=sent)
    assert err.value.args_values == (ETHER, sent)
    assert world.balance(world.exchange_address, SHARES) == 100


def test_fill_refunds_the_ether_sent_beyond_the_payment(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, price=ETHER)
    before = world.env.balance(world.addr(GLOBEX))
    result = world.exchange(GLOBEX).fill(oid, 100, ETHER, value=ETHER + 12345)
    assert world.env.balance(world.addr(GLOBEX)) == before - ETHER - result.gas_used * result.effective_gas_price
    assert world.env.balance(world.exchange_address) == ETHER == world.exchange().total_proceeds()


def test_fill_fails_when_the_payment_exceeds_the_takers_bound(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=3, price=10, partial=True)
    with pytest.raises(TitleExchangePaymentAboveMax) as err:
        world.exchange(GLOBEX).fill(oid, 1, 3, value=10)
    assert err.value.args_values == (4, 3)
    assert world.exchange().offer(oid).filled == 0


def test_fill_with_ether_on_a_title_payment_fails(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, kind=PaymentKind.TITLE, payment_title_id=BOND, price=1)
    with pytest.raises(TitleExchangeWrongValue) as err:
        world.exchange(INITECH).fill(oid, 100, ANY, value=1)
    assert err.value.args_values == (0, 1)


@pytest.mark.parametrize("offer_id", [0, 7])
def test_unknown_offers_are_refused_everywhere(world: TitlesWorld, offer_id: int) -> None:
    ex = world.exchange(GLOBEX)
    for call in (lambda: ex.fill(offer_id, 1, ANY), lambda: ex.cancel(offer_id, world.addr(GLOBEX)), lambda: ex.reclaim(offer_id, world.addr(GLOBEX)),
                 lambda: ex.offer(offer_id), lambda: ex.offer_state(offer_id), lambda: ex.quote(offer_id, 1)):
        with pytest.raises(TitleExchangeUnknownOffer) as err:
            call()
        assert err.value.args_values[0] == offer_id


# ----------------------------------------------------------------------- rounding rule


def test_partial_fills_pay_the_cumulative_ceiling_and_sum_to_the_price(world: TitlesWorld) -> None:
    """3 titles for 10 wei, filled 1 + 1 + 1: the takers pay 4, 3, 3 (ceil(10/3)=4, ceil(20/3)-4=3,
    10-7=3), in total exactly 10."""
    oid = world.make_offer(ACME, amount=3, price=10, partial=True)
    ex = world.exchange()
    paid = []
    for taker in (GLOBEX, INITECH, GLOBEX):
        due = ex.quote(oid, 1)
        result = world.exchange(taker).fill(oid, 1, ANY, value=due)
        paid.append(OfferFilledEvent.from_result(result)[0].payment)
    assert paid == [4, 3, 3] and sum(paid) == 10
    assert ex.proceeds(world.addr(ACME)) == 10


def test_a_divisible_partial_fill_pays_exactly_its_share(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=100, price=ETHER, partial=True)
    assert world.exchange().quote(oid, 7) == 7 * ETHER // 100
    world.exchange(GLOBEX).fill(oid, 7, ANY, value=7 * ETHER // 100)
    with pytest.raises(TitleExchangeWrongValue):
        world.exchange(GLOBEX).fill(oid, 3, ANY, value=3 * ETHER // 100 - 1)


def test_quote_refuses_more_than_remains(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=100, partial=True)
    with pytest.raises(TitleExchangeOverfill):
        world.exchange().quote(oid, 101)


@settings(max_examples=300, deadline=None)
@given(total=st.integers(1, 10**30), price=st.integers(1, 2**255), data=st.data())
def test_payment_rule_sums_to_the_price_and_never_shorts_the_maker(
    total: int, price: int, data: st.DataObject
) -> None:
    """Any split of an offer into consecutive fills pays exactly the price in total, and after every
    fill the takers have paid the exact proportional share rounded up (off by less than one unit)."""
    cuts = sorted(data.draw(st.lists(st.integers(0, total), max_size=6)))
    points = [0, *cuts, total]
    paid = 0
    for before, after in itertools.pairwise(points):
        paid += payment_between(price, total, before, after)
        assert paid * total >= after * price > (paid - 1) * total
    assert paid == price


@pytest.mark.parametrize(
    ("total", "price"),
    [(3, 10), (7, 10**18), (997, 2**159 + 12345), (10**6, 1), (2**96 - 1, 2**160 - 1)],
)
def test_the_contract_quotes_exactly_the_library_rule(world: TitlesWorld, total: int, price: int) -> None:
    """`quote` on chain equals `payment_between` at many fill points, including 512-bit products."""
    if total > 1000:
        world.govern(TitleRegistry.encode_issue(SHARES, world.addr(ACME), total - 1000))
    oid = world.make_offer(ACME, amount=total, price=price, partial=True)
    points = sorted({0, 1, total // 3, total // 2, total - 1, total, 2 * total // 3})
    for amount in points:
        assert world.exchange().quote(oid, amount) == payment_between(price, total, 0, amount)
    assert world.exchange().quote(oid, total) == price


# --------------------------------------------------------------------- cancel, reclaim


def test_cancel_returns_the_unfilled_titles_to_the_maker(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=100, partial=True)
    world.exchange(GLOBEX).fill(oid, 30, ANY, value=3 * ETHER // 10)
    result = world.exchange(ACME).cancel(oid, world.addr(ACME))
    assert OfferCancelledEvent.from_result(result)[0].returned == 70
    assert world.balance(ACME, SHARES) == 970
    assert world.balance(world.exchange_address, SHARES) == 0
    assert world.exchange().offer_state(oid) is OfferStatus.CANCELLED
    with pytest.raises(TitleExchangeOfferNotOpen) as err:
        world.exchange(GLOBEX).fill(oid, 1, ANY, value=ETHER)
    assert err.value.args_values == (oid, OfferStatus.CANCELLED)
    with pytest.raises(TitleExchangeOfferNotOpen):
        world.exchange(ACME).cancel(oid, world.addr(ACME))


def test_cancel_by_anyone_but_the_maker_fails(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME)
    for who in (GLOBEX, OUTSIDER):
        with pytest.raises(TitleExchangeNotMaker) as err:
            world.exchange(who).cancel(oid, world.addr(who))
        assert err.value.args_values == (oid, world.addr(who), world.addr(ACME))
    assert world.balance(world.exchange_address, SHARES) == 100


def test_cancel_after_expiry_fails_and_reclaim_before_expiry_fails(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, ttl=HOUR)
    expiry = world.exchange().offer(oid).expiry
    with pytest.raises(TitleExchangeOfferNotExpired) as not_yet:
        world.exchange(ACME).reclaim(oid, world.addr(ACME))
    assert not_yet.value.args_values[:2] == (oid, expiry)
    world.env.time_travel(HOUR + 1)
    with pytest.raises(TitleExchangeOfferExpired):
        world.exchange(ACME).cancel(oid, world.addr(ACME))


def test_reclaim_returns_an_expired_offers_titles_to_the_maker_only(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=100, partial=True)
    world.exchange(GLOBEX).fill(oid, 25, ANY, value=ETHER // 4)
    world.env.time_travel(HOUR + 1)
    with pytest.raises(TitleExchangeNotMaker):
        world.exchange(GLOBEX).reclaim(oid, world.addr(GLOBEX))
    result = world.exchange(ACME).reclaim(oid, world.addr(ACME))
    assert OfferReclaimedEvent.from_result(result)[0].returned == 75
    assert world.balance(ACME, SHARES) == 975
    assert world.exchange().offer_state(oid) is OfferStatus.RECLAIMED
    with pytest.raises(TitleExchangeOfferNotOpen):
        world.exchange(ACME).reclaim(oid, world.addr(ACME))


def test_event_queries_return_the_history(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=10, partial=True)
    world.exchange(GLOBEX).fill(oid, 4, ANY, value=4 * ETHER // 10)
    world.exchange(ACME).cancel(oid, world.addr(ACME))
    ev = world.exchange().events
    assert [e.offer_id for e in ev.offer_made()] == [oid]
    assert [(e.taker, e.amount) for e in ev.offer_filled(offer_id=oid)] == [(world.addr(GLOBEX), 4)]
    assert [e.returned for e in ev.offer_cancelled()] == [6]


def test_exchange_cannot_be_used_with_another_registry(world: TitlesWorld) -> None:
    """A second registry (another consortium's) deploys its own exchange: the two never mix."""
    other = world.env.deploy("TitleRegistry", [world.consortium_address])
    other_exchange = TitleRegistry(world.env.w3, other).exchange()
    assert other_exchange != world.exchange_address
    assert TitleExchange(world.env.w3, other_exchange).titles() == other
