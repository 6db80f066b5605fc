"""``coopetition escrow ...``: joint ventures funded by partners and paid out milestone by milestone.

``create`` a venture, partners ``deposit`` their contributions, ``approve`` milestones (at the quorum
anyone may ``release`` one to the beneficiary, who ``withdraw``s, or anyone ``push``es it to the
beneficiary). The ways out: ``dissolve`` by vote (``unvote`` withdraws a vote), ``cancel-after-long-stop``
once the long-stop date passed; then each partner takes its ``refund`` (or anyone ``push``es it with
``--partner``). ``show`` (with each partner's ways out) and ``list`` read the chain. Sealed rounds
(``round ...``, :mod:`coopetition.cli.rounds`) settle the contributions first, each partner pledging
in secret.

Amounts are written in the venture's asset: ``"2.5 ether"``, ``"12000 USDC"`` (read with the token's
decimals) or whole base units; deadlines and long-stop dates as ``30d``, ``12h`` or an ISO date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ._connect import member_labels, open_suite, sending_options
from ._context import CliContext, pass_cli
from .history import history_options, show_history
from .output import Money, next_page, print_table, report, to_json, when
from .params import AMOUNT, ASSET, COUNT, DEADLINE, ID, INDEX, LIST_PAGE, MEMBER, KeyValue
from .rounds import rounds

DEFAULT_DEADLINE = "30d"
DEFAULT_LONG_STOP = "730d"
"""The library's defaults (coopetition.escrow), repeated so that --help needs no import of it."""
VENTURE_STATES = ("funding", "active", "completed", "cancelled")
"""The contract's venture states (``State``), for --state without importing the bindings."""

if TYPE_CHECKING:
    from ..escrow import Venture

PARTNER = KeyValue(MEMBER, AMOUNT, metavar="PARTNER=AMOUNT")
_VENTURE_ID = click.argument("venture_id", metavar="VENTURE", type=ID)


def _print_venture(v: Venture, labels: dict[str, str], history: list[str] | None) -> None:
    from rich.table import Table

    def who(address: str) -> str:
        return f"{labels[address]} ({address})" if address in labels else address

    fmt = v.asset.format
    native = int(v.asset.address, 16) == 0
    lines = [
        f"Venture #{v.id} {v.name!r}: {v.state.name.lower()}, funded in {v.asset.symbol}"
        + ("" if native else f" ({v.asset.address})"),
        f"  beneficiary {who(v.beneficiary)}; release quorum {v.quorum} of {len(v.partners)}; "
        f"dissolution by {v.dissolution_quorum} of {len(v.partners)} (votes standing: {v.dissolution_votes})",
        f"  funding deadline {when(v.funding_deadline)}; long-stop {when(v.long_stop)}",
        f"  total {fmt(v.total)}, deposited {fmt(v.deposited)}, released {fmt(v.released)}, "
        f"withdrawn {fmt(v.withdrawn)}, refunded {fmt(v.refunded)}, held {fmt(v.held)}",
    ]
    print_table("\n".join(lines))
    table = Table(title="Partners")
    for col in ("#", "partner", "paid / owed", "refundable", "refunded", "dissolve", "how it can get out"):
        table.add_column(col)
    for p in v.partners:
        table.add_row(str(p.index), who(p.address), f"{fmt(p.paid)} / {fmt(p.owed)}",
                      fmt(p.refundable), "yes" if p.refunded else "", "yes" if p.voted_dissolution else "",
                      "; ".join(p.exits))
    print_table(table)
    table = Table(title="Milestones")
    for col in ("#", "amount", "approvals", "state", "approved by"):
        table.add_column(col)
    for m in v.milestones:
        table.add_row(str(m.index), fmt(m.amount), f"{m.approvals}/{v.quorum}", m.state.name.lower(),
                      ", ".join(labels.get(a, a) for a in m.approvers))
    print_table(table)
    if history is not None:
        print_table("\n".join(["History:", *(f"  {line}" for line in history)]))


@click.group("escrow")
def escrow() -> None:
    """Joint ventures: partners fund, approve milestones, release to the beneficiary, or dissolve."""


escrow.add_command(rounds)


@escrow.command("create")
@click.argument("name")
@click.option("--partner", "partners", type=PARTNER, multiple=True, required=True,
              help="A partner (label or address) and what it owes, e.g. 'Acme=2 ether'; repeat. Order matters"
                   " for the remainder rule.")
