"""``coopetition costs ...``: shared R&D cost pools (v2: nobody owes what it did not accept).

``create`` proposes a pool and prints what each participant must accept; each participant ``join``s
on chain, or ``sign-terms`` (an EIP-712 signature written to a file) which the creator sends for
everyone with ``submit-terms``; ``leave`` voids a pool with nothing booked. ``submit`` expenses with
the hash of their evidence (the document stays on this machine); participants other than the payee
``approve`` (or ``reject``) them until the rule books them, and can ``dispute`` a booking within the
dispute window. Once a settlement period and its dispute window are over, debtors ``pay`` their
share and creditors ``claim`` their pro-rata part of what was paid in (``push`` sends it for them).
``balances`` shows who has not accepted yet and each creditor's collectable part.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._connect import id_command, member_labels, open_suite, sending_options, service_action
from ._context import CliContext, pass_cli
from .history import history_options, show_history
from .output import Money, next_page, print_table, report, to_json, when
from .params import (
    AMOUNT,
    ASSET,
    COUNT,
    DEADLINE,
    DURATION,
    HASH32,
    ID,
    INDEX,
    LIST_PAGE,
    MEMBER,
    SHARE,
    KeyValue,
)

if TYPE_CHECKING:
    from ..costs import Pool

PARTICIPANT = KeyValue(MEMBER, SHARE, metavar="MEMBER=SHARE")
_PERIOD = click.option("--period", type=INDEX, default=None,
                       help="Settlement period (default: the earliest open one with something due).")


@click.group("costs")
def costs() -> None:
    """Shared R&D cost pools: consent, expenses, approvals, disputes, pro-rata settlement."""


def _terms_text(pool: Pool, labels: dict[str, str]) -> str:
    parts = ", ".join(f"{labels.get(x.address, x.address)} {x.share_bps / 100:g}%" for x in pool.participants)
    return (f"{parts} in {pool.asset.symbol}; an expense is booked by more than {pool.approval_bps / 100:g}% of the"
            f" other participants' shares, at least {pool.quorum} of them; disputes within"
            f" {pool.dispute_window}s; settlement every {pool.settlement_period}s for {pool.duration}s;"
            f" terms hash {pool.terms_hash}")


@costs.command("create")
@click.argument("name")
@click.option("--participant", "-p", "participants", type=PARTICIPANT, multiple=True, required=True,
              help="MEMBER=SHARE, e.g. Acme=50% (repeat; order fixes who takes rounding wei).")
@click.option("--approval", type=SHARE, default="50%", show_default=True,
              help="Booking needs more than this part of the other participants' shares.")
@click.option("--quorum", "-q", type=COUNT, default=2, show_default=True, help="...from at least this many of them.")
@click.option("--dispute-window", type=DURATION, default="2d", show_default=True, help="Time to dispute a booking.")
@click.option("--settlement-period", type=DURATION, default="30d", show_default=True,
              help="Expenses booked in one period are settled together.")
@click.option("--duration", type=DURATION, default="360d", show_default=True,
              help="From going live until nothing more can be booked.")
@click.option("--asset", type=ASSET, default="ETH", show_default=True, help="ETH or the ERC-20's address.")
@sending_options
@pass_cli
def create(cli: CliContext, name: str, participants: tuple[tuple[str, int], ...], approval: int, quorum: int,
           dispute_window: int, settlement_period: int, duration: int, asset: str, dry_run: bool) -> None:
    """Propose a cost pool NAME; it goes live once every participant accepted its terms."""
    suite = open_suite(cli, dry_run=dry_run)
    service = suite.costs
    ref = service.create_pool(name, list(participants), approval=approval, quorum=quorum,
                              dispute_window=dispute_window, settlement_period=settlement_period,
                              duration=duration, asset=asset)
    labels = member_labels(suite.connection)
    must = [labels.get(a, a) for a in ref.must_accept]
    if ref.tx.dry_run:
        what = "create pool"
    else:
        terms = _terms_text(service.pool(ref.id), labels)
        accept = (f"; to accept, {', '.join(must)} must each run `coopetition costs join {ref.id}` (or"
                  f" `costs sign-terms {ref.id} -o FILE` for the creator to submit)") if must else ""
        what = f"pool #{ref.id} {name!r} proposed: {terms}{accept}"
    report(cli, what, ref.tx, {"poolId": ref.id, "termsHash": ref.terms_hash, "mustAccept": must})


@costs.command("join")
@click.argument("pool_id", metavar="POOL", type=ID)
@click.option("--terms-hash", type=HASH32, default=None, help="The terms hash you agree to (default: the proposed one).")
@sending_options
@pass_cli
def join(cli: CliContext, pool_id: int, terms_hash: str | None, dry_run: bool) -> None:
    """Accept the terms of proposed pool POOL on chain."""
    service = open_suite(cli, dry_run=dry_run).costs
    tx = service.join(pool_id, terms_hash=terms_hash)
    state = None if tx.dry_run else service.pool(pool_id).status.name.lower()
    report(cli, "join pool" if tx.dry_run else f"joined pool #{pool_id}; now {state}", tx,
           {"poolId": pool_id, "poolStatus": state})


@costs.command("sign-terms")
@click.argument("pool_id", metavar="POOL", type=ID)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), required=True,
              help="Where to write the signed acceptance (JSON).")
@click.option("--deadline", type=DEADLINE, default="7d", show_default=True, help="Valid until: 7d, 36h or an ISO date.")
@pass_cli
def sign_terms(cli: CliContext, pool_id: int, output: str, deadline: str) -> None:
    """Sign your acceptance of POOL's terms (EIP-712; nothing is sent) into a file for the submitter."""
    signed = open_suite(cli).costs.sign_terms(pool_id, deadline=deadline)
    Path(output).write_text(signed.to_json(), encoding="utf-8")
    cli.emit(f"{signed.participant} signed the terms of pool #{pool_id} (hash {signed.terms_hash}) until"
             f" {when(signed.deadline)}: {output}", {"poolId": pool_id, "participant": signed.participant,
                                                    "termsHash": signed.terms_hash, "file": output})


