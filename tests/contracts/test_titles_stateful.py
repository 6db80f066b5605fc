"""Hypothesis stateful test of the title registry and exchange against a Python model.

Random members (and an outsider) make offers for ether or for titles of the other class, fill them
whole or in part (sometimes paying one wei short), cancel, reclaim, withdraw, transfer titles, and
move the clock. Each step predicts the exact outcome (the custom error, or the new state) and checks
it; after every step the invariants of the issue hold on chain:

* titles are conserved: held by members + held by the exchange = issued, per class, and a
  non-member never holds any;
* the exchange holds exactly the unfilled titles of its open (incl. expired, unreclaimed) offers;
* no offer fills beyond its amount, and each offer's filled amount and status equal the model's;
* expired, cancelled, reclaimed or filled offers never fill;
* every fill moves both legs (checked on the balances in the fill step itself);
* the exchange's ether equals what it owes makers (``totalProceeds``), per maker too.

The default run is 45 examples of up to 40 steps, at least 1,000 steps (asserted), on one anvil node (each example starts from
an anvil snapshot); ``-m slow`` runs 12,000. Sends go through the generated bindings with a lean test
sender (simulate, then send) to keep it fast; per-offer state is compared with the model after every
step that touches the offer and for all offers at the end of each example.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from _titles_env import (
    ACME,
    BOND,
    GLOBEX,
    INITECH,
    OUTSIDER,
    SHARES,
    AnvilEnv,
    FastSender,
    TitlesWorld,
    restore,
    snapshot,
)
from conftest import start_anvil
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from coopetition.bindings.title_exchange import (
    OfferStatus,
    OfferTerms,
    PaymentKind,
    TitleExchange,
    TitleExchangeNothingToWithdraw,
    TitleExchangeNotMaker,
    TitleExchangeNotMember,
    TitleExchangeOfferExpired,
    TitleExchangeOfferNotExpired,
    TitleExchangeOfferNotOpen,
    TitleExchangeOverfill,
    TitleExchangePartialFillNotAllowed,
    TitleExchangeSelfFill,
    TitleExchangeWrongCounterparty,
    TitleExchangeWrongValue,
    TitleExchangeZeroAmount,
)
from coopetition.bindings.title_registry import (
    ERC1155InsufficientBalance,
    TitleRegistry,
    TitleRegistryNotMember,
)
from coopetition.exceptions import ContractCustomError
from coopetition.titles import payment_between

MEMBERS = (ACME, GLOBEX, INITECH)
ACTORS = (*MEMBERS, OUTSIDER)
CLASSES = (SHARES, BOND)
ZERO = "0x" + "00" * 20
SHORT_TTL, LONG_TTL, JUMP = 10_000, 10**8, 20_000
ISSUED = {SHARES: 1500, BOND: 600}
START = {(ACME, SHARES): 1000, (GLOBEX, SHARES): 500, (GLOBEX, BOND): 300, (INITECH, BOND): 300}

_BASE: TitlesWorld | None = None
_SNAP: object = None


def _world() -> TitlesWorld:
    """The module's world, rolled back to its starting snapshot."""
    global _SNAP
    assert _BASE is not None, "run through the `titles_world` fixture"
    if _SNAP is not None:
        restore(_BASE, _SNAP)
    _SNAP = snapshot(_BASE)
    return _BASE


@pytest.fixture(scope="module")
def titles_world() -> Iterator[TitlesWorld]:
    global _BASE, _SNAP
    node = start_anvil()
    try:
        _BASE = TitlesWorld.start(env=AnvilEnv.at(node.url))
        _SNAP = None
        yield _BASE
    finally:
        _BASE = None
        node.stop()


@dataclass
class ModelOffer:
    id: int
    maker: int
    title_id: int
    amount: int
    price: int
    kind: PaymentKind
    payment_title_id: int
    counterparty: int | None
    expiry: int
    partial: bool
    filled: int = 0
    status: OfferStatus = OfferStatus.OPEN


