"""``connect()``: one call from a network name to a ready-to-use, typed contract suite.

    from coopetition import connect
    conn = connect("dev", account="acme")          # keystore name, address, or dev index on dev chains
    suite = conn.suite()                            # the contracts recorded in deployments/dev/
    suite.consortium.members()

A :class:`Connection` bundles the guarded chain, the signing account, the transaction pipeline (the
:class:`~coopetition._seam.Sender` every typed binding sends through) and the deployment records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._project import Project, find_project

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

    from ._deployments import DeploymentStore
    from ._network import Chain
    from ._suite import Suite
    from ._tx import TransactionPipeline, TxPreview

__all__ = ["Connection", "connect"]


@dataclass(frozen=True)
class Connection:
    """A connected network, an account to sign with, and where deployments are recorded."""

    project: Project
    chain: Chain
    account: LocalAccount | None = field(repr=False)
    sender: TransactionPipeline | None = field(repr=False)
    store: DeploymentStore = field(repr=False)

    @property
    def w3(self) -> Web3:
        return self.chain.w3

    @property
    def network(self) -> str:
        return self.chain.spec.name

    @property
    def address(self) -> str | None:
        return None if self.account is None else str(self.account.address)

    def suite(self) -> Suite:
        """The contract suite recorded for this network (``coopetition deploy`` creates it)."""
        from ._suite import Suite

        return Suite.from_records(self)

    def as_account(self, account: LocalAccount) -> Connection:
        """The same connection signing as ``account`` (shares nonce manager and records).

        Useful on dev chains and in back-office scripts that act for several members."""
        from ._tx import TransactionPipeline

        pipeline = TransactionPipeline(
            self.chain.w3, account, network=self.network, is_dev=self.chain.spec.is_dev,
            confirmations=self.chain.spec.confirmations, timeout=self.chain.spec.timeout,
            dry_run=self.sender.dry_run if self.sender else False,
            confirm=self.sender.confirm if self.sender else None,
            nonce_manager=self.sender.nonces if self.sender else None,
            spinner=self.sender.spinner if self.sender else None,
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
    spinner: bool | None = None,
    **pipeline_options: Any,
) -> Connection:
    """Connect to ``network`` (a name from the project configuration, ``embedded``, ``dev``, or an
    RPC URL) and unlock ``account`` (a keystore name or address; on ``embedded``/``dev`` a dev
    account index, default 0). ``read_only=True`` unlocks nothing: views work, sending raises.
    ``confirm`` is asked before each transaction on networks other than ``embedded`` and ``dev``.

    Raises :class:`~coopetition.exceptions.NodeUnreachableError`,
    :class:`~coopetition.exceptions.ChainIdMismatchError`, :class:`~coopetition.exceptions.AccountError`
    and friends, each with a one-line message; nothing is sent by connecting.
    """
    from ._accounts import load_account
    from ._deployments import DeploymentStore
    from ._network import open_chain
    from ._tx import TransactionPipeline

    proj = project if isinstance(project, Project) else find_project(project)
    chain = open_chain(network, proj)
    store = DeploymentStore(
        None if chain.spec.kind == "embedded" else proj.deployments_dir, chain.spec.name
    )
    if read_only and account is None:
        return Connection(proj, chain, None, None, store)
    signer = load_account(account, chain, password=password, password_file=password_file, prompt=prompt)
    pipeline = TransactionPipeline(
        chain.w3, signer, network=chain.spec.name, is_dev=chain.spec.is_dev,
        confirmations=chain.spec.confirmations, timeout=chain.spec.timeout,
        dry_run=dry_run, confirm=None if chain.spec.is_dev else confirm, spinner=spinner,
        **pipeline_options,
    )
    return Connection(proj, chain, signer, None if read_only else pipeline, store)
