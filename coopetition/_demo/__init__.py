"""The end-to-end demo behind ``coopetition demo`` / ``make demo``, on the embedded chain.

Act one: three companies found a consortium (quorum 2 of 3) and admit a fourth by proposal.
Later acts (joint-venture escrow, shared R&D costs, title exchange) run when their modules exist.
Everything is printed through ``out`` so tests can capture it.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..exceptions import CompilerNotFoundError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from .._session import Connection

__all__ = ["DemoMember", "run_demo"]

FOUNDERS = ("Acme", "Globex", "Initech")
NEWCOMER = "Umbrella"
ACTS = ("escrow", "costs", "titles")
"""Family acts, run in this order when ``coopetition._demo.<family>`` is present."""


@dataclass(frozen=True)
class DemoMember:
    label: str
    account: LocalAccount
    connection: Connection

    @property
    def address(self) -> str:
        return str(self.account.address)


def _compile_step(out: Callable[[str], None], compile_first: bool) -> None:
    if not compile_first:
        out("Using the compiled artifacts shipped in the package.")
        return
    from .._compiler import compile_project
    from .._project import find_project

    try:
        result = compile_project(find_project())
    except CompilerNotFoundError:
        out("No Solidity compiler here: using the compiled artifacts shipped in the package.")
        return
    if result.cached:
        out(f"Compiled: contracts unchanged since the last build ({result.seconds:.2f} s, no compiler run).")
    else:
        out(f"Compiled {len(result.contracts)} contracts with solc {result.compiler.version} in {result.seconds:.1f} s.")


def run_demo(out: Callable[[str], None] = print, *, compile_first: bool = True) -> dict[str, object]:
    """Run every act on a fresh embedded chain; returns a summary for ``--json``."""
    from .._session import SuiteMember, connect, deploy_suite

    started = time.perf_counter()
    _compile_step(out, compile_first)
    base = connect("embedded", 0)
    accounts = base.chain.dev_accounts()
    founders = [DemoMember(label, accounts[i + 1], base.as_account(accounts[i + 1]))
                for i, label in enumerate(FOUNDERS)]
    newcomer = DemoMember(NEWCOMER, accounts[4], base.as_account(accounts[4]))

    out("")
    out("== Act 1: the consortium ==")
    deployed = deploy_suite(base, [SuiteMember(m.label, m.address) for m in founders], 2)
    for d in deployed.contracts:
        out(f"Deployed {d.name} at {d.address} (gas {d.gas_used:,}).")
    acme, globex, _initech = (m.connection.suite().consortium for m in founders)
    out(f"Founders: {', '.join(f'{m.label} {m.address}' for m in founders)}; quorum 2 of 3.")
    ref = acme.propose_add_member(newcomer.address, NEWCOMER)
    out(f"Acme proposes #{ref.id}: admit {NEWCOMER} ({newcomer.address}); approvals 1/2.")
    try:
        acme.execute(ref.id)
    except Exception as exc:  # the typed revert, shown as a user would see it
        out(f"Executing with one approval is refused: {exc}")
    globex.approve(ref.id)
    out("Globex approves: 2/2, the quorum is met.")
    executed = acme.execute(ref.id)
    out(f"Executed in block {executed.block_number} (gas {executed.gas_used:,}).")
    members = acme.members()
    out(f"Members now: {', '.join(m.label for m in members)}; quorum {acme.quorum()} of {len(members)}.")

    summary: dict[str, object] = {
        "network": "embedded",
        "contracts": {d.name: d.address for d in deployed.contracts},
        "members": [m.label for m in members],
    }
    everyone = [*founders, newcomer]
    for act in ACTS:
        try:
            module = importlib.import_module(f"{__name__}.{act}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{act}":
                continue
            raise
        summary[act] = module.demo_act(base, everyone, out)
    out("")
    out(f"Demo finished in {time.perf_counter() - started:.1f} s.")
    return summary
