"""A CostSharing deployment on a fresh embedded chain, shared by the cost-sharing test modules.

Accounts: 0 deploys (no member), 1-4 are consortium members Acme, Globex, Initech and Umbrella,
5-9 are outsiders (external suppliers, attackers).

Pools are proposed with :meth:`Costs.terms` (defaults: approval rule "more than half of the other
participants' shares, at least 2 of them", a 2-day dispute window, 30-day settlement periods, a
360-day life) and made live by every participant joining on chain (:meth:`Costs.pool`), unless a
test drives consent itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _consortium import Gov
from _embedded import EmbeddedEnv
from eth_account import Account
from eth_account.messages import encode_typed_data

from coopetition._artifacts import load_artifact
from coopetition._chain.deployments import deploy_contract
from coopetition._chain.records import DeploymentStore
from coopetition.bindings.consortium import Consortium
from coopetition.bindings.cost_sharing import (
    CostSharing,
    ExpenseStatus,
    ExpenseSubmittedEvent,
    PoolProposedEvent,
    SignedAcceptance,
    Terms,
)

DEPLOYER, ACME, GLOBEX, INITECH, UMBRELLA = 0, 1, 2, 3, 4
SUPPLIER, OUTSIDER = 5, 6
MEMBERS = (ACME, GLOBEX, INITECH, UMBRELLA)
LABELS = {ACME: "Acme", GLOBEX: "Globex", INITECH: "Initech", UMBRELLA: "Umbrella"}
ZERO = "0x" + "00" * 20
TEST_ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ETHER = 10**18
HOUR = 3_600
DAY = 86_400
WINDOW = 2 * DAY
PERIOD = 30 * DAY
DURATION = 360 * DAY
SHARES = ((ACME, 5000), (GLOBEX, 3000), (INITECH, 2000))


def evidence(n: int) -> bytes:
    """A distinct non-zero 32-byte evidence hash."""
    return n.to_bytes(32, "big") if n else b"\x01" * 32


def acceptance_typed_data(
    chain_id: int, contract: str, pool_id: int, participant: str, terms_hash: bytes, deadline: int
) -> dict[str, Any]:
    """The EIP-712 message a participant signs to accept a pool's terms (the snippet of the report)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Acceptance": [
                {"name": "poolId", "type": "uint256"},
                {"name": "participant", "type": "address"},
                {"name": "termsHash", "type": "bytes32"},
                {"name": "deadline", "type": "uint256"},
            ],
        },
        "primaryType": "Acceptance",
        "domain": {"name": "CostSharing", "version": "2", "chainId": chain_id, "verifyingContract": contract},
        "message": {"poolId": pool_id, "participant": participant, "termsHash": terms_hash, "deadline": deadline},
    }


def sign_acceptance(
    key: bytes, chain_id: int, contract: str, pool_id: int, terms_hash: bytes, deadline: int
) -> SignedAcceptance:
    """An EOA's signed acceptance, built with eth_account's ``encode_typed_data``."""
    account = Account.from_key(key)
    data = acceptance_typed_data(chain_id, contract, pool_id, account.address, terms_hash, deadline)
    signed = account.sign_message(encode_typed_data(full_message=data))
    return SignedAcceptance(participant=account.address, deadline=deadline, signature=bytes(signed.signature))