@click.option("--milestone", "milestones", type=AMOUNT, multiple=True, required=True,
              help="A milestone amount, in order; repeat. They may add up to at most the total.")
@click.option("--beneficiary", type=MEMBER, required=True, help="Who the milestones pay: a member label or any address.")
@click.option("--asset", type=ASSET, default="ETH", show_default=True, help="ETH or the ERC-20's address.")
@click.option("--deadline", type=DEADLINE, default=DEFAULT_DEADLINE, show_default=True,
              help="Funding deadline: a duration from now (30d, 12h) or an ISO date; at most 365 days.")
@click.option("--long-stop", type=DEADLINE, default=DEFAULT_LONG_STOP, show_default=True,
              help="After this date any partner may cancel the active venture (refunds pro rata): a duration"
                   " from now or an ISO date, after the deadline, at most 5 years (1825d).")
@click.option("--quorum", type=COUNT, default=None,
              help="Partner approvals to release a milestone (default: a majority).")
@click.option("--dissolution-quorum", type=COUNT, default=None,
              help="Partner votes to dissolve (default and maximum: partners - quorum + 1).")
@sending_options
@pass_cli
def create_cmd(cli: CliContext, name: str, partners: tuple[tuple[str, str], ...], milestones: tuple[str, ...],
               beneficiary: str, asset: str, deadline: str, long_stop: str, quorum: int | None,
               dissolution_quorum: int | None, dry_run: bool) -> None:
    """Create venture NAME.

    No venture made with the defaults can deadlock: whoever can block a release can dissolve
    (dissolution needs partners - quorum + 1 votes, so in a 2-of-2 either partner alone), and after
    the long-stop date any partner may cancel; either way every partner refunds pro rata.

    \b
    Example:
      coopetition escrow create "Battery JV" --partner 'Acme=2 ether' --partner 'Globex=1 ether' \\
          --milestone '1 ether' --milestone '1.5 ether' --beneficiary 0x90F7...b906 --deadline 30d
    """
    service = open_suite(cli, dry_run=dry_run).escrow
    terms = service.terms(name, partners=list(partners), milestones=list(milestones), beneficiary=beneficiary,
                          asset=asset, deadline=deadline, long_stop=long_stop, quorum=quorum,
                          dissolution_quorum=dissolution_quorum)
    ref = service.create(terms)
    n = len(terms.partners)
    exits = (f"release by {terms.quorum} of {n}, dissolution by {terms.dissolution_quorum} of {n}, "
             f"long-stop {when(terms.long_stop)}")
    what = f"create venture ({exits})" if ref.tx.dry_run else f"venture #{ref.id} {name!r} created ({exits})"
    report(cli, what, ref.tx, {"ventureId": ref.id, "fundingDeadline": terms.funding_deadline,
                               "longStop": terms.long_stop, "quorum": terms.quorum,
                               "dissolutionQuorum": terms.dissolution_quorum})


@escrow.command("deposit")
@_VENTURE_ID
@click.argument("amount", type=AMOUNT)
@click.option("--no-approve", is_flag=True, help="Do not approve the escrow for an ERC-20 first.")
@sending_options
@pass_cli
def deposit_cmd(cli: CliContext, venture_id: int, amount: str, no_approve: bool, dry_run: bool) -> None:
    """Pay AMOUNT towards your contribution to VENTURE (ERC-20: approves the escrow first if needed)."""
    service = open_suite(cli, dry_run=dry_run).escrow
    tx = service.deposit(venture_id, amount, approve=not no_approve)
    report(cli, f"deposit {amount} into venture #{venture_id}", tx, {"ventureId": venture_id})


@escrow.command("approve")
@_VENTURE_ID
@click.argument("milestone", type=INDEX)
@click.option("--release", is_flag=True, help="Also release it if this approval reaches the quorum.")
@sending_options
@pass_cli
def approve_cmd(cli: CliContext, venture_id: int, milestone: int, release: bool, dry_run: bool) -> None:
    """Approve MILESTONE (from 0) of VENTURE as a partner."""
    tx = open_suite(cli, dry_run=dry_run).escrow.approve_milestone(venture_id, milestone, release=release)
    report(cli, f"approve milestone {milestone} of venture #{venture_id}", tx,
           {"ventureId": venture_id, "milestone": milestone})


