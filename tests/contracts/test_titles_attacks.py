"""Attacks on the title registry and exchange.

The five findings of issue 14, each driven as the attacker would (a hostile member's script or an
attacker contract of contracts/test/, through the generated bindings on a real EVM) and shown to do no
harm: (1) executing another class-creating proposal first to divert an issue, (2) a quorum of
non-holders diluting a class, (3) a 1-title front-run griefing a partial fill, (4) a maker contract
without ``receive`` losing its proceeds or titles, (5) an expelled member's offers still filling.
Then the next attacks of the same kinds: re-entrant ERC-1155 receivers on fill, cancel and signed
fills, a receiver that reverts, fee-on-transfer / no-return / false-returning payment tokens, ether
forced in by selfdestruct, a third party cancelling someone else's nonces, and attempts to move
escrowed or un-offered titles through the exchange's operator power."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _titles_env import ACME, ANY, BOND, GLOBEX, INITECH, SHARES, TitlesWorld, restore, snapshot
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
    TitleExchangeInvalidSignature,
    TitleExchangeMakerNotMember,
    TitleExchangeNotMember,
    TitleExchangePaymentShort,
)
from coopetition.bindings.title_registry import (
    ERC1155MissingApprovalForAll,
    TitleRegistry,
    TitleRegistryInsufficientConsent,
    TitleRegistryInvalidConsent,
    TitleRegistryMaxSupplyExceeded,
)
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


# ------------------------------------------------------------------ the five findings


def test_finding_1_executing_another_class_proposal_first_cannot_divert_an_issue(world: TitlesWorld) -> None:
    """Globex's proposal creates "Globex JV" and issues it to Globex; a rival proposal creating another
    class is executed first by the attacker (anyone may choose the order). The titles still land in
    "Globex JV": issuance is atomic with creation, and the registry has no bare createClass any more."""
    from _consortium import Gov

    gov = Gov(world.env, world.consortium_address)
    victim = gov.propose(GLOBEX, TitleRegistry.encode_create_class_and_issue(
        "Globex JV", b"\x01" * 32, 1000, [world.addr(GLOBEX)], [1000]), target=world.registry_address,
        description="victim")
    rival = gov.propose(ACME, TitleRegistry.encode_create_class_and_issue(
        "Rival", b"\x02" * 32, 0, [], []), target=world.registry_address, description="rival")
    for pid in (victim, rival):
        world.consortium(INITECH).approve(pid)
    gov.execute(rival, by=ACME)  # the attacker executes its own first
    gov.execute(victim, by=ACME)
    reg = world.registry()
    names = {i: reg.title_class(i).name for i in (3, 4)}
    jv = next(i for i, n in names.items() if n == "Globex JV")
    assert world.balance(GLOBEX, jv) == 1000 and reg.issued(jv) == 1000
    assert reg.issued(next(i for i, n in names.items() if n == "Rival")) == 0
    assert not any(e.get("name") == "createClass" for e in reg.abi)


def test_finding_2_a_quorum_of_non_holders_cannot_dilute_a_holders_stake(world: TitlesWorld) -> None:
    """Acme and Initech (a quorum, holding no "Globex JV") try every way to dilute Globex's 100 %: issue
    beyond the cap, lift the cap without consent, lift it with a consent Acme forged for Globex."""
    from coopetition._domain.titles_caps import CapConsent, sign_cap_consent

    world.govern(TitleRegistry.encode_create_class_and_issue(
        "Globex JV", b"\x01" * 32, 5000, [world.addr(GLOBEX)], [5000]))
    with pytest.raises(TitleRegistryMaxSupplyExceeded):
        world.govern(TitleRegistry.encode_issue(3, world.addr(ACME), 495_000))
    deadline = world.env.now() + 3600
    with pytest.raises(TitleRegistryInsufficientConsent):
        world.govern(TitleRegistry.encode_set_max_supply(3, 0, deadline, []))
    acme_signs = sign_cap_consent(world.env.accounts[ACME], chain_id=world.env.w3.eth.chain_id,
                                  registry=world.registry_address, class_id=3, max_supply=0, cap_nonce=0,
                                  deadline=deadline)
    forged = CapConsent(3, 0, 0, deadline, world.addr(GLOBEX), acme_signs.signature)
    with pytest.raises(TitleRegistryInvalidConsent):
        world.govern(TitleRegistry.encode_set_max_supply(3, 0, deadline, [forged.holder_consent()]))
    with pytest.raises(TitleRegistryInsufficientConsent):  # Acme's own consent weighs its holding: 0
        world.govern(TitleRegistry.encode_set_max_supply(3, 0, deadline, [acme_signs.holder_consent()]))
    assert world.registry().issued(3) == 5000 == world.balance(GLOBEX, 3)


def test_finding_3_a_one_title_front_run_cannot_make_a_bounded_fill_revert(world: TitlesWorld) -> None:
    """3 titles for 10 wei: Globex quotes 2 titles (7 wei) and sends its fill with maxPayment 7; Initech
    front-runs with 1 title (4 wei). Globex's fill now costs 6: it settles, and the extra wei comes back."""
    oid = world.make_offer(ACME, amount=3, price=10, partial=True)
    quoted = world.exchange().quote(oid, 2)
    assert quoted == 7
    world.exchange(INITECH).fill(oid, 1, ANY, value=4)  # the front-run
    before = world.env.balance(world.addr(GLOBEX))
    result = world.exchange(GLOBEX).fill(oid, 2, quoted, value=quoted)
    spent = before - world.env.balance(world.addr(GLOBEX)) - result.gas_used * result.effective_gas_price
    assert spent == 6 and world.balance(GLOBEX, SHARES) == 502
    assert world.exchange().proceeds(world.addr(ACME)) == 10


