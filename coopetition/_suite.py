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


def _check_members(members: Sequence[SuiteMember], quorum: int) -> None:
    from eth_utils.address import is_address

    if not members:
        raise InputError("a consortium needs at least one member: pass --member LABEL=ADDRESS")
    seen_labels: set[str] = set()
    seen_addresses: set[str] = set()
    for m in members:
        if not m.label or len(m.label.encode()) > 32:
            raise InputError(f"member label {m.label!r} must be 1 to 32 bytes long")
        if not is_address(m.address):
            raise InputError(f"member {m.label}: {m.address!r} is not an address (0x followed by 40 hex digits)")
        if m.label in seen_labels:
            raise InputError(f"member label {m.label!r} is given twice")
        if m.address.lower() in seen_addresses:
            raise InputError(f"member address {m.address} is given twice")
        seen_labels.add(m.label)
        seen_addresses.add(m.address.lower())
    if not 1 <= quorum <= len(members):
        raise InputError(f"quorum {quorum} must be between 1 and the number of members ({len(members)})")


def deploy_suite(
    conn: Connection, members: Sequence[SuiteMember], quorum: int, *, reset: bool = False,
    on_progress: Callable[[Deployment], None] | None = None,
) -> SuiteDeployment:
    """Deploy (or find, when identical and already deployed) every contract of the suite, in order.

    Validates everything before sending anything. Crash-safe and idempotent through
    :func:`~coopetition._deployments.deploy_contract`.
    """
    from eth_utils.address import to_checksum_address

    from ._artifacts import load_artifact
    from ._deployments import deploy_contract

    _check_members(members, quorum)
    if conn.sender is None:
        raise DeploymentError("deploying needs an account: connect with account=... (or --account)")
    members = [SuiteMember(m.label, to_checksum_address(m.address)) for m in members]
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
