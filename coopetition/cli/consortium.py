"""``coopetition consortium ...``: members, quorum, proposals and signed approvals.

Every admin power goes through a decision: ``propose add-member|remove-member|set-quorum|cancel|call``
builds the calldata, members ``approve`` on chain or ``sign`` an EIP-712 approval off chain (a JSON
file), and anyone ``execute``s once the threshold is met, submitting the signature files with
``--signature``. ``sign --target ...`` signs a one-shot decision that is never proposed; ``execute
--signature ...`` without an id executes it from the signatures alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._connect import open_suite, proposal_options, sending_options, service_action
from ._context import CliContext, pass_cli
from .history import history_options, show_history
from .output import next_page, print_table, report, report_proposal, when
from .params import ADDRESS, AMOUNT, COUNT, DEADLINE, HEXDATA, ID, INDEX, LABEL, LIST_PAGE, MEMBER

if TYPE_CHECKING:
    from ..consortium import ConsortiumService, Proposal, SignedApproval

SIGNATURE_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _signatures(paths: Sequence[Path]) -> list[SignedApproval]:
    from ..consortium import SignedApproval

    return [SignedApproval.from_json(path.read_text()) for path in paths]


def _pending(service: ConsortiumService, signatures: Sequence[SignedApproval]) -> dict[int, list[str]]:
    """proposal number -> labels of members whose given signatures would count on top of the chain's."""
    out: dict[int, list[str]] = {}
    for p in service.proposals(open_only=True):
        mine = [s for s in signatures if s.proposal_id == p.proposal_id and s.kind == "Approval"]
        if mine:
            out[p.id] = [m.label for m in service.approval_status(p.id, mine).signed]
    return out


PROPOSAL_STATES = ("open", "approved", "queued", "executed", "cancelled", "vetoed", "expired", "superseded")
"""The contract's proposal states (``ProposalState``), for --state without importing the bindings."""


def _print_tables(service: ConsortiumService, *, members: bool, proposals: bool, open_only: bool,
                  pending: dict[int, list[str]] | None = None, rows: Sequence[Proposal] | None = None) -> None:
    from rich.table import Table

    if members:
        delay = service.delay()
        print_table(f"Consortium {service.address}: quorum {service.quorum()} of {service.member_count()}, "
                    f"epoch {service.epoch()}, " + (f"execution delay {delay} s" if delay else "no execution delay"))
        table = Table()
        table.add_column("label")
        table.add_column("address")
        for m in service.members():
            table.add_row(m.label, m.address)
        print_table(table)
    if proposals:
        rows = service.proposals(open_only=open_only) if rows is None else rows
        title = "Open proposals" if open_only else "Proposals"
        if not rows:
            print_table(f"{title}: none")
            return
        table = Table(title=title)
        for col in ("id", "state", "action", "approvals", "on chain", "signed (pending)", "expires", "description"):
            table.add_column(col)
        labels = {m.address: m.label for m in service.members()}
        for p in rows:
            signed = (pending or {}).get(p.id, [])
            table.add_row(str(p.id), p.state.name.lower(), p.action, f"{p.approvals + len(signed)}/{p.quorum}",
                          ", ".join(labels.get(a, a) for a in p.approvers) or "-", ", ".join(signed) or "-",
                          when(p.expiry), p.description)
        print_table(table)


@click.group("consortium")
def consortium() -> None:
    """Members, quorum and proposals of the consortium."""


@consortium.command("show")
@click.option("--signature", "signature_files", type=SIGNATURE_FILE, multiple=True,
              help="A signature file (from `consortium sign`) to show as a pending approval; repeatable.")
