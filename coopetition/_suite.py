"""The contract suite: what ``coopetition deploy`` deploys, in order, and how it is found again.

Each contract family registers one :class:`SuiteEntry` in :data:`SUITE` (deployment order: a
contract may take the address of one deployed before it). The consortium comes first: every other
contract of the suite consults it for membership and takes its governed actions from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .exceptions import DeploymentError, InputError

if TYPE_CHECKING:
    from ._deployments import Deployment
    from ._session import Connection
    from .consortium import ConsortiumService
    from .costs import CostSharingService
    from .escrow import EscrowService
    from .titles import TitlesService

__all__ = ["SUITE", "Suite", "SuiteDeployment", "SuiteEntry", "SuiteMember", "deploy_suite"]


@dataclass(frozen=True)
class SuiteMember:
    """A founding member: a short label (1-32 bytes, unique) and its address."""

    label: str
    address: str


@dataclass(frozen=True)
class SuiteEntry:
    name: str
    """Contract (and artifact) name."""
    constructor_args: Callable[[Sequence[SuiteMember], int, Mapping[str, str]], list[Any]]
    """(founding members, quorum, addresses deployed so far) -> constructor arguments."""


SUITE: list[SuiteEntry] = [
    SuiteEntry(
        "Consortium",
        lambda members, quorum, _deployed: [
            [m.address for m in members], [m.label for m in members], quorum,
        ],
    ),
    # TitleRegistry deploys its own TitleExchange in its constructor (read it with `exchange()`).
    SuiteEntry("TitleRegistry", lambda _members, _quorum, deployed: [deployed["Consortium"]]),
    SuiteEntry("CostSharing", lambda _members, _quorum, deployed: [deployed["Consortium"]]),
    SuiteEntry("JointVentureEscrow", lambda _members, _quorum, deployed: [deployed["Consortium"]]),
]


@dataclass(frozen=True)
class SuiteDeployment:
    network: str
    chain_id: int
    contracts: tuple[Deployment, ...]

    def address(self, name: str) -> str:
        for d in self.contracts:
            if d.name == name:
                return d.address
        raise KeyError(name)


def _check_members(members: Sequence[SuiteMember], quorum: int) -> list[SuiteMember]:
    """The founding members, checksummed, if the Consortium would accept them with ``quorum``
    (:func:`coopetition.consortium.constructor_args` checks); else a one-line InputError."""
    from .consortium import constructor_args

    if not members:
        raise InputError("a consortium needs at least one member: pass --member LABEL=ADDRESS")
    addresses, labels, _ = constructor_args([(m.label, m.address) for m in members], quorum)
    return [SuiteMember(label, address) for label, address in zip(labels, addresses, strict=True)]


def deploy_suite(
    conn: Connection, members: Sequence[SuiteMember], quorum: int, *, reset: bool = False,
    on_progress: Callable[[Deployment], None] | None = None,
) -> SuiteDeployment:
    """Deploy (or find, when identical and already deployed) every contract of the suite, in order.

    Validates everything before sending anything. Crash-safe and idempotent through
    :func:`~coopetition._deployments.deploy_contract`.
    """
    from ._artifacts import load_artifact
    from ._deployments import deploy_contract

    members = _check_members(members, quorum)
    if conn.sender is None:
        raise DeploymentError("deploying needs an account: connect with account=... (or --account)")
    deployed: dict[str, str] = {}
    results: list[Deployment] = []
    for entry in SUITE:
        artifact = load_artifact(entry.name)
        result = deploy_contract(
            conn.sender, conn.store, name=entry.name, abi=artifact.abi, bytecode=artifact.bytecode,
            args=entry.constructor_args(members, quorum, deployed),
            solc_input_hash=artifact.solc_input_hash, compiler_version=artifact.compiler_version,
            deployed_bytecode=artifact.deployed_bytecode, reset=reset,
        )
        deployed[entry.name] = result.address
        results.append(result)
        if on_progress is not None:
            on_progress(result)
    return SuiteDeployment(conn.network, conn.chain.chain_id, tuple(results))


@dataclass(frozen=True)
class Suite:
    """The deployed suite on one connection, with a typed service per contract family."""

    connection: Connection = field(repr=False)
    addresses: Mapping[str, str]

    @classmethod
    def from_records(cls, conn: Connection) -> Suite:
        from ._deployments import DeploymentStore

        store: DeploymentStore = conn.store
        store.check_chain(conn.chain.chain_id, conn.chain.genesis_hash, write=False)
        addresses = {name: store.address(name) for name in store.names() if name in {e.name for e in SUITE}}
        return cls(conn, addresses)

    def address(self, name: str) -> str:
        try:
            return self.addresses[name]
        except KeyError:
            raise DeploymentError(
                f"no {name} recorded on network {self.connection.network}: run `coopetition deploy`"
            ) from None

    @property
    def consortium(self) -> ConsortiumService:
        from .bindings.consortium import Consortium
        from .consortium import ConsortiumService

        binding = Consortium(self.connection.w3, self.address("Consortium"), self.connection.sender)
        return ConsortiumService(binding)

    @property
    def titles(self) -> TitlesService:
        """The title registry and its exchange (the exchange's address is read from the registry)."""
        from .titles import TitlesService

        return TitlesService.at(
            self.connection.w3, self.address("TitleRegistry"), self.connection.sender,
            consortium=self.consortium,
        )

    @property
    def costs(self) -> CostSharingService:
        from .bindings.cost_sharing import CostSharing
        from .costs import CostSharingService

        return CostSharingService(CostSharing(self.connection.w3, self.address("CostSharing"), self.connection.sender))

    @property
    def escrow(self) -> EscrowService:
        """The joint-venture escrow (ventures, deposits, milestones, refunds)."""
        from .escrow import EscrowService

        return EscrowService.at(self.connection.w3, self.address("JointVentureEscrow"), self.connection.sender)
