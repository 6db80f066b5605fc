"""Hypothesis stateful test of the title registry and exchange against a Python model.

Random members (and an outsider) make on-chain offers for ether or for titles of the other class, fill
them whole or in part with a random ``maxPayment`` bound and random ether (too little now and then,
often too much: the excess must come back), cancel and reclaim them to a payout address, withdraw,
transfer titles, sign private orders (EIP-712, by the library's code) and take them in parts or whole,
cancel one order or all below a nonce, issue titles through governance (sometimes beyond the cap),
lower a cap, and move the clock. Each step predicts the exact outcome (the custom error, or the new
state) and checks it; after every step the invariants of the issue hold on chain:

* **titles and payment of every fill move together or not at all**: in each fill step (offer or
  signed order) the taker's titles and the maker's payment (ether proceeds, or payment titles) both
  change by exactly the model's amounts, or neither changes; the taker's ether goes down by exactly
  the payment (plus gas), so any excess sent is refunded;
* **each class's supply never exceeds its cap**, and equals the model's (issues beyond it are refused);
* titles are conserved: held by members + held by the exchange = issued, per class, and a
  non-member never holds any; the exchange holds exactly the unfilled titles of its open offers;
* no offer or order fills beyond its amount; partial fills pay the exact cumulative rounding;
* expired, cancelled, reclaimed or filled offers and used nonces never fill;
* the exchange's ether equals what it owes makers (``totalProceeds``), per maker too.

The default run is at least 3,000 steps (asserted) on one anvil node (each example starts from an
anvil snapshot); ``-m slow`` runs at least 20,000. Sends go through the generated bindings with the
tests' lean client of the node (tests/_embedded.py: no middleware, no proxy look-up, a fixed gas price,
a direct sender that simulates, then sends and gets the receipt in one round trip); the registry's views
of an invariant are batched in one ``multicall``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from _embedded import LeanClient
from _titles_env import (
    ACME,
    BOND,
    BOND_CAP,
    GLOBEX,
    INITECH,
    OUTSIDER,
    SHARES,
    AnvilEnv,
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

from coopetition._domain.titles_orders import SignedOrder, sign_order
from coopetition.bindings.title_exchange import (
    OfferStatus,
    OfferTerms,
    PaymentKind,
    TitleExchange,
    TitleExchangeNonceFloorNotRaised,
    TitleExchangeNonceUsed,
    TitleExchangeNothingToWithdraw,
    TitleExchangeNotMaker,
    TitleExchangeNotMember,
    TitleExchangeOfferExpired,
    TitleExchangeOfferNotExpired,
    TitleExchangeOfferNotOpen,
    TitleExchangeOrderExpired,
    TitleExchangeOrderOverfill,
    TitleExchangeOrderPartialFillNotAllowed,
    TitleExchangeOverfill,
    TitleExchangePartialFillNotAllowed,
    TitleExchangePaymentAboveMax,
    TitleExchangeSelfFill,
    TitleExchangeWrongCounterparty,
    TitleExchangeWrongTaker,
    TitleExchangeWrongValue,
    TitleExchangeZeroAmount,
)
from coopetition.bindings.title_registry import (
    ERC1155InsufficientBalance,
    TitleRegistry,
    TitleRegistryMaxSupplyBelowIssued,
    TitleRegistryMaxSupplyExceeded,
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
CAPS = {SHARES: 0, BOND: BOND_CAP}
START = {(ACME, SHARES): 1000, (GLOBEX, SHARES): 500, (GLOBEX, BOND): 300, (INITECH, BOND): 300}
MAX_GOVERNED = 2
"""Issues and cap changes per example (each is a proposal: three transactions)."""

_BASE: TitlesWorld | None = None
_SNAP: object = None
_LEAN: LeanClient | None = None
"""The steps' lean client of the module's node (tests/_embedded.py)."""


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
    global _BASE, _SNAP, _LEAN
    node = start_anvil()
    try:
        _BASE = TitlesWorld.start(env=AnvilEnv.at(node.url))
        _LEAN = LeanClient(node.url)
        _SNAP = None
        yield _BASE
    finally:
        _BASE = _LEAN = None
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


@dataclass
class ModelOrder:
    signed: SignedOrder
    maker: int
    taker: int | None
    filled: int = 0


class TitlesMachine(RuleBasedStateMachine):
    steps_run = 0
    """Steps executed by all examples so far (the tests assert a minimum)."""

    def __init__(self) -> None:
        super().__init__()
        self.world = _world()
        assert _LEAN is not None
        self.w3 = w3 = _LEAN.w3
        self.senders = {i: _LEAN.sender(self.world.addr(i), gas=3_000_000, simulate_first=True) for i in ACTORS}
        self.balances: dict[tuple[int, int], int] = {(a, c): START.get((a, c), 0) for a in ACTORS for c in CLASSES}
        self.offers: dict[int, ModelOffer] = {}
        self.orders: list[ModelOrder] = []
        self.used: set[tuple[int, int]] = set()
        self.floor = {a: 0 for a in ACTORS}
        self.next_nonce = {a: 0 for a in ACTORS}
        self.proceeds = {a: 0 for a in ACTORS}
        self.issued = dict(ISSUED)
        self.caps = dict(CAPS)
        self.governed = 0
        self.clock = self.world.env.now()
        self.chain_id = int(w3.eth.chain_id)
        self.checks = 0
        self.owners = [self.world.addr(a) for a in ACTORS] + [self.world.exchange_address]

    # ------------------------------------------------------------------------ helpers

    def ex(self, who: int) -> TitleExchange:
        return TitleExchange(self.w3, self.world.exchange_address, self.senders[who])

    def reg(self, who: int) -> TitleRegistry:
        return TitleRegistry(self.w3, self.world.registry_address, self.senders[who])

    def now(self) -> int:
        """Latest block's timestamp (expiries sit 10,000 s from any step's clock, so the next block's
        timestamp is on the same side of every expiry)."""
        return self.clock

    def ether(self, who: int) -> int:
        return int(self.w3.eth.get_balance(self.world.addr(who)))  # type: ignore[arg-type]

    def check_offer(self, o: ModelOffer) -> None:
        chain = self.world.exchange().offer(o.id)
        assert chain.filled <= chain.title_amount == o.amount
        assert (chain.filled, chain.status) == (o.filled, o.status)

    def expect(self, error: type[ContractCustomError] | None, action: object) -> object:
        """Run ``action``; it must raise exactly ``error`` (or succeed when ``None``). Its result on success."""
        if error is None:
            for sender in self.senders.values():  # no simulation first: one round trip less
                sender.simulate_first = False
            try:
                return action()  # type: ignore[operator]
            finally:
                for sender in self.senders.values():
                    sender.simulate_first = True
        with pytest.raises(error):
            action()  # type: ignore[operator]
        return None

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

    def nonce_used(self, maker: int, nonce: int) -> bool:
        return (maker, nonce) in self.used or nonce < self.floor[maker]

    @staticmethod
    def bounded(payment: int, slack: int) -> tuple[int, bool]:
        """A ``maxPayment`` around ``payment``: one unit short when ``slack == 0`` (refused), else above."""
        return (payment - 1, True) if slack == 0 and payment > 0 else (payment + max(slack - 1, 0), False)

    @staticmethod
    def sent(payment: int, extra: int) -> int:
        """Ether sent with a fill: one wei short when ``extra == 0`` (refused), else ``extra`` wei too much."""
        return max(payment - 1, 0) if extra == 0 else payment + extra

    def legs_match_the_model(self, taker: int, title_id: int, maker: int, pay_class: int) -> None:
        """After a fill step, both legs on chain are where the model put them: the taker's titles and the
        maker's payment (its ether proceeds, or its payment titles) moved by exactly the fill's amounts
        when it succeeded, and neither moved when it was refused (the model is unchanged then)."""
        assert self.world.balance(self.world.addr(taker), title_id) == self.balances[taker, title_id]
        if pay_class:
            assert self.world.balance(self.world.addr(maker), pay_class) == self.balances[maker, pay_class]
        else:
            assert self.world.exchange().proceeds(self.world.addr(maker)) == self.proceeds[maker]

    # ----------------------------------------------------------------------- offers

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
          share=st.floats(0, 1.2), all_of_it=st.booleans(), slack=st.integers(0, 5), extra=st.integers(0, 3),
          live_only=st.sampled_from((True, True, True, False)))
    def fill(self, taker: int, index: int, share: float, all_of_it: bool, slack: int, extra: int,
             live_only: bool) -> None:
        o = self.pick(index, live_only)
        assert o is not None
        remaining = o.amount - o.filled
        amount = remaining if all_of_it else int(share * remaining)
        payment = payment_between(o.price, o.amount, o.filled, min(o.filled + amount, o.amount)) \
            if amount <= remaining else 0
        bound, above = self.bounded(payment, slack)
        value = 0
        if o.kind is PaymentKind.ETHER:
            value = self.sent(payment, extra)
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
        elif above:
            error = TitleExchangePaymentAboveMax
        elif o.kind is PaymentKind.ETHER and value < payment:
            error = TitleExchangeWrongValue
        elif o.kind is PaymentKind.TITLE and self.balances[taker, o.payment_title_id] < payment:
            error = ERC1155InsufficientBalance
        else:
            error = None
        before = self.ether(taker) if o.kind is PaymentKind.ETHER else 0
        result = self.expect(error, lambda: self.ex(taker).fill(o.id, amount, bound, value=value))
        if result is not None:
            o.filled += amount
            if o.filled == o.amount:
                o.status = OfferStatus.FILLED
            self.balances[taker, o.title_id] += amount
            if o.kind is PaymentKind.ETHER:
                self.proceeds[o.maker] += payment
                gas = result.gas_used * result.effective_gas_price  # type: ignore[attr-defined]
                assert before - self.ether(taker) == payment + gas  # the excess came back
            else:
                self.balances[taker, o.payment_title_id] -= payment
                self.balances[o.maker, o.payment_title_id] += payment
        self.legs_match_the_model(taker, o.title_id, o.maker, o.payment_title_id)
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
          all_of_it=st.booleans(), slack=st.integers(1, 5), extra=st.integers(1, 3))
    def fill_live(self, taker: int, index: int, share: float, all_of_it: bool, slack: int, extra: int) -> None:
        """A member fills a live offer within its bound (weights the run towards fills that succeed)."""
        self.fill(taker, index, share, all_of_it, slack, extra, True)

    @precondition(lambda self: bool(self.offers))
    @rule(who=st.sampled_from((*MEMBERS, OUTSIDER)), index=st.integers(0, 10**6), live_only=st.booleans(),
          own=st.booleans(), to=st.sampled_from((None, *MEMBERS)))
    def cancel(self, who: int, index: int, live_only: bool, own: bool, to: int | None) -> None:
        o = self.pick(index, live_only)
        assert o is not None
        who = o.maker if own else who
        payee = o.maker if to is None else to
        if o.status is not OfferStatus.OPEN:
            error: type[ContractCustomError] | None = TitleExchangeOfferNotOpen
        elif who != o.maker:
            error = TitleExchangeNotMaker
        elif self.now() >= o.expiry:
            error = TitleExchangeOfferExpired
        else:
            error = None
        if self.expect(error, lambda: self.ex(who).cancel(o.id, self.world.addr(payee))):
            o.status = OfferStatus.CANCELLED
            self.balances[payee, o.title_id] += o.amount - o.filled
        self.check_offer(o)

    @precondition(lambda self: bool(self.offers))
    @rule(who=st.sampled_from((*MEMBERS, OUTSIDER)), index=st.integers(0, 10**6), own=st.booleans(),
          to=st.sampled_from((None, *MEMBERS)))
    def reclaim(self, who: int, index: int, own: bool, to: int | None) -> None:
        o = self.pick(index)
        assert o is not None
        who = o.maker if own else who
        payee = o.maker if to is None else to
        if o.status is not OfferStatus.OPEN:
            error: type[ContractCustomError] | None = TitleExchangeOfferNotOpen
        elif self.now() < o.expiry:
            error = TitleExchangeOfferNotExpired
        elif who != o.maker and payee != o.maker:
            error = TitleExchangeNotMaker  # a third party may only push the titles back to the maker
        else:
            error = None
        if self.expect(error, lambda: self.ex(who).reclaim(o.id, self.world.addr(payee))):
            o.status = OfferStatus.RECLAIMED
            self.balances[payee, o.title_id] += o.amount - o.filled
        self.check_offer(o)

    @precondition(lambda self: any(self.proceeds.values()))
    @rule(who=st.sampled_from(ACTORS), to=st.sampled_from(ACTORS))
    def withdraw(self, who: int, to: int) -> None:
        owed = self.proceeds[who]
        error = None if owed else TitleExchangeNothingToWithdraw
        assert self.world.exchange().proceeds(self.world.addr(who)) == owed
        before = self.ether(to)
        result = self.expect(error, lambda: self.ex(who).withdraw(self.world.addr(to)))
        if result is not None:
            self.proceeds[who] = 0
            gas = result.gas_used * result.effective_gas_price if to == who else 0  # type: ignore[attr-defined]
            assert self.ether(to) - before == owed - gas

    # ----------------------------------------------------------------- signed orders

    @precondition(lambda self: len(self.orders) < 10)
    @rule(maker=st.sampled_from(ACTORS), title_id=st.sampled_from(CLASSES), amount=st.integers(1, 300),
          price=st.integers(1, 10**18), taker=st.sampled_from((None, None, *ACTORS)), short=st.booleans(),
          partial=st.booleans(), reuse=st.booleans())
    def sign(self, maker: int, title_id: int, amount: int, price: int, taker: int | None, short: bool,
             partial: bool, reuse: bool) -> None:
        """A maker signs an order off chain (sometimes reusing its latest nonce: one nonce, one order)."""
        nonce = self.next_nonce[maker] - 1 if reuse and self.next_nonce[maker] else self.next_nonce[maker]
        self.next_nonce[maker] = max(self.next_nonce[maker], nonce + 1)
        signed = sign_order(
            self.world.env.accounts[maker], chain_id=self.chain_id, exchange=self.world.exchange_address,
            title_id=title_id, amount=amount, price=price, asset=None,
            taker=None if taker is None else self.world.addr(taker),
            expiry=self.now() + (SHORT_TTL if short else LONG_TTL), nonce=nonce, partial_fills=partial,
        )
        self.orders.append(ModelOrder(signed, maker, taker))

    @precondition(lambda self: bool(self.orders))
    @rule(taker=st.sampled_from((*MEMBERS, *MEMBERS, OUTSIDER)), index=st.integers(0, 10**6),
          share=st.floats(0, 1.2), all_of_it=st.booleans(), slack=st.integers(0, 4), extra=st.integers(0, 3))
    def take(self, taker: int, index: int, share: float, all_of_it: bool, slack: int, extra: int) -> None:
        m = self.orders[index % len(self.orders)]
        o = m.signed
        remaining = o.amount - m.filled
        amount = remaining if all_of_it else int(share * remaining)
        payment = payment_between(o.price, o.amount, m.filled, min(m.filled + amount, o.amount)) \
            if amount <= remaining else 0
        bound, above = self.bounded(payment, slack)
        value = self.sent(payment, extra)
        error: type[ContractCustomError] | None
        if taker not in MEMBERS:
            error = TitleExchangeNotMember
        elif taker == m.maker:
            error = TitleExchangeSelfFill
        elif m.taker is not None and m.taker != taker:
            error = TitleExchangeWrongTaker
        elif self.now() >= o.expiry:
            error = TitleExchangeOrderExpired
        elif self.nonce_used(m.maker, o.nonce):
            error = TitleExchangeNonceUsed
        elif amount == 0:
            error = TitleExchangeZeroAmount
        elif o.partial_fills and amount > remaining:
            error = TitleExchangeOrderOverfill
        elif not o.partial_fills and amount != o.amount:
            error = TitleExchangeOrderPartialFillNotAllowed
        elif m.maker not in MEMBERS:
            error = TitleExchangeNotMember  # an outsider's signature: refused as maker (never a member)
        elif above:
            error = TitleExchangePaymentAboveMax
        elif value < payment:
            error = TitleExchangeWrongValue
        elif self.balances[m.maker, o.title_id] < amount:
            error = ERC1155InsufficientBalance
        else:
            error = None
        if error is TitleExchangeNotMember and taker in MEMBERS:
            from coopetition.bindings.title_exchange import TitleExchangeMakerNotMember

            error = TitleExchangeMakerNotMember
        before = self.ether(taker)
        result = self.expect(error, lambda: self.ex(taker).fill_order(o.order(), o.signature_bytes, amount, bound,
                                                                      value=value))
        if result is not None:
            m.filled += amount
            if m.filled == o.amount:
                self.used.add((m.maker, o.nonce))
            self.balances[taker, o.title_id] += amount
            self.balances[m.maker, o.title_id] -= amount
            self.proceeds[m.maker] += payment
            gas = result.gas_used * result.effective_gas_price  # type: ignore[attr-defined]
            assert before - self.ether(taker) == payment + gas  # the excess came back
        self.legs_match_the_model(taker, o.title_id, m.maker, 0)

    @precondition(lambda self: bool(self.orders))
    @rule(index=st.integers(0, 10**6))
    def cancel_order(self, index: int) -> None:
        m = self.orders[index % len(self.orders)]
        nonce = m.signed.nonce
        error = TitleExchangeNonceUsed if self.nonce_used(m.maker, nonce) else None
        if self.expect(error, lambda: self.ex(m.maker).cancel_order(nonce)):
            self.used.add((m.maker, nonce))
        assert self.world.exchange().nonce_used(self.world.addr(m.maker), nonce)

    @rule(maker=st.sampled_from(ACTORS), ahead=st.integers(-1, 3))
    def cancel_below(self, maker: int, ahead: int) -> None:
        below = max(self.next_nonce[maker] + ahead, 0)
        error = TitleExchangeNonceFloorNotRaised if below <= self.floor[maker] else None
        if self.expect(error, lambda: self.ex(maker).cancel_orders_below(below)):
            self.floor[maker] = below
            self.next_nonce[maker] = max(self.next_nonce[maker], below)
        assert self.world.exchange().nonce_floor(self.world.addr(maker)) == self.floor[maker]

    # ------------------------------------------------------------- registry, clock

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

    @precondition(lambda self: self.governed < MAX_GOVERNED)
    @rule(class_id=st.sampled_from(CLASSES), to=st.sampled_from(MEMBERS), amount=st.integers(1, 600))
    def issue(self, class_id: int, to: int, amount: int) -> None:
        """The consortium issues more titles (a proposal); beyond the cap it is refused."""
        self.governed += 1
        cap = self.caps[class_id]
        error = TitleRegistryMaxSupplyExceeded if cap and self.issued[class_id] + amount > cap else None
        data = TitleRegistry.encode_issue(class_id, self.world.addr(to), amount)
        if self.expect(error, lambda: self.world.govern(data)):
            self.issued[class_id] += amount
            self.balances[to, class_id] += amount

    @precondition(lambda self: self.governed < MAX_GOVERNED)
    @rule(down=st.integers(0, 500))
    def lower_cap(self, down: int) -> None:
        """The consortium lowers the bonds' cap (free, down to the supply)."""
        self.governed += 1
        new_cap = max(self.caps[BOND] - down, 1)
        error = TitleRegistryMaxSupplyBelowIssued if new_cap < self.issued[BOND] else None
        if new_cap == self.caps[BOND]:
            return
        data = TitleRegistry.encode_set_max_supply(BOND, new_cap, self.now() + 3600, [])
        if self.expect(error, lambda: self.world.govern(data)):
            self.caps[BOND] = new_cap

    @rule()
    def time_passes(self) -> None:
        self.clock = self.world.env.time_travel(JUMP)

    # --------------------------------------------------------------------- invariants

    @invariant()
    def titles_are_conserved_within_their_caps_and_escrow_is_exactly_the_open_offers(self) -> None:
        self.checks += 1
        reg = self.world.registry()
        owners = [o for o in self.owners for _ in CLASSES]
        ids = [c for _ in self.owners for c in CLASSES]
        # one eth_call: the registry's own Multicall batches the balances, supplies and caps
        calls = [reg._encode("balanceOfBatch(address[],uint256[])", (owners, ids))]
        calls += [reg._encode(f"{view}(uint256)", (c,)) for c in CLASSES for view in ("issued", "maxSupply")]
        (raw,) = reg._call("multicall(bytes[])", (calls,), ["bytes[]"])
        got = _decode_views(raw, len(owners))
        balances = dict(zip(zip(owners, ids, strict=True), got[0], strict=True))
        supplies = dict(zip(CLASSES, got[1][0::2], strict=True))
        caps = dict(zip(CLASSES, got[1][1::2], strict=True))
        escrow_address = self.world.exchange_address
        for c in CLASSES:
            assert supplies[c] == self.issued[c] and caps[c] == self.caps[c]
            assert caps[c] == 0 or supplies[c] <= caps[c]  # the supply never exceeds the cap
            held = sum(balances[self.world.addr(a), c] for a in MEMBERS)
            assert held + balances[escrow_address, c] == supplies[c]  # conserved
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
        """Every offer's and order's state matches the model; proceeds too."""
        TitlesMachine.steps_run += max(self.checks - 1, 0)  # the invariants also run once before any step
        ex = self.world.exchange()
        now = self.world.env.now()
        for o in self.offers.values():
            self.check_offer(o)
            expected = OfferStatus.EXPIRED if o.status is OfferStatus.OPEN and now >= o.expiry else o.status
            assert ex.offer_state(o.id) is expected
        for m in self.orders:
            assert ex.nonce_used(self.world.addr(m.maker), m.signed.nonce) == self.nonce_used(m.maker, m.signed.nonce)
            if m.signed.partial_fills:
                assert ex.order_filled(ex.hash_order(m.signed.order())) >= m.filled
        for a in MEMBERS:
            assert ex.proceeds(self.world.addr(a)) == self.proceeds[a]