@costs.command("submit-terms")
@click.argument("pool_id", metavar="POOL", type=ID)
@click.option("--signatures", "files", type=click.Path(exists=True, dir_okay=False), multiple=True, required=True,
              help="A signed acceptance file (repeat).")
@sending_options
@pass_cli
def submit_terms(cli: CliContext, pool_id: int, files: tuple[str, ...], dry_run: bool) -> None:
    """Submit signed acceptances of POOL for everyone in one transaction."""
    from ..costs import read_acceptances

    service = open_suite(cli, dry_run=dry_run).costs
    tx = service.submit_acceptances(pool_id, read_acceptances(list(files)))
    pending = None if tx.dry_run else list(service.pool(pool_id).pending)
    what = "submit acceptances" if tx.dry_run else (
        f"acceptances of pool #{pool_id} recorded; " + (f"still to accept: {', '.join(pending)}" if pending else "live"))
    report(cli, what, tx, {"poolId": pool_id, "pending": pending})


leave = service_action(costs, "costs", "leave", noun="pool", verb="left (it is void now)",
                       doc="Leave (or decline) pool POOL_ID while nothing is booked in it.")
vote_close = service_action(costs, "costs", "vote_close", name="vote-close", noun="pool", verb="close vote recorded",
                            doc="Vote to close pool POOL_ID (then nothing more is booked; settlement goes on).")


@costs.command("submit")
@click.argument("pool_id", type=ID)
@click.argument("amount", type=AMOUNT)
@click.option("--payee", type=MEMBER, required=True, help="Who is owed the amount: a member label or any address.")
@click.option("--evidence", type=click.Path(dir_okay=False), default=None,
              help="Evidence document: hashed (SHA-256) locally, never sent.")