def test_finding_4_a_maker_contract_without_receive_gets_its_ether_and_titles_out(world: TitlesWorld) -> None:
    from mocks.titles_maker_without_receive import TitlesMakerWithoutReceive

    address = world.deploy_mock("TitlesMakerWithoutReceive", [])
    world.add_member(address, "Multisig")
    world.govern(TitleRegistry.encode_issue(SHARES, address, 100))
    maker = TitlesMakerWithoutReceive(world.env.w3, address, world.env.pipeline(0))
    maker.execute(world.exchange_address, TitleExchange.encode_make_offer(world.terms(amount=40, price=ETHER)))
    sold = world.exchange().offer_count()
    world.exchange(GLOBEX).fill(sold, 40, ANY, value=ETHER)
    with pytest.raises(ContractRevertError):  # ether pushed to it bounces...
        maker.execute(world.exchange_address, TitleExchange.encode_withdraw(address))
    before = world.env.balance(world.addr(INITECH))
    maker.execute(world.exchange_address, TitleExchange.encode_withdraw(world.addr(INITECH)))  # ...so it picks a payee
    assert world.env.balance(world.addr(INITECH)) == before + ETHER and world.exchange().proceeds(address) == 0
    maker.execute(world.exchange_address, TitleExchange.encode_make_offer(world.terms(amount=30)))
    live = world.exchange().offer_count()
    maker.execute(world.exchange_address, TitleExchange.encode_cancel(live, world.addr(GLOBEX)))
    maker.execute(world.exchange_address, TitleExchange.encode_make_offer(world.terms(amount=30, ttl=60)))
    expired = world.exchange().offer_count()
    world.env.time_travel(61)
    maker.execute(world.exchange_address, TitleExchange.encode_reclaim(expired, world.addr(INITECH)))
    assert world.balance(GLOBEX, SHARES) == 500 + 40 + 30 and world.balance(INITECH, SHARES) == 30


def test_finding_5_an_expelled_member_can_no_longer_sell_in_any_way(world: TitlesWorld) -> None:
    """Globex, about to be expelled, leaves an offer on the book and a signed order with Initech; after
    the expulsion neither settles, it can make no new offer, and its escrowed titles go back to it."""
    usdc = world.usdc()
    oid = world.make_offer(GLOBEX, amount=50, kind=PaymentKind.TOKEN, token=usdc, price=500)
    order = world.sign(GLOBEX, amount=50, price=500, asset=usdc)
    world.remove_member(world.addr(GLOBEX))
    with pytest.raises(TitleExchangeMakerNotMember):
        world.exchange(INITECH).fill(oid, 50, ANY)
    with pytest.raises(TitleExchangeMakerNotMember):
        world.take(INITECH, order)
    with pytest.raises(TitleExchangeNotMember):
        world.make_offer(GLOBEX, amount=1)
    world.exchange(INITECH).reclaim(oid, world.addr(GLOBEX))  # anyone pushes the titles home
    assert world.balance(GLOBEX, SHARES) == 500 and world.balance(INITECH, SHARES) == 0
    assert MockERC20(world.env.w3, usdc).balance_of(world.addr(GLOBEX)) == 10**12


