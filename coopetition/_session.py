"""The session: ``connect()``, the :class:`Connection`, and the contract suite it opens.

``connect()`` is one call from a network name to a ready-to-use, typed contract suite.

    from coopetition import connect
    conn = connect("dev", account="acme")          # keystore name, address, or dev index on dev chains
    suite = conn.suite()                            # the contracts recorded in deployments/dev/
    suite.consortium.members()

A :class:`Connection` bundles the guarded chain, the signing account, the transaction pipeline (the
:class:`~coopetition._seam.Sender` every typed binding sends through) and the deployment records.

The suite is what ``coopetition deploy`` deploys, in order, and how it is found again. Each
contract family registers one :class:`SuiteEntry` in :data:`SUITE` (deployment order: a contract
may take the address of one deployed before it). The consortium comes first: every other contract
of the suite consults it for membership and takes its governed actions from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._project import Project, find_project
from .exceptions import DeploymentError, InputError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

    from ._chain.network import Chain
    from ._chain.receipts import ProgressCallback
    from ._chain.records import Deployment, DeploymentStore
    from ._chain.tx import TransactionPipeline
    from ._chain.txdata import TxPreview
    from ._domain.round_salts import SaltStore
    from .consortium import ConsortiumService
    from .costs import CostSharingService
    from .escrow import EscrowService
    from .rounds import RoundsService
    from .titles import TitlesService

__all__ = [
    "SUITE", "Connection", "Suite", "SuiteConfig", "SuiteDeployment", "SuiteEntry", "SuiteMember", "connect",
    "connect_web3", "deploy_suite",
]


@dataclass(frozen=True)
class Connection:
    """A connected network, an account to sign with, and where deployments are recorded."""

    project: Project
    chain: Chain
    account: LocalAccount | None = field(repr=False)
    sender: TransactionPipeline | None = field(repr=False)
    store: DeploymentStore = field(repr=False)
    viewer: str | None = None
    """On a read-only connection, the address ``account`` named (found without unlocking anything)."""

    @property
    def w3(self) -> Web3:
        return self.chain.w3

    @property
    def network(self) -> str:
        return self.chain.spec.name

    @property
    def address(self) -> str | None:
        return self.viewer if self.account is None else str(self.account.address)

    def suite(self) -> Suite:
        """The contract suite recorded for this network (``coopetition deploy`` creates it)."""
        return Suite.from_records(self)

    def salt_store(self) -> SaltStore:
        """The salts of sealed pledges made on this chain, under the project's private state."""
        from ._domain.round_salts import SaltStore

        return SaltStore(self.project.salts_dir, chain_id=self.chain.chain_id, genesis_hash=self.chain.genesis_hash)

    def as_account(self, account: LocalAccount) -> Connection:
        """The same connection signing as ``account`` (shares nonce manager and records).

        Useful on dev chains and in back-office scripts that act for several members."""
        from ._chain.tx import TransactionPipeline

        pipeline = TransactionPipeline(
            self.chain.w3, account, network=self.network, is_dev=self.chain.spec.is_dev,
            confirmations=self.chain.spec.confirmations, timeout=self.chain.spec.timeout,
            dry_run=self.sender.dry_run if self.sender else False,
            confirm=self.sender.confirm if self.sender else None,
            nonce_manager=self.sender.nonces if self.sender else None,
            progress=self.sender.progress if self.sender else None,
        )
        return Connection(self.project, self.chain, account, pipeline, self.store)


def connect(
    network: str | None = "dev",
    account: str | int | None = None,
    *,
    project: Project | Path | str | None = None,
    password: str | None = None,
    password_file: Path | None = None,
    prompt: Callable[[str], str] | None = None,
    dry_run: bool = False,
    confirm: Callable[[TxPreview], bool] | None = None,
    read_only: bool = False,
    progress: ProgressCallback | None = None,
    **pipeline_options: Any,
) -> Connection:
    """Connect to ``network`` (a name from the project configuration, ``embedded``, ``dev``, or an
    RPC URL) and unlock ``account`` (a keystore name or address; on ``embedded``/``dev`` a dev
    account index, default 0). ``read_only=True`` unlocks nothing (no password is asked; the
    account's address, read from its keystore, is :attr:`Connection.address`): views work, sending raises.
    ``confirm`` is asked before each transaction on networks other than ``embedded`` and ``dev``.

    Raises :class:`~coopetition.exceptions.NodeUnreachableError`,
    :class:`~coopetition.exceptions.ChainIdMismatchError`, :class:`~coopetition.exceptions.AccountError`
    and friends, each with a one-line message; nothing is sent by connecting.
    """
    from ._chain.accounts import load_account
    from ._chain.network import open_chain
    from ._chain.records import DeploymentStore
    from ._chain.tx import TransactionPipeline

    proj = project if isinstance(project, Project) else find_project(project)
    chain = open_chain(network, proj)
    from ._chain.network import block_hash_reader

    store = DeploymentStore.for_chain(
        None if chain.spec.kind == "embedded" else proj.deployments_dir, chain.spec.name,
        chain_id=chain.chain_id, genesis_hash=chain.genesis_hash, block_hash=block_hash_reader(chain.w3),
    )
    if read_only:
        from ._chain.accounts import account_address

        viewer = None if account is None else account_address(account, chain)
        return Connection(proj, chain, None, None, store, viewer)
    signer = load_account(account, chain, password=password, password_file=password_file, prompt=prompt)
    pipeline = TransactionPipeline(
        chain.w3, signer, network=chain.spec.name, is_dev=chain.spec.is_dev,
        confirmations=chain.spec.confirmations, timeout=chain.spec.timeout,
        dry_run=dry_run, confirm=None if chain.spec.is_dev else confirm, progress=progress,
        **pipeline_options,
    )
    return Connection(proj, chain, signer, pipeline, store)