class TitlesMachine(RuleBasedStateMachine):
    steps_run = 0
    """Steps executed by all examples so far (the default test asserts at least 1,000)."""

    def __init__(self) -> None:
        super().__init__()
        self.world = _world()
        w3 = self.world.env.w3
        self.senders = {i: FastSender(w3, self.world.addr(i)) for i in ACTORS}
        self.balances: dict[tuple[int, int], int] = {(a, c): START.get((a, c), 0) for a in ACTORS for c in CLASSES}
        self.offers: dict[int, ModelOffer] = {}
        self.proceeds = {a: 0 for a in ACTORS}
        self.clock = self.world.env.now()
        self.checks = 0
        self.owners = [self.world.addr(a) for a in ACTORS] + [self.world.exchange_address]

    # ------------------------------------------------------------------------ helpers

    def ex(self, who: int) -> TitleExchange:
        return TitleExchange(self.world.env.w3, self.world.exchange_address, self.senders[who])

    def reg(self, who: int) -> TitleRegistry:
        return TitleRegistry(self.world.env.w3, self.world.registry_address, self.senders[who])

    def now(self) -> int:
        """Latest block's timestamp (expiries sit 10,000 s from any step's clock, so the next block's
        timestamp is on the same side of every expiry)."""
        return self.clock

    def check_offer(self, o: ModelOffer) -> None:
        chain = self.world.exchange().offer(o.id)
        assert chain.filled <= chain.title_amount == o.amount
        assert (chain.filled, chain.status) == (o.filled, o.status)

    def expect(self, error: type[ContractCustomError] | None, action: object) -> bool:
        """Run ``action``; it must raise exactly ``error`` (or succeed when ``None``). True on success."""
        if error is None:
            action()  # type: ignore[operator]
            return True
        with pytest.raises(error):
            action()  # type: ignore[operator]
        return False

    def pick(self, index: int, live_only: bool = False) -> ModelOffer | None:
        """An offer chosen by ``index``: among the live ones (if any) when ``live_only``."""
        if not self.offers:
            return None
        ids = sorted(self.offers)
        if live_only:
            ids = [i for i in ids if self.live(self.offers[i])] or ids
        return self.offers[ids[index % len(ids)]]

    def live(self, o: ModelOffer) -> bool:
        return o.status is OfferStatus.OPEN and self.now() < o.expiry

    # -------------------------------------------------------------------------- rules

    @precondition(lambda self: len(self.offers) < 12)
    @rule(
        maker=st.sampled_from((*MEMBERS, *MEMBERS, OUTSIDER)), title_id=st.sampled_from(CLASSES),
        amount=st.integers(1, 400), price=st.integers(1, 10**18), for_titles=st.booleans(),
        counterparty=st.sampled_from((None, None, None, *ACTORS)), short=st.booleans(), partial=st.booleans(),
    )
    def make_offer(self, maker: int, title_id: int, amount: int, price: int, for_titles: bool,
                   counterparty: int | None, short: bool, partial: bool) -> None:
        kind = PaymentKind.TITLE if for_titles else PaymentKind.ETHER
        pay_class = (BOND if title_id == SHARES else SHARES) if for_titles else 0
        if for_titles:
            price = price % 200 + 1
        expiry = self.now() + (SHORT_TTL if short else LONG_TTL)
        other = ZERO if counterparty is None else self.world.addr(counterparty)
        terms = OfferTerms(title_id, amount, kind, ZERO, pay_class, price, other, expiry, partial)
        if maker not in MEMBERS:
            error: type[ContractCustomError] | None = TitleExchangeNotMember
        elif counterparty == maker:
            error = TitleExchangeSelfFill
        elif counterparty is not None and counterparty not in MEMBERS:
            error = TitleExchangeNotMember
        elif self.balances[maker, title_id] < amount:
            error = ERC1155InsufficientBalance
        else:
            error = None
        if self.expect(error, lambda: self.ex(maker).make_offer(terms)):
            oid = len(self.offers) + 1
            assert self.world.exchange().offer_count() == oid
            self.offers[oid] = ModelOffer(oid, maker, title_id, amount, price, kind, pay_class, counterparty,
                                          expiry, partial)
            self.balances[maker, title_id] -= amount
            self.check_offer(self.offers[oid])

    @precondition(lambda self: bool(self.offers))
    @rule(taker=st.sampled_from((*MEMBERS, *MEMBERS, OUTSIDER)), index=st.integers(0, 10**6),
          share=st.floats(0, 1.2), all_of_it=st.booleans(), short_pay=st.integers(0, 8),
          live_only=st.sampled_from((True, True, True, False)))
    def fill(self, taker: int, index: int, share: float, all_of_it: bool, short_pay: int, live_only: bool) -> None:
        o = self.pick(index, live_only)
        assert o is not None
        remaining = o.amount - o.filled
        amount = remaining if all_of_it else int(share * remaining)
        payment = payment_between(o.price, o.amount, o.filled, min(o.filled + amount, o.amount)) \
            if amount <= remaining else 0
        value = 0
        wrong_value = False
        if o.kind is PaymentKind.ETHER:
            value = payment
            if short_pay == 0 and value > 0:  # one wei short now and then
                value -= 1
                wrong_value = True
        error: type[ContractCustomError] | None
        if taker not in MEMBERS:
            error = TitleExchangeNotMember
        elif o.status is not OfferStatus.OPEN:
            error = TitleExchangeOfferNotOpen
        elif self.now() >= o.expiry:
            error = TitleExchangeOfferExpired
        elif taker == o.maker:
            error = TitleExchangeSelfFill
        elif o.counterparty is not None and o.counterparty != taker:
            error = TitleExchangeWrongCounterparty
        elif amount == 0:
            error = TitleExchangeZeroAmount
        elif amount > remaining:
            error = TitleExchangeOverfill
        elif not o.partial and amount != remaining:
            error = TitleExchangePartialFillNotAllowed
        elif wrong_value:
            error = TitleExchangeWrongValue
        elif o.kind is PaymentKind.TITLE and self.balances[taker, o.payment_title_id] < payment:
            error = ERC1155InsufficientBalance
        else:
            error = None
        maker_pay_before = self.world.balance(self.world.addr(o.maker), o.payment_title_id) if o.payment_title_id else 0
        taker_titles_before = self.world.balance(self.world.addr(taker), o.title_id)
        if self.expect(error, lambda: self.ex(taker).fill(o.id, amount, value=value)):
            o.filled += amount
            if o.filled == o.amount:
                o.status = OfferStatus.FILLED
            self.balances[taker, o.title_id] += amount
            if o.kind is PaymentKind.ETHER:
                self.proceeds[o.maker] += payment
            else:
                self.balances[taker, o.payment_title_id] -= payment
                self.balances[o.maker, o.payment_title_id] += payment
                # both legs moved: the maker got the payment titles
                assert self.world.balance(self.world.addr(o.maker), o.payment_title_id) == maker_pay_before + payment
            assert self.world.balance(self.world.addr(taker), o.title_id) == taker_titles_before + amount
        self.check_offer(o)

    @precondition(lambda self: len(self.offers) < 12)
    @rule(maker=st.sampled_from(MEMBERS), title_id=st.sampled_from(CLASSES), amount=st.integers(1, 150),
          price=st.integers(1, 10**18), for_titles=st.booleans(), partial=st.booleans())
    def make_plain_offer(self, maker: int, title_id: int, amount: int, price: int, for_titles: bool,
                         partial: bool) -> None:
        """A likely-valid offer to any member (weights the run towards offers that can fill)."""
        self.make_offer(maker, title_id, amount, price, for_titles, None, False, partial)

    @precondition(lambda self: any(o.status is OfferStatus.OPEN and self.clock < o.expiry
                                   for o in self.offers.values()))
    @rule(taker=st.sampled_from(MEMBERS), index=st.integers(0, 10**6), share=st.floats(0, 1),
          all_of_it=st.booleans(), short_pay=st.integers(0, 8))
    def fill_live(self, taker: int, index: int, share: float, all_of_it: bool, short_pay: int) -> None:
        """A member fills a live offer (weights the run towards fills that succeed)."""
        self.fill(taker, index, share, all_of_it, short_pay, True)

    @precondition(lambda self: bool(self.offers))
    @rule(who=st.sampled_from((*MEMBERS, OUTSIDER)), index=st.integers(0, 10**6), live_only=st.booleans(),
          own=st.booleans())
    def cancel(self, who: int, index: int, live_only: bool, own: bool) -> None:
        o = self.pick(index, live_only)
        assert o is not None
        who = o.maker if own else who
        if o.status is not OfferStatus.OPEN:
            error: type[ContractCustomError] | None = TitleExchangeOfferNotOpen
        elif who != o.maker:
            error = TitleExchangeNotMaker
        elif self.now() >= o.expiry:
            error = TitleExchangeOfferExpired
        else:
            error = None
        if self.expect(error, lambda: self.ex(who).cancel(o.id)):
            o.status = OfferStatus.CANCELLED
            self.balances[o.maker, o.title_id] += o.amount - o.filled
        self.check_offer(o)

    @precondition(lambda self: bool(self.offers))
    @rule(who=st.sampled_from((*MEMBERS, OUTSIDER)), index=st.integers(0, 10**6), own=st.booleans())
    def reclaim(self, who: int, index: int, own: bool) -> None:
        o = self.pick(index)
        assert o is not None
        who = o.maker if own else who
        if o.status is not OfferStatus.OPEN:
            error: type[ContractCustomError] | None = TitleExchangeOfferNotOpen
        elif who != o.maker:
            error = TitleExchangeNotMaker
        elif self.now() < o.expiry:
            error = TitleExchangeOfferNotExpired
        else:
            error = None
        if self.expect(error, lambda: self.ex(who).reclaim(o.id)):
            o.status = OfferStatus.RECLAIMED
            self.balances[o.maker, o.title_id] += o.amount - o.filled
        self.check_offer(o)

    @precondition(lambda self: any(self.proceeds.values()))
    @rule(who=st.sampled_from(ACTORS))
    def withdraw(self, who: int) -> None:
        owed = self.proceeds[who]
        error = None if owed else TitleExchangeNothingToWithdraw
        assert self.world.exchange().proceeds(self.world.addr(who)) == owed
        if self.expect(error, lambda: self.ex(who).withdraw()):
            self.proceeds[who] = 0

    @rule(sender=st.sampled_from(MEMBERS), to=st.sampled_from(ACTORS), class_id=st.sampled_from(CLASSES),
          amount=st.integers(1, 200))
    def transfer(self, sender: int, to: int, class_id: int, amount: int) -> None:
        # the registry checks membership before the balance
        if to not in MEMBERS:
            error: type[ContractCustomError] | None = TitleRegistryNotMember
        elif self.balances[sender, class_id] < amount:
            error = ERC1155InsufficientBalance
        else:
            error = None
        src, dst = self.world.addr(sender), self.world.addr(to)
        if self.expect(error, lambda: self.reg(sender).safe_transfer_from(src, dst, class_id, amount, b"")):
            self.balances[sender, class_id] -= amount
            self.balances[to, class_id] += amount

    @rule()
    def time_passes(self) -> None:
        self.clock = self.world.env.time_travel(JUMP)

    # --------------------------------------------------------------------- invariants

    @invariant()
    def titles_are_conserved_and_escrow_is_exactly_the_open_offers(self) -> None:
        self.checks += 1
        reg = self.world.registry()
        owners = [o for o in self.owners for _ in CLASSES]
        ids = [c for _ in self.owners for c in CLASSES]
        balances = dict(zip(zip(owners, ids, strict=True), reg.balance_of_batch(owners, ids), strict=True))
        escrow_address = self.world.exchange_address
        for c in CLASSES:
            held = sum(balances[self.world.addr(a), c] for a in MEMBERS)
            assert held + balances[escrow_address, c] == ISSUED[c]  # conserved
            assert balances[self.world.addr(OUTSIDER), c] == 0  # only members hold titles
            for a in ACTORS:
                assert balances[self.world.addr(a), c] == self.balances[a, c]
            open_sum = sum(o.amount - o.filled for o in self.offers.values()
                           if o.status is OfferStatus.OPEN and o.title_id == c)
            assert balances[escrow_address, c] == open_sum

    @invariant()
    def ether_held_equals_ether_owed(self) -> None:
        owed = self.world.exchange().total_proceeds()
        assert self.world.env.balance(self.world.exchange_address) == owed == sum(self.proceeds.values())

    def teardown(self) -> None:
        """Every offer's stored state and reported state match the model; supplies are unchanged."""
        TitlesMachine.steps_run += max(self.checks - 1, 0)  # the invariants also run once before any step
        ex, reg = self.world.exchange(), self.world.registry()
        for c in CLASSES:
            assert reg.issued(c) == ISSUED[c]
        now = self.world.env.now()
        for o in self.offers.values():
            self.check_offer(o)
            expected = OfferStatus.EXPIRED if o.status is OfferStatus.OPEN and now >= o.expiry else o.status
            assert ex.offer_state(o.id) is expected
        for a in MEMBERS:
            assert ex.proceeds(self.world.addr(a)) == self.proceeds[a]


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.anvil
def test_titles_invariants_hold_over_1000_random_steps(titles_world: TitlesWorld) -> None:
    """Up to 40 steps per example, until at least 1,000 steps ran in total."""
    TitlesMachine.steps_run = 0
    run_state_machine_as_test(
        TitlesMachine, settings=settings(max_examples=30, stateful_step_count=50, derandomize=True, **SETTINGS)
    )
    print(f"titles stateful: {TitlesMachine.steps_run} steps")
    assert TitlesMachine.steps_run >= 1000, TitlesMachine.steps_run


@pytest.mark.slow
@pytest.mark.anvil
def test_titles_invariants_hold_over_a_long_run(titles_world: TitlesWorld) -> None:
    """150 examples x 80 steps = 12,000 steps (``pytest -m slow``)."""
    run_state_machine_as_test(
        TitlesMachine, settings=settings(max_examples=150, stateful_step_count=80, **SETTINGS)
    )