def _decode_views(raw: object, owners: int) -> tuple[list[int], list[int]]:
    from eth_abi import abi as eth_abi

    results = list(raw)  # type: ignore[call-overload]
    balances = list(eth_abi.decode(["uint256[]"], results[0])[0])
    assert len(balances) == owners
    return balances, [eth_abi.decode(["uint256"], r)[0] for r in results[1:]]


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.anvil
def test_titles_invariants_hold_over_3000_random_steps(titles_world: TitlesWorld) -> None:
    """76 examples of up to 60 steps: at least 3,000 steps in total (asserted)."""
    TitlesMachine.steps_run = 0
    run_state_machine_as_test(
        TitlesMachine, settings=settings(max_examples=76, stateful_step_count=60, derandomize=True, **SETTINGS)
    )
    print(f"titles stateful: {TitlesMachine.steps_run} steps")
    assert TitlesMachine.steps_run >= 3000, TitlesMachine.steps_run


@pytest.mark.slow
@pytest.mark.anvil
def test_titles_invariants_hold_over_a_long_run(titles_world: TitlesWorld) -> None:
    """350 examples of up to 80 steps, at least 20,000 steps (``pytest -m slow``)."""
    TitlesMachine.steps_run = 0
    run_state_machine_as_test(
        TitlesMachine, settings=settings(max_examples=350, stateful_step_count=80, **SETTINGS)
    )
    print(f"titles stateful (slow): {TitlesMachine.steps_run} steps")
    assert TitlesMachine.steps_run >= 20_000, TitlesMachine.steps_run