def test_nobody_can_cancel_another_makers_signed_orders(world: TitlesWorld) -> None:
    order = world.sign(ACME, amount=10, price=1, nonce=7)
    world.exchange(INITECH).cancel_order(7)
    world.exchange(INITECH).cancel_orders_below(1000)
    world.take(GLOBEX, order, value=1)
    assert world.balance(GLOBEX, SHARES) == 510


def test_the_operator_power_moves_no_titles_without_the_holders_signature(world: TitlesWorld) -> None:
    """Globex forges an order "by Acme" (its own signature): the exchange's operator power over Acme's
    titles is only ever used with Acme's own signature."""
    fake = world.sign(GLOBEX, amount=1000, price=1)
    import dataclasses

    with pytest.raises(TitleExchangeInvalidSignature):
        world.take(INITECH, dataclasses.replace(fake, maker=world.addr(ACME)), value=1)
    assert world.balance(ACME, SHARES) == 1000


def test_reentrant_taker_cannot_take_a_signed_order_twice_from_its_receipt_hook(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world)
    order = world.sign(ACME, amount=10, price=ETHER // 10, partial=True)
    call = TitleExchange.encode_fill_order(order.order(), order.signature_bytes, 5, ANY)
    mallory.arm(world.exchange_address, call, ETHER // 20, True)
    with pytest.raises(ContractCustomError, match=r"ReentrancyGuardReentrantCall\(\)"):
        mallory.execute(world.exchange_address, call, ETHER // 20)
    assert world.balance(mallory.address, SHARES) == 0 and world.exchange().proceeds(world.addr(ACME)) == 0


# --------------------------------------------------------------------- re-entrancy


def test_reentrant_taker_cannot_fill_again_from_its_receipt_hook(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world)
    oid = world.make_offer(ACME, amount=100, price=ETHER, partial=True)
    mallory.arm(world.exchange_address, TitleExchange.encode_fill(oid, 10, ANY), ETHER // 10, True)
    # OpenZeppelin's error is declared by several contracts: match it by signature, not by binding class.
    with pytest.raises(ContractCustomError, match=r"ReentrancyGuardReentrantCall\(\)"):
        mallory.execute(world.exchange_address, TitleExchange.encode_fill(oid, 10, ANY), ETHER // 10)
    offer = world.exchange().offer(oid)
    assert offer.filled == 0 and world.balance(mallory.address, SHARES) == 0
    assert world.balance(world.exchange_address, SHARES) == 100


def test_reentrant_taker_whose_reentry_is_swallowed_fills_exactly_once(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world)
    oid = world.make_offer(ACME, amount=100, price=ETHER, partial=True)
    mallory.arm(world.exchange_address, TitleExchange.encode_fill(oid, 10, ANY), ETHER // 10, False)
    mallory.execute(world.exchange_address, TitleExchange.encode_fill(oid, 10, ANY), ETHER // 10)
    assert mallory.reentry_attempts() == 1 and mallory.reentry_failed()
    assert mallory.reentry_error()[:4] == REENTRANCY_SELECTOR
    assert world.exchange().offer(oid).filled == 10
    assert world.balance(mallory.address, SHARES) == 10
    assert world.exchange().proceeds(world.addr(ACME)) == ETHER // 10


def test_reentrant_maker_cannot_cancel_twice_from_its_receipt_hook(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world, shares=50)
    oid = _offer_as(world, mallory, amount=50)
    mallory.arm(world.exchange_address, TitleExchange.encode_cancel(oid, mallory.address), 0, True)
    # OpenZeppelin's error is declared by several contracts: match it by signature, not by binding class.
    with pytest.raises(ContractCustomError, match=r"ReentrancyGuardReentrantCall\(\)"):
        mallory.execute(world.exchange_address, TitleExchange.encode_cancel(oid, mallory.address), 0)
    assert world.exchange().offer_state(oid) is OfferStatus.OPEN
    mallory.arm(world.exchange_address, TitleExchange.encode_cancel(oid, mallory.address), 0, False)
    mallory.execute(world.exchange_address, TitleExchange.encode_cancel(oid, mallory.address), 0)
    assert mallory.reentry_failed() and mallory.reentry_error()[:4] == REENTRANCY_SELECTOR
    assert world.balance(mallory.address, SHARES) == 50
    assert world.balance(world.exchange_address, SHARES) == 0
    assert world.exchange().offer_state(oid) is OfferStatus.CANCELLED


def test_reentrant_maker_cannot_fill_another_offer_while_its_cancel_returns_titles(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world, shares=50)
    own = _offer_as(world, mallory, amount=50)
    other = world.make_offer(GLOBEX, amount=10, price=ETHER)
    mallory.arm(world.exchange_address, TitleExchange.encode_fill(other, 10, ANY), ETHER, False)
    mallory.execute(world.exchange_address, TitleExchange.encode_cancel(own, mallory.address), 0)
    assert mallory.reentry_failed()
    assert world.exchange().offer_state(other) is OfferStatus.OPEN


def test_reentrant_maker_paid_in_titles_cannot_reenter_during_the_payment_leg(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world, shares=50)
    oid = _offer_as(world, mallory, amount=50, kind=PaymentKind.TITLE, payment_title_id=BOND, price=20)
    mallory.arm(world.exchange_address, TitleExchange.encode_cancel(oid, mallory.address), 0, True)
    # OpenZeppelin's error is declared by several contracts: match it by signature, not by binding class.
    with pytest.raises(ContractCustomError, match=r"ReentrancyGuardReentrantCall\(\)"):
        world.exchange(INITECH).fill(oid, 50, ANY)
    assert world.balance(INITECH, BOND) == 300 and world.balance(mallory.address, SHARES) == 0


def test_reentrant_maker_withdrawing_ether_gets_it_once(world: TitlesWorld) -> None:
    mallory = _reentrant_member(world, shares=50)
    oid = _offer_as(world, mallory, amount=50, price=ETHER)
    world.exchange(GLOBEX).fill(oid, 50, ANY, value=ETHER)
    before = world.env.balance(mallory.address)
    mallory.execute(world.exchange_address, TitleExchange.encode_withdraw(mallory.address), 0)
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
        refuser.execute(world.exchange_address, TitleExchange.encode_fill(oid, 10, ANY), ETHER, value=ETHER)
    assert world.exchange().offer(oid).filled == 0
    world.exchange(GLOBEX).fill(oid, 10, ANY, value=ETHER)
    assert world.balance(GLOBEX, SHARES) == 510


def test_a_maker_refusing_ether_cannot_block_fills_and_withdraws_once_it_accepts(world: TitlesWorld) -> None:
    refuser = _reverting_member(world, shares=20)
    oid = _offer_as(world, refuser, amount=20, price=2 * ETHER, partial=True)
    world.exchange(GLOBEX).fill(oid, 10, ANY, value=ETHER)
    world.exchange(INITECH).fill(oid, 10, ANY, value=ETHER)
    assert world.exchange().proceeds(refuser.address) == 2 * ETHER
    with pytest.raises(TitlesRevertingReceiverRejected):
        refuser.execute(world.exchange_address, TitleExchange.encode_withdraw(refuser.address), 0)
    assert world.exchange().proceeds(refuser.address) == 2 * ETHER
    refuser.set_rejecting(False)
    refuser.execute(world.exchange_address, TitleExchange.encode_withdraw(refuser.address), 0)
    assert world.env.balance(refuser.address) == 2 * ETHER


def test_a_maker_refusing_its_returned_titles_keeps_them_escrowed_until_it_accepts(world: TitlesWorld) -> None:
    refuser = _reverting_member(world, shares=20)
    oid = _offer_as(world, refuser, amount=20)
    with pytest.raises(TitlesRevertingReceiverRejected):
        refuser.execute(world.exchange_address, TitleExchange.encode_cancel(oid, refuser.address), 0)
    assert world.exchange().offer_state(oid) is OfferStatus.OPEN
    assert world.balance(world.exchange_address, SHARES) == 20
    refuser.set_rejecting(False)
    refuser.execute(world.exchange_address, TitleExchange.encode_cancel(oid, refuser.address), 0)
    assert world.balance(refuser.address, SHARES) == 20


# --------------------------------------------------------------------- payment tokens


def test_fee_on_transfer_payment_reverts_the_whole_fill(world: TitlesWorld) -> None:
    fot = world.deploy_mock("FeeOnTransferToken", ["Fee", "FEE", 18, 100])
    token = FeeOnTransferToken(world.env.w3, fot, world.env.pipeline(GLOBEX))
    token.mint(world.addr(GLOBEX), 1000 * ETHER)
    token.approve(world.exchange_address, 1000 * ETHER)
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TOKEN, token=fot, price=100 * ETHER)
    with pytest.raises(TitleExchangePaymentShort) as err:
        world.exchange(GLOBEX).fill(oid, 100, ANY)
    assert (err.value.token, err.value.expected, err.value.received) == (fot, 100 * ETHER, 99 * ETHER)
    assert token.balance_of(world.addr(ACME)) == 0
    assert world.balance(world.exchange_address, SHARES) == 100
    assert world.exchange().offer(oid).filled == 0
    token.set_fee_bps(0)
    world.exchange(GLOBEX).fill(oid, 100, ANY)
    assert token.balance_of(world.addr(ACME)) == 100 * ETHER


def test_no_return_token_payment_works_through_safe_erc20(world: TitlesWorld) -> None:
    nrt = world.deploy_mock("NoReturnToken", ["Tether-like", "USDT", 6])
    token = NoReturnToken(world.env.w3, nrt, world.env.pipeline(GLOBEX))
    token.mint(world.addr(GLOBEX), 10**12)
    token.approve(world.exchange_address, 10**12)
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TOKEN, token=nrt, price=5 * 10**9, partial=True)
    world.exchange(GLOBEX).fill(oid, 40, ANY)
    assert token.balance_of(world.addr(ACME)) == 2 * 10**9
    assert world.balance(GLOBEX, SHARES) == 540


def test_no_return_token_without_allowance_reverts_and_moves_nothing(world: TitlesWorld) -> None:
    nrt = world.deploy_mock("NoReturnToken", ["Tether-like", "USDT", 6])
    NoReturnToken(world.env.w3, nrt, world.env.pipeline(GLOBEX)).mint(world.addr(GLOBEX), 10**12)
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TOKEN, token=nrt, price=10**9)
    with pytest.raises(ContractRevertError):  # the token's own revert (no allowance)
        world.exchange(GLOBEX).fill(oid, 100, ANY)
    assert world.balance(world.exchange_address, SHARES) == 100


def test_false_returning_token_payment_is_refused(world: TitlesWorld) -> None:
    frt = world.deploy_mock("FalseReturnToken", ["False", "FLS", 18])
    token = FalseReturnToken(world.env.w3, frt, world.env.pipeline(GLOBEX))
    token.mint(world.addr(GLOBEX), 100 * ETHER)
    token.approve(world.exchange_address, 100 * ETHER)
    token.set_failing(True)
    oid = world.make_offer(ACME, amount=100, kind=PaymentKind.TOKEN, token=frt, price=10 * ETHER)
    with pytest.raises(SafeERC20FailedOperation) as err:
        world.exchange(GLOBEX).fill(oid, 100, ANY)
    assert err.value.token == frt
    assert token.balance_of(world.addr(ACME)) == 0 and world.balance(GLOBEX, SHARES) == 500
    token.set_failing(False)
    world.exchange(GLOBEX).fill(oid, 100, ANY)
    assert token.balance_of(world.addr(ACME)) == 10 * ETHER


# --------------------------------------------------------------------- forced ether, operator power


def test_forced_ether_changes_no_accounting(world: TitlesWorld) -> None:
    oid = world.make_offer(ACME, amount=10, price=ETHER)
    world.deploy_mock("ForceSend", [world.exchange_address], value=3 * ETHER)
    assert world.env.balance(world.exchange_address) == 3 * ETHER
    assert world.exchange().total_proceeds() == 0
    world.exchange(GLOBEX).fill(oid, 10, ANY, value=ETHER)
    assert world.exchange().proceeds(world.addr(ACME)) == ETHER
    world.exchange(ACME).withdraw(world.addr(ACME))
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