@escrow.command("release")
@_VENTURE_ID
@click.argument("milestone", type=INDEX)
@sending_options
@pass_cli
def release_cmd(cli: CliContext, venture_id: int, milestone: int, dry_run: bool) -> None:
    """Release MILESTONE of VENTURE (quorum reached) to the beneficiary, who then withdraws."""
    tx = open_suite(cli, dry_run=dry_run).escrow.release_milestone(venture_id, milestone)
    report(cli, f"release milestone {milestone} of venture #{venture_id}", tx,
           {"ventureId": venture_id, "milestone": milestone})


@escrow.command("withdraw")
@_VENTURE_ID
@click.option("--to", type=MEMBER, default=None, help="Pay to this member or address (default: your account).")
@sending_options
@pass_cli
def withdraw_cmd(cli: CliContext, venture_id: int, to: str | None, dry_run: bool) -> None:
    """As the beneficiary, withdraw everything released from VENTURE."""
    service = open_suite(cli, dry_run=dry_run).escrow
    venture = service.venture(venture_id)
    tx = service.withdraw(venture_id, to)
    amount = Money(venture.withdrawable, venture.asset)
    report(cli, f"withdraw {venture.asset.format(amount.value)} from venture #{venture_id}", tx,
           {"ventureId": venture_id, "amount": amount})


@escrow.command("dissolve")
@_VENTURE_ID
@sending_options
@pass_cli
def dissolve_cmd(cli: CliContext, venture_id: int, dry_run: bool) -> None:
    """Vote, as a partner, to dissolve VENTURE; at the dissolution quorum it is cancelled and partners refund."""
    service = open_suite(cli, dry_run=dry_run).escrow
    tx = service.vote_dissolution(venture_id)
    needed, standing = service.dissolution_votes(venture_id)
    state = service.venture(venture_id).state
    outcome = "cancelled" if state.name == "CANCELLED" else f"{standing} of {needed} votes"
    report(cli, f"vote to dissolve venture #{venture_id} ({outcome})", tx,
           {"ventureId": venture_id, "votes": standing, "needed": needed, "state": state})


@escrow.command("unvote")
@_VENTURE_ID
@sending_options
@pass_cli
def unvote_cmd(cli: CliContext, venture_id: int, dry_run: bool) -> None:
    """Withdraw your standing vote to dissolve VENTURE."""
    service = open_suite(cli, dry_run=dry_run).escrow
    tx = service.withdraw_vote(venture_id)
    needed, standing = service.dissolution_votes(venture_id)
    report(cli, f"dissolution vote on venture #{venture_id} withdrawn ({standing} of {needed} votes)", tx,
           {"ventureId": venture_id, "votes": standing, "needed": needed})


@escrow.command("cancel-after-long-stop")
@_VENTURE_ID
@sending_options
@pass_cli
def cancel_after_long_stop_cmd(cli: CliContext, venture_id: int, dry_run: bool) -> None:
    """As a partner, cancel active VENTURE once its long-stop date passed; partners then refund pro rata."""
    tx = open_suite(cli, dry_run=dry_run).escrow.cancel_after_long_stop(venture_id)
    report(cli, f"venture #{venture_id} cancelled after its long-stop", tx, {"ventureId": venture_id})


@escrow.command("push")
@_VENTURE_ID
@click.option("--partner", type=MEMBER, default=None,
              help="Push this partner's refund to it (default: push the beneficiary's released money).")
@sending_options
@pass_cli
def push_cmd(cli: CliContext, venture_id: int, partner: str | None, dry_run: bool) -> None:
    """Pay what VENTURE owes to its recorded owner: the beneficiary's released money, or with
    --partner a partner's refund. Anyone may push."""
    suite = open_suite(cli, dry_run=dry_run)
    service = suite.escrow
    venture = service.venture(venture_id)
    if partner is None:
        amount, to = venture.withdrawable, venture.beneficiary
        tx = service.push_withdrawal(venture_id)
    else:
        tx = service.push_refund(venture_id, partner)
        by_label = {label: address for address, label in member_labels(suite.connection).items()}
        to = by_label.get(partner, partner)
        amount = next((p.refundable for p in venture.partners if p.address.lower() == to.lower()), 0)
    report(cli, f"push {venture.asset.format(amount)} from venture #{venture_id} to {to}", tx,
           {"ventureId": venture_id, "amount": Money(amount, venture.asset), "to": to})


