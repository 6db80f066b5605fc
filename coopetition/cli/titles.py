"""``coopetition titles ...``: title classes, holdings, and the member-to-member title exchange.

``create-class`` (a class, its cap and its first titles, in one proposal) and ``issue`` create
consortium proposals (members then ``consortium approve`` and ``consortium execute`` them);
everything else is an ordinary transaction of the chosen account, except ``quote``, which only signs.
Two ways to trade: the public book (``offer``, ``fill``, ``cancel``, ``reclaim``) and private signed
quotes (``quote`` writes a signed order file the maker hands to the taker, ``take`` settles it,
``cancel-quote`` / ``cancel-all-quotes`` void quotes on chain).
Prices are human amounts: ``--price "2.5 ether"``, ``--price "12000 USDC" --token 0x...`` (the
token's own symbol and decimals), or ``--price 40 --for-class 2`` (titles of another class).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._connect import member_labels, open_suite, proposal_options, sending_options
from ._context import CliContext, pass_cli
from .history import history_options, show_history
from .output import Money, next_page, print_table, report, report_proposal, to_json, when
from .params import (
    ADDRESS,
    AMOUNT,
    COUNT,
    DEADLINE,
    HASH32,
    ID,
    INDEX,
    LIST_PAGE,
    MEMBER,
    NONCE,
    SUPPLY,
    KeyValue,
)
from .titles_caps import cap

if TYPE_CHECKING:
    from .._domain.titles_history import TitleActivity
    from ..titles import SignedOrder

_HINT = "; members approve it with `coopetition consortium approve` (or `consortium sign`)"
ISSUE = KeyValue(MEMBER, COUNT, metavar="MEMBER=AMOUNT")
NO_CAP = ("NO CAP: the consortium's quorum alone may issue more titles of this class at any time, "
          "diluting its holders; give --max-supply N to fix the supply")

@click.group("titles")
def titles() -> None:
    """Title classes, holdings, and the member-to-member title exchange."""


titles.add_command(cap)


# ------------------------------------------------------------------------------ reading


@titles.command("classes")
@pass_cli
def classes_cmd(cli: CliContext) -> None:
    """Every title class with its terms hash and the titles issued."""
    service = open_suite(cli, read_only=True).titles
    rows = service.classes()
    if cli.json:
        cli.emit(None, [{**to_json(c), "escrowed": service.escrowed(c.id)} for c in rows])
        return
    if not rows:
        cli.emit("No title classes yet: propose one with `coopetition titles create-class`", None)
        return
    from rich.table import Table

    table = Table(title=f"Title classes ({service.registry.address})")
    for col in ("id", "name", "issued", "max supply", "on offer", "terms hash"):
        table.add_column(col)
    for c in rows:
        table.add_row(str(c.id), c.name, str(c.issued), str(c.max_supply) if c.capped else "NO CAP",
                      str(service.escrowed(c.id)), "0x" + c.terms_hash.hex())
    print_table(table)


@titles.command("balance")
@click.argument("holder", type=MEMBER, required=False)
@pass_cli
def balance_cmd(cli: CliContext, holder: str | None) -> None:
    """Titles held by HOLDER (member label or address; default: your account)."""
    service = open_suite(cli, read_only=holder is not None).titles
    who = holder if holder is not None else service.sender_address
    rows = service.holdings(who)
    address = rows[0].holder if rows else who
    if cli.json:
        cli.emit(None, {"holder": address, "holdings": rows})
        return
    if not rows:
        cli.emit(f"{who} holds no titles", None)
        return
    lines = [f"{who} holds:"] + [f"  {h.amount} x {h.name} (class {h.class_id})" for h in rows]
    cli.emit("\n".join(lines), None)


@titles.command("book")
@click.option("--all", "show_all", is_flag=True, help="Include filled, cancelled, reclaimed and expired offers.")
@click.option("--class", "title_id", type=ID, default=None, help="Only offers of titles of this class.")
@click.option("--maker", type=MEMBER, default=None, help="Only this member's offers.")
@click.option("--limit", type=COUNT, default=LIST_PAGE, show_default=True, help="Show at most this many offers.")
@click.option("--after", type=INDEX, default=0, help="Start after this offer id (the next page).")
@pass_cli
def book_cmd(cli: CliContext, show_all: bool, title_id: int | None, maker: str | None, limit: int, after: int) -> None:
    """The open offers (the order book), oldest first, a page at a time (--limit, --after)."""
    suite = open_suite(cli, read_only=True)
    conn, service = suite.connection, suite.titles
    rows = service.offers(live_only=not show_all, after=after, limit=limit + 1, title_id=title_id, maker=maker)
    more, rows = len(rows) > limit, rows[:limit]
    if cli.json:
        cli.emit(None, rows)
        return
    if not rows:
        cli.emit(("No open offers" if not show_all else "No offers") + (f" after #{after}" if after else "")
                 + (" that match" if title_id is not None or maker is not None else ""), None)
        return
    from rich.table import Table

    labels = member_labels(conn)
    names = {c.id: c.name for c in service.classes()}
    table = Table(title="Open offers" if not show_all else "Offers")
    for col in ("id", "state", "maker", "titles", "price (all)", "to", "fills", "expires"):
        table.add_column(col)
    for o in rows:
        table.add_row(
            str(o.id), o.state.name.lower(), labels.get(o.maker, o.maker),
            f"{o.remaining}/{o.title_amount} {names.get(o.title_id, o.title_id)}", o.price.describe(),
            "any member" if o.counterparty is None else labels.get(o.counterparty, o.counterparty),
            "partial" if o.allow_partial else "whole", when(o.expiry),
        )
    print_table(table)
    if more:
        next_page("offers", "titles book", rows[-1].id, limit, all=show_all, **{"class": title_id}, maker=maker)


# --------------------------------------------------------------------------- governance


@titles.command("create-class")
@click.argument("name")
@click.option("--terms", "terms_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The terms document (its SHA-256 is recorded; the file stays off chain).")
@click.option("--terms-hash", type=HASH32, default=None, help="The terms document's hash, 0x + 64 hex digits.")
@click.option("--max-supply", type=SUPPLY, default=0, show_default=True,
              help="Most titles ever issued; raising it later needs holders of a majority. 0: NO CAP.")
@click.option("--issue", "issues", type=ISSUE, multiple=True,
              help="Issue AMOUNT titles to MEMBER in the same proposal (repeat: --issue Acme=1000 --issue Globex=500).")
@proposal_options
@sending_options
@pass_cli
def create_class_cmd(cli: CliContext, name: str, terms_file: Path | None, terms_hash: str | None, max_supply: int,
                     issues: tuple[tuple[str, int], ...], expiry: str, description: str | None, dry_run: bool) -> None:
    """Propose a new title class NAME, its cap and its first titles (one proposal)."""
    from ..exceptions import InputError

    if (terms_file is None) == (terms_hash is None):
        raise InputError("give the terms as --terms FILE or --terms-hash 0x... (exactly one)")
    issue: dict[str, int] = {}
    for member, amount in issues:
        if member in issue:
            raise InputError(f"--issue {member} is given twice: issue to each member once")
        issue[member] = amount
    terms: bytes | str = terms_file.read_bytes() if terms_file is not None else str(terms_hash)
    ref = open_suite(cli, dry_run=dry_run).titles.propose_create_class(
        name, terms, max_supply=max_supply, issue=issue, description=description, expiry=expiry)
    given = ", ".join(f"{a} to {m}" for m, a in issue.items())
    what = f"create class {name!r} ({f'max supply {max_supply}' if max_supply else 'NO CAP'})" + (
        f", issuing {given}" if given else "")
    if not max_supply and not cli.json:
        click.echo(f"WARNING: {NO_CAP}", err=True)
    report_proposal(cli, what, ref, hint=_HINT)


@titles.command("issue")
@click.argument("class_id", type=ID)
@click.argument("member", type=MEMBER)
@click.argument("amount", type=COUNT)
@proposal_options
@sending_options
@pass_cli
def issue_cmd(cli: CliContext, class_id: int, member: str, amount: int, expiry: str, description: str | None,
              dry_run: bool) -> None:
    """Propose issuing AMOUNT titles of CLASS_ID to MEMBER (label or address)."""
    ref = open_suite(cli, dry_run=dry_run).titles.propose_issue(class_id, member, amount, description=description, expiry=expiry)
    report_proposal(cli, f"issue {amount} of class {class_id} to {member}", ref, hint=_HINT)


# ------------------------------------------------------------------------------ trading


@titles.command("transfer")
@click.argument("to", type=MEMBER)
@click.argument("class_id", type=ID)
@click.argument("amount", type=COUNT)
@sending_options
@pass_cli
def transfer_cmd(cli: CliContext, to: str, class_id: int, amount: int, dry_run: bool) -> None:
    """Send AMOUNT titles of CLASS_ID to member TO (label or address)."""
    result = open_suite(cli, dry_run=dry_run).titles.transfer(to, class_id, amount)
    report(cli, f"sent {amount} titles of class {class_id} to {to}", result)


@titles.command("offer")
@click.argument("class_id", type=ID)
@click.argument("amount", type=COUNT)
@click.option("--price", type=AMOUNT, required=True,
              help="Payment for all AMOUNT titles: '2.5 ether', '12000 USDC', or titles.")
@click.option("--token", type=ADDRESS, default=None, help="The ERC-20 the price is in.")
@click.option("--for-class", "for_class", type=ID, default=None, help="The price is in titles of this class.")
@click.option("--to", "counterparty", type=MEMBER, default=None, help="Only this member (label or address) may fill it.")
@click.option("--expiry", type=DEADLINE, default="7d", show_default=True,
              help="How long the offer stays open: 90m, 36h, 7d, or an ISO date.")
@click.option("--partial", is_flag=True, help="Allow fills of part of the titles (exact proportional payment).")
@sending_options
@pass_cli
def offer_cmd(cli: CliContext, class_id: int, amount: int, price: str, token: str | None, for_class: int | None,
              counterparty: str | None, expiry: str, partial: bool, dry_run: bool) -> None:
    """Offer AMOUNT titles of CLASS_ID; they are escrowed by the exchange until filled or cancelled."""
    service = open_suite(cli, dry_run=dry_run).titles
    parsed = service.price(price, token=token, title_class=for_class)
    ref = service.offer(class_id, amount, parsed, counterparty=counterparty, expiry=expiry, partial=partial)
    what = f"offer of {amount} titles of class {class_id} for {parsed.describe()}"
    report(cli, what if ref.tx.dry_run else f"offer #{ref.id}: {what}, expires {when(ref.expiry)}", ref.tx,
           {"offerId": ref.id, "expiry": ref.expiry})


@titles.command("fill")
@click.argument("offer_id", type=ID)
@click.argument("amount", type=COUNT, required=False)
@click.option("--max-payment", type=AMOUNT, default=None,
              help="Pay at most this (default: the cost now); excess ether comes back.")
@click.option("--no-approve", is_flag=True, help="Do not raise the token allowance automatically.")
@sending_options
@pass_cli
def fill_cmd(cli: CliContext, offer_id: int, amount: int | None, max_payment: str | None, no_approve: bool,
             dry_run: bool) -> None:
    """Take AMOUNT (default: all remaining) titles of OFFER_ID and pay for them, atomically."""
    service = open_suite(cli, dry_run=dry_run).titles
    offer = service.get_offer(offer_id)
    due = service.payment_for(offer_id, amount)
    bound = None if max_payment is None else offer.price.asset.parse(max_payment)
    result = service.fill(offer_id, amount, max_payment=bound, approve=not no_approve)
    took = offer.remaining if amount is None else amount
    report(cli, f"took {took} titles of offer #{offer_id} for {offer.price.describe(due)}", result,
           {"offerId": offer_id, "amount": took, "payment": Money(due, offer.price.asset)})


@titles.command("cancel")
@click.argument("offer_id", type=ID)
@click.option("--to", "to", type=MEMBER, default=None, help="Send the titles to this member (default: you).")
@sending_options
@pass_cli
def cancel_cmd(cli: CliContext, offer_id: int, to: str | None, dry_run: bool) -> None:
    """Cancel your live offer OFFER_ID; its unfilled titles come back (or go to --to)."""
    result = open_suite(cli, dry_run=dry_run).titles.cancel(offer_id, to=to)
    report(cli, f"offer #{offer_id} cancelled", result, {"offerId": offer_id})


@titles.command("reclaim")
@click.argument("offer_id", type=ID)
@click.option("--to", "to", type=MEMBER, default=None,
              help="Send the titles to this member (the maker only; default: the maker).")
@sending_options
@pass_cli
def reclaim_cmd(cli: CliContext, offer_id: int, to: str | None, dry_run: bool) -> None:
    """Return the titles of OFFER_ID, expired or of a removed maker (anyone may push them to the maker)."""
    result = open_suite(cli, dry_run=dry_run).titles.reclaim(offer_id, to=to)
    report(cli, f"offer #{offer_id} reclaimed", result, {"offerId": offer_id})


# ----------------------------------------------------------------------- signed quotes


@titles.command("quote")
@click.argument("class_id", metavar="CLASS", type=ID)
@click.argument("amount", type=COUNT)
@click.option("--price", type=AMOUNT, required=True, help="Payment for all AMOUNT titles: '2.5 ether' or '12000 USDC'.")
@click.option("--token", type=ADDRESS, default=None, help="The ERC-20 the price is in (default: ether).")
@click.option("--to", "to", type=MEMBER, default=None, help="Only this member may take it (default: any member).")
@click.option("--expires", type=DEADLINE, default="2h", show_default=True, help="Valid for: 90m, 2h, 7d, or an ISO date.")
@click.option("--partial", is_flag=True, help="Allow taking part of it (exact proportional payment).")
@click.option("--nonce", type=NONCE, default=None,
              help="The quote's nonce (default: your first unused one; give distinct ones to keep several open).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the signed quote (JSON) here; default: print it.")
@pass_cli
def quote_cmd(cli: CliContext, class_id: int, amount: int, price: str, token: str | None, to: str | None,
              expires: str, partial: bool, nonce: int | None, output: str | None) -> None:
    """Sign a private quote of AMOUNT of your titles of CLASS (nothing is sent; hand the file over)."""
    service = open_suite(cli).titles
    parsed = service.price(price, token=token)
    signed = service.quote(class_id, amount, parsed, to=to, expires=expires, partial=partial, nonce=nonce)
    if output is not None:
        Path(output).write_text(signed.to_json(), encoding="utf-8")
    who = "any member" if signed.taker is None else to
    human = (f"quote signed (nonce {signed.nonce}): {amount} titles of class {class_id} for {parsed.describe()} "
             f"to {who}, valid until {when(signed.expiry)}; nothing sent")
    human += f": {output} (the taker runs `coopetition titles take {output}`)" if output else "\n" + signed.to_json()
    cli.emit(human, {**signed.to_dict(), "priceFormatted": parsed.describe(), "file": output})


def _read_order(source: str) -> SignedOrder:
    from ..exceptions import InputError
    from ..titles import SignedOrder

    text = source.strip()
    if text.startswith("{"):
        return SignedOrder.from_json(text, source="the quote given")
    path = Path(source)
    if not path.is_file():
        raise InputError(f"quote file {source!r} does not exist: give the file `titles quote -o` wrote, or its JSON")
    return SignedOrder.from_json(path.read_text(encoding="utf-8"), source=source)


@titles.command("take")
@click.argument("order", metavar="ORDER")
@click.option("--amount", type=COUNT, default=None, help="Take this many titles (default: all that remain).")
@click.option("--max-payment", type=AMOUNT, default=None,
              help="Pay at most this (default: the cost now); excess ether comes back.")
@click.option("--no-approve", is_flag=True, help="Do not raise the token allowance automatically.")
@sending_options
@pass_cli
def take_cmd(cli: CliContext, order: str, amount: int | None, max_payment: str | None, no_approve: bool,
             dry_run: bool) -> None:
    """Take the signed quote ORDER (a file or its JSON) and pay for it: both legs in one transaction."""
    signed = _read_order(order)
    service = open_suite(cli, dry_run=dry_run).titles
    asset = service.price("0", token=signed.asset).asset if signed.asset else service.price("0").asset
    remaining, _ = service.quote_status(signed)
    took = remaining if amount is None else amount
    bound = None if max_payment is None else asset.parse(max_payment)
    result = service.take(signed, amount, bound, approve=not no_approve)
    from ..titles import payment_between

    filled = signed.amount - remaining
    due = payment_between(signed.price, signed.amount, filled, min(filled + took, signed.amount)) if took else 0
    report(cli, f"took {took} titles of class {signed.title_id} from {signed.maker} for {asset.format(due)}",
           result, {"maker": signed.maker, "nonce": str(signed.nonce), "amount": took, "payment": Money(due, asset)})


@titles.command("cancel-quote")
@click.argument("quote", metavar="ORDER_OR_NONCE")
@sending_options
@pass_cli
def cancel_quote_cmd(cli: CliContext, quote: str, dry_run: bool) -> None:
    """Void one of your signed quotes on chain: its file, its JSON, or its nonce."""
    from .._domain.checks import whole

    target: SignedOrder | int = whole(quote, "nonce") if quote.strip().isdigit() else _read_order(quote)
    result = open_suite(cli, dry_run=dry_run).titles.cancel_quote(target)
    nonce = target if isinstance(target, int) else target.nonce
    report(cli, f"quote nonce {nonce} cancelled", result, {"nonce": str(nonce)})


@titles.command("cancel-all-quotes")
@click.option("--below", type=NONCE, default=None,
              help="Cancel every quote with a nonce below this (default: all the library handed out).")
@sending_options
@pass_cli
def cancel_all_quotes_cmd(cli: CliContext, below: int | None, dry_run: bool) -> None:
    """Void all your signed quotes below a nonce, in one transaction."""
    service = open_suite(cli, dry_run=dry_run).titles
    result = service.cancel_all_quotes(below)
    floor = service.exchange.nonce_floor(service.sender_address) if not result.dry_run else below
    report(cli, f"all your quotes below nonce {floor} cancelled", result, {"below": str(floor)})


@titles.command("withdraw")
@click.option("--to", "to", type=ADDRESS, default=None, help="Send the ether to this address (default: you).")
@sending_options
@pass_cli
def withdraw_cmd(cli: CliContext, to: str | None, dry_run: bool) -> None:
    """Withdraw the ether your sales earned."""
    service = open_suite(cli, dry_run=dry_run).titles
    owed = Money(service.proceeds())
    report(cli, f"withdrew {owed.value} wei", service.withdraw(to), {"amount": owed})


@titles.command("history")
@click.option("--offer", "offer_id", type=ID, default=None, help="Only this offer.")
@history_options
@pass_cli
def history_cmd(cli: CliContext, offer_id: int | None, from_block: int, as_csv: bool) -> None:
    """List what happened on the exchange, oldest first."""
    from .._domain.activity import stamped

    suite = open_suite(cli, read_only=True)
    rows = suite.titles.history(offer_id=offer_id, from_block=from_block)
    activity = stamped(suite.connection.w3, [
        (r, r.kind, r.account, _history_words(r), r.payment if r.payment or r.kind == "filled" else None, r.asset)
        for r in rows])
    show_history(cli, suite.connection, activity, as_csv=as_csv)


def _history_words(r: TitleActivity) -> str:
    """One exchange event in words, payments in their asset's units."""
    if r.offer_id is None:  # a withdrawal of proceeds belongs to no offer
        return f"withdrew {r.asset.format(r.payment)} of proceeds"
    paid = f", paid {r.asset.format(r.payment)}" if r.payment else ""
    return f"{r.kind} offer #{r.offer_id} ({r.amount} titles{paid})"