@click.option("--evidence-hash", type=HASH32, default=None, help="Precomputed 32-byte hash of the evidence (0x + 64 hex).")
@click.option("--ref", "reference", default="", help="Short reference, e.g. the invoice number (≤ 64 bytes).")
@sending_options
@pass_cli
def submit(cli: CliContext, pool_id: int, amount: str, payee: str, evidence: str | None,
           evidence_hash: str | None, reference: str, dry_run: bool) -> None:
    """Submit an expense of AMOUNT to pool POOL_ID for approval."""
    from ..exceptions import InputError

    if (evidence is None) == (evidence_hash is None):
        raise InputError("give exactly one of --evidence FILE or --evidence-hash HASH")
    service = open_suite(cli, dry_run=dry_run).costs
    ref = service.submit(pool_id, amount, payee, evidence=evidence, evidence_hash=evidence_hash, reference=reference)
    what = "submit expense" if ref.tx.dry_run else f"expense #{ref.id} submitted (evidence {ref.evidence_hash})"
    report(cli, what, ref.tx, {"expenseId": ref.id, "evidenceHash": ref.evidence_hash})


def _vote(name: str, verb: str, doc: str) -> click.Command:
    def run(cli: CliContext, expense_id: int, dry_run: bool) -> None:
        service = open_suite(cli, dry_run=dry_run).costs
        tx = getattr(service, name)(expense_id)
        status = None if tx.dry_run else service.expense(expense_id).status.name.lower()
        what = f"{name} expense" if tx.dry_run else f"expense #{expense_id} {verb}; now {status}"
        report(cli, what, tx, {"expenseId": expense_id, "expenseStatus": status})

    return id_command(costs, name, doc, "expense_id", run)


approve = _vote("approve", "approved", "Approve expense EXPENSE_ID (the approval meeting the rule books it).")
reject = _vote("reject", "rejected", "Vote against pending expense EXPENSE_ID.")
withdraw_expense = service_action(costs, "costs", "withdraw_expense", name="withdraw-expense", noun="expense",
                                  verb="withdrawn", doc="Withdraw your pending expense EXPENSE_ID.")


@costs.command("dispute")
@click.argument("expense_id", metavar="EXPENSE", type=ID)
@click.option("--reason", required=True, help="Why (its keccak-256 hash goes on chain), or a 0x 32-byte hash.")
@sending_options
@pass_cli
def dispute(cli: CliContext, expense_id: int, reason: str, dry_run: bool) -> None:
    """Dispute booked expense EXPENSE within its dispute window (the rule reverses it)."""
    service = open_suite(cli, dry_run=dry_run).costs
    tx = service.dispute(expense_id, reason)
    status = None if tx.dry_run else service.expense(expense_id).status.name.lower()
    report(cli, "dispute expense" if tx.dry_run else f"expense #{expense_id} disputed; now {status}", tx,
           {"expenseId": expense_id, "expenseStatus": status})


def _moved(tx: Any, event: str) -> int:
    return sum(int(e.args["amount"]) for e in tx.events if e.name == event)


@costs.command("pay")
@click.argument("pool_id", type=ID)
@click.argument("amount", type=AMOUNT, required=False)
@_PERIOD
@click.option("--for", "debtor", type=MEMBER, default=None, help="Pay another participant's debt.")
@sending_options
@pass_cli
def pay(cli: CliContext, pool_id: int, amount: str | None, period: int | None, debtor: str | None,
        dry_run: bool) -> None:
    """Pay AMOUNT (default: all) of your debt for a settlement period of pool POOL_ID."""
    service = open_suite(cli, dry_run=dry_run).costs
    asset = service.pool(pool_id).asset
    tx = service.pay(pool_id, amount, period=period, debtor=debtor)
    paid = _moved(tx, "PaidIn")
    report(cli, "pay" if tx.dry_run else f"paid {asset.format(paid)} into pool #{pool_id}", tx,
           {"amount": Money(paid, asset)})