@escrow.command("refund")
@_VENTURE_ID
@click.option("--to", type=MEMBER, default=None, help="Pay to this member or address (default: your account).")
@sending_options
@pass_cli
def refund_cmd(cli: CliContext, venture_id: int, to: str | None, dry_run: bool) -> None:
    """Take your refund from a cancelled (or completed) VENTURE."""
    service = open_suite(cli, dry_run=dry_run).escrow
    me = service.sender_address or ""
    venture = service.venture(venture_id)
    amount = Money(next((p.refundable for p in venture.partners if p.address == me), 0), venture.asset)
    tx = service.refund(venture_id, to)
    report(cli, f"refund of {venture.asset.format(amount.value)} from venture #{venture_id}", tx,
           {"ventureId": venture_id, "amount": amount})


@escrow.command("show")
@_VENTURE_ID
@click.option("--history", is_flag=True, help="Also list the venture's events, oldest first.")
@pass_cli
def show_cmd(cli: CliContext, venture_id: int, history: bool) -> None:
    """Show the partners (paid / owed), milestones and approvals of VENTURE."""
    from ..escrow import describe_event

    suite = open_suite(cli, read_only=True)

    conn, service = suite.connection, suite.escrow
    v = service.venture(venture_id)
    events = service.history(venture_id) if history else None
    if cli.json:
        data = to_json(v)
        if events is not None:
            data["history"] = [{"event": type(e).__name__.removesuffix("Event"), "blockNumber": e.block_number,
                                "transactionHash": e.transaction_hash, "text": describe_event(e, v.asset)}
                               for e in events]
        cli.emit(None, data)
        return
    _print_venture(v, member_labels(conn), None if events is None else [describe_event(e, v.asset) for e in events])


@escrow.command("list")
@click.option("--state", type=click.Choice(VENTURE_STATES), default=None, help="Only ventures in this state.")
@click.option("--partner", type=MEMBER, default=None, help="Only ventures with this partner.")
@click.option("--limit", type=COUNT, default=LIST_PAGE, show_default=True, help="Show at most this many ventures.")
@click.option("--after", type=INDEX, default=0, help="Start after this venture id (the next page).")
@pass_cli
def list_cmd(cli: CliContext, state: str | None, partner: str | None, limit: int, after: int) -> None:
    """List the ventures, oldest first, one line each (a page at a time: --limit, --after)."""
    from ..bindings.joint_venture_escrow import State

    service = open_suite(cli, read_only=True).escrow
    ventures = service.ventures(after=after, limit=limit + 1, state=None if state is None else State[state.upper()],
                                partner=partner)
    more, ventures = len(ventures) > limit, ventures[:limit]
    if cli.json:
        cli.emit(None, ventures)
        return
    if not ventures:
        filtered = state is not None or partner is not None
        click.echo("No ventures yet: create one with `coopetition escrow create`." if after == 0 and not filtered
                   else f"No venture{' that matches' if filtered else ''} after #{after}.")
        return
    from rich.table import Table

    table = Table(title=f"Ventures in {service.address}")
    for col in ("id", "name", "state", "asset", "deposited / total", "released", "partners", "milestones"):
        table.add_column(col)
    for v in ventures:
        released = sum(1 for m in v.milestones if m.state.name == "RELEASED")
        table.add_row(str(v.id), v.name, v.state.name.lower(), v.asset.symbol,
                      f"{v.asset.format(v.deposited)} / {v.asset.format(v.total)}", v.asset.format(v.released),
                      str(len(v.partners)), f"{released}/{len(v.milestones)} released")
    print_table(table)
    if more:
        next_page("ventures", "escrow list", ventures[-1].id, limit, state=state, partner=partner)


@escrow.command("history")
@click.argument("venture_id", metavar="VENTURE", type=ID, required=False)
@history_options
@pass_cli
def history_cmd(cli: CliContext, venture_id: int | None, from_block: int, as_csv: bool) -> None:
    """List what happened in VENTURE (default: every venture), oldest first."""
    suite = open_suite(cli, read_only=True)
    show_history(cli, suite.connection, suite.escrow.activity(venture_id, from_block=from_block), as_csv=as_csv)
