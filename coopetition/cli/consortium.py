"""``coopetition consortium ...``: members, quorum and proposals.

Every admin power goes through a proposal: ``propose add-member|remove-member|set-quorum|call``
builds the calldata, members ``approve``, and anyone ``execute``s once the quorum is met.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from ._connect import open_connection, report_tx, sending_options
from ._context import CliContext, pass_cli
from ._types import ADDRESS

if TYPE_CHECKING:
    from ..consortium import ConsortiumService, Proposal, ProposalRef


def _service(cli: CliContext, *, dry_run: bool = False, read_only: bool = False) -> ConsortiumService:
    conn = open_connection(cli, dry_run=dry_run, read_only=read_only)
    return conn.suite().consortium


def _proposal_data(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.id, "state": p.state.name, "action": p.action, "description": p.description,
        "proposer": p.proposer, "target": p.target, "value": p.value, "data": "0x" + p.data.hex(),
        "approvals": p.approvals, "quorum": p.quorum, "createdAt": p.created_at, "expiry": p.expiry,
    }


def _when(ts: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _print_tables(service: ConsortiumService, *, members: bool, proposals: bool, open_only: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if members:
        console.print(f"Consortium {service.address}: quorum {service.quorum()} of {service.member_count()}")
        table = Table()
        table.add_column("label")
        table.add_column("address")
        for m in service.members():
            table.add_row(m.label, m.address)
        console.print(table)
    if proposals:
        rows = service.proposals(open_only=open_only)
        title = "Open proposals" if open_only else "Proposals"
        if not rows:
            console.print(f"{title}: none")
            return
        table = Table(title=title)
        for col in ("id", "state", "action", "approvals", "expires", "description"):
            table.add_column(col)
        for p in rows:
            table.add_row(str(p.id), p.state.name.lower(), p.action, f"{p.approvals}/{p.quorum}",
                          _when(p.expiry), p.description)
        console.print(table)


@click.group("consortium")
def consortium() -> None:
    """Members, quorum and proposals of the consortium."""


@consortium.command("show")
@pass_cli
def show(cli: CliContext) -> None:
    """Members, quorum and open proposals."""
    service = _service(cli, read_only=True)
    if cli.json:
        cli.emit(None, {
            "address": service.address, "quorum": service.quorum(),
            "members": [{"label": m.label, "address": m.address} for m in service.members()],
            "openProposals": [_proposal_data(p) for p in service.proposals(open_only=True)],
        })
        return
    _print_tables(service, members=True, proposals=True, open_only=True)


@consortium.command("members")
@pass_cli
def members_cmd(cli: CliContext) -> None:
    """The current members and the quorum."""
    service = _service(cli, read_only=True)
    if cli.json:
        cli.emit(None, {"quorum": service.quorum(),
                        "members": [{"label": m.label, "address": m.address} for m in service.members()]})
        return
    _print_tables(service, members=True, proposals=False, open_only=False)


@consortium.command("proposals")
@click.option("--all", "show_all", is_flag=True, help="Include executed, cancelled and expired proposals.")
@pass_cli
def proposals_cmd(cli: CliContext, show_all: bool) -> None:
    """Open proposals (or all with --all)."""
    service = _service(cli, read_only=True)
    if cli.json:
        cli.emit(None, [_proposal_data(p) for p in service.proposals(open_only=not show_all)])
        return
    _print_tables(service, members=False, proposals=True, open_only=not show_all)


def _report_proposal(cli: CliContext, ref: ProposalRef, what: str) -> None:
    label = what if ref.tx.dry_run else f"proposal #{ref.id} ({what}) created, expires {_when(ref.expiry)}"
    report_tx(cli, label, ref.tx, {"proposalId": ref.id, "expiry": ref.expiry})


_expiry = click.option("--expiry", default="7d", show_default=True,
                       help="How long the proposal stays open: 90m, 36h, 7d, or an ISO date.")
_description = click.option("--description", "-m", default=None, help="Why (stored on chain).")


@consortium.group("propose")
def propose() -> None:
    """Propose a governed action (the proposer's approval is included)."""


@propose.command("add-member")
@click.argument("label")
@click.argument("address", type=ADDRESS)
@_expiry
@_description
@sending_options
@pass_cli
def propose_add(cli: CliContext, label: str, address: str, expiry: str, description: str | None,
                dry_run: bool) -> None:
    """Admit ADDRESS as a member named LABEL."""
    from ..consortium import validate_label

    validate_label(label)
    ref = _service(cli, dry_run=dry_run).propose_add_member(address, label, description=description, expiry=expiry)
    _report_proposal(cli, ref, f"admit {label}")


@propose.command("remove-member")
@click.argument("member")
@_expiry
@_description
@sending_options
@pass_cli
def propose_remove(cli: CliContext, member: str, expiry: str, description: str | None, dry_run: bool) -> None:
    """Remove MEMBER (label or address)."""
    ref = _service(cli, dry_run=dry_run).propose_remove_member(member, description=description, expiry=expiry)
    _report_proposal(cli, ref, f"remove {member}")


@propose.command("set-quorum")
@click.argument("quorum", type=click.IntRange(min=1))
@_expiry
@_description
@sending_options
@pass_cli
def propose_quorum(cli: CliContext, quorum: int, expiry: str, description: str | None, dry_run: bool) -> None:
    """Change the quorum to QUORUM approvals."""
    ref = _service(cli, dry_run=dry_run).propose_set_quorum(quorum, description=description, expiry=expiry)
    _report_proposal(cli, ref, f"set quorum to {quorum}")


@propose.command("call")
@click.argument("target", type=ADDRESS)
@click.option("--data", default="0x", show_default=True, help="Calldata as 0x-hex.")
@click.option("--value", default="0", show_default=True, help="Value sent from the consortium: '1 ether' or wei.")
@_expiry
@_description
@sending_options
@pass_cli
def propose_call(cli: CliContext, target: str, data: str, value: str, expiry: str, description: str | None,
                 dry_run: bool) -> None:
    """Any governed call: TARGET with --data (and --value from the consortium's balance)."""
    from .._units import parse_amount

    wei = parse_amount(value).value
    ref = _service(cli, dry_run=dry_run).propose(target, data, description or f"call {target}", expiry, wei)
    _report_proposal(cli, ref, f"call {target}")


def _proposal_action(name: str, verb: str) -> click.Command:
    @click.command(name)
    @click.argument("proposal_id", type=click.IntRange(min=1))
    @sending_options
    @pass_cli
    def command(cli: CliContext, proposal_id: int, dry_run: bool) -> None:
        service = _service(cli, dry_run=dry_run)
        result = getattr(service, name)(proposal_id)
        report_tx(cli, f"proposal #{proposal_id} {verb}", result, {"proposalId": proposal_id})

    command.help = f"{verb.capitalize()} proposal PROPOSAL_ID."
    return command


consortium.add_command(_proposal_action("approve", "approved"))
consortium.add_command(_proposal_action("revoke", "approval revoked"))
consortium.add_command(_proposal_action("cancel", "cancelled"))
consortium.add_command(_proposal_action("execute", "executed"))
