"""The end-to-end demo behind ``coopetition demo`` / ``make demo``, on the embedded chain.

Act one: three companies found a consortium (quorum 2 of 3), admit a fourth by a proposal approved
on chain, then pay an auditor by a one-shot decision two members sign off chain and a third submits
in one transaction; the gas of each path is printed.
Later acts (joint-venture escrow, a sealed round, shared R&D costs, title exchange) run when their modules exist.
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

    from .._project import Project
    from .._session import Connection

__all__ = ["DemoMember", "run_demo"]

FOUNDERS = ("Acme", "Globex", "Initech")
NEWCOMER = "Umbrella"
ACTS = ("escrow", "rounds", "costs", "titles")
"""Family acts, run in this order when ``coopetition._demo.<family>`` is present."""


@dataclass(frozen=True)
class DemoMember:
    label: str
    account: LocalAccount
    connection: Connection

    @property
    def address(self) -> str:
        return str(self.account.address)


def _compile_step(out: Callable[[str], None], compile_first: bool, project: Project | None = None) -> None:
    """Compile only when there is something to compile: no ``contracts/`` folder (an installed
    package) or artifacts whose content hash (``solcInputHash``) matches the sources (a fresh clone)
    use the shipped artifacts and need no compiler, so no Node either."""
    if not compile_first:
        out("Using the compiled artifacts shipped in the package.")
        return
    from .._compiler import check_artifacts, compile_project
    from .._project import find_project

    proj = project or find_project()
    if not proj.contracts_dir.is_dir():
        out("No contracts/ folder here: using the compiled artifacts shipped in the package.")
        return
    started = time.perf_counter()
    if not check_artifacts(proj):
        out(f"The shipped artifacts match the sources (content hash, {time.perf_counter() - started:.2f} s): "
            "nothing to compile.")
        return
    try:
        result = compile_project(proj)
    except CompilerNotFoundError:
        out("No Solidity compiler here: using the compiled artifacts shipped in the package.")
        return
    if result.cached:
        out(f"Compiled: contracts unchanged since the last build ({result.seconds:.2f} s, no compiler run).")
    else:
        out(f"Compiled {len(result.contracts)} contracts with solc {result.compiler.version} in {result.seconds:.1f} s.")


def consortium_act(base: Connection, founders: list[DemoMember], newcomer: DemoMember,
                   out: Callable[[str], None]) -> dict[str, int]:
    """Two decisions of the founders: one approved on chain, one by signatures; the gas of each."""
    acme, globex, initech = (m.connection.suite().consortium for m in founders)
    out(f"Founders: {', '.join(f'{m.label} {m.address}' for m in founders)}; quorum 2 of 3.")
    out("Decision 1, on chain: Acme proposes, Globex approves, anyone executes.")
    ref = acme.propose_add_member(newcomer.address, newcomer.label)
    out(f"Acme proposes #{ref.id}: admit {newcomer.label} ({newcomer.address}); approvals 1/2 "
        f"(gas {ref.tx.gas_used:,}).")
    try:
        initech.execute(ref.id)
    except Exception as exc:  # the typed revert, shown as a user would see it
        out(f"Executing with one approval is refused: {exc}")
    approved = globex.approve(ref.id)
    out(f"Globex approves on chain: 2/2, the quorum is met (gas {approved.gas_used:,}).")
    executed = initech.execute(ref.id)
    on_chain = ref.tx.gas_used + approved.gas_used + executed.gas_used
    out(f"Initech executes in block {executed.block_number} (gas {executed.gas_used:,}); "
        f"three transactions, {on_chain:,} gas in all.")
    members = acme.members()
    out(f"Members now: {', '.join(m.label for m in members)}; quorum {acme.quorum()} of {len(members)}.")

    from .._seam import PendingCall

    assert base.sender is not None  # a sponsor funds the consortium's balance
    base.sender.send(PendingCall("Consortium", acme.address, "receive()", (), b"", value=10**18))
    auditor = base.chain.dev_accounts()[5].address
    out("Decision 2, by signatures: pay an auditor 1 ETH from the consortium's balance, never proposed.")
    first = acme.sign_approval(target=auditor, value=10**18, description="audit fee 2026", expiry="1d")
    second = globex.sign_approval(first)  # the very same decision
    out(f"Acme and Globex sign it off chain (EIP-712, decision {first.proposal_id[:10]}..., nonce "
        f"{first.decision.nonce}): no transaction, no gas.")
    paid = newcomer.connection.suite().consortium.execute(signatures=[first, second])
    out(f"{newcomer.label} submits both signatures: executed in one transaction (gas {paid.gas_used:,}).")
    return {"onChain": on_chain, "signed": paid.gas_used}


def run_demo(out: Callable[[str], None] = print, *, compile_first: bool = True,
             project: Project | None = None) -> dict[str, object]:
    """Run every act on a fresh embedded chain; returns a summary for ``--json``. ``project`` is
    where the sources to compile first are (default: found from the working directory)."""
    from .._session import SuiteMember, connect, deploy_suite

    started = time.perf_counter()
    _compile_step(out, compile_first, project)
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
    gas = consortium_act(base, founders, newcomer, out)
    members = founders[0].connection.suite().consortium.members()

    summary: dict[str, object] = {
        "network": "embedded",
        "contracts": {d.name: d.address for d in deployed.contracts},
        "members": [m.label for m in members],
        "consortiumGas": gas,
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
