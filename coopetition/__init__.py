"""coopetition: cooperation between competing companies on an Ethereum-compatible chain.

Back-office scripts start from :func:`connect`::

    from coopetition import connect

    conn = connect("dev", account="acme")     # a keystore name; on dev chains also a dev index
    suite = conn.suite()                       # the contracts recorded by `coopetition deploy`
    for member in suite.consortium.members():
        print(member.label, member.address)

Everything public is importable from here; modules whose names start with ``_`` are private.
Attributes are loaded on first use, so ``import coopetition`` stays cheap (no web3 until needed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .exceptions import (
    AccountError,
    ArtifactError,
    BindingError,
    ChainError,
    ChainIdMismatchError,
    CompilationError,
    CompilerError,
    CompilerNotFoundError,
    ConfigError,
    ContractCustomError,
    ContractRevertError,
    CoopetitionError,
    DeploymentError,
    DevnetError,
    InputError,
    InsufficientFundsError,
    KeystoreNotFoundError,
    NodeUnreachableError,
    NonceError,
    PanicError,
    RevertReasonError,
    SendInterrupted,
    TransactionError,
    TransactionFailedError,
    UnknownNetworkError,
    UnknownRevertError,
    WrongPasswordError,
)

if TYPE_CHECKING:
    from ._abi import decode_revert
    from ._artifacts import Artifact, list_artifacts, load_artifact
    from ._bindgen import generate_binding, write_bindings
    from ._chain.deployments import deploy_contract
    from ._chain.network import Chain, NetworkSpec, connect_chain, open_chain, resolve_network
    from ._chain.nonce import NonceManager
    from ._chain.receipts import TxProgress
    from ._chain.records import Deployment, DeploymentStore
    from ._chain.tx import TransactionPipeline
    from ._chain.txdata import TxPreview
    from ._compiler import CompileResult, SolcCompiler, compile_project, find_compiler
    from ._domain.asset import Asset
    from ._project import Project, find_project
    from ._runtime import BoundContract
    from ._seam import DecodedEvent, PendingCall, Sender, TxResult
    from ._session import (
        Connection,
        Suite,
        SuiteDeployment,
        SuiteMember,
        connect,
        connect_web3,
        deploy_suite,
    )
    from ._units import Amount, format_amount, parse_amount, parse_deadline, parse_duration
    from ._verify import ContractCheck, SuiteVerification, attach_suite, verify_suite
    from .consortium import (
        ConsortiumService,
        Member,
        Proposal,
        ProposalRef,
        ProposalState,
        SignedApproval,
    )
    from .costs import (
        CostSharingService,
        Expense,
        ExpenseRef,
        ExpenseStatus,
        Period,
        Pool,
        PoolParticipant,
        PoolRef,
        PoolStatus,
        Position,
        SignedAcceptance,
    )
    from .escrow import EscrowService, PartnerPosition, Venture, VentureRef
    from .rounds import (
        PledgeCommit,
        PledgeReveal,
        RoundMilestone,
        RoundPartnerStatus,
        RoundPhase,
        RoundRef,
        RoundsService,
        SaltRecord,
        SaltStore,
        SealedRound,
        pledge_commitment,
    )
    from .titles import (
        CapConsent,
        CapConsentRef,
        CapTally,
        Holding,
        OfferRef,
        Price,
        SignedOrder,
        TitleClassInfo,
        TitleOffer,
        TitlesService,
    )

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_LAZY: dict[str, str] = {
    "Artifact": "_artifacts", "list_artifacts": "_artifacts", "load_artifact": "_artifacts",
    "generate_binding": "_bindgen", "write_bindings": "_bindgen",
    "CompileResult": "_compiler", "SolcCompiler": "_compiler", "compile_project": "_compiler",
    "find_compiler": "_compiler",
    "BoundContract": "_runtime", "decode_revert": "_abi",
    "Deployment": "_chain.records", "DeploymentStore": "_chain.records", "deploy_contract": "_chain.deployments",
    "NonceManager": "_chain.nonce",
    "Chain": "_chain.network", "NetworkSpec": "_chain.network", "connect_chain": "_chain.network",
    "open_chain": "_chain.network", "resolve_network": "_chain.network",
    "Project": "_project", "find_project": "_project",
    "DecodedEvent": "_seam", "PendingCall": "_seam", "Sender": "_seam", "TxResult": "_seam",
    "Connection": "_session", "connect": "_session", "connect_web3": "_session",
    "Suite": "_session", "SuiteDeployment": "_session", "SuiteMember": "_session", "deploy_suite": "_session",
    "TransactionPipeline": "_chain.tx", "TxPreview": "_chain.txdata", "TxProgress": "_chain.receipts",
    "ContractCheck": "_verify", "SuiteVerification": "_verify", "attach_suite": "_verify", "verify_suite": "_verify",
    "Asset": "_domain.asset",
    "Amount": "_units", "format_amount": "_units", "parse_amount": "_units",
    "parse_deadline": "_units", "parse_duration": "_units",
    **dict.fromkeys(['ConsortiumService', 'Member', 'Proposal', 'ProposalRef', 'ProposalState', 'SignedApproval'],
                   "consortium"),
    **dict.fromkeys(['CostSharingService', 'Expense', 'ExpenseRef', 'ExpenseStatus', 'Period', 'Pool',
                    'PoolParticipant', 'PoolRef', 'PoolStatus', 'Position', 'SignedAcceptance'], "costs"),
    **dict.fromkeys(['EscrowService', 'PartnerPosition', 'Venture', 'VentureRef'], "escrow"),
    **dict.fromkeys(['PledgeCommit', 'PledgeReveal', 'RoundMilestone', 'RoundPartnerStatus', 'RoundPhase',
                     'RoundRef', 'RoundsService', 'SaltRecord', 'SaltStore', 'SealedRound', 'pledge_commitment'], "rounds"),
    **dict.fromkeys(['CapConsent', 'CapConsentRef', 'CapTally', 'Holding', 'OfferRef', 'Price', 'SignedOrder', 'TitleClassInfo', 'TitleOffer',
                     'TitlesService'], "titles"),
}

__all__ = [
    "AccountError",
    "Amount",
    "Artifact",
    "ArtifactError",
    "Asset",
    "BindingError",
    "BoundContract",
    "CapConsent",
    "CapConsentRef",
    "CapTally",
    "Chain",
    "ChainError",
    "ChainIdMismatchError",
    "CompilationError",
    "CompileResult",
    "CompilerError",
    "CompilerNotFoundError",
    "ConfigError",
    "Connection",
    "ConsortiumService",
    "ContractCheck",
    "ContractCustomError",
    "ContractRevertError",
    "CoopetitionError",
    "CostSharingService",
    "DecodedEvent",
    "Deployment",
    "DeploymentError",
    "DeploymentStore",
    "DevnetError",
    "EscrowService",
    "Expense",
    "ExpenseRef",
    "ExpenseStatus",
    "Holding",
    "InputError",
    "InsufficientFundsError",
    "KeystoreNotFoundError",
    "Member",
    "NetworkSpec",
    "NodeUnreachableError",
    "NonceError",
    "NonceManager",
    "OfferRef",
    "PanicError",
    "PartnerPosition",
    "PendingCall",
    "Period",
    "PledgeCommit",
    "PledgeReveal",
    "Pool",
    "PoolParticipant",
    "PoolRef",
    "PoolStatus",
    "Position",
    "Price",
    "Project",
    "Proposal",
    "ProposalRef",
    "ProposalState",
    "RevertReasonError",
    "RoundMilestone",
    "RoundPartnerStatus",
    "RoundPhase",
    "RoundRef",
    "RoundsService",
    "SaltRecord",
    "SaltStore",
    "SealedRound",
    "SendInterrupted",
    "Sender",
    "SignedAcceptance",
    "SignedApproval",
    "SignedOrder",
    "SolcCompiler",
    "Suite",
    "SuiteDeployment",
    "SuiteMember",
    "SuiteVerification",
    "TitleClassInfo",
    "TitleOffer",
    "TitlesService",
    "TransactionError",
    "TransactionFailedError",
    "TransactionPipeline",
    "TxPreview",
    "TxProgress",
    "TxResult",
    "UnknownNetworkError",
    "UnknownRevertError",
    "Venture",
    "VentureRef",
    "WrongPasswordError",
    "__version__",
    "attach_suite",
    "compile_project",
    "connect",
    "connect_chain",
    "connect_web3",
    "decode_revert",
    "deploy_contract",
    "deploy_suite",
    "find_compiler",
    "find_project",
    "format_amount",
    "generate_binding",
    "list_artifacts",
    "load_artifact",
    "open_chain",
    "parse_amount",
    "parse_deadline",
    "parse_duration",
    "pledge_commitment",
    "resolve_network",
    "verify_suite",
    "write_bindings",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'coopetition' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
