"""Shared set-up of the joint-venture escrow tests: an embedded chain with a consortium of N members,
the escrow, test tokens and the escrow's test actor, all bound through their typed wrappers."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _embedded import EmbeddedEnv, LeanClient
from _titles_env import AnvilEnv
from conftest import start_anvil
from eth_abi import abi as eth_abi
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from coopetition._abi import decode_revert, revert_data
from coopetition._artifacts import load_artifact
from coopetition._chain.deployments import deploy_contract
from coopetition._chain.records import DeploymentStore
from coopetition._chain.tx import TransactionPipeline
from coopetition._seam import PendingCall, TxResult
from coopetition.bindings.consortium import Consortium
from coopetition.bindings.joint_venture_escrow import JointVentureEscrow, VentureTerms

ETH = "0x" + "00" * 20

TEST_ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ETHER = 10**18


@dataclass
class EscrowWorld:
    """Members 0..n-1 of the consortium, the escrow bound per member, and helpers."""

    env: EmbeddedEnv
    members: tuple[LocalAccount, ...]
    consortium_address: str
    escrow_address: str
    actors: tuple[str, ...] = ()
    """EscrowTestActor contracts that are consortium members too (labels a0, a1, ...)."""
    contracts: dict[str, str] = field(default_factory=dict)
    """Other test contracts that are consortium members, by name (``member_contracts``)."""
    _pipelines: dict[str, TransactionPipeline] = field(default_factory=dict)

    # --------------------------------------------------------------------------- set-up

    @classmethod
    def start(cls, n_members: int = 4, *, n_actors: int = 0, quorum: int = 1,
              member_contracts: Sequence[str] = (), env: EmbeddedEnv | None = None) -> EscrowWorld:
        """``env``: another chain than a fresh embedded one (e.g. ``AnvilEnv.at(url)``)."""
        env = env or EmbeddedEnv.start()
        accounts = list(env.accounts[:n_members])
        while len(accounts) < n_members:  # more members than dev accounts: fresh funded keys
            acct = Account.create()
            env.send_ether(0, acct.address, 1000 * ETHER)
            accounts.append(acct)
        actors = [_deploy(env, "EscrowTestActor", []) for _ in range(n_actors)]
        others = {name: _deploy(env, name, []) for name in member_contracts}
        addresses = [a.address for a in accounts] + actors + list(others.values())
        labels = ([f"m{i}" for i in range(len(accounts))] + [f"a{i}" for i in range(len(actors))]
                  + [name[:32] for name in others])
        consortium = env.deploy("Consortium", [addresses, labels, quorum, 0, quorum == 1])
        escrow = env.deploy("JointVentureEscrow", [consortium])
        return cls(env, tuple(accounts), consortium, escrow, tuple(actors), others)

    @property
    def w3(self) -> Any:
        return self.env.w3

    def address(self, who: int | str) -> str:
        return who if isinstance(who, str) else str(self.members[who].address)

    def pipeline(self, who: int | LocalAccount) -> TransactionPipeline:
        if isinstance(who, int):  # a member, or past them a dev account (e.g. 9, not a member)
            acct = self.members[who] if who < len(self.members) else self.env.accounts[who]
        else:
            acct = who
        if acct.address not in self._pipelines:
            self._pipelines[acct.address] = TransactionPipeline(
                self.env.w3, acct, network="embedded", is_dev=True, nonce_manager=self.env.nonces,
            )
        return self._pipelines[acct.address]

    def escrow(self, who: int | LocalAccount | None = 0) -> JointVentureEscrow:
        """The escrow binding sending as member ``who`` (``None``: read only)."""
        return JointVentureEscrow(self.w3, self.escrow_address, None if who is None else self.pipeline(who))

    def service(self, who: int | LocalAccount | None = 0) -> Any:
        """The domain service over the escrow (imported here: the contract tests do not need it)."""
        from coopetition.escrow import EscrowService

        return EscrowService(self.escrow(who))

    def consortium(self, who: int = 0) -> Consortium:
        return Consortium(self.w3, self.consortium_address, self.pipeline(who))

    def deploy_test(self, name: str, args: Sequence[Any], *, by: int = 0, value: int = 0) -> str:
        """Deploy contract ``name`` from tests/artifacts as member ``by`` (with ``value`` wei)."""
        if value:
            artifact = load_artifact(name, search=[TEST_ARTIFACTS])
            ctor = next((e for e in artifact.abi if e.get("type") == "constructor"), None)
            types = [str(i["type"]) for i in ctor["inputs"]] if ctor else []
            data = bytes.fromhex(artifact.bytecode.removeprefix("0x")) + eth_abi.encode(types, list(args))
            result = self.pipeline(by).send(
                PendingCall(name, "", "constructor", tuple(args), data, value, tuple(artifact.abi))
            )
            assert result.contract_address is not None
            return result.contract_address
        return _deploy(self.env, name, args, pipeline=self.pipeline(by))

    # --------------------------------------------------------------------------- ventures

    def terms(
        self,
        partners: Sequence[int | str],
        contributions: Sequence[int],
        milestones: Sequence[int],
        *,
        asset: str = ETH,
        beneficiary: str | None = None,
        deadline_in: int = 3600,
        long_stop_in: int = 30 * 86400,
        quorum: int | None = None,
        dissolution_quorum: int | None = None,
        name: str = "venture",
    ) -> VentureTerms:
        """Terms as the library's defaults would make them: release quorum ``n // 2 + 1`` and the
        highest dissolution quorum that still lets every blocking coalition out, ``n - quorum + 1``."""
        quorum = quorum if quorum is not None else len(partners) // 2 + 1
        now = self.env.now()
        return VentureTerms(
            name=name, asset=asset,
            beneficiary=beneficiary or self.address(len(self.members) - 1),
            partners=tuple(self.address(p) for p in partners),
            contributions=tuple(contributions), milestones=tuple(milestones),
            funding_deadline=now + deadline_in, long_stop=now + deadline_in + long_stop_in,
            quorum=quorum,
            dissolution_quorum=dissolution_quorum if dissolution_quorum is not None else len(partners) - quorum + 1,
        )

    def create(self, terms: VentureTerms, *, by: int = 0) -> int:
        from coopetition.bindings.joint_venture_escrow import VentureCreatedEvent

        tx = self.escrow(by).create_venture(terms)
        return VentureCreatedEvent.from_result(tx)[0].venture_id

    def fund(self, venture_id: int, *, skip: Sequence[int] = ()) -> None:
        """Every member partner (not in ``skip``) pays its whole contribution in ETH or the token."""
        esc = self.escrow(None)
        raw = esc.venture(venture_id)
        members = [m.address for m in self.members]
        for who in esc.partners(venture_id):
            if who not in members:  # an actor contract pays for itself
                continue
            idx = members.index(who)
            if idx in skip:
                continue
            owed = esc.partner(venture_id, who).owed
            if raw.asset == ETH:
                self.escrow(idx).deposit(venture_id, owed, value=owed)
            else:
                self.token(raw.asset, idx).approve(self.escrow_address, owed)
                self.escrow(idx).deposit(venture_id, owed)

    def token(self, address: str, who: int = 0) -> Any:
        from mocks.mock_erc20 import MockERC20

        return MockERC20(self.w3, address, self.pipeline(who))

    def balance(self, who: int | str) -> int:
        return self.env.balance(self.address(who))


@contextmanager
def escrow_on_anvil(n_members: int) -> Iterator[tuple[EscrowWorld, LeanClient]]:
    """An :class:`EscrowWorld` of ``n_members`` on a fresh anvil node, and the lean client of that node
    for a state machine's steps (its blocks one second apart); the node is stopped afterwards."""
    node = start_anvil()
    try:
        world = EscrowWorld.start(n_members, env=AnvilEnv.at(node.url))
        lean = LeanClient(node.url)
        lean.tick_seconds()
        yield world, lean
    finally:
        node.stop()


