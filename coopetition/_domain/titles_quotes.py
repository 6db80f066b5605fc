"""Private negotiation, public settlement: the titles service's signed quotes.

A maker signs a quote (an EIP-712 order of the exchange) off chain with :meth:`SignedQuotes.quote` —
nothing is sent — and hands the :class:`~coopetition._domain.titles_orders.SignedOrder` (JSON) to
the other member however it likes; the taker settles it with :meth:`SignedQuotes.take`, both legs in
one transaction. :meth:`SignedQuotes.cancel_quote` and :meth:`SignedQuotes.cancel_all_quotes` void
quotes on chain.

Nonces: a quote takes the maker's first nonce, from its floor up, that is neither used on chain nor
handed out before by this service object; quotes signed by separate programs at the same time need
explicit, distinct ``nonce=`` values (the CLI's ``--nonce``), or the first one taken voids the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..bindings.title_exchange import PaymentKind, TitleExchange
from ..exceptions import InputError
from .checks import whole
from .titles_orders import SignedOrder, sign_order
from .titles_values import Price, payment_between

if TYPE_CHECKING:
    from .._seam import TxResult
    from .asset import Asset
    from .erc20 import ERC20
    from .members import Members

__all__ = ["DEFAULT_QUOTE_EXPIRY", "MAX_NONCE_SCAN", "SignedQuotes"]

DEFAULT_QUOTE_EXPIRY = "2h"
"""How long a quote is valid when no expiry is given."""

MAX_NONCE_SCAN = 4096
"""Most nonces above the floor looked at to find an unused one."""

_UINT256 = 2**256 - 1


class SignedQuotes:
    """The signed-quote half of :class:`~coopetition.titles.TitlesService` (a mixin: it uses the
    service's exchange binding, sender and look-ups)."""

    exchange: TitleExchange
    _handed_out: set[tuple[str, int]]

    if TYPE_CHECKING:  # provided by the service
        @property
        def sender_address(self) -> str: ...
        @property
        def sender(self) -> Any: ...
        @property
        def _membership(self) -> Members: ...
        def _class_id(self, class_id: int) -> int: ...
        def _deadline(self, value: object, what: str) -> int: ...
        def _asset(self, ref: object, what: str = "asset") -> Asset: ...
        def _token(self, asset: Asset) -> ERC20: ...

    # ----------------------------------------------------------------------------- quotes

    def quote(
        self, class_id: int, amount: int, price: Price, *, to: str | None = None,
        expires: str | int = DEFAULT_QUOTE_EXPIRY, partial: bool = False, nonce: int | None = None,
        account: Any = None,
    ) -> SignedOrder:
        """Sign (with the connection's account, or ``account``) a private quote: ``amount`` of your titles
        of ``class_id`` for ``price`` (ether or an ERC-20) to member ``to`` (label or address; default:
        any member), valid for ``expires``. Sends nothing; the titles stay in your balance until taken."""
        cid = self._class_id(class_id)
        count = whole(amount, "amount of titles", minimum=1, maximum=_UINT256)
        if not isinstance(price, Price):
            raise InputError("price must be a Price: build one with TitlesService.price('2 ether')")
        if price.kind is PaymentKind.TITLE:
            raise InputError("a signed quote is paid in ether or an ERC-20, not in titles: use an on-chain offer")
        whole(price.amount, "price", minimum=1, maximum=_UINT256)
        signer = account if account is not None else getattr(self.sender, "account", None)
        if signer is None:
            raise InputError("signing needs an account: connect with account=... (or --account)")
        maker = str(signer.address)
        taker = None if to is None else self._membership.address_of(to, "taker")
        if taker == maker:
            raise InputError("a quote to yourself cannot be taken: name another member (or nobody)")
        expiry = self._deadline(expires, "expiry")
        chosen = self._free_nonce(maker) if nonce is None else whole(nonce, "nonce", maximum=_UINT256)
        self._handed_out.add((maker, chosen))
        chain_id = int(self.exchange.w3.eth.chain_id)
        return sign_order(signer, chain_id=chain_id, exchange=self.exchange.address, title_id=cid, amount=count,
                          price=price.amount, asset=price.token, taker=taker, expiry=expiry, nonce=chosen,
                          partial_fills=bool(partial))

    def quote_status(self, order: SignedOrder) -> tuple[int, int]:
        """``(remaining titles, payment for all of them now)`` of ``order`` (0 titles once used or cancelled)."""
        self._check_order(order)
        raw = order.order()
        remaining = self.exchange.quote_order(raw, 0).remaining
        if remaining == 0:
            return 0, 0
        return remaining, self.exchange.quote_order(raw, remaining).payment

    def take(self, order: SignedOrder, amount: int | None = None, max_payment: int | None = None, *,
             approve: bool = True) -> TxResult:
        """Take ``amount`` (default: all that remains) titles of the signed ``order`` and pay at most
        ``max_payment`` (default: what it costs now) in one transaction; ether beyond the payment comes
        back. For an ERC-20 the exchange's allowance is raised first when short (``approve=False``
        refuses instead). Refuses, before sending, an order of another chain or exchange, an expired,
        used or cancelled one, your own, one reserved for another member, more than remains, and a
        part of a whole-only order."""
        self._check_order(order)
        me = self.sender_address
        if order.maker == me:
            raise InputError("this quote is your own: cancel it with cancel_quote instead")
        if order.taker is not None and order.taker != me:
            raise InputError(f"this quote is reserved for {order.taker}")
        now = int(self.exchange.w3.eth.get_block("latest")["timestamp"])
        if now >= order.expiry:
            raise InputError(f"this quote expired at {order.expiry}: ask the maker for a new one")
        raw = order.order()
        remaining = self.exchange.quote_order(raw, 0).remaining
        if remaining == 0:
            raise InputError(f"this quote (nonce {order.nonce}) was taken or cancelled already")
        count = remaining if amount is None else whole(amount, "amount of titles", minimum=1)
        if count > remaining:
            raise InputError(f"this quote has {remaining} titles left, fewer than the {count} asked")
        if not order.partial_fills and count != order.amount:
            raise InputError(f"this quote must be taken whole ({order.amount} titles)")
        due = payment_between(order.price, order.amount, order.amount - remaining, order.amount - remaining + count)
        bound = due if max_payment is None else whole(max_payment, "max payment", maximum=_UINT256)
        if bound < due:
            raise InputError(f"taking {count} titles costs {due} now, more than the max payment {bound}")
        signature = order.submitted_signature()
        if order.asset is None:
            return self.exchange.fill_order(raw, signature, count, bound, value=bound)
        token = self._token(self._asset(order.asset, "payment token"))
        if not approve:
            allowance = token.allowance(me, self.exchange.address)
            if allowance < bound:
                raise InputError(f"the exchange may spend {allowance} base units of yours, less than {bound}: "
                                 "approve it first")
        else:
            sent = token.approve_if_short(me, self.exchange.address, bound)
            if sent and sent[-1].dry_run:
                return sent[-1]  # the fill cannot be simulated before the approval exists
        return self.exchange.fill_order(raw, signature, count, bound)

    def cancel_quote(self, quote: SignedOrder | int) -> TxResult:
        """Void one of your quotes on chain (a :class:`SignedOrder` or its nonce)."""
        me = self.sender_address
        if isinstance(quote, SignedOrder):
            self._check_order(quote)
            if quote.maker != me:
                raise InputError(f"this quote is {quote.maker}'s: only its maker can cancel it")
            nonce = quote.nonce
        else:
            nonce = whole(quote, "nonce", maximum=_UINT256)
        if self.exchange.nonce_used(me, nonce):
            raise InputError(f"quote nonce {nonce} is already taken or cancelled")
        return self.exchange.cancel_order(nonce)

    def cancel_all_quotes(self, below: int | None = None) -> TxResult:
        """Void all your quotes with a nonce below ``below`` (default: every nonce the library would have
        chosen so far — your first unused nonce and those this service object handed out)."""
        me = self.sender_address
        floor = self.exchange.nonce_floor(me)
        if below is None:
            below = self._free_nonce(me, remember=False) + 1
            below = max(below, *(n + 1 for m, n in self._handed_out if m == me), floor + 1)
        target = whole(below, "nonce", minimum=1, maximum=_UINT256)
        if target <= floor:
            raise InputError(f"your quotes below nonce {floor} are cancelled already: give a higher nonce")
        limit = floor - floor % 256 + self.exchange.max_cancel_words() * 256
        if target > limit:
            raise InputError(f"one call cancels up to nonce {limit}: cancel in steps")
        return self.exchange.cancel_orders_below(target)

    # ---------------------------------------------------------------------------- private

    def _check_order(self, order: object) -> None:
        if not isinstance(order, SignedOrder):
            raise InputError("a quote must be a SignedOrder: read one with SignedOrder.from_json")
        chain_id = int(self.exchange.w3.eth.chain_id)
        if order.chain_id != chain_id:
            raise InputError(f"this quote is for chain {order.chain_id}, not this chain ({chain_id})")
        if order.exchange != self.exchange.address:
            raise InputError(f"this quote is for the exchange {order.exchange}, not {self.exchange.address}")

    def _free_nonce(self, maker: str, *, remember: bool = True) -> int:
        nonce = self.exchange.nonce_floor(maker)
        for _ in range(MAX_NONCE_SCAN):
            if (maker, nonce) not in self._handed_out and not self.exchange.nonce_used(maker, nonce):
                return nonce
            nonce += 1
        raise InputError(f"no unused nonce in the {MAX_NONCE_SCAN} above your floor: "
                         "cancel all quotes (it raises the floor) or give nonce=")
