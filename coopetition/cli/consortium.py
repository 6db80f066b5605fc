"""``coopetition consortium ...``: members, quorum and proposals.

Every admin power goes through a proposal: ``propose add-member|remove-member|set-quorum|call``
builds the calldata, members ``approve``, and anyone ``execute``s once the quorum is met.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ._connect import open_suite, proposal_options, sending_options, service_action
from ._context import CliContext, pass_cli
from .output import print_table, report_proposal, when
from .params import ADDRESS, AMOUNT, COUNT, HEXDATA, LABEL, MEMBER

if TYPE_CHECKING:
    from ..consortium import ConsortiumService


def _print_tables(service: ConsortiumService, *, members: bool, proposals: bool, open_only: bool) -> None:
    from rich.table import Table

    if members:
        print_table(f"Consortium {service.address}: quorum {service.quorum()} of {service.member_count()}")
        table = Table()
        table.add_column("label")
        table.add_column("address")
        for m in service.members():
            table.add_row(m.label, m.address)
        print_table(table)
    if proposals:
        rows = service.proposals(open_only=open_only)
        title = "Open proposals" if open_only else "Proposals"
        if not rows:
            print_table(f"{title}: none")
            return
        table = Table(title=title)
        for col in ("id", "state", "action", "approvals", "expires", "description"):
            table.add_column(col)
        for p in rows:
            table.add_row(str(p.id), p.state.name.lower(), p.action, f"{p.approvals}/{p.quorum}",
                          when(p.expiry), p.description)
        print_table(table)


@click.group("consortium")
def consortium() -> None:
    """Members, quorum and proposals of the consortium."""


@consortium.command("show")
@pass_cli
def show(cli: CliContext) -> None:
    """Members, quorum and open proposals."""
    service = open_suite(cli, read_only=True).consortium
    if cli.json:
        cli.emit(None, {"address": service.address, "quorum": service.quorum(), "members": service.members(),
                        "openProposals": service.proposals(open_only=True)})
        return
    _print_tables(service, members=True, proposals=True, open_only=True)


@consortium.command("members")
@pass_cli
def members_cmd(cli: CliContext) -> None:
    """The current members and the quorum."""
    service = open_suite(cli, read_only=True).consortium
    if cli.json:
        cli.emit(None, {"quorum": service.quorum(), "members": service.members()})
        return
    _print_tables(service, members=True, proposals=False, open_only=False)


@consortium.command("proposals")
@click.option("--all", "show_all", is_flag=True, help="Include executed, cancelled and expired proposals.")
@pass_cli
def proposals_cmd(cli: CliContext, show_all: bool) -> None:
    """Open proposals (or all with --all)."""
    service = open_suite(cli, read_only=True).consortium
    if cli.json:
        cli.emit(None, service.proposals(open_only=not show_all))
        return
    _print_tables(service, members=False, proposals=True, open_only=not show_all)


@consortium.group("propose")
def propose() -> None:
    """Propose a governed action (the proposer's approval is included)."""


@propose.command("add-member")
@click.argument("label", type=LABEL)
@click.argument("address", type=ADDRESS)
@proposal_options
@sending_options
@pass_cli
def propose_add(cli: CliContext, label: str, address: str, expiry: str, description: str | None,
                dry_run: bool) -> None:
    """Admit ADDRESS as a member named LABEL."""
    ref = open_suite(cli, dry_run=dry_run).consortium.propose_add_member(address, label, description=description, expiry=expiry)
    report_proposal(cli, f"admit {label}", ref)


@propose.command("remove-member")
@click.argument("member", type=MEMBER)
@proposal_options
@sending_options
@pass_cli
def propose_remove(cli: CliContext, member: str, expiry: str, description: str | None, dry_run: bool) -> None:
    """Remove MEMBER (label or address)."""
    ref = open_suite(cli, dry_run=dry_run).consortium.propose_remove_member(member, description=description, expiry=expiry)
    report_proposal(cli, f"remove {member}", ref)


@propose.command("set-quorum")
@click.argument("quorum", type=COUNT)
@proposal_options
@sending_options
@pass_cli
def propose_quorum(cli: CliContext, quorum: int, expiry: str, description: str | None, dry_run: bool) -> None:
    """Change the quorum to QUORUM approvals."""
    ref = open_suite(cli, dry_run=dry_run).consortium.propose_set_quorum(quorum, description=description, expiry=expiry)
    report_proposal(cli, f"set quorum to {quorum}", ref)


@propose.command("call")
@click.argument("target", type=ADDRESS)
@click.option("--data", type=HEXDATA, default="0x", show_default=True, help="Calldata as 0x-hex.")
@click.option("--value", type=AMOUNT, default="0", show_default=True,
              help="Value sent from the consortium: '1 ether' or wei.")
@proposal_options
@sending_options
@pass_cli
def propose_call(cli: CliContext, target: str, data: str, value: str, expiry: str, description: str | None,
                 dry_run: bool) -> None:
    """Any governed call: TARGET with --data (and --value from the consortium's balance)."""
    from .._units import parse_amount

    wei = parse_amount(value).value
    ref = open_suite(cli, dry_run=dry_run).consortium.propose(target, data, description or f"call {target}", expiry, wei)
    report_proposal(cli, f"call {target}", ref)


approve = service_action(consortium, "consortium", "approve", noun="proposal", verb="approved",
                         doc="Approve proposal PROPOSAL_ID.")
revoke = service_action(consortium, "consortium", "revoke", noun="proposal", verb="approval revoked",
                        doc="Revoke your approval of proposal PROPOSAL_ID.")
cancel = service_action(consortium, "consortium", "cancel", noun="proposal", verb="cancelled",
                        doc="Cancel proposal PROPOSAL_ID (its proposer only).")
execute = service_action(consortium, "consortium", "execute", noun="proposal", verb="executed",
                         doc="Execute proposal PROPOSAL_ID once its quorum is met (anyone may).")