@pass_cli
def show(cli: CliContext, signature_files: tuple[Path, ...]) -> None:
    """Show members, quorum and open proposals: approvals on chain, and pending signatures given."""
    service = open_suite(cli, read_only=True).consortium
    pending = _pending(service, _signatures(signature_files))
    if cli.json:
        cli.emit(None, {"address": service.address, "quorum": service.quorum(), "epoch": service.epoch(),
                        "delay": service.delay(), "members": service.members(),
                        "openProposals": service.proposals(open_only=True),
                        "pendingSignatures": [{"proposalId": n, "signers": who} for n, who in pending.items()]})
        return
    _print_tables(service, members=True, proposals=True, open_only=True, pending=pending)


@consortium.command("members")
@pass_cli
def members_cmd(cli: CliContext) -> None:
    """List the current members and the quorum."""
    service = open_suite(cli, read_only=True).consortium
    if cli.json:
        cli.emit(None, {"quorum": service.quorum(), "members": service.members()})
        return
    _print_tables(service, members=True, proposals=False, open_only=False)


@consortium.command("proposals")
@click.option("--all", "show_all", is_flag=True, help="Include executed, cancelled and expired proposals.")
@click.option("--state", type=click.Choice(PROPOSAL_STATES), default=None, help="Only proposals in this state.")
@click.option("--limit", type=COUNT, default=LIST_PAGE, show_default=True, help="Show at most this many proposals.")
@click.option("--after", type=INDEX, default=0, help="Start after this proposal number (the next page).")
@pass_cli
def proposals_cmd(cli: CliContext, show_all: bool, state: str | None, limit: int, after: int) -> None:
    """List open proposals (or all with --all, or those in --state), oldest first, a page at a time
    (--limit, --after)."""
    from ..bindings.consortium import ProposalState

    service = open_suite(cli, read_only=True).consortium
    open_only = not show_all and state is None
    rows = service.proposals(open_only=open_only, state=None if state is None else ProposalState[state.upper()],
                             after=after, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    if cli.json:
        cli.emit(None, rows)
        return
    _print_tables(service, members=False, proposals=True, open_only=open_only, rows=list(rows))
    if more:
        next_page("proposals", "consortium proposals", rows[-1].id, limit, all=show_all, state=state)


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


@propose.command("cancel")
@click.argument("proposal_id", type=ID)
@proposal_options
@sending_options
@pass_cli
def propose_cancel(cli: CliContext, proposal_id: int, expiry: str, description: str | None, dry_run: bool) -> None:
    """Cancel open proposal PROPOSAL_ID by a decision (any proposal, even one past its threshold)."""
    ref = open_suite(cli, dry_run=dry_run).consortium.propose_cancel(proposal_id, description=description, expiry=expiry)
    report_proposal(cli, f"cancel proposal #{proposal_id}", ref)


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
    """Propose any governed call: TARGET with --data (and --value from the consortium's balance)."""
    from .._units import parse_amount

    wei = parse_amount(value).value
    ref = open_suite(cli, dry_run=dry_run).consortium.propose(target, data, description or f"call {target}", expiry, wei)
    report_proposal(cli, f"call {target}", ref)


approve = service_action(consortium, "consortium", "approve", noun="proposal", verb="approved",
                         doc="Approve proposal PROPOSAL_ID.")
revoke = service_action(consortium, "consortium", "revoke", noun="proposal", verb="approval revoked",
                        doc="Revoke your approval of proposal PROPOSAL_ID.")
cancel = service_action(consortium, "consortium", "cancel", noun="proposal", verb="cancelled",
                        doc="Cancel proposal PROPOSAL_ID as its proposer, below its threshold (a quorum: propose cancel).")
object_ = service_action(consortium, "consortium", "object", noun="proposal", verb="objected to",
                         doc="Object to proposal PROPOSAL_ID while it waits its execution delay.")


@consortium.command("sign")
@click.argument("proposal_id", type=ID, required=False)
@click.option("--target", type=ADDRESS, default=None, help="One-shot decision: the address the consortium calls.")
@click.option("--data", type=HEXDATA, default="0x", show_default=True, help="One-shot decision: calldata as 0x-hex.")
@click.option("--value", type=AMOUNT, default="0", show_default=True,
              help="One-shot decision: value sent from the consortium: '1 ether' or wei.")
@click.option("--description", "-m", default="", help="One-shot decision: why (only its hash is signed).")
@click.option("--expiry", type=DEADLINE, default="7d", show_default=True,
              help="One-shot decision: until when the signatures are valid.")
@click.option("--cosign", type=SIGNATURE_FILE, default=None,
              help="Sign the same decision as this signature file (another member's).")
@click.option("--objection", is_flag=True, help="Sign an objection instead of an approval.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the signature here (default: print it).")
@pass_cli
def sign(cli: CliContext, proposal_id: int | None, target: str | None, data: str, value: str, description: str,
         expiry: str, cosign: Path | None, objection: bool, output: Path | None) -> None:
    """Sign an approval of PROPOSAL_ID, or of a one-shot decision (--target ...), off chain: sends nothing.

    \b
    Examples:
      coopetition --account 2 consortium sign 1 -o globex.json
      coopetition --account 1 consortium sign --target 0x... --value "1 ether" -m "pay" -o acme.json
      coopetition --account 3 consortium sign --cosign acme.json -o initech.json
    """
    from .._units import parse_amount

    service = open_suite(cli, read_only=False).consortium
    kind = "Objection" if objection else "Approval"
    if cosign is not None:
        (other,) = _signatures([cosign])
        signed = service.sign_approval(other, kind=kind)
    elif proposal_id is not None:
        signed = service.sign_approval(proposal_id, kind=kind)
    else:
        if target is None:
            raise click.UsageError("give a PROPOSAL_ID, --target for a one-shot decision, or --cosign FILE")
        signed = service.sign_approval(target=target, calldata=data, value=parse_amount(value).value,
                                       description=description, expiry=expiry, kind=kind)
    what = f"proposal {proposal_id}" if proposal_id is not None else f"decision {signed.proposal_id}"
    if output is not None:
        output.write_text(signed.to_json() + "\n")
        cli.info(f"{kind.lower()} of {what} signed by {signed.signer}, written to {output}")
        if cli.json:
            cli.emit(None, signed.to_dict())
    else:
        click.echo(signed.to_json())


@consortium.command("execute")
@click.argument("proposal_id", type=ID, required=False)
@click.option("--signature", "signature_files", type=SIGNATURE_FILE, multiple=True,
              help="A signature file (from `consortium sign`) submitted with the call; repeatable.")
@sending_options
@pass_cli
def execute(cli: CliContext, proposal_id: int | None, signature_files: tuple[Path, ...], dry_run: bool) -> None:
    """Execute proposal PROPOSAL_ID once its threshold is met (anyone may), adding the signed approvals
    given; without PROPOSAL_ID, the one-shot decision the signatures approve."""
    signatures = _signatures(signature_files)
    if proposal_id is None and not signatures:
        raise click.UsageError("Missing argument 'PROPOSAL_ID' (or --signature FILE for a one-shot decision)")
    service = open_suite(cli, dry_run=dry_run).consortium
    result = service.execute(proposal_id, signatures=signatures)
    what = f"proposal #{proposal_id}" if proposal_id is not None else f"decision {signatures[0].proposal_id}"
    extra: dict[str, object] = {"proposalId": proposal_id} if proposal_id is not None else {
        "decisionId": signatures[0].proposal_id}
    report(cli, f"{what} executed" + (f" with {len(signatures)} signature(s)" if signatures else ""), result,
           extra)


@consortium.command("history")
@history_options
@pass_cli
def history_cmd(cli: CliContext, from_block: int, as_csv: bool) -> None:
    """List what happened in the consortium, oldest first: members, quorum, proposals, approvals."""
    suite = open_suite(cli, read_only=True)
    show_history(cli, suite.connection, suite.consortium.activity(from_block=from_block), as_csv=as_csv)
