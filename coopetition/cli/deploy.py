"""``coopetition deploy``: deploy the contract suite and record it under deployments/<network>/."""

from __future__ import annotations

from typing import Any

import click

from ._connect import open_connection, sending_options
from ._context import CliContext, pass_cli
from .params import ADDRESS, COUNT, DELAY, LABEL, KeyValue

FOUNDER = KeyValue(LABEL, ADDRESS, metavar="LABEL=ADDRESS")


@click.command("deploy")
@click.option("--member", "members", type=FOUNDER, multiple=True, required=True,
              help="A founding member as LABEL=ADDRESS; repeat for each member.")
@click.option("--quorum", type=COUNT, required=True,
              help="Approvals needed to execute a proposal (M of N).")
@click.option("--delay", type=DELAY, default=None,
              help="Execution delay of approved proposals, for good (objections may veto during it): 2d, 36h, "
                   "seconds, or 0. Default 0 on dev chains; asked on other networks.")
@click.option("--allow-single-approval", is_flag=True,
              help="Allow a quorum of 1 with two or more members (any one member decides alone).")
@click.option("--reset", is_flag=True, help="Deploy afresh even if an identical deployment is recorded.")
@sending_options
@pass_cli
def deploy_cmd(cli: CliContext, members: tuple[tuple[str, str], ...], quorum: int, delay: int | None,
               allow_single_approval: bool, reset: bool, dry_run: bool) -> None:
    """Deploy the suite (consortium first) for the founding MEMBERs with a QUORUM.

    A rerun with the same members and quorum finds the recorded contracts and sends nothing;
    a deployment interrupted by a crash is resumed, never duplicated.

    \b
    Example:
      coopetition deploy --member Acme=0x7099...79C8 --member Globex=0x3C44...93BC \\
                         --member Initech=0x90F7...b906 --quorum 2 --delay 0
    """
    from .._session import SuiteMember, _check_members, deploy_suite

    suite_members = [SuiteMember(label, address) for label, address in members]
    # before connecting: bad input never reaches a node
    _check_members(suite_members, quorum, delay=delay or 0, allow_single_approval=allow_single_approval)
    if quorum == 1 and len(suite_members) >= 2:
        cli.info(f"warning: quorum 1 of {len(suite_members)}: any one member decides alone")
    conn = open_connection(cli, dry_run=dry_run)
    if delay is None:
        delay = 0 if conn.chain.spec.is_dev else _ask_delay(cli)

    def progress(d: Any) -> None:
        if d.dry_run:
            state = "would deploy"
        elif d.newly_deployed:
            state = "deployed"
        else:
            state = "unchanged"
        cli.info(f"{d.name:<20} {state:<12} {d.address}  gas {d.gas_used:,}")

    result = deploy_suite(conn, suite_members, quorum, delay=delay, allow_single_approval=allow_single_approval,
                          reset=reset, on_progress=progress)
    data = {
        "network": result.network,
        "chainId": result.chain_id,
        "dryRun": dry_run,
        "delay": delay,
        "contracts": [
            {"name": d.name, "address": d.address, "transactionHash": d.transaction_hash, "gasUsed": d.gas_used,
             "newlyDeployed": d.newly_deployed}
            for d in result.contracts
        ],
    }
    where = "(not recorded: dry run)" if dry_run else (
        "(in memory)" if conn.chain.spec.kind == "embedded" else f"recorded in {conn.store.folder}"
    )
    cli.emit(f"suite on {result.network} (chain {result.chain_id}) {where}", data)


def _ask_delay(cli: CliContext) -> int:
    """The execution delay, asked on a real network (it is fixed for good)."""
    if not cli.interactive:
        raise click.UsageError("on this network pass --delay (e.g. --delay 2d, or --delay 0 for none): "
                               "it is fixed for good")
    answer = click.prompt("Execution delay of approved proposals (e.g. 2d, 0 for none)", type=DELAY, err=True)
    return int(answer)
