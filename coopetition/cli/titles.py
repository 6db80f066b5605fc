"""``coopetition titles ...``: title classes, holdings, and the member-to-member title exchange.

``create-class`` and ``issue`` create consortium proposals (members then ``consortium approve`` and
``consortium execute`` them); everything else is an ordinary transaction of the chosen account.
Prices are human amounts: ``--price "2.5 ether"``, ``--price "12000 USDC" --token 0x...`` (the
token's own symbol and decimals), or ``--price 40 --for-class 2`` (titles of another class).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._connect import open_connection, report_tx, sending_options
from ._context import CliContext, pass_cli
from ._types import ADDRESS

if TYPE_CHECKING:
    from ..consortium import ProposalRef
    from ..titles import TitleOffer, TitlesService


def _service(cli: CliContext, *, dry_run: bool = False, read_only: bool = False) -> TitlesService:
    conn = open_connection(cli, dry_run=dry_run, read_only=read_only)
    return conn.suite().titles


def _when(ts: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _print(table: Any) -> None:
    """Print a rich table; to a pipe or a file, wide enough not to wrap the rows."""
    import sys

    from rich.console import Console

    Console(highlight=False, width=None if sys.stdout.isatty() else 160).print(table)


def _labels(service: TitlesService) -> dict[str, str]:
    if service.consortium is None:
        return {}
    return {m.address: m.label for m in service.consortium.members()}


def _offer_data(o: TitleOffer) -> dict[str, Any]:
    return {
        "id": o.id, "state": o.state.name, "maker": o.maker, "counterparty": o.counterparty,
        "classId": o.title_id, "amount": o.title_amount, "filled": o.filled, "remaining": o.remaining,
        "paymentKind": o.price.kind.name, "price": o.price.amount, "priceText": o.price.describe(),
        "token": o.price.token, "paymentClassId": o.price.title_id, "expiry": o.expiry,
        "partial": o.allow_partial,
    }


def _report_proposal(cli: CliContext, ref: ProposalRef, what: str) -> None:
    label = what if ref.tx.dry_run else (
        f"proposal #{ref.id} ({what}) created, expires {_when(ref.expiry)}; "
        "members approve it with `coopetition consortium approve`"
    )
    report_tx(cli, label, ref.tx, {"proposalId": ref.id, "expiry": ref.expiry})


_expiry_option = click.option("--expiry", default="7d", show_default=True,
                              help="How long it stays open: 90m, 36h, 7d, or an ISO date.")
_description = click.option("--description", "-m", default=None, help="Why (stored on chain with the proposal).")


@click.group("titles")
def titles() -> None:
    """Title classes, holdings, and the member-to-member title exchange."""


# ------------------------------------------------------------------------------ reading


@titles.command("classes")
@pass_cli
def classes_cmd(cli: CliContext) -> None:
    """Every title class with its terms hash and the titles issued."""
    service = _service(cli, read_only=True)
    rows = service.classes()
    if cli.json:
        cli.emit(None, [{"id": c.id, "name": c.name, "termsHash": "0x" + c.terms_hash.hex(),
                         "issued": c.issued, "createdAt": c.created_at,
                         "escrowed": service.escrowed(c.id)} for c in rows])
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
    _print(table)


@titles.command("balance")
@click.argument("holder", required=False)
@pass_cli
def balance_cmd(cli: CliContext, holder: str | None) -> None:
    """Titles held by HOLDER (member label or address; default: your account)."""
    service = _service(cli, read_only=holder is not None)
    who = holder if holder is not None else service.sender_address
    rows = service.holdings(who)
    address = rows[0].holder if rows else who
    if cli.json:
        cli.emit(None, {"holder": address, "holdings": [
            {"classId": h.class_id, "name": h.name, "amount": h.amount} for h in rows]})
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
    service = _service(cli, read_only=True)
    rows = service.offers(live_only=not show_all)
    if cli.json:
        cli.emit(None, [_offer_data(o) for o in rows])
        return
    if not rows:
        cli.emit("No open offers" if not show_all else "No offers", None)
        return
    from rich.table import Table

    labels = _labels(service)
    names = {c.id: c.name for c in service.classes()}
    table = Table(title="Open offers" if not show_all else "Offers")
    for col in ("id", "state", "maker", "titles", "price (all)", "to", "fills", "expires"):
        table.add_column(col)
    for o in rows:
        table.add_row(
            str(o.id), o.state.name.lower(), labels.get(o.maker, o.maker),
            f"{o.remaining}/{o.title_amount} {names.get(o.title_id, o.title_id)}", o.price.describe(),
            "any member" if o.counterparty is None else labels.get(o.counterparty, o.counterparty),
            "partial" if o.allow_partial else "whole", _when(o.expiry),
        )
    _print(table)


# --------------------------------------------------------------------------- governance


@titles.command("create-class")
@click.argument("name")
@click.option("--terms", "terms_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The terms document (its SHA-256 is recorded; the file stays off chain).")
@click.option("--terms-hash", default=None, help="The terms document's hash, 0x + 64 hex digits.")
@_expiry_option
@_description
@sending_options
@pass_cli
def create_class_cmd(cli: CliContext, name: str, terms_file: Path | None, terms_hash: str | None, expiry: str,
                     description: str | None, dry_run: bool) -> None:
    """Propose a new title class NAME."""
    from ..exceptions import InputError

    if (terms_file is None) == (terms_hash is None):
        raise InputError("give the terms as --terms FILE or --terms-hash 0x... (exactly one)")
    if terms_hash is not None:
        text = terms_hash.strip()
        if not (text[:2] in ("0x", "0X") and len(text) == 66 and all(c in "0123456789abcdefABCDEF" for c in text[2:])):
            raise InputError(f"--terms-hash {terms_hash!r} is not 0x followed by 64 hex digits")
        terms: bytes | str = text
    else:
        assert terms_file is not None
        terms = terms_file.read_bytes()
    ref = _service(cli, dry_run=dry_run).propose_create_class(name, terms, description=description, expiry=expiry)
    _report_proposal(cli, ref, f"create class {name!r}")


@titles.command("issue")
@click.argument("class_id")
@click.argument("member")
@click.argument("amount")
@_expiry_option
@_description
@sending_options
@pass_cli
def issue_cmd(cli: CliContext, class_id: str, member: str, amount: str, expiry: str, description: str | None,
              dry_run: bool) -> None:
    """Propose issuing AMOUNT titles of CLASS_ID to MEMBER (label or address)."""
    ref = _service(cli, dry_run=dry_run).propose_issue(
        _int(class_id, "class id"), member, _int(amount, "amount"), description=description, expiry=expiry)
    _report_proposal(cli, ref, f"issue {amount} of class {class_id} to {member}")


# ------------------------------------------------------------------------------ trading


@titles.command("transfer")
@click.argument("to")
@click.argument("class_id")
@click.argument("amount")
@sending_options
@pass_cli
def transfer_cmd(cli: CliContext, to: str, class_id: str, amount: str, dry_run: bool) -> None:
    """Send AMOUNT titles of CLASS_ID to member TO (label or address)."""
    result = _service(cli, dry_run=dry_run).transfer(to, _int(class_id, "class id"), _int(amount, "amount"))
    report_tx(cli, f"sent {amount} titles of class {class_id} to {to}", result)


@titles.command("offer")
@click.argument("class_id")
@click.argument("amount")
@click.option("--price", required=True, help="Payment for all AMOUNT titles: '2.5 ether', '12000 USDC', or titles.")
@click.option("--token", type=ADDRESS, default=None, help="The ERC-20 the price is in.")
@click.option("--for-class", "for_class", default=None, help="The price is in titles of this class.")
@click.option("--to", "counterparty", default=None, help="Only this member (label or address) may fill it.")
@click.option("--expiry", default="7d", show_default=True, help="How long it stays open: 90m, 36h, 7d, or an ISO date.")
@click.option("--partial", is_flag=True, help="Allow fills of part of the titles (exact proportional payment).")
@sending_options
@pass_cli
def offer_cmd(cli: CliContext, class_id: str, amount: str, price: str, token: str | None, for_class: str | None,
              counterparty: str | None, expiry: str, partial: bool, dry_run: bool) -> None:
    """Offer AMOUNT titles of CLASS_ID; they are escrowed by the exchange until filled or cancelled."""
    service = _service(cli, dry_run=dry_run)
    cid = _int(class_id, "class id")
    paid_in = None if for_class is None else _int(for_class, "--for-class")
    parsed = service.price(price, token=token, title_class=paid_in)
    ref = service.offer(cid, _int(amount, "amount"), parsed, counterparty=counterparty, expiry=expiry,
                        partial=partial)
    what = f"offer of {amount} titles of class {cid} for {parsed.describe()}"
    report_tx(cli, what if ref.tx.dry_run else f"offer #{ref.id}: {what}, expires {_when(ref.expiry)}", ref.tx,
              {"offerId": ref.id, "expiry": ref.expiry})


@titles.command("fill")
@click.argument("offer_id")
@click.argument("amount", required=False)
@click.option("--no-approve", is_flag=True, help="Do not raise the token allowance automatically.")
@sending_options
@pass_cli
def fill_cmd(cli: CliContext, offer_id: str, amount: str | None, no_approve: bool, dry_run: bool) -> None:
    """Take AMOUNT (default: all remaining) titles of OFFER_ID and pay for them, atomically."""
    service = _service(cli, dry_run=dry_run)
    oid = _int(offer_id, "offer id")
    count = None if amount is None else _int(amount, "amount")
    offer = service.get_offer(oid)
    due = service.quote(oid, count)
    result = service.fill(oid, count, approve=not no_approve)
    took = offer.remaining if count is None else count
    report_tx(cli, f"took {took} titles of offer #{oid} for {offer.price.describe(due)}", result,
              {"offerId": oid, "amount": took, "payment": due})


@titles.command("cancel")
@click.argument("offer_id")
@sending_options
@pass_cli
def cancel_cmd(cli: CliContext, offer_id: str, dry_run: bool) -> None:
    """Cancel your live offer OFFER_ID; its unfilled titles come back."""
    oid = _int(offer_id, "offer id")
    report_tx(cli, f"offer #{oid} cancelled", _service(cli, dry_run=dry_run).cancel(oid), {"offerId": oid})


@titles.command("reclaim")
@click.argument("offer_id")
@sending_options
@pass_cli
def reclaim_cmd(cli: CliContext, offer_id: str, dry_run: bool) -> None:
    """Take back the unfilled titles of your expired offer OFFER_ID."""
    oid = _int(offer_id, "offer id")
    report_tx(cli, f"offer #{oid} reclaimed", _service(cli, dry_run=dry_run).reclaim(oid), {"offerId": oid})


@titles.command("withdraw")
@sending_options
@pass_cli
def withdraw_cmd(cli: CliContext, dry_run: bool) -> None:
    """Withdraw the ether your offers earned."""
    service = _service(cli, dry_run=dry_run)
    owed = service.proceeds()
    report_tx(cli, f"withdrew {owed} wei", service.withdraw(), {"amount": owed})


@titles.command("history")
@click.option("--offer", "offer_id", default=None, help="Only this offer.")
@pass_cli
def history_cmd(cli: CliContext, offer_id: str | None) -> None:
    """What happened on the exchange, oldest first."""
    service = _service(cli, read_only=True)
    rows = service.history(offer_id=None if offer_id is None else _int(offer_id, "offer id"))
    if cli.json:
        cli.emit(None, [{"kind": r.kind, "offerId": r.offer_id, "account": r.account, "amount": r.amount,
                         "payment": r.payment, "block": r.block_number, "tx": r.transaction_hash} for r in rows])
        return
    labels = _labels(service)
    lines = [f"block {r.block_number}: {r.kind} offer #{r.offer_id} by {labels.get(r.account, r.account)} "
             f"({r.amount}{'' if not r.payment else f', paid {r.payment}'})" for r in rows]
    cli.emit("\n".join(lines) or "Nothing yet", None)


def _int(text: str, what: str) -> int:
    from ..exceptions import InputError

    value = str(text).strip().replace("_", "")
    if not value.isdigit():
        raise InputError(f"{what} must be a whole number, got {text!r}")
    return int(value)
