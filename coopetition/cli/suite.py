"""``coopetition attach`` and ``coopetition verify``: a company that did not deploy the suite records
it from the chain, and any member checks that the recorded contracts are this project's code."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..exceptions import DeploymentError
from ._connect import open_connection
from ._context import CliContext, pass_cli
from .params import ADDRESS

if TYPE_CHECKING:
    from .._verify import SuiteVerification


def _lines(result: SuiteVerification) -> str:
    rows = []
    for c in result.contracts:
        state = "ok" if c.problem is None else f"MISMATCH: {c.problem}"
        rows.append(f"{c.name:<20} {c.address or '(none)':<42}  {state}")
    return "\n".join(rows)


def _data(result: SuiteVerification) -> dict[str, object]:
    return {
        "network": result.network,
        "consortium": result.consortium,
        "verified": result.ok,
        "contracts": [
            {"name": c.name, "address": c.address or None, "codeMatches": c.code_matches,
             "consortium": c.consortium, "problem": c.problem}
            for c in result.contracts
        ],
    }


@click.command("attach")
@click.option("--consortium", "consortium", type=ADDRESS, required=True,
              help="Address of the consortium this company is a member of.")
@click.option("--title-registry", type=ADDRESS, default=None,
              help="Address of its TitleRegistry (default: found from the chain).")
@click.option("--cost-sharing", type=ADDRESS, default=None,
              help="Address of its CostSharing (default: found from the chain).")
@click.option("--escrow", type=ADDRESS, default=None,
              help="Address of its JointVentureEscrow (default: found from the chain).")
@pass_cli
def attach_cmd(cli: CliContext, consortium: str, title_registry: str | None, cost_sharing: str | None,
               escrow: str | None) -> None:
    """Record the suite of CONSORTIUM, deployed by another company, under deployments/.

    The other contracts are found among the next contracts the consortium's deployer created (a
    node that keeps no history needs their addresses). Each one is checked against the shipped
    artifacts and must point at CONSORTIUM before anything is recorded. Sends nothing.
    """
    from .._verify import attach_suite

    given = {name: address for name, address in (
        ("TitleRegistry", title_registry), ("CostSharing", cost_sharing), ("JointVentureEscrow", escrow),
    ) if address is not None}
    conn = open_connection(cli, read_only=True)
    result = attach_suite(conn, consortium, addresses=given)
    where = "(in memory)" if conn.store.folder is None else f"recorded in {conn.store.folder}"
    cli.emit(f"{_lines(result)}\nsuite of consortium {result.consortium} on {result.network} {where}",
             {**_data(result), "folder": None if conn.store.folder is None else str(conn.store.folder)})


@click.command("verify")
@pass_cli
def verify_cmd(cli: CliContext) -> None:
    """Check that each recorded contract runs the shipped artifact's code and that they all point
    at the same consortium; exit 1 naming every mismatch. Sends nothing.

    Immutables (the addresses a constructor fills in) are masked when comparing code; the
    consortium each contract is bound to is read from the contract itself and compared.
    """
    from .._verify import verify_suite

    result = verify_suite(open_connection(cli, read_only=True))
    if cli.json:
        cli.emit(None, _data(result))
        if not result.ok:
            raise click.exceptions.Exit(1)
        return
    click.echo(_lines(result))
    if not result.ok:
        raise DeploymentError("verification failed: " + "; ".join(result.problems))
    click.echo(f"verified: the suite of consortium {result.consortium} on {result.network} runs the shipped code")
