"""``coopetition costs ...``: shared R&D cost pools.

``create`` a pool of members with shares, ``submit`` expenses with the hash of their evidence (the
document stays on this machine), ``approve`` (or ``reject``) them until the quorum books them, then
settle by netting: debtors ``pay`` in, creditors ``claim``. ``balances`` shows each participant's
owed, paid and net position. Members may be named by label or address; amounts take human units of
the pool's asset (``"1.5 ether"``, ``"12000 USDC"``) or whole base units.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ._connect import id_command, member_labels, open_suite, sending_options, service_action
from ._context import CliContext, pass_cli
from .output import Money, print_table, report, to_json
from .params import AMOUNT, ASSET, COUNT, HASH32, ID, MEMBER, SHARE, KeyValue

if TYPE_CHECKING:
    pass

PARTICIPANT = KeyValue(MEMBER, SHARE, metavar="MEMBER=SHARE")


@click.group("costs")
def costs() -> None:
    """Shared R&D cost pools: expenses, approvals, settlement by netting."""


@costs.command("create")
@click.argument("name")
@click.option("--participant", "-p", "participants", type=PARTICIPANT, multiple=True, required=True,
              help="MEMBER=SHARE, e.g. Acme=50% (repeat; order fixes who takes rounding wei).")
@click.option("--quorum", "-q", type=COUNT, required=True, help="Approvals that book an expense.")
@click.option("--asset", type=ASSET, default="ETH", show_default=True, help="ETH or the ERC-20's address.")
@sending_options
@pass_cli
def create(cli: CliContext, name: str, participants: tuple[tuple[str, int], ...], quorum: int,
           asset: str, dry_run: bool) -> None:
    """Create a cost pool NAME whose participants' shares sum to 100%."""
    service = open_suite(cli, dry_run=dry_run).costs
    ref = service.create_pool(name, list(participants), quorum=quorum, asset=asset)
    what = "create pool" if ref.tx.dry_run else f"pool #{ref.id} {name!r} created"
    report(cli, what, ref.tx, {"poolId": ref.id})


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
        report(cli, what, tx, {"expenseId": expense_id, "status": status})

    return id_command(costs, name, doc, "expense_id", run)


approve = _vote("approve", "approved", "Approve expense EXPENSE_ID (the approval reaching the quorum books it).")
reject = _vote("reject", "rejected", "Vote against expense EXPENSE_ID.")


withdraw_expense = service_action(costs, "costs", "withdraw_expense", name="withdraw-expense", noun="expense",
                                  verb="withdrawn", doc="Withdraw your pending expense EXPENSE_ID.")


@costs.command("pay")
@click.argument("pool_id", type=ID)
@click.argument("amount", type=AMOUNT, required=False)
@sending_options
@pass_cli
def pay(cli: CliContext, pool_id: int, amount: str | None, dry_run: bool) -> None:
    """Pay AMOUNT (default: all) of your net debt into pool POOL_ID."""
    service = open_suite(cli, dry_run=dry_run).costs
    asset = service.pool(pool_id).asset
    tx = service.pay(pool_id, amount)
    paid = sum(int(e.args["amount"]) for e in tx.events if e.name == "PaidIn")
    report(cli, "pay" if tx.dry_run else f"paid {asset.format(paid)} into pool #{pool_id}", tx,
           {"amount": Money(paid, asset)})


@costs.command("claim")
@click.argument("pool_id", type=ID)
@click.argument("amount", type=AMOUNT, required=False)
@click.option("--to", type=MEMBER, default=None, help="Recipient: a member label or any address (default: your account).")
@sending_options
@pass_cli
def claim(cli: CliContext, pool_id: int, amount: str | None, to: str | None, dry_run: bool) -> None:
    """Withdraw AMOUNT (default: all claimable now) of your net credit in pool POOL_ID."""
    service = open_suite(cli, dry_run=dry_run).costs
    asset = service.pool(pool_id).asset
    tx = service.claim(pool_id, amount, to=to)
    got = sum(int(e.args["amount"]) for e in tx.events if e.name == "Claimed")
    report(cli, "claim" if tx.dry_run else f"claimed {asset.format(got)} from pool #{pool_id}", tx,
           {"amount": Money(got, asset)})


