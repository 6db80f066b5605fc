"""``coopetition titles ...``: title classes, holdings, and the member-to-member title exchange.

``create-class`` and ``issue`` create consortium proposals (members then ``consortium approve`` and
``consortium execute`` them); everything else is an ordinary transaction of the chosen account.
Prices are human amounts: ``--price "2.5 ether"``, ``--price "12000 USDC" --token 0x...`` (the
token's own symbol and decimals), or ``--price 40 --for-class 2`` (titles of another class).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._connect import member_labels, open_suite, proposal_options, sending_options, service_action
from ._context import CliContext, pass_cli
from .output import Money, print_table, report, report_proposal, to_json, when
from .params import ADDRESS, AMOUNT, COUNT, DEADLINE, HASH32, ID, MEMBER

if TYPE_CHECKING:
    pass

_HINT = "; members approve it with `coopetition consortium approve` (or `consortium sign`)"




@click.group("titles")
def titles() -> None:
    """Title classes, holdings, and the member-to-member title exchange."""


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
    for col in ("id", "name", "issued", "on offer", "terms hash"):
        table.add_column(col)
    for c in rows:
        table.add_row(str(c.id), c.name, str(c.issued), str(service.escrowed(c.id)), "0x" + c.terms_hash.hex())
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
@pass_cli
def book_cmd(cli: CliContext, show_all: bool) -> None:
    """The open offers (the order book)."""
    suite = open_suite(cli, read_only=True)
    conn, service = suite.connection, suite.titles
    rows = service.offers(live_only=not show_all)
    if cli.json:
        cli.emit(None, rows)
        return
    if not rows:
        cli.emit("No open offers" if not show_all else "No offers", None)
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


# --------------------------------------------------------------------------- governance


@titles.command("create-class")
@click.argument("name")
@click.option("--terms", "terms_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The terms document (its SHA-256 is recorded; the file stays off chain).")
@click.option("--terms-hash", type=HASH32, default=None, help="The terms document's hash, 0x + 64 hex digits.")
@proposal_options
@sending_options
@pass_cli
def create_class_cmd(cli: CliContext, name: str, terms_file: Path | None, terms_hash: str | None, expiry: str,
                     description: str | None, dry_run: bool) -> None:
    """Propose a new title class NAME."""
    from ..exceptions import InputError

    if (terms_file is None) == (terms_hash is None):
        raise InputError("give the terms as --terms FILE or --terms-hash 0x... (exactly one)")
    terms: bytes | str = terms_file.read_bytes() if terms_file is not None else str(terms_hash)
    ref = open_suite(cli, dry_run=dry_run).titles.propose_create_class(name, terms, description=description, expiry=expiry)
    report_proposal(cli, f"create class {name!r}", ref, hint=_HINT)


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
@click.option("--no-approve", is_flag=True, help="Do not raise the token allowance automatically.")
@sending_options
@pass_cli
def fill_cmd(cli: CliContext, offer_id: int, amount: int | None, no_approve: bool, dry_run: bool) -> None:
    """Take AMOUNT (default: all remaining) titles of OFFER_ID and pay for them, atomically."""
    service = open_suite(cli, dry_run=dry_run).titles
    offer = service.get_offer(offer_id)
    due = service.quote(offer_id, amount)
    result = service.fill(offer_id, amount, approve=not no_approve)
    took = offer.remaining if amount is None else amount
    report(cli, f"took {took} titles of offer #{offer_id} for {offer.price.describe(due)}", result,
           {"offerId": offer_id, "amount": took, "payment": Money(due, offer.price.asset)})


cancel_cmd = service_action(titles, "titles", "cancel", noun="offer", verb="cancelled",
                            doc="Cancel your live offer OFFER_ID; its unfilled titles come back.")
reclaim_cmd = service_action(titles, "titles", "reclaim", noun="offer", verb="reclaimed",
                             doc="Take back the unfilled titles of your expired offer OFFER_ID.")


@titles.command("withdraw")
@sending_options
@pass_cli
def withdraw_cmd(cli: CliContext, dry_run: bool) -> None:
    """Withdraw the ether your offers earned."""
    service = open_suite(cli, dry_run=dry_run).titles
    owed = Money(service.proceeds())
    report(cli, f"withdrew {owed.value} wei", service.withdraw(), {"amount": owed})


@titles.command("history")
@click.option("--offer", "offer_id", type=ID, default=None, help="Only this offer.")
@pass_cli
def history_cmd(cli: CliContext, offer_id: int | None) -> None:
    """What happened on the exchange, oldest first."""
    suite = open_suite(cli, read_only=True)
    conn, service = suite.connection, suite.titles
    rows = service.history(offer_id=offer_id)
    if cli.json:
        cli.emit(None, rows)
        return
    labels = member_labels(conn)
    lines = [f"block {r.block_number}: {r.kind} offer #{r.offer_id} by {labels.get(r.account, r.account)} "
             f"({r.amount}{'' if not r.payment else f', paid {r.payment}'})" for r in rows]
    cli.emit("\n".join(lines) or "Nothing yet", None)
