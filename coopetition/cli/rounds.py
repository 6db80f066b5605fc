"""``coopetition escrow round ...``: sealed rounds, where partners pledge without showing their hand.

A member ``open``s a round (budget, bond, invited partners, milestones, deadlines); each partner
``commit``s its pledge sealed (the salt goes to a private file of the project, mode 0600, never
printed); after the commit deadline each ``reveal``s (the salt is read back); after the reveal
deadline anyone ``settle``s it into a venture (or it fails) and partners take their bonds back
(``withdraw-bond``, or anyone ``push-bond``s them). ``show`` and ``list`` read what is on chain:
during the commit phase who committed and their hashes only, pledges once revealed, allocations
once settled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ._connect import member_labels, open_connection, open_suite, sending_options
from ._context import CliContext, pass_cli
from .output import Money, print_table, report, to_json, when
from .params import AMOUNT, ASSET, COUNT, DEADLINE, ID, INDEX, LIST_PAGE, MEMBER, ListOf

if TYPE_CHECKING:
    from ..rounds import RoundsService, SealedRound

DEFAULT_COMMIT_BY = "2d"
DEFAULT_REVEAL_BY = "4d"
DEFAULT_FUNDING_BY = "30d"
DEFAULT_LONG_STOP = "730d"
"""The library's defaults (coopetition.rounds, coopetition.escrow), repeated so --help needs no import."""

_ROUND_ID = click.argument("round_id", metavar="ROUND", type=ID)


def _rounds(cli: CliContext, *, dry_run: bool = False, read_only: bool = False) -> RoundsService:
    """The escrow's rounds, keeping salts in the project's private state."""
    conn = open_connection(cli, dry_run=dry_run, read_only=read_only)
    return conn.suite().rounds.with_salts(conn.salt_store())


def _print_round(r: SealedRound, labels: dict[str, str]) -> None:
    from rich.table import Table

    from ..rounds import RoundPhase

    def who(address: str) -> str:
        return f"{labels[address]} ({address})" if address in labels else address

    fmt = r.asset.format
    phases = {
        RoundPhase.COMMIT: f"commit phase until {when(r.commit_deadline)}: pledges are sealed",
        RoundPhase.REVEAL: f"reveal phase until {when(r.reveal_deadline)}",
        RoundPhase.SETTLING: f"reveal phase over since {when(r.reveal_deadline)}: anyone may settle",
        RoundPhase.SETTLED: f"settled into venture #{r.venture_id}",
        RoundPhase.FAILED: "failed, no venture: the pledges kept fell short of the budget (or its funding deadline "
                           "had passed)",
    }
    lines = [
        f"Round #{r.id} {r.name!r}: {phases[r.phase]}",
        f"  budget {fmt(r.budget)}, bond {fmt(r.bond)} per partner, in {r.asset.symbol}; opened by {who(r.opener)}",
        f"  commits until {when(r.commit_deadline)}; reveals until {when(r.reveal_deadline)}; "
        f"venture funding deadline {when(r.funding_deadline)}, long-stop {when(r.long_stop)}",
        f"  beneficiary {who(r.beneficiary)}; milestones {', '.join(fmt(m.amount) for m in r.milestones)}; quorum {r.quorum}",
        f"  committed {r.committed} of {len(r.partners)}, revealed {r.revealed}"
        + ("" if r.revealed_total is None else f" (revealed total {fmt(r.revealed_total)})"),
    ]
    print_table("\n".join(lines))
    table = Table(title="Partners")
    for col in ("#", "partner", "committed", "commitment", "revealed", "pledge", "allocation", "bond due"):
        table.add_column(col)
    for p in r.partners:
        table.add_row(str(p.index), who(p.address), "yes" if p.committed else "", p.commitment or "",
                      "yes" if p.revealed else "", "" if p.pledge is None else fmt(p.pledge),
                      "" if p.allocation is None else fmt(p.allocation),
                      "taken" if p.bond_withdrawn else fmt(p.bond_refundable) if p.bond_refundable else "")
    print_table(table)


@click.group("round")
def rounds() -> None:
    """Sealed rounds: partners commit pledges in secret, reveal, and settle into a venture."""


@rounds.command("open")
@click.argument("name")
@click.option("--budget", type=AMOUNT, required=True, help="What the venture needs in all, e.g. '3 ether'.")
@click.option("--partner", "partners", type=ListOf(MEMBER), multiple=True, required=True,
              help="Invited partners (labels or addresses): repeat, or a comma list 'Acme,Globex'. Order is the"
                   " split order.")
