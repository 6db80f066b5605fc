"""Titles as members think of them: classes, holdings, offers, fills — delivery versus payment.

:class:`TitlesService` wraps the generated bindings of the
:class:`~coopetition.bindings.title_registry.TitleRegistry` (ERC-1155 title classes, holders must be
members, classes created and titles issued only through consortium proposals) and of its
:class:`~coopetition.bindings.title_exchange.TitleExchange` (offers escrowed until filled, cancelled or
reclaimed), with what a back-office script or the CLI needs:

* typed snapshots: :class:`TitleClassInfo`, :class:`Holding`, :class:`TitleOffer` with its
  :class:`Price`, and the event history as :class:`TitleActivity` records;
* governed actions as consortium proposals: :meth:`~TitlesService.propose_create_class`,
  :meth:`~TitlesService.propose_issue` (members then approve and execute them with the consortium);
* prices in human units: ``"2.5 ether"``, ``"12000 USDC"`` (an ERC-20, checked against the token's
  own symbol and decimals), or titles of another class;
* expiries as durations (``"7d"``) or ISO dates measured from the chain's latest block.

Malformed input (an address, an amount, an expiry, a label nobody has, a class that does not exist)
raises :class:`~coopetition.exceptions.InputError` with one line and sends nothing. The contracts'
rules (members only, titles held, zero amounts, the counterparty, who may cancel, proceeds to
withdraw, ...) are left to them: the pipeline simulates before signing, so a refusal arrives as the
bindings' typed exception (``TitleExchangeSelfFill``, ``TitleRegistryNotMember``,
``ERC1155InsufficientBalance``, ...) and nothing is sent. :meth:`TitlesService.fill` is the exception:
it checks before an ERC-20 approval (see there).

**Partial fills** pay exactly their proportional share under the contract's cumulative rounding rule
(see ``contracts/TitleExchange.sol``): after fills totalling ``f`` of ``N`` offered titles for price
``P``, the takers have paid exactly ``ceil(f * P / N)`` in total; :func:`payment_between` computes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from ._domain import checks
from ._domain.asset import ETHER, Asset
from ._domain.checks import ZERO_ADDRESS
from ._domain.members import Members
from ._domain.paging import scan
from ._domain.service import Service
from ._domain.titles_caps import CapChanges, CapConsent, CapConsentRef, CapTally
from ._domain.titles_history import OfferEvents as OfferEvents
from ._domain.titles_history import TitleActivity, exchange_history
from ._domain.titles_orders import SignedOrder
from ._domain.titles_quotes import DEFAULT_QUOTE_EXPIRY, SignedQuotes
from ._domain.titles_records import Holding, OfferRef, TitleClassInfo, TitleOffer
from ._domain.titles_values import Price, payment_between, terms_hash, titles_unit
from ._runtime import read_batch
from ._seam import Sender, TxResult
from ._units import parse_amount
from .bindings.title_exchange import (
    OfferMadeEvent,
    OfferStatus,
    OfferTerms,
    PaymentKind,
    TitleExchange,
)
from .bindings.title_registry import TitleRegistry
from .exceptions import InputError

if TYPE_CHECKING:
    from web3 import Web3

    from .consortium import ConsortiumService, ProposalRef

__all__ = [
    "DEFAULT_OFFER_EXPIRY",
    "DEFAULT_QUOTE_EXPIRY",
    "CapConsent",
    "CapConsentRef",
    "CapTally",
    "Holding",
    "OfferRef",
    "OfferStatus",
    "PaymentKind",
    "Price",
    "SignedOrder",
    "TitleActivity",
    "TitleClassInfo",
    "TitleOffer",
    "TitlesService",
    "payment_between",
    "terms_hash",
    "titles_unit",
]

DEFAULT_OFFER_EXPIRY = "7d"
"""Expiry of an offer when none is given."""

MAX_NAME_BYTES = 64
_UINT96 = 2**96 - 1
_UINT128 = 2**128 - 1
_UINT256 = 2**256 - 1


def _titles(value: object, what: str = "amount of titles", *, minimum: int = 1) -> int:
    return checks.whole(value, what, minimum=minimum, maximum=_UINT128)


# -------------------------------------------------------------------------------- the service


class TitlesService(SignedQuotes, CapChanges, Service):
    """The domain API of one deployed TitleRegistry and its TitleExchange.

    Build it with :meth:`at` (the exchange's address is read from the registry) or from the suite
    (``connect(...).suite().titles``). Governed actions (new classes, issues) need the
    ``consortium`` service: they become proposals.
    """

    contract: TitleRegistry
    _bindings: ClassVar[tuple[str, ...]] = ("contract", "exchange", "consortium")

    def __init__(
        self, registry: TitleRegistry, exchange: TitleExchange, consortium: ConsortiumService | None = None
    ) -> None:
        super().__init__(registry)
        self.exchange = exchange
        self.consortium = consortium
        self._handed_out = set()

    @classmethod
    def at(
        cls, w3: Web3, registry: str, sender: Sender | None = None, *, consortium: ConsortiumService | None = None
    ) -> TitlesService:
        reg = TitleRegistry(w3, registry, sender)
        return cls(reg, TitleExchange(w3, reg.exchange(), sender), consortium)

    def __repr__(self) -> str:
        return f"TitlesService(registry={self.registry.address}, exchange={self.exchange.address})"

    @property
    def registry(self) -> TitleRegistry:
        return self.contract

    @property
    def _membership(self) -> Members:
        if self.consortium is not None:
            return self.consortium._membership
        return super()._membership

    # ---------------------------------------------------------------------------- classes

    def class_count(self) -> int:
        return self.registry.class_count()

    def title_class(self, class_id: int) -> TitleClassInfo:
        """Class ``class_id``; :class:`InputError` if there is none."""
        cid = self._class_id(class_id)
        raw = self.registry.title_class(cid)
        return TitleClassInfo(cid, raw.name, raw.terms_hash, raw.created_at, raw.issued, raw.max_supply,
                              raw.cap_nonce)

    def classes(self) -> tuple[TitleClassInfo, ...]:
        """Every class, in creation order (one batch of reads)."""
        ids = range(1, self.class_count() + 1)
        with read_batch(self.w3) as batch:
            batch.prefetch([self.registry.class_count, *(partial(self.registry.title_class, i) for i in ids)])
            return tuple(self.title_class(i) for i in ids)

    def balance(self, holder: str, class_id: int) -> int:
        """Titles of ``class_id`` held by ``holder`` (address or member label)."""
        return self.registry.balance_of(self._membership.address_of(holder, "holder"), self._class_id(class_id))

    def holdings(self, holder: str) -> tuple[Holding, ...]:
        """Non-zero holdings of ``holder`` (address or member label), by class."""
        address = self._membership.address_of(holder, "holder")
        found = []
        for info in self.classes():
            amount = self.registry.balance_of(address, info.id)
            if amount:
                found.append(Holding(address, info.id, info.name, amount))
        return tuple(found)

    def escrowed(self, class_id: int) -> int:
        """Titles of ``class_id`` held by the exchange for open offers."""
        return self.registry.balance_of(self.exchange.address, self._class_id(class_id))

    # ------------------------------------------------------------------------- governance

    def propose_create_class(
        self, name: str, terms: bytes | str, *, max_supply: int, issue: Mapping[str, int] | None = None,
        description: str | None = None, expiry: str | int = "7d",
    ) -> ProposalRef:
        """Propose creating a class ``name`` whose terms document is ``terms`` (its SHA-256 is recorded;
        a 0x-hex 32-byte string is taken as the hash itself), capped at ``max_supply`` titles (0: **no
        cap** — the consortium's quorum alone may then issue more at any time), and issuing its first
        titles ``issue`` (``{member label or address: amount}``) in the same call: one proposal, so the
        titles cannot land in another class whatever order proposals execute in. Name, cap, members and
        amounts are checked now: the registry would refuse them only when the proposal executes."""
        consortium = self._consortium()
        if not isinstance(name, str) or not name.strip():
            raise InputError("a title class needs a name")
        checks.text_bytes(name, "class name", maximum=MAX_NAME_BYTES)
        cap = checks.whole(max_supply, "max supply", maximum=_UINT256)
        holders: list[str] = []
        amounts: list[int] = []
        for who, amount in (issue or {}).items():
            member = consortium.member(who)
            if member.address in holders:
                raise InputError(f"{member.label} is given twice: issue to each member once")
            holders.append(member.address)
            amounts.append(_titles(amount))
        if cap and sum(amounts) > cap:
            raise InputError(f"issuing {sum(amounts)} titles exceeds the max supply {cap}: raise it or issue less")
        summary = ", ".join(f"{a} to {consortium.member(h).label}" for h, a in zip(holders, amounts, strict=True))
        default = f"Create title class {name!r} ({f'max supply {cap}' if cap else 'NO CAP'})" + (
            f", issue {summary}" if summary else "")
        return consortium.propose(
            self.registry.address,
            TitleRegistry.encode_create_class_and_issue(name, terms_hash(terms), cap, holders, amounts),
            description if description is not None else default, expiry,
        )

    def propose_issue(
        self, class_id: int, to: str, amount: int, *, description: str | None = None, expiry: str | int = "7d"
    ) -> ProposalRef:
        """Propose issuing ``amount`` titles of ``class_id`` to member ``to`` (address or label). The
        class, the member and the amount are checked now: the registry would refuse them only when
        the proposal executes."""
        consortium = self._consortium()
        info = self.title_class(class_id)
        member = consortium.member(to)
        count = _titles(amount)
        if info.issuable is not None and count > info.issuable:
            raise InputError(f"class #{info.id} is capped at {info.max_supply} with {info.issued} issued: "
                             f"at most {info.issuable} more")
        return consortium.propose(
            self.registry.address, TitleRegistry.encode_issue(info.id, member.address, count),
            description if description is not None else f"Issue {count} {info.name!r} to {member.label}", expiry,
        )

    # ---------------------------------------------------------------------------- holders

    def transfer(self, to: str, class_id: int, amount: int) -> TxResult:
        """Send ``amount`` titles of ``class_id`` to member ``to`` (address or label)."""
        target = self._membership.address_of(to, "recipient")
        return self.registry.safe_transfer_from(self.sender_address, target, self._class_id(class_id),
                                                _titles(amount), b"")

    # ----------------------------------------------------------------------------- offers

    def price(
        self, amount: str | int, *, token: str | None = None, title_class: int | None = None
    ) -> Price:
        """A :class:`Price` from human input: ``"2.5 ether"`` (default: ether); with ``token``, an
        amount of that ERC-20 (``"12000 USDC"``, its symbol and decimals read from the token); with
        ``title_class``, a whole number of titles of that class."""
        if token is not None and title_class is not None:
            raise InputError("a price is in a token or in titles, not both")
        if title_class is not None:
            cid = self._class_id(title_class)
            count = _titles(parse_amount(amount).value if isinstance(amount, str) else amount, "price in titles")
            return Price(PaymentKind.TITLE, count, title_id=cid)
        if token is not None:
            asset = self._asset(token, "payment token")
            if asset.is_native:
                raise InputError("a token price needs an ERC-20 address: leave the token out to be paid in ether")
            return Price(PaymentKind.TOKEN, asset.parse(amount), token=asset.address, asset=asset)
        return Price(PaymentKind.ETHER, ETHER.parse(amount))

    def offer(
        self,
        class_id: int,
        amount: int,
        price: Price,
        *,
        counterparty: str | None = None,
        expiry: str | int = DEFAULT_OFFER_EXPIRY,
        partial: bool = False,
    ) -> OfferRef:
        """Offer ``amount`` titles of ``class_id`` for ``price`` (for all of them), to ``counterparty``
        (address or member label) or to any member; the titles move into escrow now."""
        cid = self._class_id(class_id)
        count = _titles(amount, minimum=0)
        if not isinstance(price, Price):
            raise InputError("price must be a Price: build one with TitlesService.price('2 ether')")
        checks.whole(price.amount, "price", maximum=_UINT256)
        other = ZERO_ADDRESS if counterparty is None else self._membership.address_of(counterparty, "counterparty")
        when = self._deadline(expiry, "expiry")
        terms = OfferTerms(
            title_id=cid, title_amount=count, payment_kind=price.kind,
            payment_token=price.token or ZERO_ADDRESS, payment_title_id=price.title_id or 0,
            price=price.amount, counterparty=other, expiry=when, allow_partial=bool(partial),
        )
        tx = self.exchange.make_offer(terms)
        made = OfferMadeEvent.from_result(tx, self.exchange.address)
        return OfferRef(made[0].offer_id if made else 0, when, tx)

    def offer_count(self) -> int:
        return self.exchange.offer_count()

    def get_offer(self, offer_id: int) -> TitleOffer:
        """Offer ``offer_id`` now (an unknown id raises the exchange's ``TitleExchangeUnknownOffer``)."""
        oid = _titles(offer_id, "offer id")
        raw = self.exchange.offer(oid)
        counterparty = None if int(raw.counterparty, 16) == 0 else raw.counterparty
        if raw.payment_kind is PaymentKind.TOKEN:
            asset = self._asset(raw.payment_token, "payment token")
            price = Price(PaymentKind.TOKEN, raw.price, token=raw.payment_token, asset=asset)
        elif raw.payment_kind is PaymentKind.TITLE:
            price = Price(PaymentKind.TITLE, raw.price, title_id=raw.payment_title_id)
        else:
            price = Price.ether(raw.price)
        return TitleOffer(
            id=oid, maker=raw.maker, counterparty=counterparty, title_id=raw.title_id,
            title_amount=raw.title_amount, filled=raw.filled, price=price, expiry=raw.expiry,
            allow_partial=raw.allow_partial, state=self.exchange.offer_state(oid),
        )

    def offers(self, *, live_only: bool = False, after: int = 0, limit: int | None = None,
               title_id: int | None = None, maker: str | None = None) -> tuple[TitleOffer, ...]:
        """The offers after id ``after``, oldest first, at most ``limit``: with ``live_only`` the ones
        that can be filled now, with ``title_id`` of that class, with ``maker`` (address or label) that
        member's. Read a window of offers per batch, filtered on the way (see :func:`~._domain.paging.scan`)."""
        who = None if maker is None else self._membership.address_of(maker, "maker").lower()
        cid = None if title_id is None else checks.whole(title_id, "title class id", minimum=1, maximum=_UINT96)
        ex = self.exchange
        with read_batch(self.w3) as batch:
            def read(ids: Sequence[int]) -> list[TitleOffer]:
                batch.prefetch(partial(r, i) for i in ids for r in (ex.offer, ex.offer_state))
                return [self.get_offer(i) for i in ids]

            return scan(checks.page(self.offer_count(), after), limit, read, None if not live_only and cid is None and who is None
                        else lambda o: (o.is_live or not live_only) and cid in (None, o.title_id) and who in (None, o.maker.lower()))

    def book(self, *, after: int = 0, limit: int | None = None, title_id: int | None = None,
             maker: str | None = None) -> tuple[TitleOffer, ...]:
        """The open order book: live offers, oldest first (filters and pages as :meth:`offers`)."""
        return self.offers(live_only=True, after=after, limit=limit, title_id=title_id, maker=maker)

    def payment_for(self, offer_id: int, amount: int | None = None) -> int:
        """What filling ``amount`` (default: all remaining) titles of on-chain offer ``offer_id`` costs now."""
        o = self.get_offer(offer_id)
        count = o.remaining if amount is None else _titles(amount)
        if count > o.remaining:
            raise InputError(f"offer #{o.id} has {o.remaining} titles left, fewer than {count}")
        return payment_between(o.price.amount, o.title_amount, o.filled, o.filled + count)

    def fill(self, offer_id: int, amount: int | None = None, *, max_payment: int | None = None,
             approve: bool = True) -> TxResult:
        """Take ``amount`` (default: all remaining) titles of ``offer_id`` and pay at most
        ``max_payment`` (default: what it costs now) for them in one transaction; ether sent beyond the
        payment comes back, so a bound above the quote lets the fill survive a front-run that moves the
        rounding. For a token payment the exchange's allowance is raised to the bound first when too
        low (a short non-zero allowance is reset to zero first, as USDT-style tokens require; in a dry
        run only the approval is simulated); ``approve=False`` refuses instead.

        Refuses, before sending: an offer that is not open, your own, one reserved for another
        member, more titles than remain, a part of an all-or-nothing offer, a bound below the cost.
        These repeat the exchange on purpose: a token fill cannot be simulated before its approval
        exists, so without them a doomed fill would first send (and pay for) a real approval."""
        me = self.sender_address
        o = self.get_offer(offer_id)
        if o.state is not OfferStatus.OPEN:
            raise InputError(f"offer #{o.id} is {o.state.name.lower()}: it cannot be filled")
        if o.maker == me:
            raise InputError(f"offer #{o.id} is your own: cancel it instead")
        if o.counterparty is not None and o.counterparty != me:
            raise InputError(f"offer #{o.id} is reserved for {o.counterparty}")
        count = o.remaining if amount is None else _titles(amount)
        if count > o.remaining:
            raise InputError(f"offer #{o.id} has {o.remaining} titles left, fewer than the {count} asked")
        if not o.allow_partial and count != o.remaining:
            raise InputError(f"offer #{o.id} must be filled whole ({o.remaining} titles)")
        pay = payment_between(o.price.amount, o.title_amount, o.filled, o.filled + count)
        bound = pay if max_payment is None else checks.whole(max_payment, "max payment", maximum=_UINT256)
        if bound < pay:
            raise InputError(f"offer #{o.id}: {count} titles cost {o.price.describe(pay)} now, more than the "
                             f"max payment {o.price.describe(bound)}")
        if o.price.kind is PaymentKind.ETHER:
            return self.exchange.fill(o.id, count, bound, value=bound)
        if o.price.kind is PaymentKind.TOKEN:
            token = self._token(o.price.asset)
            if not approve:
                allowance = token.allowance(me, self.exchange.address)
                if allowance < bound:
                    raise InputError(
                        f"the exchange may spend {o.price.describe(allowance)} of yours, "
                        f"less than the {o.price.describe(bound)} it may take: approve it first"
                    )
            else:
                sent = token.approve_if_short(me, self.exchange.address, bound)
                if sent and sent[-1].dry_run:
                    return sent[-1]  # the fill cannot be simulated before the approval exists
        return self.exchange.fill(o.id, count, bound)

    def cancel(self, offer_id: int, *, to: str | None = None) -> TxResult:
        """Cancel a live offer of yours; its unfilled titles go to ``to`` (a member label or address;
        default: you). On your own expired offer this says to reclaim it instead."""
        o = self.get_offer(offer_id)
        me = self.sender_address
        if o.state is OfferStatus.EXPIRED and o.maker == me:
            raise InputError(f"offer #{o.id} expired: reclaim it instead")
        return self.exchange.cancel(o.id, me if to is None else self._membership.address_of(to, "recipient"))

    def reclaim(self, offer_id: int, *, to: str | None = None) -> TxResult:
        """Send the unfilled titles of an offer that expired, or whose maker is no longer a member, to
        ``to`` (default: the maker). Its maker may name any member; anyone else may only push them
        back to the maker. On your own live offer this says to cancel it instead."""
        o = self.get_offer(offer_id)
        me = self.sender_address
        if o.state is OfferStatus.OPEN and o.maker == me:
            raise InputError(f"offer #{o.id} has not expired yet: cancel it instead")
        return self.exchange.reclaim(o.id, o.maker if to is None else self._membership.address_of(to, "recipient"))

    def proceeds(self, maker: str | None = None) -> int:
        """Ether (wei) the exchange owes ``maker`` (address or member label; default: the sending account)."""
        return self.exchange.proceeds(self.sender_address if maker is None else
                                      self._membership.address_of(maker, "maker"))

    def withdraw(self, to: str | None = None) -> TxResult:
        """Withdraw the ether your sales earned, to ``to`` (any address; default: you)."""
        me = self.sender_address  # the one-line InputError when there is no account
        return self.exchange.withdraw(me if to is None else checks.address(to, "payee"))

    # ---------------------------------------------------------------------------- history

    def history(self, *, from_block: int = 0, offer_id: int | None = None) -> tuple[TitleActivity, ...]:
        """The exchange's events (optionally of one offer, whose unknown id raises the exchange's
        ``TitleExchangeUnknownOffer``), in chain order; the offers' makers and assets read in one batch."""
        if offer_id is not None:
            offer_id = self.get_offer(offer_id).id
        ex, ids = self.exchange, range(1, self.offer_count() + 1) if offer_id is None else [offer_id]
        with read_batch(self.w3) as batch:
            batch.prefetch(partial(r, i) for i in ids for r in (ex.offer, ex.offer_state))

            def facts(oid: int) -> tuple[str, Asset]:
                o = self.get_offer(oid)
                return o.maker, o.price.asset

            return exchange_history(self.exchange, facts, from_block=from_block, offer_id=offer_id)

    # ---------------------------------------------------------------------------- private

    def _consortium(self) -> ConsortiumService:
        if self.consortium is None:
            raise InputError("proposing needs the consortium: build the service from the suite")
        return self.consortium

    def _class_id(self, class_id: int) -> int:
        """``class_id`` if the class exists. Checked here because for a transfer or an offer the
        contracts would answer with an ERC-1155 balance error that does not say the class is unknown."""
        cid = checks.whole(class_id, "title class id", minimum=1, maximum=_UINT96)
        count = self.registry.class_count()
        if cid > count:
            raise InputError(f"there is no title class #{cid}: the registry has {count} class(es)")
        return cid
