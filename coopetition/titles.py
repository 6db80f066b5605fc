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

Every input is validated before anything is sent; a bad one raises
:class:`~coopetition.exceptions.InputError` with one line. Refusals by the contracts arrive as the
bindings' typed exceptions (``TitleExchangeOverfill``, ``TitleRegistryNotMember``, ...).

**Partial fills** pay exactly their proportional share under the contract's cumulative rounding rule
(see ``contracts/TitleExchange.sol``): after fills totalling ``f`` of ``N`` offered titles for price
``P``, the takers have paid exactly ``ceil(f * P / N)`` in total; :func:`payment_between` computes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eth_abi import abi as eth_abi
from eth_utils.address import is_address, to_checksum_address

from ._abi import selector
from ._seam import PendingCall, Sender, TxResult
from ._units import format_amount, parse_amount, parse_deadline
from .bindings.title_exchange import (
    OfferCancelledEvent,
    OfferFilledEvent,
    OfferMadeEvent,
    OfferReclaimedEvent,
    OfferStatus,
    OfferTerms,
    PaymentKind,
    ProceedsWithdrawnEvent,
    TitleExchange,
)
from .bindings.title_registry import TitleRegistry
from .exceptions import InputError

if TYPE_CHECKING:
    from web3 import Web3

    from .consortium import ConsortiumService, ProposalRef

__all__ = [
    "DEFAULT_OFFER_EXPIRY",
    "Holding",
    "OfferRef",
    "OfferStatus",
    "PaymentKind",
    "Price",
    "TitleActivity",
    "TitleClassInfo",
    "TitleOffer",
    "TitlesService",
    "payment_between",
    "terms_hash",
]

DEFAULT_OFFER_EXPIRY = "7d"
"""Expiry of an offer when none is given."""

MAX_NAME_BYTES = 64
ZERO_ADDRESS = "0x" + "00" * 20
_UINT96 = 2**96 - 1
_UINT128 = 2**128 - 1


# ------------------------------------------------------------------------------- value types


@dataclass(frozen=True)
class Price:
    """What a taker pays for all the titles of an offer."""

    kind: PaymentKind
    amount: int
    """Wei, token base units, or number of titles."""
    token: str | None = None
    """The ERC-20 for :attr:`PaymentKind.TOKEN`."""
    title_id: int | None = None
    """The class paid with for :attr:`PaymentKind.TITLE`."""
    symbol: str = "ETH"
    decimals: int = 18

    @classmethod
    def ether(cls, wei: int) -> Price:
        return cls(PaymentKind.ETHER, wei)

    def describe(self, amount: int | None = None) -> str:
        """``amount`` (default: the whole price) in human units."""
        value = self.amount if amount is None else amount
        if self.kind is PaymentKind.TITLE:
            return f"{value} title(s) of class {self.title_id}"
        return format_amount(value, symbol=self.symbol, decimals=self.decimals)


@dataclass(frozen=True)
class TitleClassInfo:
    """A class of titles."""

    id: int
    name: str
    terms_hash: bytes
    created_at: int
    issued: int


@dataclass(frozen=True)
class Holding:
    """Titles of one class held by one account."""

    holder: str
    class_id: int
    name: str
    amount: int


@dataclass(frozen=True)
class TitleOffer:
    """An offer as the chain sees it now."""

    id: int
    maker: str
    counterparty: str | None
    """The only member who may fill it; ``None`` for any member."""
    title_id: int
    title_amount: int
    filled: int
    price: Price
    expiry: int
    allow_partial: bool
    state: OfferStatus
    """``EXPIRED`` for an open offer at or past its expiry."""

    @property
    def remaining(self) -> int:
        return self.title_amount - self.filled

    @property
    def is_live(self) -> bool:
        """Open and not expired: it can be filled or cancelled."""
        return self.state is OfferStatus.OPEN


@dataclass(frozen=True)
class OfferRef:
    """What :meth:`TitlesService.offer` did: the new offer's id (0 on a dry run) and its transaction."""

    id: int
    expiry: int
    tx: TxResult