@click.option("--beneficiary", type=MEMBER, required=True, help="Who the venture's milestones pay.")
@click.option("--asset", type=ASSET, default="ETH", show_default=True, help="ETH or the ERC-20's address.")
@click.option("--bond", type=AMOUNT, default="0", show_default=True,
              help="Refundable bond each committing partner pays (a non-revealer's goes to the revealers).")
@click.option("--milestone", "milestones", type=AMOUNT, multiple=True,
              help="A milestone of the venture, in order; repeat (default: one of the whole budget).")
@click.option("--commit-by", type=DEADLINE, default=DEFAULT_COMMIT_BY, show_default=True,
              help="Commit deadline (inclusive): a duration from now or an ISO date.")
@click.option("--reveal-by", type=DEADLINE, default=DEFAULT_REVEAL_BY, show_default=True,
              help="Reveal deadline (inclusive), after the commit deadline: a duration from now or an ISO date.")
@click.option("--funding-by", type=DEADLINE, default=DEFAULT_FUNDING_BY, show_default=True,
              help="The venture's funding deadline, after the reveal deadline (at most 365 days from now).")
@click.option("--long-stop", type=DEADLINE, default=DEFAULT_LONG_STOP, show_default=True,
              help="The venture's long-stop date, after its funding deadline (at most 1825 days from now).")
@click.option("--quorum", type=COUNT, default=None,
              help="The venture's release quorum, capped to the partners kept (default: a majority).")
@sending_options
@pass_cli
def open_cmd(cli: CliContext, name: str, budget: str, partners: tuple[tuple[str, ...], ...], beneficiary: str,
             asset: str, bond: str, milestones: tuple[str, ...], commit_by: str, reveal_by: str, funding_by: str,
             long_stop: str, quorum: int | None, dry_run: bool) -> None:
    """Open sealed round NAME (the venture's name) as a member.

    \b
    Example:
      coopetition escrow round open "Battery JV" --budget '3 ether' --bond '0.1 ether' \\
          --partner Acme,Globex,Initech --beneficiary 0x90F7...b906 --commit-by 2d --reveal-by 4d
    """
    service = _rounds(cli, dry_run=dry_run)
    terms = service.terms(name, budget=budget, partners=[p for group in partners for p in group],
                          beneficiary=beneficiary, milestones=list(milestones), asset=asset, bond=bond,
                          commit_by=commit_by, reveal_by=reveal_by, funding_by=funding_by, long_stop=long_stop,
                          quorum=quorum)
    ref = service.open(terms)
    dates = f"commits until {when(terms.commit_deadline)}, reveals until {when(terms.reveal_deadline)}"
    what = f"open round ({dates})" if ref.tx.dry_run else f"round #{ref.id} {name!r} opened ({dates})"
    report(cli, what, ref.tx, {"roundId": ref.id, "commitDeadline": terms.commit_deadline,
                               "revealDeadline": terms.reveal_deadline, "partners": list(terms.partners)})


@rounds.command("commit")
@_ROUND_ID
@click.argument("amount", type=AMOUNT)
@sending_options
@pass_cli
def commit_cmd(cli: CliContext, round_id: int, amount: str, dry_run: bool) -> None:
    """Commit your sealed pledge of AMOUNT to ROUND (and pay its bond).

    The salt is written to a private file (mode 0600) before anything is sent, and its path is
    printed; the salt itself is never printed, not even with --json. Keep the file until you reveal."""
    service = _rounds(cli, dry_run=dry_run)
    done = service.commit_pledge(round_id, amount)
    where = "" if done.salt_file is None else f"; salt {'reused from' if done.reused else 'kept in'} {done.salt_file}"
    what = f"commit a sealed pledge to round #{round_id}{where}" if done.tx.dry_run else (
        f"sealed pledge committed to round #{round_id} (hash {done.commitment}){where}")
    report(cli, what, done.tx, {"roundId": round_id, "commitment": done.commitment,
                                "saltFile": None if done.salt_file is None else str(done.salt_file),
                                "saltReused": done.reused})