def connect_web3(
    w3: Web3,
    account: object | None = None,
    *,
    network: str = "web3",
    project: Project | Path | str | None = None,
    is_dev: bool = False,
    confirmations: int | None = None,
    timeout: float = 120,
    dry_run: bool = False,
    confirm: Callable[[TxPreview], bool] | None = None,
    progress: ProgressCallback | None = None,
) -> Connection:
    """Wrap an existing :class:`~web3.Web3` (brownie's ``web3``, an IPC or custom provider) as a
    :class:`Connection`, with the same guards as :func:`connect` (chain id read, PoA detection,
    records keyed by chain id and genesis). ``account`` signs: an eth-account ``LocalAccount``, any
    object with a private key (``.key`` / ``.private_key``, e.g. a brownie account) or with ``.address``
    and ``.sign_transaction(tx)``; ``None`` gives a read-only connection. Anything else raises
    :class:`~coopetition.exceptions.AccountError` in one line naming what is accepted.

    ``network`` names the connection in messages; ``is_dev`` treats it as a development chain (no
    ``confirm`` asked, fast polling, no confirmations waited for unless ``confirmations`` says so;
    otherwise one confirmation by default)."""
    from ._chain.network import NetworkSpec, block_hash_reader, chain_from_web3
    from ._chain.records import DeploymentStore
    from ._chain.signers import as_signer
    from ._chain.tx import TransactionPipeline

    signer = None if account is None else as_signer(account)
    confirmations = (0 if is_dev else 1) if confirmations is None else confirmations
    proj = project if isinstance(project, Project) else find_project(project)
    spec = NetworkSpec(network, "rpc", None, None, is_dev, confirmations, timeout)
    chain = chain_from_web3(spec, w3)
    store = DeploymentStore.for_chain(proj.deployments_dir, network, chain_id=chain.chain_id,
                                      genesis_hash=chain.genesis_hash, block_hash=block_hash_reader(w3))
    if signer is None:
        return Connection(proj, chain, None, None, store)
    pipeline = TransactionPipeline(w3, signer, network=network, is_dev=is_dev, confirmations=confirmations,
                                   timeout=timeout, dry_run=dry_run, confirm=None if is_dev else confirm,
                                   progress=progress)
    return Connection(proj, chain, signer, pipeline, store)


@dataclass(frozen=True)
class SuiteMember:
    """A founding member: a short label (1-32 bytes, unique) and its address."""

    label: str
    address: str


@dataclass(frozen=True)
class SuiteConfig:
    """What the founders chose: members, quorum, execution delay, and whether one approval may decide."""

    members: Sequence[SuiteMember]
    quorum: int
    delay: int = 0
    """Seconds an approved proposal waits before execution, during which objections may veto it."""
    allow_single_approval: bool = False
    """Needed for a quorum of 1 with two or more members."""


@dataclass(frozen=True)
class SuiteEntry:
    name: str
    """Contract (and artifact) name."""
    constructor_args: Callable[[SuiteConfig, Mapping[str, str]], list[Any]]
    """(the founders' choices, addresses deployed so far) -> constructor arguments."""