@dataclass
class Costs:
    env: EmbeddedEnv
    consortium: str
    address: str

    @classmethod
    def start(cls, members: Sequence[int] = MEMBERS, quorum: int = 2, *, env: EmbeddedEnv | None = None) -> Costs:
        """A consortium of ``members`` and a CostSharing on ``env`` (default: a new embedded chain)."""
        env = env or EmbeddedEnv.start()
        consortium = env.deploy(
            "Consortium", [[env.address(i) for i in members], [LABELS[i] for i in members], quorum, 0, quorum == 1],
            by=DEPLOYER,
        )
        address = env.deploy("CostSharing", [consortium], by=DEPLOYER)
        return cls(env, consortium, address)

    def addr(self, index: int) -> str:
        return self.env.address(index)

    def key(self, index: int) -> bytes:
        return bytes(self.env.accounts[index].key)

    def as_(self, index: int) -> CostSharing:
        return CostSharing(self.env.w3, self.address, self.env.pipeline(index))

    @property
    def view(self) -> CostSharing:
        return CostSharing(self.env.w3, self.address)

    @property
    def chain_id(self) -> int:
        return int(self.env.w3.eth.chain_id)

    def deploy_test(self, name: str, args: Sequence[Any], *, by: int = DEPLOYER) -> str:
        """Deploy a contract of contracts/test/ (tests/artifacts/)."""
        artifact = load_artifact(name, search=[TEST_ARTIFACTS])
        return deploy_contract(
            self.env.pipeline(by), DeploymentStore(None, "embedded"), name=name, abi=artifact.abi,
            bytecode=artifact.bytecode, args=list(args), reset=True,
        ).address

    # ------------------------------------------------------------------------------- pools

    def terms(
        self,
        shares: Sequence[tuple[int | str, int]] = SHARES,
        *,
        approval_bps: int = 5000,
        quorum: int = 2,
        asset: str = ZERO,
        window: int = WINDOW,
        period: int = PERIOD,
        duration: int = DURATION,
        name: str = "R&D programme",
    ) -> Terms:
        participants = tuple(who if isinstance(who, str) else self.addr(who) for who, _ in shares)
        return Terms(name, asset, participants, tuple(s for _, s in shares), approval_bps, quorum, window,
                     period, duration)

    def propose(self, terms: Terms, *, by: int = ACME) -> int:
        return PoolProposedEvent.from_result(self.as_(by).create_pool(terms))[0].pool_id

    def join(self, pool_id: int, who: int) -> None:
        self.as_(who).join_pool(pool_id, self.view.pool_info(pool_id).terms_hash)

    def pool(self, shares: Sequence[tuple[int, int]] = SHARES, *, by: int = ACME, **kwargs: Any) -> int:
        """A live pool: proposed by ``by``, joined on chain by every other participant."""
        pid = self.propose(self.terms(shares, **kwargs), by=by)
        for who, _ in shares:
            if who != by:
                self.join(pid, who)
        return pid

    def signed(self, pool_id: int, who: int, *, deadline: int | None = None) -> SignedAcceptance:
        terms_hash = self.view.pool_info(pool_id).terms_hash
        return sign_acceptance(self.key(who), self.chain_id, self.address, pool_id, terms_hash,
                               deadline if deadline is not None else self.env.now() + DAY)

    # ----------------------------------------------------------------------------- expenses

    def submit(self, pool_id: int, amount: int, payee: str, *, by: int = ACME, n: int | None = None,
               ref: str = "INV-1") -> int:
        count = self.view.expense_count()
        tx = self.as_(by).submit_expense(pool_id, amount, payee, evidence(n if n is not None else count + 1), ref)
        return ExpenseSubmittedEvent.from_result(tx)[0].expense_id

    def approve_until_booked(self, expense_id: int, *, skip: Sequence[int] = ()) -> None:
        """Approvals by the participants other than the payee, in pool order, until it is booked."""
        e = self.view.expense(expense_id)
        for who in self.participants(e.pool_id):
            if self.view.expense(expense_id).status != ExpenseStatus.PENDING:
                break
            if self.addr(who) == e.payee or who in skip:
                continue
            self.as_(who).approve_expense(expense_id)
        assert self.view.expense(expense_id).status == ExpenseStatus.BOOKED

    def book(self, pool_id: int, amount: int, payee: str, *, by: int = ACME, n: int | None = None) -> int:
        eid = self.submit(pool_id, amount, payee, by=by, n=n)
        self.approve_until_booked(eid)
        return eid

    def participants(self, pool_id: int) -> list[int]:
        by_address = {self.addr(i): i for i in range(len(self.env.accounts))}
        return [by_address[a] for a in self.view.participants_of(pool_id)]

    def expel(self, who: int | str, *, by: Sequence[int] = (ACME, GLOBEX)) -> None:
        """Remove ``who`` from the consortium by an on-chain proposal (proposed by ``by[0]``, approved by all)."""
        target = who if isinstance(who, str) else self.addr(who)
        gov = Gov(self.env, self.consortium)
        self._pass(gov, by, gov.removal(target), f"remove {target}")

    def admit(self, who: str, label: str, *, by: Sequence[int] = (ACME, GLOBEX)) -> None:
        """Add ``who`` to the consortium by an on-chain proposal."""
        gov = Gov(self.env, self.consortium)
        self._pass(gov, by, Consortium.encode_add_member(who, label), f"add {who}")

    @staticmethod
    def _pass(gov: Gov, by: Sequence[int], data: bytes, description: str) -> None:
        proposal = gov.propose(by[0], data, description=description)
        for other in by[1:]:
            gov.as_(other).approve(proposal)
        gov.execute(proposal)

    # ------------------------------------------------------------------------------- time

    def open_period(self, pool_id: int, period: int = 0) -> None:
        """Move the clock to when ``period`` opens for payments and claims."""
        opens = self.view.period_opens_at(pool_id, period)
        if self.env.now() < opens:
            self.env.time_travel(opens - self.env.now())

    def settle_debts(self, pool_id: int, period: int = 0, *, token: bool = False, skip: Sequence[int] = ()) -> None:
        for who in self.participants(pool_id):
            if who in skip:
                continue
            debt = self.view.position(pool_id, period, self.addr(who)).debt
            if debt:
                self.as_(who).pay(pool_id, period, self.addr(who), debt, value=0 if token else debt)