@costs.command("balances")
@click.argument("pool_id", type=ID)
@pass_cli
def balances(cli: CliContext, pool_id: int) -> None:
    """Each participant's (and external payee's) owed, paid and net position in POOL_ID."""
    suite = open_suite(cli, read_only=True)
    conn, service = suite.connection, suite.costs
    pool = service.pool(pool_id)
    rows = service.balances(pool_id)
    labels = member_labels(conn)
    if cli.json:
        cli.emit(None, {"poolId": pool.id, "asset": pool.asset, "held": Money(pool.held, pool.asset),
                        "positions": [{**to_json(p, asset=pool.asset), "label": labels.get(p.account)} for p in rows]})
        return
    from rich.table import Table

    fmt = pool.asset.format
    table = Table(title=f"Pool #{pool.id} {pool.name}: booked {fmt(pool.total_booked)}, held {fmt(pool.held)}")
    for col in ("participant", "share", "owed", "paid to suppliers", "paid in", "withdrawn", "net"):
        table.add_column(col, justify="left" if col == "participant" else "right")
    for p in rows:
        net = "settled" if p.net == 0 else (f"owes {fmt(p.debt)}" if p.debt else f"is owed {fmt(p.credit)}")
        share = f"{p.share_bps / 100:g}%" if p.share_bps else "-"
        table.add_row(labels.get(p.account, p.account), share, fmt(p.owed), fmt(p.credited), fmt(p.paid_in),
                      fmt(p.withdrawn), net)
    print_table(table)


@costs.command("expenses")
@click.argument("pool_id", type=ID)
@click.option("--status", type=click.Choice(["pending", "booked", "rejected", "withdrawn"]), default=None,
              help="Only expenses in this state.")
@pass_cli
def expenses(cli: CliContext, pool_id: int, status: str | None) -> None:
    """The expenses of POOL_ID."""
    from ..costs import ExpenseStatus

    suite = open_suite(cli, read_only=True)

    conn, service = suite.connection, suite.costs
    pool = service.pool(pool_id)
    wanted = ExpenseStatus[status.upper()] if status else None
    rows = service.expenses(pool_id, status=wanted)
    if cli.json:
        cli.emit(None, to_json(rows, asset=pool.asset))
        return
    if not rows:
        click.echo(f"Pool #{pool.id}: no expenses" + (f" {status}" if status else ""))
        return
    from rich.table import Table

    labels = member_labels(conn)
    table = Table(title=f"Expenses of pool #{pool.id} {pool.name}")
    for col in ("id", "status", "amount", "payee", "submitter", "votes", "reference", "evidence"):
        table.add_column(col)
    for e in rows:
        table.add_row(str(e.id), e.status.name.lower(), pool.asset.format(e.amount), labels.get(e.payee, e.payee),
                      labels.get(e.submitter, e.submitter), f"+{e.approvals}/-{e.rejections} (quorum {pool.quorum})",
                      e.reference, e.evidence_hash[:18] + "…")
    print_table(table)


@costs.command("show")
@click.argument("pool_id", type=ID, required=False)
@pass_cli
def show(cli: CliContext, pool_id: int | None) -> None:
    """Pool POOL_ID (participants, shares, totals), or every pool."""
    suite = open_suite(cli, read_only=True)
    conn, service = suite.connection, suite.costs
    pools = [service.pool(pool_id)] if pool_id is not None else list(service.pools())
    labels = member_labels(conn)
    if cli.json:
        data = [{**to_json(p), "participants": [{**to_json(x), "label": labels.get(x.address)} for x in p.participants]}
                for p in pools]
        cli.emit(None, data[0] if pool_id is not None else data)
        return
    if not pools:
        click.echo(f"No cost pool yet on {conn.network}: create one with `coopetition costs create`")
        return
    for p in pools:
        fmt = p.asset.format
        parts = ", ".join(f"{labels.get(x.address, x.address)} {x.share_bps / 100:g}%" for x in p.participants)
        click.echo(f"Pool #{p.id} {p.name!r} in {p.asset.symbol}: {parts}; quorum {p.quorum}")
        click.echo(f"  booked {fmt(p.total_booked)}, paid in {fmt(p.total_paid_in)},"
                   f" withdrawn {fmt(p.total_withdrawn)}, held {fmt(p.held)}")