@rounds.command("reveal")
@_ROUND_ID
@sending_options
@pass_cli
def reveal_cmd(cli: CliContext, round_id: int, dry_run: bool) -> None:
    """Reveal your pledge to ROUND (read back from its salt file)."""
    service = _rounds(cli, dry_run=dry_run)
    done = service.reveal_pledge(round_id)
    asset = service.round(round_id).asset
    report(cli, f"pledge of {asset.format(done.pledge)} revealed in round #{round_id}", done.tx,
           {"roundId": round_id, "pledge": Money(done.pledge, asset)})


@rounds.command("settle")
@_ROUND_ID
@sending_options
@pass_cli
def settle_cmd(cli: CliContext, round_id: int, dry_run: bool) -> None:
    """Settle ROUND after its reveal deadline (anyone): a venture, or a failed round."""
    service = _rounds(cli, dry_run=dry_run)
    tx = service.settle_round(round_id)
    if tx.dry_run:
        report(cli, f"settle round #{round_id}", tx, {"roundId": round_id})
        return
    r = service.round(round_id)
    outcome = f"into venture #{r.venture_id}" if r.venture_id else "without a venture (the pledges kept fell short)"
    allocations = [{"partner": p.address, "amount": Money(p.allocation, r.asset)} for p in r.partners if p.allocation]
    report(cli, f"round #{round_id} settled {outcome}", tx,
           {"roundId": round_id, "ventureId": r.venture_id, "state": r.phase, "allocations": allocations})


@rounds.command("withdraw-bond")
@_ROUND_ID
@click.option("--to", type=MEMBER, default=None, help="Pay to this member or address (default: your account).")
@sending_options
@pass_cli
def withdraw_bond_cmd(cli: CliContext, round_id: int, to: str | None, dry_run: bool) -> None:
    """Take your bond back from ROUND (after its reveal deadline), with any forfeited share."""
    service = _rounds(cli, dry_run=dry_run)
    r = service.round(round_id)
    due = r.partner(service.sender_address).bond_refundable
    tx = service.withdraw_bond(round_id, to)
    report(cli, f"bond of {r.asset.format(due)} withdrawn from round #{round_id}", tx,
           {"roundId": round_id, "amount": Money(due, r.asset)})


@rounds.command("push-bond")
@_ROUND_ID
@click.argument("partner", type=MEMBER)
@sending_options
@pass_cli
def push_bond_cmd(cli: CliContext, round_id: int, partner: str, dry_run: bool) -> None:
    """Pay PARTNER's bond due from ROUND to PARTNER itself (anyone may)."""
    service = _rounds(cli, dry_run=dry_run)
    tx = service.push_bond(round_id, partner)
    report(cli, f"bond of {partner} pushed from round #{round_id}", tx, {"roundId": round_id})


@rounds.command("show")
@_ROUND_ID
@pass_cli
def show_cmd(cli: CliContext, round_id: int) -> None:
    """Show ROUND: its phase and dates, who committed and revealed, pledges once revealed,
    allocations and the venture once settled."""
    suite = open_suite(cli, read_only=True)
    r = suite.rounds.round(round_id)
    if cli.json:
        cli.emit(None, to_json(r))
        return
    _print_round(r, member_labels(suite.connection))


@rounds.command("list")
@click.option("--limit", type=COUNT, default=LIST_PAGE, show_default=True, help="Show at most this many rounds.")
@click.option("--after", type=INDEX, default=0, help="Start after this round id (the next page).")
@pass_cli
def list_cmd(cli: CliContext, limit: int, after: int) -> None:
    """List the rounds, oldest first, one line each."""
    service = open_suite(cli, read_only=True).rounds
    found = service.rounds(after=after, limit=limit)
    if cli.json:
        cli.emit(None, found)
        return
    if not found:
        click.echo("No rounds yet: open one with `coopetition escrow round open`." if after == 0
                   else f"No round after #{after}.")
        return
    from rich.table import Table

    table = Table(title=f"Sealed rounds in {service.address}")
    for col in ("id", "name", "phase", "budget", "committed", "revealed", "venture"):
        table.add_column(col)
    for r in found:
        table.add_row(str(r.id), r.name, r.phase.value, r.asset.format(r.budget), f"{r.committed}/{len(r.partners)}",
                      str(r.revealed), "" if r.venture_id is None else f"#{r.venture_id}")
    print_table(table)
    if len(found) == limit and service.round_count() > found[-1].id:
        click.echo(f"More rounds: `coopetition escrow round list --after {found[-1].id}`.")