SUITE: list[SuiteEntry] = [
    SuiteEntry(
        "Consortium",
        lambda config, _deployed: [
            [m.address for m in config.members], [m.label for m in config.members], config.quorum,
            config.delay, config.allow_single_approval,
        ],
    ),
    # TitleRegistry deploys its own TitleExchange in its constructor (read it with `exchange()`).
    SuiteEntry("TitleRegistry", lambda _config, deployed: [deployed["Consortium"]]),
    SuiteEntry("CostSharing", lambda _config, deployed: [deployed["Consortium"]]),
    SuiteEntry("JointVentureEscrow", lambda _config, deployed: [deployed["Consortium"]]),
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


def _check_members(members: Sequence[SuiteMember], quorum: int, *, delay: int = 0,
                   allow_single_approval: bool = False) -> list[SuiteMember]:
    """The founding members, checksummed, if the Consortium would accept them with ``quorum``,
    ``delay`` and ``allow_single_approval`` (:func:`coopetition.consortium.constructor_args`
    checks); else a one-line InputError."""
    from .consortium import constructor_args

    if not members:
        raise InputError("a consortium needs at least one member: pass --member LABEL=ADDRESS")
    addresses, labels, *_ = constructor_args([(m.label, m.address) for m in members], quorum, delay=delay,
                                             allow_single_approval=allow_single_approval)
    return [SuiteMember(label, address) for label, address in zip(labels, addresses, strict=True)]


def deploy_suite(
    conn: Connection, members: Sequence[SuiteMember], quorum: int, *, delay: int = 0,
    allow_single_approval: bool = False, reset: bool = False,
    on_progress: Callable[[Deployment], None] | None = None,
) -> SuiteDeployment:
    """Deploy (or find, when identical and already deployed) every contract of the suite, in order.

    The consortium gets ``delay`` seconds of execution delay (0: none; fixed for good) and, with a
    quorum of 1 and two or more members, needs ``allow_single_approval=True``.

    Validates everything before sending anything. Crash-safe and idempotent through
    :func:`~coopetition._chain.deployments.deploy_contract`. A dry run estimates every contract,
    also on a network with nothing deployed yet: each one is simulated with the code of the ones
    before it at their predicted addresses (a state override). The embedded chain has no state
    overrides: there the suite is deployed for real on a snapshot and the chain reverted
    (:func:`~coopetition._chain.deployments.rehearsal`), so the dry run reports the exact gas.
    """
    from ._artifacts import load_artifact
    from ._chain.deployments import deploy_contract, rehearsal

    members = _check_members(members, quorum, delay=delay, allow_single_approval=allow_single_approval)
    config = SuiteConfig(members, quorum, delay, allow_single_approval)
    if conn.sender is None:
        raise DeploymentError("deploying needs an account: connect with account=... (or --account)")
    deployed: dict[str, str] = {}
    results: list[Deployment] = []
    would_deploy: dict[str, dict[str, str]] = {}  # dry run: predicted address -> its code, for the next ones
    with ExitStack() as stack:
        pipeline, store = conn.sender, conn.store
        if pipeline.dry_run and conn.chain.spec.kind == "embedded":  # no state overrides: rehearse it
            pipeline, store = stack.enter_context(rehearsal(pipeline, store))
        for entry in SUITE:
            artifact = load_artifact(entry.name)
            result = deploy_contract(
                pipeline, store, name=entry.name, abi=artifact.abi, bytecode=artifact.bytecode,
                args=entry.constructor_args(config, deployed),
                solc_input_hash=artifact.solc_input_hash, compiler_version=artifact.compiler_version,
                deployed_bytecode=artifact.deployed_bytecode, reset=reset,
                state_override=would_deploy, nonce_offset=len(would_deploy),
            )
            if result.dry_run:
                would_deploy[result.address] = {"code": artifact.deployed_bytecode}
            elif pipeline is not conn.sender and result.newly_deployed:  # rehearsed: report it as a dry run
                result = replace(result, transaction_hash="", newly_deployed=False, dry_run=True)
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

        from ._chain.network import block_hash_reader

        store: DeploymentStore = conn.store
        store.check_chain(
            conn.chain.chain_id, conn.chain.genesis_hash, write=False, block_hash=block_hash_reader(conn.w3),
            fix=f"deploy afresh with `coopetition deploy --reset` (network {conn.network}), or connect to "
                "the node that holds them",
        )
        addresses = {name: store.address(name) for name in store.names() if name in {e.name for e in SUITE}}
        return cls(conn, addresses)

    def address(self, name: str) -> str:
        try:
            return self.addresses[name]
        except KeyError:
            raise DeploymentError(
                f"no {name} recorded on network {self.connection.network}: run `coopetition deploy`, or "
                "`coopetition attach --consortium ADDRESS` to record a suite another company deployed"
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

    @property
    def rounds(self) -> RoundsService:
        """The escrow's sealed rounds. Salts are returned to the caller, not saved;
        ``.with_salts(conn.salt_store())`` also keeps each one in the project's private state (as the
        CLI does)."""
        from .rounds import RoundsService

        return RoundsService.at(self.connection.w3, self.address("JointVentureEscrow"), self.connection.sender)