@dataclass(frozen=True)
class TitleActivity:
    """One event of the exchange's history."""

    kind: str
    """``made``, ``filled``, ``cancelled``, ``reclaimed`` or ``withdrawn``."""
    offer_id: int | None
    account: str
    """The maker (made, withdrawn) or the taker (filled); the exchange's maker for cancel/reclaim."""
    amount: int
    """Titles offered, filled or returned; wei withdrawn."""
    payment: int
    """Payment of a fill (0 otherwise)."""
    block_number: int
    transaction_hash: str
    log_index: int


# ------------------------------------------------------------------------------------ helpers


def payment_between(price: int, total: int, filled_before: int, filled_after: int) -> int:
    """The payment of a fill moving an offer of ``total`` titles for ``price`` from ``filled_before`` to
    ``filled_after`` filled titles: ``ceil(after * price / total) - ceil(before * price / total)``,
    exactly as the contract computes it."""
    if not 0 <= filled_before <= filled_after <= total or total <= 0:
        raise InputError(f"cannot price a fill from {filled_before} to {filled_after} of {total} titles")
    return -((-filled_after * price) // total) - -((-filled_before * price) // total)


def terms_hash(document: bytes | str) -> bytes:
    """The hash recorded for a terms document: SHA-256 of its bytes (text is UTF-8 encoded).

    A 0x-prefixed 64-hex-digit string is taken as an already computed hash."""
    if isinstance(document, str):
        text = document.strip()
        if text[:2] in ("0x", "0X") and len(text) == 66:
            try:
                return bytes.fromhex(text[2:])
            except ValueError:
                pass
        document = document.encode("utf-8")
    if not isinstance(document, (bytes, bytearray)):
        raise InputError("a terms document must be bytes or text")
    return hashlib.sha256(bytes(document)).digest()


def _address(value: Any, what: str) -> str:
    if not isinstance(value, str) or not is_address(value):
        raise InputError(f"{what} {value!r} is not an address: expected 0x followed by 40 hex digits")
    checked = str(to_checksum_address(value))
    if int(checked, 16) == 0:
        raise InputError(f"{what} must not be the zero address")
    return checked


def _whole(value: Any, what: str, *, minimum: int = 1, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise InputError(f"{what} must be a whole number, got {value!r}")
    if value < minimum:
        raise InputError(f"{what} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise InputError(f"{what} {value} is too large (at most {maximum})")
    return int(value)


_ERC20_ABI: tuple[Mapping[str, Any], ...] = (
    {"type": "function", "name": "approve", "stateMutability": "nonpayable",
     "inputs": [{"name": "spender", "type": "address"}, {"name": "value", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
)


# -------------------------------------------------------------------------------- the service


class TitlesService:
    """The domain API of one deployed TitleRegistry and its TitleExchange.

    Build it with :meth:`at` (the exchange's address is read from the registry) or from the suite
    (``connect(...).suite().titles``). Governed actions (new classes, issues) need the
    ``consortium`` service: they become proposals.
    """

    def __init__(
        self, registry: TitleRegistry, exchange: TitleExchange, consortium: ConsortiumService | None = None
    ) -> None:
        self.registry = registry
        self.exchange = exchange
        self.consortium = consortium

    @classmethod
    def at(
        cls, w3: Web3, registry: str, sender: Sender | None = None, *, consortium: ConsortiumService | None = None
    ) -> TitlesService:
        reg = TitleRegistry(w3, registry, sender)
        return cls(reg, TitleExchange(w3, reg.exchange(), sender), consortium)

    def with_sender(self, sender: Sender | None) -> TitlesService:
        """The same contracts, sending through ``sender`` (e.g. another member's account)."""
        return TitlesService(
            self.registry.with_sender(sender), self.exchange.with_sender(sender),
            None if self.consortium is None else self.consortium.with_sender(sender),
        )

    def __repr__(self) -> str:
        return f"TitlesService(registry={self.registry.address}, exchange={self.exchange.address})"

    @property
    def w3(self) -> Web3:
        return self.registry.w3

    @property
    def sender_address(self) -> str:
        """The account this service sends as; :class:`InputError` if it has none."""
        address = getattr(self.exchange.sender, "address", None)
        if not address:
            raise InputError("this action needs an account: connect with account=... (or --account)")
        return str(to_checksum_address(address))

    # ---------------------------------------------------------------------------- classes

    def class_count(self) -> int:
        return self.registry.class_count()

    def title_class(self, class_id: int) -> TitleClassInfo:
        """Class ``class_id``; :class:`InputError` if there is none."""
        cid = self._class_id(class_id)
        raw = self.registry.title_class(cid)
        return TitleClassInfo(cid, raw.name, raw.terms_hash, raw.created_at, raw.issued)

    def classes(self) -> tuple[TitleClassInfo, ...]:
        """Every class, in creation order."""
        return tuple(self.title_class(i) for i in range(1, self.class_count() + 1))

    def balance(self, holder: str, class_id: int) -> int:
        return self.registry.balance_of(self._holder(holder), self._class_id(class_id))

    def holdings(self, holder: str) -> tuple[Holding, ...]:
        """Non-zero holdings of ``holder`` (address or member label), by class."""
        address = self._holder(holder)
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
        self, name: str, terms: bytes | str, *, description: str | None = None, expiry: str | int = "7d"
    ) -> ProposalRef:
        """Propose creating a class ``name`` whose terms document is ``terms`` (its SHA-256 is recorded;
        a 0x-hex 32-byte string is taken as the hash itself). The class gets id ``class_count() + 1``
        at the time the proposal executes."""
        consortium = self._consortium()
        if not isinstance(name, str) or not name.strip():
            raise InputError("a title class needs a name")
        size = len(name.encode("utf-8"))
        if size > MAX_NAME_BYTES:
            raise InputError(f"class name {name!r} is {size} bytes long; at most {MAX_NAME_BYTES} are allowed")
        digest = terms_hash(terms)
        return consortium.propose(
            self.registry.address, TitleRegistry.encode_create_class(name, digest),
            description if description is not None else f"Create title class {name!r}", expiry,
        )

    def propose_issue(
        self, class_id: int, to: str, amount: int, *, description: str | None = None, expiry: str | int = "7d"
    ) -> ProposalRef:
        """Propose issuing ``amount`` titles of ``class_id`` to member ``to`` (address or label)."""
        consortium = self._consortium()
        info = self.title_class(class_id)
        member = consortium.member(to)
        count = _whole(amount, "amount of titles")
        return consortium.propose(
            self.registry.address, TitleRegistry.encode_issue(info.id, member.address, count),
            description if description is not None else f"Issue {count} {info.name!r} to {member.label}", expiry,
        )

    # ---------------------------------------------------------------------------- holders

    def transfer(self, to: str, class_id: int, amount: int) -> TxResult:
        """Send ``amount`` titles of ``class_id`` to member ``to`` (address or label)."""
        me = self.sender_address
        target = self._member(to)
        cid = self._class_id(class_id)
        count = _whole(amount, "amount of titles")
        held = self.registry.balance_of(me, cid)
        if held < count:
            raise InputError(f"{me} holds {held} titles of class {cid}, fewer than the {count} to send")
        return self.registry.safe_transfer_from(me, target, cid, count, b"")

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
            count = _whole(parse_amount(amount).value if isinstance(amount, str) else amount, "price in titles")
            return Price(PaymentKind.TITLE, count, title_id=cid, symbol=f"titles of class {cid}", decimals=0)
        if token is not None:
            address = _address(token, "payment token")
            symbol, decimals = self._token_meta(address)
            value = parse_amount(amount, symbol=symbol, decimals=decimals).value
            return Price(PaymentKind.TOKEN, value, token=address, symbol=symbol, decimals=decimals)
        return Price(PaymentKind.ETHER, parse_amount(amount, symbol="ETH").value)

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
        me = self.sender_address
        cid = self._class_id(class_id)
        count = _whole(amount, "amount of titles", maximum=_UINT128)
        if not isinstance(price, Price):
            raise InputError("price must be a Price: build one with TitlesService.price('2 ether')")
        _whole(price.amount, "price", maximum=2**256 - 1)
        held = self.registry.balance_of(me, cid)
        if held < count:
            raise InputError(f"{me} holds {held} titles of class {cid}, fewer than the {count} offered")
        if not self.registry.can_hold(me):
            raise InputError(f"{me} is not a member of the consortium: only members make offers")
        other = ZERO_ADDRESS
        if counterparty is not None:
            other = self._member(counterparty)
            if other == me:
                raise InputError("the counterparty cannot be yourself")
        if price.kind is PaymentKind.TITLE and price.title_id == cid:
            raise InputError("a title payment must be in another class than the titles offered")
        when = self._expiry(expiry)
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
        """Offer ``offer_id`` now; :class:`InputError` if there is none."""
        oid = self._offer_id(offer_id)
        raw = self.exchange.offer(oid)
        counterparty = None if int(raw.counterparty, 16) == 0 else raw.counterparty
        if raw.payment_kind is PaymentKind.TOKEN:
            symbol, decimals = self._token_meta(raw.payment_token)
            price = Price(PaymentKind.TOKEN, raw.price, token=raw.payment_token, symbol=symbol, decimals=decimals)
        elif raw.payment_kind is PaymentKind.TITLE:
            price = Price(PaymentKind.TITLE, raw.price, title_id=raw.payment_title_id,
                          symbol=f"titles of class {raw.payment_title_id}", decimals=0)
        else:
            price = Price.ether(raw.price)
        return TitleOffer(
            id=oid, maker=raw.maker, counterparty=counterparty, title_id=raw.title_id,
            title_amount=raw.title_amount, filled=raw.filled, price=price, expiry=raw.expiry,
            allow_partial=raw.allow_partial, state=self.exchange.offer_state(oid),
        )

    def offers(self, *, live_only: bool = False) -> tuple[TitleOffer, ...]:
        """Every offer, oldest first; with ``live_only`` the ones that can be filled now."""
        found = (self.get_offer(i) for i in range(1, self.offer_count() + 1))
        return tuple(o for o in found if o.is_live or not live_only)

    def book(self) -> tuple[TitleOffer, ...]:
        """The open order book: live offers, oldest first."""
        return self.offers(live_only=True)

    def quote(self, offer_id: int, amount: int | None = None) -> int:
        """What filling ``amount`` (default: all remaining) titles of ``offer_id`` costs now."""
        o = self.get_offer(offer_id)
        count = o.remaining if amount is None else _whole(amount, "amount of titles")
        if count > o.remaining:
            raise InputError(f"offer #{o.id} has {o.remaining} titles left, fewer than {count}")
        return payment_between(o.price.amount, o.title_amount, o.filled, o.filled + count)

    def fill(self, offer_id: int, amount: int | None = None, *, approve: bool = True) -> TxResult:
        """Take ``amount`` (default: all remaining) titles of ``offer_id`` and pay for them in one
        transaction. For a token payment the exchange's allowance is raised first when too low
        (``approve=False`` refuses instead)."""
        me = self.sender_address
        o = self.get_offer(offer_id)
        if o.state is not OfferStatus.OPEN:
            raise InputError(f"offer #{o.id} is {o.state.name.lower()}: it cannot be filled")
        if o.maker == me:
            raise InputError(f"offer #{o.id} is your own: cancel it instead")
        if o.counterparty is not None and o.counterparty != me:
            raise InputError(f"offer #{o.id} is reserved for {o.counterparty}")
        count = o.remaining if amount is None else _whole(amount, "amount of titles")
        if count > o.remaining:
            raise InputError(f"offer #{o.id} has {o.remaining} titles left, fewer than the {count} asked")
        if not o.allow_partial and count != o.remaining:
            raise InputError(f"offer #{o.id} must be filled whole ({o.remaining} titles)")
        pay = payment_between(o.price.amount, o.title_amount, o.filled, o.filled + count)
        if o.price.kind is PaymentKind.ETHER:
            return self.exchange.fill(o.id, count, value=pay)
        if o.price.kind is PaymentKind.TOKEN:
            assert o.price.token is not None
            allowance = self._erc20_uint(o.price.token, "allowance(address,address)", me, self.exchange.address)
            if allowance < pay:
                if getattr(self.exchange.sender, "dry_run", False):
                    raise InputError(
                        f"dry run: this fill first needs the exchange approved for {o.price.describe(pay)} "
                        "(a real run approves it first); nothing was sent"
                    )
                if not approve:
                    raise InputError(
                        f"the exchange may spend {o.price.describe(allowance)} of yours, "
                        f"less than the {o.price.describe(pay)} due: approve it first"
                    )
                self._approve(o.price.token, pay)
        elif o.price.kind is PaymentKind.TITLE:
            assert o.price.title_id is not None
            held = self.registry.balance_of(me, o.price.title_id)
            if held < pay:
                raise InputError(f"you hold {held} titles of class {o.price.title_id}, fewer than the {pay} due")
        return self.exchange.fill(o.id, count)

    def cancel(self, offer_id: int) -> TxResult:
        """Cancel a live offer of yours; its unfilled titles come back."""
        o = self._own_open(offer_id)
        if o.state is OfferStatus.EXPIRED:
            raise InputError(f"offer #{o.id} expired: reclaim it instead")
        return self.exchange.cancel(o.id)

    def reclaim(self, offer_id: int) -> TxResult:
        """Take back the unfilled titles of an expired offer of yours."""
        o = self._own_open(offer_id)
        if o.state is OfferStatus.OPEN:
            raise InputError(f"offer #{o.id} has not expired yet: cancel it instead")
        return self.exchange.reclaim(o.id)

    def proceeds(self, maker: str | None = None) -> int:
        """Ether (wei) the exchange owes ``maker`` (default: the sending account)."""
        return self.exchange.proceeds(self.sender_address if maker is None else self._holder(maker))

    def withdraw(self) -> TxResult:
        """Withdraw the ether your offers earned."""
        me = self.sender_address
        if self.exchange.proceeds(me) == 0:
            raise InputError(f"{me} has no ether proceeds to withdraw")
        return self.exchange.withdraw()

    # ---------------------------------------------------------------------------- history

    def history(self, *, from_block: int = 0, offer_id: int | None = None) -> tuple[TitleActivity, ...]:
        """The exchange's events (optionally of one offer), in chain order."""
        ev = self.exchange.events
        records: list[TitleActivity] = []
        makers: dict[int, str] = {}
        for m in ev.offer_made(from_block=from_block, offer_id=offer_id):
            makers[m.offer_id] = m.maker
            records.append(TitleActivity("made", m.offer_id, m.maker, m.title_amount, 0,
                                         m.block_number, m.transaction_hash, m.log_index))
        for f in ev.offer_filled(from_block=from_block, offer_id=offer_id):
            records.append(TitleActivity("filled", f.offer_id, f.taker, f.amount, f.payment,
                                         f.block_number, f.transaction_hash, f.log_index))
        for c in ev.offer_cancelled(from_block=from_block, offer_id=offer_id):
            maker = makers.get(c.offer_id) or self.exchange.offer(c.offer_id).maker
            records.append(TitleActivity("cancelled", c.offer_id, maker, c.returned, 0,
                                         c.block_number, c.transaction_hash, c.log_index))
        for r in ev.offer_reclaimed(from_block=from_block, offer_id=offer_id):
            maker = makers.get(r.offer_id) or self.exchange.offer(r.offer_id).maker
            records.append(TitleActivity("reclaimed", r.offer_id, maker, r.returned, 0,
                                         r.block_number, r.transaction_hash, r.log_index))
        if offer_id is None:
            for w in ev.proceeds_withdrawn(from_block=from_block):
                records.append(TitleActivity("withdrawn", None, w.maker, w.amount, 0,
                                             w.block_number, w.transaction_hash, w.log_index))
        return tuple(sorted(records, key=lambda r: (r.block_number, r.log_index)))

    # ---------------------------------------------------------------------------- private

    def _consortium(self) -> ConsortiumService:
        if self.consortium is None:
            raise InputError("proposing needs the consortium: build the service from the suite")
        return self.consortium

    def _member(self, ref: str) -> str:
        """Address of member ``ref`` (address or label)."""
        if self.consortium is not None:
            return self.consortium.member(ref).address
        address = _address(ref, "member")
        if not self.registry.can_hold(address):
            raise InputError(f"{address} is not a member of the consortium")
        return address

    def _holder(self, ref: str) -> str:
        if isinstance(ref, str) and is_address(ref):
            return str(to_checksum_address(ref))
        if self.consortium is not None:
            return self.consortium.member(ref).address
        raise InputError(f"{ref!r} is not an address")

    def _class_id(self, class_id: int) -> int:
        cid = _whole(class_id, "title class id", maximum=_UINT96)
        count = self.registry.class_count()
        if cid > count:
            raise InputError(f"there is no title class #{cid}: the registry has {count} class(es)")
        return cid

    def _offer_id(self, offer_id: int) -> int:
        oid = _whole(offer_id, "offer id")
        count = self.exchange.offer_count()
        if oid > count:
            raise InputError(f"there is no offer #{oid}: the exchange has {count} offer(s)")
        return oid

    def _own_open(self, offer_id: int) -> TitleOffer:
        me = self.sender_address
        o = self.get_offer(offer_id)
        if o.maker != me:
            raise InputError(f"offer #{o.id} was made by {o.maker}, not by {me}")
        if o.state not in (OfferStatus.OPEN, OfferStatus.EXPIRED):
            raise InputError(f"offer #{o.id} is {o.state.name.lower()}: nothing to return")
        return o

    def _expiry(self, expiry: str | int) -> int:
        if isinstance(expiry, bool):
            raise InputError(f"cannot read expiry {expiry!r}: write e.g. '7d', '36h' or seconds")
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        when = parse_deadline(expiry, now=now)
        if when <= now:
            raise InputError(f"expiry {expiry!r} is not in the future")
        if when >= 2**64:
            raise InputError(f"expiry {when} is too far in the future")
        return when

    def _eth_call(self, token: str, signature: str, types: list[str], args: list[Any]) -> bytes:
        data = selector(signature) + eth_abi.encode(types, args)
        try:
            return bytes(self.w3.eth.call({"to": token, "data": data}))
        except Exception as exc:  # a non-token address or a reverting token
            raise InputError(f"{token} does not answer {signature.split('(')[0]}(): is it an ERC-20?") from exc

    def _erc20_uint(self, token: str, signature: str, *args: str) -> int:
        raw = self._eth_call(token, signature, ["address"] * len(args), list(args))
        if len(raw) < 32:
            raise InputError(f"{token} does not answer {signature.split('(')[0]}(): is it an ERC-20?")
        return int(eth_abi.decode(["uint256"], raw[:32])[0])

    def _token_meta(self, token: str) -> tuple[str, int]:
        raw_symbol = self._eth_call(token, "symbol()", [], [])
        raw_decimals = self._eth_call(token, "decimals()", [], [])
        try:
            symbol = str(eth_abi.decode(["string"], raw_symbol)[0])
            decimals = int(eth_abi.decode(["uint8"], raw_decimals[:32])[0])
        except Exception as exc:
            raise InputError(f"{token} has no readable symbol() and decimals(): is it an ERC-20?") from exc
        return symbol, decimals

    def _approve(self, token: str, amount: int) -> TxResult:
        sender = self.exchange.sender
        if sender is None:
            raise InputError("approving needs an account: connect with account=... (or --account)")
        signature = "approve(address,uint256)"
        args = (self.exchange.address, amount)
        data = selector(signature) + eth_abi.encode(["address", "uint256"], list(args))
        return sender.send(PendingCall("ERC20", token, signature, args, data, 0, _ERC20_ABI))


# Titles arriving from the registry are logged in these event types too; re-exported for callers
# that filter a TxResult themselves.
OfferEvents = (OfferMadeEvent, OfferFilledEvent, OfferCancelledEvent, OfferReclaimedEvent, ProceedsWithdrawnEvent)
