"""A CostSharing deployment on a fresh embedded chain, shared by the cost-sharing test modules.

Accounts: 0 deploys (no member), 1-4 are consortium members Acme, Globex, Initech and Umbrella,
5-9 are outsiders (external suppliers, attackers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _embedded import EmbeddedEnv

from coopetition._artifacts import load_artifact
from coopetition._chain.deployments import deploy_contract
from coopetition._chain.records import DeploymentStore
from coopetition.bindings.cost_sharing import CostSharing, ExpenseSubmittedEvent, PoolCreatedEvent
from coopetition.costs import CostSharingService

DEPLOYER, ACME, GLOBEX, INITECH, UMBRELLA = 0, 1, 2, 3, 4
SUPPLIER, OUTSIDER = 5, 6
MEMBERS = (ACME, GLOBEX, INITECH, UMBRELLA)
LABELS = {ACME: "Acme", GLOBEX: "Globex", INITECH: "Initech", UMBRELLA: "Umbrella"}
ZERO = "0x" + "00" * 20
TEST_ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ETHER = 10**18


def evidence(n: int) -> bytes:
    """A distinct non-zero 32-byte evidence hash."""
    return n.to_bytes(32, "big") if n else b"\x01" * 32


@dataclass
class Costs:
    env: EmbeddedEnv
    consortium: str
    address: str

    @classmethod
    def start(cls, members: Sequence[int] = MEMBERS, quorum: int = 2) -> Costs:
        env = EmbeddedEnv.start()
        consortium = env.deploy(
            "Consortium", [[env.address(i) for i in members], [LABELS[i] for i in members], quorum, 0, quorum == 1],
            by=DEPLOYER,
        )
        address = env.deploy("CostSharing", [consortium], by=DEPLOYER)
        return cls(env, consortium, address)

    def addr(self, index: int) -> str:
        return self.env.address(index)

    def as_(self, index: int) -> CostSharing:
        return CostSharing(self.env.w3, self.address, self.env.pipeline(index))

    @property
    def view(self) -> CostSharing:
        return CostSharing(self.env.w3, self.address)

    def service(self, index: int) -> CostSharingService:
        return CostSharingService(self.as_(index))

    def deploy_test(self, name: str, args: Sequence[Any], *, by: int = DEPLOYER) -> str:
        """Deploy a contract of contracts/test/ (tests/artifacts/)."""
        artifact = load_artifact(name, search=[TEST_ARTIFACTS])
        return deploy_contract(
            self.env.pipeline(by), DeploymentStore(None, "embedded"), name=name, abi=artifact.abi,
            bytecode=artifact.bytecode, args=list(args), reset=True,
        ).address

    def pool(
        self,
        shares: Sequence[tuple[int, int]] = ((ACME, 5000), (GLOBEX, 3000), (INITECH, 2000)),
        *,
        quorum: int = 2,
        asset: str = ZERO,
        by: int = ACME,
        name: str = "R&D programme",
    ) -> int:
        tx = self.as_(by).create_pool(name, asset, [self.addr(i) for i, _ in shares], [s for _, s in shares], quorum)
        return PoolCreatedEvent.from_result(tx)[0].pool_id

    def submit(self, pool_id: int, amount: int, payee: str, *, by: int = ACME, n: int | None = None,
               ref: str = "INV-1") -> int:
        count = self.view.expense_count()
        tx = self.as_(by).submit_expense(pool_id, amount, payee, evidence(n if n is not None else count + 1), ref)
        return ExpenseSubmittedEvent.from_result(tx)[0].expense_id

    def book(self, pool_id: int, amount: int, payee: str, *, by: int = ACME, approvers: Sequence[int] = (ACME, GLOBEX),
             n: int | None = None) -> int:
        eid = self.submit(pool_id, amount, payee, by=by, n=n)
        for a in approvers:
            self.as_(a).approve_expense(eid)
        return eid