@costs.command("claim")
@click.argument("pool_id", type=ID)
@click.argument("amount", type=AMOUNT, required=False)
@_PERIOD
@click.option("--to", type=MEMBER, default=None, help="Recipient: a member label or any address (default: your account).")
@sending_options
@pass_cli
def claim(cli: CliContext, pool_id: int, amount: str | None, period: int | None, to: str | None,
          dry_run: bool) -> None:
    """Collect AMOUNT (default: all) of your pro-rata part of a settlement period of pool POOL_ID."""
    service = open_suite(cli, dry_run=dry_run).costs
    asset = service.pool(pool_id).asset
    tx = service.claim(pool_id, amount, period=period, to=to)
    got = _moved(tx, "Claimed")
    report(cli, "claim" if tx.dry_run else f"collected {asset.format(got)} from pool #{pool_id}", tx,
           {"amount": Money(got, asset)})


@costs.command("push")
@click.argument("pool_id", type=ID)
@click.argument("creditor", type=MEMBER)
@click.option("--period", type=INDEX, required=True, help="Settlement period.")
@sending_options
@pass_cli
def push(cli: CliContext, pool_id: int, creditor: str, period: int, dry_run: bool) -> None:
    """Send CREDITOR its whole collectable part of a period of pool POOL_ID (anyone may)."""
    service = open_suite(cli, dry_run=dry_run).costs
    asset = service.pool(pool_id).asset
    tx = service.push(pool_id, creditor, period=period)
    got = _moved(tx, "Claimed")
    report(cli, "push" if tx.dry_run else f"pushed {asset.format(got)} to {creditor}", tx,
           {"amount": Money(got, asset)})