def run_examples(machine: type[RuleBasedStateMachine], max_examples: int, steps: int) -> float:
    """Run ``machine``'s examples (derandomized, no deadline, no health checks); the seconds it took."""
    started = time.monotonic()
    run_state_machine_as_test(
        machine,
        settings=settings(max_examples=max_examples, stateful_step_count=steps, deadline=None,
                          suppress_health_check=list(HealthCheck), derandomize=True),
    )
    return time.monotonic() - started


def _deploy(env: EmbeddedEnv, name: str, args: Sequence[Any], *, pipeline: TransactionPipeline | None = None) -> str:
    artifact = load_artifact(name, search=[TEST_ARTIFACTS])
    deployment = deploy_contract(
        pipeline or env.pipeline(0), DeploymentStore(None, "embedded"), name=name,
        abi=artifact.abi, bytecode=artifact.bytecode, args=list(args), reset=True,
    )
    return deployment.address


class SimulatingSender:
    """Test-only sender for calls that are expected to revert (the state-machine test's predicted
    errors): one ``eth_call`` as ``address``, its revert data decoded into the contract's typed error,
    exactly as the pipeline's simulation does. Nothing is ever sent; a call that does not revert
    fails the test."""

    def __init__(self, w3: Any, address: str) -> None:
        self.w3 = w3
        self.address = address

    def send(self, call: PendingCall) -> TxResult:
        tx = {"from": self.address, "to": call.address, "value": call.value, "data": "0x" + call.data.hex()}
        try:
            self.w3.eth.call(tx)
        except Exception as exc:
            data = revert_data(exc)
            if data is None:
                raise
            raise decode_revert(data, contract=call.contract, abi=call.abi) from None
        raise AssertionError(f"{call.contract}.{call.function} was expected to revert but would succeed")