@costs.command("balances")
@click.argument("pool_id", type=ID)
@click.option("--period", type=INDEX, default=None, help="One settlement period (default: all begun).")
@click.option("--limit", type=COUNT, default=LIST_PAGE, show_default=True, help="Show at most this many positions.")
@click.option("--after", type=INDEX, default=0, help="Start after this many positions (the next page).")
@pass_cli
def balances(cli: CliContext, pool_id: int, period: int | None, limit: int, after: int) -> None:
    """Show who has not accepted yet, and each position: owed, paid, debt, credit, collectable part
    (participants in pool order, then external payees; a page at a time: --limit, --after)."""
    suite = open_suite(cli, read_only=True)
    conn, service = suite.connection, suite.costs
    pool = service.pool(pool_id)
    rows = service.balances(pool_id, period=period, after=after, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    labels = member_labels(conn)
    pending = [labels.get(a, a) for a in pool.pending]
    if cli.json:
        cli.emit(None, {"poolId": pool.id, "status": pool.status.name.lower(), "asset": pool.asset,
                        "notAccepted": pending, "outstanding": Money(pool.outstanding, pool.asset),
                        "positions": [{**to_json(p, asset=pool.asset), "label": labels.get(p.account)} for p in rows]})
        return
    from rich.table import Table

    fmt = pool.asset.format
    click.echo(f"Pool #{pool.id} {pool.name!r} is {pool.status.name.lower()}"
               + (f"; not accepted yet: {', '.join(pending)}" if pending else "; every participant accepted"))
    table = Table(title=f"booked {fmt(pool.total_booked)}, paid in {fmt(pool.total_paid_in)}")
    for col in ("account", "share", "owed", "paid", "debt", "credit", "collectable", "collected"):
        table.add_column(col, justify="left" if col == "account" else "right")
    for p in rows:
        share = f"{p.share_bps / 100:g}%" if p.share_bps else "-"
        table.add_row(labels.get(p.account, p.account), share, fmt(p.owed), fmt(p.paid), fmt(p.debt), fmt(p.credit),
                      fmt(p.collectable), fmt(p.withdrawn))
    print_table(table)
    if more:
        next_page("positions", f"costs balances {pool.id}", after + limit, limit, period=period)


@costs.command("expenses")
@click.argument("pool_id", type=ID)
@click.option("--status", type=click.Choice(["pending", "booked", "rejected", "withdrawn", "reversed"]), default=None,
              help="Only expenses in this state.")
@click.option("--limit", type=COUNT, default=LIST_PAGE, show_default=True, help="Show at most this many expenses.")
@click.option("--after", type=INDEX, default=0, help="Start after this expense id (the next page).")
@pass_cli
def expenses(cli: CliContext, pool_id: int, status: str | None, limit: int, after: int) -> None:
    """List the expenses of POOL_ID, oldest first, a page at a time (--limit, --after)."""
    from ..costs import ExpenseStatus

    suite = open_suite(cli, read_only=True)
    conn, service = suite.connection, suite.costs
    pool = service.pool(pool_id)
    rows = service.expenses(pool_id, status=ExpenseStatus[status.upper()] if status else None, after=after,
                            limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    if cli.json:
        cli.emit(None, to_json(rows, asset=pool.asset))
        return
    if not rows:
        click.echo(f"Pool #{pool.id}: no expenses" + (f" {status}" if status else "") + (f" after #{after}" if after else ""))
        return
    from rich.table import Table

    labels = member_labels(conn)
    table = Table(title=f"Expenses of pool #{pool.id} {pool.name}")
    for col in ("id", "status", "amount", "payee", "submitter", "votes", "reference", "evidence"):
        table.add_column(col)
    for e in rows:
        table.add_row(str(e.id), e.status.name.lower(), pool.asset.format(e.amount), labels.get(e.payee, e.payee),
                      labels.get(e.submitter, e.submitter), f"+{e.approval_bps / 100:g}%/-{e.objection_bps / 100:g}%",
                      e.reference, e.evidence_hash[:18] + "…")
    print_table(table)
    if more:
        next_page("expenses", f"costs expenses {pool.id}", rows[-1].id, limit, status=status)


@costs.command("show")
@click.argument("pool_id", type=ID, required=False)
@click.option("--limit", type=COUNT, default=LIST_PAGE, show_default=True, help="Without POOL_ID: show at most this many pools.")
@click.option("--after", type=INDEX, default=0, help="Without POOL_ID: start after this pool id (the next page).")
@click.option("--participant", "--member", "participant", type=MEMBER, default=None,
              help="Without POOL_ID: only the pools this member has a seat in.")
@pass_cli
def show(cli: CliContext, pool_id: int | None, limit: int, after: int, participant: str | None) -> None:
    """Show pool POOL_ID (terms, who accepted, totals), or the pools a page at a time (--limit, --after)."""
    suite = open_suite(cli, read_only=True)
    conn, service = suite.connection, suite.costs
    if pool_id is not None and participant is not None:
        raise click.UsageError("--participant filters the list of pools: give it without POOL_ID")
    pools = ([service.pool(pool_id)] if pool_id is not None
             else list(service.pools(after=after, limit=limit + 1, participant=participant)))
    more, pools = len(pools) > limit, pools[:limit]
    labels = member_labels(conn)
    if cli.json:
        data = [{**to_json(p), "pending": list(p.pending),
                 "participants": [{**to_json(x), "label": labels.get(x.address)} for x in p.participants]}
                for p in pools]
        cli.emit(None, data[0] if pool_id is not None else data)
        return
    if not pools:
        click.echo(f"No cost pool yet on {conn.network}: create one with `coopetition costs create`")
        return
    for p in pools:
        click.echo(f"Pool #{p.id} {p.name!r} ({p.status.name.lower()}): {_terms_text(p, labels)}")
        if p.pending:
            click.echo(f"  not accepted yet: {', '.join(labels.get(a, a) for a in p.pending)}")
        click.echo(f"  booked {p.asset.format(p.total_booked)}, paid in {p.asset.format(p.total_paid_in)}")
    if pool_id is None and more:
        next_page("pools", "costs show", pools[-1].id, limit, participant=participant)


@costs.command("history")
@click.argument("pool_id", metavar="POOL", type=ID, required=False)
@history_options
@pass_cli
def history_cmd(cli: CliContext, pool_id: int | None, from_block: int, as_csv: bool) -> None:
    """List what happened in POOL (default: every pool), oldest first."""
    suite = open_suite(cli, read_only=True)
    show_history(cli, suite.connection, suite.costs.activity(pool_id, from_block=from_block), as_csv=as_csv)
